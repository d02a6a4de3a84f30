using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Random valid 1D networks (<see cref="RandomSequenceNetworks"/>: every 1D layer, every block, nested)
/// through the generator in one in-memory compilation. Each network must build without a diagnostic (but
/// CNN0014, a position no window reads), its generated Spec must equal the spec the test built independently
/// (every property of every item, the state tensors, the graph), and its Forward and ForwardBatch must compute
/// what the reference engine computes, built from either spec, on a uniform input (within the 2D differential
/// tests' tolerance) and on inputs with hostile values (zeros of both signs, subnormal and tiny values,
/// magnitudes up to a thousand, past where exp overflows; the tolerance there allows for the rounding of large
/// intermediates). The class name holds "Differential": CI runs it with AVX-512, AVX2 and all hardware
/// intrinsics turned off, so every SIMD path is compared. CNNGEN_FUZZ_SEED replays a run, CNNGEN_FUZZ_ONLY=Net17
/// one network of it; CNNGEN_FUZZ_COUNT scales the count for a long soak. A run reports every network that
/// fails, not only the first.
/// </summary>
public class SequenceRandomDifferentialTests
{
    /// <summary>Failures listed in full in the message; the rest are counted.</summary>
    private const int ReportedFailures = 5;

    private readonly ITestOutputHelper _output;

