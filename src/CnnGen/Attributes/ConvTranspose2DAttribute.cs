using System;

namespace CnnGen;

/// <summary>
/// A 2D transposed convolution (the gradient of Conv2D with respect to its input, as torch.nn.ConvTranspose2d):
/// each input pixel adds its weighted kernel into the output at Stride times its position. Output size per axis
/// (In - 1) * Stride - 2 * Padding + Dilation * (Kernel - 1) + OutputPadding + 1. Weight shape
/// [InChannels, Filters / Groups, KernelHeight, KernelWidth], then bias [Filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvTranspose2DAttribute : LayerAttribute
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

    /// <summary>Stride along both axes (stride): how far apart the input pixels' kernels land. Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical stride; overrides <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; overrides <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Rows and columns cropped from each side of the full output (padding). Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Rows cropped above and below; overrides <see cref="Padding"/>.</summary>
    public int PaddingHeight { get; set; }

    /// <summary>Columns cropped left and right; overrides <see cref="Padding"/>.</summary>
    public int PaddingWidth { get; set; }

    /// <summary>Rows and columns added below and right of the output (output_padding), less than max(Stride, Dilation). Default 0.</summary>
    public int OutputPadding { get; set; }

    /// <summary>Rows added below; overrides <see cref="OutputPadding"/>.</summary>
    public int OutputPaddingHeight { get; set; }

    /// <summary>Columns added right; overrides <see cref="OutputPadding"/>.</summary>
    public int OutputPaddingWidth { get; set; }

    /// <summary>Spacing between kernel taps along both axes (dilation). Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Vertical dilation; overrides <see cref="Dilation"/>.</summary>
    public int DilationHeight { get; set; }

    /// <summary>Horizontal dilation; overrides <see cref="Dilation"/>.</summary>
    public int DilationWidth { get; set; }

    /// <summary>Channel groups (groups); must divide InChannels and Filters. Default 1.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a bias (bias). Default true.</summary>
    public bool Bias { get; set; } = true;
}
