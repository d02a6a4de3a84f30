using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// The passes from a checked graph to an execution plan, each a pure function with tests of its
/// own: canonicalize (views away), lower padding modes and transposed convolutions, crop kernels to the taps that
/// meet the input, run narrow groups as one, fuse (fold BatchNorm, epilogues, pools), plan
/// memory, pack weights.
/// </summary>
internal static class Passes
{
    public static ExecutionPlan Plan(NetworkShapes shapes)
    {
        var steps = UngroupNarrowGroups(CropPaddingTaps(LowerDepthMultipliers(LowerTransposedConvolutions(LowerPaddingModes(Canonicalize(shapes))))));
        int output = OutputValue(steps);
        steps = Fuse(steps, output);
        steps = Layouts.Choose(steps, output);
        steps = FuseShortcuts(steps, output);
        steps = FuseSlicesIntoJoins(steps, output);
        steps = ZeroInputs.Mark(steps);
        steps = RowBands.Mark(steps, output);
        steps = PlanMemory(steps, output);
        return PackWeights(steps, shapes.ParameterCount);
    }

    /// <summary>
    /// The nodes that compute, in order, each reading the values it needs. Flatten, Dropout and
    /// Identity only rename a value (the floats of a C x H x W map are already its flattened vector),
    /// so they become no step: whoever reads their output reads their input.
    /// </summary>
    public static List<Step> Canonicalize(NetworkShapes shapes)
    {
        var steps = new List<Step>();
        var renamed = new Dictionary<int, int>();
        int Resolve(int value) => renamed.TryGetValue(value, out int original) ? original : value;
        for (int i = 0; i < shapes.Graph.Nodes.Count; i++)
        {
            var node = shapes.Graph.Nodes[i];
            var inputs = node.Inputs.Select(Resolve).ToArray();
            if (node.Op.Accept(IsView.Instance))
            {
                renamed[node.Output] = inputs[0];
                continue;
            }
            steps.Add(new Step(i, node.Op, shapes.Layers[i]) { InputValues = new EquatableArray<int>(inputs), OutputValue = node.Output });
        }
        return steps;
    }

    /// <summary>
    /// A convolution whose padding is not zeros becomes what PyTorch runs: a pad step of its mode (a
    /// copy of the input with its border filled), then the convolution without padding over the
    /// padded copy, with the convolution's tensors and method. The pad's value is a new one, after
    /// every value the steps name.
    /// </summary>
    public static List<Step> LowerPaddingModes(List<Step> steps)
    {
        int next = NextValue(steps);
        var lowered = new List<Step>();
        foreach (var step in steps)
        {
            if (step.Op is not ConvolutionOp { IsPadded: true } conv || conv.Border == PadMode.Zeros)
            {
                lowered.Add(step);
                continue;
            }
            var pad = new PadOp(conv.Border)
            {
                SpatialRank = conv.SpatialRank,
                PadTop = conv.PadTop,
                PadBottom = conv.PadBottom,
                PadLeft = conv.PadLeft,
                PadRight = conv.PadRight,
            };
            var input = step.Shapes.Input;
            var padded = pad.Padded(input);
            int paddedValue = next++;
            lowered.Add(new Step(step.Index, pad, new LayerShapes(input, padded, EquatableArray<StateTensor>.Empty))
            {
                InputValues = step.InputValues,
                OutputValue = paddedValue,
            });
            lowered.Add(step with
            {
                Op = conv with { PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0, PaddingMode = PadModes.Name(PadMode.Zeros) },
                Shapes = step.Shapes with { Input = padded, Inputs = new EquatableArray<FeatureShape>(new[] { padded }) },
                InputValues = new EquatableArray<int>(new[] { paddedValue }),
            });
        }
        return lowered;
    }

