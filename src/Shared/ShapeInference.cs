// Shared between the generator and the runtime library as a linked file: the one source of
// truth for output sizes, parameter shapes and what makes a network invalid. The generator turns
// the problems into diagnostics on the attribute; NetworkSpec turns them into ArgumentException.
using System;
using System.Collections.Generic;

namespace CnnGen.Shapes;

internal enum ShapeProblemKind
{
    InvalidInputShape,
    InvalidValue,
    PoolPaddingTooLarge,
    InChannelsMismatch,
    OutputTooSmall,
    GroupsDoNotDivide,
    DenseNeedsFlatten,
    DenseInputsMismatch,
    NeedsFeatureMap,
    TooLarge,
    UnusedInput,
}

/// <summary>
/// A mistake found by shape inference. <see cref="Property"/> names the attribute argument at
/// fault (or the family, "Kernel" for Kernel/KernelHeight/KernelWidth), null for the whole layer.
/// </summary>
internal sealed record ShapeProblem(int LayerIndex, ShapeProblemKind Kind, string? Property, string[] Arguments)
{
    public bool IsWarning => Kind == ShapeProblemKind.UnusedInput;

    public string Message => string.Format(System.Globalization.CultureInfo.InvariantCulture, ShapeMessages.Template(Kind), Arguments);

    public bool Equals(ShapeProblem? other) =>
        other is not null && LayerIndex == other.LayerIndex && Kind == other.Kind && Property == other.Property &&
        System.Linq.Enumerable.SequenceEqual(Arguments, other.Arguments);

    public override int GetHashCode() => (LayerIndex, Kind, Property, Arguments.Length).GetHashCode();
}

/// <summary>Message templates, shared by the generator's descriptors and the library's exceptions.</summary>
internal static class ShapeMessages
{
    public const string InvalidInputShape = "InputShape({0}, {1}, {2}) must have a positive number of channels, rows and columns";
    public const string InvalidValue = "{0} (layer {1}): {2} = {3} is invalid; it must be {4}";
    public const string PoolPaddingTooLarge = "{0} (layer {1}): padding {2} is more than half the kernel {3}; PyTorch allows at most kernel / 2 = {4}";
    public const string InChannelsMismatch = "{0} (layer {1}) declares InChannels = {2} but {3} produces {4} channels";
    public const string OutputTooSmall = "{0} (layer {1}): the input {2} is {3}, padded {4}; the effective kernel {2} is {5} and the stride {6}, so the output {2} would be {7}";
    public const string GroupsDoNotDivide = "{0} (layer {1}): Groups = {2} must divide both the input channels ({3}) and Filters ({4})";
    public const string DenseNeedsFlatten = "Dense (layer {0}) needs a flat vector but {1} produces a feature map {2}; insert [Flatten] before it";
    public const string DenseInputsMismatch = "Dense (layer {0}) declares Inputs = {1} but {2} produces {3} features";
    public const string NeedsFeatureMap = "{0} (layer {1}) needs a channels x height x width feature map but {2} produces a flat vector {3}";
    public const string TooLarge = "{0} (layer {1}): {2} of {3} elements is too large (at most {4})";
    public const string UnusedInput = "{0} (layer {1}): the last window ends before the input does, so the last {2} input {3} of {4} are never used";

    public static string Template(ShapeProblemKind kind) => kind switch
    {
        ShapeProblemKind.InvalidInputShape => InvalidInputShape,
        ShapeProblemKind.InvalidValue => InvalidValue,
        ShapeProblemKind.PoolPaddingTooLarge => PoolPaddingTooLarge,
        ShapeProblemKind.InChannelsMismatch => InChannelsMismatch,
        ShapeProblemKind.OutputTooSmall => OutputTooSmall,
        ShapeProblemKind.GroupsDoNotDivide => GroupsDoNotDivide,
        ShapeProblemKind.DenseNeedsFlatten => DenseNeedsFlatten,
        ShapeProblemKind.DenseInputsMismatch => DenseInputsMismatch,
        ShapeProblemKind.NeedsFeatureMap => NeedsFeatureMap,
        ShapeProblemKind.TooLarge => TooLarge,
        _ => UnusedInput,
    };
}

