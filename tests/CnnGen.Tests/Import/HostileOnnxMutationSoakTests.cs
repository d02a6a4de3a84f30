using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnGen.Build;
using CnnGen.Onnx;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Import;

/// <summary>
/// Random mutations of PyTorch's exports (tests/fixtures/onnx): an integer or float attribute set to a value out of
/// range, a node's input dropped or two swapped, a dimension changed, a node deleted, an op replaced by another known
/// one. Every mutant keeps the generator's promise (<see cref="HostileRunner"/>). The seed is fixed; CNNGEN_SOAK=N
/// runs N mutants instead of the CI's 300 (and CNNGEN_SOAK_SEED another seed).
/// </summary>
public sealed class HostileOnnxMutationSoakTests
{
    private static readonly string Folder = FixtureCase.SourceDirectory("onnx");

    private static readonly string[] KnownOps =
    {
        "Conv", "ConvTranspose", "Relu", "Sigmoid", "Tanh", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Gemm", "MatMul",
        "Add", "Mul", "Sub", "Div", "Concat", "Flatten", "Reshape", "Pad", "Resize", "Softmax", "LeakyRelu", "Clip", "Identity", "Shape", "Gather",
        "Slice", "Unsqueeze", "Transpose", "DepthToSpace", "Erf", "Neg", "Constant", "ConstantOfShape", "Range", "Cast", "Dropout", "PRelu",
    };

    private readonly ITestOutputHelper _output;

    public HostileOnnxMutationSoakTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Hostile_mutated_fixture_models_are_imported_exactly_or_refused_with_one_error()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("CNNGEN_SOAK"), out int n) && n > 0 ? n : 300;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CNNGEN_SOAK_SEED"), out int s) ? s : 20240611;
        var clock = Stopwatch.StartNew();
        var fixtures = Directory.EnumerateFiles(Folder, "*.onnx").OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Read: OnnxProtobuf.Read(File.ReadAllBytes(f))))
            .Where(f => f.Read.Model is not null)
            .ToList();
        Assert.True(fixtures.Count > 50, $"only {fixtures.Count} fixture models read");

        var rng = new Random(seed);
        var cases = new List<HostileCase>();
        for (int i = 0; i < count; i++)
        {
            var (name, read) = fixtures[i % fixtures.Count];
            var model = read.Model!;
            var what = new List<string>();
            int mutations = 1 + rng.Next(3);
            for (int m = 0; m < mutations; m++) model = Mutate(model, rng, what);
            cases.Add(new HostileCase($"#{i} {name}: {string.Join("; ", what)}", model, read.Weights) { ConstructorMayThrow = typeof(InvalidDataException) });
        }
        var outcomes = HostileRunner.Check(cases, chunkSize: 100);
        var byVerdict = outcomes.GroupBy(o => o.Verdict).ToDictionary(g => g.Key, g => g.Count());
        _output.WriteLine($"{count} mutants of {fixtures.Count} models, seed {seed}: " + string.Join(", ", byVerdict.Select(p => $"{p.Value} {p.Key}")) + $" ({clock.Elapsed.TotalSeconds:F1} s)");
        foreach (var o in outcomes.Where(o => o.Verdict == HostileVerdict.Failed)) _output.WriteLine(o.ToString());
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "hostile-onnx-soak.txt"), outcomes.Select(o => o.ToString()));
        HostileRunner.AssertNoFailures(outcomes);
    }

    private static long RandomInt(Random rng) => rng.Next(6) switch
    {
        0 => rng.Next(-5, 6),
        1 => 1L << 31,
        2 => int.MaxValue,
        3 => 1L << rng.Next(8, 32),
        4 => 0,
        _ => (long)(rng.NextDouble() * ((1L << 31) + 5)) - 5,
    };

    private static float RandomFloat(Random rng) => rng.Next(7) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        2 => 0,
        3 => -1,
        4 => 1e30f,
        5 => float.Epsilon,
        _ => (float)(rng.NextDouble() * 20 - 10),
    };

    private static OnnxModel Mutate(OnnxModel model, Random rng, List<string> what)
    {
        var graph = model.Graph;
        var nodes = graph.Nodes.ToList();
        int kind = rng.Next(8);
        if (nodes.Count == 0) kind = 4;
        int k = nodes.Count == 0 ? -1 : rng.Next(nodes.Count);
        switch (kind)
        {
            case 0 or 1:
            {
                // an int or ints attribute (a float one when the node has none)
                var node = nodes[k];
                var attributes = node.Attributes.ToList();
                var ints = attributes.Select((a, i) => (a, i)).Where(p => p.a is OnnxAttribute.Int or OnnxAttribute.Ints).ToList();
                var floats = attributes.Select((a, i) => (a, i)).Where(p => p.a is OnnxAttribute.Float).ToList();
                if (ints.Count > 0)
                {
                    var (a, i) = ints[rng.Next(ints.Count)];
                    long value = RandomInt(rng);
                    if (a is OnnxAttribute.Ints list && list.Values.Count > 0)
                    {
                        var values = list.Values.ToArray();
                        int at = rng.Next(values.Length);
                        values[at] = value;
                        attributes[i] = list with { Values = new OnnxArray<long>(values) };
                        what.Add($"{Describe(node)}.{a.Name}[{at}] = {value}");
                    }
                    else
                    {
                        attributes[i] = new OnnxAttribute.Int(a.Name, value);
                        what.Add($"{Describe(node)}.{a.Name} = {value}");
                    }
                }
                else if (floats.Count > 0)
                {
                    var (a, i) = floats[rng.Next(floats.Count)];
                    float value = RandomFloat(rng);
                    attributes[i] = new OnnxAttribute.Float(a.Name, value);
                    what.Add($"{Describe(node)}.{a.Name} = {value}");
                }
                else
                {
                    // an attribute the node did not have, of a name ops read
                    string[] names = { "axis", "group", "strides", "pads", "kernel_shape", "dilations", "alpha", "epsilon", "ceil_mode", "blocksize", "transB", "keepdims" };
                    string name = names[rng.Next(names.Length)];
                    long value = RandomInt(rng);
                    attributes.Add(rng.Next(2) == 0 ? new OnnxAttribute.Int(name, value) : new OnnxAttribute.Ints(name, new OnnxArray<long>(new[] { value, value })));
                    what.Add($"{Describe(node)} gets {name} = {value}");
                }
                nodes[k] = node with { Attributes = new OnnxArray<OnnxAttribute>(attributes) };
                break;
            }
            case 2:
            {
                var node = nodes[k];
                if (node.Inputs.Count == 0) goto default;
                int drop = rng.Next(node.Inputs.Count);
                nodes[k] = node with { Inputs = new OnnxArray<string>(node.Inputs.Where((_, i) => i != drop)) };
                what.Add($"{Describe(node)} loses input {drop}");
                break;
            }
            case 3:
            {
                var node = nodes[k];
                if (node.Inputs.Count < 2)
                {
                    // an input of another node instead
                    var other = nodes[rng.Next(nodes.Count)];
                    if (node.Inputs.Count == 0 || other.Outputs.Count == 0) goto default;
                    var inputs = node.Inputs.ToArray();
                    inputs[0] = other.Outputs[0];
                    nodes[k] = node with { Inputs = new OnnxArray<string>(inputs) };
                    what.Add($"{Describe(node)} reads {other.Outputs[0]}");
                    break;
                }
                var swapped = node.Inputs.ToArray();
                int a = rng.Next(swapped.Length), b = (a + 1 + rng.Next(swapped.Length - 1)) % swapped.Length;
                (swapped[a], swapped[b]) = (swapped[b], swapped[a]);
                nodes[k] = node with { Inputs = new OnnxArray<string>(swapped) };
                what.Add($"{Describe(node)} swaps inputs {a} and {b}");
                break;
            }
            case 4:
            {
                // a dim of the graph's input, or of an initializer (its data then no longer fits it)
                long value = RandomInt(rng);
                if (rng.Next(3) > 0 && graph.Inputs.Count > 0)
                {
                    var inputs = graph.Inputs.ToList();
                    int which = rng.Next(inputs.Count);
                    var dims = inputs[which].Dims.ToArray();
                    if (dims.Length == 0) goto default;
                    int at = rng.Next(dims.Length);
                    dims[at] = OnnxDim.Fixed(value);
                    inputs[which] = inputs[which] with { Dims = new OnnxArray<OnnxDim>(dims) };
                    what.Add($"input '{inputs[which].Name}' dim {at} = {value}");
                    return model with { Graph = graph with { Inputs = new OnnxArray<OnnxValueInfo>(inputs), Nodes = new OnnxArray<OnnxNode>(nodes) } };
                }
                var inits = graph.Initializers.ToList();
                if (inits.Count == 0) goto default;
                int t = rng.Next(inits.Count);
                var tdims = inits[t].Dims.ToArray();
                if (tdims.Length == 0) goto default;
                int d = rng.Next(tdims.Length);
                tdims[d] = value;
                inits[t] = inits[t] with { Dims = new OnnxArray<long>(tdims) };
                what.Add($"initializer '{inits[t].Name}' dim {d} = {value}");
                return model with { Graph = graph with { Initializers = new OnnxArray<OnnxTensor>(inits), Nodes = new OnnxArray<OnnxNode>(nodes) } };
            }
            case 5:
                what.Add($"{Describe(nodes[k])} deleted");
                nodes.RemoveAt(k);
                break;
            case 6:
            {
                string op = KnownOps[rng.Next(KnownOps.Length)];
                what.Add($"{Describe(nodes[k])} becomes {op}");
                nodes[k] = nodes[k] with { OpType = op };
                break;
            }
            default:
            {
                // a float attribute, or the opset
                var node = nodes.Count > 0 ? nodes[rng.Next(nodes.Count)] : null;
                var floats = node?.Attributes.Where(a => a is OnnxAttribute.Float).ToList();
                if (node is not null && floats!.Count > 0)
                {
                    var a = floats[rng.Next(floats.Count)];
                    float value = RandomFloat(rng);
                    nodes[nodes.IndexOf(node)] = node with { Attributes = new OnnxArray<OnnxAttribute>(node.Attributes.Select(x => ReferenceEquals(x, a) ? new OnnxAttribute.Float(a.Name, value) : x)) };
                    what.Add($"{Describe(node)}.{a.Name} = {value}");
                    break;
                }
                long opset = rng.Next(1, 19);
                what.Add($"opset {opset}");
                return model with { Opsets = OnnxArray.Of(new OnnxOpset("", opset)), Graph = graph with { Nodes = new OnnxArray<OnnxNode>(nodes) } };
            }
        }
        return model with { Graph = graph with { Nodes = new OnnxArray<OnnxNode>(nodes) } };
    }

    private static string Describe(OnnxNode node) => (node.Name.Length == 0 ? node.Outputs.FirstOrDefault() ?? "?" : node.Name) + "(" + node.OpType + ")";
}
