using System.Globalization;
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
    private static void WriteTransposedConvolution(SourceWriter w, int index, ConvTransposeOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        int groups = op.Groups, channelsPerGroup = input.Channels / groups, filtersPerGroup = op.Filters / groups;
        var weight = s.Tensors[0];
        WriteSummary(w, index, op, s);
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
                    w.WriteLine("row[ox] = acc;");
                }
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
