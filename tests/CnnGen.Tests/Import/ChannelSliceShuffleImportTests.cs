using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CnnGen.Onnx;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static CnnGen.Tests.Support.OnnxBuild;

namespace CnnGen.Tests.Import;

/// <summary>
/// Split and Slice along the channels, and the channel shuffle's Reshape, Transpose, Reshape, as ShuffleNetV2 exports
/// them: each imports as ChannelSlice and ChannelShuffle nodes computing what ONNX defines (worked out here on the
/// input's channels), in the generated class and in the reference engine; every other split, slice or shuffle-like
/// chain is one error saying why. The PyTorch exports are the fixtures (ShuffleNetV2, SplitUnequal, ChannelSlices,
/// ShuffleSequence, SplitHeight, ShuffleWrongPerm in tests/fixtures/onnx).
/// </summary>
public sealed class ChannelSliceShuffleImportTests
{
    private const long End = long.MaxValue;

    /// <summary>A model, its input's dims, the input channels each output channel is (so every position of a channel follows), and the node kinds it imports as.</summary>
    private sealed record Case(string Name, OnnxModel Model, long[] InputDims, int[] Channels, string[] Kinds)
    {
        /// <summary>An elementwise function applied to every output (ReLU where the model ends in one).</summary>
        public Func<double, double> After { get; init; } = v => v;
    }

    /// <summary>Channels [start, start + length).</summary>
    private static int[] Range(int start, int length) => Enumerable.Range(start, length).ToArray();

