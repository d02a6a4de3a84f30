using System.Linq;
using CnnGen.Generator;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Planning;

/// <summary>
/// The channel kernel's register tile for strided kernels wider than their stride: a kernel row's taps split into
/// stride phases that read disjoint input columns, and the tile leaves registers for one phase's weights.
/// </summary>
public class ChannelTileTests
{
    [Theory]
    [InlineData(7, 2, 1, "0 2 4 6|1 3 5")] // a ResNet's stem
    [InlineData(3, 2, 1, "0 2|1")]
    [InlineData(9, 3, 1, "0 3 6|1 4 7|2 5 8")]
    [InlineData(5, 2, 3, "0 2 4|1 3")] // an odd dilation keeps the phases apart
    [InlineData(5, 2, 2, "0 1 2 3 4")] // an even one puts every tap on even columns
    [InlineData(3, 1, 1, "0 1 2")] // stride 1: every tap shares columns with its neighbours
    [InlineData(1, 2, 1, "0")]
    [InlineData(2, 4, 1, "0|1")]
    public void A_kernel_rows_taps_split_into_stride_phases(int kernel, int stride, int dilation, string expected)
    {
        var op = new ConvolutionOp { Filters = 16, KernelHeight = kernel, KernelWidth = kernel, StrideHeight = stride, StrideWidth = stride, DilationHeight = dilation, DilationWidth = dilation };
        string phases = string.Join("|", ChannelTile.TapPhases(op).Select(phase => string.Join(" ", phase)));
        Assert.Equal(expected, phases);
    }

    [Theory]
    [InlineData(64, 96, 48, 7, 2, 3)] // resnet18's stem on 96 x 96: 4 weights x 2 vectors beside the accumulators
    [InlineData(32, 64, 32, 7, 2, 3)]
    [InlineData(48, 30, 12, 5, 2, 2)]
    [InlineData(64, 40, 20, 3, 2, 1)]
    public void A_strided_tile_leaves_registers_for_a_phases_weights(int filters, int size, int outSize, int kernel, int stride, int padding)
    {
        var op = new ConvolutionOp
        {
            Filters = filters, KernelHeight = kernel, KernelWidth = kernel, StrideHeight = stride, StrideWidth = stride,
            PadTop = padding, PadBottom = padding, PadLeft = padding, PadRight = padding,
        };
        var shapes = new LayerShapes(FeatureShape.Map(3, size, size), FeatureShape.Map(filters, outSize, outSize), default);
        var plan = new ConvolutionPlan(op, shapes, 0, -1);
        var tile = ChannelTile.For(plan, SimdFlavor.Wide);
        int phaseWeights = ChannelTile.TapPhases(op).Max(phase => phase.Count) * tile.Vectors;
        int accumulators = tile.Rows * tile.Pixels * tile.Vectors;
        Assert.True(accumulators + phaseWeights + 1 <= SimdFlavor.Wide.Registers, $"{tile}: {accumulators} accumulators and {phaseWeights} weights");
        Assert.True(accumulators >= 16, $"{tile}: {accumulators} accumulators keep too few multiply-adds in flight");
    }

    [Theory]
    // a ResNet-50's 4 x 4 stage: 1024 to 512 filters (2 MB), a 3x3 convolution of 256 to 256 (2.4 MB), a 2,048-channel
    // projection's 256 filters (2 MB): weights that stream from memory take both vectors of the 32-filter block a pass
    [InlineData(1024, 512, 1, 4, "Rows = 2, Pixels = 4, Vectors = 2")]
    [InlineData(256, 256, 3, 4, "Rows = 2, Pixels = 4, Vectors = 2")]
    [InlineData(2048, 256, 1, 4, "Rows = 2, Pixels = 4, Vectors = 2")]
    // 448 to 112 filters at 4 x 4 (200 KB, from L2): the whole map by one vector reads each weight once
    [InlineData(448, 112, 1, 4, "Rows = 4, Pixels = 4, Vectors = 1")]
    public void A_small_maps_tile_takes_whole_filter_blocks_where_its_weights_stream(int channels, int filters, int kernel, int size, string expected)
    {
        var op = new ConvolutionOp { Filters = filters, KernelHeight = kernel, KernelWidth = kernel, PadTop = kernel / 2, PadBottom = kernel / 2, PadLeft = kernel / 2, PadRight = kernel / 2 };
        var shapes = new LayerShapes(FeatureShape.Map(channels, size, size), FeatureShape.Map(filters, size, size), default);
        var plan = new ConvolutionPlan(op, shapes, 0, -1);

        Assert.Equal("ChannelTile { " + expected + " }", ChannelTile.For(plan, SimdFlavor.Wide).ToString());
    }
}