    /// <summary>
    /// A convolution of m > 1 filters on each of its channels (groups = channels, a depthwise multiplier, as Keras's
    /// DepthwiseConv2D and PNASNet's separable convolutions make) becomes a repeat of each channel m times, then a
    /// depthwise convolution of the repeated channels with the same weights and bias: filter o reads channel o / m
    /// either way. Only where no vector kernel takes the convolution as it is (PNASNet's 7x7 stride-2 layer of 2
    /// filters a channel ran scalar, half its network's time) and the depthwise one runs the kernel across channels.
    /// </summary>
    public static List<Step> LowerDepthMultipliers(List<Step> steps)
    {
        int next = NextValue(steps);
        var lowered = new List<Step>();
        foreach (var step in steps)
        {
            var input = step.Shapes.Input;
            // only what no vector kernel runs as it is (groups of whole 512-, 256- or 128-bit vectors of filters take the
            // channel kernel, stride-1 rows the column kernel)
            // a transposed convolution's phase derives its kernel from the transposed weight by the layer's own groups
            if (step.Op is not ConvolutionOp conv || step.Phase is not null || conv.Groups != input.Channels || conv.Filters <= conv.Groups || conv.Filters % conv.Groups != 0
                || NetworkEmitter.RunsOnKnownVectors(new ConvolutionPlan(conv, step.Shapes, 0, -1)))
            {
                lowered.Add(step);
                continue;
            }
            var repeat = new ChannelRepeatOp(conv.Filters / conv.Groups);
            var repeated = input with { Channels = conv.Filters };
            var depthwise = step with
            {
                Op = conv with { Groups = conv.Filters, InChannels = null },
                Shapes = step.Shapes with { Input = repeated, Inputs = new EquatableArray<FeatureShape>(new[] { repeated }) },
                InputValues = new EquatableArray<int>(new[] { next }),
            };
            if (!Layouts.TakesDepthwiseKernel(new ConvolutionPlan((ConvolutionOp)depthwise.Op, depthwise.Shapes, 0, -1)))
            {
                lowered.Add(step);
                continue;
            }
            lowered.Add(new Step(step.Index, repeat, new LayerShapes(input, repeated, EquatableArray<StateTensor>.Empty))
            {
                InputValues = step.InputValues,
                OutputValue = next++,
            });
            lowered.Add(depthwise);
        }
        return lowered;
    }

    /// <summary>A value number after every value the steps name, for the values a lowering adds.</summary>
    private static int NextValue(List<Step> steps) => steps.SelectMany(s => s.InputValues.Append(s.OutputValue)).DefaultIfEmpty(0).Max() + 1;

    /// <summary>
    /// A transposed convolution becomes its stride phases (see <see cref="PhaseAxis"/>): per phase with
    /// taps, a stride-1 convolution over the input with weights derived at load time, so that it runs the
    /// vectorized convolution kernels and multiplies no inserted zero; then the transposed convolution's
    /// own step interleaves their outputs (and fills phases no tap reaches with the bias). A stride-1 layer
    /// whose one phase is the whole output is that convolution alone. Where <see cref="StridePhases.For"/>
    /// declines (many phases, or a padding cropping most of the scatter), the step stays the gather.
    /// </summary>
    public static List<Step> LowerTransposedConvolutions(List<Step> steps)
    {
        int next = NextValue(steps);
        var lowered = new List<Step>();
        foreach (var step in steps)
        {
            if (step.Op is not ConvTransposeOp transposed || StridePhases.For(transposed, step.Shapes) is not { } phases)
            {
                lowered.Add(step);
                continue;
            }
            var input = step.Shapes.Input;
            if (phases.Count == 1 && phases[0].IsWhole)
            {
                lowered.Add(step with { Op = phases[0].Convolution(transposed), Phase = phases[0] });
                continue;
            }
            var values = new List<int>();
            var maps = new List<FeatureShape>();
            foreach (var phase in phases.Where(p => p.HasTaps))
            {
                var map = input with { Channels = transposed.Filters, Height = phase.Rows.SourceSize, Width = phase.Columns.SourceSize };
                lowered.Add(new Step(step.Index, phase.Convolution(transposed), new LayerShapes(input, map, step.Shapes.Tensors))
                {
                    InputValues = step.InputValues,
                    OutputValue = next,
                    Phase = phase,
                });
                values.Add(next++);
                maps.Add(map);
            }
            lowered.Add(step with
            {
                InputValues = new EquatableArray<int>(values.ToArray()),
                Shapes = step.Shapes with { Inputs = new EquatableArray<FeatureShape>(maps.ToArray()) },
                Phases = new EquatableArray<TransposedPhase>(phases.ToArray()),
            });
        }
        return lowered;
    }

