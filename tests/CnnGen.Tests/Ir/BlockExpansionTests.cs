using System.Linq;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Ir;

/// <summary>
/// The naming rules of blocks, as PyTorch's modules give them (tests/torch/blocks.py), and the graph
/// each block makes: these are the keys a state_dict() of the same modules holds.
/// </summary>
public class BlockExpansionTests
{
    private static readonly FeatureShape Input = FeatureShape.Map(4, 6, 6);

    private static Item Conv(string? name = null, int filters = 4) => new LayerItem(new ConvolutionOp { Filters = filters, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Name = name });

    private static Item Norm(string? name = null) => new LayerItem(new BatchNormOp { Name = name });

    private static Item Relu(string? name = null) => new LayerItem(new ActivationOp(Activation.ReLU) { Name = name });

    private static Sequence Seq(params Item[] items) => new("B", new EquatableArray<Item>(items.Select((item, i) => item with { Origin = 100 + i }).ToArray()));

    private static BlockItem Block(BlockKind kind, params Sequence[] parts) => new(kind, new EquatableArray<Sequence>(parts));

    private static Expansion Expand(params Item[] items) =>
        BlockExpansion.Expand(new NetworkDeclaration(Input, new Sequence("Net", new EquatableArray<Item>(items.Select((item, i) => item with { Origin = i }).ToArray()))));

    private static string[] Keys(params Item[] items)
    {
        var expansion = Expand(items);
        Assert.Empty(expansion.Problems);
        var shapes = ShapeInference.Infer(expansion.Graph);
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return shapes.Tensors.Select(t => t.Name).ToArray();
    }

    [Fact]
    public void A_sequential_block_is_a_module_named_by_its_position_whose_children_are_named_by_theirs()
    {
        var keys = Keys(Conv(), Relu(), Block(BlockKind.Sequential, Seq(Conv(), Norm())));

        Assert.Equal(new[] { "0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias", "2.1.running_mean", "2.1.running_var" }, keys);
    }

    [Fact]
    public void A_residual_names_the_body_items_then_the_shortcut_after_them()
    {
        var residual = Block(BlockKind.Residual, Seq(Conv("conv1"), Norm("bn1")), Seq(Conv(), Norm())) with { ShortcutName = "downsample", ModuleName = "0" };

        var keys = Keys(residual);

        Assert.Equal(new[]
        {
            "0.conv1.weight", "0.conv1.bias", "0.bn1.weight", "0.bn1.bias", "0.bn1.running_mean", "0.bn1.running_var",
            "0.downsample.0.weight", "0.downsample.0.bias", "0.downsample.1.weight", "0.downsample.1.bias", "0.downsample.1.running_mean", "0.downsample.1.running_var",
        }, keys);
    }

    [Fact]
    public void Concat_branches_are_named_by_their_position_whether_or_not_the_input_is_included()
    {
        var concat = Block(BlockKind.Concat, Seq(Conv()), Seq(Relu(), Conv("c"))) with { IncludeInput = true };

        var keys = Keys(Relu(), concat);

        Assert.Equal(new[] { "1.0.0.weight", "1.0.0.bias", "1.1.c.weight", "1.1.c.bias" }, keys);
    }

    [Fact]
    public void An_empty_name_inserts_the_children_under_their_own_names_and_keeps_its_position()
    {
        var inlined = Block(BlockKind.Sequential, Seq(Conv(), Conv("named"))) with { ModuleName = "" };

        var keys = Keys(inlined, Relu(), Conv());

        // the children are 0 and "named" inside the block; the ReLU and Conv after it keep positions 1 and 2
        Assert.Equal(new[] { "0.weight", "0.bias", "named.weight", "named.bias", "2.weight", "2.bias" }, keys);
    }

