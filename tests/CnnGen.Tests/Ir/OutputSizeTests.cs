using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Ir;

/// <summary>
/// The one formula for a pool's output size, shared by the generator, the importer and the reference engine, against
/// PyTorch 1.13's (F.max_pool2d along one axis; 0 where PyTorch refuses or gives no output).
/// </summary>
public class OutputSizeTests
{
    [Theory]
    [InlineData(2, 0, 3, 2, true, 1, 1)]   // nn.MaxPool2d(3, 2, ceil_mode=True) on 2: the window is one longer than the input
    [InlineData(2, 0, 3, 2, false, 1, 0)]
    [InlineData(2, 0, 4, 2, true, 1, 0)]   // two longer: the stride's worth, no output
    [InlineData(1, 0, 2, 2, true, 1, 1)]
    [InlineData(3, 1, 5, 3, true, 1, 1)]
    [InlineData(2, 1, 5, 3, true, 1, 1)]
    [InlineData(2, 1, 5, 4, true, 1, 1)]
    [InlineData(2, 1, 6, 4, true, 1, 1)]
    [InlineData(3, 0, 2, 4, true, 3, 1)]
    [InlineData(3, 0, 2, 4, true, 4, 1)]   // dilated: a span of 5 on 3
    [InlineData(7, 0, 2, 2, true, 1, 4)]
    [InlineData(7, 0, 2, 2, false, 1, 3)]
    [InlineData(9, 1, 3, 2, true, 1, 5)]
    [InlineData(10, 1, 3, 2, true, 1, 6)]
    [InlineData(3, 1, 2, 2, true, 1, 2)]   // the last window would start in the padding: dropped
    [InlineData(5, 2, 4, 2, true, 1, 4)]
    [InlineData(4, 0, 5, 3, true, 1, 1)]
    [InlineData(4, 0, 6, 3, true, 1, 1)]
    [InlineData(4, 0, 7, 3, true, 1, 0)]
    public void A_pools_output_size_is_PyTorchs(int input, int pad, int kernel, int stride, bool ceilMode, int dilation, int expected) =>
        Assert.Equal(expected, ShapeInference.PoolOutputSize(input, pad, kernel, stride, ceilMode, dilation));
}
