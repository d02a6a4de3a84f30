using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;
using static CnnGen.Tests.Support.CheckedNetworks;

namespace CnnGen.Tests.Planning;

/// <summary>
/// <see cref="ZeroInputs"/>: which steps of a planned network read an input likely to hold exact zeros, the only ones
/// whose kernels list their nonzero inputs. Each case plans a chain (or blocks) and reads the mark of its Dense layers
/// or of its step of a kind.
/// </summary>
public class ZeroInputsTests
{
    private static readonly ConvolutionOp Conv16 = new() { Filters = 16, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };

    private static readonly PoolOp MaxPool2 = new(Reduction.Max) { KernelHeight = 2, KernelWidth = 2, StrideHeight = 2, StrideWidth = 2 };

    private static readonly PoolOp AvgPool2 = MaxPool2 with { Reduction = Reduction.Average };

    private static ActivationOp Act(Activation function) => new(function);

    /// <summary>Whether each Dense layer of the planned chain on a [3, 8, 8] input reads an input marked as holding zeros, in order.</summary>
    private static bool[] DenseMarks(params Op[] ops) => DenseMarks(Shapes(3, 8, ops));

    private static bool[] DenseMarks(NetworkShapes shapes) =>
        Passes.Plan(shapes).Steps.Where(s => s.Op is DenseOp).Select(s => s.InputHoldsZeros).ToArray();

    [Fact]
    public void The_network_input_may_hold_anything_and_counts_as_holding_zeros()
    {
        Assert.Equal(new[] { true }, DenseMarks(new FlattenOp(), new DenseOp(16)));
        Assert.True(Passes.Plan(Shapes(3, 8, Conv16)).Steps.Single().InputHoldsZeros);
    }

    [Fact]
    public void A_ReLU_fused_into_the_layer_before_leaves_zeros_and_the_layer_itself_does_not()
    {
        Assert.Equal(new[] { true, true, false }, DenseMarks(new FlattenOp(), new DenseOp(32), Act(Activation.ReLU), new DenseOp(16), new DenseOp(16)));
        Assert.Equal(new[] { false }, DenseMarks(Conv16, new FlattenOp(), new DenseOp(16)));
    }

    [Fact]
    public void A_max_pool_passes_zeros_on_and_an_average_does_not()
    {
        Assert.Equal(new[] { true }, DenseMarks(Conv16, Act(Activation.ReLU), MaxPool2, new FlattenOp(), new DenseOp(16)));
        Assert.Equal(new[] { false }, DenseMarks(Conv16, Act(Activation.ReLU), AvgPool2, new FlattenOp(), new DenseOp(16)));
        Assert.Equal(new[] { true }, DenseMarks(Conv16, Act(Activation.ReLU), new GlobalPoolOp(Reduction.Max), new FlattenOp(), new DenseOp(16)));
        // the squeeze of a squeeze-and-excitation gate, and a ResNet's classifier: a global average of a ReLU's map
        Assert.Equal(new[] { false }, DenseMarks(Conv16, Act(Activation.ReLU), new GlobalPoolOp(Reduction.Average), new FlattenOp(), new DenseOp(16)));
    }

    [Theory]
    [InlineData("ReLU", true)]
    [InlineData("ReLU6", true)]
    [InlineData("Hardswish", true)]
    [InlineData("Hardsigmoid", true)]
    [InlineData("LeakyReLU", false)]
    [InlineData("Hardtanh", false)]
    [InlineData("Sigmoid", false)]
    [InlineData("Tanh", false)]
    [InlineData("SiLU", false)]
    [InlineData("GELU", false)]
    [InlineData("ELU", false)]
    [InlineData("SELU", false)]
    [InlineData("Mish", false)]
    [InlineData("Softplus", false)]
    public void Activations_that_are_zero_below_a_bound_leave_zeros(string function, bool leaves)
    {
        Assert.Equal(new[] { leaves }, DenseMarks(Conv16, Act(System.Enum.Parse<Activation>(function)), new FlattenOp(), new DenseOp(16)));
    }

