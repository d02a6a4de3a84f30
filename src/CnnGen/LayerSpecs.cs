using CnnGen.Shapes;

namespace CnnGen;

/// <summary>One layer of a <see cref="NetworkSpec"/>: the runtime form of a layer attribute.</summary>
public abstract class LayerSpec
{
    private protected LayerSpec()
    {
    }

    /// <summary>The layer's attribute name: "Conv2D", "MaxPool2D", "ReLU", ...</summary>
    public abstract string Name { get; }

    internal abstract LayerDefinition ToDefinition();

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A 2D convolution with every hyperparameter resolved (see <see cref="Conv2DAttribute"/>).</summary>
public sealed class Conv2DSpec : LayerSpec
{
    /// <summary>A convolution with <paramref name="filters"/> output channels and the given kernel; stride 1, no padding.</summary>
    public Conv2DSpec(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <inheritdoc />
    public override string Name => "Conv2D";

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Declared input channels, checked against the previous layer; null to infer.</summary>
    public int? InChannels { get; init; }

    /// <summary>Vertical stride. Default 1.</summary>
    public int StrideHeight { get; init; } = 1;

    /// <summary>Horizontal stride. Default 1.</summary>
    public int StrideWidth { get; init; } = 1;

    /// <summary>Zero rows above the input.</summary>
    public int PadTop { get; init; }

    /// <summary>Zero rows below the input.</summary>
    public int PadBottom { get; init; }

    /// <summary>Zero columns left of the input.</summary>
    public int PadLeft { get; init; }

    /// <summary>Zero columns right of the input.</summary>
    public int PadRight { get; init; }

    /// <summary>Vertical dilation. Default 1.</summary>
    public int DilationHeight { get; init; } = 1;

    /// <summary>Horizontal dilation. Default 1.</summary>
    public int DilationWidth { get; init; } = 1;

    /// <summary>Channel groups. Default 1.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Whether the layer adds a bias. Default true.</summary>
    public bool Bias { get; init; } = true;

    internal override LayerDefinition ToDefinition() => new(LayerKind.Conv2D)
    {
        Filters = Filters,
        KernelHeight = KernelHeight,
        KernelWidth = KernelWidth,
        DeclaredInputs = InChannels,
        StrideHeight = StrideHeight,
        StrideWidth = StrideWidth,
        PadTop = PadTop,
        PadBottom = PadBottom,
        PadLeft = PadLeft,
        PadRight = PadRight,
        DilationHeight = DilationHeight,
        DilationWidth = DilationWidth,
        Groups = Groups,
        Bias = Bias,
    };
}

/// <summary>Which reduction a pooling layer applies.</summary>
public enum PoolKind
{
    /// <summary>The maximum of the window; padding is negative infinity.</summary>
    Max,

    /// <summary>The mean of the window, padded zeros included (count_include_pad=True).</summary>
    Average,

    /// <summary>The minimum of the window; padding is positive infinity.</summary>
    Min,
}

/// <summary>A 2D pooling layer with every hyperparameter resolved (see <see cref="Pool2DAttribute"/>).</summary>
public sealed class Pool2DSpec : LayerSpec
{
    /// <summary>A pooling window of the given size; the stride defaults to the window size.</summary>
    public Pool2DSpec(PoolKind kind, int kernelHeight, int kernelWidth)
    {
        Kind = kind;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = kernelHeight;
        StrideWidth = kernelWidth;
    }

    /// <inheritdoc />
    public override string Name => Kind switch { PoolKind.Max => "MaxPool2D", PoolKind.Average => "AvgPool2D", _ => "MinPool2D" };

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    /// <summary>Window rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Window columns.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical stride. Default: the window rows.</summary>
    public int StrideHeight { get; init; }

    /// <summary>Horizontal stride. Default: the window columns.</summary>
    public int StrideWidth { get; init; }

    /// <summary>Padding above and below.</summary>
    public int PaddingHeight { get; init; }

    /// <summary>Padding left and right.</summary>
    public int PaddingWidth { get; init; }

    /// <summary>PyTorch's ceil_mode.</summary>
    public bool CeilMode { get; init; }

    internal override LayerDefinition ToDefinition() => new(Kind switch { PoolKind.Max => LayerKind.MaxPool2D, PoolKind.Average => LayerKind.AvgPool2D, _ => LayerKind.MinPool2D })
    {
        KernelHeight = KernelHeight,
        KernelWidth = KernelWidth,
        StrideHeight = StrideHeight,
        StrideWidth = StrideWidth,
        PadTop = PaddingHeight,
        PadBottom = PaddingHeight,
        PadLeft = PaddingWidth,
        PadRight = PaddingWidth,
        CeilMode = CeilMode,
    };
}

/// <summary>Which elementwise function an activation layer applies.</summary>
public enum ActivationKind
{
    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>x, or NegativeSlope * x below zero.</summary>
    LeakyReLU,

    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>An elementwise activation.</summary>
public sealed class ActivationSpec : LayerSpec
{
    /// <summary>An activation of the given kind.</summary>
    public ActivationSpec(ActivationKind kind) => Kind = kind;

    /// <inheritdoc />
    public override string Name => Kind.ToString();

    /// <summary>The function.</summary>
    public ActivationKind Kind { get; }

    /// <summary>LeakyReLU's slope below zero. Default 0.01.</summary>
    public float NegativeSlope { get; init; } = 0.01f;

    internal override LayerDefinition ToDefinition() => new(Kind switch
    {
        ActivationKind.ReLU => LayerKind.ReLU,
        ActivationKind.LeakyReLU => LayerKind.LeakyReLU,
        ActivationKind.Sigmoid => LayerKind.Sigmoid,
        _ => LayerKind.Tanh,
    })
    {
        NegativeSlope = NegativeSlope,
    };
}

/// <summary>Flattens a feature map to a vector in C order.</summary>
public sealed class FlattenSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Flatten";

    internal override LayerDefinition ToDefinition() => new(LayerKind.Flatten);
}

/// <summary>A fully connected layer.</summary>
public sealed class DenseSpec : LayerSpec
{
    /// <summary>A layer with <paramref name="outputs"/> output features.</summary>
    public DenseSpec(int outputs) => Outputs = outputs;

    /// <inheritdoc />
    public override string Name => "Dense";

    /// <summary>Output features.</summary>
    public int Outputs { get; }

    /// <summary>Declared input features, checked against the previous layer; null to infer.</summary>
    public int? Inputs { get; init; }

    /// <summary>Whether the layer adds a bias. Default true.</summary>
    public bool Bias { get; init; } = true;

    internal override LayerDefinition ToDefinition() => new(LayerKind.Dense) { Outputs = Outputs, DeclaredInputs = Inputs, Bias = Bias };
}

/// <summary>Softmax over dimension 1 (the vector, or the channels of a feature map).</summary>
public sealed class SoftmaxSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Softmax";

    internal override LayerDefinition ToDefinition() => new(LayerKind.Softmax);
}
