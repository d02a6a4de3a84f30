using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The 1D PyTorch fixtures (tests/fixtures/sequences, made by tests/torch/sequence_cases.py): every run
/// case, generated into this assembly as a user's network is, matches PyTorch through LoadParameters + Forward and through
/// LoadSafetensors, on every SIMD path in CI; every error case fails on its line with its diagnostic.
/// </summary>
public class SequenceFixtureTests
{
    private const string Folder = "sequences";

    public static TheoryData<string> Run() => new(Cases("run").Select(c => c.Name));

    public static TheoryData<string> Errors() => new(Cases("error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Run))]
    public void A_run_case_matches_PyTorch(string name)
    {
        var c = FixtureCase.In(Folder).Single(x => x.Name == name);
        var type = typeof(SequenceFixtureTests).Assembly.GetType("Fixtures.Sequences." + name) ?? throw new InvalidOperationException(name + " was not generated");
        var net = (INetwork)Activator.CreateInstance(type)!;
        Assert.Equal((c.Parameters, c.InputShape.Aggregate(1, (a, b) => a * b), c.OutputLength), (net.ParameterCount, net.InputLength, net.OutputLength));

        net.LoadParameters(c.ReadFloats("params"));
        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunBatch(net, c), name);

        var fromFile = (INetwork)Activator.CreateInstance(type)!;
        fromFile.LoadSafetensors(c.PathOf("safetensors"));
        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunBatch(fromFile, c), name + " from safetensors");
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_case_fails_on_its_line_with_its_diagnostic(string name)
    {
        var c = FixtureCase.In(Folder).Single(x => x.Name == name);
        string id = ExpectedIds.Value[name] ?? throw new InvalidOperationException(name + " has no id in cases.json");

        var result = GeneratorHarness.Run(File.ReadAllText(c.SourcePath));

        var errors = result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var diagnostic = Assert.Single(errors);
        Assert.Equal((id, c.Line), (diagnostic.Id, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1));
    }

    private static float[] RunBatch(INetwork net, FixtureCase c)
    {
        var input = c.ReadFloats("input");
        var output = new float[c.Batch * net.OutputLength];
        for (int n = 0; n < c.Batch; n++)
            net.Forward(input.AsSpan(n * net.InputLength, net.InputLength), output.AsSpan(n * net.OutputLength, net.OutputLength));
        return output;
    }

    private static IEnumerable<FixtureCase> Cases(string kind) => FixtureCase.In(Folder).Where(c => c.Kind == kind);

    /// <summary>The diagnostic id each error case names in cases.json (null where it left it open).</summary>
    private static readonly Lazy<Dictionary<string, string?>> ExpectedIds = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("cases.json", Folder)));
        return document.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "error")
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);
    });
}
