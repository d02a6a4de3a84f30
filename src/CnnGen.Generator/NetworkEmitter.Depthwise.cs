using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>Depthwise convolutions on channels-last inputs: every tap is a vector load of a pixel's channels.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>
    /// The input in PyTorch's layout copied channels-last into "padded" (<see cref="TransposesInput"/>). The 512-bit
    /// kernel transposes blocks of 16 channels by 16 pixels in registers (<see cref="WriteTransposedCopy"/>) where the
    /// input holds one; the others, and a map of fewer than 16 pixels or channels, copy a float at a time, 64 pixels at
    /// a time, so that the lines they are written to stay in L1 while each channel's row of them is read in turn.
    /// </summary>
    private static void WriteChannelsLastCopy(SourceWriter w, ConvolutionPlan c, SimdFlavor v)
    {
        int plane = c.Height * c.Width, channels = c.InChannels;
        w.WriteLine($"// the input in PyTorch's layout, copied channels-last: each tap is then a vector load of a pixel's channels");
        if (v == SimdFlavor.Wide && plane >= TransposedBlock && channels >= TransposedBlock)
        {
            using (w.OpenBlock($"if ({TransposeIntrinsics}.IsSupported)")) WriteTransposedCopy(w, channels, plane);
            using (w.OpenBlock("else")) WriteCopyByFloat(w, channels, plane);
        }
        else WriteCopyByFloat(w, channels, plane);
    }

    private static void WriteCopyByFloat(SourceWriter w, int channels, int plane)
    {
        using (w.OpenBlock($"for (int start = 0; start < {plane}; start += {CopiedPixels})"))
        {
            w.WriteLine($"int end = global::System.Math.Min(start + {CopiedPixels}, {plane});");
            using (w.OpenBlock($"for (int ch = 0; ch < {channels}; ch++)"))
            using (w.OpenBlock("for (int i = start; i < end; i++)"))
                w.WriteLine($"padded[{Linear(0, ("i", channels), ("ch", 1))}] = x[{Linear(0, ("ch", plane), ("i", 1))}];");
        }
    }

    private const int CopiedPixels = 64;

    /// <summary>The side of the square block the 512-bit copy transposes: a vector's lanes.</summary>
    private const int TransposedBlock = 16;

    private const string TransposeIntrinsics = "global::System.Runtime.Intrinsics.X86.Avx512F";

    /// <summary>
    /// The channels-last copy by 16 x 16 blocks: 16 channels' rows of 16 pixels loaded as vectors, transposed in four
    /// rounds of two-source permutes (vpermt2ps), stored as 16 pixels' vectors of 16 channels. Round b pairs vectors
    /// i and i + 2^b and swaps bit b of the vector's index (the channel) with bit b of the lane's (the pixel), so after
    /// the four rounds vector p holds pixel p's channels. The last block of pixels and of channels overlaps the one
    /// before where the map or the channels are not a multiple of 16: a copy written twice is the same copy. A float at
    /// a time, with each index checked, this copy of 72 channels of 56 x 56 took 180 to 310 µs; so, 62 to 66.
    /// </summary>
    private static void WriteTransposedCopy(SourceWriter w, int channels, int plane)
    {
        const int n = TransposedBlock, rounds = 4;
        var v = SimdFlavor.Wide;
        int floats = channels * plane;
        w.WriteLine($"ref float source = ref {MemoryMarshal}.GetReference(x.Slice(0, {floats}));");
        w.WriteLine($"ref float target = ref {MemoryMarshal}.GetReference(padded.Slice(0, {floats}));");
        // round b's permutes: lane l of the pair's first result is lane l of the first vector where l's bit b is clear,
        // else lane l - 2^b of the second (16 + l - 2^b); of the second result, lane l + 2^b of the first or l of the second
        for (int b = 0; b < rounds; b++)
        {
            int bit = 1 << b;
            var low = Enumerable.Range(0, n).Select(l => (l & bit) == 0 ? l : n + (l & ~bit));
            var high = Enumerable.Range(0, n).Select(l => (l & bit) == 0 ? l | bit : n + l);
            w.WriteLine($"var low{b} = {v.Static}.Create({string.Join(", ", low)});");
            w.WriteLine($"var high{b} = {v.Static}.Create({string.Join(", ", high)});");
        }
        using (w.OpenBlock($"for (int pixels = 0; pixels < {plane}; pixels += {n})"))
        {
            w.WriteLine($"int firstPixel = global::System.Math.Min(pixels, {plane - n});");
            using (w.OpenBlock($"for (int block = 0; block < {channels}; block += {n})"))
            {
                w.WriteLine($"int firstChannel = global::System.Math.Min(block, {channels - n});");
                w.WriteLine($"ref float rows = ref {Unsafe}.Add(ref source, {Linear(0, ("firstChannel", plane), ("firstPixel", 1))});");
                w.WriteLine($"ref float columns = ref {Unsafe}.Add(ref target, {Linear(0, ("firstPixel", channels), ("firstChannel", 1))});");
                var names = Enumerable.Range(0, n).Select(k => $"t0_{k}").ToArray();
                for (int k = 0; k < n; k++) w.WriteLine($"var {names[k]} = {v.Load("rows", Literal.Int(k * plane))};");
                for (int b = 0; b < rounds; b++)
                {
                    int bit = 1 << b;
                    var next = Enumerable.Range(0, n).Select(k => $"t{b + 1}_{k}").ToArray();
                    for (int i = 0; i < n; i++)
                    {
                        if ((i & bit) != 0) continue;
                        int j = i | bit;
                        string first = $"{TransposeIntrinsics}.PermuteVar16x32x2({names[i]}, low{b}, {names[j]})";
                        string second = $"{TransposeIntrinsics}.PermuteVar16x32x2({names[i]}, high{b}, {names[j]})";
                        if (b < rounds - 1)
                        {
                            w.WriteLine($"var {next[i]} = {first};");
                            w.WriteLine($"var {next[j]} = {second};");
                        }
                        else
                        {
                            // vector p now holds pixel p's 16 channels
                            w.WriteLine(v.Store(first, "columns", Literal.Int(i * channels)));
                            w.WriteLine(v.Store(second, "columns", Literal.Int(j * channels)));
                        }
                    }
                    names = next;
                }
            }
        }
    }

    /// <summary>
    /// A depthwise convolution (a filter per channel) over a channels-last input: for a vector of channels, a tile of
    /// output pixels stays in registers while the window is summed. Per kernel row the row's weight vectors are loaded
    /// once, then each input pixel the tile reads is loaded once and multiplied into every output that reads it through
    /// its tap, so a stride-1 window's overlap costs no second load. Strides and dilations are only displacements here.
    /// Padding costs no copy: a tile at the left or right border is written for its columns, without the taps that fall
    /// on padding, the tiles between them in a loop without checks; a kernel row above or below the input is skipped by a
    /// test on the tile's row. The last vector of channels overlaps the one before when the channels are not a multiple
    /// of the lanes; results are stored as a vector per pixel (channels-last) or a lane at a time (PyTorch's layout).
    /// </summary>
    private static void WriteDepthwiseConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, int permutedOffset, SimdFlavor v)
    {
        var l = c.Layer;
        var tile = DepthwiseTile.For(c, v);
        int channels = c.InChannels, rowFloats = c.Width * channels;
        int outPlane = c.OutHeight * c.OutWidth;
        bool channelsLastOutput = c.OutputLayout == Layout.ChannelsLast;
        string width = v.Count;
        string Sum(int r, int px) => $"sum{r}_{px}";
        int bandChannels = DepthwiseTile.BandChannels(c, tile);
        bool banded = bandChannels < channels, rowsFirst = DepthwiseTile.ChannelsInnermost(c), perTile = DepthwiseTile.ChannelsPerTile(c, tile);
        string of = banded ? $"of a band of {bandChannels} " : "";
        string order = !rowsFirst ? ""
            : perTile ? $", every vector of channels {of}of a tile before the next tile"
            : $", every vector of channels {of}of a row of tiles before the next row";
        w.WriteLine($"/// <summary>Layer {index}, depthwise, with {v.Description} across channels: {tile.Rows} row(s) x {tile.Pixels} pixel(s) in registers{order}.</summary>");
        bool copies = TransposesInput(c);
        using var _ = OpenOptimizedMethod(w, $"private static void {KernelMethodName(c, VectorKernel.Depthwise, v)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(copies ? $", {Span} padded" : "")}{RowRangeParameters(c)})");
        if (copies) WriteChannelsLastCopy(w, c, v);
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference({(copies ? "padded" : "x")});");
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        if (!channelsLastOutput)
        {
            if (v.Lanes is null) w.WriteLine($"int width = {v.Count};");
            WriteStage(w, v, tile.Rows * tile.Pixels);
        }
        bool overlaps = v.Lanes is not int exact || channels % exact != 0;
        int lastTileRow = c.OutHeight - tile.Rows;

        // whether input row oy * stride + offset lies in the input for every tile's oy (and every ky of a looped kernel row)
        bool RowAlwaysInside(int least, int most) => least >= 0 && lastTileRow * l.StrideHeight + most < c.Height;

        // one kernel row: each input pixel the tile reads, loaded once, into every (output, tap) that reads it; at a
        // border tile (firstColumn known) the pixels left or right of the input are padding, and are left out
        void KernelRow(int? ky, string inputOrigin, string weightBase, int weightOffset, int? firstColumn)
        {
            bool keep = tile.KeepsRow(l.KernelWidth, v);
            if (keep)
                for (int kx = 0; kx < l.KernelWidth; kx++) w.WriteLine($"weight{kx} = {v.Load(weightBase, Literal.Int(weightOffset + kx * channels))};");
            var columns = Enumerable.Range(0, tile.Pixels)
                .SelectMany(px => Enumerable.Range(0, l.KernelWidth).Select(kx => (Column: px * l.StrideWidth + kx * l.DilationWidth, Pixel: px, Tap: kx)))
                .GroupBy(t => t.Column)
                .Where(g => firstColumn is not int ox || (uint)(ox * l.StrideWidth + g.Key - l.PadLeft) < (uint)c.Width)
                .OrderBy(g => g.Key)
                .ToList();
            for (int r = 0; r < tile.Rows; r++)
            {
                // the input row of output row oy + r through kernel row ky: oy * stride + least (ky's first) .. + most (its last)
                int least = r * l.StrideHeight - l.PadTop + (ky ?? 0) * l.DilationHeight;
                int most = ky is null ? least + (l.KernelHeight - 1) * l.DilationHeight : least;
                string inputRow = ky is null ? Linear(least, ("oy", l.StrideHeight), ("ky", l.DilationHeight)) : Linear(least, ("oy", l.StrideHeight));
                using (w.OpenBlockIf(!RowAlwaysInside(least, most), $"if ((uint)({inputRow}) < {c.Height}u)"))
                    foreach (var readers in columns)
                    {
                        w.WriteLine($"value = {v.Load("input", Linear(r * l.StrideHeight * rowFloats + readers.Key * channels, (inputOrigin, 1)))};");
                        foreach (var (_, px, kx) in readers.OrderBy(t => t.Pixel))
                        {
                            string weight = keep ? $"weight{kx}" : v.Load(weightBase, Literal.Int(weightOffset + kx * channels));
                            w.WriteLine($"{Sum(r, px)} = {v.MultiplyAdd("value", weight, Sum(r, px))};");
                        }
                    }
            }
        }

        // a tile of outputs from column ox (a constant at the borders, else the loop's "ox")
        void Tile(int? firstColumn)
        {
            string column = firstColumn is null ? "ox" : "";
            int columnConstant = firstColumn ?? 0;
            for (int r = 0; r < tile.Rows; r++)
                for (int px = 0; px < tile.Pixels; px++) w.WriteLine($"var {Sum(r, px)} = bias;");
            // the window's first tap from the input's start: before it, or past a row's end, where the window reads padding
            int origin = (columnConstant * l.StrideWidth - l.PadLeft) * channels - l.PadTop * rowFloats;
            w.WriteLine($"nint at = {Linear(origin, ("oy", l.StrideHeight * rowFloats), (column, l.StrideWidth * channels), ("ch", 1))};");
            var weightNames = tile.KeepsRow(l.KernelWidth, v) ? Enumerable.Range(0, l.KernelWidth).Select(kx => $"weight{kx}") : Enumerable.Empty<string>();
            w.WriteLine($"{v.Type} {string.Join(", ", weightNames.Append("value"))};");
            int perRow = tile.Rows * tile.Pixels * l.KernelWidth;
            if (perRow * l.KernelHeight <= VectorUnrolledMultiplyAdds)
            {
                for (int ky = 0; ky < l.KernelHeight; ky++)
                    KernelRow(ky, Linear(ky * l.DilationHeight * rowFloats, ("at", 1)), "taps", ky * l.KernelWidth * channels, firstColumn);
            }
            else
            {
                // DepthwiseTile keeps a kernel row within the unrolling budget
                using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                {
                    w.WriteLine($"nint rowAt = at + ky * {l.DilationHeight * rowFloats};");
                    w.WriteLine($"ref float weightRow = ref {Unsafe}.Add(ref taps, ky * {l.KernelWidth * channels});");
                    KernelRow(null, "rowAt", "weightRow", 0, firstColumn);
                }
            }
            if (channelsLastOutput)
            {
                w.WriteLine($"int yi = {Linear(columnConstant * channels, ("oy", c.OutWidth * channels), (column, channels), ("ch", 1))};");
                for (int r = 0; r < tile.Rows; r++)
                    for (int px = 0; px < tile.Pixels; px++)
                        w.WriteLine(v.Store(Epilogues.Vector(epilogue, v, Sum(r, px)), "output", Linear((r * c.OutWidth + px) * channels, ("yi", 1))));
            }
            else
            {
                w.WriteLine($"int yi = {Linear(columnConstant, ("ch", outPlane), ("oy", c.OutWidth), (column, 1))};");
                var stores = new List<LaneStore>();
                for (int r = 0; r < tile.Rows; r++)
                    for (int px = 0; px < tile.Pixels; px++)
                        stores.Add(new LaneStore(Epilogues.Vector(epilogue, v, Sum(r, px)), Linear(r * c.OutWidth + px, ("yi", 1))));
                WriteLaneStores(w, v, stores, outPlane);
            }
        }

        using var loops = w.OpenNest();
        // a band's vectors (the last band's end at the channels'), or all the channels
        string counter = overlaps ? "block" : "ch";
        string channelLoop = $"for (int {counter} = {(banded ? "band" : "0")}; {counter} < {(banded ? "bandEnd" : Literal.Int(channels))}; {counter} += {width})";
        void VectorOfChannels()
        {
            if (overlaps) w.WriteLine($"int ch = global::System.Math.Min(block, {channels} - {width});");
            w.WriteLine(c.BiasOffset >= 0 ? $"var bias = {v.Load("weights", Linear(c.BiasOffset, ("ch", 1)))};" : $"var bias = {v.Type}.Zero;");
            // [tap][channel]: a tap's weights for the vector's channels are one load
            w.WriteLine($"ref float taps = ref {Unsafe}.Add(ref weights, {Linear(permutedOffset, ("ch", 1))});");
        }
        void RowsOfTiles()
        {
            OpenRowsOfTiles(w, loops, c, tile.Rows);
        }
        if (rowsFirst)
        {
            if (banded)
            {
                loops.Open($"for (int band = 0; band < {channels}; band += {bandChannels})");
                w.WriteLine($"int bandEnd = global::System.Math.Min(band + {bandChannels}, {channels});");
            }
            RowsOfTiles();
            if (!perTile)
            {
                loops.Open(channelLoop);
                VectorOfChannels();
            }
        }
        else
        {
            loops.Open(channelLoop);
            VectorOfChannels();
            RowsOfTiles();
        }
        foreach (var run in DepthwiseColumnRun.Of(c, tile))
        {
            if (run.Loops)
                using (w.OpenBlock($"for (int chunk = {run.First}; chunk <= {run.Last}; chunk++)"))
                {
                    w.WriteLine(run.Last == run.Chunks - 1 && c.OutWidth % tile.Pixels != 0
                        ? $"int ox = global::System.Math.Min(chunk * {tile.Pixels}, {c.OutWidth - tile.Pixels});"
                        : $"int ox = chunk * {tile.Pixels};");
                    using (w.OpenBlockIf(perTile, channelLoop))
                        TileOfChannels(null);
                }
            else
                // a border tile's own scope, which the loop over the vectors of channels is where a tile goes through them
                using (perTile ? w.OpenBlock(channelLoop) : w.OpenScope())
                    TileOfChannels(run.FirstColumn);
        }

        // a tile of the enclosing vector of channels, which it opens where a tile goes through every vector in turn
        void TileOfChannels(int? firstColumn)
        {
            if (perTile) VectorOfChannels();
            Tile(firstColumn);
        }
    }

    /// <summary>[tap][channel]: a depthwise kernel's weights for one tap side by side, for the channels-last kernel.</summary>
    private static void WriteDepthwisePermutation(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        w.WriteLine($"// layer {index}: depthwise [{c.Filters}, 1, {c.Layer.KernelHeight}, {c.Layer.KernelWidth}] as [{c.WindowSize}, {c.Filters}] at {permutedOffset}");
        using (w.OpenBlock($"for (int ch = 0; ch < {c.Filters}; ch++)"))
        using (w.OpenBlock($"for (int k = 0; k < {c.WindowSize}; k++)"))
            w.WriteLine($"p[{Linear(permutedOffset, ("k", c.Filters), ("ch", 1))}] = p[{Linear(c.WeightOffset, ("ch", c.WindowSize), ("k", 1))}];");
    }
}
