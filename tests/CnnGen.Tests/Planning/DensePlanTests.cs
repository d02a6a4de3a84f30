using System.Linq;
using CnnGen.Generator;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;
using static CnnGen.Tests.Support.CheckedNetworks;

namespace CnnGen.Tests.Planning;

/// <summary>
/// <see cref="DensePlan"/>: what a Dense layer of a planned network keeps beside its weights and how it reads its
/// inputs, decided once from the layer, its shapes and its step. Each case plans a flat input of some length into one
/// Dense layer (after a ReLU, or a global average, where that matters).
/// </summary>
public class DensePlanTests
{
    /// <summary>The plan of the one Dense layer of the planned chain on a [channels, 1, 1] input: Flatten, the ops, then Dense.</summary>
    private static DensePlan PlanOf(int inputs, int outputs, params Op[] before)
    {
        var ops = before.Append(new FlattenOp()).Append(new DenseOp(outputs)).ToArray();
        return DensePlan.For(Passes.Plan(Shapes(inputs, 1, ops)).Steps.Single(s => s.Op is DenseOp));
    }

    private static readonly ActivationOp ReLU = new(Activation.ReLU);

    [Fact]
    public void A_layer_of_a_vector_of_outputs_or_more_keeps_its_weights_again_in_chunks_of_columns_right_where_the_plan_puts_them()
    {
        var plan = PlanOf(64, 16);
        Assert.True(plan.KeepsColumns);
        Assert.True(plan.PermutedOffset >= 64 * 16 + 16, $"the copy at {plan.PermutedOffset} overlaps the parameters");
        Assert.Equal(64 * 16 + 1, plan.PermutedLength); // the copy and the finite-weights flag (the network's input may hold zeros)
        Assert.Equal(plan.PermutedOffset + 64 * 16, plan.ZeroInputsFlagAt);
    }

    [Fact]
    public void A_layer_narrower_than_a_vector_keeps_nothing_more_and_lists_nothing()
    {
        var plan = PlanOf(64, 15);
        Assert.False(plan.KeepsColumns);
        Assert.False(plan.SkipsZeroInputs);
        Assert.Equal(0, plan.PermutedLength);
    }

    [Fact]
    public void Past_16_MiB_of_weights_a_layer_reads_its_rows_as_the_model_keeps_them()
    {
        Assert.True(PlanOf(4096, 1024).KeepsColumns); // 4 Mi floats, 16 MiB
        Assert.False(PlanOf(4097, 1024).KeepsColumns);
        Assert.Equal(0, PlanOf(4097, 1024).PermutedLength);
    }

    [Fact]
    public void Zero_inputs_are_skipped_after_a_ReLU_up_to_4096_inputs_and_not_after_an_average()
    {
        Assert.True(PlanOf(4096, 16, ReLU).SkipsZeroInputs);
        Assert.False(PlanOf(4097, 16, ReLU).SkipsZeroInputs);
        Assert.Equal(4097 * 16, PlanOf(4097, 16, ReLU).PermutedLength); // the copy without a flag
        var afterAverage = PlanOf(256, 16, ReLU, new GlobalPoolOp(Reduction.Average));
        Assert.False(afterAverage.InputHoldsZeros);
        Assert.False(afterAverage.SkipsZeroInputs);
        Assert.Equal(256 * 16, afterAverage.PermutedLength);
    }

    [Fact]
    public void Weights_past_256_KiB_stream_from_beyond_L2()
    {
        Assert.False(PlanOf(256, 256).StreamsWeights); // exactly 256 KiB
        Assert.True(PlanOf(257, 256).StreamsWeights);
    }
}