    /// <summary>
    /// A convolution padded with zeros whose outer kernel rows or columns meet only the padding, for every output,
    /// becomes the convolution of the taps that meet the input (<see cref="KernelCrop"/>), its kernel copied from the
    /// weight at load time: its sums are the same, without the products of zeros. Before fusion, which asks whether
    /// the convolution it fuses into is straight-line code (a cropped convolution may be).
    /// </summary>
    public static List<Step> CropPaddingTaps(List<Step> steps) => steps.Select(step =>
        step.Op is ConvolutionOp conv && step.Phase is null && KernelCrop.For(conv, step.Shapes) is { } crop
            ? step with { Op = crop.Apply(conv), Crop = crop }
            : step).ToList();

    /// <summary>
    /// A grouped convolution that no vector kernel takes, in any flavor, becomes one group (<see cref="UngroupedKernel"/>),
    /// its kernel made block-diagonal at load time: the channel kernel then takes it, doing the groups' count times the
    /// multiply-adds on vectors where the scalar loops did them one at a time. Such is a strided one whose groups hold a
    /// number of filters that no 128-bit vector divides (6: the column kernel takes stride 1 only, the channel kernels a
    /// group's whole vectors), which ran at 1.2 GFLOP/s in a sweep (24 filters in 4 groups, stride 2: 1.45 times ONNX
    /// Runtime's time for its network). Only few groups (<see cref="UngroupedKernel.MostGroups"/>), whose extra products
    /// the vectors more than pay for, and not a cropped or a stride phase's kernel, which derives its own.
    /// </summary>
    public static List<Step> UngroupNarrowGroups(List<Step> steps) => steps.Select(step =>
        step.Op is ConvolutionOp conv && !step.DerivesKernel && UngroupedKernel.For(conv, step.Shapes) is { } ungrouped
            ? step with { Op = conv with { Groups = 1 }, Ungrouped = ungrouped }
            : step).ToList();

    /// <summary>The value the network returns, as the steps name it: the last step's (views after it rename it), or 0, the input, when no step computes.</summary>
    public static int OutputValue(List<Step> steps) => steps.Count == 0 ? 0 : steps[steps.Count - 1].OutputValue;

    /// <summary>How many steps read each value; the network's output counts as one more reader.</summary>
    internal static Dictionary<int, int> Readers(List<Step> steps, int output)
    {
        var readers = new Dictionary<int, int> { [output] = 1 };
        foreach (var step in steps)
            foreach (int value in step.InputValues) readers[value] = readers.TryGetValue(value, out int n) ? n + 1 : 1;
        return readers;
    }

    /// <summary>
    /// Merges ops into the convolution that produces their input, where the kernel can apply them for
    /// free (and a zero padding layer into the convolution that reads it, as its padding): a BatchNorm (at load time), one activation in a looped convolution's store (or a
    /// Residual sum's), a 2x2/2 max pool in a 512-bit convolution's registers (after the activation, or before it where the
    /// activation never decreases, so that it runs on a quarter of the values), and a channel shuffle into the Concat before
    /// it. Only where the op is
    /// the value's one reader: a skip connection that also reads the convolution's output needs it as
    /// it is.
    /// </summary>
    public static List<Step> Fuse(List<Step> steps) => Fuse(steps, OutputValue(steps));

