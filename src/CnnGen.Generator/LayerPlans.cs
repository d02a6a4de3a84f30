using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>
/// Where a window lies wholly inside the real input along one axis: outputs [Low, High) need no
/// bounds checks; the rest (the border) read padding and take the checked path.
/// </summary>
internal readonly record struct InteriorRange(int Low, int High)
{
    public bool IsEmpty => Low >= High;

    /// <summary>Outputs o with 0 &lt;= o*stride - padBefore and o*stride - padBefore + extent - 1 &lt;= size - 1.</summary>
    public static InteriorRange Of(int outputs, int size, int padBefore, int stride, int extent)
    {
        int low = (padBefore + stride - 1) / stride;
        int lastStart = size - extent + padBefore; // largest o*stride that still fits
        int high = lastStart < 0 ? 0 : lastStart / stride + 1;
        if (high > outputs) high = outputs;
        if (low > high) low = high;
        return new InteriorRange(low, high);
    }
}

/// <summary>Every constant a convolution's emitted loops need, derived once from the layer and its shapes.</summary>
internal sealed class ConvolutionPlan
{
    /// <summary>The plan of a convolution step: with a folded BatchNorm its weights and bias are the derived ones, made at load time.</summary>
    public static ConvolutionPlan For(Step step)
    {
        var conv = (ConvolutionOp)step.Op;
        string method = NetworkEmitter.MethodName(step);
        // a folded BatchNorm's weights and bias are derived, and so is a stride phase's or a crop's kernel (its bias is the layer's as it is)
        var plan = step.Folded is not null ? new ConvolutionPlan(conv, step.Shapes, step.DerivedOffset, step.DerivedOffset + Passes.KernelLength(step), method, step.Phase)
            : step.DerivesKernel ? new ConvolutionPlan(conv, step.Shapes, step.DerivedOffset, conv.Bias ? step.Shapes.Tensors[1].Offset : -1, method, step.Phase)
            : new ConvolutionPlan(conv, step.Shapes, step.Shapes.Tensors[0].Offset, conv.Bias ? step.Shapes.Tensors[1].Offset : -1, method);
        plan.InputLayout = step.InputLayout;
        plan.OutputLayout = step.OutputLayout;
        plan.Shortcut = step.Shortcut;
        plan.Crop = step.Crop;
        plan.Ungrouped = step.Ungrouped;
        plan.InputHoldsZeros = step.InputHoldsZeros;
        plan.TakesRowRange = step.Band is not null;
        return plan;
    }

    /// <param name="weightOffset">Where the weights [Filters, InChannels / Groups, KH, KW] start in the parameter span.</param>
    /// <param name="biasOffset">Where the bias starts, or -1 without one.</param>
    /// <param name="method">The name of its method, which its SIMD methods extend ("Layer3Conv2D").</param>
    /// <param name="phase">The stride phase of a transposed convolution it computes, if it does.</param>
    public ConvolutionPlan(ConvolutionOp c, LayerShapes shapes, int weightOffset, int biasOffset, string method = "", TransposedPhase? phase = null)
    {
        Layer = c;
        Method = method;
        Phase = phase;
        Shapes = shapes;
        InChannels = shapes.Input.Channels;
        Height = shapes.Input.Height;
        Width = shapes.Input.Width;
        Filters = c.Filters;
        OutHeight = shapes.Output.Height;
        OutWidth = shapes.Output.Width;
        ChannelsPerGroup = InChannels / c.Groups;
        FiltersPerGroup = c.Filters / c.Groups;
        WindowSize = c.KernelHeight * c.KernelWidth;
        WeightOffset = weightOffset;
        BiasOffset = biasOffset;
        Rows = InteriorRange.Of(OutHeight, Height, c.PadTop, c.StrideHeight, c.DilationHeight * (c.KernelHeight - 1) + 1);
        Columns = InteriorRange.Of(OutWidth, Width, c.PadLeft, c.StrideWidth, c.DilationWidth * (c.KernelWidth - 1) + 1);
    }

