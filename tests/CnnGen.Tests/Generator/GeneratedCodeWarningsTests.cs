using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnGen.Generator;
using CnnGen.Tests.Snapshots;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// The generated code must not cost its user a warning: projects build with TreatWarningsAsErrors and
/// nullable enabled, and may generate documentation. So the samples, the layers' and the blocks'
/// fixtures, networks of every layer and a batch of random networks (some of blocks) are compiled
/// with every warning wave on, doc comments checked, and warnings promoted to errors.
/// </summary>
public class GeneratedCodeWarningsTests
{
    private readonly ITestOutputHelper _output;

    public GeneratedCodeWarningsTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_files_compile_without_a_single_warning_under_the_strictest_settings()
    {
        var draw = new RandomNetworks(4242);
        var blocks = new RandomBlockNetworks(4242);
        var sources = new[] { "SeedStride1", "SeedStride2", "SameConv", "MaxPool", "AvgPool", "MinPool", "PoolPadCeil", "LeNet5", "SmallCifar", "DenseSoftmax", "StridedConv", "MultiFilter", "Conv1D" }
            .Select(Fixture)
            .Append(SnapshotTests.DepthwiseSeparableSource)
            .Concat(EveryLayerNetworks.Sources)
            .Concat(LayerCase.All.Where(c => c.IsRun).Select(c => File.ReadAllText(Path.Combine(FixturesDirectory(), LayerCase.Folder, c.Name + ".cs"))))
            .Concat(BlockCase.All.Where(c => c.IsRun).Select(c => File.ReadAllText(c.SourcePath)))
            .Concat(FixtureCase.In("sequences").Where(c => c.IsRun).Select(c => File.ReadAllText(c.SourcePath)))
            .Concat(FixtureCase.In("upsampling").Where(c => c.IsRun).Select(c => File.ReadAllText(c.SourcePath)))
            .Concat(FixtureCase.In("channels").Where(c => c.IsRun).Select(c => File.ReadAllText(c.SourcePath)))
            .Concat(Enumerable.Range(0, 6).Select(i => blocks.Next("Blocks" + i).Source))
            .Concat(Enumerable.Range(0, 30).Select(i => draw.Next("Net" + i).Source))
            .ToArray();
        // the stand-ins of networks with an error, one with the input's constants and one without
        var standIns = new[]
        {
            "using CnnGen;\nnamespace StandIns;\n[InputShape(1, 8, 8)] [Conv2D(Filters = 2, Kernel = 9)] public partial class Broken { }",
            "using CnnGen;\nnamespace StandIns;\n[InputShape(0, 8, 8)] [ReLU] public partial class NoInput { }",
        };
        sources = sources.Concat(standIns).ToArray();
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        var compilation = GeneratorHarness.Compilation(sources);
        compilation = compilation
            .RemoveAllSyntaxTrees()
            .AddSyntaxTrees(compilation.SyntaxTrees.Select(t => t.WithRootAndOptions(t.GetRoot(), parseOptions)))
            .WithOptions(compilation.Options
                .WithNullableContextOptions(NullableContextOptions.Enable)
                .WithWarningLevel(9999)
                .WithGeneralDiagnosticOption(ReportDiagnostic.Error));
        var driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: parseOptions);

        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        var generatedTrees = output.SyntaxTrees.Except(compilation.SyntaxTrees).ToHashSet();
        Assert.Equal(sources.Length, generatedTrees.Count);
        // CNN0014 (a stride that leaves input unread) is the user's to see, on the user's attribute; so is CNN0015, information on a 9x9 window
        Assert.Empty(generatorDiagnostics.Where(d => d.Id is not ("CNN0014" or "CNN0015" or "CNN0009" or "CNN0005")));
        Assert.Equal(2, generatorDiagnostics.Count(d => d.Id is "CNN0009" or "CNN0005"));
        var inGenerated = output.GetDiagnostics()
            .Where(d => d.Location.SourceTree is { } tree && generatedTrees.Contains(tree) && d.Severity != DiagnosticSeverity.Hidden)
            .ToList();
        Assert.True(inGenerated.Count == 0, "the generated code has diagnostics:\n" + string.Join("\n", inGenerated.Take(20)));
        // the settings are live: the declarations the user wrote, public classes without doc comments, are reported
        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS1591" && !generatedTrees.Contains(d.Location.SourceTree!));
        _output.WriteLine($"{generatedTrees.Count} generated files, {generatedTrees.Sum(t => t.GetText().Lines.Count)} lines, no warnings");
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(FixturesDirectory(), name + ".cs"));

    private static string FixturesDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures");
}