    public static List<Step> Fuse(List<Step> steps, int output)
    {
        var readers = Readers(steps, output);
        var fused = new List<Step>();
        var producer = new Dictionary<int, int>(); // value -> its step in fused
        foreach (var step in steps)
        {
            // a BatchNorm or an activation after a transposed convolution's interleave, where every phase has a
            // convolution: each folds it into its kernel, or applies it in its vector stores; the interleave stays a copy
            if (step.InputValues.Count == 1 && readers[step.InputValues[0]] == 1 && producer.TryGetValue(step.InputValues[0], out int interleave) &&
                fused[interleave].Phases.Count > 0 && fused[interleave].Epilogue is null && fused[interleave].Phases.All(p => p.HasTaps))
            {
                var phases = fused[interleave].InputValues.Select(v => producer[v]).ToList();
                Func<Step, Step>? intoPhase = step.Op switch
                {
                    BatchNormOp norm when phases.All(k => FoldsBatchNorm(fused[k], step)) =>
                        phase => phase with { Folded = new FoldedBatchNorm(step.Index, norm, step.Shapes) },
                    _ when phases.All(k => TakesEpilogue(fused[k], step.Op)) =>
                        phase => phase with { Epilogue = new Epilogue(step.Index, step.Op) },
                    _ => null,
                };
                if (intoPhase is not null)
                {
                    foreach (int k in phases) fused[k] = intoPhase(fused[k]);
                    fused[interleave] = fused[interleave] with { OutputValue = step.OutputValue };
                    producer[step.OutputValue] = interleave;
                    continue;
                }
            }
            if (step.InputValues.Count == 1 && readers[step.InputValues[0]] == 1 && producer.TryGetValue(step.InputValues[0], out int at) &&
                TryFuse(fused[at], step) is { } merged)
            {
                fused[at] = merged with { OutputValue = step.OutputValue };
                producer[step.OutputValue] = at;
                continue;
            }
            producer[step.OutputValue] = fused.Count;
            fused.Add(step);
        }
        return fused;
    }

    /// <summary>
    /// A convolution that can fold the BatchNorm step <paramref name="norm"/>: nothing folded, applied or pooled after
    /// it yet, and a BatchNorm of its channels (after a Flatten, a view gone from the steps, a BatchNorm1D normalizes
    /// the C x H x W features one by one, which no per-filter scale can fold).
    /// </summary>
    private static bool FoldsBatchNorm(Step conv, Step norm) =>
        !norm.Shapes.Input.IsFlat && conv is { Folded: null, Epilogue: null, Pool: null };

    /// <summary>
    /// A convolution that can apply <paramref name="activation"/> as it stores: looped (not straight-line), with no
    /// epilogue or pool yet, and an activation its store fits (<see cref="Epilogues.FitsConvolutionStore"/>).
    /// </summary>
    private static bool TakesEpilogue(Step conv, Op activation) =>
        conv.Op is ConvolutionOp op && conv.Epilogue is null && conv.Pool is null && new ConvolutionPlan(op, conv.Shapes, 0, -1) is var plan &&
        !NetworkEmitter.IsStraightLine(plan) && Epilogues.FitsConvolutionStore(activation, plan.IsDepthwise);

