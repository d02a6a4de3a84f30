using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// The clamping activations (ReLU, ReLU6, Hardtanh from 0, Hardsigmoid, Hardswish) on vectors take max(0, x) as one
/// maxps, whose NaN comes through only as its second operand, and LeakyReLU the larger or smaller of x and x * slope:
/// NaN stays NaN, as in PyTorch, and every other float gets exactly PyTorch's value (-0 may stay -0, equal to 0). As their own step, fused into a convolution's store
/// across pixels and into the channel kernel's store across filters, on every SIMD path in CI (the class name is in
/// its filter).
/// </summary>
public class ClampDifferentialTests
{
    /// <summary>PyTorch's functions in ATen's order of operations, NaN in NaN out.</summary>
    private static float Expected(string activation, float x) => activation switch
    {
        "ReLU" => float.IsNaN(x) ? x : Math.Max(x, 0f),
        "ReLU6" => float.IsNaN(x) ? x : Math.Min(Math.Max(x, 0f), 6f),
        "Hardtanh(Min = 0, Max = 2.5f)" => float.IsNaN(x) ? x : Math.Min(Math.Max(x, 0f), 2.5f),
        "Hardsigmoid" => float.IsNaN(x) ? x : Math.Min(Math.Max(x + 3f, 0f), 6f) / 6f,
        "Hardswish" => float.IsNaN(x) ? x : x * Math.Min(Math.Max(x + 3f, 0f), 6f) / 6f,
        "LeakyReLU(NegativeSlope = 0.1f)" => x >= 0f ? x : x * 0.1f,
        "LeakyReLU(NegativeSlope = 1e-45f)" => x >= 0f ? x : x * 1e-45f,
        "LeakyReLU(NegativeSlope = 1f)" => x >= 0f ? x : x * 1f,
        "LeakyReLU(NegativeSlope = 3f)" => x >= 0f ? x : x * 3f,
        "LeakyReLU(NegativeSlope = 0f)" => x >= 0f ? x : x * 0f,
        "LeakyReLU(NegativeSlope = -0.5f)" => x >= 0f ? x : x * -0.5f,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>The floats at each clamp's edges, either zero, the extremes, infinities and NaN, then values from -10 to 10.</summary>
    private static float[] Values(int count)
    {
        var values = new System.Collections.Generic.List<float>
        {
            0f, -0f, float.NaN, -float.NaN, 1e-45f, -1e-45f, 6f, 6.0000005f, 5.9999995f, -3f, -3.0000002f, 3f, 2.5f, 2.5000002f,
            float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity,
        };
        var random = new Random(20261204);
        while (values.Count < count) values.Add((float)(random.NextDouble() * 20 - 10));
        return values.ToArray();
    }

    public static TheoryData<string> Activations => new()
    {
        "ReLU", "ReLU6", "Hardtanh(Min = 0, Max = 2.5f)", "Hardsigmoid", "Hardswish",
        // the larger of x and x * slope for a slope in (0, 1], the smaller above 1; the select at 0 and below
        "LeakyReLU(NegativeSlope = 0.1f)", "LeakyReLU(NegativeSlope = 1e-45f)", "LeakyReLU(NegativeSlope = 1f)", "LeakyReLU(NegativeSlope = 3f)",
        "LeakyReLU(NegativeSlope = 0f)", "LeakyReLU(NegativeSlope = -0.5f)",
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void As_its_own_step_NaN_stays_NaN_and_every_other_value_is_PyTorchs(string activation)
    {
        var net = AttributeNetworks.Generate($"[InputShape(1, 32, 64)] [{activation}]");
        var input = Values(net.InputLength);
        var output = new float[net.OutputLength];

        net.Forward(input, output);

        for (int i = 0; i < input.Length; i++) AssertClamped(activation, input[i], input[i], output[i]);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void In_the_store_of_a_convolution_across_pixels_NaN_stays_NaN(string activation)
    {
        // one input channel, weights 1: every filter's map is the input, clamped
        var net = AttributeNetworks.Generate($"[InputShape(1, 32, 64)] [Conv2D(Filters = 32, Kernel = 1, Bias = false)] [{activation}]");
        net.LoadParameters(Enumerable.Repeat(1f, net.ParameterCount).ToArray());
        var input = Values(net.InputLength);
        var output = new float[net.OutputLength];

        net.Forward(input, output);

        for (int f = 0; f < 32; f++)
            for (int i = 0; i < input.Length; i++) AssertClamped(activation, input[i], input[i], output[f * input.Length + i]);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void In_the_store_of_the_channel_kernel_across_filters_NaN_stays_NaN(string activation)
    {
        // 16 channels holding the same value at each pixel; filter f takes channel f % 16 with weight 1 and the rest
        // with 0, so it sees x + 15 (0 x): x itself where x is finite, NaN where it is NaN or infinite
        const int channels = 16, filters = 48, side = 6, pixels = side * side;
        // on a map narrower than a vector, the channel kernel
        string attributes = $"[InputShape({channels}, {side}, {side})] [Conv2D(Filters = {filters}, Kernel = 1, Bias = false)] [{activation}]";
        Assert.Contains("Conv2DChannels512(", GeneratedSource(attributes));
        var net = AttributeNetworks.Generate(attributes);
        var weights = new float[filters * channels];
        for (int f = 0; f < filters; f++) weights[f * channels + f % channels] = 1f;
        net.LoadParameters(weights);
        var values = Values(pixels);
        var input = new float[channels * pixels];
        for (int c = 0; c < channels; c++) values.CopyTo(input, c * pixels);
        var output = new float[net.OutputLength];

        net.Forward(input, output);

        for (int f = 0; f < filters; f++)
            for (int p = 0; p < pixels; p++)
            {
                float seen = float.IsInfinity(values[p]) ? float.NaN : values[p];
                AssertClamped(activation, values[p], seen, output[f * pixels + p]);
            }
    }

    private static string GeneratedSource(string attributes) =>
        string.Concat(GeneratorHarness.Run($"using CnnGen;\nnamespace Attributes;\n{attributes}\npublic partial class Net {{ }}")
            .Run.GeneratedTrees.Select(tree => tree.ToString()));

    private static void AssertClamped(string activation, float input, float seen, float actual)
    {
        float expected = Expected(activation, seen);
        if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"{activation}({input:R}) gave {actual:R}, not NaN");
        else Assert.True(expected == actual, $"{activation}({input:R}) gave {actual:R}, PyTorch {expected:R}");
    }
}
