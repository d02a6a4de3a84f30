using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// A step of a chain that the forward pass runs a band of rows at a time (<see cref="RowBands"/>): stage
/// <paramref name="Stage"/> of <paramref name="Stages"/>, the last computing <paramref name="Rows"/> rows of its output
/// a band, each stage before it the rows of its output the next one's band reads.
/// </summary>
internal sealed record RowBand(int Stage, int Stages, int Rows);

/// <summary>
/// The rows of a value between two stages of a chain that its buffer holds at a time: <paramref name="Rows"/> rows of
/// <paramref name="RowFloats"/> floats (a channels-last row: its pixels' channels), placed from row
/// <paramref name="Offset"/> of the buffer. The forward pass keeps the lowest row the chain still reads, base, at that
/// place: row r of the value is at buffer row r - base + Offset, so the stages' kernels take the buffer from row
/// Offset - base on and address the rows as they would in the whole value. Each band's rows are then written where the
/// last band's were, lines that L2 still holds: over a whole map, written once a call, every store of a band fetched a
/// line from L3 or memory first. A band whose rows pass the window's end moves the rows the chain still reads to its
/// start (a row or two, from L2) and raises base to the first of them. Offset is the highest base, so the buffer's start
/// is never past row 0 of the value; the forward pass checks that each band's rows end within the window. In the
/// per-layer profile of MobileNetV2 on 224 x 224 (Zen 5), the 144-channel depthwise convolution at 56 x 56 took 59 µs
/// where it took 140 writing its whole map, the 32- and 96-channel ones at 112 x 112 83 and 84 where they took 102 and
/// 103, and the expansion to 96 channels at 112 x 112 218 where it took 241; the kernel alone stored its 1.8 MB map in
/// 95 µs where the map's lines were in L3 and in 185 where they had left it.
/// </summary>
internal sealed record RowWindow(int Rows, int Offset, int RowFloats)
{
    /// <summary>The floats of the value's buffer: the rows before the window's place, then the window.</summary>
    public int Length => (Offset + Rows) * RowFloats;
}

/// <summary>
/// A chain of convolutions, each read only by the next, computed a band of rows at a time rather than a layer at a time
/// where a value between them is larger than L2 holds: a MobileNet's stem, expansions, depthwise convolutions and
/// projections on large maps. Each band of a stage's rows is read by the next stage just after it is written, while L2
/// still holds it. A layer at a time, the next stage read it back from L3 or memory: torchvision's MobileNetV2 on 224 x
/// 224 ran its stride-2 depthwise layer after the 96 x 112 x 112 expansion (4.8 MB) at 21 GFLOP/s. Each stage's kernels
/// compute a range of their output rows; a range may recompute rows before it (a tile of several rows ends at the
/// range's end), whose inputs are all there by then. The values between the stages keep a window of their rows
/// (<see cref="RowWindow"/>), so that a band writes lines L2 holds, not lines of a whole map last written a call before.
/// </summary>
internal static class RowBands
{
    /// <summary>The bytes of a value between two stages past which their chain runs in bands: the L2 of a Zen 4 or Zen 5 core.</summary>
    public const long BandedBytes = 1 << 20;

    /// <summary>The output rows of the chain's last stage a band computes, at least: each stage's tile rows are more where they are.</summary>
    public const int LeastBandRows = 2;

    /// <summary>The steps, the stages of each chain marked with their <see cref="Step.Band"/>.</summary>
    public static List<Step> Mark(List<Step> steps, int output)
    {
        var readers = Passes.Readers(steps, output);
        var tileRows = steps.Select(TileRows).ToList();
        // the next step reads the value as its first input, and nothing else reads it
        bool FeedsOnlyTheNext(int i) =>
            i + 1 < steps.Count && steps[i].OutputValue != output && readers[steps[i].OutputValue] == 1 && steps[i + 1].InputValues[0] == steps[i].OutputValue;
        bool PastL2(Step step) => (long)step.Output.Length * sizeof(float) > BandedBytes;
        var marked = new List<Step>(steps);
        for (int i = 0; i < steps.Count; i++)
        {
            // from a stage whose output is past L2, through each next stage that reads such an output, to the first whose
            // output L2 holds: the values between the stages are the ones that are large
            if (tileRows[i] is not int) continue;
            int end = i + 1;
            while (PastL2(steps[end - 1]) && FeedsOnlyTheNext(end - 1) && tileRows[end] is int) end++;
            var chain = steps.GetRange(i, end - i);
            var chainTileRows = tileRows.GetRange(i, end - i).Select(r => r!.Value).ToList();
            if (chain.Count > 1 && BandRows(chain, chainTileRows) is int rows)
            {
                var windows = Windows(chain, chainTileRows, rows);
                for (int k = 0; k < chain.Count; k++) marked[i + k] = chain[k] with { Band = new RowBand(k, chain.Count, rows), OutputWindow = windows[k] };
                i = end - 1;
            }
        }
        return marked;
    }

