using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>Where a block's branches meet: a Residual's sum, a Concat, a Multiply's gate.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>y = body + shortcut (through the activation after it, if fused), a Vector&lt;float&gt; at a time on checked slices, then scalars.</summary>
    private static void WriteAdd(SourceWriter w, Planning.Step step, AddOp op)
    {
        var s = step.Shapes;
        WriteSummary(w, step.Index, op, s);
        if (step.Epilogue is { } epilogue) w.WriteLine($"/// <remarks>Applies the {epilogue.Op.Kind} of layer {epilogue.Index} as it stores.</remarks>");
        w.WriteLine("/// <remarks>Elementwise: y may be either input's buffer.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(step.Index, op)}({ReadOnlySpan} x, {ReadOnlySpan} shortcut, {Span} y)"))
        {
            WriteElementwise(w, s.Output.Length, "x", "shortcut", "+", step.Epilogue);
        }
    }

    /// <summary>
    /// y = x * gate: elementwise (in whatever order both share), or a [C, 1, 1] gate that scales each channel's plane by
    /// one factor; of a channels-last map, a vector of the gate's factors times that vector of channels at each pixel.
    /// </summary>
    private static void WriteMultiply(SourceWriter w, int index, MultiplyOp op, LayerShapes s, Planning.Layout layout)
    {
        FeatureShape x = s.Inputs[0], gate = s.Inputs[1];
        bool channelGate = MultiplyOp.IsChannelGate(x, gate);
        WriteSummary(w, index, op, s);
        if (layout == Planning.Layout.ChannelsLast) w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's channels side by side.</remarks>");
        w.WriteLine("/// <remarks>y may be x's buffer: each element is read before it is written.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {ReadOnlySpan} gate, {Span} y)"))
        {
            if (!channelGate)
            {
                WriteElementwise(w, x.Length, "x", "gate", "*");
                return;
            }
            if (layout == Planning.Layout.ChannelsLast)
            {
                WriteChannelsLastGate(w, x);
                return;
            }
            using (w.OpenBlock($"for (int c = 0; c < {x.Channels}; c++)"))
            {
                w.WriteLine("float factor = gate[c];");
                WritePlaneLoop(w, x.Plane, "c", v => $"{v} * factor", v => $"{v} * factor");
            }
        }
    }

    /// <summary>
    /// A channel gate over a channels-last map, a vector of channels at a time through every pixel: 512-bit vectors, then
    /// 128-bit ones for the rest (Vector&lt;float&gt; where AVX-512 is not accelerated), then floats. No vector
    /// overlaps another: y may be x's buffer, and an overlapping vector would scale some values twice.
    /// </summary>
    private static void WriteChannelsLastGate(SourceWriter w, FeatureShape x)
    {
        int channels = x.Channels, length = x.Length;
        // each span checked once to hold its floats, so that the loops' unchecked loads and stores stay inside them
        w.WriteLine($"ref float values = ref {MemoryMarshal}.GetReference(x.Slice(0, {length}));");
        w.WriteLine($"ref float factors = ref {MemoryMarshal}.GetReference(gate.Slice(0, {channels}));");
        w.WriteLine($"ref float result = ref {MemoryMarshal}.GetReference(y.Slice(0, {length}));");
        w.WriteLine("int c = 0;");
        void Vectors(SimdFlavor v)
        {
            using (w.OpenBlock($"for (; c <= {channels} - {v.Count}; c += {v.Count})"))
            {
                w.WriteLine($"var factor = {v.Load("factors", "c")};");
                using (w.OpenBlock($"for (int at = c; at < {length}; at += {channels})"))
                    w.WriteLine(v.Store($"{v.Load("values", "at")} * factor", "result", "at"));
            }
        }
        using (w.OpenBlock($"if ({SimdFlavor.Wide.IsHardwareAccelerated})"))
        {
            Vectors(SimdFlavor.Wide);
            if (channels % SimdFlavor.WideLanes >= 4) Vectors(SimdFlavor.Quarter);
        }
        using (w.OpenBlock($"else if ({SimdFlavor.Portable.IsHardwareAccelerated})"))
            Vectors(SimdFlavor.Portable);
        using (w.OpenBlock($"for (; c < {channels}; c++)"))
        {
            w.WriteLine("float factor = gate[c];");
            w.WriteLine($"for (int at = c; at < {length}; at += {channels}) y[at] = x[at] * factor;");
        }
    }

    /// <summary>
    /// y = cat(parts, dim = 1): each part's floats copied to where its channels start; between channels-last values,
    /// each pixel's channels from each part in turn.
    /// </summary>
    private static void WriteConcat(SourceWriter w, Planning.Step step, ConcatOp op)
    {
        var s = step.Shapes;
        var layout = step.OutputLayout;
        var parameters = new System.Collections.Generic.List<string>();
        for (int k = 0; k < s.Inputs.Count; k++) parameters.Add($"{ReadOnlySpan} part{k}");
        WriteSummary(w, step.Index, op, s);
        if (layout == Planning.Layout.ChannelsLast) w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's channels side by side.</remarks>");
        foreach (var slice in step.Slices)
            w.WriteLine($"/// <remarks>Reads part {slice.Part} in place, the ChannelSlice of layer {slice.Index}: channels {slice.Start} to {slice.Start + s.Inputs[slice.Part].Channels - 1} of a value of {slice.SourceChannels}.</remarks>");
        if (step.Shuffle is { } shuffle)
            w.WriteLine($"/// <remarks>Applies the ChannelShuffle of layer {shuffle.Index} ({shuffle.Op.Groups} groups) as it stores: part channel c of the joined channels lands at channel (c % {s.Output.Channels / shuffle.Op.Groups}) * {shuffle.Op.Groups} + c / {s.Output.Channels / shuffle.Op.Groups}.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(step.Index, op)}({string.Join(", ", parameters)}, {Span} y)"))
        {
            if (step.Shuffle is { } fused)
            {
                WriteShuffledConcat(w, step, fused);
                return;
            }
            if (layout == Planning.Layout.ChannelsLast)
            {
                int channels = s.Output.Channels, start = 0;
                using (w.OpenBlock($"for (int pixel = 0; pixel < {s.Output.Plane}; pixel++)"))
                {
                    for (int k = 0; k < s.Inputs.Count; k++)
                    {
                        int c = s.Inputs[k].Channels;
                        WriteChannelCopy(w, PartPixel(step, k), $"y.Slice({Linear(start, ("pixel", channels))}, {c})", c, null, Literal.Int(k));
                        start += c;
                    }
                }
                return;
            }
            int offset = 0;
            for (int k = 0; k < s.Inputs.Count; k++)
            {
                int length = s.Inputs[k].Length;
                w.WriteLine($"part{k}.Slice({PartStart(step, k)}, {length}).CopyTo(y.Slice({offset}, {length}));");
                offset += length;
            }
        }
    }

    /// <summary>
    /// A Concat that stores each joined channel c where the shuffle after it puts it. ShuffleNetV2's two parts of M
    /// channels in 2 groups interleave, channel j of the first part to 2j and of the second to 2j + 1: channels-last,
    /// 512-bit vectors of 16 channels from each part, spread to even and odd lanes by a shuffle each, make 32 outputs
    /// (the last 16 channels start at M - 16, rewriting some outputs with their own values). Anything else, and what
    /// has no 512-bit vectors, copies a channel at a time: its plane in PyTorch's layout, or per pixel channels-last.
    /// </summary>
    private static void WriteShuffledConcat(SourceWriter w, Planning.Step step, Planning.FusedShuffle shuffle)
    {
        var s = step.Shapes;
        var layout = step.OutputLayout;
        int channels = s.Output.Channels, plane = s.Output.Plane, groups = shuffle.Op.Groups, members = channels / groups;
        // joined channel c goes to channel (c % members) * groups + c / members (FusedShuffle.Destination)
        string Destination(string joined)
        {
            if (joined.Contains(' ')) joined = "(" + joined + ")";
            return $"{joined} % {members} * {groups} + {joined} / {members}";
        }
        if (layout == Planning.Layout.ChannelsFirst)
        {
            int start = 0;
            for (int k = 0; k < s.Inputs.Count; k++)
            {
                int count = s.Inputs[k].Channels;
                using (w.OpenBlock($"for (int c = 0; c < {count}; c++)"))
                    w.WriteLine($"part{k}.Slice({Linear(PartStart(step, k), ("c", plane))}, {plane}).CopyTo(y.Slice(({Destination(Linear(start, ("c", 1)))}) * {plane}, {plane}));");
                start += count;
            }
            return;
        }
        bool interleaves = shuffle.Op.Groups == 2 && s.Inputs.Count == 2 && s.Inputs[0].Channels == members && members >= SimdFlavor.WideLanes;
        using (w.OpenBlock($"for (int pixel = 0; pixel < {plane}; pixel++)"))
        {
            w.WriteLine($"var to = y.Slice({Linear(0, ("pixel", channels))}, {channels});");
            if (interleaves)
            {
                w.WriteLine($"var first = {PartPixel(step, 0)};");
                w.WriteLine($"var second = {PartPixel(step, 1)};");
                using (w.OpenBlock($"if ({SimdFlavor.Wide.IsHardwareAccelerated})"))
                {
                    int lanes = SimdFlavor.WideLanes;
                    string Indices(int half, int parity) => string.Join(", ", Enumerable.Range(0, lanes).Select(i => i % 2 == parity ? (half * lanes / 2 + i / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-1"));
                    using (w.OpenBlock($"for (int j = 0; ; j += {lanes})"))
                    {
                        w.WriteLine($"if (j > {members - lanes}) j = {members - lanes};");
                        w.WriteLine($"var a = {SimdFlavor.Wide.Static}.Create<float>(first.Slice(j, {lanes}));");
                        w.WriteLine($"var b = {SimdFlavor.Wide.Static}.Create<float>(second.Slice(j, {lanes}));");
                        for (int half = 0; half < 2; half++)
                            w.WriteLine($"{SimdFlavor.Wide.Static}.CopyTo({SimdFlavor.Wide.Static}.Shuffle(a, {SimdFlavor.Wide.Static}.Create({Indices(half, 0)})) | {SimdFlavor.Wide.Static}.Shuffle(b, {SimdFlavor.Wide.Static}.Create({Indices(half, 1)})), " +
                                        $"to.Slice({Linear(half * lanes, ("j", 2))}, {lanes}));");
                        w.WriteLine($"if (j == {members - lanes}) break;");
                    }
                    w.WriteLine("continue;");
                }
            }
            int offset = 0;
            for (int k = 0; k < s.Inputs.Count; k++)
            {
                int count = s.Inputs[k].Channels;
                w.WriteLine($"var from{k} = {PartPixel(step, k)};");
                using (w.OpenBlock($"for (int c = 0; c < {count}; c++)"))
                    w.WriteLine($"to[{Destination(Linear(offset, ("c", 1)))}] = from{k}[c];");
                offset += count;
            }
        }
    }

    /// <summary>A Concat's part <paramref name="k"/> read in place where it is a channel slice (<see cref="Planning.Passes.FuseSlicesIntoJoins"/>), or null.</summary>
    private static Planning.FusedSlice? SliceOf(Planning.Step step, int k) => step.Slices.FirstOrDefault(slice => slice.Part == k);

    /// <summary>Where part <paramref name="k"/> of a Concat in PyTorch's layout starts in its span: its first channel's plane.</summary>
    private static int PartStart(Planning.Step step, int k) => SliceOf(step, k) is { } slice ? slice.Start * step.Shapes.Inputs[k].Plane : 0;

    /// <summary>Part <paramref name="k"/>'s channels at a channels-last pixel ("pixel"): a run of its own, or of the value it is a slice of.</summary>
    private static string PartPixel(Planning.Step step, int k)
    {
        int count = step.Shapes.Inputs[k].Channels;
        return SliceOf(step, k) is { } slice
            ? $"part{k}.Slice({Linear(slice.Start, ("pixel", slice.SourceChannels))}, {count})"
            : $"part{k}.Slice({Linear(0, ("pixel", count))}, {count})";
    }

    /// <summary>
    /// A channels-last pixel's <paramref name="channels"/> floats copied from one slice to another, through the
    /// epilogue if there is one: Vector&lt;float&gt; at a time, then scalars.
    /// </summary>
    private static void WriteChannelCopy(SourceWriter w, string from, string to, int channels, Planning.Epilogue? epilogue, string name = "")
    {
        string source = "from" + name, destination = "to" + name, at = "f" + name;
        w.WriteLine($"var {source} = {from};");
        w.WriteLine($"var {destination} = {to};");
        w.WriteLine($"int {at} = 0;");
        using (w.OpenBlock($"if ({SimdFlavor.Portable.IsHardwareAccelerated})"))
        using (w.OpenBlock($"for (; {at} <= {channels} - {Vector}.Count; {at} += {Vector}.Count)"))
        {
            w.WriteLine($"var v = new {Vector}({source}.Slice({at}));");
            w.WriteLine($"{Epilogues.Vector(epilogue, SimdFlavor.Portable, "v")}.CopyTo({destination}.Slice({at}));");
        }
        w.WriteLine($"for (; {at} < {channels}; {at}++) {destination}[{at}] = {Epilogues.Scalar(epilogue, $"{source}[{at}]")};");
    }

    /// <summary>
    /// y[i] = a[i] op b[i] over <paramref name="length"/> floats, through the epilogue if there is one: 512-bit vectors
    /// where the CPU has them (a cache line each, the buffers being aligned), then Vector&lt;float&gt;, then scalars.
    /// </summary>
    private static void WriteElementwise(SourceWriter w, int length, string a, string b, string op, Planning.Epilogue? epilogue = null)
    {
        w.WriteLine("int i = 0;");
        var wide = SimdFlavor.Wide;
        if (length >= SimdFlavor.WideLanes)
        {
            using (w.OpenBlock($"if ({wide.IsHardwareAccelerated})"))
            {
                // each span checked once to hold the length, so that the loop's unchecked loads and stores stay inside it
                w.WriteLine($"ref float left = ref {MemoryMarshal}.GetReference({a}.Slice(0, {length}));");
                w.WriteLine($"ref float right = ref {MemoryMarshal}.GetReference({b}.Slice(0, {length}));");
                w.WriteLine($"ref float result = ref {MemoryMarshal}.GetReference(y.Slice(0, {length}));");
                using (w.OpenBlock($"for (; i <= {length - SimdFlavor.WideLanes}; i += {SimdFlavor.WideLanes})"))
                {
                    w.WriteLine($"var v = {wide.Load("left", "i")} {op} {wide.Load("right", "i")};");
                    w.WriteLine(wide.Store(Epilogues.Vector(epilogue, wide, "v"), "result", "i"));
                }
            }
        }
        using (w.OpenBlock($"if ({SimdFlavor.Portable.IsHardwareAccelerated} && {Vector}.Count <= {length})"))
        {
            using (w.OpenBlock($"for (; i <= {length} - {Vector}.Count; i += {Vector}.Count)"))
            {
                if (epilogue is null) w.WriteLine($"(new {Vector}({a}.Slice(i)) {op} new {Vector}({b}.Slice(i))).CopyTo(y.Slice(i));");
                else
                {
                    w.WriteLine($"var v = new {Vector}({a}.Slice(i)) {op} new {Vector}({b}.Slice(i));");
                    w.WriteLine($"{Epilogues.Vector(epilogue, SimdFlavor.Portable, "v")}.CopyTo(y.Slice(i));");
                }
            }
        }
        if (epilogue is null) w.WriteLine($"for (; i < {length}; i++) y[i] = {a}[i] {op} {b}[i];");
        else
        {
            using (w.OpenBlock($"for (; i < {length}; i++)"))
            {
                w.WriteLine($"float v = {a}[i] {op} {b}[i];");
                w.WriteLine($"y[i] = {Epilogues.Scalar(epilogue, "v")};");
            }
        }
    }
}
