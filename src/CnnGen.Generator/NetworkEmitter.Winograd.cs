using System;
using System.Globalization;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2016) for 3x3 stride-1 convolutions between channels-last
/// values: each 2x2 block of outputs takes 16 products per input and output channel where the direct convolution takes 36,
/// as 16 matrix products of [tiles x in channels] by [in channels x filters]. Y = A^T [(G g G^T) . (B^T d B)] A, with
/// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1]:
/// only additions transform the input and the products, and the kernels' transforms are made at load time, in double.
/// Its rounding differs from the direct sum's by a few units in the last place of the larger terms.
/// </summary>
internal static class Winograd
{
    /// <summary>Values of a transformed 4x4 tile: the matrix products per layer.</summary>
    public const int Points = 16;

    /// <summary>The most floats the transformed input and the products may take (beyond it the direct kernel runs).</summary>
    private const long MostScratch = 1L << 24;

    /// <summary>A 3x3, stride-1, undilated convolution of one group reading a channels-last input, whose filters fill vectors.</summary>
    public static bool Applies(ConvolutionPlan c) => c.InputLayout == Layout.ChannelsLast && Fits(c);

    /// <summary>
    /// Whether the convolution's shape suits F(2x2, 3x3), whatever its layouts. An odd height or width leaves a last
    /// row or column of tiles half outside: its missing input row or column is taken as zeros and its missing outputs
    /// are not stored; that pays from 5 outputs across (a 7 x 7 map: 16 tiles, 256 products a filter and channel where
    /// the direct convolution takes 441), not on a 3 x 3 map (4 tiles, 64 for 81, and 16/9 the weights to stream).
    /// </summary>
    public static bool Fits(ConvolutionPlan c)
    {
        var l = c.Layer;
        bool tiles = (c.OutHeight % 2 == 0 || c.OutHeight >= 5) && (c.OutWidth % 2 == 0 || c.OutWidth >= 5);
        return !NetworkEmitter.IsStraightLine(c) && l.Groups == 1 && l.KernelHeight == 3 && l.KernelWidth == 3 &&
               l.StrideHeight == 1 && l.StrideWidth == 1 && l.DilationHeight == 1 && l.DilationWidth == 1 &&
               tiles && c.Filters % Layouts.LeastChannels == 0 && c.InChannels >= Layouts.LeastChannels &&
               (long)Points * TileCount(c) * (c.InChannels + c.Filters) <= MostScratch;
    }

    /// <summary>Tiles down and across: a last one half outside where the output's height or width is odd.</summary>
    public static int TileRows(ConvolutionPlan c) => (c.OutHeight + 1) / 2;

    public static int TilesPerRow(ConvolutionPlan c) => (c.OutWidth + 1) / 2;

    public static int TileCount(ConvolutionPlan c) => TileRows(c) * TilesPerRow(c);

    /// <summary>
    /// Floats from one of the 16 planes of the transformed input or of the products to the next: a cache line more
    /// than the plane, since a tile's transform touches all 16 and planes a multiple of 4 KiB apart share one set of
    /// the L1 cache (an 8x8 map of 64 channels is 4 KiB a plane: 16 such streams evicted each other, 25 us a layer, now 22.5).
    /// </summary>
    public static int PlaneStride(ConvolutionPlan c, int channels) => BlockTiles(c) * channels + 16;

    /// <summary>
    /// Tiles transformed, multiplied and stored together: as many as keep a block's transformed input and products
    /// within 48 KiB (about the L1 cache), at least two register tiles' worth, at most all. A 128 x 128 map of 16
    /// channels in one block took 12 MB of scratch, streamed from memory three times: slower than the direct
    /// convolution. Measured on the U-Net: one block 10.3 to 11.4 ms, 512 KiB blocks 8.8 to 10.5, 128 KiB 8.3 to 8.7,
    /// 48 and 24 KiB 7.2 to 8.5 (ResNet8Cifar 164 us with 48 KiB, 169 with 128).
    /// </summary>
    public static int BlockTiles(ConvolutionPlan c) =>
        Math.Min(TileCount(c), Math.Max(24, BlockScratchBytes / (Points * (c.InChannels + c.Filters) * sizeof(float))));

