using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    // the budgets live in UnrollBudget, where the parser reads them too (CNN0015)
    private const int StraightLineMultiplyAdds = UnrollBudget.StraightLineMultiplyAdds;
    private const int UnrolledWindowTaps = UnrollBudget.UnrolledWindowTaps;

    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    public static bool IsStraightLine(ConvolutionPlan c) => c.MultiplyAdds <= StraightLineMultiplyAdds;

    /// <summary>The flavors a layer's SIMD methods are written for, in the order its entry point tries them.</summary>
    private static readonly SimdFlavor[] Flavors = { SimdFlavor.Wide, SimdFlavor.Portable };

    private static readonly SimdFlavor[] HalfFlavors = { SimdFlavor.Half, SimdFlavor.Portable };

    private static readonly SimdFlavor[] QuarterFlavors = { SimdFlavor.Quarter, SimdFlavor.Portable };

    /// <summary>
    /// The flavors a convolution's methods are written in: one of fewer filters than a 512-bit vector holds (at least
    /// 4: Layouts.KernelFor), channels-last or in PyTorch's layout where the 512-bit path has no kernel for it (strided,
    /// or rows narrower than its vectors: a MobileNet's stem of 8 filters at stride 2, which ran scalar loops and took
    /// 280 of a 0.25-wide MobileNet's 435 µs on 128 x 128), takes 256- or 128-bit vectors in the 512-bit path's place.
    /// So does a depthwise one of 4 to 15 channels that runs the depthwise kernel (channels-last, or strided on a
    /// channels-last copy of its input).
    /// A grouped one in PyTorch's layout whose groups hold whole 256- or 128-bit vectors of filters but not 512-bit ones
    /// (a ResNeXt's 32 groups of 8 or 4), where the 512-bit path has no kernel for it (strided, or rows narrower than its
    /// vectors), takes 256- or 128-bit vectors in that path's place: the channel kernel a group at a time.
    /// </summary>
    private static SimdFlavor[] FlavorsOf(ConvolutionPlan c)
    {
        if (c.Layer.Groups > 1 && !c.IsChannelsLast && !c.GroupsFillVectors && KernelFor(c, SimdFlavor.Wide) == VectorKernel.None)
            return c.GroupsHoldVectorsOf(SimdFlavor.Half.Lanes!.Value) ? HalfFlavors : c.GroupsHoldVectorsOf(SimdFlavor.Quarter.Lanes!.Value) ? QuarterFlavors : Flavors;
        bool narrow = c.Filters < Layouts.LeastChannels && c.Filters >= Layouts.NarrowestChannels && (c.Layer.Groups == 1
            ? c.IsChannelsLast || KernelFor(c, SimdFlavor.Wide) == VectorKernel.None
            : c.IsDepthwise && (c.IsChannelsLast || TransposesInput(c)));
        return narrow ? c.Filters >= SimdFlavor.Half.Lanes ? HalfFlavors : QuarterFlavors : Flavors;
    }

    /// <summary>
    /// Every flavor the plan's methods are written in, for the vector helpers they call: a convolution's own, and 256-bit
    /// vectors where its 512-bit kernel stores filters 8 floats at a time (<see cref="FilterRun.PairsChannels"/>).
    /// </summary>
    private static IEnumerable<SimdFlavor> FlavorsOf(ExecutionPlan plan) =>
        Flavors.Concat(plan.Steps.Where(s => s.Op is ConvolutionOp).Select(ConvolutionPlan.For)
            .SelectMany(c => FilterRun.PairsChannels(c) ? FlavorsOf(c).Append(SimdFlavor.Half) : FlavorsOf(c))).Distinct();

    /// <summary>
    /// Which SIMD method a convolution gets in a flavor (None: the next flavor's, or the scalar loops).
    /// Stride-1 rows are contiguous in memory, so a vector can hold neighbouring output columns;
    /// vectors across output channels suit strided rows and rows that fill vectors badly.
    /// </summary>
    public static VectorKernel KernelFor(ConvolutionPlan c, SimdFlavor flavor)
    {
        if (IsStraightLine(c)) return VectorKernel.None;
        // channels-last values: the layout pass chose them for the kernels across channels (Layouts.KernelFor), in every flavor
        if (c.IsChannelsLast) return !c.GroupsFillVectors ? VectorKernel.Depthwise : Winograd.Applies(c) ? VectorKernel.Winograd : VectorKernel.Channels;
        if (TransposesInput(c)) return VectorKernel.Depthwise;
        if (flavor.Lanes is not int lanes)
            return UsesChannelVectors(c) ? VectorKernel.Channels : c.Layer.StrideWidth == 1 ? VectorKernel.Columns : VectorKernel.None;
        // filters past a whole number of vectors: the last vector of filters overlaps the one before; groups of filters
        // take the kernel group by group where each holds whole vectors
        bool channels = c.GroupsHoldVectorsOf(lanes) && c.Filters >= lanes;
        bool columns = c.Layer.StrideWidth == 1 && c.OutWidth >= lanes;
        if (columns && channels) return FillsVectors(c.OutWidth, lanes) ? VectorKernel.Columns : VectorKernel.Channels;
        return columns ? VectorKernel.Columns : channels ? VectorKernel.Channels : VectorKernel.None;
    }

    /// <summary>
    /// Whether the channel kernel's last block of filters overlaps the one before, which lets it take any number of
    /// filters of at least a block (24 filters: blocks at 0 and 8). Vector&lt;float&gt;'s width is the JIT's, so its
    /// blocks may not divide the filters, except in PyTorch's layout where 16 do (its kernel then steps plainly). A
    /// known width ends on a narrower block instead (<see cref="FilterRun.Of"/>). Groups hold whole 512-bit vectors
    /// (<see cref="ConvolutionPlan.GroupsFillVectors"/>), and Vector&lt;float&gt;'s block is one vector where a group
    /// is not two (<see cref="ChannelTile.For"/>): their blocks divide a group's filters.
    /// </summary>
    private static bool OverlapsFilterBlocks(ConvolutionPlan c, SimdFlavor v) =>
        v.Lanes is null && c.Layer.Groups == 1 && (c.IsChannelsLast || c.Filters % 16 != 0);

    /// <summary>The fewest filters the Vector&lt;float&gt; channel kernel takes in PyTorch's layout: AVX2's 8 lanes.</summary>
    private const int PortableLeastFilters = 8;

    /// <summary>At least 90% of the lanes computed along a row are outputs (a 10-wide row in 8-lane vectors wastes 6 of 16).</summary>
    private static bool FillsVectors(int width, int lanes) => width * 10 >= (width + lanes - 1) / lanes * lanes * 9;

    /// <summary>
    /// Vector&lt;float&gt; across output channels, when rows are strided or fill vectors of 8 columns
    /// badly: the weights are then kept a second time, permuted to [input channel][tap][filter] at
    /// load time, so a filter vector is one load. From 8 filters (a block of one vector where they are fewer than 16,
    /// <see cref="ChannelTile.For"/>), so that without AVX-512 a MobileNet's stem of 8 filters at stride 2 runs on
    /// AVX2's vectors too; the entry point runs it where Vector&lt;float&gt; holds no more lanes than the filters.
    /// </summary>
    private static bool UsesChannelVectors(ConvolutionPlan c)
    {
        if (IsStraightLine(c) || !c.GroupsFillVectors || c.Filters < PortableLeastFilters) return false;
        return c.Layer.StrideWidth != 1 || c.OutWidth < 8 || !FillsVectors(c.OutWidth, 8);
    }

    /// <summary>The name of a convolution's SIMD method, as its definition and its callers spell it.</summary>
    private static string KernelMethodName(ConvolutionPlan c, VectorKernel kernel, SimdFlavor flavor) => c.Method + kernel switch
    {
        VectorKernel.Channels => "Channels",
        VectorKernel.Depthwise => "Depthwise",
        VectorKernel.Winograd => "Winograd",
        VectorKernel.Columns or VectorKernel.None => "Vector",
    } + flavor.Suffix;

    /// <summary>
    /// Floats in the copy a vectorized convolution reads its input from: zero-bordered, or channels-last for a depthwise
    /// convolution on PyTorch's layout (<see cref="TransposesInput"/>); 0 when it reads its input as it is.
    /// </summary>
    public static int PaddedInputLength(ConvolutionPlan c) =>
        TransposesInput(c) ? c.InChannels * c.Height * c.Width
        : ReadsInputCopy(c) && FlavorsOf(c).Any(f => ReadsZeroBorderedCopy(KernelFor(c, f))) ? c.InChannels * c.PaddedHeight * c.PaddedWidth : 0;

    /// <summary>
    /// Whether a depthwise convolution whose input keeps PyTorch's layout runs the depthwise kernel on a channels-last
    /// copy of its input (made each call): where it is strided, which no kernel vectorizes in that layout (a stride-2
    /// one after the network's input, an upsampling or a step that keeps that layout), and wherever it writes
    /// channels-last (which the layout pass lets only a strided one do: <see cref="Layouts.CopiesInputChannelsLast"/>).
    /// It stores a vector a pixel where its output is channels-last, else a lane at a time. Before, such a convolution
    /// ran scalar loops: 72 channels 5x5 from 56 x 56 to 28 x 28 took 800 µs, 2.7 times ONNX Runtime's whole network
    /// around it.
    /// </summary>
    internal static bool TransposesInput(ConvolutionPlan c) =>
        c.InputLayout == Layout.ChannelsFirst && (c.Layer.StrideWidth > 1 || c.OutputLayout == Layout.ChannelsLast) &&
        Layouts.TakesDepthwiseKernel(c) && !IsStraightLine(c);

    /// <summary>Whether the column and channel kernels read the input from the buffer of its copy: zero-bordered, or in chunks (<see cref="CopyChunk"/>).</summary>
    private static bool ReadsInputCopy(ConvolutionPlan c) => c.IsPadded || CopyChunk(c) > 0;

    /// <summary>
    /// The channels of each chunk of the copy that the channel kernel reads a channels-last input from where its pixels
    /// fall in at most 2 of L1's 64 sets (512 channels or more, 2 KiB apart), or 0 where it reads the input (or its
    /// zero-bordered copy) as it is. The copy puts each chunk's map apart, a pixel's channels of the chunk side by side
    /// ([chunk][row][column][channel of the chunk]), zero-bordered where the layer is padded: a group's channels, or 16
    /// of one group. A 3x3 stride-2 window over 8 outputs of a row reads 51 pixels an input channel, more than the 24
    /// lines those 2 sets hold, so in the input itself most broadcasts came from L2. In the per-layer profile (Zen 5): a
    /// ResNeXt's 512 channels to 8 x 8 in 32 groups of 16 took 213 µs without the copy, 71 with it, in 8 groups of 64
    /// 359 and 201, where at 256 channels (4 sets) 8 groups of 32 took 186 µs without it and 230 with it; one group, 512
    /// channels to 256 at 8 x 8 ran at 112 GFLOP/s, 1,024 channels (1 set) at 66, 256 channels at 200. A 1x1 window
    /// reads a line a pixel of the tile: at most 24, which it reads for 16 channels running.
    /// </summary>
    private static int CopyChunk(ConvolutionPlan c)
    {
        if (c.InputLayout != Layout.ChannelsLast || L1SetsOfStride((long)c.InChannels * sizeof(float)) > 2) return 0;
        if (c.Layer.Groups > 1) return c.ChannelsPerGroup;
        return c.WindowSize > 1 && c.InChannels % ChunkChannels == 0 ? ChunkChannels : 0;
    }

    /// <summary>A chunk of one group's channels: a cache line of each pixel.</summary>
    private const int ChunkChannels = 16;

    /// <summary>The sets of a 64-set L1 cache (Zen 4's and Zen 5's) that addresses a multiple of <paramref name="bytes"/> apart fall in.</summary>
    private static long L1SetsOfStride(long bytes)
    {
        if (bytes % CacheLineBytes != 0) return L1Sets;
        long lines = bytes / CacheLineBytes, common = L1Sets;
        while (lines % common != 0) common /= 2;
        return L1Sets / common;
    }

    private const int L1Sets = 64, CacheLineBytes = 64;

    /// <summary>
    /// Whether a kernel reads a padded layer's input from a zero-bordered copy. The depthwise kernel leaves out the taps
    /// past the border instead (its inputs are the widest maps of a MobileNet, a 96 x 48 x 48 expansion, where the copy
    /// cost as much as the convolution), and Winograd's takes an input tile's rows and columns on padding as zeros.
    /// </summary>
    private static bool ReadsZeroBorderedCopy(VectorKernel kernel) => kernel switch
    {
        VectorKernel.Columns or VectorKernel.Channels => true,
        VectorKernel.Depthwise or VectorKernel.Winograd or VectorKernel.None => false,
    };

    /// <summary>
    /// The most rows a tile of the convolution's kernels takes in any of its flavors, where every kernel it runs can
    /// compute a range of output rows (<see cref="ConvolutionPlan.TakesRowRange"/>): the channel kernel on its input as it
    /// is, the depthwise kernel on a channels-last input, and the scalar loops; else null.
    /// </summary>
    internal static int? RowRangeTileRows(ConvolutionPlan c)
    {
        if (IsStraightLine(c)) return null;
        int most = 1;
        foreach (var flavor in FlavorsOf(c))
        {
            int? rows = KernelFor(c, flavor) switch
            {
                // a copy of the input made whole before the first tile, by the first call; one made a row at a time as the tiles
                // reach the rows goes on from the rows the tiles before the range read
                VectorKernel.Channels when (ReadsInputCopy(c) && !CopiesRowsAsNeeded(c)) || SkipsZeroChannels(c) => null,
                VectorKernel.Channels => FilterRun.Of(c, flavor, ChannelTile.For(c, flavor), pooled: false).Max(run => run.Tile.Rows),
                VectorKernel.Depthwise when TransposesInput(c) => null,
                VectorKernel.Depthwise => DepthwiseTile.For(c, flavor).Rows,
                // the scalar loops take a row at a time
                VectorKernel.None => 1,
                VectorKernel.Columns or VectorKernel.Winograd => null,
            };
            if (rows is not int known) return null;
            most = Math.Max(most, known);
        }
        return most;
    }

    /// <summary>The parameters of a method that computes a range of output rows (<see cref="ConvolutionPlan.TakesRowRange"/>), after the others.</summary>
    private static string RowRangeParameters(ConvolutionPlan c) => c.TakesRowRange ? ", int rowFrom, int rowTo" : "";

    /// <summary>The first output row a convolution's method computes, and one past its last: its range's, or the whole map's.</summary>
    private static (string From, string To) OutputRows(ConvolutionPlan c) => c.TakesRowRange ? ("rowFrom", "rowTo") : ("0", Literal.Int(c.OutHeight));

    /// <summary>
    /// The loop over a kernel's rows of tiles of <paramref name="tileRows"/> rows, each at row oy: the last overlaps the one
    /// before where the rows are not a whole number of tiles. A range's last tile ends at its end (RowBands makes every
    /// range hold a tile), so it may redo rows before the range.
    /// </summary>
    private static void OpenRowsOfTiles(SourceWriter w, SourceWriter.Nest loops, ConvolutionPlan c, int tileRows)
    {
        var (firstRow, rowsEnd) = OutputRows(c);
        loops.Open($"for (int pair = {firstRow}; pair < {rowsEnd}; pair += {tileRows})");
        w.WriteLine(tileRows > 1 ? $"int oy = global::System.Math.Min(pair, {(c.TakesRowRange ? Linear(-tileRows, (rowsEnd, 1)) : Literal.Int(c.OutHeight - tileRows))});" : "int oy = pair;");
    }

    /// <summary>Whether a vector kernel of a known width (512, 256 or 128 bits) runs the convolution in any of its flavors.</summary>
    internal static bool RunsOnKnownVectors(ConvolutionPlan c) => FlavorsOf(c).Any(f => f.Lanes is not null && KernelFor(c, f) != VectorKernel.None);

    /// <summary>
    /// The kernel whose weight copy a convolution keeps: in PyTorch's layout the flavors differ only between columns
    /// and channels (the channel kernel's copy is then needed), channels-last gives every flavor one kernel.
    /// </summary>
    private static VectorKernel PermutedKernel(ConvolutionPlan c) => FlavorsOf(c).Select(f => KernelFor(c, f)).Max();

    /// <summary>
    /// Filters whose weights the permuted copy of a channel-vector or Winograd convolution keeps together: 32 (two
    /// 512-bit vectors, and a whole number of every flavor's filter steps) where they divide the filters, else all of
    /// them. A block of filters is then one contiguous stream as the kernel walks its input channels and taps, where
    /// rows of all the filters put each 128 bytes it reads 2 KiB from the last (512 filters): two reads a 4 KiB page,
    /// which no prefetcher follows (a ResNet-18's 3 x 3 stage, 9 MB of weights a layer, ran at a third of the FMA rate).
    /// A channel kernel whose one tile holds the whole map takes its filters in blocks of more vectors
    /// (<see cref="ChannelTile.WholeMapVectors"/>): its copy's blocks are those where they divide the filters; one whose
    /// weights stream onto a map one tile of a vector holds, blocks of that vector (<see cref="ChannelTile.StreamsOneVectorOverMap"/>). A block
    /// lies within a group, whose filters read its input channels alone: a group of fewer or other filters than 32 is
    /// a block of its own.
    /// </summary>
    public static int PermutedBlock(ConvolutionPlan c) =>
        PermutedKernel(c) == VectorKernel.Channels && ChannelTile.WholeMapVectors(c) * SimdFlavor.WideLanes is var whole && whole > 0 && c.FiltersPerGroup % whole == 0 ? whole
        : PermutedKernel(c) == VectorKernel.Channels && ChannelTile.StreamsOneVectorOverMap(c) ? SimdFlavor.WideLanes
        : c.FiltersPerGroup % PermutedBlockFilters == 0 ? PermutedBlockFilters
        : c.FiltersPerGroup;

    /// <summary>
    /// Filters a block of the weight copy the Vector&lt;float&gt; channel kernel reads, where it keeps its own: one pass
    /// of its vectors at AVX2's 8 lanes (<see cref="PortableBlockLanes"/>), where those divide a group's filters; else 0,
    /// and it reads <see cref="PermutedBlock"/>'s. The copy is written in one layout or the other as the entry points
    /// will choose (<see cref="WriteWeightPermutation"/>): its blocks of the 512-bit kernel's filters where that kernel
    /// runs, of this one's where it does not. A pass then reads each row of its block whole, one line after the next,
    /// where in the 512-bit kernel's blocks (64 filters on a 2 x 2 map) two vectors of 8 read one line of every four.
    /// Without AVX-512 (Zen 3, AVX2), ResNet26Bottleneck64's 1x1 layers on 2 x 2 (4 and 8 MB of weights from memory)
    /// streamed at about 10 GB/s where ONNX Runtime's NCHWc8 kernels, which read theirs in order, took 20, and the
    /// network 1.18 of ONNX Runtime's time; in blocks of the pass, 0.93. Vector&lt;float&gt; of 16 lanes (where
    /// Vector512 is not accelerated but Vector&lt;T&gt; is 512 bits wide) would cross the blocks: its entry point then
    /// takes the scalar loops.
    /// </summary>
    public static int PortablePermutedBlock(ConvolutionPlan c) =>
        PermutedKernel(c) == VectorKernel.Channels && KernelFor(c, SimdFlavor.Portable) == VectorKernel.Channels
        && ChannelTile.For(c, SimdFlavor.Portable).Vectors * PortableBlockLanes is var block && c.FiltersPerGroup % block == 0 ? block : 0;

    /// <summary>The lanes a Vector&lt;float&gt; pass's own weight blocks are planned for: AVX2's.</summary>
    internal const int PortableBlockLanes = 8;

    /// <summary>The block of filters the <paramref name="flavor"/> channel kernel's weight copy holds together.</summary>
    private static int PermutedBlock(ConvolutionPlan c, SimdFlavor flavor) =>
        flavor == SimdFlavor.Portable && PortablePermutedBlock(c) is var own && own > 0 ? own : PermutedBlock(c);

    private const int PermutedBlockShift = 5;
    internal const int PermutedBlockFilters = 1 << PermutedBlockShift;

    /// <summary>
    /// Where filter <paramref name="filter"/>'s weight of row 0 sits from a permuted copy's start, the copy being
    /// <paramref name="rows"/> rows (a group's input channels, taps) of <see cref="PermutedBlock"/> filters per block;
    /// row r is r * PermutedBlock floats on. The filter is a multiple of the kernel's step, so its vectors lie in its block.
    /// </summary>
    private static string PermutedColumn(ConvolutionPlan c, string filter, int rows) => PermutedColumn(c, filter, rows, PermutedBlock(c));

    /// <summary>As above, in a copy of blocks of <paramref name="block"/> filters.</summary>
    private static string PermutedColumn(ConvolutionPlan c, string filter, int rows, int block) => block switch
    {
        _ when block == c.Filters => filter,
        PermutedBlockFilters => $"({filter} >> {PermutedBlockShift}) * {(long)rows * PermutedBlockFilters} + ({filter} & {PermutedBlockFilters - 1})",
        _ => $"{filter} / {block} * {(long)rows * block} + {filter} % {block}",
    };

    /// <summary>Floats of the permuted weight copy a channel-vector convolution keeps after the parameters, or 0.</summary>
    public static int PermutedWeightLength(ConvolutionPlan c) => PermutedKernel(c) switch
    {
        // the weight tensor's own length, which CNN0017 keeps within an int
        VectorKernel.Channels => (int)c.WeightCount + FilterRun.PairedWeightLength(c) + (SkipsZeroChannels(c) ? 1 : 0),
        VectorKernel.Depthwise => c.Filters * c.WindowSize,
        VectorKernel.Winograd => Winograd.WeightLength(c),
        VectorKernel.None or VectorKernel.Columns => 0,
    };

    /// <summary>The arguments of a step's method at its call in Run: source, destination, then what the method needs.</summary>
    private static IEnumerable<string> CallArguments(Step step)
    {
        foreach (var source in step.Sources) yield return source;
        yield return step.Destination;
        if (step.Shapes.Tensors.Count > 0) yield return "p";
        if (step.Op is ConvolutionOp)
        {
            var plan = ConvolutionPlan.For(step);
            if (PaddedInputLength(plan) > 0) yield return $"buffers.{PaddedBuffer(step)}";
            if (Winograd.ScratchLength(plan) > 0) yield return $"buffers.Winograd{step.Index}";
            if (step.Pool is not null) yield return $"buffers.Unpooled{step.Index}";
        }
    }

    /// <summary>The parameter a convolution's methods take after x when it adds a Residual's shortcut as it stores, else nothing.</summary>
    private static string ShortcutParameter(ConvolutionPlan c) => c.AddsShortcut ? $"{ReadOnlySpan} shortcut, " : "";

    /// <summary>The field holding a vectorized convolution's zero-bordered input: "Padded3", a stride phase's "PaddedLayer3ConvTranspose2DPhase1x0".</summary>
    private static string PaddedBuffer(Step step) => step.Phase is null ? $"Padded{step.Index}" : $"Padded{MethodName(step)}";

    /// <summary>The methods of one step of the plan.</summary>
    private static void WriteStep(SourceWriter w, Step step) => step.Op.Accept(new StepWriter(w, step));

    /// <summary>Each op's methods; the views (Flatten, Dropout, Identity) never reach here, the passes leave them no step.</summary>
    private sealed class StepWriter : IOpVisitor<bool>
    {
        private readonly SourceWriter _w;
        private readonly Step _step;

        public StepWriter(SourceWriter w, Step step)
        {
            _w = w;
            _step = step;
        }

        public bool Convolution(ConvolutionOp op)
        {
            WriteConvolutionStep(_w, _step);
            return true;
        }

        public bool Pool(PoolOp op)
        {
            if (_step.InputLayout == Layout.ChannelsLast) WriteChannelsLastPool(_w, _step.Index, new PoolPlan(op, _step.Shapes), _step.OutputLayout);
            else WritePool(_w, _step.Index, new PoolPlan(op, _step.Shapes));
            return true;
        }

        public bool GlobalPool(GlobalPoolOp op)
        {
            WriteGlobalPool(_w, _step.Index, op, _step.Shapes, _step.InputLayout);
            return true;
        }

        public bool AdaptivePool(AdaptivePoolOp op)
        {
            WriteAdaptivePool(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool Dense(DenseOp op)
        {
            WriteDense(_w, _step.Index, DensePlan.For(_step));
            return true;
        }

        public bool BatchNorm(BatchNormOp op)
        {
            WriteBatchNorm(_w, _step, op);
            return true;
        }

        public bool Activation(ActivationOp op)
        {
            WriteActivation(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool PReLU(PReLUOp op)
        {
            WritePReLU(_w, _step.Index, op, _step.Shapes, _step.InputLayout);
            return true;
        }

        public bool Flatten(FlattenOp op) => throw new InvalidOperationException("Flatten is a view; the passes give it no step.");

        public bool Dropout(DropoutOp op) => throw new InvalidOperationException("Dropout is a view; the passes give it no step.");

        public bool Identity(IdentityOp op) => throw new InvalidOperationException("Identity is a view; the passes give it no step.");

        public bool Softmax(SoftmaxOp op)
        {
            WriteSoftmax(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool Add(AddOp op)
        {
            WriteAdd(_w, _step, op);
            return true;
        }

        public bool Concat(ConcatOp op)
        {
            WriteConcat(_w, _step, op);
            return true;
        }

        public bool Multiply(MultiplyOp op)
        {
            WriteMultiply(_w, _step.Index, op, _step.Shapes, _step.InputLayout);
            return true;
        }

        public bool Pad(PadOp op)
        {
            WritePad(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool ConvTranspose(ConvTransposeOp op)
        {
            if (_step.Phases.Count > 0) WriteStridePhaseInterleave(_w, _step, op);
            else WriteTransposedConvolution(_w, _step.Index, op, _step.Shapes, _step.Epilogue);
            return true;
        }

        public bool Upsample(UpsampleOp op)
        {
            WriteUpsample(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool PixelShuffle(PixelShuffleOp op)
        {
            WritePixelShuffle(_w, _step.Index, op, _step.Shapes);
            return true;
        }

        public bool ChannelSlice(ChannelSliceOp op)
        {
            WriteChannelSlice(_w, _step, op);
            return true;
        }

        public bool ChannelShuffle(ChannelShuffleOp op)
        {
            WriteChannelShuffle(_w, _step, op);
            return true;
        }

        public bool ChannelPad(ChannelPadOp op)
        {
            WriteChannelPad(_w, _step, op);
            return true;
        }

        public bool ChannelRepeat(ChannelRepeatOp op)
        {
            WriteChannelRepeat(_w, _step, op);
            return true;
        }
    }

    private static void WriteConvolutionStep(SourceWriter w, Step step)
    {
        int index = step.Index;
        var conv = ConvolutionPlan.For(step);
        var epilogue = step.Epilogue;
        var pool = step.Pool;
        if (IsStraightLine(conv)) WriteStraightLineConvolution(w, index, conv, step.Folded);
        else
        {
            if (pool is not null) WritePooledConvolution(w, index, conv, pool, step.Folded);
            WriteConvolution(w, index, conv, epilogue, pool, step.Folded);
        }
        foreach (var flavor in FlavorsOf(conv))
        {
            // the 512-bit method of a pooled convolution pools; the others leave that to the pool's own method
            var pooled = flavor == SimdFlavor.Wide ? pool : null;
            switch (KernelFor(conv, flavor))
            {
                case VectorKernel.Columns:
                    w.WriteLine();
                    WriteVectorConvolution(w, index, conv, epilogue, flavor, pooled);
                    break;
                case VectorKernel.Channels:
                    w.WriteLine();
                    WriteChannelVectorConvolution(w, index, conv, epilogue, step.PermutedOffset, flavor, pooled);
                    break;
                case VectorKernel.Depthwise:
                    w.WriteLine();
                    WriteDepthwiseConvolution(w, index, conv, epilogue, step.PermutedOffset, flavor);
                    break;
                case VectorKernel.Winograd:
                    w.WriteLine();
                    WriteWinogradConvolution(w, index, conv, epilogue, step.PermutedOffset, flavor, pooled);
                    break;
                case VectorKernel.None:
                    break;
            }
        }
    }

    private static string Describe(Op op, LayerShapes s) => op switch
    {
        // a 1D layer runs as the 2D code on one row; it is described as written
        ConvolutionOp { SpatialRank: 1 } l => $"{s.Input} -> {s.Output}: kernel {l.KernelWidth}, stride {l.StrideWidth}, padding left {l.PadLeft} right {l.PadRight}, dilation {l.DilationWidth}, groups {l.Groups}",
        PoolOp { SpatialRank: 1 } l => $"{s.Input} -> {s.Output}: window {l.KernelWidth}, stride {l.StrideWidth}, padding {l.PaddingWidth}" + PoolModes(l),
        ConvolutionOp l => $"{s.Input} -> {s.Output}: kernel {l.KernelHeight}x{l.KernelWidth}, stride {l.StrideHeight}x{l.StrideWidth}, " +
                           $"padding top {l.PadTop} bottom {l.PadBottom} left {l.PadLeft} right {l.PadRight}, dilation {l.DilationHeight}x{l.DilationWidth}, groups {l.Groups}",
        PoolOp l => $"{s.Input} -> {s.Output}: window {l.KernelHeight}x{l.KernelWidth}, stride {l.StrideHeight}x{l.StrideWidth}, padding {l.PaddingHeight}x{l.PaddingWidth}" + PoolModes(l),
        PadOp { SpatialRank: 1 } l => $"{s.Input} -> {s.Output}: {PadModes.Name(l.Mode)} padding left {l.PadLeft} right {l.PadRight}",
        PadOp l => $"{s.Input} -> {s.Output}: {PadModes.Name(l.Mode)} padding top {l.PadTop} bottom {l.PadBottom} left {l.PadLeft} right {l.PadRight}",
        ConvTransposeOp l => $"{s.Input} -> {s.Output}: kernel {l.KernelHeight}x{l.KernelWidth}, stride {l.StrideHeight}x{l.StrideWidth}, padding {l.PaddingHeight}x{l.PaddingWidth}, " +
                             $"output padding {l.OutputPaddingHeight}x{l.OutputPaddingWidth}, dilation {l.DilationHeight}x{l.DilationWidth}, groups {l.Groups}",
        UpsampleOp l => $"{s.Input} -> {s.Output}: {l.Mode} x{l.ScaleHeight}x{l.ScaleWidth}" + (l.AlignCorners ? ", corners aligned" : ""),
        PixelShuffleOp l => $"{s.Input} -> {s.Output}: factor {l.Factor}",
        ChannelSliceOp l => $"{s.Input} -> {s.Output}: channels {l.Start} to {l.Start + l.Length - 1}",
        ChannelShuffleOp l => $"{s.Input} -> {s.Output}: {l.Groups} groups",
        ChannelPadOp l => $"{s.Input} -> {s.Output}: {l.Before} zero channels before, {l.After} after",
        ChannelRepeatOp l => $"{s.Input} -> {s.Output}: each channel {l.Repeats} times",
        // no hyperparameters that shape their loops
        GlobalPoolOp or AdaptivePoolOp or DenseOp or BatchNormOp or ActivationOp or PReLUOp or SoftmaxOp => $"{s.Input} -> {s.Output}",
        AddOp or ConcatOp or MultiplyOp => $"{string.Join(" and ", s.Inputs)} -> {s.Output}",
        // views (Flatten, Dropout, Identity) get no step, and a new op must say what describes it
        _ => throw new InvalidOperationException($"{op.Kind} has no method to describe."),
    };

    /// <summary>A pool's modes past its window, as its summary lists them: dilation, ceil mode, and an average's padding left out of its divisor.</summary>
    private static string PoolModes(PoolOp l) =>
        (l.IsDilated ? (l.SpatialRank == 1 ? $", dilation {l.DilationWidth}" : $", dilation {l.DilationHeight}x{l.DilationWidth}") : "") +
        (l.CeilMode ? ", ceil mode" : "") + (l.CountIncludePad ? "" : ", padding not counted");

    private static void WriteSummary(SourceWriter w, int index, Op layer, LayerShapes shapes)
    {
        w.WriteLine($"/// <summary>Layer {index}, {layer.Kind}: {Describe(layer, shapes)}.</summary>");
    }

    /// <summary>A convolution's summary; a stride phase's says which outputs of its transposed convolution it computes.</summary>
    private static void WriteConvolutionSummary(SourceWriter w, int index, ConvolutionPlan c)
    {
        if (c.Phase is not { } phase)
        {
            WriteSummary(w, index, c.Layer, c.Shapes);
            if (c.Crop is { } crop)
                w.WriteLine($"/// <remarks>The layer's {crop.KernelHeight}x{crop.KernelWidth} kernel cropped to the taps that meet the input (rows {crop.Rows.First} to {crop.Rows.Last}, " +
                            $"columns {crop.Columns.First} to {crop.Columns.Last}): the others meet only zero padding, at every output.</remarks>");
            if (c.Ungrouped is { } ungrouped)
                w.WriteLine($"/// <remarks>The layer's {ungrouped.Groups} groups run as one: its kernel holds each group's weights at the group's input channels and zeros at the others', " +
                            "so that vectors across output channels take it.</remarks>");
            if (c.IsChannelsLast) w.WriteLine($"/// <remarks>Reads its input {LayoutName(c.InputLayout)} and writes its output {LayoutName(c.OutputLayout)}.</remarks>");
            return;
        }
        string outputs = phase.IsWhole
            ? "every output"
            : $"the outputs at rows {phase.Rows.FirstOutput} + {phase.Rows.Stride}i and columns {phase.Columns.FirstOutput} + {phase.Columns.Stride}j";
        w.WriteLine($"/// <summary>Layer {index}, {ConvTransposeOp.KindName}, {outputs}: a convolution over its input with its taps reversed, {Describe(c.Layer, c.Shapes)}.</summary>");
    }

    /// <summary>A layout as the generated remarks name it.</summary>
    private static string LayoutName(Layout layout) => layout switch
    {
        Layout.ChannelsFirst => "in PyTorch's layout (channels-first)",
        Layout.ChannelsLast => "channels-last (a pixel's channels side by side)",
    };

    /// <summary>The remark of a convolution whose BatchNorm is folded into its weights.</summary>
    private static void WriteFoldedRemark(SourceWriter w, FoldedBatchNorm? folded)
    {
        if (folded is not null) w.WriteLine($"/// <remarks>Its weights and bias have the {folded.Op.Kind} of layer {folded.Index} folded in, at load time.</remarks>");
    }

    // ---- Convolution ------------------------------------------------------------------------

    /// <summary>Every output is one sum of constant-indexed products; taps that fall in the padding are left out.</summary>
    private static void WriteStraightLineConvolution(SourceWriter w, int index, ConvolutionPlan c, FoldedBatchNorm? folded)
    {
        var l = c.Layer;
        WriteConvolutionSummary(w, index, c);
        WriteFoldedRemark(w, folded);
        using var _ = OpenOptimizedMethod(w, $"private static void {c.Method}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)");
        // touching the last element first lets the JIT drop the bounds checks of the constant indices below
        w.WriteLine($"_ = x[{c.InChannels * c.Height * c.Width - 1}];");
        w.WriteLine($"_ = y[{c.Filters * c.OutHeight * c.OutWidth - 1}];");
        w.WriteLine($"_ = p[{(c.BiasOffset >= 0 ? c.BiasOffset + c.Filters - 1 : c.WeightOffset + c.Filters * c.ChannelsPerGroup * c.WindowSize - 1)}];");
        for (int oc = 0; oc < c.Filters; oc++)
        {
            int firstChannel = oc / c.FiltersPerGroup * c.ChannelsPerGroup;
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    var terms = new List<string>();
                    if (c.BiasOffset >= 0) terms.Add($"p[{c.BiasOffset + oc}]");
                    for (int ic = 0; ic < c.ChannelsPerGroup; ic++)
                    {
                        for (int ky = 0; ky < l.KernelHeight; ky++)
                        {
                            int iy = oy * l.StrideHeight - l.PadTop + ky * l.DilationHeight;
                            if (iy < 0 || iy >= c.Height) continue;
                            for (int kx = 0; kx < l.KernelWidth; kx++)
                            {
                                int ix = ox * l.StrideWidth - l.PadLeft + kx * l.DilationWidth;
                                if (ix < 0 || ix >= c.Width) continue;
                                int xi = ((firstChannel + ic) * c.Height + iy) * c.Width + ix;
                                int wi = c.WeightOffset + ((oc * c.ChannelsPerGroup + ic) * l.KernelHeight + ky) * l.KernelWidth + kx;
                                terms.Add($"x[{xi}] * p[{wi}]");
                            }
                        }
                    }
                    int yi = (oc * c.OutHeight + oy) * c.OutWidth + ox;
                    WriteSum(w, $"y[{yi}] = ", terms);
                }
            }
        }
    }

    /// <summary>Writes "target sum;" with at most a few terms per line.</summary>
    private static void WriteSum(SourceWriter w, string target, List<string> terms)
    {
        if (terms.Count == 0)
        {
            w.WriteLine(target + "0f;");
            return;
        }
        const int PerLine = 5;
        for (int start = 0; start < terms.Count; start += PerLine)
        {
            string line = string.Join(" + ", terms.Skip(start).Take(PerLine));
            bool lastLine = start + PerLine >= terms.Count;
            if (start == 0) w.WriteLine(target + line + (lastLine ? ";" : ""));
            else
            {
                w.Indent();
                w.WriteLine("+ " + line + (lastLine ? ";" : ""));
                w.Unindent();
            }
        }
    }

    /// <summary>
    /// The entry point of a convolution whose max pool is fused: the 512-bit method pools as it
    /// stores; elsewhere the convolution writes its full output to a buffer of its own and the pool's
    /// method reads it from there.
    /// </summary>
    private static void WritePooledConvolution(SourceWriter w, int index, ConvolutionPlan c, FusedPool pool, FoldedBatchNorm? folded)
    {
        var l = c.Layer;
        string method = c.Method;
        bool padded = PaddedInputLength(c) > 0, winograd = Winograd.ScratchLength(c) > 0;
        string arguments = "x, {0}, p" + (padded ? ", padded" : "") + (winograd ? ", winograd" : "");
        WriteConvolutionSummary(w, index, c);
        WriteFoldedRemark(w, folded);
        w.WriteLine($"/// <remarks>Writes the output of layer {pool.Index} ({pool.Output}), the max pool that follows.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {method}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(padded ? $", {Span} padded" : "")}{(winograd ? $", {Span} winograd" : "")}, {Span} unpooled)"))
        {
            var wide = SimdFlavor.Wide;
            using (w.OpenBlock($"if ({wide.IsHardwareAccelerated})"))
            {
                w.WriteLine($"{KernelMethodName(c, KernelFor(c, wide), wide)}({string.Format(arguments, "y")});");
                w.WriteLine("return;");
            }
            w.WriteLine($"{method}Unpooled({string.Format(arguments, "unpooled")});");
            w.WriteLine($"{MethodName(pool.Index, pool.Op)}(unpooled, y);");
        }
    }

    /// <summary>
    /// Loops with literal bounds. The interior, where the whole window lies in the real input, reads
    /// with constant offsets and no checks; the border computes each output through the checked path.
    /// </summary>
    private static void WriteConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, FusedPool? pool, FoldedBatchNorm? folded)
    {
        var l = c.Layer;
        string method = c.Method;
        // with a fused pool, the entry point is WritePooledConvolution's, and this one the unpooled fallback
        string entry = pool is null ? method : method + "Unpooled";
        int plane = c.Height * c.Width, filterSize = c.ChannelsPerGroup * c.WindowSize;
        // the loops below read and write either layout: only the strides differ
        int pixel = c.InPixelStride, channelStride = c.InChannelStride(plane);
        string outputIndex = Linear(0, ("oc", c.OutChannelStride), ("oy", c.OutWidth * c.OutPixelStride), ("ox", c.OutPixelStride));
        string Store(string value) => Epilogues.Scalar(epilogue, c.AddsShortcut ? $"({value} + shortcut[{outputIndex}])" : value);
        bool padded = PaddedInputLength(c) > 0;
        if (pool is null) WriteConvolutionSummary(w, index, c);
        else
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Layer {index} without its pool, for CPUs without the 512-bit path.</summary>");
        }
        if (pool is null) WriteFoldedRemark(w, folded);
        if (c.Shortcut is { } shortcut) w.WriteLine($"/// <remarks>Adds the shortcut of the Residual of layer {shortcut.Index} as it stores{(epilogue is null ? "" : ", before the activation")}.</remarks>");
        if (epilogue is not null) w.WriteLine($"/// <remarks>Applies the {epilogue.Op.Kind} of layer {epilogue.Index} as it stores.</remarks>");
        bool winograd = Winograd.ScratchLength(c) > 0;
        using (OpenOptimizedMethod(w, $"private static void {entry}({ReadOnlySpan} x, {ShortcutParameter(c)}{Span} y, {ReadOnlySpan} p{(padded ? $", {Span} padded" : "")}{(winograd ? $", {Span} winograd" : "")}{RowRangeParameters(c)})"))
        {
            string arguments = "x, " + (c.AddsShortcut ? "shortcut, " : "") + "y, p" + (padded ? ", padded" : "");
            string rowRange = c.TakesRowRange ? ", rowFrom, rowTo" : "";
            foreach (var flavor in FlavorsOf(c))
            {
                var kernel = KernelFor(c, flavor);
                if (kernel == VectorKernel.None || (pool is not null && flavor == SimdFlavor.Wide)) continue;
                // IsHardwareAccelerated and Vector<float>.Count are constants to the JIT: these tests and the unused paths fold away
                string condition = (flavor.Lanes is not null, kernel) switch
                {
                    (true, _) => flavor.IsHardwareAccelerated,
                    // its own weight blocks hold whole passes (not those of a Vector<float> of 16 lanes), a whole number to a group's filters
                    (false, VectorKernel.Channels) when PortablePermutedBlock(c) is var own && own > 0 => $"{flavor.IsHardwareAccelerated} && {own} % ({ChannelTile.For(c, flavor).Vectors} * {flavor.Count}) == 0",
                    // the last block of filters overlaps the one before (OverlapsFilterBlocks), so any count of at least a block will do
                    (false, VectorKernel.Channels) when ChannelTile.For(c, flavor).Vectors is var vectors && OverlapsFilterBlocks(c, flavor) => $"{flavor.IsHardwareAccelerated} && {vectors} * {flavor.Count} <= {c.Filters}",
                    // a block lies within a group: a whole number of them to a group's filters
                    (false, VectorKernel.Channels) when ChannelTile.For(c, flavor).Vectors is var vectors => $"{flavor.IsHardwareAccelerated} && {c.FiltersPerGroup} % ({vectors} * {flavor.Count}) == 0",
                    (false, VectorKernel.Depthwise) => $"{flavor.IsHardwareAccelerated} && {flavor.Count} <= {c.Filters}",
                    (false, VectorKernel.Winograd) => $"{flavor.IsHardwareAccelerated} && {flavor.Count} <= {c.InChannels} && {flavor.Count} <= {c.Filters}",
                    (false, VectorKernel.Columns) => $"{flavor.IsHardwareAccelerated} && {flavor.Count} <= {c.OutWidth}",
                    (false, VectorKernel.None) => throw new InvalidOperationException("skipped above"),
                };
                using (w.OpenBlock($"if ({condition})"))
                {
                    w.WriteLine($"{KernelMethodName(c, kernel, flavor)}({arguments}{(kernel == VectorKernel.Winograd ? ", winograd" : "")}{rowRange});");
                    w.WriteLine("return;");
                }
            }
            using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc++)"))
            {
                w.WriteLine(c.BiasOffset >= 0 ? $"float bias = p[{Linear(c.BiasOffset, ("oc", 1))}];" : "float bias = 0f;");
                w.WriteLine($"int filter = {Linear(c.WeightOffset, ("oc", filterSize))};");
                // with one group every filter reads from channel 0 on
                if (l.Groups > 1) w.WriteLine($"int firstChannel = oc / {c.FiltersPerGroup} * {c.ChannelsPerGroup};");
                string firstChannel = l.Groups > 1 ? "firstChannel" : "0";
                WriteRegions(w, c.OutHeight, c.OutWidth, c.Rows, c.Columns, c.TakesRowRange,
                    interior: () =>
                    {
                        w.WriteLine("float sum = bias;");
                        int constant = (-l.PadTop * c.Width - l.PadLeft) * pixel;
                        w.WriteLine($"int xi = {Linear(constant, ("firstChannel", l.Groups == 1 ? 0 : channelStride), ("oy", l.StrideHeight * c.Width * pixel), ("ox", l.StrideWidth * pixel))};");
                        w.WriteLine("int wi = filter;");
                        if (c.ChannelsPerGroup == 1) WriteWindowSum(w, c);
                        else
                        {
                            using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++, xi += {channelStride}, wi += {c.WindowSize})")) WriteWindowSum(w, c);
                        }
                        w.WriteLine($"y[{outputIndex}] = {Store("sum")};");
                    },
                    border: () => w.WriteLine($"y[{outputIndex}] = {Store($"{method}At(x, p, bias, filter, {firstChannel}, oy, ox)")};"));
            }
        }
        if (c.Rows.Low > 0 || c.Rows.High < c.OutHeight || c.Columns.Low > 0 || c.Columns.High < c.OutWidth)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>One output of layer {index} near the border, where part of the window reads zero padding.</summary>");
            using (OpenOptimizedMethod(w, $"private static float {method}At({ReadOnlySpan} x, {ReadOnlySpan} p, float bias, int filter, int firstChannel, int oy, int ox)"))
            {
                w.WriteLine("float sum = bias;");
                using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++)"))
                using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                {
                    w.WriteLine($"int iy = {Linear(-l.PadTop, ("oy", l.StrideHeight), ("ky", l.DilationHeight))};");
                    w.WriteLine($"if ((uint)iy >= {c.Height}u) continue;");
                    using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                    {
                        w.WriteLine($"int ix = {Linear(-l.PadLeft, ("ox", l.StrideWidth), ("kx", l.DilationWidth))};");
                        w.WriteLine($"if ((uint)ix >= {c.Width}u) continue;");
                        w.WriteLine($"sum += x[{Linear(0, ("(firstChannel + ic)", channelStride), ("iy", c.Width * pixel), ("ix", pixel))}] * p[{Linear(0, ("filter", 1), ("ic", c.WindowSize), ("ky", l.KernelWidth), ("kx", 1))}];");
                    }
                }
                w.WriteLine("return sum;");
            }
        }
    }

    /// <summary>
    /// The SIMD path of a stride-1 convolution: a tile of output rows x column vectors for a block of
    /// output channels stays in registers while the window is summed; each input vector is loaded once
    /// per tap and multiplied by a broadcast weight of every filter in the block. Padding is a zero
    /// border around a copy of the input, so no load needs a bounds test; the last vector of a row
    /// overlaps the one before when the width is not a multiple of the vector size.
    /// </summary>
    private static void WriteVectorConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, SimdFlavor v, FusedPool? pool)
    {
        var l = c.Layer;
        var tile = ColumnTile.For(c, v, pool is not null);
        int filterSize = c.ChannelsPerGroup * c.WindowSize;
        int rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth, lanes = v.Lanes ?? 0;
        // the tile's width along the row: a literal when the lanes are known
        string span = v.Lanes is null ? "width" : Literal.Int(tile.Vectors * lanes);
        w.WriteLine($"/// <summary>Layer {index} with {v.Description} across output columns: {tile.Rows} row(s) x {tile.Vectors} vector(s) x {tile.Filters} filter(s) in registers.</summary>");
        if (pool is not null) w.WriteLine($"/// <remarks>Stores the 2x2 max pool of layer {pool.Index} ({pool.Output}): rows pairwise, then even and odd columns.</remarks>");
        using var _ = OpenOptimizedMethod(w, $"private static void {KernelMethodName(c, VectorKernel.Columns, v)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(ReadsInputCopy(c) ? $", {Span} padded" : "")})");
        WriteInputReference(w, c, rowLength, plane);
        if (pool is not null)
        {
            w.WriteLine($"var evens = {v.Static}.Create({string.Join(", ", Enumerable.Range(0, lanes).Select(k => 2 * k % lanes))});");
            w.WriteLine($"var odds = {v.Static}.Create({string.Join(", ", Enumerable.Range(0, lanes).Select(k => (2 * k + 1) % lanes))});");
        }
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        if (v.Lanes is null) w.WriteLine($"int width = {v.Count};");
        if (StagesTile(epilogue, pool))
        {
            w.WriteLine($"{Span} staged = stackalloc float[{tile.Accumulators} * {v.Count}];");
            w.WriteLine($"ref float stage = ref {MemoryMarshal}.GetReference(staged);");
        }
        using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc += {tile.Filters})"))
        {
            if (l.Groups > 1) w.WriteLine($"int firstChannel = oc / {c.FiltersPerGroup} * {c.ChannelsPerGroup};");
            w.WriteLine($"int filter = {Linear(c.WeightOffset, ("oc", filterSize))};");
            for (int f = 0; f < tile.Filters; f++)
                w.WriteLine(c.BiasOffset >= 0 ? $"var bias{f} = {v.Broadcast($"p[{Linear(c.BiasOffset + f, ("oc", 1))}]")};" : $"var bias{f} = {v.Type}.Zero;");
            using (w.OpenBlock($"for (int pair = 0; pair < {c.OutHeight}; pair += {tile.Rows})"))
            using (w.OpenBlockIf(!tile.WholeRow, $"for (int start = 0; start < {c.OutWidth}; start += {span})"))
            {
                w.WriteLine(tile.Rows > 1 ? $"int oy = global::System.Math.Min(pair, {c.OutHeight - tile.Rows});" : "int oy = pair;");
                if (!tile.WholeRow) w.WriteLine($"int ox = global::System.Math.Min(start, {c.OutWidth} - {span});");
                for (int r = 0; r < tile.Rows; r++)
                    for (int t = 0; t < tile.Vectors; t++)
                        for (int f = 0; f < tile.Filters; f++) w.WriteLine($"var {Accumulator(tile, r, t, f)} = bias{f};");
                string column = tile.WholeRow ? "" : "ox";
                w.WriteLine($"int xi = {Linear(0, ("firstChannel", l.Groups > 1 ? plane : 0), ("oy", l.StrideHeight * rowLength), (column, 1))};");
                w.WriteLine("int wi = filter;");
                // one register per filter's broadcast weight and one for the input row, reused by every tap
                w.WriteLine($"{v.Type} {string.Join(", ", Enumerable.Range(0, tile.Filters).Select(f => $"weight{f}"))}, row;");
                int rowStep = l.StrideHeight * rowLength;
                if (c.ChannelsPerGroup == 1) WriteVectorWindow(w, c, v, tile, rowLength, rowStep, filterSize);
                else
                {
                    using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++, xi += {plane}, wi += {c.WindowSize})"))
                        WriteVectorWindow(w, c, v, tile, rowLength, rowStep, filterSize);
                }
                if (pool is not null)
                {
                    // oy and ox are even: the tile's rows pair up, and each vector's columns too
                    int pooledWidth = pool.Output.Width, pooledPlane = pool.Output.Height * pooledWidth;
                    w.WriteLine($"int yi = {Linear(0, ("oc", pooledPlane), ("(oy >> 1)", pooledWidth), (tile.WholeRow ? "" : "(ox >> 1)", 1))};");
                    // an exp epilogue before the pool: the raw tile goes to the stack first (see the unpooled store)
                    bool staged = StagesTile(epilogue, pool);
                    string Raw(int r, int t, int f) => staged ? v.Load("stage", StageOffset(v, (r * tile.Vectors + t) * tile.Filters + f)) : Accumulator(tile, r, t, f);
                    for (int k = 0, r = 0; r < tile.Rows && staged; r++)
                        for (int t = 0; t < tile.Vectors; t++)
                            for (int f = 0; f < tile.Filters; f++, k++) w.WriteLine(v.Store(Accumulator(tile, r, t, f), "stage", StageOffset(v, k)));
                    for (int r = 0; r < tile.Rows; r += 2)
                        for (int t = 0; t < tile.Vectors; t++)
                            for (int f = 0; f < tile.Filters; f++)
                            {
                                string pair = Accumulator(tile, r, t, f, prefix: "pair");
                                w.WriteLine($"var {pair} = {v.Static}.Max({BeforePool(epilogue, v, Raw(r, t, f))}, {BeforePool(epilogue, v, Raw(r + 1, t, f))});");
                                string pooled = $"{v.Static}.Max({v.Static}.Shuffle({pair}, evens), {v.Static}.Shuffle({pair}, odds))";
                                string half = $"{v.Static}.GetLower({AfterPool(epilogue, v, pooled)})";
                                w.WriteLine($"{Vector256}.StoreUnsafe({half}, ref output, (nuint)({Linear(f * pooledPlane + r / 2 * pooledWidth + tile.Column(t, lanes, c.OutWidth) / 2, ("yi", 1))}));");
                            }
                }
                else
                {
                    w.WriteLine($"int yi = {Linear(0, ("oc", outPlane), ("oy", c.OutWidth), (column, 1))};");
                    // an epilogue with an exp has too many temporaries to apply while every accumulator is
                    // live (they would spill): the tile goes to the stack as it is, then through the epilogue
                    bool staged = StagesTile(epilogue, pool);
                    int k = 0;
                    for (int r = 0; r < tile.Rows; r++)
                        for (int t = 0; t < tile.Vectors; t++)
                            for (int f = 0; f < tile.Filters; f++, k++)
                            {
                                string sum = Accumulator(tile, r, t, f);
                                string at = Linear(f * outPlane + r * c.OutWidth + tile.Column(t, lanes, c.OutWidth), ("yi", 1));
                                w.WriteLine(staged ? v.Store(sum, "stage", StageOffset(v, k)) : v.Store(Epilogues.Vector(epilogue, v, sum), "output", at));
                            }
                    k = 0;
                    for (int r = 0; r < tile.Rows && staged; r++)
                        for (int t = 0; t < tile.Vectors; t++)
                            for (int f = 0; f < tile.Filters; f++, k++)
                            {
                                string at = Linear(f * outPlane + r * c.OutWidth + tile.Column(t, lanes, c.OutWidth), ("yi", 1));
                                w.WriteLine(v.Store(Epilogues.Vector(epilogue, v, v.Load("stage", StageOffset(v, k))), "output", at));
                            }
                }
            }
        }
    }

    /// <summary>
    /// A fused pool's epilogue: applied once to the pooled value when it commutes with the maximum
    /// (a function that never decreases), else to each of the four values before they are pooled.
    /// </summary>
    private static string BeforePool(Epilogue? epilogue, SimdFlavor v, string value) =>
        epilogue is null || Epilogues.CommutesWithMaxPool(epilogue.Op) ? value : Epilogues.Vector(epilogue, v, value);

    private static string AfterPool(Epilogue? epilogue, SimdFlavor v, string pooled) =>
        epilogue is null || Epilogues.CommutesWithMaxPool(epilogue.Op) ? Epilogues.Vector(epilogue, v, pooled) : pooled;

    /// <summary>
    /// Whether a column tile goes through the stack before its epilogue: an exp has too many
    /// temporaries to apply while every accumulator is live, unless the pool comes first (then it
    /// runs on a quarter of the values, after the accumulators are dead).
    /// </summary>
    private static bool StagesTile(Epilogue? epilogue, FusedPool? pool) =>
        epilogue is not null && Epilogues.NeedsVectorExp(epilogue.Op) && (pool is null || !Epilogues.CommutesWithMaxPool(epilogue.Op));

    /// <summary>
    /// A vector of a tile bound for PyTorch's layout: its value, the output offset of its first lane (each next lane a
    /// plane further), and a condition on the tile under which it is not stored (null: always stored).
    /// </summary>
    private readonly record struct LaneStore(string Value, string At, string? Unless = null);

    /// <summary>The stack stage of <paramref name="vectors"/> vectors that a tile's values pass through (see <see cref="WriteLaneStores"/>).</summary>
    private static void WriteStage(SourceWriter w, SimdFlavor v, int vectors)
    {
        w.WriteLine($"{Span} staged = stackalloc float[{Literal.Int(vectors)} * {v.Count}];");
        w.WriteLine($"ref float stage = ref {MemoryMarshal}.GetReference(staged);");
    }

    /// <summary>
    /// A tile's vectors into PyTorch's layout, where a vector's channels lie a plane apart: every vector to the stage
    /// first, then each lane's values out. A lane read back right after its vector's store waits for that store (about
    /// 28 cycles a float on Zen 5, 25 times the multiply-adds of a 3-channel stem); by the time lane 0 is read here, the
    /// whole tile's stores are done. Needs the kernel's "output" reference, the stage (<see cref="WriteStage"/>) and,
    /// for Vector&lt;float&gt;, "width".
    /// </summary>
    private static void WriteLaneStores(SourceWriter w, SimdFlavor v, IReadOnlyList<LaneStore> stores, int plane)
    {
        for (int i = 0; i < stores.Count; i++) w.WriteLine(v.Store(stores[i].Value, "stage", StageOffset(v, i)));
        using (w.OpenBlock($"for (int lane = 0; lane < {(v.Lanes is null ? "width" : v.Count)}; lane++)"))
        {
            w.WriteLine($"ref float channel = ref {Unsafe}.Add(ref output, lane * {Literal.Int(plane)});");
            w.WriteLine($"ref float lanes = ref {Unsafe}.Add(ref stage, lane);");
            // the vectors stored under one condition together, in their first one's place
            foreach (var group in stores.Select((store, slot) => (store, slot)).GroupBy(s => s.store.Unless))
                using (w.OpenBlockIf(group.Key is not null, $"if (!({group.Key}))"))
                    foreach (var (store, slot) in group)
                        w.WriteLine($"{Unsafe}.Add(ref channel, {store.At}) = {Unsafe}.Add(ref lanes, {StageOffset(v, slot)});");
        }
    }

    /// <summary>Where accumulator <paramref name="k"/> of a staged tile sits on the stack.</summary>
    private static string StageOffset(SimdFlavor v, int k) => v.Lanes is int lanes ? Literal.Int(k * lanes) : k == 0 ? "0" : $"{k} * width";

    private static string Accumulator(ColumnTile tile, int row, int vector, int filter, string prefix = "sum") =>
        tile.Vectors == 1 ? $"{prefix}{row}{filter}" : $"{prefix}{row}{vector}{filter}";

    /// <summary>
    /// The channel-vector path: vectors of output channels for each of a few neighbouring output
    /// pixels stay in registers; per tap, the filter vectors are loaded once (from the permuted copy)
    /// and each pixel's input value is broadcast into them. Any stride works, as each pixel's input
    /// is addressed on its own. Results leave a lane at a time, since NCHW puts channels apart.
    /// </summary>
    private static void WriteChannelVectorConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, int permutedOffset, SimdFlavor v, FusedPool? pool)
    {
        var l = c.Layer;
        var runs = FilterRun.Of(c, v, ChannelTile.For(c, v, pool is not null), pool is not null);
        var first = runs[0].Tile;
        int rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth, tapStride = PermutedBlock(c, v);
        // the input's strides: a channels-last pixel holds its channels side by side, or a chunk's in its copy, the
        // chunks' maps one after another (a group's channels are one chunk, or several running)
        int chunk = CopyChunk(c);
        int pixel = chunk > 0 ? chunk : c.InPixelStride, channelStride = c.InChannelStride(plane);
        int groupStride = chunk > 0 ? plane * c.ChannelsPerGroup : c.ChannelsPerGroup * channelStride;
        bool channelsLastOutput = c.OutputLayout == Layout.ChannelsLast;
        string width = v.Lanes is null ? "width" : v.Count;
        bool filtersInnermost = ChannelTile.FiltersInnermost(c);
        string Run(FilterRun run) => run.Pairs
            ? $"filters {run.First} to {run.End - 1} two input channels at a time as {run.Tile.Rows} row(s) x {run.Tile.Pixels} pixel(s) x {run.Tile.Vectors} vector(s) of their pairs"
            : $"filters {run.First} to {run.End - 1} as {run.Tile.Rows} row(s) x {run.Tile.Pixels} pixel(s) x {run.Tile.Vectors} vector(s)";
        string narrower = string.Concat(runs.Skip(1).Select(run => ", then " + Run(run)));
        string grouped = l.Groups == 1 ? "" : $", each block within one of {l.Groups} groups (its {c.ChannelsPerGroup} input channel(s))";
        w.WriteLine($"/// <summary>Layer {index} with {v.Description} across output channels: {(runs[0].Pairs ? Run(runs[0]) : $"{first.Rows} row(s) x {first.Pixels} pixel(s) x {first.Vectors} vector(s) of filters in registers")}{narrower}{grouped}{(filtersInnermost ? ", each tile through every block of filters before the next tile" : "")}.</summary>");
        if (pool is not null) w.WriteLine($"/// <remarks>Stores the 2x2 max pool of layer {pool.Index} ({pool.Output}): the maximum of each 2x2 block of the tile's pixels.</remarks>");
        using var _ = OpenOptimizedMethod(w, $"private static void {KernelMethodName(c, VectorKernel.Channels, v)}({ReadOnlySpan} x, {ShortcutParameter(c)}{Span} y, {ReadOnlySpan} p{(ReadsInputCopy(c) ? $", {Span} padded" : "")}{RowRangeParameters(c)})");
        string firstRow = OutputRows(c).From;
        bool copiesRows = CopiesRowsAsNeeded(c);
        WriteInputReference(w, c, rowLength, plane, copiesRows);
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        // checked once to hold the output's length: the stores read the shortcut where they write y
        if (c.AddsShortcut) w.WriteLine($"ref float residual = ref {MemoryMarshal}.GetReference(shortcut.Slice(0, {c.Filters * outPlane}));");
        if (v.Lanes is null) w.WriteLine($"int width = {v.Count};");
        // the one input pixel's channels that are not zero (all where a weight is not finite), for every block of filters
        bool skips = (v == SimdFlavor.Wide || v == SimdFlavor.Portable) && SkipsZeroChannels(c);
        if (skips) WriteNonzeroListing(w, $"x.Slice(0, {Literal.Int(c.InChannels)})", c.InChannels, ZeroChannelsFlagAt(c, permutedOffset));
        // PyTorch's layout puts a vector's filters a plane apart: the tile's vectors go to the stack, then out a lane at
        // a time (see the stores below)
        int Stored(ChannelTile tile) => pool is null ? tile.Rows * tile.Pixels * tile.Vectors : (tile.Rows / 2) * (tile.Pixels / 2) * tile.Vectors;
        if (!channelsLastOutput) WriteStage(w, v, runs.Max(run => Stored(run.Tile)));
        bool overlaps = OverlapsFilterBlocks(c, v);
        using var tiles = w.OpenNest();
        if (filtersInnermost) TileLoops(tiles, first);
        foreach (var run in runs)
        {
            if (run.Pairs)
            {
                WritePairedRun(run);
                continue;
            }
            var tile = run.Tile;
            int pixels = tile.Pixels, vectors = tile.Vectors;
            string Lane(int vector) => v.Lanes is int known
                ? (tile.VectorOffset(vector, known, c.Filters) is int offset && offset > 0 ? $" + {Literal.Int(offset)}" : "")
                : vector == 0 ? "" : vector == 1 ? $" + {width}" : $" + {vector} * {width}";
            string Sum(int r, int px, int k) => tile.Rows == 1 ? $"sum{px}_{k}" : $"sum{r}_{px}_{k}";
            string column = pixels == c.OutWidth ? "" : "ox";
            using var loops = w.OpenNest();
            string step = v.Lanes is int known ? Literal.Int(run.Step(known)) : $"{vectors} * width";
            loops.Open($"for (int {(overlaps ? "block" : "oc")} = {run.First}; {(overlaps ? "block" : "oc")} < {run.End}; {(overlaps ? "block" : "oc")} += {step})");
            if (overlaps) w.WriteLine($"int oc = global::System.Math.Min(block, {c.Filters} - {step});");
            for (int k = 0; k < vectors; k++)
                w.WriteLine(c.BiasOffset >= 0
                    ? $"var bias{k} = {v.Load("weights", $"{Linear(c.BiasOffset, ("oc", 1))}{Lane(k)}")};"
                    : $"var bias{k} = {v.Type}.Zero;");
            if (!filtersInnermost) TileLoops(loops, tile);
            for (int r = 0; r < tile.Rows; r++)
                for (int px = 0; px < pixels; px++)
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var {Sum(r, px, k)} = bias{k};");
            // refs advanced per input channel, so that every tap is a constant displacement; a block's filters lie in one
            // group (GroupsFillVectors), whose input channels start at its first filter's group's
            string group = l.Groups == 1 ? "" : $"(oc / {c.FiltersPerGroup})";
            w.WriteLine($"ref float origin = ref {Unsafe}.Add(ref input, {Linear(0, (group, groupStride), ("oy", l.StrideHeight * rowLength * pixel), (column, l.StrideWidth * pixel))});");
            w.WriteLine($"ref float filterTaps = ref {Unsafe}.Add(ref weights, {Linear(permutedOffset, (PermutedColumn(c, "oc", c.FilterSize, tapStride), 1))});");
            int perTap = tile.Rows * pixels * vectors;
            // input-column order: a kernel row's filter vectors in registers, so each broadcast input value meets every
            // tap that reads it at once and is then dead. A stride splits the row's taps into phases that read disjoint
            // columns (a 7x7 stride-2 stem's even and odd taps), one phase's weights in registers at a time. In tap order
            // RyuJIT keeps each broadcast shared by the next taps in a register of its own, and past the 32 registers it
            // spills them: the 7x7 stride-2 stem took about twice the multiply-adds' time so.
            var phases = ChannelTile.TapPhases(l);
            bool byColumn = ChannelTile.ColumnOrderRegisters(l, vectors) + perTap <= v.Registers && l.KernelWidth * perTap <= VectorUnrolledMultiplyAdds;
            var weightNames = byColumn
                ? Enumerable.Range(0, l.KernelWidth).SelectMany(kx => Enumerable.Range(0, vectors).Select(k => $"weight{kx}_{k}"))
                : Enumerable.Range(0, vectors).Select(k => $"weight{k}");
            w.WriteLine($"{v.Type} {string.Join(", ", weightNames)}, value;");
            // a group of several chunks: the next chunk's map after each chunk's channels
            bool chunks = chunk > 0 && chunk < c.ChannelsPerGroup;
            SourceWriter.Block? chunkLoop = chunks ? w.OpenBlock($"for (int next = 0; next < {c.ChannelsPerGroup / chunk}; next++)") : null;
            // skipping zero channels: the listed channel's input and row of weights, asking for the row listed up to
            // MostListedRowsAhead entries ahead (at most WeightPrefetchDistance floats, as the unlisted loop asks)
            string inputBase = skips ? "channel" : "origin", weightBase = skips ? "channelTaps" : "filterTaps";
            // Vector<float>'s own blocks are its passes (at 8 lanes): a tap's row of the block is its stream, 8 to 64
            // floats from a multiple of their count, so within a line or whole lines, asked for a line at a time
            bool ownBlocks = v == SimdFlavor.Portable && PortablePermutedBlock(c) > 0;
            int rowFloats = c.WindowSize * tapStride, blockFloats = ownBlocks ? tapStride : vectors * (v.Lanes ?? CacheLineFloats);
            int asks = ownBlocks ? Math.Max(1, tapStride / CacheLineFloats) : vectors;
            string Asked(int line) => ownBlocks ? (line == 0 ? "" : $" + {Literal.Int(line * CacheLineFloats)}") : Lane(line);
            // a vector may cross a line where rows are no whole number of lines or the last block overlaps the one before
            bool unaligned = !ownBlocks && (tapStride % CacheLineFloats != 0 || overlaps);
            using (w.OpenBlock(skips ? "for (int n = 0; n < count; n++)" : $"for (int ic = 0; ic < {(chunks ? chunk : c.ChannelsPerGroup)}; ic++)"))
            {
                if (skips)
                {
                    int ahead = ListedRowsAhead(rowFloats);
                    w.WriteLine($"int ic = {Unsafe}.Add(ref positions, n);");
                    w.WriteLine($"ref float channel = ref {Unsafe}.Add(ref origin, ic);");
                    w.WriteLine($"ref float channelTaps = ref {Unsafe}.Add(ref filterTaps, ic * {rowFloats});");
                    w.WriteLine($"int aheadRow = {Unsafe}.Add(ref positions, n + {ahead}) * {rowFloats};");
                    WriteBlockWeightPrefetch(w, "filterTaps", "aheadRow", c.WindowSize, tapStride, asks, Asked, v, unaligned, WeightHint(1));
                }
                else if (StreamsWeights(c.WeightCount))
                    using (w.OpenBlockIf(AsksOnFirstTileOnly(c, tile, blockFloats), $"if ({(column.Length == 0 ? $"pair == {firstRow}" : $"pair == {firstRow} && start == 0")})"))
                        WriteBlockWeightPrefetch(w, "filterTaps", Literal.Int(RowsAhead(c, blockFloats) * rowFloats), c.WindowSize, tapStride, asks, Asked, v, unaligned,
                            WeightHint((long)c.OutHeight * c.OutWidth));
                void Tap(int inputOffset, string inputBase, int weightOffset, string weightBase)
                {
                    for (int k = 0; k < vectors; k++) w.WriteLine($"weight{k} = {v.Load(weightBase, weightOffset + Lane(k))};");
                    for (int r = 0; r < tile.Rows; r++)
                        for (int px = 0; px < pixels; px++)
                        {
                            w.WriteLine($"value = {v.Broadcast($"{Unsafe}.Add(ref {inputBase}, {inputOffset + (r * l.StrideHeight * rowLength + px * l.StrideWidth) * pixel})")};");
                            for (int k = 0; k < vectors; k++) w.WriteLine($"{Sum(r, px, k)} = {v.MultiplyAdd("value", $"weight{k}", Sum(r, px, k))};");
                        }
                }
                void KernelRow(int inputOffset, string inputBase, int weightOffset, string weightBase)
                {
                    foreach (var phase in phases)
                    {
                        foreach (int kx in phase)
                            for (int k = 0; k < vectors; k++) w.WriteLine($"weight{kx}_{k} = {v.Load(weightBase, (weightOffset + kx * tapStride) + Lane(k))};");
                        // the input columns the phase reads, each with the (pixel, tap) pairs that read it: found from
                        // the pairs, not by walking every column up to the reach, which a 2^25 dilation makes 2^26 wide
                        var columns = Enumerable.Range(0, pixels)
                            .SelectMany(px => phase.Select(kx => (Column: px * l.StrideWidth + kx * l.DilationWidth, Pixel: px, Tap: kx)))
                            .GroupBy(t => t.Column)
                            .OrderBy(g => g.Key)
                            .ToList();
                        for (int r = 0; r < tile.Rows; r++)
                            foreach (var readers in columns)
                            {
                                w.WriteLine($"value = {v.Broadcast($"{Unsafe}.Add(ref {inputBase}, {inputOffset + (r * l.StrideHeight * rowLength + readers.Key) * pixel})")};");
                                foreach (var (_, px, kx) in readers.OrderBy(t => t.Pixel))
                                    for (int k = 0; k < vectors; k++)
                                        w.WriteLine($"{Sum(r, px, k)} = {v.MultiplyAdd("value", $"weight{kx}_{k}", Sum(r, px, k))};");
                            }
                    }
                }
                if (c.WindowSize * perTap <= VectorUnrolledMultiplyAdds)
                {
                    for (int ky = 0; ky < l.KernelHeight; ky++)
                    {
                        if (byColumn) KernelRow(ky * l.DilationHeight * rowLength * pixel, inputBase, ky * l.KernelWidth * tapStride, weightBase);
                        else
                            for (int kx = 0; kx < l.KernelWidth; kx++)
                                Tap((ky * l.DilationHeight * rowLength + kx * l.DilationWidth) * pixel, inputBase, (ky * l.KernelWidth + kx) * tapStride, weightBase);
                    }
                }
                else
                {
                    using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                    {
                        w.WriteLine($"ref float inputRow = ref {Unsafe}.Add(ref origin, ky * {l.DilationHeight * rowLength * pixel});");
                        w.WriteLine($"ref float weightRow = ref {Unsafe}.Add(ref filterTaps, ky * {l.KernelWidth * tapStride});");
                        if (byColumn) KernelRow(0, "inputRow", 0, "weightRow");
                        else if (l.KernelWidth * perTap <= VectorUnrolledMultiplyAdds)
                        {
                            for (int kx = 0; kx < l.KernelWidth; kx++) Tap(kx * l.DilationWidth * pixel, "inputRow", kx * tapStride, "weightRow");
                        }
                        else
                        {
                            using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                            {
                                w.WriteLine($"ref float tap = ref {Unsafe}.Add(ref inputRow, kx * {l.DilationWidth * pixel});");
                                w.WriteLine($"ref float tapWeights = ref {Unsafe}.Add(ref weightRow, kx * {tapStride});");
                                Tap(0, "tap", 0, "tapWeights");
                            }
                        }
                    }
                }
                if (!skips)
                {
                    w.WriteLine($"origin = ref {Unsafe}.Add(ref origin, {channelStride});");
                    w.WriteLine($"filterTaps = ref {Unsafe}.Add(ref filterTaps, {rowFloats});");
                }
            }
            if (chunkLoop is { } loop)
            {
                w.WriteLine($"origin = ref {Unsafe}.Add(ref origin, {plane * chunk - chunk});");
                loop.Dispose();
            }
            if (channelsLastOutput && pool is not null)
            {
                // each 2x2 block of the tile's pixels pooled, its filters side by side: a vector store each
                int pooledWidth = pool.Output.Width;
                w.WriteLine($"int yi = {Linear(0, ("(oy >> 1)", pooledWidth * c.Filters), (column.Length == 0 ? "" : "(ox >> 1)", c.Filters), ("oc", 1))};");
                for (int r = 0; r < tile.Rows; r += 2)
                    for (int px = 0; px < pixels; px += 2)
                        for (int k = 0; k < vectors; k++)
                        {
                            string Pre(int dr, int dx) => BeforePool(epilogue, v, Sum(r + dr, px + dx, k));
                            string pooled = AfterPool(epilogue, v, $"{v.Static}.Max({v.Static}.Max({Pre(0, 0)}, {Pre(0, 1)}), {v.Static}.Max({Pre(1, 0)}, {Pre(1, 1)}))");
                            w.WriteLine(v.Store(pooled, "output", Linear((r / 2 * pooledWidth + px / 2) * c.Filters, ("yi", 1)) + Lane(k)));
                        }
                continue;
            }
            if (channelsLastOutput)
            {
                // each pixel's filters side by side: a vector store each, after the shortcut's vector at the same place
                w.WriteLine($"int yi = {Linear(0, ("oy", c.OutWidth * c.Filters), (column, c.Filters), ("oc", 1))};");
                for (int r = 0; r < tile.Rows; r++)
                    for (int px = 0; px < pixels; px++)
                        for (int k = 0; k < vectors; k++)
                        {
                            string at = Linear((r * c.OutWidth + px) * c.Filters, ("yi", 1)) + Lane(k);
                            if (c.AddsShortcut) w.WriteLine($"{Sum(r, px, k)} += {v.Load("residual", at)};");
                            w.WriteLine(v.Store(Epilogues.Vector(epilogue, v, Sum(r, px, k)), "output", at));
                        }
                continue;
            }
            // a fused pool's tile starts on an even row and column, and pairs its rows and pixels
            int step2 = pool is null ? 1 : 2;
            int storedWidth = pool?.Output.Width ?? c.OutWidth, storedPlane = pool is null ? outPlane : pool.Output.Height * pool.Output.Width;
            string row = pool is null ? "oy" : "(oy >> 1)", near0 = pool is null ? column : column.Length == 0 ? "" : "(ox >> 1)";
            w.WriteLine($"int yi = {Linear(0, ("oc", storedPlane), (row, storedWidth), (near0, 1))};");
            var stores = new List<LaneStore>();
            for (int r = 0; r < tile.Rows; r += step2)
                for (int px = 0; px < pixels; px += step2)
                    for (int k = 0; k < vectors; k++)
                    {
                        string Pre(int dr, int dx) => BeforePool(epilogue, v, Sum(r + dr, px + dx, k));
                        string value = pool is null ? Epilogues.Vector(epilogue, v, Sum(r, px, k))
                            : AfterPool(epilogue, v, $"{v.Static}.Max({v.Static}.Max({Pre(0, 0)}, {Pre(0, 1)}), {v.Static}.Max({Pre(1, 0)}, {Pre(1, 1)}))");
                        string near = Linear(r / step2 * storedWidth + px / step2, ("yi", 1));
                        stores.Add(new LaneStore(value, k == 0 ? near : $"{near}{Lane(k)} * {storedPlane}"));
                    }
            WriteLaneStores(w, v, stores, storedPlane);
        }

        void TileLoops(SourceWriter.Nest loops, ChannelTile tile)
        {
            OpenRowsOfTiles(w, loops, c, tile.Rows);
            if (copiesRows) WritePaddedRowsUpTo(w, c, tile.Rows, rowLength, plane);
            if (tile.Pixels == c.OutWidth) return;
            loops.Open($"for (int start = 0; start < {c.OutWidth}; start += {tile.Pixels})");
            w.WriteLine($"int ox = global::System.Math.Min(start, {c.OutWidth - tile.Pixels});");
        }

        // FilterRun.PairsChannels: lane 2f + j of vector k sums filter 8k + f over the input channels of parity j, from
        // a 64-bit broadcast of channels (ic, ic + 1) against [f0 of ic, f0 of ic + 1, f1 of ic, ...]; as the tile
        // stores, each lane's neighbour is added (vshufps), the even lanes packed into 8 floats (vpermps), then the
        // bias, the shortcut and the epilogue on a 256-bit vector
        void WritePairedRun(FilterRun run)
        {
            var tile = run.Tile;
            var half = SimdFlavor.Half;
            int vectors = tile.Vectors, paired = run.End - run.First;
            string column = tile.Pixels == c.OutWidth ? "" : "ox";
            string Pairs(int r, int px, int k) => $"pairs{r}_{px}_{k}";
            using var scope = w.OpenScope();
            for (int k = 0; k < vectors; k++)
                w.WriteLine($"var pairBias{k} = {(c.BiasOffset >= 0 ? half.Load("weights", Literal.Int(c.BiasOffset + run.First + k * FilterRun.PairedFilters)) : half.Type + ".Zero")};");
            using var loops = w.OpenNest();
            TileLoops(loops, tile);
            for (int r = 0; r < tile.Rows; r++)
                for (int px = 0; px < tile.Pixels; px++)
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var {Pairs(r, px, k)} = {v.Type}.Zero;");
            w.WriteLine($"ref float origin = ref {Unsafe}.Add(ref input, {Linear(0, ("oy", l.StrideHeight * rowLength * pixel), (column, l.StrideWidth * pixel))});");
            w.WriteLine($"ref float pairTaps = ref {Unsafe}.Add(ref weights, {Literal.Int(PairedWeightsAt(c, permutedOffset))});");
            w.WriteLine($"{v.Type} {string.Join(", ", Enumerable.Range(0, vectors).Select(k => $"pairWeights{k}"))}, channelPair;");
            using (w.OpenBlock($"for (int ic = 0; ic < {c.InChannels}; ic += 2)"))
            {
                for (int k = 0; k < vectors; k++) w.WriteLine($"pairWeights{k} = {v.Load("pairTaps", Literal.Int(k * 2 * FilterRun.PairedFilters))};");
                for (int r = 0; r < tile.Rows; r++)
                    for (int px = 0; px < tile.Pixels; px++)
                    {
                        int at = (r * l.StrideHeight * rowLength + px * l.StrideWidth) * pixel;
                        w.WriteLine($"channelPair = {v.Static}.AsSingle({v.Static}.Create({Unsafe}.ReadUnaligned<double>(ref {Unsafe}.As<float, byte>(ref {Unsafe}.Add(ref origin, {Literal.Int(at)})))));");
                        for (int k = 0; k < vectors; k++) w.WriteLine($"{Pairs(r, px, k)} = {v.MultiplyAdd("channelPair", $"pairWeights{k}", Pairs(r, px, k))};");
                    }
                w.WriteLine($"origin = ref {Unsafe}.Add(ref origin, 2);");
                w.WriteLine($"pairTaps = ref {Unsafe}.Add(ref pairTaps, {2 * paired});");
            }
            w.WriteLine($"int yi = {Linear(run.First, ("oy", c.OutWidth * c.Filters), (column, c.Filters))};");
            for (int r = 0; r < tile.Rows; r++)
                for (int px = 0; px < tile.Pixels; px++)
                    for (int k = 0; k < vectors; k++)
                    {
                        string sums = Pairs(r, px, k), packed = $"packed{r}_{px}_{k}";
                        string at = Linear((r * c.OutWidth + px) * c.Filters + k * FilterRun.PairedFilters, ("yi", 1));
                        w.WriteLine($"{sums} += {v.Static}.Shuffle({sums}, {v.Static}.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));");
                        w.WriteLine($"var {packed} = {v.Static}.GetLower({v.Static}.Shuffle({sums}, {v.Static}.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0))) + pairBias{k};");
                        if (c.AddsShortcut) w.WriteLine($"{packed} += {half.Load("residual", at)};");
                        w.WriteLine(half.Store(Epilogues.Vector(epilogue, half, packed), "output", at));
                    }
        }
    }

    /// <summary>Where the interleaved copy of a paired layer's weights starts (<see cref="FilterRun.PairedWeightLength"/>): after its permuted block.</summary>
    private static int PairedWeightsAt(ConvolutionPlan c, int permutedOffset) => permutedOffset + (int)c.WeightCount;

    /// <summary>
    /// Whether the channel kernel (512-bit and Vector&lt;float&gt;) skips the input channels that are zero, as a Dense layer skips its zero
    /// inputs (<see cref="DensePlan.SkipsZeroInputs"/>): where the layer is a Dense layer in all but name, one output pixel whose
    /// one tap reads one input pixel's channels side by side (a ResNet's last stage on a 1 x 1 map, its 3x3
    /// convolutions cropped to their centre tap, and the strided 1x1 shortcut into it), with more weights than L2 keeps
    /// (<see cref="StreamsWeights"/>), so that a zero channel (half of them after a ReLU) saves its row's trip from L3
    /// or memory; where its input is likely to hold zeros (<see cref="Step.InputHoldsZeros"/>). Its permuted block is
    /// followed by one float, 1 when every weight is finite and 0 otherwise (<see cref="ZeroChannelsFlagAt"/>).
    /// </summary>
    private static bool SkipsZeroChannels(ConvolutionPlan c) =>
        PermutedKernel(c) == VectorKernel.Channels && c.OutHeight == 1 && c.OutWidth == 1 && c.WindowSize == 1 && c.Layer.Groups == 1
        && !c.IsPadded && CopyChunk(c) == 0 && c.InChannelStride(c.Height * c.Width) == 1 && !FilterRun.PairsChannels(c)
        && c.InChannels <= DensePlan.MostSkippingInputs && StreamsWeights(c.WeightCount) && c.InputHoldsZeros;

    /// <summary>
    /// How many listed channels ahead a kernel that <see cref="SkipsZeroChannels"/> asks for a row of weights: within
    /// the entries <c>DenseInputs.Indices</c> fills past the list (<c>DenseInputs.Slack</c>, which a test checks).
    /// </summary>
    internal const int MostListedRowsAhead = 16;

    /// <summary>
    /// How many entries of its list ahead a kernel that skips zero inputs asks for a listed row of
    /// <paramref name="rowFloats"/> weights: <see cref="WeightPrefetchDistance"/> floats' worth, at most <see cref="MostListedRowsAhead"/>.
    /// </summary>
    private static int ListedRowsAhead(int rowFloats) => Math.Min(Math.Max(1, WeightPrefetchDistance / rowFloats), MostListedRowsAhead);

    /// <summary>The finite-weights float of a layer that <see cref="SkipsZeroChannels"/>: the last of its permuted block.</summary>
    private static int ZeroChannelsFlagAt(ConvolutionPlan c, int permutedOffset) => checked(permutedOffset + PermutedWeightLength(c) - 1);

    /// <summary>[input channel of the group][tap][filter]: the filters of one tap side by side, for the channel-vector path.</summary>
    public static void WriteWeightPermutation(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        switch (PermutedKernel(c))
        {
            case VectorKernel.Depthwise:
                WriteDepthwisePermutation(w, index, c, permutedOffset);
                return;
            case VectorKernel.Winograd:
                WriteWinogradWeights(w, index, c, permutedOffset);
                return;
            case VectorKernel.Channels:
                break;
            case VectorKernel.None or VectorKernel.Columns:
                throw new InvalidOperationException($"Layer {index} keeps no permuted weights (PermutedWeightLength is 0).");
        }
        void Blocks(int block, string kernel)
        {
            string blocks = block == c.Filters ? "" : $"{c.Filters / block} x ";
            w.WriteLine($"// layer {index}{kernel}: [{c.Filters}, {c.ChannelsPerGroup}, {c.Layer.KernelHeight}, {c.Layer.KernelWidth}] as {blocks}[{c.ChannelsPerGroup}, {c.WindowSize}, {block}] at {permutedOffset}");
            using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc++)"))
            using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++)"))
            using (w.OpenBlock($"for (int k = 0; k < {c.WindowSize}; k++)"))
            {
                w.WriteLine($"p[{Linear(permutedOffset, ("ic", c.WindowSize * block), ("k", block), (PermutedColumn(c, "oc", c.FilterSize, block), 1))}] = p[{Linear(c.WeightOffset, ("oc", c.FilterSize), ("ic", c.WindowSize), ("k", 1))}];");
            }
        }
        // the layout of the kernel the entry point will run: the 512-bit one's blocks where it runs, else Vector<float>'s
        int wide = PermutedBlock(c), portable = PermutedBlock(c, SimdFlavor.Portable);
        if (portable == wide) Blocks(wide, "");
        else
        {
            using (w.OpenBlock($"if ({SimdFlavor.Wide.IsHardwareAccelerated})")) Blocks(wide, ", for the 512-bit kernel");
            using (w.OpenBlock("else")) Blocks(portable, ", for the Vector<float> kernel");
        }
        if (SkipsZeroChannels(c))
            WriteFiniteWeightsFlag(w, ZeroChannelsFlagAt(c, permutedOffset), permutedOffset, (int)c.WeightCount);
        if (!FilterRun.PairsChannels(c)) return;
        // the paired filters again, for the 512-bit kernel's channel pairs: [pair of input channels][filter][channel of the pair]
        int pairs = PairedWeightsAt(c, permutedOffset), first = FilterRun.FirstPairedFilter(c), paired = c.Filters - first;
        w.WriteLine($"// layer {index}: filters {first} to {c.Filters - 1} as [{c.InChannels / 2}, {paired}, 2] at {pairs}");
        using (w.OpenBlock($"for (int f = 0; f < {paired}; f++)"))
        using (w.OpenBlock($"for (int ic = 0; ic < {c.InChannels}; ic++)"))
            w.WriteLine($"p[{Linear(pairs, ("(ic >> 1)", 2 * paired), ("f", 2), ("(ic & 1)", 1))}] = p[{Linear(c.WeightOffset + first * c.FilterSize, ("f", c.FilterSize), ("ic", 1))}];");
    }

    /// <summary>
    /// Fused multiply-adds a vector window may unroll into one method: past this the window becomes
    /// loops, so no emitted method nears the size where RyuJIT stops optimizing (MinOpts).
    /// </summary>
    private const int VectorUnrolledMultiplyAdds = 256;

    /// <summary>
    /// Whether a kernel asks for its weights ahead of use: when a layer's weights are more than L2 holds, they come
    /// from L3 or memory each call (a ResNet-18's last stage, 33 MB a call), and the hardware prefetcher, which stops
    /// at each 4 KiB page, left that stream at about 16 GB/s, where asking 8 KiB ahead doubles it (the WeightStream
    /// benchmark). A network's weights together pass L2 long before one layer's do, so a layer of a quarter of it
    /// streams from L3 too (MobileNetHalf64's 160 to 1280 filters, 800 KiB: 13% less time asking ahead). The kernel
    /// asks for a block's whole row (an input channel's weights for the block's filters) each time, as a pass over
    /// part of the block's filters leaves the rest for the next pass, which then finds it in L2. Measured on Zen 5;
    /// on Zen 4 asking into L1 took load slots (that stream 20% slower than with no hint) where asking into L2 only
    /// pays (20% faster), so the runtime's CacheHints asks into L2 there.
    /// </summary>
    internal static bool StreamsWeights(long weights) => weights * sizeof(float) > PrefetchedWeightBytes;

    internal const int PrefetchedWeightBytes = 1 << 18;

    /// <summary>
    /// Whether a channel kernel whose weights stream asks for them on each block of filters' first tile only: where
    /// the block's tiles run one after another and what its pass brings (the block's weights) stays in L2 for the
    /// other tiles (<see cref="RereadWeightBytes"/>). Asked on every tile, each input channel's hints take load slots
    /// the multiply-adds' broadcasts need, for lines already there: MobileNetV3-Large's 672 to 112 filters at 8 x 8
    /// (301 KB, 8 tiles a block) took 55 to 59 µs in the network so, 47 to 49 asking on the first tile and 50.5 to 54
    /// not asking at all (a scratch copy of the generated code, six alternating rounds).
    /// </summary>
    /// <param name="blockFloats">The filters a pass computes: its vectors' lanes.</param>
    private static bool AsksOnFirstTileOnly(ConvolutionPlan c, ChannelTile tile, int blockFloats) =>
        !ChannelTile.FiltersInnermost(c)
        && (tile.Rows < c.OutHeight || tile.Pixels < c.OutWidth)
        && (long)c.ChannelsPerGroup * c.WindowSize * blockFloats * sizeof(float) <= RereadWeightBytes;

    /// <summary>
    /// How many input channels ahead a pass over a block of <paramref name="blockFloats"/> filters asks for its
    /// weights: <see cref="WeightPrefetchDistance"/> floats of its own stream (a channel's taps for its filters), at
    /// least the next channel, and within the first half of the group's channels, so that most of what it asks for is
    /// its own.
    /// </summary>
    private static int RowsAhead(ConvolutionPlan c, int blockFloats)
    {
        long perChannel = (long)c.WindowSize * blockFloats;
        long rows = (WeightPrefetchDistance + perChannel - 1) / perChannel;
        return (int)Math.Max(1, Math.Min(rows, c.ChannelsPerGroup / 2));
    }

    /// <summary>
    /// A prefetch of the lines a pass over one block of filters reads from the input channel <paramref name="ahead"/>
    /// floats past <paramref name="reference"/>: each tap's vectors of the block's filters (<paramref name="lane"/>
    /// places a vector), and each vector's last float too (its lanes less one, known or the running CPU's) where a vector
    /// may be <paramref name="unaligned"/>. Each pass asks for its own weights once, so a
    /// layer asks for each of its lines once: asking for a channel's whole row on every pass and tile instead, RegNetX's
    /// 368 to 368 filters at 8 x 8 (a row of 23 lines, 11 blocks of 32 filters, 8 tiles) asked 88 times for each line,
    /// and the hints' loop took most of its time (40 GFLOP/s).
    /// </summary>
    private static void WriteBlockWeightPrefetch(SourceWriter w, string reference, string ahead, int taps, int tapStride, int vectors, Func<int, string> lane, SimdFlavor v, bool unaligned, string hint)
    {
        var ends = unaligned ? new[] { "", v.Lanes is int lanes ? $" + {Literal.Int(lanes - 1)}" : " + width - 1" } : new[] { "" };
        int perTap = vectors * ends.Length;
        void Ask(string tap)
        {
            for (int k = 0; k < vectors; k++)
                foreach (string end in ends)
                    w.WriteLine($"global::CnnGen.CacheHints.{hint}(ref {reference}, {ahead}{tap}{lane(k)}{end});");
        }
        if (taps * perTap <= UnrolledPrefetches)
        {
            for (int tap = 0; tap < taps; tap++) Ask(tap == 0 ? "" : $" + {Literal.Int((long)tap * tapStride)}");
            return;
        }
        using (w.OpenBlock($"for (int tap = 0; tap < {Literal.Int(taps)}; tap++)"))
            Ask($" + tap * {Literal.Int(tapStride)}");
    }

    /// <summary>Half of L2 (1 MiB on Zen 4 and 5): what a block's pass may bring and find again at its next tile, beside the activations.</summary>
    private const int RereadWeightBytes = 1 << 19;

    /// <summary>
    /// The CacheHints method a kernel asks for its streamed weights with, from the multiply-adds each weight it
    /// streams goes into (a channel kernel's output pixels, Winograd's tiles a pass): at most
    /// <see cref="LowReuseUses"/> (a ResNet's 2 x 2 or 1 x 1 last stage) the kernel's own loads run far ahead of its
    /// arithmetic, which on some CPUs makes hints a cost (<c>CacheHints.PrefetchLowReuse</c>).
    /// </summary>
    private static string WeightHint(long usesPerWeight) =>
        usesPerWeight <= LowReuseUses ? "PrefetchLowReuse" : "Prefetch";

    private const int LowReuseUses = 4;

    /// <summary>
    /// A prefetch of each cache line of the <paramref name="floats"/> weights an iteration reads from
    /// <paramref name="reference"/> on, as far ahead as <see cref="WeightPrefetchDistance"/>: one statement a line
    /// up to a 3x3 window's 18, a loop over them past that (a 31x31 kernel's would be 1,922 statements).
    /// </summary>
    private static void WriteWeightPrefetch(SourceWriter w, string reference, int floats, string hint, string? aheadOf = null)
    {
        // from aheadOf floats past the reference where given (a listed channel's row), else a constant distance
        string At(int line) => aheadOf is null ? Literal.Int(WeightPrefetchDistance + line) : line == 0 ? aheadOf : $"{aheadOf} + {Literal.Int(line)}";
        if (floats <= UnrolledPrefetches * CacheLineFloats)
        {
            for (int line = 0; line < floats; line += CacheLineFloats)
                w.WriteLine($"global::CnnGen.CacheHints.{hint}(ref {reference}, {At(line)});");
            return;
        }
        if (aheadOf is null)
            using (w.OpenBlock($"for (int line = {Literal.Int(WeightPrefetchDistance)}; line < {Literal.Int(WeightPrefetchDistance + floats)}; line += {CacheLineFloats})"))
                w.WriteLine($"global::CnnGen.CacheHints.{hint}(ref {reference}, line);");
        else
            using (w.OpenBlock($"for (int line = 0; line < {Literal.Int(floats)}; line += {CacheLineFloats})"))
                w.WriteLine($"global::CnnGen.CacheHints.{hint}(ref {reference}, {aheadOf} + line);");
    }

    /// <summary>Floats in a cache line, which is a 512-bit vector: the prefetches' step, and where the parameters' derived and permuted blocks start (<see cref="Passes.PackWeights"/>).</summary>
    internal const int CacheLineFloats = 16;

    private const int WeightPrefetchDistance = 2048, UnrolledPrefetches = 18;

    /// <summary>
    /// "ref float input": the input itself, or for a padded layer the input's rows copied into the
    /// zero-bordered buffer (whose border is never written), so that no load needs a bounds test; or the input in chunks
    /// of channels (<see cref="CopyChunk"/>), in that buffer too.
    /// </summary>
    private static void WriteInputReference(SourceWriter w, ConvolutionPlan c, int rowLength, int plane, bool copiesRowsAsNeeded = false)
    {
        if (CopyChunk(c) is var chunkChannels && chunkChannels > 0)
        {
            // a pixel's channels of each chunk to its chunk's map: a row of the input, then each chunk's part of it
            int run = c.Width * c.InChannels;
            using (w.OpenBlock($"for (int row = 0; row < {c.Height}; row++)"))
            {
                w.WriteLine($"var source = x.Slice({Linear(0, ("row", run))}, {run});");
                using (w.OpenBlock($"for (int chunk = 0; chunk < {c.InChannels / chunkChannels}; chunk++)"))
                {
                    w.WriteLine($"var target = padded.Slice({Linear((c.Layer.PadTop * rowLength + c.Layer.PadLeft) * chunkChannels, ("chunk", plane * chunkChannels), ("row", rowLength * chunkChannels))}, {c.Width * chunkChannels});");
                    // a pixel's part is a few vectors: a call to copy each (Span.CopyTo) cost 48 µs more than 128-bit
                    // vectors over 8,192 parts of 128 bytes (1 MB); those, which every SIMD CPU has, at offsets inside the
                    // two slices (up to 16 written out, else in a loop), or floats where the part is not whole vectors
                    w.WriteLine($"ref float from = ref {MemoryMarshal}.GetReference(source.Slice({Linear(0, ("chunk", chunkChannels))}, {(c.Width - 1) * c.InChannels + chunkChannels}));");
                    w.WriteLine($"ref float to = ref {MemoryMarshal}.GetReference(target);");
                    using (w.OpenBlock($"for (int column = 0; column < {c.Width}; column++)"))
                    {
                        var quarter = SimdFlavor.Quarter;
                        string Copy128(string offset) =>
                            quarter.Store(quarter.Load("from", Linear(0, ("column", c.InChannels), (offset, 1))), "to", Linear(0, ("column", chunkChannels), (offset, 1)));
                        if (chunkChannels % 4 != 0)
                            w.WriteLine($"for (int channel = 0; channel < {chunkChannels}; channel++) {Unsafe}.Add(ref to, {Linear(0, ("column", chunkChannels), ("channel", 1))}) = {Unsafe}.Add(ref from, {Linear(0, ("column", c.InChannels), ("channel", 1))});");
                        else if (chunkChannels <= 64)
                            for (int k = 0; k < chunkChannels; k += 4) w.WriteLine(Copy128(k == 0 ? "" : Literal.Int(k)));
                        else
                            using (w.OpenBlock($"for (int channel = 0; channel < {chunkChannels}; channel += 4)")) w.WriteLine(Copy128("channel"));
                    }
                }
            }
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(padded);");
            return;
        }
        if (!c.IsPadded)
        {
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
            return;
        }
        if (copiesRowsAsNeeded)
        {
            // the rows are copied as the tiles reach them (WritePaddedRowsUpTo); a range's first tile finds those that the
            // rows before it read copied (by the calls that computed them), and its tiles never go back past them
            w.WriteLine(c.TakesRowRange
                ? $"int copiedRows = rowFrom == 0 ? 0 : {RowBands.InputRowsReadCode(c.Layer, c.Height, "rowFrom")};"
                : "int copiedRows = 0;");
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(padded);");
            return;
        }
        if (c.InputLayout == Layout.ChannelsLast)
        {
            using (w.OpenBlock($"for (int row = 0; row < {c.Height}; row++)"))
                WritePaddedRowCopy(w, c, rowLength, plane, "row");
        }
        else
        {
            // channel after channel: the input in the order it lies
            using (w.OpenBlock($"for (int row = 0; row < {c.InChannels * c.Height}; row++)"))
            {
                w.WriteLine($"int channel = row / {c.Height}, r = row - channel * {c.Height};");
                w.WriteLine($"x.Slice(row * {c.Width}, {c.Width}).CopyTo(padded.Slice({Linear(c.Layer.PadTop * rowLength + c.Layer.PadLeft, ("channel", plane), ("r", rowLength))}, {c.Width}));");
            }
        }
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(padded);");
    }

    /// <summary>
    /// The copy of input row <paramref name="row"/> (every channel's) into the zero-bordered copy, whose border the
    /// copies never write: one run of floats where the input is channels-last (a row's pixels with their channels), a
    /// run a channel in PyTorch's layout.
    /// </summary>
    private static void WritePaddedRowCopy(SourceWriter w, ConvolutionPlan c, int rowLength, int plane, string row)
    {
        int first = c.Layer.PadTop * rowLength + c.Layer.PadLeft;
        if (c.InputLayout == Layout.ChannelsLast)
        {
            int run = c.Width * c.InChannels;
            w.WriteLine($"x.Slice({Linear(0, (row, run))}, {run}).CopyTo(padded.Slice({Linear(first * c.InChannels, (row, rowLength * c.InChannels))}, {run}));");
            return;
        }
        using (w.OpenBlock($"for (int channel = 0; channel < {c.InChannels}; channel++)"))
            w.WriteLine($"x.Slice({Linear(0, ("channel", c.Height * c.Width), (row, c.Width))}, {c.Width}).CopyTo(padded.Slice({Linear(first, ("channel", plane), (row, rowLength))}, {c.Width}));");
    }

    /// <summary>
    /// Whether the channel kernel copies its zero-bordered input a row at a time as its tiles reach the rows, not all
    /// before its first tile: each row is then copied just before the tiles read it, which find it in L1, and the
    /// copy's loads from L3 overlap the multiply-adds, where the whole copy (600 KB for a 224 x 224 image) first went
    /// to L2 or L3 on its own. In per-layer profiles (Intel Xeon, two alternating rounds), MobileNetV3-Small on 224 x
    /// 224 spent 12.4 and 12.6% of its time in its stem with the copy before, 11.6 and 11.9 after; MobileNetV2 on 224
    /// x 224 3.9 and 4.1%, then 3.5 and 3.7.
    /// </summary>
    private static bool CopiesRowsAsNeeded(ConvolutionPlan c) => c.IsPadded && CopyChunk(c) == 0;

    /// <summary>
    /// The input rows the tile of output rows from <c>oy</c> reads, copied where no tile has yet: rows are taken in
    /// order, as oy never decreases along the kernel's loops, and every block of filters after the first finds them
    /// all copied.
    /// </summary>
    private static void WritePaddedRowsUpTo(SourceWriter w, ConvolutionPlan c, int tileRows, int rowLength, int plane)
    {
        // one past the last input row the tile's windows reach, less the top padding (rows beyond the input are border)
        w.WriteLine($"int neededRows = {RowBands.InputRowsReadCode(c.Layer, c.Height, "oy", tileRows)};");
        using (w.OpenBlock("for (; copiedRows < neededRows; copiedRows++)"))
            WritePaddedRowCopy(w, c, rowLength, plane, "copiedRows");
    }

    /// <summary>Every tap of the window: one vector load per output row and column vector, one fused multiply-add per filter.</summary>
    private static void WriteVectorWindow(SourceWriter w, ConvolutionPlan c, SimdFlavor v, ColumnTile tile, int rowLength, int rowStep, int filterSize)
    {
        var l = c.Layer;
        int lanes = v.Lanes ?? 0;
        void Tap(int inputOffset, string inputBase, string weightOffset)
        {
            for (int f = 0; f < tile.Filters; f++)
                w.WriteLine($"weight{f} = {v.Broadcast($"{Unsafe}.Add(ref weights, {Linear(f * filterSize, (weightOffset, 1))})")};");
            for (int r = 0; r < tile.Rows; r++)
                for (int t = 0; t < tile.Vectors; t++)
                {
                    w.WriteLine($"row = {v.Load("input", Linear(inputOffset + r * rowStep + tile.Column(t, lanes, c.OutWidth), (inputBase, 1)))};");
                    for (int f = 0; f < tile.Filters; f++)
                    {
                        string sum = Accumulator(tile, r, t, f);
                        w.WriteLine($"{sum} = {v.MultiplyAdd("row", $"weight{f}", sum)};");
                    }
                }
        }
        int perTap = tile.Accumulators;
        if (c.WindowSize * perTap <= VectorUnrolledMultiplyAdds)
        {
            for (int ky = 0; ky < l.KernelHeight; ky++)
                for (int kx = 0; kx < l.KernelWidth; kx++)
                    Tap(ky * l.DilationHeight * rowLength + kx * l.DilationWidth, "xi", Linear(ky * l.KernelWidth + kx, ("wi", 1)));
            return;
        }
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        {
            w.WriteLine($"int tapRow = {Linear(0, ("xi", 1), ("ky", l.DilationHeight * rowLength))};");
            w.WriteLine($"int weightRow = {Linear(0, ("wi", 1), ("ky", l.KernelWidth))};");
            if (l.KernelWidth * perTap <= VectorUnrolledMultiplyAdds)
            {
                for (int kx = 0; kx < l.KernelWidth; kx++) Tap(kx * l.DilationWidth, "tapRow", Linear(kx, ("weightRow", 1)));
                return;
            }
            using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
            {
                w.WriteLine($"int tap = {Linear(0, ("tapRow", 1), ("kx", l.DilationWidth))};");
                Tap(0, "tap", Linear(0, ("weightRow", 1), ("kx", 1)));
            }
        }
    }

    /// <summary>sum += the window at x[xi..] times the kernel at p[wi..]: unrolled with constant offsets when small.</summary>
    private static void WriteWindowSum(SourceWriter w, ConvolutionPlan c)
    {
        var l = c.Layer;
        if (c.WindowSize <= UnrolledWindowTaps)
        {
            var terms = new List<string>();
            for (int ky = 0; ky < l.KernelHeight; ky++)
                for (int kx = 0; kx < l.KernelWidth; kx++)
                    terms.Add($"{Index("x", "xi", c.TapOffset(ky, kx))} * {Index("p", "wi", ky * l.KernelWidth + kx)}");
            WriteSum(w, "sum += ", terms);
            return;
        }
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
        {
            w.WriteLine($"sum += x[{Linear(0, ("xi", 1), ("ky", l.DilationHeight * c.Width * c.InPixelStride), ("kx", l.DilationWidth * c.InPixelStride))}] * p[{Linear(0, ("wi", 1), ("ky", l.KernelWidth), ("kx", 1))}];");
        }
    }

    /// <summary>
    /// Loops over every (oy, ox) of a rows x columns output, split into the interior rectangle and
    /// the border strips around it; each body sees the loop variables oy and ox. With no interior body, only the
    /// border's loops (a caller that writes the interior its own way).
    /// </summary>
    private static void WriteRegions(SourceWriter w, int rows, int columns, InteriorRange interiorRows, InteriorRange interiorColumns, Action? interior, Action border) =>
        WriteRegions(w, rows, columns, interiorRows, interiorColumns, rowRange: false, interior, border);

    /// <param name="rowRange">Whether only the rows from rowFrom up to rowTo are written (<see cref="ConvolutionPlan.TakesRowRange"/>).</param>
    private static void WriteRegions(SourceWriter w, int rows, int columns, InteriorRange interiorRows, InteriorRange interiorColumns, bool rowRange, Action? interior, Action border)
    {
        void Rectangle(int rowLow, int rowHigh, int columnLow, int columnHigh, Action body) => WriteRectangle(w, rowLow, rowHigh, columnLow, columnHigh, rowRange, body);
        bool hasInterior = !interiorRows.IsEmpty && !interiorColumns.IsEmpty;
        if (!hasInterior)
        {
            Rectangle(0, rows, 0, columns, border);
            return;
        }
        Rectangle(0, interiorRows.Low, 0, columns, border);
        if (interior is not null) Rectangle(interiorRows.Low, interiorRows.High, interiorColumns.Low, interiorColumns.High, interior);
        Rectangle(interiorRows.Low, interiorRows.High, 0, interiorColumns.Low, border);
        Rectangle(interiorRows.Low, interiorRows.High, interiorColumns.High, columns, border);
        Rectangle(interiorRows.High, rows, 0, columns, border);
    }

    private static void WriteRectangle(SourceWriter w, int rowLow, int rowHigh, int columnLow, int columnHigh, bool rowRange, Action body)
    {
        if (rowLow >= rowHigh || columnLow >= columnHigh) return;
        string first = rowRange ? $"global::System.Math.Max(rowFrom, {rowLow})" : Literal.Int(rowLow);
        string end = rowRange ? $"global::System.Math.Min(rowTo, {rowHigh})" : Literal.Int(rowHigh);
        using (w.OpenBlock($"for (int oy = {first}; oy < {end}; oy++)"))
        using (w.OpenBlock($"for (int ox = {columnLow}; ox < {columnHigh}; ox++)"))
        {
            body();
        }
    }

    // ---- Pooling ----------------------------------------------------------------------------

    private static void WritePool(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        string method = MethodName(index, l);
        int plane = pool.Height * pool.Width, outPlane = pool.OutHeight * pool.OutWidth, taps = l.KernelHeight * l.KernelWidth;
        WriteSummary(w, index, l, pool.Shapes);
        using (OpenOptimizedMethod(w, $"private static void {method}({ReadOnlySpan} x, {Span} y)"))
        {
            if (IsVectorPool(pool))
            {
                using (w.OpenBlock($"if ({Vector256}.IsHardwareAccelerated)"))
                {
                    w.WriteLine($"{method}Vector(x, y);");
                    w.WriteLine("return;");
                }
            }
            else if (pool.IsSeparable)
            {
                using (w.OpenBlock($"if ({SimdFlavor.Portable.IsHardwareAccelerated})"))
                {
                    w.WriteLine($"{method}Separable(x, y);");
                    w.WriteLine("return;");
                }
            }
            else if (IsRowVectorAverage(pool))
            {
                using (w.OpenBlock($"if ({SimdFlavor.Portable.IsHardwareAccelerated})"))
                {
                    w.WriteLine($"{method}Rows(x, y);");
                    w.WriteLine("return;");
                }
            }
            WritePoolChannels(w, index, pool, method, plane, outPlane, taps);
        }
        if (IsRowVectorAverage(pool))
        {
            w.WriteLine();
            WriteRowVectorAverage(w, index, pool);
        }
        if (IsVectorPool(pool))
        {
            w.WriteLine();
            WriteVectorPool(w, index, pool);
        }
        else if (pool.IsSeparable)
        {
            w.WriteLine();
            WriteSeparablePool(w, index, pool);
        }
        WritePoolBorder(w, index, pool, method, plane);
    }

    /// <summary>The vector method of a separable pool (<see cref="PoolPlan.IsSeparable"/>: a max or a min).</summary>
    private static string SeparableReduce(PoolOp l) => l.Reduction == Reduction.Max ? "Max" : "Min";

    /// <summary>
    /// A separable pool's references and its row of column extremes on the stack, <paramref name="lanes"/> floats a
    /// column, filled once with the padding's value (negative infinity for a max), which the columns never overwrite.
    /// </summary>
    private static void WriteSeparableStart(SourceWriter w, PoolPlan pool, string lanes)
    {
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"// column ix's extremes at {pool.Layer.PaddingWidth} + ix ({lanes} floats a column)");
        w.WriteLine($"{Span} row = stackalloc float[{pool.SeparableRowLength} * {lanes}];");
        w.WriteLine($"row.Fill({(pool.Layer.Reduction == Reduction.Max ? "float.NegativeInfinity" : "float.PositiveInfinity")});");
        w.WriteLine($"ref float columns = ref {MemoryMarshal}.GetReference(row);");
    }

    /// <summary>
    /// An average pool in PyTorch's layout at stride 1 along the rows whose interior holds at least 16 outputs a row: there
    /// each lane of a vector of neighbouring outputs sums its window from zero in row-major order, as the scalar loop and
    /// PyTorch do (the order kept: another can overflow where this one does not), from shifted loads of the input rows.
    /// </summary>
    private static bool IsRowVectorAverage(PoolPlan pool) =>
        pool.Layer is { Reduction: Reduction.Average, StrideWidth: 1 } && !pool.Layer.IsDilated && !pool.Rows.IsEmpty && pool.Columns.High - pool.Columns.Low >= SimdFlavor.WideLanes && !IsVectorPool(pool);

    /// <summary>The interior of <see cref="IsRowVectorAverage"/>'s pool on vectors of outputs (the last overlapping the one before), its border a window at a time as the scalar loop's.</summary>
    private static void WriteRowVectorAverage(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        var v = SimdFlavor.Portable;
        string method = MethodName(index, l);
        int plane = pool.Height * pool.Width, outPlane = pool.OutHeight * pool.OutWidth, taps = l.KernelHeight * l.KernelWidth;
        w.WriteLine($"/// <summary>Layer {index} with {v.Description} of neighbouring outputs in the interior, each lane's window summed in PyTorch's order.</summary>");
        using var _ = OpenOptimizedMethod(w, $"private static void {method}Rows({ReadOnlySpan} x, {Span} y)");
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        using (w.OpenBlock($"for (int c = 0; c < {pool.Channels}; c++)"))
        {
            string target = $"y[{Linear(0, ("c", outPlane), ("oy", pool.OutWidth), ("ox", 1))}]";
            // the border as the scalar loop's; the interior below, on vectors
            WriteRegions(w, pool.OutHeight, pool.OutWidth, pool.Rows, pool.Columns, interior: null, border: () => w.WriteLine($"{target} = {method}At(x, c, oy, ox);"));
            using (w.OpenBlock($"for (int oy = {pool.Rows.Low}; oy < {pool.Rows.High}; oy++)"))
            using (w.OpenBlock($"for (int start = {pool.Columns.Low}; start < {pool.Columns.High}; start += {v.Count})"))
            {
                w.WriteLine($"int ox = global::System.Math.Min(start, {pool.Columns.High} - {v.Count});");
                w.WriteLine($"int xi = {Linear(-l.PaddingHeight * pool.Width - l.PaddingWidth, ("c", plane), ("oy", l.StrideHeight * pool.Width), ("ox", 1))};");
                w.WriteLine($"var acc = {v.Type}.Zero;");
                if (taps > UnrolledWindowTaps)
                    w.WriteLine($"for (int ky = 0; ky < {l.KernelHeight}; ky++) for (int kx = 0; kx < {l.KernelWidth}; kx++) acc += {v.Load("input", $"xi + ky * {pool.Width} + kx")};");
                else
                    for (int ky = 0; ky < l.KernelHeight; ky++)
                        for (int kx = 0; kx < l.KernelWidth; kx++)
                            w.WriteLine($"acc += {v.Load("input", $"xi + {ky * pool.Width + kx}")};");
                w.WriteLine(v.Store($"acc / {v.Broadcast($"{taps}f")}", "output", Linear(0, ("c", outPlane), ("oy", pool.OutWidth), ("ox", 1))));
            }
        }
    }

    /// <summary>
    /// "var extreme = " the max or min of a vector from each window row that meets the input, rows first to end - 1
    /// (<paramref name="row"/> gives the load of a row). A whole window's rows are a balanced tree of independent loads;
    /// a chain of dependent Max calls waited out each one's latency (a 13-row window: 13 in a row).
    /// </summary>
    private static void WriteWindowRowsExtreme(SourceWriter w, PoolOp l, SimdFlavor v, string reduce, System.Func<string, string> row)
    {
        string Loop() => $"for (int iy = first + 1; iy < end; iy++) extreme = {v.Static}.{reduce}(extreme, {row("iy")});";
        if (l.KernelHeight > UnrolledWindowTaps)
        {
            w.WriteLine($"var extreme = {row("first")};");
            w.WriteLine(Loop());
            return;
        }
        w.WriteLine($"{v.Type} extreme;");
        w.WriteLine($"if (end - first == {l.KernelHeight}) extreme = {Tree(Enumerable.Range(0, l.KernelHeight).Select(ky => row(ky == 0 ? "first" : $"(first + {ky})")).ToList(), v, reduce)};");
        using (w.OpenBlock("else"))
        {
            w.WriteLine($"extreme = {row("first")};");
            w.WriteLine(Loop());
        }
    }

    /// <summary>"var extreme = " the max or min of the window's columns (<paramref name="column"/> gives the load of column kx), a balanced tree where the window is unrolled.</summary>
    private static void WriteWindowColumnsExtreme(SourceWriter w, PoolOp l, SimdFlavor v, string reduce, System.Func<string, string> column)
    {
        if (l.KernelWidth > UnrolledWindowTaps)
        {
            w.WriteLine($"var extreme = {column("0")};");
            w.WriteLine($"for (int kx = 1; kx < {l.KernelWidth}; kx++) extreme = {v.Static}.{reduce}(extreme, {column("kx")});");
            return;
        }
        w.WriteLine($"var extreme = {Tree(Enumerable.Range(0, l.KernelWidth).Select(kx => column(kx.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList(), v, reduce)};");
    }

    /// <summary>The max or min of the terms as a balanced tree of calls: independent halves the CPU runs side by side.</summary>
    private static string Tree(IReadOnlyList<string> terms, SimdFlavor v, string reduce) => terms.Count == 1
        ? terms[0]
        : $"{v.Static}.{reduce}({Tree(terms.Take(terms.Count / 2).ToList(), v, reduce)}, {Tree(terms.Skip(terms.Count / 2).ToList(), v, reduce)})";

    /// <summary>
    /// A max or min pool in PyTorch's layout, separably (<see cref="PoolPlan.IsSeparable"/>): per channel and output row,
    /// the window's rows reduced into the row of column extremes with vectors along it (the last overlapping the one
    /// before), then each output the extreme of its window's columns of that row: at stride 1, vectors of outputs from
    /// shifted loads. The row keeps the padding's value (negative infinity for a max) around the columns, written once,
    /// so a window reaching past the input takes it as the scalar border does. Max and Min pass NaN on.
    /// </summary>
    private static void WriteSeparablePool(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        var v = SimdFlavor.Portable;
        string reduce = SeparableReduce(l);
        int before = l.PaddingWidth, width = pool.Width, outWidth = pool.OutWidth, plane = pool.Height * pool.Width;
        w.WriteLine($"/// <summary>Layer {index} separably, with SIMD vectors along the rows: the window's rows into a row of column extremes, then its columns.</summary>");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}Separable({ReadOnlySpan} x, {Span} y)");
        WriteSeparableStart(w, pool, "1");
        using (w.OpenBlock($"for (int c = 0; c < {pool.Channels}; c++)"))
        using (w.OpenBlock($"for (int oy = 0; oy < {pool.OutHeight}; oy++)"))
        {
            w.WriteLine($"int top = {Linear(-l.PaddingHeight, ("oy", l.StrideHeight))};");
            w.WriteLine($"int first = global::System.Math.Max(top, 0), end = global::System.Math.Min(top + {l.KernelHeight}, {pool.Height});");
            w.WriteLine($"ref float channel = ref {Unsafe}.Add(ref input, c * {plane});");
            using (w.OpenBlock($"if ({width} >= {v.Count})"))
            {
                using (w.OpenBlock($"for (int start = 0; start < {width}; start += {v.Count})"))
                {
                    w.WriteLine($"int ix = global::System.Math.Min(start, {width} - {v.Count});");
                    WriteWindowRowsExtreme(w, l, v, reduce, iy => v.Load("channel", $"{iy} * {width} + ix"));
                    w.WriteLine(v.Store("extreme", "columns", $"{before} + ix"));
                }
            }
            using (w.OpenBlock("else"))
            {
                using (w.OpenBlock($"for (int ix = 0; ix < {width}; ix++)"))
                {
                    w.WriteLine($"float extreme = x[c * {plane} + first * {width} + ix];");
                    w.WriteLine($"for (int iy = first + 1; iy < end; iy++) extreme = global::System.MathF.{reduce}(extreme, x[c * {plane} + iy * {width} + ix]);");
                    w.WriteLine($"row[{before} + ix] = extreme;");
                }
            }
            w.WriteLine($"int o = {Linear(0, ("c", pool.OutHeight * outWidth), ("oy", outWidth))};");
            // output ox's window starts at column ox * stride - padding, which the row holds at ox * stride
            if (l.StrideWidth == 1)
            {
                using (w.OpenBlock($"if ({outWidth} >= {v.Count})"))
                {
                    using (w.OpenBlock($"for (int start = 0; start < {outWidth}; start += {v.Count})"))
                    {
                        w.WriteLine($"int ox = global::System.Math.Min(start, {outWidth} - {v.Count});");
                        WriteWindowColumnsExtreme(w, l, v, reduce, kx => v.Load("columns", $"ox + {kx}"));
                        w.WriteLine(v.Store("extreme", "output", "o + ox"));
                    }
                    w.WriteLine("continue;");
                }
            }
            using (w.OpenBlock($"for (int ox = 0; ox < {outWidth}; ox++)"))
            {
                w.WriteLine($"int left = ox * {l.StrideWidth};");
                w.WriteLine("float extreme = row[left];");
                w.WriteLine($"for (int kx = 1; kx < {l.KernelWidth}; kx++) extreme = global::System.MathF.{reduce}(extreme, row[left + kx]);");
                w.WriteLine("y[o + ox] = extreme;");
            }
        }
    }

    private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";

    /// <summary>
    /// The common 2x2 window with stride 2 and no border: eight outputs of a row come from two
    /// 16-float stretches of two input rows, reduced vertically, then even and odd columns apart.
    /// </summary>
    private static bool IsVectorPool(PoolPlan pool) =>
        pool.Layer is { KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2, DilationHeight: 1, DilationWidth: 1 } && pool.OutWidth >= 8 &&
        pool.Rows.Low == 0 && pool.Rows.High == pool.OutHeight && pool.Columns.Low == 0 && pool.Columns.High == pool.OutWidth;

    private static void WriteVectorPool(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        // offsets as the cast takes them: a name, or a sum in parentheses
        string Load(string offset) => $"{Vector256}.LoadUnsafe(ref input, (nuint){offset})";
        // the even (odd) columns of 16 floats held in two vectors: the left (right) column of each window
        string Columns(string first, string second, string which) =>
            $"{Vector256}.Create({Vector256}.GetLower({Vector256}.Shuffle({first}, {which})), {Vector256}.GetLower({Vector256}.Shuffle({second}, {which})))";
        w.WriteLine($"/// <summary>Layer {index} with 256-bit vectors: 8 outputs of a row at a time.</summary>");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}Vector({ReadOnlySpan} x, {Span} y)");
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"var evens = {Vector256}.Create(0, 2, 4, 6, 0, 2, 4, 6);");
        w.WriteLine($"var odds = {Vector256}.Create(1, 3, 5, 7, 1, 3, 5, 7);");
        using (w.OpenBlock($"for (int row = 0; row < {pool.Channels * pool.OutHeight}; row++)"))
        {
            // output row `row` of channel c reads input rows 2*oy and 2*oy + 1 of the same channel
            w.WriteLine($"int channel = row / {pool.OutHeight}, oy = row - channel * {pool.OutHeight};");
            w.WriteLine($"int top = {Linear(0, ("channel", pool.Height * pool.Width), ("oy", 2 * pool.Width))};");
            using (w.OpenBlock($"for (int start = 0; start < {pool.OutWidth}; start += 8)"))
            {
                w.WriteLine($"int ox = global::System.Math.Min(start, {pool.OutWidth - 8});");
                w.WriteLine($"int xi = top + 2 * ox;");
                string result;
                if (l.Reduction == Reduction.Average)
                {
                    w.WriteLine($"var upperLeft = {Load("xi")};");
                    w.WriteLine($"var upperRight = {Load("(xi + 8)")};");
                    w.WriteLine($"var lowerLeft = {Load($"(xi + {pool.Width})")};");
                    w.WriteLine($"var lowerRight = {Load($"(xi + {pool.Width + 8})")};");
                    // each lane sums its window as the scalar code and PyTorch do: from zero, row by row, left to right
                    // (another order can overflow where this one does not); * 0.25f is exactly / 4f
                    w.WriteLine($"var sum = {Vector256}<float>.Zero + {Columns("upperLeft", "upperRight", "evens")} + {Columns("upperLeft", "upperRight", "odds")};");
                    w.WriteLine($"sum = sum + {Columns("lowerLeft", "lowerRight", "evens")} + {Columns("lowerLeft", "lowerRight", "odds")};");
                    result = "sum * 0.25f";
                }
                else
                {
                    // max and min give the same answer in any order (NaN wins either way): rows first, then columns
                    string reduce = l.Reduction == Reduction.Max ? "Max" : "Min";
                    string Reduce(string a, string b) => $"{Vector256}.{reduce}({a}, {b})";
                    w.WriteLine($"var left = {Reduce(Load("xi"), Load($"(xi + {pool.Width})"))};");
                    w.WriteLine($"var right = {Reduce(Load("(xi + 8)"), Load($"(xi + {pool.Width + 8})"))};");
                    w.WriteLine($"var even = {Columns("left", "right", "evens")};");
                    w.WriteLine($"var odd = {Columns("left", "right", "odds")};");
                    result = Reduce("even", "odd");
                }
                w.WriteLine($"{Vector256}.StoreUnsafe({result}, ref output, (nuint)({Linear(0, ("row", pool.OutWidth), ("ox", 1))}));");
            }
        }
    }

    private static void WritePoolChannels(SourceWriter w, int index, PoolPlan pool, string method, int plane, int outPlane, int taps)
    {
        var l = pool.Layer;
        using (w.OpenBlock($"for (int c = 0; c < {pool.Channels}; c++)"))
        {
            string target = $"y[{Linear(0, ("c", outPlane), ("oy", pool.OutWidth), ("ox", 1))}]";
            WriteRegions(w, pool.OutHeight, pool.OutWidth, pool.Rows, pool.Columns,
                interior: () =>
                {
                    w.WriteLine($"int xi = {Linear(-l.PaddingHeight * pool.Width - l.PaddingWidth, ("c", plane), ("oy", l.StrideHeight * pool.Width), ("ox", l.StrideWidth))};");
                    // decided before any tap is written: a window of 8192 x 8192 taps must cost a loop, not 67 million strings
                    if ((long)l.KernelHeight * l.KernelWidth > UnrolledWindowTaps)
                    {
                        WritePoolLoop(w, l, pool, "xi");
                        w.WriteLine($"{target} = {(l.Reduction == Reduction.Average ? $"acc / {taps}f" : "acc")};");
                        return;
                    }
                    var taken = new List<string>();
                    for (int ky = 0; ky < l.KernelHeight; ky++)
                        for (int kx = 0; kx < l.KernelWidth; kx++)
                            taken.Add(Index("x", "xi", ky * l.DilationHeight * pool.Width + kx * l.DilationWidth));
                    if (l.Reduction == Reduction.Average)
                    {
                        // PyTorch's order: from zero (so a window of -0 gives +0), row by row, left to right
                        WriteSum(w, "float acc = ", taken.Prepend("0f").ToList());
                        w.WriteLine($"{target} = acc / {taps}f;");
                    }
                    else
                    {
                        w.WriteLine($"float acc = {taken[0]};");
                        foreach (var t in taken.Skip(1)) w.WriteLine(PoolAccumulate(l.Reduction, t));
                        w.WriteLine($"{target} = acc;");
                    }
                },
                border: () => w.WriteLine($"{target} = {method}At(x, c, oy, ox);"));
        }
    }

    private static void WritePoolBorder(SourceWriter w, int index, PoolPlan pool, string method, int plane)
    {
        var l = pool.Layer;
        if (pool.Rows.Low > 0 || pool.Rows.High < pool.OutHeight || pool.Columns.Low > 0 || pool.Columns.High < pool.OutWidth)
        {
            w.WriteLine();
            string padding = l.Reduction switch
            {
                Reduction.Max => "the padding counts as negative infinity",
                Reduction.Min => "the padding counts as positive infinity",
                Reduction.Average when l.CountIncludePad => "padded zeros count in the divisor, which is clipped to the padded input (count_include_pad)",
                Reduction.Average => "the divisor counts the window's input values only (count_include_pad=False)",
            };
            w.WriteLine($"/// <summary>One output of layer {index} near the border: {padding}.</summary>");
            using (OpenOptimizedMethod(w, $"private static float {method}At({ReadOnlySpan} x, int c, int oy, int ox)"))
            {
                w.WriteLine($"int top = {Linear(-l.PaddingHeight, ("oy", l.StrideHeight))};");
                w.WriteLine($"int left = {Linear(-l.PaddingWidth, ("ox", l.StrideWidth))};");
                w.WriteLine(PoolStart(l.Reduction));
                WriteWindowTaps(w, pool, true, PoolAccumulate(l.Reduction, $"x[{Linear(0, ("c", plane), ("iy", pool.Width), ("ix", 1))}]"));
                if (l.Reduction == Reduction.Average)
                {
                    w.WriteLine($"return acc / {WindowDivisor(pool)};");
                }
                else w.WriteLine("return acc;");
            }
        }
    }

    /// <summary>The accumulator before the window: the padding's value for max and min (-inf, +inf), 0 for the mean's sum.</summary>
    /// <summary>
    /// PyTorch's divisor of an average pool's window at (top, left), an int expression: with count_include_pad, the
    /// window clipped to the padded input (a ceil-mode window's overhang past the padding does not count); without, the
    /// window clipped to the input, at least one value (the padding is at most half the window, and no window starts
    /// past the input).
    /// </summary>
    internal static string WindowDivisor(PoolPlan pool)
    {
        var l = pool.Layer;
        const string Min = "global::System.Math.Min", Max = "global::System.Math.Max";
        return l.CountIncludePad
            ? $"(({Min}(top + {l.KernelHeight}, {pool.Height + l.PaddingHeight}) - top) * ({Min}(left + {l.KernelWidth}, {pool.Width + l.PaddingWidth}) - left))"
            : $"(({Min}(top + {l.KernelHeight}, {pool.Height}) - {Max}(top, 0)) * ({Min}(left + {l.KernelWidth}, {pool.Width}) - {Max}(left, 0)))";
    }

    /// <summary>
    /// A window's taps in row-major order from its corner (top, left), its dilation apart: the loops over ky and kx that set iy and ix, with
    /// <paramref name="statement"/> for each tap; where <paramref name="checks"/>, taps outside the input (padding, or a
    /// ceil-mode window past the end) are skipped.
    /// </summary>
    private static void WriteWindowTaps(SourceWriter w, PoolPlan pool, bool checks, string statement)
    {
        using (w.OpenBlock($"for (int ky = 0; ky < {pool.Layer.KernelHeight}; ky++)"))
        {
            w.WriteLine(pool.Layer.DilationHeight == 1 ? "int iy = top + ky;" : $"int iy = top + ky * {pool.Layer.DilationHeight};");
            if (checks) w.WriteLine($"if ((uint)iy >= {pool.Height}u) continue;");
            using (w.OpenBlock($"for (int kx = 0; kx < {pool.Layer.KernelWidth}; kx++)"))
            {
                w.WriteLine(pool.Layer.DilationWidth == 1 ? "int ix = left + kx;" : $"int ix = left + kx * {pool.Layer.DilationWidth};");
                if (checks) w.WriteLine($"if ((uint)ix >= {pool.Width}u) continue;");
                w.WriteLine(statement);
            }
        }
    }

    private static string PoolStart(Reduction kind) => kind switch
    {
        Reduction.Max => "float acc = float.NegativeInfinity;",
        Reduction.Min => "float acc = float.PositiveInfinity;",
        Reduction.Average => "float acc = 0f;",
    };

    /// <summary>One window value into the accumulator; MathF.Max and Min pass NaN on, as PyTorch's pooling does.</summary>
    private static string PoolAccumulate(Reduction kind, string value) => kind switch
    {
        Reduction.Max => $"acc = global::System.MathF.Max(acc, {value});",
        Reduction.Min => $"acc = global::System.MathF.Min(acc, {value});",
        Reduction.Average => $"acc += {value};",
    };

    /// <summary>A large interior window as loops (no bounds checks needed inside the interior).</summary>
    private static void WritePoolLoop(SourceWriter w, PoolOp l, PoolPlan pool, string start)
    {
        w.WriteLine(PoolStart(l.Reduction));
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
        {
            string value = $"x[{Linear(0, (start, 1), ("ky", l.DilationHeight * pool.Width), ("kx", l.DilationWidth))}]";
            w.WriteLine(PoolAccumulate(l.Reduction, value));
        }
    }

    // ---- Dense, activations, softmax --------------------------------------------------------

    /// <summary>
    /// y = W x + b, a block of rows at a time: each input vector is loaded once and multiplied into
    /// every row's accumulator, then each accumulator is summed across its lanes.
    /// </summary>
    private static void WriteDense(SourceWriter w, int index, DensePlan d)
    {
        DenseOp l = d.Layer;
        LayerShapes s = d.Shapes;
        int inputs = d.Inputs;
        WriteSummary(w, index, l, s);
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            w.WriteLine($"x = x.Slice(0, {inputs});");
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
            var wide = SimdFlavor.Wide;
            if (d.KeepsColumns)
            {
                using (w.OpenBlock($"if ({wide.IsHardwareAccelerated})"))
                {
                    WriteDenseColumns(w, d);
                    w.WriteLine("return;");
                }
            }
            if (l.InputsFirst)
            {
                using (w.OpenScope()) WriteDenseInputsFirst(w, l, s);
                return;
            }
            // a layer without the copy, on the 512-bit path: a Vector512 row needs no scalar tail, or one too short to matter
            if (!d.KeepsColumns && (inputs % wide.Lanes!.Value == 0 || inputs >= 256))
            {
                using (w.OpenBlock($"if ({wide.IsHardwareAccelerated})"))
                {
                    int vectorEnd = inputs - inputs % wide.Lanes!.Value;
                    WriteDenseRows(w, l, s, wide, Literal.Int(vectorEnd), scalarTail: vectorEnd < inputs);
                    w.WriteLine("return;");
                }
            }
            var portable = SimdFlavor.Portable;
            w.WriteLine($"bool simd = {portable.IsHardwareAccelerated} && {portable.Count} <= {inputs};");
            w.WriteLine($"int vectorEnd = simd ? {inputs} - {inputs} % {portable.Count} : 0;");
            WriteDenseRows(w, l, s, portable, "vectorEnd", scalarTail: true);
        }
    }

    /// <summary>
    /// y = x W + b with W [Inputs, Outputs] (ONNX's MatMul) on the paths other than the 512-bit one's copy in chunks
    /// (or a layer narrower than a vector): y starts as the bias, then each input scales its row of
    /// W into it, a vector of outputs at a time, so every load of W is contiguous.
    /// </summary>
    private static void WriteDenseInputsFirst(SourceWriter w, DenseOp l, LayerShapes s)
    {
        int inputs = s.Input.Length, outputs = l.Outputs, weight = s.Tensors[0].Offset;
        w.WriteLine($"y = y.Slice(0, {outputs});");
        if (l.Bias) w.WriteLine($"p.Slice({s.Tensors[1].Offset}, {outputs}).CopyTo(y);");
        else w.WriteLine("y.Clear();");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        var v = SimdFlavor.Portable;
        w.WriteLine($"int vectorEnd = {v.IsHardwareAccelerated} && {v.Count} <= {outputs} ? {outputs} - {outputs} % {v.Count} : 0;");
        using (w.OpenBlock($"for (int i = 0; i < {inputs}; i++)"))
        {
            w.WriteLine("float xi = x[i];");
            w.WriteLine($"int row = {Linear(weight, ("i", outputs))};");
            w.WriteLine($"var scale = {v.Broadcast("xi")};");
            using (w.OpenBlock($"for (int o = 0; o < vectorEnd; o += {v.Count})"))
                w.WriteLine(v.Store(v.MultiplyAdd("scale", v.Load("weights", "row + o"), v.Load("output", "o")), "output", "o"));
            w.WriteLine($"for (int o = vectorEnd; o < {outputs}; o++) y[o] += xi * p[row + o];");
        }
    }

    /// <summary>
    /// A run of a Dense layer's outputs, [<see cref="Start"/>, <see cref="Start"/> + <see cref="Width"/>), held in
    /// <see cref="Vectors"/> registers over all the inputs. The transposed copy keeps its weights at
    /// [input][<see cref="Width"/>] from <see cref="Start"/> x inputs.
    /// </summary>
    internal readonly record struct DenseColumnChunk(int Start, int Width, int Vectors)
    {
        /// <summary>The <paramref name="k"/>-th vector's first column within the chunk: the last overlaps the one before when the width is not a whole number of vectors.</summary>
        public int Column(int k, int lanes) => Math.Min(k * lanes, Width - lanes);
    }

    /// <summary>
    /// A Dense layer's outputs in chunks of at most 8 vectors, the vectors spread evenly so that the last chunk holds at
    /// least one whole vector (130 outputs: 80 and 50, not 128 and 2). Needs at least <paramref name="lanes"/> outputs.
    /// </summary>
    internal static IEnumerable<DenseColumnChunk> DenseColumnChunks(int outputs, int lanes)
    {
        int vectors = (outputs + lanes - 1) / lanes, chunks = (vectors + DenseColumnVectors - 1) / DenseColumnVectors;
        int start = 0;
        for (int c = 0; c < chunks; c++)
        {
            int count = vectors / chunks + (c < vectors % chunks ? 1 : 0);
            int width = c == chunks - 1 ? outputs - start : count * lanes;
            yield return new DenseColumnChunk(start, width, count);
            start += width;
        }
    }

    /// <summary>
    /// y = W x + b from the transposed copy, a chunk of columns at a time. A chunk of fewer than 8 vectors runs over
    /// several inputs at once into sums of its own (84 outputs: 6 vectors, 2 inputs at a time; 16 outputs: 8), so that
    /// enough independent multiply-adds hide their latency; the sums are added at the end. Where the layer skips zero
    /// inputs (<see cref="DensePlan.SkipsZeroInputs"/>) the inputs are the positions <c>DenseInputs.Indices</c>
    /// lists once for all the chunks, each less than the inputs' count.
    /// </summary>
    private static void WriteDenseColumns(SourceWriter w, DensePlan d)
    {
        var v = SimdFlavor.Wide;
        DenseOp l = d.Layer;
        int inputs = d.Inputs, lanes = v.Lanes!.Value;
        bool skips = d.SkipsZeroInputs;
        w.WriteLine($"y = y.Slice(0, {Literal.Int(l.Outputs)});");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        if (skips) WriteNonzeroListing(w, "x", inputs, d.ZeroInputsFlagAt);
        string count = skips ? "count" : Literal.Int(inputs);
        // weights past L2 stream from L3 or memory each call: ask for the row WeightPrefetchDistance floats ahead, or
        // for a listed input's, the row listed up to MostListedRowsAhead entries ahead, as the convolutions do
        bool streamed = d.StreamsWeights;
        foreach (var chunk in DenseColumnChunks(l.Outputs, lanes))
        {
            int streams = Math.Min(inputs, (DenseColumnVectors + chunk.Vectors - 1) / chunk.Vectors);
            int weights = checked(d.PermutedOffset + chunk.Start * inputs);
            string Sum(int k, int j) => j == 0 ? $"sum{k}" : $"sum{k}_{j}";
            using var _ = w.OpenScope();
            for (int k = 0; k < chunk.Vectors; k++)
            {
                int column = chunk.Start + chunk.Column(k, lanes);
                w.WriteLine(l.Bias ? $"var sum{k} = {v.Load("weights", Literal.Int(d.Shapes.Tensors[1].Offset + column))};" : $"var sum{k} = {v.Type}.Zero;");
                for (int j = 1; j < streams; j++) w.WriteLine($"var {Sum(k, j)} = {v.Type}.Zero;");
            }
            // input n + j of the list, or of the layer where it reads every input
            void Step(string n, int j)
            {
                w.WriteLine(skips ? $"int i{j} = {Unsafe}.Add(ref positions, {n});" : $"int i{j} = {n};");
                w.WriteLine($"var x{j} = {v.Broadcast($"{Unsafe}.Add(ref input, i{j})")};");
                w.WriteLine($"int row{j} = {Linear(weights, ($"i{j}", chunk.Width))};");
                if (streamed && skips)
                {
                    w.WriteLine($"int aheadRow{j} = {Linear(weights, ($"{Unsafe}.Add(ref positions, {n} + {Literal.Int(ListedRowsAhead(chunk.Width))})", chunk.Width))};");
                    WriteWeightPrefetch(w, "weights", chunk.Width, WeightHint(1), $"aheadRow{j}");
                }
                else if (streamed)
                    WriteWeightPrefetch(w, "weights", chunk.Width, WeightHint(1), $"row{j} + {Literal.Int(WeightPrefetchDistance)}");
                for (int k = 0; k < chunk.Vectors; k++)
                    w.WriteLine($"{Sum(k, j)} = {v.MultiplyAdd($"x{j}", v.Load("weights", Linear(chunk.Column(k, lanes), ($"row{j}", 1))), Sum(k, j))};");
            }
            w.WriteLine("int n = 0;");
            using (w.OpenBlock(streams == 1 ? $"for (; n < {count}; n++)" : $"for (; n <= {count} - {streams}; n += {streams})"))
                for (int j = 0; j < streams; j++) Step(j == 0 ? "n" : $"n + {j}", j);
            if (streams > 1)
                using (w.OpenBlock($"for (; n < {count}; n++)")) Step("n", 0);
            for (int k = 0; k < chunk.Vectors; k++)
            {
                string total = string.Join(" + ", Enumerable.Range(0, streams).Select(j => Sum(k, j)));
                w.WriteLine(v.Store(streams == 1 ? $"sum{k}" : $"({total})", "output", Literal.Int(chunk.Start + chunk.Column(k, lanes))));
            }
        }
    }

    private const int DenseColumnVectors = 8;

    /// <summary>
    /// The column copy of a Dense layer's weights: [outputs, inputs] (nn.Linear's) or [inputs, outputs] (ONNX's MatMul,
    /// <see cref="DenseOp.InputsFirst"/>) as a [inputs, width] block a chunk of columns.
    /// </summary>
    private static void WriteDensePermutation(SourceWriter w, int index, DensePlan d)
    {
        DenseOp l = d.Layer;
        int inputs = d.Inputs, outputs = l.Outputs, weight = d.Shapes.Tensors[0].Offset, permutedOffset = d.PermutedOffset;
        var chunks = DenseColumnChunks(outputs, SimdFlavor.Wide.Lanes!.Value).ToList();
        string source = l.InputsFirst ? $"[{inputs}, {outputs}]" : $"[{outputs}, {inputs}]";
        w.WriteLine($"// layer {index}: Dense {source} as [{inputs}, {string.Join(" | ", chunks.Select(c => c.Width))}] at {permutedOffset}");
        foreach (var chunk in chunks)
        {
            string from = l.InputsFirst
                ? Linear(checked(weight + chunk.Start), ("i", outputs), ("o", 1))
                : Linear(checked(weight + chunk.Start * inputs), ("o", inputs), ("i", 1));
            using (w.OpenBlock($"for (int o = 0; o < {chunk.Width}; o++)"))
            using (w.OpenBlock($"for (int i = 0; i < {inputs}; i++)"))
                w.WriteLine($"p[{Linear(checked(permutedOffset + chunk.Start * inputs), ("i", chunk.Width), ("o", 1))}] = p[{from}];");
        }
        if (d.SkipsZeroInputs)
            WriteFiniteWeightsFlag(w, d.ZeroInputsFlagAt, weight, inputs * outputs);
    }

    /// <summary>
    /// For a layer that skips zero inputs (<see cref="DensePlan.SkipsZeroInputs"/>, <see cref="SkipsZeroChannels"/>): the
    /// positions of <paramref name="inputs"/> (<paramref name="length"/> floats) that are not zero, "count" of them at
    /// "positions", or every position where the float at <paramref name="flag"/> says a weight is not finite.
    /// </summary>
    private static void WriteNonzeroListing(SourceWriter w, string inputs, int length, int flag)
    {
        w.WriteLine($"global::System.Span<int> listed = stackalloc int[{Literal.Int(length)} + global::CnnGen.DenseInputs.Slack];");
        w.WriteLine($"int count = global::CnnGen.DenseInputs.Indices({inputs}, listed, skipZeros: p[{Literal.Int(flag)}] != 0f);");
        w.WriteLine($"ref int positions = ref {MemoryMarshal}.GetReference(listed);");
    }

    /// <summary>At load time, the float a layer that skips zero inputs reads: 1 when its <paramref name="count"/> weights from <paramref name="weights"/> are all finite.</summary>
    private static void WriteFiniteWeightsFlag(SourceWriter w, int flag, int weights, int count) =>
        w.WriteLine($"p[{Literal.Int(flag)}] = global::CnnGen.DenseInputs.AllFinite(p.Slice({Literal.Int(weights)}, {Literal.Int(count)})) ? 1f : 0f; // 1: every weight finite, so zero inputs skip their rows");

    /// <summary>The rows of y = W x + b, a block at a time: vectors up to <paramref name="vectorEnd"/>, then a scalar tail.</summary>
    private static void WriteDenseRows(SourceWriter w, DenseOp l, LayerShapes s, SimdFlavor v, string vectorEnd, bool scalarTail)
    {
        int inputs = s.Input.Length;
        int weight = s.Tensors[0].Offset;
        // independent sums hide the multiply-add's latency while the weights stream in: 8 rows where the registers allow
        int rows = v.Lanes is not null && l.Outputs % 8 == 0 ? 8 : l.Outputs % 4 == 0 ? 4 : l.Outputs % 2 == 0 ? 2 : 1;
        using (w.OpenBlock($"for (int o = 0; o < {l.Outputs}; o += {rows})"))
        {
            w.WriteLine($"int row = {Linear(weight, ("o", inputs))};");
            for (int r = 0; r < rows; r++) w.WriteLine($"var partial{r} = {v.Type}.Zero;");
            using (w.OpenBlock($"for (int i = 0; i < {vectorEnd}; i += {v.Count})"))
            {
                w.WriteLine($"var v = {v.Load("input", "i")};");
                for (int r = 0; r < rows; r++)
                    w.WriteLine($"partial{r} = {v.MultiplyAdd("v", v.Load("weights", Linear(r * inputs, ("row", 1), ("i", 1))), $"partial{r}")};");
            }
            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"float sum{r} = {v.Static}.Sum(partial{r});");
                if (scalarTail)
                    w.WriteLine($"for (int i = {vectorEnd}; i < {inputs}; i++) sum{r} += x[i] * p[{Linear(r * inputs, ("row", 1), ("i", 1))}];");
                w.WriteLine(l.Bias ? $"y[{Linear(r, ("o", 1))}] = sum{r} + p[{Linear(s.Tensors[1].Offset + r, ("o", 1))}];" : $"y[{Linear(r, ("o", 1))}] = sum{r};");
            }
        }
    }

    /// <summary>The vectors a step of its own takes through an activation of a long chain (<see cref="Epilogues.IsLongChain"/>) at once.</summary>
    private const int ActivationVectorsAStep = 4;

    private static void WriteActivation(SourceWriter w, int index, ActivationOp l, LayerShapes s)
    {
        string expression = Epilogues.Scalar(l, "v");
        int length = s.Output.Length;
        WriteSummary(w, index, l, s);
        w.WriteLine("/// <remarks>Elementwise: x and y may be the same buffer.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y)"))
        {
            w.WriteLine("int i = 0;");
            // the functions with a vector form run on vectors (Epilogues.Vector), 512-bit ones where the CPU has them (a
            // GELU step took half the time of Vector<float>'s 256 bits); the rest, and the tail, stay scalar
            var vectors = new[] { SimdFlavor.Wide, SimdFlavor.Portable }.Where(f => (f.Lanes ?? 0) <= length)
                .Select(f => (Flavor: f, Expression: Epilogues.Vector(l, f, "v"))).Where(v => v.Expression is not null).ToList();
            if (vectors.Count > 0)
            {
                w.WriteLine($"x = x.Slice(0, {length});");
                w.WriteLine($"y = y.Slice(0, {length});");
                w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
                w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
            }
            foreach (var (v, vectorExpression) in vectors)
            {
                using (w.OpenBlock(v.Lanes is null ? $"if ({v.IsHardwareAccelerated} && {v.Count} <= {length})" : $"if ({v.IsHardwareAccelerated})"))
                {
                    // vectors a few at a time: one vector's erfc or exp is a long chain of dependent steps, and one
                    // chain a step left the vector ports idle (alone on 96K values, alternating runs on the Xeon: Mish
                    // and GELU's tanh form 0.85 to 0.87 of the time, GELU's erf form about 0.93)
                    if (Epilogues.IsLongChain(l) && length >= ActivationVectorsAStep * (v.Lanes ?? SimdFlavor.PortableLeastLanes))
                    {
                        string At(int k) => k == 0 ? "i" : $"i + {k} * {v.Count}";
                        using (w.OpenBlock($"for (; i <= {length} - {ActivationVectorsAStep} * {v.Count}; i += {ActivationVectorsAStep} * {v.Count})"))
                        {
                            for (int k = 0; k < ActivationVectorsAStep; k++)
                                w.WriteLine($"var v{k} = {v.Load("input", At(k))};");
                            for (int k = 0; k < ActivationVectorsAStep; k++)
                                w.WriteLine(v.Store(Epilogues.Vector(l, v, $"v{k}")!, "output", At(k)));
                        }
                    }
                    using (w.OpenBlock($"for (; i <= {length} - {v.Count}; i += {v.Count})"))
                    {
                        w.WriteLine($"var v = {v.Load("input", "i")};");
                        w.WriteLine(v.Store(vectorExpression!, "output", "i"));
                    }
                }
            }
            using (w.OpenBlock($"for (; i < {length}; i++)"))
            {
                w.WriteLine("float v = x[i];");
                w.WriteLine($"y[i] = {expression};");
            }
        }
    }

    /// <summary>
    /// Whether a softmax step runs on vectors of pixels: one over the channels of a map or sequence (a segmentation
    /// network's last layer), each lane a pixel. Over a vector there is one softmax, which stays scalar.
    /// </summary>
    internal static bool SoftmaxRunsOnVectors(Step step) => step.Op is SoftmaxOp && SoftmaxPixels(step.Shapes) > 1;

    /// <summary>The pixels a softmax step normalizes apart: 1 for a vector.</summary>
    private static int SoftmaxPixels(LayerShapes s) => s.Input.IsFlat ? 1 : s.Input.Height * s.Input.Width;

    /// <summary>torch.nn.Softmax(dim=1) or LogSoftmax(dim=1): over the vector, or over the channels at each pixel; the maximum is subtracted first.</summary>
    private static void WriteSoftmax(SourceWriter w, int index, SoftmaxOp l, LayerShapes s)
    {
        int channels = s.Input.Channels, pixels = SoftmaxPixels(s);
        var flavors = pixels > 1 ? new[] { SimdFlavor.Wide, SimdFlavor.Portable } : System.Array.Empty<SimdFlavor>();
        WriteSummary(w, index, l, s);
        w.WriteLine("/// <remarks>x and y may be the same buffer: each element is read before it is written.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y)"))
        {
            if (flavors.Length > 0)
            {
                // the pixels the vectors leave (fewer than a vector's lanes) take the scalar loop
                w.WriteLine("int done = 0;");
                w.WriteLine($"if ({SimdFlavor.Wide.IsHardwareAccelerated}) done = {MethodName(index, l)}{SimdFlavor.Wide.Suffix}(x, y);");
                w.WriteLine($"else if ({SimdFlavor.Portable.IsHardwareAccelerated}) done = {MethodName(index, l)}Vector(x, y);");
            }
            Action body = () =>
            {
                string at = pixels == 1 ? "c" : $"c * {pixels} + s";
                w.WriteLine("float max = float.NegativeInfinity;");
                w.WriteLine($"for (int c = 0; c < {channels}; c++) max = global::System.MathF.Max(max, x[{at}]);");
                w.WriteLine("float total = 0f;");
                if (l.Log)
                {
                    // log(softmax(x)) = (x - max) - log(sum(exp(x - max))), in PyTorch's order: never the log of a
                    // rounded-to-zero quotient, and never max + log(sum) first, which rounds away the small log next to a large max
                    w.WriteLine($"for (int c = 0; c < {channels}; c++) total += global::System.MathF.Exp(x[{at}] - max);");
                    w.WriteLine("float logTotal = global::System.MathF.Log(total);");
                    w.WriteLine($"for (int c = 0; c < {channels}; c++) y[{at}] = x[{at}] - max - logTotal;");
                    return;
                }
                using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
                {
                    w.WriteLine($"float e = global::System.MathF.Exp(x[{at}] - max);");
                    w.WriteLine($"y[{at}] = e;");
                    w.WriteLine("total += e;");
                }
                w.WriteLine($"for (int c = 0; c < {channels}; c++) y[{at}] /= total;");
            };
            if (pixels == 1) body();
            else
            {
                using (w.OpenBlock($"for (int s = done; s < {pixels}; s++)")) body();
            }
        }
        foreach (var v in flavors) WriteVectorSoftmax(w, index, l, channels, pixels, v);
    }

    /// <summary>
    /// The softmax of a map's channels with a vector of pixels at a time (no two vectors overlap: x and y may be one
    /// buffer), each lane in the scalar loop's order: the maximum, the sum of exp(x - max) from zero in channel order
    /// (the emitted exp, within 1 ulp), then each quotient (or x - max - log(sum), the logs a lane at a time). Returns the
    /// pixels done, a whole number of vectors.
    /// </summary>
    private static void WriteVectorSoftmax(SourceWriter w, int index, SoftmaxOp l, int channels, int pixels, SimdFlavor v)
    {
        string name = MethodName(index, l) + (v.Lanes is null ? "Vector" : v.Suffix);
        string exp = VectorExp.Name(v);
        w.WriteLine();
        w.WriteLine($"/// <summary>Layer {index} with {v.Description} of pixels; returns how many pixels it did.</summary>");
        using (OpenOptimizedMethod(w, $"private static int {name}({ReadOnlySpan} x, {Span} y)"))
        {
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
            if (l.Log) w.WriteLine($"{Span} lanes = stackalloc float[{v.Count}];");
            w.WriteLine("int s = 0;");
            using (w.OpenBlock($"for (; s <= {pixels} - {v.Count}; s += {v.Count})"))
            {
                w.WriteLine($"var max = {v.Load("input", "s")};");
                w.WriteLine($"for (int c = 1; c < {channels}; c++) max = {v.Static}.Max(max, {v.Load("input", $"c * {pixels} + s")});");
                w.WriteLine($"var total = {v.Type}.Zero;");
                if (l.Log)
                {
                    w.WriteLine($"for (int c = 0; c < {channels}; c++) total += {exp}({v.Load("input", $"c * {pixels} + s")} - max);");
                    w.WriteLine(v.CopyTo("total", "lanes"));
                    w.WriteLine($"for (int lane = 0; lane < {v.Count}; lane++) lanes[lane] = global::System.MathF.Log(lanes[lane]);");
                    w.WriteLine($"var logTotal = {v.FromSpan("lanes")};");
                    w.WriteLine($"for (int c = 0; c < {channels}; c++) {v.Store($"{v.Load("input", $"c * {pixels} + s")} - max - logTotal", "output", $"c * {pixels} + s")}");
                }
                else
                {
                    using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
                    {
                        w.WriteLine($"var e = {exp}({v.Load("input", $"c * {pixels} + s")} - max);");
                        w.WriteLine(v.Store("e", "output", $"c * {pixels} + s"));
                        w.WriteLine("total += e;");
                    }
                    w.WriteLine($"for (int c = 0; c < {channels}; c++) {v.Store($"{v.Load("output", $"c * {pixels} + s")} / total", "output", $"c * {pixels} + s")}");
                }
            }
            w.WriteLine("return s;");
        }
    }
}
