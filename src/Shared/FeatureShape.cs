// Shared between the generator (netstandard2.0) and the runtime library (net10.0) as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// What flows between layers: a C x H x W feature map, or after Flatten (and Dense) a vector,
/// stored as Length x 1 x 1 with <see cref="IsFlat"/> set.
/// </summary>
internal readonly record struct FeatureShape(int Channels, int Height, int Width, bool IsFlat)
{
    public static FeatureShape Map(int channels, int height, int width) => new(channels, height, width, false);

    public static FeatureShape Vector(int length) => new(length, 1, 1, true);

    public int Length => Channels * Height * Width;

    /// <summary>Elements per channel: the plane of a feature map, 1 for a vector (whose channels are its features).</summary>
    public int Plane => Height * Width;

    /// <summary>The shape as PyTorch prints it without the batch dimension.</summary>
    public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";
}

/// <summary>
/// A floating-point tensor of the network's state_dict: its key, PyTorch shape, offset in the flat
/// vector (state_dict order: per module its parameters, then its float buffers) and whether it is a
/// buffer (BatchNorm's running statistics) rather than a learnable parameter.
/// </summary>
internal sealed record StateTensor(string Name, EquatableArray<int> Dimensions, int Offset, bool IsBuffer)
{
    public int Length
    {
        get
        {
            int n = 1;
            foreach (var d in Dimensions) n *= d;
            return n;
        }
    }

    /// <summary>"0.weight [6, 1, 5, 5]".</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", Dimensions)}]";
}
