using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// One of Winograd's minimal filtering algorithms F(m x m, 3x3) (Lavin and Gray, 2016): each m x m block of outputs
/// is Y = A^T [(G g G^T) . (B^T d B)] A of its (m + 2) x (m + 2) input tile d, (m + 2)^2 products per input and output
/// channel where the direct convolution takes 9 m^2. The input's and the products' transforms take additions and
/// small multiples only; the kernels' are made at load time, in double.
/// </summary>
/// <param name="Outputs">m: a tile's outputs down and across.</param>
/// <param name="InputRows">B^T's rows, each as its coefficients on the tile's m + 2 values.</param>
/// <param name="KernelRows">G's rows, each as integer coefficients on the 3 taps and their common divisor.</param>
/// <param name="OutputRows">A^T's rows, each as its coefficients on the m + 2 products.</param>
internal sealed record WinogradForm(int Outputs, int[][] InputRows, (int[] Taps, int Divisor)[] KernelRows, int[][] OutputRows)
{
    /// <summary>A tile's input values down and across.</summary>
    public int Side => Outputs + 2;

    /// <summary>Values of a transformed tile: the matrix products per layer.</summary>
    public int Points => Side * Side;

    /// <summary>
    /// F(2x2, 3x3): 16 products a 2x2 block, 2.25 times fewer than the direct convolution's, every transform
    /// coefficient 0 or 1 in size: its rounding differs from the direct sum's by a few units in the last place.
    /// </summary>
    public static WinogradForm Two { get; } = new(2,
        new[] { new[] { 1, 0, -1, 0 }, new[] { 0, 1, 1, 0 }, new[] { 0, -1, 1, 0 }, new[] { 0, 1, 0, -1 } },
        new[] { (new[] { 1, 0, 0 }, 1), (new[] { 1, 1, 1 }, 2), (new[] { 1, -1, 1 }, 2), (new[] { 0, 0, 1 }, 1) },
        new[] { new[] { 1, 1, 1, 0 }, new[] { 0, 1, -1, -1 } });

    /// <summary>
    /// F(4x4, 3x3) on the points 0, -1, 1, 1/2, -2 and infinity: 36 products a 4x4 block, 4 times fewer than the
    /// direct convolution's. Its rows are scaled to integers (B^T's rows and A^T's columns, G's rows taking the
    /// factors). Its coefficients reach 8, so its error is larger than F(2x2)'s: simulated in float over 64 channels
    /// of ReLU outputs, 1.1e-6 of a block's largest output on average, 4e-6 at most (F(2x2, 3x3): 2.8e-7 and 1.3e-6).
    /// The symmetric points 0, 1, -1, 2, -2 (Lavin's, fewer additions) err twice as much: 2e-6 and 7e-6, 1.5e-5 over
    /// 256 channels (Barabasz et al., "Error analysis and improving the accuracy of Winograd convolution", 2020).
    /// </summary>
    public static WinogradForm Four { get; } = new(4,
        new[]
        {
            new[] { 2, -3, -4, 3, 2, 0 }, new[] { 0, 2, -5, 1, 2, 0 }, new[] { 0, -2, 1, 5, 2, 0 },
            new[] { 0, -2, -1, 2, 1, 0 }, new[] { 0, 1, -2, -1, 2, 0 }, new[] { 0, 2, -3, -4, 3, 2 },
        },
        new[] { (new[] { 1, 0, 0 }, 2), (new[] { -1, 1, -1 }, 6), (new[] { 1, 1, 1 }, 6), (new[] { -4, -2, -1 }, 30), (new[] { 1, -2, 4 }, 30), (new[] { 0, 0, 1 }, 2) },
        new[] { new[] { 1, 1, 1, 8, 1, 0 }, new[] { 0, -1, 1, 4, -2, 0 }, new[] { 0, 1, 1, 2, 4, 0 }, new[] { 0, -1, 1, 1, -8, 1 } });

    public bool Equals(WinogradForm? other) => other is not null && other.Outputs == Outputs;

    public override int GetHashCode() => Outputs;
}

internal static class Winograd
{
    /// <summary>The most floats the transformed input and the products may take (beyond it the direct kernel runs).</summary>
    private const long MostScratch = 1L << 24;

    /// <summary>
    /// The fewest 4x4 tiles for which F(4x4, 3x3) runs: below, F(2x2, 3x3)'s 16/36 the weights, each loaded for more
    /// tiles, pay more than its products cost (a ResNet's 8 x 8 stage: 4 tiles, 16 of 2x2).
    /// </summary>
    private const int LeastTilesOfFour = 16;

