using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Convolutions whose outer kernel taps meet only zero padding run the kept taps alone (the last stages of a ResNet on
/// small images: 3x3 convolutions on 1 x 1 and 2 x 2 maps). Their weights' dropped taps are not zero in these tests, so
/// a wrong crop shows; each network is checked against the reference engine on every SIMD path in CI.
/// </summary>
public class KernelCropDifferentialTests
{
    [Theory]
    // ResNet-50's last stage on a 32 x 32 image: a stride-2 3x3 from 2 x 2 to 1 x 1 (its last two rows and columns), then 3x3 on 1 x 1 (the centre)
    [InlineData("[InputShape(64, 2, 2)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU]")]
    [InlineData("[InputShape(32, 1, 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [ReLU]")]
    [InlineData("[InputShape(3, 1, 1)] [Conv2D(Filters = 5, Kernel = 3, Padding = 1, Bias = false)]")]
    // depthwise on 1 x 1, BatchNorm folded into the cropped kernel
    [InlineData("[InputShape(32, 1, 1)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32, Bias = false)] [BatchNorm2D] [ReLU6]")]
    [InlineData("[InputShape(16, 2, 2)] [Conv2D(Filters = 32, Kernel = 5, Stride = 2, Padding = 2, Groups = 16)] [ReLU]")]
    // rows only (a 1-row map under a 5-row kernel), asymmetric padding, dilation, a wide stride
    [InlineData("[InputShape(4, 1, 5)] [Conv2D(Filters = 8, KernelHeight = 5, KernelWidth = 3, PaddingHeight = 2, PaddingWidth = 1)]")]
    [InlineData("[InputShape(4, 2, 2)] [Conv2D(Filters = 4, Kernel = 3, Padding = 2, Dilation = 2)] [Tanh]")]
    [InlineData("[InputShape(16, 3, 3)] [Conv2D(Filters = 16, Kernel = 5, Stride = 3, Padding = 2)]")]
    [InlineData("[InputShape(4, 1)] [Conv1D(Filters = 8, Kernel = 3, Padding = 1)] [ReLU]")]
    // the channel kernels' tiles on a 1 x 1 map, a max pool after a cropped convolution, a cropped body adding its shortcut
    [InlineData("[InputShape(64, 1, 1)] [Conv2D(Filters = 128, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 48, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(8, 2, 2)] [Conv2D(Filters = 16, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2D(Kernel = 2)]")]
    [InlineData("[Block] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false)] [BatchNorm2D] public partial class Body { } "
        + "[InputShape(32, 1, 1)] [Residual(typeof(Body))] [ReLU] [Residual(typeof(Body))] [ReLU] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 10)]")]
    public void A_cropped_convolution_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    [Fact]
    public void The_generated_kernel_keeps_the_taps_that_meet_the_input_and_says_so()
    {
        var result = GeneratorHarness.Run("using CnnGen;\n[InputShape(64, 1, 1)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)]\npublic partial class Net { }");

        string source = result.GeneratedSource;
        Assert.Contains("The layer's 3x3 kernel cropped to the taps that meet the input (rows 1 to 1, columns 1 to 1)", source, StringComparison.Ordinal);
        Assert.Contains("kernel 1x1, stride 1x1, padding top 0 bottom 0 left 0 right 0", source, StringComparison.Ordinal);
        // 4,096 taps kept of 36,864: the derived kernel and its permuted copy after the 36,928 floats of the state
        Assert.Contains("// layer 0: the kernel [64, 64, 1, 1] at 36928: rows 1 to 1 and columns 1 to 1 of the weight [64, 64, 3, 3], the taps that meet the input", source, StringComparison.Ordinal);
    }
}
