using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The blocks' PyTorch fixtures (tests/fixtures/blocks, listed in cases.json; written by
/// tests/torch/block_cases.py from the modules of tests/torch/blocks.py): networks built from
/// [Block] classes through [Sequential], [Residual], [Concat] and [Multiply], each compiled by the
/// generator at build time as a user's class would be. Each is run every way in (LoadParameters +
/// Forward, LoadSafetensors from a path and a stream, ForwardBatch) and through the reference engine
/// built from its Spec, and its constants and state_dict keys are checked against PyTorch's.
/// </summary>
public class BlockFixtureTests
{
    /// <summary>
    /// The generated class of each run case. A run case of cases.json missing here fails
    /// <see cref="Every_run_case_has_a_network"/> rather than being skipped.
    /// </summary>
    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["Concat3"] = () => new Fixtures.Blocks.Concat3(),
        ["DenseNet"] = () => new Fixtures.Blocks.DenseNet(),
        ["Fire"] = () => new Fixtures.Blocks.Fire(),
        ["GateSameShape"] = () => new Fixtures.Blocks.GateSameShape(),
        ["InlineResidual"] = () => new Fixtures.Blocks.InlineResidual(),
        ["InlineSequential"] = () => new Fixtures.Blocks.InlineSequential(),
        ["MobileNetV2"] = () => new Fixtures.Blocks.MobileNetV2(),
        ["NamedMix"] = () => new Fixtures.Blocks.NamedMix(),
        ["Nested"] = () => new Fixtures.Blocks.Nested(),
        ["ResNet8"] = () => new Fixtures.Blocks.ResNet8(),
        ["SqueezeExcite"] = () => new Fixtures.Blocks.SqueezeExcite(),
        ["VggBlocks"] = () => new Fixtures.Blocks.VggBlocks(),
    };

    /// <summary>The run cases, from cases.json.</summary>
    public static TheoryData<string> Cases() => new(BlockCase.All.Where(c => c.IsRun).Select(c => c.Name));

    [Fact]
    public void Every_run_case_has_a_network()
    {
        var runs = BlockCase.All.Where(c => c.IsRun).Select(c => c.Name).ToList();
        Assert.NotEmpty(runs);
        var missing = runs.Where(n => !Networks.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "run cases of cases.json without a constructor in BlockFixtureTests.Networks: " + string.Join(", ", missing));
        var stale = Networks.Keys.Where(n => !runs.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "constructors in BlockFixtureTests.Networks that are no run case of cases.json: " + string.Join(", ", stale));
    }

    [Fact]
    public void Every_fixture_class_is_a_case_of_cases_json()
    {
        var files = Directory.GetFiles(FixtureCase.SourceDirectory(BlockCase.Folder), "*.cs").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal);
        var cases = BlockCase.All.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(cases, files);
        Assert.Equal(BlockCase.All.Count, BlockCase.All.Select(c => c.Name).Distinct().Count());
        Assert.All(BlockCase.All, c => Assert.True(c.IsRun || c.IsError, $"{c.Name}: kind {c.Kind}"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string name)
    {
        var c = BlockCase.Named(name);
        var net = Create(name);
        net.LoadParameters(c.ReadFloats("params"));

        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunOneByOne(net, c), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadSafetensors_reads_the_state_dict_and_skips_num_batches_tracked(string name)
    {
        var c = BlockCase.Named(name);
        var fromFile = Create(name);
        fromFile.LoadSafetensors(c.PathOf("safetensors"));
        var fromStream = Create(name);
        using (var stream = File.OpenRead(c.PathOf("safetensors"))) fromStream.LoadSafetensors(stream);

        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunOneByOne(fromFile, c), name + " from a path");
        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunOneByOne(fromStream, c), name + " from a stream");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBatch_runs_the_samples_back_to_back(string name)
    {
        var c = BlockCase.Named(name);
        var net = Create(name);
        net.LoadParameters(c.ReadFloats("params"));
        var outputs = new float[c.Batch * net.OutputLength];

        net.ForwardBatch(c.ReadFloats("input"), outputs);

        FixtureFiles.AssertMatches(c.ReadFloats("expected"), outputs, name);
    }

    /// <summary>The reference engine, built from nothing but the generated class's Spec, computes what PyTorch computes.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void The_reference_engine_on_the_generated_Spec_matches_PyTorch(string name)
    {
        var c = BlockCase.Named(name);
        var reference = new ReferenceNetwork(Create(name).Spec);
        reference.LoadParameters(c.ReadFloats("params"));

        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunOneByOne(reference, c), name + " (reference engine)");
    }

    /// <summary>Before anything is loaded both engines hold zeros, and their weights derived from them (BatchNorm folded with zero variance divides by sqrt(eps)).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Before_any_load_the_generated_class_agrees_with_the_reference_engine(string name)
    {
        var c = BlockCase.Named(name);
        var net = Create(name);
        var reference = new ReferenceNetwork(net.Spec);

        FixtureFiles.AssertMatches(RunOneByOne(reference, c), RunOneByOne(net, c), name + " unloaded");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Constants_agree_with_the_case(string name)
    {
        var net = Create(name);
        var c = BlockCase.Named(name);

        Assert.Equal(c.Parameters, net.ParameterCount);
        Assert.Equal(c.Parameters, c.ReadFloats("params").Length);
        Assert.Equal(c.Parameters, net.Spec.ParameterCount);
        Assert.Equal(c.Parameters, net.Spec.Parameters.Sum(t => t.Length));
        Assert.Equal(c.InputShape, net.Spec.InputShape);
        Assert.Equal(c.InputShape.Aggregate(1, (a, b) => a * b), net.InputLength);
        Assert.Equal(c.OutputShape, net.Spec.OutputShape);
        Assert.Equal(c.OutputLength, net.OutputLength);
        Assert.Equal(c.Batch * net.InputLength, c.ReadFloats("input").Length);
        Assert.Equal(c.Batch * net.OutputLength, c.ReadFloats("expected").Length);
    }

    /// <summary>
    /// The tensors of Spec.Parameters are the state_dict's: every float tensor of the safetensors
    /// file (PyTorch's state_dict, plus the case's "input" and "expected") is one of them and each of
    /// them is in the file, with its shape; the tensors tile the state vector in order.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Spec_Parameters_are_the_state_dict_keys_with_their_shapes(string name)
    {
        var c = BlockCase.Named(name);
        var spec = Create(name).Spec;
        var file = SafetensorsHeader(c.PathOf("safetensors"));
        var stateDict = file.Where(t => t.Key is not ("input" or "expected")).ToDictionary(t => t.Key, t => t.Value);

        var floats = stateDict.Where(t => !t.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value);
        Assert.All(floats, t => Assert.Equal("F32", t.Value.Dtype));
        Assert.All(stateDict.Keys.Except(floats.Keys), k => Assert.Equal("I64", stateDict[k].Dtype));
        var names = spec.Parameters.Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        var notInSpec = floats.Keys.Except(names).ToList();
        Assert.True(notInSpec.Count == 0, $"{name}: state_dict keys not in Spec.Parameters: {string.Join(", ", notInSpec)}");
        var notInFile = names.Except(floats.Keys).ToList();
        Assert.True(notInFile.Count == 0, $"{name}: Spec.Parameters not in the state_dict: {string.Join(", ", notInFile)}");
        foreach (var p in spec.Parameters)
        {
            Assert.True(floats[p.Name].Shape.SequenceEqual(p.Shape), $"{name}: {p.Name} is [{string.Join(", ", p.Shape)}], PyTorch's [{string.Join(", ", floats[p.Name].Shape)}]");
            Assert.Equal(p.Name.EndsWith(".running_mean", StringComparison.Ordinal) || p.Name.EndsWith(".running_var", StringComparison.Ordinal), p.IsBuffer);
        }
        // BatchNorm's running statistics come with a num_batches_tracked in the file, which the spec leaves out
        Assert.Equal(
            spec.Parameters.Where(p => p.Name.EndsWith(".running_mean", StringComparison.Ordinal)).Select(p => p.Name[..^".running_mean".Length]).OrderBy(n => n, StringComparer.Ordinal),
            stateDict.Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Select(k => k[..^".num_batches_tracked".Length]).OrderBy(n => n, StringComparer.Ordinal));
        int offset = 0;
        foreach (var p in spec.Parameters)
        {
            Assert.Equal(offset, p.Offset);
            Assert.Equal(p.Shape.Aggregate(1, (a, b) => a * b), p.Length);
            offset += p.Length;
        }
        Assert.Equal(spec.ParameterCount, offset);
    }

    /// <summary>
    /// The safetensors header is sorted by name, but NAME.params.f32 is the state_dict's float
    /// tensors concatenated in state_dict() order: reading the file by the Spec's names and offsets
    /// gives those floats bit for bit only if the Spec lists the tensors in PyTorch's order.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Spec_Parameters_are_in_state_dict_order(string name)
    {
        var c = BlockCase.Named(name);
        var spec = Create(name).Spec;
        var params32 = c.ReadFloats("params");

        var byName = CnnGen.Safetensors.ReadParameters(c.PathOf("safetensors"), spec);

        Assert.Equal(params32.Length, byName.Length);
        foreach (var p in spec.Parameters)
        {
            bool same = params32.AsSpan(p.Offset, p.Length).SequenceEqual(byName.AsSpan(p.Offset, p.Length));
            Assert.True(same, $"{name}: {p.Name} at offset {p.Offset} is not where state_dict() puts it");
        }
    }

    /// <summary>torchvision's BasicBlock and its ResNet: the keys a torchvision-style module of the same layers has.</summary>
    [Fact]
    public void ResNet8_has_torchvisions_keys()
    {
        var keys = Fixtures.Blocks.ResNet8.Spec.Parameters.Select(p => p.Name).ToList();

        string[] Bn(string m) => new[] { m + ".weight", m + ".bias", m + ".running_mean", m + ".running_var" };
        var expected = new List<string> { "conv1.weight" };
        expected.AddRange(Bn("bn1"));
        foreach (var layer in new[] { "layer1", "layer2", "layer3" })
        {
            expected.Add($"{layer}.0.conv1.weight");
            expected.AddRange(Bn($"{layer}.0.bn1"));
            expected.Add($"{layer}.0.conv2.weight");
            expected.AddRange(Bn($"{layer}.0.bn2"));
            if (layer != "layer1")
            {
                expected.Add($"{layer}.0.downsample.0.weight");
                expected.AddRange(Bn($"{layer}.0.downsample.1"));
            }
        }
        expected.AddRange(new[] { "fc.weight", "fc.bias" });
        Assert.Equal(expected, keys);
    }

    /// <summary>The graph of ResNet8: one Residual node per block, reading the body's last value and the shortcut's (or the block's input).</summary>
    [Fact]
    public void ResNet8_joins_each_residual_block_in_one_node()
    {
        var nodes = Fixtures.Blocks.ResNet8.Spec.Nodes;

        var joins = nodes.Where(n => n.Kind == "Residual").ToList();
        Assert.Equal(new[] { "layer1.0", "layer2.0", "layer3.0" }, joins.Select(n => n.Module));
        Assert.All(joins, j => Assert.Equal(2, j.Inputs.Count));
        Assert.All(joins, j => Assert.Equal(j.InputShapes[0], j.InputShapes[1]));
        // layer1's identity shortcut reads the block's input: the value the ReLU before layer1 defined
        var relu = nodes.Single(n => n.Module == "relu");
        Assert.Equal(relu.Output, joins[0].Inputs[1]);
        Assert.Equal(nodes.Single(n => n.Module == "layer1.0.bn2").Output, joins[0].Inputs[0]);
        Assert.Equal(nodes.Single(n => n.Module == "layer2.0.downsample.1").Output, joins[1].Inputs[1]);
        Assert.Equal(new[] { 16, 8, 8 }, joins[1].OutputShape);
        Assert.Equal("ResNet8 > layer2 (Sequential) > 0 (Residual)", joins[1].Description);
        // values are numbered in order of evaluation: a node reads only values defined before it
        Assert.All(nodes, n => Assert.All(n.Inputs, i => Assert.True(i < n.Output)));
    }

    private sealed record HeaderEntry(string Dtype, int[] Shape);

    /// <summary>The tensors a safetensors header lists, by name (without "__metadata__").</summary>
    private static Dictionary<string, HeaderEntry> SafetensorsHeader(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(bytes.AsMemory(8, length));
        return header.RootElement.EnumerateObject()
            .Where(p => p.Name != "__metadata__")
            .ToDictionary(p => p.Name, p => new HeaderEntry(
                p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()));
    }

    private static INetwork Create(string name)
    {
        Assert.True(Networks.TryGetValue(name, out var create), $"{name} is a run case of cases.json but BlockFixtureTests.Networks has no constructor for it");
        return create!();
    }

    private static float[] RunOneByOne(INetwork net, FixtureCase c)
    {
        var inputs = c.ReadFloats("input");
        var outputs = new float[c.Batch * net.OutputLength];
        for (int n = 0; n < c.Batch; n++)
            net.Forward(inputs.AsSpan(n * net.InputLength, net.InputLength), outputs.AsSpan(n * net.OutputLength, net.OutputLength));
        return outputs;
    }
}
