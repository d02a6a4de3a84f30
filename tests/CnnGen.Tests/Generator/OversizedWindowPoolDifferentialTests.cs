using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// With ceil_mode, PyTorch gives a pool whose window is up to stride - 1 longer than its padded input one output, over
/// the part of the window that lies on it: nn.MaxPool2d(3, 2, ceil_mode=True) on a 2 x 2 map gives 1 x 1, the map's
/// maximum, and nn.AvgPool2d(3, 2, ceil_mode=True) its mean. (A ResNet or GoogLeNet's ceil-mode pools meet such maps
/// on small inputs.) Each pool kind and layout here: max, min and average (with and without the padding counted),
/// dilated, rectangular, 1D, on the network's input (PyTorch's layout) and after a convolution across channels
/// (channels-last), against the reference engine. One more row or column of window is PyTorch's error, and CNN0009.
/// </summary>
public class OversizedWindowPoolDifferentialTests
{
    [Theory]
    // PyTorch's layout: the network's input
    [InlineData("[InputShape(3, 2, 2)] [MaxPool2D(Kernel = 3, Stride = 2, CeilMode = true)]")]
    [InlineData("[InputShape(3, 2, 2)] [AvgPool2D(Kernel = 3, Stride = 2, CeilMode = true)]")]
    [InlineData("[InputShape(2, 3, 2)] [MinPool2D(Kernel = 5, Stride = 3, Padding = 1, CeilMode = true)]")]
    [InlineData("[InputShape(2, 2, 3)] [AvgPool2D(Kernel = 5, Stride = 3, Padding = 1, CeilMode = true)]")]
    [InlineData("[InputShape(2, 3, 2)] [AvgPool2D(Kernel = 5, Stride = 3, Padding = 1, CeilMode = true, CountIncludePad = false)]")]
    [InlineData("[InputShape(2, 1, 1)] [MaxPool2D(Kernel = 2, Stride = 2, CeilMode = true)]")]
    [InlineData("[InputShape(2, 1, 7)] [MaxPool2D(Kernel = 2, Stride = 2, CeilMode = true)]")]
    [InlineData("[InputShape(3, 2, 9)] [AvgPool2D(KernelHeight = 3, KernelWidth = 3, StrideHeight = 2, StrideWidth = 1, CeilMode = true)]")]
    [InlineData("[InputShape(2, 3, 4)] [MaxPool2D(Kernel = 2, Stride = 4, Dilation = 3, CeilMode = true)]")]
    [InlineData("[InputShape(3, 3)] [MaxPool1D(Kernel = 4, Stride = 2, CeilMode = true)]")]
    [InlineData("[InputShape(3, 2)] [AvgPool1D(Kernel = 5, Stride = 4, Padding = 1, CeilMode = true, CountIncludePad = false)]")]
    // channels-last: after a convolution across channels, into a convolution or a Flatten
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [MaxPool2D(Kernel = 3, Stride = 2, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)] [Flatten] [Dense(Outputs = 4)]")]
    [InlineData("[InputShape(3, 4, 4)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [AvgPool2D(Kernel = 3, Stride = 2, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 6, 6)] [Conv2D(Filters = 20, Kernel = 3, Stride = 2)] [MinPool2D(Kernel = 5, Stride = 3, Padding = 1, CeilMode = true)] [Flatten] [Dense(Outputs = 3)]")]
    [InlineData("[InputShape(3, 5, 5)] [Conv2D(Filters = 16, Kernel = 3, Stride = 2)] [AvgPool2D(Kernel = 5, Stride = 3, Padding = 1, CeilMode = true, CountIncludePad = false)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 3, 3)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [MaxPool2D(Kernel = 2, Stride = 2, Dilation = 3, CeilMode = true)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 3, 3)] [Conv2D(Filters = 16, Kernel = 3)] [MaxPool2D(Kernel = 2, Stride = 2, CeilMode = true)] [Flatten] [Dense(Outputs = 2)]")]
    public void A_ceil_mode_window_longer_than_its_padded_input_pools_what_it_covers(string attributes)
    {
        var net = AttributeNetworks.Generate(attributes, "OversizedPool");
        AttributeNetworks.AssertMatchesReference(net, attributes, 3, (call, random) =>
        {
            var x = Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            if (call == 2) for (int i = 1; i < x.Length; i += 7) x[i] = float.NaN;
            return x;
        }, expected => 1e-4f * Math.Max(1f, Math.Abs(expected)));
    }

    [Theory]
    [InlineData("[InputShape(3, 2, 2)] [MaxPool2D(Kernel = 4, Stride = 2, CeilMode = true)]", "Kernel = 4")]
    [InlineData("[InputShape(3, 2, 2)] [AvgPool2D(Kernel = 3, Stride = 2)]", "Kernel = 3")]
    [InlineData("[InputShape(2, 3, 3)] [MaxPool2D(Kernel = 2, Stride = 2, Dilation = 4, CeilMode = true)]", "Kernel = 2")]
    [InlineData("[InputShape(3, 2)] [MaxPool1D(Kernel = 7, Stride = 3, Padding = 1, CeilMode = true)]", "Kernel = 7")]
    public void A_window_one_step_longer_is_PyTorchs_error(string attributes, string span) =>
        AttributeNetworks.AssertOneError(attributes, "CNN0009", span, null);
}
