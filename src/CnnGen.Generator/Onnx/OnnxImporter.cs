using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Onnx;

/// <summary>Where one tensor of an imported network's state comes from: a range of the weights blob, or numbers the text form holds.</summary>
internal sealed record WeightSource(string Name, long BlobOffset, int Length, EquatableArray<float> Inline);

/// <summary>What the importer made of a model: the graph and its weights' sources, or the one reason it cannot compile it.</summary>
internal sealed record OnnxImport(NetworkGraph? Graph, EquatableArray<WeightSource> Weights, string? Problem)
{
    public static OnnxImport Failed(string problem) => new(null, EquatableArray<WeightSource>.Empty, problem);
}

/// <summary>
/// Maps an ONNX graph onto the network IR, exactly or not at all. Values known when the code is generated
/// (initializers, Constant nodes, and the shape arithmetic an exporter writes: Shape, Gather, Concat, Reshape, ...)
/// are evaluated here; elementwise chains become the activation they compute (<see cref="ElementwiseFormula"/>); every
/// other node must be an op the IR expresses with the same meaning, or the import fails naming the node, its op and
/// why. The first problem ends the import: one error for one model.
/// </summary>
internal sealed partial class OnnxImporter
{
    /// <summary>The opsets ONNX 1.12 defines: the importer knows each op's attributes and inputs, the legacy ones of opsets 1 to 6 included.</summary>
    public const int MinOpset = 1, MaxOpset = 17;

    private readonly OnnxGraph _graph;
    private readonly long _opset;
    private readonly Dictionary<string, OnnxConstant> _constants = new();
    private readonly Dictionary<string, ElementwiseValue> _activations = new();
    private readonly Dictionary<string, int> _consumers = new();

    /// <summary>The first node that reads each value: with one reader, its only reader.</summary>
    private readonly Dictionary<string, OnnxNode> _firstReader = new();
    private readonly List<Node> _nodes = new();
    private readonly List<WeightSource> _weights = new();
    private readonly Dictionary<ElementwiseValue, int> _materialized = new();
    private readonly HashSet<string> _usedWeights = new();
    private FeatureShape _input;

    /// <summary>An activation as a function of a value the IR has: the value's number and shape, and the elementwise formula still to apply.</summary>
    private sealed record ElementwiseValue(int Value, FeatureShape Shape, ElementwiseFormula Formula, string Producer)
    {
        /// <summary>
        /// The dimensions the graph sees (without the batch) where a Transpose moved only axes of size 1, which changes
        /// the shape but not one float's place: M5's avg_pool1d then permute(0, 2, 1) gives [1, C] from [C, 1]. Null
        /// where they are the IR shape's own. Only the ops that read the floats in order (Flatten, Reshape, MatMul,
        /// Gemm, Softmax over the last axis, elementwise formulas) take a viewed value.
        /// </summary>
        public EquatableArray<int>? View { get; init; }
    }

    private OnnxImporter(OnnxGraph graph, long opset)
    {
        _graph = graph;
        _opset = opset;
    }

    public static OnnxImport Import(OnnxModel model)
    {
        try
        {
            var opset = model.OpsetVersion("");
            if (opset is null) return OnnxImport.Failed("the model imports no version of the default ONNX operator set (ai.onnx)");
            if (opset < MinOpset || opset > MaxOpset)
                return OnnxImport.Failed($"the model uses ONNX opset {opset}; CnnGen imports opsets {MinOpset} to {MaxOpset} (ONNX 1.12)");
            var importer = new OnnxImporter(model.Graph, opset.Value);
            return importer.Run();
        }
        catch (ImportException e)
        {
            return OnnxImport.Failed(e.Message);
        }
    }

    /// <summary>Ends the import with a problem: thrown inside, caught once in <see cref="Import"/>.</summary>
    private sealed class ImportException : Exception
    {
        public ImportException(string message) : base(message)
        {
        }
    }

    private static ImportException Refuse(string message) => new(message);

    private static ImportException Refuse(OnnxNode node, string why) => new($"node {Describe(node)}: {why}");

    public static string Describe(OnnxNode node) => (node.Name.Length == 0 ? "(unnamed)" : "'" + node.Name + "'") + " (" + node.OpType + ")";