    /// <summary>
    /// The rows of the last stage's output a band computes: at least every stage's tile rows, so that each stage's
    /// first range holds a whole tile (a tile of several rows ends at its range's end, and must not start before row
    /// 0), or null where no such band exists. <paramref name="tileRows"/> holds each stage's <see cref="TileRows"/>.
    /// </summary>
    private static int? BandRows(IReadOnlyList<Step> chain, IReadOnlyList<int> tileRows)
    {
        int rows = Math.Max(LeastBandRows, tileRows.Max());
        var last = chain[chain.Count - 1];
        // the band loop's step past the last band stays within int
        if (last.Output.Height > int.MaxValue - rows) return null;
        long end = Math.Min(rows, last.Output.Height);
        for (int k = chain.Count - 1; k >= 0; k--)
        {
            int height = chain[k].Output.Height;
            if (end < tileRows[k] && end < height) return null;
            if (k > 0) end = InputRowsRead((ConvolutionOp)chain[k].Op, chain[k].Shapes.Input.Height, end);
        }
        return rows;
    }

    /// <summary>The bytes of a value's rows its window holds, at least: a quarter of L2, so that a three-stage chain's two windows and its bands' other rows stay in L2.</summary>
    public const long WindowBytes = BandedBytes / 4;

    /// <summary>The most bands a chain's windows are planned over (the generator steps through them); a taller chain keeps whole values.</summary>
    private const long MostPlannedBands = 1 << 16;

    /// <summary>
    /// Each stage's output window (<see cref="RowWindow"/>), null for the last stage and for a value not channels-last,
    /// whose rows are not side by side. The forward pass's band loop is stepped through here as it runs: each band's
    /// lowest row of a value (<see cref="LowestRowKept"/>) to its end must lie within the window, so the window holds at
    /// least the most rows a band spans, and at least <see cref="WindowBytes"/>, so that it moves rarely; its offset is
    /// the highest base a band raises it to. No window where it would hold the whole value anyway.
    /// </summary>
    private static RowWindow?[] Windows(IReadOnlyList<Step> chain, IReadOnlyList<int> tileRows, int rows)
    {
        int last = chain.Count - 1;
        var windows = new RowWindow?[chain.Count];
        if (((long)chain[last].Output.Height + rows - 1) / rows > MostPlannedBands) return windows;
        // the most rows of each value a band keeps, from its lowest row kept to its end
        var spans = new long[last];
        StepThroughBands(chain, tileRows, rows, (k, lowest, end) => spans[k] = Math.Max(spans[k], end - lowest));
        var windowRows = new long[last];
        for (int k = 0; k < last; k++)
        {
            long rowBytes = Math.Max(1, RowFloats(chain[k]) * sizeof(float));
            windowRows[k] = Math.Max(spans[k], Math.Min(chain[k].Output.Height, (WindowBytes + rowBytes - 1) / rowBytes));
        }
        var bases = new long[last];
        var offsets = new long[last];
        StepThroughBands(chain, tileRows, rows, (k, lowest, end) =>
        {
            if (end - bases[k] > windowRows[k]) bases[k] = lowest;
            offsets[k] = Math.Max(offsets[k], bases[k]);
        });
        for (int k = 0; k < last; k++)
        {
            var value = chain[k].Output;
            long rowFloats = RowFloats(chain[k]);
            // the buffer from row Offset - base (never below 0) through the whole value stays within int
            bool fits = (offsets[k] + value.Height) * rowFloats <= int.MaxValue;
            bool rowsSideBySide = chain[k].OutputLayout switch
            {
                Layout.ChannelsLast => true,
                // each channel's plane holds its rows: a value's rows are not one run of floats
                Layout.ChannelsFirst => false,
            };
            if (rowsSideBySide && windowRows[k] < value.Height && fits)
                windows[k] = new RowWindow((int)windowRows[k], (int)offsets[k], (int)rowFloats);
        }
        return windows;
    }

    /// <summary>The floats of one row of a step's channels-last output: its pixels' channels.</summary>
    private static long RowFloats(Step step) => (long)step.Output.Width * step.Output.Channels;

    /// <summary>
    /// The forward pass's band loop (NetworkEmitter.WriteBandedChain): for each band and each value between two stages
    /// (stage k's output), <paramref name="visit"/> gets k, the lowest row of the value the band keeps and one past the
    /// band's last row of it.
    /// </summary>
    private static void StepThroughBands(IReadOnlyList<Step> chain, IReadOnlyList<int> tileRows, int rows, Action<int, long, long> visit)
    {
        int last = chain.Count - 1, height = chain[last].Output.Height;
        var done = new long[last];
        var ends = new long[chain.Count];
        for (long band = 0; band < height; band += rows)
        {
            ends[last] = Math.Min(band + rows, height);
            for (int k = last - 1; k >= 0; k--)
                ends[k] = InputRowsRead((ConvolutionOp)chain[k + 1].Op, chain[k + 1].Shapes.Input.Height, ends[k + 1]);
            for (int k = 0; k < last; k++)
            {
                long readerFrom = k + 1 == last ? band : done[k + 1];
                visit(k, LowestRowKept(chain[k + 1], done[k], ends[k], tileRows[k], readerFrom, ends[k + 1], tileRows[k + 1]), ends[k]);
            }
            for (int k = 0; k < last; k++) done[k] = ends[k];
        }
    }

