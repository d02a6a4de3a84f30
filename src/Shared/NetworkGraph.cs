// Shared between the generator and the runtime library as a linked file.
using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Ir;

/// <summary>
/// One op applied to values of the graph. Values are numbered in SSA form: value 0 is the network's
/// input, each node defines <see cref="Output"/> exactly once. <see cref="Key"/> is the module path
/// that names the node's tensors in a state_dict ("3", "features"): "{Key}.weight".
/// </summary>
internal sealed record Node(Op Op, EquatableArray<int> Inputs, int Output, string Key);

/// <summary>
/// The network as a dataflow graph with nodes in topological order. Front-ends build it (the
/// attributes today); passes rewrite it; the generator's plan and the reference engine run it.
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
            nodes[i] = new Node(ops[i], new EquatableArray<int>(new[] { i }), i + 1, ops[i].Name ?? i.ToString(CultureInfo.InvariantCulture));
        return new NetworkGraph(input, new EquatableArray<Node>(nodes));
    }
}
