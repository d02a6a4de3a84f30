using System;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Grouped convolutions that no vector kernel takes run as one group, their kernel made block-diagonal at load time
/// (UngroupedKernel). A weight copied to the wrong group, or a zero left out, shows against the reference engine; each
/// network is checked on every SIMD path in CI.
/// </summary>
public class UngroupedKernelDifferentialTests
{
    [Theory]
    // a ResNeXt-style strided 3x3 of 6 filters a group, its BatchNorm folded into the block-diagonal kernel
    [InlineData("[InputShape(24, 32, 32)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 4, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 32, Kernel = 1)]")]
    // 4 channels and 6 filters a group, with a bias, on an odd map
    [InlineData("[InputShape(12, 9, 11)] [Conv2D(Filters = 18, Kernel = 3, Stride = 2, Padding = 1, Groups = 3)] [ReLU]")]
    // 5 filters a group, a 3x5 kernel, asymmetric padding
    [InlineData("[InputShape(10, 17, 13)] [Conv2D(Filters = 10, KernelHeight = 3, KernelWidth = 5, Stride = 2, PaddingHeight = 1, PaddingWidth = 2, Groups = 2)] [Tanh]")]
    // dilated, 3 filters of 3 channels a group, 8 groups
    [InlineData("[InputShape(24, 20, 20)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 2, Dilation = 2, Groups = 8)] [ReLU6]")]
    // 7 filters a group, a 5x5 kernel, then a max pool
    [InlineData("[InputShape(14, 20, 20)] [Conv2D(Filters = 14, Kernel = 5, Stride = 2, Padding = 2, Groups = 2)] [ReLU] [MaxPool2D(Kernel = 2)]")]
    // a grouped 1D convolution, strided
    [InlineData("[InputShape(12, 40)] [Conv1D(Filters = 12, Kernel = 5, Stride = 3, Padding = 2, Groups = 2)] [ReLU]")]
    // in a residual block's body, the shortcut strided by a 1x1 convolution
    [InlineData("[Block] [Conv2D(Filters = 24, Kernel = 1, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 4, Bias = false)] [BatchNorm2D] public partial class Body { } "
        + "[Block] [Conv2D(Filters = 24, Kernel = 1, Stride = 2, Bias = false)] [BatchNorm2D] public partial class Shortcut { } "
        + "[InputShape(24, 16, 16)] [Residual(typeof(Body), Shortcut = typeof(Shortcut))] [ReLU] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 10)]")]
    // more groups than are run as one: the scalar loops, as before
    [InlineData("[InputShape(36, 12, 12)] [Conv2D(Filters = 36, Kernel = 3, Stride = 2, Padding = 1, Groups = 12)] [ReLU]")]
    public void An_ungrouped_convolution_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    [Fact]
    public void The_generated_kernel_is_block_diagonal_and_says_so()
    {
        var result = GeneratorHarness.Run("using CnnGen;\n[InputShape(24, 32, 32)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 4)]\npublic partial class Net { }");

        string source = result.GeneratedSource;
        Assert.Contains("The layer's 4 groups run as one", source, StringComparison.Ordinal);
        Assert.Contains("groups 1.", source, StringComparison.Ordinal);
        // the state: 24 x 6 x 3 x 3 weights and 24 biases, 1,320 floats; the block-diagonal kernel from 1,328 (a cache line on)
        Assert.Contains("// layer 0: the kernel [24, 24, 3, 3] at 1328: the weight [24, 6, 3, 3]'s 4 groups on its block diagonal, zeros between them", source, StringComparison.Ordinal);
        Assert.Contains("Layer0Conv2DChannels512", source, StringComparison.Ordinal);
    }
}