/// <summary>The shapes around one layer and its learnable tensors.</summary>
internal sealed record LayerShapes(FeatureShape Input, FeatureShape Output, ParameterTensorShape[] Parameters)
{
    public bool Equals(LayerShapes? other) =>
        other is not null && Input == other.Input && Output == other.Output && System.Linq.Enumerable.SequenceEqual(Parameters, other.Parameters);

    public override int GetHashCode() => (Input, Output, Parameters.Length).GetHashCode();
}

/// <summary>The result of inference: per-layer shapes (complete only when there are no errors) and problems.</summary>
internal sealed class NetworkShapes
{
    public NetworkShapes(FeatureShape input, List<LayerShapes> layers, List<ShapeProblem> problems, int parameterCount)
    {
        Input = input;
        Layers = layers;
        Problems = problems;
        ParameterCount = parameterCount;
    }

    public FeatureShape Input { get; }
    public IReadOnlyList<LayerShapes> Layers { get; }
    public IReadOnlyList<ShapeProblem> Problems { get; }
    public int ParameterCount { get; }
    public FeatureShape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

    public bool HasErrors
    {
        get
        {
            foreach (var p in Problems) if (!p.IsWarning) return true;
            return false;
        }
    }
}

internal static class ShapeInference
{
    /// <summary>No tensor, activation or parameter vector may exceed this many elements (spans are int-indexed).</summary>
    public const long MaxElements = 1 << 30;

