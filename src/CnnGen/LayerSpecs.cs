using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen;

/// <summary>One layer of a <see cref="NetworkSpec"/>: the runtime form of a layer attribute.</summary>
public abstract class LayerSpec
{
    private protected LayerSpec()
    {
    }

    /// <summary>The layer's attribute name: "Conv2D", "MaxPool2D", "ReLU", ...</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The module's name in the state_dict (the attribute's <c>Name</c>): its tensors are "{ModuleName}.weight".
    /// Null (the default) names the module by its position, as nn.Sequential does.
    /// </summary>
    public string? ModuleName { get; init; }

    /// <summary>The layer as an item of the declared network: a layer's op named as the module is, or a block.</summary>
    internal virtual Item ToItem() => new LayerItem(CreateOp() with { Name = ModuleName });

    private protected abstract Op CreateOp();

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

    /// <summary>How the padding is filled: "zeros" (the default), "reflect", "replicate" or "circular", as nn.Conv2d's padding_mode.</summary>
    public string PaddingMode { get; init; } = "zeros";

    private protected override Op CreateOp() => new ConvolutionOp
    {
        Filters = Filters,
        KernelHeight = KernelHeight,
        KernelWidth = KernelWidth,
        InChannels = InChannels,
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
        PaddingMode = PaddingMode,
    };
}

/// <summary>
/// F.pad(x, (PadLeft, PadRight, PadTop, PadBottom), mode) on a feature map: "zeros" (nn.ZeroPad2d),
/// "reflect" (nn.ReflectionPad2d), "replicate" (nn.ReplicationPad2d) or "circular". No tensors.
/// </summary>
public sealed class Pad2DSpec : LayerSpec
{
    /// <summary>Padding of <paramref name="mode"/>: "zeros", "reflect", "replicate" or "circular", as a convolution's padding_mode names them.</summary>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is none of the four.</exception>
    public Pad2DSpec(string mode)
    {
        if (PadModes.Parse(mode) is null) throw new ArgumentException($"Pad2DSpec: mode {CSharpText.Quote(mode)} is invalid; it must be {PadModes.Names}.", nameof(mode));
        Mode = mode;
    }

    /// <inheritdoc />
    public override string Name => CreateOp().Kind;

    /// <summary>"zeros", "reflect", "replicate" or "circular".</summary>
    public string Mode { get; }

    /// <summary>Rows above the input.</summary>
    public int PadTop { get; init; }

    /// <summary>Rows below the input.</summary>
    public int PadBottom { get; init; }

    /// <summary>Columns left of the input.</summary>
    public int PadLeft { get; init; }

    /// <summary>Columns right of the input.</summary>
    public int PadRight { get; init; }

    private protected override Op CreateOp() => new PadOp(PadModes.Parse(Mode)!.Value)
    {
        PadTop = PadTop,
        PadBottom = PadBottom,
        PadLeft = PadLeft,
        PadRight = PadRight,
    };
}

/// <summary>Padding of a sequence's positions (F.pad on [N, C, L]): what an imported model's 1D Pad becomes.</summary>
public sealed class Pad1DSpec : LayerSpec
{
    /// <summary>Padding of <paramref name="mode"/>: "zeros", "reflect", "replicate" or "circular", as a convolution's padding_mode names them.</summary>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is none of the four.</exception>
    public Pad1DSpec(string mode)
    {
        if (PadModes.Parse(mode) is null) throw new ArgumentException($"Pad1DSpec: mode {CSharpText.Quote(mode)} is invalid; it must be {PadModes.Names}.", nameof(mode));
        Mode = mode;
    }

    /// <inheritdoc />
    public override string Name => CreateOp().Kind;

    /// <summary>"zeros", "reflect", "replicate" or "circular".</summary>
    public string Mode { get; }

    /// <summary>Positions before the input.</summary>
    public int PadLeft { get; init; }

    /// <summary>Positions after the input.</summary>
    public int PadRight { get; init; }

