using System;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A pool's 512-bit method runs only where Vector512 is accelerated, and CI's machine may not have AVX-512. Vector512's
/// operations are defined without it too (in software), so these tests call each windowed pool's 512-bit method
/// themselves and compare it with the method the network runs on this machine, on the same input: a channels-last pool
/// (dilated, padded, ceil mode, an average leaving its padding out) whose wide form is otherwise untested here.
/// </summary>
public class WidePoolInSoftwareTests
{
    private delegate void LayerMethod(ReadOnlySpan<float> x, Span<float> y);

    [Theory]
    [InlineData("[InputShape(3, 14, 14)] [Conv2D(Filters = 32, Kernel = 1)] [ReLU] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, Dilation = 2)] [Conv2D(Filters = 16, Kernel = 1)] [MaxPool2D(Kernel = 2, Stride = 1, Dilation = 3)] [Flatten] [Dense(Outputs = 5)]")]
    [InlineData("[InputShape(3, 12, 12)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [MinPool2D(Kernel = 2, Stride = 2, DilationHeight = 2, DilationWidth = 3)] [Flatten] [Dense(Outputs = 4)]")]
    [InlineData("[InputShape(3, 13, 11)] [Conv2D(Filters = 24, Kernel = 1)] [ReLU] [AvgPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true, CountIncludePad = false)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 12, 12)] [Conv2D(Filters = 32, Kernel = 1)] [ReLU] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 16, Kernel = 1)]")]
    public void A_pools_512_bit_method_computes_what_the_network_runs(string attributes)
    {
        var (net, source) = AttributeNetworks.GenerateWithSource(attributes);
        var methods = net.GetType().GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name.StartsWith("Layer", StringComparison.Ordinal) && m.Name.EndsWith("Pool2D512", StringComparison.Ordinal))
            .ToList();
        Assert.True(methods.Count > 0, "no 512-bit pool method in:\n" + source);
        var random = new Random(attributes.Length);
        foreach (var wide in methods)
        {
            var run = net.GetType().GetMethod(wide.Name[..^3], BindingFlags.NonPublic | BindingFlags.Static)!;
            var wideMethod = wide.CreateDelegate<LayerMethod>();
            var runMethod = run.CreateDelegate<LayerMethod>();
            // spans longer than the layer's input and output: both methods read and write the same prefix, the rest stays NaN
            var x = Enumerable.Range(0, 1 << 14).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var expected = Enumerable.Repeat(float.NaN, 1 << 14).ToArray();
            var actual = (float[])expected.Clone();
            runMethod(x, expected);
            wideMethod(x, actual);
            Assert.True(expected.Any(float.IsFinite), wide.Name + " wrote nothing");
            for (int i = 0; i < expected.Length; i++)
                Assert.True(expected[i].Equals(actual[i]), $"{wide.Name} (Vector512 accelerated: {Vector512.IsHardwareAccelerated}) at {i}: {actual[i]:R}, where the network's method gives {expected[i]:R}");
        }
    }
}
