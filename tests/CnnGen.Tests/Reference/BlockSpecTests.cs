using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Reference;
using Xunit;

namespace CnnGen.Tests.Reference;

/// <summary>
/// Blocks in the runtime API: a <see cref="NetworkSpec"/> built from <see cref="SequentialSpec"/>,
/// <see cref="ResidualSpec"/>, <see cref="ConcatSpec"/> and <see cref="MultiplySpec"/> means what
/// the same blocks declared as attributes mean (the same state_dict keys, offsets and graph as the
/// generated class); a spec that cannot be built throws ArgumentException saying where and why; and
/// <see cref="NetworkSpec.Nodes"/> shows where the branches join.
/// </summary>
public class BlockSpecTests
{
    // ---------------------------------------------------------------- the fixtures, built by hand

    private static Conv2DSpec Conv(int filters, int kernel, int stride = 1, int padding = 0, bool bias = true, string? name = null, int groups = 1) =>
        new(filters, kernel, kernel)
        {
            StrideHeight = stride, StrideWidth = stride,
            PadTop = padding, PadBottom = padding, PadLeft = padding, PadRight = padding,
            Bias = bias, Groups = groups, ModuleName = name,
        };

    private static BatchNorm2DSpec Bn(string? name = null) => new() { ModuleName = name };

    private static ActivationSpec Act(ActivationKind kind, string? name = null) => new(kind) { ModuleName = name };

    private static LayerSpec[] Basic(int filters, int stride) =>
    [
        Conv(filters, 3, stride, 1, bias: false, name: "conv1"), Bn("bn1"), Act(ActivationKind.ReLU, "relu"),
        Conv(filters, 3, 1, 1, bias: false, name: "conv2"), Bn("bn2"),
    ];

    private static SequentialSpec ResNetLayer(string name, int filters, int stride, bool downsample) =>
        new(new LayerSpec[]
        {
            new ResidualSpec(Basic(filters, stride))
            {
                Shortcut = downsample ? new LayerSpec[] { Conv(filters, 1, stride, bias: false), Bn() } : null,
                ShortcutName = "downsample",
                ModuleName = "0",
            },
            Act(ActivationKind.ReLU),
        })
        { ModuleName = name };

    /// <summary>tests/fixtures/blocks/ResNet8.cs as specs.</summary>
    private static NetworkSpec ResNet8() => new(3, 16, 16, new LayerSpec[]
    {
        Conv(8, 3, 1, 1, bias: false, name: "conv1"), Bn("bn1"), Act(ActivationKind.ReLU, "relu"),
        ResNetLayer("layer1", 8, 1, downsample: false),
        ResNetLayer("layer2", 16, 2, downsample: true),
        ResNetLayer("layer3", 32, 2, downsample: true),
        new GlobalPool2DSpec(PoolKind.Average) { ModuleName = "avgpool" },
        new FlattenSpec(),
        new DenseSpec(10) { ModuleName = "fc" },
    }, "ResNet8");

    /// <summary>tests/fixtures/blocks/DenseNet.cs as specs: one layer class used by two Concats with the input.</summary>
    private static NetworkSpec DenseNet()
    {
        LayerSpec[] layer = [Bn("norm1"), Act(ActivationKind.ReLU, "relu1"), Conv(4, 3, 1, 1, bias: false, name: "conv1")];
        return new NetworkSpec(3, 8, 8, new LayerSpec[]
        {
            Conv(8, 3, 1, 1, bias: false, name: "conv0"),
            new ConcatSpec(layer) { IncludeInput = true, ModuleName = "denselayer1" },
            new ConcatSpec(layer) { IncludeInput = true, ModuleName = "denselayer2" },
            Bn("norm5"), Act(ActivationKind.ReLU),
            new GlobalPool2DSpec(PoolKind.Average), new FlattenSpec(), new DenseSpec(5) { ModuleName = "classifier" },
        }, "DenseNet");
    }

