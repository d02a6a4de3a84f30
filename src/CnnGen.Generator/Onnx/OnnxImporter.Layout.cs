using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Onnx;

/// <summary>
/// The ops that move activations around (Resize, Transpose, Slice): the IR keeps activations in NCHW, so these are
/// compiled only as the patterns exporters write for a layer (Upsample, a softmax over channels wrapped in Transposes
/// at opsets before 13, circular padding as Slice and Concat, and the channels' slices and shuffle of
/// OnnxImporter.Channels.cs), and refused otherwise.
/// </summary>
internal sealed partial class OnnxImporter
{
    /// <summary>Activations transposed to put the channels last, waiting for their Softmax.</summary>
    private readonly Dictionary<string, ElementwiseValue> _pendingTranspose = new();

    /// <summary>A Softmax over the transposed channels, waiting for the Transpose back.</summary>
    private readonly Dictionary<string, (ElementwiseValue Input, bool Log)> _softmaxOverChannels = new();

    /// <summary>Slices of an activation along one axis, waiting for the Concat that makes them circular padding.</summary>
    private readonly Dictionary<string, (ElementwiseValue Input, int Axis, long Start, long End)> _slices = new();

    private void Transpose(OnnxNode node)
    {
        string input = Input(node, 0) ?? throw Refuse(node, "its input is missing");
        if (_channelGroups.TryGetValue(input, out var grouped))
        {
            ShuffleTranspose(node, grouped);
            return;
        }
        var perm = Ints(node, "perm");
        if (_softmaxOverChannels.TryGetValue(input, out var softmax))
        {
            int rank = softmax.Input.Shape.Rank + 1;
            if (perm is null || !IsChannelsLastSwap(perm, rank)) throw Refuse(node, "it does not undo the Transpose before its Softmax");
            int x = Materialize(softmax.Input, Describe(node));
            int value = AddNode(new SoftmaxOp(softmax.Log), new[] { x }, NameOf(node), "Transpose/Softmax/Transpose", Array.Empty<WeightSource>());
            Define(node, 0, NewValue(node, value));
            return;
        }
        var activation = Activation(node, 0);
        int r = activation.Shape.Rank + 1;
        // set aside only for the Softmax that alone reads it; any other reader sees a transposed activation
        if (perm is not null && IsChannelsLastSwap(perm, r) && OnlyReader(node.Outputs[0]) is { OpType: "Softmax" or "LogSoftmax" } softmaxNode
            && softmaxNode.Outputs.Count > 0 && OnlyReader(softmaxNode.Outputs[0]) is { OpType: "Transpose" })
        {
            _pendingTranspose[node.Outputs[0]] = activation;
            return;
        }
        // moving only axes of size 1 leaves every float in its place: a view of the same value
        var dims = ViewDims(activation);
        if (perm is not null && perm.Length == r && perm[0] == 0 && perm.Skip(1).OrderBy(p => p).SequenceEqual(Enumerable.Range(1, r - 1).Select(p => (long)p)))
        {
            var moved = perm.Skip(1).Select(p => dims[p - 1]).ToArray();
            var order = perm.Skip(1).Where(p => dims[p - 1] != 1).ToArray();
            if (order.Zip(order.Skip(1), (a, b) => a < b).All(increasing => increasing))
            {
                var view = moved.Select(d => (int)d).ToArray();
                Define(node, 0, activation with { View = view.SequenceEqual(Dims(activation.Shape).Select(d => (int)d)) ? null : new EquatableArray<int>(view) });
                return;
            }
        }
        throw Refuse(node, "it transposes the network's activations; CnnGen keeps them in NCHW (it compiles a Transpose that moves only axes of size 1, and one around a Softmax over the channels)");
    }

    /// <summary>A permutation that swaps axis 1 with the last and keeps the others: its own inverse.</summary>
    private static bool IsChannelsLastSwap(long[] perm, int rank)
    {
        if (perm.Length != rank || rank < 3) return false;
        for (int i = 0; i < rank; i++)
        {
            long expected = i == 1 ? rank - 1 : i == rank - 1 ? 1 : i;
            if (perm[i] != expected) return false;
        }
        return true;
    }

    private void Slice(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        int rank = x.Shape.Rank + 1;
        var (starts, ends, axes, steps) = SliceArguments(node, Constant);
        var normalized = axes.Select(a => a < 0 ? a + rank : a).ToArray();
        if (normalized.Contains(1))
        {
            ChannelSlice(node, x, starts, ends, normalized, steps);
            return;
        }
        const string Accepted = "CnnGen compiles a Slice of the channels (axis 1), every k-th row or column from the first (x[:, :, ::2, ::2]), and rows or columns as part of circular padding (Slice and Concat along one axis)";
        if (steps.Any(step => step > 1))
        {
            Subsample(node, x, starts, ends, normalized, steps, Accepted);
            return;
        }
        if (starts.Length != 1 || ends.Length != 1 || axes.Length != 1 || steps.Length != 1 || steps[0] != 1)
            throw Refuse(node, "it slices the network's activations along several axes or with a step; " + Accepted);
        long axis = normalized[0];
        if (axis < 2 || axis >= rank) throw Refuse(node, $"it slices axis {axes[0]}; " + Accepted);
        long size = Dims(x.Shape)[axis - 1];
        if (OnlyReader(node.Outputs[0]) is not { OpType: "Concat" })
            throw Refuse(node, "it slices rows or columns of the network's activations, and no Concat alone reads them; " + Accepted);
        _slices[node.Outputs[0]] = (x, (int)axis, ClampSliceBound(starts[0], size), ClampSliceBound(ends[0], size));
    }