    /// <summary>PyTorch's Conv2d output size: floor((In + padBefore + padAfter - dilation*(K-1) - 1) / S) + 1, or 0 when the window does not fit.</summary>
    public static long ConvOutputSize(long input, long padBefore, long padAfter, long kernel, long stride, long dilation)
    {
        long span = input + padBefore + padAfter - dilation * (kernel - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>
    /// PyTorch's pooling output size (pooling_output_shape): with ceil_mode the division rounds up,
    /// but a last window that would start in the right padding is dropped.
    /// </summary>
    public static long PoolOutputSize(long input, long pad, long kernel, long stride, bool ceilMode)
    {
        long span = input + 2 * pad - (kernel - 1) - 1;
        if (span < 0) return 0;
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    public static NetworkShapes Infer(FeatureShape input, IReadOnlyList<LayerDefinition> layers)
    {
        var problems = new List<ShapeProblem>();
        var shapes = new List<LayerShapes>();
        if (input.Channels <= 0 || input.Height <= 0 || input.Width <= 0)
        {
            problems.Add(new ShapeProblem(-1, ShapeProblemKind.InvalidInputShape, null, Args(input.Channels, input.Height, input.Width)));
            return new NetworkShapes(input, shapes, problems, 0);
        }
        if ((long)input.Channels * input.Height * input.Width > MaxElements)
        {
            problems.Add(new ShapeProblem(-1, ShapeProblemKind.TooLarge, null, Args("InputShape", -1, "the input", (long)input.Channels * input.Height * input.Width, MaxElements)));
            return new NetworkShapes(input, shapes, problems, 0);
        }

        var current = input;
        long parameterCount = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string source = i == 0 ? "InputShape" : $"layer {i - 1}";
            int errorsBefore = CountErrors(problems);
            var parameters = new List<ParameterTensorShape>();
            FeatureShape output = Infer(i, layer, current, source, problems, parameters, (int)Math.Min(parameterCount, int.MaxValue));
            if (CountErrors(problems) > errorsBefore)
            {
                // later layers would only report consequences of this one
                return new NetworkShapes(input, shapes, problems, 0);
            }
            foreach (var p in parameters) parameterCount += p.Length;
            if (parameterCount > MaxElements)
            {
                problems.Add(new ShapeProblem(i, ShapeProblemKind.TooLarge, null, Args(layer.Name, i, "the parameter vector", parameterCount, MaxElements)));
                return new NetworkShapes(input, shapes, problems, 0);
            }
            shapes.Add(new LayerShapes(current, output, parameters.ToArray()));
            current = output;
        }
        return new NetworkShapes(input, shapes, problems, (int)parameterCount);
    }

    private static int CountErrors(List<ShapeProblem> problems)
    {
        int n = 0;
        foreach (var p in problems) if (!p.IsWarning) n++;
        return n;
    }

    private static FeatureShape Infer(int i, LayerDefinition layer, FeatureShape input, string source,
        List<ShapeProblem> problems, List<ParameterTensorShape> parameters, int offset)
    {
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
                return Convolution(i, layer, input, source, problems, parameters, offset);
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool2D:
            case LayerKind.MinPool2D:
                return Pool(i, layer, input, source, problems);
            case LayerKind.Flatten:
                return FeatureShape.Vector(input.Length);
            case LayerKind.Dense:
                return Dense(i, layer, input, source, problems, parameters, offset);
            default:
                return input; // activations and Softmax keep the shape
        }
    }

    private static FeatureShape Convolution(int i, LayerDefinition c, FeatureShape input, string source,
        List<ShapeProblem> problems, List<ParameterTensorShape> parameters, int offset)
    {
        if (input.IsFlat)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.NeedsFeatureMap, null, Args(c.Name, i, source, input)));
            return input;
        }
        Positive(i, c, "Filters", c.Filters, problems);
        Positive(i, c, "KernelHeight", c.KernelHeight, problems);
        Positive(i, c, "KernelWidth", c.KernelWidth, problems);
        Positive(i, c, "StrideHeight", c.StrideHeight, problems);
        Positive(i, c, "StrideWidth", c.StrideWidth, problems);
        Positive(i, c, "DilationHeight", c.DilationHeight, problems);
        Positive(i, c, "DilationWidth", c.DilationWidth, problems);
        Positive(i, c, "Groups", c.Groups, problems);
        NotNegative(i, c, "PadTop", c.PadTop, problems);
        NotNegative(i, c, "PadBottom", c.PadBottom, problems);
        NotNegative(i, c, "PadLeft", c.PadLeft, problems);
        NotNegative(i, c, "PadRight", c.PadRight, problems);
        if (CountErrors(problems) > 0) return input;

        if (c.DeclaredInputs is int declared && declared != input.Channels)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.InChannelsMismatch, "InChannels", Args(c.Name, i, declared, source, input.Channels)));
            return input;
        }
        if (input.Channels % c.Groups != 0 || c.Filters % c.Groups != 0)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.GroupsDoNotDivide, "Groups", Args(c.Name, i, c.Groups, input.Channels, c.Filters)));
            return input;
        }
        long height = Window(i, c, "height", "rows", input.Height, c.PadTop, c.PadBottom, c.KernelHeight, c.StrideHeight, c.DilationHeight, ceilMode: false, problems);
        long width = Window(i, c, "width", "columns", input.Width, c.PadLeft, c.PadRight, c.KernelWidth, c.StrideWidth, c.DilationWidth, ceilMode: false, problems);
        if (height <= 0 || width <= 0) return input;
        if (!Fits(i, c, "the output", (long)c.Filters * height * width, problems)) return input;
        long weights = (long)c.Filters * (input.Channels / c.Groups) * c.KernelHeight * c.KernelWidth;
        if (!Fits(i, c, "the weight", weights, problems)) return input;

        parameters.Add(new ParameterTensorShape($"{i}.weight", new[] { c.Filters, input.Channels / c.Groups, c.KernelHeight, c.KernelWidth }, offset));
        if (c.Bias) parameters.Add(new ParameterTensorShape($"{i}.bias", new[] { c.Filters }, offset + (int)weights));
        return FeatureShape.Map(c.Filters, (int)height, (int)width);
    }

    private static FeatureShape Pool(int i, LayerDefinition p, FeatureShape input, string source, List<ShapeProblem> problems)
    {
        if (input.IsFlat)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.NeedsFeatureMap, null, Args(p.Name, i, source, input)));
            return input;
        }
        Positive(i, p, "KernelHeight", p.KernelHeight, problems);
        Positive(i, p, "KernelWidth", p.KernelWidth, problems);
        Positive(i, p, "StrideHeight", p.StrideHeight, problems);
        Positive(i, p, "StrideWidth", p.StrideWidth, problems);
        NotNegative(i, p, "PaddingHeight", p.PadTop, problems);
        NotNegative(i, p, "PaddingWidth", p.PadLeft, problems);
        if (CountErrors(problems) > 0) return input;
        if (p.PadTop > p.KernelHeight / 2 || p.PadLeft > p.KernelWidth / 2)
        {
            bool rows = p.PadTop > p.KernelHeight / 2;
            int pad = rows ? p.PadTop : p.PadLeft, kernel = rows ? p.KernelHeight : p.KernelWidth;
            problems.Add(new ShapeProblem(i, ShapeProblemKind.PoolPaddingTooLarge, rows ? "PaddingHeight" : "PaddingWidth", Args(p.Name, i, pad, kernel, kernel / 2)));
            return input;
        }
        long height = Window(i, p, "height", "rows", input.Height, p.PadTop, p.PadBottom, p.KernelHeight, p.StrideHeight, 1, p.CeilMode, problems);
        long width = Window(i, p, "width", "columns", input.Width, p.PadLeft, p.PadRight, p.KernelWidth, p.StrideWidth, 1, p.CeilMode, problems);
        if (height <= 0 || width <= 0) return input;
        return FeatureShape.Map(input.Channels, (int)height, (int)width);
    }

    private static FeatureShape Dense(int i, LayerDefinition d, FeatureShape input, string source,
        List<ShapeProblem> problems, List<ParameterTensorShape> parameters, int offset)
    {
        if (!input.IsFlat)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.DenseNeedsFlatten, null, Args(i, source, input)));
            return input;
        }
        Positive(i, d, "Outputs", d.Outputs, problems);
        if (CountErrors(problems) > 0) return input;
        if (d.DeclaredInputs is int declared && declared != input.Length)
        {
            problems.Add(new ShapeProblem(i, ShapeProblemKind.DenseInputsMismatch, "Inputs", Args(i, declared, source, input.Length)));
            return input;
        }
        long weights = (long)d.Outputs * input.Length;
        if (!Fits(i, d, "the weight", weights, problems)) return input;
        parameters.Add(new ParameterTensorShape($"{i}.weight", new[] { d.Outputs, input.Length }, offset));
        if (d.Bias) parameters.Add(new ParameterTensorShape($"{i}.bias", new[] { d.Outputs }, offset + (int)weights));
        return FeatureShape.Vector(d.Outputs);
    }

    /// <summary>Output size along one axis; reports a window that does not fit and input that is never read.</summary>
    private static long Window(int i, LayerDefinition layer, string axis, string units, int size, int padBefore, int padAfter,
        int kernel, int stride, int dilation, bool ceilMode, List<ShapeProblem> problems)
    {
        long effective = (long)dilation * (kernel - 1) + 1;
        long output = layer.IsPool
            ? PoolOutputSize(size, padBefore, kernel, stride, ceilMode)
            : ConvOutputSize(size, padBefore, padAfter, kernel, stride, dilation);
        string property = axis == "height" ? "KernelHeight" : "KernelWidth";
        if (output <= 0)
        {
            long padded = (long)size + padBefore + padAfter;
            long raw = padded - effective;
            long wouldBe = raw < 0 ? -((-raw + stride - 1) / stride) + 1 : raw / stride + 1;
            problems.Add(new ShapeProblem(i, ShapeProblemKind.OutputTooSmall, property, Args(layer.Name, i, axis, size, padded, effective, stride, wouldBe)));
            return 0;
        }
        // the last real input row/column any window touches (windows may run into the padding)
        long lastRead = (output - 1) * stride + effective - 1 - padBefore;
        long unused = size - 1 - lastRead;
        if (unused > 0)
        {
            string strideProperty = axis == "height" ? "StrideHeight" : "StrideWidth";
            problems.Add(new ShapeProblem(i, ShapeProblemKind.UnusedInput, strideProperty, Args(layer.Name, i, unused, units, size)));
        }
        return output;
    }

    private static void Positive(int i, LayerDefinition layer, string property, int value, List<ShapeProblem> problems)
    {
        if (value <= 0) problems.Add(new ShapeProblem(i, ShapeProblemKind.InvalidValue, property, Args(layer.Name, i, property, value, "at least 1")));
    }

    private static void NotNegative(int i, LayerDefinition layer, string property, int value, List<ShapeProblem> problems)
    {
        if (value < 0) problems.Add(new ShapeProblem(i, ShapeProblemKind.InvalidValue, property, Args(layer.Name, i, property, value, "0 or more")));
    }

    private static bool Fits(int i, LayerDefinition layer, string what, long elements, List<ShapeProblem> problems)
    {
        if (elements <= MaxElements) return true;
        problems.Add(new ShapeProblem(i, ShapeProblemKind.TooLarge, null, Args(layer.Name, i, what, elements, MaxElements)));
        return false;
    }

    private static string[] Args(params object[] values)
    {
        var result = new string[values.Length];
        for (int k = 0; k < values.Length; k++)
            result[k] = Convert.ToString(values[k], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return result;
    }
}
