// Shared between the generator (netstandard2.0) and the runtime library (net10.0) as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// What flows between layers: a C x H x W feature map (rank 3); a C x L sequence (rank 2), stored as
/// C x 1 x L so that a 1D layer is its 2D counterpart with one row; or after Flatten (and Dense) a
/// vector (rank 1), stored as Length x 1 x 1.
/// </summary>
internal readonly record struct FeatureShape(int Channels, int Height, int Width, int Rank)
{
    public static FeatureShape Map(int channels, int height, int width) => new(channels, height, width, 3);

    public static FeatureShape Sequence(int channels, int length) => new(channels, 1, length, 2);

    public static FeatureShape Vector(int length) => new(length, 1, 1, 1);

    public bool IsFlat => Rank == 1;

    public bool IsSequence => Rank == 2;

    public bool IsMap => Rank == 3;

    public int Length => Channels * Height * Width;

    /// <summary>Elements per channel: the plane of a feature map, the length of a sequence, 1 for a vector (whose channels are its features).</summary>
    public int Plane => Height * Width;

    /// <summary>The shape as PyTorch prints it without the batch dimension.</summary>
    public override string ToString() => Rank switch
    {
        1 => $"[{Channels}]",
        2 => $"[{Channels}, {Width}]",
        3 => $"[{Channels}, {Height}, {Width}]",
        _ => throw new System.InvalidOperationException($"A shape of rank {Rank}."),
    };

    /// <summary>"a flat vector [48]", "the sequence [2, 32]", "the feature map [3, 8, 8]": the shape as messages name what a layer produces.</summary>
    public string Described => Rank switch
    {
        1 => "a flat vector " + this,
        2 => "the sequence " + this,
        3 => "the feature map " + this,
        _ => throw new System.InvalidOperationException($"A shape of rank {Rank}."),
    };
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
