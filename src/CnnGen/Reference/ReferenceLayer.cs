using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Reference;

/// <summary>
/// Runs one node of <see cref="NetworkSpec.Graph"/> the obvious way. One visitor method per op, so
/// the compiler names every op the reference engine must be taught; each works out its output size
/// from PyTorch's own formula (never from the IR's shape inference), reads its tensors by their
/// state_dict keys, and computes every element with a loop nest written straight from the
/// definition, accumulating in double. <see cref="Run"/> then checks that the size agrees with the
/// spec's and that the node read exactly the tensors the spec gives it: a disagreement is a bug in
/// one of them, surfaced as <see cref="InvalidOperationException"/> naming the layer.
/// </summary>
internal sealed class ReferenceLayer : IOpVisitor<ReferenceValue>
{
    // PyTorch's SELU constants (torch.nn.SELU's documentation; ATen's selu)
    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;

    private const double InverseSqrt2 = 0.70710678118654752440084436210485; // 1 / sqrt(2)
    private const double Sqrt2OverPi = 0.79788456080286535587989211986876; // sqrt(2 / pi)

    private readonly NetworkSpec _spec;
    private readonly float[] _parameters;
    private readonly int _index;
    private readonly Node _node;
    private readonly IReadOnlyList<ReferenceValue> _inputs;
    private readonly List<string> _read = new();

    private ReferenceLayer(NetworkSpec spec, float[] parameters, int index, IReadOnlyList<ReferenceValue> inputs)
    {
        _spec = spec;
        _parameters = parameters;
        _index = index;
        _node = spec.Graph.Nodes[index];
        _inputs = inputs;
    }

    /// <summary>The first (for most ops the only) value the node reads.</summary>
    private ReferenceValue Input => _inputs[0];

    /// <summary>Runs node <paramref name="index"/> of the spec's graph on <paramref name="inputs"/>, the values its graph node reads in order.</summary>
    /// <exception cref="InvalidOperationException">The engine and the spec disagree about the node's shapes or tensors.</exception>
    public static ReferenceValue Run(NetworkSpec spec, float[] parameters, int index, IReadOnlyList<ReferenceValue> inputs)
    {
        var layer = new ReferenceLayer(spec, parameters, index, inputs);
        var expectedInput = spec.GetInputShape(index);
        if (!inputs[0].Shape.Matches(expectedInput))
        {
            throw layer.Failure($"receives the shape {inputs[0].Shape} but the spec says it receives {ValueShape.Format(expectedInput)}");
        }

        var output = layer._node.Op.Accept(layer);

        var inferred = spec.GetOutputShape(index);
        if (!output.Shape.Matches(inferred))
        {
            throw layer.Failure($"works out the output shape {output.Shape} by PyTorch's formula, but the spec infers {ValueShape.Format(inferred)}; one of the two is wrong");
        }
        foreach (var tensor in layer.OwnTensors())
        {
            if (!layer._read.Contains(tensor.Name))
            {
                throw layer.Failure($"the spec gives it the tensor '{tensor.Name}' {ValueShape.Format(tensor.Shape)}, which the engine's {layer._node.Op.Kind} does not use");
            }
        }
        return output;
    }

    // ---------------------------------------------------------------- convolution

