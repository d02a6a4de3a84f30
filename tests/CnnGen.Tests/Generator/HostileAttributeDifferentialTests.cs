using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Hostile and pathological attribute values and declarations thrown at the generator. The contract, per case:
/// <list type="bullet">
/// <item>the generator finishes in under 10 s and allocates under 1 GiB (a generator runs on every keystroke);</item>
/// <item>it never throws (CS8785), never fails internally (CNN0099), and no diagnostic of any kind points into a
/// file it generated (a user must never see errors in code they did not write);</item>
/// <item>EITHER the build fails with at least one CNN error, OR it has no errors and the generated network,
/// loaded and run with random parameters and input, computes what the reference engine computes from the
/// class's own <c>Spec</c> (NaN equal to NaN). Networks too large for the reference engine to run quickly are
/// only compiled and emitted.</item>
/// </list>
/// Source with syntax errors (a half-typed attribute or class) has a weaker rule: the compiler's errors are
/// expected, but no CNN diagnostic may contradict the text and no error may point into generated code.
/// The class name holds "Differential", so CI runs it on every SIMD path. CNNGEN_FUZZ_SEED replays the random part.
/// </summary>
public class HostileAttributeDifferentialTests
{
    private static readonly TimeSpan GeneratorTimeLimit = TimeSpan.FromSeconds(10);
    /// <summary>A hang is reported as such after this long instead of stalling the whole run.</summary>
    private static readonly TimeSpan GeneratorWatchdog = TimeSpan.FromSeconds(60);
    /// <summary>Over this the time is printed as SLOW: the generator's cost should follow the emitted code, not the shape values.</summary>
    private static readonly TimeSpan SlowGenerator = TimeSpan.FromSeconds(2);
    private const long GeneratorAllocationLimit = 1L << 30;
    /// <summary>Multiply-adds (and floats touched) up to which a network that builds is also run, here and in the reference engine.</summary>
    private const long NumericsWorkLimit = 4_000_000;

    private readonly ITestOutputHelper _output;

    public HostileAttributeDifferentialTests(ITestOutputHelper output) => _output = output;

    private static string Network(string attributes) => "using CnnGen;\nnamespace Hostile;\n" + attributes + "\npublic partial class Net { }\n";

    // ------------------------------------------------------------------------------------------------
    // The attacks known from the issue
    // ------------------------------------------------------------------------------------------------