    private protected override Op CreateOp() => new PadOp(PadModes.Parse(Mode)!.Value) { SpatialRank = 1, PadLeft = PadLeft, PadRight = PadRight };
}

/// <summary>nn.Upsample(scale_factor=(ScaleHeight, ScaleWidth), mode=Mode, align_corners=AlignCorners) on a feature map. No tensors.</summary>
public sealed class UpsampleSpec : LayerSpec
{
    /// <summary>Upsampling by <paramref name="scaleHeight"/> x <paramref name="scaleWidth"/>, nearest unless <see cref="Mode"/> says otherwise.</summary>
    public UpsampleSpec(int scaleHeight, int scaleWidth)
    {
        ScaleHeight = scaleHeight;
        ScaleWidth = scaleWidth;
    }

    /// <inheritdoc />
    public override string Name => "Upsample";

    /// <summary>The factor along the height.</summary>
    public int ScaleHeight { get; }

    /// <summary>The factor along the width.</summary>
    public int ScaleWidth { get; }

    /// <summary>"nearest" (the default) or "bilinear".</summary>
    public string Mode { get; init; } = "nearest";

    /// <summary>Bilinear's align_corners. Default false.</summary>
    public bool AlignCorners { get; init; }

    private protected override Op CreateOp() => new UpsampleOp(ScaleHeight, ScaleWidth) { Mode = Mode, AlignCorners = AlignCorners };
}

/// <summary>nn.PixelShuffle(Factor): [C * r * r, H, W] to [C, H * r, W * r]. No tensors.</summary>
public sealed class PixelShuffleSpec : LayerSpec
{
    /// <summary>A pixel shuffle of upscale factor <paramref name="factor"/>.</summary>
    public PixelShuffleSpec(int factor) => Factor = factor;

    /// <inheritdoc />
    public override string Name => "PixelShuffle";

    /// <summary>The upscale factor r.</summary>
    public int Factor { get; }

    private protected override Op CreateOp() => new PixelShuffleOp(Factor);
}

/// <summary>x[:, Start:Start + Length] (see <see cref="ChannelSliceAttribute"/>). No tensors.</summary>
public sealed class ChannelSliceSpec : LayerSpec
{
    /// <summary>Channels <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/> - 1 of the input.</summary>
    public ChannelSliceSpec(int start, int length)
    {
        Start = start;
        Length = length;
    }

    /// <inheritdoc />
    public override string Name => "ChannelSlice";

    /// <summary>The first channel taken.</summary>
    public int Start { get; }

    /// <summary>How many channels.</summary>
    public int Length { get; }

    private protected override Op CreateOp() => new ChannelSliceOp(Start, Length);
}

/// <summary>nn.ChannelShuffle(Groups) (see <see cref="ChannelShuffleAttribute"/>). No tensors.</summary>
public sealed class ChannelShuffleSpec : LayerSpec
{
    /// <summary>A channel shuffle of <paramref name="groups"/> groups.</summary>
    public ChannelShuffleSpec(int groups) => Groups = groups;

    /// <inheritdoc />
    public override string Name => "ChannelShuffle";

    /// <summary>The number of groups.</summary>
    public int Groups { get; }

    private protected override Op CreateOp() => new ChannelShuffleOp(Groups);
}

/// <summary>Zero channels before and after the input's (see <see cref="ChannelPadAttribute"/>). No tensors.</summary>
public sealed class ChannelPadSpec : LayerSpec
{
    /// <summary><paramref name="before"/> channels of zeros, the input's channels, then <paramref name="after"/> more.</summary>
    public ChannelPadSpec(int before, int after)
    {
        Before = before;
        After = after;
    }

    /// <inheritdoc />
    public override string Name => "ChannelPad";

    /// <summary>The zero channels before the input's.</summary>
    public int Before { get; }

    /// <summary>The zero channels after the input's.</summary>
    public int After { get; }

    private protected override Op CreateOp() => new ChannelPadOp(Before, After);
}

