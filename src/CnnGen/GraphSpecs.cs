using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen;

/// <summary>How a <see cref="JoinSpec"/> combines the values it reads.</summary>
public enum JoinKind
{
    /// <summary>a + b, of one shape (a residual connection, ONNX Add).</summary>
    Add,

    /// <summary>torch.cat of the values along the channels (ONNX Concat on axis 1).</summary>
    Concat,

    /// <summary>x * gate, the gate of x's shape or one factor per channel (ONNX Mul).</summary>
    Multiply,
}

/// <summary>
/// A node of a network given as a graph that joins several values: the sum, concatenation or product a block
/// makes where its branches meet. Only a graph's node (<see cref="GraphNodeSpec"/>) can read several values.
/// </summary>
public sealed class JoinSpec : LayerSpec
{
    /// <summary>A join of the given kind.</summary>
    public JoinSpec(JoinKind kind) => Kind = kind is JoinKind.Add or JoinKind.Concat or JoinKind.Multiply
        ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a JoinKind.");

    /// <summary>How the values are combined.</summary>
    public JoinKind Kind { get; }

    /// <inheritdoc />
    public override string Name => Kind.ToString();

    // a switch expression: a new JoinKind is a compile error here (CS8509)
    private protected override Op CreateOp() => Kind switch
    {
        JoinKind.Add => new AddOp { HasShortcut = true },
        JoinKind.Concat => new ConcatOp(),
        JoinKind.Multiply => new MultiplyOp(),
    };

    internal Op GraphOp() => CreateOp() with { Name = ModuleName };

    // in a list of layers each item reads the one before: a join has nothing to join there
    internal override Item ToItem() => throw new ArgumentException("A JoinSpec reads several values; it belongs in a graph (GraphNodeSpec), not in a list of layers.");

    /// <summary>How many values the join reads: two for a sum or product, one or more for a concatenation.</summary>
    internal bool Accepts(int inputs) => Kind == JoinKind.Concat ? inputs >= 1 : inputs == 2;
}

/// <summary>A tensor of the state as an imported model names and shapes it: an ONNX initializer.</summary>
public sealed class TensorSpec
{
    /// <summary>A tensor named <paramref name="name"/> of the given shape.</summary>
    /// <exception cref="ArgumentException">The name is empty or a dimension is negative.</exception>
    public TensorSpec(string name, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0) throw new ArgumentException("A tensor needs a name.", nameof(name));
        if (shape.Any(d => d < 0)) throw new ArgumentException("A dimension is negative.", nameof(shape));
        Name = name;
        Shape = shape.ToArray();
    }

    /// <summary>The tensor's name, as LoadSafetensors looks it up.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<int> Shape { get; }

    internal ImportedTensor ToImported() => new(Name, new EquatableArray<int>(Shape));
}

/// <summary>
/// One node of a network given as a graph (what <see cref="OnnxModelAttribute"/> generates): a layer or a join
/// and the values it reads. Values are numbered: 0 is the network's input, node i defines value i + 1, and a
/// node reads only values defined before it. The last node's value is the network's output.
/// </summary>
public sealed class GraphNodeSpec
{
    /// <summary>A node applying <paramref name="layer"/> to <paramref name="inputs"/> (one value for a layer, several for a <see cref="JoinSpec"/>).</summary>
    /// <exception cref="ArgumentException">The layer is a block; blocks are lists of layers, not graph nodes.</exception>
    public GraphNodeSpec(LayerSpec layer, params int[] inputs)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(inputs);
        if (layer is BlockSpec) throw new ArgumentException("A graph's nodes are layers and joins; a block belongs in a list of layers.", nameof(layer));
        Layer = layer;
        Inputs = inputs.ToArray();
    }

    /// <summary>The layer or join.</summary>
    public LayerSpec Layer { get; }

    /// <summary>The values the node reads, in order.</summary>
    public IReadOnlyList<int> Inputs { get; }

    /// <summary>
    /// The node's tensors as the imported model names and shapes them, in the order the layer declares its own
    /// (Conv2D weight then bias); each holds as many floats as the layer's tensor in its place, in the layer's
    /// layout. Null (the default): "{ModuleName}.weight", ... in the layer's own shapes.
    /// </summary>
    public IReadOnlyList<TensorSpec>? Tensors { get; init; }

    /// <summary>How messages name the node ("Conv node 'conv1'"); null for "{Kind} (node i)".</summary>
    public string? Description { get; init; }
}
