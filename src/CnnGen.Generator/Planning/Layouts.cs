using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>How a value's floats are ordered in its buffer between two steps.</summary>
internal enum Layout
{
    /// <summary>C x H x W, PyTorch's order: each channel's plane in turn. The network's input and output always are.</summary>
    ChannelsFirst,

    /// <summary>
    /// H x W x C: each pixel's channels side by side, so that a vector across channels is one load or store. Only
    /// between steps that the pass below lets write and read it; the user never sees it.
    /// </summary>
    ChannelsLast,
}

/// <summary>The vector kernel a convolution runs when it reads or writes channels-last values.</summary>
internal enum ChannelsLastKernel
{
    /// <summary>The convolution keeps PyTorch's layout on both sides.</summary>
    None,

    /// <summary>One group, or groups of whole vectors of filters: vectors across output channels, broadcast inputs (any input layout), vector stores when channels-last.</summary>
    Channels,

    /// <summary>Depthwise (a group per channel): vectors across channels, loaded from a channels-last input.</summary>
    Depthwise,
}

/// <summary>
/// Chooses each value's layout. A value is channels-last only where that removes work: its producer is a
/// convolution whose vectors run across channels (or a join of such values), and every reader of it can read that
/// layout at no cost: such a convolution (which broadcasts its inputs, so their order is only its addressing), a
/// depthwise convolution (which then loads a channel vector where it gathered), a Residual's sum or a Multiply's
/// product (elementwise, in whatever order its operands share, or a [C, 1, 1] gate's factor per channel), an activation
/// of its own (elementwise too), a windowed pool (a vector of channels per tap) or a global pool. The network's input
/// and output keep PyTorch's layout; a strided depthwise convolution may write channels-last from an input in it, which
/// it copies channels-last anyway (<see cref="CopiesInputChannelsLast"/>).
/// </summary>
internal static class Layouts
{
    /// <summary>The least number of channels for which vectors across channels pay: a whole 512-bit vector.</summary>
    public const int LeastChannels = 16;

    /// <summary>The least number of filters a channels-last convolution may have: a 128-bit vector of them.</summary>
    public const int NarrowestChannels = 4;

    /// <summary>The kernel a convolution step would run with channels-last values, or None where it keeps PyTorch's layout.</summary>
    public static ChannelsLastKernel KernelFor(Step step)
    {
        if (step.Op is not ConvolutionOp conv) return ChannelsLastKernel.None;
        var plan = new ConvolutionPlan(conv, step.Shapes, 0, -1);
        if (NetworkEmitter.IsStraightLine(plan)) return ChannelsLastKernel.None;
        // a fused 2x2 max pool: the channel kernel pools its tile's pixels, Winograd's each 2x2 tile; groups of whole
        // 512-bit vectors of filters take it a group at a time
        if (plan.GroupsFillVectors && conv.Filters >= LeastChannels) return ChannelsLastKernel.Channels;
        if (step.Pool is not null) return ChannelsLastKernel.None;
        // fewer filters than a 512-bit vector holds: 256- or 128-bit vectors of them (a MobileNet's narrow projections)
        if (conv.Groups == 1 && conv.Filters >= NarrowestChannels) return ChannelsLastKernel.Channels;
        if (TakesDepthwiseKernel(plan)) return ChannelsLastKernel.Depthwise;
        return ChannelsLastKernel.None;
    }

    /// <summary>
    /// A depthwise convolution that the depthwise kernel runs, on vectors of channels: a 128-bit vector of them at least
    /// (fewer than 16 take 256- or 128-bit vectors, a 0.25-wide MobileNet's 8), and a kernel row no wider than a quarter
    /// of the unrolled row (<see cref="DepthwiseTile.RowBudget"/>).
    /// </summary>
    public static bool TakesDepthwiseKernel(ConvolutionPlan plan) =>
        plan.IsDepthwise && plan.InChannels >= NarrowestChannels && plan.Layer.KernelWidth <= DepthwiseTile.RowBudget / 4;

    /// <summary>
    /// Whether a depthwise convolution reads an input in PyTorch's layout through a channels-last copy of it
    /// (<see cref="NetworkEmitter.TransposesInput"/>), so that it may write channels-last from either layout: a strided
    /// one, which no kernel vectorizes in PyTorch's layout (a stride-1 one runs vectors across columns there).
    /// </summary>
    public static bool CopiesInputChannelsLast(Step step) =>
        step.Op is ConvolutionOp { StrideWidth: > 1 } && KernelFor(step) == ChannelsLastKernel.Depthwise;

