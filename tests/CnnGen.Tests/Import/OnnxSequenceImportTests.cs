using System.Linq;
using CnnGen.Tests.Support;
using Xunit;
using static CnnGen.Tests.Support.OnnxBuild;

namespace CnnGen.Tests.Import;

/// <summary>
/// 1D graphs as exporters write them, built here: padding of a sequence's positions (Pad on [N, C, L], a Pad1DSpec in
/// the class's Spec), and the torchaudio M5 head (avg_pool1d over the rest, permute(0, 2, 1), Linear, log_softmax over
/// the last axis), whose Transpose moves only an axis of size 1. Each imports and matches the reference engine.
/// </summary>
public sealed class OnnxSequenceImportTests
{
    [Theory]
    [InlineData("reflect")]
    [InlineData("edge")]
    [InlineData("constant")]
    public void A_sequence_pad_imports_and_matches_the_reference(string mode)
    {
        var model = Model(Input("x", 1, 2, 9), new[] { Vector("pads", 0, 0, 3, 0, 0, 2), Random("w", 3, 2, 3) }, new[]
        {
            Node("Pad", new[] { "x", "pads" }, new[] { "p" }, String("mode", mode)),
            Node("Conv", new[] { "p", "w" }, new[] { "y" }),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase("pad1d_" + mode, model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Imported, outcome.ToString());
    }

    [Fact]
    public void The_M5_head_imports_and_matches_the_reference()
    {
        var model = Model(Input("x", 1, 4, 12), new[] { Random("w", 6, 4, 3), Random("fc", 6, 5), Random("b", 5) }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }),
            Node("AveragePool", new[] { "c" }, new[] { "a" }, Ints("kernel_shape", 10), Ints("strides", 10)),
            Node("Transpose", new[] { "a" }, new[] { "t" }, Ints("perm", 0, 2, 1)),
            Node("MatMul", new[] { "t", "fc" }, new[] { "m" }),
            Node("Add", new[] { "b", "m" }, new[] { "l" }),
            Node("LogSoftmax", new[] { "l" }, new[] { "y" }, Int("axis", 2)),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase("m5_head", model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Imported, outcome.ToString());
    }

    [Fact]
    public void Shape_of_the_M5_heads_transposed_value_is_the_shape_the_graph_sees()
    {
        // t is [1, 1, 6] to the graph (the IR holds [6, 1]): Reshape(t, Shape(t)) keeps it so, and MatMul takes it
        var model = Model(Input("x", 1, 4, 12), new[] { Random("w", 6, 4, 3), Random("fc", 6, 5) }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }),
            Node("AveragePool", new[] { "c" }, new[] { "a" }, Ints("kernel_shape", 10), Ints("strides", 10)),
            Node("Transpose", new[] { "a" }, new[] { "t" }, Ints("perm", 0, 2, 1)),
            Node("Shape", new[] { "t" }, new[] { "s" }),
            Node("Reshape", new[] { "t", "s" }, new[] { "r" }),
            Node("MatMul", new[] { "r", "fc" }, new[] { "y" }),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase("m5_head_shape", model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Imported, outcome.ToString());
    }

    [Fact]
    public void A_transpose_that_moves_data_is_refused()
    {
        var model = Model(Input("x", 1, 4, 12), new[] { Random("w", 6, 4, 3) }, new[]
        {
            Node("Conv", new[] { "x", "w" }, new[] { "c" }),
            Node("Transpose", new[] { "c" }, new[] { "y" }, Ints("perm", 0, 2, 1)),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase("transpose_moves", model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Refused, outcome.ToString());
    }
}
