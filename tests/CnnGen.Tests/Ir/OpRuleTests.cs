using System.Linq;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Ir;

/// <summary>Each op's own rule: output shape, state tensors in state_dict order, and what it rejects.</summary>
public class OpRuleTests
{
    private static NetworkShapes Infer(FeatureShape input, params Op[] ops) => ShapeInference.Infer(NetworkGraph.Chain(input, ops));

    private static ShapeProblem OnlyError(NetworkShapes shapes) => Assert.Single(shapes.Problems, p => !p.IsWarning);

    [Fact]
    public void BatchNorm_owns_weight_bias_then_its_running_statistics_as_buffers()
    {
        var shapes = Infer(FeatureShape.Map(3, 4, 4), new BatchNormOp());

        Assert.Equal(new[] { ("0.weight", 0, false), ("0.bias", 3, false), ("0.running_mean", 6, true), ("0.running_var", 9, true) },
            shapes.Tensors.Select(t => (t.Name, t.Offset, t.IsBuffer)));
        Assert.Equal(12, shapes.ParameterCount);
    }

    [Fact]
    public void BatchNorm_without_Affine_owns_only_buffers()
    {
        var shapes = Infer(FeatureShape.Map(3, 4, 4), new BatchNormOp { Affine = false });

        Assert.Equal(new[] { "0.running_mean", "0.running_var" }, shapes.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void BatchNorm_Channels_must_be_the_input_channels()
    {
        var problem = OnlyError(Infer(FeatureShape.Map(3, 4, 4), new BatchNormOp { Channels = 4 }));

        Assert.Equal(ShapeProblemKind.ChannelsMismatch, problem.Kind);
        Assert.Equal("Channels", problem.Property);
        Assert.Equal("BatchNorm2D (layer 0) declares Channels = 4 but InputShape produces 3 channels", problem.Message);
    }

    [Fact]
    public void BatchNorm2D_needs_a_feature_map()
    {
        var problem = OnlyError(Infer(FeatureShape.Map(3, 4, 4), new FlattenOp(), new BatchNormOp()));

        Assert.Equal(ShapeProblemKind.NeedsFeatureMap, problem.Kind);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(8, true)]
    [InlineData(4, false)]
    public void PReLU_has_one_weight_or_one_per_channel(int parameters, bool valid)
    {
        var shapes = Infer(FeatureShape.Map(8, 2, 2), new PReLUOp(parameters));

        Assert.Equal(!valid, shapes.HasErrors);
        if (valid) Assert.Equal(parameters, shapes.ParameterCount);
        else Assert.Equal(ShapeProblemKind.PReLUParametersMismatch, OnlyError(shapes).Kind);
    }

    [Fact]
    public void PReLU_on_a_vector_counts_its_features_as_channels()
    {
        var shapes = Infer(FeatureShape.Map(2, 3, 3), new FlattenOp(), new PReLUOp(18));

        Assert.False(shapes.HasErrors);
    }

    [Theory]
    [InlineData(8, 3, new[] { 0, 2, 5 }, new[] { 3, 6, 8 })]   // windows of 3, 4 and 3 rows, overlapping
    [InlineData(3, 5, new[] { 0, 0, 1, 1, 2 }, new[] { 1, 2, 2, 3, 3 })] // more outputs than inputs: rows repeat
    [InlineData(6, 3, new[] { 0, 2, 4 }, new[] { 2, 4, 6 })]
    public void AdaptivePool_bins_start_at_the_floor_and_end_at_the_ceiling(int input, int output, int[] starts, int[] ends)
    {
        var bins = Enumerable.Range(0, output).Select(i => AdaptivePoolOp.Bin(i, input, output)).ToArray();

        Assert.Equal(starts, bins.Select(b => b.Start));
        Assert.Equal(ends, bins.Select(b => b.End));
    }

    [Fact]
    public void Global_and_adaptive_pools_shape_the_map()
    {
        var shapes = Infer(FeatureShape.Map(4, 7, 9), new AdaptivePoolOp(Reduction.Average, 3, 11), new GlobalPoolOp(Reduction.Max));

        Assert.Equal(FeatureShape.Map(4, 3, 11), shapes.Layers[0].Output);
        Assert.Equal(FeatureShape.Map(4, 1, 1), shapes.Output);
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Dropout_P_lies_within_0_and_1(float p)
    {
        var problem = OnlyError(Infer(FeatureShape.Map(1, 2, 2), new DropoutOp(p)));

        Assert.Equal(("P", ShapeProblemKind.InvalidValue), (problem.Property, problem.Kind));
    }

    [Fact]
    public void Activation_arguments_are_checked_where_PyTorch_checks_them()
    {
        var input = FeatureShape.Map(1, 2, 2);
        Assert.Equal("Max", OnlyError(Infer(input, new ActivationOp(Activation.Hardtanh) { Min = 1f, Max = 1f })).Property);
        Assert.Equal("Beta", OnlyError(Infer(input, new ActivationOp(Activation.Softplus) { Beta = 0f })).Property);
        Assert.Equal("Approximate", OnlyError(Infer(input, new ActivationOp(Activation.GELU) { Approximate = "fast" })).Property);
        Assert.False(Infer(input, new ActivationOp(Activation.GELU) { Approximate = "tanh" }).HasErrors);
    }

    [Fact]
    public void Views_count_in_the_positions_that_key_the_tensors()
    {
        var shapes = Infer(FeatureShape.Map(1, 4, 4), new DropoutOp(0.5f), new IdentityOp(), new FlattenOp(), new DenseOp(2));

        Assert.Equal(new[] { "3.weight", "3.bias" }, shapes.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void A_Name_keys_the_tensors_instead_of_the_position()
    {
        var shapes = Infer(FeatureShape.Map(1, 4, 4), new FlattenOp(), new DenseOp(2) { Name = "head" });

        Assert.Equal(new[] { "head.weight", "head.bias" }, shapes.Tensors.Select(t => t.Name));
    }

    /// <summary>
    /// Every offset generated code forms lies within the padded input, so it must fit the element limit:
    /// a huge dilation with as much padding once made the emitter's int arithmetic wrap (wrong outputs).
    /// </summary>
    [Theory]
    [InlineData(1 << 30, 1 << 30, 1)]
    [InlineData(1, int.MaxValue / 2, 1)]
    public void A_convolution_whose_padded_input_exceeds_the_limit_is_too_large(int dilation, int pad, int kernelWidth)
    {
        var conv = new ConvolutionOp { Filters = 16, KernelHeight = 2, KernelWidth = kernelWidth, DilationHeight = dilation, PadTop = pad };

        var problem = OnlyError(Infer(FeatureShape.Map(1, 8, 8), conv));

        Assert.Equal(ShapeProblemKind.TooLarge, problem.Kind);
        Assert.Contains("the padded input", problem.Message);
    }

    [Fact]
    public void A_pool_whose_window_reaches_beyond_the_limit_is_too_large()
    {
        var pool = new PoolOp(Reduction.Max) { KernelHeight = 1 << 30, KernelWidth = 1, StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1 << 29 };

        Assert.Equal(ShapeProblemKind.TooLarge, OnlyError(Infer(FeatureShape.Map(1, 4, 4), pool)).Kind);
    }
}
