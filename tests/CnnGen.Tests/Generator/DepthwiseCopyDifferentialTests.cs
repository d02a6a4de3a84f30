using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A strided depthwise convolution whose input keeps PyTorch's layout (the network's input, an upsampling's output)
/// runs the depthwise kernel on a channels-last copy of its input, and stores a lane at a time, or a vector a pixel
/// where its readers take channels-last values. Each case checks that the copy is what runs, and whether the 512-bit
/// kernel copies by 16 x 16 blocks transposed in registers (16 channels and 16 pixels at least; the last block
/// overlapping the one before elsewhere) or a float at a time, then the network against the reference engine. The
/// class name holds "Differential", so CI runs it on every SIMD path: the 512-bit kernel, Vector&lt;float&gt; at 256
/// and 128 bits, and the scalar loops.
/// </summary>
public class DepthwiseCopyDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(16, 9, 9)]", "[Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1, Groups = 16)]", true)]
    [InlineData("[InputShape(24, 14, 14)]", "[Conv2D(Filters = 24, Kernel = 3, Stride = 2, Groups = 24)]", true)]
    [InlineData("[InputShape(72, 20, 20)]", "[Conv2D(Filters = 72, Kernel = 5, Stride = 2, Padding = 2, Groups = 72)]", true)]
    [InlineData("[InputShape(40, 17, 23)]", "[Conv2D(Filters = 40, Kernel = 3, Stride = 3, Padding = 1, Dilation = 2, Groups = 40, Bias = false)]", true)]
    [InlineData("[InputShape(33, 12, 12)]", "[Conv2D(Filters = 33, KernelHeight = 3, KernelWidth = 5, StrideHeight = 1, StrideWidth = 2, PadTop = 1, PadBottom = 0, PadLeft = 2, PadRight = 1, Groups = 33)]\n[ReLU6]", true)]
    [InlineData("[InputShape(32, 8, 8)]", "[Upsample(Scale = 2)]\n[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Groups = 32)]\n[ReLU]", true)]
    // a 2x2 max pool after it stays a step: the depthwise kernel has no pooled store
    [InlineData("[InputShape(16, 16, 16)]", "[Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1, Groups = 16)]\n[ReLU]\n[MaxPool2D(Kernel = 2)]", true)]
    // exactly one block of pixels, and channels one past a block: the channels' two blocks overlap by 15
    [InlineData("[InputShape(17, 4, 4)]", "[Conv2D(Filters = 17, Kernel = 3, Stride = 2, Padding = 1, Groups = 17)]", true)]
    // fewer than 16 channels, or fewer than 16 pixels: a float at a time
    [InlineData("[InputShape(8, 9, 9)]", "[Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)]", false)]
    [InlineData("[InputShape(20, 3, 5)]", "[Conv2D(Filters = 20, Kernel = 3, Stride = 2, Padding = 1, Groups = 20)]", false)]
    public void A_strided_depthwise_convolution_on_PyTorch_s_layout_runs_on_a_channels_last_copy(string input, string layers, bool transposesBlocks) =>
        AssertRunsOnItsCopy(input, layers, transposesBlocks);

    /// <summary>
    /// Read by steps that take channels-last values (a pointwise convolution, a squeeze-and-excitation gate), the same
    /// convolution writes channels-last from its copy, a vector a pixel: its input still in PyTorch's layout.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(72, 20, 20)]", "[Conv2D(Filters = 72, Kernel = 5, Stride = 2, Padding = 2, Groups = 72)]\n[ReLU]\n[Conv2D(Filters = 24, Kernel = 1)]", true)]
    [InlineData("[InputShape(17, 4, 4)]", "[Conv2D(Filters = 17, Kernel = 3, Stride = 2, Padding = 1, Groups = 17)]\n[Conv2D(Filters = 16, Kernel = 1)]\n[GlobalAvgPool2D]", true)]
    [InlineData("[InputShape(8, 9, 9)]", "[Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)]\n[Hardswish]\n[Conv2D(Filters = 8, Kernel = 1)]", false)]
    [InlineData("[Block] [GlobalAvgPool2D] [Conv2D(Filters = 10, Kernel = 1)] [ReLU] [Conv2D(Filters = 40, Kernel = 1)] [Hardsigmoid] public partial class Gate { }\n[InputShape(40, 17, 23)]",
        "[Conv2D(Filters = 40, Kernel = 3, Stride = 3, Padding = 1, Dilation = 2, Groups = 40, Bias = false)]\n[Multiply(typeof(Gate))]\n[Conv2D(Filters = 16, Kernel = 1)]", true)]
    public void Read_channels_last_it_writes_channels_last_from_its_copy(string input, string layers, bool transposesBlocks)
    {
        string generated = AssertRunsOnItsCopy(input, layers, transposesBlocks);
        // the remark under the depthwise layer's own summary (the pointwise convolution after it reads channels-last)
        Assert.Matches(@"Layer 0, Conv2D: [^\n]*groups \d+\.</summary>\s*/// <remarks>Reads its input in PyTorch's layout \(channels-first\) and writes its output channels-last", generated);
    }

    /// <summary>The network runs the copy (by transposed blocks or not, as <paramref name="transposesBlocks"/> says) and matches the reference engine; its generated source.</summary>
    private static string AssertRunsOnItsCopy(string input, string layers, bool transposesBlocks)
    {
        string attributes = input + "\n" + layers;
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "DepthwiseCopy");
        // 512-bit vectors of channels, or 256- and 128-bit ones where there are fewer than 16
        Assert.Matches(@"Depthwise(512|256|128)\(global::System.ReadOnlySpan<float> x, global::System.Span<float> y, global::System.ReadOnlySpan<float> p, global::System.Span<float> padded\)", generated);
        Assert.Contains("copied channels-last", generated);
        Assert.Equal(transposesBlocks, generated.Contains("Avx512F.PermuteVar16x32x2("));

        var reference = new ReferenceNetwork(net.Spec);
        var random = new Random(attributes.Length);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        for (int call = 0; call < 2; call++)
        {
            var x = Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var actual = new float[net.OutputLength];
            net.Forward(x, actual);
            FixtureFiles.AssertMatches(reference.Forward(x), actual, attributes.Replace('\n', ' ') + $", call {call}");
        }
        return generated;
    }
}
