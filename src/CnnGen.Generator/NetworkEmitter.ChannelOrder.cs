using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>The ops that take, reorder, pad or repeat channels without computing: a channel slice, shuffle, pad and repeat, in either layout.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>The most groups a channels-last shuffle writes out one statement each.</summary>
    private const int UnrolledGroups = 8;

    /// <summary>A channel-order step's summary, its layout's remark and its method, which reads x and writes y in one layout; <paramref name="channelsLast"/> says which.</summary>
    private static SourceWriter.Block OpenChannelOrderMethod(SourceWriter w, Planning.Step step, Op op, out bool channelsLast)
    {
        WriteSummary(w, step.Index, op, step.Shapes);
        channelsLast = step.OutputLayout == Planning.Layout.ChannelsLast;
        if (channelsLast) w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's channels side by side.</remarks>");
        return OpenOptimizedMethod(w, $"private static void {MethodName(step.Index, op)}({ReadOnlySpan} x, {Span} y)");
    }

    /// <summary>
    /// x[:, Start:Start + Length]: in PyTorch's layout one block of whole planes, copied at once; channels-last, each
    /// pixel's run of channels.
    /// </summary>
    private static void WriteChannelSlice(SourceWriter w, Planning.Step step, ChannelSliceOp op)
    {
        var s = step.Shapes;
        using (OpenChannelOrderMethod(w, step, op, out bool last))
        {
            if (!last)
            {
                w.WriteLine($"x.Slice({op.Start * s.Input.Plane}, {s.Output.Length}).CopyTo(y.Slice(0, {s.Output.Length}));");
                return;
            }
            using (w.OpenBlock($"for (int pixel = 0; pixel < {s.Output.Plane}; pixel++)"))
                WriteChannelCopy(w, $"x.Slice({Linear(op.Start, ("pixel", s.Input.Channels))}, {op.Length})", $"y.Slice({Linear(0, ("pixel", op.Length))}, {op.Length})", op.Length, null);
        }
    }

    /// <summary>
    /// nn.ChannelShuffle: output channel j * G + i is input channel i * (C / G) + j. In PyTorch's layout a plane copied
    /// per channel; channels-last, each pixel's channels gathered from the groups in turn.
    /// </summary>
    private static void WriteChannelShuffle(SourceWriter w, Planning.Step step, ChannelShuffleOp op)
    {
        var s = step.Shapes;
        int channels = s.Input.Channels, groups = op.Groups, members = channels / groups, plane = s.Input.Plane;
        using (OpenChannelOrderMethod(w, step, op, out bool last))
        {
            if (!last)
            {
                using (w.OpenBlock($"for (int group = 0; group < {groups}; group++)"))
                using (w.OpenBlock($"for (int member = 0; member < {members}; member++)"))
                    w.WriteLine($"x.Slice({Linear(0, ("group", members * plane), ("member", plane))}, {plane}).CopyTo(y.Slice({Linear(0, ("member", groups * plane), ("group", plane))}, {plane}));");
                return;
            }
            using (w.OpenBlock($"for (int pixel = 0; pixel < {plane}; pixel++)"))
            {
                w.WriteLine($"var from = x.Slice({Linear(0, ("pixel", channels))}, {channels});");
                w.WriteLine($"var to = y.Slice({Linear(0, ("pixel", channels))}, {channels});");
                using (w.OpenBlock($"for (int member = 0; member < {members}; member++)"))
                {
                    // a few groups (ShuffleNet's two) unrolled: one output run of stores per member
                    if (groups <= UnrolledGroups)
                        for (int group = 0; group < groups; group++)
                            w.WriteLine($"to[{Linear(group, ("member", groups))}] = from[{Linear(group * members, ("member", 1))}];");
                    else
                        using (w.OpenBlock($"for (int group = 0; group < {groups}; group++)"))
                            w.WriteLine($"to[{Linear(0, ("member", groups), ("group", 1))}] = from[{Linear(0, ("group", members), ("member", 1))}];");
                }
            }
        }
    }

    /// <summary>
    /// Zero channels before and after the input's: in PyTorch's layout two blocks of zero planes around one copy;
    /// channels-last, each pixel's run of zeros, channels and zeros. The zeros are written every call, as the buffer
    /// holds another value's floats between calls.
    /// </summary>
    private static void WriteChannelPad(SourceWriter w, Planning.Step step, ChannelPadOp op)
    {
        var s = step.Shapes;
        int channels = s.Input.Channels, padded = s.Output.Channels, plane = s.Input.Plane;
        using (OpenChannelOrderMethod(w, step, op, out bool last))
        {
            if (!last)
            {
                if (op.Before > 0) w.WriteLine($"y.Slice(0, {op.Before * plane}).Clear();");
                w.WriteLine($"x.Slice(0, {s.Input.Length}).CopyTo(y.Slice({op.Before * plane}, {s.Input.Length}));");
                if (op.After > 0) w.WriteLine($"y.Slice({(op.Before + channels) * plane}, {op.After * plane}).Clear();");
                return;
            }
            using (w.OpenBlock($"for (int pixel = 0; pixel < {plane}; pixel++)"))
            {
                w.WriteLine($"var to = y.Slice({Linear(0, ("pixel", padded))}, {padded});");
                if (op.Before > 0) w.WriteLine($"to.Slice(0, {op.Before}).Clear();");
                w.WriteLine($"x.Slice({Linear(0, ("pixel", channels))}, {channels}).CopyTo(to.Slice({op.Before}, {channels}));");
                if (op.After > 0) w.WriteLine($"to.Slice({op.Before + channels}, {op.After}).Clear();");
            }
        }
    }

    /// <summary>
    /// Each channel Repeats times in a row, for the depthwise convolution after it: in PyTorch's layout a plane copied
    /// per output channel; channels-last, each pixel's channels, each written Repeats times.
    /// </summary>
    private static void WriteChannelRepeat(SourceWriter w, Planning.Step step, ChannelRepeatOp op)
    {
        var s = step.Shapes;
        int channels = s.Input.Channels, repeats = op.Repeats, plane = s.Input.Plane;
        using (OpenChannelOrderMethod(w, step, op, out bool last))
        {
            if (!last)
            {
                using (w.OpenBlock($"for (int channel = 0; channel < {channels}; channel++)"))
                using (w.OpenBlock($"for (int copy = 0; copy < {repeats}; copy++)"))
                    w.WriteLine($"x.Slice({Linear(0, ("channel", plane))}, {plane}).CopyTo(y.Slice({Linear(0, ("channel", repeats * plane), ("copy", plane))}, {plane}));");
                return;
            }
            using (w.OpenBlock($"for (int pixel = 0; pixel < {plane}; pixel++)"))
            {
                w.WriteLine($"var from = x.Slice({Linear(0, ("pixel", channels))}, {channels});");
                w.WriteLine($"var to = y.Slice({Linear(0, ("pixel", channels * repeats))}, {channels * repeats});");
                using (w.OpenBlock($"for (int channel = 0; channel < {channels}; channel++)"))
                using (w.OpenBlock($"for (int copy = 0; copy < {repeats}; copy++)"))
                    w.WriteLine($"to[{Linear(0, ("channel", repeats), ("copy", 1))}] = from[channel];");
            }
        }
    }
}
