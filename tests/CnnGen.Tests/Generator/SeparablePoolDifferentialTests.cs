using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Max and min pools other than 2x2 with stride 2 run separably: each output row's window rows reduced into a row of
/// column extremes, then each output its window's columns of that row. In PyTorch's layout (a pool on the network's
/// input, or after a convolution across columns) and channels-last (after a convolution across channels), at stride 1
/// (vectors of outputs) and strided (channels-last only where the separable form reads fewer values: not a 3x3 window
/// at stride 2), into either layout, with padding, ceil mode, rectangular and 1D windows, maps narrower than a vector,
/// windows past the unrolled size, and NaN in the input, which a max pool passes on. Each case checks that the separable
/// kernel is what runs, then the network against the reference engine. The class name holds "Differential", so CI runs
/// it on every SIMD path (Vector&lt;float&gt; at 256 and 128 bits, and the scalar loops without SIMD).
/// </summary>
public class SeparablePoolDifferentialTests
{
    private const string ChannelsLast = "Reads its input channels-last";

    [Theory]
    // PyTorch's layout: the network's input
    [InlineData("[InputShape(3, 20, 23)] [MaxPool2D(Kernel = 3, Stride = 1, Padding = 1)]", null)]
    [InlineData("[InputShape(4, 17, 40)] [MinPool2D(Kernel = 5, Stride = 1, Padding = 2)]", null)]
    [InlineData("[InputShape(5, 19, 21)] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)]", null)]
    [InlineData("[InputShape(2, 15, 33)] [MaxPool2D(KernelHeight = 2, KernelWidth = 5, StrideHeight = 2, StrideWidth = 1, PaddingWidth = 2)]", null)]
    [InlineData("[InputShape(2, 6, 5)] [MaxPool2D(Kernel = 3, Stride = 1, Padding = 1)]", null)]
    [InlineData("[InputShape(3, 16, 16)] [MaxPool2D(Kernel = 13, Stride = 1, Padding = 6)]", null)]
    [InlineData("[InputShape(1, 4, 90)] [MaxPool2D(KernelHeight = 3, KernelWidth = 67, Stride = 1, Padding = 1)]", null)]
    [InlineData("[InputShape(4, 50)] [MaxPool1D(Kernel = 5, Stride = 1, Padding = 2)]", null)]
    [InlineData("[InputShape(3, 31, 29)] [MaxPool2D(Kernel = 3, Stride = 3, CeilMode = true)]", null)]
    // channels-last: after a convolution across channels
    [InlineData("[InputShape(8, 16, 16)] [Conv2D(Filters = 24, Kernel = 1)] [MaxPool2D(Kernel = 5, Stride = 1, Padding = 2)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", ChannelsLast)]
    [InlineData("[InputShape(8, 12, 12)] [Conv2D(Filters = 20, Kernel = 1)] [MaxPool2D(Kernel = 13, Stride = 1, Padding = 6)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalMaxPool2D]", ChannelsLast)]
    [InlineData("[InputShape(3, 21, 21)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [MaxPool2D(KernelHeight = 5, KernelWidth = 3, StrideHeight = 2, StrideWidth = 1, PaddingHeight = 2, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", ChannelsLast)]
    [InlineData("[InputShape(16, 7, 10)] [Conv2D(Filters = 17, Kernel = 1)] [MinPool2D(KernelHeight = 3, KernelWidth = 4, StrideHeight = 2, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 2)] [Conv2D(Filters = 16, Kernel = 1)] [GlobalAvgPool2D]", ChannelsLast)]
    // channels-last into PyTorch's layout (a lane at a time): the pool before a Flatten
    [InlineData("[InputShape(3, 31, 29)] [Conv2D(Filters = 18, Kernel = 3, Padding = 1)] [MaxPool2D(Kernel = 4, Stride = 1, Padding = 2)] [Flatten] [Dense(Outputs = 3)]", ChannelsLast)]
    public void Max_and_min_pools_run_separably_and_match_the_reference(string attributes, string? layout)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "SeparablePool");
        Assert.Contains("Separable(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)", generated);
        if (layout is not null) Assert.Contains("Separable512(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)", generated);
        if (layout is not null) Assert.Contains(layout, generated);
        MatchesTheReference(attributes, net);
    }

    /// <summary>
    /// Average pools in PyTorch's layout at stride 1 along the rows run their interior on vectors of neighbouring outputs,
    /// each lane summing its window in PyTorch's order (so they match the reference as closely as the scalar loop), the
    /// border a window at a time.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(3, 20, 23)] [AvgPool2D(Kernel = 3, Stride = 1, Padding = 1)]")]
    [InlineData("[InputShape(2, 17, 40)] [AvgPool2D(KernelHeight = 2, KernelWidth = 5, StrideHeight = 2, StrideWidth = 1, PaddingWidth = 2, CeilMode = true)]")]
    [InlineData("[InputShape(2, 9, 30)] [AvgPool2D(Kernel = 9, Stride = 1)]")]
    [InlineData("[InputShape(4, 70)] [AvgPool1D(Kernel = 5, Stride = 1, Padding = 2)]")]
    public void Average_pools_run_rows_of_vectors_and_match_the_reference(string attributes)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "RowAveragePool");
        Assert.Contains("Rows(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)", generated);
        MatchesTheReference(attributes, net);
    }

    /// <summary>
    /// Channels-last pools that the separable form would not pay for (3x3 at stride 2, 2x2, average windows) run on
    /// 512-bit vectors of channels, their interior windows unchecked: 16 channels and counts past a whole number of vectors,
    /// padding, ceil mode, a map with no interior, a window past the unrolled size, into either layout.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(3, 25, 25)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 20, 17)] [Conv2D(Filters = 16, Kernel = 1)] [MinPool2D(Kernel = 3, Stride = 2, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 20, 17)] [Conv2D(Filters = 40, Kernel = 1)] [AvgPool2D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 14, 14)] [Conv2D(Filters = 33, Kernel = 1)] [AvgPool2D(Kernel = 7, Stride = 1, Padding = 3)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 3, 4)] [Conv2D(Filters = 20, Kernel = 1)] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 11, 9)] [Conv2D(Filters = 18, Kernel = 3, Padding = 1)] [MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)] [Flatten] [Dense(Outputs = 3)]")]
    public void Channels_last_pools_run_on_512_bit_vectors_of_channels_and_match_the_reference(string attributes)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "WidePool");
        Assert.Contains("Pool2D512(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)", generated);
        MatchesTheReference(attributes, net);
    }

    /// <summary>Three calls on inputs in [-2, 2], the last with a NaN at every 37th input, which a pool passes on; within 1e-4 of the larger of 1 and the value.</summary>
    private static void MatchesTheReference(string attributes, INetwork net) =>
        AttributeNetworks.AssertMatchesReference(net, attributes, 3, (call, random) =>
        {
            var x = Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            if (call == 2) for (int i = 5; i < x.Length; i += 37) x[i] = float.NaN;
            return x;
        }, expected => 1e-4f * Math.Max(1f, Math.Abs(expected)));
}