    /// <summary>A 3x3, stride-1, undilated convolution reading a channels-last input, of at least a vector of filters: one group, or groups of whole 512-bit vectors of filters as F(4x4) (<see cref="Fits"/>).</summary>
    public static bool Applies(ConvolutionPlan c) => c.InputLayout == Layout.ChannelsLast && Fits(c);

    /// <summary>
    /// Whether the convolution's shape suits F(2x2, 3x3), whatever its layouts. An odd height or width leaves a last
    /// row or column of tiles half outside: its missing input row or column is taken as zeros and its missing outputs
    /// are not stored; that pays from 5 outputs across (a 7 x 7 map: 16 tiles, 256 products a filter and channel where
    /// the direct convolution takes 441), not on a 3 x 3 map (4 tiles, 64 for 81, and 16/9 the weights to stream).
    /// Nor on a 2 x 2 map: its one tile takes 16 products, as many as the direct convolution's taps inside the map, for
    /// 16/9 the weights (ResNet10Wide's 320 -> 320 stage: 0.84 to 0.70x ONNX Runtime's time without it). Groups of
    /// whole 512-bit vectors of filters (a ResNeXt's 8 groups of 16 to 64) take it too where it is F(4x4): the
    /// transforms run across all the channels alike, and each point's product is a group's channels by its filters, a
    /// block of filters never reaching past its group (ResNeXt8At32's 8 groups of 16 at 32 x 32: 186 us directly, 108
    /// as F(4x4) in the per-layer profile). A group's few channels leave F(2x2)'s products too little of the work
    /// beside the transforms: ResNeXt32x4At32's 32 groups of 16 at 8 x 8 took 64 us directly, 84 to 115 as F(2x2).
    /// </summary>
    public static bool Fits(ConvolutionPlan c)
    {
        var l = c.Layer;
        bool tiles = SuitsTiles(c.OutHeight) && SuitsTiles(c.OutWidth);
        return !NetworkEmitter.IsStraightLine(c) && (l.Groups == 1 || c.GroupsFillVectors && FormOf(c) == WinogradForm.Four) && l.KernelHeight == 3 && l.KernelWidth == 3 &&
               l.StrideHeight == 1 && l.StrideWidth == 1 && l.DilationHeight == 1 && l.DilationWidth == 1 &&
               tiles && c.Filters >= Layouts.LeastChannels && c.InChannels >= Layouts.LeastChannels &&
               (long)WinogradForm.Two.Points * TileCount(c, WinogradForm.Two) * (c.InChannels + c.Filters) <= MostScratch &&
               !(TileCount(c, WinogradForm.Two) < LeastStreamedTiles && WeightBytes(c, WinogradForm.Two) > MostWeightBytesOfFour);
    }

    /// <summary>
    /// The fewest F(2x2) tiles for which weights past <see cref="MostWeightBytesOfFour"/> take Winograd's form: on fewer,
    /// each streamed weight serves too few products, and its 16/9 as many bytes cost more than the products save (a CIFAR
    /// ResNet-18's 512 to 512 layers at 4 x 4: 4 tiles, 16.8 MB of weights a layer where the direct kernel streams 9.4).
    /// </summary>
    private const int LeastStreamedTiles = 8;

    /// <summary>Whether a side of the output suits F(2x2)'s tiles: at least <see cref="LeastOutputs"/> outputs, an even number or 5 and more.</summary>
    private static bool SuitsTiles(int outputs) => outputs >= LeastOutputs && (outputs % 2 == 0 || outputs >= 5);

    private const int LeastOutputs = 4;

    /// <summary>
    /// F(4x4, 3x3), 1.78 times fewer products than F(2x2, 3x3) on whole tiles, where the map has at least
    /// <see cref="LeastTilesOfFour"/> of its tiles and its weights (36/16 as many as F(2x2)'s, all streamed once per
    /// block of tiles) are at most <see cref="MostWeightBytesOfFour"/>; else F(2x2, 3x3). Measured on the U-Net's
    /// layers (F(2x2) to F(4x4), us): 16 to 16 channels at 128 x 128 610 to 505, 64 to 32 at 64 x 64 995 to 620,
    /// 128 to 64 at 32 x 32 945 to 615, 128 to 128 at 16 x 16 (16 tiles, 2.4 MB of weights read twice) 510-590 to 340.
    /// </summary>
    public static WinogradForm FormOf(ConvolutionPlan c) =>
        TileCount(c, WinogradForm.Four) >= LeastTilesOfFour && WeightBytes(c, WinogradForm.Four) <= MostWeightBytesOfFour
            ? WinogradForm.Four : WinogradForm.Two;