    [Theory]
    [InlineData("Tanh", true)]
    [InlineData("SiLU", true)]
    [InlineData("GELU", true)]
    [InlineData("LeakyReLU", true)]
    [InlineData("Hardtanh", true)]
    [InlineData("Sigmoid", false)]
    [InlineData("Hardsigmoid", true)]
    [InlineData("Softplus", false)]
    public void Activations_that_keep_zero_at_zero_pass_a_ReLU_s_zeros_on(string function, bool leaves)
    {
        Assert.Equal(new[] { leaves }, DenseMarks(Conv16, Act(Activation.ReLU), Act(System.Enum.Parse<Activation>(function)), new FlattenOp(), new DenseOp(16)));
    }

    [Fact]
    public void Bounds_at_zero_make_a_clamp_or_a_slope_a_ReLU()
    {
        Assert.Equal(new[] { true }, DenseMarks(Conv16, new ActivationOp(Activation.Hardtanh) { Min = 0f, Max = 6f }, new FlattenOp(), new DenseOp(16)));
        Assert.Equal(new[] { true }, DenseMarks(Conv16, new ActivationOp(Activation.LeakyReLU) { NegativeSlope = 0f }, new FlattenOp(), new DenseOp(16)));
        // zero outside [Min, Max] never passes: a clamp to [1, 2] of a ReLU's output holds no zeros
        Assert.Equal(new[] { false }, DenseMarks(Conv16, Act(Activation.ReLU), new ActivationOp(Activation.Hardtanh) { Min = 1f, Max = 2f }, new FlattenOp(), new DenseOp(16)));
    }

    [Fact]
    public void A_residual_sum_holds_zeros_after_its_ReLU_or_where_both_terms_do()
    {
        // BasicBlock: the body's last convolution adds the shortcut as it stores, then the ReLU after the sum
        var withReLU = Blocks(3, 8, Layer(Conv16), Layer(Act(Activation.ReLU)), Block(BlockKind.Residual, new[] { Layer(Conv16) }), Layer(Act(Activation.ReLU)), Layer(new FlattenOp()), Layer(new DenseOp(16)));
        Assert.Equal(new[] { true }, DenseMarks(withReLU));
        // a linear bottleneck's sum: the projection (no zeros) plus the block's input (a ReLU's)
        var linear = Blocks(3, 8, Layer(Conv16), Layer(Act(Activation.ReLU)), Block(BlockKind.Residual, new[] { Layer(Conv16) }), Layer(new FlattenOp()), Layer(new DenseOp(16)));
        Assert.Equal(new[] { false }, DenseMarks(linear));
        // both terms a ReLU's: the body a ReLU of its own
        var both = Blocks(3, 8, Layer(Conv16), Layer(Act(Activation.ReLU)), Block(BlockKind.Residual, new[] { Layer(Conv16), Layer(Act(Activation.ReLU)) }), Layer(new FlattenOp()), Layer(new DenseOp(16)));
        Assert.Equal(new[] { true }, DenseMarks(both));
    }

    [Fact]
    public void A_gate_s_product_keeps_its_input_s_zeros_and_a_Concat_its_parts()
    {
        // squeeze-and-excitation on a Hardswish's map: x * gate(x) is zero where x is
        var excite = Block(BlockKind.Multiply, new[] { Layer(new GlobalPoolOp(Reduction.Average)), Layer(Conv16 with { KernelHeight = 1, KernelWidth = 1, PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0 }), Layer(Act(Activation.Sigmoid)) });
        var gated = Passes.Plan(Blocks(3, 8, Layer(Conv16), Layer(Act(Activation.Hardswish)), excite, Layer(new FlattenOp()), Layer(new DenseOp(16)))).Steps;
        Assert.True(gated.Single(s => s.Op is DenseOp).InputHoldsZeros);
        // the gate's own convolution reads the global average: no zeros
        Assert.False(gated.Single(s => s.Op is ConvolutionOp c && c.KernelHeight == 1).InputHoldsZeros);

        var concat = Blocks(3, 8, Block(BlockKind.Concat, new[] { Layer(Conv16) }, new[] { Layer(Conv16), Layer(Act(Activation.ReLU)) }), Layer(new FlattenOp()), Layer(new DenseOp(16)));
        Assert.Equal(new[] { true }, DenseMarks(concat));
    }
}
