using System.Linq;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Ir;

/// <summary>
/// The 1D ops' rules on C x L sequences (stored as C x 1 x L): a Conv1D or 1D pool is its 2D counterpart
/// on one row, with PyTorch's 1D shapes and weights; a 2D layer refuses a sequence and a 1D layer a map.
/// </summary>
public class SequenceRuleTests
{
    private static NetworkShapes Infer(FeatureShape input, params Op[] ops) => ShapeInference.Infer(NetworkGraph.Chain(input, ops));

    private static ShapeProblem OnlyError(NetworkShapes shapes) => Assert.Single(shapes.Problems, p => !p.IsWarning);

    private static ConvolutionOp Conv1D(int filters, int kernel, int stride = 1, int padLeft = 0, int padRight = 0, int dilation = 1, int groups = 1) => new()
    {
        SpatialRank = 1, Filters = filters, KernelHeight = 1, KernelWidth = kernel, StrideWidth = stride,
        PadLeft = padLeft, PadRight = padRight, DilationWidth = dilation, Groups = groups,
    };

    private static PoolOp Pool1D(Reduction reduction, int kernel, int stride, int padding = 0, bool ceilMode = false) => new(reduction)
    {
        SpatialRank = 1, KernelHeight = 1, StrideHeight = 1, KernelWidth = kernel, StrideWidth = stride, PaddingWidth = padding, CeilMode = ceilMode,
    };

    [Fact]
    public void A_sequence_prints_and_measures_as_PyTorch_shapes_it()
    {
        var sequence = FeatureShape.Sequence(2, 32);

        Assert.Equal(("[2, 32]", 64, 32), (sequence.ToString(), sequence.Length, sequence.Plane));
    }

    [Theory]
    // nn.Conv1d's L_out = floor((L + padding - dilation * (K - 1) - 1) / stride) + 1
    [InlineData(32, 3, 1, 1, 1, 1, 32)]
    [InlineData(400, 20, 4, 0, 0, 1, 96)]
    [InlineData(16, 3, 1, 4, 0, 2, 16)] // causal: PadLeft = (K - 1) * dilation
    [InlineData(10, 4, 3, 1, 2, 1, 4)]
    public void Conv1D_gives_PyTorchs_length_and_a_weight_without_kernel_height(int length, int kernel, int stride, int padLeft, int padRight, int dilation, int expected)
    {
        var shapes = Infer(FeatureShape.Sequence(4, length), Conv1D(6, kernel, stride, padLeft, padRight, dilation, groups: 2));

        Assert.False(shapes.HasErrors, string.Join("\n", shapes.Problems.Select(p => p.Message)));
        Assert.Equal(FeatureShape.Sequence(6, expected), shapes.Output);
        Assert.Equal(new[] { "0.weight [6, 2, " + kernel + "]", "0.bias [6]" }, shapes.Tensors.Select(t => t.ToString()));
        Assert.Equal("Conv1D", Conv1D(1, 1).Kind);
    }

    [Fact]
    public void Conv1D_too_long_for_its_input_names_the_length()
    {
        var problem = OnlyError(Infer(FeatureShape.Sequence(2, 8), Conv1D(4, 10)));

        Assert.Equal((ShapeProblemKind.OutputTooSmall, "KernelWidth"), (problem.Kind, problem.Property));
        Assert.Equal("Conv1D (layer 0): the input length is 8, padded 8; the effective kernel length is 10 and the stride 1, so the output length would be -1", problem.Message);
    }

    [Theory]
    [InlineData("Max", 2, 2, 0, false, 16)]
    [InlineData("Average", 3, 2, 1, false, 16)]
    [InlineData("Min", 3, 2, 0, true, 16)]
    public void Pool1D_keeps_the_channels_and_pools_the_length(string reduction, int kernel, int stride, int padding, bool ceilMode, int expected)
    {
        var shapes = Infer(FeatureShape.Sequence(3, 32), Pool1D(System.Enum.Parse<Reduction>(reduction), kernel, stride, padding, ceilMode));

        Assert.False(shapes.HasErrors, string.Join("\n", shapes.Problems.Select(p => p.Message)));
        Assert.Equal(FeatureShape.Sequence(3, expected), shapes.Output);
        Assert.EndsWith("Pool1D", shapes.Graph.Nodes[0].Op.Kind);
    }