    private OnnxImport Run()
    {
        foreach (var initializer in _graph.Initializers)
        {
            if (_constants.ContainsKey(initializer.Name)) throw Refuse($"two initializers are named '{initializer.Name}'; every value of an ONNX graph has one definition");
            _constants[initializer.Name] = OnnxConstant.From(initializer) ?? throw Refuse($"initializer '{initializer.Name}' has a negative dimension");
        }
        CheckDefinitions();
        ReadInput();
        foreach (var node in _graph.Nodes)
            foreach (var input in node.Inputs)
                if (input.Length > 0)
                {
                    _consumers[input] = _consumers.TryGetValue(input, out int n) ? n + 1 : 1;
                    if (!_firstReader.ContainsKey(input)) _firstReader[input] = node;
                }
        if (_graph.Outputs.Count != 1) throw Refuse($"the graph has {_graph.Outputs.Count} outputs; CnnGen compiles networks with one float output");
        var output = _graph.Outputs[0];
        if (output.Kind == OnnxTypeKind.Tensor && output.ElementType != OnnxDataType.Float)
            throw Refuse($"the graph's output '{output.Name}' is {OnnxDataTypes.OnnxName(output.ElementType)}; CnnGen's networks compute floats");
        _consumers[output.Name] = _consumers.TryGetValue(output.Name, out int c) ? c + 1 : 1;

        foreach (var node in _graph.Nodes)
        {
            if (!OnnxModel.IsDefaultDomain(node.Domain)) throw Refuse(node, $"its domain '{node.Domain}' is not ONNX's own (ai.onnx)");
            ImportNode(node);
        }

        if (!_activations.TryGetValue(output.Name, out var result))
            throw Refuse(_constants.ContainsKey(output.Name)
                ? $"the graph's output '{output.Name}' does not depend on its input"
                : $"the graph's output '{output.Name}' is not computed by any node");
        int last = Materialize(result, "the graph's output");
        // the output must be the graph's last node: a value computed earlier (the input itself, a shared value) gets an Identity
        if (_nodes.Count == 0 || _nodes[_nodes.Count - 1].Output != last) AddNode(new IdentityOp(), new[] { last }, output.Name, "Identity", Array.Empty<WeightSource>());
        return new OnnxImport(new NetworkGraph(_input, new EquatableArray<Node>(_nodes.ToArray())), new EquatableArray<WeightSource>(_weights.ToArray()), null);
    }

    /// <summary>
    /// ONNX's graph rules, before any node is read: each value is defined once (an initializer, a graph input, a node's
    /// output), and every node reads only values defined before it, so the nodes are in order and have no cycle.
    /// </summary>
    private void CheckDefinitions()
    {
        var defined = new HashSet<string>(_constants.Keys);
        foreach (var input in _graph.Inputs)
            if (!_constants.ContainsKey(input.Name) && !defined.Add(input.Name)) throw Refuse($"the graph declares the input '{input.Name}' twice");
        foreach (var node in _graph.Nodes)
        {
            foreach (var input in node.Inputs)
                if (input.Length > 0 && !defined.Contains(input))
                    throw Refuse(node, $"it reads '{input}', which no initializer, graph input or earlier node defines (ONNX's nodes are in order, without cycles)");
            foreach (var output in node.Outputs)
                if (output.Length > 0 && !defined.Add(output))
                    throw Refuse(node, $"it defines '{output}', which is already defined; every value of an ONNX graph has one definition");
        }
    }

