using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using CnnGen.Generator;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Benchmarks;

/// <summary>
/// The generator's own cost on a 20-network compilation: the 13 valid PyTorch fixtures (LeNet5 and
/// SmallCifar among them) and 7 seeded random networks. Binding the attribute arguments is part of it,
/// so every cold run gets a fresh compilation over the same parsed trees; target: under 100 ms per network.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    public const int NetworkCount = 20;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private SyntaxTree[] _trees = Array.Empty<SyntaxTree>();
    private IEnumerable<MetadataReference> _references = Array.Empty<MetadataReference>();
    private GeneratorDriver _warmDriver = null!;
    private CSharpCompilation _editedCompilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _trees = Sources().Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Network{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText("namespace Other; public static class Unrelated { public static int Answer => 41; }", ParseOptions, path: "Unrelated.cs"))
            .ToArray();
        _references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location))
            .ToArray();

        var compilation = NewCompilation();
        _warmDriver = NewDriver().RunGenerators(compilation);
        var generated = _warmDriver.GetRunResult().GeneratedTrees.Length;
        if (generated != NetworkCount) throw new InvalidOperationException($"expected {NetworkCount} generated files, got {generated}");
        var unrelated = _trees[^1];
        _editedCompilation = compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText(unrelated.ToString().Replace("41", "42"), ParseOptions, path: unrelated.FilePath));
    }

    /// <summary>A cold build: a new driver over a new compilation, every network parsed, shape-checked and emitted.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver Generate20Networks() => NewDriver().RunGenerators(NewCompilation());

    /// <summary>An IDE keystroke in an unrelated file: the warm driver re-parses the attributes and emits nothing.</summary>
    [Benchmark]
    public GeneratorDriver RerunAfterUnrelatedEdit() => _warmDriver.RunGenerators(_editedCompilation);

    private CSharpCompilation NewCompilation() =>
        CSharpCompilation.Create("Networks", _trees, _references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

    /// <summary>The fixtures' declarations (embedded from tests/fixtures), then seeded random networks up to 20.</summary>
    public static List<string> Sources()
    {
        var assembly = typeof(GeneratorBenchmarks).Assembly;
        var sources = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("fixtures/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new StreamReader(assembly.GetManifestResourceStream(n)!).ReadToEnd())
            .ToList();
        var draw = new RandomNetworks(20261124);
        for (int i = 0; sources.Count < NetworkCount; i++) sources.Add(draw.Next("Random" + i, maxLayers: 8).Source);
        return sources;
    }
}
