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
