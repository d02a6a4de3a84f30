using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// nn.Upsample with whole factors. Nearest copies: each output row reads one input row (a row that
    /// reads the same one as the row before it is a copy of that row), each output column one input
    /// column. Bilinear mixes the two rows and two columns around each output's source position. Source
    /// positions are PyTorch's float arithmetic (<see cref="Upsampling"/>), so they agree with it for any factor.
    /// </summary>
    private static void WriteUpsample(SourceWriter w, int index, UpsampleOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        WriteSummary(w, index, op, s);
        using var _ = w.OpenBlock($"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)");
        using (w.OpenBlock($"for (int c = 0; c < {input.Channels}; c++)"))
        using (w.OpenBlock($"for (int oy = 0; oy < {output.Height}; oy++)"))
        {
            w.WriteLine($"{Span} row = y.Slice({Linear(0, ("c", output.Plane), ("oy", output.Width))}, {output.Width});");
            if (!op.IsBilinear)
            {
                w.WriteLine($"int iy = {NearestSource("oy", input.Height, op.ScaleHeight)};");
                using (w.OpenBlock($"if (oy > 0 && iy == {NearestSource("(oy - 1)", input.Height, op.ScaleHeight)})"))
                {
                    w.WriteLine($"y.Slice({Linear(-output.Width, ("c", output.Plane), ("oy", output.Width))}, {output.Width}).CopyTo(row);");
                    w.WriteLine("continue;");
                }
                w.WriteLine($"{ReadOnlySpan} source = x.Slice({Linear(0, ("c", input.Plane), ("iy", input.Width))}, {input.Width});");
                w.WriteLine($"for (int ox = 0; ox < {output.Width}; ox++) row[ox] = source[{NearestSource("ox", input.Width, op.ScaleWidth)}];");
                return;
            }
            WriteLinearSource(w, "oy", "y", input.Height, output.Height, op.ScaleHeight, op.AlignCorners);
            w.WriteLine($"{ReadOnlySpan} row0 = x.Slice({Linear(0, ("c", input.Plane), ("y0", input.Width))}, {input.Width});");
            w.WriteLine($"{ReadOnlySpan} row1 = x.Slice({Linear(0, ("c", input.Plane), ("y1", input.Width))}, {input.Width});");
            using (w.OpenBlock($"for (int ox = 0; ox < {output.Width}; ox++)"))
            {
                WriteLinearSource(w, "ox", "x", input.Width, output.Width, op.ScaleWidth, op.AlignCorners);
                // ATen's order: each row mixed along the width, then the two rows
                w.WriteLine("row[ox] = (row0[x0] * wx0 + row0[x1] * wx1) * wy0 + (row1[x0] * wx0 + row1[x1] * wx1) * wy1;");
            }
        }
    }

    /// <summary>ATen's nearest_idx: the position itself for a factor of 1, half of it for 2, else min(floor(d * (1/s)), In - 1) in float.</summary>
    private static string NearestSource(string at, int input, int scale) => scale switch
    {
        1 => at,
        2 => $"{at} >> 1",
        _ => $"{Epilogues.Math}.Min((int){Epilogues.MathF}.Floor({at} * {Literal.Float(Upsampling.InverseScale(scale))}), {input - 1})",
    };

    /// <summary>
    /// ATen's compute_source_index_and_lambda in float: {a}0 and {a}1, the input positions around
    /// output <paramref name="at"/>, and w{a}0 and w{a}1, their weights (the second is 0 where no second position is left).
    /// </summary>
    private static void WriteLinearSource(SourceWriter w, string at, string a, int input, int output, int scale, bool alignCorners)
    {
        if (output == input)
        {
            w.WriteLine($"int {a}0 = {at}, {a}1 = {at};");
            w.WriteLine($"const float w{a}0 = 1f, w{a}1 = 0f;");
            return;
        }
        string ratio = Literal.Float(Upsampling.LinearScale(input, output, scale, alignCorners));
        w.WriteLine(alignCorners
            ? $"float real{a} = {ratio} * {at};"
            : $"float real{a} = {Epilogues.Math}.Max({ratio} * ({at} + 0.5f) - 0.5f, 0f);");
        w.WriteLine($"int {a}0 = (int)real{a}, {a}1 = {a}0 < {input - 1} ? {a}0 + 1 : {a}0;");
        w.WriteLine($"float w{a}1 = {Epilogues.Math}.Clamp(real{a} - {a}0, 0f, 1f), w{a}0 = 1f - w{a}1;");
    }

    /// <summary>nn.PixelShuffle: channel c * r * r + i * r + j of the input fills output channel c at rows h * r + i, columns w * r + j.</summary>
    private static void WritePixelShuffle(SourceWriter w, int index, PixelShuffleOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        int r = op.Factor;
        WriteSummary(w, index, op, s);
        using var _ = w.OpenBlock($"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)");
        using (w.OpenBlock($"for (int c = 0; c < {output.Channels}; c++)"))
        using (w.OpenBlock($"for (int i = 0; i < {r}; i++)"))
        using (w.OpenBlock($"for (int j = 0; j < {r}; j++)"))
        {
            w.WriteLine($"{ReadOnlySpan} plane = x.Slice({Linear(0, ("c", r * r * input.Plane), ("i", r * input.Plane), ("j", input.Plane))}, {input.Plane});");
            using (w.OpenBlock($"for (int h = 0; h < {input.Height}; h++)"))
            {
                w.WriteLine($"{Span} target = y.Slice({Linear(0, ("c", output.Plane), ("h", r * output.Width), ("i", output.Width), ("j", 1))}, {(input.Width - 1) * r + 1});");
                w.WriteLine($"for (int w = 0; w < {input.Width}; w++) target[{(r == 1 ? "w" : $"w * {r}")}] = plane[{Linear(0, ("h", input.Width), ("w", 1))}];");
            }
        }
    }
}
