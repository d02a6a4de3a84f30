using System;

namespace CnnGen;

/// <summary>
/// The properties shared by the 2D padding layers (torch.nn.ZeroPad2d, ReflectionPad2d, ReplicationPad2d):
/// F.pad(x, (PadLeft, PadRight, PadTop, PadBottom), mode) on a C x H x W feature map. No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class Pad2DAttribute : LayerAttribute
{
    private protected Pad2DAttribute()
    {
    }

    /// <summary>Padding on all four sides (padding as one int). Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Rows above the input; overrides <see cref="Padding"/>.</summary>
    public int PadTop { get; set; }

    /// <summary>Rows below the input; overrides <see cref="Padding"/>.</summary>
    public int PadBottom { get; set; }

    /// <summary>Columns left of the input; overrides <see cref="Padding"/>.</summary>
    public int PadLeft { get; set; }

    /// <summary>Columns right of the input; overrides <see cref="Padding"/>.</summary>
    public int PadRight { get; set; }
}

/// <summary>Zeros around the feature map, as torch.nn.ZeroPad2d.</summary>
public sealed class ZeroPad2DAttribute : Pad2DAttribute
{
}

/// <summary>
/// The feature map mirrored about its edges, the edge not repeated (d c b | a b c d | c b a), as
/// torch.nn.ReflectionPad2d; each side's padding must be less than the input's size on its axis.
/// </summary>
public sealed class ReflectionPad2DAttribute : Pad2DAttribute
{
}

/// <summary>The feature map's edge rows and columns repeated (a a | a b c d | d d), as torch.nn.ReplicationPad2d.</summary>
public sealed class ReplicationPad2DAttribute : Pad2DAttribute
{
}
