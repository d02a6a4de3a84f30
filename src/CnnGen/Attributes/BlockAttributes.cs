using System;

namespace CnnGen;

/// <summary>
/// Marks a class whose layer attributes form a reusable block, used from networks and other blocks
/// with <see cref="SequentialAttribute"/>, <see cref="ResidualAttribute"/>, <see cref="ConcatAttribute"/>
/// and <see cref="MultiplyAttribute"/>. A block has at least one layer and no <see cref="InputShapeAttribute"/>;
/// its shapes come from each place it is used, and each use is a module of its own with its own
/// tensors. Nothing is generated into the class; a block that no network uses is not checked.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute
{
}

/// <summary>y = B(x): the block's layers in order, as an nn.Sequential module (named by Name, else by its position).</summary>
public sealed class SequentialAttribute : LayerAttribute
{
    /// <summary>Runs the layers of <paramref name="block"/>, a class marked <see cref="BlockAttribute"/>.</summary>
    public SequentialAttribute(Type block) => Block = block;

    /// <summary>The block class.</summary>
    public Type Block { get; }
}

/// <summary>
/// y = B(x) + x, or y = B(x) + S(x) with a <see cref="Shortcut"/>; both terms must have one shape. The
/// module's children are the body's layers, then the shortcut as an nn.Sequential named <see cref="ShortcutName"/>.
/// </summary>
public sealed class ResidualAttribute : LayerAttribute
{
    /// <summary>A residual connection around <paramref name="body"/>, a class marked <see cref="BlockAttribute"/>.</summary>
    public ResidualAttribute(Type body) => Body = body;

    /// <summary>The body block.</summary>
    public Type Body { get; }

    /// <summary>A block applied to x before it is added (a projection: a 1x1 convolution and BatchNorm); unset, x itself is added.</summary>
    public Type? Shortcut { get; set; }

    /// <summary>The shortcut's module name: "downsample" for torchvision's ResNets. Default "shortcut".</summary>
    public string ShortcutName { get; set; } = "shortcut";
}

/// <summary>
/// y = cat([x,] A(x), B(x), ..., dim = 1): the branches' outputs joined along the channels, each of
/// one height and width. The module's children are the branches, each an nn.Sequential named by its
/// position ("0" is the first block named, with or without <see cref="IncludeInput"/>).
/// </summary>
public sealed class ConcatAttribute : LayerAttribute
{
    /// <summary>Joins the outputs of <paramref name="branches"/>, classes marked <see cref="BlockAttribute"/>, in order.</summary>
    public ConcatAttribute(params Type[] branches) => Branches = branches;

    /// <summary>The branch blocks in order.</summary>
    public Type[] Branches { get; }

    /// <summary>Whether x itself comes first (DenseNet, U-Net skips). Default false.</summary>
    public bool IncludeInput { get; set; }
}

/// <summary>
/// y = x * B(x), where B(x) has x's shape or is [C, 1, 1], one factor per channel (squeeze-and-excitation).
/// The module's children are the gate's layers.
/// </summary>
public sealed class MultiplyAttribute : LayerAttribute
{
    /// <summary>Gates x by <paramref name="gate"/>, a class marked <see cref="BlockAttribute"/>.</summary>
    public MultiplyAttribute(Type gate) => Gate = gate;

    /// <summary>The gate block.</summary>
    public Type Gate { get; }
}
