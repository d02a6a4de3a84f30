// Shared between the generator and the runtime library as a linked file: the one source of
// truth for output sizes, state tensor shapes and what makes a network invalid. Each op's own
// rule (Op.Infer) does the work; this file walks the graph. The generator turns the problems into
// diagnostics on the attribute; NetworkSpec turns them into ArgumentException.
using System;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Ir;

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
    NeedsSequence,
    TooLarge,
    UnusedInput,
    ChannelsMismatch,
    PReLUParametersMismatch,
    DuplicateName,
    InvalidName,
    InputTooLarge,
    EmptyNameOnLayer,
    TooManyNodes,
    ResidualMismatch,
    ConcatMismatch,
    MultiplyMismatch,
    PaddingTooLargeForMode,
    ChannelsNotDivisible,
    TransposedOutputTooSmall,
    ImportedTensorMismatch,
}

/// <summary>
/// A mistake found by shape inference. <see cref="Property"/> names the attribute argument at
/// fault (or the family, "Kernel" for Kernel/KernelHeight/KernelWidth), null for the whole layer.
/// </summary>
internal sealed record ShapeProblem(int LayerIndex, ShapeProblemKind Kind, string? Property, EquatableArray<string> Arguments)
{
    public ShapeProblem(int layerIndex, ShapeProblemKind kind, string? property, string[] arguments)
        : this(layerIndex, kind, property, new EquatableArray<string>(arguments))
    {
    }

    public bool IsWarning => Kind == ShapeProblemKind.UnusedInput;

    public string Message
    {
        get
        {
            var arguments = new object[Arguments.Count];
            for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, ShapeMessages.Template(Kind), arguments);
        }
    }
}

