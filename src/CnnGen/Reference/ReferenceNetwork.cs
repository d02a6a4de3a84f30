using System;
using System.Collections.Generic;

namespace CnnGen.Reference;

/// <summary>
/// Runs a <see cref="NetworkSpec"/> the obvious way: every layer is a loop nest written straight
/// from PyTorch's definition, with no tiling, no precomputed index tables and nothing shared with
/// the generated code. It is slow on purpose; it is the yardstick generated networks are checked against.
/// </summary>
public sealed class ReferenceNetwork : INetwork
{
    // Zero until LoadParameters replaces the whole vector; never modified in place.
    private float[] _parameters;

    /// <summary>A network that runs <paramref name="spec"/>; all parameters start at zero.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="spec"/> is null.</exception>
    public ReferenceNetwork(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _parameters = new float[spec.ParameterCount];
    }

    /// <summary>The network this engine runs.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Floats in one input sample (channels x height x width).</summary>
    public int InputLength => Spec.InputLength;

    /// <summary>Floats in one output sample.</summary>
    public int OutputLength => Spec.OutputLength;

    /// <summary>Learnable floats in all layers.</summary>
    public int ParameterCount => Spec.ParameterCount;

    /// <summary>
    /// Replaces all parameters, in PyTorch's <c>model.parameters()</c> order: for each layer with
    /// weights, the weight in PyTorch's layout (Conv2D [Filters, InChannels/Groups, KH, KW],
    /// Dense [Outputs, Inputs]), then the bias if the layer has one.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="values"/> does not hold exactly <see cref="ParameterCount"/> floats; the current parameters are kept.
    /// </exception>
    public void LoadParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException(
                $"Expected {ParameterCount} parameters but got {values.Length}.", nameof(values));
        }
        _parameters = values.ToArray();
    }

    /// <summary>Loads parameters from a safetensors file written by <c>safetensors.torch.save_file(model.state_dict(), path)</c>.</summary>
    /// <exception cref="System.IO.InvalidDataException">The file is corrupt or lacks a tensor of the right name, dtype and shape; the current parameters are kept.</exception>
    public void LoadSafetensors(string path) => LoadParameters(Safetensors.ReadParameters(path, Spec));

    /// <summary>Loads parameters from a safetensors stream.</summary>
    /// <exception cref="System.IO.InvalidDataException">The stream is corrupt or lacks a tensor of the right name, dtype and shape; the current parameters are kept.</exception>
    public void LoadSafetensors(System.IO.Stream stream) => LoadParameters(Safetensors.ReadParameters(stream, Spec));

    /// <summary>Runs N samples stored back to back, one after another.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same whole number of samples.</exception>
    public void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        if (inputs.Length % InputLength != 0)
        {
            throw new ArgumentException($"Expected a multiple of {InputLength} input values but got {inputs.Length}.", nameof(inputs));
        }
        int count = inputs.Length / InputLength;
        RequireLength(outputs.Length, count * OutputLength, "output values", nameof(outputs));
        for (int n = 0; n < count; n++)
        {
            Forward(inputs.Slice(n * InputLength, InputLength), outputs.Slice(n * OutputLength, OutputLength));
        }
    }

    /// <summary>Runs one sample (NCHW without the batch dimension) and returns the output in C order.</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold exactly <see cref="InputLength"/> floats.</exception>
    public float[] Forward(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength];
        Forward(input, output);
        return output;
    }

    /// <summary>Runs one sample (NCHW without the batch dimension) and writes the output in C order.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="input"/> does not hold <see cref="InputLength"/> floats, or <paramref name="output"/> not <see cref="OutputLength"/>.
    /// </exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        RequireLength(input.Length, InputLength, "input values", nameof(input));
        RequireLength(output.Length, OutputLength, "output values", nameof(output));

        float[] activations = input.ToArray();
        for (int layer = 0; layer < Spec.Layers.Count; layer++)
        {
            activations = RunLayer(layer, activations);
        }
        activations.CopyTo(output);
    }

    private static void RequireLength(int actual, int expected, string what, string parameterName)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} {what} but got {actual}.", parameterName);
        }
    }

    private float[] RunLayer(int layer, float[] input)
    {
        var inputShape = Spec.GetInputShape(layer);
        var outputShape = Spec.GetOutputShape(layer);
        return Spec.Layers[layer] switch
        {
            Conv2DSpec conv => Convolve(conv, input, MapShape.Of(inputShape), MapShape.Of(outputShape), Weight(layer), Bias(layer)),
            Pool2DSpec pool => Pool(pool, input, MapShape.Of(inputShape), MapShape.Of(outputShape)),
            ActivationSpec activation => Activate(activation, input),
            FlattenSpec => Flatten(input),
            DenseSpec dense => FullyConnect(dense, input, Weight(layer), Bias(layer)),
            SoftmaxSpec => inputShape.Count == 1 ? SoftmaxOverVector(input) : SoftmaxOverChannels(input, MapShape.Of(inputShape)),
            var other => throw new NotSupportedException($"The reference engine has no rule for layer {layer} ({other.Name})."),
        };
    }

    private float[] Weight(int layer) => ParameterOf(layer, ".weight") ?? throw new InvalidOperationException($"Layer {layer} has no weight.");

    private float[]? Bias(int layer) => ParameterOf(layer, ".bias");

    /// <summary>The slice of the flat parameter vector holding tensor "{layer}{suffix}", or null if the layer has none.</summary>
    private float[]? ParameterOf(int layer, string suffix)
    {
        foreach (var tensor in Spec.Parameters)
        {
            if (tensor.LayerIndex == layer && tensor.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return _parameters.AsSpan(tensor.Offset, tensor.Length).ToArray();
            }
        }
        return null;
    }

    /// <summary>
    /// PyTorch's Conv2d: cross-correlation (the kernel is not flipped) over zero-padded input.
    /// out[oc,oy,ox] = b[oc] + sum over the group's input channels, ky, kx of
    /// in[ic, oy*SH - PadTop + ky*DH, ox*SW - PadLeft + kx*DW] * w[oc, ic - groupStart, ky, kx].
    /// </summary>
    private static float[] Convolve(Conv2DSpec conv, float[] input, MapShape inShape, MapShape outShape, float[] weight, float[]? bias)
    {
        int inChannelsPerGroup = inShape.Channels / conv.Groups;
        int filtersPerGroup = conv.Filters / conv.Groups;
        var output = new float[outShape.Length];
        for (int oc = 0; oc < outShape.Channels; oc++)
        {
            int groupStart = oc / filtersPerGroup * inChannelsPerGroup;
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    // double: the yardstick should not carry float rounding from long sums
                    double sum = bias is null ? 0.0 : bias[oc];
                    for (int g = 0; g < inChannelsPerGroup; g++)
                    {
                        for (int ky = 0; ky < conv.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < conv.KernelWidth; kx++)
                            {
                                int iy = oy * conv.StrideHeight - conv.PadTop + ky * conv.DilationHeight;
                                int ix = ox * conv.StrideWidth - conv.PadLeft + kx * conv.DilationWidth;
                                if (!inShape.Contains(iy, ix)) continue; // zero padding adds nothing
                                float x = input[inShape.Index(groupStart + g, iy, ix)];
                                float w = weight[((oc * inChannelsPerGroup + g) * conv.KernelHeight + ky) * conv.KernelWidth + kx];
                                sum += (double)x * w;
                            }
                        }
                    }
                    output[outShape.Index(oc, oy, ox)] = (float)sum;
                }
            }
        }
        return output;
    }

    private static float[] Pool(Pool2DSpec pool, float[] input, MapShape inShape, MapShape outShape) => pool.Kind switch
    {
        PoolKind.Max => ExtremePool(pool, input, inShape, outShape, float.NegativeInfinity, MathF.Max),
        PoolKind.Min => ExtremePool(pool, input, inShape, outShape, float.PositiveInfinity, MathF.Min),
        _ => AveragePool(pool, input, inShape, outShape),
    };

    /// <summary>
    /// Max or min pooling. Padding holds <paramref name="padding"/> (-inf for max, +inf for min), so
    /// it never wins; positions a ceil-mode window reaches beyond the padding are not part of it.
    /// MathF.Max/Min propagate NaN, as PyTorch does.
    /// </summary>
    private static float[] ExtremePool(Pool2DSpec pool, float[] input, MapShape inShape, MapShape outShape,
        float padding, Func<float, float, float> pick)
    {
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    float best = padding;
                    for (int ky = 0; ky < pool.KernelHeight; ky++)
                    {
                        for (int kx = 0; kx < pool.KernelWidth; kx++)
                        {
                            int iy = oy * pool.StrideHeight - pool.PaddingHeight + ky;
                            int ix = ox * pool.StrideWidth - pool.PaddingWidth + kx;
                            float value = inShape.Contains(iy, ix) ? input[inShape.Index(c, iy, ix)] : padding;
                            best = pick(best, value);
                        }
                    }
                    output[outShape.Index(c, oy, ox)] = best;
                }
            }
        }
        return output;
    }

    /// <summary>
    /// AvgPool2d with count_include_pad=True: the sum of the real inputs in the window divided by the
    /// window's size clipped to the padded extent only, so padding counts as zeros but the part of a
    /// ceil-mode window that runs past the right/bottom padding does not count at all.
    /// </summary>
    private static float[] AveragePool(Pool2DSpec pool, float[] input, MapShape inShape, MapShape outShape)
    {
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                var rows = PoolWindow.Along(oy, pool.StrideHeight, pool.PaddingHeight, pool.KernelHeight, inShape.Height);
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    var columns = PoolWindow.Along(ox, pool.StrideWidth, pool.PaddingWidth, pool.KernelWidth, inShape.Width);
                    double sum = 0.0;
                    for (int iy = rows.FirstReal; iy < rows.EndReal; iy++)
                    {
                        for (int ix = columns.FirstReal; ix < columns.EndReal; ix++)
                        {
                            sum += input[inShape.Index(c, iy, ix)];
                        }
                    }
                    int divisor = rows.PaddedSize * columns.PaddedSize;
                    output[outShape.Index(c, oy, ox)] = (float)(sum / divisor);
                }
            }
        }
        return output;
    }

    private static float[] Activate(ActivationSpec activation, float[] input)
    {
        Func<float, float> function = activation.Kind switch
        {
            ActivationKind.ReLU => x => MathF.Max(0f, x),
            ActivationKind.LeakyReLU => x => x >= 0f ? x : activation.NegativeSlope * x,
            ActivationKind.Sigmoid => x => 1f / (1f + MathF.Exp(-x)),
            ActivationKind.Tanh => MathF.Tanh,
            _ => throw new NotSupportedException($"The reference engine has no rule for activation {activation.Kind}."),
        };
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = function(input[i]);
        }
        return output;
    }

    /// <summary>The data is already in C order; flattening only forgets the shape.</summary>
    private static float[] Flatten(float[] input) => (float[])input.Clone();

    /// <summary>PyTorch's Linear: y[o] = b[o] + sum_i W[o, i] * x[i], with W stored [Outputs, Inputs].</summary>
    private static float[] FullyConnect(DenseSpec dense, float[] input, float[] weight, float[]? bias)
    {
        var output = new float[dense.Outputs];
        for (int o = 0; o < dense.Outputs; o++)
        {
            double sum = bias is null ? 0.0 : bias[o];
            for (int i = 0; i < input.Length; i++)
            {
                sum += (double)weight[o * input.Length + i] * input[i];
            }
            output[o] = (float)sum;
        }
        return output;
    }

    /// <summary>Softmax(dim=1) of a batch of flat vectors: over the whole vector.</summary>
    private static float[] SoftmaxOverVector(float[] input)
    {
        var indices = new int[input.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        var output = new float[input.Length];
        SoftmaxAt(input, output, indices);
        return output;
    }

    /// <summary>Softmax(dim=1) of a batch of C x H x W maps: over the channels, separately at each (h, w).</summary>
    private static float[] SoftmaxOverChannels(float[] input, MapShape shape)
    {
        var output = new float[input.Length];
        var indices = new int[shape.Channels];
        for (int y = 0; y < shape.Height; y++)
        {
            for (int x = 0; x < shape.Width; x++)
            {
                for (int c = 0; c < shape.Channels; c++) indices[c] = shape.Index(c, y, x);
                SoftmaxAt(input, output, indices);
            }
        }
        return output;
    }

    /// <summary>Softmax over the elements at <paramref name="indices"/>; subtracting the max keeps exp from overflowing.</summary>
    private static void SoftmaxAt(float[] input, float[] output, IReadOnlyList<int> indices)
    {
        float max = float.NegativeInfinity;
        foreach (int i in indices) max = MathF.Max(max, input[i]);
        double total = 0.0;
        foreach (int i in indices) total += Math.Exp(input[i] - max);
        foreach (int i in indices) output[i] = (float)(Math.Exp(input[i] - max) / total);
    }

    /// <summary>A C x H x W feature map's shape and its C-order indexing.</summary>
    private readonly record struct MapShape(int Channels, int Height, int Width)
    {
        public static MapShape Of(IReadOnlyList<int> dimensions) => dimensions.Count == 3
            ? new MapShape(dimensions[0], dimensions[1], dimensions[2])
            : throw new InvalidOperationException($"Expected a C x H x W shape but got [{string.Join(", ", dimensions)}].");

        public int Length => Channels * Height * Width;

        public bool Contains(int y, int x) => y >= 0 && y < Height && x >= 0 && x < Width;

        public int Index(int channel, int y, int x) => (channel * Height + y) * Width + x;
    }

    /// <summary>One average-pooling window along one axis, as PyTorch's avg_pool2d computes it.</summary>
    private readonly record struct PoolWindow(int PaddedSize, int FirstReal, int EndReal)
    {
        public static PoolWindow Along(int outputIndex, int stride, int padding, int kernel, int inputSize)
        {
            int start = outputIndex * stride - padding;
            int end = Math.Min(start + kernel, inputSize + padding);
            // the divisor is taken here, before clipping to the real input: padding counts, overhang does not
            int paddedSize = end - start;
            return new PoolWindow(paddedSize, Math.Max(start, 0), Math.Min(end, inputSize));
        }
    }
}
