using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics;

/// <summary>
/// The blocks' mistakes as the user meets them. First the error cases of tests/fixtures/blocks (each
/// must give exactly one CNN error, on the line cases.json gives, on the text and with the message
/// pinned here), then mistakes written here by hand. A mistake inside a block is reported where it
/// is written, in the block, with the network's attribute that reaches the block as the additional
/// location and the path from the network in the message ("Net > 1 (Sequential) > 0 (Conv2D)"),
/// once for every use. A block is only checked through a network that uses it.
/// </summary>
public sealed class BlockDiagnosticTests
{
    /// <summary>
    /// What each error case of cases.json must give: the ID, the text it underlines (the named
    /// argument at fault, or the attribute), the network's attribute that leads to it when the
    /// mistake is inside a block (null when it is the network's own), and the message.
    /// </summary>
    private static readonly Dictionary<string, (string Id, string Span, string? UseSite, string Message)> ErrorCases = new()
    {
        ["BlockCycle"] = ("CNN0022", "Residual(typeof(BlockCycleA))", "Sequential(typeof(BlockCycleA))",
            "BlockCycle > 1 (Sequential) > 1 (Sequential) > 1 (Residual): 'BlockCycleA' contains itself (BlockCycleA > BlockCycleB > BlockCycleA); a block cannot use itself, directly or through other blocks"),
        ["BlockNameClashesWithPosition"] = ("CNN0020", "Name = \"0\"", null,
            "Residual (layer 1): the module name \"0\" is already taken by Conv2D (layer 0); the children of one module need different names"),
        ["BlockSelfCycle"] = ("CNN0022", "Residual(typeof(BlockSelfCycleLoop))", "Sequential(typeof(BlockSelfCycleLoop))",
            "BlockSelfCycle > 1 (Sequential) > 2 (Residual): 'BlockSelfCycleLoop' contains itself (BlockSelfCycleLoop > BlockSelfCycleLoop); a block cannot use itself, directly or through other blocks"),
        ["BlockWithInputShape"] = ("CNN0021", "InputShape(3, 8, 8)", null,
            "'BlockWithInputShape' has both [Block] and [InputShape]; a block takes its shapes from where it is used, so remove one of them"),
        ["ConcatInputMismatch"] = ("CNN0024", "Concat(typeof(ConcatInputMismatchDown), IncludeInput = true)", "Sequential(typeof(ConcatInputMismatchStage))",
            "ConcatInputMismatch > 1 (Sequential) > 1 (Concat): the parts are the input [8, 8, 8], branch 0 [8, 4, 4]; they are joined along the channels, so they must have one height and width"),
        ["ConcatSpatialMismatch"] = ("CNN0024", "Concat(typeof(ConcatSpatialMismatchA), typeof(ConcatSpatialMismatchB))", null,
            "Concat (layer 1): the parts are branch 0 [4, 8, 8], branch 1 [4, 4, 4]; they are joined along the channels, so they must have one height and width"),
        ["DottedBlockName"] = ("CNN0020", "Name = \"stage.0\"", null,
            "Sequential (layer 1): Name = \"stage.0\" is invalid; a module name must be non-empty and must not contain \".\""),
        ["DottedShortcutName"] = ("CNN0020", "ShortcutName = \"down.sample\"", "Sequential(typeof(DottedShortcutNameStage))",
            "DottedShortcutName > 1 (Sequential) > 0 (Residual): ShortcutName = \"down.sample\" is invalid; a module name must be non-empty and must not contain \".\""),
        ["DuplicateBlockName"] = ("CNN0020", "Name = \"x\"", null,
            "Sequential (layer 1): the module name \"x\" is already taken by Conv2D (layer 0); the children of one module need different names"),
        ["DuplicateSiblingNames"] = ("CNN0020", "Name = \"a\"", "Sequential(typeof(DuplicateSiblingNamesStage), Name = \"stage\")",
            "DuplicateSiblingNames > stage (Sequential) > a (Conv2D): the module name \"a\" is already taken by the Conv2D at position 0 of DuplicateSiblingNamesStage; the children of one module need different names"),
        ["EmptyNameOnLayer"] = ("CNN0020", "Name = \"\"", "Sequential(typeof(EmptyNameOnLayerStage))",
            "EmptyNameOnLayer > 1 (Sequential) > 0 (Conv2D): Name = \"\" inserts a block's children in its place, but Conv2D is a layer, not a block; remove Name or give it a name"),
        // the inserted BatchNorm2D is "1"; the unnamed Conv2D after the block is the later of the two
        ["InlineNameClash"] = ("CNN0020", "Conv2D(Filters = 8, Kernel = 3, Padding = 1)", null,
            "Conv2D (layer 1): the module name \"1\" is already taken by the BatchNorm2D at position 1 of InlineNameClashPair; the children of one module need different names"),
        ["MultiplyGateSmaller"] = ("CNN0025", "Multiply(typeof(MultiplyGateSmallerGate))", "Sequential(typeof(MultiplyGateSmallerStage))",
            "MultiplyGateSmaller > 1 (Sequential) > 0 (Multiply): the input is [8, 8, 8] but the gate gives [8, 6, 6]; the gate must give [8, 8, 8] or [8, 1, 1]"),
        ["MultiplySpatialGate"] = ("CNN0025", "Multiply(typeof(MultiplySpatialGateGate))", null,
            "Multiply (layer 1): the input is [8, 8, 8] but the gate gives [1, 8, 8]; the gate must give [8, 8, 8] or [8, 1, 1]"),
        ["MultiplyWrongChannels"] = ("CNN0025", "Multiply(typeof(MultiplyWrongChannelsSe))", null,
            "Multiply (layer 1): the input is [8, 8, 8] but the gate gives [4, 1, 1]; the gate must give [8, 8, 8] or [8, 1, 1]"),
        ["ResidualChangesShape"] = ("CNN0023", "Residual(typeof(ResidualChangesShapeBody))", null,
            "Residual (layer 1): the body gives [16, 8, 8] but its input is [8, 8, 8]; a residual adds the two, so they must have one shape"),
        ["ResidualInBlockChangesShape"] = ("CNN0023", "Residual(typeof(ResidualInBlockChangesShapeBody))", "Sequential(typeof(ResidualInBlockChangesShapeStage))",
            "ResidualInBlockChangesShape > 1 (Sequential) > 1 (Residual): the body gives [8, 6, 6] but its input is [8, 8, 8]; a residual adds the two, so they must have one shape"),
        ["ResidualShortcutShape"] = ("CNN0023", "Residual(typeof(ResidualShortcutShapeBody), Shortcut = typeof(ResidualShortcutShapeProj))", null,
            "Residual (layer 1): the body gives [16, 4, 4] but the shortcut gives [16, 8, 8]; a residual adds the two, so they must have one shape"),
        ["ShortcutNameClash"] = ("CNN0020", "ShortcutName = \"conv1\"", null,
            "Residual (layer 1): the module name \"conv1\" is already taken by the Conv2D at position 0 of ShortcutNameClashBody; the children of one module need different names"),
        ["TypeofNetwork"] = ("CNN0021", "Residual(typeof(TypeofNetworkOther))", null,
            "Residual (layer 1): 'TypeofNetworkOther' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here"),
        ["TypeofPlainClass"] = ("CNN0021", "Sequential(typeof(TypeofPlainClassPlain))", null,
            "Sequential (layer 1): 'TypeofPlainClassPlain' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here"),
    };