/// <summary>Message templates, shared by the generator's descriptors and the library's exceptions.</summary>
internal static class ShapeMessages
{
    public const string InvalidInputShape = "{0} must have a positive number of {1}";
    public const string InvalidValue = "{0}: {2} = {3} is invalid; it must be {4}";
    public const string PoolPaddingTooLarge = "{0}: padding {2} is more than half the kernel {3}; PyTorch allows at most kernel / 2 = {4}";
    public const string InChannelsMismatch = "{0} declares InChannels = {2} but {3} produces {4} channels";
    public const string OutputTooSmall = "{0}: the input {2} is {3}, padded {4}; the effective kernel {2} is {5} and the stride {6}, so the output {2} would be {7}";
    public const string GroupsDoNotDivide = "{0}: Groups = {2} must divide both the input channels ({3}) and Filters ({4})";
    public const string DenseNeedsFlatten = "{0} needs a flat vector but {2} produces {3}; insert [Flatten] before it";
    public const string DenseInputsMismatch = "{0} declares Inputs = {2} but {3} produces {4} features";
    public const string NeedsFeatureMap = "{0} needs a channels x height x width feature map but {2} produces {3}";
    public const string NeedsSequence = "{0} needs a channels x length sequence but {2} produces {3}";
    public const string TooLarge = "{0}: {2} of {3} elements is too large (at most {4})";
    public const string UnusedInput = "{0}: the last window ends before the input does, so the last {2} input {3} of {4} are never used";
    public const string ChannelsMismatch = "{0} declares {2} = {3} but {4} produces {5} channels";
    public const string PReLUParametersMismatch = "{0}: Parameters = {2} must be 1 or the {4} channels {3} produces";
    public const string DuplicateName = "{0}: the module name \"{2}\" is already taken by {3}; the children of one module need different names";
    public const string InputTooLarge = "{0}: the input of {1} elements is too large (at most {2})";
    public const string InvalidName = "{0}: {2} = \"{3}\" is invalid; a module name must be non-empty and must not contain \".\"";
    public const string EmptyNameOnLayer = "{0}: Name = \"\" inserts a block's children in its place, but {2} is a layer, not a block; remove Name or give it a name";
    public const string TooManyNodes = "{0}: the network expands to more than {2} layers, blocks counted at each use; it is too large to generate";
    public const string TooDeep = "{0}: the blocks nest more than {1} deep here; it is too deep to generate";
    public const string ResidualMismatch = "{0}: the body gives {2} but {3} {4}; a residual adds the two, so they must have one shape";
    public const string ConcatMismatch = "{0}: the parts are {2}; they are joined along the channels, so they must have one height and width";
    public const string MultiplyMismatch = "{0}: the input is {2} but the gate gives {3}; the gate must give {4}";
    public const string TransposedOutputTooSmall = "{0}: the output {2} would be ({3} - 1) * {4} - 2 * {5} + {6} * ({7} - 1) + {8} + 1 = {9} (PyTorch's (In - 1) * Stride - 2 * Padding + Dilation * (Kernel - 1) + OutputPadding + 1); it must be at least 1";
    public const string ChannelsNotDivisible = "{0}: {2} produces {3} channels, which Factor * Factor = {4} does not divide; PixelShuffle turns each {4} channels into one channel {5} times the height and width";
    public const string ImportedTensorMismatch = "{0}: the model gives {2} where the layer's {3} [{4}] belongs; they must hold the same number of floats";
    public const string PaddingTooLargeForMode = "{0}: {2} padding of {3} on an input {4} of {5}; PyTorch's {2} padding must be {6}";

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
        ShapeProblemKind.NeedsSequence => NeedsSequence,
        ShapeProblemKind.TooLarge => TooLarge,
        ShapeProblemKind.UnusedInput => UnusedInput,
        ShapeProblemKind.ChannelsMismatch => ChannelsMismatch,
        ShapeProblemKind.PReLUParametersMismatch => PReLUParametersMismatch,
        ShapeProblemKind.DuplicateName => DuplicateName,
        ShapeProblemKind.InvalidName => InvalidName,
        ShapeProblemKind.InputTooLarge => InputTooLarge,
        ShapeProblemKind.EmptyNameOnLayer => EmptyNameOnLayer,
        ShapeProblemKind.TooManyNodes => TooManyNodes,
        ShapeProblemKind.ResidualMismatch => ResidualMismatch,
        ShapeProblemKind.ConcatMismatch => ConcatMismatch,
        ShapeProblemKind.MultiplyMismatch => MultiplyMismatch,
        ShapeProblemKind.PaddingTooLargeForMode => PaddingTooLargeForMode,
        ShapeProblemKind.ChannelsNotDivisible => ChannelsNotDivisible,
        ShapeProblemKind.TransposedOutputTooSmall => TransposedOutputTooSmall,
        ShapeProblemKind.ImportedTensorMismatch => ImportedTensorMismatch,
    };
}

/// <summary>The shapes around one node and the state tensors it owns.</summary>
internal sealed record LayerShapes(FeatureShape Input, FeatureShape Output, EquatableArray<StateTensor> Tensors)
{
    /// <summary>Every input in order (<see cref="Input"/> is the first): the parts of a Concat, a Residual's two terms.</summary>
    public EquatableArray<FeatureShape> Inputs { get; init; } = new(new[] { Input });
}

/// <summary>The result of inference: per-node shapes (complete only when there are no errors) and problems.</summary>
internal sealed class NetworkShapes
{
    public NetworkShapes(NetworkGraph graph, List<LayerShapes> layers, List<ShapeProblem> problems, int parameterCount)
    {
        Graph = graph;
        Layers = layers;
        Problems = problems;
        ParameterCount = parameterCount;
    }

    public NetworkGraph Graph { get; }
    public FeatureShape Input => Graph.Input;
    public IReadOnlyList<LayerShapes> Layers { get; }
    public IReadOnlyList<ShapeProblem> Problems { get; }

    /// <summary>Floats in the flat state vector: every state_dict tensor, parameters and buffers.</summary>
    public int ParameterCount { get; }

    public FeatureShape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