    /// <summary>The step with <paramref name="step"/> fused into it, or null when its kernel cannot apply it.</summary>
    private static Step? TryFuse(Step previous, Step step) => previous.Op switch
    {
        ConvolutionOp conv => TryFuseIntoConvolution(previous, conv, step),
        // nn.ZeroPad2d then a convolution padding with zeros: the convolution pads both, reading the pad's input
        PadOp { Mode: PadMode.Zeros } pad when step.Op is ConvolutionOp { Border: PadMode.Zeros } conv && conv.SpatialRank == pad.SpatialRank => step with
        {
            Op = conv with { PadTop = conv.PadTop + pad.PadTop, PadBottom = conv.PadBottom + pad.PadBottom, PadLeft = conv.PadLeft + pad.PadLeft, PadRight = conv.PadRight + pad.PadRight },
            Shapes = step.Shapes with { Input = previous.Shapes.Input, Inputs = previous.Shapes.Inputs },
            InputValues = previous.InputValues,
        },
        // a Concat writes its parts' channels where a shuffle after it puts them (ShuffleNetV2's units)
        ConcatOp when step.Op is ChannelShuffleOp shuffle && previous is { Shuffle: null, Epilogue: null } => previous with { Shuffle = new FusedShuffle(step.Index, shuffle) },
        // a Residual's sum applies the activation after it (ResNet's ReLU) as it stores, and so do a transposed convolution's interleave and gather
        AddOp or ConvTransposeOp when previous.Epilogue is null && Epilogues.IsFusable(step.Op) => previous with { Epilogue = new Epilogue(step.Index, step.Op) },
        _ => null,
    };

    private static Step? TryFuseIntoConvolution(Step previous, ConvolutionOp conv, Step step)
    {
        if (step.Op is BatchNormOp norm && FoldsBatchNorm(previous, step))
            return previous with { Folded = new FoldedBatchNorm(step.Index, norm, step.Shapes) };
        if (TakesEpilogue(previous, step.Op))
            return previous with { Epilogue = new Epilogue(step.Index, step.Op) };
        if (previous.Pool is null && step.Op is PoolOp pool && FusesPool(new ConvolutionPlan(conv, previous.Shapes, 0, -1), pool))
            return previous with { Pool = new FusedPool(step.Index, pool, step.Shapes) };
        return null;
    }

    /// <summary>
    /// Merges a Residual's sum into the convolution that ends its body, where that convolution stores a vector of
    /// filters a pixel in the sum's channels-last layout (the channel kernel, in every flavor): the convolution reads
    /// the shortcut as its second input and adds it as it stores, then applies the sum's activation. Only where the
    /// sum is the convolution's one reader, nothing is applied after the convolution yet, and the shortcut is computed
    /// before the convolution runs. After the layouts are chosen, which fusion must not change.
    /// </summary>
    public static List<Step> FuseShortcuts(List<Step> steps, int output)
    {
        var readers = Readers(steps, output);
        var fused = new List<Step>();
        var producer = new Dictionary<int, int>(); // value -> its step's position in fused
        foreach (var step in steps)
        {
            if (step.Op is AddOp && step.InputValues.Count == 2 && step.InputLayout == Layout.ChannelsLast && step.OutputLayout == Layout.ChannelsLast &&
                IntoConvolution(step) is int at)
            {
                producer[step.OutputValue] = at;
                continue;
            }
            producer[step.OutputValue] = fused.Count;
            fused.Add(step);
        }
        return fused;

        int? IntoConvolution(Step sum)
        {
            foreach (int k in new[] { 0, 1 })
            {
                int body = sum.InputValues[k], shortcut = sum.InputValues[1 - k];
                // the sum's activation moves into the convolution's store with it (the channel kernel's: TakesShortcut)
                if (sum.Epilogue is { } activation && !Epilogues.FitsConvolutionStore(activation.Op, depthwise: false)) return null;
                if (!producer.TryGetValue(body, out int at) || readers[body] != 1 || !TakesShortcut(fused[at])) continue;
                // the shortcut must exist when the convolution runs: the network's input, or a value made before it; a
                // shortcut made after it (a projection written after the body) moves before it where its own inputs allow
                if (producer.TryGetValue(shortcut, out int made) && made > at)
                {
                    var projection = fused[made];
                    if (projection.InputValues.Any(v => producer.TryGetValue(v, out int from) && from >= at)) continue;
                    fused.RemoveAt(made);
                    fused.Insert(at, projection);
                    at++;
                    for (int position = 0; position < fused.Count; position++) producer[fused[position].OutputValue] = position;
                }
                fused[at] = fused[at] with
                {
                    InputValues = new EquatableArray<int>(new[] { fused[at].InputValues[0], shortcut }),
                    OutputValue = sum.OutputValue,
                    Shortcut = new FusedShortcut(sum.Index),
                    Epilogue = sum.Epilogue,
                };
                return at;
            }
            return null;
        }
    }