/// <summary>A 2D transposed convolution with every hyperparameter resolved (see <see cref="ConvTranspose2DAttribute"/>).</summary>
public sealed class ConvTranspose2DSpec : LayerSpec
{
    /// <summary>A transposed convolution with <paramref name="filters"/> output channels and a kernel of <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/>; stride 1, no padding.</summary>
    public ConvTranspose2DSpec(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <inheritdoc />
    public override string Name => "ConvTranspose2D";

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

    /// <summary>Rows cropped above and below.</summary>
    public int PaddingHeight { get; init; }

    /// <summary>Columns cropped left and right.</summary>
    public int PaddingWidth { get; init; }

    /// <summary>Rows added below the output.</summary>
    public int OutputPaddingHeight { get; init; }

    /// <summary>Columns added right of the output.</summary>
    public int OutputPaddingWidth { get; init; }

    /// <summary>Vertical dilation. Default 1.</summary>
    public int DilationHeight { get; init; } = 1;

    /// <summary>Horizontal dilation. Default 1.</summary>
    public int DilationWidth { get; init; } = 1;

    /// <summary>Channel groups. Default 1.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Whether the layer adds a bias. Default true.</summary>
    public bool Bias { get; init; } = true;

    private protected override Op CreateOp() => new ConvTransposeOp
    {
        Filters = Filters,
        KernelHeight = KernelHeight,
        KernelWidth = KernelWidth,
        InChannels = InChannels,
        StrideHeight = StrideHeight,
        StrideWidth = StrideWidth,
        PaddingHeight = PaddingHeight,
        PaddingWidth = PaddingWidth,
        OutputPaddingHeight = OutputPaddingHeight,
        OutputPaddingWidth = OutputPaddingWidth,
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

    /// <summary>The mean of the window: padded zeros count in the divisor unless CountIncludePad is false (count_include_pad).</summary>
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
    public override string Name => Kind switch { PoolKind.Max => "MaxPool2D", PoolKind.Average => "AvgPool2D", PoolKind.Min => "MinPool2D" };

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

    /// <summary>Whether an average pool's divisor counts the padding (count_include_pad). Default true; false only with <see cref="PoolKind.Average"/>.</summary>
    public bool CountIncludePad { get; init; } = true;

    /// <summary>Spacing between a window's rows (dilation). Default 1; more only for max and min pools.</summary>
    public int DilationHeight { get; init; } = 1;

    /// <summary>Spacing between a window's columns (dilation). Default 1; more only for max and min pools.</summary>
    public int DilationWidth { get; init; } = 1;

    private protected override Op CreateOp() => new PoolOp(Pools.ToReduction(Kind))
    {
        KernelHeight = KernelHeight,
        KernelWidth = KernelWidth,
        StrideHeight = StrideHeight,
        StrideWidth = StrideWidth,
        PaddingHeight = PaddingHeight,
        PaddingWidth = PaddingWidth,
        CeilMode = CeilMode,
        CountIncludePad = CountIncludePad,
        DilationHeight = DilationHeight,
        DilationWidth = DilationWidth,
    };
}

/// <summary>A 1D convolution with every hyperparameter resolved (see <see cref="Conv1DAttribute"/>).</summary>
public sealed class Conv1DSpec : LayerSpec
{
    /// <summary>A convolution with <paramref name="filters"/> output channels and a kernel of <paramref name="kernel"/> taps; stride 1, no padding.</summary>
    public Conv1DSpec(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    /// <inheritdoc />
    public override string Name => "Conv1D";

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel taps.</summary>
    public int Kernel { get; }

    /// <summary>Declared input channels, checked against the previous layer; null to infer.</summary>
    public int? InChannels { get; init; }

    /// <summary>Stride. Default 1.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Zero positions before the sequence.</summary>
    public int PadLeft { get; init; }

    /// <summary>Zero positions after the sequence.</summary>
    public int PadRight { get; init; }

    /// <summary>Spacing between kernel taps. Default 1.</summary>
    public int Dilation { get; init; } = 1;

    /// <summary>Channel groups. Default 1.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Whether the layer adds a bias. Default true.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>How the padding is filled: "zeros" (the default), "reflect", "replicate" or "circular", as nn.Conv1d's padding_mode.</summary>
    public string PaddingMode { get; init; } = "zeros";

    private protected override Op CreateOp() => new ConvolutionOp
    {
        SpatialRank = 1,
        Filters = Filters,
        KernelHeight = 1,
        KernelWidth = Kernel,
        InChannels = InChannels,
        StrideWidth = Stride,
        PadLeft = PadLeft,
        PadRight = PadRight,
        DilationWidth = Dilation,
        Groups = Groups,
        Bias = Bias,
        PaddingMode = PaddingMode,
    };
}

/// <summary>A 1D pooling layer with every hyperparameter resolved (see <see cref="Pool1DAttribute"/>).</summary>
public sealed class Pool1DSpec : LayerSpec
{
    /// <summary>A pooling window of <paramref name="kernel"/> positions; the stride defaults to the window size.</summary>
    public Pool1DSpec(PoolKind kind, int kernel)
    {
        Kind = kind;
        Kernel = kernel;
        Stride = kernel;
    }

    /// <inheritdoc />
    public override string Name => Kind switch { PoolKind.Max => "MaxPool1D", PoolKind.Average => "AvgPool1D", PoolKind.Min => "MinPool1D" };

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    /// <summary>Window positions.</summary>
    public int Kernel { get; }

    /// <summary>Stride. Default: the window size.</summary>
    public int Stride { get; init; }

    /// <summary>Padding on both ends.</summary>
    public int Padding { get; init; }

    /// <summary>PyTorch's ceil_mode.</summary>
    public bool CeilMode { get; init; }

    /// <summary>Whether an average pool's divisor counts the padding (count_include_pad). Default true; false only with <see cref="PoolKind.Average"/>.</summary>
    public bool CountIncludePad { get; init; } = true;

    /// <summary>Spacing between a window's taps (dilation). Default 1; more only for max and min pools.</summary>
    public int Dilation { get; init; } = 1;

    private protected override Op CreateOp() => new PoolOp(Pools.ToReduction(Kind))
    {
        SpatialRank = 1,
        KernelHeight = 1,
        KernelWidth = Kernel,
        StrideHeight = 1,
        StrideWidth = Stride,
        PaddingWidth = Padding,
        CeilMode = CeilMode,
        CountIncludePad = CountIncludePad,
        DilationWidth = Dilation,
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

    /// <summary>min(max(0, x), 6), as torch.nn.ReLU6.</summary>
    ReLU6,

    /// <summary>min(max(Min, x), Max), as torch.nn.Hardtanh.</summary>
    Hardtanh,

    /// <summary>clamp(x / 6 + 1/2, 0, 1), as torch.nn.Hardsigmoid.</summary>
    Hardsigmoid,

    /// <summary>x * relu6(x + 3) / 6, as torch.nn.Hardswish.</summary>
    Hardswish,

    /// <summary>x * sigmoid(x), as torch.nn.SiLU.</summary>
    SiLU,

    /// <summary>x * tanh(softplus(x)), as torch.nn.Mish.</summary>
    Mish,

    /// <summary>x * Phi(x), or its tanh approximation, as torch.nn.GELU(approximate).</summary>
    GELU,

    /// <summary>x above zero, Alpha * (exp(x) - 1) otherwise, as torch.nn.ELU.</summary>
    ELU,

    /// <summary>PyTorch's scaled ELU with its fixed constants, as torch.nn.SELU.</summary>
    SELU,

    /// <summary>log(1 + exp(Beta * x)) / Beta, linear where Beta * x &gt; Threshold, as torch.nn.Softplus.</summary>
    Softplus,
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

    /// <summary>ELU's alpha. Default 1.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Hardtanh's lower bound (min_val). Default -1.</summary>
    public float Min { get; init; } = -1f;

    /// <summary>Hardtanh's upper bound (max_val), greater than <see cref="Min"/>. Default 1.</summary>
    public float Max { get; init; } = 1f;

    /// <summary>Softplus's beta, nonzero. Default 1.</summary>
    public float Beta { get; init; } = 1f;

    /// <summary>Softplus's threshold: linear where Beta * x exceeds it. Default 20.</summary>
    public float Threshold { get; init; } = 20f;

    /// <summary>GELU's approximation: "none" (exact, the default) or "tanh".</summary>
    public string Approximate { get; init; } = "none";

    private protected override Op CreateOp() => new ActivationOp(Kind switch
    {
        ActivationKind.ReLU => Activation.ReLU,
        ActivationKind.LeakyReLU => Activation.LeakyReLU,
        ActivationKind.Sigmoid => Activation.Sigmoid,
        ActivationKind.Tanh => Activation.Tanh,
        ActivationKind.ReLU6 => Activation.ReLU6,
        ActivationKind.Hardtanh => Activation.Hardtanh,
        ActivationKind.Hardsigmoid => Activation.Hardsigmoid,
        ActivationKind.Hardswish => Activation.Hardswish,
        ActivationKind.SiLU => Activation.SiLU,
        ActivationKind.Mish => Activation.Mish,
        ActivationKind.GELU => Activation.GELU,
        ActivationKind.ELU => Activation.ELU,
        ActivationKind.SELU => Activation.SELU,
        ActivationKind.Softplus => Activation.Softplus,
    })
    {
        NegativeSlope = NegativeSlope,
        Alpha = Alpha,
        Min = Min,
        Max = Max,
        Beta = Beta,
        Threshold = Threshold,
        Approximate = Approximate,
    };
}

/// <summary>Flattens a feature map to a vector in C order.</summary>
public sealed class FlattenSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Flatten";

    private protected override Op CreateOp() => new FlattenOp();
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

    /// <summary>Whether the weight is stored [Inputs, Outputs], as ONNX's MatMul keeps it, rather than nn.Linear's [Outputs, Inputs]. Default false.</summary>
    public bool InputsFirst { get; init; }

    private protected override Op CreateOp() => new DenseOp(Outputs) { Inputs = Inputs, Bias = Bias, InputsFirst = InputsFirst };
}

/// <summary>Softmax over dimension 1 (the vector, or the channels of a feature map).</summary>
public sealed class SoftmaxSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Softmax";

    private protected override Op CreateOp() => new SoftmaxOp(Log: false);
}

/// <summary>LogSoftmax over dimension 1, as torch.nn.LogSoftmax(dim=1).</summary>
public sealed class LogSoftmaxSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "LogSoftmax";

    private protected override Op CreateOp() => new SoftmaxOp(Log: true);
}

/// <summary>
/// Batch normalization in eval mode, as torch.nn.BatchNorm2d: per channel
/// (x - running_mean) / sqrt(running_var + Epsilon) * weight + bias. Tensors weight and bias (when
/// <see cref="Affine"/>), then the buffers running_mean and running_var.
/// </summary>
public sealed class BatchNorm2DSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "BatchNorm2D";

