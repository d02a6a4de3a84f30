using System;

namespace CnnGen;

/// <summary>The properties shared by the 2D pooling layers (torch.nn.MaxPool2d and AvgPool2d).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class Pool2DAttribute : LayerAttribute
{
    private protected Pool2DAttribute()
    {
    }

    /// <summary>Square window size (kernel_size). Required unless KernelHeight and KernelWidth are given.</summary>
    public int Kernel { get; set; }

    /// <summary>Window rows; overrides <see cref="Kernel"/>.</summary>
    public int KernelHeight { get; set; }

    /// <summary>Window columns; overrides <see cref="Kernel"/>.</summary>
    public int KernelWidth { get; set; }

    /// <summary>Stride along both axes (stride). Default: the window size.</summary>
    public int Stride { get; set; }

    /// <summary>Vertical stride; overrides <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; overrides <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Implicit padding on all sides (padding), at most half the window. Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Padding above and below; overrides <see cref="Padding"/>.</summary>
    public int PaddingHeight { get; set; }

    /// <summary>Padding left and right; overrides <see cref="Padding"/>.</summary>
    public int PaddingWidth { get; set; }

    /// <summary>Round the output size up (ceil_mode), dropping a last window that would start in the right padding. Default false.</summary>
    public bool CeilMode { get; set; }
}

/// <summary>Max pooling (torch.nn.MaxPool2d); padding counts as negative infinity.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Pool2DAttribute
{
    /// <summary>Spacing between a window's taps along both axes (dilation), as nn.MaxPool2d's. Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Spacing between a window's rows; overrides <see cref="Dilation"/>.</summary>
    public int DilationHeight { get; set; }

    /// <summary>Spacing between a window's columns; overrides <see cref="Dilation"/>.</summary>
    public int DilationWidth { get; set; }
}

/// <summary>Mean pooling (torch.nn.AvgPool2d).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Pool2DAttribute
{
    /// <summary>
    /// Whether the padded zeros count in a window's divisor (count_include_pad). Default true, PyTorch's; false divides
    /// each window's sum by the number of input values in it.
    /// </summary>
    public bool CountIncludePad { get; set; } = true;
}

/// <summary>Min pooling, -MaxPool2d(-x); padding counts as positive infinity.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MinPool2DAttribute : Pool2DAttribute
{
    /// <summary>Spacing between a window's taps along both axes (dilation), as nn.MaxPool2d's. Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Spacing between a window's rows; overrides <see cref="Dilation"/>.</summary>
    public int DilationHeight { get; set; }

    /// <summary>Spacing between a window's columns; overrides <see cref="Dilation"/>.</summary>
    public int DilationWidth { get; set; }
}