    /// <summary>
    /// Lets a Concat read a part that is a channel slice in place, from the slice's input, where the Concat is the slice's
    /// one reader: the slice's step goes. After the layouts are chosen: a slice reads and writes one layout, so its input
    /// is in the Concat's.
    /// </summary>
    public static List<Step> FuseSlicesIntoJoins(List<Step> steps, int output)
    {
        var readers = Readers(steps, output);
        var slices = steps.Where(s => s.Op is ChannelSliceOp && readers[s.OutputValue] == 1).ToDictionary(s => s.OutputValue);
        var read = new HashSet<int>();
        var joined = steps.Select(step =>
        {
            if (step.Op is not ConcatOp || !step.InputValues.Any(slices.ContainsKey)) return step;
            var inputs = step.InputValues.ToArray();
            var parts = new List<FusedSlice>();
            for (int k = 0; k < inputs.Length; k++)
            {
                if (!slices.TryGetValue(inputs[k], out var slice)) continue;
                parts.Add(new FusedSlice(k, slice.Index, ((ChannelSliceOp)slice.Op).Start, slice.Shapes.Input.Channels));
                inputs[k] = slice.InputValues[0];
                read.Add(slice.OutputValue);
            }
            return step with { InputValues = new EquatableArray<int>(inputs), Slices = new EquatableArray<FusedSlice>(parts.ToArray()) };
        }).ToList();
        return joined.Where(s => !(s.Op is ChannelSliceOp && read.Contains(s.OutputValue))).ToList();
    }

    /// <summary>
    /// A convolution that can add a shortcut as it stores: one input, nothing fused after it, channels-last in and
    /// out, and the channel kernel in every flavor (looped, not Winograd's or the depthwise one).
    /// </summary>
    private static bool TakesShortcut(Step conv)
    {
        if (conv is not { Op: ConvolutionOp, Epilogue: null, Pool: null, Shortcut: null, Phase: null } || conv.InputValues.Count != 1 ||
            conv.OutputLayout != Layout.ChannelsLast)
            return false;
        // the channel kernel is never straight-line code, nor depthwise (KernelFor gives those None and Depthwise)
        var plan = ConvolutionPlan.For(conv);
        return NetworkEmitter.KernelFor(plan, SimdFlavor.Wide) == VectorKernel.Channels && NetworkEmitter.KernelFor(plan, SimdFlavor.Portable) == VectorKernel.Channels;
    }

    /// <summary>
    /// A 2x2, stride-2 max pool right after a convolution (and its epilogue), on an output of even
    /// height and width, where the convolution has a 512-bit method to pool in.
    /// </summary>
    private static bool FusesPool(ConvolutionPlan conv, PoolOp pool) =>
        pool is { Reduction: Reduction.Max, KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2, PaddingHeight: 0, PaddingWidth: 0, DilationHeight: 1, DilationWidth: 1 } &&
        conv.OutHeight % 2 == 0 && conv.OutWidth % 2 == 0 && NetworkEmitter.KernelFor(conv, SimdFlavor.Wide) is not (VectorKernel.None or VectorKernel.Depthwise);

    /// <summary>
    /// Which span each step reads and writes: the caller's input, the caller's output (the last step),
    /// or a scratch buffer. A buffer is free again once every reader of its value has run (in a chain run in bands,
    /// once its last stage has), so a skip connection's input stays until its addition; a step takes the first free buffer. Elementwise
    /// steps write over an input they are the last reader of.
    /// </summary>
    public static List<Step> PlanMemory(List<Step> steps) => PlanMemory(steps, OutputValue(steps));

