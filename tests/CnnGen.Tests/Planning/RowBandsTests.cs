using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;
using static CnnGen.Tests.Support.CheckedNetworks;

namespace CnnGen.Tests.Planning;

/// <summary>Which chains run in bands of rows (RowBands), and how the memory plan keeps what they read.</summary>
public class RowBandsTests
{
    private static readonly ActivationOp ReLU6 = new(Activation.ReLU6);

    private static ConvolutionOp Pointwise(int filters) => new() { Filters = filters, KernelHeight = 1, KernelWidth = 1 };

    private static ConvolutionOp Depthwise(int channels, int stride) => new()
    {
        Filters = channels, Groups = channels, KernelHeight = 3, KernelWidth = 3, StrideHeight = stride, StrideWidth = stride,
        PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1,
    };

    /// <summary>A pointwise convolution to channels-last values, then an inverted residual's three convolutions (its projection to 16 channels, which L2 holds at 112 x 112), then one to 16 channels-last channels, on a size x size map.</summary>
    private static ExecutionPlan InvertedResidual(int size, int expanded, int stride) =>
        Passes.Plan(Shapes(3, size, Pointwise(16), Pointwise(expanded), ReLU6, Depthwise(expanded, stride), ReLU6, Pointwise(16), Pointwise(16), ReLU6, Pointwise(16)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_expansion_past_L2_runs_in_bands_with_the_depthwise_convolution_and_the_projection(int stride)
    {
        // 96 x 112 x 112 floats: 4.8 MB
        var steps = InvertedResidual(112, 96, stride).Steps;

        Assert.Equal(new[] { 0, 1, 3, 5, 6, 8 }, steps.Select(s => s.Index));
        Assert.Equal(new RowBand?[] { null, new(0, 3, 2), new(1, 3, 2), new(2, 3, 2), null, null }, steps.Select(s => s.Band));
    }

    [Fact]
    public void An_expansion_that_L2_holds_runs_a_layer_at_a_time()
    {
        // 96 x 48 x 48 floats: 885 KB
        Assert.All(InvertedResidual(48, 96, 1).Steps, s => Assert.Null(s.Band));
    }

    [Fact]
    public void A_value_that_a_shortcut_also_reads_is_between_no_stages()
    {
        var body = new Item[] { Layer(Depthwise(96, 1)), Layer(ReLU6), Layer(Pointwise(96)) };
        var steps = Passes.Plan(Blocks(3, 112, Layer(Pointwise(16)), Layer(Pointwise(96)), Block(BlockKind.Residual, body), Layer(Pointwise(16)))).Steps;

        // the expansion's output is the depthwise convolution's input and the Residual's shortcut: the chain starts after it
        Assert.Equal(new[] { 0, 1, 2, 4, 6 }, steps.Select(s => s.Index));
        Assert.Equal(new RowBand?[] { null, null, new(0, 3, 2), new(1, 3, 2), new(2, 3, 2) }, steps.Select(s => s.Band));
    }

    [Fact]
    public void A_chain_s_band_holds_a_tile_of_each_of_its_stages()
    {
        // 6 pixels a row: the depthwise kernel's 512-bit tile takes 4 rows of them
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(5, 1100, 6),
            new Op[] { Pointwise(32), Pointwise(64), ReLU6, Depthwise(64, 1), ReLU6, Pointwise(32), Pointwise(16) }));
        var bands = Passes.Plan(shapes).Steps.Where(s => s.Band is not null).Select(s => s.Band!).ToList();

        Assert.Equal(3, bands.Count);
        Assert.All(bands, band => Assert.Equal(4, band.Rows));
    }

    [Fact]
    public void InputRowsRead_is_one_past_the_last_row_the_last_window_reaches_within_the_input()
    {
        var stride2 = Depthwise(8, 2);
        Assert.Equal(4, RowBands.InputRowsRead(stride2, 112, 2)); // rows 1 to 3 of output row 1's window
        Assert.Equal(112, RowBands.InputRowsRead(stride2, 112, 56)); // the last window's row past the input is padding
        Assert.Equal(1, RowBands.InputRowsRead(Pointwise(8), 112, 1));
        var dilated = stride2 with { StrideHeight = 1, PadTop = 2, DilationHeight = 2 };
        Assert.Equal(3, RowBands.InputRowsRead(dilated, 9, 1)); // rows -2, 0 and 2
        // a stride past int's range in the product: still the input's height
        Assert.Equal(9, RowBands.InputRowsRead(stride2 with { StrideHeight = int.MaxValue }, 9, 3));
    }