    private const int BlockScratchBytes = 48 * 1024;

    /// <summary>Floats of the scratch a Winograd convolution works in: the transformed input [16][tiles][C], then the products [16][tiles][F]; 0 for others.</summary>
    public static int ScratchLength(ConvolutionPlan c) =>
        !Applies(c) ? 0 : Points * (PlaneStride(c, c.InChannels) + PlaneStride(c, c.Filters));
}

internal static partial class NetworkEmitter
{
    /// <summary>
    /// Layer N as F(2x2, 3x3): the input's 4x4 tiles transformed a vector of channels at a time, 16 register-tiled
    /// matrix products (tiles x filter vectors of accumulators, a broadcast input per channel), then each 2x2 block of
    /// outputs made from its 16 products, with the bias and the epilogue, stored channels-last or a lane at a time.
    /// </summary>
    private static void WriteWinogradConvolution(SourceWriter w, int index, ConvolutionPlan c, Epilogue? epilogue, int permutedOffset, SimdFlavor v, FusedPool? pool)
    {
        int channels = c.InChannels, filters = c.Filters, tiles = Winograd.BlockTiles(c), tilesPerRow = Winograd.TilesPerRow(c);
        // blocks of tiles through all three stages, the last block overlapping the one before (its tiles stored twice, alike)
        int allTiles = Winograd.TileCount(c);
        bool blocked = tiles < allTiles;
        string tile = blocked ? "(first + t)" : "t";
        // an odd height or width: the last row or column of tiles has one row or column of outputs, and its input's last
        // row or column lies past the map (the rows the direct convolution reads end one before): zeros, never loaded
        bool oddHeight = c.OutHeight % 2 == 1, oddWidth = c.OutWidth % 2 == 1;
        int lastTileRow = Winograd.TileRows(c) - 1, lastTileColumn = tilesPerRow - 1;
        int rowLength = c.IsPadded ? c.PaddedWidth : c.Width, plane = (c.IsPadded ? c.PaddedHeight : c.Height) * rowLength;
        int outPlane = c.OutHeight * c.OutWidth;
        string width = v.Count;
        // the products' register tile: up to 12 tiles x 2 filter vectors with 512-bit vectors, 8 x 1 with Vector<float>
        int vectors = v.Lanes is int lanes && filters % (2 * lanes) == 0 ? 2 : 1;
        // as many tiles as the registers allow, evened out so the last register tile overlaps the one before little
        int most = v.Lanes is null ? 8 : 12, blocks = (tiles + most - 1) / most;
        int pixels = (tiles + blocks - 1) / blocks;
        string I(int value) => value.ToString(CultureInfo.InvariantCulture);
        string Lane(int vector) => vector == 0 ? "" : vector == 1 ? $" + {width}" : $" + {vector} * {width}";
        w.WriteLine($"/// <summary>Layer {index} as Winograd's F(2x2, 3x3) with {v.Description}: {allTiles} tiles{(blocked ? $" in blocks of {tiles}" : "")}, 16 products of [{tiles} x {channels}] by [{channels} x {filters}]{(blocked ? " a block" : "")}.</summary>");
        if (pool is not null) w.WriteLine($"/// <remarks>Stores the 2x2 max pool of layer {pool.Index} ({pool.Output}): each tile's four outputs are one window.</remarks>");
        using var _ = w.OpenBlock($"private static void {KernelMethodName(c, VectorKernel.Winograd, v)}({ReadOnlySpan} x, {Span} y, {ReadOnlySpan} p{(c.IsPadded ? $", {Span} padded" : "")}, {Span} winograd)");
        WriteInputReference(w, c, rowLength, plane);
        w.WriteLine($"ref float weights = ref {MemoryMarshal}.GetReference(p);");
        w.WriteLine($"ref float output = ref {MemoryMarshal}.GetReference(y);");
        w.WriteLine($"ref float transformed = ref {MemoryMarshal}.GetReference(winograd);");
        int inputPlane = Winograd.PlaneStride(c, channels), productPlane = Winograd.PlaneStride(c, filters);
        w.WriteLine($"ref float products = ref {Unsafe}.Add(ref transformed, {I(Winograd.Points * inputPlane)});");
        if (c.OutputLayout == Layout.ChannelsFirst) w.WriteLine($"{Span} lanes = stackalloc float[{width}];");
        using var tileBlocks = w.OpenBlockIf(blocked, $"for (int tileBlock = 0; tileBlock < {I(allTiles)}; tileBlock += {I(tiles)})");
        if (blocked) w.WriteLine($"int first = global::System.Math.Min(tileBlock, {I(allTiles - tiles)});");

        w.WriteLine("// B^T d B of every 4x4 input tile, a vector of channels at a time (the last vector overlapping the one before)");
        using (w.OpenBlock($"for (int t = 0; t < {I(tiles)}; t++)"))
        {
            w.WriteLine($"int ty = {tile} / {I(tilesPerRow)}, tx = {tile} - ty * {I(tilesPerRow)};");
            w.WriteLine($"ref float corner = ref {Unsafe}.Add(ref input, {Linear(0, ("ty", 2 * rowLength * channels), ("tx", 2 * channels))});");
            using (w.OpenBlock($"for (int block = 0; block < {I(channels)}; block += {width})"))
            {
                w.WriteLine($"int c = global::System.Math.Min(block, {I(channels)} - {width});");
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        string load = v.Load("corner", Linear((i * rowLength + j) * channels, ("c", 1)));
                        var outside = new System.Collections.Generic.List<string>();
                        if (i == 3 && oddHeight) outside.Add($"ty == {I(lastTileRow)}");
                        if (j == 3 && oddWidth) outside.Add($"tx == {I(lastTileColumn)}");
                        w.WriteLine(outside.Count == 0 ? $"var d{i}{j} = {load};" : $"var d{i}{j} = {string.Join(" || ", outside)} ? {v.Type}.Zero : {load};");
                    }
                for (int j = 0; j < 4; j++)
                {
                    w.WriteLine($"var r0{j} = d0{j} - d2{j};");
                    w.WriteLine($"var r1{j} = d1{j} + d2{j};");
                    w.WriteLine($"var r2{j} = d2{j} - d1{j};");
                    w.WriteLine($"var r3{j} = d1{j} - d3{j};");
                }
                for (int i = 0; i < 4; i++)
                {
                    string[] row = { $"r{i}0 - r{i}2", $"r{i}1 + r{i}2", $"r{i}2 - r{i}1", $"r{i}1 - r{i}3" };
                    for (int j = 0; j < 4; j++)
                        w.WriteLine(v.Store($"({row[j]})", "transformed", Linear((i * 4 + j) * inputPlane, ("t", channels), ("c", 1))));
                }
            }
        }

