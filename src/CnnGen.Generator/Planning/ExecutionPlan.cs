using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>An elementwise op that a step applies to each value as it stores it, instead of a pass over memory of its own.</summary>
internal sealed record Epilogue(int Index, Op Op);

/// <summary>A 2x2, stride-2 max pool that a convolution applies in its 512-bit registers before it stores: the full-size output is never written.</summary>
internal sealed record FusedPool(int Index, PoolOp Op, LayerShapes Shapes)
{
    public FeatureShape Output => Shapes.Output;
}

/// <summary>
/// A channel shuffle (layer Index) whose only input is a Concat's output: the Concat writes each part's channels where the
/// shuffle puts them, so the shuffle makes no copy of its own (ShuffleNetV2's cat then channel_shuffle).
/// </summary>
internal sealed record FusedShuffle(int Index, ChannelShuffleOp Op);

/// <summary>
/// A channel slice (layer Index) that a Concat reads in place as its part Part: channels Start on of a value of
/// SourceChannels channels, so the slice makes no copy of its own (ShuffleNetV2's kept half).
/// </summary>
internal sealed record FusedSlice(int Part, int Index, int Start, int SourceChannels);

/// <summary>A BatchNorm whose only input is a convolution's output: folded into that convolution's weights and bias at load time.</summary>
internal sealed record FoldedBatchNorm(int Index, BatchNormOp Op, LayerShapes Shapes);

/// <summary>
/// A Residual's sum (layer Index) whose body ends in a convolution: the convolution adds the shortcut, its second
/// input, to each value as it stores it (before the epilogue, the sum's activation), so the sum makes no pass of its own.
/// </summary>
internal sealed record FusedShortcut(int Index);

/// <summary>
/// One method call of the forward pass: an anchor op (by its node's index, which names its method),
/// what is fused into it, where it reads and writes, and where its derived weights sit.
/// </summary>
internal sealed record Step(int Index, Op Op, LayerShapes Shapes)
{
    /// <summary>The graph values the step reads, views resolved to the value they rename.</summary>
    public EquatableArray<int> InputValues { get; init; } = new(new[] { 0 });

    /// <summary>The graph value the step defines (after fusion, the last fused op's).</summary>
    public int OutputValue { get; init; }

    public FoldedBatchNorm? Folded { get; init; }
    public Epilogue? Epilogue { get; init; }
    public FusedPool? Pool { get; init; }
    public FusedShortcut? Shortcut { get; init; }
    public FusedShuffle? Shuffle { get; init; }

    /// <summary>The step's place in a chain the forward pass runs a band of rows at a time (<see cref="RowBands"/>), or null.</summary>
    public RowBand? Band { get; init; }

    /// <summary>The rows of the step's output its buffer holds at a time, where a chain's next stage reads it a band at a time (<see cref="RowWindow"/>); null where the buffer holds the whole value.</summary>
    public RowWindow? OutputWindow { get; init; }

    /// <summary>The floats the step's output takes in its buffer: its window's, or the whole value's.</summary>
    public int OutputBufferLength => OutputWindow?.Length ?? Output.Length;

    /// <summary>A Concat's parts that are channel slices it reads in place (the others it reads whole).</summary>
    public EquatableArray<FusedSlice> Slices { get; init; } = EquatableArray<FusedSlice>.Empty;

    /// <summary>The spans the step reads, one per input: "input", or a scratch buffer ("a", "b", "s2", ...).</summary>
    public EquatableArray<string> Sources { get; init; } = new(new[] { "input" });

    /// <summary>The span the step reads first (for most steps the only one).</summary>
    public string Source => Sources[0];

    /// <summary>The span the step writes: "output", or a scratch buffer.</summary>
    public string Destination { get; init; } = "output";

    /// <summary>Where the step's load-time weights start after the state tensors (folded convolution, BatchNorm scale and shift), or -1.</summary>
    public int DerivedOffset { get; init; } = -1;

    /// <summary>Where a channel-vector convolution's permuted weights start, or -1.</summary>
    public int PermutedOffset { get; init; } = -1;