    public ConvolutionOp Layer { get; }
    public string Method { get; }
    public TransposedPhase? Phase { get; }
    public LayerShapes Shapes { get; }
    public int InChannels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Filters { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public int ChannelsPerGroup { get; }
    public int FiltersPerGroup { get; }
    public int WindowSize { get; }
    public int WeightOffset { get; }
    public int BiasOffset { get; }
    public InteriorRange Rows { get; }
    public InteriorRange Columns { get; }

    public bool IsPadded => Layer.IsPadded;

    /// <summary>The order of the input's floats (see <see cref="Planning.Layouts"/>).</summary>
    public Layout InputLayout { get; private set; }

    /// <summary>The order the output's floats are written in.</summary>
    public Layout OutputLayout { get; private set; }

    /// <summary>The Residual's sum whose shortcut, its second input, the convolution adds as it stores, or null.</summary>
    public FusedShortcut? Shortcut { get; private set; }

    /// <summary>The taps of the layer's weight this convolution keeps, where it was cropped to those that meet its input; null otherwise.</summary>
    public KernelCrop? Crop { get; private set; }

    /// <summary>The layer's groups run as one (<see cref="UngroupedKernel"/>), or null.</summary>
    public UngroupedKernel? Ungrouped { get; private set; }

    /// <summary>Whether its input is likely to hold exact zeros (<see cref="Step.InputHoldsZeros"/>); true for a plan made without a step.</summary>
    public bool InputHoldsZeros { get; private set; } = true;

    /// <summary>Whether its methods compute a range of output rows a call, rowFrom up to rowTo, as a stage of a chain run in bands (<see cref="RowBands"/>).</summary>
    public bool TakesRowRange { get; private set; }

    /// <summary>Whether the convolution ends a Residual's body and adds the shortcut as it stores (<see cref="Shortcut"/>).</summary>
    public bool AddsShortcut => Shortcut is not null;

    /// <summary>Whether either side is channels-last: then only the channel-vector kernels and the scalar loops run it.</summary>
    public bool IsChannelsLast => InputLayout == Layout.ChannelsLast || OutputLayout == Layout.ChannelsLast;

    /// <summary>A group per channel, one filter each.</summary>
    public bool IsDepthwise => Layer.Groups == InChannels && Filters == InChannels;

    /// <summary>
    /// Whether each group's filters are whole 512-bit vectors (one group always is, past its last whole vector by an
    /// overlap), so that the channel kernel's blocks of filters lie within one group and read its input channels
    /// alone: a ResNeXt's 8 groups of 32 or 64 filters, not its 32 of 4 or 8.
    /// </summary>
    public bool GroupsFillVectors => GroupsHoldVectorsOf(SimdFlavor.WideLanes);

    /// <summary>Whether each group's filters are whole vectors of <paramref name="lanes"/> (one group always is).</summary>
    public bool GroupsHoldVectorsOf(int lanes) => Layer.Groups == 1 || FiltersPerGroup % lanes == 0;

    /// <summary>The floats of one filter: its group's input channels by the window's taps.</summary>
    public int FilterSize => ChannelsPerGroup * WindowSize;

    /// <summary>The floats of the layer's weights.</summary>
    public long WeightCount => (long)Filters * FilterSize;

    /// <summary>The bytes of the layer's input map as it is read (without a padded copy's border).</summary>
    public long InputBytes => (long)InChannels * Height * Width * sizeof(float);

    /// <summary>Floats from one input pixel to the next along a row: 1, or the channels when channels-last.</summary>
    public int InPixelStride => InputLayout == Layout.ChannelsLast ? InChannels : 1;

    /// <summary>Floats from one input channel to the next, in a map of <paramref name="plane"/> pixels (the input's, or its zero-bordered copy's).</summary>
    public int InChannelStride(int plane) => InputLayout == Layout.ChannelsLast ? 1 : plane;

    /// <summary>Floats from one output pixel to the next along a row.</summary>
    public int OutPixelStride => OutputLayout == Layout.ChannelsLast ? Filters : 1;

    /// <summary>Floats from one output channel to the next.</summary>
    public int OutChannelStride => OutputLayout == Layout.ChannelsLast ? 1 : OutHeight * OutWidth;

    public int PaddedHeight => Height + Layer.PadTop + Layer.PadBottom;

    public int PaddedWidth => Width + Layer.PadLeft + Layer.PadRight;

    /// <summary>Filters summed together in registers: as many as divide a group's filters, at most 4 (x 2 rows: 8 accumulators fit any x64 register file).</summary>
    public int FilterBlock => FiltersPerGroup % 4 == 0 ? 4 : FiltersPerGroup % 2 == 0 ? 2 : 1;

    /// <summary>Multiply-adds in the whole layer.</summary>
    public long MultiplyAdds => (long)Filters * OutHeight * OutWidth * ChannelsPerGroup * WindowSize;

    /// <summary>Offset of tap (ky, kx) from the window's top-left input element.</summary>
    public int TapOffset(int ky, int kx) => (ky * Layer.DilationHeight * Width + kx * Layer.DilationWidth) * InPixelStride;
}

/// <summary>The constants of a pooling layer's emitted loops.</summary>
internal sealed class PoolPlan
{
    public PoolPlan(PoolOp p, LayerShapes shapes)
    {
        Layer = p;
        Shapes = shapes;
        Channels = shapes.Input.Channels;
        Height = shapes.Input.Height;
        Width = shapes.Input.Width;
        OutHeight = shapes.Output.Height;
        OutWidth = shapes.Output.Width;
        // a dilated window's interior is where its whole extent lies on the input (shape inference keeps it in int)
        Rows = InteriorRange.Of(OutHeight, Height, p.PaddingHeight, p.StrideHeight, (int)p.ExtentHeight);
        Columns = InteriorRange.Of(OutWidth, Width, p.PaddingWidth, p.StrideWidth, (int)p.ExtentWidth);
    }

    public PoolOp Layer { get; }
    public LayerShapes Shapes { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public InteriorRange Rows { get; }
    public InteriorRange Columns { get; }

    /// <summary>
    /// Whether a max or min pool runs separably: each output row's window rows reduced into a row of column extremes,
    /// then each output the extreme of its window's columns there, kh + kw values an output where the window holds kh x
    /// kw (a YOLO-style 13 x 13 stride-1 pool: 26 for 169). Exact, as an extreme is one of the values in any order; an
    /// average keeps PyTorch's order of summation, so it does not. The row lives on the stack, a vector a column for a
    /// channels-last input: at most <see cref="MaxSeparableRow"/> floats of it.
    /// </summary>
    public bool IsSeparable => Layer.Reduction is Reduction.Max or Reduction.Min && !Layer.IsDilated && (long)SeparableRowLength * SimdFlavor.WideLanes <= MaxSeparableRow;

    /// <summary>
    /// Whether the separable form reads fewer values than the window where both run on vectors (a channels-last pool):
    /// kh x stride of column extremes and kw of them an output against kh x kw. A 3x3 or 2x2 window at stride 2 does
    /// not; in PyTorch's layout, where the window's only other form is scalar, every separable pool takes it.
    /// </summary>
    public bool SeparableSaves => IsSeparable && (long)Layer.KernelHeight * Layer.KernelWidth > (long)Layer.KernelHeight * Layer.StrideWidth + Layer.KernelWidth;

    /// <summary>Floats (or vectors) of the row of column extremes: the padding before, the columns, and what the last window reaches past them.</summary>
    public long SeparableRowLength => System.Math.Max((long)Layer.PaddingWidth + Width, (long)(OutWidth - 1) * Layer.StrideWidth + Layer.KernelWidth);

    /// <summary>32 KiB of stack at most, with 512-bit vectors of channels.</summary>
    public const long MaxSeparableRow = 8192;
}

/// <summary>How a convolution's SIMD method lays its vectors: across output columns or across output channels.</summary>
internal enum VectorKernel
{
    None,
    Columns,
    Channels,

    /// <summary>A depthwise convolution on a channels-last input: vectors of channels, each tap one vector load.</summary>
    Depthwise,