    /// <summary>Every state tensor in state_dict order.</summary>
    public IEnumerable<StateTensor> Tensors
    {
        get
        {
            foreach (var layer in Layers)
                foreach (var tensor in layer.Tensors) yield return tensor;
        }
    }

    public bool HasErrors => InferenceContext.CountErrors((List<ShapeProblem>)Problems) > 0;
}

internal static class ShapeInference
{
    /// <summary>No tensor, activation or parameter vector may exceed this many elements (spans are int-indexed).</summary>
    public const long MaxElements = 1 << 30;

    /// <summary>
    /// No network's state may exceed this many floats: the generated code keeps up to two copies of its
    /// convolution weights beside it (BatchNorm folded in, weights permuted for the channel-vector path),
    /// so the state and the copies together stay below 2^31, an int's reach.
    /// </summary>
    public const long MaxParameters = 1 << 29;

    /// <summary>The product of sizes, exactly: a long would wrap around, and a wrapped size may look small.</summary>
    public static System.Numerics.BigInteger Elements(params long[] dimensions)
    {
        var product = System.Numerics.BigInteger.One;
        foreach (var d in dimensions) product *= d;
        return product;
    }

    /// <summary>PyTorch's Conv2d output size: floor((In + padBefore + padAfter - dilation*(K-1) - 1) / S) + 1, or 0 when the window does not fit.</summary>
    public static long ConvOutputSize(long input, long padBefore, long padAfter, long kernel, long stride, long dilation)
    {
        long span = input + padBefore + padAfter - dilation * (kernel - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>
    /// PyTorch's pooling output size (pooling_output_shape): floor((In + 2 * pad - D * (K - 1) - 1 + (ceil_mode ? S - 1 : 0)) / S) + 1,
    /// and with ceil_mode one less where the last window would start in the right padding; 0 where PyTorch has no output.
    /// With ceil_mode a window up to S - 1 longer than the padded input still gives one output, over what it covers:
    /// nn.MaxPool2d(3, 2, ceil_mode=True) on a 2 x 2 map gives 1 x 1.
    /// </summary>
    public static long PoolOutputSize(long input, long pad, long kernel, long stride, bool ceilMode, long dilation = 1)
    {
        long span = input + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        if (span < 0) return 0;
        long output = span / stride + 1;
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    public static NetworkShapes Infer(FeatureShape input, IReadOnlyList<Op> ops) => Infer(NetworkGraph.Chain(input, ops));

    public static NetworkShapes Infer(NetworkGraph graph)
    {
        var input = graph.Input;
        var problems = new List<ShapeProblem>();
        var shapes = new List<LayerShapes>();
        if (!HasPositiveSizes(input))
        {
            problems.Add(new ShapeProblem(-1, ShapeProblemKind.InvalidInputShape, null, InferenceContext.Args(Written(input), input.IsSequence ? "channels and positions" : "channels, rows and columns")));
            return new NetworkShapes(graph, shapes, problems, 0);
        }
        var inputElements = Elements(input.Channels, input.Height, input.Width);
        if (inputElements > MaxElements)
        {
            problems.Add(new ShapeProblem(-1, ShapeProblemKind.InputTooLarge, null, InferenceContext.Args(Written(input), inputElements, MaxElements)));
            return new NetworkShapes(graph, shapes, problems, 0);
        }
        var values = new Dictionary<int, FeatureShape> { [0] = input };
        var labels = new Dictionary<int, string> { [0] = "InputShape" };
        // values of nodes that failed, and of nodes that read them: what reads them would only report consequences
        var failed = new HashSet<int>();
        long parameterCount = 0;
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (node.Inputs.Any(failed.Contains))
            {
                failed.Add(node.Output);
                continue;
            }
            var inputs = new FeatureShape[node.Inputs.Count];
            var sources = new string[node.Inputs.Count];
            for (int k = 0; k < inputs.Length; k++)
            {
                inputs[k] = values[node.Inputs[k]];
                sources[k] = labels[node.Inputs[k]];
            }
            var tensors = new List<StateTensor>();
            var context = new InferenceContext(i, node, inputs, sources, problems, tensors, parameterCount);
            var output = node.Op.Infer(context);
            context.CheckAllImportedTaken();
            if (context.Failed)
            {
                // a branch beside this one (another use of the same block) may still have mistakes of its own
                failed.Add(node.Output);
                continue;
            }
            parameterCount = context.Offset;
            if (parameterCount > MaxParameters)
            {
                problems.Add(new ShapeProblem(i, ShapeProblemKind.TooLarge, null, InferenceContext.Args(node.Where, i, "the parameter vector", parameterCount, MaxParameters)));
                return new NetworkShapes(graph, shapes, problems, 0);
            }
            shapes.Add(new LayerShapes(inputs[0], output, new EquatableArray<StateTensor>(tensors)) { Inputs = new EquatableArray<FeatureShape>(inputs) });
            values[node.Output] = output;
            labels[node.Output] = node.Label;
        }
        return new NetworkShapes(graph, shapes, problems, failed.Count > 0 ? 0 : (int)parameterCount);
    }

    /// <summary>The input's attribute as written: "InputShape(3, 32, 32)", or "InputShape(2, 400)" for a sequence.</summary>
    private static string Written(FeatureShape input) =>
        input.IsSequence ? $"InputShape({input.Channels}, {input.Width})" : $"InputShape({input.Channels}, {input.Height}, {input.Width})";

    /// <summary>Whether [InputShape] gives a valid input: what <see cref="Infer(NetworkGraph)"/> checks before any layer.</summary>
    public static bool IsValidInput(FeatureShape input) => HasPositiveSizes(input) && Elements(input.Channels, input.Height, input.Width) <= MaxElements;

    private static bool HasPositiveSizes(FeatureShape input) => input.Channels > 0 && input.Height > 0 && input.Width > 0;

    /// <summary>The last axis in messages: a map's width in columns, a sequence's length in positions.</summary>
    public static (string Axis, string Units) LastAxis(int spatialRank) => spatialRank == 1 ? ("length", "positions") : ("width", "columns");

    /// <summary>Output size along one axis; reports a window that does not fit and input that is never read.</summary>
    public static long Window(InferenceContext context, string axis, string units, int size, int padBefore, int padAfter,
        int kernel, int stride, int dilation, bool pool, bool ceilMode, bool bordersCopyInput = false)
    {
        long effective = (long)dilation * (kernel - 1) + 1;
        long output = pool
            ? PoolOutputSize(size, padBefore, kernel, stride, ceilMode, dilation)
            : ConvOutputSize(size, padBefore, padAfter, kernel, stride, dilation);
        string property = axis == "height" ? "KernelHeight" : "KernelWidth";
        if (output <= 0)
        {
            long padded = (long)size + padBefore + padAfter;
            // the formula's value before it is clamped to no output: floor division, as PyTorch's div_rtn
            long raw = padded - effective + (pool && ceilMode ? stride - 1 : 0);
            long wouldBe = raw < 0 ? -((-raw + stride - 1) / stride) + 1 : raw / stride + 1;
            context.Report(ShapeProblemKind.OutputTooSmall, property, context.Where, context.Index, axis, size, padded, effective, stride, wouldBe);
            return 0;
        }
        // the last real input row/column any window touches (windows may run into the padding)
        long lastRead = (output - 1) * stride + effective - 1 - padBefore;
        long unused = size - 1 - lastRead;
        // a window narrower than its stride skips input between windows by design (a ResNet's 1x1
        // stride-2 projection): the tail it skips says nothing more
        if (unused > 0 && effective >= stride && !(bordersCopyInput && padBefore + padAfter > 0))
        {
            string strideProperty = axis == "height" ? "StrideHeight" : "StrideWidth";
            context.Report(ShapeProblemKind.UnusedInput, strideProperty, context.Where, context.Index, unused, units, size);
        }
        return output;
    }
}
