using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// The channel kernel's Vector&lt;float&gt; tiles on small maps (<c>ChannelTile.For</c>): whole narrow rows and rows of
/// them, 4 vectors of filters on maps of 2 or 3 pixels and 8 on one pixel where the weight copy's blocks hold them, 2
/// where they do not (96 and 160 filters, 1,280 in blocks of 160: 8 vectors there failed the first case), a last block
/// overlapping the one before (24 filters channels-last), and weights that stream with their zero channels skipped (600
/// to 1,024 on one pixel). Against the reference engine; the class name holds "Differential", so CI runs it at 256 and
/// 128 bits, and on the 512-bit and scalar paths.
/// </summary>
public class SmallMapTileDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(64, 1, 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 1)] [ReLU] [Conv2D(Filters = 192, Kernel = 1)] [ReLU] [Conv2D(Filters = 96, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(600, 1, 1)] [ReLU] [Conv2D(Filters = 1024, Kernel = 1)] [ReLU] [Conv2D(Filters = 160, Kernel = 1)] [ReLU] [Conv2D(Filters = 256, Kernel = 1)]")]
    [InlineData("[InputShape(320, 1, 1)] [Conv2D(Filters = 1280, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 1)]")]
    [InlineData("[InputShape(320, 1, 2)] [Conv2D(Filters = 1280, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 1)]")]
    [InlineData("[InputShape(32, 1, 2)] [Conv2D(Filters = 256, Kernel = 1)] [ReLU] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 24, Kernel = 1)]")]
    [InlineData("[InputShape(32, 3, 1)] [Conv2D(Filters = 128, Kernel = 1)] [ReLU] [Conv2D(Filters = 192, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(48, 1, 3)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 160, Kernel = 1)]")]
    [InlineData("[InputShape(64, 4, 4)] [Conv2D(Filters = 256, Kernel = 1, Stride = 2)] [ReLU] [Conv2D(Filters = 128, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 96, Kernel = 1)]")]
    [InlineData("[InputShape(32, 3, 3)] [Conv2D(Filters = 96, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 16, Kernel = 1)] [ReLU] [Conv2D(Filters = 24, Kernel = 1)]")]
    [InlineData("[InputShape(64, 4, 5)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 32, Kernel = 1)] [ReLU] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(16, 2, 7)] [Conv2D(Filters = 48, Kernel = 3, Padding = 1)] [ReLU] [Conv2D(Filters = 160, Kernel = 1)]")]
    [InlineData("[InputShape(16, 6, 6)] [Conv2D(Filters = 32, Kernel = 5, Padding = 2)] [ReLU] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)]")]
    public void Convolutions_on_small_maps_match_the_reference(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);
}