    [Theory]
    // 2^21 x 2^21 x 2^22 = 2^64 elements: wraps to 0 in int and in long arithmetic
    [InlineData("[InputShape(1 << 21, 1 << 21, 1 << 22)] [Conv2D(Filters = 16, Kernel = 1, Stride = 1 << 21)]")]
    // a dilated window of 2^30 rows with 2^30 rows of padding: reach and padded height overflow int
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, KernelHeight = 2, KernelWidth = 1, DilationHeight = 1 << 30, PadTop = 1 << 30)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 1, Kernel = 1, Padding = int.MaxValue)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 1, Kernel = 1, PadTop = int.MaxValue, PadBottom = int.MaxValue)]")]
    [InlineData("[InputShape(1, 8, 8)] [MaxPool2D(Kernel = int.MaxValue, Padding = int.MaxValue / 2)]")]
    [InlineData("[InputShape(1, 8, 8)] [AvgPool2D(Kernel = int.MaxValue, Padding = int.MaxValue / 2, Stride = 1, CeilMode = true)]")]
    // pool output sizes that land near int.MinValue if computed in int: (8 + 2p - k) / s + 1 with 2p - k near 2^31
    [InlineData("[InputShape(1, 8, 8)] [MinPool2D(KernelHeight = int.MaxValue - 1, KernelWidth = 1, PaddingHeight = (int.MaxValue - 1) / 2, Stride = 1)]")]
    [InlineData("[InputShape(1, 8, 8)] [MaxPool2D(Kernel = 2, Stride = int.MaxValue, CeilMode = true)]")]
    // the average's divisor is the window, 32767^2 = 2^30 - 65535 (legal) and 32768^2 = 2^30 (padded input just over the limit)
    [InlineData("[InputShape(1, 1, 1)] [AvgPool2D(Kernel = 32767, Padding = 16383, Stride = 1)]")]
    [InlineData("[InputShape(1, 1, 1)] [AvgPool2D(Kernel = 32768, Padding = 16384, Stride = 1)]")]
    [InlineData("[InputShape(1, 1, 1)] [AvgPool2D(KernelHeight = 65536, KernelWidth = 65536, Padding = 32768, Stride = 1)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 1, Kernel = 3, DilationWidth = 1 << 29, PaddingWidth = 1 << 29)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 1, KernelHeight = 1, KernelWidth = 3, DilationWidth = 1 << 28, PaddingWidth = 1 << 28)]")]
    public void Known_overflow_attacks_get_a_CNN_error_or_compute_what_the_reference_does(string attributes) =>
        AssertContract(attributes, Network(attributes));

    /// <summary>
    /// A tensor may hold 2^30 floats, the state as a whole 2^29: derived weights (a folded or permuted copy of
    /// convolution weights) are allocated beside it as <c>new float[ParameterCount + N]</c>, and all of it stays in int.
    /// These build or fail with a CNN error; too large to run, they are compiled and emitted only.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(1, 1, 1 << 14)] [Flatten] [Dense(Outputs = 1 << 15, Bias = false)]", "builds")]
    [InlineData("[InputShape(1, 1, 1 << 14)] [Flatten] [Dense(Outputs = 1 << 15)]", "error")]
    [InlineData("[InputShape(1, 1, 1 << 15)] [Flatten] [Dense(Outputs = 1 << 15, Bias = false)]", "error")]
    [InlineData("[InputShape(1, 1, 1 << 15)] [Flatten] [Dense(Outputs = (1 << 15) + 1, Bias = false)]", "error")]
    [InlineData("[InputShape(1, 1, 1)] [Flatten] [Dense(Outputs = (1 << 30) + 1, Bias = false)]", "error")]
    [InlineData("[InputShape(1, 1, 1)] [Flatten] [Dense(Outputs = 1 << 29, Bias = false)]", "builds")]
    [InlineData("[InputShape(1, 1, 1)] [Flatten] [Dense(Outputs = 1 << 30, Bias = false)]", "error")]
    // a channel-vector convolution with a 2^29 weight: the state and its permuted copy, 2^30 floats, fit an int
    [InlineData("[InputShape(1 << 14, 2, 2)] [Conv2D(Filters = 1 << 15, Kernel = 1, Stride = 2, Bias = false)]", "builds")]
    // two tensors of 2^30: ParameterCount is 2^31, one more than int.MaxValue
    [InlineData("[InputShape(1, 1, 1 << 10)] [Flatten] [Dense(Outputs = 1 << 20, Bias = false)] [Dense(Outputs = 1 << 10, Bias = false)]", "either")]
    [InlineData("[InputShape(1, 1, 1 << 10)] [Flatten] [Dense(Outputs = 1 << 20, Bias = false)] [Dense(Outputs = 1 << 10, Bias = false)] [Dense(Outputs = 1 << 20, Bias = false)]", "either")]
    // a channel-vector convolution (16+ filters on a 1x1 map) with a 2^30 weight: its permuted copy doubles the state
    [InlineData("[InputShape(1 << 16, 1, 1)] [Conv2D(Filters = 1 << 14, Kernel = 1)]", "either")]
    [InlineData("[InputShape(1 << 15, 2, 2)] [Conv2D(Filters = 1 << 15, Kernel = 1, Stride = 2, Bias = false)]", "either")]
    // 46341^2 is just over 2^31: Filters * InChannels * K * K overflows int
    [InlineData("[InputShape(46341, 1, 1)] [Conv2D(Filters = 46341, Kernel = 1)]", "error")]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 1, Kernel = 46341, Padding = 23170)]", "error")]
    [InlineData("[InputShape(2, 1, 1)] [Conv2D(Filters = 65536, Kernel = 1 << 15, Padding = 1 << 14)]", "error")]
    [InlineData("[InputShape(1 << 15, 1, 1)] [Conv2D(Filters = 1 << 15, Kernel = 1 << 15, Padding = 1 << 14)]", "error")]
    public void Parameter_counts_at_and_past_two_to_the_thirty(string attributes, string expectation) =>
        AssertContract(attributes, Network(attributes), expectation);

    /// <summary>Huge but legal shapes: the generator's cost must follow the emitted code, not the shape values (well under 2 s each).</summary>
    [Theory]
    [InlineData("[InputShape(1, 8192, 8192)] [MaxPool2D(Kernel = 8192)]")]
    [InlineData("[InputShape(1, 8192, 8192)] [AvgPool2D(Kernel = 8191, Stride = 1)]")]
    [InlineData("[InputShape(1, 16384, 16384)] [GlobalAvgPool2D]")]
    [InlineData("[InputShape(1, 16384, 16384)] [GlobalMaxPool2D]")]
    [InlineData("[InputShape(1, 16384, 16384)] [Conv2D(Filters = 1, KernelHeight = 1, KernelWidth = 3, DilationWidth = 4096, PaddingWidth = 4096)]")]
    [InlineData("[InputShape(1, 16384, 16384)] [Conv2D(Filters = 2, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(4, 8192, 8192)] [Conv2D(Filters = 4, Kernel = 1, Groups = 4)] [ReLU] [MaxPool2D(Kernel = 2)]")]
    [InlineData("[InputShape(1, 1 << 15, 1 << 15)] [AdaptiveAvgPool2D(Output = 7)]")]
    [InlineData("[InputShape(1, 1, 1)] [AdaptiveMaxPool2D(OutputHeight = 1 << 15, OutputWidth = 1 << 15)]")]
    [InlineData("[InputShape(1 << 30, 1, 1)] [ReLU]")]
    [InlineData("[InputShape(1, 1, 1 << 30)] [BatchNorm2D] [Sigmoid]")]
    [InlineData("[InputShape(1 << 20, 1, 1)] [Conv2D(Filters = 1 << 20, Kernel = 1, Groups = 1 << 20)]")]
    [InlineData("[InputShape(1 << 10, 1 << 10, 1 << 10)] [Softmax]")]
    [InlineData("[InputShape(1, 8192, 8192)] [Conv2D(Filters = 16, Kernel = 1, Stride = 8192)] [Flatten] [Dense(Outputs = 1)]")]
    public void Huge_legal_shapes_generate_quickly(string attributes)
    {
        var outcome = AssertContract(attributes, Network(attributes), "builds");
        Assert.True(outcome.Slowest < GeneratorTimeLimit, $"{attributes}: [time] {outcome.Slowest.TotalSeconds:F1} s");
    }

    // ------------------------------------------------------------------------------------------------
    // Small inputs against huge windows, strides, padding and dilation; pools' padding and ceil mode at their edges
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 3, Kernel = 1, Stride = int.MaxValue)]")]
    [InlineData("[InputShape(2, 1, 8)] [Conv2D(Filters = 3, Kernel = 1, StrideWidth = int.MaxValue, StrideHeight = 1 << 30)]")]
    [InlineData("[InputShape(2, 8, 1)] [Conv2D(Filters = 3, KernelHeight = 8, KernelWidth = 1, Stride = 1 << 16)]")]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 2, Kernel = 3, Padding = 1 << 12, Stride = 1 << 12)]")]
    [InlineData("[InputShape(1, 1, 8)] [Conv2D(Filters = 2, Kernel = 2, Dilation = 1 << 14, Padding = 1 << 13, Stride = 1 << 13)]")]
    [InlineData("[InputShape(1, 8, 1)] [Conv2D(Filters = 2, KernelHeight = 3, KernelWidth = 1, DilationHeight = 46341, PaddingHeight = 46341, Stride = 46341)]")]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 2, Kernel = 1, PadLeft = 1 << 14, PadBottom = 1 << 14, Stride = 1 << 14)]")]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 1, Kernel = 5, PadTop = 4, PadLeft = 4)]")]
    [InlineData("[InputShape(1, 1, 1)] [Conv2D(Filters = 1, Kernel = 5, PadTop = 3, PadLeft = 4)]")]
    [InlineData("[InputShape(1, 1, 8)] [Conv2D(Filters = 4, KernelHeight = 1, KernelWidth = 9)]")]
    [InlineData("[InputShape(1, 1, 8)] [MaxPool2D(KernelHeight = 3, KernelWidth = 3, Padding = 1)]")]
    [InlineData("[InputShape(1, 8, 1)] [AvgPool2D(Kernel = 16, Padding = 8, Stride = 1)]")]
    [InlineData("[InputShape(1, 1, 1)] [AvgPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)]")]
    [InlineData("[InputShape(1, 1, 1)] [MaxPool2D(Kernel = 2, Padding = 1, CeilMode = true)]")]
    [InlineData("[InputShape(1, 1, 1)] [MinPool2D(Kernel = 2, Padding = 1, Stride = 1, CeilMode = true)]")]
    [InlineData("[InputShape(1, 5, 5)] [MaxPool2D(Kernel = 2, CeilMode = true)]")]
    [InlineData("[InputShape(1, 8, 8)] [AvgPool2D(Kernel = 4, Stride = 3, Padding = 2, CeilMode = true)]")]
    [InlineData("[InputShape(1, 8, 8)] [AvgPool2D(Kernel = 3, Stride = 1 << 20, Padding = 1, CeilMode = true)]")]
    [InlineData("[InputShape(1, 2, 2)] [AvgPool2D(Kernel = 5, Stride = 3, Padding = 2, CeilMode = true)]")]
    [InlineData("[InputShape(1, 1, 1)] [MaxPool2D(Kernel = 1 << 16, Padding = 1 << 15, Stride = 1 << 16, CeilMode = true)]")]
    [InlineData("[InputShape(1, 1, 1)] [MaxPool2D(Kernel = 1 << 15, Padding = 1 << 14, CeilMode = true)]")]
    [InlineData("[InputShape(1, 1, 1)] [AvgPool2D(Kernel = 1 << 15, Padding = 1 << 14, Stride = 1 << 13, CeilMode = true)]")]
    [InlineData("[InputShape(2, 1, 8)] [AdaptiveAvgPool2D(OutputHeight = 7, OutputWidth = 300)]")]
    [InlineData("[InputShape(2, 3, 3)] [AdaptiveMaxPool2D(Output = 1000)]")]
    [InlineData("[InputShape(1, 1, 1)] [AdaptiveAvgPool2D(Output = 46341)]")]
    [InlineData("[InputShape(1, 1, 1)] [AdaptiveAvgPool2D(OutputHeight = int.MaxValue, OutputWidth = int.MaxValue)]")]
    [InlineData("[InputShape(1, 1, 1)] [AdaptiveMaxPool2D(OutputHeight = 65536, OutputWidth = 65536)]")]
    [InlineData("[InputShape(int.MaxValue, int.MaxValue, 1)] [ReLU]")]
    [InlineData("[InputShape(1, 65536, 65536)] [ReLU]")]
    [InlineData("[InputShape(1 << 16, 1 << 16, 1)] [GlobalMaxPool2D]")]
    [InlineData("[InputShape(int.MinValue, 1, 1)] [ReLU]")]
    [InlineData("[InputShape(1, 1, 1)] [Flatten] [Dense(Outputs = int.MaxValue, Inputs = 1)]")]
    [InlineData("[InputShape(1, 1, 1)] [Flatten] [Dense(Outputs = 2, Inputs = int.MinValue)]")]
    [InlineData("[InputShape(1 << 16, 1, 1)] [Conv2D(Filters = 1 << 16, Kernel = 1, Groups = 1 << 16)] [BatchNorm2D] [ReLU]")]
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = 3, Kernel = 1, Groups = int.MaxValue)]")]
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = int.MaxValue, Kernel = 1, Groups = 3)]")]
    [InlineData("[InputShape(3, 4, 4)] [BatchNorm2D(Channels = int.MaxValue)]")]
    [InlineData("[InputShape(3, 4, 4)] [BatchNorm2D(Channels = -3)]")]
    [InlineData("[InputShape(3, 4, 4)] [BatchNorm2D(Channels = 0)]")]
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = 5, Kernel = 1)] [BatchNorm2D(Channels = 3)]")]
    [InlineData("[InputShape(3, 4, 4)] [PReLU(Parameters = int.MaxValue)]")]
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = 2, Kernel = 1, InChannels = int.MinValue)]")]
    public void Small_inputs_against_extreme_windows(string attributes) =>
        AssertContract(attributes, Network(attributes));

    /// <summary>Long chains, compiled and run.</summary>
    [Theory]
    [InlineData("ReLU", 500)]
    [InlineData("Conv2D(Filters = 1, Kernel = 1)", 200)]
    [InlineData("MaxPool2D(Kernel = 1)", 500)]
    public void Long_chains_of_layers_build_and_match(string layer, int count)
    {
        string attributes = "[InputShape(1, 2, 2)]\n" + string.Concat(Enumerable.Repeat("[" + layer + "]\n", count));
        AssertContract($"[{layer}] x {count}", Network(attributes), "builds");
    }

    /// <summary>
    /// At and past the 10,000-layer limit, through the generator only: compiling 10,000 layers' code takes the
    /// compiler most of a minute, the generator must take seconds and report the limit without building the code.
    /// </summary>
    [Theory]
    [InlineData("ReLU", 10_000, "builds")]
    [InlineData("ReLU", 10_001, "error")]
    [InlineData("Identity", 20_000, "error")]
    [InlineData("Conv2D(Filters = 1, Kernel = 1)", 10_001, "error")]
    public void Chains_at_the_layer_limit_generate_in_seconds(string layer, int count, string expectation)
    {
        string attributes = "[InputShape(1, 2, 2)]\n" + string.Concat(Enumerable.Repeat("[" + layer + "]\n", count));
        AssertGeneratorOnly($"[{layer}] x {count}", Network(attributes), expectation);
    }

    // ------------------------------------------------------------------------------------------------
    // Every int property through the hostile values
    // ------------------------------------------------------------------------------------------------

    /// <summary>0, -1, 1, 2, the extremes, powers of two around the 2^30 limit, and around sqrt(int.MaxValue): every property is swept through these.</summary>
    private static readonly string[] SweptInts =
    {
        "0", "-1", "1", "2", "int.MaxValue", "int.MinValue", "1 << 16", "1 << 29", "1 << 30", "46341",
    };

    /// <summary>The random networks draw from more: int.MinValue spelled as a shift, and the neighbours of the limits.</summary>
    private static readonly string[] HostileInts = SweptInts.Concat(new[] { "1 << 15", "1 << 20", "1 << 31", "(1 << 30) + 1", "int.MaxValue - 1", "-46341", "65535", "32768" }).ToArray();

    /// <summary>One attribute per int property, the property written as {0}, on a small input where the other values are valid.</summary>
    private static readonly string[] PropertyTemplates =
    {
        "[InputShape({0}, 4, 4)] [ReLU]", "[InputShape(2, {0}, 4)] [ReLU]", "[InputShape(2, 4, {0})] [ReLU]",
        "[Conv2D(Filters = {0}, Kernel = 1)]", "[Conv2D(Filters = 2, Kernel = 1, InChannels = {0})]", "[Conv2D(Filters = 2, Kernel = {0})]",
        "[Conv2D(Filters = 2, KernelHeight = {0}, KernelWidth = 1)]", "[Conv2D(Filters = 2, KernelHeight = 1, KernelWidth = {0})]",
        "[Conv2D(Filters = 2, Kernel = 2, Stride = {0})]", "[Conv2D(Filters = 2, Kernel = 2, StrideHeight = {0})]", "[Conv2D(Filters = 2, Kernel = 2, StrideWidth = {0})]",
        "[Conv2D(Filters = 2, Kernel = 3, Padding = {0})]", "[Conv2D(Filters = 2, Kernel = 3, PaddingHeight = {0})]", "[Conv2D(Filters = 2, Kernel = 3, PaddingWidth = {0})]",
        "[Conv2D(Filters = 2, Kernel = 3, PadTop = {0})]", "[Conv2D(Filters = 2, Kernel = 3, PadBottom = {0})]", "[Conv2D(Filters = 2, Kernel = 3, PadLeft = {0})]", "[Conv2D(Filters = 2, Kernel = 3, PadRight = {0})]",
        "[Conv2D(Filters = 2, Kernel = 2, Dilation = {0})]", "[Conv2D(Filters = 2, Kernel = 2, DilationHeight = {0})]", "[Conv2D(Filters = 2, Kernel = 2, DilationWidth = {0})]",
        "[Conv2D(Filters = 2, Kernel = 2, Dilation = {0}, Padding = {0})]", "[Conv2D(Filters = 2, Kernel = 1, Stride = {0}, Padding = {0})]",
        "[Conv2D(Filters = 2, Kernel = 1, Groups = {0})]", "[Conv2D(Filters = {0}, Kernel = 1, Groups = 2)]",
        "[MaxPool2D(Kernel = {0})]", "[MaxPool2D(KernelHeight = {0}, KernelWidth = 2)]", "[MaxPool2D(KernelHeight = 2, KernelWidth = {0})]",
        "[MaxPool2D(Kernel = 2, Stride = {0})]", "[MaxPool2D(Kernel = 2, StrideHeight = {0})]", "[MaxPool2D(Kernel = 2, StrideWidth = {0}, CeilMode = true)]",
        "[MaxPool2D(Kernel = 3, Padding = {0})]", "[MaxPool2D(Kernel = 3, PaddingHeight = {0}, CeilMode = true)]", "[MaxPool2D(Kernel = 3, PaddingWidth = {0})]",
        "[AvgPool2D(Kernel = {0}, CeilMode = true)]", "[AvgPool2D(Kernel = 3, Stride = {0}, Padding = 1, CeilMode = true)]", "[AvgPool2D(Kernel = {0}, Padding = 1, Stride = 1)]",
        "[MinPool2D(Kernel = {0}, Stride = 1)]", "[MinPool2D(Kernel = 2, Stride = {0}, CeilMode = true)]",
        "[AvgPool2D(Kernel = {0}, Padding = {0} / 2, Stride = 1)]", "[MaxPool2D(Kernel = {0}, Padding = {0} / 2, CeilMode = true)]",
        "[Flatten] [Dense(Outputs = {0})]", "[Flatten] [Dense(Outputs = 2, Inputs = {0})]", "[Flatten] [Dense(Outputs = {0}, Bias = false)] [Dense(Outputs = 3)]",
        "[BatchNorm2D(Channels = {0})]", "[PReLU(Parameters = {0})]",
        "[AdaptiveAvgPool2D(Output = {0})]", "[AdaptiveMaxPool2D(OutputHeight = {0}, OutputWidth = 2)]", "[AdaptiveAvgPool2D(OutputHeight = 3, OutputWidth = {0})]",
        "[AdaptiveMaxPool2D(OutputHeight = {0}, OutputWidth = {0})]",
    };

    /// <summary>
    /// Every int property of every layer through every hostile value, on a [2, 4, 4] input (and [1, 1, 8]
    /// for the windowed layers): about 900 networks. Each runs through the generator on its own, timed; then all
    /// of them in one compilation, compiled, emitted, and the ones that build run against the reference engine.
    /// </summary>
    [Fact]
    public void Every_int_property_through_every_hostile_value()
    {
        var cases = new List<string>();
        foreach (var template in PropertyTemplates)
            foreach (var value in SweptInts)
            {
                string layer = string.Format(CultureInfo.InvariantCulture, template, value);
                if (template.StartsWith("[InputShape", StringComparison.Ordinal))
                {
                    cases.Add(layer);
                    continue;
                }
                cases.Add("[InputShape(2, 4, 4)] " + layer);
                // a row: windows, padding and strides far larger than the input along one axis
                if (template.Contains("Pool", StringComparison.Ordinal) || template.Contains("Conv2D", StringComparison.Ordinal))
                    cases.Add("[InputShape(1, 1, 8)] " + layer);
            }
        AssertContractForEach(cases);
    }

    // ------------------------------------------------------------------------------------------------
    // Random hostile networks
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Networks of one to four layers with each int property drawn from the hostile values, from small numbers,
    /// or left out, on inputs from 1x1 to 9x9 (and now and then a huge one). CNNGEN_FUZZ_SEED replays a run,
    /// CNNGEN_FUZZ_COUNT sets the count.
    /// </summary>
    [Fact]
    public void Random_hostile_networks()
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261201);
        int count = TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 200);
        _output.WriteLine($"random hostile networks: {count}, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");
        var random = new Random(seed);
        var cases = Enumerable.Range(0, count).Select(_ => RandomHostileNetwork(random)).ToList();
        AssertContractForEach(cases, $"seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");
    }

    private static string RandomHostileNetwork(Random random)
    {
        string Int()
        {
            int pick = random.Next(10);
            return pick < 3 ? HostileInts[random.Next(HostileInts.Length)] : random.Next(1, 6).ToString(CultureInfo.InvariantCulture);
        }
        string Size() => random.Next(8) == 0 ? HostileInts[random.Next(HostileInts.Length)] : random.Next(1, 10).ToString(CultureInfo.InvariantCulture);
        string Maybe(string property) => random.Next(3) == 0 ? "" : $", {property} = {Int()}";
        string OneOf(params string[] options) => options[random.Next(options.Length)];

        var layers = new List<string>();
        int n = random.Next(1, 5);
        for (int i = 0; i < n; i++)
        {
            layers.Add(random.Next(9) switch
            {
                0 or 1 => $"[Conv2D(Filters = {Int()}{OneOf($", Kernel = {Int()}", $", KernelHeight = {Int()}, KernelWidth = {Int()}")}"
                    + OneOf("", $", Stride = {Int()}", $", StrideHeight = {Int()}, StrideWidth = {Int()}")
                    + OneOf("", $", Padding = {Int()}", $", PaddingHeight = {Int()}", $", PadTop = {Int()}, PadRight = {Int()}")
                    + OneOf("", $", Dilation = {Int()}", $", DilationWidth = {Int()}") + Maybe("Groups") + (random.Next(2) == 0 ? ", Bias = false" : "") + ")]",
                2 or 3 => $"[{OneOf("MaxPool2D", "AvgPool2D", "MinPool2D")}({OneOf($"Kernel = {Int()}", $"KernelHeight = {Int()}, KernelWidth = {Int()}")}"
                    + OneOf("", $", Stride = {Int()}", $", StrideWidth = {Int()}") + OneOf("", $", Padding = {Int()}", $", PaddingHeight = {Int()}")
                    + (random.Next(2) == 0 ? ", CeilMode = true" : "") + ")]",
                4 => OneOf("[Flatten]", $"[Flatten] [Dense(Outputs = {Int()}{Maybe("Inputs")})]"),
                5 => OneOf($"[BatchNorm2D({(random.Next(2) == 0 ? "" : $"Channels = {Int()}")})]", $"[PReLU(Parameters = {Int()})]"),
                6 => OneOf($"[AdaptiveAvgPool2D(Output = {Int()})]", $"[AdaptiveMaxPool2D(OutputHeight = {Int()}, OutputWidth = {Int()})]", "[GlobalAvgPool2D]", "[GlobalMaxPool2D]"),
                _ => OneOf("[ReLU]", "[Sigmoid]", "[Tanh]", "[Hardswish]", "[Softmax]", "[LogSoftmax]", "[Dropout]", "[Identity]"),
            });
        }
        return $"[InputShape({Size()}, {Size()}, {Size()})] " + string.Join(" ", layers);
    }

    // ------------------------------------------------------------------------------------------------
    // Blocks
    // ------------------------------------------------------------------------------------------------

    /// <summary>Blocks nest up to 64 deep (Net's Residual is one level, so Nested(63) is 64); the paths and keys grow with the depth, the code with its square.</summary>
    [Fact]
    public void Blocks_nested_64_deep_build_and_match() => AssertContract("64 nested blocks", Nested(63), "builds");

    /// <summary>Deeper is CNN0017, found before anything is expanded: it costs the generator as little as a shallow network.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(400)]
    [InlineData(5000)]
    public void Deeper_nesting_is_CNN0017_within_the_bounds(int depth) => AssertGeneratorOnly($"{depth} nested blocks", Nested(depth), "error");

    /// <summary>Level0 is a convolution and a ReLU; LevelK is a Sequential of LevelK-1; the network a Residual of the deepest.</summary>
    private static string Nested(int depth)
    {
        var source = new System.Text.StringBuilder("using CnnGen;\nnamespace Hostile;\n[Block] [Conv2D(Filters = 2, Kernel = 1)] [ReLU] public partial class Level0 { }\n");
        for (int k = 1; k <= depth; k++) source.Append($"[Block] [Sequential(typeof(Level{k - 1}))] public partial class Level{k} {{ }}\n");
        return source.Append($"[InputShape(2, 3, 3)] [Residual(typeof(Level{depth}))] public partial class Net {{ }}\n").ToString();
    }

    [Fact]
    public void A_wide_concat_builds_and_matches()
    {
        string branches = string.Join(", ", Enumerable.Repeat("typeof(Branch)", 300));
        AssertContract("Concat of 300 branches", $"using CnnGen;\nnamespace Hostile;\n[Block] [Conv2D(Filters = 1, Kernel = 1)] public partial class Branch {{ }}\n"
            + $"[InputShape(2, 3, 3)] [Concat({branches}, IncludeInput = true)] [Conv2D(Filters = 2, Kernel = 1)] public partial class Net {{ }}\n", "builds");
    }

    [Fact]
    public void A_block_used_a_hundred_times_builds_and_matches() => AssertContract("a block used 100 times", BlockUsed(100), "builds");

    /// <summary>A thousand uses (and 5,000, each use two layers and a join: past the limit) through the generator only; compiling them takes the compiler half a minute.</summary>
    [Theory]
    [InlineData(1_000, "builds")]
    [InlineData(5_000, "error")]
    public void A_block_used_thousands_of_times_generates_in_seconds(int uses, string expectation) =>
        AssertGeneratorOnly($"a block used {uses} times", BlockUsed(uses), expectation);

    private static string BlockUsed(int uses) =>
        "using CnnGen;\nnamespace Hostile;\n[Block] [Conv2D(Filters = 2, Kernel = 3, Padding = 1)] [Tanh] public partial class Body { }\n"
        + "[InputShape(2, 3, 3)]\n" + string.Concat(Enumerable.Repeat("[Residual(typeof(Body))]\n", uses)) + "public partial class Net { }\n";

    /// <summary>
    /// Each level uses the one below twice: 2^40 layers once expanded, in a source of 41 lines. The limit of
    /// 10,000 layers must be found without expanding (a billion laughs), in seconds and without the memory.
    /// </summary>
    [Theory]
    [InlineData(40, "Sequential(typeof(L{0}))] [Sequential(typeof(L{0}))")]
    [InlineData(40, "Concat(typeof(L{0}), typeof(L{0}))] [Conv2D(Filters = 1, Kernel = 1)")]
    [InlineData(25, "Residual(typeof(L{0}), Shortcut = typeof(L{0}))")]
    [InlineData(30, "Multiply(typeof(L{0}))] [Residual(typeof(L{0}))")]
    public void Exponentially_expanding_blocks_are_rejected_quickly(int levels, string use)
    {
        var source = new System.Text.StringBuilder("using CnnGen;\nnamespace Hostile;\n[Block] [Conv2D(Filters = 1, Kernel = 1)] [Sigmoid] public partial class L0 { }\n");
        for (int k = 1; k <= levels; k++)
            source.Append($"[Block] [{string.Format(CultureInfo.InvariantCulture, use, k - 1)}] public partial class L{k} {{ }}\n");
        source.Append($"[InputShape(1, 2, 2)] [Sequential(typeof(L{levels}))] public partial class Net {{ }}\n");
        AssertContract($"2^{levels} layers by doubling ({use})", source.ToString(), "error");
    }

    [Theory]
    // cycles through two and three blocks, through a shortcut, a gate and a Concat branch; a network used as a block
    [InlineData("[Block] [Sequential(typeof(B))] public partial class A { } [Block] [ReLU] [Sequential(typeof(A))] public partial class B { } [InputShape(1, 2, 2)] [Sequential(typeof(A))] public partial class Net { }")]
    [InlineData("[Block] [Sequential(typeof(B))] public partial class A { } [Block] [Sequential(typeof(C))] public partial class B { } [Block] [Concat(typeof(A), typeof(B))] public partial class C { } [InputShape(1, 2, 2)] [Residual(typeof(A))] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class A { } [Block] [Residual(typeof(A), Shortcut = typeof(B))] public partial class B { } [InputShape(1, 2, 2)] [Sequential(typeof(B))] public partial class Net { }")]
    [InlineData("[Block] [Multiply(typeof(G))] [Sigmoid] public partial class G { } [InputShape(1, 2, 2)] [Multiply(typeof(G))] public partial class Net { }")]
    [InlineData("[InputShape(1, 2, 2)] [ReLU] [Sequential(typeof(Net))] public partial class Net { }")]
    [InlineData("[InputShape(1, 2, 2)] [ReLU] public partial class Other { } [InputShape(1, 2, 2)] [Residual(typeof(Other))] public partial class Net { }")]
    // shapes that do not join
    [InlineData("[Block] [Conv2D(Filters = 3, Kernel = 1)] public partial class Wider { } [InputShape(2, 4, 4)] [Residual(typeof(Wider))] public partial class Net { }")]
    [InlineData("[Block] [Conv2D(Filters = 2, Kernel = 3)] public partial class Smaller { } [InputShape(2, 4, 4)] [Residual(typeof(Smaller))] public partial class Net { }")]
    [InlineData("[Block] [Flatten] public partial class Flat { } [InputShape(2, 4, 4)] [Residual(typeof(Flat))] public partial class Net { }")]
    [InlineData("[Block] [Flatten] public partial class Flat { } [InputShape(2, 4, 4)] [Concat(typeof(Flat), typeof(Flat))] public partial class Net { }")]
    [InlineData("[Block] [Flatten] [Dense(Outputs = 1)] public partial class Flat { } [InputShape(2, 4, 4)] [Multiply(typeof(Flat))] public partial class Net { }")]
    [InlineData("[Block] [MaxPool2D(Kernel = 2)] public partial class Half { } [Block] [ReLU] public partial class Same { } [InputShape(2, 5, 5)] [Concat(typeof(Half), typeof(Same))] public partial class Net { }")]
    [InlineData("[Block] [GlobalAvgPool2D] [Conv2D(Filters = 1, Kernel = 1)] public partial class Gate { } [InputShape(2, 4, 4)] [Multiply(typeof(Gate))] public partial class Net { }")]
    // degenerate uses: no branch, a null branch, a type that is no block, a generic block, an empty block
    [InlineData("[InputShape(2, 4, 4)] [Concat()] public partial class Net { }")]
    [InlineData("[InputShape(2, 4, 4)] [Concat(null)] public partial class Net { }")]
    [InlineData("[InputShape(2, 4, 4)] [Concat(null, null)] public partial class Net { }")]
    [InlineData("[InputShape(2, 4, 4)] [Sequential(null)] public partial class Net { }")]
    [InlineData("[InputShape(2, 4, 4)] [Residual(typeof(int))] public partial class Net { }")]
    [InlineData("[InputShape(2, 4, 4)] [Residual(typeof(System.Collections.Generic.List<>))] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class G<T> { } [InputShape(2, 4, 4)] [Residual(typeof(G<int>))] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class G<T> { } [InputShape(2, 4, 4)] [Residual(typeof(G<>))] public partial class Net { }")]
    [InlineData("[Block] public partial class Empty { } [InputShape(2, 4, 4)] [Residual(typeof(Empty))] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class B { } [InputShape(2, 4, 4)] [Residual(typeof(B), Shortcut = typeof(B), ShortcutName = \"0\")] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class B { } [InputShape(2, 4, 4)] [Residual(typeof(B), ShortcutName = null)] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class B { } [InputShape(2, 4, 4)] [Residual(typeof(B), Shortcut = typeof(B), ShortcutName = null)] public partial class Net { }")]
    [InlineData("[Block] [ReLU] public partial class B { } [InputShape(2, 4, 4)] [Sequential(typeof(B), Name = null)] [ReLU(Name = null)] public partial class Net { }")]
    [InlineData("[Block] [ReLU(Name = \"\")] public partial class B { } [InputShape(2, 4, 4)] [Sequential(typeof(B), Name = \"\")] public partial class Net { }")]
    [InlineData("[Block] [InputShape(1, 2, 2)] [ReLU] public partial class B { } [InputShape(2, 4, 4)] [Sequential(typeof(B))] public partial class Net { }")]
    public void Block_attacks(string declarations) =>
        AssertContract(declarations, "using CnnGen;\nnamespace Hostile;\n" + declarations + "\n");

    // ------------------------------------------------------------------------------------------------
    // Declaration forms
    // ------------------------------------------------------------------------------------------------

    private const string Layers = "[InputShape(2, 4, 4)] [Conv2D(Filters = 3, Kernel = 3)] [ReLU]";

    /// <summary>Valid C# declarations: each builds and computes, or gets a CNN error (the compiler's own errors, such as CS0592 for a struct, may come beside it).</summary>
    [Theory]
    [InlineData("namespace @class { " + Layers + " public partial class @class { } }")]
    [InlineData("namespace @namespace.@partial { " + Layers + " public partial class @int { } }")]
    [InlineData("namespace Cased { " + Layers + " public partial class Net { } " + Layers + " public partial class NET { } " + Layers + " public partial class nET { } }")]
    [InlineData("namespace Foo { " + Layers + " public partial class Net { } } namespace foo { " + Layers + " public partial class Net { } } namespace FOO { " + Layers + " public partial class NET { } }")]
    // hint names map characters that are no letter or digit to '_': Net_ and Net\u2160 (ROMAN NUMERAL ONE, a letter number) or Net\u0301 (a combining mark)
    [InlineData("namespace Hints { " + Layers + " public partial class Net_ { } " + Layers + " public partial class Net\u2160 { } }")]
    [InlineData("namespace Hints { " + Layers + " public partial class A_b { } " + Layers + " public partial class A\u203Fb { } }")]
    [InlineData("namespace Hints { " + Layers + " public partial class Net_ { } " + Layers + " public partial class Net\u0301 { } }")]
    [InlineData("namespace Hints { " + Layers + " public partial class Net_ { } " + Layers + " public partial class NET\u2160 { } " + Layers + " public partial class Net\u0301 { } }")]
    // hint names join namespaces and containing types with '.': Outer.Net (a type in a type) and Outer.Net (a namespace)
    [InlineData("namespace N { public partial class Outer { " + Layers + " public partial class Net { } } } namespace N.Outerx { " + Layers + " public partial class Net { } }")]
    [InlineData("namespace N { public partial class A { public partial class B { " + Layers + " public partial class Net { } } } } namespace N.A_B { " + Layers + " public partial class Net { } }")]
    [InlineData("namespace Generic { " + Layers + " public partial class Net<T> { } " + Layers + " public partial class Net { } " + Layers + " public partial class Net<T, U> where T : class { } }")]
    [InlineData("namespace Generic { public partial class Outer<T> { " + Layers + " public partial class Net { } } public partial class Outer { " + Layers + " public partial class Net { } } }")]
    [InlineData("namespace Generic { public partial class Outer<T> where T : struct { public partial class Mid<U> { " + Layers + " public partial class Net<V> { } } } }")]
    [InlineData("namespace Generic { " + Layers + " public partial class Net<@int> { } }")]
    [InlineData("namespace Generic { " + Layers + " public partial class Net<Layer0Conv2D> { } }")]
    [InlineData("namespace Generic { " + Layers + " public partial class Net<CnnGenBuffers> { } }")]
    [InlineData("namespace Records { " + Layers + " public partial record Net(int X); }")]
    [InlineData("namespace Records { " + Layers + " public sealed partial record class Net { } }")]
    [InlineData("namespace Records { " + Layers + " public abstract partial class Net { } }")]
    [InlineData("namespace Records { public abstract partial class Base { public abstract void Forward(System.ReadOnlySpan<float> x, System.Span<float> y); } " + Layers + " public partial class Net : Base { } }")]
    [InlineData("namespace Records { public class Base { public virtual void Forward(System.ReadOnlySpan<float> x, System.Span<float> y) { } } " + Layers + " public partial class Net : Base { } }")]
    [InlineData("namespace Records { public class Base { public int InputLength; public static object Spec; } " + Layers + " public partial class Net : Base { } }")]
    [InlineData("namespace Records { public class Base { private int InputLength; private void Run() { } } " + Layers + " public partial class Net : Base { } }")]
    [InlineData("namespace Structs { " + Layers + " public partial struct Net { } }")]
    [InlineData("namespace Structs { " + Layers + " public partial record struct Net; }")]
    [InlineData("namespace Structs { " + Layers + " public partial interface Net { } }")]
    [InlineData("namespace Structs { " + Layers + " public static partial class Net { } }")]
    [InlineData("namespace Structs { " + Layers + " public partial class Net { } public partial struct Net { } }")]
    [InlineData("namespace Files { " + Layers + " file partial class Net { } }")]
    [InlineData("namespace Files { file partial class Outer { " + Layers + " public partial class Net { } } }")]
    [InlineData("namespace Files { " + Layers + " internal partial class Net { } " + Layers + " internal partial class Net { } }")]
    [InlineData("namespace Nested { public partial class Outer { " + Layers + " private partial class Net { } " + Layers + " protected partial class Net2 { } } }")]
    [InlineData("namespace Nested { public partial class Outer { " + Layers + " public partial class Outer2 { " + Layers + " public partial class Net { } } } }")]
    [InlineData("namespace Nested { public partial class Outer { " + Layers + " public partial class Net { } public int Net2; } }")]
    [InlineData("namespace Nested { public static partial class Outer { " + Layers + " public partial class Net { } } }")]
    [InlineData("namespace Nested { public partial struct Outer { " + Layers + " public partial class Net { } } }")]
    [InlineData("namespace Nested { public partial interface IOuter { " + Layers + " public partial class Net { } } }")]
    [InlineData("namespace Nested { public partial record struct Outer { " + Layers + " public partial class Net { } } }")]
    [InlineData(Layers + " public partial class NetInGlobalNamespace { }")]
    [InlineData("namespace Unsafe { " + Layers + " public unsafe partial class Net { } }")]
    [InlineData("namespace Unsafe { " + Layers + " public partial class Net : System.IDisposable { public void Dispose() { } } }")]
    [InlineData("namespace Unsafe { " + Layers + " public partial class Net { private Net() { } } }")]
    [InlineData("namespace Unsafe { " + Layers + " public partial class Net { public Net(int x) { } } }")]
    [InlineData("namespace Shadow { public class CnnGen { } public class INetwork { } public class System { } public class Span<T> { } " + Layers + " public partial class Net { } }")]
    [InlineData("namespace Shadow { public class global { } public class Vector512 { } public class MathF { } public class Math { } " + Layers + " public partial class Net { } }")]
    [InlineData("namespace Shadow.CnnGen { " + Layers + " public partial class Net { } }")]
    [InlineData("namespace Shadow.System { " + Layers + " public partial class Net { } }")]
    public void Declaration_forms(string declarations) =>
        AssertContract(declarations, "using CnnGen;\n" + declarations + "\n", allowCompilerErrors: true);

    /// <summary>
    /// A user member with the name of one the generator adds: a CNN error on the class, or code that compiles
    /// beside it; never a CS0102/CS0111 inside the generated file.
    /// </summary>
    [Theory]
    [InlineData("public const int InputLength = 5;")]
    [InlineData("public const int OutputLength = 5;")]
    [InlineData("public int InputChannels => 1;")]
    [InlineData("public const int ParameterCount = 0;")]
    [InlineData("public static string Summary = \"\";")]
    [InlineData("public static int Spec;")]
    [InlineData("public const string TorchSource = \"\";")]
    [InlineData("public void Forward(System.ReadOnlySpan<float> input, System.Span<float> output) { }")]
    [InlineData("public void Forward(float[] input) { }")]
    [InlineData("public void LoadParameters(System.ReadOnlySpan<float> values) { }")]
    [InlineData("public void LoadSafetensors(string path) { }")]
    [InlineData("public void ForwardBatch(System.ReadOnlySpan<float> inputs, System.Span<float> outputs) { }")]
    [InlineData("private static void Run(System.ReadOnlySpan<float> input, System.Span<float> output, float[] parameters, object buffers) { }")]
    [InlineData("private static int Run;")]
    [InlineData("private readonly float[] _parameters = new float[1];")]
    [InlineData("private object _buffers;")]
    [InlineData("private int _cnnGenBusy;")]
    [InlineData("private void CnnGenEnter() { }")]
    [InlineData("private sealed class CnnGenBuffers { }")]
    [InlineData("private static void Layer0Conv2D(System.ReadOnlySpan<float> x, System.Span<float> y, System.ReadOnlySpan<float> p) { }")]
    [InlineData("private static void Layer1ReLU(System.ReadOnlySpan<float> x, System.Span<float> y) { }")]
    [InlineData("public class Spec { }")]
    [InlineData("public Net() { }")]
    [InlineData("static Net() { }")]
    [InlineData("public static implicit operator int(Net n) => 0;")]
    [InlineData("public int this[int i] => i;")]
    public void A_user_member_named_like_a_generated_one(string member)
    {
        string source = "using CnnGen;\nnamespace Hostile;\n" + Layers + "\npublic partial class Net\n{\n    " + member + "\n}\n";
        AssertContract(member, source, allowCompilerErrors: false);
    }

    /// <summary>
    /// Source being typed: the compiler reports the syntax errors. The generator may say nothing or a CNN error,
    /// but none that contradicts the text (a property that is written reported as missing, a value reported that
    /// was not written) and nothing inside generated code. <paramref name="misleading"/> lists message fragments
    /// that would contradict the text.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, )] public partial class Net { }", "Filters|Kernel")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = )] public partial class Net { }", "Filters|Kernel = 0")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3] public partial class Net { }", "Filters|Kernel")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel 3)] public partial class Net { }", "Filters")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = \"3\")] public partial class Net { }", "Filters")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3.5)] public partial class Net { }", "Filters")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, Kernel = 5)] public partial class Net { }", "Filters")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, Colour = 5)] public partial class Net { }", "Filters|Kernel")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(16, 3)] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, )] [ReLU] public partial class Net { }", "0")]
    [InlineData("[InputShape(2, 8)] [ReLU] public partial class Net { }", "0")]
    [InlineData("[InputShape(2, 8, 8, 8)] [ReLU] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, \"8\")] [ReLU] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, int.MaxValue + 1)] [ReLU] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] [] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] public partial class  { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] public partial class Net", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] public partial class Net {", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] public partial class Net<> { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU] public partial", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU]", "")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3)] [Dense(Outputs = Missing.Value)] public partial class Net { }", "Outputs")]
    [InlineData("[InputShape(2, 8, 8)] [Residual(typeof(Missing))] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [Residual(typeof())] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [GELU(Approximate = null)] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [ReLU(Name = null)] [ReLU(Name = 5)] public partial class Net { }", "")]
    [InlineData("[InputShape(2, 8, 8)] [Dropout(P = float.PositiveInfinity)] [LeakyReLU(NegativeSlope = float.NaN)] public partial class Net { }", "")]
    public void Half_typed_source_gets_no_misleading_CNN_diagnostic(string declaration, string misleading)
    {
        string source = "using CnnGen;\nnamespace Hostile;\n" + declaration + "\n";
        var outcome = AssertContract(declaration, source, allowCompilerErrors: true);
        var fragments = misleading.Split('|', StringSplitOptions.RemoveEmptyEntries);
        foreach (var d in outcome.Diagnostics.Where(d => d.Id.StartsWith("CNN", StringComparison.Ordinal)))
        {
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            // a required property that is written, reported missing; or a value that is not written, reported invalid
            bool contradicts = fragments.Any(f => f == "0"
                ? d.Id == "CNN0005"
                : (d.Id == "CNN0006" && message.Contains(f, StringComparison.Ordinal)) || (f.Contains('=') && message.Contains(f, StringComparison.Ordinal)));
            Assert.False(contradicts, $"{declaration}: [misleading] {d}");
        }
    }

    /// <summary>Float properties with every special value: a CNN error, or numbers that match (NaN where the reference has NaN).</summary>
    [Theory]
    [InlineData("[InputShape(2, 3, 3)] [LeakyReLU(NegativeSlope = float.NaN)]")]
    [InlineData("[InputShape(2, 3, 3)] [LeakyReLU(NegativeSlope = float.PositiveInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [LeakyReLU(NegativeSlope = -float.Epsilon)]")]
    [InlineData("[InputShape(2, 3, 3)] [LeakyReLU(NegativeSlope = float.MaxValue)]")]
    [InlineData("[InputShape(2, 3, 3)] [ELU(Alpha = float.NegativeInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [ELU(Alpha = float.NaN)]")]
    [InlineData("[InputShape(2, 3, 3)] [Hardtanh(Min = float.NegativeInfinity, Max = float.PositiveInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [Hardtanh(Min = float.NaN, Max = 1)]")]
    [InlineData("[InputShape(2, 3, 3)] [Hardtanh(Min = -float.Epsilon, Max = float.Epsilon)]")]
    [InlineData("[InputShape(2, 3, 3)] [Softplus(Beta = float.Epsilon, Threshold = float.NaN)]")]
    [InlineData("[InputShape(2, 3, 3)] [Softplus(Beta = -1, Threshold = float.NegativeInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [Softplus(Beta = float.PositiveInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [BatchNorm2D(Epsilon = float.PositiveInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [BatchNorm2D(Epsilon = float.MaxValue)]")]
    [InlineData("[InputShape(2, 3, 3)] [BatchNorm2D(Epsilon = 0, Affine = false)]")]
    [InlineData("[InputShape(2, 3, 3)] [Conv2D(Filters = 2, Kernel = 1)] [BatchNorm2D(Epsilon = float.PositiveInfinity)] [ReLU]")]
    [InlineData("[InputShape(2, 3, 3)] [Conv2D(Filters = 2, Kernel = 1)] [BatchNorm2D(Epsilon = float.Epsilon)] [ReLU]")]
    [InlineData("[InputShape(2, 3, 3)] [Dropout(P = 1)] [Dropout(P = 0)] [Dropout(P = -0.0f)]")]
    [InlineData("[InputShape(2, 3, 3)] [Dropout(P = float.Epsilon)]")]
    [InlineData("[InputShape(2, 3, 3)] [Dropout(P = float.NegativeInfinity)]")]
    [InlineData("[InputShape(2, 3, 3)] [GELU(Approximate = \"\")]")]
    [InlineData("[InputShape(2, 3, 3)] [GELU(Approximate = \"TANH\")]")]
    [InlineData("[InputShape(2, 3, 3)] [ReLU(Name = \"\\\"); System.Environment.Exit(1); //\")]")]
    [InlineData("[InputShape(2, 3, 3)] [ReLU(Name = \"*/ }\\n#error x\\n\")]")]
    [InlineData("[InputShape(2, 3, 3)] [ReLU(Name = \"\\u2028\")] [Sigmoid(Name = \"\\0\")]")]
    [InlineData("[InputShape(2, 3, 3)] [ReLU(Name = \"\\\"\\\"\\\"\")] [Sigmoid(Name = \"{0}\")]")]
    [InlineData("[InputShape(2, 3, 3)] [ReLU(Name = \"\\ud800\")]")]
    public void Special_floats_and_strings(string attributes) =>
        AssertContract(attributes, Network(attributes));

    // ================================================================================================
    // The contract
    // ================================================================================================

    /// <summary>What one case did: its diagnostics (generator and compiler), its slowest generator run and whether it built.</summary>
    private sealed record Outcome(ImmutableArray<Diagnostic> Diagnostics, TimeSpan Slowest, bool Built)
    {
        /// <summary>Whether the network was also run and compared with the reference engine (small enough).</summary>
        public bool Compared { get; set; }
    }

    /// <summary>One timed, bounded generator run over one source, on a worker so that a hang fails the case instead of the run.</summary>
    private sealed record TimedRun(GeneratorHarness.Result Result, TimeSpan Elapsed, long Allocated);

    /// <summary>
    /// The harness's compilation, made once: compilations that differ only in their syntax trees share the
    /// loaded references, which saves most of the cost of a small case.
    /// </summary>
    private static readonly CSharpCompilation Empty = GeneratorHarness.Compilation();

    private static GeneratorHarness.Result Run(string[] sources)
    {
        var compilation = Empty.AddSyntaxTrees(sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions, path: $"Network{i}.cs")));
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorHarness.Result(output, diagnostics, driver.GetRunResult());
    }

    private static TimedRun RunTimed(string label, params string[] sources)
    {
        var task = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var result = Run(sources);
            watch.Stop();
            return new TimedRun(result, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
        }, TaskCreationOptions.LongRunning);
        if (!task.Wait(GeneratorWatchdog))
            Assert.Fail($"{label}: [time] the generator has not finished after {GeneratorWatchdog.TotalSeconds} s (left running)");
        return task.Result;
    }

    /// <summary>The generator's half of the contract only (time, memory, no throw, no CNN0099), and whether it reports a CNN error.</summary>
    private void AssertGeneratorOnly(string label, string source, string expectation)
    {
        var run = RunTimed(label, source);
        int generatedChars = run.Result.Run.GeneratedTrees.Sum(t => t.Length);
        _output.WriteLine($"{(run.Elapsed > SlowGenerator ? "SLOW " : "")}generator {run.Elapsed.TotalMilliseconds,8:F1} ms, {run.Allocated / 1e6,8:F1} MB allocated, {generatedChars,9} chars emitted: {Shorten(label)}");
        var errors = run.Result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var d in errors.Take(4)) _output.WriteLine($"    {Shorten(d.ToString())}");
        Assert.True(run.Result.Run.Results.Single().Exception is null, $"{label}: [generator threw, CS8785] {run.Result.Run.Results.Single().Exception}");
        Assert.True(!errors.Any(d => d.Id == "CNN0099"), $"{label}: [CNN0099] {errors.FirstOrDefault(d => d.Id == "CNN0099")}");
        Assert.True(run.Elapsed < GeneratorTimeLimit, $"{label}: [time] the generator took {run.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.Allocated < GeneratorAllocationLimit, $"{label}: [memory] the generator allocated {run.Allocated / 1e9:F2} GB");
        if (expectation == "builds") Assert.True(errors.Count == 0, $"{label}: [expected to build] but got {string.Join("; ", errors.Take(3))}");
        bool standInsOnly = run.Result.Run.GeneratedTrees.All(t => t.ToString().Contains("private const string CnnGenError = ", StringComparison.Ordinal));
        if (expectation == "error") Assert.True(errors.Any(d => d.Id.StartsWith("CNN", StringComparison.Ordinal)) && standInsOnly, $"{label}: [expected a CNN error and no forward pass]");
    }

    /// <summary>Checks one source (one or more networks) against the contract; <paramref name="expectation"/> is "either", "builds" or "error".</summary>
    private Outcome AssertContract(string label, string source, string expectation = "either", bool allowCompilerErrors = false)
    {
        var failures = new List<string>();
        var outcome = Check(label, new[] { source }, failures, expectation, allowCompilerErrors).Single();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        return outcome;
    }

    /// <summary>Many single-network cases: each through the generator alone (timed), then all in one compilation; every failure listed.</summary>
    private void AssertContractForEach(IReadOnlyList<string> cases, string context = "")
    {
        var sources = cases.Select((attributes, i) => $"using CnnGen;\nnamespace Hostile.Case{i};\n{attributes}\npublic partial class Net {{ }}\n").ToArray();
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        var outcomes = Check(null, sources, failures, "either", allowCompilerErrors: false, labels: cases);
        _output.WriteLine($"{cases.Count} cases in {watch.Elapsed.TotalSeconds:F1} s: {outcomes.Count(o => o.Built)} built ({outcomes.Count(o => o.Compared)} of them run against the reference engine), "
            + $"{outcomes.Count(o => !o.Built)} rejected; slowest generator run {outcomes.Max(o => o.Slowest).TotalMilliseconds:F0} ms");
        // both sides of the contract are exercised: a sweep where nothing builds, or nothing is compared, tests little
        Assert.True(failures.Count > 0 || outcomes.Count(o => o.Compared) >= cases.Count / 20, $"{context}: only {outcomes.Count(o => o.Compared)} of {cases.Count} cases ran against the reference engine");
        Assert.True(failures.Count > 0 || outcomes.Count(o => !o.Built) >= cases.Count / 20, $"{context}: only {outcomes.Count(o => !o.Built)} of {cases.Count} cases were rejected");
        Assert.True(failures.Count == 0, $"{context}\n{failures.Count} of {cases.Count} cases break the contract:\n\n" + string.Join("\n\n", failures.Take(40)));
    }

    private List<Outcome> Check(string? label, string[] sources, List<string> failures, string expectation, bool allowCompilerErrors, IReadOnlyList<string>? labels = null)
    {
        string LabelOf(int i) => labels is null ? label! : $"case {i}: {labels[i]}";

        // 1. each source through the generator alone: time, memory, no exception, no CNN0099
        var phases = Stopwatch.StartNew();
        var slowest = new TimeSpan[sources.Length];
        GeneratorHarness.Result? single = null;
        for (int i = 0; i < sources.Length; i++)
        {
            var run = RunTimed(LabelOf(i), sources[i]);
            slowest[i] = run.Elapsed;
            single = run.Result;
            int generatedChars = run.Result.Run.GeneratedTrees.Sum(t => t.Length);
            _output.WriteLine($"{(run.Elapsed > SlowGenerator ? "SLOW " : "")}generator {run.Elapsed.TotalMilliseconds,8:F1} ms, {run.Allocated / 1e6,8:F1} MB allocated, {generatedChars,9} chars emitted: {Shorten(LabelOf(i))}");
            if (run.Elapsed > GeneratorTimeLimit) failures.Add($"{LabelOf(i)}: [time] the generator took {run.Elapsed.TotalSeconds:F1} s");
            if (run.Allocated > GeneratorAllocationLimit) failures.Add($"{LabelOf(i)}: [memory] the generator allocated {run.Allocated / 1e9:F2} GB");
            var exception = run.Result.Run.Results.Single().Exception;
            if (exception is not null) failures.Add($"{LabelOf(i)}: [generator threw, CS8785] {exception.GetType().Name}: {exception.Message}");
        }

        var phase = Stopwatch.StartNew();
        if (sources.Length > 1) _output.WriteLine($"phase: generator runs one by one {phases.Elapsed.TotalSeconds:F1} s");
        // 2. all sources in one compilation: diagnostics by source, none inside generated code
        var all = sources.Length == 1 ? single! : Run(sources);
        var generated = all.Run.GeneratedTrees.ToHashSet();
        // Emit reports every diagnostic GetDiagnostics would (declarations and method bodies, errors and warnings), in one pass
        Assembly? assembly = null;
        using var image = new MemoryStream();
        var emitted = all.Output.Emit(image);
        var diagnostics = emitted.Diagnostics.Concat(all.GeneratorDiagnostics).Where(d => d.Severity >= DiagnosticSeverity.Warning).Distinct().ToList();
        if (emitted.Success)
        {
            // a class with a CNN error has its stand-in, which compiles: the others still load.
            // every case's assembly has one name: each gets a context of its own, unloaded when no longer used
            image.Position = 0;
            assembly = new AssemblyLoadContext(null, isCollectible: true).LoadFromStream(image);
        }
        foreach (var d in diagnostics.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree)))
        {
            // attribute it to the case whose namespace the generated file holds
            int owner = sources.Length == 1 ? 0 : OwnerOf(d.Location.SourceTree!.FilePath);
            failures.Add($"{(owner >= 0 ? LabelOf(owner) : "?")}: [error inside a generated file] {d}\n    at: {d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim()}");
        }

        var outcomes = new List<Outcome>();
        var byFile = diagnostics.Where(d => d.Location.SourceTree is not { } tree || !generated.Contains(tree)).ToLookup(d => d.Location.SourceTree?.FilePath ?? "");
        foreach (var d in byFile[""].Where(d => d.Id is "CS8785" or "CNN0099" || d.Id.StartsWith("CNN", StringComparison.Ordinal)))
            failures.Add($"{label ?? "?"}: [diagnostic without a location in the source] {d}");
        for (int i = 0; i < sources.Length; i++)
        {
            var mine = byFile[$"Network{i}.cs"].Concat(sources.Length == 1 ? byFile[""] : Enumerable.Empty<Diagnostic>()).ToImmutableArray();
            var errors = mine.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            foreach (var d in mine.Where(d => d.Id is "CNN0099" or "CS8785"))
                failures.Add($"{LabelOf(i)}: [{d.Id}] {d.GetMessage(CultureInfo.InvariantCulture)}");
            bool built = errors.Count == 0;
            if (!built)
            {
                bool cnnError = errors.Any(d => d.Id.StartsWith("CNN", StringComparison.Ordinal));
                if (!cnnError && !allowCompilerErrors)
                    failures.Add($"{LabelOf(i)}: [no CNN error] the build fails with only\n    " + string.Join("\n    ", errors.Take(5)));
                if (expectation == "builds")
                    failures.Add($"{LabelOf(i)}: [expected to build] but got\n    " + string.Join("\n    ", errors.Take(5)));
            }
            else if (expectation == "error")
            {
                failures.Add($"{LabelOf(i)}: [expected a CNN error] but it builds");
            }
            if (sources.Length == 1)
                foreach (var d in mine.Where(d => d.Severity == DiagnosticSeverity.Error).Take(4)) _output.WriteLine($"    {Shorten(d.ToString())}");
            outcomes.Add(new Outcome(mine, slowest[i], built));
        }

        if (sources.Length > 1) _output.WriteLine($"phase: compile and emit {phase.Elapsed.TotalSeconds:F1} s");
        phase.Restart();
        // 3. what built computes what the reference engine computes
        if (assembly is not null)
        {
            var random = new Random(20261201);
            foreach (var type in NetworkTypes(assembly))
            {
                int owner = sources.Length == 1 ? 0 : OwnerOf(type.Namespace ?? "");
                string name = owner >= 0 ? LabelOf(owner) : type.FullName!;
                try
                {
                    if (CompareWithReference(type, random, name) && owner >= 0) outcomes[owner].Compared = true;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    var inner = e is TargetInvocationException { InnerException: { } thrown } ? thrown : e;
                    failures.Add($"{name}: [wrong numbers or a throw at run time] {inner.GetType().Name}: {inner.Message}");
                }
            }
        }
        if (sources.Length > 1) _output.WriteLine($"phase: numerics {phase.Elapsed.TotalSeconds:F1} s");
        return outcomes;
    }

    /// <summary>The index i of "Hostile.Case{i}" in a generated file's path or a namespace, or -1.</summary>
    private static int OwnerOf(string text)
    {
        int at = text.IndexOf("Hostile.Case", StringComparison.Ordinal);
        if (at < 0) return -1;
        int start = at + "Hostile.Case".Length, end = start;
        while (end < text.Length && char.IsDigit(text[end])) end++;
        return int.Parse(text.AsSpan(start, end - start), CultureInfo.InvariantCulture);
    }

    /// <summary>The networks with a forward pass: a network with a CNN error has only its stand-in, whose methods throw the error.</summary>
    private static IEnumerable<Type> NetworkTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => typeof(INetwork).IsAssignableFrom(t) && t.IsClass && !t.IsAbstract)
            .Where(t => t.GetField("CnnGenError", BindingFlags.NonPublic | BindingFlags.Static) is null)
            .Select(t => t.ContainsGenericParameters ? Close(t) : t).OfType<Type>();

    /// <summary>A generic network closed over object (or int where a struct is wanted); null where neither satisfies its constraints.</summary>
    private static Type? Close(Type open)
    {
        foreach (var argument in new[] { typeof(object), typeof(int) })
        {
            try { return open.MakeGenericType(Enumerable.Repeat(argument, open.GetGenericArguments().Length).ToArray()); }
            catch (ArgumentException) { }
        }
        return null;
    }

    /// <summary>Runs the generated network and the reference engine on the same random parameters and input, when small enough.</summary>
    private bool CompareWithReference(Type type, Random random, string label)
    {
        var spec = (NetworkSpec?)type.GetProperty("Spec", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
        if (spec is null) throw new InvalidOperationException("no static Spec");
        long work = WorkEstimate(spec);
        if (work > NumericsWorkLimit)
        {
            _output.WriteLine($"    compiled only (about {work:N0} operations): {Shorten(label)}");
            return false;
        }
        var constructor = type.GetConstructor(Type.EmptyTypes);
        if (constructor is null)
        {
            _output.WriteLine($"    no parameterless constructor, not run: {Shorten(label)}");
            return false;
        }
        var net = (INetwork)constructor.Invoke(null);
        var reference = new ReferenceNetwork(spec);
        var parameters = RandomNetworks.Parameters(spec, random);
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        var input = new float[spec.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        var expected = reference.Forward(input);
        var actual = new float[net.OutputLength];
        net.Forward(input, actual);
        AssertMatches(expected, actual, label);
        return true;
    }

    /// <summary>
    /// A generous bound on the reference engine's work: every value the network defines times the largest window
    /// (taps times input channels), plus the padded inputs and the state.
    /// </summary>
    private static long WorkEstimate(NetworkSpec spec)
    {
        long largestMap = spec.Nodes.SelectMany(n => n.InputShapes.Append(n.OutputShape)).Append(spec.InputShape)
            .Max(s => s.Aggregate(1L, (a, b) => a * b));
        long window = 1, padded = 0;
        foreach (var layer in Flatten(spec.Layers))
        {
            switch (layer)
            {
                case Conv2DSpec c:
                    window = Math.Max(window, (long)c.KernelHeight * c.KernelWidth * (c.InChannels ?? 1) / Math.Max(1, c.Groups));
                    long maxH = spec.Nodes.Max(n => n.InputShapes.Count > 0 && n.InputShapes[0].Count == 3 ? n.InputShapes[0][1] : 1);
                    long maxW = spec.Nodes.Max(n => n.InputShapes.Count > 0 && n.InputShapes[0].Count == 3 ? n.InputShapes[0][2] : 1);
                    long maxC = spec.Nodes.Max(n => n.InputShapes.Count > 0 ? n.InputShapes[0][0] : 1);
                    padded = Math.Max(padded, maxC * (maxH + c.PadTop + c.PadBottom) * (maxW + c.PadLeft + c.PadRight));
                    break;
                case Pool2DSpec p:
                    window = Math.Max(window, (long)p.KernelHeight * p.KernelWidth);
                    break;
                case DenseSpec or GlobalPool2DSpec or AdaptivePool2DSpec:
                    window = Math.Max(window, largestMap);
                    break;
            }
        }
        long defined = spec.Nodes.Sum(n => n.OutputShape.Aggregate(1L, (a, b) => a * b));
        return checked(defined * window + padded + spec.ParameterCount + spec.InputLength);
    }

    private static IEnumerable<LayerSpec> Flatten(IEnumerable<LayerSpec> layers) => layers.SelectMany(l => l switch
    {
        SequentialSpec s => Flatten(s.Layers),
        ResidualSpec r => Flatten(r.Body).Concat(r.Shortcut is null ? Enumerable.Empty<LayerSpec>() : Flatten(r.Shortcut)),
        ConcatSpec c => c.Branches.SelectMany(Flatten),
        MultiplySpec m => Flatten(m.Gate),
        _ => new[] { l },
    });

    /// <summary>1e-4 of the value plus 1e-5 of the output's scale; NaN matches NaN and an infinity itself.</summary>
    private static void AssertMatches(float[] expected, float[] actual, string label)
    {
        if (expected.Length != actual.Length) throw new InvalidOperationException($"output length {actual.Length}, the reference's {expected.Length}");
        double scale = 1;
        foreach (var e in expected) if (float.IsFinite(e)) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (float.IsInfinity(e) && e == a) continue;
            double allowed = 1e-4 * Math.Abs(e) + 1e-5 * scale;
            if (!(Math.Abs(a - e) <= allowed))
                throw new InvalidOperationException($"element {i} of {expected.Length} is {a}, the reference engine says {e} (allowed difference {allowed:g3})");
        }
    }

    private static string Shorten(string text)
    {
        text = text.Replace('\n', ' ');
        return text.Length <= 300 ? text : text.Substring(0, 297) + "...";
    }
}
