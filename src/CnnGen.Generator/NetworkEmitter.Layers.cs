using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Shapes;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    // the budgets live in UnrollBudget, where the parser reads them too (CNN0015)
    private const int StraightLineMultiplyAdds = UnrollBudget.StraightLineMultiplyAdds;
    private const int UnrolledWindowTaps = UnrollBudget.UnrolledWindowTaps;

    private const string Vector = "global::System.Numerics.Vector";
    private const string VectorOfFloat = "global::System.Numerics.Vector<float>";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    public static bool IsStraightLine(ConvolutionPlan c) => c.MultiplyAdds <= StraightLineMultiplyAdds;

    /// <summary>Stride-1 rows are contiguous in memory: a SIMD vector holds neighbouring output columns.</summary>
    private static bool IsVectorized(ConvolutionPlan c) => !IsStraightLine(c) && c.Layer.StrideWidth == 1 && !UsesChannelVectors(c);

    /// <summary>
    /// Vectors across output channels instead, when rows are strided or fill vectors of 8 columns
    /// badly (a 10-wide row wastes 6 of 16 lanes): the weights are then kept a second time, permuted
    /// to [input channel][tap][filter] at load time, so a filter vector is one load.
    /// </summary>
    public static bool UsesChannelVectors(ConvolutionPlan c)
    {
        if (IsStraightLine(c) || c.Layer.Groups != 1 || c.Filters % 16 != 0) return false;
        if (c.Layer.StrideWidth != 1 || c.OutWidth < 8) return true;
        int lanes = (c.OutWidth + 7) / 8 * 8;
        return c.OutWidth * 10 < lanes * 9;
    }

    /// <summary>Floats in the zero-bordered copy of a vectorized convolution's input, or 0 when it reads its input as it is.</summary>
    public static int PaddedInputLength(LayerDefinition layer, LayerShapes shapes)
    {
        if (layer.Kind != LayerKind.Conv2D) return 0;
        var c = new ConvolutionPlan(layer, shapes);
        return (IsVectorized(c) || UsesChannelVectors(c)) && c.IsPadded ? c.InChannels * c.PaddedHeight * c.PaddedWidth : 0;
    }

    /// <summary>Floats of the permuted weight copy a channel-vector convolution keeps after the parameters, or 0.</summary>
    public static int PermutedWeightLength(LayerDefinition layer, LayerShapes shapes)
    {
        if (layer.Kind != LayerKind.Conv2D) return 0;
        var c = new ConvolutionPlan(layer, shapes);
        return UsesChannelVectors(c) ? c.Filters * c.InChannels * c.WindowSize : 0;
    }

    private static void WriteLayer(SourceWriter w, int index, LayerDefinition layer, LayerShapes shapes, bool fusedReLU, int permutedOffset)
    {
        switch (layer.Kind)
        {
            case LayerKind.Conv2D:
                var conv = new ConvolutionPlan(layer, shapes);
                if (IsStraightLine(conv)) WriteStraightLineConvolution(w, index, conv);
                else WriteConvolution(w, index, conv, fusedReLU);
                if (IsVectorized(conv))
                {
                    w.WriteLine();
                    WriteVectorConvolution(w, index, conv, fusedReLU);
                }
                if (UsesChannelVectors(conv))
                {
                    w.WriteLine();
                    WriteChannelVectorConvolution(w, index, conv, fusedReLU, permutedOffset);
                }
                break;
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool2D:
            case LayerKind.MinPool2D:
                WritePool(w, index, new PoolPlan(layer, shapes));
                break;
            case LayerKind.Dense:
                WriteDense(w, index, layer, shapes);
                break;
            case LayerKind.Softmax:
                WriteSoftmax(w, index, layer, shapes);
                break;
            default:
                WriteActivation(w, index, layer, shapes);
                break;
        }
    }

    private static string Describe(LayerDefinition l, LayerShapes s) => l.Kind switch
    {
        LayerKind.Conv2D => $"{s.Input} -> {s.Output}: kernel {l.KernelHeight}x{l.KernelWidth}, stride {l.StrideHeight}x{l.StrideWidth}, " +
                            $"padding top {l.PadTop} bottom {l.PadBottom} left {l.PadLeft} right {l.PadRight}, dilation {l.DilationHeight}x{l.DilationWidth}, groups {l.Groups}",
        LayerKind.MaxPool2D or LayerKind.AvgPool2D or LayerKind.MinPool2D =>
            $"{s.Input} -> {s.Output}: window {l.KernelHeight}x{l.KernelWidth}, stride {l.StrideHeight}x{l.StrideWidth}, padding {l.PadTop}x{l.PadLeft}" + (l.CeilMode ? ", ceil mode" : ""),
        _ => $"{s.Input} -> {s.Output}",
    };

    private static void WriteSummary(SourceWriter w, int index, LayerDefinition layer, LayerShapes shapes)
    {
        w.WriteLine($"/// <summary>Layer {index}, {layer.Name}: {Describe(layer, shapes)}.</summary>");
    }

    // ---- Convolution ------------------------------------------------------------------------

    /// <summary>Every output is one sum of constant-indexed products; taps that fall in the padding are left out.</summary>
    private static void WriteStraightLineConvolution(SourceWriter w, int index, ConvolutionPlan c)
    {
        var l = c.Layer;
        WriteSummary(w, index, l, c.Shapes);
        using var _ = w.OpenBlock($"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)");
        // touching the last element first lets the JIT drop the bounds checks of the constant indices below
        w.WriteLine($"_ = x[{c.InChannels * c.Height * c.Width - 1}];");
        w.WriteLine($"_ = y[{c.Filters * c.OutHeight * c.OutWidth - 1}];");
        w.WriteLine($"_ = p[{(c.BiasOffset >= 0 ? c.BiasOffset + c.Filters - 1 : c.WeightOffset + c.Filters * c.ChannelsPerGroup * c.WindowSize - 1)}];");
        for (int oc = 0; oc < c.Filters; oc++)
        {
            int firstChannel = oc / c.FiltersPerGroup * c.ChannelsPerGroup;
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    var terms = new List<string>();
                    if (c.BiasOffset >= 0) terms.Add($"p[{c.BiasOffset + oc}]");
                    for (int ic = 0; ic < c.ChannelsPerGroup; ic++)
                    {
                        for (int ky = 0; ky < l.KernelHeight; ky++)
                        {
                            int iy = oy * l.StrideHeight - l.PadTop + ky * l.DilationHeight;
                            if (iy < 0 || iy >= c.Height) continue;
                            for (int kx = 0; kx < l.KernelWidth; kx++)
                            {
                                int ix = ox * l.StrideWidth - l.PadLeft + kx * l.DilationWidth;
                                if (ix < 0 || ix >= c.Width) continue;
                                int xi = ((firstChannel + ic) * c.Height + iy) * c.Width + ix;
                                int wi = c.WeightOffset + ((oc * c.ChannelsPerGroup + ic) * l.KernelHeight + ky) * l.KernelWidth + kx;
                                terms.Add($"x[{xi}] * p[{wi}]");
                            }
                        }
                    }
                    int yi = (oc * c.OutHeight + oy) * c.OutWidth + ox;
                    WriteSum(w, $"y[{yi}] = ", terms);
                }
            }
        }
    }

    /// <summary>Writes "target sum;" with at most a few terms per line.</summary>
    private static void WriteSum(SourceWriter w, string target, List<string> terms)
    {
        if (terms.Count == 0)
        {
            w.WriteLine(target + "0f;");
            return;
        }
        const int PerLine = 5;
        for (int start = 0; start < terms.Count; start += PerLine)
        {
            string line = string.Join(" + ", terms.Skip(start).Take(PerLine));
            bool lastLine = start + PerLine >= terms.Count;
            if (start == 0) w.WriteLine(target + line + (lastLine ? ";" : ""));
            else
            {
                w.Indent();
                w.WriteLine("+ " + line + (lastLine ? ";" : ""));
                w.Unindent();
            }
        }
    }

    /// <summary>
    /// Loops with literal bounds. The interior, where the whole window lies in the real input, reads
    /// with constant offsets and no checks; the border computes each output through the checked path.
    /// </summary>
    private static void WriteConvolution(SourceWriter w, int index, ConvolutionPlan c, bool fusedReLU)
    {
        var l = c.Layer;
        string method = MethodName(index, l);
        int plane = c.Height * c.Width, filterSize = c.ChannelsPerGroup * c.WindowSize;
        string Store(string value) => fusedReLU ? $"global::System.MathF.Max({value}, 0f)" : value;
        bool padded = (IsVectorized(c) || UsesChannelVectors(c)) && c.IsPadded;
        WriteSummary(w, index, l, c.Shapes);
        if (fusedReLU) w.WriteLine($"/// <remarks>Applies the ReLU of layer {index + 1} as it stores.</remarks>");
        using (w.OpenBlock($"private static void {method}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(padded ? $", {Span} padded" : "")})"))
        {
            if (UsesChannelVectors(c))
            {
                using (w.OpenBlock($"if ({Vector}.IsHardwareAccelerated && {c.Filters} % (2 * {VectorOfFloat}.Count) == 0)"))
                {
                    w.WriteLine($"{method}Channels(x, y, p{(padded ? ", padded" : "")});");
                    w.WriteLine("return;");
                }
            }
            if (IsVectorized(c))
            {
                // Vector<float>.Count is a constant to the JIT: this test and the unused path fold away
                using (w.OpenBlock($"if ({Vector}.IsHardwareAccelerated && {VectorOfFloat}.Count <= {c.OutWidth})"))
                {
                    w.WriteLine($"{method}Vector(x, y, p{(padded ? ", padded" : "")});");
                    w.WriteLine("return;");
                }
            }
            using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc++)"))
            {
                w.WriteLine(c.BiasOffset >= 0 ? $"float bias = p[{Linear(c.BiasOffset, ("oc", 1))}];" : "float bias = 0f;");
                w.WriteLine($"int filter = {Linear(c.WeightOffset, ("oc", filterSize))};");
                // with one group every filter reads from channel 0 on
                if (l.Groups > 1) w.WriteLine($"int firstChannel = oc / {c.FiltersPerGroup} * {c.ChannelsPerGroup};");
                string firstChannel = l.Groups > 1 ? "firstChannel" : "0";
                WriteRegions(w, c.OutHeight, c.OutWidth, c.Rows, c.Columns,
                    interior: () =>
                    {
                        w.WriteLine("float sum = bias;");
                        int constant = -l.PadTop * c.Width - l.PadLeft;
                        w.WriteLine($"int xi = {Linear(constant, ("firstChannel", l.Groups == 1 ? 0 : plane), ("oy", l.StrideHeight * c.Width), ("ox", l.StrideWidth))};");
                        w.WriteLine("int wi = filter;");
                        if (c.ChannelsPerGroup == 1) WriteWindowSum(w, c);
                        else
                        {
                            using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++, xi += {plane}, wi += {c.WindowSize})")) WriteWindowSum(w, c);
                        }
                        w.WriteLine($"y[{Linear(0, ("oc", c.OutHeight * c.OutWidth), ("oy", c.OutWidth), ("ox", 1))}] = {Store("sum")};");
                    },
                    border: () => w.WriteLine($"y[{Linear(0, ("oc", c.OutHeight * c.OutWidth), ("oy", c.OutWidth), ("ox", 1))}] = {Store($"{method}At(x, p, bias, filter, {firstChannel}, oy, ox)")};"));
            }
        }
        if (c.Rows.Low > 0 || c.Rows.High < c.OutHeight || c.Columns.Low > 0 || c.Columns.High < c.OutWidth)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>One output of layer {index} near the border, where part of the window reads zero padding.</summary>");
            using (w.OpenBlock($"private static float {method}At({ReadOnlySpan} x, {ReadOnlySpan} p, float bias, int filter, int firstChannel, int oy, int ox)"))
            {
                w.WriteLine("float sum = bias;");
                using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++)"))
                using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                {
                    w.WriteLine($"int iy = {Linear(-l.PadTop, ("oy", l.StrideHeight), ("ky", l.DilationHeight))};");
                    w.WriteLine($"if ((uint)iy >= {c.Height}u) continue;");
                    using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                    {
                        w.WriteLine($"int ix = {Linear(-l.PadLeft, ("ox", l.StrideWidth), ("kx", l.DilationWidth))};");
                        w.WriteLine($"if ((uint)ix >= {c.Width}u) continue;");
                        w.WriteLine($"sum += x[{Linear(0, ("(firstChannel + ic)", plane), ("iy", c.Width), ("ix", 1))}] * p[{Linear(0, ("filter", 1), ("ic", c.WindowSize), ("ky", l.KernelWidth), ("kx", 1))}];");
                    }
                }
                w.WriteLine("return sum;");
            }
        }
    }

    /// <summary>
    /// The SIMD path of a stride-1 convolution: a vector of neighbouring output columns for a block of
    /// output channels stays in registers while the window is summed; each input vector is loaded once
    /// per tap and multiplied by a broadcast weight of every filter in the block. Padding is a zero
    /// border around a copy of the input, so no load needs a bounds test; the last vector of a row
    /// overlaps the one before when the width is not a multiple of the vector size.
    /// </summary>
    private static void WriteVectorConvolution(SourceWriter w, int index, ConvolutionPlan c, bool fusedReLU)
    {
        var l = c.Layer;
        int block = c.FilterBlock, filterSize = c.ChannelsPerGroup * c.WindowSize;
        int rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth;
        // up to four output rows share every broadcast weight; the last group overlaps the one before
        int rows = c.OutHeight >= 4 ? 4 : c.OutHeight >= 2 ? 2 : 1;
        w.WriteLine($"/// <summary>Layer {index} with SIMD vectors across output columns: {rows} row(s) x {block} filter(s) in registers.</summary>");
        using var _ = w.OpenBlock($"private static void {MethodName(index, l)}Vector({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(c.IsPadded ? $", {Span} padded" : "")})");
        WriteInputReference(w, c, rowLength, plane);
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"int width = {VectorOfFloat}.Count;");
        using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc += {block})"))
        {
            if (l.Groups > 1) w.WriteLine($"int firstChannel = oc / {c.FiltersPerGroup} * {c.ChannelsPerGroup};");
            w.WriteLine($"int filter = {Linear(c.WeightOffset, ("oc", filterSize))};");
            for (int f = 0; f < block; f++)
                w.WriteLine(c.BiasOffset >= 0 ? $"var bias{f} = new {VectorOfFloat}(p[{Linear(c.BiasOffset + f, ("oc", 1))}]);" : $"var bias{f} = {VectorOfFloat}.Zero;");
            using (w.OpenBlock($"for (int pair = 0; pair < {c.OutHeight}; pair += {rows})"))
            using (w.OpenBlock($"for (int start = 0; start < {c.OutWidth}; start += width)"))
            {
                w.WriteLine(rows > 1 ? $"int oy = global::System.Math.Min(pair, {c.OutHeight - rows});" : "int oy = pair;");
                w.WriteLine($"int ox = global::System.Math.Min(start, {c.OutWidth} - width);");
                for (int r = 0; r < rows; r++)
                    for (int f = 0; f < block; f++) w.WriteLine($"var sum{r}{f} = bias{f};");
                w.WriteLine($"int xi = {Linear(0, ("firstChannel", l.Groups > 1 ? plane : 0), ("oy", l.StrideHeight * rowLength), ("ox", 1))};");
                w.WriteLine("int wi = filter;");
                // one register per filter's broadcast weight and one for the input row, reused by every tap
                w.WriteLine($"{VectorOfFloat} {string.Join(", ", Enumerable.Range(0, block).Select(f => $"weight{f}"))}, row;");
                int rowStep = l.StrideHeight * rowLength;
                if (c.ChannelsPerGroup == 1) WriteVectorWindow(w, c, rowLength, rowStep, rows, block, filterSize);
                else
                {
                    using (w.OpenBlock($"for (int ic = 0; ic < {c.ChannelsPerGroup}; ic++, xi += {plane}, wi += {c.WindowSize})"))
                        WriteVectorWindow(w, c, rowLength, rowStep, rows, block, filterSize);
                }
                w.WriteLine($"int yi = {Linear(0, ("oc", outPlane), ("oy", c.OutWidth), ("ox", 1))};");
                for (int r = 0; r < rows; r++)
                {
                    for (int f = 0; f < block; f++)
                    {
                        string value = fusedReLU ? $"{Vector}.Max(sum{r}{f}, {VectorOfFloat}.Zero)" : $"sum{r}{f}";
                        w.WriteLine($"{Vector}.StoreUnsafe({value}, ref output, (nuint)({Linear(f * outPlane + r * c.OutWidth, ("yi", 1))}));");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The channel-vector path: two vectors of output channels for each of a few neighbouring output
    /// pixels stay in registers; per tap, the two filter vectors are loaded once (from the permuted
    /// copy) and each pixel's input value is broadcast into them. Any stride works, as each pixel's
    /// input is addressed on its own. Results leave a lane at a time, since NCHW puts channels apart.
    /// </summary>
    private static void WriteChannelVectorConvolution(SourceWriter w, int index, ConvolutionPlan c, bool fusedReLU, int permutedOffset)
    {
        var l = c.Layer;
        int pixels = Math.Min(4, c.OutWidth);
        int rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth, tapStride = c.Filters;
        w.WriteLine($"/// <summary>Layer {index} with SIMD vectors across output channels: {pixels} pixel(s) x 2 vectors of filters in registers.</summary>");
        using var _ = w.OpenBlock($"private static void {MethodName(index, l)}Channels({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(c.IsPadded ? $", {Span} padded" : "")})");
        WriteInputReference(w, c, rowLength, plane);
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"int width = {VectorOfFloat}.Count;");
        w.WriteLine($"{Span} lanes = stackalloc float[{VectorOfFloat}.Count];");
        using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc += 2 * width)"))
        {
            for (int v = 0; v < 2; v++)
                w.WriteLine(c.BiasOffset >= 0
                    ? $"var bias{v} = {Vector}.LoadUnsafe(ref weights, (nuint)({Linear(c.BiasOffset, ("oc", 1))}{(v == 1 ? " + width" : "")}));"
                    : $"var bias{v} = {VectorOfFloat}.Zero;");
            using (w.OpenBlock($"for (int oy = 0; oy < {c.OutHeight}; oy++)"))
            using (w.OpenBlock($"for (int start = 0; start < {c.OutWidth}; start += {pixels})"))
            {
                w.WriteLine(pixels < c.OutWidth ? $"int ox = global::System.Math.Min(start, {c.OutWidth - pixels});" : "int ox = start;");
                for (int px = 0; px < pixels; px++)
                    for (int v = 0; v < 2; v++) w.WriteLine($"var sum{px}{v} = bias{v};");
                w.WriteLine($"int xi = {Linear(0, ("oy", l.StrideHeight * rowLength), ("ox", l.StrideWidth))};");
                w.WriteLine($"int wi = {Linear(permutedOffset, ("oc", 1))};");
                w.WriteLine($"{VectorOfFloat} weight0, weight1, value;");
                using (w.OpenBlock($"for (int ic = 0; ic < {c.InChannels}; ic++, xi += {plane}, wi += {c.WindowSize * tapStride})"))
                {
                    void Tap(int inputOffset, string inputBase, string weightBase)
                    {
                        w.WriteLine($"weight0 = {Vector}.LoadUnsafe(ref weights, (nuint){weightBase});");
                        w.WriteLine($"weight1 = {Vector}.LoadUnsafe(ref weights, (nuint)({weightBase} + width));");
                        for (int px = 0; px < pixels; px++)
                        {
                            w.WriteLine($"value = new {VectorOfFloat}({Unsafe}.Add(ref input, {Linear(inputOffset + px * l.StrideWidth, (inputBase, 1))}));");
                            w.WriteLine($"sum{px}0 = {Vector}.MultiplyAddEstimate(value, weight0, sum{px}0);");
                            w.WriteLine($"sum{px}1 = {Vector}.MultiplyAddEstimate(value, weight1, sum{px}1);");
                        }
                    }
                    if (c.WindowSize * pixels * 2 <= VectorUnrolledMultiplyAdds)
                    {
                        for (int ky = 0; ky < l.KernelHeight; ky++)
                            for (int kx = 0; kx < l.KernelWidth; kx++)
                                Tap(ky * l.DilationHeight * rowLength + kx * l.DilationWidth, "xi", $"({Linear((ky * l.KernelWidth + kx) * tapStride, ("wi", 1))})");
                    }
                    else
                    {
                        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                        using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                        {
                            w.WriteLine($"int tap = {Linear(0, ("xi", 1), ("ky", l.DilationHeight * rowLength), ("kx", l.DilationWidth))};");
                            w.WriteLine($"int tapWeights = {Linear(0, ("wi", 1), ("ky", l.KernelWidth * tapStride), ("kx", tapStride))};");
                            Tap(0, "tap", "tapWeights");
                        }
                    }
                }
                for (int px = 0; px < pixels; px++)
                {
                    for (int v = 0; v < 2; v++)
                    {
                        string value = fusedReLU ? $"{Vector}.Max(sum{px}{v}, {VectorOfFloat}.Zero)" : $"sum{px}{v}";
                        w.WriteLine($"{value}.CopyTo(lanes);");
                        string channel = v == 0 ? "oc + k" : "oc + width + k";
                        w.WriteLine($"for (int k = 0; k < width; k++) y[({channel}) * {outPlane} + {Linear(px, ("oy", c.OutWidth), ("ox", 1))}] = lanes[k];");
                    }
                }
            }
        }
    }

    /// <summary>[input channel][tap][filter]: the filters of one tap side by side, for the channel-vector path.</summary>
    public static void WriteWeightPermutation(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        w.WriteLine($"// layer {index}: [{c.Filters}, {c.InChannels}, {c.Layer.KernelHeight}, {c.Layer.KernelWidth}] as [{c.InChannels}, {c.WindowSize}, {c.Filters}] at {permutedOffset}");
        using (w.OpenBlock($"for (int oc = 0; oc < {c.Filters}; oc++)"))
        using (w.OpenBlock($"for (int ic = 0; ic < {c.InChannels}; ic++)"))
        using (w.OpenBlock($"for (int k = 0; k < {c.WindowSize}; k++)"))
        {
            w.WriteLine($"p[{Linear(permutedOffset, ("ic", c.WindowSize * c.Filters), ("k", c.Filters), ("oc", 1))}] = p[{Linear(c.WeightOffset, ("oc", c.InChannels * c.WindowSize), ("ic", c.WindowSize), ("k", 1))}];");
        }
    }

    /// <summary>
    /// Fused multiply-adds a vector window may unroll into one method: past this the window becomes
    /// loops, so no emitted method nears the size where RyuJIT stops optimizing (MinOpts).
    /// </summary>
    private const int VectorUnrolledMultiplyAdds = 256;

    /// <summary>
    /// "ref float input": the input itself, or for a padded layer the input's rows copied into the
    /// zero-bordered buffer (whose border is never written), so that no load needs a bounds test.
    /// </summary>
    private static void WriteInputReference(SourceWriter w, ConvolutionPlan c, int rowLength, int plane)
    {
        if (!c.IsPadded)
        {
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
            return;
        }
        using (w.OpenBlock($"for (int row = 0; row < {c.InChannels * c.Height}; row++)"))
        {
            w.WriteLine($"int channel = row / {c.Height}, r = row - channel * {c.Height};");
            w.WriteLine($"x.Slice(row * {c.Width}, {c.Width}).CopyTo(padded.Slice({Linear(c.Layer.PadTop * rowLength + c.Layer.PadLeft, ("channel", plane), ("r", rowLength))}, {c.Width}));");
        }
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(padded);");
    }

    /// <summary>Every tap of the window: one vector load per output row, one fused multiply-add per row and filter.</summary>
    private static void WriteVectorWindow(SourceWriter w, ConvolutionPlan c, int rowLength, int rowStep, int rows, int block, int filterSize)
    {
        var l = c.Layer;
        void Tap(int inputOffset, string inputBase, string weightOffset)
        {
            for (int f = 0; f < block; f++)
                w.WriteLine($"weight{f} = new {VectorOfFloat}({Unsafe}.Add(ref weights, {Linear(f * filterSize, (weightOffset, 1))}));");
            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"row = {Vector}.LoadUnsafe(ref input, (nuint)({Linear(inputOffset + r * rowStep, (inputBase, 1))}));");
                for (int f = 0; f < block; f++)
                    w.WriteLine($"sum{r}{f} = {Vector}.MultiplyAddEstimate(row, weight{f}, sum{r}{f});");
            }
        }
        int perTap = rows * block;
        if (c.WindowSize * perTap <= VectorUnrolledMultiplyAdds)
        {
            for (int ky = 0; ky < l.KernelHeight; ky++)
                for (int kx = 0; kx < l.KernelWidth; kx++)
                    Tap(ky * l.DilationHeight * rowLength + kx * l.DilationWidth, "xi", Linear(ky * l.KernelWidth + kx, ("wi", 1)));
            return;
        }
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        {
            w.WriteLine($"int tapRow = {Linear(0, ("xi", 1), ("ky", l.DilationHeight * rowLength))};");
            w.WriteLine($"int weightRow = {Linear(0, ("wi", 1), ("ky", l.KernelWidth))};");
            if (l.KernelWidth * perTap <= VectorUnrolledMultiplyAdds)
            {
                for (int kx = 0; kx < l.KernelWidth; kx++) Tap(kx * l.DilationWidth, "tapRow", Linear(kx, ("weightRow", 1)));
                return;
            }
            using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
            {
                w.WriteLine($"int tap = {Linear(0, ("tapRow", 1), ("kx", l.DilationWidth))};");
                Tap(0, "tap", Linear(0, ("weightRow", 1), ("kx", 1)));
            }
        }
    }

    /// <summary>sum += the window at x[xi..] times the kernel at p[wi..]: unrolled with constant offsets when small.</summary>
    private static void WriteWindowSum(SourceWriter w, ConvolutionPlan c)
    {
        var l = c.Layer;
        if (c.WindowSize <= UnrolledWindowTaps)
        {
            var terms = new List<string>();
            for (int ky = 0; ky < l.KernelHeight; ky++)
                for (int kx = 0; kx < l.KernelWidth; kx++)
                    terms.Add($"{Index("x", "xi", c.TapOffset(ky, kx))} * {Index("p", "wi", ky * l.KernelWidth + kx)}");
            WriteSum(w, "sum += ", terms);
            return;
        }
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
        {
            w.WriteLine($"sum += x[{Linear(0, ("xi", 1), ("ky", l.DilationHeight * c.Width), ("kx", l.DilationWidth))}] * p[{Linear(0, ("wi", 1), ("ky", l.KernelWidth), ("kx", 1))}];");
        }
    }

    /// <summary>
    /// Loops over every (oy, ox) of a rows x columns output, split into the interior rectangle and
    /// the border strips around it; each body sees the loop variables oy and ox.
    /// </summary>
    private static void WriteRegions(SourceWriter w, int rows, int columns, InteriorRange interiorRows, InteriorRange interiorColumns, Action interior, Action border)
    {
        bool hasInterior = !interiorRows.IsEmpty && !interiorColumns.IsEmpty;
        if (!hasInterior)
        {
            WriteRectangle(w, 0, rows, 0, columns, border);
            return;
        }
        WriteRectangle(w, 0, interiorRows.Low, 0, columns, border);
        WriteRectangle(w, interiorRows.Low, interiorRows.High, interiorColumns.Low, interiorColumns.High, interior);
        WriteRectangle(w, interiorRows.Low, interiorRows.High, 0, interiorColumns.Low, border);
        WriteRectangle(w, interiorRows.Low, interiorRows.High, interiorColumns.High, columns, border);
        WriteRectangle(w, interiorRows.High, rows, 0, columns, border);
    }

    private static void WriteRectangle(SourceWriter w, int rowLow, int rowHigh, int columnLow, int columnHigh, Action body)
    {
        if (rowLow >= rowHigh || columnLow >= columnHigh) return;
        using (w.OpenBlock($"for (int oy = {rowLow}; oy < {rowHigh}; oy++)"))
        using (w.OpenBlock($"for (int ox = {columnLow}; ox < {columnHigh}; ox++)"))
        {
            body();
        }
    }

    // ---- Pooling ----------------------------------------------------------------------------

    private static void WritePool(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        string method = MethodName(index, l);
        int plane = pool.Height * pool.Width, outPlane = pool.OutHeight * pool.OutWidth, taps = l.KernelHeight * l.KernelWidth;
        WriteSummary(w, index, l, pool.Shapes);
        using (w.OpenBlock($"private static void {method}({ReadOnlySpan} x, {Span} y)"))
        {
            if (IsVectorPool(pool))
            {
                using (w.OpenBlock($"if ({Vector256}.IsHardwareAccelerated)"))
                {
                    w.WriteLine($"{method}Vector(x, y);");
                    w.WriteLine("return;");
                }
            }
            WritePoolChannels(w, index, pool, method, plane, outPlane, taps);
        }
        if (IsVectorPool(pool))
        {
            w.WriteLine();
            WriteVectorPool(w, index, pool);
        }
        WritePoolBorder(w, index, pool, method, plane);
    }

    private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";

    /// <summary>
    /// The common 2x2 window with stride 2 and no border: eight outputs of a row come from two
    /// 16-float stretches of two input rows, reduced vertically, then even and odd columns apart.
    /// </summary>
    private static bool IsVectorPool(PoolPlan pool) =>
        pool.Layer is { KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2 } && pool.OutWidth >= 8 &&
        pool.Rows.Low == 0 && pool.Rows.High == pool.OutHeight && pool.Columns.Low == 0 && pool.Columns.High == pool.OutWidth;

    private static void WriteVectorPool(SourceWriter w, int index, PoolPlan pool)
    {
        var l = pool.Layer;
        string combine = l.Kind switch { LayerKind.MaxPool2D => $"{Vector256}.Max", LayerKind.MinPool2D => $"{Vector256}.Min", _ => "" };
        string Reduce(string a, string b) => l.Kind == LayerKind.AvgPool2D ? $"{a} + {b}" : $"{combine}({a}, {b})";
        w.WriteLine($"/// <summary>Layer {index} with 256-bit vectors: 8 outputs of a row at a time.</summary>");
        using var _ = w.OpenBlock($"private static void {MethodName(index, l)}Vector({ReadOnlySpan} x, {Span} y)");
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"var evens = {Vector256}.Create(0, 2, 4, 6, 0, 2, 4, 6);");
        w.WriteLine($"var odds = {Vector256}.Create(1, 3, 5, 7, 1, 3, 5, 7);");
        using (w.OpenBlock($"for (int row = 0; row < {pool.Channels * pool.OutHeight}; row++)"))
        {
            // output row `row` of channel c reads input rows 2*oy and 2*oy + 1 of the same channel
            w.WriteLine($"int channel = row / {pool.OutHeight}, oy = row - channel * {pool.OutHeight};");
            w.WriteLine($"int top = {Linear(0, ("channel", pool.Height * pool.Width), ("oy", 2 * pool.Width))};");
            using (w.OpenBlock($"for (int start = 0; start < {pool.OutWidth}; start += 8)"))
            {
                w.WriteLine($"int ox = global::System.Math.Min(start, {pool.OutWidth - 8});");
                w.WriteLine($"int xi = top + 2 * ox;");
                w.WriteLine($"var left = {Reduce($"{Vector256}.LoadUnsafe(ref input, (nuint)xi)", $"{Vector256}.LoadUnsafe(ref input, (nuint)(xi + {pool.Width}))")};");
                w.WriteLine($"var right = {Reduce($"{Vector256}.LoadUnsafe(ref input, (nuint)(xi + 8))", $"{Vector256}.LoadUnsafe(ref input, (nuint)(xi + {pool.Width + 8}))")};");
                w.WriteLine($"var even = {Vector256}.Create({Vector256}.GetLower({Vector256}.Shuffle(left, evens)), {Vector256}.GetLower({Vector256}.Shuffle(right, evens)));");
                w.WriteLine($"var odd = {Vector256}.Create({Vector256}.GetLower({Vector256}.Shuffle(left, odds)), {Vector256}.GetLower({Vector256}.Shuffle(right, odds)));");
                string result = l.Kind == LayerKind.AvgPool2D ? "(even + odd) * 0.25f" : Reduce("even", "odd");
                w.WriteLine($"{Vector256}.StoreUnsafe({result}, ref output, (nuint)({Linear(0, ("row", pool.OutWidth), ("ox", 1))}));");
            }
        }
    }

    private static void WritePoolChannels(SourceWriter w, int index, PoolPlan pool, string method, int plane, int outPlane, int taps)
    {
        var l = pool.Layer;
        using (w.OpenBlock($"for (int c = 0; c < {pool.Channels}; c++)"))
        {
            string target = $"y[{Linear(0, ("c", outPlane), ("oy", pool.OutWidth), ("ox", 1))}]";
            WriteRegions(w, pool.OutHeight, pool.OutWidth, pool.Rows, pool.Columns,
                interior: () =>
                {
                    w.WriteLine($"int xi = {Linear(-l.PadTop * pool.Width - l.PadLeft, ("c", plane), ("oy", l.StrideHeight * pool.Width), ("ox", l.StrideWidth))};");
                    var taken = new List<string>();
                    for (int ky = 0; ky < l.KernelHeight; ky++)
                        for (int kx = 0; kx < l.KernelWidth; kx++)
                            taken.Add(Index("x", "xi", ky * pool.Width + kx));
                    if (taps > UnrolledWindowTaps)
                    {
                        WritePoolLoop(w, l, pool, "xi");
                        w.WriteLine($"{target} = {(l.Kind == LayerKind.AvgPool2D ? $"acc / {taps}f" : "acc")};");
                    }
                    else if (l.Kind == LayerKind.AvgPool2D)
                    {
                        WriteSum(w, "float acc = ", taken);
                        w.WriteLine($"{target} = acc / {taps}f;");
                    }
                    else
                    {
                        w.WriteLine($"float acc = {taken[0]};");
                        foreach (var t in taken.Skip(1)) w.WriteLine(PoolAccumulate(l.Kind, t));
                        w.WriteLine($"{target} = acc;");
                    }
                },
                border: () => w.WriteLine($"{target} = {method}At(x, c, oy, ox);"));
        }
    }

    private static void WritePoolBorder(SourceWriter w, int index, PoolPlan pool, string method, int plane)
    {
        var l = pool.Layer;
        if (pool.Rows.Low > 0 || pool.Rows.High < pool.OutHeight || pool.Columns.Low > 0 || pool.Columns.High < pool.OutWidth)
        {
            w.WriteLine();
            string padding = l.Kind switch
            {
                LayerKind.MaxPool2D => "the padding counts as negative infinity",
                LayerKind.MinPool2D => "the padding counts as positive infinity",
                _ => "padded zeros count in the divisor, which is clipped to the padded input (count_include_pad)",
            };
            w.WriteLine($"/// <summary>One output of layer {index} near the border: {padding}.</summary>");
            using (w.OpenBlock($"private static float {method}At({ReadOnlySpan} x, int c, int oy, int ox)"))
            {
                w.WriteLine($"int top = {Linear(-l.PadTop, ("oy", l.StrideHeight))};");
                w.WriteLine($"int left = {Linear(-l.PadLeft, ("ox", l.StrideWidth))};");
                w.WriteLine(PoolStart(l.Kind));
                using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                {
                    w.WriteLine("int iy = top + ky;");
                    w.WriteLine($"if ((uint)iy >= {pool.Height}u) continue;");
                    using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                    {
                        w.WriteLine("int ix = left + kx;");
                        w.WriteLine($"if ((uint)ix >= {pool.Width}u) continue;");
                        string value = $"x[{Linear(0, ("c", plane), ("iy", pool.Width), ("ix", 1))}]";
                        w.WriteLine(PoolAccumulate(l.Kind, value));
                    }
                }
                if (l.Kind == LayerKind.AvgPool2D)
                {
                    // PyTorch's divisor: the window clipped to the padded input, before clipping to the real one
                    w.WriteLine($"int bottom = global::System.Math.Min(top + {l.KernelHeight}, {pool.Height + l.PadTop});");
                    w.WriteLine($"int right = global::System.Math.Min(left + {l.KernelWidth}, {pool.Width + l.PadLeft});");
                    w.WriteLine("return acc / ((bottom - top) * (right - left));");
                }
                else w.WriteLine("return acc;");
            }
        }
    }

    /// <summary>The accumulator before the window: the padding's value for max and min (-inf, +inf), 0 for the mean's sum.</summary>
    private static string PoolStart(LayerKind kind) => kind switch
    {
        LayerKind.MaxPool2D => "float acc = float.NegativeInfinity;",
        LayerKind.MinPool2D => "float acc = float.PositiveInfinity;",
        _ => "float acc = 0f;",
    };

    /// <summary>One window value into the accumulator; MathF.Max and Min pass NaN on, as PyTorch's pooling does.</summary>
    private static string PoolAccumulate(LayerKind kind, string value) => kind switch
    {
        LayerKind.MaxPool2D => $"acc = {ScalarReduce(kind)}(acc, {value});",
        LayerKind.MinPool2D => $"acc = {ScalarReduce(kind)}(acc, {value});",
        _ => $"acc += {value};",
    };

    private static string ScalarReduce(LayerKind kind) => kind == LayerKind.MaxPool2D ? "global::System.MathF.Max" : "global::System.MathF.Min";

    /// <summary>A large interior window as loops (no bounds checks needed inside the interior).</summary>
    private static void WritePoolLoop(SourceWriter w, LayerDefinition l, PoolPlan pool, string start)
    {
        w.WriteLine(PoolStart(l.Kind));
        using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
        using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
        {
            string value = $"x[{Linear(0, (start, 1), ("ky", pool.Width), ("kx", 1))}]";
            w.WriteLine(PoolAccumulate(l.Kind, value));
        }
    }

    // ---- Dense, activations, softmax --------------------------------------------------------

    /// <summary>
    /// y = W x + b, a block of rows at a time: each input vector is loaded once and multiplied into
    /// every row's accumulator, then each accumulator is summed across its lanes.
    /// </summary>
    private static void WriteDense(SourceWriter w, int index, LayerDefinition l, LayerShapes s)
    {
        int inputs = s.Input.Length;
        int weight = s.Parameters[0].Offset;
        int rows = l.Outputs % 4 == 0 ? 4 : l.Outputs % 2 == 0 ? 2 : 1;
        WriteSummary(w, index, l, s);
        using (w.OpenBlock($"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p)"))
        {
            w.WriteLine($"x = x.Slice(0, {inputs});");
            w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
            w.WriteLine($"bool simd = {Vector}.IsHardwareAccelerated && {VectorOfFloat}.Count <= {inputs};");
            w.WriteLine($"int vectorEnd = simd ? {inputs} - {inputs} % {VectorOfFloat}.Count : 0;");
            using (w.OpenBlock($"for (int o = 0; o < {l.Outputs}; o += {rows})"))
            {
                w.WriteLine($"int row = {Linear(weight, ("o", inputs))};");
                for (int r = 0; r < rows; r++) w.WriteLine($"var partial{r} = {VectorOfFloat}.Zero;");
                using (w.OpenBlock($"for (int i = 0; i < vectorEnd; i += {VectorOfFloat}.Count)"))
                {
                    w.WriteLine($"var v = {Vector}.LoadUnsafe(ref input, (nuint)i);");
                    for (int r = 0; r < rows; r++)
                        w.WriteLine($"partial{r} = {Vector}.MultiplyAddEstimate(v, {Vector}.LoadUnsafe(ref weights, (nuint)({Linear(r * inputs, ("row", 1), ("i", 1))})), partial{r});");
                }
                for (int r = 0; r < rows; r++)
                {
                    w.WriteLine($"float sum{r} = {Vector}.Sum(partial{r});");
                    w.WriteLine($"for (int i = vectorEnd; i < {inputs}; i++) sum{r} += x[i] * p[{Linear(r * inputs, ("row", 1), ("i", 1))}];");
                    w.WriteLine(l.Bias ? $"y[{Linear(r, ("o", 1))}] = sum{r} + p[{Linear(s.Parameters[1].Offset + r, ("o", 1))}];" : $"y[{Linear(r, ("o", 1))}] = sum{r};");
                }
            }
        }
    }

    private static void WriteActivation(SourceWriter w, int index, LayerDefinition l, LayerShapes s)
    {
        string expression = l.Kind switch
        {
            LayerKind.ReLU => "global::System.MathF.Max(v, 0f)",
            LayerKind.LeakyReLU => $"v >= 0f ? v : v * {Float(l.NegativeSlope)}",
            LayerKind.Sigmoid => "1f / (1f + global::System.MathF.Exp(-v))",
            LayerKind.Tanh => "global::System.MathF.Tanh(v)",
            _ => throw new InvalidOperationException("not an activation: " + l.Kind),
        };
        // ReLU and LeakyReLU are one or two vector instructions; Sigmoid and Tanh need exp, left scalar
        string? vectorExpression = l.Kind switch
        {
            LayerKind.ReLU => $"{Vector}.Max(v, {VectorOfFloat}.Zero)",
            LayerKind.LeakyReLU => $"{Vector}.ConditionalSelect({Vector}.GreaterThanOrEqual(v, {VectorOfFloat}.Zero), v, v * {Float(l.NegativeSlope)})",
            _ => null,
        };
        int length = s.Output.Length;
        WriteSummary(w, index, l, s);
        w.WriteLine("/// <remarks>Elementwise: x and y may be the same buffer.</remarks>");
        using (w.OpenBlock($"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y)"))
        {
            w.WriteLine("int i = 0;");
            if (vectorExpression is not null)
            {
                using (w.OpenBlock($"if ({Vector}.IsHardwareAccelerated && {VectorOfFloat}.Count <= {length})"))
                {
                    w.WriteLine($"x = x.Slice(0, {length});");
                    w.WriteLine($"y = y.Slice(0, {length});");
                    w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
                    w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
                    using (w.OpenBlock($"for (; i <= {length} - {VectorOfFloat}.Count; i += {VectorOfFloat}.Count)"))
                    {
                        w.WriteLine($"var v = {Vector}.LoadUnsafe(ref input, (nuint)i);");
                        w.WriteLine($"{Vector}.StoreUnsafe({vectorExpression}, ref output, (nuint)i);");
                    }
                }
            }
            using (w.OpenBlock($"for (; i < {length}; i++)"))
            {
                w.WriteLine("float v = x[i];");
                w.WriteLine($"y[i] = {expression};");
            }
        }
    }

    /// <summary>torch.nn.Softmax(dim=1): over the vector, or over the channels at each pixel; the maximum is subtracted first.</summary>
    private static void WriteSoftmax(SourceWriter w, int index, LayerDefinition l, LayerShapes s)
    {
        int channels = s.Input.Channels, pixels = s.Input.IsFlat ? 1 : s.Input.Height * s.Input.Width;
        WriteSummary(w, index, l, s);
        w.WriteLine("/// <remarks>x and y may be the same buffer: each element is read before it is written.</remarks>");
        using (w.OpenBlock($"private static void {MethodName(index, l)}({ReadOnlySpan} x, {Span} y)"))
        {
            Action body = () =>
            {
                string at = pixels == 1 ? "c" : $"c * {pixels} + s";
                w.WriteLine("float max = float.NegativeInfinity;");
                w.WriteLine($"for (int c = 0; c < {channels}; c++) max = global::System.MathF.Max(max, x[{at}]);");
                w.WriteLine("float total = 0f;");
                using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
                {
                    w.WriteLine($"float e = global::System.MathF.Exp(x[{at}] - max);");
                    w.WriteLine($"y[{at}] = e;");
                    w.WriteLine("total += e;");
                }
                w.WriteLine($"for (int c = 0; c < {channels}; c++) y[{at}] /= total;");
            };
            if (pixels == 1) body();
            else
            {
                using (w.OpenBlock($"for (int s = 0; s < {pixels}; s++)")) body();
            }
        }
    }
}
