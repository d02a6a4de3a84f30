using System;

namespace CnnGen;

/// <summary>
/// A 2D convolution (cross-correlation, as torch.nn.Conv2d). Weight shape
/// [Filters, InChannels / Groups, KernelHeight, KernelWidth], then bias [Filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>Output channels (out_channels). Required.</summary>
    public int Filters { get; set; }

    /// <summary>Input channels (in_channels); inferred from the previous layer, checked when given.</summary>
    public int InChannels { get; set; }

    /// <summary>Square kernel size (kernel_size). Required unless KernelHeight and KernelWidth are given.</summary>
    public int Kernel { get; set; }

    /// <summary>Kernel rows; overrides <see cref="Kernel"/>.</summary>
    public int KernelHeight { get; set; }

    /// <summary>Kernel columns; overrides <see cref="Kernel"/>.</summary>
    public int KernelWidth { get; set; }

    /// <summary>Stride along both axes (stride). Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical stride; overrides <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; overrides <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Zero padding on all four sides (padding). Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Zero rows above and below; overrides <see cref="Padding"/>.</summary>
    public int PaddingHeight { get; set; }

    /// <summary>Zero columns left and right; overrides <see cref="Padding"/>.</summary>
    public int PaddingWidth { get; set; }

    /// <summary>Zero rows above the input (F.pad's top); overrides the symmetric padding.</summary>
    public int PadTop { get; set; }

    /// <summary>Zero rows below the input; overrides the symmetric padding.</summary>
    public int PadBottom { get; set; }

    /// <summary>Zero columns left of the input; overrides the symmetric padding.</summary>
    public int PadLeft { get; set; }

    /// <summary>Zero columns right of the input; overrides the symmetric padding.</summary>
    public int PadRight { get; set; }

    /// <summary>Spacing between kernel taps along both axes (dilation). Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Vertical dilation; overrides <see cref="Dilation"/>.</summary>
    public int DilationHeight { get; set; }

    /// <summary>Horizontal dilation; overrides <see cref="Dilation"/>.</summary>
    public int DilationWidth { get; set; }

    /// <summary>Channel groups (groups). Default 1; depthwise when equal to the input channels.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a bias (bias). Default true.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// How the padding is filled (padding_mode): "zeros" (the default), "reflect", "replicate" or
    /// "circular", as F.pad's modes; the padding is made first, then the convolution runs over it.
    /// Reflect padding must be less than the input's size on its axis, circular at most that size.
    /// </summary>
    public string PaddingMode { get; set; } = "zeros";
}
