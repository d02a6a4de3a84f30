using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// nn.ConvTranspose2d as a gather: output row oy takes the kernel rows ky whose scatter lands on it,
    /// those with oy + P - ky * D a multiple of S (input row (oy + P - ky * D) / S), which repeat every
    /// S / gcd(S, D) taps from the first; the same along the columns. So no product is of an inserted
    /// zero, and each output is one sum, written once.
    /// </summary>
    private static void WriteTransposedConvolution(SourceWriter w, int index, ConvTransposeOp op, LayerShapes s, Epilogue? epilogue)
    {
        var input = s.Input;
        var output = s.Output;
        int groups = op.Groups, channelsPerGroup = input.Channels / groups, filtersPerGroup = op.Filters / groups;
        var weight = s.Tensors[0];
        WriteSummary(w, index, op, s);
        if (epilogue is not null) w.WriteLine($"/// <remarks>Applies the {epilogue.Op.Kind} of layer {epilogue.Index} as it stores.</remarks>");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)");
        using (w.OpenBlock($"for (int f = 0; f < {op.Filters}; f++)"))
        {
            if (groups == 1) w.WriteLine("const int group = 0; int member = f;");
            else w.WriteLine($"int group = f / {filtersPerGroup}, member = f - group * {filtersPerGroup};");
            w.WriteLine(op.Bias ? $"float bias = p[{Linear(s.Tensors[1].Offset, ("f", 1))}];" : "const float bias = 0f;");
            using (w.OpenBlock($"for (int oy = 0; oy < {output.Height}; oy++)"))
            {
                WriteFirstTap(w, "y", "oy", op.PaddingHeight, op.StrideHeight, op.DilationHeight, op.KernelHeight);
                w.WriteLine($"{Span} row = y.Slice({Linear(0, ("f", output.Plane), ("oy", output.Width))}, {output.Width});");
                using (w.OpenBlock($"for (int ox = 0; ox < {output.Width}; ox++)"))
                {
                    WriteFirstTap(w, "x", "ox", op.PaddingWidth, op.StrideWidth, op.DilationWidth, op.KernelWidth);
                    w.WriteLine("float acc = bias;");
                    using (w.OpenBlock($"for (int ky = ky0; ky >= 0 && ky < {op.KernelHeight}; ky += {PhaseAxis.TapStepOf(op.StrideHeight, op.DilationHeight)})"))
                    {
                        w.WriteLine($"int iy = {SourceOf("ty", "ky", op.StrideHeight, op.DilationHeight)};");
                        // rows only fall as ky grows: past the top, no later tap lands inside
                        w.WriteLine("if (iy < 0) break;");
                        w.WriteLine($"if (iy >= {input.Height}) continue;");
                        using (w.OpenBlock($"for (int kx = kx0; kx >= 0 && kx < {op.KernelWidth}; kx += {PhaseAxis.TapStepOf(op.StrideWidth, op.DilationWidth)})"))
                        {
                            w.WriteLine($"int ix = {SourceOf("tx", "kx", op.StrideWidth, op.DilationWidth)};");
                            w.WriteLine("if (ix < 0) break;");
                            w.WriteLine($"if (ix >= {input.Width}) continue;");
                            // weight [InChannels, Filters / Groups, KH, KW]: channel c's kernel for this filter
                            w.WriteLine($"int pixel = {Linear(0, ("group", channelsPerGroup * input.Plane), ("iy", input.Width), ("ix", 1))};");
                            w.WriteLine($"int tap = {Linear(weight.Offset, ("group", channelsPerGroup * filtersPerGroup * op.KernelHeight * op.KernelWidth), ("member", op.KernelHeight * op.KernelWidth), ("ky", op.KernelWidth), ("kx", 1))};");
                            w.WriteLine($"for (int c = 0; c < {channelsPerGroup}; c++) acc += x[{Linear(0, ("pixel", 1), ("c", input.Plane))}] * p[{Linear(0, ("tap", 1), ("c", filtersPerGroup * op.KernelHeight * op.KernelWidth))}];");
                        }
                    }
                    w.WriteLine($"row[ox] = {Epilogues.Scalar(epilogue, "acc")};");
                }
            }
        }
    }

    /// <summary>
    /// A transposed convolution run as its stride phases: each phase with taps is a convolution step of its
    /// own (run before this one), whose output this copies to the outputs of its phase, every S-th row and
    /// column from the phase's first; the phases no tap reaches are the bias. With a stride of 2 across, the
    /// two phases of a row residue alternate along each output row: they are zipped together in vectors.
    /// </summary>
    private static void WriteStridePhaseInterleave(SourceWriter w, Step step, ConvTransposeOp op)
    {
        var s = step.Shapes;
        var output = s.Output;
        var phases = step.Phases;
        int withTaps = phases.Count(p => p.HasTaps);
        string Store(string value) => Epilogues.Scalar(step.Epilogue, value);
        WriteSummary(w, step.Index, op, s);
        w.WriteLine($"/// <remarks>Its {withTaps} stride phase(s) with taps ran as convolutions (the methods {MethodName(step)}Phase...): this interleaves their outputs{(withTaps < phases.Count ? ", and fills the outputs no tap reaches with the bias" : "")}.</remarks>");
        if (step.Epilogue is { } epilogue) w.WriteLine($"/// <remarks>Applies the {epilogue.Op.Kind} of layer {epilogue.Index} as it stores.</remarks>");
        if (step.OutputLayout == Layout.ChannelsLast) w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's filters side by side.</remarks>");
        var parameters = Enumerable.Range(0, withTaps).Select(k => $"{ReadOnlySpan} phase{k}").Append($"{Span} y").Append($"{ReadOnlySpan} p");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(step)}({string.Join(", ", parameters)})");
        // phase k's convolution output is the k-th of the inputs, counting phases with taps only
        var sources = new int[phases.Count];
        for (int k = 0, next = 0; k < phases.Count; k++) sources[k] = phases[k].HasTaps ? next++ : -1;
        if (step.OutputLayout == Layout.ChannelsLast)
        {
            WriteChannelsLastInterleave(w, step, op, sources);
            return;
        }
        for (int k = 0; k < phases.Count; k++)
        {
            var phase = phases[k];
            if (ZipsWithNext(step, k))
            {
                var partner = phases[k + 1];
                var (first, second) = phase.Columns.FirstOutput == 0 ? (k, k + 1) : (k + 1, k);
                var rows = phase.Rows;
                w.WriteLine($"// phases ({rows.Residue}, {phase.Columns.Residue}) and ({rows.Residue}, {partner.Columns.Residue}): rows {rows.FirstOutput} + {rows.Stride}i for i < {rows.Count}, " +
                            $"whose even columns are phase{sources[first]}'s and odd columns phase{sources[second]}'s");
                using (w.OpenBlock($"for (int f = 0; f < {op.Filters}; f++)"))
                using (w.OpenBlock($"for (int i = 0; i < {rows.Count}; i++)"))
                {
                    w.WriteLine($"{Span} to = y.Slice({Linear(rows.FirstOutput * output.Width, ("f", output.Plane), ("i", rows.Stride * output.Width))}, {output.Width});");
                    w.WriteLine($"{ZipHelper}({PhaseRow(phases[first], sources[first], op)}, {PhaseRow(phases[second], sources[second], op)}, to);");
                }
                k++;
                continue;
            }
            var (r, c) = (phase.Rows, phase.Columns);
            // the outputs at rows FirstOutput + i * S, columns FirstOutput + j * S: a row of them spans (Count - 1) * S + 1 floats
            int span = (c.Count - 1) * c.Stride + 1;
            w.WriteLine($"// phase ({r.Residue}, {c.Residue}): rows {r.FirstOutput} + {r.Stride}i for i < {r.Count}, columns {c.FirstOutput} + {c.Stride}j for j < {c.Count}" +
                (phase.HasTaps ? $", from phase{sources[k]}'s [{op.Filters}, {r.SourceSize}, {c.SourceSize}] at row {r.SourceOffset}, column {c.SourceOffset}" : ": no tap lands, the bias"));
            using (w.OpenBlock($"for (int f = 0; f < {op.Filters}; f++)"))
            {
                if (!phase.HasTaps) w.WriteLine($"float value = {Store(BiasOf(step, op))};");
                using (w.OpenBlock($"for (int i = 0; i < {r.Count}; i++)"))
                {
                    w.WriteLine($"{Span} to = y.Slice({Linear(r.FirstOutput * output.Width + c.FirstOutput, ("f", output.Plane), ("i", r.Stride * output.Width))}, {span});");
                    if (!phase.HasTaps)
                    {
                        w.WriteLine(c.Stride == 1 ? "to.Fill(value);" : $"for (int j = 0; j < {c.Count}; j++) to[j * {c.Stride}] = value;");
                        continue;
                    }
                    w.WriteLine($"{ReadOnlySpan} from = {PhaseRow(phase, sources[k], op)};");
                    if (c.Stride == 1 && step.Epilogue is null) w.WriteLine("from.CopyTo(to);");
                    else w.WriteLine($"for (int j = 0; j < {c.Count}; j++) to[{(c.Stride == 1 ? "j" : $"j * {c.Stride}")}] = {Store("from[j]")};");
                }
            }
        }
    }

    /// <summary>
    /// The interleave between channels-last values: each output pixel of a phase is its convolution's pixel (the
    /// filters side by side) copied whole; a phase no tap reaches is the bias at every pixel.
    /// </summary>
    private static void WriteChannelsLastInterleave(SourceWriter w, Step step, ConvTransposeOp op, int[] sources)
    {
        var output = step.Shapes.Output;
        int filters = op.Filters;
        for (int k = 0; k < step.Phases.Count; k++)
        {
            var (r, c) = (step.Phases[k].Rows, step.Phases[k].Columns);
            w.WriteLine($"// phase ({r.Residue}, {c.Residue}): rows {r.FirstOutput} + {r.Stride}i for i < {r.Count}, columns {c.FirstOutput} + {c.Stride}j for j < {c.Count}" +
                (sources[k] >= 0 ? $", from phase{sources[k]}'s [{r.SourceSize}, {c.SourceSize}, {filters}] at row {r.SourceOffset}, column {c.SourceOffset}" : ": no tap lands, the bias"));
            using (w.OpenBlock($"for (int i = 0; i < {r.Count}; i++)"))
            using (w.OpenBlock($"for (int j = 0; j < {c.Count}; j++)"))
            {
                string to = $"y.Slice({Linear(r.FirstOutput * output.Width * filters + c.FirstOutput * filters, ("i", r.Stride * output.Width * filters), ("j", c.Stride * filters))}, {filters})";
                if (sources[k] >= 0)
                {
                    string from = $"phase{sources[k]}.Slice({Linear((r.SourceOffset * c.SourceSize + c.SourceOffset) * filters, ("i", c.SourceSize * filters), ("j", filters))}, {filters})";
                    WriteChannelCopy(w, from, to, filters, step.Epilogue);
                }
                else
                {
                    w.WriteLine($"var to = {to};");
                    w.WriteLine($"for (int f = 0; f < {filters}; f++) to[f] = {Epilogues.Scalar(step.Epilogue, BiasOf(step, op))};");
                }
            }
        }
    }

    /// <summary>Filter f's bias, where no tap of a stride phase lands: the transposed convolution's, or 0 without one.</summary>
    private static string BiasOf(Step step, ConvTransposeOp op) => op.Bias ? $"p[{Linear(step.Shapes.Tensors[1].Offset, ("f", 1))}]" : "0f";

    /// <summary>Row i of filter f of a phase's kept outputs, as a slice of its convolution's output.</summary>
    private static string PhaseRow(TransposedPhase phase, int source, ConvTransposeOp op)
    {
        var (rows, columns) = (phase.Rows, phase.Columns);
        int plane = rows.SourceSize * columns.SourceSize;
        return $"phase{source}.Slice({Linear(rows.SourceOffset * columns.SourceSize + columns.SourceOffset, ("f", plane), ("i", columns.SourceSize))}, {columns.Count})";
    }

    /// <summary>
    /// Phase k and the next are a row residue's two phases across a stride of 2, both with taps: together
    /// they are every column of their rows, alternating, in PyTorch's layout (channels-last copies whole pixels). With
    /// an epilogue to apply the copy stays scalar.
    /// </summary>
    private static bool ZipsWithNext(Step step, int k) =>
        step.Epilogue is null && step.OutputLayout == Layout.ChannelsFirst && k + 1 < step.Phases.Count && step.Phases[k] is { HasTaps: true, Columns.Stride: 2 } phase &&
        step.Phases[k + 1] is { HasTaps: true } next && next.Rows == phase.Rows && phase.Columns.Count + next.Columns.Count == step.Shapes.Output.Width;

    private const string ZipHelper = "CnnGenZipColumns";

    /// <summary>Whether a step calls the zip helper.</summary>
    private static bool UsesZip(Step step) => step.Op is ConvTransposeOp && Enumerable.Range(0, step.Phases.Count).Any(k => ZipsWithNext(step, k));

    /// <summary>
    /// The helper that zips two phases' rows: to = first[0], second[0], first[1], second[1], ... On vectors,
    /// each half of the output's vector is the shuffle of one input vector that doubles its lanes, and the
    /// odd lanes are taken from the second's.
    /// </summary>
    private static void WriteZipHelper(SourceWriter w)
    {
        w.WriteLine();
        w.WriteLine("/// <summary>to = first[0], second[0], first[1], second[1], ...: two stride phases' columns zipped (first may have one more).</summary>");
        using (OpenOptimizedMethod(w, $"private static void {ZipHelper}({ReadOnlySpan} first, {ReadOnlySpan} second, {Span} to)"))
        {
            w.WriteLine("int n = second.Length;");
            w.WriteLine("// what the unchecked loads and stores below rely on; the generator calls it with lengths that hold");
            WriteThrowIf(w, "if ((uint)(first.Length - n) > 1u || to.Length != first.Length + n)", "throw new global::System.ArgumentException(\"The rows to zip have lengths that do not fit.\");");
            w.WriteLine($"ref float a = ref {MemoryMarshal}.GetReference(first);");
            w.WriteLine($"ref float b = ref {MemoryMarshal}.GetReference(second);");
            w.WriteLine($"ref float t = ref {MemoryMarshal}.GetReference(to);");
            w.WriteLine("int j = 0;");
            foreach (var (vector, lanes) in FixedVectors)
            {
                string Indices(int from) => $"{vector}.Create({string.Join(", ", Enumerable.Range(0, lanes).Select(l => from + l / 2))})";
                string oddLanes = $"{vector}.AsSingle({vector}.Create({string.Join(", ", Enumerable.Range(0, lanes).Select(l => l % 2 == 0 ? "0" : "-1"))}))";
                using (w.OpenBlock($"if ({vector}.IsHardwareAccelerated)"))
                using (w.OpenBlock($"for (; j <= n - {lanes}; j += {lanes})"))
                {
                    w.WriteLine($"var x = {vector}.LoadUnsafe(ref a, (nuint)j);");
                    w.WriteLine($"var z = {vector}.LoadUnsafe(ref b, (nuint)j);");
                    foreach (int half in new[] { 0, 1 })
                    {
                        string indices = Indices(half * lanes / 2);
                        string offset = half == 0 ? "2 * j" : $"2 * j + {lanes}";
                        w.WriteLine($"{vector}.StoreUnsafe({vector}.ConditionalSelect({oddLanes}, {vector}.Shuffle(z, {indices}), {vector}.Shuffle(x, {indices})), ref t, (nuint)({offset}));");
                    }
                }
            }
            using (w.OpenBlock("for (; j < n; j++)"))
            {
                w.WriteLine("to[2 * j] = first[j];");
                w.WriteLine("to[2 * j + 1] = second[j];");
            }
            w.WriteLine("if (first.Length > n) to[2 * n] = first[n];");
        }
    }

    /// <summary>
    /// A stride phase's kernel from the transposed convolution's weight [InChannels, Filters / Groups, KH, KW]:
    /// [Filters, InChannels / Groups, taps down, taps across], the phase's taps in reverse order.
    /// </summary>
    private static void WritePhaseWeights(SourceWriter w, Step step, TransposedPhase phase)
    {
        var conv = (ConvolutionOp)step.Op;
        var weight = step.Shapes.Tensors[0];
        int channelsPerGroup = step.Shapes.Input.Channels / conv.Groups, filtersPerGroup = conv.Filters / conv.Groups;
        int kernelHeight = weight.Dimensions[2], kernelWidth = weight.Dimensions[3];
        var (rows, columns) = (phase.Rows, phase.Columns);
        w.WriteLine($"// layer {step.Index}: the kernel [{conv.Filters}, {channelsPerGroup}, {rows.Taps}, {columns.Taps}] of stride phase ({rows.Residue}, {columns.Residue}) at {step.DerivedOffset}: " +
                    $"taps {rows.FirstTap} + {rows.TapStep}a down and {columns.FirstTap} + {columns.TapStep}b across of the weight [{string.Join(", ", weight.Dimensions)}], reversed");
        using (w.OpenBlock($"for (int f = 0; f < {conv.Filters}; f++)"))
        {
            if (conv.Groups == 1) w.WriteLine("const int group = 0; int member = f;");
            else w.WriteLine($"int group = f / {filtersPerGroup}, member = f - group * {filtersPerGroup};");
            using (w.OpenBlock($"for (int c = 0; c < {channelsPerGroup}; c++)"))
            using (w.OpenBlock($"for (int a = 0; a < {rows.Taps}; a++)"))
            using (w.OpenBlock($"for (int b = 0; b < {columns.Taps}; b++)"))
            {
                // tap j of the phase is tap FirstTap + (Taps - 1 - j) * TapStep of the layer
                w.WriteLine($"int ky = {Countdown(rows.Tap(0), "a", rows.TapStep)}, kx = {Countdown(columns.Tap(0), "b", columns.TapStep)};");
                string from = Linear(weight.Offset, ("group", channelsPerGroup * weight.Dimensions[1] * kernelHeight * kernelWidth), ("c", weight.Dimensions[1] * kernelHeight * kernelWidth),
                    ("member", kernelHeight * kernelWidth), ("ky", kernelWidth), ("kx", 1));
                string to = Linear(step.DerivedOffset, ("f", channelsPerGroup * rows.Taps * columns.Taps), ("c", rows.Taps * columns.Taps), ("a", columns.Taps), ("b", 1));
                w.WriteLine($"p[{to}] = p[{from}];");
            }
        }
    }

    /// <summary>
    /// t{a} = o + P, and k{a}0: the first tap whose scatter lands on output o (t - k * D a multiple of S),
    /// or -1 when none does. The taps that land repeat every S / gcd(S, D), so the first lies among those.
    /// </summary>
    private static void WriteFirstTap(SourceWriter w, string a, string at, int padding, int stride, int dilation, int kernel)
    {
        w.WriteLine($"int t{a} = {Linear(padding, (at, 1))};");
        if (stride == 1)
        {
            w.WriteLine($"const int k{a}0 = 0;");
            return;
        }
        int candidates = System.Math.Min(kernel, PhaseAxis.TapStepOf(stride, dilation));
        w.WriteLine($"int k{a}0 = -1;");
        w.WriteLine($"for (int k = 0; k < {candidates}; k++) if (({(dilation == 1 ? $"t{a} - k" : $"t{a} - k * {dilation}")}) % {stride} == 0) {{ k{a}0 = k; break; }}");
    }

    /// <summary>"5 - a * 2", "1 - b", or "0" for a one-tap axis.</summary>
    private static string Countdown(int first, string variable, int step) =>
        first == 0 ? "0" : step == 1 ? $"{first} - {variable}" : $"{first} - {variable} * {Literal.Int(step)}";


    /// <summary>The input position tap k scatters from onto t = o + P: (t - k * D) / S, exact for the taps that land.</summary>
    private static string SourceOf(string t, string k, int stride, int dilation)
    {
        string difference = dilation == 1 ? $"{t} - {k}" : $"{t} - {k} * {Literal.Int(dilation)}";
        return stride == 1 ? difference : $"({difference}) / {Literal.Int(stride)}";
    }
}
