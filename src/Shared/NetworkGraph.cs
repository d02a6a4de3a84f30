// Shared between the generator and the runtime library as a linked file.
using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Ir;

/// <summary>
/// One op applied to values of the graph. Values are numbered in SSA form: value 0 is the network's
/// input, each node defines <see cref="Output"/> exactly once. <see cref="Key"/> is the module path
/// that names the node's tensors in a state_dict ("3", "layer1.0.conv1"): "{Key}.weight".
/// <see cref="Where"/> names the node in messages ("Conv2D (layer 3)", "ResNet8 > 5 (Residual) > conv1 (Conv2D)"),
/// <see cref="Label"/> when it is another node's input ("layer 3", or the same path inside a block).
/// </summary>
internal sealed record Node(Op Op, EquatableArray<int> Inputs, int Output, string Key, string Where, string Label)
{
    /// <summary>
    /// The node's tensors as an imported file names and shapes them (an ONNX model's initializers), in the
    /// order the op declares its own; empty for "{Key}.{suffix}" in the op's own shape. Each must hold as many
    /// floats as the op's tensor in its place (a PReLU slope [C, 1, 1] for [C]): the layout is the op's.
    /// </summary>
    public EquatableArray<ImportedTensor> Tensors { get; init; } = EquatableArray<ImportedTensor>.Empty;

    /// <summary>A node of a top-level sequence, named by its position: "Conv2D (layer 3)".</summary>
    public static Node TopLevel(Op op, EquatableArray<int> inputs, int output, string key, int position)
    {
        string number = position.ToString(CultureInfo.InvariantCulture);
        return new Node(op, inputs, output, key, $"{op.Kind} (layer {number})", "layer " + number);
    }
}

/// <summary>A tensor's name and shape as an imported model gives them.</summary>
internal sealed record ImportedTensor(string Name, EquatableArray<int> Dimensions);

/// <summary>
/// The network as a dataflow graph with nodes in topological order. Front-ends build it (the
/// attributes, through <see cref="BlockExpansion"/>); passes rewrite it; the generator's plan and the
/// reference engine run it.
/// </summary>
internal sealed record NetworkGraph(FeatureShape Input, EquatableArray<Node> Nodes)
{
    /// <summary>The value the network returns.</summary>
    public int OutputValue => Nodes.Count == 0 ? 0 : Nodes[Nodes.Count - 1].Output;

    /// <summary>
    /// nn.Sequential: op i reads value i and defines value i + 1; its key is its Name, else its
    /// position among all the layers (parameterless ones included).
    /// </summary>
    public static NetworkGraph Chain(FeatureShape input, IReadOnlyList<Op> ops)
    {
        var nodes = new Node[ops.Count];
        for (int i = 0; i < ops.Count; i++)
            nodes[i] = Node.TopLevel(ops[i], new EquatableArray<int>(new[] { i }), i + 1, ops[i].Name ?? i.ToString(CultureInfo.InvariantCulture), i);
        return new NetworkGraph(input, new EquatableArray<Node>(nodes));
    }

    /// <summary>How many nodes read each value: a value read twice (a skip connection) must outlive its first reader.</summary>
    public int[] ConsumerCounts()
    {
        int values = 1 + Nodes.Count;
        foreach (var node in Nodes) values = System.Math.Max(values, node.Output + 1);
        var counts = new int[values];
        foreach (var node in Nodes)
            foreach (var input in node.Inputs) counts[input]++;
        counts[OutputValue]++;
        return counts;
    }
}
