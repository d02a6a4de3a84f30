// Shared between the generator and the runtime library as a linked file: the ops that grow a feature map.
namespace CnnGen.Ir;

/// <summary>
/// nn.Upsample(scale_factor=(ScaleHeight, ScaleWidth), mode, align_corners) on a feature map:
/// [C, H, W] to [C, H * ScaleHeight, W * ScaleWidth], "nearest" or "bilinear".
/// </summary>
internal sealed record UpsampleOp(int ScaleHeight, int ScaleWidth) : Op
{
    /// <summary>"nearest" or "bilinear", as the user wrote it (checked by <see cref="Infer"/>).</summary>
    public string? Mode { get; init; } = "nearest";

    /// <summary>align_corners: the corner pixels' centres map onto each other (bilinear only).</summary>
    public bool AlignCorners { get; init; }

    public bool IsBilinear => Mode == "bilinear";

    public override string Kind => "Upsample";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsFeatureMap()) return input;
        context.Positive("ScaleHeight", ScaleHeight);
        context.Positive("ScaleWidth", ScaleWidth);
        if (Mode is not ("nearest" or "bilinear")) context.Invalid("Mode", CSharpText.Quote(Mode), "\"nearest\" or \"bilinear\"");
        // PyTorch: "align_corners option can only be set with the interpolating modes"
        else if (AlignCorners && !IsBilinear) context.Invalid("AlignCorners", "true", "false with Mode \"nearest\" (only the interpolating modes align corners)");
        if (context.Failed) return input;
        long height = (long)input.Height * ScaleHeight, width = (long)input.Width * ScaleWidth;
        if (!context.Fits("the output", input.Channels, height, width)) return input;
        return input with { Height = (int)height, Width = (int)width };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Upsample(this);
}

/// <summary>nn.PixelShuffle(Factor): [C * r * r, H, W] to [C, H * r, W * r], out[c, h * r + i, w * r + j] = in[c * r * r + i * r + j, h, w].</summary>
internal sealed record PixelShuffleOp(int Factor) : Op
{
    public override string Kind => "PixelShuffle";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsFeatureMap()) return input;
        context.Positive("Factor", Factor);
        if (context.Failed) return input;
        long square = (long)Factor * Factor;
        if (input.Channels % square != 0)
        {
            context.Report(ShapeProblemKind.ChannelsNotDivisible, "Factor", context.Where, context.Index, context.Source, input.Channels, square, Factor);
            return input;
        }
        long height = (long)input.Height * Factor, width = (long)input.Width * Factor;
        if (!context.Fits("the output", input.Channels / square, height, width)) return input;
        return input with { Channels = (int)(input.Channels / square), Height = (int)height, Width = (int)width };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.PixelShuffle(this);
}

/// <summary>
/// PyTorch's source positions for upsampling (ATen's UpSample.h), in float as its CPU kernels compute
/// them, so that a large scale maps each output exactly where PyTorch does (floor(d * (1/s)) is not
/// always floor(d / s) in float).
/// </summary>
internal static class Upsampling
{
    /// <summary>compute_scales_value: 1 / scale_factor, rounded to float.</summary>
    public static float InverseScale(int scale) => (float)(1.0 / scale);

    /// <summary>area_pixel_compute_scale for the linear modes: (In - 1) / (Out - 1) with align_corners (0 for one output), else 1 / scale_factor.</summary>
    public static float LinearScale(int input, int output, int scale, bool alignCorners) =>
        alignCorners ? (output > 1 ? (float)(input - 1) / (output - 1) : 0f) : InverseScale(scale);
}
