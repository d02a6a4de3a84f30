using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>
/// A folder of PyTorch fixtures made by a tests/torch script (cases.json, NAME.cs and its files): a run
/// case's network, generated into this assembly as a user's is, matches PyTorch through LoadParameters +
/// Forward and through LoadSafetensors; an error case, generated in memory, fails on its line with its id.
/// </summary>
internal sealed class FixtureFolder
{
    private readonly Lazy<Dictionary<string, string?>> _expectedIds;

    public FixtureFolder(string folder, string @namespace)
    {
        Folder = folder;
        Namespace = @namespace;
        _expectedIds = new(() =>
        {
            using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("cases.json", Folder)));
            return document.RootElement.EnumerateArray()
                .Where(e => e.GetProperty("kind").GetString() == "error")
                .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);
        });
    }

    public string Folder { get; }

    public string Namespace { get; }

    public IEnumerable<FixtureCase> Cases(string kind) => FixtureCase.In(Folder).Where(c => c.Kind == kind);

    public FixtureCase Case(string name) => FixtureCase.In(Folder).Single(x => x.Name == name);

    public void AssertRunCaseMatchesPyTorch(string name)
    {
        var c = Case(name);
        var type = typeof(FixtureFolder).Assembly.GetType(Namespace + "." + name) ?? throw new InvalidOperationException(name + " was not generated");
        var net = (INetwork)Activator.CreateInstance(type)!;
        Assert.Equal((c.Parameters, c.InputShape.Aggregate(1, (a, b) => a * b), c.OutputLength), (net.ParameterCount, net.InputLength, net.OutputLength));

        net.LoadParameters(c.ReadFloats("params"));
        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunBatch(net, c), name);

        var fromFile = (INetwork)Activator.CreateInstance(type)!;
        fromFile.LoadSafetensors(c.PathOf("safetensors"));
        FixtureFiles.AssertMatches(c.ReadFloats("expected"), RunBatch(fromFile, c), name + " from safetensors");
    }

    public void AssertErrorCaseFailsOnItsLine(string name)
    {
        var c = Case(name);
        string id = _expectedIds.Value[name] ?? throw new InvalidOperationException(name + " has no id in cases.json");

        var result = GeneratorHarness.Run(File.ReadAllText(c.SourcePath));

        var errors = result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var diagnostic = Assert.Single(errors);
        Assert.Equal((id, c.Line), (diagnostic.Id, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1));
    }

    /// <summary>The case's input through Forward, one sample at a time.</summary>
    internal static float[] RunBatch(INetwork net, FixtureCase c)
    {
        var input = c.ReadFloats("input");
        var output = new float[c.Batch * net.OutputLength];
        for (int n = 0; n < c.Batch; n++)
            net.Forward(input.AsSpan(n * net.InputLength, net.InputLength), output.AsSpan(n * net.OutputLength, net.OutputLength));
        return output;
    }
}
