using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Planning;

/// <summary>
/// Grouped convolutions that no vector kernel takes run as one group, their kernel block-diagonal: which ones, and the
/// pass. The generated code's use of them is checked against the reference engine by UngroupedKernelDifferentialTests,
/// on every SIMD path.
/// </summary>
public class UngroupedKernelTests
{
    private static ConvolutionOp Conv(int filters, int kernel, int stride, int groups) => new()
    {
        Filters = filters, KernelHeight = kernel, KernelWidth = kernel, StrideHeight = stride, StrideWidth = stride,
        PadTop = kernel / 2, PadBottom = kernel / 2, PadLeft = kernel / 2, PadRight = kernel / 2, Groups = groups,
    };

    private static NetworkShapes Shapes(int channels, int size, params Op[] ops)
    {
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(channels, size, size), ops));
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return shapes;
    }

    private static UngroupedKernel? For(int channels, int size, ConvolutionOp conv) => UngroupedKernel.For(conv, Shapes(channels, size, conv).Layers[0]);

    [Theory]
    // strided, groups of 6, 5 and 3 filters: no 128-bit vector divides them, and the column kernel takes stride 1 only
    [InlineData(24, 32, 24, 3, 2, 4)]
    [InlineData(10, 32, 10, 3, 2, 2)]
    [InlineData(24, 40, 24, 3, 2, 8)]
    // 7 filters of 7 channels a group, a 5x5 kernel
    [InlineData(14, 20, 14, 5, 2, 2)]
    public void A_grouped_convolution_no_vector_kernel_takes_runs_as_one_group(int channels, int size, int filters, int kernel, int stride, int groups) =>
        Assert.Equal(new UngroupedKernel(groups), For(channels, size, Conv(filters, kernel, stride, groups)));

    [Theory]
    // groups of 8 and 4 filters: the channel kernel a group at a time on 256- and 128-bit vectors
    [InlineData(32, 32, 32, 3, 2, 4)]
    [InlineData(16, 32, 16, 3, 2, 4)]
    // stride 1: vectors across columns (Vector<float>'s where rows are narrower than 512-bit ones)
    [InlineData(24, 32, 24, 3, 1, 4)]
    [InlineData(24, 6, 24, 3, 1, 4)]
    // depthwise: its own kernel
    [InlineData(24, 32, 24, 3, 2, 24)]
    // more groups than MostGroups: as many times the products
    [InlineData(36, 32, 36, 3, 2, 12)]
    // one group
    [InlineData(24, 32, 24, 3, 2, 1)]
    public void A_convolution_a_kernel_takes_or_with_many_groups_keeps_them(int channels, int size, int filters, int kernel, int stride, int groups) =>
        Assert.Null(For(channels, size, Conv(filters, kernel, stride, groups)));

    [Fact]
    public void A_kernel_past_its_bound_keeps_its_groups()
    {
        // 1,032 filters of 1,032 channels by 3x3, as one group: past MostKernelFloats
        Assert.True(1032L * 1032 * 9 > UngroupedKernel.MostKernelFloats);
        Assert.Null(For(1032, 8, Conv(1032, 3, 2, 8)));
    }

    [Fact]
    public void The_pass_gives_the_convolution_one_group_and_a_kernel_of_every_input_channel()
    {
        var shapes = Shapes(24, 32, Conv(24, 3, 2, 4), new ActivationOp(Activation.ReLU), Conv(24, 3, 2, 24));

        var steps = Passes.UngroupNarrowGroups(Passes.CropPaddingTaps(Passes.Canonicalize(shapes)));

        var grouped = (ConvolutionOp)steps[0].Op;
        Assert.Equal((1, 24, 3, 2), (grouped.Groups, grouped.Filters, grouped.KernelHeight, grouped.StrideHeight));
        Assert.Equal(new UngroupedKernel(4), steps[0].Ungrouped);
        Assert.True(steps[0].DerivesKernel);
        Assert.Equal(24 * 24 * 9, Passes.DerivedLength(steps[0]));
        // the depthwise convolution keeps its groups and reads its weight as it is
        Assert.Equal(24, ((ConvolutionOp)steps[2].Op).Groups);
        Assert.Null(steps[2].Ungrouped);
        Assert.Equal(0, Passes.DerivedLength(steps[2]));
    }
}