    [Fact]
    public void An_inserted_child_that_takes_a_siblings_position_is_a_duplicate_on_the_later_one()
    {
        var inlined = Block(BlockKind.Sequential, Seq(Conv(), Norm())) with { ModuleName = "" };

        var problem = Assert.Single(Expand(inlined, Conv()).Problems);

        Assert.Equal((ShapeProblemKind.DuplicateName, 1), (problem.Kind, problem.Origin));
        Assert.Equal("Conv2D (layer 1): the module name \"1\" is already taken by the BatchNorm2D at position 1 of B; the children of one module need different names", problem.Message);
    }

    [Fact]
    public void A_name_equal_to_an_earlier_position_is_reported_on_the_named_item()
    {
        var problem = Assert.Single(Expand(Relu(), Relu("0")).Problems);

        Assert.Equal((ShapeProblemKind.DuplicateName, 1), (problem.Kind, problem.Origin));
    }

    [Fact]
    public void A_named_item_before_the_position_it_takes_is_still_the_one_reported()
    {
        var problem = Assert.Single(Expand(Relu("1"), Relu()).Problems);

        Assert.Equal(0, problem.Origin);
    }

    [Fact]
    public void A_shortcut_named_like_a_body_item_is_a_duplicate_on_the_residual()
    {
        var residual = Block(BlockKind.Residual, Seq(Conv("conv1")), Seq(Conv())) with { ShortcutName = "conv1" };

        var problem = Assert.Single(Expand(residual).Problems);

        Assert.Equal((ShapeProblemKind.DuplicateName, 0), (problem.Kind, problem.Origin));
    }

    [Theory]
    [InlineData("a.b")]
    public void A_name_with_a_dot_is_invalid(string name)
    {
        var problem = Assert.Single(Expand(Relu(name)).Problems);

        Assert.Equal((ShapeProblemKind.InvalidName, "Name", 0), (problem.Kind, problem.Property, problem.Origin));
    }

    [Fact]
    public void An_empty_name_on_a_layer_is_reported_on_it()
    {
        var problem = Assert.Single(Expand(Relu(), Relu("")).Problems);

        Assert.Equal((ShapeProblemKind.EmptyNameOnLayer, 1), (problem.Kind, problem.Origin));
    }

    [Fact]
    public void A_mistake_inside_a_block_names_its_path_from_the_network()
    {
        var residual = Block(BlockKind.Residual, Seq(Conv("conv1"), new LayerItem(new ConvolutionOp { Filters = 4, KernelHeight = 9, KernelWidth = 9, Name = "conv2" })));

        var expansion = Expand(Conv(), residual);
        var shapes = ShapeInference.Infer(expansion.Graph);

        var problem = shapes.Problems.First(p => !p.IsWarning);
        Assert.StartsWith("Net > 1 (Residual) > conv2 (Conv2D): ", problem.Message);
        Assert.Equal(101, expansion.NodeOrigins[problem.LayerIndex]);
    }

    [Fact]
    public void Each_block_joins_its_branches_in_one_node_that_reads_them_in_order()
    {
        var graph = Expand(
            Block(BlockKind.Residual, Seq(Conv())),
            Block(BlockKind.Multiply, Seq(new LayerItem(new GlobalPoolOp(Reduction.Average)))),
            Block(BlockKind.Concat, Seq(Relu()), Seq(Conv())) with { IncludeInput = true }).Graph;

        Assert.Equal(
            new[] { ("Conv2D", "0"), ("Residual", "1,0"), ("GlobalAvgPool2D", "2"), ("Multiply", "2,3"), ("ReLU", "4"), ("Conv2D", "4"), ("Concat", "4,5,6") },
            graph.Nodes.Select(n => (n.Op.Kind, string.Join(",", n.Inputs))));
    }

    [Fact]
    public void The_expansion_stops_at_its_node_budget()
    {
        var items = Enumerable.Range(0, BlockExpansion.MaxNodes + 1).Select(_ => Relu()).ToArray();

        var problem = Assert.Single(Expand(items).Problems);

        Assert.Equal(ShapeProblemKind.TooManyNodes, problem.Kind);
    }
}
