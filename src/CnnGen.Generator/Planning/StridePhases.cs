using System;
using System.Collections.Generic;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// One axis of a transposed convolution's stride phase: the outputs o with (o + P) mod S = Residue, which
/// are o = FirstOutput + i * S for i &lt; Count. Onto them land only the taps k = FirstTap + j * TapStep
/// (k * D = Residue mod S), from input rows that move by one as o moves by S: so the phase is a stride-1
/// convolution over the input, with those taps in reverse order, Dilation = D / gcd(S, D) between them,
/// zero padding PadBefore and PadAfter. Its output i + SourceOffset is the phase's output i; the
/// convolution computes SourceSize outputs, more than Count where a large P crops the scatter.
/// </summary>
internal sealed record PhaseAxis(
    int Stride, int Residue, int FirstTap, int Taps, int TapStep, int Dilation,
    int PadBefore, int PadAfter, int SourceSize, int SourceOffset, int FirstOutput, int Count)
{
    /// <summary>The kernel tap of the phase's convolution at position j: the taps reversed, since a later tap reads an earlier input row.</summary>
    public int Tap(int j) => FirstTap + (Taps - 1 - j) * TapStep;

    /// <summary>The phase along one axis of nn.ConvTranspose2d (input size, output size, kernel, stride, padding, dilation).</summary>
    public static PhaseAxis Of(int residue, int input, int output, int kernel, int stride, int padding, int dilation)
    {
        // every product below is of sizes the shape checks bound by 2^30 (the uncropped scatter); long all the same
        int gcd = Gcd(stride, dilation);
        int tapStep = stride / gcd, subDilation = dilation / gcd;
        int firstTap = -1;
        for (int k = 0; k < Math.Min(kernel, tapStep); k++)
        {
            if (((long)k * dilation - residue) % stride == 0)
            {
                firstTap = k;
                break;
            }
        }
        // outputs o = q * S + r - P for q in [low, high]; P - r > -S, so low >= 0
        long low = padding - residue <= 0 ? 0 : ((long)padding - residue + stride - 1) / stride;
        long last = (long)output - 1 + padding - residue;
        long high = last < 0 ? -1 : last / stride;
        int count = (int)Math.Max(0, high - low + 1);
        int firstOutput = (int)(low * stride + residue - padding);
        if (firstTap < 0) return new PhaseAxis(stride, residue, 0, 0, tapStep, subDilation, 0, 0, 0, 0, firstOutput, count);

        int taps = (kernel - 1 - firstTap) / tapStep + 1;
        // tap k reads input q - m(k), m(k) = (k * D - r) / S >= 0; the last tap reads the earliest row
        long lastShift = ((long)firstTap * dilation - residue) / stride + (long)(taps - 1) * subDilation;
        int extent = (taps - 1) * subDilation + 1;
        int padBefore = (int)Math.Max(0, lastShift - low);
        int sourceOffset = (int)(low - lastShift + padBefore);
        int padAfter = (int)Math.Max(0, (long)sourceOffset + count - ((long)input + padBefore - extent + 1));
        int sourceSize = input + padBefore + padAfter - extent + 1;
        return new PhaseAxis(stride, residue, firstTap, taps, tapStep, subDilation, padBefore, padAfter, sourceSize, sourceOffset, firstOutput, count);
    }

    /// <summary>How far apart the taps landing on one output are: S / gcd(S, D) (the gather walks them too).</summary>
    public static int TapStepOf(int stride, int dilation) => stride / Gcd(stride, dilation);

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}

/// <summary>A stride phase of a transposed convolution: its rows and columns, each a <see cref="PhaseAxis"/>.</summary>
internal sealed record TransposedPhase(PhaseAxis Rows, PhaseAxis Columns)
{
    /// <summary>Some tap lands on the phase's outputs: without one, each is the bias.</summary>
    public bool HasTaps => Rows.Taps > 0 && Columns.Taps > 0;

    /// <summary>The phase has outputs at all (a small output may have none in some residues).</summary>
    public bool HasOutputs => Rows.Count > 0 && Columns.Count > 0;

    /// <summary>The phase's convolution computes the whole output, in place (stride 1, no crop): nothing is left to interleave.</summary>
    public bool IsWhole =>
        Rows.Stride == 1 && Columns.Stride == 1 && HasTaps &&
        Rows.SourceOffset == 0 && Rows.SourceSize == Rows.Count && Columns.SourceOffset == 0 && Columns.SourceSize == Columns.Count;

    /// <summary>The phase's convolution: the transposed convolution's filters and groups, stride 1, over its input.</summary>
    public ConvolutionOp Convolution(ConvTransposeOp transposed) => new()
    {
        Filters = transposed.Filters,
        KernelHeight = Rows.Taps,
        KernelWidth = Columns.Taps,
        DilationHeight = Rows.Dilation,
        DilationWidth = Columns.Dilation,
        PadTop = Rows.PadBefore,
        PadBottom = Rows.PadAfter,
        PadLeft = Columns.PadBefore,
        PadRight = Columns.PadAfter,
        Groups = transposed.Groups,
        Bias = transposed.Bias,
    };

    /// <summary>Multiply-adds of the phase's convolution over its whole source map.</summary>
    public long ConvolutionMultiplyAdds(ConvTransposeOp transposed, int channelsPerGroup) =>
        (long)transposed.Filters * channelsPerGroup * Rows.Taps * Columns.Taps * Rows.SourceSize * Columns.SourceSize;

    /// <summary>Multiply-adds that land on the phase's outputs: the transposed convolution's own work there.</summary>
    public long LandedMultiplyAdds(ConvTransposeOp transposed, int channelsPerGroup) =>
        (long)transposed.Filters * channelsPerGroup * Rows.Taps * Columns.Taps * Rows.Count * Columns.Count;
}

/// <summary>How a transposed convolution splits into stride phases, or why it stays one gather.</summary>
internal static class StridePhases
{
    /// <summary>More phases than this (strides of 5 x 4 and up) stay a gather: each phase is methods of its own.</summary>
    public const int MostPhases = 16;

    /// <summary>
    /// The phases, rows' residue major, or null when the gather is the better code: too many phases, or
    /// phase convolutions that would compute more than twice the products that land (a padding that crops
    /// most of the scatter), or no phase with both taps and outputs.
    /// </summary>
    public static List<TransposedPhase>? For(ConvTransposeOp op, LayerShapes shapes)
    {
        var input = shapes.Input;
        var output = shapes.Output;
        if ((long)op.StrideHeight * op.StrideWidth > MostPhases) return null;
        int channelsPerGroup = input.Channels / op.Groups;
        var phases = new List<TransposedPhase>();
        long computed = 0, landed = 0;
        for (int ry = 0; ry < op.StrideHeight; ry++)
        {
            var rows = PhaseAxis.Of(ry, input.Height, output.Height, op.KernelHeight, op.StrideHeight, op.PaddingHeight, op.DilationHeight);
            for (int rx = 0; rx < op.StrideWidth; rx++)
            {
                var columns = PhaseAxis.Of(rx, input.Width, output.Width, op.KernelWidth, op.StrideWidth, op.PaddingWidth, op.DilationWidth);
                var phase = new TransposedPhase(rows, columns);
                if (!phase.HasOutputs) continue;
                phases.Add(phase);
                if (!phase.HasTaps) continue;
                computed += phase.ConvolutionMultiplyAdds(op, channelsPerGroup);
                landed += phase.LandedMultiplyAdds(op, channelsPerGroup);
            }
        }
        if (landed == 0 || computed > 2 * landed) return null;
        return phases;
    }
}
