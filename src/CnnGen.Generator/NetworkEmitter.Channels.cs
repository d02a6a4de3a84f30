using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>The per-channel layers (BatchNorm, PReLU), the global and adaptive pools, and the weights derived at load time.</summary>
internal static partial class NetworkEmitter
{
    private const string Vector = "global::System.Numerics.Vector<float>";

    /// <summary>y = x * scale[c] + shift[c], with the scale and shift derived from the BatchNorm's tensors at load time.</summary>
    private static void WriteBatchNorm(SourceWriter w, Step step, BatchNormOp op)
    {
        var s = step.Shapes;
        int channels = s.Input.Channels, plane = s.Input.Plane;
        WriteSummary(w, step.Index, op, s);
        w.WriteLine($"/// <remarks>Elementwise: x and y may be the same buffer. Scale and shift per channel at {step.DerivedOffset} and {step.DerivedOffset + channels}.</remarks>");
        if (step.InputLayout == Layout.ChannelsLast)
        {
            WriteChannelsLastBatchNorm(w, step, op, channels, plane);
            return;
        }
        using (OpenOptimizedMethod(w, $"private static void {MethodName(step.Index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
            {
                w.WriteLine($"float scale = p[{Linear(step.DerivedOffset, ("c", 1))}], shift = p[{Linear(step.DerivedOffset + channels, ("c", 1))}];");
                WritePlaneLoop(w, plane, "c", v => $"{v} * scale + shift", v => $"{v} * new {Vector}(scale) + new {Vector}(shift)");
            }
        }
    }

    /// <summary>
    /// The BatchNorm of a channels-last map (a pre-activation ResNet's BN-ReLU before a convolution, which may then run
    /// as Winograd's): each pixel's channels times the scale's vectors plus the shift's, the channels past the last
    /// whole vector scalar (not an overlapping vector: x may be y, and a channel must not be scaled twice).
    /// </summary>
    private static void WriteChannelsLastBatchNorm(SourceWriter w, Step step, BatchNormOp op, int channels, int plane)
    {
        var v = SimdFlavor.Portable;
        int scale = step.DerivedOffset, shift = step.DerivedOffset + channels;
        w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's channels side by side.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(step.Index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            w.WriteLine($"var scales = p.Slice({scale}, {channels});");
            w.WriteLine($"var shifts = p.Slice({shift}, {channels});");
            WritePixelLoop(w, channels, plane, x => $"{x} * scales[c] + shifts[c]", x => $"{x} * new {v.Type}(scales.Slice(c)) + new {v.Type}(shifts.Slice(c))");
        }
    }

