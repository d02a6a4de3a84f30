// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// A 2D convolution (cross-correlation), as nn.Conv2d; asymmetric padding is F.pad then nn.Conv2d.
/// With <see cref="SpatialRank"/> 1 it is nn.Conv1d over a C x L sequence: the 2D convolution of its
/// one row, with a kernel of one row, no vertical stride, dilation or padding, and a weight without the kernel's height.
/// </summary>
internal sealed record ConvolutionOp : Op
{
    /// <summary>2 for Conv2D on maps, 1 for Conv1D on sequences.</summary>
    public int SpatialRank { get; init; } = 2;

    public int Filters { get; init; }
    public int KernelHeight { get; init; }
    public int KernelWidth { get; init; }
    public int StrideHeight { get; init; } = 1;
    public int StrideWidth { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadBottom { get; init; }
    public int PadLeft { get; init; }
    public int PadRight { get; init; }
    public int DilationHeight { get; init; } = 1;
    public int DilationWidth { get; init; } = 1;
    public int Groups { get; init; } = 1;
    public bool Bias { get; init; } = true;

    /// <summary>
    /// How the padding is filled, as nn.Conv2d's padding_mode: "zeros", "reflect", "replicate" or
    /// "circular", as the user wrote it (checked by <see cref="Infer"/>).
    /// </summary>
    public string? PaddingMode { get; init; } = "zeros";

    /// <summary>The mode <see cref="PaddingMode"/> names; only valid ops reach the back-ends that read it.</summary>
    public PadMode Border => PadModes.Parse(PaddingMode) ?? throw new System.InvalidOperationException($"PaddingMode {CSharpText.Quote(PaddingMode)} was not checked.");

    /// <summary>Whether any side is padded.</summary>
    public bool IsPadded => PadTop != 0 || PadBottom != 0 || PadLeft != 0 || PadRight != 0;

    /// <summary>InChannels as the user declared it; null when not declared.</summary>
    public int? InChannels { get; init; }

    public override string Kind => SpatialRank == 1 ? "Conv1D" : "Conv2D";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsSpatial(SpatialRank)) return input;
        context.Positive("Filters", Filters);
        context.Positive("KernelHeight", KernelHeight);
        context.Positive("KernelWidth", KernelWidth);
        context.Positive("StrideHeight", StrideHeight);
        context.Positive("StrideWidth", StrideWidth);
        context.Positive("DilationHeight", DilationHeight);
        context.Positive("DilationWidth", DilationWidth);
        context.Positive("Groups", Groups);
        context.NotNegative("PadTop", PadTop);
        context.NotNegative("PadBottom", PadBottom);
        context.NotNegative("PadLeft", PadLeft);
        context.NotNegative("PadRight", PadRight);
        var border = PadModes.Parse(PaddingMode);
        if (border is null) context.Invalid("PaddingMode", CSharpText.Quote(PaddingMode), PadModes.Names);
        if (context.Failed) return input;

        if (InChannels is int declared && declared != input.Channels)
        {
            context.Report(ShapeProblemKind.InChannelsMismatch, "InChannels", context.Where, context.Index, declared, context.Source, input.Channels);
            return input;
        }
        if (input.Channels % Groups != 0 || Filters % Groups != 0)
        {
            context.Report(ShapeProblemKind.GroupsDoNotDivide, "Groups", context.Where, context.Index, Groups, input.Channels, Filters);
            return input;
        }
        // PyTorch pads first (F.pad), then convolves: a padding its mode cannot make fails before the window
        if (!PadModes.CheckLimits(context, border!.Value, SpatialRank, PadTop, PadBottom, PadLeft, PadRight)) return input;
        // reflect, replicate and circular padding copy the input's border, so a tail the windows skip may be read after all
        bool bordersCopyInput = border != PadMode.Zeros;
        long height = ShapeInference.Window(context, "height", "rows", input.Height, PadTop, PadBottom, KernelHeight, StrideHeight, DilationHeight, pool: false, ceilMode: false, bordersCopyInput);
        var (axis, units) = ShapeInference.LastAxis(SpatialRank);
        long width = ShapeInference.Window(context, axis, units, input.Width, PadLeft, PadRight, KernelWidth, StrideWidth, DilationWidth, pool: false, ceilMode: false, bordersCopyInput);
        if (height <= 0 || width <= 0) return input;
        // every offset the generated code forms lies within the padded input (windows, strides and
        // dilations included), so bounding it keeps all of them in int; it is also what vector paths copy
        if (!context.Fits("the padded input", input.Channels, (long)input.Height + PadTop + PadBottom, (long)input.Width + PadLeft + PadRight)) return input;
        if (!context.Fits("the output", Filters, height, width)) return input;
        if (!context.Fits("the weight", Filters, input.Channels / Groups, KernelHeight, KernelWidth)) return input;

        if (SpatialRank == 1) context.Tensor("weight", false, Filters, input.Channels / Groups, KernelWidth);
        else context.Tensor("weight", false, Filters, input.Channels / Groups, KernelHeight, KernelWidth);
        if (Bias) context.Tensor("bias", false, Filters);
        // a map's or a sequence's shape, as the input was (a sequence's height is 1 and stays 1)
        return input with { Channels = Filters, Height = (int)height, Width = (int)width };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Convolution(this);
}