    /// <summary>What the rules ask of a step, worked out once per step (the fixed point below asks it on every round).</summary>
    /// <param name="Kernel">Its kernel with channels-last values, or None.</param>
    /// <param name="RunsAcrossChannels">
    /// A convolution that runs across channels: one whose 512-bit kernel does whatever the layout (strided, small maps,
    /// depthwise ones on them), and one on rows narrower than 32, which the channel kernel runs as fast as the column
    /// kernel (a ResNet's 16 x 16 stage: then its strided convolution, shortcut and sum need no lane-at-a-time stores;
    /// 25 MFLOP ResNet-8 240 to 230 us), and a pointwise or depthwise convolution at any width, whose channel kernel
    /// is as fast as the column kernel (a MobileNet's 48 x 48 stage). Another across the columns of wider rows is
    /// better left in PyTorch's layout, unless a reader cannot vectorize otherwise (see <see cref="Choose"/>).
    /// </param>
    /// <param name="TakesWinograd">A 3x3 stride-1 convolution that runs as Winograd's F(4x4, 3x3) or F(2x2, 3x3) when its input is channels-last (36 products a 4x4 tile where the direct convolution takes 144, or 16 a 2x2 tile for 36).</param>
    /// <param name="NeedsChannelsLast">A depthwise convolution that has no vector kernel across columns in PyTorch's layout: channels-last is its only fast path (there it would run on a channels-last copy of its input, made each call).</param>
    /// <param name="CopiesInput">A strided depthwise convolution, which reads an input in PyTorch's layout through a channels-last copy (<see cref="CopiesInputChannelsLast"/>).</param>
    private readonly record struct Traits(ChannelsLastKernel Kernel, bool RunsAcrossChannels, bool TakesWinograd, bool NeedsChannelsLast, bool CopiesInput)
    {
        public static Traits Of(Step step)
        {
            var kernel = KernelFor(step);
            if (kernel == ChannelsLastKernel.None) return default;
            var plan = new ConvolutionPlan((ConvolutionOp)step.Op, step.Shapes, 0, -1);
            var wide = NetworkEmitter.KernelFor(plan, SimdFlavor.Wide);
            return new Traits(
                kernel,
                RunsAcrossChannels: wide != VectorKernel.Columns || plan.OutWidth < 32 || IsPointwise(plan) || kernel == ChannelsLastKernel.Depthwise,
                TakesWinograd: kernel == ChannelsLastKernel.Channels && Winograd.Fits(plan),
                NeedsChannelsLast: kernel == ChannelsLastKernel.Depthwise && wide != VectorKernel.Columns,
                CopiesInput: CopiesInputChannelsLast(step));
        }
    }

    /// <summary>
    /// A step that copies each pixel of its parts into its output in whatever order they share: a Concat (a pixel's
    /// channels from each part in turn) and a transposed convolution's interleave of its stride phases' outputs.
    /// </summary>
    private static bool Joins(Step step) => step.Op is ConcatOp || (step.Op is ConvTransposeOp && step.Phases.Count > 0);

    /// <summary>A step that takes, reorders, pads or repeats each pixel's channels, in whichever layout its input has: a channel slice, shuffle, pad or repeat.</summary>
    private static bool Rearranges(Step step) => step.Op is ChannelSliceOp or ChannelShuffleOp or ChannelPadOp or ChannelRepeatOp;

    /// <summary>
    /// A step that reads and writes its values in whatever order they share: a sum, a product, a join, an activation
    /// of its own (one a convolution does not apply as it stores: GELU, Mish, Softplus, or one after a pool), a
    /// function of each float alone, a BatchNorm no convolution folds (a scale and a shift per channel: a
    /// pre-activation block's BN-ReLU), a PReLU (a slope per channel), and a channel slice, shuffle or pad.
    /// </summary>
    private static bool SharesOrder(Step step) => step.Op is AddOp or MultiplyOp or ActivationOp or BatchNormOp or PReLUOp || Joins(step) || Rearranges(step);

    /// <summary>
    /// The values a sum, a product or a join reads and writes in one order: all of them, but for a per-channel gate
    /// (squeeze-and-excitation's [C, 1, 1]), a single pixel whose floats are the same in either order.
    /// </summary>
    private static IEnumerable<int> SharingOrder(Step step) =>
        step.Op is MultiplyOp && MultiplyOp.IsChannelGate(step.Shapes.Inputs[0], step.Shapes.Inputs[1])
            ? new[] { step.InputValues[0], step.OutputValue }
            : step.InputValues.Append(step.OutputValue);

