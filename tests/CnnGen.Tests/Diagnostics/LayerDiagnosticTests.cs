using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics;

/// <summary>
/// The new layers' mistakes as the user meets them: the error cases of tests/fixtures/layers (each
/// must give exactly one CNN error, on the line cases.json gives and on the argument at fault), then
/// mistakes written here by hand. An error leaves the class without generated code and the
/// compilation without any other error.
/// </summary>
public sealed class LayerDiagnosticTests
{
    /// <summary>
    /// What each error case of cases.json must give: the ID and the text it underlines (the named
    /// argument at fault, or the attribute when no argument is).
    /// </summary>
    private static readonly Dictionary<string, (string Id, string Span, string Message)> ErrorCases = new()
    {
        ["AdaptiveMaxNoOutput"] = ("CNN0006", "AdaptiveMaxPool2D", "AdaptiveMaxPool2D (layer 1) needs Output (or OutputHeight and OutputWidth)"),
        ["BadAdaptiveOutput"] = ("CNN0005", "Output = 0", "AdaptiveAvgPool2D (layer 1): Output = 0 is invalid; it must be at least 1"),
        ["BadBatchNormChannels"] = ("CNN0019", "Channels = 3", "BatchNorm2D (layer 1) declares Channels = 3 but layer 0 produces 4 channels"),
        ["BadDropoutP"] = ("CNN0005", "P = 1.5f", "Dropout (layer 1): P = 1.5 is invalid; it must be between 0 and 1"),
        ["BadGELUApproximate"] = ("CNN0005", "Approximate = \"fast\"", "GELU (layer 1): Approximate = \"fast\" is invalid; it must be \"none\" or \"tanh\""),
        ["BadHardtanhRange"] = ("CNN0005", "Max = 1.0f", "Hardtanh (layer 1): Max = 1 is invalid; it must be greater than Min (2)"),
        ["BadPReLUParameters"] = ("CNN0019", "Parameters = 3", "PReLU (layer 1): Parameters = 3 must be 1 or the 4 channels layer 0 produces"),
        ["BadSoftplusBeta"] = ("CNN0005", "Beta = 0.0f", "Softplus (layer 1): Beta = 0 is invalid; it must be nonzero"),
        ["DottedName"] = ("CNN0020", "Name = \"stem.conv\"", "Conv2D (layer 0): Name = \"stem.conv\" is invalid; a module name must be non-empty and must not contain \".\""),
        ["DuplicateName"] = ("CNN0020", "Name = \"a\"", "Conv2D (layer 2): the module name \"a\" is already taken by Conv2D (layer 0); the children of one module need different names"),
        ["EmptyName"] = ("CNN0020", "Name = \"\"", "Conv2D (layer 0): Name = \"\" inserts a block's children in its place, but Conv2D is a layer, not a block; remove Name or give it a name"),
        ["NameClashesWithPosition"] = ("CNN0020", "Name = \"0\"", "ReLU (layer 1): the module name \"0\" is already taken by Conv2D (layer 0); the children of one module need different names"),
    };

    public static TheoryData<string> Cases() => new(LayerCase.All.Where(c => c.IsError).Select(c => c.Name));