    /// <summary>
    /// A convolution computing one stride phase of the transposed convolution of node Index: its weights are
    /// derived from the transposed convolution's (the step's tensors) at load time, its bias is that one's.
    /// </summary>
    public TransposedPhase? Phase { get; init; }

    /// <summary>A transposed convolution split into stride phases: it interleaves its inputs, the outputs of the phases with taps in this order, and fills the others with the bias.</summary>
    public EquatableArray<TransposedPhase> Phases { get; init; } = EquatableArray<TransposedPhase>.Empty;

    /// <summary>
    /// A convolution cropped to the kernel taps that meet its input (<see cref="Passes.CropPaddingTaps"/>): its op is
    /// the cropped convolution, its kernel derived at load time from the weight's kept taps, its bias the layer's.
    /// </summary>
    public KernelCrop? Crop { get; init; }

    /// <summary>
    /// A grouped convolution run as one group (<see cref="Passes.UngroupNarrowGroups"/>): its op has one group, its kernel
    /// is the weight's groups on a block diagonal, zeros between them, made at load time; its bias the layer's.
    /// </summary>
    public UngroupedKernel? Ungrouped { get; init; }

    /// <summary>Whether the convolution's kernel is made at load time into the step's derived block (a stride phase's, a crop's or an ungrouped one's), not read from its weight tensor.</summary>
    public bool DerivesKernel => Phase is not null || Crop is not null || Ungrouped is not null;

    /// <summary>
    /// Whether the step's first input is likely to hold exact zeros (<see cref="ZeroInputs.Mark"/>), so that a kernel that
    /// can skip them lists them; true until that pass has run.
    /// </summary>
    public bool InputHoldsZeros { get; init; } = true;

    /// <summary>The layout of the step's inputs (<see cref="Layouts.Choose"/> gives a sum's operands one layout, and steps of several other inputs PyTorch's).</summary>
    public Layout InputLayout { get; init; }

    /// <summary>The layout the step writes its output in.</summary>
    public Layout OutputLayout { get; init; }

    /// <summary>The shape the step leaves: its op's output, pooled if a pool is fused.</summary>
    public FeatureShape Output => Pool?.Output ?? Shapes.Output;
}

/// <summary>The forward pass as the emitter writes it: steps in order, scratch sizes, the derived weight area, and the final copy if nothing computes.</summary>
internal sealed record ExecutionPlan(EquatableArray<Step> Steps, EquatableArray<int> ScratchLengths, int DerivedLength, int PermutedLength)
{
    /// <summary>Scratch buffer i's name in Run: "a", "b", then "s2", "s3", ... (never "p", the parameters).</summary>
    public static string ScratchName(int slot) => slot switch
    {
        0 => "a",
        1 => "b",
        _ => "s" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The slot a scratch buffer's name in Run stands for: <see cref="ScratchName"/> read back.</summary>
    public static int ScratchSlot(string name) => name switch
    {
        "a" => 0,
        "b" => 1,
        _ => int.Parse(name.Substring(1), System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The field of the buffers class that holds scratch buffer i: ScratchA, ScratchB, Scratch2, ...</summary>
    public static string ScratchField(int slot) => slot switch
    {
        0 => "ScratchA",
        1 => "ScratchB",
        _ => "Scratch" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>No op computes anything (only views such as Flatten, Dropout, Identity): the input is copied out as it is.</summary>
    public bool CopiesInput => Steps.Count == 0;

    /// <summary>Floats kept after the state tensors: folded and permuted weights, made by LoadParameters.</summary>
    public int ExtraLength => DerivedLength + PermutedLength;

    public IEnumerable<Step> Convolutions => Steps.Where(s => s.Op is ConvolutionOp);

    /// <summary>Whether some step runs an op the predicate picks, as the step itself or in its store.</summary>
    public bool Runs(System.Func<Op, bool> picks) => Steps.Any(s => picks(s.Op) || (s.Epilogue is not null && picks(s.Epilogue.Op)));
}
