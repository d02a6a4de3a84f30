using System;

namespace CnnGen;

/// <summary>max(0, x), as torch.nn.ReLU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>x for x &gt;= 0, NegativeSlope * x otherwise, as torch.nn.LeakyReLU.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>The slope for negative inputs (negative_slope). Default 0.01.</summary>
    public float NegativeSlope { get; set; } = 0.01f;
}

/// <summary>1 / (1 + exp(-x)), as torch.nn.Sigmoid.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>tanh(x), as torch.nn.Tanh.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>Flattens a C x H x W feature map to a vector in C order, as torch.nn.Flatten.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>A fully connected layer, as torch.nn.Linear: weight [Outputs, Inputs], then bias [Outputs].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Output features (out_features). Required.</summary>
    public int Outputs { get; set; }

    /// <summary>Input features (in_features); inferred from the previous layer, checked when given.</summary>
    public int Inputs { get; set; }

    /// <summary>Whether the layer has a bias (bias). Default true.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>
/// Softmax over dimension 1, as torch.nn.Softmax(dim=1): over the whole vector after Flatten or Dense,
/// over the channels at each pixel of a feature map. Numerically stable (the maximum is subtracted).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}
