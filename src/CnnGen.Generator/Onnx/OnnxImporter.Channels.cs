using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Onnx;

/// <summary>
/// The ops that take or reorder channels, as ShuffleNet exports them: Split and Slice along the channels (axis 1)
/// become <see cref="ChannelSliceOp"/>s, and the channel shuffle's Reshape to [N, G, C / G, H, W], Transpose perm
/// [0, 2, 1, 3, 4] and Reshape back (or [N, G, C / G, L] and [0, 2, 1, 3] on a sequence) one
/// <see cref="ChannelShuffleOp"/>. Splits and slices of other axes, and any other Reshape or Transpose of those
/// grouped channels, are refused.
/// </summary>
internal sealed partial class OnnxImporter
{
    /// <summary>Reshapes of an activation to [N, G, C / G, ...], waiting for the Transpose of a channel shuffle: the activation and G.</summary>
    private readonly Dictionary<string, (ElementwiseValue Input, int Groups)> _channelGroups = new();

    /// <summary>Those groups transposed to [N, C / G, G, ...], waiting for the Reshape back that completes the shuffle.</summary>
    private readonly Dictionary<string, (ElementwiseValue Input, int Groups)> _transposedGroups = new();

    /// <summary>Split along the channels: each output that some node (or the graph) reads is its part of them.</summary>
    private void Split(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        int rank = x.Shape.Rank + 1;
        long axis = Int(node, "axis", 0);
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized != 1)
            throw Refuse(node, $"it splits axis {axis} of [N, {string.Join(", ", Dims(x.Shape))}]; CnnGen splits only the channels (axis 1)");
        var sizes = SplitSizes(node, x.Shape.Channels);
        long start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            string output = node.Outputs[i];
            if (output.Length > 0 && _consumers.ContainsKey(output))
            {
                if (sizes[i] == 0) throw Refuse(node, $"its output {i} ('{output}') is read but holds none of the channels; CnnGen's values have at least one");
                Define(node, i, ChannelPart(node, x, (int)start, (int)sizes[i], $"{NameOf(node)} (output {i})"));
            }
            start += sizes[i];
        }
    }

    /// <summary>
    /// The channels of each of Split's outputs: the split attribute (the second input at opset 1, and from opset 13
    /// on), or equal parts when it is absent.
    /// </summary>
    private long[] SplitSizes(OnnxNode node, int channels)
    {
        int parts = node.Outputs.Count;
        if (parts == 0) throw Refuse(node, "it has no outputs");
        long[]? split = _opset >= 13 || _opset < 2 && Input(node, 1) is not null
            ? Input(node, 1) is null ? null : Longs(node, 1, "split sizes")
            : Ints(node, "split");
        if (split is null)
        {
            if (channels % parts != 0) throw Refuse(node, $"it splits {channels} channels into {parts} equal parts, which ONNX requires to divide them");
            return Enumerable.Repeat((long)(channels / parts), parts).ToArray();
        }
        if (split.Length != parts) throw Refuse(node, $"its split {Text(split)} gives {split.Length} sizes for its {parts} outputs");
        if (split.Any(s => s < 0 || s > channels) || split.Sum() != channels)
            throw Refuse(node, $"its split {Text(split)} does not divide the {channels} channels of its input");
        return split;
    }

    /// <summary>
    /// x[:, a:b] (any other axis it names taken whole): channels a to b - 1, the bounds clamped as ONNX clamps them
    /// (negative ones counted from the end, INT64_MAX the end), as a <see cref="ChannelSliceOp"/>.
    /// </summary>
    private void ChannelSlice(OnnxNode node, ElementwiseValue x, long[] starts, long[] ends, long[] axes, long[] steps)
    {
        var dims = Dims(x.Shape);
        if (starts.Length != ends.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw Refuse(node, $"its starts {Text(starts)}, ends {Text(ends)}, axes {Text(axes)} and steps {Text(steps)} differ in length");
        long first = 0, end = x.Shape.Channels;
        for (int k = 0; k < axes.Length; k++)
        {
            long axis = axes[k];
            if (axis < 0 || axis > dims.Length || Array.IndexOf(axes, axis) != k)
                throw Refuse(node, $"its axes {Text(axes)} are not distinct axes of [N, {string.Join(", ", dims)}]");
            if (steps[k] != 1) throw Refuse(node, $"its step along axis {axis} is {steps[k]}; CnnGen slices the channels with step 1");
            if (axis == 0)
            {
                // the whole batch, x[0:]: the batch size is known only at run time
                if (starts[k] == 0 && ends[k] >= int.MaxValue) continue;
                throw Refuse(node, $"it slices the batch ([{starts[k]}, {ends[k]}) of axis 0); CnnGen computes every sample");
            }
            long size = dims[axis - 1];
            long s = ClampSliceBound(starts[k], size), e = ClampSliceBound(ends[k], size);
            if (axis == 1)
            {
                (first, end) = (s, e);
                continue;
            }
            if (s != 0 || e != size)
                throw Refuse(node, $"it slices axis {axis} ([{s}, {e}) of {size}) with the channels; CnnGen slices the channels alone, the other axes whole");
        }
        if (end <= first) throw Refuse(node, $"it takes channels [{first}, {end}) of {x.Shape}, none; CnnGen's values have at least one");
        Define(node, 0, ChannelPart(node, x, (int)first, (int)(end - first), NameOf(node)));
    }

    /// <summary>A start or end of a step-1 Slice along an axis of <paramref name="size"/>: counted from the end when negative, then clamped to [0, size].</summary>
    private static long ClampSliceBound(long bound, long size) => Math.Max(0, Math.Min(size, bound < 0 ? bound + size : bound));

    /// <summary>Channels [start, start + length) of x: x itself when that is all of them, else a ChannelSliceOp reading it.</summary>
    private ElementwiseValue ChannelPart(OnnxNode node, ElementwiseValue x, int start, int length, string key)
    {
        if (start == 0 && length == x.Shape.Channels) return x;
        int input = Materialize(x, Describe(node));
        int value = AddNode(new ChannelSliceOp(start, length), new[] { input }, key, node.OpType, Array.Empty<WeightSource>());
        return NewValue(node, value);
    }

    /// <summary>
    /// A Reshape of x (a map or a sequence) to [N, G, C / G, H, W] ([N, G, C / G, L]): the first step of a channel
    /// shuffle when one Transpose alone reads it, set aside for that Transpose. False when the target is not such a
    /// grouping of x's channels.
    /// </summary>
    private bool StartsShuffle(OnnxNode node, ElementwiseValue x, long[] target)
    {
        var dims = Dims(x.Shape);
        if (x.Shape.IsFlat || target.Length != dims.Length + 1 || target[0] * target[1] != dims[0] || !target.Skip(2).SequenceEqual(dims.Skip(1))) return false;
        if (OnlyReader(node.Outputs[0]) is not { OpType: "Transpose" })
            throw Refuse(node, $"it groups the channels of {x.Shape} as {Text(target)} and a node other than one Transpose reads the result; CnnGen compiles this Reshape only as a channel shuffle's first step (Reshape, Transpose, Reshape), whose steps nothing else reads");
        _channelGroups[node.Outputs[0]] = (x, (int)target[0]);
        return true;
    }

    /// <summary>The channel shuffle's Transpose: perm [0, 2, 1, 3, 4] ([0, 2, 1, 3] on a sequence) swaps the groups and the channels in each, and one Reshape alone reads it.</summary>
    private void ShuffleTranspose(OnnxNode node, (ElementwiseValue Input, int Groups) grouped)
    {
        int rank = grouped.Input.Shape.Rank + 2;
        var swap = new long[] { 0, 2, 1 }.Concat(Enumerable.Range(3, rank - 3).Select(a => (long)a)).ToArray();
        var perm = Ints(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(a => (long)a).ToArray();
        if (!perm.SequenceEqual(swap))
            throw Refuse(node, $"it permutes the channel groups [N, G, C / G, ...] a Reshape made of {grouped.Input.Shape} with perm {Text(perm)}; CnnGen compiles this Transpose only as a channel shuffle's, perm {Text(swap)}");
        if (OnlyReader(node.Outputs[0]) is not { OpType: "Reshape" })
            throw Refuse(node, $"a node other than one Reshape reads the transposed channel groups of {grouped.Input.Shape}; CnnGen compiles this Transpose only inside a channel shuffle (Reshape, Transpose, Reshape), whose steps nothing else reads");
        _transposedGroups[node.Outputs[0]] = grouped;
    }

    /// <summary>The Reshape back to x's own shape [N, C, H, W] that completes the channel shuffle: a ChannelShuffleOp of G groups.</summary>
    private void EndShuffle(OnnxNode node, (ElementwiseValue Input, int Groups) shuffled)
    {
        var x = shuffled.Input;
        var dims = Dims(x.Shape);
        var (target, batch) = ReshapeTarget(node);
        // a 0 in the target copies the transposed value's dimension: [C / G, G, H, W]
        var transposed = new[] { dims[0] / shuffled.Groups, shuffled.Groups }.Concat(dims.Skip(1)).ToArray();
        var resolved = PerSampleTarget(node, target, batch, transposed, x.Shape.Length);
        if (resolved is null || !resolved.SequenceEqual(dims))
            throw Refuse(node, $"it reshapes the transposed channel groups of {x.Shape} to {Text(target)}; CnnGen compiles a channel shuffle that reshapes them back to [N, {string.Join(", ", dims)}]");
        int input = Materialize(x, Describe(node));
        int value = AddNode(new ChannelShuffleOp(shuffled.Groups), new[] { input }, NameOf(node), "Reshape/Transpose/Reshape", Array.Empty<WeightSource>());
        Define(node, 0, NewValue(node, value));
    }
}