    /// <summary>tests/fixtures/blocks/SqueezeExcite.cs as specs: torchvision's SqueezeExcitation names, then an unnamed gate.</summary>
    private static NetworkSpec SqueezeExcite() => new(3, 8, 8, new LayerSpec[]
    {
        Conv(16, 3, 1, 1, name: "conv"), Bn(), Act(ActivationKind.ReLU),
        new MultiplySpec(new LayerSpec[]
        {
            new GlobalPool2DSpec(PoolKind.Average) { ModuleName = "avgpool" }, Conv(4, 1, name: "fc1"), Act(ActivationKind.ReLU, "activation"),
            Conv(16, 1, name: "fc2"), Act(ActivationKind.Hardsigmoid, "scale_activation"),
        })
        { ModuleName = "se" },
        Conv(16, 1),
        new MultiplySpec(new LayerSpec[] { new GlobalPool2DSpec(PoolKind.Average), Conv(4, 1), Act(ActivationKind.ReLU), Conv(16, 1), Act(ActivationKind.Sigmoid) }),
        new GlobalPool2DSpec(PoolKind.Average), new FlattenSpec(), new DenseSpec(5),
    }, "SqueezeExcite");

    public static TheoryData<string> HandBuilt() => new() { "ResNet8", "DenseNet", "SqueezeExcite" };

