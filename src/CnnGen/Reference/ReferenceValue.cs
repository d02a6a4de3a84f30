using System;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Reference;

/// <summary>
/// The shape of a value as the reference engine works it out for itself: a C x H x W feature map, a
/// C x L sequence (held as C x 1 x L), or a vector of <see cref="Channels"/> features (after Flatten
/// or Dense). Deliberately not the IR's shape type, so that the engine's sizes come from its own arithmetic.
/// </summary>
internal readonly record struct ValueShape(int Channels, int Height, int Width, bool IsFlat, bool IsSequence = false)
{
    public static ValueShape Map(int channels, int height, int width) => new(channels, height, width, false);

    public static ValueShape Sequence(int channels, int length) => new(channels, 1, length, false, IsSequence: true);

    public static ValueShape Vector(int features) => new(features, 1, 1, true);

    public int Length => Channels * Height * Width;

    /// <summary>Elements per channel: H x W for a map, 1 for a vector (whose channels are its features).</summary>
    public int Plane => Height * Width;

    /// <summary>PyTorch's shape without the batch dimension: [C, H, W], [C, L] or [features].</summary>
    public int[] Dimensions => IsFlat ? new[] { Channels } : IsSequence ? new[] { Channels, Width } : new[] { Channels, Height, Width };

    public bool Contains(int y, int x) => y >= 0 && y < Height && x >= 0 && x < Width;

    /// <summary>C-order index of element (channel, y, x).</summary>
    public int Index(int channel, int y, int x) => (channel * Height + y) * Width + x;

    public bool Matches(IReadOnlyList<int> dimensions) => Dimensions.SequenceEqual(dimensions);

    public static string Format(IEnumerable<int> dimensions) => "[" + string.Join(", ", dimensions) + "]";

    public override string ToString() => Format(Dimensions);
}

/// <summary>A value flowing through the graph: its floats in C order and its shape.</summary>
internal sealed class ReferenceValue
{
    public ReferenceValue(float[] data, ValueShape shape)
    {
        if (data.Length != shape.Length)
        {
            throw new InvalidOperationException($"A value of shape {shape} holds {shape.Length} floats, not {data.Length}.");
        }
        Data = data;
        Shape = shape;
    }

    public float[] Data { get; }

    public ValueShape Shape { get; }
}
