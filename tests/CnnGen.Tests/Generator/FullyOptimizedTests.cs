using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A forward pass runs optimized code from its first call. Every method Run reaches (each layer's entry, its kernels,
/// their border helpers, reductions and math helpers) is marked AggressiveOptimization, so the JIT compiles it fully
/// optimized when it is first called, or AggressiveInlining where it is a small helper such a method inlines. Under
/// tiered compilation a ResNet-8 took 7 times its time for its first 100 passes. The weights' load path stays tiered:
/// it runs once.
/// </summary>
public class FullyOptimizedTests
{
    private readonly ITestOutputHelper _output;

    public FullyOptimizedTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_method_the_forward_pass_reaches_is_compiled_fully_optimized_or_inlined()
    {
        var result = GeneratorHarness.Run(EveryLayerNetworks.Sources.Concat(FixtureNetworks()).ToArray());
        var networks = NetworkClasses(result).ToList();
        Assert.True(networks.Count > 150, $"only {networks.Count} networks were generated");

        int reached = 0;
        var unmarked = new List<string>();
        foreach (var network in networks)
        {
            var methods = network.Members.OfType<MethodDeclarationSyntax>().GroupBy(m => m.Identifier.Text).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var method in Reachable(methods, "Run"))
            {
                reached++;
                if (!IsFullyOptimizedOrInlined(method)) unmarked.Add($"{network.Identifier.Text}.{method.Identifier.Text}");
            }
        }
        _output.WriteLine($"{networks.Count} networks, {reached} methods reached from Run");
        Assert.True(unmarked.Count == 0, "methods a forward pass runs that tiered compilation would start unoptimized: " + string.Join(", ", unmarked.Take(20)));
    }

    [Fact]
    public void The_load_path_is_left_to_tiered_compilation()
    {
        var result = GeneratorHarness.Run(FixtureSource("layers", "MobileNetTiny"));
        var network = Assert.Single(NetworkClasses(result));
        var loaders = network.Members.OfType<MethodDeclarationSyntax>().Where(m => m.Identifier.Text is "DeriveWeights" or "PermuteWeights").ToList();

        Assert.NotEmpty(loaders);
        Assert.All(loaders, m => Assert.False(IsFullyOptimizedOrInlined(m), m.Identifier.Text));
    }

    /// <summary>
    /// A kernel that streams weights is compiled at its first call; the JIT folds CacheHints' choice of hint only if
    /// CacheHints is initialized by then, so the buffers, made before any call, initialize it.
    /// </summary>
    [Fact]
    public void A_network_with_weights_to_stream_initializes_the_cache_hints_before_its_first_pass()
    {
        var result = GeneratorHarness.Run("""
            using CnnGen;
            namespace Streams;
            [InputShape(256, 6, 6)] [Conv2D(Filters = 512, Kernel = 3, Padding = 1)] public partial class Large { }
            [InputShape(3, 32, 32)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] public partial class Small { }
            """);
        var text = result.Run.GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.ToString());
        const string initialization = "RuntimeHelpers.RunClassConstructor(typeof(global::CnnGen.CacheHints).TypeHandle)";

        Assert.Contains("CacheHints.Prefetch", text["Streams.Large.g.cs"]);
        Assert.Contains(initialization, text["Streams.Large.g.cs"]);
        Assert.DoesNotContain("CacheHints.Prefetch", text["Streams.Small.g.cs"]);
        Assert.DoesNotContain(initialization, text["Streams.Small.g.cs"]);
        GeneratorHarness.Load(result.Output);
    }

    /// <summary>The methods of a class that <paramref name="root"/> calls, directly or through each other, by name.</summary>
    private static IEnumerable<MethodDeclarationSyntax> Reachable(Dictionary<string, List<MethodDeclarationSyntax>> methods, string root)
    {
        var seen = new HashSet<string> { root };
        var pending = new Stack<string>(seen);
        while (pending.Count > 0)
        {
            if (!methods.TryGetValue(pending.Pop(), out var overloads)) continue;
            foreach (var method in overloads)
            {
                yield return method;
                var callees = method.DescendantNodes().OfType<InvocationExpressionSyntax>()
                    .Select(i => i.Expression is IdentifierNameSyntax name ? name.Identifier.Text : null)
                    .Where(name => name is not null && methods.ContainsKey(name) && seen.Add(name));
                foreach (var callee in callees) pending.Push(callee!);
            }
        }
    }

    private static bool IsFullyOptimizedOrInlined(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(l => l.Attributes)
            .Where(a => a.Name.ToString().EndsWith("MethodImpl", System.StringComparison.Ordinal))
            .Any(a => a.ToString().Contains("MethodImplOptions.AggressiveOptimization", System.StringComparison.Ordinal)
                || a.ToString().Contains("MethodImplOptions.AggressiveInlining", System.StringComparison.Ordinal));

    /// <summary>The generated network classes: those that declare Run.</summary>
    private static IEnumerable<ClassDeclarationSyntax> NetworkClasses(GeneratorHarness.Result result) =>
        result.Run.GeneratedTrees
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
            .Where(c => c.Members.OfType<MethodDeclarationSyntax>().Any(m => m.Identifier.Text == "Run"));

    /// <summary>Every PyTorch fixture network of tests/fixtures (those with PyTorch's output beside them), as declared.</summary>
    private static IEnumerable<string> FixtureNetworks([CallerFilePath] string thisFile = "")
    {
        string root = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.Exists(Path.ChangeExtension(f, ".expected.f32")))
            .OrderBy(f => f, System.StringComparer.Ordinal)
            .Select(File.ReadAllText);
    }

    private static string FixtureSource(string folder, string name, [CallerFilePath] string thisFile = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures", folder, name + ".cs"));
}