    /// <summary>Added to the variance (eps). Default 1e-5.</summary>
    public float Epsilon { get; init; } = 1e-5f;

    /// <summary>Whether the layer has weight and bias (affine). Default true.</summary>
    public bool Affine { get; init; } = true;

    /// <summary>Declared channels (num_features), checked against the previous layer; null to infer.</summary>
    public int? Channels { get; init; }

    private protected override Op CreateOp() => new BatchNormOp { Epsilon = Epsilon, Affine = Affine, Channels = Channels };
}

/// <summary>Max or mean over each channel's whole plane: [C, H, W] to [C, 1, 1], as nn.AdaptiveMaxPool2d(1) / AdaptiveAvgPool2d(1).</summary>
public sealed class GlobalPool2DSpec : LayerSpec
{
    /// <summary>A global pool; <paramref name="kind"/> is <see cref="PoolKind.Max"/> or <see cref="PoolKind.Average"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither.</exception>
    public GlobalPool2DSpec(PoolKind kind) => Kind = Pools.RequireMaxOrAverage(kind, nameof(kind));

    /// <inheritdoc />
    public override string Name => Kind == PoolKind.Max ? "GlobalMaxPool2D" : "GlobalAvgPool2D";

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    private protected override Op CreateOp() => new GlobalPoolOp(Pools.ToReduction(Kind));
}

