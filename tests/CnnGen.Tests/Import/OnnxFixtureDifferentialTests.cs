using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Import;

/// <summary>
/// PyTorch 1.13's exports (tests/fixtures/onnx, made by tests/torch/onnx_cases.py) through [OnnxModel]: each run
/// case's generated network, with the model's own embedded weights, gives PyTorch's output, and so does the reference
/// engine running the class's Spec; each error case is one CNN error on the attribute.
/// </summary>
public sealed class OnnxFixtureDifferentialTests
{
    private static readonly string Folder = FixtureCase.SourceDirectory("onnx");

    public sealed record OnnxCase(string Name, string Kind, string? Mention, bool SemanticsDiffer);

    private static IReadOnlyList<OnnxCase> Cases()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        return json.RootElement.EnumerateArray().Select(c => new OnnxCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("kind").GetString()!,
            c.TryGetProperty("error_mentions", out var m) ? m.GetString() : null,
            c.TryGetProperty("onnx_semantics_differ", out var d) && d.GetBoolean())).ToList();
    }

    /// <summary>Run cases the importer refuses, and the words of its reason.</summary>
    private static readonly Dictionary<string, string> Refused = new()
    {
        // PyTorch 1.13 exports Conv2d's circular padding with the wrong rows (pytorch/pytorch#86690); the file's meaning is no circular padding
        ["ConvCircular_opset11"] = "pytorch/pytorch#86690",
        ["ConvCircular_opset13"] = "pytorch/pytorch#86690",
        // ONNX's opset-9 Upsample "linear" samples asymmetrically, which is not PyTorch's bilinear upsampling
        ["UpsampleBilinear_opset9"] = "asymmetric",
        // the IR has no vector-to-map reshape
        ["SqueezeExciteLinear"] = "reshapes [8] to [1, 8, 1, 1]",
        // nn.Linear over the positions of a sequence (x @ W on [N, C, L])
        ["LinearOnSequence"] = "it multiplies [4, 6] by [6, 5]",
    };

    public static TheoryData<string> RunCases() => Data(c => c.Kind == "run");

    public static TheoryData<string> ErrorCases() => Data(c => c.Kind == "error");

    private static TheoryData<string> Data(Func<OnnxCase, bool> which)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases().Where(which)) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Run_case_matches_PyTorch_or_is_refused_for_a_stated_reason(string name)
    {
        var built = OnnxHarness.Run(File.ReadAllBytes(Path.Combine(Folder, name + ".onnx")), "models/" + name + ".onnx",
            OnnxHarness.Declaration("Net", "models/" + name + ".onnx"));
        var errors = built.Result.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        if (Refused.TryGetValue(name, out var reason))
        {
            // what the IR cannot express exactly is one error saying why, never an approximation
            Assert.Single(errors);
            Assert.Equal("CNN0030", errors[0].Id);
            Assert.Contains(reason, errors[0].GetMessage());
            return;
        }
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.GetMessage())));
        var assembly = OnnxHarness.Load(built);
        var network = (INetwork)Activator.CreateInstance(assembly.GetType("Imported.Net")!)!;
        var input = FixtureFiles.ReadFloats(name + ".input.f32", "onnx");
        string expectedFile = Cases().Single(c => c.Name == name).SemanticsDiffer ? name + ".onnx_expected.f32" : name + ".expected.f32";
        var expected = FixtureFiles.ReadFloats(expectedFile, "onnx");
        var output = new float[network.OutputLength];
        network.Forward(input, output);
        FixtureFiles.AssertMatches(expected, output, name + " generated");

        var reference = new ReferenceNetwork(network.Spec);
        reference.LoadParameters(built.Parameters(network.Spec));
        var referenceOutput = new float[network.OutputLength];
        reference.Forward(input, referenceOutput);
        FixtureFiles.AssertMatches(expected, referenceOutput, name + " reference");
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Error_case_is_one_error_on_the_attribute(string name)
    {
        var built = OnnxHarness.Run(File.ReadAllBytes(Path.Combine(Folder, name + ".onnx")), "models/" + name + ".onnx",
            OnnxHarness.Declaration("Net", "models/" + name + ".onnx"));
        var errors = built.Result.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        Assert.Single(errors);
        Assert.Equal("CNN0030", errors[0].Id);
        var location = errors[0].Location;
        var tree = built.Result.Output.SyntaxTrees.Single(t => t.FilePath == location.GetLineSpan().Path);
        Assert.StartsWith("global::CnnGen.OnnxModel(", tree.GetText().ToString(location.SourceSpan));
        var mention = Cases().Single(c => c.Name == name).Mention;
        if (mention is not null) Assert.Contains(mention, errors[0].GetMessage(), StringComparison.OrdinalIgnoreCase);
        // the class still compiles (its stand-in), so only this error shows
        Assert.DoesNotContain(built.Result.Output.GetDiagnostics(), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }
}