    /// <summary>
    /// The lowest row of a stage's output that a band writes or its reader reads: the stage's range of rows from
    /// <paramref name="from"/> to <paramref name="end"/> starts a tile of <paramref name="tileRows"/> rows before its end
    /// where it is shorter (the tile redoes rows before the range); the reader's range likewise, whose first tile reads
    /// from its top row less the padding, and whose copy of its input's rows (where it makes one) starts at the rows
    /// its range's first row reads.
    /// </summary>
    public static long LowestRowKept(Step reader, long from, long end, int tileRows, long readerFrom, long readerEnd, int readerTileRows)
    {
        var l = (ConvolutionOp)reader.Op;
        long written = Math.Max(0, Math.Min(from, end - tileRows));
        long firstTile = Math.Max(0, Math.Min(readerFrom, readerEnd - readerTileRows));
        long read = Math.Max(0, Math.Min(firstTile * l.StrideHeight - l.PadTop, InputRowsRead(l, reader.Shapes.Input.Height, readerFrom)));
        return Math.Min(written, read);
    }

    /// <summary>
    /// <see cref="LowestRowKept"/> as generated code computes it in the band loop, of its variables: the stage's range
    /// <paramref name="from"/> to <paramref name="end"/>, its reader's <paramref name="readerFrom"/> to <paramref name="readerEnd"/>.
    /// </summary>
    public static string LowestRowKeptCode(Step reader, string from, string end, int tileRows, string readerFrom, string readerEnd, int readerTileRows)
    {
        var l = (ConvolutionOp)reader.Op;
        const string Math = "global::System.Math";
        string written = $"{Math}.Max(0L, {Math}.Min((long){from}, {end} - {tileRows}L))";
        string firstTile = $"{Math}.Max(0L, {Math}.Min((long){readerFrom}, {readerEnd} - {readerTileRows}L))";
        string read = $"{Math}.Max(0L, {Math}.Min({firstTile} * {l.StrideHeight}L - {l.PadTop}L, {InputRowsReadCode(l, reader.Shapes.Input.Height, readerFrom)}))";
        return $"(int){Math}.Min({written}, {read})";
    }

    /// <summary>
    /// The rows of a convolution's input that its output rows before <paramref name="outputRows"/> read: one past the last
    /// row its last window reaches, less the top padding, within the input (in long: a huge stride or dilation may pass int's range).
    /// </summary>
    public static long InputRowsRead(ConvolutionOp l, int inputHeight, long outputRows) =>
        Math.Max(0, Math.Min(inputHeight, (outputRows - 1) * l.StrideHeight + (long)(l.KernelHeight - 1) * l.DilationHeight + 1 - l.PadTop));

    /// <summary>
    /// <see cref="InputRowsRead"/> as generated code computes it, of its variable <paramref name="outputRows"/> plus
    /// <paramref name="moreRows"/>: a band's end, the first row of a range whose kernel copies its input's rows as its
    /// tiles reach them, or the end of the tile of <paramref name="moreRows"/> rows from oy. Never below 0 where the
    /// variable is at least 1; from oy = 0 it may be, and a copy up to it then copies nothing.
    /// </summary>
    public static string InputRowsReadCode(ConvolutionOp l, int inputHeight, string outputRows, int moreRows = 0)
    {
        long reach = (long)(moreRows - 1) * l.StrideHeight + (long)(l.KernelHeight - 1) * l.DilationHeight + 1 - l.PadTop;
        if (l.StrideHeight == 1 && reach == 0) return $"global::System.Math.Min({outputRows}, {inputHeight})";
        string sum = $"(long){outputRows}{(l.StrideHeight == 1 ? "" : $" * {l.StrideHeight}")}{(reach == 0 ? "" : $" {(reach < 0 ? "-" : "+")} {Math.Abs(reach)}L")}";
        // the first output row's window ends above the input where the top padding is past it
        if (l.StrideHeight + reach < 0) sum = $"global::System.Math.Max(0L, {sum})";
        return $"(int)global::System.Math.Min({sum}, {inputHeight}L)";
    }

    /// <summary>
    /// The most rows a tile of the step's kernels takes, where it is a convolution whose every kernel computes a range of
    /// output rows (<see cref="NetworkEmitter.RowRangeTileRows"/>); else null.
    /// </summary>
    private static int? TileRows(Step step) =>
        step.Op is ConvolutionOp && step.Pool is null && step.Phase is null ? NetworkEmitter.RowRangeTileRows(ConvolutionPlan.For(step)) : null;
}