/// <summary>
/// nn.AdaptiveMaxPool2d / AdaptiveAvgPool2d: output cell i along an axis reduces the input from
/// floor(i * In / Out) to ceil((i + 1) * In / Out); the output may be larger than the input.
/// </summary>
public sealed class AdaptivePool2DSpec : LayerSpec
{
    /// <summary>An adaptive pool to <paramref name="outputHeight"/> x <paramref name="outputWidth"/>; <paramref name="kind"/> is Max or Average.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither Max nor Average.</exception>
    public AdaptivePool2DSpec(PoolKind kind, int outputHeight, int outputWidth)
    {
        Kind = Pools.RequireMaxOrAverage(kind, nameof(kind));
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    /// <inheritdoc />
    public override string Name => Kind == PoolKind.Max ? "AdaptiveMaxPool2D" : "AdaptiveAvgPool2D";

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }

    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }

    private protected override Op CreateOp() => new AdaptivePoolOp(Pools.ToReduction(Kind), OutputHeight, OutputWidth);
}

/// <summary>nn.BatchNorm1d in eval mode: per channel of a C x L sequence, or per feature of a vector.</summary>
public sealed class BatchNorm1DSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "BatchNorm1D";

    /// <summary>Added to the variance (eps). Default 1e-5.</summary>
    public float Epsilon { get; init; } = 1e-5f;

    /// <summary>Whether the layer has weight and bias (affine). Default true.</summary>
    public bool Affine { get; init; } = true;

    /// <summary>Declared channels or features (num_features), checked against the previous layer; null to infer.</summary>
    public int? Channels { get; init; }

    private protected override Op CreateOp() => new BatchNormOp { SpatialRank = 1, Epsilon = Epsilon, Affine = Affine, Channels = Channels };
}