    /// <summary>A 1x1 stride-1 convolution: a matrix product of pixels by channels, which the channel kernel runs as fast as the column kernel.</summary>
    private static bool IsPointwise(ConvolutionPlan plan) =>
        plan.Layer is { KernelHeight: 1, KernelWidth: 1, StrideHeight: 1, StrideWidth: 1 } && !plan.IsPadded;

    /// <summary>
    /// The steps with their values' layouts: the largest set of channels-last values the rules allow (a fixed point,
    /// removing values that break a rule until none does). A convolution running across channels writes channels-last,
    /// as does one running across columns (switching to the channel kernel) when every reader takes channels-last and
    /// one gains by it; a sum writes the layout its operands share, a pool the layout of its input.
    /// </summary>
    public static List<Step> Choose(List<Step> steps, int output)
    {
        // by the value each step defines: one step defines each (SSA)
        var traits = steps.ToDictionary(s => s.OutputValue, Traits.Of);
        var readers = steps.SelectMany(s => s.InputValues.Select(v => (Value: v, Step: s))).ToLookup(r => r.Value, r => r.Step);
        // a convolution across columns switches to the channel kernel where every reader takes channels-last and one
        // gains by it: a depthwise convolution with no other vector kernel, or one that then runs as Winograd's
        bool Takes(Step reader) => SharesOrder(reader) || reader.Op is PoolOp or GlobalPoolOp || traits[reader.OutputValue].Kernel != ChannelsLastKernel.None;
        // Winograd's convolution pays where its output may be channels-last too: stored a lane at a time (a U-Net's
        // level, which a Concat reads) it lost more than its products saved (U-Net 11.7 to 16.4 ms)
        bool WinogradPays(Step step) => traits[step.OutputValue].TakesWinograd && step.OutputValue != output && readers[step.OutputValue].All(Takes);
        bool Across(Step step) => traits[step.OutputValue].RunsAcrossChannels || WinogradPays(step);
        // a reader that gains by a channels-last value, directly or through steps that keep its order (a
        // pre-activation block's sum, BatchNorm and ReLU before the convolution that runs as Winograd's); memoized,
        // as values may be read along many paths
        var gains = new Dictionary<int, bool>();
        bool Gains(int value)
        {
            if (gains.TryGetValue(value, out bool known)) return known;
            gains[value] = false;
            return gains[value] = readers[value].Any(r =>
                traits[r.OutputValue].NeedsChannelsLast || WinogradPays(r) || (SharesOrder(r) && r.OutputValue != output && Gains(r.OutputValue)));
        }
        bool Writes(Step step) =>
            SharesOrder(step) || step.Op is PoolOp || Across(step) ||
            (traits[step.OutputValue].Kernel == ChannelsLastKernel.Channels && readers[step.OutputValue].All(Takes) && Gains(step.OutputValue));
        var last = new HashSet<int>(steps.Where(Writes).Select(s => s.OutputValue));
        last.Remove(output);
        last.Remove(0);
        // a reader takes channels-last inputs if it is a sum, a pool, or a convolution running across channels (one
        // switched to the channel kernel only while it writes channels-last too)
        bool Reads(Step step) =>
            SharesOrder(step) || step.Op is GlobalPoolOp or PoolOp || Across(step) ||
            (traits[step.OutputValue].Kernel != ChannelsLastKernel.None && last.Contains(step.OutputValue));
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var step in steps)
            {
                if (!Reads(step))
                    foreach (int value in step.InputValues)
                        changed |= last.Remove(value);
                // a sum and a product take their operands in the order they share, and leave that order; a Concat and
                // a transposed convolution's interleave copy pixels in the order their parts share
                if (SharesOrder(step))
                {
                    var operands = SharingOrder(step).ToList();
                    if (!operands.All(last.Contains))
                        foreach (int value in operands) changed |= last.Remove(value);
                }
                // a depthwise convolution and a pool write channels-last only from a channels-last input, but for a
                // strided depthwise convolution, which copies an input in PyTorch's layout channels-last
                bool fromEitherLayout = traits[step.OutputValue].CopiesInput;
                if (((traits[step.OutputValue].Kernel == ChannelsLastKernel.Depthwise && !fromEitherLayout) || step.Op is PoolOp) && !last.Contains(step.InputValues[0]))
                    changed |= last.Remove(step.OutputValue);
            }
        }
        Layout Of(int value) => last.Contains(value) ? Layout.ChannelsLast : Layout.ChannelsFirst;
        return steps.Select(s => s with { InputLayout = Of(s.InputValues[0]), OutputLayout = Of(s.OutputValue) }).ToList();
    }
}