    private static (NetworkSpec ByHand, NetworkSpec Generated) Pair(string name) => name switch
    {
        "ResNet8" => (ResNet8(), Fixtures.Blocks.ResNet8.Spec),
        "DenseNet" => (DenseNet(), Fixtures.Blocks.DenseNet.Spec),
        "SqueezeExcite" => (SqueezeExcite(), Fixtures.Blocks.SqueezeExcite.Spec),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(HandBuilt))]
    public void Block_specs_give_the_generated_classs_state_tensors(string name)
    {
        var (byHand, generated) = Pair(name);

        Assert.Equal(generated.Parameters.Select(Tensor), byHand.Parameters.Select(Tensor));
        Assert.Equal(generated.ParameterCount, byHand.ParameterCount);
        Assert.Equal(generated.OutputShape, byHand.OutputShape);
    }

    [Theory]
    [MemberData(nameof(HandBuilt))]
    public void Block_specs_give_the_generated_classs_graph(string name)
    {
        var (byHand, generated) = Pair(name);

        Assert.Equal(generated.Nodes.Select(Node), byHand.Nodes.Select(Node));
    }

    /// <summary>The reference engine runs a hand-built spec as PyTorch ran the module.</summary>
    [Theory]
    [MemberData(nameof(HandBuilt))]
    public void The_reference_engine_runs_a_hand_built_spec_as_PyTorch(string name)
    {
        var c = Support.BlockCase.Named(name);
        var reference = new ReferenceNetwork(Pair(name).ByHand);
        reference.LoadSafetensors(c.PathOf("safetensors"));
        var inputs = c.ReadFloats("input");
        var outputs = new float[c.Batch * reference.OutputLength];

        reference.ForwardBatch(inputs, outputs);

        Support.FixtureFiles.AssertMatches(c.ReadFloats("expected"), outputs, name);
    }

    // ---------------------------------------------------------------- naming

    [Fact]
    public void A_block_is_a_module_named_by_its_position_unless_named()
    {
        var spec = new NetworkSpec(2, 4, 4, new LayerSpec[]
        {
            Conv(2, 1),
            new SequentialSpec(new LayerSpec[] { Conv(2, 1), Act(ActivationKind.ReLU), Conv(2, 1, name: "last") }),
            new SequentialSpec(new LayerSpec[] { Conv(2, 1) }) { ModuleName = "named" },
        });

        Assert.Equal(new[] { "0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.last.weight", "1.last.bias", "named.0.weight", "named.0.bias" },
            spec.Parameters.Select(p => p.Name));
    }

    /// <summary>Name = "": the children take their own names (or positions inside the block) among the block's siblings; the block keeps its one position.</summary>
    [Fact]
    public void An_empty_name_inserts_the_children_and_keeps_the_blocks_position()
    {
        var spec = new NetworkSpec(2, 4, 4, new LayerSpec[]
        {
            Act(ActivationKind.ReLU),
            new SequentialSpec(new LayerSpec[] { Conv(2, 1, name: "a"), Conv(2, 1, name: "b") }) { ModuleName = "" },
            Conv(2, 1),
        });

        Assert.Equal(new[] { "a.weight", "a.bias", "b.weight", "b.bias", "2.weight", "2.bias" }, spec.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void A_residuals_shortcut_follows_the_body_under_its_name_and_concat_branches_are_numbered()
    {
        var spec = new NetworkSpec(2, 4, 4, new LayerSpec[]
        {
            new ResidualSpec(new LayerSpec[] { Conv(4, 3, 1, 1) }) { Shortcut = new LayerSpec[] { Conv(4, 1), Bn() }, ShortcutName = "proj" },
            new ConcatSpec(new LayerSpec[] { Conv(1, 1) }, new LayerSpec[] { Act(ActivationKind.ReLU), Conv(1, 1, name: "c") }) { IncludeInput = true },
        });

        Assert.Equal(new[]
        {
            "0.0.weight", "0.0.bias", "0.proj.0.weight", "0.proj.0.bias", "0.proj.1.weight", "0.proj.1.bias", "0.proj.1.running_mean", "0.proj.1.running_var",
            "1.0.0.weight", "1.0.0.bias", "1.1.c.weight", "1.1.c.bias",
        }, spec.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { 6, 4, 4 }, spec.OutputShape);
        // the tensors tile the state vector in order, and each tensor belongs to the node that uses it
        Assert.Equal(Enumerable.Range(0, spec.Parameters.Count).Select(i => spec.Parameters.Take(i).Sum(p => p.Length)), spec.Parameters.Select(p => p.Offset));
        Assert.All(spec.Parameters, p => Assert.StartsWith(spec.Nodes[p.LayerIndex].Module + ".", p.Name, StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- Nodes

    [Fact]
    public void Nodes_list_every_layer_and_each_join_with_its_inputs()
    {
        var spec = new NetworkSpec(4, 6, 6, new LayerSpec[]
        {
            Conv(4, 3, 1, 1, name: "stem"),
            new ResidualSpec(new LayerSpec[] { Conv(4, 3, 1, 1), Act(ActivationKind.ReLU) }) { ModuleName = "res" },
            new MultiplySpec(new LayerSpec[] { new GlobalPool2DSpec(PoolKind.Average), Act(ActivationKind.Sigmoid) }) { ModuleName = "se" },
            new ConcatSpec(new LayerSpec[] { Conv(2, 1) }, new LayerSpec[] { Conv(3, 1) }) { ModuleName = "cat" },
        }, "Net");

        Assert.Equal(new[]
        {
            "Conv2D stem Conv2D (layer 0) (0) -> 1 [4, 6, 6] -> [4, 6, 6]",
            "Conv2D res.0 Net > res (Residual) > 0 (Conv2D) (1) -> 2 [4, 6, 6] -> [4, 6, 6]",
            "ReLU res.1 Net > res (Residual) > 1 (ReLU) (2) -> 3 [4, 6, 6] -> [4, 6, 6]",
            // the residual's sum: the body's last value, then the block's input
            "Residual res Residual (layer 1) (3, 1) -> 4 [4, 6, 6 | 4, 6, 6] -> [4, 6, 6]",
            "GlobalAvgPool2D se.0 Net > se (Multiply) > 0 (GlobalAvgPool2D) (4) -> 5 [4, 6, 6] -> [4, 1, 1]",
            "Sigmoid se.1 Net > se (Multiply) > 1 (Sigmoid) (5) -> 6 [4, 1, 1] -> [4, 1, 1]",
            // the gate: the input, then one factor per channel
            "Multiply se Multiply (layer 2) (4, 6) -> 7 [4, 6, 6 | 4, 1, 1] -> [4, 6, 6]",
            "Conv2D cat.0.0 Net > cat (Concat) > 0 > 0 (Conv2D) (7) -> 8 [4, 6, 6] -> [2, 6, 6]",
            "Conv2D cat.1.0 Net > cat (Concat) > 1 > 0 (Conv2D) (7) -> 9 [4, 6, 6] -> [3, 6, 6]",
            "Concat cat Concat (layer 3) (8, 9) -> 10 [2, 6, 6 | 3, 6, 6] -> [5, 6, 6]",
        }, spec.Nodes.Select(Node));
        Assert.Equal(spec.Nodes.Count, spec.Nodes.Select(n => n.Output).Distinct().Count());
        Assert.Equal(new[] { 4, 6, 6 }, spec.GetInputShape(3));
        Assert.Equal(new[] { 5, 6, 6 }, spec.GetOutputShape(spec.Nodes.Count - 1));
        Assert.Equal(4, spec.Layers.Count);
    }

    [Fact]
    public void A_residual_with_a_shortcut_adds_the_shortcuts_last_value()
    {
        var spec = new NetworkSpec(2, 4, 4, new LayerSpec[]
        {
            new ResidualSpec(new LayerSpec[] { Conv(3, 3, 2, 1) }) { Shortcut = new LayerSpec[] { Conv(3, 1, 2) } },
        });

        var join = spec.Nodes.Last();
        Assert.Equal(("Residual", "0"), (join.Kind, join.Module));
        Assert.Equal(new[] { spec.Nodes[0].Output, spec.Nodes[1].Output }, join.Inputs);
        Assert.Equal(new[] { 0 }, spec.Nodes[1].Inputs);
        Assert.Equal("0.shortcut.0", spec.Nodes[1].Module);
    }

    // ---------------------------------------------------------------- what cannot be built

    [Fact]
    public void A_block_without_layers_throws()
    {
        Assert.Equal(("layers", "A block needs at least one layer. (Parameter 'layers')"), Thrown(() => new SequentialSpec(Array.Empty<LayerSpec>())));
        Assert.Equal(("body", "A block needs at least one layer. (Parameter 'body')"), Thrown(() => new ResidualSpec(Array.Empty<LayerSpec>())));
        Assert.Equal(("gate", "A block needs at least one layer. (Parameter 'gate')"), Thrown(() => new MultiplySpec(new List<LayerSpec>())));
        Assert.Equal(("Shortcut", "A block needs at least one layer. (Parameter 'Shortcut')"), Thrown(() => new ResidualSpec(new[] { Act(ActivationKind.ReLU) }) { Shortcut = Array.Empty<LayerSpec>() }));
        Assert.Equal(("branches", "A Concat needs at least one branch. (Parameter 'branches')"), Thrown(() => new ConcatSpec()));
        Assert.Equal(("branches", "A block needs at least one layer. (Parameter 'branches')"), Thrown(() => new ConcatSpec(new[] { Act(ActivationKind.ReLU) }, Array.Empty<LayerSpec>())));
    }

    [Fact]
    public void A_null_layer_or_part_throws()
    {
        Assert.Equal(("layers", "A layer is null. (Parameter 'layers')"), Thrown(() => new SequentialSpec(new LayerSpec[] { Act(ActivationKind.ReLU), null! })));
        Assert.Equal(("gate", "A layer is null. (Parameter 'gate')"), Thrown(() => new MultiplySpec(new LayerSpec[] { null! })));
        Assert.Equal(("branches", "A layer is null. (Parameter 'branches')"), Thrown(() => new ConcatSpec(new LayerSpec[] { null! })));
        Assert.Throws<ArgumentNullException>("layers", () => new SequentialSpec(null!));
        Assert.Throws<ArgumentNullException>("branches", () => new ConcatSpec(null!));
        Assert.Throws<ArgumentNullException>("branches", () => new ConcatSpec(new[] { Act(ActivationKind.ReLU) }, null!));
    }

    [Theory]
    [MemberData(nameof(Unbuildable))]
    public void A_network_that_cannot_be_built_says_where_and_why(string _, Func<IEnumerable<LayerSpec>> layers, string message)
    {
        var thrown = Assert.Throws<ArgumentException>("layers", () => new NetworkSpec(8, 8, 8, layers(), "Net"));

        Assert.Equal(message + " (Parameter 'layers')", thrown.Message);
    }

    public static TheoryData<string, Func<IEnumerable<LayerSpec>>, string> Unbuildable() => new()
    {
        {
            "an average pool with dilated windows",
            () => new LayerSpec[] { new Pool2DSpec(PoolKind.Average, 2, 2) { DilationHeight = 2 } },
            "AvgPool2D (layer 0): DilationHeight = 2 is invalid; it must be 1 for an average pool (nn.AvgPool2d has no dilation)"
        },
        {
            "a max pool leaving out padding it has no divisor for",
            () => new LayerSpec[] { new Pool2DSpec(PoolKind.Max, 3, 3) { PaddingHeight = 1, PaddingWidth = 1, CountIncludePad = false } },
            "MaxPool2D (layer 0): CountIncludePad = false is invalid; it must be true for a max or min pool (only an average divides by its window)"
        },
        {
            "residual body changes the shape",
            () => new LayerSpec[] { Act(ActivationKind.ReLU), new ResidualSpec(new LayerSpec[] { Conv(16, 1) }) },
            "Residual (layer 1): the body gives [16, 8, 8] but its input is [8, 8, 8]; a residual adds the two, so they must have one shape"
        },
        {
            "residual shortcut of another shape, inside a block",
            () => new LayerSpec[] { new SequentialSpec(new LayerSpec[] { new ResidualSpec(new LayerSpec[] { Conv(16, 3, 2, 1) }) { Shortcut = new LayerSpec[] { Conv(16, 1) } } }) { ModuleName = "stage" } },
            "Net > stage (Sequential) > 0 (Residual): the body gives [16, 4, 4] but the shortcut gives [16, 8, 8]; a residual adds the two, so they must have one shape"
        },
        {
            "concat branches of different heights",
            () => new LayerSpec[] { new ConcatSpec(new LayerSpec[] { Conv(4, 1) }, new LayerSpec[] { Conv(4, 1, 2) }) },
            "Concat (layer 0): the parts are branch 0 [4, 8, 8], branch 1 [4, 4, 4]; they are joined along the channels, so they must have one height and width"
        },
        {
            "concat input and a strided branch",
            () => new LayerSpec[] { new ConcatSpec(new LayerSpec[] { new Pool2DSpec(PoolKind.Max, 2, 2) }) { IncludeInput = true } },
            "Concat (layer 0): the parts are the input [8, 8, 8], branch 0 [8, 4, 4]; they are joined along the channels, so they must have one height and width"
        },
        {
            "multiply gate with the wrong channels",
            () => new LayerSpec[] { new MultiplySpec(new LayerSpec[] { new GlobalPool2DSpec(PoolKind.Average), Conv(4, 1) }) },
            "Multiply (layer 0): the input is [8, 8, 8] but the gate gives [4, 1, 1]; the gate must give [8, 8, 8] or [8, 1, 1]"
        },
        {
            "multiply gate of one channel (PyTorch would broadcast it; CnnGen does not)",
            () => new LayerSpec[] { new MultiplySpec(new LayerSpec[] { Conv(1, 3, 1, 1) }) },
            "Multiply (layer 0): the input is [8, 8, 8] but the gate gives [1, 8, 8]; the gate must give [8, 8, 8] or [8, 1, 1]"
        },
        {
            "duplicate names among a block's children",
            () => new LayerSpec[] { new SequentialSpec(new LayerSpec[] { Conv(8, 1, name: "a"), Act(ActivationKind.ReLU), Conv(8, 1, name: "a") }) { ModuleName = "stage" } },
            "Net > stage (Sequential) > a (Conv2D): the module name \"a\" is already taken by the Conv2D at position 0 of Sequential; the children of one module need different names"
        },
        {
            "a block named like a position",
            () => new LayerSpec[] { Act(ActivationKind.ReLU), new SequentialSpec(new LayerSpec[] { Conv(8, 1) }) { ModuleName = "0" } },
            "Sequential (layer 1): the module name \"0\" is already taken by ReLU (layer 0); the children of one module need different names"
        },
        {
            "inserted children clash with a sibling",
            () => new LayerSpec[] { new SequentialSpec(new LayerSpec[] { Conv(8, 1), Bn() }) { ModuleName = "" }, Conv(8, 1) },
            "Conv2D (layer 1): the module name \"1\" is already taken by the BatchNorm2D at position 1 of Sequential; the children of one module need different names"
        },
        {
            "a shortcut named like a body layer",
            () => new LayerSpec[] { new ResidualSpec(new LayerSpec[] { Conv(8, 1, name: "conv1") }) { Shortcut = new LayerSpec[] { Conv(8, 1) }, ShortcutName = "conv1" } },
            "Residual (layer 0): the module name \"conv1\" is already taken by the Conv2D at position 0 of body; the children of one module need different names"
        },
        {
            "a dotted block name",
            () => new LayerSpec[] { new SequentialSpec(new LayerSpec[] { Conv(8, 1) }) { ModuleName = "a.b" } },
            "Sequential (layer 0): Name = \"a.b\" is invalid; a module name must be non-empty and must not contain \".\""
        },
        {
            "an empty shortcut name",
            () => new LayerSpec[] { new ResidualSpec(new LayerSpec[] { Conv(8, 1) }) { Shortcut = new LayerSpec[] { Conv(8, 1) }, ShortcutName = "" } },
            "Residual (layer 0): ShortcutName = \"\" is invalid; a module name must be non-empty and must not contain \".\""
        },
        {
            "an empty name on a layer inside a block",
            () => new LayerSpec[] { new MultiplySpec(new LayerSpec[] { Act(ActivationKind.Sigmoid, "") }) },
            "Net > 0 (Multiply) > 0 (Sigmoid): Name = \"\" inserts a block's children in its place, but Sigmoid is a layer, not a block; remove Name or give it a name"
        },
        {
            "a shape mistake deep inside",
            () => new LayerSpec[] { new SequentialSpec(new LayerSpec[] { new ResidualSpec(new LayerSpec[] { Conv(8, 9, name: "big") }) }) { ModuleName = "layer1" } },
            "Net > layer1 (Sequential) > 0 (Residual) > big (Conv2D): the input height is 8, padded 8; the effective kernel height is 9 and the stride 1, so the output height would be 0"
        },
    };

    /// <summary>A spec is immutable and holds no per-use state: one block spec used twice is two modules with tensors of their own.</summary>
    [Fact]
    public void One_block_spec_used_twice_is_two_modules()
    {
        var block = new ResidualSpec(new LayerSpec[] { Conv(2, 3, 1, 1) });
        var spec = new NetworkSpec(2, 5, 5, new LayerSpec[] { block, block });

        Assert.Equal(new[] { "0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias" }, spec.Parameters.Select(p => p.Name));
        Assert.Equal(2, spec.Nodes.Count(n => n.Kind == "Residual"));
    }

    private static (string? Parameter, string Message) Thrown(Func<object> build)
    {
        var thrown = Assert.ThrowsAny<ArgumentException>(() => build());
        return (thrown.ParamName, thrown.Message);
    }

    private static string Tensor(ParameterTensor t) => $"{t.Name} [{string.Join(", ", t.Shape)}] @{t.Offset}+{t.Length}{(t.IsBuffer ? " buffer" : "")} node {t.LayerIndex}";

    private static string Node(NetworkNode n) =>
        $"{n.Kind} {n.Module} {n.Description} ({string.Join(", ", n.Inputs)}) -> {n.Output} [{string.Join(" | ", n.InputShapes.Select(s => string.Join(", ", s)))}] -> [{string.Join(", ", n.OutputShape)}]";
}