    [Fact]
    public void Flatten_turns_a_sequence_into_its_C_times_L_features()
    {
        Assert.Equal(FeatureShape.Vector(64), Infer(FeatureShape.Sequence(2, 32), new FlattenOp()).Output);
    }

    [Fact]
    public void A_2D_layer_refuses_a_sequence()
    {
        var problem = OnlyError(Infer(FeatureShape.Sequence(2, 32), new ConvolutionOp { Filters = 4, KernelHeight = 1, KernelWidth = 3 }));

        Assert.Equal(ShapeProblemKind.NeedsFeatureMap, problem.Kind);
        Assert.Equal("Conv2D (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 32]", problem.Message);
    }

    [Fact]
    public void A_1D_layer_refuses_a_map_and_a_vector()
    {
        var onMap = OnlyError(Infer(FeatureShape.Map(2, 4, 4), Conv1D(4, 3)));
        var onVector = OnlyError(Infer(FeatureShape.Map(2, 4, 4), new FlattenOp(), Pool1D(Reduction.Max, 2, 2)));

        Assert.Equal("Conv1D (layer 0) needs a channels x length sequence but InputShape produces the feature map [2, 4, 4]", onMap.Message);
        Assert.Equal("MaxPool1D (layer 1) needs a channels x length sequence but layer 0 produces a flat vector [32]", onVector.Message);
    }

    [Fact]
    public void A_channel_gate_of_a_sequence_is_one_factor_per_channel()
    {
        Assert.True(MultiplyOp.IsChannelGate(FeatureShape.Sequence(4, 16), FeatureShape.Sequence(4, 1)));
        Assert.False(MultiplyOp.IsChannelGate(FeatureShape.Sequence(4, 16), FeatureShape.Map(4, 1, 1)));
    }

    [Theory]
    // PyTorch's F.pad: reflect padding below the length, circular at most the length, replicate and zeros any
    [InlineData("reflect", 3, 0, true)]
    [InlineData("reflect", 0, 4, false)]
    [InlineData("circular", 4, 4, true)]
    [InlineData("circular", 5, 0, false)]
    [InlineData("replicate", 40, 9, true)]
    [InlineData("zeros", 40, 9, true)]
    public void A_padding_mode_allows_what_PyTorch_pads(string mode, int padLeft, int padRight, bool allowed)
    {
        var shapes = Infer(FeatureShape.Sequence(2, 4), Conv1D(3, 1, padLeft: padLeft, padRight: padRight) with { PaddingMode = mode });

        Assert.Equal(allowed, !shapes.HasErrors);
        if (allowed) Assert.Equal(FeatureShape.Sequence(3, 4 + padLeft + padRight), shapes.Output);
        else Assert.Equal((ShapeProblemKind.PaddingTooLargeForMode, padLeft > 0 ? "PadLeft" : "PadRight"), (OnlyError(shapes).Kind, OnlyError(shapes).Property));
    }

    [Fact]
    public void A_padding_mode_is_checked_on_the_length_the_layer_before_gives()
    {
        // 8 positions, then 3 after a stride-2 convolution: reflect may pad by 2 at most
        var shapes = Infer(FeatureShape.Sequence(2, 8), Conv1D(4, 3, stride: 2), Conv1D(3, 3, padLeft: 3) with { PaddingMode = "reflect" });

        Assert.Equal("Conv1D (layer 1): reflect padding of 3 on an input length of 3; PyTorch's reflect padding must be less than the input length (at most 2)", OnlyError(shapes).Message);
    }

    [Fact]
    public void An_unknown_padding_mode_is_invalid_and_names_the_four()
    {
        var shapes = Infer(FeatureShape.Sequence(2, 8), Conv1D(3, 3) with { PaddingMode = "constant" });

        Assert.Equal("Conv1D (layer 0): PaddingMode = \"constant\" is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"", OnlyError(shapes).Message);
    }

    [Fact]
    public void A_pad_op_pads_the_length_and_keeps_the_channels()
    {
        var shapes = Infer(FeatureShape.Sequence(2, 8), new PadOp(PadMode.Circular) { SpatialRank = 1, PadLeft = 8, PadRight = 1 });

        Assert.Equal((FeatureShape.Sequence(2, 17), "CircularPad1D"), (shapes.Output, shapes.Graph.Nodes[0].Op.Kind));
    }
}