    /// <summary>
    /// Beyond 4 MiB of weights (256 to 256 channels: 9.4 MB), blocks of a few tiles would stream them from memory
    /// faster than their products use them (6 tiles of 512 channels: 9.4 MB in 250 us, 38 GB/s), where F(2x2)'s 4.2 MB
    /// for 17 tiles take 13 GB/s.
    /// </summary>
    private const long MostWeightBytesOfFour = 4L << 20;

    /// <summary>Floats of a layer's transformed weights, G g G^T of every kernel: [points][channel of its group][filter].</summary>
    public static int WeightLength(ConvolutionPlan c) => (int)WeightFloats(c, FormOf(c));

    private static long WeightFloats(ConvolutionPlan c, WinogradForm form) => (long)form.Points * c.ChannelsPerGroup * c.Filters;

    private static long WeightBytes(ConvolutionPlan c, WinogradForm form) => WeightFloats(c, form) * sizeof(float);

    private static int Tiles(int outputs, WinogradForm form) => (outputs + form.Outputs - 1) / form.Outputs;

    /// <summary>Tiles down and across: a last one partly outside where the output's height or width is not a multiple of the tile's.</summary>
    public static int TileRows(ConvolutionPlan c) => Tiles(c.OutHeight, FormOf(c));

    public static int TilesPerRow(ConvolutionPlan c) => Tiles(c.OutWidth, FormOf(c));

    public static int TileCount(ConvolutionPlan c) => TileCount(c, FormOf(c));

    private static int TileCount(ConvolutionPlan c, WinogradForm form) => Tiles(c.OutHeight, form) * Tiles(c.OutWidth, form);

    /// <summary>
    /// Floats from one of the planes of the transformed input or of the products to the next: a cache line more
    /// than the plane, since a tile's transform touches them all and planes a multiple of 4 KiB apart share one set of
    /// the L1 cache (an 8x8 map of 64 channels is 4 KiB a plane: 16 such streams evicted each other, 25 us a layer, now 22.5).
    /// </summary>
    public static int PlaneStride(ConvolutionPlan c, int channels) => BlockTiles(c) * channels + 16;

    public static int BlockTiles(ConvolutionPlan c) => BlockTiles(c, FormOf(c));

    /// <summary>
    /// Tiles transformed, multiplied and stored together, the blocks evened out: as many as keep a block's transformed
    /// input and products within 48 KiB (about the L1 cache), or within the size of the weights up to 512 KiB (half
    /// the L2 cache), since each block streams all the weights and its tiles share each load of them; at least two
    /// register tiles' worth of F(2x2)'s tiles or one of F(4x4)'s, at most all. A 128 x 128 map of 16 channels in
    /// one block took 12 MB of scratch, streamed from memory three times: slower than the direct convolution.
    /// Measured on the U-Net with F(2x2): one block 10.3 to 11.4 ms, 512 KiB blocks 8.8 to 10.5, 128 KiB 8.3 to 8.7,
    /// 48 and 24 KiB 7.2 to 8.5; with F(4x4), 128 to 64 channels at 32 x 32 (1.2 MB of weights): blocks of 256 KiB
    /// (12 tiles) 1,276 us, 512 KiB 615, 1 MiB 1,229.
    /// </summary>
    private static int BlockTiles(ConvolutionPlan c, WinogradForm form)
    {
        int all = TileCount(c, form), least = form.Outputs == 2 ? 24 : 12;
        long budget = Math.Max(LeastBlockScratchBytes, Math.Min(WeightBytes(c, form), MostBlockScratchBytes));
        int most = (int)Math.Min(all, Math.Max(least, budget / ((long)form.Points * (c.InChannels + c.Filters) * sizeof(float))));
        int blocks = (all + most - 1) / most;
        return (all + blocks - 1) / blocks;
    }

    private const int LeastBlockScratchBytes = 48 * 1024, MostBlockScratchBytes = 512 * 1024;

    /// <summary>Floats of the scratch a Winograd convolution works in: the transformed input [points][tiles][C], then the products [points][tiles][F]; 0 for others.</summary>
    public static int ScratchLength(ConvolutionPlan c) =>
        !Applies(c) ? 0 : FormOf(c).Points * (PlaneStride(c, c.InChannels) + PlaneStride(c, c.Filters));
}