        w.WriteLine("// the 16 products: [tiles x channels] by [channels x filters], each a register tile of tiles x filter vectors");
        using (w.OpenBlock($"for (int k = 0; k < {Winograd.Points}; k++)"))
        {
            w.WriteLine($"ref float inputs = ref {Unsafe}.Add(ref transformed, k * {I(inputPlane)});");
            w.WriteLine($"ref float kernel = ref {Unsafe}.Add(ref weights, {Linear(permutedOffset, ("k", channels * filters))});");
            w.WriteLine($"ref float sums = ref {Unsafe}.Add(ref products, k * {I(productPlane)});");
            string step = v.Lanes is int known ? I(vectors * known) : $"{vectors} * {width}";
            using (w.OpenBlock($"for (int f = 0; f < {I(filters)}; f += {step})"))
            using (w.OpenBlock($"for (int start = 0; start < {I(tiles)}; start += {I(pixels)})"))
            {
                w.WriteLine(pixels < tiles ? $"int t = global::System.Math.Min(start, {I(tiles - pixels)});" : "int t = start;");
                for (int px = 0; px < pixels; px++)
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var sum{px}_{k} = {v.Type}.Zero;");
                w.WriteLine($"ref float row = ref {Unsafe}.Add(ref inputs, t * {I(channels)});");
                w.WriteLine($"ref float column = ref {Unsafe}.Add(ref kernel, {PermutedColumn(c, "f", channels)});");
                using (w.OpenBlock($"for (int ic = 0; ic < {I(channels)}; ic++)"))
                {
                    for (int k = 0; k < vectors; k++) w.WriteLine($"var weight{k} = {v.Load("column", "0" + Lane(k))};");
                    for (int px = 0; px < pixels; px++)
                    {
                        w.WriteLine($"var value{px} = {v.Broadcast($"{Unsafe}.Add(ref row, {I(px * channels)})")};");
                        for (int k = 0; k < vectors; k++) w.WriteLine($"sum{px}_{k} = {v.MultiplyAdd($"value{px}", $"weight{k}", $"sum{px}_{k}")};");
                    }
                    w.WriteLine($"row = ref {Unsafe}.Add(ref row, 1);");
                    w.WriteLine($"column = ref {Unsafe}.Add(ref column, {I(PermutedBlock(c))});");
                }
                for (int px = 0; px < pixels; px++)
                    for (int k = 0; k < vectors; k++)
                        w.WriteLine(v.Store($"sum{px}_{k}", "sums", Linear(px * filters, ("t", filters), ("f", 1)) + Lane(k)));
            }
        }

