using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// F.pad(x, pads, mode): each row of the padded copy is its source row (for a row in the top or
    /// bottom padding, the row the mode reads), copied whole between its left and right borders, whose
    /// positions read the source row at indices fixed by the mode. The modes' limits (reflect padding
    /// below the size, circular at most the size) keep every index inside its row.
    /// </summary>
    private static void WritePad(SourceWriter w, int index, PadOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        WriteSummary(w, index, op, s);
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)");
        using (w.OpenBlock($"for (int c = 0; c < {input.Channels}; c++)"))
        {
            if (input.IsMap)
            {
                using (w.OpenBlock($"for (int oy = 0; oy < {output.Height}; oy++)"))
                {
                    string target = $"y.Slice({Linear(0, ("c", output.Plane), ("oy", output.Width))}, {output.Width})";
                    if (op.Mode == PadMode.Zeros)
                    {
                        // a row of the top or bottom padding is all zeros
                        using (w.OpenBlock($"if (oy < {op.PadTop} || oy >= {op.PadTop + input.Height})"))
                        {
                            w.WriteLine($"{target}.Clear();");
                            w.WriteLine("continue;");
                        }
                        w.WriteLine($"int iy = oy - {op.PadTop};");
                    }
                    else w.WriteLine($"int iy = {SourceIndex(op.Mode, "oy", op.PadTop, input.Height)};");
                    WritePaddedRow(w, op, $"x.Slice({Linear(0, ("c", input.Plane), ("iy", input.Width))}, {input.Width})", target, input.Width);
                }
            }
            else WritePaddedRow(w, op, $"x.Slice({Linear(0, ("c", input.Width))}, {input.Width})", $"y.Slice({Linear(0, ("c", output.Width))}, {output.Width})", input.Width);
        }
    }

    /// <summary>One row: the left border, the source row, the right border.</summary>
    private static void WritePaddedRow(SourceWriter w, PadOp op, string source, string target, int width)
    {
        w.WriteLine($"{ReadOnlySpan} row = {source};");
        w.WriteLine($"{Span} padded = {target};");
        if (op.PadLeft > 0)
            w.WriteLine($"for (int j = 0; j < {op.PadLeft}; j++) padded[j] = {BorderValue(op.Mode, SourceIndex(op.Mode, "j", op.PadLeft, width, side: -1))};");
        w.WriteLine($"row.CopyTo(padded.Slice({op.PadLeft}, {width}));");
        if (op.PadRight > 0)
            w.WriteLine($"for (int j = {op.PadLeft + width}; j < {op.PadLeft + width + op.PadRight}; j++) padded[j] = {BorderValue(op.Mode, SourceIndex(op.Mode, "j", op.PadLeft, width, side: 1))};");
    }

    /// <summary>What a border position holds: zero, or the source row at the index the mode reads.</summary>
    private static string BorderValue(PadMode mode, string sourceIndex) => mode == PadMode.Zeros ? "0f" : $"row[{sourceIndex}]";

    /// <summary>
    /// The source index a padded position reads, as an expression of its position <paramref name="at"/>
    /// in the padded axis (i = at - before lies outside [0, size) on the given side, or on either side
    /// when <paramref name="side"/> is 0): reflect mirrors about the edge without repeating it, replicate
    /// repeats the edge, circular wraps around once.
    /// </summary>
    private static string SourceIndex(PadMode mode, string at, int before, int size, int side = 0)
    {
        string i = before == 0 ? at : $"({at} - {before})";
        string below = mode switch
        {
            PadMode.Reflect => $"{before} - {at}",
            PadMode.Replicate => "0",
            PadMode.Circular => $"{at} + {size - before}",
            PadMode.Zeros => "0",
        };
        string above = mode switch
        {
            PadMode.Reflect => $"{2 * (size - 1) + before} - {at}",
            PadMode.Replicate => Literal.Int(size - 1),
            PadMode.Circular => $"{at} - {before + size}",
            PadMode.Zeros => "0",
        };
        return side switch
        {
            < 0 => below,
            > 0 => above,
            _ => $"{at} < {before} ? {below} : {at} >= {before + size} ? {above} : {i}",
        };
    }
}
