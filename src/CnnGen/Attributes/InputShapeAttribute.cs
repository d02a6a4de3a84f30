using System;

namespace CnnGen;

/// <summary>
/// Marks a partial class as a network and gives the shape of one input sample, NCHW without the batch
/// dimension. The layer attributes on the same class apply in the order they are written.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputShapeAttribute : Attribute
{
    /// <summary>A channels x height x width input.</summary>
    public InputShapeAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Input channels (C).</summary>
    public int Channels { get; }

    /// <summary>Input rows (H).</summary>
    public int Height { get; }

    /// <summary>Input columns (W).</summary>
    public int Width { get; }
}
