// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// A 2D pooling window, as nn.MaxPool2d, nn.AvgPool2d or -max_pool2d(-x): symmetric padding of at
/// most half the window, ceil_mode as PyTorch rounds it, dilation for the max and min, and for the
/// mean PyTorch's count_include_pad. With
/// <see cref="SpatialRank"/> 1 it is the 1D pool over a C x L sequence (nn.MaxPool1d, nn.AvgPool1d):
/// the 2D pool of its one row with a window of one row.
/// </summary>
internal sealed record PoolOp(Reduction Reduction) : Op
{
    /// <summary>2 for the 2D pools on maps, 1 for the 1D pools on sequences.</summary>
    public int SpatialRank { get; init; } = 2;

    public int KernelHeight { get; init; }
    public int KernelWidth { get; init; }
    public int StrideHeight { get; init; }
    public int StrideWidth { get; init; }

    /// <summary>Rows of padding above and below.</summary>
    public int PaddingHeight { get; init; }

    /// <summary>Columns of padding left and right.</summary>
    public int PaddingWidth { get; init; }

    public bool CeilMode { get; init; }

    /// <summary>Rows between a window's taps (dilation), 1 for adjacent rows; max and min pools only, as in PyTorch.</summary>
    public int DilationHeight { get; init; } = 1;

    /// <summary>Columns between a window's taps (dilation); max and min pools only.</summary>
    public int DilationWidth { get; init; } = 1;

    /// <summary>Whether the window's taps are spaced apart along either axis.</summary>
    public bool IsDilated => DilationHeight != 1 || DilationWidth != 1;

    /// <summary>The rows a window spans: (KernelHeight - 1) * DilationHeight + 1.</summary>
    public long ExtentHeight => (long)(KernelHeight - 1) * DilationHeight + 1;

    /// <summary>The columns a window spans.</summary>
    public long ExtentWidth => (long)(KernelWidth - 1) * DilationWidth + 1;

    /// <summary>
    /// count_include_pad: whether an average's divisor counts the padded zeros in its window (PyTorch's default) or
    /// only the input's values. Max and min pools have no divisor; for them it stays true.
    /// </summary>
    public bool CountIncludePad { get; init; } = true;

    public override string Kind => Reductions.Short(Reduction) + (SpatialRank == 1 ? "Pool1D" : "Pool2D");

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsSpatial(SpatialRank)) return input;
        context.Positive("KernelHeight", KernelHeight);
        context.Positive("KernelWidth", KernelWidth);
        context.Positive("StrideHeight", StrideHeight);
        context.Positive("StrideWidth", StrideWidth);
        context.NotNegative("PaddingHeight", PaddingHeight);
        context.NotNegative("PaddingWidth", PaddingWidth);
        context.Positive("DilationHeight", DilationHeight);
        context.Positive("DilationWidth", DilationWidth);
        if (Reduction == Reduction.Average && IsDilated)
            context.Invalid(DilationHeight != 1 ? "DilationHeight" : "DilationWidth", DilationHeight != 1 ? DilationHeight : DilationWidth, "1 for an average pool (nn.AvgPool2d has no dilation)");
        if (!CountIncludePad && Reduction != Reduction.Average) context.Invalid("CountIncludePad", "false", "true for a max or min pool (only an average divides by its window)");
        if (context.Failed) return input;
        if (PaddingHeight > KernelHeight / 2 || PaddingWidth > KernelWidth / 2)
        {
            bool rows = PaddingHeight > KernelHeight / 2;
            int pad = rows ? PaddingHeight : PaddingWidth, kernel = rows ? KernelHeight : KernelWidth;
            context.Report(ShapeProblemKind.PoolPaddingTooLarge, rows ? "PaddingHeight" : "PaddingWidth", context.Where, context.Index, pad, kernel, kernel / 2);
            return input;
        }
        long height = ShapeInference.Window(context, "height", "rows", input.Height, PaddingHeight, PaddingHeight, KernelHeight, StrideHeight, DilationHeight, pool: true, CeilMode);
        var (axis, units) = ShapeInference.LastAxis(SpatialRank);
        long width = ShapeInference.Window(context, axis, units, input.Width, PaddingWidth, PaddingWidth, KernelWidth, StrideWidth, DilationWidth, pool: true, CeilMode);
        if (height <= 0 || width <= 0) return input;
        // as for convolutions: every offset of the generated loops stays in int; with ceil_mode the last
        // window may reach past the padding, so the extent is the padded input or the windows' reach
        long reachHeight = System.Math.Max((long)input.Height + 2L * PaddingHeight, (height - 1) * StrideHeight + ExtentHeight);
        long reachWidth = System.Math.Max((long)input.Width + 2L * PaddingWidth, (width - 1) * StrideWidth + ExtentWidth);
        if (!context.Fits("the padded input", input.Channels, reachHeight, reachWidth)) return input;
        return input with { Height = (int)height, Width = (int)width };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Pool(this);
}