    public static List<Step> PlanMemory(List<Step> steps, int output)
    {
        var unread = Readers(steps, output);
        var location = new Dictionary<int, string> { [0] = "input" };
        var holder = new List<int?>(); // scratch slot -> the value it holds, null when free
        var planned = new List<Step>();
        // a chain run in bands (RowBands) reads its stages' inputs until its last stage's last band: they are read then
        var bandReads = new List<int>();
        foreach (var step in steps)
        {
            var sources = step.InputValues.Select(v => location[v]).ToArray();
            bandReads.AddRange(step.InputValues);
            if (step.Band is not { } band || band.Stage == band.Stages - 1)
            {
                foreach (int value in bandReads) unread[value]--;
                bandReads.Clear();
            }
            string destination;
            if (step.OutputValue == output) destination = "output";
            else if (InPlaceInput(step, unread, sources) is int k) destination = sources[k];
            else
            {
                int slot = holder.FindIndex(v => v is null);
                if (slot < 0)
                {
                    slot = holder.Count;
                    holder.Add(null);
                }
                destination = ExecutionPlan.ScratchName(slot);
            }
            // the buffers of values nobody reads any more are free, unless the step writes over one
            for (int slot = 0; slot < holder.Count; slot++)
                if (holder[slot] is int held && unread[held] == 0) holder[slot] = null;
            if (destination != "output")
                holder[ExecutionPlan.ScratchSlot(destination)] = step.OutputValue;
            location[step.OutputValue] = destination;
            planned.Add(step with { Sources = new EquatableArray<string>(sources), Destination = destination });
        }
        return planned;
    }

    /// <summary>The input an elementwise step may overwrite: one in scratch that nothing reads after it, of the output's size.</summary>
    private static int? InPlaceInput(Step step, Dictionary<int, int> unread, string[] sources)
    {
        bool elementwise = step.Op.IsElementwise || step.Op is SoftmaxOp or AddOp or MultiplyOp;
        if (!elementwise || step.Pool is not null) return null;
        for (int k = 0; k < sources.Length; k++)
        {
            // a per-channel gate is smaller than the output
            if (sources[k] != "input" && unread[step.InputValues[k]] == 0 && step.Shapes.Inputs[k].Length == step.Shapes.Output.Length)
                return k;
        }
        return null;
    }

    /// <summary>The length each scratch buffer needs: the largest value written into it.</summary>
    public static int[] ScratchLengths(IEnumerable<Step> steps)
    {
        var lengths = new List<int>();
        foreach (var step in steps)
        {
            if (step.Destination == "output") continue;
            int slot = ExecutionPlan.ScratchSlot(step.Destination);
            while (lengths.Count <= slot) lengths.Add(0);
            lengths[slot] = Math.Max(lengths[slot], step.OutputBufferLength);
        }
        return lengths.ToArray();
    }

    /// <summary>
    /// Places the weights made at load time after the state tensors: first each step's derived block
    /// (a folded convolution's weights and bias; a BatchNorm's scale and shift), then the permuted
    /// copies the channel-vector convolutions read. Each block starts on a cache line (the parameters do, see
    /// <see cref="NetworkEmitter.CacheLineFloats"/>), so that a kernel's vectors of 16 filters or channels are whole lines.
    /// </summary>
    public static ExecutionPlan PackWeights(List<Step> steps, int parameterCount)
    {
        // the state is at most ShapeInference.MaxParameters (2^29) floats; the derived weights at most as many and the
        // permuted ones at most 16/9 as many (Winograd's 4x4 transform of each 3x3 kernel), each block rounded up by
        // at most 15 floats: under 3.8 x 2^29 for any network that fits in memory, so the sums never overflow an int;
        // checked (a context that covers only the code written inside it, not what it calls), a broken promise is the
        // generator's error, never a wrapped offset
        checked
        {
            var packed = new List<Step>();
            int end = parameterCount;
            foreach (var step in steps)
            {
                int size = DerivedLength(step);
                if (size > 0)
                {
                    end = Aligned(end);
                    packed.Add(step with { DerivedOffset = end });
                    end += size;
                }
                else packed.Add(step);
            }
            int derivedEnd = end;
            for (int i = 0; i < packed.Count; i++)
            {
                int size = packed[i].Op switch
                {
                    ConvolutionOp => NetworkEmitter.PermutedWeightLength(ConvolutionPlan.For(packed[i])),
                    DenseOp => DensePlan.For(packed[i]).PermutedLength,
                    _ => 0,
                };
                if (size == 0) continue;
                end = Aligned(end);
                packed[i] = packed[i] with { PermutedOffset = end };
                end += size;
            }
            return new ExecutionPlan(new EquatableArray<Step>(packed), new EquatableArray<int>(ScratchLengths(packed)), derivedEnd - parameterCount, end - derivedEnd);
        }
    }

