using System;

namespace CnnGen;

/// <summary>
/// A 1D convolution over a channels x length sequence (cross-correlation, as torch.nn.Conv1d). Weight
/// shape [Filters, InChannels / Groups, Kernel], then bias [Filters]. Needs a network whose
/// [InputShape] has two arguments, or a sequence from the layers before.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : LayerAttribute
{
    /// <summary>Output channels (out_channels). Required.</summary>
    public int Filters { get; set; }

    /// <summary>Input channels (in_channels); inferred from the previous layer, checked when given.</summary>
    public int InChannels { get; set; }

    /// <summary>Kernel size (kernel_size). Required.</summary>
    public int Kernel { get; set; }

    /// <summary>Stride (stride). Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Padded positions on both ends (padding), zeros unless <see cref="PaddingMode"/> says otherwise. Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Padded positions before the sequence; overrides <see cref="Padding"/> (a causal convolution: (Kernel - 1) * Dilation, with PadRight 0).</summary>
    public int PadLeft { get; set; }

    /// <summary>Padded positions after the sequence; overrides <see cref="Padding"/>.</summary>
    public int PadRight { get; set; }

    /// <summary>Spacing between kernel taps (dilation). Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Channel groups (groups). Default 1.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer adds a bias (bias). Default true.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// How the padding is filled (padding_mode): "zeros" (the default), "reflect", "replicate" or
    /// "circular", as F.pad's modes; the padding is made first, then the convolution runs over it
    /// (with PadLeft/PadRight too). Reflect padding must be less than the input length, circular at most the length.
    /// </summary>
    public string PaddingMode { get; set; } = "zeros";
}

/// <summary>The properties shared by the 1D pooling layers (torch.nn.MaxPool1d and AvgPool1d).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class Pool1DAttribute : LayerAttribute
{
    private protected Pool1DAttribute()
    {
    }

    /// <summary>Window size (kernel_size). Required.</summary>
    public int Kernel { get; set; }

    /// <summary>Stride (stride). Default: the window size.</summary>
    public int Stride { get; set; }

    /// <summary>Padding on both ends, at most half the window (padding). Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Round the output length up rather than down, as PyTorch's ceil_mode.</summary>
    public bool CeilMode { get; set; }
}

/// <summary>The maximum of each window, as torch.nn.MaxPool1d.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : Pool1DAttribute
{
    /// <summary>Spacing between a window's taps (dilation), as nn.MaxPool1d's. Default 1.</summary>
    public int Dilation { get; set; } = 1;
}

/// <summary>The mean of each window, as torch.nn.AvgPool1d.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : Pool1DAttribute
{
    /// <summary>
    /// Whether the padded zeros count in a window's divisor (count_include_pad). Default true, PyTorch's; false divides
    /// each window's sum by the number of input values in it.
    /// </summary>
    public bool CountIncludePad { get; set; } = true;
}

/// <summary>The minimum of each window, as -torch.nn.functional.max_pool1d(-x).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MinPool1DAttribute : Pool1DAttribute
{
    /// <summary>Spacing between a window's taps (dilation), as nn.MaxPool1d's. Default 1.</summary>
    public int Dilation { get; set; } = 1;
}

/// <summary>
/// Batch normalization in eval mode, as torch.nn.BatchNorm1d: per channel of a channels x length
/// sequence, or per feature of a flat vector (after Flatten or Dense). Tensors weight and bias (when
/// Affine), then the buffers running_mean and running_var.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm1DAttribute : LayerAttribute
{
    /// <summary>Added to the variance (eps), 0 or more. Default 1e-5.</summary>
    public float Epsilon { get; set; } = 1e-5f;

    /// <summary>Whether the layer has a learned weight and bias (affine). Default true.</summary>
    public bool Affine { get; set; } = true;

    /// <summary>Channels or features (num_features); inferred from the previous layer, checked when given.</summary>
    public int Channels { get; set; }
}

/// <summary>The mean of each channel's whole sequence, [C, L] to [C, 1], as torch.nn.AdaptiveAvgPool1d(1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool1DAttribute : LayerAttribute
{
}

/// <summary>The maximum of each channel's whole sequence, [C, L] to [C, 1], as torch.nn.AdaptiveMaxPool1d(1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPool1DAttribute : LayerAttribute
{
}

/// <summary>The property of the 1D adaptive pools: the output length, from which each window follows.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class AdaptivePool1DAttribute : LayerAttribute
{
    private protected AdaptivePool1DAttribute()
    {
    }

    /// <summary>Output length (output_size), at least 1; may exceed the input. Required.</summary>
    public int Output { get; set; }
}

/// <summary>torch.nn.AdaptiveAvgPool1d: output position i is the mean of input [floor(i * L / Out), ceil((i + 1) * L / Out)).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AdaptiveAvgPool1DAttribute : AdaptivePool1DAttribute
{
}

/// <summary>torch.nn.AdaptiveMaxPool1d: output position i is the maximum of input [floor(i * L / Out), ceil((i + 1) * L / Out)).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AdaptiveMaxPool1DAttribute : AdaptivePool1DAttribute
{
}
