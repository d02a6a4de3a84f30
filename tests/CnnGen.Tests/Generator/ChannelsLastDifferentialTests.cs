using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Between convolutions whose vectors run across channels, values are kept channels-last (a pixel's channels side by
/// side): strided and small-map convolutions store a vector per pixel, depthwise convolutions load one per tap, sums
/// and global pools read that order, and every other reader gets PyTorch's. Each network here takes those paths
/// (the test checks the generated source names them) and must compute what the reference engine does, on every
/// SIMD path CI runs (the class name is in its filter): channel counts that are not a multiple of the lanes (the
/// last vector overlapping the one before), strides, dilations, asymmetric padding, 1D, and a depthwise
/// convolution writing PyTorch's layout for a reader that needs it.
/// </summary>
public class ChannelsLastDifferentialTests
{
    private const string Blocks = """
        [Block]
        [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)]
        [BatchNorm2D]
        [ReLU6]
        [Conv2D(Filters = 32, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        public partial class InvertedBody { }

        [Block]
        [Conv2D(Filters = 72, Kernel = 1)]
        [ReLU6]
        [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)]
        [ReLU6]
        [Conv2D(Filters = 24, Kernel = 1)]
        public partial class ExpandBody { }

        [Block]
        [Conv2D(Filters = 24, Kernel = 1, Stride = 2)]
        public partial class Projection { }

        [Block]
        [Conv2D(Filters = 80, Kernel = 1)]
        [ReLU]
        [Conv2D(Filters = 80, Kernel = 1, Bias = false)]
        public partial class EightyBody { }

        [Block]
        [Conv2D(Filters = 16, Kernel = 1)]
        [ReLU6]
        [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16)]
        [Conv2D(Filters = 8, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        public partial class NarrowBody { }

        [Block]
        [Conv2D(Filters = 40, Kernel = 3, Stride = 2, Padding = 1)]
        [ReLU]
        [Conv2D(Filters = 40, Kernel = 1)]
        public partial class StridedBody { }

        [Block]
        [Conv2D(Filters = 40, Kernel = 1, Stride = 2)]
        public partial class StridedProjection { }

        [Block]
        [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)]
        [ReLU]
        [Conv2D(Filters = 24, Kernel = 3, Padding = 1)]
        public partial class DownBody { }

        [Block]
        [Conv2D(Filters = 64, Kernel = 1)]
        [ReLU]
        [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 4)]
        public partial class GroupedBody { }

        [Block]
        [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2D]
        public partial class StreamedOneVectorBody { }

        [Block]
        [MaxPool2D(Kernel = 2)]
        [Conv2D(Filters = 32, Kernel = 3, Padding = 1)]
        [BatchNorm2D]
        [ReLU]
        [ConvTranspose2D(Filters = 16, Kernel = 2, Stride = 2)]
        public partial class UpLevel { }

        [Block]
        [GlobalAvgPool2D]
        [Conv2D(Filters = 24, Kernel = 1)]
        [ReLU]
        [Conv2D(Filters = 72, Kernel = 1)]
        [Hardsigmoid]
        public partial class Excite72 { }

        [Block]
        [GlobalAvgPool2D]
        [Conv2D(Filters = 8, Kernel = 1)]
        [ReLU]
        [Conv2D(Filters = 22, Kernel = 1)]
        [Sigmoid]
        public partial class Excite22 { }

        [Block]
        [Conv2D(Filters = 40, Kernel = 1)]
        [Sigmoid]
        public partial class Attention40 { }

        [Block]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 20, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 20, Kernel = 3, Padding = 1, Bias = false)]
        public partial class PreActBody { }

        [Block]
        [Conv2D(Filters = 36, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 36, Kernel = 3, Padding = 1, Bias = false)]
        public partial class PreActDown { }

        [Block]
        [Conv2D(Filters = 36, Kernel = 1, Stride = 2, Bias = false)]
        public partial class PreActShortcut { }
        """;

    /// <summary>(class name, attributes, what the generated source must have: the path the network is there to take).</summary>
    public static TheoryData<string, string, string> Networks() => new()
    {
        // a strided stem writing channels-last, a depthwise 3x3, a pointwise of 40 filters (16 + 16 + 8), a global mean
        { "Strided", "[InputShape(3, 17, 17)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [BatchNorm2D] [ReLU6] [Conv2D(Filters = 24, Kernel = 3, Padding = 1, Groups = 24)] [ReLU] [Conv2D(Filters = 40, Kernel = 1)] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 5)]", "Depthwise512(" },
        // a 5x5 stride-2 depthwise between pointwise convolutions, a global max
        { "Depthwise5", "[InputShape(32, 12, 12)] [Conv2D(Filters = 32, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 5, Stride = 2, Padding = 2, Groups = 32)] [Hardswish] [Conv2D(Filters = 17, Kernel = 1)] [GlobalMaxPool2D]", "Depthwise512(" },
        // inverted residuals: the sums read and write channels-last, the ReLU after one applied as it stores
        { "Inverted", "[InputShape(8, 18, 18)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1)] [ReLU6] [Residual(typeof(InvertedBody))] [ReLU] [Residual(typeof(InvertedBody))] [Conv2D(Filters = 20, Kernel = 3, Padding = 2, Dilation = 2)] [MaxPool2D(Kernel = 2)]", "Depthwise512(" },
        // an expansion to 72 and back to 24 (not a multiple of the lanes), a strided shortcut
        { "Expand", "[InputShape(16, 14, 14)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [Residual(typeof(ExpandBody))] [Residual(typeof(DownBody), Shortcut = typeof(Projection))] [ReLU] [GlobalAvgPool2D]", "Depthwise512(" },
        // Residual sums in the store of the pointwise convolution that ends their bodies: 24 filters (the second vector
        // overlapping the first, its lanes stored twice, each time sum plus shortcut), then a ReLU after the sum applied
        // after the shortcut is added
        { "ShortcutInStore", "[InputShape(16, 9, 9)] [Conv2D(Filters = 24, Kernel = 3, Padding = 1)] [Residual(typeof(ExpandBody))] [ReLU] [Residual(typeof(ExpandBody))] [GlobalAvgPool2D]", "Adds the shortcut of the Residual of layer" },
        // 8 filters (256-bit vectors) with a folded BatchNorm adding the shortcut; a strided body whose projection
        // shortcut (a 1x1 convolution of stride 2, written after the body) moves before the body's last convolution
        { "ShortcutNarrow", "[InputShape(3, 10, 10)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)] [Residual(typeof(NarrowBody))] [Residual(typeof(NarrowBody))] [Conv2D(Filters = 24, Kernel = 1)] [Residual(typeof(StridedBody), Shortcut = typeof(StridedProjection))] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 3)]", "Adds the shortcut of the Residual of layer 18" },
        // a depthwise convolution whose reader (a max pool) needs PyTorch's layout: it stores a lane at a time
        { "DepthwiseToPool", "[InputShape(4, 40, 40)] [Conv2D(Filters = 48, Kernel = 3, Stride = 2)] [Conv2D(Filters = 48, KernelHeight = 3, KernelWidth = 7, PadTop = 2, PadBottom = 0, PadLeft = 3, PadRight = 1, DilationWidth = 3, Stride = 1, Groups = 48)] [Sigmoid] [MaxPool2D(Kernel = 2, CeilMode = true)]", "Depthwise512(" },
        // wider than a tile: the depthwise tile's last pixels overlap, and a strided depthwise of stride 3
        { "WideRows", "[InputShape(16, 30, 30)] [Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16)] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Stride = 3, Groups = 16)] [Conv2D(Filters = 33, Kernel = 1)] [GlobalAvgPool2D]", "Depthwise512(" },
        // a channels-last value that a Flatten and a Dense read stays in PyTorch's layout
        { "ToDense", "[InputShape(3, 9, 9)] [Conv2D(Filters = 16, Kernel = 3, Stride = 2)] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16)] [Flatten] [Dense(Outputs = 7)]", "Channels512(" },
        // a pointwise convolution on 32-wide rows would run across columns; its reader, a strided depthwise convolution,
        // has no vector kernel in PyTorch's layout, so the pointwise one switches to the channel kernel and writes channels-last
        { "Switched", "[InputShape(8, 32, 32)] [Conv2D(Filters = 24, Kernel = 1)] [ReLU6] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 24)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", "Depthwise512(" },
        // windowed pools of channels-last maps: a padded ceil-mode max pool writing channels-last for a depthwise
        // convolution, a padded ceil-mode average pool (PyTorch's divisor at the border) after it
        { "Pools", "[InputShape(3, 20, 20)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)] [Conv2D(Filters = 24, Kernel = 3, Padding = 1, Groups = 24)] [AvgPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", "Depthwise512(" },
        // M5's shape: a wide strided Conv1D writing channels-last for a max pool, whose reader reads it too; the last
        // pool writes PyTorch's layout, the network's output
        { "Pools1D", "[InputShape(1, 400)] [Conv1D(Filters = 32, Kernel = 20, Stride = 4)] [BatchNorm1D] [ReLU] [MaxPool1D(Kernel = 4)] [Conv1D(Filters = 32, Kernel = 3)] [ReLU] [AvgPool1D(Kernel = 2)]", "Reads its input channels-last (a pixel's channels side by side) and writes its output in PyTorch's layout" },
        // Winograd's F(2x2, 3x3) between channels-last values: padded and not, 32 and 48 filters (two and three vectors),
        // a folded BatchNorm's bias, a ReLU as it stores, a 6x6 output from an unpadded input
        { "Winograd", "[InputShape(16, 16, 16)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 48, Kernel = 3, Padding = 1, Bias = false)] [Conv2D(Filters = 16, Kernel = 3)] [ReLU] [GlobalAvgPool2D]", "Winograd512(" },
        // Winograd on filters past a whole number of vectors: 24 as one block of two vectors (at 0 and 8) in F(4x4), 40
        // in vectors at 0, 16 and 24 with a fused pool, 20 in F(2x2), 36 from an unpadded 8 x 8 stored for the Flatten
        { "WinogradPartialVectors", "[InputShape(8, 16, 16)] [Conv2D(Filters = 16, Kernel = 1)] [ReLU] [Conv2D(Filters = 24, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 40, Kernel = 3, Padding = 1)] [BatchNorm2D] [ReLU] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1)] [Conv2D(Filters = 36, Kernel = 3)] [Flatten] [Dense(Outputs = 3)]", "int f = global::System.Math.Min(block, 40 - 16);" },
        // a Winograd convolution whose reader needs PyTorch's layout: it stores a lane at a time, through a Tanh
        { "WinogradToDense", "[InputShape(3, 12, 12)] [Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [Tanh] [Flatten] [Dense(Outputs = 4)]", "Winograd512(" },
        // fused 2x2 max pools: the channel kernel pooling its tile into a channels-last map, Winograd's tiles as the
        // windows (channels-last, and a lane at a time for the Flatten), after a ReLU and before a Hardswish
        { "WinogradPool", "[InputShape(3, 32, 32)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [Hardswish] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 10)]", "each 2x2 block of a tile's outputs is one window" },
        // fewer filters than a 512-bit vector: 256-bit vectors of 8 and of 12 (the second block overlapping the
        // first), a strided stem of 8, a narrow projection read by a sum and by a depthwise convolution
        { "Narrow", "[InputShape(3, 18, 18)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16)] [ReLU6] [Conv2D(Filters = 12, Kernel = 1, Bias = false)] [Conv2D(Filters = 24, Kernel = 1)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 24)] [Conv2D(Filters = 8, Kernel = 1)] [GlobalAvgPool2D]", "Channels256(" },
        // 128-bit vectors of 4 to 7 filters, a narrow convolution writing PyTorch's layout for the network's output
        { "Quarter", "[InputShape(5, 13, 11)] [Conv2D(Filters = 6, Kernel = 3, Stride = 2, Padding = 1)] [SiLU] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 2)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16)] [Conv2D(Filters = 4, Kernel = 1)]", "Channels128(" },
        // blocks of filter vectors wider than the filters: 24 as two 512-bit vectors, the second overlapping the first
        // (its input is the network's, in PyTorch's layout: no channel pairs side by side), 20 at 0 and 4 (stored in
        // PyTorch's layout for the Flatten); 40 as five vectors of channel pairs
        { "FilterVectors", "[InputShape(16, 10, 10)] [Conv2D(Filters = 24, Kernel = 1)] [ReLU6] [Conv2D(Filters = 24, Kernel = 3, Padding = 1, Groups = 24)] [Conv2D(Filters = 40, Kernel = 1)] [ReLU] [Conv2D(Filters = 20, Kernel = 1)] [Flatten] [Dense(Outputs = 3)]", "filters 0 to 39 two input channels at a time" },
        // 112 filters in blocks of two vectors (at 0, 32 and 64), then the last vector as a block of its own (at 96)
        { "BlocksThenOneVector", "[InputShape(16, 7, 9)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 112, Kernel = 1)] [ReLU] [Conv2D(Filters = 112, Kernel = 3, Padding = 1, Groups = 112)] [Conv2D(Filters = 20, Kernel = 1)] [GlobalAvgPool2D]", "x 2 vector(s) of filters in registers, then filters 96 to 111 as" },
        // blocks of two vectors, then a narrower block: 80 filters (the last vector at 64) expanding, then adding a
        // Residual's shortcut as they store; 100 through a dilated window (the last vector at 84, overlapping the one
        // before); 80 onto a 3 x 3 map stored in PyTorch's layout for the Flatten
        { "NarrowerBlock", "[InputShape(16, 6, 6)] [Conv2D(Filters = 80, Kernel = 1)] [ReLU6] [Residual(typeof(EightyBody))] [Conv2D(Filters = 100, Kernel = 3, Padding = 2, Dilation = 2)] [ReLU] [Conv2D(Filters = 80, Kernel = 3, Stride = 2, Padding = 1)] [Flatten] [Dense(Outputs = 3)]", "then filters 84 to 99 as" },
        // a ResNet's last stage: a 3 x 3 map that one tile of 2 filter vectors holds whole, its weights in blocks of 32
        // filters (96: three), past the cache budget that otherwise keeps a tile to one vector
        { "SmallMap", "[InputShape(16, 11, 11)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 96, Kernel = 3, Padding = 1, Bias = false)] [ReLU6] [GlobalAvgPool2D]", "3 row(s) x 3 pixel(s) x 2 vector(s)" },
        // depthwise convolutions through every vector of channels (40: the last vector overlapping the one before), each
        // tile through them at stride 2 (strided and padded from 20 x 20), then a row of tiles through them at stride 1, at
        // 10 x 10 writing PyTorch's layout for the Flatten
        { "DepthwiseRows", "[InputShape(8, 20, 20)] [Conv2D(Filters = 40, Kernel = 1)] [ReLU6] [Conv2D(Filters = 40, Kernel = 3, Stride = 2, Padding = 1, Groups = 40)] [ReLU6] [Conv2D(Filters = 40, Kernel = 3, Padding = 1, Groups = 40, Bias = false)] [Flatten] [Dense(Outputs = 5)]", "every vector of channels of a row of tiles before the next row" },
        // each tile through a band's vectors at stride 2: 88 channels from 24 x 24 in bands of 48, the last band's last
        // vector overlapping the one before (72 to 87), stored in PyTorch's layout for the Flatten
        { "DepthwiseTiles", "[InputShape(8, 24, 24)] [Conv2D(Filters = 88, Kernel = 1)] [ReLU6] [Conv2D(Filters = 88, Kernel = 3, Stride = 2, Padding = 1, Groups = 88)] [ReLU6] [Flatten] [Dense(Outputs = 5)]", "every vector of channels of a band of 48 of a tile before the next tile" },
        // in bands of channels where a row of tiles' input rows would not stay in L1: 72 channels at 40 x 40 in bands of
        // two vectors, each tile through a band's, the last band's one vector overlapping the one before (56 to 71),
        // stride 1 and 2
        { "DepthwiseBands", "[InputShape(8, 40, 40)] [Conv2D(Filters = 72, Kernel = 1)] [ReLU6] [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)] [ReLU6] [Conv2D(Filters = 72, Kernel = 3, Stride = 2, Padding = 1, Groups = 72, Bias = false)] [GlobalAvgPool2D]", "every vector of channels of a band of 32 of a tile before the next tile" },
        // a row of tiles through a band's three vectors at stride 1: 144 channels at 28 x 28 in bands of 48
        { "DepthwiseBandRows", "[InputShape(8, 28, 28)] [Conv2D(Filters = 144, Kernel = 1)] [ReLU6] [Conv2D(Filters = 144, Kernel = 3, Padding = 1, Groups = 144)] [ReLU6] [GlobalAvgPool2D]", "every vector of channels of a band of 48 of a row of tiles before the next row" },
        // all the channels where L1 holds fewer than two vectors' input rows of a row of tiles: 48 channels at 56 x 56
        // (4 rows of 56 pixels, 14 KiB a vector)
        { "DepthwiseWideRows", "[InputShape(8, 56, 56)] [Conv2D(Filters = 48, Kernel = 1)] [ReLU6] [Conv2D(Filters = 48, Kernel = 3, Padding = 1, Groups = 48)] [ReLU6] [GlobalAvgPool2D]", "every vector of channels of a row of tiles before the next row" },
        // rows first with two vectors of channels where the map is past 1 MiB, each tile through both: 32 channels at
        // 92 x 92 (1.08 MB)
        { "DepthwiseTwoVectorTiles", "[InputShape(3, 92, 92)] [Conv2D(Filters = 32, Kernel = 1)] [ReLU6] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)] [ReLU6] [GlobalAvgPool2D]", "every vector of channels of a tile before the next tile" },
        // each tile through every block of filters: a strided stem from PyTorch's layout (64 filters, two blocks), a
        // pointwise expansion to 72 (blocks at 0 and 32, then its last vector at 56 in the same tile), a strided
        // projection to 48 stored for the Flatten
        { "FiltersInnermost", "[InputShape(12, 40, 40)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 72, Kernel = 1)] [ReLU6] [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)] [Conv2D(Filters = 48, Kernel = 1, Stride = 2)] [Flatten] [Dense(Outputs = 3)]", "each tile through every block of filters before the next tile" },
        // a projection at 6 x 6 from 192 channels: 24 KiB of weights a block of two vectors, past the L1 budget, but no
        // tile holds the map whole, so two vectors (then 64 to 79 as a narrower block) in tiles of 2 rows
        { "WideProjection", "[InputShape(24, 12, 12)] [Conv2D(Filters = 192, Kernel = 3, Stride = 2, Padding = 1)] [ReLU6] [Conv2D(Filters = 80, Kernel = 1, Bias = false)] [BatchNorm2D] [Conv2D(Filters = 40, Kernel = 3, Stride = 2, Padding = 1)] [GlobalAvgPool2D]", "2 row(s) x 6 pixel(s) x 2 vector(s)" },
        // maps of at most 8 pixels, held whole by one tile of more filter vectors: 160 filters at 2 x 2 in blocks of 5
        // vectors (80, its weight copy in blocks of 80), 80 as one block of 5, 100 through a padded 3 x 3 window as a
        // block of 4 then one of 3 (at 52, overlapping the first), 40 at 1 x 1 as 3 vectors (at 0, 16 and 24) stored for
        // the Flatten
        { "WholeMap", "[InputShape(32, 4, 4)] [Conv2D(Filters = 160, Kernel = 1, Stride = 2)] [ReLU6] [Conv2D(Filters = 80, Kernel = 1)] [Conv2D(Filters = 100, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 40, Kernel = 1, Stride = 2)] [Flatten] [Dense(Outputs = 3)]", "2 row(s) x 2 pixel(s) x 5 vector(s)" },
        // Winograd on odd maps: a last row and column of tiles half outside (7 x 7 padded, 5 x 5 unpadded from 7 x 7,
        // 7 x 6 with asymmetric padding), storing channels-last and, for the Flatten, a lane at a time
        { "WinogradOdd", "[InputShape(16, 14, 14)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 16, Kernel = 3)] [Conv2D(Filters = 32, Kernel = 3, PadTop = 1, PadBottom = 1, PadLeft = 0, PadRight = 1)] [Flatten] [Dense(Outputs = 3)]", "Winograd512(" },
        // a U-Net's level: a Concat of channels-last parts (the skip first) writing channels-last, the transposed
        // convolution's stride phases (pointwise convolutions) and their interleave channels-last, Winograd around them
        { "UNetLevel", "[InputShape(8, 16, 16)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [Concat(typeof(UpLevel), IncludeInput = true)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 4, Kernel = 1)]", "Reads and writes channels-last: a pixel's channels side by side" },
        // a stride above the kernel: phases no tap reaches are the bias, the ReLU after it the interleave's to apply;
        // a 17 x 17 output read by an odd Winograd convolution
        { "InterleaveGaps", "[InputShape(16, 6, 6)] [Conv2D(Filters = 32, Kernel = 1)] [ConvTranspose2D(Filters = 16, Kernel = 2, Stride = 3)] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [GlobalAvgPool2D]", "Reads and writes channels-last: a pixel's filters side by side" },
        // F(4x4, 3x3) over a 40 x 40 map in blocks of 15 tiles (the scratch kept near the size of the weights), then
        // over 38 x 38 (a last row and column of tiles with 2 outputs of 4)
        { "WinogradBlocks", "[InputShape(8, 40, 40)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 16, Kernel = 3)] [GlobalMaxPool2D]", "in blocks of 15" },
        // F(2x2, 3x3) on a 12 x 12 map (9 tiles of 4x4: too few), 36 tiles in two blocks of 18
        { "WinogradTwoBlocks", "[InputShape(64, 12, 12)] [Conv2D(Filters = 64, Kernel = 1)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [GlobalAvgPool2D]", "F(2x2, 3x3) with 512-bit vectors: 36 tiles in blocks of 18" },
        // F(4x4, 3x3) with partial tiles, each after a pointwise convolution (one layer of its rounding, within
        // 1e-5 of the output's largest value): 19 x 19 (the last tiles' third row and column of outputs, their input's
        // fifth and sixth zeros), stored a lane at a time for the network's output; 17 x 17 unpadded (one of four);
        // 16 x 16 padded on two sides only
        { "WinogradFour", "[InputShape(16, 19, 19)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [Flatten]", "F(4x4, 3x3) with 512-bit vectors: 25 tiles" },
        { "WinogradFourUnpadded", "[InputShape(16, 19, 19)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3)] [ReLU] [GlobalMaxPool2D]", "F(4x4, 3x3) with 512-bit vectors: 25 tiles" },
        { "WinogradFourSides", "[InputShape(16, 17, 17)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 16, Kernel = 3, PadTop = 1, PadBottom = 0, PadLeft = 0, PadRight = 1)] [Tanh] [GlobalAvgPool2D]", "F(4x4, 3x3) with 512-bit vectors: 16 tiles" },
        // F(4x4, 3x3) with fused 2x2 max pools: 36 x 36 (four windows a tile), then 18 x 18 (the last tiles' second row
        // and column of windows past the map), pooled a lane at a time for the Flatten
        { "WinogradFourPool", "[InputShape(16, 36, 36)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 32, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 3)]", "F(4x4, 3x3) with 512-bit vectors: 25 tiles" },
        // depthwise padding without a copy: a 50-wide row in tiles of 10, the first and last written for their columns
        // (taps on padding left out), the three between in a loop; rows above and below the input skipped
        { "DepthwiseBorderRuns", "[InputShape(16, 7, 50)] [Conv2D(Filters = 32, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)] [ReLU6] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", "for (int chunk = 1; chunk <= 3; chunk++)" },
        // padding past the kernel's reach: the corner outputs read nothing but padding (they are the bias)
        { "DepthwisePaddingOnly", "[InputShape(16, 6, 6)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 16, Kernel = 3, Padding = 3, Groups = 16)] [Conv2D(Filters = 16, Kernel = 1)] [Flatten]", "Depthwise512(" },
        // a 7 x 7 window past the unrolling budget: the kernel rows in a loop, each tested against the input's height
        { "DepthwiseKernelRows", "[InputShape(16, 20, 20)] [Conv2D(Filters = 32, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 7, Padding = 3, Groups = 32)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", "nint rowAt = at + ky * " },
        // stride 2, dilation 2, four different paddings, 24 channels (the second vector overlapping the first)
        { "DepthwiseSides", "[InputShape(24, 23, 37)] [Conv2D(Filters = 24, Kernel = 1)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Dilation = 2, PadTop = 0, PadBottom = 3, PadLeft = 4, PadRight = 1, Groups = 24)] [Hardswish] [Conv2D(Filters = 16, Kernel = 1)] [GlobalMaxPool2D]", "Depthwise512(" },
        // Winograd reads a padded input as it is, an input tile's rows and columns on padding taken as zeros: padding 3
        // (16 x 16 from 12 x 12 by F(4x4)), and by F(2x2) four different paddings, of up to 3 (the first two rows of
        // tiles starting in it, the corner outputs reading nothing else)
        { "WinogradWidePadding", "[InputShape(16, 12, 12)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 3)] [ReLU] [GlobalAvgPool2D]", "F(4x4, 3x3) with 512-bit vectors: 16 tiles" },
        { "WinogradPaddingSides", "[InputShape(32, 4, 5)] [Conv2D(Filters = 32, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3, PadTop = 3, PadBottom = 2, PadLeft = 2, PadRight = 3)] [Flatten]", "F(2x2, 3x3) with 512-bit vectors" },
        // layers of more than 1 MiB of weights ask for them ahead of use (CacheHints.Prefetch): a strided channel kernel
        // whose passes read half a block of 32 filters each (1.2 MB), a 5x5 window's 50 cache lines an input channel in a
        // loop (1.2 MB), and Winograd's products (1.6 MB of F(2x2)'s)
        { "StreamedChannels", "[InputShape(32, 12, 12)] [Conv2D(Filters = 128, Kernel = 1)] [ReLU] [Conv2D(Filters = 256, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 32, Kernel = 1)] [GlobalAvgPool2D]", "CacheHints.Prefetch(ref filterTaps, 2304 + 16)" },
        // each pass over a block of filters asks for its own lines only: here each tap's two vectors, in a loop over the
        // 25 taps, 75 channels ahead
        { "StreamedWideWindow", "[InputShape(16, 7, 7)] [Conv2D(Filters = 96, Kernel = 1)] [Conv2D(Filters = 128, Kernel = 5, Padding = 2)] [ReLU] [GlobalAvgPool2D]", "CacheHints.Prefetch(ref filterTaps, 2400 + tap * 32 + 16)" },
        // an 8 x 8 map's eight tiles a block of filters: only the first asks for the block's rows (672 to 112 filters,
        // 301 KB, the copy one block of every filter), which the other seven find in L2
        { "StreamedFirstTile", "[InputShape(112, 8, 8)] [Conv2D(Filters = 672, Kernel = 1)] [Hardswish] [Conv2D(Filters = 112, Kernel = 1)] [GlobalAvgPool2D]", "if (pair == 0)" },
        // RegNetX's 368 to 368 filters at 8 x 8 (541 KB, 11 blocks of 32 filters, 8 tiles): a block's first tile asks for
        // its two lines of the channel 64 ahead (23 lines a channel; asking for them all on every tile took most of the
        // layer's time)
        { "StreamedManyBlocks", "[InputShape(16, 8, 8)] [Conv2D(Filters = 368, Kernel = 1)] [ReLU] [Conv2D(Filters = 368, Kernel = 1)] [ReLU] [Conv2D(Filters = 200, Kernel = 1)] [GlobalAvgPool2D]", "CacheHints.Prefetch(ref filterTaps, 23552 + 16)" },
        // a depthwise multiplier (PNASNet's 7x7 stride-2 separable convolution, 2 filters a channel; 3 filters a channel
        // of the network's input, 5x5 stride 2): each channel repeated, then the depthwise kernel on vectors of channels
        { "DepthMultiplier", "[InputShape(3, 12, 12)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 40, Kernel = 7, Stride = 2, Padding = 3, Groups = 20)] [ReLU] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", "ChannelRepeat(global::System.ReadOnlySpan<float> x" },
        { "DepthMultiplierInput", "[InputShape(6, 9, 10)] [Conv2D(Filters = 18, Kernel = 5, Stride = 2, Padding = 2, Groups = 6)] [ReLU] [Conv2D(Filters = 16, Kernel = 1)] [GlobalMaxPool2D]", "Layer0Conv2DDepthwise512(" },
        // a 2 x 2 output uses each streamed weight in at most 4 multiply-adds: CacheHints.PrefetchLowReuse (590 KB)
        { "StreamedLowReuse", "[InputShape(16, 4, 4)] [Conv2D(Filters = 64, Kernel = 1)] [Conv2D(Filters = 256, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 32, Kernel = 1)] [GlobalAvgPool2D]", "CacheHints.PrefetchLowReuse(ref filterTaps, 2304 + tap * 64 + 48)" },
        // a stride-1 layer streaming its weights onto a map of 9 to 24 pixels: one tile of the whole map a vector of
        // filters, the copy in blocks of 16 (295 KB onto 4 x 5, then 590 KB ending a Residual's body, adding the
        // shortcut as it stores)
        { "StreamedOneVector", "[InputShape(16, 8, 10)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Padding = 1)] [ReLU] [Residual(typeof(StreamedOneVectorBody))] [GlobalAvgPool2D]", "4 row(s) x 5 pixel(s) x 1 vector(s)" },
        // the same onto 4 x 4 from 1024 channels (64 KB of input, past L1; 1 MB of weights): the usual blocks of two
        // vectors over two tiles of the map
        { "StreamedPastL1", "[InputShape(64, 4, 4)] [Conv2D(Filters = 1024, Kernel = 1)] [ReLU] [Conv2D(Filters = 256, Kernel = 1)] [ReLU] [GlobalAvgPool2D]", "Layer 2 with 512-bit vectors across output channels: 2 row(s) x 4 pixel(s) x 2 vector(s)" },
        { "StreamedWinograd", "[InputShape(32, 8, 8)] [Conv2D(Filters = 192, Kernel = 1)] [Conv2D(Filters = 128, Kernel = 3, Padding = 1)] [ReLU] [GlobalAvgPool2D]", "CacheHints.Prefetch(ref column, 2048)" },
        // ResNeXt's grouped convolutions, each block of filters within one group: 4 groups of 16 strided, 2 of 32 with a
        // folded BatchNorm, 4 of 16 ending a Residual's body (the shortcut added as it stores), 4 of 16 with a fused pool
        // stored a lane at a time for the Flatten (on 6 x 6, too few tiles for the F(4x4) that grouped Winograd takes)
        { "Grouped", "[InputShape(16, 12, 12)] [Conv2D(Filters = 64, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Groups = 4)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 2, Bias = false)] [BatchNorm2D] [Residual(typeof(GroupedBody))] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 4)] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 3)]", "each block within one of 4 groups" },
        // Winograd on groups, each point's product a group's channels by its filters: 8 groups of 16 (a vector) in
        // F(4x4), 4 of 32 (two vectors) after a folded BatchNorm, 2 of 64 unpadded (tiles half outside, blocks of 32
        // filters) with a fused pool stored a lane at a time for the Flatten
        { "GroupedWinograd", "[InputShape(16, 16, 16)] [Conv2D(Filters = 128, Kernel = 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Groups = 8)] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Groups = 4, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Groups = 2)] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 3)]", "36 products of [8 x 16] by [16 x 16] in each of 8 groups a block" },
        // groups whose channels and filters differ: 16 channels to 32 filters a group, then 64 to 32
        { "GroupedWinogradWidths", "[InputShape(8, 16, 16)] [Conv2D(Filters = 64, Kernel = 1)] [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Groups = 4)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 2)] [GlobalAvgPool2D]", "36 products of [8 x 16] by [16 x 32] in each of 4 groups a block" },
        // 8 groups of 32 at 16 x 16, 1.2 MB of F(4x4)'s weights asked for ahead; on an 8 x 8 map (F(2x2)) the direct kernel
        { "GroupedWinogradStreamed", "[InputShape(16, 16, 16)] [Conv2D(Filters = 256, Kernel = 1)] [ReLU] [Conv2D(Filters = 256, Kernel = 3, Padding = 1, Groups = 8)] [ReLU] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 256, Kernel = 3, Padding = 1, Groups = 16)] [GlobalAvgPool2D]", "CacheHints.Prefetch(ref column, 2048)" },
        // 16 filters from each of 16 channels (a depthwise multiplier of 16), 8 groups of 64 streaming their weights
        // (1.2 MB, asked for ahead), 2 groups of 48 onto a 1 x 1 map from 512 channels (each group's map copied apart,
        // unpadded)
        { "GroupedShapes", "[InputShape(16, 10, 10)] [Conv2D(Filters = 16, Kernel = 1)] [Conv2D(Filters = 256, Kernel = 3, Stride = 2, Padding = 1, Groups = 16)] [ReLU] [Conv2D(Filters = 512, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)] [ReLU] [Conv2D(Filters = 96, Kernel = 3, Stride = 2, Groups = 2)] [GlobalAvgPool2D]", "each block within one of 16 groups" },
        // 512 channels, 2 KiB a pixel, read through a copy of each group's map apart: 32 groups of 16 strided and padded
        // (four 128-bit copies a pixel's part), 4 groups of 128 (a loop of them); 256 groups of 2 (a float at a time)
        { "GroupedCopy", "[InputShape(16, 8, 8)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 512, Kernel = 3, Stride = 2, Padding = 1, Groups = 32)] [ReLU] [Conv2D(Filters = 512, Kernel = 1)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 4)] [GlobalAvgPool2D]", "Vector128.StoreUnsafe(global::System.Runtime.Intrinsics.Vector128.LoadUnsafe(ref from, (nuint)(column * 512 + 12))" },
        // one group of 512 and of 1,024 channels, copied in chunks of 16 (a cache line a pixel), each chunk's channels
        // then the next chunk's map: 3x3 stride 2 padded, 3x3 unpadded onto 2 x 2; the 1x1 convolution between them
        // reads its 512 channels as they are
        { "ChunkedCopy", "[InputShape(16, 8, 8)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 1024, Kernel = 1)] [Conv2D(Filters = 32, Kernel = 3)] [GlobalAvgPool2D]", "for (int next = 0; next < 32; next++)" },
        { "GroupedCopyLoop", "[InputShape(16, 8, 8)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 4)] [GlobalAvgPool2D]", "for (int channel = 0; channel < 128; channel += 4)" },
        { "GroupedCopyFloats", "[InputShape(16, 6, 6)] [Conv2D(Filters = 512, Kernel = 1)] [Conv2D(Filters = 4096, Kernel = 3, Stride = 2, Padding = 1, Groups = 256)] [ReLU] [GlobalAvgPool2D]", "Unsafe.Add(ref to, column * 2 + channel)" },
        // global pools of channels-last maps: four vectors of channels a pixel, then a vector at a time with the pixels
        // in four interleaved sums (9 pixels: two rounds and one more), two (a 1 x 2 map) or one; max from each
        // phase's first pixel
        { "GlobalMeanWide", "[InputShape(16, 6, 6)] [Conv2D(Filters = 72, Kernel = 1)] [ReLU] [Conv2D(Filters = 72, Kernel = 3, Stride = 2, Padding = 1, Groups = 72)] [GlobalAvgPool2D]", "(i + 3)" },
        { "GlobalMaxWide", "[InputShape(16, 10, 10)] [Conv2D(Filters = 40, Kernel = 1)] [ReLU6] [Conv2D(Filters = 40, Kernel = 3, Stride = 2, Padding = 1, Groups = 40)] [GlobalMaxPool2D]", "block += 4 * " },
        { "GlobalMeanTwoPixels", "[InputShape(16, 4, 4)] [Conv2D(Filters = 36, Kernel = 1)] [Conv2D(Filters = 36, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 20, KernelHeight = 2, KernelWidth = 1)] [GlobalAvgPool2D]", "(low0_0 + low0_1)" },
        { "GlobalMaxOnePixel", "[InputShape(16, 4, 4)] [Conv2D(Filters = 36, Kernel = 1)] [Conv2D(Filters = 36, Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 36, Kernel = 2)] [GlobalMaxPool2D]", "lanes0_0.CopyTo(y.Slice(c));" },
        // squeeze-and-excitation's Multiply by a [C, 1, 1] gate, channels-last on both sides: 72 channels as four 512-bit
        // vectors and two of 128 bits, 22 as one, one of 128 bits and two floats (in place: the gate's input is dead
        // after it); an elementwise gate of the map's shape in the order both share
        { "SqueezeExcite", "[InputShape(16, 9, 9)] [Conv2D(Filters = 72, Kernel = 1)] [Hardswish] [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)] [Multiply(typeof(Excite72))] [Conv2D(Filters = 24, Kernel = 1)] [GlobalAvgPool2D]", "ref float factors = ref" },
        { "SqueezeExciteNarrow", "[InputShape(16, 7, 7)] [Conv2D(Filters = 22, Kernel = 1)] [ReLU] [Conv2D(Filters = 22, Kernel = 5, Stride = 2, Padding = 2, Groups = 22)] [Multiply(typeof(Excite22))] [Conv2D(Filters = 16, Kernel = 1)]", "for (; c < 22; c++)" },
        { "ElementwiseGate", "[InputShape(16, 8, 8)] [Conv2D(Filters = 40, Kernel = 1)] [ReLU] [Multiply(typeof(Attention40))] [Conv2D(Filters = 40, Kernel = 3, Padding = 1, Groups = 40)] [GlobalAvgPool2D]", "[40, 8, 8] and [40, 8, 8] -> [40, 8, 8].</summary>\n        /// <remarks>Reads and writes channels-last" },
        // a pointwise convolution's filters taken two input channels at a time: all of 24 (three vectors of pairs)
        // with ReLU6, the last 8 of 72 (after four whole vectors) without a bias and with Hardswish; all of 40 onto a
        // stride-2 1x1 window adding a Residual's shortcut as it stores
        { "PairedFilters", "[InputShape(16, 12, 12)] [Conv2D(Filters = 96, Kernel = 1)] [ReLU6] [Conv2D(Filters = 96, Kernel = 3, Padding = 1, Groups = 96)] [Conv2D(Filters = 24, Kernel = 1)] [ReLU6] [Conv2D(Filters = 24, Kernel = 3, Padding = 1, Groups = 24)] [Conv2D(Filters = 72, Kernel = 1, Bias = false)] [Hardswish] [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)] [GlobalAvgPool2D]", "filters 0 to 23 two input channels at a time" },
        { "PairedLast", "[InputShape(16, 8, 8)] [Conv2D(Filters = 96, Kernel = 1)] [ReLU6] [Conv2D(Filters = 96, Kernel = 3, Padding = 1, Groups = 96)] [Conv2D(Filters = 72, Kernel = 1, Bias = false)] [Hardswish] [Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72)] [GlobalMaxPool2D]", "then filters 64 to 71 two input channels at a time" },
        { "PairedShortcut", "[InputShape(16, 14, 14)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [Residual(typeof(ExpandBody))] [Residual(typeof(StridedBody), Shortcut = typeof(StridedProjection))] [ReLU] [Conv2D(Filters = 40, Kernel = 3, Padding = 1, Groups = 40)] [GlobalAvgPool2D]", "filters 0 to 39 two input channels at a time" },
        // pre-activation ResNet blocks (BN-ReLU before each convolution, no BatchNorm to fold): the BatchNorms scale
        // channels-last maps, so the 3x3 convolutions after them run as Winograd's; 20 channels (two 256-bit vectors and
        // 4 scalars, five 128-bit vectors), then 36 after a strided block whose shortcut reads the pre-activated map
        { "PreActivation", "[InputShape(3, 16, 16)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1)] [Residual(typeof(PreActBody))] [Residual(typeof(PreActBody))] [BatchNorm2D] [ReLU] [Residual(typeof(PreActDown), Shortcut = typeof(PreActShortcut))] [BatchNorm2D] [ReLU] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 3)]", "var scales = p.Slice(" },
        // PReLU between convolutions (MobileFaceNet's, ENet's): one slope per channel for 20 channels (two 256-bit
        // vectors and 4 scalars), a shared slope for 36, each before a 3x3 convolution that runs as Winograd's
        { "PReLUPerChannel", "[InputShape(3, 16, 16)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1)] [PReLU(Parameters = 20)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1)] [PReLU(Parameters = 20)] [Conv2D(Filters = 36, Kernel = 3, Stride = 2, Padding = 1)] [BatchNorm2D] [PReLU] [Conv2D(Filters = 36, Kernel = 3, Padding = 1)] [GlobalAvgPool2D]", "var slopes = p.Slice(" },
        { "PReLUShared", "[InputShape(8, 12, 12)] [Conv2D(Filters = 36, Kernel = 1)] [PReLU] [Conv2D(Filters = 36, Kernel = 3, Padding = 1)] [PReLU(Parameters = 36)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [GlobalMaxPool2D]", "value, value * slope)" },
        // a BatchNorm1D after a ReLU (not folded) on a channels-last sequence, read by a depthwise Conv1D
        { "SequenceBatchNorm", "[InputShape(16, 24)] [Conv1D(Filters = 36, Kernel = 5, Stride = 2, Padding = 2)] [ReLU] [BatchNorm1D] [Conv1D(Filters = 36, Kernel = 3, Padding = 1, Groups = 36)] [Conv1D(Filters = 16, Kernel = 1)] [GlobalAvgPool1D]", "var scales = p.Slice(" },
        // sequences: a strided Conv1D, a dilated depthwise one, a global mean
        { "Sequence", "[InputShape(16, 24)] [Conv1D(Filters = 32, Kernel = 5, Stride = 2, Padding = 2)] [ReLU] [Conv1D(Filters = 32, Kernel = 3, Padding = 2, Dilation = 2, Groups = 32)] [Conv1D(Filters = 24, Kernel = 1)] [GlobalAvgPool1D]", "Depthwise512(" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Channels_last_networks_match_the_reference_engine(string name, string attributes, string marker)
    {
        string source = $"using CnnGen;\nnamespace ChannelsLast;\n{attributes}\npublic partial class {name} {{ }}\n{Blocks}";
        var result = GeneratorHarness.Run(source);
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        string generated = string.Concat(result.Run.GeneratedTrees.Select(t => t.ToString()));
        Assert.Contains(marker, generated, StringComparison.Ordinal);
        Assert.Contains("channels-last", generated, StringComparison.Ordinal);

        var net = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("ChannelsLast." + name)!)!;
        var reference = new ReferenceNetwork(net.Spec);
        var random = new Random(17);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        // BatchNorm's running variance must be positive: PyTorch's would be
        foreach (var tensor in net.Spec.Parameters.Where(t => t.Name.EndsWith("running_var", StringComparison.Ordinal)))
            for (int i = 0; i < tensor.Length; i++) parameters[tensor.Offset + i] = 0.5f + (float)random.NextDouble();
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        for (int sample = 0; sample < 3; sample++)
        {
            var input = Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var output = new float[net.OutputLength];
            net.Forward(input, output);
            FixtureFiles.AssertMatches(reference.Forward(input), output, $"{name}, sample {sample}");
        }
    }
}