    /// <summary>
    /// x[:, :, ::sh, ::sw] (the CIFAR ResNets' option-A shortcut subsamples so): every sh-th row and sw-th column from
    /// the first, a max pool of a 1 x 1 window with those strides, whose output size ceil(n / s) is the slice's.
    /// </summary>
    private void Subsample(OnnxNode node, ElementwiseValue x, long[] starts, long[] ends, long[] axes, long[] steps, string accepted)
    {
        int rank = x.Shape.Rank + 1;
        var dims = Dims(x.Shape);
        var strides = new int[rank];
        for (int i = 0; i < rank; i++) strides[i] = 1;
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i];
            if (axis < 2 || axis >= rank) throw Refuse(node, $"it slices axis {axis} with a step; " + accepted);
            long size = dims[axis - 1];
            if (steps[i] < 1) throw Refuse(node, $"it slices axis {axis} with step {steps[i]}; " + accepted);
            if (ClampSliceBound(starts[i], size) != 0 || ClampSliceBound(ends[i], size) != size)
                throw Refuse(node, $"it takes [{ClampSliceBound(starts[i], size)}, {ClampSliceBound(ends[i], size)}) of axis {axis}'s {size} in steps of {steps[i]}; " + accepted);
            if (strides[axis] != 1) throw Refuse(node, $"it names axis {axis} twice");
            strides[axis] = Small(node, steps[i], "step");
        }
        bool map = x.Shape.IsMap;
        var op = new PoolOp(Reduction.Max)
        {
            SpatialRank = map ? 2 : 1,
            KernelHeight = 1,
            KernelWidth = 1,
            StrideHeight = map ? strides[rank - 2] : 1,
            StrideWidth = strides[rank - 1],
        };
        Define(node, 0, Apply(node, op, x));
    }

    /// <summary>Concat([x[..., n - a:], x, x[..., :b]]) along a row or column axis: circular padding by a before and b after.</summary>
    private bool CircularPad(OnnxNode node, long axis)
    {
        var names = node.Inputs.Where(i => i.Length > 0).ToList();
        if (names.Count != 3 || !_slices.TryGetValue(names[0], out var tail) || !_activations.TryGetValue(names[1], out var x) || !_slices.TryGetValue(names[2], out var head))
        {
            if (names.Any(_slices.ContainsKey)) throw Refuse(node, "it joins slices of an activation in another order than circular padding's (the last rows or columns, the activation, the first ones)");
            return false;
        }
        int rank = x.Shape.Rank + 1;
        if (axis < 0) axis += rank;
        long size = Dims(x.Shape)[axis - 1];
        bool same = tail.Input == x && head.Input == x && tail.Axis == axis && head.Axis == axis;
        if (!same || tail.End != size || head.Start != 0 || tail.Start >= size || head.End == 0)
            throw Refuse(node, $"it joins slices [{tail.Start}, {tail.End}) and [{head.Start}, {head.End}) of an axis of {size} around it; circular padding takes the last rows or columns before and the first after (PyTorch 1.13 exports Conv2d's circular padding_mode wrongly, pytorch/pytorch#86690: pad with F.pad(x, pads, mode='circular') written out as torch.cat)");
        int before = (int)(size - tail.Start), after = (int)head.End;
        bool rows = axis == rank - 2 && x.Shape.IsMap;
        var op = new PadOp(PadMode.Circular)
        {
            SpatialRank = x.Shape.IsMap ? 2 : 1,
            PadTop = rows ? before : 0,
            PadBottom = rows ? after : 0,
            PadLeft = rows ? 0 : before,
            PadRight = rows ? 0 : after,
        };
        int input = Materialize(x, Describe(node));
        int value = AddNode(op, new[] { input }, NameOf(node), "Slice/Concat", Array.Empty<WeightSource>());
        Define(node, 0, NewValue(node, value));
        return true;
    }


    private void Resize(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        if (!x.Shape.IsMap) throw Refuse(node, $"its input is {x.Shape}; CnnGen resizes the rows and columns of maps");
        string mode = String(node, "mode", "nearest");
        // Upsample (opsets 7 to 9) and Resize at opset 10 place samples as "asymmetric" with floor for nearest
        bool legacy = node.OpType == "Upsample" || _opset < 11;
        string transform = legacy ? "asymmetric" : String(node, "coordinate_transformation_mode", "half_pixel");
        string rounding = legacy ? "floor" : String(node, "nearest_mode", "round_prefer_floor");
        double[] scales = ResizeScales(node, x.Shape, legacy);
        if (scales[0] != 1 || scales[1] != 1) throw Refuse(node, "it resizes the batch or channel axis");
        var factor = new int[2];
        var sizes = new[] { x.Shape.Height, x.Shape.Width };
        for (int i = 0; i < 2; i++)
        {
            double s = scales[i + 2];
            if (s < 1 || s > 1 << 16 || Math.Floor(s) != s) throw Refuse(node, $"it scales axis {i + 2} by {s}; CnnGen upsamples by whole factors");
            factor[i] = (int)s;
        }
        UpsampleOp op;
        switch (mode)
        {
            case "nearest":
                for (int i = 0; i < 2; i++)
                    if (!NearestIsFloor(sizes[i], factor[i], transform, rounding))
                        throw Refuse(node, $"its nearest samples (coordinate_transformation_mode {transform}, nearest_mode {rounding}) are not PyTorch's nearest upsampling (floor(out / scale)) along axis {i + 2}");
                op = new UpsampleOp(factor[0], factor[1]) { Mode = "nearest" };
                break;
            case "linear" or "bilinear":
                bool alignCorners = transform == "align_corners";
                // half_pixel and pytorch_half_pixel agree unless an output axis has one sample, which an upsampling never has
                if (!alignCorners && transform is not ("half_pixel" or "pytorch_half_pixel") && !(factor[0] == 1 && factor[1] == 1))
                    throw Refuse(node, $"its linear samples (coordinate_transformation_mode {transform}) are not PyTorch's bilinear upsampling (half_pixel, or align_corners)");
                op = new UpsampleOp(factor[0], factor[1]) { Mode = "bilinear", AlignCorners = alignCorners };
                break;
            default:
                throw Refuse(node, $"its mode '{mode}' is not one CnnGen upsamples with (nearest, linear)");
        }
        Emit(node, op, Array.Empty<WeightSource>());
    }

    /// <summary>The scale of each of the four axes: the scales attribute or input, or the sizes input divided by the input's.</summary>
    private double[] ResizeScales(OnnxNode node, FeatureShape shape, bool legacy)
    {
        var dims = new long[] { 1, shape.Channels, shape.Height, shape.Width };
        if (node.OpType == "Upsample" && _opset < 9)
        {
            var attribute = Floats(node, "scales") ?? throw Refuse(node, "it has no scales");
            return Four(node, attribute.Select(f => (double)f).ToArray());
        }
        // Upsample 9 and Resize 10: X, scales; Resize 11+: X, roi, scales, sizes
        int scalesIndex = legacy ? 1 : 2;
        var scales = OptionalConstant(node, scalesIndex);
        if (scales is not null && scales.Count > 0)
        {
            if (scales.Values is null) throw Refuse(node, "its scales are not known when the code is generated");
            return Four(node, scales.Values.Select(v => (double)(float)v).ToArray());
        }
        var sizes = legacy ? null : OptionalConstant(node, 3);
        if (sizes is null || sizes.Count == 0) throw Refuse(node, "it has neither scales nor sizes");
        var target = sizes.Longs() ?? throw Refuse(node, "its sizes are not known when the code is generated");
        if (target.Length != 4) throw Refuse(node, $"its sizes {Text(target)} do not have 4 entries");
        var result = new double[4];
        for (int i = 0; i < 4; i++)
        {
            if (i == 0) { result[0] = 1; continue; }
            if (target[i] % dims[i] != 0) throw Refuse(node, $"its size {target[i]} along axis {i} is not a whole multiple of {dims[i]}");
            result[i] = target[i] / dims[i];
        }
        return result;
    }

    private static double[] Four(OnnxNode node, double[] scales) =>
        scales.Length == 4 ? scales : throw Refuse(node, $"its scales have {scales.Length} entries, not 4");

    /// <summary>Whether ONNX's nearest sample for every output index is floor(out / scale), as PyTorch's nearest upsampling takes it.</summary>
    private static bool NearestIsFloor(int input, int scale, string transform, string rounding)
    {
        int output = input * scale;
        for (int o = 0; o < output; o++)
        {
            double source = transform switch
            {
                "asymmetric" => (double)o / scale,
                "half_pixel" => (o + 0.5) / scale - 0.5,
                "pytorch_half_pixel" => output > 1 ? (o + 0.5) / scale - 0.5 : 0,
                "align_corners" => output == 1 ? 0 : o * (input - 1.0) / (output - 1.0),
                _ => double.NaN,
            };
            double picked = rounding switch
            {
                "floor" => Math.Floor(source),
                "ceil" => Math.Ceiling(source),
                "round_prefer_floor" => source - Math.Floor(source) == 0.5 ? Math.Floor(source) : Math.Round(source, MidpointRounding.AwayFromZero),
                "round_prefer_ceil" => source - Math.Floor(source) == 0.5 ? Math.Ceiling(source) : Math.Round(source, MidpointRounding.AwayFromZero),
                _ => double.NaN,
            };
            picked = Math.Max(0, Math.Min(input - 1, picked));
            if (double.IsNaN(source) || double.IsNaN(picked) || picked != o / scale) return false;
        }
        return true;
    }
}