/// <summary>Max or mean over each channel's whole sequence: [C, L] to [C, 1], as nn.AdaptiveMaxPool1d(1) / AdaptiveAvgPool1d(1).</summary>
public sealed class GlobalPool1DSpec : LayerSpec
{
    /// <summary>A global pool; <paramref name="kind"/> is <see cref="PoolKind.Max"/> or <see cref="PoolKind.Average"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither.</exception>
    public GlobalPool1DSpec(PoolKind kind) => Kind = Pools.RequireMaxOrAverage(kind, nameof(kind));

    /// <inheritdoc />
    public override string Name => Kind == PoolKind.Max ? "GlobalMaxPool1D" : "GlobalAvgPool1D";

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    private protected override Op CreateOp() => new GlobalPoolOp(Pools.ToReduction(Kind)) { SpatialRank = 1 };
}

/// <summary>nn.AdaptiveMaxPool1d / AdaptiveAvgPool1d: output position i reduces the input from floor(i * L / Out) to ceil((i + 1) * L / Out).</summary>
public sealed class AdaptivePool1DSpec : LayerSpec
{
    /// <summary>An adaptive pool to <paramref name="output"/> positions; <paramref name="kind"/> is Max or Average.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither Max nor Average.</exception>
    public AdaptivePool1DSpec(PoolKind kind, int output)
    {
        Kind = Pools.RequireMaxOrAverage(kind, nameof(kind));
        Output = output;
    }

    /// <inheritdoc />
    public override string Name => Kind == PoolKind.Max ? "AdaptiveMaxPool1D" : "AdaptiveAvgPool1D";

    /// <summary>The reduction.</summary>
    public PoolKind Kind { get; }

