using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Softmax and LogSoftmax over the channels of a map or sequence (a segmentation network's last layer) run on vectors
/// of pixels, the pixels past a whole number of vectors in the scalar loop: against the reference engine to a few float
/// roundings, for maps whose pixels fill vectors exactly and not, logits far apart (the maximum subtracted first) and
/// infinities and NaN. The class name holds "Differential", so CI runs it on every SIMD path: the 512-bit method,
/// Vector&lt;float&gt; at 256 and 128 bits, and the scalar loop.
/// </summary>
public class SoftmaxMapDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(5, 9, 13)] [Softmax]")]
    [InlineData("[InputShape(21, 16, 16)] [Softmax]")]
    [InlineData("[InputShape(7, 8, 8)] [LogSoftmax]")]
    [InlineData("[InputShape(21, 20, 19)] [LogSoftmax]")]
    [InlineData("[InputShape(4, 37)] [Softmax]")]
    [InlineData("[InputShape(2, 1, 3)] [LogSoftmax]")]
    public void Softmax_over_channels_matches_the_reference(string attributes)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "SoftmaxMap");
        Assert.Contains("Softmax512(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)", generated);
        // a log-probability is x - max - log(sum) in float, as PyTorch computes it: x - max (up to 60 here) rounds to 4e-6
        double absolute = attributes.Contains("LogSoftmax", StringComparison.Ordinal) ? 8e-6 : 1e-30;
        var specials = new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f, 100f, -100f };
        AttributeNetworks.AssertMatchesReference(net, attributes, 3, (call, random) =>
        {
            var x = Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * (call == 0 ? 8 : 60) - (call == 0 ? 4 : 30))).ToArray();
            if (call == 2) for (int i = 3; i < x.Length; i += 11) x[i] = specials[i % specials.Length];
            return x;
        }, expected => 1e-6 * Math.Abs(expected) + absolute);
    }

    /// <summary>
    /// Probabilities down to exp's subnormals, a logit 0 beside one from 0 down to -110: on 512-bit vectors (the exp's
    /// vscalefps) and in the scalar loop (MathF.Exp) each within a rounding of the reference's, down to 1.4e-45; on 256-
    /// and 128-bit vectors, whose exp puts 2^n into the exponent bits, those below 2^-125.5 (86.99 below the maximum) 0.
    /// </summary>
    [Fact]
    public void Softmax_keeps_probabilities_down_to_the_subnormals()
    {
        const string attributes = "[InputShape(2, 16, 16)] [Softmax]";
        var (net, _) = AttributeNetworks.GenerateWithSource(attributes, "SoftmaxMap");
        bool subnormals = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || !System.Numerics.Vector.IsHardwareAccelerated;
        AttributeNetworks.AssertMatchesReference(net, attributes, 1, (call, random) =>
        {
            var x = new float[net.InputLength];
            for (int i = 0; i < 256; i++) x[256 + i] = -110f * i / 255;
            return x;
        }, expected => 1e-6 * Math.Abs(expected) + (subnormals ? 2e-45 : 2.4e-38));
    }
}