        w.WriteLine("// A^T m A of every tile's products: its 2x2 outputs, with the bias and what the layer applies as it stores");
        using (w.OpenBlock($"for (int t = 0; t < {I(tiles)}; t++)"))
        {
            w.WriteLine($"int ty = {tile} / {I(tilesPerRow)}, tx = {tile} - ty * {I(tilesPerRow)};");
            using (w.OpenBlock($"for (int f = 0; f < {I(filters)}; f += {width})"))
            {
                w.WriteLine(c.BiasOffset >= 0 ? $"var bias = {v.Load("weights", Linear(c.BiasOffset, ("f", 1)))};" : $"var bias = {v.Type}.Zero;");
                for (int k = 0; k < Winograd.Points; k++)
                    w.WriteLine($"var m{k / 4}{k % 4} = {v.Load("products", Linear(k * productPlane, ("t", filters), ("f", 1)))};");
                for (int j = 0; j < 4; j++)
                {
                    w.WriteLine($"var s0{j} = m0{j} + m1{j} + m2{j};");
                    w.WriteLine($"var s1{j} = m1{j} - m2{j} - m3{j};");
                }
                for (int i = 0; i < 2; i++)
                {
                    w.WriteLine($"var o{i}0 = s{i}0 + s{i}1 + s{i}2 + bias;");
                    w.WriteLine($"var o{i}1 = s{i}1 - s{i}2 - s{i}3 + bias;");
                }
                if (pool is not null)
                {
                    // the pool's window is the tile: its maximum stored at the pooled pixel (ty, tx)
                    string pooled = AfterPool(epilogue, v, $"{v.Static}.Max({v.Static}.Max({BeforePool(epilogue, v, "o00")}, {BeforePool(epilogue, v, "o01")}), {v.Static}.Max({BeforePool(epilogue, v, "o10")}, {BeforePool(epilogue, v, "o11")}))");
                    int pooledPlane = pool.Output.Height * pool.Output.Width;
                    if (c.OutputLayout == Layout.ChannelsLast)
                        w.WriteLine(v.Store(pooled, "output", Linear(0, ("ty", tilesPerRow * filters), ("tx", filters), ("f", 1))));
                    else
                    {
                        w.WriteLine(v.CopyTo(pooled, "lanes"));
                        w.WriteLine($"for (int lane = 0; lane < {width}; lane++) {Unsafe}.Add(ref output, {Linear(0, ("(f + lane)", pooledPlane), ("ty", tilesPerRow), ("tx", 1))}) = lanes[lane];");
                    }
                    return; // the last of the method: the blocks close as the writer's scopes end
                }
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++)
                    {
                        string value = Epilogues.Vector(epilogue, v, $"o{i}{j}");
                        // a half-outside tile's second row or column is past the map
                        var inside = new System.Collections.Generic.List<string>();
                        if (i == 1 && oddHeight) inside.Add($"ty != {I(lastTileRow)}");
                        if (j == 1 && oddWidth) inside.Add($"tx != {I(lastTileColumn)}");
                        using (w.OpenBlockIf(inside.Count > 0, $"if ({string.Join(" && ", inside)})"))
                        {
                            if (c.OutputLayout == Layout.ChannelsLast)
                                w.WriteLine(v.Store(value, "output", Linear((i * c.OutWidth + j) * filters, ("ty", 2 * c.OutWidth * filters), ("tx", 2 * filters), ("f", 1))));
                            else
                            {
                                w.WriteLine(v.CopyTo(value, "lanes"));
                                w.WriteLine($"for (int lane = 0; lane < {width}; lane++) {Unsafe}.Add(ref output, {Linear(i * c.OutWidth + j, ("(f + lane)", outPlane), ("ty", 2 * c.OutWidth), ("tx", 2))}) = lanes[lane];");
                            }
                        }
                    }
            }
        }
    }

    /// <summary>
    /// G g G^T of every 3x3 kernel, in double, as [16][in channel][filter] (each of the 16 in blocks of filters:
    /// PermutedBlock): a product's weights for a vector of filters are one load.
    /// </summary>
    private static void WriteWinogradWeights(SourceWriter w, int index, ConvolutionPlan c, int permutedOffset)
    {
        int channels = c.InChannels, filters = c.Filters, block = PermutedBlock(c);
        string blocks = block == filters ? "" : $"{filters / block} x ";
        w.WriteLine($"// layer {index}: [{filters}, {channels}, 3, 3] as Winograd's G g G^T, [16, {blocks}{channels}, {block}] at {permutedOffset}");
        using (w.OpenBlock($"for (int oc = 0; oc < {filters}; oc++)"))
        using (w.OpenBlock($"for (int ic = 0; ic < {channels}; ic++)"))
        {
            w.WriteLine($"int g = {Linear(c.WeightOffset, ("oc", channels * 9), ("ic", 9))};");
            for (int j = 0; j < 3; j++) w.WriteLine($"double g0{j} = p[g + {j}], g1{j} = p[g + {3 + j}], g2{j} = p[g + {6 + j}];");
            // G g: its rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2; then each row a of it times G^T: a0, (a0 + a1 + a2) / 2, (a0 - a1 + a2) / 2, a2
            string[] Rows(int j) => new[] { $"g0{j}", $"(g0{j} + g1{j} + g2{j}) / 2", $"(g0{j} - g1{j} + g2{j}) / 2", $"g2{j}" };
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 3; j++) w.WriteLine($"double a{i}{j} = {Rows(j)[i]};");
                string[] columns = { $"a{i}0", $"(a{i}0 + a{i}1 + a{i}2) / 2", $"(a{i}0 - a{i}1 + a{i}2) / 2", $"a{i}2" };
                for (int j = 0; j < 4; j++)
                    w.WriteLine($"p[{Linear(permutedOffset + (4 * i + j) * channels * filters, ("ic", block), (PermutedColumn(c, "oc", channels), 1))}] = (float)({columns[j]});");
            }
        }
    }
}
