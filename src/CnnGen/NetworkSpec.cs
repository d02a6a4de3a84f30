using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen;

/// <summary>
/// A floating-point tensor of a network's state_dict: a learnable parameter, or a buffer such as
/// BatchNorm's running statistics. Its key, PyTorch shape and place in the flat state vector.
/// </summary>
public sealed class ParameterTensor
{
    internal ParameterTensor(int layerIndex, StateTensor tensor)
    {
        LayerIndex = layerIndex;
        Name = tensor.Name;
        Shape = tensor.Dimensions.ToArray();
        Offset = tensor.Offset;
        Length = tensor.Length;
        IsBuffer = tensor.IsBuffer;
    }

    /// <summary>The node of <see cref="NetworkSpec.Nodes"/> that owns the tensor (for a sequential network, the layer's index).</summary>
    public int LayerIndex { get; }

    /// <summary>The key nn.Sequential gives it in state_dict(): "0.weight", "3.bias", "features.running_mean".</summary>
    public string Name { get; }

    /// <summary>Whether the tensor is a buffer (BatchNorm's running_mean and running_var), not a learnable parameter.</summary>
    public bool IsBuffer { get; }

    /// <summary>The tensor's shape in PyTorch's layout.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Where the tensor starts in the flat state vector (the state_dict's float tensors in order).</summary>
    public int Offset { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// One node of a <see cref="NetworkSpec"/>'s graph: a layer, or where a block's branches meet (a
/// Residual's sum, a Concat, a Multiply). Values are numbered: 0 is the network's input, node i
/// defines <see cref="Output"/>.
/// </summary>
public sealed class NetworkNode
{
    internal NetworkNode(Node node, LayerShapes shapes)
    {
        Kind = node.Op.Kind;
        Module = node.Key;
        Description = node.Where;
        Inputs = node.Inputs.ToArray();
        Output = node.Output;
        InputShapes = shapes.Inputs.Select(NetworkSpec.Dimensions).ToArray();
        OutputShape = NetworkSpec.Dimensions(shapes.Output);
    }

    /// <summary>The attribute's name: "Conv2D", "ReLU"; "Residual", "Concat", "Multiply" where a block joins its branches.</summary>
    public string Kind { get; }

    /// <summary>The module's state_dict key ("layer1.0.conv1"): its tensors are "{Module}.weight".</summary>
    public string Module { get; }

    /// <summary>Where the node is, as messages name it: "Conv2D (layer 3)", "Network > 5 (Residual) > conv1 (Conv2D)".</summary>
    public string Description { get; }

    /// <summary>The values the node reads, in order (a Residual: body, then shortcut or input; a Multiply: input, then gate).</summary>
    public IReadOnlyList<int> Inputs { get; }

    /// <summary>The value the node defines.</summary>
    public int Output { get; }

    /// <summary>The shape of each value the node reads.</summary>
    public IReadOnlyList<IReadOnlyList<int>> InputShapes { get; }

    /// <summary>The shape the node produces.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>
/// A network as runtime data: the input shape and the layers in order, with every shape inferred by
/// the same arithmetic the generator uses. Generated classes expose theirs as <c>Spec</c>; the
/// reference engine (<see cref="Reference.ReferenceNetwork"/>) runs one. The parameters are the
/// state_dict's floating-point tensors in order: <c>torch.cat([t.flatten() for t in
/// model.state_dict().values() if t.is_floating_point()])</c> (per module its parameters, then its
/// float buffers: BatchNorm's weight, bias, running_mean, running_var).
/// </summary>
public sealed class NetworkSpec
{
    private readonly NetworkShapes _shapes;

    /// <summary>
    /// A network over channels x height x width inputs: <paramref name="layers"/> in order, each a layer
    /// or a block (<see cref="SequentialSpec"/>, <see cref="ResidualSpec"/>, <see cref="ConcatSpec"/>,
    /// <see cref="MultiplySpec"/>), named as the attributes name them.
    /// </summary>
    /// <exception cref="ArgumentException">The layers do not fit together, or two modules share a name; the message says where and why.</exception>
    public NetworkSpec(int channels, int height, int width, IEnumerable<LayerSpec> layers)
        : this(channels, height, width, layers, "Network")
    {
    }

    /// <summary>As the other constructor; <paramref name="name"/> names the network in messages ("Name > 2 (Residual) > conv1 (Conv2D)").</summary>
    /// <exception cref="ArgumentException">The layers do not fit together, or two modules share a name; the message says where and why.</exception>
    public NetworkSpec(int channels, int height, int width, IEnumerable<LayerSpec> layers, string name)
        : this(FeatureShape.Map(channels, height, width), layers, name)
    {
    }

    /// <summary>A 1D network over channels x length inputs (NCL), as <c>[InputShape(channels, length)]</c> declares one.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together, or two modules share a name; the message says where and why.</exception>
    public NetworkSpec(int channels, int length, IEnumerable<LayerSpec> layers)
        : this(channels, length, layers, "Network")
    {
    }

    /// <summary>As the other 1D constructor; <paramref name="name"/> names the network in messages.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together, or two modules share a name; the message says where and why.</exception>
    public NetworkSpec(int channels, int length, IEnumerable<LayerSpec> layers, string name)
        : this(FeatureShape.Sequence(channels, length), layers, name)
    {
    }

    /// <summary>
    /// A network given as a graph: <paramref name="inputShape"/> is [channels, height, width], [channels, length] or [features],
    /// and node i defines value i + 1 from the values it reads (0 is the input); the last node gives the output.
    /// This is the form <see cref="OnnxModelAttribute"/> generates.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The input shape has not 1 to 3 sizes, a node reads a value not defined before it or the wrong number
    /// of values, an imported tensor does not fit its layer, or the layers do not fit together; the message says where and why.
    /// </exception>
    public NetworkSpec(IReadOnlyList<int> inputShape, IEnumerable<GraphNodeSpec> nodes, string name)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(name);
        var input = inputShape.Count switch
        {
            3 => FeatureShape.Map(inputShape[0], inputShape[1], inputShape[2]),
            2 => FeatureShape.Sequence(inputShape[0], inputShape[1]),
            1 => FeatureShape.Vector(inputShape[0]),
            _ => throw new ArgumentException("The input shape is [channels, height, width], [channels, length] or [features].", nameof(inputShape)),
        };
        var list = nodes.ToArray();
        var graphNodes = new Node[list.Length];
        for (int i = 0; i < list.Length; i++)
        {
            var spec = list[i] ?? throw new ArgumentException($"Node {i} is null.", nameof(nodes));
            string number = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string where = spec.Description ?? $"{spec.Layer.Name} (node {number})";
            bool join = spec.Layer is JoinSpec;
            if (join ? !((JoinSpec)spec.Layer).Accepts(spec.Inputs.Count) : spec.Inputs.Count != 1)
                throw new ArgumentException($"{where} reads {spec.Inputs.Count} values; " + (join ? "a sum or product reads two, a concatenation one or more." : "a layer reads one."), nameof(nodes));
            foreach (int value in spec.Inputs)
                if (value < 0 || value > i) throw new ArgumentException($"{where} reads value {value}, which is not defined before it (0 is the input, node j defines j + 1).", nameof(nodes));
            var op = spec.Layer is JoinSpec joinSpec ? joinSpec.GraphOp() : spec.Layer.ToItem() is LayerItem item ? item.Op
                : throw new ArgumentException($"{where} is not a layer.", nameof(nodes));
            graphNodes[i] = new Node(op, new EquatableArray<int>(spec.Inputs), i + 1, spec.Layer.ModuleName ?? number, where, where)
            {
                Tensors = spec.Tensors is null ? EquatableArray<ImportedTensor>.Empty : new EquatableArray<ImportedTensor>(spec.Tensors.Select(t => t.ToImported())),
            };
        }
        Graph = new NetworkGraph(input, new EquatableArray<Node>(graphNodes));
        _shapes = ShapeInference.Infer(Graph);
        var error = _shapes.Problems.FirstOrDefault(p => !p.IsWarning);
        if (error is not null) throw new ArgumentException(error.Message, nameof(nodes));
        Layers = list.Select(n => n.Layer).ToArray();
        Parameters = _shapes.Layers.SelectMany((s, i) => s.Tensors.Select(p => new ParameterTensor(i, p))).ToArray();
        Nodes = Graph.Nodes.Select((n, i) => new NetworkNode(n, _shapes.Layers[i])).ToArray();
    }

    private NetworkSpec(FeatureShape input, IEnumerable<LayerSpec> layers, string name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(name);
        var list = layers.ToArray();
        if (list.Any(l => l is null)) throw new ArgumentException("A layer is null.", nameof(layers));
        var declaration = new NetworkDeclaration(input,
            new Sequence(name, new EquatableArray<Item>(list.Select(l => l.ToItem()).ToArray())));
        var expansion = BlockExpansion.Expand(declaration);
        if (expansion.Failed) throw new ArgumentException(expansion.Problems[0].Message, nameof(layers));
        Graph = expansion.Graph;
        _shapes = ShapeInference.Infer(Graph);
        var error = _shapes.Problems.FirstOrDefault(p => !p.IsWarning);
        if (error is not null) throw new ArgumentException(error.Message, nameof(layers));
        Layers = list;
        Parameters = _shapes.Layers.SelectMany((s, i) => s.Tensors.Select(p => new ParameterTensor(i, p))).ToArray();
        Nodes = Graph.Nodes.Select((n, i) => new NetworkNode(n, _shapes.Layers[i])).ToArray();
    }

    /// <summary>The network's items in order: layers and blocks; item i is nn.Sequential's module i unless named. For a graph, its nodes' layers.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The graph the items expand to, in order of evaluation: every layer, and a node where a block joins its branches.</summary>
    public IReadOnlyList<NetworkNode> Nodes { get; }

    /// <summary>The network as the graph the generator compiles and the reference engine runs.</summary>
    internal NetworkGraph Graph { get; }

    /// <summary>The input shape: [channels, height, width].</summary>
    public IReadOnlyList<int> InputShape => Dimensions(_shapes.Input);

    /// <summary>The output shape as PyTorch reports it without the batch dimension: [C, H, W] or [features].</summary>
    public IReadOnlyList<int> OutputShape => Dimensions(_shapes.Output);

    /// <summary>Floats in one input sample.</summary>
    public int InputLength => _shapes.Input.Length;

    /// <summary>Floats in one output sample.</summary>
    public int OutputLength => _shapes.Output.Length;

    /// <summary>Floats in all state tensors: every layer's parameters and buffers.</summary>
    public int ParameterCount => _shapes.ParameterCount;

    /// <summary>The state_dict's float tensors in order: parameters and buffers.</summary>
    public IReadOnlyList<ParameterTensor> Parameters { get; }

    /// <summary>The shape that node <paramref name="layer"/> of <see cref="Nodes"/> receives first (for a sequential network, layer i).</summary>
    public IReadOnlyList<int> GetInputShape(int layer) => Dimensions(_shapes.Layers[layer].Input);

    /// <summary>The shape that node <paramref name="layer"/> of <see cref="Nodes"/> produces (for a sequential network, layer i).</summary>
    public IReadOnlyList<int> GetOutputShape(int layer) => Dimensions(_shapes.Layers[layer].Output);

    internal static int[] Dimensions(FeatureShape s) => s.Rank switch
    {
        1 => new[] { s.Channels },
        2 => new[] { s.Channels, s.Width },
        3 => new[] { s.Channels, s.Height, s.Width },
        _ => throw new InvalidOperationException($"A shape of rank {s.Rank}."),
    };
}