    /// <summary>A 3x3 stride-1 convolution between channels-last values as Winograd's F(4x4, 3x3) or F(2x2, 3x3) (see WinogradForm): 36 products a 4x4 tile, not 144, or 16 a 2x2 tile, not 36.</summary>
    Winograd,
}

/// <summary>
/// The register tile of the column-vector path: Rows output rows x Vectors column vectors x Filters
/// filters of accumulators. WholeRow: the vectors cover a whole output row, each at a constant
/// column (the last overlapping the one before), so no loop runs along the row.
/// </summary>
internal readonly record struct ColumnTile(int Rows, int Vectors, int Filters, bool WholeRow)
{
    public int Accumulators => Rows * Vectors * Filters;

    /// <param name="pooled">The tile feeds a fused 2x2 pool: an even number of rows, starting on even rows.</param>
    public static ColumnTile For(ConvolutionPlan c, SimdFlavor flavor, bool pooled = false)
    {
        if (flavor.Lanes is not int lanes)
        {
            // Vector<float>'s width is unknown here: one vector per row, and the tile sized for AVX2's
            // 16 registers (accumulators, one broadcast weight per filter, the input row), or it spills
            int block = c.FilterBlock;
            int most = Math.Min(4, (flavor.Registers - block - 1) / block);
            return new ColumnTile(c.OutHeight >= most ? most : c.OutHeight >= 2 ? 2 : 1, 1, block, WholeRow: false);
        }
        int perRow = (c.OutWidth + lanes - 1) / lanes;
        int vectors = Math.Min(perRow, 4);
        int filters = LargestDivisor(c.FiltersPerGroup, Math.Min(4, flavor.Accumulators / ((pooled ? 2 : 1) * vectors)));
        int rows = RowsPerTile(c.OutHeight, Math.Max(1, flavor.Accumulators / (vectors * filters)), pooled);
        return new ColumnTile(rows, vectors, filters, WholeRow: vectors == perRow);
    }

    /// <summary>Column of vector t within the tile: constant when the tile covers the whole row.</summary>
    public int Column(int t, int lanes, int outWidth) => WholeRow ? Math.Min(t * lanes, outWidth - lanes) : t * lanes;

    /// <summary>Up to <paramref name="most"/> rows (an even number if <paramref name="even"/>), as few computed twice (by the last tile's overlap) as can be.</summary>
    internal static int RowsPerTile(int height, int most, bool even = false)
    {
        int step = even ? 2 : 1, best = step;
        for (int r = step; r <= Math.Min(Math.Min(most, height), 8); r += step)
            if ((height + r - 1) / r * r <= (height + best - 1) / best * best) best = r;
        return best;
    }

    private static int LargestDivisor(int n, int most)
    {
        for (int d = most; d > 1; d--)
            if (n % d == 0) return d;
        return 1;
    }
}

/// <summary>
/// The register tile of the channel-vector path: Rows x Pixels neighbouring outputs x Vectors
/// vectors of filters; the last tile of a row (and of the rows) overlaps the one before.
/// </summary>
internal readonly record struct ChannelTile(int Rows, int Pixels, int Vectors)
{
    /// <param name="pooled">The tile feeds a fused 2x2 pool: even rows and pixels, starting on even ones.</param>
    public static ChannelTile For(ConvolutionPlan c, SimdFlavor flavor, bool pooled = false)
    {
        // Vector<float>'s width is the JIT's: tiles sized for AVX2's registers
        if (flavor.Lanes is not int lanes)
            return Portable(c);
        // up to 24 accumulators: vectors of filters (a fused pool keeps one) by up to 12 pixels
        return Of(c, flavor, pooled ? 1 : VectorsOfFilters(c, lanes, flavor.Accumulators), pooled);
    }

    /// <summary>
    /// The Vector&lt;float&gt; tile, sized for AVX2's 16 registers: up to <see cref="PortableAccumulators"/> accumulators
    /// beside a weight register per vector and the broadcast. Rows of 8 or more pixels take 1 vector of 8 pixels or 2 of
    /// 4, as before; a narrower map takes its whole rows, and rows of them, so that a 4 x 5 map is 4 tiles of 5 pixels,
    /// not 8 of 4 (the last of each row overlapping the one before: 32 pixels computed for 20), and a map of 1 to 3
    /// pixels (a ResNet's last stage) takes 4 vectors, or 8 on one pixel, where its weight copy's blocks hold them.
    /// Without AVX-512 (a Zen 3 EPYC, AVX2), ResNet50Cifar's last stage on 1 x 1, two vectors of one pixel a block
    /// before (two accumulators, a quarter of a 128-filter row a pass), took 2,120 µs a call where it now takes 1,500
    /// with the zero channels skipped (<c>SkipsZeroChannels</c>), its 512 to 1,024 shortcut 187 µs where it takes 110.
    /// </summary>
    private static ChannelTile Portable(ConvolutionPlan c)
    {
        int vectors = PortableVectors(c);
        if (c.OutWidth >= 8) return new ChannelTile(1, vectors == 1 ? 8 : 4, vectors);
        int pixels = LeastOverlapPixels(c.OutWidth, PortableAccumulators / vectors);
        // pixels x vectors is at most the accumulators, so each tile takes at least a row
        return new ChannelTile(ColumnTile.RowsPerTile(c.OutHeight, PortableAccumulators / (pixels * vectors)), pixels, vectors);
    }

    /// <summary>
    /// Accumulators a Vector&lt;float&gt; tile may hold: AVX2's 16 registers less 2 weights, the broadcast and room to
    /// spare (a 5-pixel row by 2 vectors takes 10; the 8 vectors of a one-pixel map take their weights from memory in
    /// the multiply-adds).
    /// </summary>
    private const int PortableAccumulators = 10;

    /// <summary>
    /// Vector&lt;float&gt; vectors of filters per block: 1 where a channels-last layer may have fewer than 2 vectors'
    /// worth of filters (up to 16 lanes each), any layer fewer than 2 of AVX2's 8 lanes, or a group's filters may not
    /// hold a whole number of 2 vectors (16 a group); 4 on a map of at most 3 pixels (else 2 to 6 accumulators keep the
    /// multiply-adds waiting on each other) and 8 on one pixel, where one group's filters are a whole number of them at
    /// 8 lanes, the blocks of the kernel's own weight copy (<see cref="NetworkEmitter.PortablePermutedBlock"/>); else 2.
    /// </summary>
    private static int PortableVectors(ConvolutionPlan c)
    {
        if ((c.IsChannelsLast && c.Filters < 32) || c.Filters < 16 || (c.Layer.Groups > 1 && c.FiltersPerGroup % 32 != 0)) return 1;
        long map = (long)c.OutHeight * c.OutWidth;
        int filters = c.Layer.Groups == 1 ? c.Filters : 1;
        return map == 1 && filters % (8 * NetworkEmitter.PortableBlockLanes) == 0 ? 8 : map <= 3 && filters % (4 * NetworkEmitter.PortableBlockLanes) == 0 ? 4 : 2;
    }

    /// <summary>The tile of <paramref name="vectors"/> vectors of filters: as many pixels and rows as the accumulators take.</summary>
    public static ChannelTile Of(ConvolutionPlan c, SimdFlavor flavor, int vectors, bool pooled)
    {
        int accumulators = flavor.Accumulators;
        // a strided kernel wider than its stride shares input columns between its taps: few enough accumulators that
        // a stride phase's weights fit in registers beside them and the broadcast, for the input-column order
        var layer = c.Layer;
        if (layer.StrideWidth > 1 && layer.KernelWidth > layer.StrideWidth)
            accumulators = Math.Max(vectors, Math.Min(accumulators, flavor.Registers - ColumnOrderRegisters(layer, vectors)));
        int most = Math.Min(12, accumulators / vectors);
        int pixels = pooled ? EvenedPixels(c.OutWidth, most) : LeastOverlapPixels(c.OutWidth, most);
        if (pooled && pixels % 2 == 1) pixels++; // still at most 12, and at most the (even) width
        return new ChannelTile(ColumnTile.RowsPerTile(c.OutHeight, accumulators / (pixels * vectors), pooled), pixels, vectors);
    }

    /// <summary>The pixels of a row's tiles evened out: as few tiles as <paramref name="most"/> pixels allow.</summary>
    private static int EvenedPixels(int width, int most)
    {
        int tiles = (width + most - 1) / most;
        return (width + tiles - 1) / tiles;
    }

    /// <summary>
    /// The pixels of a row's tiles, evened out, that compute the fewest columns twice (the last tile of a row overlaps
    /// the one before), among tiles at least two thirds of <paramref name="most"/> wide, the widest of those that tie.
    /// A 112- or 56-pixel row in tiles of 8 computes no column twice, in tiles of 12 (10 of them, or 5) 8 or 4 (7%).
    /// In per-layer profiles of MobileNetV2At224 (two rounds), its 1x1 convolutions on those rows in 8-pixel tiles took
    /// 197, 102 to 107 and 93 to 95 µs where 12-pixel ones took 222, 120 and 114.
    /// </summary>
    private static int LeastOverlapPixels(int width, int most)
    {
        int best = EvenedPixels(width, most), computed = (width + best - 1) / best * best;
        for (int tiles = (width + most - 1) / most + 1; tiles <= width; tiles++)
        {
            int pixels = (width + tiles - 1) / tiles;
            if (pixels * 3 < most * 2) break;
            int columns = (width + pixels - 1) / pixels * pixels;
            if (columns < computed) (best, computed) = (pixels, columns);
        }
        return best;
    }

    /// <summary>
    /// A kernel row's taps by the input columns they read: taps kx and kx' read a common column only where
    /// (kx - kx') x dilation is a multiple of the stride, so each phase (kx x dilation mod stride) reads columns of its
    /// own. Stride 1: one phase of every tap.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> TapPhases(ConvolutionOp layer) =>
        Enumerable.Range(0, layer.KernelWidth)
            .GroupBy(kx => (int)((long)kx * layer.DilationWidth % layer.StrideWidth))
            .OrderBy(phase => phase.Key)
            .Select(phase => (IReadOnlyList<int>)phase.ToList())
            .ToList();

    /// <summary>
    /// Registers the channel kernel's input-column order holds beside the accumulators: the largest stride phase's
    /// <paramref name="vectors"/> vectors of filters a tap, and the broadcast input value.
    /// </summary>
    public static int ColumnOrderRegisters(ConvolutionOp layer, int vectors) => TapPhases(layer).Max(phase => phase.Count) * vectors + 1;

    /// <summary>The bytes of a filter block's weights that may sit in the L1 cache (32 KiB on Zen 4, 48 on Zen 5) beside the inputs.</summary>
    private const int CachedWeightBytes = 16 * 1024;

    /// <summary>
    /// Vectors of filters per block. Each broadcast input value feeds every vector of the block, and a broadcast is a
    /// load: one vector takes 17 loads for 16 multiply-adds, two 14 for 24, three 11 for 24. In a per-layer profile, 96
    /// to 24 filters at 16 x 16 took 12.2 µs as one vector (two blocks, the second overlapping) and 10.4 as two (one
    /// block, its second vector overlapping the first), though both compute the same lanes. Fewer filters than the
    /// block: its last vector overlaps the one before (24 filters: 0 and 8); more: a narrower block ends them
    /// (<see cref="FilterRun"/>). Every tile of the layer reads its block's weights (input channels x taps x vectors x
    /// 64 bytes): where one tile of a single vector holds the whole map (at most 24 pixels) and the wider block's
    /// would not, the single vector reads each weight once, not once a tile, unless the block's weights stay within
    /// the L1 budget. In the
    /// per-layer profile, 448 to 112 filters at 4 x 4 ran 5 to 20% slower as 2 x 4 pixels by 2 vectors than as 4 x 4 by
    /// 1. Larger maps take several tiles whatever the block, so the wider one pays: MobileNetV2Small's projections at
    /// 6 x 6 (576 and 384 to 96, 384 to 64) took 15 to 28% less time as 3 x 6 by 2 than as 3 x 6 by 1, which an L1 budget
    /// alone had kept them to, and a ResNet-18's strided 3 x 3 convolutions at 12 x 12 and 6 x 6 about 27% less. Weights
    /// that stream (past <see cref="NetworkEmitter.PrefetchedWeightBytes"/>, asked for ahead) take the wider block on any
    /// map: a single vector reads half of each of the block's lines a pass and leaves the rest to the next, and so
    /// asks memory for the whole line at twice the pace its multiply-adds take it (unless one tile of one vector holds
    /// the map at stride 1, its copy in blocks of a vector: <see cref="StreamsOneVectorOverMap"/>). A ResNet-50-style network on 64 x 64
    /// (its 4 x 4 stage's 1024 to 512 filters and 3x3 stride-2 convolutions, 2.1 and 2.4 MB from memory each call) ran
    /// them at 5 to 6 GB/s as 4 x 4 pixels by 1 vector, 8 to 11 GB/s as 2 x 4 by 2: 194 to 293 µs each for 347 to 486,
    /// the network 12% less time (Zen 4). ResNet10Wide's 80 to 160 filters at 4 x 4 (460 KB, from L3) took the same time.
    /// Three vectors where the filters are a multiple of 48 (MobileNets' 96 to 960, their copy in blocks of 48), 21 to 24
    /// accumulators where two keep 14 to 16, measured the same (MobileNetV2 on 224 x 224 0.78 and 0.79 of ONNX Runtime's
    /// time, 0.76 and 0.77 as two; Intel Xeon, alternating rounds), so two are kept.
    /// </summary>
    private static int VectorsOfFilters(ConvolutionPlan c, int lanes, int accumulators)
    {
        if (lanes == WideLanes && WholeMapVectors(c) is var whole && whole > 0) return whole;
        if (lanes == WideLanes && StreamsOneVectorOverMap(c)) return 1;
        long map = (long)c.OutHeight * c.OutWidth;
        bool streams = NetworkEmitter.StreamsWeights(c.WeightCount);
        bool Fits(int vectors) =>
            (long)c.FilterSize * vectors * lanes * sizeof(float) <= CachedWeightBytes || vectors * map <= accumulators || map > accumulators || streams;
        // a block lies within a group: a whole number of them to a group's filters
        int filters = c.FiltersPerGroup;
        int vectors = filters <= lanes ? 1 : filters <= 2 * lanes || filters > 3 * lanes ? 2 : 3;
        bool divides = c.Layer.Groups == 1 || filters % (vectors * lanes) == 0;
        return vectors > 1 && divides && Fits(vectors) ? vectors : 1;
    }

    /// <summary>
    /// 512-bit vectors of filters per block for a layer whose whole output map (at most 8 pixels) one tile holds with
    /// 3 or more of them, else 0. Each accumulator's multiply-adds wait on each other (4 cycles apart, two units), so a
    /// tile needs about 8 to keep the units busy, more while loads from L2 are in flight: 2 x 2 pixels by 2 vectors,
    /// the usual block, left 480 to 80 filters at 2 x 2 at 4.4 to 5.6 µs in a per-layer profile (four runs), where 5
    /// vectors (one block) took 2.8 to 3.5. A block's filters are a whole number of vectors dividing the filters, so that the weight copy keeps
    /// each block together (<see cref="NetworkEmitter.PermutedBlock"/>); failing that, where the copy is one block of
    /// all the filters anyway, as few blocks as cover them, the last narrower (<see cref="FilterRun"/>). Weights that
    /// stream from L3 or memory take them too, their hints asking for a block's whole row: ResNet10Wide's 3x3 layers
    /// onto 2 x 2 (1.8 and 3.7 MB, 2 vectors a block before) went from 25.5 and 48.8 us to 20.0 and 43.8, 73 to 93 and
    /// 76 to 84 GB/s, the network 0.97 of its time and ResNet26Bottleneck64's (56 MB from memory) 0.97 too.
    /// </summary>
    public static int WholeMapVectors(ConvolutionPlan c)
    {
        // a block lies within a group (GroupsFillVectors): a whole number of them to a group's filters
        int filters = c.FiltersPerGroup;
        int accumulators = SimdFlavor.Wide.Accumulators, map = c.OutHeight * c.OutWidth, needed = (filters + WideLanes - 1) / WideLanes;
        if (needed <= 2 || map * 3 > accumulators)
            return 0;
        // the accumulators, a weight register per vector and the broadcast input
        int most = Math.Min(Math.Min(needed, accumulators / map), (SimdFlavor.Wide.Registers - 1) / (map + 1));
        if (filters % WideLanes == 0)
            for (int vectors = most; vectors >= 3; vectors--)
                if (needed % vectors == 0) return vectors;
        if (c.Layer.Groups > 1 || filters % NetworkEmitter.PermutedBlockFilters == 0) return 0;
        int blocks = (needed + most - 1) / most;
        return (needed + blocks - 1) / blocks;
    }

    private const int WideLanes = SimdFlavor.WideLanes;

    /// <summary>
    /// Whether a stride-1 layer whose weights stream (<see cref="NetworkEmitter.StreamsWeights"/>) takes its filters a
    /// 512-bit vector at a time, in one tile of the whole map (9 to 24 pixels, at least 9 accumulators to keep the
    /// multiply-adds in flight; fewer take <see cref="WholeMapVectors"/> or the usual blocks),
    /// its permuted copy in blocks of that vector (<see cref="NetworkEmitter.PermutedBlock"/>): each weight then comes
    /// from L3 or memory once, not once for each of the map's tiles, and each pass reads whole lines one after another,
    /// not half of each 128 bytes as one vector of a block of two did. In the per-layer profile (Intel Xeon, perf's
    /// shares of one process each), the 512-filter 3x3 layers of a ResNet-34 on 112 x 112 (4 x 4 maps, 9.4 MB a call
    /// each) took 6% less time than as 2 x 4 pixels by 2 vectors, those of a ResNet-18 on 99 x 131 (4 x 5) 13% less;
    /// the network 0.79 and 0.77 of ONNX Runtime's time where it took 0.81 and 0.80. Its stride-2 layer onto 4 x 5 took
    /// 1.8 times as long so, hence stride 1 only. Only where L1 holds the layer's whole input: the one tile reads all of
    /// it again for each vector of filters, twice the passes of the usual two-vector blocks, and an input past L1 comes
    /// back from L2 each pass (its 16 to 24 pixels' broadcasts) beside the weights from memory. On Zen 5, in the
    /// per-layer profile of torchvision's ResNeXt-50 32x4d on 128 x 128, its 1024 to 2048 and 2048 to 1024 filters at
    /// 4 x 4 (8 MB each, 64 and 128 KB of input) took 650 to 680 µs each as one vector and 460 to 480 as blocks of two,
    /// the network 0.88 of ONNX Runtime's time where it took 0.93 (alternating processes); ResNet26Bottleneck64's 1024
    /// to 256 and 512 filters 37% less. Those of its ResNet-50 onto 4 x 4 with 512 input channels (32 KB: the 3x3
    /// convolutions, 9.4 MB, and the 1x1 to 2048 filters) took 25 to 35% longer as blocks of two, so they keep one.
    /// </summary>
    public static bool StreamsOneVectorOverMap(ConvolutionPlan c) =>
        c.Layer.Groups == 1 && c.Layer.StrideHeight == 1 && c.Layer.StrideWidth == 1 && c.Filters % WideLanes == 0 && NetworkEmitter.StreamsWeights(c.WeightCount)
        && (long)c.OutHeight * c.OutWidth is var map && map * 3 > SimdFlavor.Wide.Accumulators && map <= SimdFlavor.Wide.Accumulators
        && c.InputBytes <= L1Bytes;

    /// <summary>
    /// Whether the kernel takes each tile through every block of filters before the next tile, not every tile through
    /// one block before the next block. Where the input is more than L1 holds and all the layer's weights fit its
    /// budget, a block's pass over the whole input reads it from L2 again for every block; tile by tile, the tile's
    /// input stays in L1 across the blocks and the weights stay there across the tiles.
    /// </summary>
    public static bool FiltersInnermost(ConvolutionPlan c) =>
        c.Filters > 2 * WideLanes
        && c.WeightCount * sizeof(float) <= CachedLayerWeightBytes
        && c.InputBytes > L1Bytes;

    /// <summary>The bytes of all a layer's weights that may sit in L1 beside a tile's inputs, as every tile reads them all.</summary>
    private const int CachedLayerWeightBytes = 32 * 1024;

    /// <summary>Zen 5's L1 data cache (Zen 4's is 32 KiB).</summary>
    internal const int L1Bytes = 48 * 1024;

    /// <summary>
    /// The first filter of vector <paramref name="k"/> of a block: <paramref name="lanes"/> apart, but a block wider than
    /// the filters puts its last vector on the last filters, overlapping the one before (24 filters: 0 and 8). The
    /// first vector is at 0 whatever the count (the channel kernel takes at least a vector of filters).
    /// </summary>
    public int VectorOffset(int k, int lanes, int filters) => filters < Vectors * lanes ? Math.Min(k * lanes, Math.Max(filters - lanes, 0)) : k * lanes;
}

/// <summary>
/// A run of the channel kernel's blocks of filters, each <c>Tile.Vectors</c> vectors wide: filters
/// <paramref name="First"/> up to <paramref name="End"/>, a block a step.
/// </summary>
internal readonly record struct FilterRun(ChannelTile Tile, int First, int End, bool Pairs = false)
{
    /// <summary>
    /// The blocks of the layer's filters. Where a whole number of blocks falls short of the filters, the rest is a run
    /// of one narrower block (112 filters in blocks of 2 vectors: 0, 32 and 64, then 96 as one vector), not a last
    /// block overlapping the one before, which computes a vector twice (0, 32, 64 and 80: 8 vectors for 7). The
    /// narrower block takes the tile its vectors would have alone, except where the tiles are the outer loop (<see
    /// cref="ChannelTile.FiltersInnermost"/>) or feed a pool, which fix the tile's pixels for every block. Filters past
    /// a whole number of vectors: the last vector overlaps the one before (100 filters: its last at 84).
    /// Vector&lt;float&gt;'s width is the JIT's: one run, its last block overlapping where needed (see
    /// <c>OverlapsFilterBlocks</c>).
    /// </summary>
    public static IReadOnlyList<FilterRun> Of(ConvolutionPlan c, SimdFlavor flavor, ChannelTile tile, bool pooled)
    {
        if (flavor.Lanes is not int lanes) return new[] { new FilterRun(tile, 0, c.Filters) };
        if (flavor == SimdFlavor.Wide && !pooled && PairsChannels(c))
        {
            int paired = FirstPairedFilter(c), vectors = paired / lanes;
            var pairs = new FilterRun(ChannelTile.Of(c, flavor, (c.Filters - paired) / PairedFilters, pooled), paired, c.Filters, Pairs: true);
            if (paired == 0) return new[] { pairs };
            var whole = Split(c, flavor, vectors < tile.Vectors ? ChannelTile.Of(c, flavor, vectors, pooled) : tile, pooled, paired);
            return whole.Append(pairs).ToArray();
        }
        return Split(c, flavor, tile, pooled, c.Filters);
    }

    /// <summary>Filters 0 up to <paramref name="filters"/> in blocks of the tile's vectors, then a narrower block.</summary>
    private static IReadOnlyList<FilterRun> Split(ConvolutionPlan c, SimdFlavor flavor, ChannelTile tile, bool pooled, int filters)
    {
        int lanes = flavor.Lanes!.Value, block = tile.Vectors * lanes, whole = filters / block * block;
        if (whole == filters || whole == 0) return new[] { new FilterRun(tile, 0, filters) };
        int rest = (filters - whole + lanes - 1) / lanes;
        var narrow = ChannelTile.FiltersInnermost(c) || pooled ? tile with { Vectors = rest } : ChannelTile.Of(c, flavor, rest, pooled);
        return new[] { new FilterRun(tile, 0, whole), new FilterRun(narrow, filters - rest * lanes, filters) };
    }

    /// <summary>The filters a vector of channel pairs holds (<see cref="PairsChannels"/>).</summary>
    public const int PairedFilters = SimdFlavor.WideLanes / 2;

    /// <summary>
    /// The first filter a paired layer takes in channel pairs: all of them up to 40 (3 or 5 vectors of pairs a pixel,
    /// one 64-bit broadcast for them all, so the broadcasts do not outnumber the multiply-adds), else the last 8 after
    /// blocks of whole vectors.
    /// </summary>
    public static int FirstPairedFilter(ConvolutionPlan c) => c.Filters <= AllPairedFilters ? 0 : c.Filters - PairedFilters;

    private const int AllPairedFilters = 40;

    /// <summary>Floats of the copy of a paired layer's paired filters, [pair of input channels][filter][channel of the pair]; 0 where it pairs none.</summary>
    public static int PairedWeightLength(ConvolutionPlan c) => PairsChannels(c) ? c.InChannels * (c.Filters - FirstPairedFilter(c)) : 0;

    /// <summary>
    /// Whether the 512-bit channel kernel takes a pointwise layer whose filters end 8 past a whole number of vectors (24,
    /// 40, 72) two input channels at a time (all its filters up to 40, else the last 8: <see cref="FirstPairedFilter"/>):
    /// a 64-bit broadcast of the pair (side by side in a channels-last pixel) against a vector of 8 filters' weights for
    /// both channels, the lanes summed in pairs as the tile stores. 24 filters then take 3 multiply-adds a pixel for two
    /// channels where a block of two vectors, the second overlapping the first, took 4: MobileNetV2Small's 96 and 144
    /// to 24 projections at 24 x 24 went from 16.1 and 23.7 µs to 11.8 and 18.8 (the per-layer profile). Only where
    /// nothing else shapes the tile: one group, a 1x1 unpadded window on a channels-last input of an even number of
    /// channels (a pair never reaches past its pixel), a channels-last output, tiles of their own (not the whole map,
    /// nor every block through each tile).
    /// </summary>
    public static bool PairsChannels(ConvolutionPlan c) =>
        c.Filters % SimdFlavor.WideLanes == PairedFilters && c.Filters > PairedFilters && c.InChannels % 2 == 0
        && c.Layer.Groups == 1 && c.WindowSize == 1 && !c.IsPadded
        && c.InputLayout == Layout.ChannelsLast && c.OutputLayout == Layout.ChannelsLast
        && ChannelTile.WholeMapVectors(c) == 0 && !ChannelTile.FiltersInnermost(c);

    /// <summary>Filters a block covers, the step from one block to the next.</summary>
    public int Step(int lanes) => Tile.Vectors * lanes;
}

/// <summary>
/// Column tiles of a depthwise kernel's output rows, in runs: a tile whose window reaches into the left or right padding
/// is a run of its own, written for its column (the taps on padding left out); the tiles between them, whose windows lie
/// in the input, are one loop. Tile i starts at column min(i * Pixels, OutWidth - Pixels).
/// </summary>
internal readonly record struct DepthwiseColumnRun(int First, int Last, int Chunks, int FirstColumn, bool Loops)
{
    public static IReadOnlyList<DepthwiseColumnRun> Of(ConvolutionPlan c, DepthwiseTile tile)
    {
        var l = c.Layer;
        int pixels = tile.Pixels, chunks = (c.OutWidth + pixels - 1) / pixels;
        int Start(int i) => Math.Min(i * pixels, c.OutWidth - pixels);
        bool Inside(int ox) =>
            ox * l.StrideWidth - l.PadLeft >= 0 && (ox + pixels - 1) * l.StrideWidth + (l.KernelWidth - 1) * l.DilationWidth - l.PadLeft < c.Width;
        var runs = new List<DepthwiseColumnRun>();
        for (int i = 0; i < chunks;)
        {
            int last = i;
            if (Inside(Start(i)))
                while (last + 1 < chunks && Inside(Start(last + 1))) last++;
            runs.Add(new DepthwiseColumnRun(i, last, chunks, Start(i), Loops: last > i));
            i = last + 1;
        }
        return runs;
    }
}

/// <summary>The register tile of the depthwise kernel: Rows x Pixels neighbouring outputs of one vector of channels.</summary>
internal readonly record struct DepthwiseTile(int Rows, int Pixels)
{
    /// <summary>Multiply-adds one kernel row of a tile may unroll into (NetworkEmitter's budget for a whole window).</summary>
    public const int RowBudget = 256;

    /// <summary>Whether a kernel row's weight vectors stay in registers: when they take at most half of them.</summary>
    public bool KeepsRow(int kernelWidth, SimdFlavor flavor) => kernelWidth <= flavor.Registers / 2;

    /// <summary>
    /// Whether the kernel takes a row of tiles through every vector of channels before the next row, not every row
    /// through one vector of channels before the next vector. Where a pixel holds more than two 512-bit vectors of
    /// channels and the map is 8 x 8 or more, one vector's pass reads 64 bytes of each pixel's 192 or more, lines
    /// apart, over an input that L1 does not hold, and the prefetchers fetch lines the pass does not use: in the
    /// per-layer profile (two rounds each), the depthwise convolutions of three MobileNets at 12 x 12 to 48 x 48, 48 to
    /// 160 channels, took 10 to 33% less time in rows (one of eleven measured 5% more once). Smaller maps measured
    /// within the profile's noise either way. Two vectors too where the map is past 1 MiB: a pass reads 64 bytes of
    /// each 128, whose other half the adjacent-line prefetcher brings and L2 no longer holds for the next pass.
    /// torchvision's MobileNetV2 on 224 x 224 has 32 channels at 112 x 112 (1.6 MB): 2.9 to 3.1% of perf's samples in
    /// rows where it took 3.4 to 3.9 (three alternating rounds, Intel); at 48 x 48 (295 KB) either order measured
    /// within the noise.
    /// </summary>
    public static bool ChannelsInnermost(ConvolutionPlan c) =>
        c.Height * c.Width >= 64
        && (c.InChannels > 2 * SimdFlavor.WideLanes || (c.InChannels > SimdFlavor.WideLanes && c.InputBytes > TwoVectorMapBytes));

    private const int TwoVectorMapBytes = 1 << 20;

    /// <summary>
    /// Whether, in the rows-first order (<see cref="ChannelsInnermost"/>), each tile goes through every vector of
    /// channels (of its band, <see cref="BandChannels"/>) before the next tile of the row, rather than the row of tiles
    /// through one vector before the next vector: where a pixel's channels (a band's) are at most two 512-bit vectors,
    /// or at most six at a stride of 2 or more. A tile then reads each input pixel's channels as one run of lines, where
    /// a row of tiles' pass read one line of each pixel, lines apart. In the per-layer profile (four alternating rounds,
    /// Intel), torchvision's MobileNetV2 on 224 x 224: its 96 channels from 112 x 112 at stride 2 took 4.0 to 4.6% of
    /// perf's samples where they had taken 5.7 to 5.9, its 32 channels at 112 x 112 at stride 1 2.1 to 2.5 where 3.0 to
    /// 3.6; MobileNetV3-Large on 128 x 128, its 64 channels from 64 x 64 at stride 2, 1.6 to 1.7 where 2.0 to 2.2. Nine
    /// vectors lost: 144 channels at 56 x 56 took 2.9 to 3.0 where rows of tiles took 2.7 to 2.8 at stride 1, and 1.1 to
    /// 1.2 where 1.1 at stride 2; so did bands of six at stride 1 (MobileNetV2 on 96 x 96, 192 channels at 12 x 12 in
    /// bands of 96: 0.6 to 0.7 where 0.5 to 0.6).
    /// </summary>
    public static bool ChannelsPerTile(ConvolutionPlan c, DepthwiseTile tile)
    {
        if (!ChannelsInnermost(c)) return false;
        int vectors = (BandChannels(c, tile) + SimdFlavor.WideLanes - 1) / SimdFlavor.WideLanes;
        return vectors <= 2 || (vectors <= 6 && (c.Layer.StrideHeight > 1 || c.Layer.StrideWidth > 1));
    }

    /// <summary>
    /// Channels a band of the rows-first order takes (<see cref="ChannelsInnermost"/>): every row of tiles goes through
    /// a band's vectors of channels before the next band, so that the input rows a row of tiles reads, which the next
    /// row of tiles reads again (all three of a 3x3 window's but one at stride 1), are still in L1 then. As many whole
    /// 512-bit vectors as keep those rows of the band within <see cref="BandBytes"/>, the bands evened out; all the
    /// channels where they fit, where L1 holds the whole input (a 96 x 8 x 8 map), or in the other order. In the
    /// per-layer profile (three alternating rounds), MobileNetV2Small's six such layers (96 to 192 channels at 48 x 48
    /// to 12 x 12, bands of 32 to 96) took 28 to 41 µs together where they had taken 33 to 48. Where the budget holds
    /// fewer than two vectors' rows (rows of 56 pixels and more), all the channels too: a band of one vector reads 64
    /// bytes of each pixel's 288 or more over a map that is past L2 or nearly, the sparse pass that the rows-first
    /// order is there to avoid, where all the channels read each pixel's lines together and reread the rows from L2.
    /// In the per-layer profile of torchvision's MobileNetV2 on 224 x 224 (three alternating rounds under perf, Intel),
    /// its 96 channels from 112 x 112 to 56 x 56 at stride 2 took 370 to 410 µs where bands of one vector took 640 to
    /// 750, its 144 channels at 56 x 56 at stride 1 195 to 205 where they took 235 to 310.
    /// </summary>
    public static int BandChannels(ConvolutionPlan c, DepthwiseTile tile)
    {
        if (!ChannelsInnermost(c) || c.InputBytes <= ChannelTile.L1Bytes) return c.InChannels;
        var l = c.Layer;
        long rows = (long)(tile.Rows - 1) * l.StrideHeight + (l.KernelHeight - 1) * l.DilationHeight + 1;
        long bytesPerVector = rows * c.Width * SimdFlavor.WideLanes * sizeof(float);
        int vectors = (c.InChannels + SimdFlavor.WideLanes - 1) / SimdFlavor.WideLanes;
        if (BandBytes / bytesPerVector < 2) return c.InChannels;
        int most = (int)System.Math.Min(vectors, BandBytes / bytesPerVector);
        int bands = (vectors + most - 1) / most;
        return bands == 1 ? c.InChannels : (vectors + bands - 1) / bands * SimdFlavor.WideLanes;
    }

    /// <summary>Half of Zen 5's 48 KiB L1 (Zen 4's is 32): the rest for the outputs, the weights and what the prefetchers bring.</summary>
    private const int BandBytes = 24 * 1024;

    public static DepthwiseTile For(ConvolutionPlan c, SimdFlavor flavor)
    {
        int kw = c.Layer.KernelWidth;
        // besides the accumulators: a kernel row's weights (when kept), the bias and one input vector
        int registers = flavor.Registers - 2 - (kw <= flavor.Registers / 2 ? kw : 0);
        int accumulators = Math.Max(1, Math.Min(Math.Min(flavor.Accumulators, registers), RowBudget / kw));
        int pixels = c.OutWidth;
        if (pixels > accumulators)
        {
            int tiles = (c.OutWidth + Math.Min(accumulators, 12) - 1) / Math.Min(accumulators, 12);
            pixels = (c.OutWidth + tiles - 1) / tiles;
        }
        return new DepthwiseTile(ColumnTile.RowsPerTile(c.OutHeight, Math.Max(1, accumulators / pixels)), pixels);
    }
}

/// <summary>
/// Every decision about a Dense layer's weights, derived once from the layer, its shapes and its step: whether it keeps
/// them a second time in chunks of columns, whether it lists its nonzero inputs, whether they stream from beyond L2,
/// and where its copy and flag lie.
/// </summary>
/// <param name="PermutedOffset">Where its copy in chunks starts in the parameter span (<see cref="Step.PermutedOffset"/>), -1 before the plan places it.</param>
/// <param name="InputHoldsZeros">Whether its input is likely to hold exact zeros (<see cref="Step.InputHoldsZeros"/>).</param>
internal sealed record DensePlan(DenseOp Layer, LayerShapes Shapes, int PermutedOffset, bool InputHoldsZeros)
{
    public static DensePlan For(Step step) => new((DenseOp)step.Op, step.Shapes, step.PermutedOffset, step.InputHoldsZeros);

