using System.Collections.Generic;
using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// Most entries a position table (one per output column, or per row) may have. Past it an upsample computes its
    /// positions in the loop, so that a huge map does not turn into megabytes of source.
    /// </summary>
    private const int UpsampleTableCap = 4096;

    /// <summary>Most floats of scratch a bilinear upsample takes on the stack (its two mixed rows of the output's width).</summary>
    private const int UpsampleScratchCap = 4096;

    /// <summary>The explicit vector sizes a row gather (and a transposed convolution's zip) may use, widest first, with their lanes.</summary>
    private static readonly (string Static, int Lanes)[] FixedVectors =
    {
        ("global::System.Runtime.Intrinsics.Vector512", 16),
        ("global::System.Runtime.Intrinsics.Vector256", 8),
        ("global::System.Runtime.Intrinsics.Vector128", 4),
    };

    /// <summary>
    /// nn.Upsample with whole factors. Nearest copies: each output row reads one input row, each output column
    /// one input column. Bilinear mixes the two rows and two columns around each output's source position. Source
    /// positions are PyTorch's float arithmetic (<see cref="Upsampling"/>), so they agree with it for any factor.
    /// Where the output's rows and columns fit in tables, the generator works the positions out itself (in the same
    /// float operations, so the same positions and weights) and the emitted code reads them; past that it computes them.
    /// </summary>
    private static void WriteUpsample(SourceWriter w, int index, UpsampleOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        if (op.IsBilinear && output.Height <= UpsampleTableCap && 2 * output.Width <= UpsampleScratchCap)
        {
            WriteBilinearByRows(w, index, op, s);
            return;
        }
        if (!op.IsBilinear && output.Width <= UpsampleTableCap && (op.ScaleHeight <= 2 || NearestFirstRows(input.Height, output.Height, op.ScaleHeight) is not null))
        {
            WriteNearestByRows(w, index, op, s);
            return;
        }
        WriteSummary(w, index, op, s);
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)");
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

    /// <summary>
    /// Nearest, a source row at a time: the output rows that read it (a run of them, since positions only grow) are
    /// written together, each block of columns picked out of the source row once and stored into every row of the run.
    /// </summary>
    private static void WriteNearestByRows(SourceWriter w, int index, UpsampleOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        string name = MethodName(index, op);
        int scale = op.ScaleHeight;
        WriteSummary(w, index, op, s);
        w.WriteLine("/// <remarks>Each source row is widened once and stored into every output row that reads it.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {name}({ReadOnlySpan} x, {Span} y)"))
        {
            if (scale > 2) w.WriteLine($"global::System.ReadOnlySpan<int> firstRows = {name}FirstRow;");
            using (w.OpenBlock($"for (int c = 0; c < {input.Channels}; c++)"))
            using (w.OpenBlock($"for (int iy = 0; iy < {input.Height}; iy++)"))
            {
                if (scale > 2) w.WriteLine("int first = firstRows[iy], rows = firstRows[iy + 1] - first;");
                string start = scale > 2 ? Linear(0, ("c", output.Plane), ("first", output.Width)) : Linear(0, ("c", output.Plane), ("iy", scale * output.Width));
                string length = scale > 2 ? $"rows * {output.Width}" : Literal.Int(scale * output.Width);
                w.WriteLine($"{name}Rows(x.Slice({Linear(0, ("c", input.Plane), ("iy", input.Width))}, {input.Width}), y.Slice({start}, {length}));");
            }
        }
        w.WriteLine();
        w.WriteLine($"/// <summary>Layer {index}'s source row widened into each of the output rows target holds: target[r, ox] = source[xs[ox]].</summary>");
        var columns = new List<int>(output.Width);
        for (int ox = 0; ox < output.Width; ox++) columns.Add(NearestIndex(ox, input.Width, op.ScaleWidth));
        // called once per row: inlined, a narrow row does not pay for the call
        w.WriteLine(Inline);
        using (w.OpenBlock($"private static void {name}Rows({ReadOnlySpan} source, {Span} target)"))
        {
            if (input.Width == output.Width)
            {
                w.WriteLine($"for (int r = 0; r < target.Length; r += {output.Width}) source.CopyTo(target.Slice(r, {output.Width}));");
            }
            else
            {
                // a factor of 2 halves the position, which beats reading the table without vectors
                bool halves = op.ScaleWidth == 2;
                if (!halves || System.Array.Exists(FixedVectors, v => WindowsHoldSources(columns, columns, input.Width, v.Lanes)))
                    w.WriteLine($"global::System.ReadOnlySpan<int> xs = {name}X;");
                WriteWindowBlocks(w, input.Width, columns, null, vector =>
                {
                    w.WriteLine($"var picked = {vector}.ShuffleNative(window, {vector}.LoadUnsafe(ref xAt, (nuint)at) - offset);");
                    w.WriteLine($"for (int r = at; r < target.Length; r += {output.Width}) {vector}.StoreUnsafe(picked, ref to, (nuint)r);");
                });
                // without vectors: the first row, then copies of it (slices of constant length, so that the JIT drops the bounds checks)
                w.WriteLine($"{Span} firstRow = target.Slice(0, {output.Width});");
                w.WriteLine($"source = source.Slice(0, {input.Width});");
                w.WriteLine($"for (int ox = 0; ox < {output.Width}; ox++) firstRow[ox] = source[{(halves ? "ox >> 1" : "xs[ox]")}];");
                w.WriteLine($"for (int r = {output.Width}; r < target.Length; r += {output.Width}) firstRow.CopyTo(target.Slice(r, {output.Width}));");
            }
        }
        if (input.Width != output.Width) WriteTable(w, $"{name}X", "The source column of each output column.", columns);
        if (scale > 2)
        {
            WriteTable(w, $"{name}FirstRow", "The first output row that reads each source row, then the output's height.", NearestFirstRows(input.Height, output.Height, scale)!);
        }
    }

    /// <summary>
    /// The first output row that reads each source row, then the output's height; null where the table would be too
    /// long or a source row is read by none (PyTorch's float positions could skip one at a huge factor).
    /// </summary>
    private static List<int>? NearestFirstRows(int inputHeight, int outputHeight, int scale)
    {
        if (outputHeight > UpsampleTableCap) return null;
        var firstRows = new List<int>(inputHeight + 1);
        int oy = 0;
        for (int iy = 0; iy < inputHeight; iy++)
        {
            if (oy == outputHeight || NearestIndex(oy, inputHeight, scale) != iy) return null;
            firstRows.Add(oy);
            while (oy < outputHeight && NearestIndex(oy, inputHeight, scale) == iy) oy++;
        }
        firstRows.Add(outputHeight);
        return firstRows;
    }

    /// <summary>
    /// Bilinear in ATen's order, a row at a time: each source row is mixed along the width once per channel
    /// (out[ox] = row[x0] * wx0 + row[x1] * wx1, from tables of each output column's two source columns and
    /// weights), and each output row blends the two mixed rows around it with its two weights, a vector at a
    /// time. The same products and sums as PyTorch's loop (and the reference engine's), so the same floats;
    /// an output row reads one or two source rows, and a scale of s shares each mixed row among about s output rows.
    /// </summary>
    private static void WriteBilinearByRows(SourceWriter w, int index, UpsampleOp op, LayerShapes s)
    {
        var input = s.Input;
        var output = s.Output;
        string name = MethodName(index, op);
        var rows = LinearSources(input.Height, output.Height, op.ScaleHeight, op.AlignCorners);
        var columns = LinearSources(input.Width, output.Width, op.ScaleWidth, op.AlignCorners);
        WriteSummary(w, index, op, s);
        w.WriteLine("/// <remarks>Mixes each source row along the width once, then blends the two mixed rows around each output row: ATen's order, PyTorch's floats.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {name}({ReadOnlySpan} x, {Span} y)"))
        {
            w.WriteLine($"global::System.ReadOnlySpan<int> y0s = {name}Y0, y1s = {name}Y1;");
            w.WriteLine($"{ReadOnlySpan} wy0s = {name}WY0, wy1s = {name}WY1;");
            w.WriteLine("// source row r, mixed along the width, is kept in half r % 2 of mixed: an output row reads rows r and r + 1 (or r alone)");
            w.WriteLine($"{Span} mixed = stackalloc float[{2 * output.Width}];");
            w.WriteLine("global::System.Span<int> held = stackalloc int[2];");
            using (w.OpenBlock($"for (int c = 0; c < {input.Channels}; c++)"))
            {
                w.WriteLine($"{ReadOnlySpan} plane = x.Slice({Linear(0, ("c", input.Plane))}, {input.Plane});");
                w.WriteLine("held.Fill(-1);");
                using (w.OpenBlock($"for (int oy = 0; oy < {output.Height}; oy++)"))
                {
                    w.WriteLine("int y0 = y0s[oy], y1 = y1s[oy];");
                    using (w.OpenBlock("for (int iy = y0; iy <= y1; iy++)"))
                    {
                        w.WriteLine("if (held[iy & 1] == iy) continue;");
                        w.WriteLine("held[iy & 1] = iy;");
                        w.WriteLine($"{name}Mix(plane.Slice({Linear(0, ("iy", input.Width))}, {input.Width}), mixed.Slice({Linear(0, ("(iy & 1)", output.Width))}, {output.Width}));");
                    }
                    w.WriteLine($"{ReadOnlySpan} upper = mixed.Slice({Linear(0, ("(y0 & 1)", output.Width))}, {output.Width});");
                    w.WriteLine($"{ReadOnlySpan} lower = mixed.Slice({Linear(0, ("(y1 & 1)", output.Width))}, {output.Width});");
                    w.WriteLine($"{Span} row = y.Slice({Linear(0, ("c", output.Plane), ("oy", output.Width))}, {output.Width});");
                    w.WriteLine("float wy0 = wy0s[oy], wy1 = wy1s[oy];");
                    WriteRowPass(w, output.Width, "upper", "lower", "row");
                }
            }
        }
        w.WriteLine();
        w.WriteLine($"/// <summary>Layer {index}'s source row mixed along the width: target[ox] = source[x0] * wx0 + source[x1] * wx1.</summary>");
        // called once per row: inlined, a narrow row does not pay for the call
        w.WriteLine(Inline);
        using (w.OpenBlock($"private static void {name}Mix({ReadOnlySpan} source, {Span} target)"))
        {
            if (input.Width == output.Width)
            {
                w.WriteLine("// the width is kept, but PyTorch still weighs each column 1 and its copy 0: an infinity turns to NaN there too");
                WriteRowPass(w, output.Width, "source", null, "target");
            }
            else
            {
                w.WriteLine($"global::System.ReadOnlySpan<int> x0s = {name}X0, x1s = {name}X1;");
                w.WriteLine($"{ReadOnlySpan} wx0s = {name}WX0, wx1s = {name}WX1;");
                WriteWindowBlocks(w, input.Width, columns.ConvertAll(c => c.First), columns.ConvertAll(c => c.Second), vector =>
                {
                    w.WriteLine($"var first = {vector}.ShuffleNative(window, {vector}.LoadUnsafe(ref x0At, (nuint)at) - offset);");
                    w.WriteLine($"var second = {vector}.ShuffleNative(window, {vector}.LoadUnsafe(ref x1At, (nuint)at) - offset);");
                    w.WriteLine($"var mix = first * {vector}.LoadUnsafe(ref wx0At, (nuint)at) + second * {vector}.LoadUnsafe(ref wx1At, (nuint)at);");
                    w.WriteLine($"{vector}.StoreUnsafe(mix, ref to, (nuint)at);");
                });
                w.WriteLine($"for (int ox = 0; ox < {output.Width}; ox++) target[ox] = source[x0s[ox]] * wx0s[ox] + source[x1s[ox]] * wx1s[ox];");
            }
        }
        WriteTable(w, $"{name}Y0", "The first source row of each output row.", rows.ConvertAll(r => r.First));
        WriteTable(w, $"{name}Y1", "The second source row of each output row (the first again where none is left).", rows.ConvertAll(r => r.Second));
        WriteTable(w, $"{name}WY0", "The first source row's weight.", rows.ConvertAll(r => r.FirstWeight));
        WriteTable(w, $"{name}WY1", "The second source row's weight.", rows.ConvertAll(r => r.SecondWeight));
        if (input.Width != output.Width)
        {
            WriteTable(w, $"{name}X0", "The first source column of each output column.", columns.ConvertAll(r => r.First));
            WriteTable(w, $"{name}X1", "The second source column of each output column (the first again where none is left).", columns.ConvertAll(r => r.Second));
            WriteTable(w, $"{name}WX0", "The first source column's weight.", columns.ConvertAll(r => r.FirstWeight));
            WriteTable(w, $"{name}WX1", "The second source column's weight.", columns.ConvertAll(r => r.SecondWeight));
        }
    }

    /// <summary>
    /// A row gather with vectors, the widest the CPU runs first, each ending in return: a block of output columns reads a
    /// window of as many source columns, loaded at once from the first one its first column reads (moved back to fit in
    /// the row), and <paramref name="block"/> picks each column's sources out of it with a shuffle whose lanes are the
    /// table's positions less the window's start (locals window, offset, at, from, to and the tables' refs x0At or xAt...).
    /// A vector size is emitted only where the generator checked that every block's sources fall in its window (with a
    /// factor of 2 or more they do once the input row is as wide as the vector); a CPU without any runs the scalar loop after.
    /// </summary>
    private static void WriteWindowBlocks(SourceWriter w, int inputWidth, List<int> firsts, List<int>? seconds, System.Action<string> block)
    {
        int outputWidth = firsts.Count;
        bool bilinear = seconds is not null;
        bool refs = false, comment = false;
        foreach (var (vector, lanes) in FixedVectors)
        {
            if (!WindowsHoldSources(firsts, firsts, inputWidth, lanes) || (bilinear && !WindowsHoldSources(seconds!, firsts, inputWidth, lanes))) continue;
            if (!refs)
            {
                w.WriteLine($"ref float from = ref {MemoryMarshal}.GetReference(source);");
                w.WriteLine($"ref float to = ref {MemoryMarshal}.GetReference(target);");
                if (bilinear)
                {
                    w.WriteLine($"ref int x0At = ref {MemoryMarshal}.GetReference(x0s);");
                    w.WriteLine($"ref int x1At = ref {MemoryMarshal}.GetReference(x1s);");
                    w.WriteLine($"ref float wx0At = ref {MemoryMarshal}.GetReference(wx0s);");
                    w.WriteLine($"ref float wx1At = ref {MemoryMarshal}.GetReference(wx1s);");
                }
                else w.WriteLine($"ref int xAt = ref {MemoryMarshal}.GetReference(xs);");
                refs = true;
            }
            using (w.OpenBlock($"if ({vector}.IsHardwareAccelerated)"))
            {
                if (!comment)
                {
                    w.WriteLine("// a block of output columns shuffles its sources out of a window of as many source columns (the generator checked");
                    w.WriteLine("// that they fit); the last block may overlap the one before it and writes the same values there");
                    comment = true;
                }
                using (w.OpenBlock($"for (int ox = 0; ox < {outputWidth}; ox += {lanes})"))
                {
                    w.WriteLine($"int at = global::System.Math.Min(ox, {outputWidth - lanes});");
                    w.WriteLine(inputWidth == lanes
                        ? "int start = 0;"
                        : $"int start = global::System.Math.Min({(bilinear ? "x0s" : "xs")}[at], {inputWidth - lanes});");
                    w.WriteLine($"var window = {vector}.LoadUnsafe(ref from, (nuint)start);");
                    w.WriteLine($"var offset = {vector}.Create(start);");
                    block(vector);
                }
                w.WriteLine("return;");
            }
        }
    }

    /// <summary>
    /// Whether the blocks <see cref="WriteWindowBlocks"/> emits for <paramref name="lanes"/> (output columns at 0, lanes,
    /// 2 * lanes, ..., the last moved back to end at the row's end) each find the source <paramref name="positions"/> of
    /// all their columns in their window: the <paramref name="lanes"/> source columns from min(firsts[at], In - lanes).
    /// </summary>
    private static bool WindowsHoldSources(List<int> positions, List<int> firsts, int inputWidth, int lanes)
    {
        int outputWidth = positions.Count;
        if (inputWidth < lanes || outputWidth < lanes) return false;
        for (int ox = 0; ox < outputWidth; ox += lanes)
        {
            int at = System.Math.Min(ox, outputWidth - lanes);
            int start = System.Math.Min(firsts[at], inputWidth - lanes);
            for (int k = at; k < at + lanes; k++)
                if (positions[k] - start < 0 || positions[k] - start >= lanes) return false;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="target"/>[i] = source[i] * 1f + source[i] * 0f (<paramref name="other"/> null: a row whose width
    /// is kept, weighed as PyTorch weighs it) or source[i] * wy0 + other[i] * wy1 (two mixed rows blended), a
    /// Vector&lt;float&gt; at a time while one fits, then scalars; multiplies and adds apart, never fused, as in PyTorch's loop.
    /// </summary>
    private static void WriteRowPass(SourceWriter w, int length, string source, string? other, string target)
    {
        var v = SimdFlavor.Portable;
        w.WriteLine("int i = 0;");
        using (w.OpenBlock($"if ({v.IsHardwareAccelerated} && {v.Count} <= {length})"))
        {
            w.WriteLine($"ref float {source}At = ref {MemoryMarshal}.GetReference({source});");
            if (other is not null) w.WriteLine($"ref float {other}At = ref {MemoryMarshal}.GetReference({other});");
            w.WriteLine($"ref float {target}At = ref {MemoryMarshal}.GetReference({target});");
            if (other is not null)
            {
                w.WriteLine($"var vy0 = {v.Broadcast("wy0")};");
                w.WriteLine($"var vy1 = {v.Broadcast("wy1")};");
            }
            using (w.OpenBlock($"for (; i <= {length} - {v.Count}; i += {v.Count})"))
            {
                if (other is null)
                {
                    w.WriteLine($"var value = {v.Load(source + "At", "i")};");
                    w.WriteLine(v.Store("value * 1f + value * 0f", target + "At", "i"));
                }
                else w.WriteLine(v.Store($"{v.Load(source + "At", "i")} * vy0 + {v.Load(other + "At", "i")} * vy1", target + "At", "i"));
            }
        }
        w.WriteLine(other is null
            ? $"for (; i < {length}; i++) {target}[i] = {source}[i] * 1f + {source}[i] * 0f;"
            : $"for (; i < {length}; i++) {target}[i] = {source}[i] * wy0 + {other}[i] * wy1;");
    }

    /// <summary>
    /// What <see cref="WriteLinearSource"/>'s code computes at run time for each output position, computed here in
    /// the same float operations (each cast to float, so no wider intermediate can creep in): the same bits. Each position's
    /// two source positions and their weights (the second 0 where no second position is left).
    /// </summary>
    private static List<(int First, int Second, float FirstWeight, float SecondWeight)> LinearSources(int input, int output, int scale, bool alignCorners)
    {
        var points = new List<(int First, int Second, float FirstWeight, float SecondWeight)>(output);
        float ratio = Upsampling.LinearScale(input, output, scale, alignCorners);
        for (int o = 0; o < output; o++)
        {
            if (output == input)
            {
                points.Add((o, o, 1f, 0f));
                continue;
            }
            float real = alignCorners ? (float)(ratio * (float)o) : System.Math.Max((float)((float)(ratio * (float)(o + 0.5f)) - 0.5f), 0f);
            int first = (int)real;
            int second = first < input - 1 ? first + 1 : first;
            float secondWeight = System.Math.Min(System.Math.Max((float)(real - first), 0f), 1f);
            points.Add((first, second, (float)(1f - secondWeight), secondWeight));
        }
        return points;
    }

    /// <summary>
    /// A table the generator worked out, as a static readonly array: allocated once, read as a span. (Not a
    /// ReadOnlySpan property over an array initializer: C# stores that as data, but each read of it allocates in
    /// code the JIT does not optimize, as in a Debug build, and Forward allocates nothing in any build.)
    /// </summary>
    private static void WriteTable(SourceWriter w, string name, string meaning, List<int> values) =>
        WriteTable(w, name, meaning, "int", values.ConvertAll(value => Literal.Int(value)));

    private static void WriteTable(SourceWriter w, string name, string meaning, List<float> values) =>
        WriteTable(w, name, meaning, "float", values.ConvertAll(Literal.Float));

    private static void WriteTable(SourceWriter w, string name, string meaning, string type, List<string> values)
    {
        w.WriteLine();
        w.WriteLine($"/// <summary>{meaning}</summary>");
        w.WriteLine($"private static readonly {type}[] {name} =");
        w.WriteLine("{");
        w.Indent();
        var line = new System.Text.StringBuilder();
        foreach (string value in values)
        {
            if (line.Length + value.Length > 110)
            {
                w.WriteLine(line.ToString().TrimEnd());
                line.Clear();
            }
            line.Append(value).Append(", ");
        }
        if (line.Length > 0) w.WriteLine(line.ToString().TrimEnd());
        w.Unindent();
        w.WriteLine("};");
    }

    /// <summary>What <see cref="NearestSource"/>'s code computes at run time, computed here in the same float operations.</summary>
    private static int NearestIndex(int at, int input, int scale) => scale switch
    {
        1 => at,
        2 => at >> 1,
        _ => System.Math.Min((int)System.Math.Floor((float)(at * Upsampling.InverseScale(scale))), input - 1),
    };

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
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)");
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