    /// <summary><paramref name="offset"/> rounded up to a whole number of cache lines (<see cref="NetworkEmitter.CacheLineFloats"/>).</summary>
    private static int Aligned(int offset) =>
        checked(offset + NetworkEmitter.CacheLineFloats - 1) / NetworkEmitter.CacheLineFloats * NetworkEmitter.CacheLineFloats;

    /// <summary>Floats of a step's derived block: a folded convolution's weight and bias, a standalone BatchNorm's scale and shift.</summary>
    public static int DerivedLength(Step step) => step.Op switch
    {
        ConvolutionOp conv when step.Folded is not null => KernelLength(step) + conv.Filters,
        // a stride phase's kernel: its filters' taps of the transposed convolution's weight; a cropped kernel: the taps kept
        ConvolutionOp when step.DerivesKernel => KernelLength(step),
        BatchNormOp => 2 * step.Shapes.Input.Channels,
        _ => 0,
    };

    /// <summary>Floats of a convolution step's kernel [Filters, InChannels / Groups, KH, KW]: its weight tensor's, or a stride phase's or a crop's derived one.</summary>
    public static int KernelLength(Step step)
    {
        var conv = (ConvolutionOp)step.Op;
        return conv.Filters * (step.Shapes.Input.Channels / conv.Groups) * conv.KernelHeight * conv.KernelWidth;
    }

    /// <summary>Flatten, Dropout and Identity: the output is the input's floats as they are.</summary>
    private sealed class IsView : IOpVisitor<bool>
    {
        public static readonly IsView Instance = new();

        public bool Convolution(ConvolutionOp op) => false;
        public bool ConvTranspose(ConvTransposeOp op) => false;
        public bool Pool(PoolOp op) => false;
        public bool GlobalPool(GlobalPoolOp op) => false;
        public bool AdaptivePool(AdaptivePoolOp op) => false;
        public bool Dense(DenseOp op) => false;
        public bool BatchNorm(BatchNormOp op) => false;
        public bool Activation(ActivationOp op) => false;
        public bool PReLU(PReLUOp op) => false;
        public bool Flatten(FlattenOp op) => true;
        public bool Dropout(DropoutOp op) => true;
        public bool Identity(IdentityOp op) => true;
        public bool Softmax(SoftmaxOp op) => false;
        public bool Add(AddOp op) => false;
        public bool Concat(ConcatOp op) => false;
        public bool Multiply(MultiplyOp op) => false;
        public bool Pad(PadOp op) => false;
        public bool Upsample(UpsampleOp op) => false;
        public bool PixelShuffle(PixelShuffleOp op) => false;
        public bool ChannelSlice(ChannelSliceOp op) => false;
        public bool ChannelShuffle(ChannelShuffleOp op) => false;
        public bool ChannelPad(ChannelPadOp op) => false;
        public bool ChannelRepeat(ChannelRepeatOp op) => false;
    }
}