    /// <summary>nn.PReLU: x above zero, weight[c] * x otherwise; one weight for all channels or one each.</summary>
    private static void WritePReLU(SourceWriter w, int index, PReLUOp op, LayerShapes s, Layout layout)
    {
        int channels = s.Input.Channels, plane = s.Input.Plane, weight = s.Tensors[0].Offset;
        WriteSummary(w, index, op, s);
        w.WriteLine("/// <remarks>Elementwise: x and y may be the same buffer.</remarks>");
        if (layout == Layout.ChannelsLast)
        {
            WriteChannelsLastPReLU(w, index, op, channels, plane, weight);
            return;
        }
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
            {
                w.WriteLine(op.Parameters == 1 ? $"float slope = p[{weight}];" : $"float slope = p[{Linear(weight, ("c", 1))}];");
                WritePlaneLoop(w, plane, "c", v => $"{v} > 0f ? {v} : slope * {v}",
                    v => $"global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.GreaterThan({v}, {Vector}.Zero), {v}, {v} * slope)");
            }
        }
    }

    /// <summary>
    /// The PReLU of a channels-last map (between convolutions that keep that layout, so a 3x3 one after it may run as
    /// Winograd's): each pixel's channels against the slopes' vectors (one slope broadcast where the layer has one), the
    /// channels past the last whole vector scalar (x may be y: no overlapping vector).
    /// </summary>
    private static void WriteChannelsLastPReLU(SourceWriter w, int index, PReLUOp op, int channels, int plane, int weight)
    {
        var v = SimdFlavor.Portable;
        bool shared = op.Parameters == 1;
        w.WriteLine("/// <remarks>Reads and writes channels-last: a pixel's channels side by side.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            w.WriteLine(shared ? $"float slope = p[{weight}];" : $"var slopes = p.Slice({weight}, {channels});");
            WritePixelLoop(w, channels, plane, x => $"{x} > 0f ? {x} : {(shared ? "slope" : "slopes[c]")} * {x}",
                x => $"{v.Static}.ConditionalSelect({v.Static}.GreaterThan({x}, {v.Type}.Zero), {x}, {x} * {(shared ? "slope" : $"new {v.Type}(slopes.Slice(c))")})");
        }
    }

    /// <summary>
    /// y = f(x) over a channels-last map, pixel after pixel, channel c of each (not an overlapping vector at the end: x
    /// may be y, and no channel may be computed twice). The twin of <see cref="WritePlaneLoop"/>, one run a pixel.
    /// </summary>
    private static void WritePixelLoop(SourceWriter w, int channels, int plane, System.Func<string, string> scalar, System.Func<string, string> vector)
    {
        using (w.OpenBlock($"for (int i = 0; i < {plane}; i++)"))
            WriteRunLoop(w, Linear(0, ("i", channels)), channels, "c", "value", scalar, vector);
    }

    /// <summary>
    /// y = f(x) over channel <paramref name="channel"/>'s plane.
    /// </summary>
    private static void WritePlaneLoop(SourceWriter w, int plane, string channel, System.Func<string, string> scalar, System.Func<string, string> vector) =>
        WriteRunLoop(w, Linear(0, (channel, plane)), plane, "i", "v", scalar, vector);

    /// <summary>
    /// y = f(x) over the <paramref name="length"/> floats from <paramref name="start"/>: Vector&lt;float&gt;s where the
    /// run holds one, then scalars, indexed by <paramref name="index"/>, the value named <paramref name="value"/>. The
    /// spans are sliced to the run, so every access is checked.
    /// </summary>
    private static void WriteRunLoop(SourceWriter w, string start, int length, string index, string value, System.Func<string, string> scalar, System.Func<string, string> vector)
    {
        w.WriteLine($"var xs = x.Slice({start}, {length});");
        w.WriteLine($"var ys = y.Slice({start}, {length});");
        w.WriteLine($"int {index} = 0;");
        using (w.OpenBlock($"if ({SimdFlavor.Portable.IsHardwareAccelerated} && {Vector}.Count <= {length})"))
        using (w.OpenBlock($"for (; {index} <= {length} - {Vector}.Count; {index} += {Vector}.Count)"))
        {
            w.WriteLine($"var {value} = new {Vector}(xs.Slice({index}));");
            w.WriteLine($"({vector(value)}).CopyTo(ys.Slice({index}));");
        }
        using (w.OpenBlock($"for (; {index} < {length}; {index}++)"))
        {
            w.WriteLine($"float {value} = xs[{index}];");
            w.WriteLine($"ys[{index}] = {scalar(value)};");
        }
    }

    /// <summary>
    /// nn.AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1): one value per channel, reduced a Vector&lt;float&gt;
    /// at a time across the plane (lane-wise, then across the lanes), then the scalar tail.
    /// </summary>
    /// <remarks>
    /// The mean sums in double (each vector widened to two), so the order the vector width imposes
    /// changes the result by far less than a float's rounding, and a plane of huge finite values
    /// (3e38 and -3e38) cannot overflow to infinity in one order and not in another.
    /// </remarks>
    private static void WriteGlobalPool(SourceWriter w, int index, GlobalPoolOp op, LayerShapes s, Planning.Layout layout)
    {
        int channels = s.Input.Channels, plane = s.Input.Plane;
        var v = SimdFlavor.Portable;
        string method = MethodName(index, op);
        if (layout == Planning.Layout.ChannelsLast)
        {
            WriteChannelsLastGlobalPool(w, index, op, s);
            return;
        }
        (string start, string[] combine, string across) = op.Reduction switch
        {
            Reduction.Average => ($"{MeanVector}.Zero", new[] { $"{v.Static}.Widen(value, out var low, out var high);", "lanes += low + high;" }, $"{v.Static}.Sum(lanes)"),
            Reduction.Max => ($"new {v.Type}(float.NegativeInfinity)", new[] { $"lanes = {v.Static}.Max(lanes, value);" }, $"{method}Across(lanes)"),
            Reduction.Min => ($"new {v.Type}(float.PositiveInfinity)", new[] { $"lanes = {v.Static}.Min(lanes, value);" }, $"{method}Across(lanes)"),
        };
        WriteSummary(w, index, op, s);
        using (OpenOptimizedMethod(w, $"private static void {method}({ReadOnlySpan} x, {Span} y)"))
        using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
        {
            w.WriteLine($"var xs = x.Slice({Linear(0, ("c", plane))}, {plane});");
            w.WriteLine(ReductionStart(op.Reduction));
            w.WriteLine("int i = 0;");
            using (w.OpenBlock($"if ({v.IsHardwareAccelerated} && {v.Count} <= {plane})"))
            {
                w.WriteLine($"var lanes = {start};");
                using (w.OpenBlock($"for (; i <= {plane} - {v.Count}; i += {v.Count})"))
                {
                    w.WriteLine($"var value = new {v.Type}(xs.Slice(i));");
                    foreach (string line in combine) w.WriteLine(line);
                }
                w.WriteLine($"acc = {across};");
            }
            w.WriteLine($"for (; i < {plane}; i++) {PoolAccumulate(op.Reduction, "xs[i]")}");
            w.WriteLine(op.Reduction == Reduction.Average ? $"y[c] = (float)(acc / {plane});" : "y[c] = acc;");
        }
        if (op.Reduction != Reduction.Average)
        {
            string pick = op.Reduction == Reduction.Max ? "global::System.MathF.Max" : "global::System.MathF.Min";
            w.WriteLine();
            w.WriteLine($"/// <summary>The {(op.Reduction == Reduction.Max ? "largest" : "smallest")} lane; NaN wins, as in PyTorch.</summary>");
            using (OpenOptimizedMethod(w, $"private static float {method}Across({v.Type} lanes)"))
            {
                w.WriteLine($"float best = lanes[0];");
                w.WriteLine($"for (int lane = 1; lane < {v.Count}; lane++) best = {pick}(best, lanes[lane]);");
                w.WriteLine("return best;");
            }
        }
    }

    /// <summary>
    /// A global pool of a channels-last map, pixel after pixel: four vectors of channels at a time, then a vector at a time
    /// (the last overlapping the one before) with the pixels in four interleaved sums. Either way four or more
    /// independent chains: one chain waits out an add's latency at every pixel (a 1,280-channel 3 x 3 map took 1.2 µs
    /// that way, latency-bound). The mean is widened to double as above, so the sums' order changes it by far less
    /// than a float's rounding; the scalar loops where vectors are not accelerated or wider than the channels. On
    /// 512-bit vectors where the CPU has them: the widening and the double adds bound the mean, and a 512-bit vector
    /// widens 16 floats in the instructions a 256-bit one takes for 8. EfficientNet-B0's squeeze-and-excitation mean of
    /// 144 channels at 56 x 56 (a scratch copy, Zen 5) took 42 µs on Vector&lt;float&gt;'s 256 bits and 35 on 512 with the
    /// map in L2, 90 to 109 and 45 to 51 with it in L3.
    /// </summary>
    private static void WriteChannelsLastGlobalPool(SourceWriter w, int index, GlobalPoolOp op, LayerShapes s)
    {
        int channels = s.Input.Channels, plane = s.Input.Plane;
        WriteSummary(w, index, op, s);
        w.WriteLine("/// <remarks>Reads the map channels-last: a pixel's channels side by side.</remarks>");
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)"))
        {
            foreach (var v in new[] { SimdFlavor.Wide, SimdFlavor.Portable })
                using (w.OpenBlock($"if ({v.IsHardwareAccelerated} && {v.Count} <= {channels})"))
                    WriteChannelsLastGlobalPoolBlocks(w, op.Reduction, v, channels, plane);
            using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
            {
                w.WriteLine(ReductionStart(op.Reduction));
                w.WriteLine($"for (int i = 0; i < {plane}; i++) {PoolAccumulate(op.Reduction, $"x[{Linear(0, ("i", channels), ("c", 1))}]")}");
                w.WriteLine(op.Reduction == Reduction.Average ? $"y[c] = (float)(acc / {plane});" : "y[c] = acc;");
            }
        }
    }

    /// <summary>The channels-last global pool on the flavor's vectors: four of them at a time, then one at a time.</summary>
    private static void WriteChannelsLastGlobalPoolBlocks(SourceWriter w, Reduction reduction, SimdFlavor v, int channels, int plane)
    {
        const int Chains = 4;
        w.WriteLine("int block = 0;");
        using (w.OpenBlock($"for (; block <= {channels} - {Chains} * {v.Count}; block += {Chains} * {v.Count})"))
        {
            var vectors = Enumerable.Range(0, Chains).Select(k => k == 0 ? "block" : $"block + {k} * {v.Count}").ToArray();
            WriteGlobalPoolVectors(w, reduction, v, channels, plane, vectors, phases: 1);
        }
        using (w.OpenBlock($"for (; block < {channels}; block += {v.Count})"))
        {
            w.WriteLine($"int c = global::System.Math.Min(block, {channels} - {v.Count});");
            WriteGlobalPoolVectors(w, reduction, v, channels, plane, new[] { "c" }, phases: System.Math.Min(Chains, plane));
        }
        w.WriteLine("return;");
    }

    /// <summary>
    /// The reduction of the vectors of channels starting at <paramref name="firsts"/> over every pixel, pixel i into
    /// phase i % <paramref name="phases"/>'s accumulators (their own chains), the phases combined at the end.
    /// </summary>
    private static void WriteGlobalPoolVectors(SourceWriter w, Reduction reduction, SimdFlavor v, int channels, int plane, string[] firsts, int phases)
    {
        string Load(int vector, string pixel) => v.FromSpan($"x.Slice({Linear(0, (pixel, channels), (firsts[vector], 1))})");
        string mean = v.Static + "<double>";
        string pick = reduction == Reduction.Max ? "Max" : "Min";
        var accumulators = Enumerable.Range(0, firsts.Length).SelectMany(k => Enumerable.Range(0, phases).Select(j => (k, j))).ToArray();
        void Body(string pixel, int j)
        {
            for (int k = 0; k < firsts.Length; k++)
            {
                if (reduction == Reduction.Average)
                {
                    // each lane widened to double: the lower half of the lanes, then the upper
                    if (v.Lanes is null) w.WriteLine($"{v.Static}.Widen({Load(k, pixel)}, out var low{k}_{j}Part, out var high{k}_{j}Part);");
                    else w.WriteLine($"var (low{k}_{j}Part, high{k}_{j}Part) = {v.Static}.Widen({Load(k, pixel)});");
                    w.WriteLine($"low{k}_{j} += low{k}_{j}Part;");
                    w.WriteLine($"high{k}_{j} += high{k}_{j}Part;");
                }
                else w.WriteLine($"lanes{k}_{j} = {v.Static}.{pick}(lanes{k}_{j}, {Load(k, pixel)});");
            }
        }
        foreach (var (k, j) in accumulators)
        {
            if (reduction == Reduction.Average) w.WriteLine($"{mean} low{k}_{j} = {mean}.Zero, high{k}_{j} = {mean}.Zero;");
            // max and min start from the phase's first pixel: no identity to pick, and a NaN there still wins
            else w.WriteLine($"var lanes{k}_{j} = {Load(k, Literal.Int(j))};");
        }
        int first = reduction == Reduction.Average ? 0 : phases, whole = first + (plane - first) / phases * phases;
        if (whole > first)
        {
            using (w.OpenBlock($"for (int i = {Literal.Int(first)}; i < {Literal.Int(whole)}; i += {Literal.Int(phases)})"))
                for (int j = 0; j < phases; j++) Body(j == 0 ? "i" : $"(i + {j})", j);
        }
        // the pixels past the last whole round, each in a scope of its own: its parts' names are the loop's
        for (int i = whole; i < plane; i++)
            using (w.OpenScope()) Body(Literal.Int(i), i - whole);
        for (int k = 0; k < firsts.Length; k++)
        {
            string Combined(string name) => phases == 1 ? $"{name}{k}_0" : $"({string.Join(" + ", Enumerable.Range(0, phases).Select(j => $"{name}{k}_{j}"))})";
            if (reduction == Reduction.Average)
            {
                // each lane divided, then rounded to float, as the scalar loop does
                w.WriteLine(v.CopyTo($"{v.Static}.Narrow({Combined("low")} / {Literal.Int(plane)}, {Combined("high")} / {Literal.Int(plane)})", $"y.Slice({firsts[k]})"));
            }
            else
            {
                string lanes = Enumerable.Range(1, phases - 1).Aggregate($"lanes{k}_0", (acc, j) => $"{v.Static}.{pick}({acc}, lanes{k}_{j})");
                w.WriteLine(v.CopyTo(lanes, $"y.Slice({firsts[k]})"));
            }
        }
    }

    private const string MeanVector = "global::System.Numerics.Vector<double>";

    /// <summary>
    /// The accumulator of a global or adaptive pool: a mean sums in double (those windows can be whole
    /// planes, and the reference engine's mean is finite wherever the values are); max and min as the windowed pools.
    /// </summary>
    private static string ReductionStart(Reduction kind) => kind == Reduction.Average ? "double acc = 0.0;" : PoolStart(kind);

    /// <summary>
    /// nn.AdaptiveAvgPool2d / AdaptiveMaxPool2d: output cell (oy, ox) reduces rows
    /// [floor(oy * H / OH), ceil((oy + 1) * H / OH)) and the columns likewise.
    /// </summary>
    private static void WriteAdaptivePool(SourceWriter w, int index, AdaptivePoolOp op, LayerShapes s)
    {
        var input = s.Input;
        int outHeight = s.Output.Height, outWidth = s.Output.Width;
        WriteSummary(w, index, op, s);
        using (OpenOptimizedMethod(w, $"private static void {MethodName(index, op)}({ReadOnlySpan} x, {Span} y)"))
        using (w.OpenBlock($"for (int c = 0; c < {input.Channels}; c++)"))
        using (w.OpenBlock($"for (int oy = 0; oy < {outHeight}; oy++)"))
        {
            // in long: oy * H may pass int's range when both are large
            w.WriteLine($"int top = (int)((long)oy * {input.Height} / {outHeight}), bottom = (int)(((long)oy * {input.Height} + {input.Height + outHeight - 1}) / {outHeight});");
            using (w.OpenBlock($"for (int ox = 0; ox < {outWidth}; ox++)"))
            {
                w.WriteLine($"int left = (int)((long)ox * {input.Width} / {outWidth}), right = (int)(((long)ox * {input.Width} + {input.Width + outWidth - 1}) / {outWidth});");
                w.WriteLine(ReductionStart(op.Reduction));
                using (w.OpenBlock("for (int iy = top; iy < bottom; iy++)"))
                using (w.OpenBlock("for (int ix = left; ix < right; ix++)"))
                    w.WriteLine(PoolAccumulate(op.Reduction, $"x[{Linear(0, ("c", input.Plane), ("iy", input.Width), ("ix", 1))}]"));
                string target = $"y[{Linear(0, ("c", outHeight * outWidth), ("oy", outWidth), ("ox", 1))}]";
                w.WriteLine(op.Reduction == Reduction.Average ? $"{target} = (float)(acc / ((bottom - top) * (right - left)));" : $"{target} = acc;");
            }
        }
    }

    /// <summary>
    /// A step's weights derived at load time, in double so that they round once: a convolution's
    /// weights and bias with its BatchNorm folded in (w * s, (b - mean) * s + beta with
    /// s = gamma / sqrt(var + eps)), or a standalone BatchNorm's scale s and shift beta - mean * s.
    /// </summary>
    private static void WriteDerivedWeights(SourceWriter w, Step step)
    {
        // a stride phase's or a crop's kernel first; a BatchNorm folded into the convolution then scales it where it lies
        if (step.Phase is { } phase)
        {
            WritePhaseWeights(w, step, phase);
            if (step.Folded is null) return;
        }
        if (step.Crop is { } crop)
        {
            WriteCroppedWeights(w, step, crop);
            if (step.Folded is null) return;
        }
        if (step.Ungrouped is { } ungrouped)
        {
            WriteUngroupedWeights(w, step, ungrouped);
            if (step.Folded is null) return;
        }
        var (norm, normIndex, normTensors, channels) = step.Folded is { } folded
            ? (folded.Op, folded.Index, folded.Shapes.Tensors, folded.Shapes.Input.Channels)
            : ((BatchNormOp)step.Op, step.Index, step.Shapes.Tensors, step.Shapes.Input.Channels);
        int mean = normTensors[norm.Affine ? 2 : 0].Offset, variance = normTensors[norm.Affine ? 3 : 1].Offset;
        string gamma = norm.Affine ? $"p[{Linear(normTensors[0].Offset, ("c", 1))}]" : "1.0";
        string beta = norm.Affine ? $"p[{Linear(normTensors[1].Offset, ("c", 1))}]" : "0.0";
        using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
        {
            w.WriteLine($"double scale = {gamma} / global::System.Math.Sqrt(p[{Linear(variance, ("c", 1))}] + (double){Literal.Float(norm.Epsilon)});");
            if (step.Folded is not null)
            {
                var conv = (ConvolutionOp)step.Op;
                int kernel = Passes.KernelLength(step), perFilter = kernel / conv.Filters;
                // a phase's or a crop's kernel is already in the derived block, in the convolution's layout: scaled in place
                int source = step.DerivesKernel ? step.DerivedOffset : step.Shapes.Tensors[0].Offset;
                string dimensions = step.DerivesKernel
                    ? $"{conv.Filters}, {step.Shapes.Input.Channels / conv.Groups}, {conv.KernelHeight}, {conv.KernelWidth}"
                    : string.Join(", ", step.Shapes.Tensors[0].Dimensions);
                w.WriteLine($"// layer {step.Index}: weights [{dimensions}] and bias [{conv.Filters}] at {step.DerivedOffset}, with the {norm.Kind} of layer {normIndex} folded in");
                w.WriteLine($"for (int k = 0; k < {perFilter}; k++) p[{Linear(step.DerivedOffset, ("c", perFilter), ("k", 1))}] = (float)(p[{Linear(source, ("c", perFilter), ("k", 1))}] * scale);");
                string bias = conv.Bias ? $"p[{Linear(step.Shapes.Tensors[1].Offset, ("c", 1))}]" : "0.0";
                w.WriteLine($"p[{Linear(step.DerivedOffset + kernel, ("c", 1))}] = (float)(({bias} - p[{Linear(mean, ("c", 1))}]) * scale + {beta});");
            }
            else
            {
                w.WriteLine($"// layer {step.Index}: scale [{channels}] at {step.DerivedOffset}, shift [{channels}] at {step.DerivedOffset + channels}");
                w.WriteLine($"p[{Linear(step.DerivedOffset, ("c", 1))}] = (float)scale;");
                w.WriteLine($"p[{Linear(step.DerivedOffset + channels, ("c", 1))}] = (float)({beta} - p[{Linear(mean, ("c", 1))}] * scale);");
            }
        }
    }

    /// <summary>
    /// A cropped convolution's kernel from the layer's weight [Filters, InChannels / Groups, KH, KW]: the rows and
    /// columns it keeps (<see cref="KernelCrop"/>), [Filters, InChannels / Groups, rows kept, columns kept].
    /// </summary>
    private static void WriteCroppedWeights(SourceWriter w, Step step, KernelCrop crop)
    {
        var conv = (ConvolutionOp)step.Op;
        var weight = step.Shapes.Tensors[0];
        int channelsPerGroup = step.Shapes.Input.Channels / conv.Groups;
        var (rows, columns) = (crop.Rows, crop.Columns);
        w.WriteLine($"// layer {step.Index}: the kernel [{conv.Filters}, {channelsPerGroup}, {rows.Taps}, {columns.Taps}] at {step.DerivedOffset}: rows {rows.First} to {rows.Last} " +
                    $"and columns {columns.First} to {columns.Last} of the weight [{string.Join(", ", weight.Dimensions)}], the taps that meet the input");
        using (w.OpenBlock($"for (int f = 0; f < {conv.Filters * channelsPerGroup}; f++)"))
        using (w.OpenBlock($"for (int a = 0; a < {rows.Taps}; a++)"))
        using (w.OpenBlock($"for (int b = 0; b < {columns.Taps}; b++)"))
        {
            string from = Linear(weight.Offset + rows.First * crop.KernelWidth + columns.First, ("f", crop.KernelHeight * crop.KernelWidth), ("a", crop.KernelWidth), ("b", 1));
            string to = Linear(step.DerivedOffset, ("f", rows.Taps * columns.Taps), ("a", columns.Taps), ("b", 1));
            w.WriteLine($"p[{to}] = p[{from}];");
        }
    }

    /// <summary>
    /// An ungrouped convolution's kernel [Filters, InChannels, KH, KW] from the layer's weight [Filters, InChannels /
    /// Groups, KH, KW] (<see cref="UngroupedKernel"/>): zeros, then each group's filters' weights at its input channels.
    /// </summary>
    private static void WriteUngroupedWeights(SourceWriter w, Step step, UngroupedKernel ungrouped)
    {
        var conv = (ConvolutionOp)step.Op;
        var weight = step.Shapes.Tensors[0];
        int inChannels = step.Shapes.Input.Channels, taps = conv.KernelHeight * conv.KernelWidth;
        int channelsPerGroup = inChannels / ungrouped.Groups, filtersPerGroup = conv.Filters / ungrouped.Groups;
        w.WriteLine($"// layer {step.Index}: the kernel [{conv.Filters}, {inChannels}, {conv.KernelHeight}, {conv.KernelWidth}] at {step.DerivedOffset}: the weight [{string.Join(", ", weight.Dimensions)}]'s " +
                    $"{ungrouped.Groups} groups on its block diagonal, zeros between them");
        w.WriteLine($"for (int i = 0; i < {Passes.KernelLength(step)}; i++) p[{Linear(step.DerivedOffset, ("i", 1))}] = 0f;");
        using (w.OpenBlock($"for (int g = 0; g < {ungrouped.Groups}; g++)"))
        using (w.OpenBlock($"for (int f = 0; f < {filtersPerGroup}; f++)"))
        using (w.OpenBlock($"for (int c = 0; c < {channelsPerGroup}; c++)"))
        using (w.OpenBlock($"for (int t = 0; t < {taps}; t++)"))
        {
            // filter g x filtersPerGroup + f reads its group's channels g x channelsPerGroup + c
            string to = Linear(step.DerivedOffset, ("g", (filtersPerGroup * inChannels + channelsPerGroup) * taps), ("f", inChannels * taps), ("c", taps), ("t", 1));
            string from = Linear(weight.Offset, ("g", filtersPerGroup * channelsPerGroup * taps), ("f", channelsPerGroup * taps), ("c", taps), ("t", 1));
            w.WriteLine($"p[{to}] = p[{from}];");
        }
    }

    /// <summary>The helpers the emitted activations call: GELU's, and Mish's and Softplus's, written only where a layer needs them.</summary>
    private static void WriteMathHelpers(SourceWriter w, NetworkGraph graph)
    {
        var activations = graph.Nodes.Select(n => n.Op).OfType<ActivationOp>().ToList();
        if (activations.Any(a => a.Function is Activation.Mish or Activation.Softplus))
        {
            w.WriteLine();
            // Math.Log(1.0 + e) keeps only e's bits above 1e-16: a relative error of 1e-3 at x = -30
            w.WriteLine("/// <summary>log(1 + exp(x)) in double, as precise for x far below zero as log1p(exp(x)) (Goldberg's log(u) * e / (u - 1), u = 1 + e).</summary>");
            using (OpenOptimizedMethod(w, "private static double CnnGenLog1PExp(double x)"))
            {
                w.WriteLine("if (x > 36.0) return x; // log(1 + exp(x)) = x + exp(-x), and exp(-x) is below x's last bit");
                w.WriteLine("double e = global::System.Math.Exp(x);");
                w.WriteLine("double u = 1.0 + e;");
                w.WriteLine("return u == 1.0 ? e : global::System.Math.Log(u) * e / (u - 1.0);");
            }
        }
        var gelus = activations.Where(a => a.Function == Activation.GELU).ToList();
        if (gelus.Any(g => !g.UsesTanhApproximation))
        {
            w.WriteLine();
            w.WriteLine("/// <summary>GELU, x * Phi(x) = x / 2 * erfc(-x / sqrt 2), as torch.nn.GELU(): through erfc, so the tail below zero keeps its relative precision.</summary>");
            w.WriteLine(Inline);
            w.WriteLine("private static float CnnGenGelu(float x) => (float)(0.5 * x * CnnGenErfc(-x * 0.70710678118654752440));");
            w.WriteLine();
            // erf by Abramowitz and Stegun 7.1.26 has an absolute error of 1.5e-7, which 1 + erf(x) turns into
            // a relative one of 5e-4 at x = -4 and 5e-3 at x = -6.5, where PyTorch in float64 is exact
            w.WriteLine("/// <summary>erfc in double, with a relative error under 1.2e-7 everywhere (Numerical Recipes' erfcc, a Chebyshev fit): below a float's resolution of GELU's output.</summary>");
            using (OpenOptimizedMethod(w, "private static double CnnGenErfc(double x)"))
            {
                w.WriteLine("double z = global::System.Math.Abs(x);");
                w.WriteLine("double t = 1.0 / (1.0 + 0.5 * z);");
                w.WriteLine("double r = t * global::System.Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));");
                w.WriteLine("return x >= 0 ? r : 2.0 - r;");
            }
        }
        if (gelus.Any(g => g.UsesTanhApproximation))
        {
            w.WriteLine();
            w.WriteLine("/// <summary>GELU's tanh approximation, as torch.nn.GELU(approximate=\"tanh\"): x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))).</summary>");
            w.WriteLine(Inline);
            w.WriteLine("private static float CnnGenGeluTanh(float x) => (float)(0.5 * x * (1.0 + global::System.Math.Tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x))));");
        }
    }
}