    private static int[] Join(params int[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>ShuffleNet's order: output channel j * G + i is input channel i * (C / G) + j.</summary>
    private static int[] Shuffled(int channels, int groups) =>
        Enumerable.Range(0, channels).Select(o => o % groups * (channels / groups) + o / groups).ToArray();

    private static OnnxNode Split(string input, string[] outputs, long axis, string? sizes = null, long[]? attribute = null)
    {
        var attributes = new List<OnnxAttribute> { Int("axis", axis) };
        if (attribute is not null) attributes.Add(Ints("split", attribute));
        return Node("Split", sizes is null ? new[] { input } : new[] { input, sizes }, outputs, attributes.ToArray());
    }

    private static OnnxNode Concat(string output, params string[] inputs) => Node("Concat", inputs, new[] { output }, Int("axis", 1));

    /// <summary>Slice (opset 10 on) of x with constant inputs named after the output.</summary>
    private static (OnnxTensor[] Constants, OnnxNode Node) Slice(string input, string output, long[] starts, long[] ends, long[] axes, long[]? steps = null)
    {
        var constants = new List<OnnxTensor> { Vector(output + "_starts", starts), Vector(output + "_ends", ends), Vector(output + "_axes", axes) };
        var inputs = new List<string> { input, output + "_starts", output + "_ends", output + "_axes" };
        if (steps is not null)
        {
            constants.Add(Vector(output + "_steps", steps));
            inputs.Add(output + "_steps");
        }
        return (constants.ToArray(), Node("Slice", inputs.ToArray(), new[] { output }));
    }

    /// <summary>Reshape(x, first), Transpose(perm), Reshape(back), the shapes constants.</summary>
    private static (OnnxTensor[] Constants, OnnxNode[] Nodes) Shuffle(string input, string output, long[] first, long[] perm, long[] back) =>
        (new[] { Vector(output + "_grouped", first), Vector(output + "_back", back) },
         new[]
         {
             Node("Reshape", new[] { input, output + "_grouped" }, new[] { output + "_5d" }),
             Node("Transpose", new[] { output + "_5d" }, new[] { output + "_t" }, Ints("perm", perm)),
             Node("Reshape", new[] { output + "_t", output + "_back" }, new[] { output }),
         });

    private static IEnumerable<Case> Cases()
    {
        var map = Input("x", 1, 6, 2, 3);
        var none = Array.Empty<OnnxTensor>();

        // Split: sizes as an input (opset 13), as an attribute (11, and opset 7's), equal parts, a negative axis
        yield return new Case("split_input_sizes", Model(map, new[] { Vector("sizes", 2, 3, 1) },
                new[] { Split("x", new[] { "a", "b", "c" }, 1, "sizes"), Concat("y", "c", "a", "b") }),
            new long[] { 1, 6, 2, 3 }, Join(Range(5, 1), Range(0, 2), Range(2, 3)), new[] { "ChannelSlice", "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_attribute_sizes_opset11", Model(map, none,
                new[] { Split("x", new[] { "a", "b" }, 1, attribute: new long[] { 4, 2 }), Concat("y", "b", "a") }, opset: 11),
            new long[] { 1, 6, 2, 3 }, Join(Range(4, 2), Range(0, 4)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_attribute_equal_opset7", Model(map, none,
                new[] { Split("x", new[] { "a", "b", "c" }, 1), Concat("y", "c", "b", "a") }, opset: 7),
            new long[] { 1, 6, 2, 3 }, Join(Range(4, 2), Range(2, 2), Range(0, 2)), new[] { "ChannelSlice", "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_equal_parts_negative_axis", Model(map, none,
                new[] { Split("x", new[] { "a", "b" }, -3), Concat("y", "b", "a") }),
            new long[] { 1, 6, 2, 3 }, Join(Range(3, 3), Range(0, 3)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        // an output nothing reads is not computed; one read twice is computed once
        yield return new Case("split_unused_output", Model(map, new[] { Vector("sizes", 1, 2, 3) },
                new[] { Split("x", new[] { "a", "b", "c" }, 1, "sizes"), Concat("y", "c", "a") }),
            new long[] { 1, 6, 2, 3 }, Join(Range(3, 3), Range(0, 1)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_output_read_twice", Model(map, none,
                new[] { Split("x", new[] { "a", "b" }, 1), Concat("y", "a", "b", "a") }),
            new long[] { 1, 6, 2, 3 }, Join(Range(0, 3), Range(3, 3), Range(0, 3)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_output_is_the_graph_output", Model(map, none,
                new[] { Split("x", new[] { "a", "y" }, 1) }),
            new long[] { 1, 6, 2, 3 }, Range(3, 3), new[] { "ChannelSlice" });
        // a pending elementwise formula becomes its layer before the slices
        yield return new Case("split_of_relu", Model(map, none,
                new[] { Node("Relu", new[] { "x" }, new[] { "r" }), Split("r", new[] { "a", "b" }, 1, attribute: new long[] { 5, 1 }), Concat("y", "b", "a") }, opset: 11),
            new long[] { 1, 6, 2, 3 }, Join(Range(5, 1), Range(0, 5)), new[] { "ReLU", "ChannelSlice", "ChannelSlice", "Concat" }) { After = v => Math.Max(0, v) };
        yield return new Case("split_sequence", Model(Input("x", 1, 5, 4), new[] { Vector("sizes", 3, 2) },
                new[] { Split("x", new[] { "a", "b" }, -2, "sizes"), Concat("y", "b", "a") }),
            new long[] { 1, 5, 4 }, Join(Range(3, 2), Range(0, 3)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        yield return new Case("split_vector", Model(Input("x", 1, 7), new[] { Vector("sizes", 4, 3) },
                new[] { Split("x", new[] { "a", "b" }, 1, "sizes"), Concat("y", "b", "a") }),
            new long[] { 1, 7 }, Join(Range(4, 3), Range(0, 4)), new[] { "ChannelSlice", "ChannelSlice", "Concat" });
        // one part of all the channels: the value itself
        yield return new Case("split_one_part", Model(map, none,
                new[] { Split("x", new[] { "a" }, 1), Node("Relu", new[] { "a" }, new[] { "y" }) }),
            new long[] { 1, 6, 2, 3 }, Range(0, 6), new[] { "ReLU" }) { After = v => Math.Max(0, v) };

        // Slice along the channels: INT64_MAX and past-the-end ends, negative starts and axes, attributes at opset 9
        var (c1, s1) = Slice("x", "y", new long[] { 3 }, new[] { End }, new long[] { 1 });
        yield return new Case("slice_to_int64_max", Model(map, c1, new[] { s1 }), new long[] { 1, 6, 2, 3 }, Range(3, 3), new[] { "ChannelSlice" });
        var (c2, s2) = Slice("x", "y", new long[] { -4 }, new long[] { 100 }, new long[] { -3 }, new long[] { 1 });
        yield return new Case("slice_negative_start_and_axis", Model(map, c2, new[] { s2 }), new long[] { 1, 6, 2, 3 }, Range(2, 4), new[] { "ChannelSlice" });
        var (c3, s3) = Slice("x", "y", new long[] { 1, 0 }, new long[] { -1, End }, new long[] { 1, 3 });
        yield return new Case("slice_channels_and_a_whole_axis", Model(map, c3, new[] { s3 }), new long[] { 1, 6, 2, 3 }, Range(1, 4), new[] { "ChannelSlice" });
        var (c4, s4) = Slice("x", "y", new long[] { long.MinValue }, new[] { End }, new long[] { 1 });
        yield return new Case("slice_of_everything", Model(map, c4, new[] { s4 }), new long[] { 1, 6, 2, 3 }, Range(0, 6), new[] { "Identity" });
        yield return new Case("slice_attributes_opset9", Model(map, none,
                new[] { Node("Slice", new[] { "x" }, new[] { "y" }, Ints("starts", 2), Ints("ends", 5), Ints("axes", 1)) }, opset: 9),
            new long[] { 1, 6, 2, 3 }, Range(2, 3), new[] { "ChannelSlice" });
        var (c5, s5) = Slice("x", "y", new long[] { 2 }, new long[] { 5 }, new long[] { 1 });
        yield return new Case("slice_sequence", Model(Input("x", 1, 6, 4), c5, new[] { s5 }), new long[] { 1, 6, 4 }, Range(2, 3), new[] { "ChannelSlice" });

        // the channel shuffle: constants, 0 and -1 in the shapes, on a sequence; then a slice of the shuffled value
        var (k1, n1) = Shuffle("x", "y", new long[] { 1, 2, 3, 2, 3 }, new long[] { 0, 2, 1, 3, 4 }, new long[] { 1, 6, 2, 3 });
        yield return new Case("shuffle_2_groups", Model(map, k1, n1), new long[] { 1, 6, 2, 3 }, Shuffled(6, 2), new[] { "ChannelShuffle" });
        var (k2, n2) = Shuffle("x", "y", new long[] { 0, 3, -1, 0, 3 }, new long[] { 0, 2, 1, 3, 4 }, new long[] { 0, -1, 3, 0 });
        yield return new Case("shuffle_zero_and_minus_one", Model(Input("x", 1, 6, 3, 3), k2, n2), new long[] { 1, 6, 3, 3 }, Shuffled(6, 3), new[] { "ChannelShuffle" });
        var (k3, n3) = Shuffle("x", "y", new long[] { -1, 2, 4, 5 }, new long[] { 0, 2, 1, 3 }, new long[] { 1, -1, 5 });
        yield return new Case("shuffle_sequence", Model(Input("x", 1, 8, 5), k3, n3), new long[] { 1, 8, 5 }, Shuffled(8, 2), new[] { "ChannelShuffle" });
        var (k4, n4) = Shuffle("x", "s", new long[] { 1, 2, 3, 2, 3 }, new long[] { 0, 2, 1, 3, 4 }, new long[] { 1, -1, 2, 3 });
        var (c6, s6) = Slice("s", "y", new long[] { 3 }, new[] { End }, new long[] { 1 });
        yield return new Case("shuffle_then_slice", Model(map, k4.Concat(c6).ToArray(), n4.Append(s6).ToArray()),
            new long[] { 1, 6, 2, 3 }, Shuffled(6, 2).Skip(3).ToArray(), new[] { "ChannelShuffle", "ChannelSlice" });
        // the shape from Shape, Gather, Unsqueeze and Concat, as exporters compute it without constant folding, the batch dynamic
        var dynamic = new OnnxValueInfo("x", OnnxTypeKind.Tensor, OnnxDataType.Float, true,
            new OnnxArray<OnnxDim>(new[] { OnnxDim.Symbolic("N"), OnnxDim.Fixed(6), OnnxDim.Fixed(2), OnnxDim.Fixed(3) }));
        yield return new Case("shuffle_shape_from_shape", Model(dynamic, new[] { Int64s("zero", Array.Empty<long>(), 0), Vector("groups", 2, 3, 2, 3), Vector("rest", -1, 2, 3) }, new[]
            {
                Node("Shape", new[] { "x" }, new[] { "shape" }), Node("Gather", new[] { "shape", "zero" }, new[] { "n" }, Int("axis", 0)),
                Node("Unsqueeze", new[] { "n" }, new[] { "n1" }, Ints("axes", 0)),
                Node("Concat", new[] { "n1", "groups" }, new[] { "grouped" }, Int("axis", 0)), Node("Concat", new[] { "n1", "rest" }, new[] { "back" }, Int("axis", 0)),
                Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Transpose", new[] { "g" }, new[] { "t" }, Ints("perm", 0, 2, 1, 3, 4)),
                Node("Reshape", new[] { "t", "back" }, new[] { "y" }),
            }, opset: 11),
            new long[] { 1, 6, 2, 3 }, Shuffled(6, 2), new[] { "ChannelShuffle" });
    }

    [Fact]
    public void Channel_slices_splits_and_shuffles_import_as_ONNX_defines_them()
    {
        var cases = Cases().ToList();
        var inputs = cases.Select((c, i) => new OnnxHarness.ModelInput(c.Model, Array.Empty<byte>(), $"channels/{c.Name}.onnx", "Channels" + i)).ToList();
        var run = OnnxHarness.RunMany(inputs);
        var errors = run.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)));
        var (emitted, image) = OnnxHarness.Emit(run.Output, inputs);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Take(10)));
        var assembly = Assembly.Load(image);
        var random = new Random(11);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var network = (INetwork)Activator.CreateInstance(assembly.GetType("Imported.Channels" + i)!)!;
            Assert.Equal(c.Kinds, network.Spec.Nodes.Select(n => n.Kind).ToArray());
            var x = new float[network.InputLength];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(random.NextDouble() * 6 - 3);
            int positions = (int)c.InputDims.Skip(2).Aggregate(1L, (a, b) => a * b);
            var expected = c.Channels.SelectMany(ch => Enumerable.Range(0, positions).Select(p => c.After(x[ch * positions + p]))).ToArray();
            var y = new float[network.OutputLength];
            network.Forward(x, y);
            var reference = new float[network.OutputLength];
            new ReferenceNetwork(network.Spec).Forward(x, reference);
            Assert.Equal(expected.Length, y.Length);
            for (int j = 0; j < y.Length; j++)
            {
                Assert.True(y[j] == expected[j], $"{c.Name}: output {j} is {y[j]:R}, expected {expected[j]:R}");
                Assert.True(reference[j] == expected[j], $"{c.Name}: the reference engine's output {j} is {reference[j]:R}, expected {expected[j]:R}");
            }
        }
    }

    [Theory]
    [InlineData("split axis 2", "it splits axis 2 of [N, 6, 2, 3]")]
    [InlineData("split axis 0 (the default)", "it splits axis 0")]
    [InlineData("split axis -1", "it splits axis -1")]
    [InlineData("split sizes not the channels", "does not divide the 6 channels")]
    [InlineData("split sizes count", "gives 3 sizes for its 2 outputs")]
    [InlineData("split unequal parts", "into 4 equal parts")]
    [InlineData("split empty part read", "holds none of the channels")]
    [InlineData("slice step 2", "its step along axis 1 is 2")]
    [InlineData("slice channels and rows", "it slices axis 2 ([0, 1) of 2) with the channels")]
    [InlineData("slice batch", "it slices the batch")]
    [InlineData("slice empty", "channels [4, 2)")]
    [InlineData("slice rows alone", "circular padding")]
    [InlineData("shuffle perm", "perm [0, 1, 3, 2, 4]")]
    [InlineData("shuffle without perm", "perm [4, 3, 2, 1, 0]")]
    [InlineData("shuffle 5D value read twice", "a node other than one Transpose reads the result")]
    [InlineData("shuffle 5D value is the output", "a node other than one Transpose reads the result")]
    [InlineData("shuffle transposed value read twice", "a node other than one Reshape reads the transposed channel groups")]
    [InlineData("shuffle back to another shape", "reshapes them back to [N, 6, 2, 3]")]
    [InlineData("reshape to 5D alone", "a node other than one Transpose reads the result")]
    [InlineData("reshape to other 5D", "it reshapes [6, 2, 3] to [1, 2, 3, 3, 2]")]
    public void Other_splits_slices_and_shuffles_are_refused_with_one_error(string which, string mention)
    {
        var x = Input("x", 1, 6, 2, 3);
        var none = Array.Empty<OnnxTensor>();
        OnnxModel ShuffleModel(long[] first, long[] perm, long[] back, params OnnxNode[] extra)
        {
            var (constants, nodes) = Shuffle("x", "y", first, perm, back);
            return Model(x, constants, nodes.Concat(extra).ToArray());
        }
        OnnxModel SliceModel(long[] starts, long[] ends, long[] axes, long[]? steps = null)
        {
            var (constants, node) = Slice("x", "y", starts, ends, axes, steps);
            return Model(x, constants, new[] { node });
        }
        var model = which switch
        {
            "split axis 2" => Model(x, none, new[] { Split("x", new[] { "a", "b" }, 2), Concat("y", "a", "b") }),
            "split axis 0 (the default)" => Model(x, none, new[] { Node("Split", new[] { "x" }, new[] { "a", "b" }), Concat("y", "a", "b") }),
            "split axis -1" => Model(x, none, new[] { Split("x", new[] { "a", "b", "c" }, -1), Concat("y", "a", "b", "c") }),
            "split sizes not the channels" => Model(x, new[] { Vector("sizes", 2, 3) }, new[] { Split("x", new[] { "a", "b" }, 1, "sizes"), Concat("y", "a", "b") }),
            "split sizes count" => Model(x, none, new[] { Split("x", new[] { "a", "b" }, 1, attribute: new long[] { 2, 2, 2 }), Concat("y", "a", "b") }, opset: 11),
            "split unequal parts" => Model(x, none, new[] { Split("x", new[] { "a", "b", "c", "d" }, 1), Concat("y", "a", "b", "c", "d") }),
            "split empty part read" => Model(x, new[] { Vector("sizes", 0, 6) }, new[] { Split("x", new[] { "a", "b" }, 1, "sizes"), Concat("y", "a", "b") }),
            "slice step 2" => SliceModel(new long[] { 0 }, new long[] { 6 }, new long[] { 1 }, new long[] { 2 }),
            "slice channels and rows" => SliceModel(new long[] { 1, 0 }, new long[] { 4, 1 }, new long[] { 1, 2 }),
            "slice batch" => SliceModel(new long[] { 0, 1 }, new long[] { 1, 4 }, new long[] { 0, 1 }),
            "slice empty" => SliceModel(new long[] { 4 }, new long[] { 2 }, new long[] { 1 }),
            "slice rows alone" => SliceModel(new long[] { 0 }, new long[] { 1 }, new long[] { 2 }),
            "shuffle perm" => ShuffleModel(new long[] { 1, 2, 3, 2, 3 }, new long[] { 0, 1, 3, 2, 4 }, new long[] { 1, 6, 2, 3 }),
            "shuffle without perm" => Model(x, new[] { Vector("grouped", 1, 2, 3, 2, 3), Vector("back", 1, 6, 2, 3) }, new[]
            {
                Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Transpose", new[] { "g" }, new[] { "t" }), Node("Reshape", new[] { "t", "back" }, new[] { "y" }),
            }),
            "shuffle 5D value read twice" => Model(x, new[] { Vector("grouped", 1, 2, 3, 2, 3), Vector("back", 1, 6, 2, 3) }, new[]
            {
                Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Transpose", new[] { "g" }, new[] { "t" }, Ints("perm", 0, 2, 1, 3, 4)),
                Node("Reshape", new[] { "t", "back" }, new[] { "s" }), Node("Relu", new[] { "g" }, new[] { "r" }), Node("Reshape", new[] { "r", "back" }, new[] { "r4" }),
                Node("Add", new[] { "s", "r4" }, new[] { "y" }),
            }),
            "shuffle 5D value is the output" => Model(x, new[] { Vector("grouped", 1, 2, 3, 2, 3) }, new[] { Node("Reshape", new[] { "x", "grouped" }, new[] { "y" }) }),
            "shuffle transposed value read twice" => Model(x, new[] { Vector("grouped", 1, 2, 3, 2, 3), Vector("back", 1, 6, 2, 3) }, new[]
            {
                Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Transpose", new[] { "g" }, new[] { "t" }, Ints("perm", 0, 2, 1, 3, 4)),
                Node("Reshape", new[] { "t", "back" }, new[] { "s" }), Node("Reshape", new[] { "t", "back" }, new[] { "s2" }), Node("Add", new[] { "s", "s2" }, new[] { "y" }),
            }),
            "shuffle back to another shape" => ShuffleModel(new long[] { 1, 2, 3, 2, 3 }, new long[] { 0, 2, 1, 3, 4 }, new long[] { 1, -1 }),
            "reshape to 5D alone" => Model(x, new[] { Vector("grouped", 1, 3, 2, 2, 3) }, new[] { Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Relu", new[] { "g" }, new[] { "y" }) }),
            "reshape to other 5D" => Model(x, new[] { Vector("grouped", 1, 2, 3, 3, 2), Vector("back", 1, 6, 2, 3) }, new[]
            {
                Node("Reshape", new[] { "x", "grouped" }, new[] { "g" }), Node("Transpose", new[] { "g" }, new[] { "t" }, Ints("perm", 0, 2, 1, 3, 4)), Node("Reshape", new[] { "t", "back" }, new[] { "y" }),
            }),
            _ => throw new ArgumentException(which),
        };
        var run = OnnxHarness.RunMany(new[] { new OnnxHarness.ModelInput(model, Array.Empty<byte>(), "channels/refused.onnx", "Refused") });
        var errors = run.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, which + ": " + string.Join("\n", errors));
        Assert.Equal("CNN0030", errors[0].Id);
        Assert.Contains(mention, errors[0].GetMessage(), StringComparison.Ordinal);
    }
}
