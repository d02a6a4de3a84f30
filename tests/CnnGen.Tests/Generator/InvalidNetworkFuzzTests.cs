using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Random valid networks, each cut at a random layer and broken there in one known way, all in one
/// compilation: every class must get the error that names its mistake and no other (CNN0014, a stride that
/// leaves input unread, may come with it), no generated file, and never CNN0099 (the generator's own
/// failure). CNNGEN_FUZZ_SEED replays a run; CNNGEN_FUZZ_COUNT raises the count for a long soak.
/// </summary>
public class InvalidNetworkFuzzTests
{
    private readonly ITestOutputHelper _output;

    public InvalidNetworkFuzzTests(ITestOutputHelper output) => _output = output;

    /// <summary>One way to break a network: the error it must cause, and the attributes that cause it after a valid prefix.</summary>
    private sealed record Breakage(string ExpectedId, string ClassName, string Source);

    private delegate string[]? Break(Random random, IReadOnlyList<int> shape, int position);

    /// <summary>
    /// The mistakes, each appended to a valid prefix whose output <c>shape</c> is [c, h, w] or [n].
    /// A breakage returns null when it needs a feature map and the prefix ends flat. <c>position</c> is
    /// the index the first appended layer takes.
    /// </summary>
    private static readonly (string Id, Break Break)[] Mistakes =
    {
        ("CNN0008", (random, shape, _) => shape.Count != 3 ? null : new[]
        {
            // InChannels off by one, either way
            $"[Conv2D(InChannels = {(shape[0] > 1 && random.Next(2) == 0 ? shape[0] - 1 : shape[0] + 1)}, Filters = {random.Next(1, 4)}, Kernel = 1)]",
        }),
        ("CNN0011", (random, shape, _) => shape.Count != 3 ? null : new[]
        {
            // a convolution, then Dense without Flatten
            $"[Conv2D(Filters = {random.Next(1, 4)}, Kernel = 1)]",
            $"[Dense(Outputs = {random.Next(1, 5)})]",
        }),
        ("CNN0009", (random, shape, _) =>
        {
            if (shape.Count != 3) return null;
            int padding = random.Next(0, 3), tooTall = shape[1] + 2 * padding + 1;
            // the kernel one row taller than the padded input, plainly or by dilation
            return new[]
            {
                random.Next(2) == 0
                    ? $"[Conv2D(Filters = 2, KernelHeight = {tooTall}, KernelWidth = 1, Padding = {padding})]"
                    : $"[Conv2D(Filters = 2, KernelHeight = 2, KernelWidth = 1, DilationHeight = {tooTall - 1}, Padding = {padding})]",
            };
        }),
        ("CNN0010", (random, shape, _) =>
        {
            if (shape.Count != 3) return null;
            int channels = shape[0];
            var divisors = Enumerable.Range(2, Math.Max(0, channels - 1)).Where(d => channels % d == 0).ToArray();
            // groups that do not divide the input channels, or that divide them but not the filters
            return divisors.Length > 0 && random.Next(2) == 0
                ? new[] { $"[Conv2D(Filters = {divisors[0] + 1}, Kernel = 1, Groups = {divisors[0]})]" }
                : new[] { $"[Conv2D(Filters = {channels + 1}, Kernel = 1, Groups = {channels + 1})]" };
        }),
        ("CNN0005", (random, shape, _) =>
        {
            var onMap = new[]
            {
                "[Conv2D(Filters = 0, Kernel = 1)]", "[Conv2D(Filters = -3, Kernel = 1)]", "[Conv2D(Filters = 2, Kernel = 0)]",
                "[Conv2D(Filters = 2, Kernel = 1, Stride = 0)]", "[Conv2D(Filters = 2, Kernel = 1, Dilation = 0)]",
                "[Conv2D(Filters = 2, Kernel = 1, Padding = -1)]", "[MaxPool2D(Kernel = 0)]", "[AvgPool2D(Kernel = 2, Stride = 0)]",
            };
            string zeroOutputs = "[Dense(Outputs = 0)]";
            if (shape.Count != 3) return new[] { zeroOutputs };
            int pick = random.Next(onMap.Length + 1);
            return pick < onMap.Length ? new[] { onMap[pick] } : new[] { "[Flatten]", zeroOutputs };
        }),
        ("CNN0013", (random, shape, _) =>
        {
            if (shape.Count != 3) return null;
            int kernel = random.Next(1, 5), padding = kernel / 2 + random.Next(1, 3);
            string pool = new[] { "MaxPool2D", "AvgPool2D", "MinPool2D" }[random.Next(3)];
            // padding larger than half the window, on one axis or both
            return new[]
            {
                random.Next(2) == 0
                    ? $"[{pool}(Kernel = {kernel}, Padding = {padding})]"
                    : $"[{pool}(Kernel = {kernel}, PaddingWidth = {padding})]",
            };
        }),
        ("CNN0012", (random, shape, _) =>
        {
            int length = shape.Aggregate(1, (a, b) => a * b);
            int wrong = length > 1 && random.Next(2) == 0 ? length - 1 : length + 1 + random.Next(3);
            var dense = $"[Dense(Inputs = {wrong}, Outputs = {random.Next(1, 5)})]";
            return shape.Count == 3 ? new[] { "[Flatten]", dense } : new[] { dense };
        }),
        ("CNN0005", (random, shape, _) =>
        {
            // the new layers' own values, each wrong whatever comes before
            var anywhere = new[]
            {
                "[Dropout(P = 1.5f)]", "[Dropout(P = -0.1f)]", "[Dropout(P = float.NaN)]", "[Hardtanh(Min = 1f, Max = 1f)]", "[Hardtanh(Min = 0.5f, Max = -0.5f)]",
                "[Softplus(Beta = 0f)]", "[Softplus(Beta = float.NaN, Threshold = 5f)]", "[GELU(Approximate = \"exact\")]", "[PReLU(Parameters = 0)]",
            };
            var onMap = new[] { "[BatchNorm2D(Epsilon = -1f)]", "[BatchNorm2D(Epsilon = float.NaN, Affine = false)]", "[AdaptiveAvgPool2D(Output = 0)]", "[AdaptiveMaxPool2D(OutputHeight = 2, OutputWidth = -1)]" };
            var choices = shape.Count == 3 ? anywhere.Concat(onMap).ToArray() : anywhere;
            return new[] { choices[random.Next(choices.Length)] };
        }),
        ("CNN0016", (random, shape, _) =>
        {
            // a layer that needs a feature map after Flatten (or after the vector the prefix ends in)
            var needsMap = new[] { "[BatchNorm2D]", "[GlobalAvgPool2D]", "[GlobalMaxPool2D]", "[AdaptiveAvgPool2D(Output = 1)]", "[AdaptiveMaxPool2D(OutputHeight = 1, OutputWidth = 2)]" };
            string layer = needsMap[random.Next(needsMap.Length)];
            return shape.Count == 3 ? new[] { "[Flatten]", layer } : new[] { layer };
        }),
        ("CNN0019", (random, shape, _) =>
        {
            // BatchNorm's Channels off by one, or PReLU's Parameters neither 1 nor the channels (features of a vector)
            int channels = shape[0];
            int wrong = channels > 2 && random.Next(2) == 0 ? channels - 1 : channels + 1; // neither 1 nor the channels
            return shape.Count == 3 && random.Next(2) == 0
                ? new[] { $"[BatchNorm2D(Channels = {wrong})]" }
                : new[] { $"[PReLU(Parameters = {wrong})]" };
        }),
        ("CNN0006", (random, shape, _) => new[]
        {
            // an adaptive pool without its output size, or with half of it
            new[] { "[AdaptiveMaxPool2D]", "[AdaptiveAvgPool2D(OutputHeight = 2)]", "[AdaptiveMaxPool2D(OutputWidth = 3)]" }[random.Next(3)],
        }),
        ("CNN0007", (random, shape, _) => new[]
        {
            new[] { "[AdaptiveAvgPool2D(Output = 2, OutputHeight = 2)]", "[AdaptiveMaxPool2D(OutputWidth = 1, Output = 1)]" }[random.Next(2)],
        }),
        ("CNN0020", (random, shape, position) =>
        {
            // a name that is another layer's position (reported on the named layer), repeated, dotted or empty
            return random.Next(4) switch
            {
                0 => new[] { $"[Identity(Name = \"{position + 1}\")]", "[Dropout]" },
                1 => new[] { "[Dropout(Name = \"dup\")]", "[Identity(Name = \"dup\")]" },
                2 => new[] { "[Identity(Name = \"a.b\")]" },
                _ => new[] { "[Dropout(Name = \"\")]" },
            };
        }),
    };

