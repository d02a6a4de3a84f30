// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>How padding fills the positions outside the input, as torch.nn.functional.pad's modes.</summary>
internal enum PadMode
{
    /// <summary>Zeros ("zeros" as a convolution's padding_mode, F.pad's "constant" with 0).</summary>
    Zeros,

    /// <summary>The input mirrored about its edge, the edge not repeated: d c b | a b c d | c b a.</summary>
    Reflect,

    /// <summary>The edge repeated: a a a | a b c d | d d d.</summary>
    Replicate,

    /// <summary>The input wrapped around: b c d | a b c d | a b c.</summary>
    Circular,
}

/// <summary>The padding modes' names and rules: one source for the parser, the specs, messages and the back-ends.</summary>
internal static class PadModes
{
    /// <summary>"zeros", "reflect", "replicate" or "circular": the mode's name as a convolution's padding_mode spells it.</summary>
    public static string Name(PadMode mode) => mode switch
    {
        PadMode.Zeros => "zeros",
        PadMode.Reflect => "reflect",
        PadMode.Replicate => "replicate",
        PadMode.Circular => "circular",
    };

    /// <summary>The mode a padding_mode names (exactly, as PyTorch compares it), or null.</summary>
    public static PadMode? Parse(string? name) => name switch
    {
        "zeros" => PadMode.Zeros,
        "reflect" => PadMode.Reflect,
        "replicate" => PadMode.Replicate,
        "circular" => PadMode.Circular,
        _ => null,
    };

    /// <summary>The requirement an unknown name fails, as messages state it.</summary>
    public const string Names = "\"zeros\", \"reflect\", \"replicate\" or \"circular\"";

    /// <summary>
    /// PyTorch's limit on one side's padding over an input of <paramref name="size"/>: reflect mirrors
    /// without repeating the edge, so at most size - 1; circular wraps around at most once, so at most
    /// size; zeros and replicate have none (null).
    /// </summary>
    public static long? MaxPadding(PadMode mode, int size) => mode switch
    {
        PadMode.Zeros or PadMode.Replicate => null,
        PadMode.Reflect => size - 1L,
        PadMode.Circular => size,
    };

    /// <summary>Reports each side whose padding the mode does not allow on the input; true when all are allowed.</summary>
    public static bool CheckLimits(InferenceContext context, PadMode mode, int spatialRank, int padTop, int padBottom, int padLeft, int padRight)
    {
        var input = context.Input;
        var (lastAxis, _) = ShapeInference.LastAxis(spatialRank);
        bool fits = Side(context, mode, "PadLeft", padLeft, lastAxis, input.Width) & Side(context, mode, "PadRight", padRight, lastAxis, input.Width);
        if (spatialRank == 2)
            fits &= Side(context, mode, "PadTop", padTop, "height", input.Height) & Side(context, mode, "PadBottom", padBottom, "height", input.Height);
        return fits;
    }

    private static bool Side(InferenceContext context, PadMode mode, string property, int padding, string axis, int size)
    {
        if (MaxPadding(mode, size) is not long most || padding <= most) return true;
        string rule = mode == PadMode.Reflect ? $"less than the input {axis} (at most {most})" : $"at most the input {axis} ({most})";
        context.Report(ShapeProblemKind.PaddingTooLargeForMode, property, context.Where, context.Index, Name(mode), padding, axis, size, rule);
        return false;
    }
}

/// <summary>
/// Padding of a map's or a sequence's spatial axes, as F.pad(x, (left, right[, top, bottom]), mode).
/// The passes put one before a convolution whose PaddingMode is not zeros (PyTorch's own order: pad,
/// then convolve without padding).
/// </summary>
internal sealed record PadOp(PadMode Mode) : Op
{
    /// <summary>2 pads a map's rows and columns, 1 a sequence's positions.</summary>
    public int SpatialRank { get; init; } = 2;

    public int PadTop { get; init; }
    public int PadBottom { get; init; }
    public int PadLeft { get; init; }
    public int PadRight { get; init; }

    /// <summary>PyTorch's module for the mode ("ReflectionPad1D" for nn.ReflectionPad1d); circular padding has no module in PyTorch 1.13.</summary>
    public override string Kind => Mode switch
    {
        PadMode.Zeros => "ZeroPad",
        PadMode.Reflect => "ReflectionPad",
        PadMode.Replicate => "ReplicationPad",
        PadMode.Circular => "CircularPad",
    } + SpatialRank + "D";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsSpatial(SpatialRank)) return input;
        context.NotNegative("PadTop", PadTop);
        context.NotNegative("PadBottom", PadBottom);
        context.NotNegative("PadLeft", PadLeft);
        context.NotNegative("PadRight", PadRight);
        if (context.Failed || !PadModes.CheckLimits(context, Mode, SpatialRank, PadTop, PadBottom, PadLeft, PadRight)) return input;
        long height = (long)input.Height + PadTop + PadBottom, width = (long)input.Width + PadLeft + PadRight;
        if (!context.Fits("the padded input", input.Channels, height, width)) return input;
        return Padded(input);
    }

    /// <summary>The input with its border added (checked by <see cref="Infer"/> to fit).</summary>
    public FeatureShape Padded(FeatureShape input) => input with { Height = input.Height + PadTop + PadBottom, Width = input.Width + PadLeft + PadRight };

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Pad(this);
}
