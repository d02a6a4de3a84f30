using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// A pool must answer the same on every SIMD path (CI runs this class under AVX-512, 256-bit, 128-bit and
/// scalar). The inputs are made to expose the order of a sum: values near float.MaxValue, whose running
/// sum overflows in one order and not in another; 1e8 beside 1, which one order keeps and another loses;
/// windows of -0; NaN and infinities. A windowed pool (max, min, and the mean, summed in PyTorch's order)
/// gives the reference engine's bits. A global or adaptive mean sums in double, as the reference does:
/// within 1e-5 of it, and finite wherever it is.
/// </summary>
public class PoolOrderTests
{
    /// <summary>Windows of every path: 2x2/2 (256-bit vectors where the row holds 8 outputs), borders, ceil mode, unrolled windows and looped ones (over 64 taps).</summary>
    public static TheoryData<string> WindowedPools => new()
    {
        "[InputShape(2, 6, 20)] [AvgPool2D(Kernel = 2)]",
        "[InputShape(2, 6, 37)] [AvgPool2D(Kernel = 2)]",
        "[InputShape(2, 7, 21)] [AvgPool2D(Kernel = 2, CeilMode = true)]",
        "[InputShape(2, 9, 11)] [AvgPool2D(Kernel = 3, Stride = 1, Padding = 1)]",
        "[InputShape(1, 8, 13)] [AvgPool2D(KernelHeight = 2, KernelWidth = 3, StrideHeight = 1, StrideWidth = 2, PaddingWidth = 1, CeilMode = true)]",
        "[InputShape(2, 13, 13)] [AvgPool2D(Kernel = 5, Stride = 2, Padding = 2)]",
        "[InputShape(1, 20, 20)] [AvgPool2D(Kernel = 9, Stride = 3, Padding = 4, CeilMode = true)]",
        "[InputShape(1, 12, 12)] [AvgPool2D(Kernel = 12)]",
        "[InputShape(2, 6, 20)] [MaxPool2D(Kernel = 2)]",
        "[InputShape(2, 9, 11)] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)]",
        "[InputShape(1, 20, 20)] [MaxPool2D(Kernel = 9, Stride = 3, Padding = 4)]",
        "[InputShape(2, 6, 20)] [MinPool2D(Kernel = 2)]",
        "[InputShape(2, 9, 11)] [MinPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)]",
    };

    /// <summary>Planes that fill vectors exactly and with a tail, windows that overlap (adaptive output above the input).</summary>
    public static TheoryData<string> PlaneMeans => new()
    {
        "[InputShape(3, 16, 16)] [GlobalAvgPool2D]",
        "[InputShape(3, 7, 9)] [GlobalAvgPool2D]",
        "[InputShape(2, 1, 3)] [GlobalAvgPool2D]",
        "[InputShape(2, 10, 7)] [AdaptiveAvgPool2D(Output = 3)]",
        "[InputShape(2, 5, 6)] [AdaptiveAvgPool2D(OutputHeight = 7, OutputWidth = 2)]",
    };

    /// <summary>The global and adaptive max and min: exact, as the windowed ones.</summary>
    public static TheoryData<string> PlaneExtremes => new()
    {
        "[InputShape(3, 7, 9)] [GlobalMaxPool2D]",
        "[InputShape(3, 16, 16)] [GlobalMaxPool2D]",
        "[InputShape(2, 10, 7)] [AdaptiveMaxPool2D(Output = 3)]",
    };

    private static readonly string[] AllNetworks = new[] { WindowedPools, PlaneMeans, PlaneExtremes }.SelectMany(data => (IEnumerable<object[]>)data).Select(row => (string)row[0]).ToArray();

