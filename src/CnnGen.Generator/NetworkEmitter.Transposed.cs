using System.Globalization;
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
        using var _ = w.OpenBlock($"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)");
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
                    using (w.OpenBlock($"for (int ky = ky0; ky >= 0 && ky < {op.KernelHeight}; ky += {TapStep(op.StrideHeight, op.DilationHeight)})"))
                    {
                        w.WriteLine($"int iy = {SourceOf("ty", "ky", op.StrideHeight, op.DilationHeight)};");
                        // rows only fall as ky grows: past the top, no later tap lands inside
                        w.WriteLine("if (iy < 0) break;");
                        w.WriteLine($"if (iy >= {input.Height}) continue;");
                        using (w.OpenBlock($"for (int kx = kx0; kx >= 0 && kx < {op.KernelWidth}; kx += {TapStep(op.StrideWidth, op.DilationWidth)})"))
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
    /// column from the phase's first; the phases no tap reaches are the bias.
    /// </summary>
    private static void WriteStridePhaseInterleave(SourceWriter w, Step step, ConvTransposeOp op)
    {
        var s = step.Shapes;
        var output = s.Output;
        var withTaps = step.Phases.Where(p => p.HasTaps).ToList();
        string Store(string value) => Epilogues.Scalar(step.Epilogue, value);
        WriteSummary(w, step.Index, op, s);
        w.WriteLine($"/// <remarks>Its {withTaps.Count} stride phase(s) with taps ran as convolutions (the methods {MethodName(step)}Phase...): this interleaves their outputs{(withTaps.Count < step.Phases.Count ? ", and fills the outputs no tap reaches with the bias" : "")}.</remarks>");
        if (step.Epilogue is { } epilogue) w.WriteLine($"/// <remarks>Applies the {epilogue.Op.Kind} of layer {epilogue.Index} as it stores.</remarks>");
        var parameters = withTaps.Select((_, k) => $"{ReadOnlySpan} phase{k}").Append($"{Span} y").Append($"{ReadOnlySpan} p");
        using var _ = w.OpenBlock($"private static void {MethodName(step)}({string.Join(", ", parameters)})");
        int source = 0;
        foreach (var phase in step.Phases)
        {
            var (rows, columns) = (phase.Rows, phase.Columns);
            // the outputs at rows FirstOutput + i * S, columns FirstOutput + j * S: a row of them spans (Count - 1) * S + 1 floats
            int span = (columns.Count - 1) * columns.Stride + 1;
            string to = $"y.Slice({Linear(rows.FirstOutput * output.Width + columns.FirstOutput, ("f", output.Plane), ("i", rows.Stride * output.Width))}, {span})";
            w.WriteLine($"// phase ({rows.Residue}, {columns.Residue}): rows {rows.FirstOutput} + {rows.Stride}i for i < {rows.Count}, columns {columns.FirstOutput} + {columns.Stride}j for j < {columns.Count}" +
                (phase.HasTaps ? $", from phase{source}'s [{op.Filters}, {rows.SourceSize}, {columns.SourceSize}] at row {rows.SourceOffset}, column {columns.SourceOffset}" : ": no tap lands, the bias"));
            using (w.OpenBlock($"for (int f = 0; f < {op.Filters}; f++)"))
            {
                if (!phase.HasTaps) w.WriteLine($"float value = {Store(op.Bias ? $"p[{Linear(s.Tensors[1].Offset, ("f", 1))}]" : "0f")};");
                using (w.OpenBlock($"for (int i = 0; i < {rows.Count}; i++)"))
                {
                    w.WriteLine($"{Span} to = {to};");
                    if (!phase.HasTaps)
                    {
                        w.WriteLine(columns.Stride == 1 ? "to.Fill(value);" : $"for (int j = 0; j < {columns.Count}; j++) to[j * {columns.Stride}] = value;");
                        continue;
                    }
                    int plane = rows.SourceSize * columns.SourceSize;
                    w.WriteLine($"{ReadOnlySpan} from = phase{source}.Slice({Linear(rows.SourceOffset * columns.SourceSize + columns.SourceOffset, ("f", plane), ("i", columns.SourceSize))}, {columns.Count});");
                    if (columns.Stride == 1 && step.Epilogue is null) w.WriteLine("from.CopyTo(to);");
                    else w.WriteLine($"for (int j = 0; j < {columns.Count}; j++) to[{(columns.Stride == 1 ? "j" : $"j * {columns.Stride}")}] = {Store("from[j]")};");
                }
            }
            if (phase.HasTaps) source++;
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
        int candidates = System.Math.Min(kernel, TapStep(stride, dilation));
        w.WriteLine($"int k{a}0 = -1;");
        w.WriteLine($"for (int k = 0; k < {candidates}; k++) if (({(dilation == 1 ? $"t{a} - k" : $"t{a} - k * {dilation}")}) % {stride} == 0) {{ k{a}0 = k; break; }}");
    }

    /// <summary>"5 - a * 2", "1 - b", or "0" for a one-tap axis.</summary>
    private static string Countdown(int first, string variable, int step) =>
        first == 0 ? "0" : step == 1 ? $"{first} - {variable}" : $"{first} - {variable} * {step.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>How far apart the taps landing on one output are: S / gcd(S, D).</summary>
    private static int TapStep(int stride, int dilation)
    {
        int a = stride, b = dilation;
        while (b != 0) (a, b) = (b, a % b);
        return stride / a;
    }

    /// <summary>The input position tap k scatters from onto t = o + P: (t - k * D) / S, exact for the taps that land.</summary>
    private static string SourceOf(string t, string k, int stride, int dilation)
    {
        string difference = dilation == 1 ? $"{t} - {k}" : $"{t} - {k} * {dilation.ToString(CultureInfo.InvariantCulture)}";
        return stride == 1 ? difference : $"({difference}) / {stride.ToString(CultureInfo.InvariantCulture)}";
    }
}