    public SequenceRandomDifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_Forward_matches_the_reference_engine_on_random_1D_networks() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 3, wide: false);

    /// <summary>16 to 40 channels over 32 to 300 positions, filters often a multiple of 16: the convolutions' column and channel vectors, long pools and joins.</summary>
    [Fact]
    public void Wide_random_1D_networks_take_the_SIMD_paths_and_still_match() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 8, wide: true,
            // column vectors along the sequence and vectors across the filters, of Vector<float> and of Vector512
            requiredMethods: new[] { "Conv1DVector", "Conv1DVector512", "Conv1DChannels", "Conv1DChannels512" });

    /// <summary>The comparison has teeth: one element of the expected output moved by three times the tolerance is a failure, with the seed and network in its message.</summary>
    [Fact]
    public void A_wrong_element_fails_the_comparison()
    {
        var network = new RandomSequenceNetworks(5).Next("Teeth");
        var result = GeneratorHarness.Run(network.Source);
        Assert.Empty(result.AllDiagnostics.Where(d => d.Id != "CNN0014"));
        var generated = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Differential.Teeth")!)!;

        Assert.Null(Check(network, generated, new Random(1), "seed 5, Teeth"));
        string? failure = Check(network, generated, new Random(1), "seed 5, Teeth", expected =>
        {
            double scale = Math.Max(1, expected.Max(Math.Abs));
            expected[expected.Length / 2] += (float)(3e-5 * scale + 2e-4 * Math.Abs(expected[expected.Length / 2]));
        });

        Assert.NotNull(failure);
        Assert.Contains("seed 5, Teeth", failure, StringComparison.Ordinal);
        Assert.Contains($"element {network.Spec.OutputLength / 2} ", failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by this fuzzer: a BatchNorm1D over a flattened convolution's features normalizes each of the C x L
    /// features, but Passes.Fuse looked through the Flatten and folded it into the convolution per output channel.
    /// With more features than filters the constructor threw IndexOutOfRangeException (DeriveWeights), or Forward was wrong.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(1, 2)] [Conv1D(Filters = 1, Kernel = 1)] [Flatten] [BatchNorm1D]")]
    [InlineData("[InputShape(2, 3)] [Conv1D(Filters = 4, Kernel = 1)] [Flatten] [BatchNorm1D] [BatchNorm1D]")]
    [InlineData("[InputShape(2, 3)] [Conv1D(Filters = 4, Kernel = 1)] [Dropout] [Flatten] [Identity] [BatchNorm1D]")]
    [InlineData("[InputShape(1, 2, 2)] [Conv2D(Filters = 1, Kernel = 1)] [Flatten] [BatchNorm1D]")]
    public void A_BatchNorm1D_over_a_flattened_convolution_is_per_feature(string attributes)
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace KnownBug;\n" + attributes + "\npublic partial class Net { }\n");
        Assert.Empty(result.AllDiagnostics);
        var generated = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("KnownBug.Net")!)!;
        var network = new RandomNetwork("Net", attributes, new[] { attributes }, generated.Spec);

        Assert.Null(Check(network, generated, new Random(1), attributes));
    }

    /// <summary>
    /// Found by this fuzzer: the generated LogSoftmax computed x - (max + log(sum)), rounding max + log(sum) to a
    /// float first, so every output was off by up to half an ulp of the max. PyTorch computes (x - max) - log(sum) in
    /// this order on purpose (ATen's _vec_log_softmax_lastdim, after pytorch/pytorch#11752), and so does the reference
    /// engine: logits of 1000 and 993.9 gave -0.0022583008 for -0.0022404108.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(2, 1)] [LogSoftmax] [Tanh]", new[] { 1000f, 993.9f })]
    [InlineData("[InputShape(2, 1)] [Flatten] [LogSoftmax] [Tanh]", new[] { 1000f, 993.9f })]
    [InlineData("[InputShape(2, 2)] [LogSoftmax] [Tanh]", new[] { 1000f, 1f, 993.9f, 0f })]
    public void A_LogSoftmax_subtracts_the_max_and_the_log_sum_one_after_the_other(string attributes, float[] input)
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace KnownBug;\n" + attributes + "\npublic partial class Net { }\n");
        Assert.Empty(result.AllDiagnostics);
        var generated = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("KnownBug.Net")!)!;
        var actual = new float[generated.OutputLength];

        generated.Forward(input, actual);

        Assert.Null(Mismatch(new ReferenceNetwork(generated.Spec).Forward(input), actual));
    }

    /// <summary>The drawing itself: over a run every 1D layer in each of its forms, every block and both gate shapes occur.</summary>
    [Fact]
    public void The_random_1D_networks_cover_every_layer_and_block()
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261124);
        var draw = new RandomSequenceNetworks(seed);
        var networks = Enumerable.Range(0, 200).Select(i => draw.Next("Net" + i, wide: i % 5 == 4)).ToList();
        var layers = networks.SelectMany(n => AllLayers(n.Spec.Layers)).ToList();
        var nodes = networks.SelectMany(n => n.Spec.Nodes).ToList();
        var weights = networks.SelectMany(n => n.Spec.Parameters.Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)).Select(p => (Tensor: p, Node: n.Spec.Nodes[p.LayerIndex]))).ToList();
        string sources = string.Concat(networks.Select(n => n.Source));

        var convolutions = layers.OfType<Conv1DSpec>().ToList();
        foreach (var mode in RandomNetworks.PaddingModes)
            Assert.Contains(convolutions, c => c.PaddingMode == mode && c.PadLeft + c.PadRight > 0);
        Assert.Contains(convolutions, c => c.PadLeft == (c.Kernel - 1) * c.Dilation && c.PadRight == 0 && c.Dilation > 1);
        Assert.Contains(convolutions, c => c.PadLeft != c.PadRight && c.PadRight > 0);
        Assert.Contains(convolutions, c => c.Stride > 1 && c.Dilation > 1);
        Assert.Contains(convolutions, c => !c.Bias);
        Assert.Contains(convolutions, c => c.InChannels is not null);
        Assert.Contains(convolutions, c => c.Kernel == 7);
        // depthwise: one input channel per group, several channels
        Assert.Contains(weights, w => w.Node.Kind == "Conv1D" && w.Tensor.Shape[1] == 1 && w.Node.InputShapes[0][0] > 1);
        Assert.Contains(weights, w => w.Node.Kind == "Conv1D" && w.Tensor.Shape[1] > 1 && w.Tensor.Shape[1] < w.Node.InputShapes[0][0]);
        // wide enough for the vector paths: channel vectors of 16 filters over long rows
        Assert.Contains(nodes, n => n.Kind == "Conv1D" && n.OutputShape[0] % 16 == 0 && n.InputShapes[0][0] >= 16 && n.OutputShape[1] >= 32);
        foreach (var kind in new[] { PoolKind.Max, PoolKind.Average, PoolKind.Min })
        {
            var pools = layers.OfType<Pool1DSpec>().Where(p => p.Kind == kind).ToList();
            Assert.Contains(pools, p => p.CeilMode);
            Assert.Contains(pools, p => p.Padding > 0);
            Assert.Contains(pools, p => p.Stride != p.Kernel);
        }
        Assert.Contains(nodes, n => n.Kind == "BatchNorm1D" && n.InputShapes[0].Count == 2);
        Assert.Contains(nodes, n => n.Kind == "BatchNorm1D" && n.InputShapes[0].Count == 1);
        Assert.Contains(layers, l => l is BatchNorm1DSpec { Affine: false });
        Assert.Contains(nodes, n => n.Kind == "GlobalAvgPool1D");
        Assert.Contains(nodes, n => n.Kind == "GlobalMaxPool1D");
        foreach (var kind in new[] { "AdaptiveAvgPool1D", "AdaptiveMaxPool1D" })
        {
            Assert.Contains(nodes, n => n.Kind == kind && n.OutputShape[1] > n.InputShapes[0][1]);
            Assert.Contains(nodes, n => n.Kind == kind && n.OutputShape[1] < n.InputShapes[0][1]);
        }
        foreach (var kind in new[] { "Softmax", "LogSoftmax" })
        {
            Assert.Contains(nodes, n => n.Kind == kind && n.InputShapes[0].Count == 2 && n.InputShapes[0][0] > 1);
            Assert.Contains(nodes, n => n.Kind == kind && n.InputShapes[0].Count == 1);
        }
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
            Assert.Contains(layers, l => l is ActivationSpec a && a.Kind == kind);
        Assert.Contains(weights, w => w.Node.Kind == "PReLU" && w.Tensor.Shape[0] > 1 && w.Node.InputShapes[0].Count == 2);
        Assert.Contains(weights, w => w.Node.Kind == "PReLU" && w.Tensor.Shape[0] == 1);
        foreach (var kind in new[] { "Dropout", "Identity", "Flatten", "Dense", "Residual", "Concat", "Multiply" })
            Assert.Contains(nodes, n => n.Kind == kind);
        // a [C, 1] gate on a longer sequence, and a gate of the input's shape
        Assert.Contains(nodes, n => n.Kind == "Multiply" && n.InputShapes[1][1] == 1 && n.InputShapes[0][1] > 1);
        Assert.Contains(nodes, n => n.Kind == "Multiply" && n.InputShapes[1].SequenceEqual(n.InputShapes[0]) && n.InputShapes[0][1] > 1);
        Assert.Contains(nodes, n => n.Kind == "Concat" && n.Inputs.Count > 2);
        Assert.Contains(layers, l => l is ResidualSpec { Shortcut: not null });
        Assert.Contains(layers, l => l is ResidualSpec { Shortcut: null });
        Assert.Contains("IncludeInput = true", sources, StringComparison.Ordinal);
        Assert.Contains("[Sequential(typeof(", sources, StringComparison.Ordinal);
        Assert.Contains("Name = \"\")]", sources, StringComparison.Ordinal);
        Assert.Contains(layers, l => l is not BlockSpec && l.ModuleName is not null);
        // blocks inside blocks inside blocks: a key four modules deep
        Assert.Contains(networks.SelectMany(n => n.Spec.Parameters), p => p.Name.Count(ch => ch == '.') >= 4);
        // inputs from one position to hundreds, from one channel to forty
        Assert.Contains(networks, n => n.Spec.InputShape[1] == 1);
        Assert.Contains(networks, n => n.Spec.InputShape[1] > 200);
        Assert.Contains(networks, n => n.Spec.InputShape[0] == 1);
        Assert.Contains(networks, n => n.Spec.InputShape[0] > 30);
    }

    private static IEnumerable<LayerSpec> AllLayers(IEnumerable<LayerSpec> layers)
    {
        foreach (var layer in layers)
        {
            yield return layer;
            var parts = layer switch
            {
                SequentialSpec s => new[] { s.Layers },
                ResidualSpec r => r.Shortcut is null ? new[] { r.Body } : new[] { r.Body, r.Shortcut },
                ConcatSpec c => c.Branches.ToArray(),
                MultiplySpec m => new[] { m.Gate },
                _ => Array.Empty<IReadOnlyList<LayerSpec>>(),
            };
            foreach (var inner in parts.SelectMany(AllLayers)) yield return inner;
        }
    }

    private void CompareRandomNetworks(int count, bool wide, string[]? requiredMethods = null)
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261124);
        string simd = SimdConfiguration();
        _output.WriteLine($"1D differential: {count} {(wide ? "wide " : "")}networks, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed}); {simd}");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var draw = new RandomSequenceNetworks(wide ? seed + 1 : seed);
        var networks = Enumerable.Range(0, count).Select(i => draw.Next((wide ? "Wide" : "Net") + i, wide)).ToList();
        var index = networks.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        // CNNGEN_FUZZ_ONLY=Net17,Net40 replays those networks of the run alone, with the same parameters and inputs
        if (Environment.GetEnvironmentVariable("CNNGEN_FUZZ_ONLY") is { Length: > 0 } only)
            networks = networks.Where(n => only.Split(',').Contains(n.ClassName)).ToList();
        var failures = new List<string>();
        string Context(RandomNetwork network) => $"seed {seed}{(wide ? " (wide)" : "")}, {network.ClassName}, {simd}:\n{network.Source}";

        var drawn = watch.Elapsed;
        // a network with a diagnostic is reported and left out, the others are compiled again without it
        var remaining = networks;
        Assembly? assembly = null;
        var methods = new Dictionary<string, int>();
        while (true)
        {
            var result = GeneratorHarness.Run(remaining.Select(n => n.Source).ToArray());
            // CNN0014 (input never reached) is an expected warning on random strides; anything else is a bug
            var unexpected = result.AllDiagnostics.Where(d => d.Id != "CNN0014").ToList();
            if (unexpected.Count == 0)
            {
                assembly = GeneratorHarness.Load(result.Output);
                methods = MethodKinds(result);
                break;
            }
            var culprits = unexpected.GroupBy(d => Culprit(d, remaining)).ToList();
            if (culprits.Any(g => g.Key is null))
                Assert.Fail($"seed {seed}: diagnostics of no one network:\n" + string.Join("\n", unexpected.Take(10)));
            foreach (var group in culprits)
                failures.Add($"{Context(group.Key!)}\nhas diagnostics:\n{string.Join("\n", group.Take(5))}");
            var left = culprits.Select(g => g.Key!).ToHashSet();
            remaining = remaining.Where(n => !left.Contains(n)).ToList();
            if (remaining.Count == 0) break;
        }

        var built = watch.Elapsed;
        var slowest = (Time: TimeSpan.Zero, Name: "");
        foreach (var network in remaining)
        {
            var started = watch.Elapsed;
            string context = Context(network);
            string? failure;
            try
            {
                var generated = (INetwork)Activator.CreateInstance(assembly!.GetType("Differential." + network.ClassName)!)!;
                // each network's parameters and inputs from its own stream: a failure replays alone
                failure = Check(network, generated, new Random(unchecked(seed * 7919 + index[network])), context);
            }
            catch (Exception e)
            {
                failure = $"{context}\nthrew {e}";
            }
            if (failure is not null) failures.Add(failure);
            if (watch.Elapsed - started > slowest.Time) slowest = (watch.Elapsed - started, network.ClassName);
        }
        _output.WriteLine("1D differential: generated methods (networks with one): " + string.Join(", ", methods.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value}")));
        _output.WriteLine($"1D differential: drawn in {drawn.TotalSeconds:F1} s, generated and compiled in {(built - drawn).TotalSeconds:F1} s, "
            + $"compared in {(watch.Elapsed - built).TotalSeconds:F1} s (slowest {slowest.Name}, {slowest.Time.TotalSeconds:F2} s)");

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} random 1D networks failed (seed {seed}, replay with CNNGEN_FUZZ_SEED={seed}):\n\n"
            + string.Join("\n\n", failures.Take(ReportedFailures))
            + (failures.Count > ReportedFailures ? $"\n\n... and {failures.Count - ReportedFailures} more" : ""));
        foreach (var method in requiredMethods ?? Array.Empty<string>())
            Assert.True(networks.Count < 30 || methods.ContainsKey(method), $"seed {seed}: no network of {count} has a {method} method");
        _output.WriteLine($"1D differential: {count} networks matched the reference engine on both specs");
    }

    /// <summary>The layer methods of the generated networks by kind ("Conv1DVector512", "MaxPool1D"), each with the number of networks that have one.</summary>
    private static Dictionary<string, int> MethodKinds(GeneratorHarness.Result result) =>
        result.Run.GeneratedTrees
            .SelectMany(t => Regex.Matches(t.ToString(), @"private static void Layer\d+(\w+)\(").Select(m => m.Groups[1].Value).Distinct())
            .GroupBy(k => k, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The network a diagnostic belongs to: its source file (Network{i}.cs), or the file generated for its class.</summary>
    private static RandomNetwork? Culprit(Diagnostic diagnostic, IReadOnlyList<RandomNetwork> networks)
    {
        string path = diagnostic.Location.SourceTree?.FilePath ?? "";
        var source = Regex.Match(path, @"(?:^|[\\/])Network(\d+)\.cs$");
        if (source.Success) return networks[int.Parse(source.Groups[1].Value, CultureInfo.InvariantCulture)];
        var generated = Regex.Match(path, @"Differential\.([A-Za-z0-9_]+?)(?:-[0-9a-f]{8})?(?:-\d+)?\.g\.cs$");
        return generated.Success ? networks.FirstOrDefault(n => n.ClassName == generated.Groups[1].Value) : null;
    }

    /// <summary>
    /// What is wrong with the generated network, or null: its Spec against the drawn one, then Forward on each
    /// input and ForwardBatch on all of them against the reference engine (from the drawn spec, and from the
    /// generated Spec). <paramref name="perturb"/> changes the expected output, to show that a difference fails.
    /// </summary>
    private static string? Check(RandomNetwork network, INetwork generated, Random random, string context, Action<float[]>? perturb = null)
    {
        var differences = SpecText.Differences(network.Spec, generated.Spec);
        if (differences.Count > 0) return $"{context}\nthe generated Spec differs from the drawn one:\n{string.Join("\n", differences)}";
        if (generated.InputLength != network.Spec.InputLength || generated.OutputLength != network.Spec.OutputLength || generated.ParameterCount != network.Spec.ParameterCount)
            return $"{context}\nInputLength, OutputLength or ParameterCount differ from the spec's";

        var independent = new ReferenceNetwork(network.Spec);
        var own = new ReferenceNetwork(generated.Spec);
        var parameters = RandomNetworks.Parameters(network.Spec, random);
        generated.LoadParameters(parameters);
        independent.LoadParameters(parameters);
        own.LoadParameters(parameters);

        int length = network.Spec.InputLength;
        var inputs = new[] { ("uniform", RandomNetworks.Inputs(random, length)), ("hostile", Hostile(random, length)), ("hostile", Hostile(random, length)) };
        var expected = new float[inputs.Length][];
        for (int s = 0; s < inputs.Length; s++)
        {
            var (kind, input) = inputs[s];
            expected[s] = independent.Forward(input);
            perturb?.Invoke(expected[s]);
            var actual = new float[generated.OutputLength];
            generated.Forward(input, actual);
            if (Mismatch(expected[s], actual, kind, input, independent) is string forward) return $"{context}\nForward on sample {s} ({kind}): {forward}\ninput: {Describe(input)}";
            if (Mismatch(expected[s], own.Forward(input)) is string spec) return $"{context}\nthe reference engine from the generated Spec, sample {s} ({kind}): {spec}";
        }

        int inputLength = network.Spec.InputLength, outputLength = network.Spec.OutputLength;
        var batch = inputs.SelectMany(i => i.Item2).ToArray();
        var outputs = new float[inputs.Length * outputLength];
        generated.ForwardBatch(batch, outputs);
        for (int s = 0; s < inputs.Length; s++)
            if (Mismatch(expected[s], outputs.AsSpan(s * outputLength, outputLength).ToArray(), inputs[s].Item1, inputs[s].Item2, independent) is string batched)
                return $"{context}\nForwardBatch of {inputs.Length} samples, sample {s} ({inputs[s].Item1}): {batched}\ninput: {Describe(inputs[s].Item2)}";
        return null;
    }

    /// <summary>
    /// <see cref="Mismatch(float[], float[], double[])"/>, on a hostile input with the tolerance widened by how
    /// much the reference engine's own output moves under a nudge of the input of float rounding's size: magnitudes
    /// of a thousand, multiplied by a gate of their own shape, make intermediates of a million, whose rounding in
    /// another order of summation (the generated code's) then moves a Softmax or a Tanh near zero by more than the
    /// uniform input's tolerance. An error of the generated code (a wrong index, a NaN, an exp that overflows) is
    /// orders of magnitude beyond this. The uniform input keeps the 2D tests' tolerance as it is.
    /// </summary>
    private static string? Mismatch(float[] expected, float[] actual, string kind, float[] input, ReferenceNetwork reference)
    {
        var mismatch = Mismatch(expected, actual);
        if (mismatch is null || kind != "hostile") return mismatch;
        var sensitivity = new double[expected.Length];
        var random = new Random(input.Length);
        for (int trial = 0; trial < 3; trial++)
        {
            // each value scaled by 1 +- 2^-23: moved by one or two float ulps
            var nudged = input.Select(v => v * (random.Next(2) == 0 ? 1f - 1f / (1 << 23) : 1f + 1f / (1 << 23))).ToArray();
            var moved = reference.Forward(nudged);
            for (int i = 0; i < sensitivity.Length; i++)
                sensitivity[i] = Math.Max(sensitivity[i], float.IsNaN(moved[i]) != float.IsNaN(expected[i]) ? double.PositiveInfinity : Math.Abs(moved[i] - expected[i]));
        }
        return Mismatch(expected, actual, sensitivity);
    }

    /// <summary>How many times the reference engine's own change under a nudged input a hostile input's tolerance adds.</summary>
    private const double SensitivityFactor = 8;

    /// <summary>
    /// The first element outside FixtureFiles.AssertMatches's tolerance (1e-4 relative plus 1e-5 of the
    /// output's largest magnitude), plus <see cref="SensitivityFactor"/> times <paramref name="sensitivity"/>
    /// where given, or null; NaN matches only NaN.
    /// </summary>
    private static string? Mismatch(float[] expected, float[] actual, double[]? sensitivity = null)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} elements, the reference engine gives {expected.Length}";
        double scale = 1;
        foreach (var e in expected)
            if (float.IsFinite(e)) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i])) continue;
            double allowed = 1e-4 * Math.Abs(expected[i]) + 1e-5 * scale + (sensitivity is null ? 0 : SensitivityFactor * sensitivity[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed) && !(float.IsInfinity(expected[i]) && expected[i] == actual[i]))
                return $"element {i} of {expected.Length} is {R(actual[i])}, the reference engine says {R(expected[i])} (allowed difference {allowed:g3}"
                    + (sensitivity is null ? ")" : $", {SensitivityFactor} times the reference engine's own change {sensitivity[i]:g3} under a nudged input included)")
                    + $"\n  expected: {Describe(expected)}\n  actual:   {Describe(actual)}";
        }
        return null;
    }

    private static string R(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The first floats of a vector, as round-trip literals.</summary>
    private static string Describe(float[] values) =>
        "[" + string.Join(", ", values.Take(24).Select(R)) + (values.Length > 24 ? $", ... ({values.Length})" : "") + "]";


    /// <summary>
    /// Mostly uniform in [-1, 1], but one value in four hostile: +0 and -0, subnormals and tiny values, the
    /// kinks of the activations (±1, ±3, 6), and magnitudes from 10 to 1000, past where exp(x) overflows a
    /// float (88.7) and underflows (-103). Never NaN or infinity, as the 2D differential tests.
    /// </summary>
    private static float[] Hostile(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            float sign = random.Next(2) == 0 ? -1f : 1f;
            values[i] = random.Next(24) switch
            {
                0 => 0f,
                1 => -0f,
                2 => sign * float.Epsilon * random.Next(1, 1 << 20),
                3 => sign * (float)Math.Pow(10, -38 + random.NextDouble() * 30),
                4 => new[] { 1f, -1f, 3f, -3f, 6f, 0.5f }[random.Next(6)],
                5 or 6 => sign * (float)Math.Pow(10, 1 + random.NextDouble() * 2),
                _ => (float)(random.NextDouble() * 2 - 1),
            };
        }
        return values;
    }

    /// <summary>What the JIT runs here: which vectors are accelerated, and the DOTNET_Enable* switches set.</summary>
    private static string SimdConfiguration()
    {
        var switches = new[] { "DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic" }
            .Where(v => Environment.GetEnvironmentVariable(v) is not null)
            .Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}");
        return $"SIMD: Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, AVX2 {(Avx2.IsSupported ? "on" : "off")}, "
            + $"Vector<float> {Vector<float>.Count} lanes{(Vector.IsHardwareAccelerated ? "" : " not accelerated")}"
            + (switches.Any() ? " (" + string.Join(", ", switches) + ")" : "");
    }
}