    [Fact]
    public void Each_broken_network_gets_exactly_the_error_for_its_mistake_and_no_code()
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261125);
        int count = TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 350);
        _output.WriteLine($"invalid networks: {count}, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");

        var random = new Random(seed);
        var draw = new RandomNetworks(seed);
        var broken = Enumerable.Range(0, count).Select(i => Draw(draw, random, "Bad" + i, i)).ToArray();
        var result = GeneratorHarness.Run(broken.Select(b => b.Source).ToArray());

        Assert.True(result.Run.Results.Single().Exception is null, $"seed {seed}: the generator threw {result.Run.Results.Single().Exception}");
        GeneratorHarness.AssertNoForwardPass(result);
        var all = result.AllDiagnostics;
        var internalErrors = all.Where(d => d.Id == "CNN0099").ToList();
        Assert.True(internalErrors.Count == 0, $"seed {seed}: " + string.Join("\n", internalErrors));
        var byFile = all.ToLookup(d => d.Location.SourceTree?.FilePath ?? "");
        Assert.Empty(byFile[""]); // every diagnostic points into a network's source
        for (int i = 0; i < broken.Length; i++)
        {
            var diagnostics = byFile[$"Network{i}.cs"].ToList();
            var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
            var others = diagnostics.Where(d => d.Severity != DiagnosticSeverity.Error && d.Id != "CNN0014").ToList();
            // one mistake, one error: a square argument ("Stride = 0") is reported once, not once per axis
            if (errors.Count != 1 || errors[0] != broken[i].ExpectedId || others.Count > 0)
            {
                Assert.Fail($"seed {seed} (replay with CNNGEN_FUZZ_SEED={seed}), {broken[i].ClassName}: expected {broken[i].ExpectedId} and no other error, got\n"
                    + string.Join("\n", diagnostics) + "\n" + broken[i].Source);
            }
        }
        _output.WriteLine("invalid networks: each got its own error and no other; by error: "
            + string.Join(", ", broken.GroupBy(b => b.ExpectedId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
    }

    /// <summary>A valid random network cut after a random number of layers, then broken by mistake number <paramref name="index"/> (mod the count).</summary>
    private static Breakage Draw(RandomNetworks draw, Random random, string className, int index)
    {
        var network = draw.Next(className);
        var (id, mistake) = Mistakes[index % Mistakes.Length];
        var input = network.Spec.InputShape;
        // prefer a random cut; a flat prefix is cut back to the input when the mistake needs a feature map
        int cut = random.Next(network.Attributes.Count + 1);
        var appended = mistake(random, cut == 0 ? input : network.Spec.GetOutputShape(cut - 1), cut);
        if (appended is null)
        {
            cut = 0;
            appended = mistake(random, input, 0)!;
        }
        string source = RandomNetworks.Declare(className, input[0], input[1], input[2], network.Attributes.Take(cut).Concat(appended));
        return new Breakage(id, className, source);
    }
}
