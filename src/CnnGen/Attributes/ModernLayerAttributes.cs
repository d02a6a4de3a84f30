using System;

namespace CnnGen;

/// <summary>
/// Batch normalization in eval mode, as torch.nn.BatchNorm2d: per channel
/// (x - running_mean) / sqrt(running_var + Epsilon) * weight + bias. Tensors weight and bias (when
/// Affine), then the buffers running_mean and running_var. After a convolution it is folded into the
/// convolution's weights when they load, and costs nothing per call.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm2DAttribute : LayerAttribute
{
    /// <summary>Added to the variance (eps), 0 or more. Default 1e-5.</summary>
    public float Epsilon { get; set; } = 1e-5f;

    /// <summary>Whether the layer has a learned weight and bias (affine). Default true.</summary>
    public bool Affine { get; set; } = true;

    /// <summary>Channels (num_features); inferred from the previous layer, checked when given.</summary>
    public int Channels { get; set; }
}

/// <summary>The mean of each channel's whole plane, [C, H, W] to [C, 1, 1], as torch.nn.AdaptiveAvgPool2d(1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2DAttribute : LayerAttribute
{
}

/// <summary>The maximum of each channel's whole plane, [C, H, W] to [C, 1, 1], as torch.nn.AdaptiveMaxPool2d(1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPool2DAttribute : LayerAttribute
{
}

/// <summary>The properties of the adaptive pools: the output size, from which each window follows.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class AdaptivePool2DAttribute : LayerAttribute
{
    private protected AdaptivePool2DAttribute()
    {
    }

    /// <summary>Square output size (output_size), at least 1; may exceed the input. Required unless OutputHeight and OutputWidth are given.</summary>
    public int Output { get; set; }

    /// <summary>Output rows; with <see cref="OutputWidth"/> instead of <see cref="Output"/>.</summary>
    public int OutputHeight { get; set; }

    /// <summary>Output columns; with <see cref="OutputHeight"/> instead of <see cref="Output"/>.</summary>
    public int OutputWidth { get; set; }
}

/// <summary>
/// torch.nn.AdaptiveAvgPool2d: output cell i along an axis is the mean of input
/// [floor(i * In / Out), ceil((i + 1) * In / Out)).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AdaptiveAvgPool2DAttribute : AdaptivePool2DAttribute
{
}

/// <summary>
/// torch.nn.AdaptiveMaxPool2d: output cell i along an axis is the maximum of input
/// [floor(i * In / Out), ceil((i + 1) * In / Out)).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AdaptiveMaxPool2DAttribute : AdaptivePool2DAttribute
{
}

/// <summary>torch.nn.Dropout: the identity at inference, but a module that counts in the positions that name the tensors after it.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>The training-time drop probability (p), between 0 and 1. Default 0.5.</summary>
    public float P { get; set; } = 0.5f;
}

/// <summary>torch.nn.Identity: passes its input on; a module that counts in the positions.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IdentityAttribute : LayerAttribute
{
}

/// <summary>min(max(0, x), 6), as torch.nn.ReLU6.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLU6Attribute : LayerAttribute
{
}

/// <summary>min(max(Min, x), Max), as torch.nn.Hardtanh.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardtanhAttribute : LayerAttribute
{
    /// <summary>The lower bound (min_val). Default -1.</summary>
    public float Min { get; set; } = -1f;

    /// <summary>The upper bound (max_val), greater than <see cref="Min"/>. Default 1.</summary>
    public float Max { get; set; } = 1f;
}

/// <summary>min(max(x + 3, 0), 6) / 6, as torch.nn.Hardsigmoid.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardsigmoidAttribute : LayerAttribute
{
}

/// <summary>x * min(max(x + 3, 0), 6) / 6, as torch.nn.Hardswish.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardswishAttribute : LayerAttribute
{
}

/// <summary>x * sigmoid(x), as torch.nn.SiLU (swish).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>x * tanh(softplus(x)), as torch.nn.Mish.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MishAttribute : LayerAttribute
{
}

/// <summary>x * Phi(x), the Gaussian error linear unit, as torch.nn.GELU(approximate).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GELUAttribute : LayerAttribute
{
    /// <summary>"none" (the exact erf form, the default) or "tanh" (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))); anything else is a compile error.</summary>
    public string Approximate { get; set; } = "none";
}

/// <summary>x above zero, Alpha * (exp(x) - 1) otherwise, as torch.nn.ELU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ELUAttribute : LayerAttribute
{
    /// <summary>The scale of the negative part (alpha). Default 1.</summary>
    public float Alpha { get; set; } = 1f;
}

/// <summary>scale * ELU(x, alpha) with PyTorch's fixed constants (scale 1.0507..., alpha 1.6732...), as torch.nn.SELU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SELUAttribute : LayerAttribute
{
}

/// <summary>log(1 + exp(Beta * x)) / Beta, and x itself where Beta * x &gt; Threshold, as torch.nn.Softplus.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftplusAttribute : LayerAttribute
{
    /// <summary>beta, nonzero. Default 1.</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>Above this (Beta * x), the function is linear. Default 20.</summary>
    public float Threshold { get; set; } = 20f;
}

/// <summary>x above zero, weight * x otherwise, with learned weights, as torch.nn.PReLU: tensor "weight" [Parameters].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PReLUAttribute : LayerAttribute
{
    /// <summary>Learned slopes (num_parameters): 1, shared by every element, or the input's channels (its features after Flatten or Dense). Default 1.</summary>
    public int Parameters { get; set; } = 1;
}

/// <summary>
/// LogSoftmax over dimension 1, as torch.nn.LogSoftmax(dim=1): over the whole vector after Flatten or
/// Dense, over the channels at each pixel of a feature map; computed as x - max - log(sum(exp(x - max))).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LogSoftmaxAttribute : LayerAttribute
{
}
