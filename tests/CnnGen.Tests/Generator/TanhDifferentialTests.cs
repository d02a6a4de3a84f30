using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Tanh on vectors (an odd rational, not exp): within 8 ulp of tanh for every kind of float, small
/// values keeping their relative precision, NaN staying NaN; as its own step and in a convolution's
/// store, on every SIMD path in CI (the class name is in its filter).
/// </summary>
public class TanhDifferentialTests
{
    /// <summary>2,048 values: tiny and subnormal, around 0, the range where tanh bends, the clamp at 7.9053 and past it, infinities and NaN.</summary>
    private static float[] Inputs()
    {
        var values = new System.Collections.Generic.List<float> { 0f, -0f, 1e-45f, -1e-40f, 1e-30f, -3e-8f, 1e-4f, -4e-4f, 7.9053f, -7.9054f, 9f, -20f, 1e30f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN };
        var random = new Random(20261201);
        while (values.Count < 2048)
        {
            // log-uniform magnitudes from 1e-8 to 1e2, either sign
            double magnitude = Math.Pow(10, -8 + 10 * random.NextDouble());
            values.Add((float)(random.Next(2) == 0 ? magnitude : -magnitude));
        }
        return values.ToArray();
    }

    [Theory]
    [InlineData("[InputShape(1, 32, 64)] [Tanh]")]
    [InlineData("[InputShape(1, 32, 64)] [Conv2D(Filters = 1, Kernel = 1, Bias = false)] [Tanh]")]
    public void Tanh_is_within_8_ulp_of_tanh_for_every_float(string attributes)
    {
        var net = AttributeNetworks.Generate(attributes);
        if (net.ParameterCount > 0) net.LoadParameters([1f]);
        var input = Inputs();
        var output = new float[input.Length];

        net.Forward(input, output);

        for (int i = 0; i < input.Length; i++)
        {
            float expected = (float)Math.Tanh(input[i]);
            if (float.IsNaN(expected))
            {
                Assert.True(float.IsNaN(output[i]), $"tanh(NaN) gave {output[i]}");
                continue;
            }
            // 8 ulp of the expected value (the rational's largest error is 7, near 5.95), subnormals to within the smallest normal's ulp
            float tolerance = Math.Max(8 * (MathF.BitIncrement(Math.Abs(expected)) - Math.Abs(expected)), 1e-44f);
            Assert.True(Math.Abs(output[i] - expected) <= tolerance, $"tanh({input[i]:R}) = {expected:R}, generated {output[i]:R}");
        }
    }
}
