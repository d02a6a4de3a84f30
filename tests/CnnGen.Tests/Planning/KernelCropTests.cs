using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Planning;

/// <summary>
/// Convolutions cropped to the kernel taps that meet their input: which taps an axis keeps, the convolution of those
/// taps, and the pass. The generated code's use of them is checked against the reference engine by
/// KernelCropDifferentialTests, on every SIMD path.
/// </summary>
public class KernelCropTests
{
    private static ConvolutionOp Conv(int filters, int kernel, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) => new()
    {
        Filters = filters, KernelHeight = kernel, KernelWidth = kernel, StrideHeight = stride, StrideWidth = stride,
        PadTop = padding, PadBottom = padding, PadLeft = padding, PadRight = padding, DilationHeight = dilation, DilationWidth = dilation, Groups = groups,
    };

    private static NetworkShapes Shapes(int channels, int size, params Op[] ops)
    {
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(channels, size, size), ops));
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return shapes;
    }

    [Theory]
    // a 3x3 kernel padded by 1 on one value keeps its centre tap
    [InlineData(1, 1, 3, 1, 1, 1, 1, 1)]
    // stride 2 from 2 to 1: output 0 reads rows -1, 0 and 1, so tap 0 meets the padding only
    [InlineData(2, 1, 3, 2, 1, 1, 1, 2)]
    // a 3x3 kernel on 2 values: output 0 reads rows -1 to 1 (taps 1 and 2 inside), output 1 rows 0 to 2 (taps 0 and 1)
    [InlineData(2, 2, 3, 1, 1, 1, 0, 3)]
    // dilation 2, padding 2, on 2 values: outputs 0 and 1 read rows -2, 0, 2 and -1, 1, 3; tap 1 alone meets the input
    [InlineData(2, 2, 3, 1, 2, 2, 1, 1, 2)]
    // dilation 2, padding 1, on 3 values: output 0 reads rows -1, 1 and 3, tap 1 alone inside; but dropping tap 0 would
    // take 2 rows of padding off where there is 1, so the kernel stays whole
    [InlineData(3, 1, 3, 1, 1, 1, 0, 3, 2)]
    public void An_axis_keeps_the_span_of_taps_that_meet_its_input(int input, int output, int kernel, int stride, int padBefore, int padAfter, int first, int taps, int dilation = 1)
    {
        Assert.Equal(new TapSpan(first, taps), TapSpan.Of(input, output, kernel, stride, padBefore, padAfter, dilation));
    }

    /// <summary>
    /// For every small axis: a dropped tap reads the input at no output, both ends of the kept span read it at some output,
    /// the cropped padding is never negative, and the cropped axis has the same outputs, each reading the same rows through the same taps.
    /// </summary>
    [Fact]
    public void The_kept_taps_are_exactly_the_span_of_those_that_read_the_input()
    {
        int cropped = 0;
        foreach (int input in new[] { 1, 2, 3, 4, 7 })
        foreach (int kernel in new[] { 1, 2, 3, 5, 7 })
        foreach (int stride in new[] { 1, 2, 3 })
        foreach (int dilation in new[] { 1, 2, 3 })
        foreach (int before in new[] { 0, 1, 2, 4 })
        foreach (int after in new[] { 0, 1, 3 })
        {
            long size = (input + before + after - (long)dilation * (kernel - 1) - 1) / stride + 1;
            if (input + before + after - dilation * (kernel - 1) - 1 < 0) continue;
            int output = (int)size;
            var span = TapSpan.Of(input, output, kernel, stride, before, after, dilation);
            string where = $"input {input}, kernel {kernel}, stride {stride}, dilation {dilation}, padding {before} and {after}: {span}";
            bool Reads(int k) => Enumerable.Range(0, output).Any(o => o * stride - before + k * dilation is var row && row >= 0 && row < input);
            Assert.True(span.First >= 0 && span.Taps >= 1 && span.First + span.Taps <= kernel, where);
            for (int k = 0; k < kernel; k++)
                if (k < span.First || k >= span.First + span.Taps) Assert.False(Reads(k), where);
            if (span.IsWhole(kernel)) continue;
            cropped++;
            Assert.True(Reads(span.First) && Reads(span.First + span.Taps - 1), where);
            int newBefore = before - span.First * dilation, newAfter = after - (kernel - span.First - span.Taps) * dilation;
            Assert.True(newBefore >= 0 && newAfter >= 0, where);
            Assert.Equal(size, (input + newBefore + newAfter - (long)dilation * (span.Taps - 1) - 1) / stride + 1);
            // kept tap j of the cropped kernel at output o reads the row tap First + j reads
            for (int o = 0; o < output; o++)
                for (int j = 0; j < span.Taps; j++)
                    Assert.Equal(o * stride - before + (span.First + j) * dilation, o * stride - newBefore + j * dilation);
        }
        Assert.True(cropped > 100, $"{cropped} axes cropped");
    }

    [Fact]
    public void An_unpadded_convolution_or_one_padded_by_copies_of_the_border_is_never_cropped()
    {
        var reflected = Conv(4, 3, padding: 1) with { PaddingMode = "reflect" };
        Assert.Null(KernelCrop.For(Conv(4, 3), Shapes(4, 3, Conv(4, 3)).Layers[0]));
        // reflect padding of 1 on a 2 x 2 map is allowed (under the size) and copies the input into the border
        Assert.Null(KernelCrop.For(reflected, Shapes(4, 2, reflected).Layers[0]));
    }

    [Fact]
    public void The_pass_gives_the_convolution_its_kept_taps_and_the_padding_they_leave()
    {
        var shapes = Shapes(8, 2, Conv(16, 3, stride: 2, padding: 1), new ActivationOp(Activation.ReLU), Conv(16, 3, padding: 1, groups: 16));

        var steps = Passes.CropPaddingTaps(Passes.Canonicalize(shapes));

        var strided = (ConvolutionOp)steps[0].Op;
        Assert.Equal((2, 2, 0, 1, 0, 1, 2), (strided.KernelHeight, strided.KernelWidth, strided.PadTop, strided.PadBottom, strided.PadLeft, strided.PadRight, strided.StrideHeight));
        Assert.Equal(new KernelCrop(new TapSpan(1, 2), new TapSpan(1, 2), 3, 3), steps[0].Crop);
        var depthwise = (ConvolutionOp)steps[2].Op;
        Assert.Equal((1, 1, false, 16), (depthwise.KernelHeight, depthwise.KernelWidth, depthwise.IsPadded, depthwise.Groups));
        Assert.Null(steps[1].Crop);
        // the kept kernel is derived at load time, and only it: a third, then a ninth, of the weight
        Assert.Equal(new[] { 16 * 8 * 4, 16 * 1 }, steps.Where(s => s.Crop is not null).Select(Passes.DerivedLength));
    }
}
