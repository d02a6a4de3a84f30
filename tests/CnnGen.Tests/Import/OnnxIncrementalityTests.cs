using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen.Generator;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static CnnGen.Generator.NetworkGenerator;

namespace CnnGen.Tests.Import;

/// <summary>
/// An imported model is parsed and planned again only when its text or its class changes: an edit elsewhere leaves
/// the import and the emitted file cached, as an incremental build with the model unchanged needs.
/// </summary>
public sealed class OnnxIncrementalityTests
{
    private static string Unrelated(int answer) => $"namespace Other {{ public static class Unrelated {{ public static int Answer => {answer}; }} }}";

    [Fact]
    public void An_unrelated_edit_leaves_the_import_and_its_file_cached()
    {
        var model = CnnGen.Build.OnnxProtobuf.Read(File.ReadAllBytes(Path.Combine(FixtureCase.SourceDirectory("onnx"), "ResNet8.onnx"))).Model!;
        var text = new OnnxHarness.InMemoryText("/project/obj/cnngen/ResNet8.onnx.cnngen.txt", CnnGen.Onnx.OnnxText.Write(model));
        var options = new OnnxHarness.Options(new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.CnnGenModel"] = "models/ResNet8.onnx",
            ["build_metadata.AdditionalFiles.CnnGenResource"] = "CnnGen.Weights.models/ResNet8.onnx",
        });
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, new AdditionalText[] { text },
            GeneratorHarness.ParseOptions, options, new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        var compilation = GeneratorHarness.Compilation(OnnxHarness.Declaration("Net", "models/ResNet8.onnx"), Unrelated(41));
        driver = driver.RunGenerators(compilation);
        var firstSource = driver.GetRunResult().GeneratedTrees.Single().ToString();

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(Unrelated(42), GeneratorHarness.ParseOptions, path: compilation.SyntaxTrees.Last().FilePath));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();

        Assert.All(result.TrackedSteps[TrackingNames.OnnxImport].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, "import " + o.Reason));
        Assert.All(result.TrackedSteps[TrackingNames.OnnxEmit].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "emit " + o.Reason));
        Assert.Equal(firstSource, result.GeneratedSources.Single().SourceText.ToString());
    }
}
