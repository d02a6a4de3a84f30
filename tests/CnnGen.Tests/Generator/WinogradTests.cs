using System;
using System.Linq;
using CnnGen.Generator;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Winograd's F(2x2, 3x3) and F(4x4, 3x3): each form's matrices compute the 3x3 cross-correlation of its tile
/// exactly (in double), and which form a convolution takes. The generated code's use of them is checked against the
/// reference engine by ChannelsLastDifferentialTests, on every SIMD path.
/// </summary>
public class WinogradTests
{
    public static TheoryData<int> Forms() => new() { 2, 4 };

    private static WinogradForm Form(int outputs) => outputs == 2 ? WinogradForm.Two : WinogradForm.Four;

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_form_computes_the_cross_correlation_of_its_tile(int outputs)
    {
        var form = Form(outputs);
        int side = form.Side;
        Assert.Equal(outputs + 2, side);
        double[,] bt = Matrix(form.InputRows.Select(r => r.Select(a => (double)a).ToArray()).ToArray());
        double[,] g = Matrix(form.KernelRows.Select(r => r.Taps.Select(a => (double)a / r.Divisor).ToArray()).ToArray());
        double[,] at = Matrix(form.OutputRows.Select(r => r.Select(a => (double)a).ToArray()).ToArray());
        var random = new Random(outputs);
        for (int trial = 0; trial < 20; trial++)
        {
            var d = new double[side, side];
            var kernel = new double[3, 3];
            for (int i = 0; i < side; i++) for (int j = 0; j < side; j++) d[i, j] = random.NextDouble() * 2 - 1;
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) kernel[i, j] = random.NextDouble() * 2 - 1;

            // Y = A^T [(G g G^T) . (B^T d B)] A
            var u = Multiply(Multiply(g, kernel), Transpose(g));
            var v = Multiply(Multiply(bt, d), Transpose(bt));
            var m = new double[side, side];
            for (int i = 0; i < side; i++) for (int j = 0; j < side; j++) m[i, j] = u[i, j] * v[i, j];
            var y = Multiply(Multiply(at, m), Transpose(at));

            for (int i = 0; i < outputs; i++)
                for (int j = 0; j < outputs; j++)
                {
                    double direct = 0;
                    for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) direct += d[i + ky, j + kx] * kernel[ky, kx];
                    Assert.True(Math.Abs(y[i, j] - direct) < 1e-12, $"F({outputs}x{outputs}) output ({i}, {j}): {y[i, j]}, directly {direct}");
                }
        }
    }

    [Theory]
    // a ResNet's 8 x 8 stage: 4 tiles of 4x4, too few
    [InlineData(64, 64, 8, 2)]
    // 9 tiles of 4x4 on 12 x 12: too few
    [InlineData(64, 64, 12, 2)]
    // 16 tiles of 4x4 on 16 x 16 and on 14 x 14 (its last tiles half outside)
    [InlineData(32, 32, 16, 4)]
    [InlineData(64, 64, 14, 4)]
    // a U-Net's 128 x 128 level of 16 channels, its 16 x 16 bottom of 128 (2.4 MB of weights)
    [InlineData(16, 16, 128, 4)]
    [InlineData(128, 128, 16, 4)]
    // 256 to 256 channels: 9.4 MB of F(4x4)'s weights, streamed from memory for each few tiles
    [InlineData(256, 256, 14, 2)]
    public void A_convolution_takes_F4x4_where_its_tiles_are_many_and_its_weights_fit(int channels, int filters, int size, int outputs)
    {
        var plan = Plan(channels, filters, size);
        Assert.True(Winograd.Fits(plan));
        Assert.Equal(outputs, Winograd.FormOf(plan).Outputs);
        Assert.Equal((size + outputs - 1) / outputs, Winograd.TileRows(plan));
    }

    [Theory]
    // one F(2x2) tile: as many products as the direct convolution's taps inside the map, and 16/9 the weights to stream
    // (a ResNet's 320 -> 320 stage on 2 x 2: 6.5 MB a call where the direct convolution reads 3.7)
    [InlineData(320, 320, 2)]
    [InlineData(64, 64, 2)]
    // 4 tiles of a 3 x 3 map, each half outside
    [InlineData(256, 256, 3)]
    [InlineData(64, 64, 1)]
    public void A_map_of_fewer_than_four_outputs_across_keeps_the_direct_convolution(int channels, int filters, int size) =>
        Assert.False(Winograd.Fits(Plan(channels, filters, size)));

    [Theory]
    [InlineData(160, 160, 4)]
    [InlineData(16, 16, 5)]
    [InlineData(64, 64, 6)]
    // 256 to 256 at 4 x 4: 4 tiles, F(2x2)'s 4 MiB of weights still at the limit
    [InlineData(256, 256, 4)]
    // 512 to 512 at 8 x 8: 16 tiles for 16.8 MB
    [InlineData(512, 512, 8)]
    public void A_map_of_four_or_more_outputs_across_takes_Winograd(int channels, int filters, int size) =>
        Assert.True(Winograd.Fits(Plan(channels, filters, size)));

    [Theory]
    // a CIFAR ResNet-18's last stage: 512 to 512 at 4 x 4, 4 tiles each streaming 16.8 MB of F(2x2)'s weights where
    // the direct kernel streams 9.4 (4.1 to 4.6 ms against 4.6 to 5.3 for the network, in alternating runs)
    [InlineData(512, 512, 4)]
    [InlineData(384, 512, 4)]
    public void Few_tiles_over_streamed_weights_keep_the_direct_convolution(int channels, int filters, int size) =>
        Assert.False(Winograd.Fits(Plan(channels, filters, size)));

    [Theory]
    // a ResNeXt's 8 groups of 16 at 32 x 32 and of 32 at 16 x 16: F(4x4)
    [InlineData(128, 128, 8, 32, true)]
    [InlineData(256, 256, 8, 16, true)]
    // 32 groups of 16 at 8 x 8: F(2x2), whose savings a group's 16 channels leave to the transforms
    [InlineData(512, 512, 32, 8, false)]
    // groups of 8 filters: not whole 512-bit vectors
    [InlineData(256, 256, 32, 32, false)]
    public void Groups_of_whole_vectors_take_Winograd_as_F4x4_only(int channels, int filters, int groups, int size, bool takes) =>
        Assert.Equal(takes, Winograd.Fits(Plan(channels, filters, size, groups)));

    [Fact]
    public void Blocks_of_tiles_are_even_and_hold_every_tile()
    {
        foreach (var (channels, filters, size) in new[] { (16, 16, 128), (32, 32, 40), (64, 32, 64), (128, 128, 16), (64, 64, 12), (16, 16, 7), (256, 256, 14) })
        {
            var plan = Plan(channels, filters, size);
            int tiles = Winograd.TileCount(plan), block = Winograd.BlockTiles(plan);
            int blocks = (tiles + block - 1) / block;
            Assert.InRange(block, 1, tiles);
            // the last block overlaps the one before by less than a block's worth of tiles spread over all of them
            Assert.True(blocks * block - tiles < blocks, $"{channels} to {filters} at {size}: {tiles} tiles in {blocks} blocks of {block}");
        }
    }

    private static ConvolutionPlan Plan(int channels, int filters, int size, int groups = 1)
    {
        var op = new ConvolutionOp { Filters = filters, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Groups = groups };
        var shapes = new LayerShapes(FeatureShape.Map(channels, size, size), FeatureShape.Map(filters, size, size), default);
        return new ConvolutionPlan(op, shapes, 0, -1);
    }

    private static double[,] Matrix(double[][] rows)
    {
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < rows[0].Length; j++) m[i, j] = rows[i][j];
        return m;
    }

    private static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) t[j, i] = a[i, j];
        return t;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var c = new double[a.GetLength(0), b.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < b.GetLength(1); j++)
                for (int k = 0; k < a.GetLength(1); k++) c[i, j] += a[i, k] * b[k, j];
        return c;
    }
}
