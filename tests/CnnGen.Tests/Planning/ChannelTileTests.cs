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
    // a ResNet-50's 4 x 4 stage: a 3x3 convolution of 256 to 256 (2.4 MB), 512 to 2,048 filters (4 MB): weights that
    // stream onto a map whose whole input L1 holds take one vector of filters over the whole map, the copy in blocks
    // of that vector, so that each weight comes once and each pass reads whole lines (StreamsOneVectorOverMap)
    [InlineData(256, 256, 3, 4, 1, "Rows = 4, Pixels = 4, Vectors = 1")]
    [InlineData(512, 2048, 1, 4, 1, "Rows = 4, Pixels = 4, Vectors = 1")]
    // 1024 to 512 filters (2 MB) and a 2,048-channel projection's 256 (2 MB): an input past L1 (64 and 128 KB), which
    // every block's pass reads again, takes the usual blocks of two vectors, half the passes
    [InlineData(1024, 512, 1, 4, 1, "Rows = 2, Pixels = 4, Vectors = 2")]
    [InlineData(2048, 256, 1, 4, 1, "Rows = 2, Pixels = 4, Vectors = 2")]
    // a ResNet-34's last stage on 96 x 96 (3 x 3, 9.4 MB); past 24 pixels (5 x 5) the usual blocks of two vectors
    [InlineData(512, 512, 3, 3, 1, "Rows = 3, Pixels = 3, Vectors = 1")]
    [InlineData(512, 512, 3, 5, 1, "Rows = 1, Pixels = 5, Vectors = 2")]
    // strided, both vectors of the 32-filter block a pass: the 3x3 stride-2 convolution into that stage (2.4 MB), the
    // shortcut's 1x1 (2 MB)
    [InlineData(256, 256, 3, 4, 2, "Rows = 2, Pixels = 4, Vectors = 2")]
    [InlineData(512, 1024, 1, 4, 2, "Rows = 2, Pixels = 4, Vectors = 2")]
    // a 2 x 2 map keeps two vectors: 32 filters from 2,560 channels (320 KB) in 8 accumulators, where one would hold 4
    [InlineData(2560, 32, 1, 2, 1, "Rows = 2, Pixels = 2, Vectors = 2")]
    // 448 to 112 filters at 4 x 4 (200 KB, from L2): the whole map by one vector reads each weight once
    [InlineData(448, 112, 1, 4, 1, "Rows = 4, Pixels = 4, Vectors = 1")]
    public void A_small_map_whose_weights_stream_takes_one_vector_over_it_at_stride_1_and_whole_blocks_strided(int channels, int filters, int kernel, int size, int stride, string expected) =>
        Assert.Equal("ChannelTile { " + expected + " }", ChannelTile.For(PaddedPlan(channels, filters, kernel, stride, size, size), SimdFlavor.Wide).ToString());

    [Theory]
    // MobileNetV2 at 224 x 224: rows of 112 and 56 in tiles of 8, none computed twice (tiles of 12 computed 120 and 60)
    [InlineData(112, 2, 8)]
    [InlineData(56, 2, 8)]
    [InlineData(64, 2, 8)]
    [InlineData(32, 2, 8)]
    [InlineData(100, 2, 10)]
    // rows that tiles of 12 divide, or of 7 evened out, keep them
    [InlineData(48, 2, 12)]
    [InlineData(24, 2, 12)]
    [InlineData(14, 2, 7)]
    [InlineData(7, 2, 7)]
    // a row of 28: tiles of 7 would divide it, but hold too few accumulators (under two thirds of 12); 3 of 10
    [InlineData(28, 2, 10)]
    [InlineData(112, 3, 8)]
    public void A_rows_tiles_compute_the_fewest_columns_twice(int width, int vectors, int pixels)
    {
        var plan = PointwisePlan(width);
        Assert.Equal(pixels, ChannelTile.Of(plan, SimdFlavor.Wide, vectors, pooled: false).Pixels);
    }

    [Fact]
    public void No_row_computes_more_columns_than_evened_tiles_would()
    {
        for (int width = 1; width <= 300; width++)
            for (int vectors = 1; vectors <= 3; vectors++)
            {
                int most = System.Math.Min(12, SimdFlavor.Wide.Accumulators / vectors);
                int evenedTiles = (width + most - 1) / most, evened = (width + evenedTiles - 1) / evenedTiles;
                int pixels = ChannelTile.Of(PointwisePlan(width), SimdFlavor.Wide, vectors, pooled: false).Pixels;
                int Columns(int p) => (width + p - 1) / p * p;
                Assert.True(pixels <= System.Math.Min(most, width), $"width {width}, {vectors} vectors: {pixels} pixels");
                Assert.True(Columns(pixels) <= Columns(evened), $"width {width}, {vectors} vectors: {pixels} pixels compute {Columns(pixels)} columns, {evened} {Columns(evened)}");
                Assert.True(pixels == evened || pixels * 3 >= most * 2, $"width {width}, {vectors} vectors: {pixels} pixels");
            }
    }

    [Theory]
    // rows of 8 or more: 2 vectors of 4 pixels, or 1 of 8 where there are fewer than 16 filters, as always
    [InlineData(64, 64, 3, 16, 16, "Rows = 1, Pixels = 4, Vectors = 2")]
    [InlineData(64, 8, 3, 16, 16, "Rows = 1, Pixels = 8, Vectors = 1")]
    // a ResNet-18's last stage on 99 x 131 (4 x 5, 9.4 MB): whole rows of 5, not two tiles of 4 a row (32 pixels
    // computed for 20)
    [InlineData(512, 512, 3, 4, 5, "Rows = 1, Pixels = 5, Vectors = 2")]
    // rows of 2 x 2 maps (8 accumulators where a row held 4), of 4 x 4 maps by one vector
    [InlineData(512, 256, 1, 2, 2, "Rows = 2, Pixels = 2, Vectors = 2")]
    [InlineData(64, 8, 1, 4, 4, "Rows = 2, Pixels = 4, Vectors = 1")]
    // rows of 7 take 4 pixels twice (8 columns), not 5 and an overlapping 5 (10)
    [InlineData(64, 64, 3, 7, 7, "Rows = 1, Pixels = 4, Vectors = 2")]
    // one pixel (a ResNet-50's last stage): 8 vectors where the filters are a whole number of 64 (1,280 too, whose
    // 512-bit copy is in blocks of 160: the kernel keeps blocks of its own), 4 where they are of 32, else 2
    [InlineData(512, 1024, 1, 1, 1, "Rows = 1, Pixels = 1, Vectors = 8")]
    [InlineData(320, 1280, 1, 1, 1, "Rows = 1, Pixels = 1, Vectors = 8")]
    [InlineData(2560, 32, 1, 1, 1, "Rows = 1, Pixels = 1, Vectors = 4")]
    [InlineData(2560, 48, 1, 1, 1, "Rows = 1, Pixels = 1, Vectors = 2")]
    // two pixels: 4 vectors (1,024 to 512 filters)
    [InlineData(1024, 512, 1, 1, 2, "Rows = 1, Pixels = 2, Vectors = 4")]
    public void Vector_of_float_tiles_fill_AVX2_s_registers_without_computing_pixels_twice(int channels, int filters, int kernel, int height, int width, string expected)
    {
        var tile = ChannelTile.For(PaddedPlan(channels, filters, kernel, 1, height, width), SimdFlavor.Portable);

        Assert.Equal("ChannelTile { " + expected + " }", tile.ToString());
        // of AVX2's 16 registers, at most 10 accumulators: the rest for the broadcast and the weights (which a multiply-add
        // may also take from memory)
        Assert.True(tile.Rows * tile.Pixels * tile.Vectors <= 10, tile.ToString());
    }

    /// <summary>
    /// The Vector&lt;float&gt; channel kernel's weight copy is in blocks of its own passes at AVX2's 8 lanes where those
    /// divide a group's filters, so that a pass reads its rows whole and in order (the copy is written in the 512-bit
    /// kernel's blocks where that one runs); else (0) it reads the 512-bit kernel's blocks, as a kernel other than the
    /// channel kernel reads none.
    /// </summary>
    [Theory]
    // a bottleneck ResNet's last stage on 2 x 2: 2 vectors a pass, where the 512-bit kernel takes blocks of 4 of its own
    [InlineData(1024, 2048, 1, 1, 2, 2, 1, 16, 64)]
    [InlineData(512, 512, 3, 1, 2, 2, 1, 16, 64)]
    // one pixel: 8 vectors a pass (1,280 filters in 512-bit blocks of 160), 4 (32 filters: the same block as the 512-bit kernel's)
    [InlineData(320, 1280, 1, 1, 1, 1, 1, 64, 160)]
    [InlineData(2560, 32, 1, 1, 1, 1, 1, 32, 32)]
    // 2 x 4 pixels of 4 x 4 by 2 vectors at stride 2
    [InlineData(256, 512, 3, 2, 4, 4, 1, 16, 32)]
    // groups of 16 filters: a vector a pass, in blocks of 8 within each group's 16
    [InlineData(64, 64, 3, 1, 3, 3, 4, 8, 16)]
    // 24 filters are no whole number of 2 vectors: the kernel reads the 512-bit copy's one block (its last pass overlapping)
    [InlineData(32, 24, 3, 1, 3, 3, 1, 0, 24)]
    // 64-pixel rows at stride 1 take the column kernel, which reads no copy
    [InlineData(16, 32, 3, 1, 64, 64, 1, 0, 32)]
    public void Vector_of_float_channel_kernels_keep_weight_blocks_of_their_own_passes(int channels, int filters, int kernel, int stride, int height, int width, int groups, int portable, int wide)
    {
        var plan = PaddedPlan(channels, filters, kernel, stride, height, width, groups);

        Assert.Equal(wide, NetworkEmitter.PermutedBlock(plan));
        Assert.Equal(portable, NetworkEmitter.PortablePermutedBlock(plan));
        if (portable == 0) return;
        // a block is one pass at 8 lanes (two at 4), and a whole number of blocks make a group's filters
        Assert.Equal(ChannelTile.For(plan, SimdFlavor.Portable).Vectors * 8, portable);
        Assert.Equal(0, filters / groups % portable);
    }

    /// <summary>A square kernel padded by half its size at <paramref name="stride"/>, onto a map of <paramref name="height"/> x <paramref name="width"/>.</summary>
    private static ConvolutionPlan PaddedPlan(int channels, int filters, int kernel, int stride, int height, int width, int groups = 1)
    {
        var op = new ConvolutionOp
        {
            Filters = filters, KernelHeight = kernel, KernelWidth = kernel, StrideHeight = stride, StrideWidth = stride,
            PadTop = kernel / 2, PadBottom = kernel / 2, PadLeft = kernel / 2, PadRight = kernel / 2, Groups = groups,
        };
        var shapes = new LayerShapes(FeatureShape.Map(channels, height * stride, width * stride), FeatureShape.Map(filters, height, width), default);
        return new ConvolutionPlan(op, shapes, 0, -1);
    }

    private static ConvolutionPlan PointwisePlan(int width)
    {
        var op = new ConvolutionOp { Filters = 96, KernelHeight = 1, KernelWidth = 1 };
        return new ConvolutionPlan(op, new LayerShapes(FeatureShape.Map(16, 8, width), FeatureShape.Map(96, 8, width), default), 0, -1);
    }
}
