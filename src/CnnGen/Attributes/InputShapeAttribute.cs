using System;

namespace CnnGen;

/// <summary>
/// Marks a partial class as a network and gives the shape of one input sample without the batch
/// dimension: NCHW for a 2D network, NCL for a 1D one. The layer attributes on the same class apply in the order they are written.
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

    /// <summary>A channels x length input (NCL, as torch.nn.Conv1d takes it): the network is 1D.</summary>
    public InputShapeAttribute(int channels, int length)
    {
        Channels = channels;
        Height = 1;
        Width = length;
    }

    /// <summary>Input channels (C).</summary>
    public int Channels { get; }

    /// <summary>Input rows (H); 1 for a 1D input.</summary>
    public int Height { get; }

    /// <summary>Input columns (W); the length (L) of a 1D input.</summary>
    public int Width { get; }
}