    public static TheoryData<string> Cases() => new(BlockCase.All.Where(c => c.IsError).Select(c => c.Name));

    [Fact]
    public void Every_error_case_has_its_expected_diagnostic()
    {
        var errors = BlockCase.All.Where(c => c.IsError).Select(c => c.Name).ToList();
        Assert.NotEmpty(errors);
        var missing = errors.Where(n => !ErrorCases.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "error cases of cases.json without an entry in BlockDiagnosticTests.ErrorCases: " + string.Join(", ", missing));
        var stale = ErrorCases.Keys.Where(n => !errors.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "entries in BlockDiagnosticTests.ErrorCases that are no error case of cases.json: " + string.Join(", ", stale));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_error_case_gets_one_error_on_its_line(string name)
    {
        var c = BlockCase.Named(name);
        Assert.True(ErrorCases.TryGetValue(name, out var expected), $"{name} is an error case of cases.json but BlockDiagnosticTests.ErrorCases has no entry for it");

        var result = GeneratorHarness.Run(File.ReadAllText(c.SourcePath));

        var errors = result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var diagnostic = Assert.Single(errors);
        Assert.Equal(expected.Id, diagnostic.Id);
        Assert.Equal(c.Line, Line(diagnostic.Location));
        Assert.Equal(expected.Span, Text(diagnostic.Location));
        Assert.Equal(expected.Message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        if (expected.UseSite is null)
            Assert.Empty(diagnostic.AdditionalLocations);
        else
            Assert.Equal(expected.UseSite, Text(Assert.Single(diagnostic.AdditionalLocations)));
        // the networks of the case get no forward pass, only their stand-ins; nothing else in the file is a network
        Assert.All(result.Run.GeneratedTrees.Where(t => t.FilePath.Contains(name + ".g.cs", StringComparison.Ordinal)),
            tree => Assert.Contains("private const string CnnGenError = ", tree.ToString()));
    }

    // ---- a mistake inside a block ----

    [Fact]
    public void A_mistake_inside_a_block_is_reported_in_the_block_with_the_networks_attribute_as_additional_location()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3)]
            [Sequential(typeof(Stage), Name = "stage")]
            public partial class Net { }

