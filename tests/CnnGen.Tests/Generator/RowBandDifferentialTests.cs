using System;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A chain of convolutions whose values between them are larger than L2 holds runs a band of rows at a time (RowBands):
/// an inverted residual's expansion, depthwise convolution and projection, a stem, each compute the rows of their output
/// the next stage's band reads. Each case checks that the chain runs in bands (of two stages or three) and that the network matches the
/// reference engine on two random inputs, the second after the first has left its values in every buffer: a band that
/// read a row before it was written would read the first call's. The shapes take every edge of the bands: a last band
/// of fewer rows, strides of 1, 2 and 3, a 5x5 window, a dilation, no padding, a residual's shortcut added by the
/// projection, and maps narrow enough that the kernels' tiles take several rows, so that a range's last tile redoes rows
/// before it. Each value between two stages is kept a window of its rows at a time (RowWindow), each band's rows written
/// over rows an earlier band wrote, the rows still read moved to the window's start: a band that kept a row too few
/// would read the first call's value there, or one of its own rows from before the move. The class name holds "Differential", so CI runs it on every SIMD path: the 512-bit kernel,
/// Vector&lt;float&gt; at 256 and 128 bits, and the scalar loops.
/// </summary>
public class RowBandDifferentialTests
{
    private const string Expanded = "[InputShape(3, 112, 112)]\n[Conv2D(Filters = 16, Kernel = 1)]\n[Conv2D(Filters = 96, Kernel = 1, Bias = false)]\n[BatchNorm2D]\n[ReLU6]\n";

    [Theory]
    // MobileNetV2's second block on 224 x 224: 96 x 112 x 112 expanded (4.8 MB), depthwise at stride 2
    [InlineData(Expanded + "[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Groups = 96, Bias = false)]\n[BatchNorm2D]\n[ReLU6]\n[Conv2D(Filters = 24, Kernel = 1, Bias = false)]\n[BatchNorm2D]\n[Conv2D(Filters = 16, Kernel = 1)]", 3)]
    // stride 1, a 5x5 window of padding 2
    [InlineData(Expanded + "[Conv2D(Filters = 96, Kernel = 5, Padding = 2, Groups = 96)]\n[ReLU]\n[Conv2D(Filters = 16, Kernel = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 3)]
    // no padding, stride 3: the rows a band reads start past the top and end short of the bottom; L2 holds its output, so the chain ends there
    [InlineData(Expanded + "[Conv2D(Filters = 96, Kernel = 3, Stride = 3, Groups = 96)]\n[Conv2D(Filters = 16, Kernel = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 2)]
    // a dilation of 2, and no projection after it: two stages
    [InlineData(Expanded + "[Conv2D(Filters = 96, Kernel = 3, Padding = 2, Dilation = 2, Groups = 96)]\n[ReLU6]\n[GlobalAvgPool2D]", 2)]
    // odd rows and columns: the last band is a row short
    [InlineData("[InputShape(3, 101, 67)]\n[Conv2D(Filters = 24, Kernel = 1)]\n[Conv2D(Filters = 72, Kernel = 1)]\n[Hardswish]\n[Conv2D(Filters = 72, Kernel = 5, Stride = 2, Padding = 2, Groups = 72)]\n[Hardswish]\n[Conv2D(Filters = 40, Kernel = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 2)]
    // MobileNetV2's stem on the network's input (its rows copied zero-bordered as the tiles reach them), the depthwise convolution and the projection
    [InlineData("[InputShape(3, 224, 224)]\n[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]\n[BatchNorm2D]\n[ReLU6]\n[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)]\n[ReLU6]\n[Conv2D(Filters = 16, Kernel = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 3)]
    // a dense 3x3 stride-2 convolution inside the chain: its input's rows copied zero-bordered as its tiles reach them, band by band
    [InlineData("[InputShape(3, 96, 96)]\n[Conv2D(Filters = 40, Kernel = 1)]\n[ReLU]\n[Conv2D(Filters = 48, Kernel = 3, Stride = 2, Padding = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 2)]
    // a tall map 6 pixels wide: the tiles take several rows each
    [InlineData("[InputShape(5, 1100, 6)]\n[Conv2D(Filters = 32, Kernel = 1)]\n[Conv2D(Filters = 64, Kernel = 1)]\n[ReLU]\n[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 64)]\n[ReLU]\n[Conv2D(Filters = 32, Kernel = 1)]\n[Conv2D(Filters = 16, Kernel = 1)]", 3)]
    public void A_value_past_L2_runs_in_bands_with_the_layers_after_it(string attributes, int stages) =>
        AssertRunsInBands(attributes, stages);

    /// <summary>
    /// MobileNetV2's residual blocks: the projection adds the block's input, which the chain reads from its first band to
    /// its last. With a strided convolution on the shortcut, that convolution runs between the depthwise one and the
    /// projection, which adds its output: the chain is then the expansion and the depthwise convolution.
    /// </summary>
    [Theory]
    [InlineData(1, 56, 3)]
    [InlineData(2, 57, 2)]
    public void A_residual_block_s_projection_adds_its_shortcut_in_bands(int stride, int size, int stages)
    {
        string shortcut = stride == 1 ? "" : ", Shortcut = typeof(Down)";
        string attributes = $$"""
            [Block]
            [Conv2D(Filters = 144, Kernel = 1, Bias = false)]
            [BatchNorm2D]
            [ReLU6]
            [Conv2D(Filters = 144, Kernel = 3, Stride = {{stride}}, Padding = 1, Groups = 144, Bias = false)]
            [BatchNorm2D]
            [ReLU6]
            [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
            [BatchNorm2D]
            public partial class Inverted { }
            [Block]
            [Conv2D(Filters = 24, Kernel = 1, Stride = 2)]
            public partial class Down { }
            [InputShape(3, {{size}}, {{size}})]
            [Conv2D(Filters = 24, Kernel = 1)]
            [Residual(typeof(Inverted){{shortcut}})]
            [Conv2D(Filters = 16, Kernel = 1)]
            """;
        AssertRunsInBands(attributes, stages);
    }

    private static void AssertRunsInBands(string attributes, int stages)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "RowBands");
        // the chain's comment in Run, then its stages' counters: one each but the last
        string chain = System.Text.RegularExpressions.Regex.Match(generated, @"// layers \d+ to \d+, \d+ rows of layer \d+'s output at a time").Value;
        Assert.True(generated.Contains($"int rowsDone{stages - 2} = 0;") && !generated.Contains($"int rowsDone{stages - 1} = 0;"), $"{stages} stages expected: {chain}");
        // every value between the stages is channels-last: its buffer holds a window of its rows (RowWindow)
        for (int k = 0; k < stages - 1; k++) Assert.Contains($"int base{k} = 0;", generated);
        Assert.DoesNotContain($"int base{stages - 1} = 0;", generated);
        GeneratorHarness.AssertForwardMatchesReference(net.Spec, net, new Random(attributes.Length), attributes.Replace('\n', ' '));
    }
}