    /// <summary>The one float input that is no initializer: its shape without the batch dimension is the network's input.</summary>
    private void ReadInput()
    {
        var inputs = _graph.Inputs.Where(i => !_constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw Refuse($"the graph has {inputs.Count} inputs besides its initializers ({string.Join(", ", inputs.Select(i => "'" + i.Name + "'"))}); CnnGen compiles networks with one float input");
        var input = inputs[0];
        if (input.Kind != OnnxTypeKind.Tensor || input.ElementType != OnnxDataType.Float)
            throw Refuse($"the graph's input '{input.Name}' is not a float tensor; CnnGen's networks take floats");
        if (!input.HasShape) throw Refuse($"the graph's input '{input.Name}' has no shape; CnnGen needs its sizes when it generates the code");
        var dims = input.Dims;
        if (dims.Count is not (2 or 3 or 4))
            throw Refuse($"the graph's input '{input.Name}' has {dims.Count} dimensions; CnnGen takes [N, C, H, W] maps, [N, C, L] sequences and [N, features] vectors");
        if (dims[0].Kind == OnnxDimKind.Fixed && dims[0].Value < 1) throw Refuse($"the batch dimension of the graph's input '{input.Name}' is {dims[0].Value}");
        var sizes = new int[dims.Count - 1];
        for (int i = 1; i < dims.Count; i++)
        {
            var dim = dims[i];
            if (dim.Kind != OnnxDimKind.Fixed)
                throw Refuse($"dimension {i} of the graph's input '{input.Name}' is {(dim.Kind == OnnxDimKind.Symbolic ? "'" + dim.Param + "'" : "unknown")}; only the batch dimension may be dynamic: CnnGen fixes every other size when it generates the code");
            if (dim.Value < 1 || dim.Value > int.MaxValue) throw Refuse($"dimension {i} of the graph's input '{input.Name}' is {dim.Value}");
            sizes[i - 1] = (int)dim.Value;
        }
        _input = sizes.Length switch
        {
            3 => FeatureShape.Map(sizes[0], sizes[1], sizes[2]),
            2 => FeatureShape.Sequence(sizes[0], sizes[1]),
            _ => FeatureShape.Vector(sizes[0]),
        };
        if (!ShapeInference.IsValidInput(_input)) throw Refuse($"the graph's input '{input.Name}' of {_input} is too large");
        _activations[input.Name] = new ElementwiseValue(0, _input, ElementwiseFormula.Input.Instance, "the graph's input");
    }

    // ---- values ----

    private bool IsActivation(string name) => _activations.ContainsKey(name);

    /// <summary>The one node that reads a value, when exactly one does and the value is not also the graph's output.</summary>
    private OnnxNode? OnlyReader(string value)
    {
        if (!_consumers.TryGetValue(value, out int readers) || readers != 1) return null;
        // the graph's output is counted as a reader, so a value read once by a node and also returned has no only reader
        return _firstReader.TryGetValue(value, out var reader) ? reader : null;
    }

    private ElementwiseValue Activation(OnnxNode node, int index)
    {
        string name = Input(node, index) ?? throw Refuse(node, $"its input {index} is missing");
        if (_activations.TryGetValue(name, out var value)) return value;
        if (_constants.ContainsKey(name)) throw Refuse(node, $"its input '{name}' is a constant where CnnGen needs the network's activations");
        if (_pendingTranspose.ContainsKey(name) || _softmaxOverChannels.ContainsKey(name) || _slices.ContainsKey(name) || _channelGroups.ContainsKey(name) || _transposedGroups.ContainsKey(name))
            throw Refuse(node, $"it reads '{name}', a transposed, sliced or regrouped activation; CnnGen keeps activations in NCHW and compiles Transpose, Slice of rows or columns and Reshape to more dimensions only in the patterns of a softmax over the channels, of circular padding and of a channel shuffle");
        throw Refuse(node, $"its input '{name}' is not defined before it");
    }

    private static string? Input(OnnxNode node, int index) => index < node.Inputs.Count && node.Inputs[index].Length > 0 ? node.Inputs[index] : null;

    private OnnxConstant? OptionalConstant(OnnxNode node, int index)
    {
        string? name = Input(node, index);
        if (name is null) return null;
        if (_constants.TryGetValue(name, out var constant)) return constant;
        if (_activations.ContainsKey(name)) throw Refuse(node, $"its input '{name}' depends on the network's input; CnnGen needs it to be a constant");
        throw Refuse(node, $"its input '{name}' is not defined before it");
    }

    private OnnxConstant Constant(OnnxNode node, int index) => OptionalConstant(node, index) ?? throw Refuse(node, $"its input {index} is missing");

    /// <summary>The numbers of a constant input, which must be known here (not a large initializer's blob).</summary>
    private long[] Longs(OnnxNode node, int index, string what)
    {
        var constant = Constant(node, index);
        if (constant.HasBatch) throw Refuse(node, $"its {what} depend on the batch size");
        return constant.Longs() ?? throw Refuse(node, $"its {what} are not whole numbers known when the code is generated");
    }

    private void Define(OnnxNode node, int output, ElementwiseValue value)
    {
        if (output >= node.Outputs.Count || node.Outputs[output].Length == 0) return;
        // the activations' formulas are a few nodes; a longer chain becomes layers now, so no formula grows without bound
        if (value.Formula.Size > ElementwiseFormula.MaxSize)
            value = new ElementwiseValue(Materialize(value, Describe(node)), value.Shape, ElementwiseFormula.Input.Instance, Describe(node));
        _activations[node.Outputs[output]] = value;
    }

    private void DefineConstant(OnnxNode node, OnnxConstant constant)
    {
        if (node.Outputs.Count > 0 && node.Outputs[0].Length > 0) _constants[node.Outputs[0]] = constant;
    }

    /// <summary>Optional outputs an op may have (MaxPool's indices, Dropout's mask) must not be read: CnnGen does not compute them.</summary>
    private void OnlyFirstOutputUsed(OnnxNode node)
    {
        for (int i = 1; i < node.Outputs.Count; i++)
            if (node.Outputs[i].Length > 0 && (_consumers.ContainsKey(node.Outputs[i])))
                throw Refuse(node, $"its output {i} ('{node.Outputs[i]}') is used; CnnGen computes only its first output");
    }

    /// <summary>The value in the IR: an elementwise formula still pending becomes its activation layer (once per value).</summary>
    private int Materialize(ElementwiseValue value, string usedBy)
    {
        // -(-x), x * 1: a formula that is its input leaves the value as it is
        if (value.Formula is ElementwiseFormula.Input || ElementwiseFormula.IsIdentity(value.Formula)) return value.Value;
        if (_materialized.TryGetValue(value, out int done)) return done;
        int result;
        var activation = ElementwiseFormula.Match(value.Formula);
        if (activation is not null)
        {
            string name = value.Formula.Nodes.LastOrDefault() ?? value.Producer;
            result = AddNode(activation, new[] { value.Value }, name, string.Join("/", value.Formula.Nodes.Distinct()), Array.Empty<WeightSource>());
        }
        else if (value.Formula is ElementwiseFormula.Binary { OpType: "Add" or "Mul" } join && join.Left.ReadsInput && join.Right.ReadsInput)
        {
            // x + f(x) or x * g(x) that no activation computes: a residual sum or a gate of two values
            int left = Materialize(value with { Formula = join.Left }, usedBy);
            int right = Materialize(value with { Formula = join.Right }, usedBy);
            Op op = join.OpType == "Add" ? new AddOp { HasShortcut = true } : new MultiplyOp();
            result = AddNode(op, new[] { left, right }, join.Node, join.OpType, Array.Empty<WeightSource>());
        }
        else
        {
            string nodes = string.Join(", ", value.Formula.Nodes.Distinct().Select(n => "'" + n + "'"));
            throw Refuse($"nodes {nodes} compute an elementwise function of {value.Producer} that is none of the activations CnnGen compiles (ReLU, LeakyReLU, ReLU6, Hardtanh, Sigmoid, Tanh, HardSigmoid and HardSwish as PyTorch defines them, SiLU, Mish, GELU, ELU, SELU, Softplus)");
        }
        _materialized[value] = result;
        return result;
    }

    /// <summary>Appends a node reading <paramref name="inputs"/>; its key is the ONNX node's name. Returns the value it defines.</summary>
    private int AddNode(Op op, int[] inputs, string key, string opType, IReadOnlyList<WeightSource> weights)
    {
        int output = _nodes.Count + 1;
        string where = $"{opType} node '{key}'";
        _nodes.Add(new Node(op, new EquatableArray<int>(inputs), output, key, where, where)
        {
            Tensors = new EquatableArray<ImportedTensor>(weights.Select(w => new ImportedTensor(w.Name, WeightDimensions(w.Name))).ToArray()),
        });
        _weights.AddRange(weights);
        if (_nodes.Count > BlockExpansion.MaxNodes) throw Refuse($"the model has more than {BlockExpansion.MaxNodes} layers; it is too large to generate");
        InferLast();
        return output;
    }

    /// <summary>Each value's shape, inferred node by node as the IR's rules infer the whole graph.</summary>
    private readonly Dictionary<int, FeatureShape> _valueShapes = new();

    private long _stateLength;

    /// <summary>
    /// The new node's shape by its op's own rule, once (a whole-graph inference per node would cost the square of a
    /// large model's size): a problem it reports is the model's, refused with the node named.
    /// </summary>
    private void InferLast()
    {
        if (_valueShapes.Count == 0) _valueShapes[0] = _input;
        int index = _nodes.Count - 1;
        var node = _nodes[index];
        var inputs = node.Inputs.Select(v => _valueShapes[v]).ToArray();
        var problems = new List<ShapeProblem>();
        var context = new InferenceContext(index, node, inputs, node.Inputs.Select(v => v == 0 ? "the input" : _nodes[v - 1].Label).ToArray(), problems, new List<StateTensor>(), _stateLength);
        var shape = node.Op.Infer(context);
        context.CheckAllImportedTaken();
        var error = problems.FirstOrDefault(p => !p.IsWarning);
        if (error is not null) throw Refuse(error.Message);
        _stateLength = context.Offset;
        if (_stateLength > ShapeInference.MaxParameters) throw Refuse($"the model's weights hold {_stateLength} floats; CnnGen's networks hold at most {ShapeInference.MaxParameters}");
        _valueShapes[node.Output] = shape;
    }

    private readonly Dictionary<string, EquatableArray<int>> _weightDimensions = new();

    private EquatableArray<int> WeightDimensions(string name) => _weightDimensions[name];

    /// <summary>
    /// A constant input as a tensor of the layer's state: a float tensor, under its ONNX name, from the blob or the
    /// numbers the text holds. Each tensor enters the state once; a model that shares one between two layers is refused.
    /// </summary>
    private WeightSource Weight(OnnxNode node, int index, string role) =>
        Weight(node, Input(node, index) ?? throw Refuse(node, $"its {role} is missing"), Constant(node, index), role);

    private WeightSource Weight(OnnxNode node, string name, OnnxConstant constant, string role)
    {
        if (constant.TransposeOf is not null) throw Refuse(node, $"its {role} '{name}' is a transposed initializer; CnnGen takes it so only as a MatMul's weight");
        if (constant.Type != OnnxDataType.Float)
            throw Refuse(node, $"its {role} '{name}' is {OnnxDataTypes.OnnxName(constant.Type)}; CnnGen's weights are FLOAT tensors");
        if (!_usedWeights.Add(name)) throw Refuse(node, $"its {role} '{name}' is used by another layer too; CnnGen gives each layer tensors of its own");
        long count = constant.Count;
        if (count > ShapeInference.MaxElements) throw Refuse(node, $"its {role} '{name}' of {count} elements is too large");
        if (constant.Dims.Any(d => d > int.MaxValue)) throw Refuse(node, $"its {role} '{name}' has a dimension too large");
        _weightDimensions[name] = new EquatableArray<int>(constant.Dims.Select(d => (int)d));
        return constant.Source?.Data switch
        {
            OnnxTensorData.Blob blob when blob.Offset < 0 || blob.Offset > int.MaxValue - blob.Length => throw Refuse(node, $"its {role} '{name}' lies at {blob.Offset} in the weights, past what a .NET array holds"),
            OnnxTensorData.Blob blob when blob.Length == count * 4 => new WeightSource(name, blob.Offset, (int)count, EquatableArray<float>.Empty),
            OnnxTensorData.Blob => throw Refuse(node, $"its {role} '{name}' has {count} elements but its data holds another number of bytes"),
            _ when constant.Values is { } values && values.Length == count => new WeightSource(name, -1, (int)count, new EquatableArray<float>(values.Select(v => (float)v))),
            _ => throw Refuse(node, $"its {role} '{name}' holds no numbers CnnGen can read (external data, or a data type it does not decode)"),
        };
    }

    // ---- attributes ----

    private static long Int(OnnxNode node, string name, long defaultValue) => node.Attribute(name) switch
    {
        null => defaultValue,
        OnnxAttribute.Int i => i.Value,
        _ => throw Refuse(node, $"its attribute {name} is not an integer"),
    };

    private static float Float(OnnxNode node, string name, float defaultValue) => node.Attribute(name) switch
    {
        null => defaultValue,
        OnnxAttribute.Float f => f.Value,
        _ => throw Refuse(node, $"its attribute {name} is not a float"),
    };

    private static string String(OnnxNode node, string name, string defaultValue) => node.Attribute(name) switch
    {
        null => defaultValue,
        OnnxAttribute.String s => s.Value,
        _ => throw Refuse(node, $"its attribute {name} is not a string"),
    };

    private static long[]? Ints(OnnxNode node, string name) => node.Attribute(name) switch
    {
        null => null,
        OnnxAttribute.Ints i => i.Values.ToArray(),
        _ => throw Refuse(node, $"its attribute {name} is not a list of integers"),
    };

    private static float[]? Floats(OnnxNode node, string name) => node.Attribute(name) switch
    {
        null => null,
        OnnxAttribute.Floats f => f.Values.ToArray(),
        _ => throw Refuse(node, $"its attribute {name} is not a list of floats"),
    };

    /// <summary>A size that must fit an int: the generated code's constants are ints.</summary>
    private static int Small(OnnxNode node, long value, string what) =>
        value is >= int.MinValue / 2 and <= int.MaxValue / 2 ? (int)value : throw Refuse(node, $"its {what} {value} is out of range");

    private static string Text(IEnumerable<long> values) => "[" + string.Join(", ", values) + "]";

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
