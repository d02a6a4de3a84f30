using System;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// The kernel taps a convolution keeps along one axis: <see cref="Taps"/> taps from <see cref="First"/>. The taps
/// before and after meet only zero padding, at every output: a 3x3 convolution padded by 1 on a 1 x 1 map (ResNet's
/// last stage on a 32 x 32 image) multiplies its centre tap alone by the input, and a stride-2 one from 2 x 2 to
/// 1 x 1 its last two rows and columns. The dropped taps' products are all zeros, so the convolution of the kept
/// taps, with that much less padding, computes the same sums without streaming 8/9 or 5/9 of its weights.
/// </summary>
internal readonly record struct TapSpan(int First, int Taps)
{
    /// <summary>Kernels longer than this are kept whole: the search is a loop over taps, and so bounded.</summary>
    public const int MostTaps = 4096;

    /// <summary>
    /// The taps of a kernel of <paramref name="kernel"/> along an axis of <paramref name="input"/> values and
    /// <paramref name="output"/> outputs that read the input for some output: from the first such tap to the last.
    /// The whole kernel where a cropped kernel would need negative padding (a dilated kernel whose first used tap
    /// lies past the padding) or where the kernel is longer than <see cref="MostTaps"/>.
    /// </summary>
    public static TapSpan Of(int input, int output, int kernel, int stride, int padBefore, int padAfter, int dilation)
    {
        var whole = new TapSpan(0, kernel);
        if (kernel > MostTaps || output < 1) return whole;
        int first = 0;
        while (first < kernel && !ReadsInput(first)) first++;
        if (first == kernel) return whole;
        int last = kernel - 1;
        while (!ReadsInput(last)) last--;
        // every product is of sizes the shape checks bound by 2^30, so long arithmetic cannot overflow
        if ((long)first * dilation > padBefore || (long)(kernel - 1 - last) * dilation > padAfter) return whole;
        return new TapSpan(first, last - first + 1);

        // tap k reads row o * stride - padBefore + k * dilation: inside [0, input) for some output o in [0, output)?
        bool ReadsInput(int k)
        {
            long shift = (long)k * dilation - padBefore;
            long low = Math.Max(0, CeilingDivide(-shift, stride));
            long high = Math.Min(output - 1L, FloorDivide(input - 1L - shift, stride));
            return low <= high;
        }
    }

    /// <summary>The last tap kept.</summary>
    public int Last => First + Taps - 1;

    public bool IsWhole(int kernel) => First == 0 && Taps == kernel;

    private static long FloorDivide(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long CeilingDivide(long a, long b) => -FloorDivide(-a, b);
}

/// <summary>
/// A convolution whose kernel was cropped to the taps that meet the input (<see cref="TapSpan"/>): its step's op is
/// the cropped convolution, its kernel the weight's rows and columns kept, copied at load time into its derived block.
/// </summary>
/// <param name="Rows">The kernel rows kept.</param>
/// <param name="Columns">The kernel columns kept.</param>
/// <param name="KernelHeight">The weight's kernel height, as the state holds it.</param>
/// <param name="KernelWidth">The weight's kernel width.</param>
internal sealed record KernelCrop(TapSpan Rows, TapSpan Columns, int KernelHeight, int KernelWidth)
{
    /// <summary>The crop of <paramref name="conv"/> on <paramref name="shapes"/>, or null when every tap meets the input somewhere (or the padding is not zeros).</summary>
    public static KernelCrop? For(ConvolutionOp conv, LayerShapes shapes)
    {
        if (!conv.IsPadded || conv.Border != PadMode.Zeros) return null;
        var rows = TapSpan.Of(shapes.Input.Height, shapes.Output.Height, conv.KernelHeight, conv.StrideHeight, conv.PadTop, conv.PadBottom, conv.DilationHeight);
        var columns = TapSpan.Of(shapes.Input.Width, shapes.Output.Width, conv.KernelWidth, conv.StrideWidth, conv.PadLeft, conv.PadRight, conv.DilationWidth);
        return rows.IsWhole(conv.KernelHeight) && columns.IsWhole(conv.KernelWidth) ? null : new KernelCrop(rows, columns, conv.KernelHeight, conv.KernelWidth);
    }

    /// <summary>The convolution of the kept taps: the same outputs, the padding the dropped taps spanned taken off.</summary>
    public ConvolutionOp Apply(ConvolutionOp conv) => conv with
    {
        KernelHeight = Rows.Taps,
        KernelWidth = Columns.Taps,
        PadTop = conv.PadTop - Rows.First * conv.DilationHeight,
        PadBottom = conv.PadBottom - (KernelHeight - 1 - Rows.Last) * conv.DilationHeight,
        PadLeft = conv.PadLeft - Columns.First * conv.DilationWidth,
        PadRight = conv.PadRight - (KernelWidth - 1 - Columns.Last) * conv.DilationWidth,
    };
}

/// <summary>
/// A grouped convolution run as one group (<see cref="Passes.UngroupNarrowGroups"/>): its kernel [Filters, InChannels,
/// KH, KW] holds each filter's weights at its group's input channels and zeros at the others', so that the one-group
/// convolution computes the grouped one's sums (plus products of zeros), on the vector kernels the groups had none of.
/// </summary>
/// <param name="Groups">The layer's groups, as its weight [Filters, InChannels / Groups, KH, KW] holds them.</param>
internal sealed record UngroupedKernel(int Groups)
{
    /// <summary>The most groups run as one: as many times the multiply-adds, where the scalar loops ran 30 to 100 times slower than vectors.</summary>
    public const int MostGroups = 8;

    /// <summary>The most floats of the block-diagonal kernel (4 MiB), made at load time and kept a second time permuted for the channel kernel.</summary>
    public const long MostKernelFloats = 1 << 20;

    /// <summary>The ungrouping of <paramref name="conv"/> on <paramref name="shapes"/>, or null where it keeps its groups: one group, a depthwise convolution, too many groups or too large a kernel, straight-line code, or a vector kernel in some flavor.</summary>
    public static UngroupedKernel? For(ConvolutionOp conv, LayerShapes shapes)
    {
        if (conv.Groups <= 1 || conv.Groups > MostGroups) return null;
        if ((long)conv.Filters * shapes.Input.Channels * conv.KernelHeight * conv.KernelWidth > MostKernelFloats) return null;
        // as the layout pass sees it, in PyTorch's layout: a grouped convolution that is not depthwise keeps it
        var plan = new ConvolutionPlan(conv, shapes, 0, -1);
        if (plan.IsDepthwise || NetworkEmitter.IsStraightLine(plan)) return null;
        // the channel kernel a group at a time on 256- or 128-bit vectors, where a group's filters are whole ones of them
        if (plan.GroupsHoldVectorsOf(SimdFlavor.Quarter.Lanes!.Value)) return null;
        bool vectors = NetworkEmitter.KernelFor(plan, SimdFlavor.Wide) != VectorKernel.None || NetworkEmitter.KernelFor(plan, SimdFlavor.Portable) != VectorKernel.None;
        return vectors ? null : new UngroupedKernel(conv.Groups);
    }
}
