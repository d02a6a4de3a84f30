// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// nn.ConvTranspose2d: out[f, iy * S - P + ky * D, ix * S - P + kx * D] += in[c, iy, ix] * weight[c, f', ky, kx]
/// over the channels c of f's group (f' = f within the group), plus bias[f]. Output per axis
/// (In - 1) * S - 2 * P + D * (K - 1) + OutputPadding + 1: the full scatter, cropped by P on each side,
/// OutputPadding rows and columns added after.
/// </summary>
internal sealed record ConvTransposeOp : Op
{
    public int Filters { get; init; }
    public int KernelHeight { get; init; }
    public int KernelWidth { get; init; }
    public int StrideHeight { get; init; } = 1;
    public int StrideWidth { get; init; } = 1;
    public int PaddingHeight { get; init; }
    public int PaddingWidth { get; init; }
    public int OutputPaddingHeight { get; init; }
    public int OutputPaddingWidth { get; init; }
    public int DilationHeight { get; init; } = 1;
    public int DilationWidth { get; init; } = 1;
    public int Groups { get; init; } = 1;
    public bool Bias { get; init; } = true;

    /// <summary>InChannels as the user declared it; null when not declared.</summary>
    public int? InChannels { get; init; }

    /// <summary>The layer's name in code and messages; its stride phases' methods are named after it too.</summary>
    public const string KindName = "ConvTranspose2D";

    public override string Kind => KindName;

    /// <summary>PyTorch's output size along one axis: (In - 1) * S - 2 * P + D * (K - 1) + OutputPadding + 1.</summary>
    public static long OutputSize(long input, long stride, long padding, long dilation, long kernel, long outputPadding) =>
        (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsFeatureMap()) return input;
        context.Positive("Filters", Filters);
        context.Positive("KernelHeight", KernelHeight);
        context.Positive("KernelWidth", KernelWidth);
        context.Positive("StrideHeight", StrideHeight);
        context.Positive("StrideWidth", StrideWidth);
        context.Positive("DilationHeight", DilationHeight);
        context.Positive("DilationWidth", DilationWidth);
        context.Positive("Groups", Groups);
        context.NotNegative("PaddingHeight", PaddingHeight);
        context.NotNegative("PaddingWidth", PaddingWidth);
        context.NotNegative("OutputPaddingHeight", OutputPaddingHeight);
        context.NotNegative("OutputPaddingWidth", OutputPaddingWidth);
        if (context.Failed) return input;
        // PyTorch: "output padding must be smaller than either stride or dilation"
        OutputPaddingBelow(context, "OutputPaddingHeight", OutputPaddingHeight, "StrideHeight", StrideHeight, "DilationHeight", DilationHeight);
        OutputPaddingBelow(context, "OutputPaddingWidth", OutputPaddingWidth, "StrideWidth", StrideWidth, "DilationWidth", DilationWidth);
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
        // every index the generated code forms lies within the full scatter (before the padding is cropped), so bounding it keeps all of them in int
        long fullHeight = OutputSize(input.Height, StrideHeight, 0, DilationHeight, KernelHeight, OutputPaddingHeight);
        long fullWidth = OutputSize(input.Width, StrideWidth, 0, DilationWidth, KernelWidth, OutputPaddingWidth);
        if (!context.Fits("the output before the padding is cropped", Filters, fullHeight, fullWidth)) return input;
        long height = Output(context, "height", "PaddingHeight", input.Height, StrideHeight, PaddingHeight, DilationHeight, KernelHeight, OutputPaddingHeight);
        long width = Output(context, "width", "PaddingWidth", input.Width, StrideWidth, PaddingWidth, DilationWidth, KernelWidth, OutputPaddingWidth);
        if (height <= 0 || width <= 0) return input;
        if (!context.Fits("the weight", input.Channels, Filters / Groups, KernelHeight, KernelWidth)) return input;

        context.Tensor("weight", false, input.Channels, Filters / Groups, KernelHeight, KernelWidth);
        if (Bias) context.Tensor("bias", false, Filters);
        return input with { Channels = Filters, Height = (int)height, Width = (int)width };
    }

    private static void OutputPaddingBelow(InferenceContext context, string property, int outputPadding, string strideName, int stride, string dilationName, int dilation)
    {
        int most = System.Math.Max(stride, dilation);
        if (outputPadding >= most) context.Invalid(property, outputPadding, $"less than max({strideName}, {dilationName}) = {most}");
    }

    private static long Output(InferenceContext context, string axis, string property, int size, int stride, int padding, int dilation, int kernel, int outputPadding)
    {
        long output = OutputSize(size, stride, padding, dilation, kernel, outputPadding);
        if (output < 1)
            context.Report(ShapeProblemKind.TransposedOutputTooSmall, property, context.Where, context.Index, axis, size, stride, padding, dilation, kernel, outputPadding, output);
        return output;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.ConvTranspose(this);
}