    /// <summary>
    /// nn.Conv2d (after F.pad for asymmetric padding): cross-correlation, the kernel not flipped.
    /// out[oc, oy, ox] = bias[oc] + sum over the group's input channels g, ky, kx of
    /// in[groupStart + g, oy*SH - PadTop + ky*DH, ox*SW - PadLeft + kx*DW] * weight[oc, g, ky, kx],
    /// where positions outside the input are zero padding, or with PaddingMode what F.pad of that mode puts there.
    /// </summary>
    public ReferenceValue Convolution(ConvolutionOp op)
    {
        // nn.Conv1d is this on the sequence's one row, with a kernel of one row
        var inShape = RequireSpatial(op.SpatialRank);
        Require(op.Filters >= 1 && op.Groups >= 1, $"needs Filters and Groups of at least 1 (Filters = {op.Filters}, Groups = {op.Groups})");
        Require(op.InChannels is null || op.InChannels == inShape.Channels, $"declares InChannels = {op.InChannels} but receives {inShape.Channels} channels");
        Require(inShape.Channels % op.Groups == 0 && op.Filters % op.Groups == 0,
            $"Groups = {op.Groups} must divide the {inShape.Channels} input channels and the {op.Filters} filters");
        int height = ConvolutionOutputSize("height", inShape.Height, op.PadTop, op.PadBottom, op.KernelHeight, op.StrideHeight, op.DilationHeight);
        int width = ConvolutionOutputSize("width", inShape.Width, op.PadLeft, op.PadRight, op.KernelWidth, op.StrideWidth, op.DilationWidth);
        var outShape = inShape with { Channels = op.Filters, Height = height, Width = width };
        var mode = RequirePaddingMode(op.PaddingMode);
        RequirePaddingAllowed(mode, "height", inShape.Height, op.PadTop, op.PadBottom);
        RequirePaddingAllowed(mode, "width", inShape.Width, op.PadLeft, op.PadRight);

        int inChannelsPerGroup = inShape.Channels / op.Groups;
        int filtersPerGroup = op.Filters / op.Groups;
        float[] weight = op.SpatialRank == 1
            ? Tensor("weight", op.Filters, inChannelsPerGroup, op.KernelWidth)
            : Tensor("weight", op.Filters, inChannelsPerGroup, op.KernelHeight, op.KernelWidth);
        float[]? bias = op.Bias ? Tensor("bias", op.Filters) : null;

        float[] input = Input.Data;
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
                        for (int ky = 0; ky < op.KernelHeight; ky++)
                        {
                            for (int kx = 0; kx < op.KernelWidth; kx++)
                            {
                                int iy = oy * op.StrideHeight - op.PadTop + ky * op.DilationHeight;
                                int ix = ox * op.StrideWidth - op.PadLeft + kx * op.DilationWidth;
                                if (!inShape.Contains(iy, ix))
                                {
                                    if (mode == PadMode.Zeros) continue; // zero padding adds nothing
                                    // F.pad's other modes read the input at another position
                                    iy = BorderIndex(mode, iy, inShape.Height);
                                    ix = BorderIndex(mode, ix, inShape.Width);
                                }
                                float x = input[inShape.Index(groupStart + g, iy, ix)];
                                float w = weight[((oc * inChannelsPerGroup + g) * op.KernelHeight + ky) * op.KernelWidth + kx];
                                sum += (double)x * w;
                            }
                        }
                    }
                    output[outShape.Index(oc, oy, ox)] = (float)sum;
                }
            }
        }
        return new ReferenceValue(output, outShape);
    }

    /// <summary>
    /// nn.ConvTranspose2d the obvious way, as a scatter: every input pixel adds its weighted kernel into the
    /// output at (iy * SH - PaddingHeight + ky * DH, ix * SW - PaddingWidth + kx * DW), for the filters of its group;
    /// what lands outside the (cropped) output is dropped. Weight [InChannels, Filters / Groups, KH, KW].
    /// </summary>
    public ReferenceValue ConvTranspose(ConvTransposeOp op)
    {
        var inShape = RequireMap();
        Require(op.Filters >= 1 && op.Groups >= 1 && op.KernelHeight >= 1 && op.KernelWidth >= 1 && op.StrideHeight >= 1 && op.StrideWidth >= 1 && op.DilationHeight >= 1 && op.DilationWidth >= 1,
            "needs Filters, Groups, kernel, stride and dilation of at least 1");
        Require(op.PaddingHeight >= 0 && op.PaddingWidth >= 0 && op.OutputPaddingHeight >= 0 && op.OutputPaddingWidth >= 0, "needs padding and output padding of 0 or more");
        Require(op.OutputPaddingHeight < Math.Max(op.StrideHeight, op.DilationHeight) && op.OutputPaddingWidth < Math.Max(op.StrideWidth, op.DilationWidth),
            "needs output padding smaller than the stride or the dilation");
        Require(op.InChannels is null || op.InChannels == inShape.Channels, $"declares InChannels = {op.InChannels} but receives {inShape.Channels} channels");
        Require(inShape.Channels % op.Groups == 0 && op.Filters % op.Groups == 0,
            $"Groups = {op.Groups} must divide the {inShape.Channels} input channels and the {op.Filters} filters");
        long height = (inShape.Height - 1L) * op.StrideHeight - 2L * op.PaddingHeight + (long)op.DilationHeight * (op.KernelHeight - 1) + op.OutputPaddingHeight + 1;
        long width = (inShape.Width - 1L) * op.StrideWidth - 2L * op.PaddingWidth + (long)op.DilationWidth * (op.KernelWidth - 1) + op.OutputPaddingWidth + 1;
        Require(height >= 1 && width >= 1, $"gives an output of {height} x {width}");
        var outShape = ValueShape.Map(op.Filters, checked((int)height), checked((int)width));

        int inChannelsPerGroup = inShape.Channels / op.Groups;
        int filtersPerGroup = op.Filters / op.Groups;
        float[] weight = Tensor("weight", inShape.Channels, filtersPerGroup, op.KernelHeight, op.KernelWidth);
        float[]? bias = op.Bias ? Tensor("bias", op.Filters) : null;
        // double: the yardstick should not carry float rounding from long sums
        var sums = new double[outShape.Length];
        for (int f = 0; f < op.Filters; f++)
            for (int i = 0; i < outShape.Plane; i++) sums[f * outShape.Plane + i] = bias is null ? 0.0 : bias[f];
        for (int c = 0; c < inShape.Channels; c++)
        {
            int group = c / inChannelsPerGroup;
            for (int iy = 0; iy < inShape.Height; iy++)
                for (int ix = 0; ix < inShape.Width; ix++)
                {
                    double x = Input.Data[inShape.Index(c, iy, ix)];
                    for (int fg = 0; fg < filtersPerGroup; fg++)
                        for (int ky = 0; ky < op.KernelHeight; ky++)
                            for (int kx = 0; kx < op.KernelWidth; kx++)
                            {
                                long oy = (long)iy * op.StrideHeight - op.PaddingHeight + (long)ky * op.DilationHeight;
                                long ox = (long)ix * op.StrideWidth - op.PaddingWidth + (long)kx * op.DilationWidth;
                                if (oy < 0 || oy >= outShape.Height || ox < 0 || ox >= outShape.Width) continue;
                                float w = weight[((c * filtersPerGroup + fg) * op.KernelHeight + ky) * op.KernelWidth + kx];
                                sums[outShape.Index(group * filtersPerGroup + fg, (int)oy, (int)ox)] += x * w;
                            }
                }
        }
        var output = new float[outShape.Length];
        for (int i = 0; i < output.Length; i++) output[i] = (float)sums[i];
        return new ReferenceValue(output, outShape);
    }

    /// <summary>nn.Conv2d's output size (<see cref="ShapeInference.ConvOutputSize"/>), after the checks of its arguments PyTorch makes.</summary>
    private int ConvolutionOutputSize(string axis, int size, int padBefore, int padAfter, int kernel, int stride, int dilation)
    {
        Require(kernel >= 1 && stride >= 1 && dilation >= 1 && padBefore >= 0 && padAfter >= 0,
            $"needs a positive kernel, stride and dilation and padding of 0 or more along the {axis}");
        long output = ShapeInference.ConvOutputSize(size, padBefore, padAfter, kernel, stride, dilation);
        Require(output >= 1, $"the {axis} {size}, padded by {padBefore} + {padAfter}, is smaller than the dilated kernel ({(long)dilation * (kernel - 1) + 1})");
        return checked((int)output);
    }

    /// <summary>padding_mode as PyTorch spells it.</summary>
    private PadMode RequirePaddingMode(string? name)
    {
        var mode = PadModes.Parse(name);
        Require(mode is not null, $"has PaddingMode {CSharpText.Quote(name)}, none of PyTorch's");
        return mode!.Value;
    }

    /// <summary>F.pad's rules: reflect padding below the size (the edge is not repeated), circular at most the size (it wraps around once).</summary>
    private void RequirePaddingAllowed(PadMode mode, string axis, int size, int before, int after)
    {
        if (mode == PadMode.Reflect) Require(before < size && after < size, $"pads the {axis} {size} by {before} and {after} in reflect mode, which needs padding below the {axis}");
        if (mode == PadMode.Circular) Require(before <= size && after <= size, $"pads the {axis} {size} by {before} and {after} in circular mode, which needs padding of at most the {axis}");
    }

    /// <summary>
    /// The input position F.pad's mode reads at position <paramref name="i"/> outside [0, <paramref name="size"/>):
    /// reflect mirrors about the edge without repeating it, replicate repeats the edge, circular wraps around.
    /// </summary>
    private static int BorderIndex(PadMode mode, int i, int size)
    {
        if (i >= 0 && i < size) return i;
        return mode switch
        {
            PadMode.Reflect => i < 0 ? -i : 2 * (size - 1) - i,
            PadMode.Replicate => i < 0 ? 0 : size - 1,
            PadMode.Circular => i < 0 ? i + size : i - size,
            PadMode.Zeros => throw new InvalidOperationException("Zero padding reads no input."),
        };
    }

    /// <summary>F.pad(x, (left, right, top, bottom), mode).</summary>
    public ReferenceValue Pad(PadOp op)
    {
        var inShape = RequireSpatial(op.SpatialRank);
        Require(op.PadTop >= 0 && op.PadBottom >= 0 && op.PadLeft >= 0 && op.PadRight >= 0, "needs padding of 0 or more");
        RequirePaddingAllowed(op.Mode, "height", inShape.Height, op.PadTop, op.PadBottom);
        RequirePaddingAllowed(op.Mode, "width", inShape.Width, op.PadLeft, op.PadRight);
        var outShape = inShape with { Height = inShape.Height + op.PadTop + op.PadBottom, Width = inShape.Width + op.PadLeft + op.PadRight };
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
            for (int y = 0; y < outShape.Height; y++)
                for (int x = 0; x < outShape.Width; x++)
                {
                    int iy = y - op.PadTop, ix = x - op.PadLeft;
                    if (!inShape.Contains(iy, ix) && op.Mode == PadMode.Zeros) continue;
                    output[outShape.Index(c, y, x)] = Input.Data[inShape.Index(c, BorderIndex(op.Mode, iy, inShape.Height), BorderIndex(op.Mode, ix, inShape.Width))];
                }
        return new ReferenceValue(output, outShape);
    }

    // ---------------------------------------------------------------- upsampling

    /// <summary>
    /// nn.Upsample with integer factors. Nearest: output d reads input min(floor(d * (1/s)), In - 1), the
    /// product in float as ATen's nearest_idx (with d itself when the sizes agree and d / 2 when s is 2).
    /// Bilinear: output d sits at s' * (d + 0.5) - 0.5 of the input (s' = 1/s; clamped at 0), or at
    /// d * (In - 1) / (Out - 1) with align_corners, and mixes the two pixels around it in proportion.
    /// </summary>
    public ReferenceValue Upsample(UpsampleOp op)
    {
        var inShape = RequireMap();
        Require(op.ScaleHeight >= 1 && op.ScaleWidth >= 1, $"needs scales of at least 1 (ScaleHeight = {op.ScaleHeight}, ScaleWidth = {op.ScaleWidth})");
        Require(op.Mode is "nearest" or "bilinear", $"has Mode {CSharpText.Quote(op.Mode)}, neither \"nearest\" nor \"bilinear\"");
        Require(!(op.AlignCorners && op.Mode == "nearest"), "aligns corners in nearest mode, which PyTorch refuses");
        var outShape = inShape with { Height = checked(inShape.Height * op.ScaleHeight), Width = checked(inShape.Width * op.ScaleWidth) };
        var output = new float[outShape.Length];
        var x = Input.Data;
        for (int c = 0; c < outShape.Channels; c++)
            for (int oy = 0; oy < outShape.Height; oy++)
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    float value;
                    if (op.Mode == "nearest")
                    {
                        value = x[inShape.Index(c, Nearest(oy, inShape.Height, op.ScaleHeight), Nearest(ox, inShape.Width, op.ScaleWidth))];
                    }
                    else
                    {
                        var (y0, y1, wy0, wy1) = Linear(oy, inShape.Height, outShape.Height, op.ScaleHeight, op.AlignCorners);
                        var (x0, x1, wx0, wx1) = Linear(ox, inShape.Width, outShape.Width, op.ScaleWidth, op.AlignCorners);
                        value = (x[inShape.Index(c, y0, x0)] * wx0 + x[inShape.Index(c, y0, x1)] * wx1) * wy0
                            + (x[inShape.Index(c, y1, x0)] * wx0 + x[inShape.Index(c, y1, x1)] * wx1) * wy1;
                    }
                    output[outShape.Index(c, oy, ox)] = value;
                }
        return new ReferenceValue(output, outShape);
    }

    /// <summary>ATen's nearest_idx for an integer scale s (the output is In * s).</summary>
    private static int Nearest(int output, int input, int scale) => scale switch
    {
        1 => output,
        2 => output >> 1,
        _ => Math.Min((int)MathF.Floor(output * (float)(1.0 / scale)), input - 1),
    };

    /// <summary>ATen's compute_source_index_and_lambda, in float: the two input pixels and their weights.</summary>
    private static (int First, int Second, float FirstWeight, float SecondWeight) Linear(int output, int input, int outputSize, int scale, bool alignCorners)
    {
        if (outputSize == input) return (output, output, 1f, 0f);
        float ratio = alignCorners ? (outputSize > 1 ? (float)(input - 1) / (outputSize - 1) : 0f) : (float)(1.0 / scale);
        float real = alignCorners ? ratio * output : ratio * (output + 0.5f) - 0.5f;
        if (real < 0) real = 0;
        int first = (int)real;
        int second = first + (first < input - 1 ? 1 : 0);
        float secondWeight = Math.Clamp(real - first, 0f, 1f);
        return (first, second, 1f - secondWeight, secondWeight);
    }

    /// <summary>nn.PixelShuffle: out[c, h * r + i, w * r + j] = in[c * r * r + i * r + j, h, w].</summary>
    public ReferenceValue PixelShuffle(PixelShuffleOp op)
    {
        var inShape = RequireMap();
        int r = op.Factor;
        Require(r >= 1 && inShape.Channels % ((long)r * r) == 0, $"needs a Factor of at least 1 whose square divides the {inShape.Channels} channels (Factor = {r})");
        var outShape = ValueShape.Map(inShape.Channels / (r * r), checked(inShape.Height * r), checked(inShape.Width * r));
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++)
                    for (int h = 0; h < inShape.Height; h++)
                        for (int w = 0; w < inShape.Width; w++)
                            output[outShape.Index(c, h * r + i, w * r + j)] = Input.Data[inShape.Index(c * r * r + i * r + j, h, w)];
        return new ReferenceValue(output, outShape);
    }

    /// <summary>x[:, Start:Start + Length]: the channels (a vector's features) from Start on, each channel's plane as it is.</summary>
    public ReferenceValue ChannelSlice(ChannelSliceOp op)
    {
        var inShape = Input.Shape;
        Require(op.Start >= 0 && op.Length >= 1 && (long)op.Start + op.Length <= inShape.Channels,
            $"takes channels {op.Start} to {(long)op.Start + op.Length - 1} of {inShape}");
        var outShape = inShape with { Channels = op.Length };
        var output = new float[outShape.Length];
        for (int c = 0; c < op.Length; c++)
            for (int y = 0; y < inShape.Height; y++)
                for (int x = 0; x < inShape.Width; x++)
                    output[outShape.Index(c, y, x)] = Input.Data[inShape.Index(op.Start + c, y, x)];
        return new ReferenceValue(output, outShape);
    }

    /// <summary>
    /// nn.ChannelShuffle(G): x viewed as [G, C / G, H, W], its first two axes transposed, and read back as [C, H, W], so
    /// the channel at (group i, member j) lands at (member j, group i).
    /// </summary>
    public ReferenceValue ChannelShuffle(ChannelShuffleOp op)
    {
        var shape = Input.Shape;
        Require(!shape.IsFlat && op.Groups >= 1 && shape.Channels % op.Groups == 0, $"shuffles {shape} in {op.Groups} groups");
        int members = shape.Channels / op.Groups;
        var output = new float[shape.Length];
        for (int group = 0; group < op.Groups; group++)
            for (int member = 0; member < members; member++)
                Array.Copy(Input.Data, (group * members + member) * shape.Plane, output, (member * op.Groups + group) * shape.Plane, shape.Plane);
        return new ReferenceValue(output, shape);
    }

    /// <summary>F.pad along the channels: Before planes of zeros, the input's planes, After more.</summary>
    public ReferenceValue ChannelPad(ChannelPadOp op)
    {
        var shape = Input.Shape;
        Require(!shape.IsFlat && op.Before >= 0 && op.After >= 0, $"pads the channels of {shape} by {op.Before} before and {op.After} after");
        var outShape = shape with { Channels = checked(shape.Channels + op.Before + op.After) };
        var output = new float[checked(outShape.Channels * shape.Plane)];
        Array.Copy(Input.Data, 0, output, (long)op.Before * shape.Plane, shape.Length);
        return new ReferenceValue(output, outShape);
    }

    /// <summary>Each channel's plane Repeats times in a row (a planner's step, in the reference for completeness).</summary>
    public ReferenceValue ChannelRepeat(ChannelRepeatOp op)
    {
        var shape = Input.Shape;
        Require(!shape.IsFlat && op.Repeats >= 1, $"repeats the channels of {shape} {op.Repeats} times");
        var outShape = shape with { Channels = checked(shape.Channels * op.Repeats) };
        var output = new float[checked(outShape.Channels * shape.Plane)];
        for (int o = 0; o < outShape.Channels; o++)
            Array.Copy(Input.Data, (long)(o / op.Repeats) * shape.Plane, output, (long)o * shape.Plane, shape.Plane);
        return new ReferenceValue(output, outShape);
    }

    // ---------------------------------------------------------------- pooling

    /// <summary>nn.MaxPool2d, nn.AvgPool2d or -max_pool2d(-x), with PyTorch's ceil_mode, dilation and count_include_pad.</summary>
    public ReferenceValue Pool(PoolOp op)
    {
        var inShape = RequireSpatial(op.SpatialRank);
        Require(op.CountIncludePad || op.Reduction == Reduction.Average, "leaves the padding out of the divisor (CountIncludePad = false), which only an average pool has");
        Require(op.Reduction != Reduction.Average || (op.DilationHeight == 1 && op.DilationWidth == 1), "dilates an average pool's window, which nn.AvgPool2d has no dilation for");
        int height = PoolOutputSize("height", inShape.Height, op.PaddingHeight, op.KernelHeight, op.StrideHeight, op.DilationHeight, op.CeilMode);
        int width = PoolOutputSize("width", inShape.Width, op.PaddingWidth, op.KernelWidth, op.StrideWidth, op.DilationWidth, op.CeilMode);
        var outShape = inShape with { Height = height, Width = width };
        float[] output = op.Reduction switch
        {
            Reduction.Max => ExtremePool(op, inShape, outShape, float.NegativeInfinity, MathF.Max),
            Reduction.Min => ExtremePool(op, inShape, outShape, float.PositiveInfinity, MathF.Min),
            Reduction.Average => AveragePool(op, inShape, outShape),
        };
        return new ReferenceValue(output, outShape);
    }

    /// <summary>PyTorch's pooling_output_shape (<see cref="ShapeInference.PoolOutputSize"/>), after the checks of its arguments PyTorch makes.</summary>
    private int PoolOutputSize(string axis, int size, int padding, int kernel, int stride, int dilation, bool ceilMode)
    {
        Require(kernel >= 1 && stride >= 1 && dilation >= 1 && padding >= 0, $"needs a positive kernel, stride and dilation and padding of 0 or more along the {axis}");
        Require(padding <= kernel / 2, $"padding {padding} along the {axis} is more than half the kernel {kernel}, which PyTorch rejects");
        long output = ShapeInference.PoolOutputSize(size, padding, kernel, stride, ceilMode, dilation);
        Require(output >= 1, $"the {axis} {size}, padded by {padding} on each side, is smaller than the kernel {kernel}");
        return checked((int)output);
    }

    /// <summary>
    /// Max or min pooling. Padding holds <paramref name="padding"/> (-inf for max, +inf for min), so
    /// it never wins; positions a ceil-mode window reaches beyond the padding are not part of it.
    /// MathF.Max/Min propagate NaN, as PyTorch does.
    /// </summary>
    private float[] ExtremePool(PoolOp pool, ValueShape inShape, ValueShape outShape, float padding, Func<float, float, float> pick)
    {
        float[] input = Input.Data;
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
                            int iy = oy * pool.StrideHeight - pool.PaddingHeight + ky * pool.DilationHeight;
                            int ix = ox * pool.StrideWidth - pool.PaddingWidth + kx * pool.DilationWidth;
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
    /// AvgPool2d: the sum of the real inputs in the window divided, with count_include_pad=True, by the
    /// window's size clipped to the padded extent only, so padding counts as zeros but the part of a
    /// ceil-mode window that runs past the right/bottom padding does not count at all; with
    /// count_include_pad=False, by the number of real inputs summed.
    /// The arithmetic is PyTorch's (avg_pool2d on the CPU): a float sum from zero, row by row and left to
    /// right, divided in float. A short window has one such order, so this is PyTorch's answer bit for bit,
    /// infinity included where the running sum overflows.
    /// </summary>
    private float[] AveragePool(PoolOp pool, ValueShape inShape, ValueShape outShape)
    {
        float[] input = Input.Data;
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                var rows = PoolWindow.Along(oy, pool.StrideHeight, pool.PaddingHeight, pool.KernelHeight, inShape.Height);
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    var columns = PoolWindow.Along(ox, pool.StrideWidth, pool.PaddingWidth, pool.KernelWidth, inShape.Width);
                    float sum = 0f;
                    for (int iy = rows.FirstReal; iy < rows.EndReal; iy++)
                    {
                        for (int ix = columns.FirstReal; ix < columns.EndReal; ix++)
                        {
                            sum += input[inShape.Index(c, iy, ix)];
                        }
                    }
                    int divisor = pool.CountIncludePad ? rows.PaddedSize * columns.PaddedSize : rows.RealSize * columns.RealSize;
                    output[outShape.Index(c, oy, ox)] = sum / divisor;
                }
            }
        }
        return output;
    }

    /// <summary>nn.AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1): each channel's whole plane reduced to one value, [C, 1, 1].</summary>
    public ReferenceValue GlobalPool(GlobalPoolOp op)
    {
        var inShape = RequireSpatial(op.SpatialRank);
        var outShape = inShape with { Height = 1, Width = 1 };
        var output = new float[outShape.Length];
        for (int c = 0; c < inShape.Channels; c++)
        {
            output[c] = Reduce(op.Reduction, c, 0, inShape.Height, 0, inShape.Width);
        }
        return new ReferenceValue(output, outShape);
    }

    /// <summary>
    /// nn.AdaptiveAvgPool2d / AdaptiveMaxPool2d: the output has the declared size; output cell i along
    /// an axis of input size In and output size Out reduces input [floor(i * In / Out), ceil((i + 1) * In / Out)).
    /// Out may exceed In, and then neighbouring cells share inputs.
    /// </summary>
    public ReferenceValue AdaptivePool(AdaptivePoolOp op)
    {
        var inShape = RequireSpatial(op.SpatialRank);
        Require(op.OutputHeight >= 1 && op.OutputWidth >= 1, $"needs an output of at least 1 x 1, not {op.OutputHeight} x {op.OutputWidth}");
        var outShape = inShape with { Height = op.OutputHeight, Width = op.OutputWidth };
        var output = new float[outShape.Length];
        for (int c = 0; c < outShape.Channels; c++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                // PyTorch divides in float here; for sizes below 2^24 that rounds to the same integers
                int top = (int)((long)oy * inShape.Height / outShape.Height);
                int bottom = (int)(((long)(oy + 1) * inShape.Height + outShape.Height - 1) / outShape.Height);
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    int left = (int)((long)ox * inShape.Width / outShape.Width);
                    int right = (int)(((long)(ox + 1) * inShape.Width + outShape.Width - 1) / outShape.Width);
                    output[outShape.Index(c, oy, ox)] = Reduce(op.Reduction, c, top, bottom, left, right);
                }
            }
        }
        return new ReferenceValue(output, outShape);
    }

    /// <summary>The mean, maximum or minimum of channel <paramref name="c"/> over rows [top, bottom) and columns [left, right).</summary>
    private float Reduce(Reduction reduction, int c, int top, int bottom, int left, int right) => reduction switch
    {
        Reduction.Average => Mean(c, top, bottom, left, right),
        Reduction.Max => Extreme(c, top, bottom, left, right, float.NegativeInfinity, MathF.Max), // NaN wins, as in PyTorch
        Reduction.Min => Extreme(c, top, bottom, left, right, float.PositiveInfinity, MathF.Min),
    };

    private float Mean(int c, int top, int bottom, int left, int right)
    {
        var shape = Input.Shape;
        double sum = 0.0;
        for (int y = top; y < bottom; y++)
        {
            for (int x = left; x < right; x++) sum += Input.Data[shape.Index(c, y, x)];
        }
        return (float)(sum / ((bottom - top) * (right - left)));
    }

    private float Extreme(int c, int top, int bottom, int left, int right, float start, Func<float, float, float> pick)
    {
        var shape = Input.Shape;
        float best = start;
        for (int y = top; y < bottom; y++)
        {
            for (int x = left; x < right; x++) best = pick(best, Input.Data[shape.Index(c, y, x)]);
        }
        return best;
    }

    // ---------------------------------------------------------------- dense, batch norm

    /// <summary>nn.Linear: y[o] = bias[o] + sum over i of weight[o, i] * x[i], the weight stored [Outputs, Inputs] (or [Inputs, Outputs], ONNX's MatMul).</summary>
    public ReferenceValue Dense(DenseOp op)
    {
        Require(Input.Shape.IsFlat, $"needs a flat vector but receives the feature map {Input.Shape}");
        int inputs = Input.Shape.Length;
        Require(op.Outputs >= 1, $"needs Outputs of at least 1, not {op.Outputs}");
        Require(op.Inputs is null || op.Inputs == inputs, $"declares Inputs = {op.Inputs} but receives {inputs} features");
        float[] weight = op.InputsFirst ? Tensor("weight", inputs, op.Outputs) : Tensor("weight", op.Outputs, inputs);
        float[]? bias = op.Bias ? Tensor("bias", op.Outputs) : null;
        int outputStride = op.InputsFirst ? 1 : inputs, inputStride = op.InputsFirst ? op.Outputs : 1;

        float[] input = Input.Data;
        var output = new float[op.Outputs];
        for (int o = 0; o < op.Outputs; o++)
        {
            double sum = bias is null ? 0.0 : bias[o];
            for (int i = 0; i < inputs; i++)
            {
                sum += (double)weight[o * outputStride + i * inputStride] * input[i];
            }
            output[o] = (float)sum;
        }
        return new ReferenceValue(output, ValueShape.Vector(op.Outputs));
    }

    /// <summary>
    /// nn.BatchNorm2d in eval mode, per channel c:
    /// y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c] + bias[c]; without Affine, no weight and bias.
    /// </summary>
    public ReferenceValue BatchNorm(BatchNormOp op)
    {
        // nn.BatchNorm1d: per channel of a sequence, per feature of a vector (a vector's channels are its features)
        var shape = op.SpatialRank == 1 && Input.Shape.IsFlat ? Input.Shape : RequireSpatial(op.SpatialRank);
        int channels = shape.Channels;
        Require(op.Channels is null || op.Channels == channels, $"declares Channels = {op.Channels} but receives {channels} channels");
        float[]? weight = op.Affine ? Tensor("weight", channels) : null;
        float[]? bias = op.Affine ? Tensor("bias", channels) : null;
        float[] mean = Tensor("running_mean", channels);
        float[] variance = Tensor("running_var", channels);

        float[] input = Input.Data;
        var output = new float[shape.Length];
        for (int c = 0; c < channels; c++)
        {
            double deviation = Math.Sqrt((double)variance[c] + op.Epsilon);
            for (int y = 0; y < shape.Height; y++)
            {
                for (int x = 0; x < shape.Width; x++)
                {
                    int i = shape.Index(c, y, x);
                    double normalized = (input[i] - (double)mean[c]) / deviation;
                    output[i] = weight is null || bias is null ? (float)normalized : (float)(normalized * weight[c] + bias[c]);
                }
            }
        }
        return new ReferenceValue(output, shape);
    }

    // ---------------------------------------------------------------- elementwise

    /// <summary>The activation's function applied to every element; ReLU, LeakyReLU, Sigmoid and Tanh in float, the rest in double.</summary>
    public ReferenceValue Activation(ActivationOp op)
    {
        Func<float, float> function = op.Function switch
        {
            Ir.Activation.ReLU => x => MathF.Max(0f, x),
            Ir.Activation.LeakyReLU => x => x >= 0f ? x : op.NegativeSlope * x,
            Ir.Activation.Sigmoid => x => 1f / (1f + MathF.Exp(-x)),
            Ir.Activation.Tanh => MathF.Tanh,
            Ir.Activation.ReLU6 => x => MathF.Min(MathF.Max(0f, x), 6f),
            Ir.Activation.Hardtanh => HardtanhOf(op),
            Ir.Activation.Hardsigmoid => x => (float)(Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0),
            Ir.Activation.Hardswish => x => (float)(x * Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0),
            Ir.Activation.SiLU => x => (float)(x * Sigmoid(x)),
            Ir.Activation.Mish => x => (float)(x * Math.Tanh(ReferenceMath.Log1P(Math.Exp(x)))),
            Ir.Activation.GELU => GeluOf(op),
            Ir.Activation.ELU => x => x > 0f ? x : (float)(op.Alpha * ReferenceMath.ExpM1(x)),
            Ir.Activation.SELU => x => (float)(SeluScale * (x > 0f ? x : SeluAlpha * ReferenceMath.ExpM1(x))),
            Ir.Activation.Softplus => SoftplusOf(op),
        };

        float[] input = Input.Data;
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = function(input[i]);
        }
        return new ReferenceValue(output, Input.Shape);
    }

    /// <summary>nn.Hardtanh: min(max(Min, x), Max); PyTorch requires Max &gt; Min.</summary>
    private Func<float, float> HardtanhOf(ActivationOp op)
    {
        Require(op.Max > op.Min, $"needs Max > Min (Min = {Text(op.Min)}, Max = {Text(op.Max)})");
        return x => MathF.Min(MathF.Max(op.Min, x), op.Max);
    }

    /// <summary>
    /// nn.GELU: "none" is x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))), computed as
    /// 0.5 * x * erfc(-x / sqrt(2)) (the same number, without 1 + erf cancelling for negative x);
    /// "tanh" is 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
    /// </summary>
    private Func<float, float> GeluOf(ActivationOp op)
    {
        switch (op.Approximate)
        {
            case "none":
                return x => (float)(0.5 * x * ReferenceMath.Erfc(-x * InverseSqrt2));
            case "tanh":
                return x =>
                {
                    double v = x;
                    return (float)(0.5 * v * (1.0 + Math.Tanh(Sqrt2OverPi * (v + 0.044715 * v * v * v))));
                };
            default:
                throw Failure($"Approximate = \"{op.Approximate}\" is neither \"none\" nor \"tanh\"");
        }
    }

    /// <summary>
    /// nn.Softplus: x where Beta * x &gt; Threshold (strictly; the product in float, as PyTorch forms
    /// it), else log(1 + exp(Beta * x)) / Beta.
    /// </summary>
    private Func<float, float> SoftplusOf(ActivationOp op)
    {
        Require(op.Beta != 0f && !float.IsNaN(op.Beta), $"needs a nonzero Beta, not {Text(op.Beta)}");
        return x =>
        {
            float scaled = op.Beta * x;
            if (scaled > op.Threshold) return x;
            return (float)(ReferenceMath.Log1P(Math.Exp((double)op.Beta * x)) / op.Beta);
        };
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>
    /// nn.PReLU: x where x &gt; 0, else weight[c] * x, where c is the channel of a feature map's
    /// element or the feature of a vector's; one shared weight when Parameters is 1.
    /// </summary>
    public ReferenceValue PReLU(PReLUOp op)
    {
        var shape = Input.Shape;
        Require(op.Parameters == 1 || op.Parameters == shape.Channels,
            $"Parameters = {op.Parameters} must be 1 or the {shape.Channels} channels it receives");
        float[] weight = Tensor("weight", op.Parameters);

        float[] input = Input.Data;
        var output = new float[input.Length];
        for (int c = 0; c < shape.Channels; c++)
        {
            float slope = op.Parameters == 1 ? weight[0] : weight[c];
            for (int p = 0; p < shape.Plane; p++)
            {
                int i = c * shape.Plane + p;
                output[i] = input[i] > 0f ? input[i] : slope * input[i];
            }
        }
        return new ReferenceValue(output, shape);
    }

    /// <summary>nn.Softmax(dim=1) and nn.LogSoftmax(dim=1): over a vector, or over the channels at each pixel of a map.</summary>
    public ReferenceValue Softmax(SoftmaxOp op)
    {
        var shape = Input.Shape;
        float[] input = Input.Data;
        var output = new float[input.Length];
        var indices = new int[shape.Channels];
        // a vector is one "pixel" whose channels are its features
        for (int p = 0; p < shape.Plane; p++)
        {
            for (int c = 0; c < shape.Channels; c++) indices[c] = c * shape.Plane + p;
            if (op.Log) LogSoftmaxAt(input, output, indices);
            else SoftmaxAt(input, output, indices);
        }
        return new ReferenceValue(output, shape);
    }

    /// <summary>exp(x - max) / sum of exp(x - max) over the elements at <paramref name="indices"/>; subtracting the max keeps exp from overflowing.</summary>
    private static void SoftmaxAt(float[] input, float[] output, int[] indices)
    {
        float max = float.NegativeInfinity;
        foreach (int i in indices) max = MathF.Max(max, input[i]);
        double total = 0.0;
        foreach (int i in indices) total += Math.Exp(input[i] - max);
        foreach (int i in indices) output[i] = (float)(Math.Exp(input[i] - max) / total);
    }

    /// <summary>x - max - log(sum of exp(x - max)) over the elements at <paramref name="indices"/>.</summary>
    private static void LogSoftmaxAt(float[] input, float[] output, int[] indices)
    {
        float max = float.NegativeInfinity;
        foreach (int i in indices) max = MathF.Max(max, input[i]);
        double total = 0.0;
        foreach (int i in indices) total += Math.Exp((double)input[i] - max);
        double logTotal = Math.Log(total);
        foreach (int i in indices) output[i] = (float)((double)input[i] - max - logTotal);
    }

    // ---------------------------------------------------------------- shape only

    /// <summary>nn.Flatten: the same floats in C order, seen as a vector of C x H x W features.</summary>
    public ReferenceValue Flatten(FlattenOp op) => new((float[])Input.Data.Clone(), ValueShape.Vector(Input.Shape.Length));

    /// <summary>nn.Dropout in eval mode: the input unchanged. PyTorch still requires 0 &lt;= P &lt;= 1.</summary>
    public ReferenceValue Dropout(DropoutOp op)
    {
        Require(op.P >= 0f && op.P <= 1f, $"P = {Text(op.P)} is not a probability");
        return new ReferenceValue((float[])Input.Data.Clone(), Input.Shape);
    }

    /// <summary>nn.Identity: the input unchanged.</summary>
    public ReferenceValue Identity(IdentityOp op) => new((float[])Input.Data.Clone(), Input.Shape);

    // ---------------------------------------------------------------- joins

    /// <summary>A Residual's sum: body(x) + x, or body(x) + shortcut(x), element by element; the two of one shape.</summary>
    public ReferenceValue Add(AddOp op)
    {
        ReferenceValue body = _inputs[0], other = _inputs[1];
        Require(_inputs.Count == 2 && body.Shape == other.Shape, $"adds {body.Shape} and {other.Shape}");
        var output = new float[body.Data.Length];
        for (int i = 0; i < output.Length; i++) output[i] = body.Data[i] + other.Data[i];
        return new ReferenceValue(output, body.Shape);
    }

    /// <summary>torch.cat(parts, dim=1): the parts' channels one after another, each part's floats in C order.</summary>
    public ReferenceValue Concat(ConcatOp op)
    {
        var first = _inputs[0].Shape;
        int channels = 0;
        foreach (var part in _inputs)
        {
            Require(part.Shape.IsFlat == first.IsFlat && part.Shape.IsSequence == first.IsSequence && part.Shape.Height == first.Height && part.Shape.Width == first.Width,
                $"joins parts of shapes {string.Join(", ", _inputs.Select(p => p.Shape))}");
            channels += part.Shape.Channels;
        }
        var shape = first with { Channels = channels };
        var output = new float[shape.Length];
        int channel = 0;
        foreach (var part in _inputs)
        {
            for (int c = 0; c < part.Shape.Channels; c++, channel++)
                for (int y = 0; y < shape.Height; y++)
                    for (int x = 0; x < shape.Width; x++)
                        output[shape.Index(channel, y, x)] = part.Data[part.Shape.Index(c, y, x)];
        }
        return new ReferenceValue(output, shape);
    }

    /// <summary>x * gate: element by element, or a [C, 1, 1] gate broadcast over each channel's plane (squeeze-and-excitation).</summary>
    public ReferenceValue Multiply(MultiplyOp op)
    {
        ReferenceValue x = _inputs[0], gate = _inputs[1];
        bool perChannel = !x.Shape.IsFlat && gate.Shape == x.Shape with { Height = 1, Width = 1 };
        Require(gate.Shape == x.Shape || perChannel, $"multiplies {x.Shape} by a gate of {gate.Shape}");
        var output = new float[x.Data.Length];
        for (int c = 0; c < x.Shape.Channels; c++)
            for (int y = 0; y < x.Shape.Height; y++)
                for (int col = 0; col < x.Shape.Width; col++)
                {
                    int i = x.Shape.Index(c, y, col);
                    output[i] = x.Data[i] * gate.Data[perChannel ? c : i];
                }
        return new ReferenceValue(output, x.Shape);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// The node's state tensor "{Key}.{suffix}", which must exist among the spec's tensors of this layer
    /// with exactly the shape PyTorch gives it; a copy of its slice of the state vector.
    /// </summary>
    private float[] Tensor(string suffix, params int[] shape)
    {
        string name = _node.Key + "." + suffix;
        // an imported node names its tensors in the layer's order, in the model's shapes holding the same floats
        if (_node.Tensors.Count > 0)
        {
            Require(_tensorsTaken < _node.Tensors.Count, $"needs a {suffix} tensor, but the node imports only {_node.Tensors.Count}");
            var imported = _node.Tensors[_tensorsTaken++];
            name = imported.Name;
            long count = 1, needed = 1;
            foreach (int d in imported.Dimensions) count *= d;
            foreach (int d in shape) needed *= d;
            Require(count == needed, $"needs the {suffix} {ValueShape.Format(shape)}, but the node imports '{name}' {ValueShape.Format(imported.Dimensions.ToArray())}");
            shape = imported.Dimensions.ToArray();
        }
        var tensor = OwnTensors().SingleOrDefault(t => t.Name == name)
            ?? throw Failure($"needs the tensor '{name}' {ValueShape.Format(shape)}, but the spec gives the layer no such tensor");
        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw Failure($"needs the tensor '{name}' with shape {ValueShape.Format(shape)}, but the spec declares {ValueShape.Format(tensor.Shape)}");
        }
        _read.Add(name);
        return _parameters.AsSpan(tensor.Offset, tensor.Length).ToArray();
    }

    private int _tensorsTaken;

    /// <summary>The spec's state tensors that belong to this node.</summary>
    private IEnumerable<ParameterTensor> OwnTensors() => _spec.Parameters.Where(t => t.LayerIndex == _index);

    /// <summary>The input of a layer of spatial rank 2 (a map) or 1 (a sequence), required to be that.</summary>
    private ValueShape RequireSpatial(int spatialRank) => spatialRank == 1 ? RequireSequence() : RequireMap();

    private ValueShape RequireMap()
    {
        Require(!Input.Shape.IsFlat && !Input.Shape.IsSequence, $"needs a channels x height x width feature map but receives {Input.Shape}");
        return Input.Shape;
    }

    private ValueShape RequireSequence()
    {
        Require(Input.Shape.IsSequence, $"needs a channels x length sequence but receives {Input.Shape}");
        return Input.Shape;
    }

    private void Require(bool condition, string problem)
    {
        if (!condition) throw Failure(problem);
    }

    /// <summary>"Reference engine, layer 3 (Conv2D, module "3"): {problem}."</summary>
    private InvalidOperationException Failure(string problem) =>
        new($"Reference engine, layer {_index} ({_node.Op.Kind}, module \"{_node.Key}\"): {problem}.");

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One average-pooling window along one axis, as PyTorch's avg_pool2d computes it.</summary>
    private readonly record struct PoolWindow(int PaddedSize, int FirstReal, int EndReal)
    {
        /// <summary>The window's real inputs: at least one, as PyTorch's padding of at most half the window and its ceil_mode rule keep every window on the input.</summary>
        public int RealSize => EndReal - FirstReal;

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
