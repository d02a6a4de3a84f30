using System;

namespace CnnGen;

/// <summary>
/// Upsamples a C x H x W feature map by whole factors, as torch.nn.Upsample(scale_factor=(ScaleHeight,
/// ScaleWidth), mode=Mode, align_corners=AlignCorners): [C, H * ScaleHeight, W * ScaleWidth]. No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UpsampleAttribute : LayerAttribute
{
    /// <summary>The factor along both axes (scale_factor), at least 1. Default 2.</summary>
    public int Scale { get; set; } = 2;

    /// <summary>The factor along the height; overrides <see cref="Scale"/>.</summary>
    public int ScaleHeight { get; set; }

    /// <summary>The factor along the width; overrides <see cref="Scale"/>.</summary>
    public int ScaleWidth { get; set; }

    /// <summary>"nearest" (the default: each input pixel repeated) or "bilinear" (mode).</summary>
    public string Mode { get; set; } = "nearest";

    /// <summary>Bilinear only (align_corners): map the corner pixels' centres onto each other rather than the corners of the pixels. Default false.</summary>
    public bool AlignCorners { get; set; }
}

/// <summary>
/// Rearranges [C * Factor * Factor, H, W] into [C, H * Factor, W * Factor], as torch.nn.PixelShuffle
/// (sub-pixel convolution's last step): out[c, h * r + i, w * r + j] = in[c * r * r + i * r + j, h, w]. No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PixelShuffleAttribute : LayerAttribute
{
    /// <summary>The upscale factor r (upscale_factor), at least 1; the input channels must be a multiple of r * r. Required.</summary>
    public int Factor { get; set; }
}
