using System;
using System.Linq;
using System.Runtime.Intrinsics;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Each layer's 512-bit method runs only where Vector512 is accelerated, and the machine running these tests may have
/// no AVX-512 (CI's need not). Vector512 is defined without it too, in software, so here every PyTorch fixture is
/// compiled in memory with the generated code's test for the wide path made true
/// (<see cref="GeneratorHarness.ForceWidePath"/>) and must still match PyTorch: the wide kernels (convolutions,
/// depthwise, Winograd, pools, activations, joins, dense layers) and the 256- and 128-bit kernels that run only beside
/// them, on any machine. CI also runs the differential tests once that way (CNNGEN_WIDE_IN_SOFTWARE=1).
/// </summary>
public class WidePathInSoftwareTests
{
    private readonly ITestOutputHelper _output;

    public WidePathInSoftwareTests(ITestOutputHelper output) => _output = output;

    /// <summary>The fixture folders whose run cases compile as attributes alone (the ONNX exports need their files: CI's forced run covers them).</summary>
    public static TheoryData<string> Folders() => new("", "layers", "blocks", "sequences", "upsampling", "channels");

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_fixture_matches_PyTorch_through_its_512_bit_path(string folder)
    {
        var cases = FixtureCase.In(folder).Where(c => c.IsRun).ToList();
        var result = GeneratorHarness.Run(cases.Select(c => System.IO.File.ReadAllText(c.SourcePath)).ToArray());
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var forced = GeneratorHarness.ForceWidePath(result.Output);
        var assembly = GeneratorHarness.Load(forced);

        // every network that names Vector512 reaches it through the guard, so forcing the guard reaches each wide method
        var trees = result.Run.GeneratedTrees.Select(t => t.ToString()).ToList();
        var unguarded = trees.Where(t => t.Contains("Vector512", StringComparison.Ordinal) && !t.Contains(GeneratorHarness.WideGuard, StringComparison.Ordinal)).ToList();
        Assert.True(unguarded.Count == 0, "Vector512 without the guard:\n" + unguarded.FirstOrDefault());
        int wide = trees.Count(t => t.Contains(GeneratorHarness.WideGuard, StringComparison.Ordinal));
        Assert.True(wide > 0, $"no network in '{folder}' has a 512-bit path");
        _output.WriteLine($"{cases.Count} cases, {wide} with a 512-bit path; Vector512 accelerated here: {Vector512.IsHardwareAccelerated}");

        foreach (var c in cases)
        {
            var type = assembly.GetTypes().Single(t => t.Name == c.Name && typeof(INetwork).IsAssignableFrom(t));
            var net = (INetwork)Activator.CreateInstance(type)!;
            net.LoadParameters(c.ReadFloats("params"));
            var output = FixtureFolder.RunBatch(net, c);
            FixtureFiles.AssertMatches(c.ReadFloats("expected"), output, $"{folder}/{c.Name} on its 512-bit path");
            var batched = new float[output.Length];
            net.ForwardBatch(c.ReadFloats("input"), batched);
            FixtureFiles.AssertMatches(c.ReadFloats("expected"), batched, $"{folder}/{c.Name} on its 512-bit path, ForwardBatch");
        }
    }

    [Fact]
    public void Forcing_replaces_every_guard_and_nothing_else()
    {
        var (_, source) = AttributeNetworks.GenerateWithSource("[InputShape(3, 12, 12)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 4)]");
        var compilation = GeneratorHarness.Compilation(source);
        var forced = GeneratorHarness.ForceWidePath(compilation).SyntaxTrees.Single().ToString();
        Assert.Contains(GeneratorHarness.WideGuard, source);
        Assert.DoesNotContain(GeneratorHarness.WideGuard, forced);
        Assert.Equal(source.Replace(GeneratorHarness.WideGuard, "true", StringComparison.Ordinal), forced);
    }
}
