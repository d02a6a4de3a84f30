using System.Collections.Generic;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static CnnGen.Generator.NetworkGenerator;

namespace CnnGen.Tests.Generator;

/// <summary>
/// The generator runs on every keystroke in an IDE, so work must follow the edit: an edit that does not
/// change a network's attributes re-emits nothing, and changing one network re-emits that network alone.
/// Each test runs one driver twice over a compilation of several networks and reads the tracked steps.
/// </summary>
public class IncrementalityTests
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static string Network(string name, string convolution, string methodBody = "return 1;") => $$"""
        using CnnGen;

        namespace Incremental;

        [InputShape(3, 12, 12)]
        [{{convolution}}]
        [ReLU]
        [MaxPool2D(Kernel = 2)]
        [Flatten]
        [Dense(Outputs = 4)]
        public partial class {{name}}
        {
            public int Helper() { {{methodBody}} }
        }
        """;

    private const string Unrelated = """
        namespace Incremental;

        public static class Unrelated
        {
            public static int Answer => 41;
        }
        """;

    private static readonly string[] Sources =
    {
        Network("Alpha", "Conv2D(Filters = 4, Kernel = 3)"),
        Network("Beta", "Conv2D(Filters = 6, Kernel = 3, Padding = 1)"),
        Network("Gamma", "Conv2D(Filters = 2, Kernel = 5, Stride = 1)"),
        Unrelated,
    };

    [Fact]
    public void An_edit_in_an_unrelated_file_leaves_every_step_cached_and_emits_nothing_new()
    {
        var (first, second) = RunTwice(Sources, 3, Unrelated.Replace("41", "42"));

        // Any new compilation re-runs ForAttributeWithMetadataName's transform (semantics may have changed
        // anywhere), so Parse may run again; what matters is that it yields an equal model, stopping there.
        AssertEach(second, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertEach(second, TrackingNames.Plan, IncrementalStepRunReason.Cached);
        AssertEach(second, TrackingNames.Emit, IncrementalStepRunReason.Cached);
        AssertAllOutputs(second, IncrementalStepRunReason.Cached);
        Assert.Equal(Texts(first), Texts(second));
    }

    [Fact]
    public void An_edit_in_a_method_body_of_a_network_class_re_parses_it_to_an_equal_model_and_emits_nothing_new()
    {
        var (first, second) = RunTwice(Sources, 1, Network("Beta", "Conv2D(Filters = 6, Kernel = 3, Padding = 1)", "return 2 + 3;"));

        AssertEach(second, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertEach(second, TrackingNames.Plan, IncrementalStepRunReason.Cached);
        AssertEach(second, TrackingNames.Emit, IncrementalStepRunReason.Cached);
        AssertAllOutputs(second, IncrementalStepRunReason.Cached);
        Assert.Equal(Texts(first), Texts(second));
    }

    [Fact]
    public void Changing_one_hyperparameter_re_emits_that_network_alone()
    {
        var (first, second) = RunTwice(Sources, 1, Network("Beta", "Conv2D(Filters = 7, Kernel = 3, Padding = 1)"));

        var emitted = Steps(second, TrackingNames.Emit).Select(s => (File: HintName(s), Reason: s.Outputs.Single().Reason)).ToList();
        Assert.Equal(3, emitted.Count);
        Assert.Equal(IncrementalStepRunReason.Modified, emitted.Single(e => e.File == "Incremental.Beta.g.cs").Reason);
        Assert.All(emitted.Where(e => e.File != "Incremental.Beta.g.cs"), e => Assert.True(e.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{e.File}: {e.Reason}"));

        var before = Texts(first);
        var after = Texts(second);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(new[] { "Incremental.Beta.g.cs" }, after.Keys.Where(k => after[k] != before[k]));
        Assert.Contains("Conv2DSpec(7, 3, 3)", Spec(after["Incremental.Beta.g.cs"]));
    }

    // ---- helpers ----

    /// <summary>Runs one driver over the sources, then again with source <paramref name="index"/> replaced.</summary>
    /// <summary>A block lives in its own file: editing it must reach the network that uses it, though the network's file did not change.</summary>
    [Fact]
    public void An_edit_to_a_block_in_another_file_re_emits_the_network_that_uses_it()
    {
        string Block(int filters) => $$"""
            using CnnGen;

            namespace Incremental;

            [Block]
            [Conv2D(Filters = {{filters}}, Kernel = 3, Padding = 1)]
            [ReLU]
            public partial class Stage { }
            """;
        const string user = """
            using CnnGen;

            namespace Incremental;

            [InputShape(3, 8, 8)]
            [Sequential(typeof(Stage))]
            [GlobalAvgPool2D]
            public partial class UsesStage { }
            """;
        var sources = new[] { Network("Alpha", "Conv2D(Filters = 4, Kernel = 3)"), Network("Beta", "Conv2D(Filters = 6, Kernel = 3, Padding = 1)"), user, Block(4) };
        var compilation = GeneratorHarness.Compilation(sources);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        var old = compilation.SyntaxTrees.ElementAt(3);
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Block(5), ParseOptions, old.FilePath))).GetRunResult().Results.Single();

        string Text(GeneratorRunResult run) => run.GeneratedSources.Single(g => g.HintName.Contains("UsesStage")).SourceText.ToString();
        Assert.Contains("OutputChannels = 4;", Text(first));
        Assert.Contains("OutputChannels = 5;", Text(second));
    }

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(string[] sources, int index, string replacement)
    {
        var compilation = GeneratorHarness.Compilation(sources);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Equal(3, first.GeneratedSources.Length);

        var old = compilation.SyntaxTrees.ElementAt(index);
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(replacement, ParseOptions, old.FilePath));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Null(second.Exception);
        return (first, second);
    }

    private static IEnumerable<IncrementalGeneratorRunStep> Steps(GeneratorRunResult run, string name) => run.TrackedSteps[name];

    private static List<IncrementalStepRunReason> Reasons(GeneratorRunResult run, string name) =>
        Steps(run, name).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();

    private static void AssertEach(GeneratorRunResult run, string step, params IncrementalStepRunReason[] allowed)
    {
        var reasons = Reasons(run, step);
        Assert.Equal(3, reasons.Count); // one per network
        Assert.All(reasons, r => Assert.True(allowed.Contains(r), $"{step}: {r}, expected {string.Join(" or ", allowed)}"));
    }

    /// <summary>The source-output steps: Cached means the driver kept the file it had and called AddSource for nothing.</summary>
    private static void AssertAllOutputs(GeneratorRunResult run, IncrementalStepRunReason expected)
    {
        var reasons = run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r == expected, $"output: {r}, expected {expected}"));
    }

    /// <summary>The file an Emit step produced; its value is the generator's internal GeneratedFile record.</summary>
    private static string HintName(IncrementalGeneratorRunStep step)
    {
        var value = step.Outputs.Single().Value;
        return (string)value.GetType().GetProperty("HintName")!.GetValue(value)!;
    }

    private static Dictionary<string, string> Texts(GeneratorRunResult run) =>
        run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    private static string Spec(string generated) =>
        generated.Split('\n').First(l => l.Contains("new global::CnnGen.Conv2DSpec", System.StringComparison.Ordinal));
}