    [Fact]
    public void Every_error_case_has_its_expected_diagnostic()
    {
        var errors = LayerCase.All.Where(c => c.IsError).Select(c => c.Name).ToList();
        Assert.NotEmpty(errors);
        var missing = errors.Where(n => !ErrorCases.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "error cases of cases.json without an entry in LayerDiagnosticTests.ErrorCases: " + string.Join(", ", missing));
        var stale = ErrorCases.Keys.Where(n => !errors.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "entries in LayerDiagnosticTests.ErrorCases that are no error case of cases.json: " + string.Join(", ", stale));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_error_case_gets_one_error_on_its_line_and_argument(string name)
    {
        var c = LayerCase.Named(name);
        Assert.True(ErrorCases.TryGetValue(name, out var expected), $"{name} is an error case of cases.json but LayerDiagnosticTests.ErrorCases has no entry for it");
        var source = File.ReadAllText(SourcePath(name));

        var result = GeneratorHarness.Run(source);

        var errors = result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var diagnostic = Assert.Single(errors);
        Assert.Equal(expected.Id, diagnostic.Id);
        Assert.Equal(c.Line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(expected.Span, Text(diagnostic.Location));
        Assert.Equal(expected.Message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        GeneratorHarness.AssertNoForwardPass(result);
    }

    [Fact]
    public void CNN0016_BatchNorm2D_on_a_flat_vector() =>
        AssertError("[InputShape(3, 4, 4)]\n[Flatten]\n[BatchNorm2D]", "CNN0016", "BatchNorm2D",
            "BatchNorm2D (layer 1) needs a channels x height x width feature map but layer 0 produces a flat vector [48]");

    [Fact]
    public void CNN0016_BatchNorm2D_after_Dense() =>
        AssertError("[InputShape(3, 4, 4)]\n[Flatten]\n[Dense(Outputs = 6)]\n[BatchNorm2D(Channels = 6)]", "CNN0016", "BatchNorm2D(Channels = 6)",
            "BatchNorm2D (layer 2) needs a channels x height x width feature map but layer 1 produces a flat vector [6]");

    [Theory]
    [InlineData("GlobalAvgPool2D", "GlobalAvgPool2D")]
    [InlineData("GlobalMaxPool2D(Name = \"pool\")", "GlobalMaxPool2D")]
    [InlineData("AdaptiveAvgPool2D(Output = 2)", "AdaptiveAvgPool2D")]
    [InlineData("AdaptiveMaxPool2D(OutputHeight = 1, OutputWidth = 2)", "AdaptiveMaxPool2D")]
    public void CNN0016_a_global_or_adaptive_pool_after_Flatten(string layer, string kind) =>
        AssertError($"[InputShape(2, 5, 5)]\n[Flatten]\n[{layer}]", "CNN0016", layer,
            $"{kind} (layer 1) needs a channels x height x width feature map but layer 0 produces a flat vector [50]");

    [Theory]
    [InlineData("Hardtanh(Min = 1f, Max = 1f)", "Max = 1f", "Hardtanh (layer 1): Max = 1 is invalid; it must be greater than Min (1)")]
    // the default Max is at fault: no argument says it, so the attribute is underlined
    [InlineData("Hardtanh(Min = 1.5f)", "Hardtanh(Min = 1.5f)", "Hardtanh (layer 1): Max = 1 is invalid; it must be greater than Min (1.5)")]
    [InlineData("Hardtanh(Max = float.NaN)", "Max = float.NaN", "Hardtanh (layer 1): Max = NaN is invalid; it must be greater than Min (-1)")]
    [InlineData("Softplus(Beta = float.NaN)", "Beta = float.NaN", "Softplus (layer 1): Beta = NaN is invalid; it must be nonzero")]
    [InlineData("Softplus(Beta = -0f, Threshold = 10f)", "Beta = -0f", "Softplus (layer 1): Beta = -0 is invalid; it must be nonzero")]
    [InlineData("Dropout(P = -0.1f)", "P = -0.1f", "Dropout (layer 1): P = -0.1 is invalid; it must be between 0 and 1")]
    [InlineData("Dropout(P = float.NaN)", "P = float.NaN", "Dropout (layer 1): P = NaN is invalid; it must be between 0 and 1")]
    [InlineData("PReLU(Parameters = 0)", "Parameters = 0", "PReLU (layer 1): Parameters = 0 is invalid; it must be at least 1")]
    [InlineData("PReLU(Parameters = -4)", "Parameters = -4", "PReLU (layer 1): Parameters = -4 is invalid; it must be at least 1")]
    [InlineData("BatchNorm2D(Epsilon = -1e-5f)", "Epsilon = -1e-5f", "BatchNorm2D (layer 1): Epsilon = -1E-05 is invalid; it must be a finite number, 0 or more")]
    [InlineData("BatchNorm2D(Epsilon = float.PositiveInfinity)", "Epsilon = float.PositiveInfinity", "BatchNorm2D (layer 1): Epsilon = Infinity is invalid; it must be a finite number, 0 or more")]
    [InlineData("GELU(Approximate = \"Tanh\")", "Approximate = \"Tanh\"", "GELU (layer 1): Approximate = \"Tanh\" is invalid; it must be \"none\" or \"tanh\"")]
    [InlineData("GELU(Approximate = null)", "Approximate = null", "GELU (layer 1): Approximate = null is invalid; it must be \"none\" or \"tanh\"")]
    [InlineData("GELU(Approximate = \"a\\nb\")", "Approximate = \"a\\nb\"", "GELU (layer 1): Approximate = \"a\\u000ab\" is invalid; it must be \"none\" or \"tanh\"")]
    [InlineData("AdaptiveAvgPool2D(OutputHeight = 2, OutputWidth = -1)", "OutputWidth = -1", "AdaptiveAvgPool2D (layer 1): OutputWidth = -1 is invalid; it must be at least 1")]
    [InlineData("AdaptiveMaxPool2D(Output = -2)", "Output = -2", "AdaptiveMaxPool2D (layer 1): Output = -2 is invalid; it must be at least 1")]
    public void CNN0005_an_invalid_value_of_a_new_layer(string layer, string span, string message) =>
        AssertError($"[InputShape(4, 6, 6)]\n[Conv2D(Filters = 4, Kernel = 3)]\n[{layer}]", "CNN0005", span, message);

    [Theory]
    [InlineData("AdaptiveAvgPool2D(OutputHeight = 2)", "AdaptiveAvgPool2D (layer 0) needs OutputWidth to go with OutputHeight (or Output for a square output)")]
    [InlineData("AdaptiveMaxPool2D(OutputWidth = 2, Name = \"pool\")", "AdaptiveMaxPool2D (layer 0) needs OutputHeight to go with OutputWidth (or Output for a square output)")]
    [InlineData("AdaptiveAvgPool2D", "AdaptiveAvgPool2D (layer 0) needs Output (or OutputHeight and OutputWidth)")]
    public void CNN0006_an_adaptive_pool_without_its_size(string layer, string message) =>
        AssertError($"[InputShape(2, 6, 6)]\n[{layer}]", "CNN0006", layer, message);

    [Theory]
    [InlineData("AdaptiveAvgPool2D(Output = 2, OutputHeight = 3)", "OutputHeight = 3", "Output", "OutputHeight")]
    [InlineData("AdaptiveMaxPool2D(OutputWidth = 2, Output = 3)", "Output = 3", "OutputWidth", "Output")]
    public void CNN0007_Output_with_OutputHeight_or_OutputWidth(string layer, string span, string first, string second) =>
        AssertError($"[InputShape(2, 6, 6)]\n[{layer}]", "CNN0007", span,
            $"{layer.Substring(0, layer.IndexOf('('))} (layer 0) sets both {first} and {second}, two forms of the same setting; keep one of them");

    [Fact]
    public void CNN0007_each_argument_that_restates_Output_is_reported_on_itself()
    {
        var result = GeneratorHarness.Run(Usings + "[InputShape(2, 6, 6)]\n[AdaptiveMaxPool2D(Output = 2, OutputWidth = 3, OutputHeight = 3)]\npublic partial class Net { }");
        Assert.All(result.GeneratorDiagnostics, d => Assert.Equal("CNN0007", d.Id));
        Assert.Equal(new[] { "OutputWidth = 3", "OutputHeight = 3" }, result.GeneratorDiagnostics.Select(d => Text(d.Location)).OrderBy(t => t.Length));
        GeneratorHarness.AssertNoForwardPass(result);
    }

    [Fact]
    public void CNN0017_an_adaptive_pool_whose_output_size_overflows_a_long() =>
        AssertError("[InputShape(4, 4, 4)]\n[AdaptiveAvgPool2D(Output = int.MaxValue)]", "CNN0017", "AdaptiveAvgPool2D(Output = int.MaxValue)",
            "AdaptiveAvgPool2D (layer 0): the output of 18446744056529682436 elements is too large (at most 1073741824)");

    [Fact]
    public void CNN0019_BatchNorm2D_Channels_against_the_input() =>
        AssertError("[InputShape(3, 6, 6)]\n[BatchNorm2D(Channels = 4, Affine = false)]", "CNN0019", "Channels = 4",
            "BatchNorm2D (layer 0) declares Channels = 4 but InputShape produces 3 channels");

    [Fact]
    public void CNN0019_carries_the_produced_channels_for_the_code_fix()
    {
        var result = GeneratorHarness.Run(Usings + "[InputShape(3, 6, 6)]\n[Conv2D(Filters = 8, Kernel = 3)]\n[BatchNorm2D(Channels = 4)]\npublic partial class Net { }");
        Assert.Equal("8", Assert.Single(result.GeneratorDiagnostics).Properties["Expected"]);
    }

    [Fact]
    public void CNN0019_PReLU_Parameters_against_the_features_of_a_vector() =>
        AssertError("[InputShape(3, 4, 4)]\n[Flatten]\n[Dense(Outputs = 6)]\n[PReLU(Parameters = 3)]", "CNN0019", "Parameters = 3",
            "PReLU (layer 2): Parameters = 3 must be 1 or the 6 channels layer 1 produces");

    /// <summary>An unnamed layer is named by its position: a Name equal to another layer's position is a clash, reported on the named layer whichever comes first.</summary>
    [Theory]
    [InlineData("[Conv2D(Filters = 2, Kernel = 1)]\n[ReLU(Name = \"0\")]", "Name = \"0\"", "ReLU (layer 1): the module name \"0\" is already taken by Conv2D (layer 0); the children of one module need different names")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 1, Name = \"1\")]\n[ReLU]", "Name = \"1\"", "Conv2D (layer 0): the module name \"1\" is already taken by ReLU (layer 1); the children of one module need different names")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 1, Name = \"2\")]\n[Dropout]\n[BatchNorm2D]", "Name = \"2\"", "Conv2D (layer 0): the module name \"2\" is already taken by BatchNorm2D (layer 2); the children of one module need different names")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 1, Name = \"x\")]\n[Identity]\n[PReLU(Name = \"x\")]", "Name = \"x\"", "PReLU (layer 2): the module name \"x\" is already taken by Conv2D (layer 0); the children of one module need different names")]
    public void CNN0020_a_name_that_clashes_is_reported_on_the_named_layer(string layers, string span, string message) =>
        AssertError("[InputShape(2, 6, 6)]\n" + layers, "CNN0020", span, message);