    // every network in one compilation: the generator and the compiler run once for the class
    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        string source = "using CnnGen;\nnamespace PoolOrder;\n" + string.Concat(AllNetworks.Select((attributes, i) => $"{attributes}\npublic partial class Net{i} {{ }}\n"));
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.AllDiagnostics);
        return GeneratorHarness.Load(result.Output);
    });

    [Theory]
    [MemberData(nameof(WindowedPools))]
    [MemberData(nameof(PlaneExtremes))]
    public void Windowed_pools_and_every_max_and_min_give_the_reference_engines_bits(string attributes)
    {
        var (net, reference) = Networks(attributes);
        foreach (var (name, input) in Inputs(net.InputLength))
        {
            var expected = reference.Forward(input);
            var actual = Run(net, input);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(SameBits(expected[i], actual[i]),
                    $"{attributes}, {name} input: output {i} is {Show(actual[i])}, the reference engine's is {Show(expected[i])}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(PlaneMeans))]
    public void Global_and_adaptive_means_are_within_1e_5_of_the_reference_and_finite_where_it_is(string attributes)
    {
        var (net, reference) = Networks(attributes);
        foreach (var (name, input) in Inputs(net.InputLength))
        {
            var expected = reference.Forward(input);
            var actual = Run(net, input);
            for (int i = 0; i < expected.Length; i++)
            {
                string where = $"{attributes}, {name} input: output {i} is {Show(actual[i])}, the reference engine's is {Show(expected[i])}";
                if (float.IsFinite(expected[i])) Assert.True(Math.Abs(actual[i] - (double)expected[i]) <= 1e-5 * Math.Abs(expected[i]), where);
                else Assert.True(SameBits(expected[i], actual[i]), where);
            }
        }
    }

    /// <summary>The issue's case: a 2x2 window whose sum overflows only when its columns are added before its rows.</summary>
    [Fact]
    public void A_window_of_3e38_minus_3e38_3e38_and_0_averages_to_7_5e37_as_in_PyTorch()
    {
        var (net, _) = Networks("[InputShape(2, 6, 20)] [AvgPool2D(Kernel = 2)]");
        var input = new float[net.InputLength];
        for (int x = 0; x < 20; x += 2)
        {
            input[x] = 3e38f;       // row 0: 3e38, -3e38
            input[x + 1] = -3e38f;
            input[20 + x] = 3e38f;  // row 1: 3e38, 0
        }

        var output = Run(net, input);

        // ((0 + 3e38) - 3e38) + 3e38 + 0 = 3e38, / 4; rows first would be (3e38 + 3e38) = infinity
        Assert.All(output.Take(10), value => Assert.Equal(3e38f / 4, value));
    }

    // ---- inputs ----

    /// <summary>Named inputs that a change of summation order shows in, each for the whole sample.</summary>
    private static IEnumerable<(string Name, float[] Input)> Inputs(int length)
    {
        var random = new Random(13);
        float[] Pick(params float[] choices) => Enumerable.Range(0, length).Select(_ => choices[random.Next(choices.Length)]).ToArray();

        yield return ("near float.MaxValue", Pick(3e38f, -3e38f, 2e38f, -1e38f, 1e38f, 0f));
        yield return ("all 3e38", Pick(3e38f));
        yield return ("1e8 beside 1", Pick(1e8f, -1e8f, 1f, 3f, -1f));
        yield return ("-0 everywhere", Pick(-0f));
        yield return ("-0 and +0", Pick(-0f, 0f));
        yield return ("NaN and infinities", Pick(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f, -2f, -0f, 0f, float.NaN, 5f, 7f));
        yield return ("ordinary", Enumerable.Range(0, length).Select(_ => (float)(0.5 + random.NextDouble())).ToArray());
    }

    // ---- helpers ----

    private static (INetwork Net, ReferenceNetwork Reference) Networks(string attributes)
    {
        var type = Compiled.Value.GetType($"PoolOrder.Net{Array.IndexOf(AllNetworks, attributes)}")!;
        var net = (INetwork)Activator.CreateInstance(type)!;
        return (net, new ReferenceNetwork(net.Spec));
    }

    private static float[] Run(INetwork net, float[] input)
    {
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        return output;
    }

    /// <summary>The same float to the bit, except that any NaN matches any NaN: which payload survives is the CPU's, not the order's.</summary>
    private static bool SameBits(float expected, float actual) =>
        float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);

    private static string Show(float value) =>
        value == 0 && float.IsNegative(value) ? "-0" : value.ToString("R", CultureInfo.InvariantCulture);
}