    /// <summary>Output positions.</summary>
    public int Output { get; }

    private protected override Op CreateOp() => new AdaptivePoolOp(Pools.ToReduction(Kind), 1, Output) { SpatialRank = 1 };
}

/// <summary>torch.nn.Dropout in eval mode: passes its input on unchanged, but counts in the module positions.</summary>
public sealed class DropoutSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Dropout";

    /// <summary>The training-time drop probability (p), between 0 and 1. Default 0.5.</summary>
    public float P { get; init; } = 0.5f;

    private protected override Op CreateOp() => new DropoutOp(P);
}

/// <summary>torch.nn.Identity: passes its input on unchanged, but counts in the module positions.</summary>
public sealed class IdentitySpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "Identity";

    private protected override Op CreateOp() => new IdentityOp();
}

/// <summary>torch.nn.PReLU: x, or weight * x below zero, with one weight or one per channel (tensor "weight" [Parameters]).</summary>
public sealed class PReLUSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Name => "PReLU";

    /// <summary>Learned slopes (num_parameters): 1, shared, or the input's channel count (its features after Flatten or Dense). Default 1.</summary>
    public int Parameters { get; init; } = 1;

    private protected override Op CreateOp() => new PReLUOp(Parameters);
}

/// <summary>Conversions between the public <see cref="PoolKind"/> and the graph's reductions.</summary>
internal static class Pools
{
    public static Reduction ToReduction(PoolKind kind) => kind switch
    {
        PoolKind.Max => Reduction.Max,
        PoolKind.Average => Reduction.Average,
        PoolKind.Min => Reduction.Min,
    };

    public static PoolKind RequireMaxOrAverage(PoolKind kind, string parameter) =>
        kind is PoolKind.Max or PoolKind.Average ? kind : throw new ArgumentOutOfRangeException(parameter, kind, "Global and adaptive pools are Max or Average.");
}

/// <summary>
/// What the block specs share: they are items of a layer list like the layers, but expand into
/// several graph nodes (see <see cref="SequentialSpec"/>, <see cref="ResidualSpec"/>,
/// <see cref="ConcatSpec"/>, <see cref="MultiplySpec"/>). <see cref="LayerSpec.ModuleName"/> "" puts the
/// block's children among its siblings.
/// </summary>
public abstract class BlockSpec : LayerSpec
{
    private protected BlockSpec()
    {
    }

    // a block is never one op: ToItem makes its item from its parts
    private protected sealed override Op CreateOp() => throw new NotSupportedException(Name + " is a block, not a single op.");

    internal sealed override Item ToItem() => CreateBlock() with { ModuleName = ModuleName };

    private protected abstract BlockItem CreateBlock();

    /// <summary>The layers of one part, checked: at least one, none null.</summary>
    private protected static IReadOnlyList<LayerSpec> Part(IEnumerable<LayerSpec> layers, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(layers, parameterName);
        var list = layers.ToArray();
        if (list.Length == 0) throw new ArgumentException("A block needs at least one layer.", parameterName);
        if (list.Any(l => l is null)) throw new ArgumentException("A layer is null.", parameterName);
        return list;
    }

    private protected static Sequence SequenceOf(string typeName, IReadOnlyList<LayerSpec> layers) =>
        new(typeName, new EquatableArray<Item>(layers.Select(l => l.ToItem()).ToArray()));
}

/// <summary>nn.Sequential of <see cref="Layers"/>: <c>[Sequential(typeof(B))]</c>.</summary>
public sealed class SequentialSpec : BlockSpec
{
    /// <summary>The layers in order.</summary>
    /// <exception cref="ArgumentException">No layers, or a null one.</exception>
    public SequentialSpec(IEnumerable<LayerSpec> layers) => Layers = Part(layers, nameof(layers));

    /// <inheritdoc />
    public override string Name => "Sequential";

    /// <summary>The block's layers in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    private protected override BlockItem CreateBlock() =>
        new(BlockKind.Sequential, new EquatableArray<Sequence>(new[] { SequenceOf(Name, Layers) }));
}