internal static partial class NetworkEmitter
{
    /// <summary>
    /// Layer N as F(m x m, 3x3): the input's tiles transformed a vector of channels at a time, a register-tiled matrix
    /// product per point (tiles x filter vectors of accumulators, a broadcast input per channel), then each m x m
    /// block of outputs made from its products, with the bias and the epilogue, stored channels-last or a lane at a time.
    /// </summary>
    private static void WriteWinogradConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, int permutedOffset, SimdFlavor v, FusedPool? pool)
    {
        var form = Winograd.FormOf(c);
        int m = form.Outputs, side = form.Side, points = form.Points;
        int channels = c.InChannels, filters = c.Filters, tiles = Winograd.BlockTiles(c), tilesPerRow = Winograd.TilesPerRow(c);
        // a point's product is a group's channels by its filters (GroupsFillVectors: a block of filters lies in one group)
        int groupChannels = c.ChannelsPerGroup, groupFilters = c.FiltersPerGroup;
        // blocks of tiles through all three stages, the last block overlapping the one before (its tiles stored twice, alike)
        int allTiles = Winograd.TileCount(c);
        bool blocked = tiles < allTiles;
        string tile = blocked ? "(first + t)" : "t";
        // the last row or column of tiles may have fewer than m rows or columns of outputs: those past the map are not
        // stored (its input rows and columns past the map are padding, see Padding below)
        int lastTileRow = Winograd.TileRows(c) - 1, lastTileColumn = tilesPerRow - 1;
        int lastRows = c.OutHeight - m * lastTileRow, lastColumns = c.OutWidth - m * lastTileColumn;
        var l = c.Layer;
        int outPlane = c.OutHeight * c.OutWidth;
        string width = v.Count;
        // the products' register tile: up to 12 tiles x 2 filter vectors with 512-bit vectors (fewer than 2 vectors of
        // filters: the second overlapping the first; a group's filters two whole vectors or one), 8 x 1 with Vector<float>
        int vectors = v.Lanes is int lanes && (groupFilters % (2 * lanes) == 0 || c.Layer.Groups == 1 && filters > lanes && filters < 2 * lanes) ? 2 : 1;
        // as many tiles as the registers allow, evened out so the last register tile overlaps the one before little
        int most = v.Lanes is null ? 8 : 12, blocks = (tiles + most - 1) / most;
        int pixels = (tiles + blocks - 1) / blocks;
        string Lane(int vector) => vector == 0 ? "" : v.Lanes is int known ? $" + {Literal.Int(Math.Min(vector * known, filters - known))}" : vector == 1 ? $" + {width}" : $" + {vector} * {width}";
        // filters past a whole number of blocks: the last block overlaps the one before, storing its filters there
        // again, alike (24 filters in vectors of 16: 0 and 8); Vector<float>'s width divides 16
        void FilterLoop(SourceWriter.Nest loops, int vectorsPerBlock, string step)
        {
            bool overlaps = v.Lanes is int known
                ? filters > vectorsPerBlock * known && filters % (vectorsPerBlock * known) != 0
                : filters % Layouts.LeastChannels != 0;
            loops.Open($"for (int {(overlaps ? "block" : "f")} = 0; {(overlaps ? "block" : "f")} < {Literal.Int(filters)}; {(overlaps ? "block" : "f")} += {step})");
            if (overlaps) w.WriteLine($"int f = global::System.Math.Min(block, {Literal.Int(filters)} - {step});");
        }
        // a condition on the tile that holds where row i or column j of its input lies in the padding: padded row
        // ty * m + i is the input's row ty * m + i - top, outside it for the first tiles or the last
        string? Padding(int i, int j)
        {
            var padding = new List<string>();
            void Side(string tile, int index, int before, int length, int lastTile)
            {
                // index < before - tile * m: the tiles up to (before - index - 1) / m; index >= before + length - tile * m: from a ceiling on
                if (index < before) padding.Add(before - index - 1 >= m * lastTile ? "true" : $"{tile} <= {Literal.Int((before - index - 1) / m)}");
                int from = (before + length - index + m - 1) / m;
                if (from <= lastTile) padding.Add(from <= 0 ? "true" : $"{tile} >= {Literal.Int(from)}");
            }
            Side("ty", i, l.PadTop, c.Height, lastTileRow);
            Side("tx", j, l.PadLeft, c.Width, lastTileColumn);
            return padding.Count == 0 ? null : string.Join(" || ", padding.Distinct());
        }
        // a condition on the tile that holds where row or column i of its outputs is past the map
        string? Past(int i, int j, int rowsIn, int columnsIn)
        {
            var past = new List<string>();
            if (i >= rowsIn) past.Add($"ty == {Literal.Int(lastTileRow)}");
            if (j >= columnsIn) past.Add($"tx == {Literal.Int(lastTileColumn)}");
            return past.Count == 0 ? null : string.Join(" || ", past);
        }
        // the vectors of filters of a tile's outputs, each at a pixel of the output (pixel from the tile's first; tiles
        // tileRowStep pixels apart down and tileStep across) unless its past condition holds: channels-last, or through
        // the stage into PyTorch's layout
        void Store(IReadOnlyList<(string Value, string? Past, int Pixel)> outputs, int tileRowStep, int tileStep, int outputPlane)
        {
            if (c.OutputLayout == Layout.ChannelsFirst)
            {
                WriteLaneStores(w, v, outputs.Select(o => new LaneStore(o.Value, Linear(o.Pixel, ("f", outputPlane), ("ty", tileRowStep), ("tx", tileStep)), o.Past)).ToList(), outputPlane);
                return;
            }
            foreach (var (value, past, pixel) in outputs)
                using (w.OpenBlockIf(past is not null, $"if (!({past}))"))
                    w.WriteLine(v.Store(value, "output", Linear(pixel * filters, ("ty", tileRowStep * filters), ("tx", tileStep * filters), ("f", 1))));
        }
        string groups = c.Layer.Groups == 1 ? "" : $" in each of {c.Layer.Groups} groups";
        w.WriteLine($"/// <summary>Layer {index} as Winograd's F({m}x{m}, 3x3) with {v.Description}: {allTiles} tiles{(blocked ? $" in blocks of {tiles}" : "")}, {points} products of [{tiles} x {groupChannels}] by [{groupChannels} x {groupFilters}]{groups}{(blocked ? " a block" : "")}.</summary>");
        if (pool is not null) w.WriteLine($"/// <remarks>Stores the 2x2 max pool of layer {pool.Index} ({pool.Output}): each 2x2 block of a tile's outputs is one window.</remarks>");
        using var _ = OpenOptimizedMethod(w, $"private static void {KernelMethodName(c, VectorKernel.Winograd, v)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p, {Span} winograd)");
        w.WriteLine($"ref float input = ref {MemoryMarshal}.GetReference(x);");
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"ref float transformed = ref {MemoryMarshal}.GetReference(winograd);");
        int inputPlane = Winograd.PlaneStride(c, channels), productPlane = Winograd.PlaneStride(c, filters);
        w.WriteLine($"ref float products = ref {Unsafe}.Add(ref transformed, {Literal.Int(points * inputPlane)});");
        if (c.OutputLayout == Layout.ChannelsFirst)
        {
            if (v.Lanes is null) w.WriteLine($"int width = {v.Count};");
            WriteStage(w, v, pool is null ? m * m : m / 2 * (m / 2));
        }
        using var tileBlocks = w.OpenBlockIf(blocked, $"for (int tileBlock = 0; tileBlock < {Literal.Int(allTiles)}; tileBlock += {Literal.Int(tiles)})");
        if (blocked) w.WriteLine($"int first = global::System.Math.Min(tileBlock, {Literal.Int(allTiles - tiles)});");

        w.WriteLine($"// B^T d B of every {side}x{side} input tile, a vector of channels at a time (the last vector overlapping the one before)");
        using (w.OpenBlock($"for (int t = 0; t < {Literal.Int(tiles)}; t++)"))
        {
            w.WriteLine($"int ty = {tile} / {Literal.Int(tilesPerRow)}, tx = {tile} - ty * {Literal.Int(tilesPerRow)};");
            // the tile's first input from the input's start: before it, or past a row's end, where the tile reads padding
            w.WriteLine($"nint corner = {Linear(-(l.PadTop * c.Width + l.PadLeft) * channels, ("ty", m * c.Width * channels), ("tx", m * channels))};");
            using (w.OpenBlock($"for (int block = 0; block < {Literal.Int(channels)}; block += {width})"))
            {
                w.WriteLine($"int c = global::System.Math.Min(block, {Literal.Int(channels)} - {width});");
                for (int i = 0; i < side; i++)
                    for (int j = 0; j < side; j++)
                    {
                        string load = v.Load("input", Linear((i * c.Width + j) * channels, ("corner", 1), ("c", 1)));
                        string? padding = Padding(i, j);
                        w.WriteLine(padding is null ? $"var d{i}{j} = {load};" : $"var d{i}{j} = {padding} ? {v.Type}.Zero : {load};");
                    }
                // B^T down each column, then across each row of that
                for (int j = 0; j < side; j++)
                    WriteTransform(w, v, form.InputRows, k => $"d{k}{j}", i => $"r{i}{j}", $"c{j}");
                for (int i = 0; i < side; i++)
                {
                    WriteTransform(w, v, form.InputRows, k => $"r{i}{k}", j => $"u{i}{j}", $"r{i}");
                    for (int j = 0; j < side; j++)
                        w.WriteLine(v.Store($"u{i}{j}", "transformed", Linear((i * side + j) * inputPlane, ("t", channels), ("c", 1))));
                }
            }
        }

        w.WriteLine($"// the {points} products: [tiles x channels] by [channels x filters]{(c.Layer.Groups == 1 ? "" : " of each group")}, each a register tile of tiles x filter vectors");
        using (w.OpenBlock($"for (int k = 0; k < {points}; k++)"))
        {
            w.WriteLine($"ref float inputs = ref {Unsafe}.Add(ref transformed, k * {Literal.Int(inputPlane)});");
            w.WriteLine($"ref float kernel = ref {Unsafe}.Add(ref weights, {Linear(permutedOffset, ("k", groupChannels * filters))});");
            w.WriteLine($"ref float sums = ref {Unsafe}.Add(ref products, k * {Literal.Int(productPlane)});");
            string step = v.Lanes is int known ? Literal.Int(Math.Min(vectors * known, filters)) : $"{vectors} * {width}";
            using var loops = w.OpenNest();
            FilterLoop(loops, vectors, step);
            loops.Open($"for (int start = 0; start < {Literal.Int(tiles)}; start += {Literal.Int(pixels)})");
            {
                w.WriteLine(pixels < tiles ? $"int t = global::System.Math.Min(start, {Literal.Int(tiles - pixels)});" : "int t = start;");
                for (int px = 0; px < pixels; px++)
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var sum{px}_{k} = {v.Type}.Zero;");
                string groupStart = c.Layer.Groups == 1 ? "" : $" + f / {Literal.Int(groupFilters)} * {Literal.Int(groupChannels)}";
                w.WriteLine($"ref float row = ref {Unsafe}.Add(ref inputs, t * {Literal.Int(channels)}{groupStart});");
                w.WriteLine($"ref float column = ref {Unsafe}.Add(ref kernel, {PermutedColumn(c, "f", groupChannels)});");
                using (w.OpenBlock($"for (int ic = 0; ic < {Literal.Int(groupChannels)}; ic++)"))
                {
                    if (StreamsWeights((long)points * groupChannels * filters))
                        WriteWeightPrefetch(w, "column", PermutedBlock(c), WeightHint(tiles));
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var weight{k} = {v.Load("column", "0" + Lane(k))};");
                    for (int px = 0; px < pixels; px++)
                    {
                        w.WriteLine($"var value{px} = {v.Broadcast($"{Unsafe}.Add(ref row, {Literal.Int(px * channels)})")};");
                        for (int k = 0; k < vectors; k++) w.WriteLine($"sum{px}_{k} = {v.MultiplyAdd($"value{px}", $"weight{k}", $"sum{px}_{k}")};");
                    }
                    w.WriteLine($"row = ref {Unsafe}.Add(ref row, 1);");
                    w.WriteLine($"column = ref {Unsafe}.Add(ref column, {Literal.Int(PermutedBlock(c))});");
                }
                for (int px = 0; px < pixels; px++)
                    for (int k = 0; k < vectors; k++)
                        w.WriteLine(v.Store($"sum{px}_{k}", "sums", Linear(px * filters, ("t", filters), ("f", 1)) + Lane(k)));
            }
        }

        w.WriteLine($"// A^T M A of every tile's products: its {m}x{m} outputs, with the bias and what the layer applies as it stores");
        using (w.OpenBlock($"for (int t = 0; t < {Literal.Int(tiles)}; t++)"))
        {
            w.WriteLine($"int ty = {tile} / {Literal.Int(tilesPerRow)}, tx = {tile} - ty * {Literal.Int(tilesPerRow)};");
            using var loops = w.OpenNest();
            FilterLoop(loops, 1, width);
            {
                w.WriteLine(c.BiasOffset >= 0 ? $"var bias = {v.Load("weights", Linear(c.BiasOffset, ("f", 1)))};" : $"var bias = {v.Type}.Zero;");
                for (int k = 0; k < points; k++)
                    w.WriteLine($"var m{k / side}{k % side} = {v.Load("products", Linear(k * productPlane, ("t", filters), ("f", 1)))};");
                // A^T down each column, then across each row of that, the bias added to each output
                for (int j = 0; j < side; j++)
                    WriteTransform(w, v, form.OutputRows, k => $"m{k}{j}", i => $"s{i}{j}", $"c{j}");
                for (int i = 0; i < m; i++)
                {
                    WriteTransform(w, v, form.OutputRows, k => $"s{i}{k}", j => $"a{i}{j}", $"r{i}");
                    for (int j = 0; j < m; j++) w.WriteLine($"var o{i}{j} = a{i}{j} + bias;");
                }
                if (pool is not null)
                {
                    // each 2x2 block of the tile's outputs is a window: its maximum stored at the pooled pixel
                    int pooledWidth = pool.Output.Width, pooledPlane = pool.Output.Height * pooledWidth, half = m / 2;
                    var pooled = new List<(string, string?, int)>();
                    for (int a = 0; a < half; a++)
                        for (int b = 0; b < half; b++)
                        {
                            string O(int i, int j) => BeforePool(epilogue, v, $"o{2 * a + i}{2 * b + j}");
                            string value = AfterPool(epilogue, v, $"{v.Static}.Max({v.Static}.Max({O(0, 0)}, {O(0, 1)}), {v.Static}.Max({O(1, 0)}, {O(1, 1)}))");
                            pooled.Add((value, Past(2 * a, 2 * b, lastRows, lastColumns), a * pooledWidth + b));
                        }
                    Store(pooled, half * pooledWidth, half, pooledPlane);
                    return; // the last of the method: the blocks close as the writer's scopes end
                }
                // a partly outside tile's outputs past the map are not stored
                var outputs = new List<(string, string?, int)>();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++)
                        outputs.Add((Epilogues.Vector(epilogue, v, $"o{i}{j}"), Past(i, j, lastRows, lastColumns), i * c.OutWidth + j));
                Store(outputs, m * c.OutWidth, m, outPlane);
            }
        }
    }

    /// <summary>
    /// Statements that make y(i) = sum over k of rows[i][k] x(k), for a transform's rows of small integer coefficients.
    /// Two inputs that every row takes with equal or opposite coefficients (the points p and -p) are added and
    /// subtracted once; two rows whose coefficients are equal or opposite on each input (again p and -p) share their
    /// even and odd parts: y = e + o and y' = e - o. Temporaries are named after <paramref name="prefix"/>.
    /// </summary>
    private static void WriteTransform(SourceWriter w, SimdFlavor v, int[][] rows, Func<int, string> x, Func<int, string> y, string prefix)
    {
        int n = rows[0].Length;
        // the inputs as terms: (name, its coefficient in each row), pairs of mirrored inputs as their sum and difference
        var terms = new List<(string Name, int[] Coefficients)>();
        var paired = new bool[n];
        for (int k = 0; k < n; k++)
        {
            if (paired[k]) continue;
            int mirror = -1;
            for (int q = k + 1; q < n && mirror < 0; q++)
                if (!paired[q] && Mirrored(rows.Select(r => r[k]).ToArray(), rows.Select(r => r[q]).ToArray())) mirror = q;
            if (mirror < 0) { terms.Add((x(k), rows.Select(r => r[k]).ToArray())); continue; }
            paired[k] = paired[mirror] = true;
            string sum = $"{prefix}s{k}", difference = $"{prefix}d{k}";
            int[] even = rows.Select(r => r[k] == r[mirror] ? r[k] : 0).ToArray(), odd = rows.Select(r => r[k] == r[mirror] ? 0 : r[k]).ToArray();
            if (even.Any(e => e != 0)) { w.WriteLine($"var {sum} = {x(k)} + {x(mirror)};"); terms.Add((sum, even)); }
            if (odd.Any(o => o != 0)) { w.WriteLine($"var {difference} = {x(k)} - {x(mirror)};"); terms.Add((difference, odd)); }
        }
        var done = new bool[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if (done[i]) continue;
            int[] row = terms.Select(t => t.Coefficients[i]).ToArray();
            int mirror = -1;
            for (int q = i + 1; q < rows.Length && mirror < 0; q++)
                if (!done[q] && Mirrored(row, terms.Select(t => t.Coefficients[q]).ToArray())) mirror = q;
            if (mirror < 0) { w.WriteLine($"var {y(i)} = {Combination(v, terms, row)};"); continue; }
            done[mirror] = true;
            int[] other = terms.Select(t => t.Coefficients[mirror]).ToArray();
            string even = $"{prefix}e{i}", odd = $"{prefix}o{i}";
            w.WriteLine($"var {even} = {Combination(v, terms, row.Select((a, k) => a == other[k] ? a : 0).ToArray())};");
            w.WriteLine($"var {odd} = {Combination(v, terms, row.Select((a, k) => a == other[k] ? 0 : a).ToArray())};");
            w.WriteLine($"var {y(i)} = {even} + {odd};");
            w.WriteLine($"var {y(mirror)} = {even} - {odd};");
        }
    }

    /// <summary>Whether a and b agree or are opposite at each index, with both kinds present: the even and odd parts of a p, -p pair.</summary>
    private static bool Mirrored(int[] a, int[] b)
    {
        bool equal = false, opposite = false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i]) equal |= a[i] != 0;
            else if (a[i] == -b[i]) opposite = true;
            else return false;
        }
        return equal && opposite;
    }

    /// <summary>A vector expression of the sum of coefficient x term: added or subtracted where the coefficient is 1 or -1, else a multiply-add.</summary>
    private static string Combination(SimdFlavor v, List<(string Name, int[] Coefficients)> terms, int[] coefficients)
    {
        var used = terms.Select((t, k) => (t.Name, Coefficient: coefficients[k])).Where(t => t.Coefficient != 0).ToList();
        // start from a term taken once, if there is one: the rest add to it
        int first = Math.Max(0, used.FindIndex(t => t.Coefficient == 1));
        var (name, coefficient) = used[first];
        string sum = coefficient == 1 ? name : coefficient == -1 ? $"-{name}" : $"{name} * {coefficient}f";
        for (int k = 0; k < used.Count; k++)
        {
            if (k == first) continue;
            (name, coefficient) = used[k];
            sum = coefficient switch
            {
                1 => $"{sum} + {name}",
                -1 => $"{sum} - {name}",
                _ => v.MultiplyAdd(name, v.Broadcast($"{coefficient}f"), sum),
            };
        }
        return sum;
    }

    /// <summary>
    /// G g G^T of every 3x3 kernel, in double, as [points][channel of its group][filter] (each point's in blocks of
    /// filters: PermutedBlock): a product's weights for a vector of filters are one load.
    /// </summary>
    private static void WriteWinogradWeights(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        var form = Winograd.FormOf(c);
        int channels = c.ChannelsPerGroup, filters = c.Filters, block = PermutedBlock(c), side = form.Side;
        string blocks = block == filters ? "" : $"{filters / block} x ";
        w.WriteLine($"// layer {index}: [{filters}, {channels}, 3, 3] as Winograd's G g G^T for F({form.Outputs}x{form.Outputs}, 3x3), [{form.Points}, {blocks}{channels}, {block}] at {permutedOffset}");
        using (w.OpenBlock($"for (int oc = 0; oc < {filters}; oc++)"))
        using (w.OpenBlock($"for (int ic = 0; ic < {channels}; ic++)"))
        {
            w.WriteLine($"int g = {Linear(c.WeightOffset, ("oc", channels * 9), ("ic", 9))};");
            for (int j = 0; j < 3; j++) w.WriteLine($"double g0{j} = p[g + {j}], g1{j} = p[g + {3 + j}], g2{j} = p[g + {6 + j}];");
            // G g: row i of it is G's row i times the kernel's rows; then each row a of that times G^T
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < 3; j++) w.WriteLine($"double a{i}{j} = {KernelRow(form.KernelRows[i], k => $"g{k}{j}")};");
                for (int j = 0; j < side; j++)
                    w.WriteLine($"p[{Linear(permutedOffset + (side * i + j) * channels * filters, ("ic", block), (PermutedColumn(c, "oc", channels), 1))}] = (float)({KernelRow(form.KernelRows[j], k => $"a{i}{k}")});");
            }
        }
    }

    /// <summary>A row of G times three values, in double: "(g0 + g1 + g2) / 2".</summary>
    private static string KernelRow((int[] Taps, int Divisor) row, Func<int, string> tap)
    {
        var text = new System.Text.StringBuilder();
        for (int k = 0; k < 3; k++)
        {
            int a = row.Taps[k];
            if (a == 0) continue;
            string term = Math.Abs(a) == 1 ? tap(k) : $"{Math.Abs(a)} * {tap(k)}";
            text.Append(text.Length == 0 ? (a < 0 ? "-" : "") + term : (a < 0 ? " - " : " + ") + term);
        }
        bool single = row.Taps.Count(a => a != 0) == 1 && row.Taps.All(a => a >= 0);
        return row.Divisor == 1 ? text.ToString() : single ? $"{text} / {row.Divisor}" : $"({text}) / {row.Divisor}";
    }
}
