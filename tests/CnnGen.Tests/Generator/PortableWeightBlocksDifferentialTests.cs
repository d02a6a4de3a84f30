using System.Text.RegularExpressions;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Where the Vector&lt;float&gt; channel kernel keeps weight blocks of its own passes (<c>PortablePermutedBlock</c>),
/// the load writes the copy in the 512-bit kernel's blocks where that one runs and in the Vector&lt;float&gt; kernel's
/// where it does not, and each kernel reads its own. Against the reference engine: a bottleneck's last stage on 2 x 2
/// (weights that stream, asked for a line at a time), 8 vectors on one pixel beside a layer whose blocks are the same
/// for both kernels, groups of 16 in blocks of 8, a strided 3x3, and 40 filters, no whole number of 2 vectors, that
/// read the 512-bit blocks beside 24 channels-last ones in blocks of a vector. The class
/// name holds "Differential", so CI runs it at 256 bits (a pass a block) and 128 (half a block a pass), on the 512-bit
/// path (which must read the other layout) and on the scalar loops (which read neither).
/// </summary>
public class PortableWeightBlocksDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(128, 2, 2)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 512, Kernel = 1)]", 3, 0, 3)]
    [InlineData("[InputShape(320, 1, 1)] [Conv2D(Filters = 1280, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 1)]", 1, 1, 2)]
    [InlineData("[InputShape(64, 3, 3)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 4)] [ReLU] [Conv2D(Filters = 32, Kernel = 1)]", 2, 0, 2)]
    [InlineData("[InputShape(256, 4, 4)] [Conv2D(Filters = 512, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 1)]", 2, 0, 2)]
    [InlineData("[InputShape(256, 2, 2)] [Conv2D(Filters = 40, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 24, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 40, Kernel = 1)]", 1, 2, 1)]
    public void Each_kernel_reads_the_weight_blocks_written_for_it(string attributes, int ownBlocks, int sharedBlocks, int guarded)
    {
        var (net, source) = AttributeNetworks.GenerateWithSource(attributes);

        // each copy of its own blocks is written beside the 512-bit kernel's, under the test its entry point makes
        Assert.Equal(ownBlocks, Regex.Matches(source, @"// layer \d+, for the Vector<float> kernel: ").Count);
        Assert.Equal(ownBlocks, Regex.Matches(source, @"// layer \d+, for the 512-bit kernel: ").Count);
        Assert.Equal(sharedBlocks, Regex.Matches(source, @"// layer \d+: \[\d+, \d+, \d+, \d+\] as ").Count);
        // the Vector<float> kernel runs only where its passes hold whole blocks (not at 16 lanes), also where its blocks
        // are the 512-bit kernel's (64 filters on one pixel: 8 vectors)
        Assert.Equal(guarded, Regex.Matches(source, @"Vector\.IsHardwareAccelerated && (8|16|32|64) % \(\d \* global::System\.Numerics\.Vector<float>\.Count\) == 0").Count);
        AttributeNetworks.AssertMatchesReference(net, attributes);
    }
}