    [Fact]
    public void A_value_between_two_stages_is_kept_a_window_of_its_rows()
    {
        var steps = InvertedResidual(112, 96, 2).Steps;
        var chain = steps.Where(s => s.Band is not null).ToList();

        // the expansion, 112 rows of 112 x 96 floats (43 KB each): seven rows hold a quarter of L2; a band of the
        // depthwise convolution's two rows at stride 2 reads five. The window's offset is the highest row it starts at
        Assert.Equal(new RowWindow(7, 107, 112 * 96), chain[0].OutputWindow);
        // the depthwise convolution's output, 56 rows of 56 x 96 floats (21 KB): thirteen rows
        Assert.Equal(new RowWindow(13, 48, 56 * 96), chain[1].OutputWindow);
        // the chain's last value stays whole: the layer after the chain reads it
        Assert.Null(chain[2].OutputWindow);
    }

    [Fact]
    public void A_window_s_buffer_holds_the_rows_before_its_place_and_the_window()
    {
        var plan = InvertedResidual(112, 96, 1);
        var expansion = plan.Steps.First(s => s.Band is { Stage: 0 });
        var window = expansion.OutputWindow!;

        Assert.Equal((window.Offset + window.Rows) * window.RowFloats, expansion.OutputBufferLength);
        Assert.True(window.Rows * window.RowFloats * sizeof(float) >= RowBands.WindowBytes);
        Assert.True(window.Offset < 112 && window.Rows < 112);
        // its buffer holds the largest value planned into it, the window among them
        int slot = ExecutionPlan.ScratchSlot(expansion.Destination);
        Assert.True(plan.ScratchLengths[slot] >= expansion.OutputBufferLength);
    }

    [Fact]
    public void A_value_L2_holds_a_few_rows_of_keeps_at_least_the_rows_a_band_reads()
    {
        // 1,100 rows of 6 x 64 floats (1.5 KB): a quarter of L2 is 170.7 of them
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(5, 1100, 6),
            new Op[] { Pointwise(32), Pointwise(64), ReLU6, Depthwise(64, 1), ReLU6, Pointwise(32), Pointwise(16) }));
        var windows = Passes.Plan(shapes).Steps.Where(s => s.Band is { Stage: < 2 }).Select(s => s.OutputWindow!).ToList();

        Assert.All(windows, window => Assert.Equal(171, window.Rows));
    }

    [Fact]
    public void LowestRowKept_is_the_first_row_a_band_writes_or_its_reader_reads()
    {
        var stride2 = Passes.Plan(Shapes(3, 112, Pointwise(16), Pointwise(96), Depthwise(96, 2), Pointwise(16))).Steps.First(s => s.Band is { Stage: 1 });
        // the depthwise convolution's rows 3 and 4 (from 3, tiles of 2 rows) read rows 5 to 9 of the expansion, which wrote rows up to 7 before
        Assert.Equal(5, RowBands.LowestRowKept(stride2, from: 7, end: 10, tileRows: 1, readerFrom: 3, readerEnd: 5, readerTileRows: 2));
        // a range shorter than the tile: the tile redoes rows 2 and 3 of the depthwise output, reading from row 3 of the expansion
        Assert.Equal(3, RowBands.LowestRowKept(stride2, from: 7, end: 10, tileRows: 1, readerFrom: 4, readerEnd: 5, readerTileRows: 3));
        // the expansion's own tile of 4 rows redoes rows before its range
        Assert.Equal(4, RowBands.LowestRowKept(stride2, from: 7, end: 8, tileRows: 4, readerFrom: 4, readerEnd: 5, readerTileRows: 1));
        // never below row 0
        Assert.Equal(0, RowBands.LowestRowKept(stride2, from: 0, end: 3, tileRows: 1, readerFrom: 0, readerEnd: 1, readerTileRows: 1));
    }

    [Fact]
    public void The_memory_plan_keeps_every_value_a_chain_reads_until_its_last_stage()
    {
        var steps = InvertedResidual(112, 96, 2).Steps;
        var chain = steps.Where(s => s.Band is not null).ToList();

        // layer 1's input, and each stage's output, all read until the last band: no stage writes over one of them
        var read = chain.SelectMany(s => s.Sources).ToHashSet();
        Assert.All(chain, s => Assert.DoesNotContain(s.Destination, read.Except(new[] { s.Destination })));
        Assert.Equal(chain.Count, chain.Select(s => s.Destination).Distinct().Count());
        Assert.DoesNotContain(chain[0].Sources[0], chain.Select(s => s.Destination));
    }
}