            [Block]
            [ReLU]
            [Residual(typeof(Body))]
            public partial class Stage { }

            [Block]
            [Conv2D(Filters = 4, Kernel = 9, Name = "conv")]
            public partial class Body { }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("CNN0009", diagnostic.Id);
        Assert.Equal(14, Line(diagnostic.Location));
        Assert.Equal("Kernel = 9", Text(diagnostic.Location));
        var useSite = Assert.Single(diagnostic.AdditionalLocations);
        Assert.Equal((5, "Sequential(typeof(Stage), Name = \"stage\")"), (Line(useSite), Text(useSite)));
        Assert.Equal("Net > stage (Sequential) > 1 (Residual) > conv (Conv2D): the input height is 6, padded 6; the effective kernel height is 9 and the stride 1, so the output height would be -2",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        GeneratorHarness.AssertNoForwardPass(result);
    }

    [Fact]
    public void An_invalid_value_inside_a_block_names_the_path_and_the_argument()
    {
        var diagnostic = SingleError("""
            [InputShape(3, 8, 8)]
            [Concat(typeof(A), typeof(B), IncludeInput = true, Name = "mix")]
            public partial class Net { }

            [Block]
            [ReLU]
            public partial class A { }

            [Block]
            [Dropout(P = 2f, Name = "drop")]
            public partial class B { }
            """);

        Assert.Equal(("CNN0005", "P = 2f", 12), (diagnostic.Id, Text(diagnostic.Location), Line(diagnostic.Location)));
        Assert.Equal("Concat(typeof(A), typeof(B), IncludeInput = true, Name = \"mix\")", Text(Assert.Single(diagnostic.AdditionalLocations)));
        Assert.Equal("Net > mix (Concat) > 1 > drop (Dropout): P = 2 is invalid; it must be between 0 and 1", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_mistake_in_a_shortcut_names_the_shortcut_in_its_path()
    {
        var diagnostic = SingleError("""
            [InputShape(4, 8, 8)]
            [Residual(typeof(Body), Shortcut = typeof(Down), ShortcutName = "downsample")]
            public partial class Net { }

            [Block]
            [Conv2D(Filters = 8, Kernel = 3, Padding = 1, Stride = 2)]
            public partial class Body { }

            [Block]
            [Conv2D(Filters = 8, Kernel = 1, Stride = 2, InChannels = 3)]
            public partial class Down { }
            """);

        Assert.Equal(("CNN0008", "InChannels = 3"), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal("Net > 0 (Residual) > downsample > 0 (Conv2D) declares InChannels = 3 but InputShape produces 4 channels", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("Residual(typeof(Body), Shortcut = typeof(Down), ShortcutName = \"downsample\")", Text(Assert.Single(diagnostic.AdditionalLocations)));
    }

    /// <summary>
    /// Each use of a block is a module of its own, read anew: a mistake the reader finds in it (here
    /// a typeof of a class that is no block) is reported once per use, each with its own use site.
    /// </summary>
    [Fact]
    public void A_bad_block_used_twice_is_reported_once_per_use()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3)]
            [Sequential(typeof(Bad))]
            [Residual(typeof(Bad))]
            public partial class Net { }

            [Block]
            [ReLU]
            [Sequential(typeof(string))]
            public partial class Bad { }
            """);

        var errors = result.GeneratorDiagnostics.OrderBy(d => d.AdditionalLocations[0].SourceSpan.Start).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, d => Assert.Equal(("CNN0021", "Sequential(typeof(string))", 11), (d.Id, Text(d.Location), Line(d.Location))));
        Assert.Equal(new[] { "Sequential(typeof(Bad))", "Residual(typeof(Bad))" }, errors.Select(d => Text(Assert.Single(d.AdditionalLocations))));
        Assert.Equal(new[]
        {
            "Net > 1 (Sequential) > 1 (Sequential): 'string' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here",
            "Net > 2 (Residual) > 1 (Sequential): 'string' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here",
        }, errors.Select(d => d.GetMessage(CultureInfo.InvariantCulture)));
    }

    /// <summary>Two networks that use one bad block each get the error, each with its own use site.</summary>
    [Fact]
    public void A_bad_block_used_by_two_networks_is_reported_for_each()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(3, 8, 8)]
            [Sequential(typeof(Bad))]
            public partial class Net { }

            [InputShape(3, 8, 8)]
            [Sequential(typeof(Bad), Name = "b")]
            public partial class Other { }

            [Block]
            [Conv2D(Filters = 4, Kernel = 9)]
            public partial class Bad { }
            """);

        var errors = result.GeneratorDiagnostics.OrderBy(d => d.GetMessage(CultureInfo.InvariantCulture), StringComparer.Ordinal).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, d => Assert.Equal(("CNN0009", "Kernel = 9"), (d.Id, Text(d.Location))));
        Assert.Equal(new[] { "Sequential(typeof(Bad))", "Sequential(typeof(Bad), Name = \"b\")" }, errors.Select(d => Text(Assert.Single(d.AdditionalLocations))));
        Assert.StartsWith("Net > 0 (Sequential) > 0 (Conv2D): ", errors[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.StartsWith("Other > b (Sequential) > 0 (Conv2D): ", errors[1].GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Shapes are inferred in order and stop at the first error (what follows would only report its
    /// consequences): a block whose shapes fail is reported at its first use only.
    /// </summary>
    [Fact]
    public void A_shape_error_in_a_block_used_twice_is_reported_at_the_first_use()
    {
        var diagnostic = SingleError("""
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3)]
            [Sequential(typeof(Bad))]
            [Sequential(typeof(Bad), Name = "again")]
            public partial class Net { }

            [Block]
            [Conv2D(Filters = 4, Kernel = 9)]
            public partial class Bad { }
            """);

        Assert.Equal(("CNN0009", "Sequential(typeof(Bad))"), (diagnostic.Id, Text(Assert.Single(diagnostic.AdditionalLocations))));
    }

    // ---- blocks on their own ----

    /// <summary>A block is checked where it is used: one that no network uses gets nothing, however wrong inside.</summary>
    [Fact]
    public void A_block_no_network_uses_is_not_analysed()
    {
        var result = GeneratorHarness.Run(Usings + """
            [Block]
            [Conv2D(Filters = 4, Kernel = 0)]
            [Dense(Outputs = 3)]
            [Sequential(typeof(string))]
            [Residual(typeof(Unused))]
            [Concat]
            public partial class Unused { }

            [Block]
            public class NotEvenPartial { }
            """);

        Assert.Empty(result.AllDiagnostics);
        GeneratorHarness.AssertNoForwardPass(result);
    }

    /// <summary>CNN0001 (layers without [InputShape]) is for networks: a [Block] class has layers and no input shape by design.</summary>
    [Fact]
    public void Layer_attributes_on_a_block_are_not_a_network_without_InputShape()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(3, 8, 8)]
            [Sequential(typeof(B))]
            public partial class Net { }

            [Block]
            [Conv2D(Filters = 4, Kernel = 3)]
            [ReLU]
            public partial class B { }

            [Block]
            [MaxPool2D(Kernel = 2)]
            public partial class Unused { }
            """);

        Assert.Empty(result.AllDiagnostics);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CNN0001");
        Assert.Single(result.Run.GeneratedTrees);
    }

    /// <summary>Without [Block] the same class is a network missing its input shape.</summary>
    [Fact]
    public void Without_Block_the_same_class_is_CNN0001() =>
        Assert.Equal("CNN0001", SingleError("[Conv2D(Filters = 4, Kernel = 3)]\n[ReLU]\npublic partial class B { }", faulty: "B").Id);

    [Theory]
    [InlineData("Concat", "Concat (layer 0) names no block; give it at least one, as in [Concat(typeof(A), typeof(B))]")]
    [InlineData("Concat(IncludeInput = true, Name = \"c\")", "Concat (layer 0) names no block; give it at least one, as in [Concat(typeof(A), typeof(B))]")]
    // a null array for the params parameter: no branch either
    [InlineData("Concat(null)", "Concat (layer 0) names no block; give it at least one, as in [Concat(typeof(A), typeof(B))]")]
    public void CNN0021_a_Concat_without_branches(string attribute, string message)
    {
        var diagnostic = SingleError($"[InputShape(3, 8, 8)]\n[{attribute}]\npublic partial class Net {{ }}", ignoreWarnings: true);

        Assert.Equal(("CNN0021", attribute), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>typeof(null) or typeof of an array is nothing the compiler objects to, and no block: CNN0021, never silence.</summary>
    [Theory]
    [InlineData("Sequential(null)", "Sequential (layer 0): 'null' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here")]
    [InlineData("Multiply(null)", "Multiply (layer 0): 'null' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here")]
    [InlineData("Concat(typeof(B), null)", "Concat (layer 0): 'null' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here")]
    [InlineData("Sequential(typeof(B[]))", "Sequential (layer 0): 'B[]' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here")]
    public void CNN0021_a_typeof_that_names_no_class(string attribute, string message)
    {
        var diagnostic = SingleError($"[InputShape(3, 8, 8)]\n[{attribute}]\npublic partial class Net {{ }}\n[Block] [ReLU] public partial class B {{ }}", ignoreWarnings: true);

        Assert.Equal(("CNN0021", attribute), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>A block takes its shapes from each use: [InputShape] on it is the error, on the [InputShape] line, whether or not a network uses it.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CNN0021_Block_with_InputShape_is_reported_on_the_InputShape(bool used)
    {
        var result = GeneratorHarness.Run(Usings + (used ? "[InputShape(3, 8, 8)]\n[Sequential(typeof(B))]\npublic partial class Net { }\n" : "") + """
            [Block]
            [InputShape(3, 8, 8)]
            [ReLU]
            public partial class B { }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(("CNN0021", "InputShape(3, 8, 8)"), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal("'B' has both [Block] and [InputShape]; a block takes its shapes from where it is used, so remove one of them", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("Sequential(typeof(Plain))", "Sequential", "Plain")]
    [InlineData("Residual(typeof(Other))", "Residual", "Other")]
    [InlineData("Multiply(typeof(string))", "Multiply", "string")]
    [InlineData("Concat(typeof(B), typeof(Plain))", "Concat", "Plain")]
    [InlineData("Residual(typeof(B), Shortcut = typeof(int))", "Residual", "int")]
    [InlineData("Sequential(typeof(Net))", "Sequential", "Net")]
    public void CNN0021_a_typeof_of_a_class_that_is_no_block(string attribute, string kind, string type)
    {
        var diagnostic = SingleError($$"""
            [InputShape(3, 8, 8)]
            [ReLU]
            [{{attribute}}]
            public partial class Net { }

            public class Plain { }

            [InputShape(3, 8, 8)]
            [ReLU]
            public partial class Other { }

            [Block]
            [ReLU]
            public partial class B { }
            """);

        Assert.Equal(("CNN0021", attribute, 5), (diagnostic.Id, Text(diagnostic.Location), Line(diagnostic.Location)));
        Assert.Equal($"{kind} (layer 1): '{type}' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CNN0021_a_block_without_layers()
    {
        var diagnostic = SingleError("[InputShape(3, 8, 8)]\n[Sequential(typeof(B))]\npublic partial class Net { }\n[Block]\npublic partial class B { }");

        Assert.Equal(("CNN0021", "Sequential(typeof(B))"), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal("Sequential (layer 0): the block 'B' has no layers; a block needs at least one layer attribute", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CNN0021_a_block_whose_layers_are_spread_over_partial_declarations()
    {
        var diagnostic = SingleError("[InputShape(3, 8, 8)]\n[Sequential(typeof(B))]\npublic partial class Net { }\n[Block]\n[ReLU]\npublic partial class B { }\n[Sigmoid]\npublic partial class B { }");

        Assert.Equal(("CNN0021", "Sequential(typeof(B))"), (diagnostic.Id, Text(diagnostic.Location)));
        Assert.Equal("Sequential (layer 0): the layers of the block 'B' are spread over several partial declarations, so their order is undefined; put every layer attribute on one declaration", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    // ---- cycles and size ----

    [Fact]
    public void CNN0022_a_cycle_through_a_shortcut_and_a_concat_branch()
    {
        var diagnostic = SingleError("""
            [InputShape(3, 8, 8)]
            [Residual(typeof(B), Shortcut = typeof(S))]
            public partial class Net { }

            [Block]
            [ReLU]
            public partial class B { }

            [Block]
            [Concat(typeof(B), typeof(S))]
            public partial class S { }
            """);

        Assert.Equal(("CNN0022", "Concat(typeof(B), typeof(S))", 12), (diagnostic.Id, Text(diagnostic.Location), Line(diagnostic.Location)));
        Assert.Equal("Residual(typeof(B), Shortcut = typeof(S))", Text(Assert.Single(diagnostic.AdditionalLocations)));
        Assert.Equal("Net > 0 (Residual) > shortcut > 0 (Concat): 'S' contains itself (S > S); a block cannot use itself, directly or through other blocks",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CNN0022_a_cycle_through_three_blocks_is_reported_once_where_it_closes()
    {
        var diagnostic = SingleError("""
            [InputShape(3, 8, 8)]
            [Sequential(typeof(A))]
            public partial class Net { }

            [Block]
            [Multiply(typeof(B))]
            public partial class A { }

            [Block]
            [ReLU]
            [Sequential(typeof(C))]
            public partial class B { }

            [Block]
            [Sequential(typeof(A))]
            public partial class C { }
            """);

        Assert.Equal(("CNN0022", "Sequential(typeof(A))", 17), (diagnostic.Id, Text(diagnostic.Location), Line(diagnostic.Location)));
        Assert.Equal("Net > 0 (Sequential) > 0 (Multiply) > 1 (Sequential) > 0 (Sequential): 'A' contains itself (A > B > C > A); a block cannot use itself, directly or through other blocks",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// B1 uses B2 twice, B2 uses B3 twice, ... down to B20: 2^19 ReLUs if expanded. The generator runs
    /// on every keystroke, so it gives up at 10,000 items with CNN0017, quickly, and does not hang.
    /// </summary>
    [Fact]
    public void CNN0017_a_block_nested_exponentially_is_refused_quickly()
    {
        var source = new StringBuilder("[InputShape(1, 2, 2)]\n[Sequential(typeof(B1))]\npublic partial class Net { }\n");
        for (int i = 1; i < 20; i++) source.Append(CultureInfo.InvariantCulture, $"[Block]\n[Sequential(typeof(B{i + 1}))]\n[Residual(typeof(B{i + 1}))]\npublic partial class B{i} {{ }}\n");
        source.Append("[Block]\n[ReLU]\npublic partial class B20 { }\n");
        var stopwatch = Stopwatch.StartNew();

        var result = GeneratorHarness.Run(Usings + source);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        var diagnostic = Assert.Single(result.AllDiagnostics);
        Assert.Equal("CNN0017", diagnostic.Id);
        Assert.Equal("Sequential(typeof(B1))", Text(Assert.Single(diagnostic.AdditionalLocations)));
        Assert.StartsWith("Net > 0 (Sequential) > 0 (Sequential) > ", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.EndsWith(": the network expands to more than 10000 layers, blocks counted at each use; it is too large to generate", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        GeneratorHarness.AssertNoForwardPass(result);
    }

    // ---- what is not ours to report ----

    /// <summary>typeof of a type that does not exist is the compiler's error (CS0246) alone: nothing from CnnGen, and no crash.</summary>
    [Theory]
    [InlineData("[Sequential(typeof(Missing))]")]
    [InlineData("[Residual(typeof(B), Shortcut = typeof(Missing))]")]
    [InlineData("[Concat(typeof(B), typeof(Missing), IncludeInput = true)]")]
    [InlineData("[Multiply(typeof(Inside))]")]
    public void A_typeof_of_an_undefined_type_is_only_the_compilers_error(string attribute)
    {
        var result = GeneratorHarness.Run(Usings + $$"""
            [InputShape(3, 8, 8)]
            {{attribute}}
            public partial class Net { }

            [Block]
            [ReLU]
            public partial class B { }

            [Block]
            [Sequential(typeof(Missing))]
            public partial class Inside { }
            """);

        Assert.All(result.Run.Results, r => Assert.Null(r.Exception));
        // Inside's own typeof(Missing) is one of them whichever attribute Net has
        Assert.NotEmpty(result.AllDiagnostics);
        Assert.All(result.AllDiagnostics, d => Assert.Equal("CS0246", d.Id));
        Assert.Empty(result.GeneratorDiagnostics);
    }

    /// <summary>Odd block declarations: whatever the generator says, it never crashes (CS8785) or fails internally (CNN0099).</summary>
    [Theory]
    [InlineData("[InputShape(3, 8, 8)] [Concat(null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Concat(typeof(B), null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Sequential(null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Residual(null, Shortcut = null, ShortcutName = null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Residual(typeof(B), Shortcut = typeof(B), ShortcutName = null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Multiply(typeof(B), Name = null)] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Sequential(typeof(G<>))] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Sequential(typeof(G<int>))] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Sequential(typeof(B[]))] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Sequential(typeof(B), Name = \"\")] [Sequential(typeof(B), Name = \"\")] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Concat(typeof(B), typeof(B), typeof(B), IncludeInput = true, Name = \"\")] [Concat(typeof(B))] public partial class Net { }")]
    [InlineData("[InputShape(int.MaxValue, 8, 8)] [Residual(typeof(B))] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Residual(typeof(Net))] public partial class Net { }")]
    [InlineData("[InputShape(3, 8, 8)] [Residual(typeof(B))] public class NotPartial { }")]
    [InlineData("[Block] [InputShape(3, 8, 8)] public partial class Net { }")]
    public void The_generator_never_throws_on_odd_blocks(string declaration)
    {
        var result = GeneratorHarness.Run(Usings + declaration + "\n[Block] [ReLU] public partial class B { }\n[Block] [ReLU] public partial class G<T> { }");

        Assert.All(result.Run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id is "CS8785" or "CNN0099");
    }

    private const string Usings = "using CnnGen;\n\n";

    private static int Line(Location location) => location.GetLineSpan().StartLinePosition.Line + 1;

    private static string Text(Location location) => location.SourceTree!.GetText().ToString(location.SourceSpan);

    /// <summary>The generator's one error on <paramref name="declarations"/> (preceded by "using CnnGen;" and a blank line), with no forward pass and no other error.</summary>
    private static Diagnostic SingleError(string declarations, bool ignoreWarnings = false, string faulty = "Net")
    {
        var result = GeneratorHarness.Run(Usings + declarations);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // the class at fault gets its stand-in; a valid network beside it gets its code
        Assert.Contains("private const string CnnGenError = ", result.Run.GeneratedTrees.Single(t => Path.GetFileName(t.FilePath) == faulty + ".g.cs").ToString());
        var others = result.AllDiagnostics.Where(d => d.Id != diagnostic.Id && (!ignoreWarnings || d.Severity == DiagnosticSeverity.Error)).ToList();
        Assert.True(others.Count == 0, "diagnostics besides ours: " + string.Join("\n", others));
        return diagnostic;
    }
}
