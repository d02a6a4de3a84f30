// Shared between the generator (netstandard2.0) and the runtime library (net10.0) as a linked
// file: the one description of a layer that shape inference works on. Plain C#, no Roslyn types.
namespace CnnGen.Shapes;

internal enum LayerKind
{
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    MinPool2D,
    ReLU,
    LeakyReLU,
    Sigmoid,
    Tanh,
    Flatten,
    Dense,
    Softmax,
}

/// <summary>
/// One layer with every hyperparameter resolved (Kernel spread into KernelHeight/KernelWidth,
/// Padding into the four sides, defaults applied). Unused fields keep their defaults.
/// Value equality, so the generator's pipeline can cache on it.
/// </summary>
internal sealed record LayerDefinition(LayerKind Kind)
{
    /// <summary>Conv2D: output channels.</summary>
    public int Filters { get; init; }
    public int KernelHeight { get; init; }
    public int KernelWidth { get; init; }
    public int StrideHeight { get; init; } = 1;
    public int StrideWidth { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadBottom { get; init; }
    public int PadLeft { get; init; }
    public int PadRight { get; init; }
    public int DilationHeight { get; init; } = 1;
    public int DilationWidth { get; init; } = 1;
    public int Groups { get; init; } = 1;
    public bool Bias { get; init; } = true;
    public bool CeilMode { get; init; }
    public float NegativeSlope { get; init; } = 0.01f;
    /// <summary>Dense: output features.</summary>
    public int Outputs { get; init; }
    /// <summary>Conv2D InChannels or Dense Inputs as the user declared them; null when not declared.</summary>
    public int? DeclaredInputs { get; init; }

    public bool IsPool => Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D or LayerKind.MinPool2D;

    public bool IsElementwise => Kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Sigmoid or LayerKind.Tanh;

    /// <summary>The attribute's name as the user writes it.</summary>
    public string Name => Kind.ToString();
}

/// <summary>
/// What flows between layers: a C x H x W feature map, or after Flatten (and Dense) a vector,
/// stored as Length x 1 x 1 with <see cref="IsFlat"/> set.
/// </summary>
internal readonly record struct FeatureShape(int Channels, int Height, int Width, bool IsFlat)
{
    public static FeatureShape Map(int channels, int height, int width) => new(channels, height, width, false);

    public static FeatureShape Vector(int length) => new(length, 1, 1, true);

    public int Length => Channels * Height * Width;

    /// <summary>The shape as PyTorch prints it without the batch dimension.</summary>
    public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";
}

/// <summary>A learnable tensor: its state_dict key and its PyTorch shape, at an offset in parameters() order.</summary>
internal sealed record ParameterTensorShape(string Name, int[] Dimensions, int Offset)
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

    public bool Equals(ParameterTensorShape? other) =>
        other is not null && Name == other.Name && Offset == other.Offset && System.Linq.Enumerable.SequenceEqual(Dimensions, other.Dimensions);

    public override int GetHashCode() => (Name, Offset, Dimensions.Length).GetHashCode();
}
