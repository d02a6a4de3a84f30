using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Random networks shaped as ResNets and MobileNets are, at the widths the SIMD kernels specialize for
/// (<see cref="RandomArchitectures"/>), through the generator in one compilation and compared with the
/// reference engine: the hand-picked cases of the other differential tests reach each kernel's orders,
/// bands, tiles and overlapping last vectors on the shapes they were written for, this sweep on shapes
/// nobody picked. CI runs it under every SIMD configuration (the class name holds "Differential").
/// CNNGEN_FUZZ_SEED replays a run; CNNGEN_FUZZ_COUNT raises the count for a long soak.
/// </summary>
public class ArchitectureDifferentialTests
{
    private readonly ITestOutputHelper _output;

    public ArchitectureDifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_Forward_matches_the_reference_engine_on_random_ResNet_and_MobileNet_shapes() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 12, "Arch", 0, (draw, name) => draw.Next(name));

    /// <summary>Inputs of 56 to 128 rows and columns: maps past L2, where the kernels take their rows and tiles in other orders.</summary>
    [Fact]
    public void Large_random_ResNet_and_MobileNet_shapes_match_too() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 50, "Large", 1, (draw, name) => draw.Next(name, large: true));

    /// <summary>U-Nets: skip connections concatenated, transposed convolutions and upsampling, dilated and 1xk kernels, ASPP.</summary>
    [Fact]
    public void Random_UNet_shapes_match_too() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 25, "UNet", 2, (draw, name) => draw.NextDense(name));

    private void CompareRandomNetworks(int count, string prefix, int stream, Func<RandomArchitectures, string, RandomNetwork> next)
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261206);
        _output.WriteLine($"architecture differential: {count} {prefix} networks, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");
        var draw = new RandomArchitectures(seed + stream);
        var networks = Enumerable.Range(0, count).Select(i => next(draw, prefix + i)).ToArray();
        var result = GeneratorHarness.Run(networks.Select(n => n.Source).ToArray());
        Assert.True(result.AllDiagnostics.IsEmpty, $"seed {seed}: unexpected diagnostics:\n" + string.Join("\n", result.AllDiagnostics.Take(10)));
        var assembly = GeneratorHarness.Load(result.Output);

        var random = new Random(seed);
        GeneratorHarness.CheckEach(assembly, networks, seed, (network, generated, context) =>
        {
            Assert.True(network.Spec.OutputShape.SequenceEqual(generated.Spec.OutputShape), "output shape differs; " + context);
            GeneratorHarness.AssertForwardMatchesReference(network.Spec, generated, random, context);
        });
        _output.WriteLine($"architecture differential: {count} networks matched the reference engine");
    }

    /// <summary>
    /// The drawing reaches what it is for: over the default seed's networks the generated code holds the
    /// channel kernels (512-bit and Vector&lt;float&gt;), depthwise kernels, Winograd's, and blocks of filters
    /// where no vector divides the count.
    /// </summary>
    [Fact]
    public void The_random_architectures_reach_the_wide_kernels()
    {
        var draw = new RandomArchitectures(TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261206));
        var networks = Enumerable.Range(0, 25).Select(i => i % 5 == 4 ? draw.NextDense("UNet" + i) : draw.Next("Arch" + i)).ToArray();
        var result = GeneratorHarness.Run(networks.Select(n => n.Source).ToArray());
        string generated = string.Concat(result.Run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));
        foreach (var marker in new[] { "Conv2DChannels512(", "Conv2DChannels(", "Conv2DDepthwise512(", "Winograd", "Residual", "Multiply", "Concat", "ConvTranspose2D", "Upsample" })
            Assert.Contains(marker, generated, StringComparison.Ordinal);
        Assert.Contains(networks.SelectMany(n => n.Spec.Nodes), n => n.Kind == "Conv2D" && n.OutputShape[0] % 16 != 0 && n.OutputShape[0] > 16);
        Assert.Contains(networks, n => n.Spec.OutputShape.Count == 3);
        Assert.All(networks, n => Assert.True(n.Spec.Nodes.Count > 0));
    }
}