    [Fact]
    public void CNN0020_the_named_layer_of_a_clash_is_reported_on_its_own_line()
    {
        var result = GeneratorHarness.Run(Usings + "[InputShape(2, 6, 6)]\n[Conv2D(Filters = 2, Kernel = 1, Name = \"1\")]\n[ReLU]\npublic partial class Net { }");
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // 0-based: the Conv2D, not the ReLU
    }

    [Theory]
    [InlineData("Name = \"a.b\"")]
    [InlineData("Name = \".\"")]
    public void CNN0020_an_invalid_name_on_a_new_layer(string argument) =>
        AssertError($"[InputShape(2, 6, 6)]\n[Dropout({argument})]", "CNN0020", argument,
            $"Dropout (layer 0): {argument} is invalid; a module name must be non-empty and must not contain \".\"");

    [Fact]
    public void CNN0020_an_empty_name_on_a_layer_is_not_a_block_inserting_its_children() =>
        AssertError("[InputShape(2, 6, 6)]\n[Dropout(Name = \"\")]", "CNN0020", "Name = \"\"",
            "Dropout (layer 0): Name = \"\" inserts a block's children in its place, but Dropout is a layer, not a block; remove Name or give it a name");

    /// <summary>
    /// Dropout and Identity count in the positions whether named or not: a name on one renames that
    /// module only, and the layers after it keep their positions. A layer may also be named its own position.
    /// </summary>
    [Fact]
    public void A_name_on_a_Dropout_shifts_no_other_key()
    {
        var result = GeneratorHarness.Run(Usings + """
            namespace Named;
            [InputShape(2, 6, 6)]
            [Conv2D(Filters = 3, Kernel = 3, Name = "0")]
            [Dropout(Name = "drop")]
            [BatchNorm2D]
            [Identity(Name = "skip")]
            [PReLU(Parameters = 3)]
            [Flatten]
            [Dense(Outputs = 2, Name = "head")]
            public partial class Net { }
            """);
        Assert.Empty(result.AllDiagnostics);
        var net = (INetwork)System.Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Named.Net")!)!;

        Assert.Equal(
            new[] { "0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "4.weight", "head.weight", "head.bias" },
            net.Spec.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { false, false, false, false, true, true, false, false, false }, net.Spec.Parameters.Select(p => p.IsBuffer));
        Assert.Equal(new string?[] { "0", "drop", null, "skip", null, null, "head" }, net.Spec.Layers.Select(l => l.ModuleName));
    }

    /// <summary>Extreme and odd arguments of the new layers: whatever the generator says, it never crashes (CS8785) or fails internally (CNN0099).</summary>
    [Theory]
    [InlineData("[InputShape(4, 4, 4)] [AdaptiveAvgPool2D(Output = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(int.MaxValue, 1, 1)] [AdaptiveMaxPool2D(OutputHeight = int.MaxValue, OutputWidth = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [AdaptiveMaxPool2D(Output = int.MinValue)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [BatchNorm2D(Epsilon = float.NaN, Channels = int.MinValue)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [BatchNorm2D(Channels = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [GELU(Approximate = null)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [GELU(Approximate = \"\\\"\\n\")] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [Hardtanh(Min = float.NegativeInfinity, Max = float.PositiveInfinity)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [Softplus(Beta = float.PositiveInfinity, Threshold = float.NaN)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [ELU(Alpha = float.NaN)] [SELU] [Mish] [SiLU] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [PReLU(Parameters = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [Dropout(P = float.PositiveInfinity)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [ReLU(Name = null)] [Dropout(Name = \"\\\"\")] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [ReLU(Name = \"x\")] [Identity(Name = \"x\")] [Dropout(Name = \"x\")] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [Dropout] [Identity] [Flatten] [Dropout] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [BatchNorm2D(Channels = 3)] [PReLU(Parameters = 3)] public partial class Net { }")]
    [InlineData("[InputShape(4, 4, 4)] [AdaptiveAvgPool2D(Output = \"2\")] public partial class Net { }")]
    public void The_generator_never_throws_on_the_new_layers(string declaration)
    {
        var result = GeneratorHarness.Run(Usings + declaration);
        Assert.All(result.Run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id is "CS8785" or "CNN0099");
    }

    private const string Usings = "using CnnGen;\n\n";

    private static string SourcePath(string name) => FixturePath(name + ".cs");

    private static string FixturePath(string file, [System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures", LayerCase.Folder, file);

    private static string Text(Location location) => location.SourceTree!.GetText().ToString(location.SourceSpan);

    /// <summary>The error alone, on that text, with that message; no generated file and no other error.</summary>
    private static void AssertError(string layers, string id, string span, string message)
    {
        var result = GeneratorHarness.Run(Usings + layers + "\npublic partial class Net { }");
        var diagnostic = Assert.Single(result.GeneratorDiagnostics.Where(d => !d.IsSuppressed));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, Text(diagnostic.Location));
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        GeneratorHarness.AssertNoForwardPass(result);
        var cascade = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(cascade.Count == 0, "errors besides ours: " + string.Join("\n", cascade));
    }
}
