using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;
using static CnnGen.Tests.Support.CheckedNetworks;

namespace CnnGen.Tests.Planning;

/// <summary>The passes from a checked graph to an execution plan, each on small chains.</summary>
public class PassesTests
{
    private static readonly ConvolutionOp Conv16 = new() { Filters = 16, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };

    private static readonly ActivationOp ReLU = new(Activation.ReLU);

    private static readonly PoolOp MaxPool2 = new(Reduction.Max) { KernelHeight = 2, KernelWidth = 2, StrideHeight = 2, StrideWidth = 2 };

    [Fact]
    public void Canonicalize_leaves_no_step_for_views()
    {
        var shapes = Shapes(2, 4, new DropoutOp(0.5f), new FlattenOp(), new IdentityOp(), new DenseOp(3));

        var steps = Passes.Canonicalize(shapes);

        Assert.Equal(new[] { 3 }, steps.Select(s => s.Index));
    }

    [Fact]
    public void Fuse_folds_a_BatchNorm_into_the_convolution_before_it()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, new BatchNormOp(), ReLU)));

        var conv = Assert.Single(steps);
        Assert.Equal(1, conv.Folded?.Index);
        Assert.Equal(2, conv.Epilogue?.Index);
    }

    [Fact]
    public void Fuse_folds_through_a_Dropout_between_them()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, new DropoutOp(0.1f), new BatchNormOp())));

        Assert.Equal(2, Assert.Single(steps).Folded?.Index);
    }

    [Fact]
    public void Fuse_keeps_a_BatchNorm_after_an_activation_as_a_step()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, ReLU, new BatchNormOp())));

        Assert.Equal(new[] { 0, 2 }, steps.Select(s => s.Index));
        Assert.Null(steps[0].Folded);
        Assert.IsType<BatchNormOp>(steps[1].Op);
    }

    [Fact]
    public void Fuse_keeps_a_BatchNorm_after_a_pool_as_a_step()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, MaxPool2, new BatchNormOp())));

        Assert.Equal(2, steps.Count);
    }

    [Fact]
    public void Fuse_pools_in_the_convolution_after_a_monotone_activation()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, new BatchNormOp(), new ActivationOp(Activation.ReLU6), MaxPool2)));

        var conv = Assert.Single(steps);
        Assert.Equal(3, conv.Pool?.Index);
        Assert.Equal(FeatureShape.Map(16, 8, 8), conv.Output);
    }

    [Fact]
    public void Fuse_pools_in_the_convolution_after_Hardswish_too_which_then_runs_before_the_pool()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, new ActivationOp(Activation.Hardswish), MaxPool2)));

        var conv = Assert.Single(steps);
        Assert.Equal((1, 2), (conv.Epilogue?.Index, conv.Pool?.Index));
        Assert.False(Epilogues.CommutesWithMaxPool(conv.Epilogue!.Op)); // x * relu6(x + 3) / 6 dips below zero and rises: max first would be wrong
    }

    [Fact]
    public void Fuse_leaves_activations_without_a_vector_form_to_their_own_step()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, new ActivationOp(Activation.GELU))));

        Assert.Equal(2, steps.Count);
        Assert.Null(steps[0].Epilogue);
    }

    [Theory]
    [InlineData("GELU")]
    [InlineData("Mish")]
    public void Fuse_leaves_long_vector_forms_to_their_own_step_after_a_convolution_but_not_after_a_sum(string name)
    {
        var function = System.Enum.Parse<Activation>(name);
        var activation = new ActivationOp(function);
        Assert.True(Epilogues.IsFusable(activation));
        Assert.False(Epilogues.FitsConvolutionStore(activation, depthwise: false));
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 16, Conv16, activation)));
        Assert.Equal(new[] { "Conv2D", function.ToString() }, steps.Select(s => s.Op.Kind));
        Assert.Null(steps[0].Epilogue);

        // a Residual's sum applies it as it stores, a loop with nothing else in its registers, but does not carry it into the convolution that ends the body
        var residual = Block(BlockKind.Residual, new[] { Layer(Pointwise32), Layer(ReLU), Layer(Pointwise32) }, System.Array.Empty<Item>());
        var summed = Passes.Plan(Blocks(32, 8, Layer(Pointwise32), residual, Layer(activation), Layer(new GlobalPoolOp(Reduction.Average)))).Steps;
        var sum = summed.Single(s => s.Op is AddOp);
        Assert.Equal(function, ((ActivationOp)sum.Epilogue!.Op).Function);
        Assert.DoesNotContain(summed, s => s.Op is ConvolutionOp && s.Epilogue?.Op is ActivationOp { Function: var f } && f == function);
    }

    [Theory]
    [InlineData("SiLU")]
    [InlineData("Sigmoid")]
    [InlineData("ELU")]
    [InlineData("SELU")]
    public void Fuse_leaves_activations_through_exp_to_their_own_step_after_a_depthwise_convolution_only(string name)
    {
        var activation = new ActivationOp(System.Enum.Parse<Activation>(name));
        Assert.True(Epilogues.FitsConvolutionStore(activation, depthwise: false));
        Assert.False(Epilogues.FitsConvolutionStore(activation, depthwise: true));

        // EfficientNet's inverted residual: the expansion applies it as it stores, the depthwise convolution leaves it a step
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(32, 16, Pointwise32, activation, Depthwise32, activation, Pointwise32)));
        Assert.Equal(new[] { "Conv2D", "Conv2D", name, "Conv2D" }, steps.Select(s => s.Op.Kind));
        Assert.Equal(activation, steps[0].Epilogue?.Op);
        Assert.Null(steps[1].Epilogue);

        // ReLU6, MobileNetV2's, stays in the depthwise convolution's store
        var relu6 = new ActivationOp(Activation.ReLU6);
        Assert.Equal(relu6, Assert.Single(Passes.Fuse(Passes.Canonicalize(Shapes(32, 16, Depthwise32, relu6)))).Epilogue?.Op);
    }

    [Fact]
    public void Fuse_gives_a_straight_line_convolution_no_epilogue()
    {
        // 1 x 3 x 3 outputs of a 3 x 3 window: 81 multiply-adds, one statement each
        var small = new ConvolutionOp { Filters = 1, KernelHeight = 3, KernelWidth = 3 };
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(1, 5, small, ReLU)));

        Assert.Equal(2, steps.Count);
    }

    [Fact]
    public void PlanMemory_ping_pongs_and_runs_elementwise_steps_in_place()
    {
        var steps = Passes.PlanMemory(Passes.Canonicalize(Shapes(1, 8, MaxPool2, new ActivationOp(Activation.Sigmoid), MaxPool2, new FlattenOp(), new DenseOp(2))));

        Assert.Equal(new[] { ("input", "a"), ("a", "a"), ("a", "b"), ("b", "output") }, steps.Select(s => (s.Source, s.Destination)));
    }

    [Fact]
    public void PlanMemory_never_writes_the_input()
    {
        var steps = Passes.PlanMemory(Passes.Canonicalize(Shapes(1, 8, ReLU, ReLU)));

        Assert.Equal(new[] { ("input", "a"), ("a", "output") }, steps.Select(s => (s.Source, s.Destination)));
    }

    [Fact]
    public void Canonicalize_lets_readers_of_a_view_read_what_it_renames()
    {
        // the Residual adds the Identity's output, which is the input itself
        var shapes = Blocks(16, 8, Block(BlockKind.Residual, new[] { Layer(Conv16) }, new[] { Layer(new IdentityOp()) }));

        var steps = Passes.Canonicalize(shapes);

        Assert.Equal(new[] { "0", "1,0" }, steps.Select(s => string.Join(",", s.InputValues)));
    }

    [Fact]
    public void Fuse_keeps_a_BatchNorm_apart_when_a_skip_connection_also_reads_the_convolution()
    {
        // conv, then Residual(BatchNorm): the sum needs the convolution's output as it is
        var shapes = Blocks(3, 16, Layer(Conv16), Block(BlockKind.Residual, new[] { Layer(new BatchNormOp()), Layer(ReLU) }));

        var steps = Passes.Fuse(Passes.Canonicalize(shapes));

        Assert.Equal(new[] { "Conv2D", "BatchNorm2D", "ReLU", "Residual" }, steps.Select(s => s.Op.Kind));
        Assert.Null(steps[0].Folded);
        Assert.Null(steps[0].Epilogue);
    }

    [Fact]
    public void Fuse_folds_inside_a_block_where_the_convolution_has_one_reader()
    {
        var shapes = Blocks(16, 16, Block(BlockKind.Residual, new[] { Layer(Conv16), Layer(new BatchNormOp()), Layer(ReLU) }));

        var steps = Passes.Fuse(Passes.Canonicalize(shapes));

        Assert.Equal(new[] { "Conv2D", "Residual" }, steps.Select(s => s.Op.Kind));
        Assert.Equal((1, 2), (steps[0].Folded?.Index, steps[0].Epilogue?.Index));
        Assert.Equal(steps[0].OutputValue, steps[1].InputValues[0]); // the sum reads the fused step's value
    }

    [Fact]
    public void Fuse_applies_the_activation_after_a_residual_in_its_sum()
    {
        var shapes = Blocks(16, 8, Block(BlockKind.Residual, new[] { Layer(Conv16) }), Layer(ReLU));

        var steps = Passes.Fuse(Passes.Canonicalize(shapes));

        Assert.Equal(new[] { "Conv2D", "Residual" }, steps.Select(s => s.Op.Kind));
        Assert.Equal(2, steps[1].Epilogue?.Index);
    }

    [Fact]
    public void Fuse_lets_a_Concat_store_the_channel_shuffle_after_it()
    {
        // ShuffleNetV2's stride-1 unit: cat(x[:, :8], conv(x[:, 8:])), then the shuffle
        var shapes = Blocks(16, 8, Block(BlockKind.Concat, new[] { Layer(new ChannelSliceOp(0, 8)) }, new[] { Layer(new ChannelSliceOp(8, 8)), Layer(Conv16 with { Filters = 8 }) }),
            Layer(new ChannelShuffleOp(2)));

        var steps = Passes.Fuse(Passes.Canonicalize(shapes));

        Assert.Equal(new[] { "ChannelSlice", "ChannelSlice", "Conv2D", "Concat" }, steps.Select(s => s.Op.Kind));
        Assert.Equal(4, steps[3].Shuffle?.Index);
        Assert.Equal(Passes.OutputValue(steps), steps[3].OutputValue);
    }

    [Fact]
    public void A_Concat_reads_a_slice_that_only_it_reads_in_place()
    {
        // cat(x[:, 2:10], conv(x[:, 8:])): the second slice feeds a convolution, so it stays a step
        var shapes = Blocks(16, 8, Block(BlockKind.Concat, new[] { Layer(new ChannelSliceOp(2, 8)) }, new[] { Layer(new ChannelSliceOp(8, 8)), Layer(Conv16 with { Filters = 8 }) }));
        var steps = Passes.Fuse(Passes.Canonicalize(shapes));
        int output = Passes.OutputValue(steps);

        var joined = Passes.FuseSlicesIntoJoins(steps, output);

        Assert.Equal(new[] { "ChannelSlice", "Conv2D", "Concat" }, joined.Select(s => s.Op.Kind));
        var concat = joined[2];
        Assert.Equal(new FusedSlice(0, 0, 2, 16), Assert.Single(concat.Slices));
        Assert.Equal(0, concat.InputValues[0]); // the network's input itself
        Assert.Equal(joined[1].OutputValue, concat.InputValues[1]);
    }

    [Fact]
    public void Fuse_keeps_a_shuffle_apart_when_another_step_reads_the_Concat()
    {
        // cat(x, conv(x)) + shuffle(cat(x, conv(x))): the sum needs the Concat's output as it is
        var shapes = Blocks(16, 8, Block(BlockKind.Concat, new[] { Layer(Conv16) }, new[] { Layer(Conv16) }), Block(BlockKind.Residual, new[] { Layer(new ChannelShuffleOp(2)) }));

        var steps = Passes.Fuse(Passes.Canonicalize(shapes));

        Assert.Equal(new[] { "Conv2D", "Conv2D", "Concat", "ChannelShuffle", "Residual" }, steps.Select(s => s.Op.Kind));
        Assert.All(steps, s => Assert.Null(s.Shuffle));
    }

    [Fact]
    public void PlanMemory_keeps_a_skip_connections_input_until_its_addition()
    {
        // x = conv(input); Residual(conv, conv) of x: x must survive both body convolutions
        var shapes = Blocks(3, 16, Layer(Conv16), Block(BlockKind.Residual, new[] { Layer(Conv16), Layer(Conv16) }), Layer(ReLU));

        var steps = Passes.PlanMemory(Passes.Fuse(Passes.Canonicalize(shapes)));

        Assert.Equal(
            new[] { ("input", "a"), ("a", "b"), ("b", "s2"), ("s2,a", "output") },
            steps.Select(s => (string.Join(",", s.Sources), s.Destination)));
    }

    [Fact]
    public void PlanMemory_never_overwrites_a_value_that_is_read_later()
    {
        var shapes = Blocks(4, 8,
            Layer(Conv16),
            Block(BlockKind.Concat, new[] { Layer(ReLU) }, new[] { Layer(Conv16), Layer(ReLU) }) with { IncludeInput = true },
            Block(BlockKind.Multiply, new[] { Layer(new GlobalPoolOp(Reduction.Average)), Layer(new ActivationOp(Activation.Sigmoid)) }),
            Layer(new GlobalPoolOp(Reduction.Max)));
        var steps = Passes.PlanMemory(Passes.Fuse(Passes.Canonicalize(shapes)));

        // replay the plan: no step may write a buffer that holds a value some later step still reads
        var holds = new System.Collections.Generic.Dictionary<string, int>();
        for (int i = 0; i < steps.Count; i++)
        {
            for (int k = 0; k < steps[i].Sources.Count; k++)
                Assert.Equal(steps[i].InputValues[k], steps[i].Sources[k] == "input" ? 0 : holds[steps[i].Sources[k]]);
            string destination = steps[i].Destination;
            if (holds.TryGetValue(destination, out int held))
            {
                bool readLater = steps.Skip(i + 1).Any(s => s.InputValues.Contains(held));
                Assert.False(readLater, $"step {i} ({steps[i].Op.Kind}) overwrites value {held} in {destination}, which a later step reads");
            }
            holds[destination] = steps[i].OutputValue;
        }
        Assert.Equal("output", steps[^1].Destination);
    }

    [Fact]
    public void PackWeights_places_derived_blocks_after_the_state_then_permuted_copies()
    {
        // SmallCifar's third convolution (8 x 8, 64 to 128 filters) runs on channel vectors: its weights are permuted
        var wide = new ConvolutionOp { Filters = 32, KernelHeight = 3, KernelWidth = 3, StrideHeight = 2, StrideWidth = 2 };
        var shapes = Shapes(16, 9, new BatchNormOp(), wide, new BatchNormOp());
        var plan = Passes.Plan(shapes);

        Assert.Equal(new[] { 0, 1 }, plan.Steps.Select(s => s.Index));
        var norm = plan.Steps[0];
        var conv = plan.Steps[1];
        Assert.Equal(shapes.ParameterCount, norm.DerivedOffset);                    // scale and shift, 2 x 16
        Assert.Equal(shapes.ParameterCount + 32, conv.DerivedOffset);                // folded weights and bias
        Assert.Equal(32 + 32 * 16 * 9 + 32, plan.DerivedLength);
        Assert.Equal(shapes.ParameterCount + plan.DerivedLength, conv.PermutedOffset);
        Assert.Equal(32 * 16 * 9, plan.PermutedLength);
    }

    [Fact]
    public void PackWeights_starts_every_derived_and_permuted_block_on_a_cache_line()
    {
        // 3 channels and 5 filters: a state of 3 x 5 x 9 + 5 + 4 x 5 = 160 floats, then blocks of 140 (5 x 27 + 5) and
        // 32 x 5 x 9 + 32 floats, none a whole number of 16-float lines after the one before
        var narrow = new ConvolutionOp { Filters = 5, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };
        var wide = new ConvolutionOp { Filters = 32, KernelHeight = 3, KernelWidth = 3 };
        var shapes = Shapes(3, 9, narrow, new BatchNormOp(), wide, new BatchNormOp());
        var plan = Passes.Plan(shapes);

        var blocks = plan.Steps.SelectMany(s => new[] { (Start: s.DerivedOffset, Length: Passes.DerivedLength(s)), (Start: s.PermutedOffset, Length: s.PermutedOffset < 0 ? 0 : NetworkEmitter.PermutedWeightLength(ConvolutionPlan.For(s))) })
            .Where(b => b.Start >= 0).OrderBy(b => b.Start).ToList();
        Assert.Equal(4, blocks.Count); // two folded convolutions and their permuted copies
        Assert.All(blocks, b => Assert.Equal(0, b.Start % NetworkEmitter.CacheLineFloats));
        // packed: each block starts on the first line at or after the end of the one before
        int end = shapes.ParameterCount;
        foreach (var (start, length) in blocks)
        {
            Assert.InRange(start - end, 0, NetworkEmitter.CacheLineFloats - 1);
            end = start + length;
        }
    }

    [Fact]
    public void A_convolution_with_a_padding_mode_becomes_a_pad_then_the_convolution_without_padding()
    {
        var reflect = Conv16 with { PaddingMode = "reflect", PadTop = 2, PadLeft = 0 };
        var steps = Passes.LowerPaddingModes(Passes.Canonicalize(Shapes(3, 8, reflect, ReLU)));

        Assert.Equal(new[] { "ReflectionPad2D", "Conv2D", "ReLU" }, steps.Select(s => s.Op.Kind));
        var (pad, conv) = ((PadOp)steps[0].Op, (ConvolutionOp)steps[1].Op);
        Assert.Equal((2, 1, 0, 1), (pad.PadTop, pad.PadBottom, pad.PadLeft, pad.PadRight));
        Assert.Equal((false, "zeros"), (conv.IsPadded, conv.PaddingMode));
        // the pad's value is new and only the convolution reads it; the convolution keeps its index, tensors and output value
        Assert.Equal((FeatureShape.Map(3, 11, 9), 0), (steps[0].Shapes.Output, steps[0].InputValues[0]));
        Assert.Equal(steps[0].OutputValue, Assert.Single(steps[1].InputValues));
        Assert.DoesNotContain(steps[0].OutputValue, steps.Skip(2).SelectMany(s => s.InputValues.Append(s.OutputValue)));
        Assert.Equal((0, 0, FeatureShape.Map(3, 11, 9)), (steps[0].Index, steps[1].Index, steps[1].Shapes.Input));
        Assert.Equal(2, steps[1].Shapes.Tensors.Count);
    }

    [Fact]
    public void A_depthwise_multiplier_becomes_a_channel_repeat_then_a_depthwise_convolution()
    {
        var multiplied = Conv16 with { Filters = 48, KernelHeight = 7, KernelWidth = 7, StrideHeight = 2, StrideWidth = 2, Groups = 16, PadTop = 3, PadBottom = 3, PadLeft = 3, PadRight = 3 };
        var steps = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(16, 9, multiplied, ReLU)));

        Assert.Equal(new[] { "ChannelRepeat", "Conv2D", "ReLU" }, steps.Select(s => s.Op.Kind));
        var (repeat, conv) = ((ChannelRepeatOp)steps[0].Op, (ConvolutionOp)steps[1].Op);
        Assert.Equal(3, repeat.Repeats);
        // the same weights, now one filter a channel of the repeated value; the convolution keeps its index, tensors and output
        Assert.Equal((48, 48), (conv.Filters, conv.Groups));
        Assert.Equal((FeatureShape.Map(16, 9, 9), FeatureShape.Map(48, 9, 9)), (steps[0].Shapes.Input, steps[0].Shapes.Output));
        Assert.Equal(steps[0].OutputValue, Assert.Single(steps[1].InputValues));
        Assert.Equal((0, 0, 2), (steps[0].Index, steps[1].Index, steps[1].Shapes.Tensors.Count));
        // 4 channels twice: 8 repeated channels, which the depthwise kernel takes on 256-bit vectors
        var narrow = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(4, 9, multiplied with { Filters = 8, Groups = 4 })));
        Assert.Equal(new[] { "ChannelRepeat", "Conv2D" }, narrow.Select(s => s.Op.Kind));
    }

    [Fact]
    public void A_multiplier_that_runs_on_vectors_as_it_is_or_not_as_a_depthwise_one_stays_one_convolution()
    {
        var strided = Conv16 with { StrideHeight = 2, StrideWidth = 2 };
        // stride 1 on rows of 20: the column kernel takes it; one channel thrice, strided: 3 repeated channels, fewer than a
        // 128-bit vector; 16 filters a channel: a vector a group on the channel kernel; and a group of 2 channels
        var columns = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(16, 20, Conv16 with { Filters = 32, Groups = 16 })));
        var narrow = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(1, 9, strided with { Filters = 3, Groups = 1 })));
        var vectors = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(16, 9, strided with { Filters = 256, Groups = 16 })));
        var grouped = Passes.LowerDepthMultipliers(Passes.Canonicalize(Shapes(32, 9, strided with { Filters = 64, Groups = 16 })));

        foreach (var steps in new[] { columns, narrow, vectors, grouped })
            Assert.Equal(new[] { "Conv2D" }, steps.Select(s => s.Op.Kind));
    }

    [Fact]
    public void Zero_padding_and_a_mode_without_padding_stay_one_convolution()
    {
        var zeros = Passes.LowerPaddingModes(Passes.Canonicalize(Shapes(3, 8, Conv16)));
        var unpadded = Passes.LowerPaddingModes(Passes.Canonicalize(Shapes(3, 8, Conv16 with { PaddingMode = "circular", PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0 })));

        Assert.Equal(new[] { "Conv2D" }, zeros.Select(s => s.Op.Kind));
        Assert.Equal(new[] { "Conv2D" }, unpadded.Select(s => s.Op.Kind));
    }

    [Fact]
    public void A_lowered_pad_takes_a_scratch_buffer_and_the_convolution_still_writes_the_output()
    {
        var plan = Passes.Plan(Shapes(3, 8, Conv16 with { PaddingMode = "replicate" }));

        Assert.Equal(new[] { ("input", "a"), ("a", "output") }, plan.Steps.Select(s => (s.Source, s.Destination)));
        Assert.Equal(3 * 10 * 10, plan.ScratchLengths[0]);
    }

    [Fact]
    public void A_zero_padding_layer_becomes_the_padding_of_the_convolution_reading_it()
    {
        var pad = new PadOp(PadMode.Zeros) { PadTop = 1, PadLeft = 2 };
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 8, pad, Conv16, ReLU)));

        var conv = Assert.Single(steps);
        var op = Assert.IsType<ConvolutionOp>(conv.Op);
        Assert.Equal((2, 1, 3, 1), (op.PadTop, op.PadBottom, op.PadLeft, op.PadRight));
        Assert.Equal((1, 0, FeatureShape.Map(3, 8, 8)), (conv.Index, conv.InputValues[0], conv.Shapes.Input));
        Assert.Equal(2, conv.Epilogue?.Index);
    }

    [Fact]
    public void A_reflection_stays_a_step_of_its_own()
    {
        var steps = Passes.Fuse(Passes.Canonicalize(Shapes(3, 8, new PadOp(PadMode.Reflect) { PadTop = 1 }, Conv16)));

        Assert.Equal(new[] { "ReflectionPad2D", "Conv2D" }, steps.Select(s => s.Op.Kind));
    }

    private static readonly ConvolutionOp Strided32 = new() { Filters = 32, KernelHeight = 3, KernelWidth = 3, StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };

    private static readonly ConvolutionOp Depthwise32 = new() { Filters = 32, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Groups = 32 };

    private static readonly ConvolutionOp Pointwise32 = new() { Filters = 32, KernelHeight = 1, KernelWidth = 1 };

    private static List<Step> Laid(NetworkShapes shapes)
    {
        var steps = Passes.Fuse(Passes.Canonicalize(shapes));
        return Layouts.Choose(steps, Passes.OutputValue(steps));
    }

    [Fact]
    public void Layouts_keep_values_channels_last_between_convolutions_across_channels_and_into_a_global_pool()
    {
        // 3x16x16 -> strided 32x8x8 -> depthwise -> pointwise -> global mean -> dense
        var steps = Laid(Shapes(3, 16, Strided32, ReLU, Depthwise32, Pointwise32, new GlobalPoolOp(Reduction.Average), new FlattenOp(), new DenseOp(10)));

        Assert.Equal(new[] { "Conv2D", "Conv2D", "Conv2D", "GlobalAvgPool2D", "Dense" }, steps.Select(s => s.Op.Kind));
        Assert.Equal(new[] { Layout.ChannelsFirst, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, steps.Select(s => s.InputLayout));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst, Layout.ChannelsFirst }, steps.Select(s => s.OutputLayout));
        Assert.Equal(ChannelsLastKernel.Depthwise, Layouts.KernelFor(steps[1]));
    }

    [Fact]
    public void Layouts_give_PyTorchs_layout_to_a_value_any_reader_needs_it_in_and_to_the_networks_output()
    {
        // a dense layer reads the depthwise convolution's output (through a Flatten): that convolution stores PyTorch's layout from a channels-last input
        var flat = Laid(Shapes(3, 16, Strided32, Depthwise32, new FlattenOp(), new DenseOp(10)));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsFirst, Layout.ChannelsFirst }, flat.Select(s => s.OutputLayout));
        Assert.Equal(Layout.ChannelsLast, flat[1].InputLayout);

        // a max pool reads channels-last and writes the network's output in PyTorch's layout
        var pooled = Laid(Shapes(3, 16, Strided32, Depthwise32, MaxPool2));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, pooled.Select(s => s.OutputLayout));

        // the last convolution's output is the network's
        var last = Laid(Shapes(3, 16, Strided32, Pointwise32));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsFirst }, last.Select(s => s.OutputLayout));
    }

    [Fact]
    public void Layouts_give_a_sum_and_its_operands_one_layout()
    {
        // a residual over a pointwise convolution at 8x8: body, shortcut (the strided convolution's output) and sum all channels-last
        var inside = Laid(Blocks(3, 16, Layer(Strided32), Block(BlockKind.Residual, new[] { Layer(Pointwise32) }), Layer(new GlobalPoolOp(Reduction.Max))));
        Assert.Equal(new[] { "Conv2D", "Conv2D", "Residual", "GlobalMaxPool2D" }, inside.Select(s => s.Op.Kind));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, inside.Select(s => s.OutputLayout));

        // at 32x32 the body's 5x5 convolution (no Winograd form) runs across the columns of rows 32 wide in PyTorch's layout: then so does the whole sum
        var conv5 = Conv16 with { Filters = 32, KernelHeight = 5, KernelWidth = 5, PadTop = 2, PadBottom = 2, PadLeft = 2, PadRight = 2 };
        var wide = Laid(Blocks(32, 32, Layer(Pointwise32), Block(BlockKind.Residual, new[] { Layer(conv5) }), Layer(new GlobalPoolOp(Reduction.Max))));
        Assert.All(wide, s => Assert.Equal(Layout.ChannelsFirst, s.OutputLayout));

        // with a 3x3 body it runs as Winograd's F(2x2, 3x3), which pays channels-last: the pointwise convolution before it switches
        var winograd = Laid(Blocks(32, 32, Layer(Pointwise32), Block(BlockKind.Residual, new[] { Layer(Conv16 with { Filters = 32 }) }), Layer(new GlobalPoolOp(Reduction.Max))));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, winograd.Select(s => s.OutputLayout));
    }

    [Fact]
    public void Layouts_keep_a_pre_activation_blocks_BatchNorm_channels_last_so_its_convolution_runs_as_Winograds()
    {
        // stem, then x + conv(ReLU(BN(conv(ReLU(BN(x)))))) twice at 16 x 16: no BatchNorm folds; each scales a
        // channels-last map, and the stem (across columns of 16-wide rows otherwise) writes channels-last for them
        var body = new[] { Layer(new BatchNormOp()), Layer(ReLU), Layer(Conv16 with { Filters = 32 }), Layer(new BatchNormOp()), Layer(ReLU), Layer(Conv16 with { Filters = 32 }) };
        var steps = Laid(Blocks(3, 16, Layer(Conv16 with { Filters = 32 }), Block(BlockKind.Residual, body), Block(BlockKind.Residual, body), Layer(new GlobalPoolOp(Reduction.Average))));
        // (the second BatchNorm of each body folds into the convolution before it, and that stores its ReLU)
        Assert.Equal(new[] { "Conv2D", "BatchNorm2D", "ReLU", "Conv2D", "Conv2D", "Residual", "BatchNorm2D", "ReLU", "Conv2D", "Conv2D", "Residual", "GlobalAvgPool2D" },
            steps.Select(s => s.Op.Kind));
        Assert.All(steps.Where(s => s.Op is BatchNormOp), s => Assert.Equal((Layout.ChannelsLast, Layout.ChannelsLast), (s.InputLayout, s.OutputLayout)));
        Assert.All(steps.Where(s => s.Op is ConvolutionOp).Skip(1), s => Assert.Equal(Layout.ChannelsLast, s.InputLayout));
        Assert.Equal(Layout.ChannelsLast, steps[0].OutputLayout);

        // a BatchNorm read by a Flatten keeps PyTorch's layout, and the convolution before it does too
        var flat = Laid(Shapes(3, 16, Conv16 with { Filters = 32 }, ReLU, new BatchNormOp(), new FlattenOp(), new DenseOp(10)));
        Assert.Equal(new[] { "Conv2D", "BatchNorm2D", "Dense" }, flat.Select(s => s.Op.Kind));
        Assert.All(flat, s => Assert.Equal(Layout.ChannelsFirst, s.OutputLayout));
    }

    [Fact]
    public void Layouts_keep_a_PReLU_between_convolutions_channels_last()
    {
        // conv, PReLU, 3x3 conv, PReLU, 3x3 conv at 16 x 16: the PReLUs (never applied in a store) keep the maps
        // channels-last, so the 3x3 convolutions read channels-last and run as Winograd's
        var steps = Laid(Shapes(3, 16, Conv16 with { Filters = 32 }, new PReLUOp(32), Conv16 with { Filters = 32 }, new PReLUOp(1), Conv16 with { Filters = 32 }, new GlobalPoolOp(Reduction.Average)));
        Assert.Equal(new[] { "Conv2D", "PReLU", "Conv2D", "PReLU", "Conv2D", "GlobalAvgPool2D" }, steps.Select(s => s.Op.Kind));
        Assert.All(steps.Where(s => s.Op is PReLUOp), s => Assert.Equal((Layout.ChannelsLast, Layout.ChannelsLast), (s.InputLayout, s.OutputLayout)));
        Assert.All(steps.Where(s => s.Op is ConvolutionOp).Skip(1), s => Assert.Equal(Layout.ChannelsLast, s.InputLayout));
    }

    [Fact]
    public void Layouts_give_a_product_its_maps_layout_whatever_its_channel_gates()
    {
        var sigmoid = new ActivationOp(Activation.Sigmoid);
        // squeeze-and-excitation: depthwise, then x * gate with a [32, 1, 1] gate; the map, the product and the
        // convolution reading it channels-last, the gate (one pixel, the same floats either way) as its producer writes it
        var excite = Block(BlockKind.Multiply, new[] { Layer(new GlobalPoolOp(Reduction.Average)), Layer(Pointwise32), Layer(sigmoid) });
        var gated = Laid(Blocks(3, 16, Layer(Strided32), Layer(Depthwise32), excite, Layer(Pointwise32), Layer(new GlobalPoolOp(Reduction.Average))));
        Assert.Equal(new[] { "Conv2D", "Conv2D", "GlobalAvgPool2D", "Conv2D", "Multiply", "Conv2D", "GlobalAvgPool2D" }, gated.Select(s => s.Op.Kind));
        var product = gated[4];
        Assert.Equal((Layout.ChannelsLast, Layout.ChannelsLast), (product.InputLayout, product.OutputLayout));
        Assert.Equal(Layout.ChannelsLast, gated[1].OutputLayout);
        Assert.Equal(Layout.ChannelsLast, gated[5].InputLayout);

        // a gate of the map's shape: both operands and the product in one layout, channels-last here
        var attention = Block(BlockKind.Multiply, new[] { Layer(Pointwise32), Layer(sigmoid) });
        var elementwise = Laid(Blocks(3, 16, Layer(Strided32), attention, Layer(Depthwise32), Layer(new GlobalPoolOp(Reduction.Average))));
        Assert.Equal(new[] { "Conv2D", "Conv2D", "Multiply", "Conv2D", "GlobalAvgPool2D" }, elementwise.Select(s => s.Op.Kind));
        Assert.All(elementwise.Take(3), s => Assert.Equal(Layout.ChannelsLast, s.OutputLayout));

        // the map is the network's output: PyTorch's layout, and so the map it scales
        var last = Laid(Blocks(3, 16, Layer(Strided32), Layer(Depthwise32), excite));
        Assert.Equal(Layout.ChannelsFirst, last[^1].OutputLayout);
        Assert.Equal(Layout.ChannelsFirst, last[1].OutputLayout);
    }

    [Fact]
    public void Layouts_let_an_activation_step_keep_the_layout_of_what_it_reads()
    {
        // GELU between a pointwise convolution and a stride-2 depthwise one (no vector kernel in PyTorch's layout): the
        // three values between them channels-last, so the depthwise convolution runs on vectors of channels
        var gelu = new ActivationOp(Activation.GELU);
        var steps = Laid(Shapes(3, 16, Strided32, gelu, Pointwise32, gelu, Depthwise32 with { StrideHeight = 2, StrideWidth = 2 }, gelu, Pointwise32, new GlobalPoolOp(Reduction.Average)));
        Assert.Equal(new[] { "Conv2D", "GELU", "Conv2D", "GELU", "Conv2D", "GELU", "Conv2D", "GlobalAvgPool2D" }, steps.Select(s => s.Op.Kind));
        Assert.All(steps.Where(s => s.Op is ActivationOp), s => Assert.Equal((Layout.ChannelsLast, Layout.ChannelsLast), (s.InputLayout, s.OutputLayout)));
        Assert.Equal(Layout.ChannelsLast, steps[4].InputLayout);

        // before a Flatten, whose reader takes PyTorch's layout, it writes that layout and reads it too
        var flat = Laid(Shapes(3, 16, Strided32, gelu, new FlattenOp(), new DenseOp(10)));
        Assert.Equal((Layout.ChannelsFirst, Layout.ChannelsFirst), (flat[1].InputLayout, flat[1].OutputLayout));
        Assert.Equal(Layout.ChannelsFirst, flat[0].OutputLayout);
    }

    [Fact]
    public void Layouts_switch_a_convolution_across_columns_to_channels_last_for_a_depthwise_reader_that_needs_it()
    {
        // a 5x5 convolution at 32x32 runs across columns; the stride-2 depthwise after it has no vector kernel in PyTorch's layout
        var conv5 = Conv16 with { Filters = 32, KernelHeight = 5, KernelWidth = 5, PadTop = 2, PadBottom = 2, PadLeft = 2, PadRight = 2 };
        var switched = Laid(Shapes(8, 32, conv5, Depthwise32 with { StrideHeight = 2, StrideWidth = 2 }, Pointwise32, new GlobalPoolOp(Reduction.Average)));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, switched.Select(s => s.OutputLayout));

        // read by another such convolution, it keeps PyTorch's layout
        var kept = Laid(Shapes(8, 32, conv5, conv5, new GlobalPoolOp(Reduction.Average)));
        Assert.All(kept, s => Assert.Equal(Layout.ChannelsFirst, s.OutputLayout));
    }

    [Fact]
    public void Layouts_keep_pointwise_and_depthwise_convolutions_channels_last_on_wide_rows()
    {
        // their kernels across channels run as fast as the column kernel: a MobileNet's 48 x 48 stage stays channels-last
        var steps = Laid(Shapes(8, 48, Pointwise32, Depthwise32, Pointwise32, new GlobalPoolOp(Reduction.Average)));
        Assert.Equal(new[] { Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsLast, Layout.ChannelsFirst }, steps.Select(s => s.OutputLayout));

        // a padded 1x1 convolution (46 x 46 to 48 x 48) is not a matrix product of pixels by channels: it keeps PyTorch's layout
        var padded = Laid(Shapes(8, 46, Pointwise32 with { PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }, new GlobalPoolOp(Reduction.Average)));
        Assert.All(padded, s => Assert.Equal(Layout.ChannelsFirst, s.OutputLayout));
    }
}
