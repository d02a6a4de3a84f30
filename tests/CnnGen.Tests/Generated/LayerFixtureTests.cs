using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The layers' PyTorch fixtures (tests/fixtures/layers, listed in cases.json), each compiled by the
/// generator at build time as a user's class would be and run through each way in: LoadParameters +
/// Forward, LoadSafetensors from a path and a stream, ForwardBatch; its constants against the case.
/// The generated code alone is compared with PyTorch here, not the reference engine.
/// </summary>
public class LayerFixtureTests
{
    /// <summary>
    /// The generated class of each run case. A run case of cases.json missing here fails
    /// <see cref="Every_run_case_has_a_network"/> rather than being skipped.
    /// </summary>
    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["AdaptiveAvgDown"] = () => new Fixtures.Layers.AdaptiveAvgDown(),
        ["AdaptiveAvgUp"] = () => new Fixtures.Layers.AdaptiveAvgUp(),
        ["AdaptiveMaxDownRect"] = () => new Fixtures.Layers.AdaptiveMaxDownRect(),
        ["AdaptiveMaxUpRect"] = () => new Fixtures.Layers.AdaptiveMaxUpRect(),
        ["AdaptiveMixed"] = () => new Fixtures.Layers.AdaptiveMixed(),
        ["AdaptiveSame"] = () => new Fixtures.Layers.AdaptiveSame(),
        ["AvgPoolExcludePad"] = () => new Fixtures.Layers.AvgPoolExcludePad(),
        ["AvgPoolExcludePadBranch"] = () => new Fixtures.Layers.AvgPoolExcludePadBranch(),
        ["AvgPoolExcludePadCeil"] = () => new Fixtures.Layers.AvgPoolExcludePadCeil(),
        ["MaxPoolOversizedCeil"] = () => new Fixtures.Layers.MaxPoolOversizedCeil(),
        ["AvgPoolOversizedCeil"] = () => new Fixtures.Layers.AvgPoolOversizedCeil(),
        ["AvgPoolOversizedExcludePad"] = () => new Fixtures.Layers.AvgPoolOversizedExcludePad(),
        ["MinPoolOversizedDilated"] = () => new Fixtures.Layers.MinPoolOversizedDilated(),
        ["PoolOversizedChannels"] = () => new Fixtures.Layers.PoolOversizedChannels(),
        ["BnAfterActivation"] = () => new Fixtures.Layers.BnAfterActivation(),
        ["BnAfterConv"] = () => new Fixtures.Layers.BnAfterConv(),
        ["BnAfterConvNoBiasReLU"] = () => new Fixtures.Layers.BnAfterConvNoBiasReLU(),
        ["BnAfterPool"] = () => new Fixtures.Layers.BnAfterPool(),
        ["BnEpsilon"] = () => new Fixtures.Layers.BnEpsilon(),
        ["BnFirst"] = () => new Fixtures.Layers.BnFirst(),
        ["BnNoAffine"] = () => new Fixtures.Layers.BnNoAffine(),
        ["BnTwice"] = () => new Fixtures.Layers.BnTwice(),
        ["CifarBnSiLU"] = () => new Fixtures.Layers.CifarBnSiLU(),
        ["ConvELU"] = () => new Fixtures.Layers.ConvELU(),
        ["ConvGELU"] = () => new Fixtures.Layers.ConvGELU(),
        ["ConvGELUTanh"] = () => new Fixtures.Layers.ConvGELUTanh(),
        ["ConvHardsigmoid"] = () => new Fixtures.Layers.ConvHardsigmoid(),
        ["ConvHardswish"] = () => new Fixtures.Layers.ConvHardswish(),
        ["ConvHardtanh"] = () => new Fixtures.Layers.ConvHardtanh(),
        ["ConvLeakyReLU"] = () => new Fixtures.Layers.ConvLeakyReLU(),
        ["ConvMish"] = () => new Fixtures.Layers.ConvMish(),
        ["ConvReLU6"] = () => new Fixtures.Layers.ConvReLU6(),
        ["ConvSELU"] = () => new Fixtures.Layers.ConvSELU(),
        ["ConvSiLU"] = () => new Fixtures.Layers.ConvSiLU(),
        ["ConvSoftplus"] = () => new Fixtures.Layers.ConvSoftplus(),
        ["ELUAlone"] = () => new Fixtures.Layers.ELUAlone(),
        ["GELUAlone"] = () => new Fixtures.Layers.GELUAlone(),
        ["GELUTanhAlone"] = () => new Fixtures.Layers.GELUTanhAlone(),
        ["GlobalAvgPool"] = () => new Fixtures.Layers.GlobalAvgPool(),
        ["GlobalMaxPool"] = () => new Fixtures.Layers.GlobalMaxPool(),
        ["HardsigmoidAlone"] = () => new Fixtures.Layers.HardsigmoidAlone(),
        ["HardswishAlone"] = () => new Fixtures.Layers.HardswishAlone(),
        ["HardtanhAlone"] = () => new Fixtures.Layers.HardtanhAlone(),
        ["LeakyReLUAlone"] = () => new Fixtures.Layers.LeakyReLUAlone(),
        ["LogSoftmaxChannels"] = () => new Fixtures.Layers.LogSoftmaxChannels(),
        ["LogSoftmaxDense"] = () => new Fixtures.Layers.LogSoftmaxDense(),
        ["MishAlone"] = () => new Fixtures.Layers.MishAlone(),
        ["MobileNetTiny"] = () => new Fixtures.Layers.MobileNetTiny(),
        ["MaxPoolDilated"] = () => new Fixtures.Layers.MaxPoolDilated(),
        ["MaxPoolDilatedChannels"] = () => new Fixtures.Layers.MaxPoolDilatedChannels(),
        ["MaxPoolDilatedRect"] = () => new Fixtures.Layers.MaxPoolDilatedRect(),
        ["MinPoolDilatedAfterConv"] = () => new Fixtures.Layers.MinPoolDilatedAfterConv(),
        ["NamedLayers"] = () => new Fixtures.Layers.NamedLayers(),
        ["PReLUAlone"] = () => new Fixtures.Layers.PReLUAlone(),
        ["PReLUChannels"] = () => new Fixtures.Layers.PReLUChannels(),
        ["PReLUDense"] = () => new Fixtures.Layers.PReLUDense(),
        ["PReLUShared"] = () => new Fixtures.Layers.PReLUShared(),
        ["ReLU6Alone"] = () => new Fixtures.Layers.ReLU6Alone(),
        ["SELUAlone"] = () => new Fixtures.Layers.SELUAlone(),
        ["SiLUAlone"] = () => new Fixtures.Layers.SiLUAlone(),
        ["SoftplusAlone"] = () => new Fixtures.Layers.SoftplusAlone(),
        ["VggSmall"] = () => new Fixtures.Layers.VggSmall(),
    };

    /// <summary>The run cases, from cases.json.</summary>
    public static TheoryData<string> Cases() => new(LayerCase.All.Where(c => c.IsRun).Select(c => c.Name));

    [Fact]
    public void Every_run_case_has_a_network()
    {
        var runs = LayerCase.All.Where(c => c.IsRun).Select(c => c.Name).ToList();
        Assert.NotEmpty(runs);
        var missing = runs.Where(n => !Networks.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "run cases of cases.json without a constructor in LayerFixtureTests.Networks: " + string.Join(", ", missing));
        var stale = Networks.Keys.Where(n => !runs.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "constructors in LayerFixtureTests.Networks that are no run case of cases.json: " + string.Join(", ", stale));
    }

    [Fact]
    public void Every_fixture_class_is_a_case_of_cases_json()
    {
        var files = Directory.GetFiles(SourceDirectory(), "*.cs").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal);
        var cases = LayerCase.All.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(cases, files);
        Assert.Equal(LayerCase.All.Count, LayerCase.All.Select(c => c.Name).Distinct().Count());
        Assert.All(LayerCase.All, c => Assert.True(c.IsRun || c.IsError, $"{c.Name}: kind {c.Kind}"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string name)
    {
        var net = Create(name);
        net.LoadParameters(Read(name, "params"));

        FixtureFiles.AssertMatches(Read(name, "expected"), RunOneByOne(net, name), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadSafetensors_reads_the_state_dict_and_skips_num_batches_tracked(string name)
    {
        var fromFile = Create(name);
        fromFile.LoadSafetensors(FixtureFiles.PathOf(name + ".safetensors", LayerCase.Folder));
        var fromStream = Create(name);
        using (var stream = File.OpenRead(FixtureFiles.PathOf(name + ".safetensors", LayerCase.Folder))) fromStream.LoadSafetensors(stream);

        FixtureFiles.AssertMatches(Read(name, "expected"), RunOneByOne(fromFile, name), name + " from a path");
        FixtureFiles.AssertMatches(Read(name, "expected"), RunOneByOne(fromStream, name), name + " from a stream");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBatch_runs_the_samples_back_to_back(string name)
    {
        var net = Create(name);
        net.LoadParameters(Read(name, "params"));
        int batch = LayerCase.Named(name).Batch;
        var outputs = new float[batch * net.OutputLength];

        net.ForwardBatch(Read(name, "input"), outputs);

        FixtureFiles.AssertMatches(Read(name, "expected"), outputs, name);
    }

    /// <summary>The layers tested alone (NAMEAlone): elementwise functions over inputs from -12 to 12 (-30 to 30 for Softplus).</summary>
    /// <summary>
    /// Before anything is loaded both engines hold zeros, and their weights derived from them: a
    /// BatchNorm without Affine, whose zero variance then divides by sqrt(eps), agrees too.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Before_any_load_the_generated_class_agrees_with_the_reference_engine(string name)
    {
        var net = Networks[name]();
        var reference = new CnnGen.Reference.ReferenceNetwork(net.Spec);

        FixtureFiles.AssertMatches(RunOneByOne(reference, name), RunOneByOne(net, name), name + " unloaded");
    }

    public static TheoryData<string> ElementwiseCases() => new(LayerCase.All.Where(c => c.IsRun && c.Name.EndsWith("Alone", StringComparison.Ordinal)).Select(c => c.Name));

    /// <summary>
    /// An elementwise function has no sum whose order may differ: it must agree with PyTorch (in
    /// float64, rounded) to a few float roundings of the value itself, far below the networks'
    /// tolerance, down to the tails (GELU at -7 is 1e-11, Softplus at -30 is 1e-13). GELU's differences
    /// below 1e-15 are let pass: PyTorch's own 1 + erf(x) cancels in float64 there.
    /// </summary>
    [Theory]
    [MemberData(nameof(ElementwiseCases))]
    public void Elementwise_layers_match_PyTorch_to_float_precision(string name)
    {
        var net = Create(name);
        net.LoadParameters(Read(name, "params"));
        var input = Read(name, "input");
        var expected = Read(name, "expected");
        var actual = RunOneByOne(net, name);

        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = 1e-6 * Math.Abs(expected[i]) + (name.StartsWith("GELU", StringComparison.Ordinal) ? 1e-15 : 1e-37);
            if (!(Math.Abs(actual[i] - (double)expected[i]) <= allowed))
                Assert.Fail($"{name}: at x = {input[i]:R} the output is {actual[i]:R}, PyTorch says {expected[i]:R} (allowed difference {allowed:g3})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Constants_agree_with_the_case(string name)
    {
        var net = Create(name);
        var c = LayerCase.Named(name);

        Assert.Equal(c.Parameters, net.ParameterCount);
        Assert.Equal(c.Parameters, Read(name, "params").Length);
        Assert.Equal(c.Parameters, net.Spec.ParameterCount);
        Assert.Equal(c.Parameters, net.Spec.Parameters.Sum(t => t.Length));
        Assert.Equal(c.InputShape, net.Spec.InputShape);
        Assert.Equal(c.InputShape.Aggregate(1, (a, b) => a * b), net.InputLength);
        Assert.Equal(c.OutputShape, net.Spec.OutputShape);
        Assert.Equal(c.OutputLength, net.OutputLength);
        Assert.Equal(c.Batch * net.InputLength, Read(name, "input").Length);
        Assert.Equal(c.Batch * net.OutputLength, Read(name, "expected").Length);
    }

    private static INetwork Create(string name)
    {
        Assert.True(Networks.TryGetValue(name, out var create), $"{name} is a run case of cases.json but LayerFixtureTests.Networks has no constructor for it");
        return create!();
    }

    private static float[] Read(string name, string part) => FixtureFiles.ReadFloats($"{name}.{part}.f32", LayerCase.Folder);

    private static float[] RunOneByOne(INetwork net, string name)
    {
        var inputs = Read(name, "input");
        int batch = LayerCase.Named(name).Batch;
        var outputs = new float[batch * net.OutputLength];
        for (int n = 0; n < batch; n++)
            net.Forward(inputs.AsSpan(n * net.InputLength, net.InputLength), outputs.AsSpan(n * net.OutputLength, net.OutputLength));
        return outputs;
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures", LayerCase.Folder);
}