/// <summary>
/// The mean or maximum of each channel's whole plane, as nn.AdaptiveAvgPool2d(1) or AdaptiveMaxPool2d(1):
/// [C, 1, 1]; with <see cref="SpatialRank"/> 1, of each channel's whole sequence, as nn.AdaptiveAvgPool1d(1): [C, 1].
/// </summary>
internal sealed record GlobalPoolOp(Reduction Reduction) : Op
{
    /// <summary>2 for the 2D global pools on maps, 1 for the 1D ones on sequences.</summary>
    public int SpatialRank { get; init; } = 2;

    public override string Kind => "Global" + Reductions.Short(Reduction) + (SpatialRank == 1 ? "Pool1D" : "Pool2D");

    public override FeatureShape Infer(InferenceContext context) =>
        context.NeedsSpatial(SpatialRank) ? context.Input with { Height = 1, Width = 1 } : context.Input;

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.GlobalPool(this);
}

/// <summary>
/// nn.AdaptiveAvgPool2d / AdaptiveMaxPool2d: output cell i along an axis reduces input
/// [floor(i * In / Out), ceil((i + 1) * In / Out)); Out may exceed In (bins then repeat inputs).
/// With <see cref="SpatialRank"/> 1 it is nn.AdaptiveAvgPool1d / AdaptiveMaxPool1d on a sequence's one row (OutputHeight 1).
/// </summary>
internal sealed record AdaptivePoolOp(Reduction Reduction, int OutputHeight, int OutputWidth) : Op
{
    /// <summary>2 for the 2D adaptive pools on maps, 1 for the 1D ones on sequences.</summary>
    public int SpatialRank { get; init; } = 2;

    public override string Kind => "Adaptive" + Reductions.Short(Reduction) + (SpatialRank == 1 ? "Pool1D" : "Pool2D");

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsSpatial(SpatialRank)) return input;
        context.Positive("OutputHeight", OutputHeight);
        context.Positive("OutputWidth", OutputWidth);
        if (context.Failed) return input;
        if (!context.Fits("the output", input.Channels, OutputHeight, OutputWidth)) return input;
        return input with { Height = OutputHeight, Width = OutputWidth };
    }

    /// <summary>PyTorch's bin along one axis: [floor(i * In / Out), ceil((i + 1) * In / Out)).</summary>
    public static (int Start, int End) Bin(int i, int input, int output) =>
        ((int)((long)i * input / output), (int)(((long)(i + 1) * input + output - 1) / output));

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.AdaptivePool(this);
}

/// <summary>How the attribute names spell a reduction: MaxPool2D, GlobalAvgPool2D.</summary>
internal static class Reductions
{
    public static string Short(Reduction reduction) => reduction switch
    {
        Reduction.Max => "Max",
        Reduction.Average => "Avg",
        Reduction.Min => "Min",
    };
}