/// <summary>y = Body(x) + x, or Body(x) + Shortcut(x): <c>[Residual(typeof(B), Shortcut = typeof(S))]</c>.</summary>
public sealed class ResidualSpec : BlockSpec
{
    private readonly IReadOnlyList<LayerSpec>? _shortcut;

    /// <summary>A residual block around <paramref name="body"/>.</summary>
    /// <exception cref="ArgumentException">No layers, or a null one.</exception>
    public ResidualSpec(IEnumerable<LayerSpec> body) => Body = Part(body, nameof(body));

    /// <inheritdoc />
    public override string Name => "Residual";

    /// <summary>The body's layers; its modules are the block's first children.</summary>
    public IReadOnlyList<LayerSpec> Body { get; }

    /// <summary>The shortcut's layers (an nn.Sequential named <see cref="ShortcutName"/>), or null to add the input itself.</summary>
    /// <exception cref="ArgumentException">Set to an empty list or one with a null layer.</exception>
    public IReadOnlyList<LayerSpec>? Shortcut
    {
        get => _shortcut;
        init => _shortcut = value is null ? null : Part(value, nameof(Shortcut));
    }

    /// <summary>The shortcut's module name. Default "shortcut".</summary>
    public string ShortcutName { get; init; } = "shortcut";

    private protected override BlockItem CreateBlock()
    {
        var parts = new List<Sequence> { SequenceOf("body", Body) };
        if (Shortcut is not null) parts.Add(SequenceOf(ShortcutName ?? "shortcut", Shortcut));
        return new BlockItem(BlockKind.Residual, new EquatableArray<Sequence>(parts.ToArray())) { ShortcutName = ShortcutName ?? "" };
    }
}

/// <summary>y = cat([x,] A(x), B(x), ..., dim = 1): <c>[Concat(typeof(A), typeof(B))]</c>.</summary>
public sealed class ConcatSpec : BlockSpec
{
    /// <summary>Branches whose outputs are joined along the channels, in order.</summary>
    /// <exception cref="ArgumentException">No branch, or a branch without layers or with a null one.</exception>
    public ConcatSpec(params IEnumerable<LayerSpec>[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length == 0) throw new ArgumentException("A Concat needs at least one branch.", nameof(branches));
        Branches = branches.Select(b => Part(b, nameof(branches))).ToArray();
    }

    /// <inheritdoc />
    public override string Name => "Concat";

    /// <summary>The branches; branch i is the child module "i".</summary>
    public IReadOnlyList<IReadOnlyList<LayerSpec>> Branches { get; }

    /// <summary>Whether x itself is the first part (DenseNet, U-Net skips). Default false.</summary>
    public bool IncludeInput { get; init; }

    private protected override BlockItem CreateBlock() =>
        new(BlockKind.Concat, new EquatableArray<Sequence>(Branches.Select((b, i) => SequenceOf("branch " + i.ToString(System.Globalization.CultureInfo.InvariantCulture), b)).ToArray()))
        {
            IncludeInput = IncludeInput,
        };
}

/// <summary>y = x * Gate(x), the gate of x's shape or [C, 1, 1]: <c>[Multiply(typeof(B))]</c> (squeeze-and-excitation).</summary>
public sealed class MultiplySpec : BlockSpec
{
    /// <summary>A gated block.</summary>
    /// <exception cref="ArgumentException">No layers, or a null one.</exception>
    public MultiplySpec(IEnumerable<LayerSpec> gate) => Gate = Part(gate, nameof(gate));

    /// <inheritdoc />
    public override string Name => "Multiply";

    /// <summary>The gate's layers; its modules are the block's children.</summary>
    public IReadOnlyList<LayerSpec> Gate { get; }

    private protected override BlockItem CreateBlock() =>
        new(BlockKind.Multiply, new EquatableArray<Sequence>(new[] { SequenceOf(Name, Gate) }));
}
