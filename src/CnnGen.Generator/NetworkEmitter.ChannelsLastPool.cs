using CnnGen.Generator.Planning;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>Windowed pools of channels-last maps: a vector of channels per window position.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>
    /// A max, min or average pool over a channels-last input: per output pixel and vector of channels, the window's
    /// pixels loaded as vectors and reduced lane-wise (a max or min passing NaN on, a sum from zero in the window's
    /// row-major order, divided as PyTorch divides: by the window clipped to the padded input), the last vector of
    /// channels overlapping the one before; stored channels-last, or a lane at a time in PyTorch's layout. Taps
    /// outside the input (padding, or a ceil-mode window past the end) are skipped, as the scalar border does.
    /// </summary>
    private static void WriteChannelsLastPool(SourceWriter w, int index, PoolPlan pool, Layout output)
    {
        var l = pool.Layer;
        int channels = pool.Channels, outPlane = pool.OutHeight * pool.OutWidth;
        var v = SimdFlavor.Portable;
        string method = MethodName(index, l);
        bool interiorOnly = pool.Rows.Low == 0 && pool.Rows.High == pool.OutHeight && pool.Columns.Low == 0 && pool.Columns.High == pool.OutWidth;
        string Target(string channel) => output == Layout.ChannelsLast
            ? Linear(0, ("oy", pool.OutWidth * channels), ("ox", channels), (channel, 1))
            : Linear(0, (channel, outPlane), ("oy", pool.OutWidth), ("ox", 1));
        string Reduce(string acc, string value) => l.Reduction switch
        {
            Reduction.Max => $"{acc} = {v.Static}.Max({acc}, {value});",
            Reduction.Min => $"{acc} = {v.Static}.Min({acc}, {value});",
            Reduction.Average => $"{acc} += {value};",
        };
        string start = l.Reduction switch
        {
            Reduction.Max => $"new {v.Type}(float.NegativeInfinity)",
            Reduction.Min => $"new {v.Type}(float.PositiveInfinity)",
            Reduction.Average => $"{v.Type}.Zero",
        };
        WriteSummary(w, index, l, pool.Shapes);
        w.WriteLine($"/// <remarks>Reads its input channels-last (a pixel's channels side by side) and writes its output {(output == Layout.ChannelsLast ? "channels-last" : "in PyTorch's layout")}.</remarks>");
        bool separable = pool.SeparableSaves, wide = channels >= SimdFlavor.WideLanes;
        using (OpenOptimizedMethod(w, $"private static void {method}({ReadOnlySpan} x, {Span} y)"))
        {
            w.WriteLine($"bool simd = {v.IsHardwareAccelerated} && {v.Count} <= {channels};");
            if (!separable && wide)
            {
                using (w.OpenBlock($"if ({SimdFlavor.Wide.IsHardwareAccelerated})"))
                {
                    w.WriteLine($"{method}{SimdFlavor.Wide.Suffix}(x, y);");
                    w.WriteLine("return;");
                }
            }
            if (separable)
            {
                if (wide)
                {
                    using (w.OpenBlock($"if ({SimdFlavor.Wide.IsHardwareAccelerated})"))
                    {
                        w.WriteLine($"{method}Separable{SimdFlavor.Wide.Suffix}(x, y);");
                        w.WriteLine("return;");
                    }
                }
                using (w.OpenBlock("if (simd)"))
                {
                    w.WriteLine($"{method}Separable(x, y);");
                    w.WriteLine("return;");
                }
            }
            if (output == Layout.ChannelsFirst) w.WriteLine($"{Span} lanes = stackalloc float[simd ? {v.Count} : 0];");
            using (w.OpenBlock($"for (int oy = 0; oy < {pool.OutHeight}; oy++)"))
            using (w.OpenBlock($"for (int ox = 0; ox < {pool.OutWidth}; ox++)"))
            {
                w.WriteLine($"int top = {Linear(-l.PaddingHeight, ("oy", l.StrideHeight))};");
                w.WriteLine($"int left = {Linear(-l.PaddingWidth, ("ox", l.StrideWidth))};");
                string divisor = interiorOnly ? $"{l.KernelHeight * l.KernelWidth}f" : WindowDivisor(pool);
                // the window's taps in row-major order; accumulate(pixel) is the statement for the tap at x[pixel ...]
                void Window(System.Func<string, string> accumulate) =>
                    WriteWindowTaps(w, pool, !interiorOnly, accumulate(Linear(0, ("iy", pool.Width * channels), ("ix", channels))));
                using (w.OpenBlock("if (simd)"))
                {
                    using (w.OpenBlock($"for (int block = 0; block < {channels}; block += {v.Count})"))
                    {
                        w.WriteLine($"int c = global::System.Math.Min(block, {channels} - {v.Count});");
                        w.WriteLine($"var acc = {start};");
                        Window(pixel => Reduce("acc", $"new {v.Type}(x.Slice({pixel} + c))"));
                        if (l.Reduction == Reduction.Average) w.WriteLine($"acc /= {v.Broadcast($"(float){divisor}")};");
                        if (output == Layout.ChannelsLast) w.WriteLine($"acc.CopyTo(y.Slice({Target("c")}));");
                        else
                        {
                            w.WriteLine("acc.CopyTo(lanes);");
                            w.WriteLine($"for (int lane = 0; lane < {v.Count}; lane++) y[{Linear(0, ("(c + lane)", outPlane), ("oy", pool.OutWidth), ("ox", 1))}] = lanes[lane];");
                        }
                    }
                    w.WriteLine("continue;");
                }
                using (w.OpenBlock($"for (int c = 0; c < {channels}; c++)"))
                {
                    w.WriteLine(PoolStart(l.Reduction));
                    Window(pixel => PoolAccumulate(l.Reduction, $"x[{pixel} + c]"));
                    w.WriteLine($"y[{Target("c")}] = {(l.Reduction == Reduction.Average ? $"acc / {divisor}" : "acc")};");
                }
            }
        }
        if (separable)
        {
            if (wide)
            {
                w.WriteLine();
                WriteSeparableChannelsLastPool(w, index, pool, output, SimdFlavor.Wide);
            }
            w.WriteLine();
            WriteSeparableChannelsLastPool(w, index, pool, output, SimdFlavor.Portable);
        }
        else if (wide)
        {
            w.WriteLine();
            WriteWideChannelsLastPool(w, index, pool, output);
        }
    }

    /// <summary>The most taps a window of the wide channels-last pool lists one statement each; a larger window loops.</summary>
    private const int UnrolledPoolTaps = 25;

    /// <summary>
    /// A channels-last pool whose windows overlap too little to pay for the separable form (3x3 at stride 2, a ResNet's
    /// and a ShuffleNet's stem), on 512-bit vectors of channels (the last overlapping the one before): in the interior
    /// each window's taps at constant offsets, unchecked; on the border the taps inside the input, as the scalar loop
    /// takes them. Each lane reduces its window in row-major order, a sum from zero, as PyTorch does.
    /// </summary>
    private static void WriteWideChannelsLastPool(SourceWriter w, int index, PoolPlan pool, Layout output)
    {
        var l = pool.Layer;
        var v = SimdFlavor.Wide;
        int channels = pool.Channels, width = pool.Width, outPlane = pool.OutHeight * pool.OutWidth, taps = l.KernelHeight * l.KernelWidth;
        string Reduce(string value) => l.Reduction switch
        {
            Reduction.Max => $"acc = {v.Static}.Max(acc, {value});",
            Reduction.Min => $"acc = {v.Static}.Min(acc, {value});",
            Reduction.Average => $"acc += {value};",
        };
        string start = l.Reduction switch
        {
            Reduction.Max => v.Broadcast("float.NegativeInfinity"),
            Reduction.Min => v.Broadcast("float.PositiveInfinity"),
            Reduction.Average => $"{v.Type}.Zero",
        };
        w.WriteLine($"/// <summary>Layer {index} with {v.Description} of channels: the interior's windows unchecked, the border's taps inside the input.</summary>");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}{v.Suffix}({ReadOnlySpan} x, {Span} y)");
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        if (output == Layout.ChannelsFirst) w.WriteLine($"{Span} lanes = stackalloc float[{v.Count}];");
        using (w.OpenBlock($"for (int oy = 0; oy < {pool.OutHeight}; oy++)"))
        using (w.OpenBlock($"for (int ox = 0; ox < {pool.OutWidth}; ox++)"))
        {
            w.WriteLine($"int top = {Linear(-l.PaddingHeight, ("oy", l.StrideHeight))};");
            w.WriteLine($"int left = {Linear(-l.PaddingWidth, ("ox", l.StrideWidth))};");
            bool hasInterior = !pool.Rows.IsEmpty && !pool.Columns.IsEmpty;
            // a map whose every window lies inside it (2x2 at stride 2 without padding) has no border to check
            bool everywhere = pool.Rows.Low == 0 && pool.Rows.High == pool.OutHeight && pool.Columns.Low == 0 && pool.Columns.High == pool.OutWidth;
            if (hasInterior && !everywhere)
                w.WriteLine($"bool inside = oy >= {pool.Rows.Low} && oy < {pool.Rows.High} && ox >= {pool.Columns.Low} && ox < {pool.Columns.High};");
            using (w.OpenBlock($"for (int block = 0; block < {channels}; block += {v.Count})"))
            {
                w.WriteLine($"int c = global::System.Math.Min(block, {channels} - {v.Count});");
                w.WriteLine($"var acc = {start};");
                if (hasInterior)
                {
                    using (everywhere ? w.OpenScope() : w.OpenBlock("if (inside)"))
                    {
                        // every tap of an interior window (its dilated extent) is inside the input: at constant offsets from its corner
                        w.WriteLine($"int corner = (top * {width} + left) * {channels} + c;");
                        if (taps <= UnrolledPoolTaps)
                        {
                            for (int ky = 0; ky < l.KernelHeight; ky++)
                                for (int kx = 0; kx < l.KernelWidth; kx++)
                                    w.WriteLine(Reduce(v.Load("input", Linear((ky * l.DilationHeight * width + kx * l.DilationWidth) * channels, ("corner", 1)))));
                        }
                        else
                        {
                            using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                            using (w.OpenBlock($"for (int kx = 0; kx < {l.KernelWidth}; kx++)"))
                                w.WriteLine(Reduce(v.Load("input", $"corner + (ky * {l.DilationHeight * width} + kx * {l.DilationWidth}) * {channels}")));
                        }
                    }
                }
                if (!everywhere)
                {
                    using (hasInterior ? w.OpenBlock("else") : w.OpenScope())
                        WriteWindowTaps(w, pool, true, Reduce(v.Load("input", $"(iy * {width} + ix) * {channels} + c")));
                }
                // divided as PyTorch divides (WindowDivisor; an interior window's divisor is the kernel's)
                if (l.Reduction == Reduction.Average) w.WriteLine($"acc /= {v.Broadcast($"(float){WindowDivisor(pool)}")};");
                if (output == Layout.ChannelsLast) w.WriteLine(v.Store("acc", "output", $"{Linear(0, ("oy", pool.OutWidth * channels), ("ox", channels))} + c"));
                else
                {
                    w.WriteLine(v.CopyTo("acc", "lanes"));
                    w.WriteLine($"for (int lane = 0; lane < {v.Count}; lane++) y[{Linear(0, ("(c + lane)", outPlane), ("oy", pool.OutWidth), ("ox", 1))}] = lanes[lane];");
                }
            }
        }
    }

    /// <summary>
    /// A max or min pool of a channels-last map, separably (<see cref="PoolPlan.IsSeparable"/>): per output row and
    /// vector of channels, the window's rows reduced into a row of column extremes (a vector a column, the padding's
    /// value around them, written once), then each output pixel the extreme of its window's columns there, stored
    /// channels-last, or a lane at a time in PyTorch's layout.
    /// </summary>
    private static void WriteSeparableChannelsLastPool(SourceWriter w, int index, PoolPlan pool, Layout output, SimdFlavor v)
    {
        var l = pool.Layer;
        int channels = pool.Channels, width = pool.Width;
        string reduce = SeparableReduce(l);
        w.WriteLine($"/// <summary>Layer {index} separably with {v.Description}, a vector of channels at a time: the window's rows into a row of column extremes, then its columns.</summary>");
        using var _ = OpenOptimizedMethod(w, $"private static void {MethodName(index, l)}Separable{v.Suffix}({ReadOnlySpan} x, {Span} y)");
        WriteSeparableStart(w, pool, v.Count);
        if (output == Layout.ChannelsFirst) w.WriteLine($"{Span} lanes = stackalloc float[{v.Count}];");
        using (w.OpenBlock($"for (int oy = 0; oy < {pool.OutHeight}; oy++)"))
        {
            w.WriteLine($"int top = {Linear(-l.PaddingHeight, ("oy", l.StrideHeight))};");
            w.WriteLine($"int first = global::System.Math.Max(top, 0), end = global::System.Math.Min(top + {l.KernelHeight}, {pool.Height});");
            using (w.OpenBlock($"for (int block = 0; block < {channels}; block += {v.Count})"))
            {
                w.WriteLine($"int c = global::System.Math.Min(block, {channels} - {v.Count});");
                using (w.OpenBlock($"for (int ix = 0; ix < {width}; ix++)"))
                {
                    WriteWindowRowsExtreme(w, l, v, reduce, iy => v.Load("input", $"({iy} * {width} + ix) * {channels} + c"));
                    w.WriteLine(v.Store("extreme", "columns", $"({l.PaddingWidth} + ix) * {v.Count}"));
                }
                // output ox's window starts at column ox * stride - padding, which the row holds at ox * stride
                using (w.OpenBlock($"for (int ox = 0; ox < {pool.OutWidth}; ox++)"))
                {
                    w.WriteLine($"int left = ox * {l.StrideWidth};");
                    WriteWindowColumnsExtreme(w, l, v, reduce, kx => v.Load("columns", $"(left + {kx}) * {v.Count}"));
                    if (output == Layout.ChannelsLast) w.WriteLine(v.Store("extreme", "output", $"{Linear(0, ("oy", pool.OutWidth * channels), ("ox", channels))} + c"));
                    else
                    {
                        w.WriteLine(v.CopyTo("extreme", "lanes"));
                        w.WriteLine($"for (int lane = 0; lane < {v.Count}; lane++) y[{Linear(0, ("(c + lane)", pool.OutHeight * pool.OutWidth), ("oy", pool.OutWidth), ("ox", 1))}] = lanes[lane];");
                    }
                }
            }
        }
    }
}