    public int Inputs => Shapes.Input.Length;

    /// <summary>
    /// Whether the layer keeps its weights a second time, in chunks of columns (<see cref="NetworkEmitter.DenseColumnChunks"/>),
    /// for the 512-bit path: where they are at least a vector of outputs wide, whether the model keeps them as nn.Linear's
    /// [outputs, inputs] or as ONNX's MatMul's [inputs, outputs]. Each input then scales one contiguous row of a chunk
    /// into the vectors of outputs held in registers: each chunk is one stream, which the hardware prefetchers follow,
    /// and there are no sums across lanes. LeNet-5's 400 x 120 layer took 1.23 us where rows of 8 took 1.9; a 576 x 1024
    /// layer streamed from L3 25 us where rows took 32 (93 GB/s against 74: 8 rows are 8 short streams), and where a
    /// MatMul's row of each input scaled into the outputs in memory took 30. Past 16 MiB (a VGG's 25088 x 4096) the
    /// layer reads its rows: there a copy would cost more memory than the 15% it saves.
    /// </summary>
    public bool KeepsColumns => Layer.Outputs >= SimdFlavor.Wide.Lanes!.Value && (long)Inputs * Layer.Outputs <= MostColumnFloats;

    private const int MostColumnFloats = 1 << 22;

    /// <summary>
    /// Whether the layer, with its copy in chunks, skips the rows of inputs that are zero (<c>CnnGen.DenseInputs</c>, in
    /// the library): where its input is likely to hold zeros (after a ReLU, not a global average) and its inputs'
    /// positions fit on the stack, 16 KiB. Its copy is followed by one float, 1 when every weight is finite (then
    /// skipping is exact) and 0 otherwise, written at load time (<see cref="ZeroInputsFlagAt"/>).
    /// </summary>
    public bool SkipsZeroInputs => InputHoldsZeros && KeepsColumns && Inputs <= MostSkippingInputs;

    /// <summary>The most inputs (or input channels, for a convolution that skips zero channels) whose positions a layer lists on the stack.</summary>
    internal const int MostSkippingInputs = 4096;

    /// <summary>Whether its weights are more than L2 keeps, so that they stream from L3 or memory each call and are asked for ahead.</summary>
    public bool StreamsWeights => NetworkEmitter.StreamsWeights((long)Inputs * Layer.Outputs);

    /// <summary>The finite-weights float of a layer that <see cref="SkipsZeroInputs"/>: right after its copy, the last of its permuted block.</summary>
    public int ZeroInputsFlagAt => checked(PermutedOffset + Inputs * Layer.Outputs);

    /// <summary>Floats of its copy in chunks of columns (and its finite-weights flag), or 0 when it reads its weights as the model keeps them.</summary>
    public int PermutedLength => KeepsColumns ? Inputs * Layer.Outputs + (SkipsZeroInputs ? 1 : 0) : 0;
}
