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
/// A chain of convolutions, each read only by the next, computed a band of rows at a time rather than a layer at a time
/// where a value between them is larger than L2 holds: a MobileNet's stem, expansions, depthwise convolutions and
/// projections on large maps. Each band of a stage's rows is read by the next stage just after it is written, while L2
/// still holds it. A layer at a time, the next stage read it back from L3 or memory: torchvision's MobileNetV2 on 224 x
/// 224 ran its stride-2 depthwise layer after the 96 x 112 x 112 expansion (4.8 MB) at 21 GFLOP/s. The buffers stay
/// whole maps: only the order of the work changes, so every kernel reads and writes where it did. Each stage's kernels
/// compute a range of their output rows; a range may recompute rows before it (a tile of several rows ends at the
/// range's end), whose inputs are all there by then.
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
            if (chain.Count > 1 && BandRows(chain, tileRows.GetRange(i, end - i).Select(r => r!.Value).ToList()) is int rows)
            {
                for (int k = 0; k < chain.Count; k++) marked[i + k] = chain[k] with { Band = new RowBand(k, chain.Count, rows) };
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
