using System.Linq;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>Networks built from ops and blocks as the front-end builds them, their shapes inferred and asserted free of problems: the passes' tests' inputs.</summary>
internal static class CheckedNetworks
{
    /// <summary>A chain of ops on a [channels, size, size] map.</summary>
    public static NetworkShapes Shapes(int channels, int size, params Op[] ops)
    {
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(channels, size, size), ops));
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return shapes;
    }

    /// <summary>A network of items (layers and blocks) on a [channels, size, size] map, expanded as the front-end does.</summary>
    public static NetworkShapes Blocks(int channels, int size, params Item[] items)
    {
        var expansion = BlockExpansion.Expand(new NetworkDeclaration(FeatureShape.Map(channels, size, size), new Sequence("Net", new EquatableArray<Item>(items))));
        Assert.Empty(expansion.Problems);
        var shapes = ShapeInference.Infer(expansion.Graph);
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return shapes;
    }

    public static Item Layer(Op op) => new LayerItem(op);

    public static BlockItem Block(BlockKind kind, params Item[][] parts) =>
        new(kind, new EquatableArray<Sequence>(parts.Select(p => new Sequence("B", new EquatableArray<Item>(p))).ToArray()));
}
