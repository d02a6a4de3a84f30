using System.Linq;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>Depthwise convolutions on channels-last inputs: every tap is a vector load of a pixel's channels.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>
    /// A depthwise convolution (a filter per channel) over a channels-last input: for a vector of channels, a tile of
    /// output pixels stays in registers while the window is summed. Per kernel row the row's weight vectors are loaded
    /// once, then each input pixel the tile reads is loaded once and multiplied into every output that reads it through
    /// its tap, so a stride-1 window's overlap costs no second load. Strides and dilations are only displacements here.
    /// The last vector of channels overlaps the one before when the channels are not a multiple of the lanes; results
    /// are stored as a vector per pixel (channels-last) or a lane at a time (PyTorch's layout).
    /// </summary>
    private static void WriteDepthwiseConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, int permutedOffset, SimdFlavor v)
    {
        var l = c.Layer;
        var tile = DepthwiseTile.For(c, v);
        int channels = c.InChannels, rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth;
        bool channelsLastOutput = c.OutputLayout == Layout.ChannelsLast;
        string width = v.Count;
        string Sum(int r, int px) => $"sum{r}_{px}";
        w.WriteLine($"/// <summary>Layer {index}, depthwise, with {v.Description} across channels: {tile.Rows} row(s) x {tile.Pixels} pixel(s) in registers.</summary>");
        using var _ = w.OpenBlock($"private static void {KernelMethodName(c, VectorKernel.Depthwise, v)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(c.IsPadded ? $", {Span} padded" : "")})");
        WriteInputReference(w, c, rowLength, plane);
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        if (!channelsLastOutput) w.WriteLine($"{Span} lanes = stackalloc float[{width}];");
        bool overlaps = v.Lanes is not int exact || channels % exact != 0;
        using (w.OpenBlock($"for (int {(overlaps ? "block" : "ch")} = 0; {(overlaps ? "block" : "ch")} < {channels}; {(overlaps ? "block" : "ch")} += {width})"))
        {
            if (overlaps) w.WriteLine($"int ch = global::System.Math.Min(block, {channels} - {width});");
            w.WriteLine(c.BiasOffset >= 0 ? $"var bias = {v.Load("weights", Linear(c.BiasOffset, ("ch", 1)))};" : $"var bias = {v.Type}.Zero;");
            // [tap][channel]: a tap's weights for the vector's channels are one load
            w.WriteLine($"ref float taps = ref {Unsafe}.Add(ref weights, {Linear(permutedOffset, ("ch", 1))});");
            bool wholeRow = tile.Pixels == c.OutWidth;
            using (w.OpenBlock($"for (int pair = 0; pair < {c.OutHeight}; pair += {tile.Rows})"))
            using (w.OpenBlockIf(!wholeRow, $"for (int start = 0; start < {c.OutWidth}; start += {tile.Pixels})"))
            {
                w.WriteLine(tile.Rows > 1 ? $"int oy = global::System.Math.Min(pair, {c.OutHeight - tile.Rows});" : "int oy = pair;");
                string column = wholeRow ? "" : "ox";
                if (!wholeRow) w.WriteLine($"int ox = global::System.Math.Min(start, {c.OutWidth - tile.Pixels});");
                for (int r = 0; r < tile.Rows; r++)
                    for (int px = 0; px < tile.Pixels; px++) w.WriteLine($"var {Sum(r, px)} = bias;");
                w.WriteLine($"ref float origin = ref {Unsafe}.Add(ref input, {Linear(0, ("oy", l.StrideHeight * rowLength * channels), (column, l.StrideWidth * channels), ("ch", 1))});");
                var weightNames = tile.KeepsRow(l.KernelWidth, v) ? Enumerable.Range(0, l.KernelWidth).Select(kx => $"weight{kx}") : Enumerable.Empty<string>();
                w.WriteLine($"{v.Type} {string.Join(", ", weightNames.Append("value"))};");

                // one kernel row: each input pixel the tile reads, loaded once, into every (output, tap) that reads it
                void KernelRow(string inputBase, int inputOffset, string weightBase, int weightOffset)
                {
                    bool keep = tile.KeepsRow(l.KernelWidth, v);
                    if (keep)
                        for (int kx = 0; kx < l.KernelWidth; kx++) w.WriteLine($"weight{kx} = {v.Load(weightBase, (weightOffset + kx * channels).ToString(System.Globalization.CultureInfo.InvariantCulture))};");
                    var columns = Enumerable.Range(0, tile.Pixels)
                        .SelectMany(px => Enumerable.Range(0, l.KernelWidth).Select(kx => (Column: px * l.StrideWidth + kx * l.DilationWidth, Pixel: px, Tap: kx)))
                        .GroupBy(t => t.Column)
                        .OrderBy(g => g.Key)
                        .ToList();
                    for (int r = 0; r < tile.Rows; r++)
                        foreach (var readers in columns)
                        {
                            w.WriteLine($"value = {v.Load(inputBase, (inputOffset + (r * l.StrideHeight * rowLength + readers.Key) * channels).ToString(System.Globalization.CultureInfo.InvariantCulture))};");
                            foreach (var (_, px, kx) in readers.OrderBy(t => t.Pixel))
                            {
                                string weight = keep ? $"weight{kx}" : v.Load(weightBase, (weightOffset + kx * channels).ToString(System.Globalization.CultureInfo.InvariantCulture));
                                w.WriteLine($"{Sum(r, px)} = {v.MultiplyAdd("value", weight, Sum(r, px))};");
                            }
                        }
                }
                int perRow = tile.Rows * tile.Pixels * l.KernelWidth;
                if (perRow * l.KernelHeight <= VectorUnrolledMultiplyAdds)
                {
                    for (int ky = 0; ky < l.KernelHeight; ky++)
                        KernelRow("origin", ky * l.DilationHeight * rowLength * channels, "taps", ky * l.KernelWidth * channels);
                }
                else
                {
                    // DepthwiseTile keeps a kernel row within the unrolling budget
                    using (w.OpenBlock($"for (int ky = 0; ky < {l.KernelHeight}; ky++)"))
                    {
                        w.WriteLine($"ref float inputRow = ref {Unsafe}.Add(ref origin, ky * {l.DilationHeight * rowLength * channels});");
                        w.WriteLine($"ref float weightRow = ref {Unsafe}.Add(ref taps, ky * {l.KernelWidth * channels});");
                        KernelRow("inputRow", 0, "weightRow", 0);
                    }
                }
                if (channelsLastOutput)
                {
                    w.WriteLine($"int yi = {Linear(0, ("oy", c.OutWidth * channels), (column, channels), ("ch", 1))};");
                    for (int r = 0; r < tile.Rows; r++)
                        for (int px = 0; px < tile.Pixels; px++)
                            w.WriteLine(v.Store(Epilogues.Vector(epilogue, v, Sum(r, px)), "output", Linear((r * c.OutWidth + px) * channels, ("yi", 1))));
                }
                else
                {
                    w.WriteLine($"int yi = {Linear(0, ("ch", outPlane), ("oy", c.OutWidth), (column, 1))};");
                    for (int r = 0; r < tile.Rows; r++)
                        for (int px = 0; px < tile.Pixels; px++)
                        {
                            w.WriteLine(v.CopyTo(Epilogues.Vector(epilogue, v, Sum(r, px)), "lanes"));
                            w.WriteLine($"for (int lane = 0; lane < {width}; lane++) {Unsafe}.Add(ref output, {Linear(r * c.OutWidth + px, ("yi", 1))} + lane * {outPlane}) = lanes[lane];");
                        }
                }
            }
        }
    }

    /// <summary>[tap][channel]: a depthwise kernel's weights for one tap side by side, for the channels-last kernel.</summary>
    private static void WriteDepthwisePermutation(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        w.WriteLine($"// layer {index}: depthwise [{c.Filters}, 1, {c.Layer.KernelHeight}, {c.Layer.KernelWidth}] as [{c.WindowSize}, {c.Filters}] at {permutedOffset}");
        using (w.OpenBlock($"for (int ch = 0; ch < {c.Filters}; ch++)"))
        using (w.OpenBlock($"for (int k = 0; k < {c.WindowSize}; k++)"))
            w.WriteLine($"p[{Linear(permutedOffset, ("k", c.Filters), ("ch", 1))}] = p[{Linear(c.WeightOffset, ("ch", c.WindowSize), ("k", 1))}];");
    }
}
