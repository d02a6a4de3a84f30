using System;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// ChannelSlice and ChannelShuffle, ShuffleNetV2's split and shuffle, and ChannelPad, the CIFAR ResNets' option-A
/// shortcut, against the reference engine: alone on maps, sequences and vectors (PyTorch's layout), and inside
/// ShuffleNetV2 units and option-A ResNet blocks whose convolutions keep values channels-last (the test checks the
/// source reads so), with channel counts that fill vectors and not. The class name holds "Differential", so CI runs
/// it on every SIMD path.
/// </summary>
public class ChannelOrderDifferentialTests
{
    /// <summary>ShuffleNetV2's units at 2 x 24 channels: the stride-1 unit splits, the stride-2 unit runs both branches on x.</summary>
    private const string Units = """
        [Block]
        [ChannelSlice(Start = 0, Length = 24)]
        public partial class KeepHalf { }

        [Block]
        [ChannelSlice(Start = 24, Length = 24)]
        [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 24, Kernel = 3, Padding = 1, Groups = 24, Bias = false)]
        [BatchNorm2D]
        [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        public partial class Branch { }

        [Block]
        [Concat(typeof(KeepHalf), typeof(Branch))]
        [ChannelShuffle(Groups = 2)]
        public partial class Unit { }

        [Block]
        [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 24, Bias = false)]
        [BatchNorm2D]
        [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        public partial class DownLeft { }

        [Block]
        [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 24, Bias = false)]
        [BatchNorm2D]
        [Conv2D(Filters = 24, Kernel = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        public partial class DownRight { }

        [Block]
        [Concat(typeof(DownLeft), typeof(DownRight))]
        [ChannelShuffle(Groups = 2)]
        public partial class DownUnit { }

        [Block]
        [ChannelSlice(Start = 1, Length = 4)]
        public partial class Four { }

        [Block]
        [Conv2D(Filters = 5, Kernel = 1)]
        public partial class Five { }

        [Block]
        [Conv2D(Filters = 8, Kernel = 1)]
        public partial class Eight { }

        [Block]
        [Conv2D(Filters = 7, Kernel = 3, Padding = 1)]
        public partial class Seven { }
        """;

    /// <summary>pytorch_resnet_cifar10's BasicBlock (He et al. 2016's option A): 16 to 32 channels, stride 2, its shortcut x[:, :, ::2, ::2] with 8 zero channels each side.</summary>
    private const string OptionA = """
        [Block]
        [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2D]
        public partial class Same { }

        [Block]
        [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
        [BatchNorm2D]
        [ReLU]
        [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2D]
        public partial class Wider { }

        [Block]
        [MaxPool2D(Kernel = 1, Stride = 2)]
        [ChannelPad(Before = 8, After = 8)]
        public partial class SubsampleAndPad { }
        """;

    [Theory]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Start = 3, Length = 6)]")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Length = 12)]")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle(Groups = 3)]")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle(Groups = 12)]")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle(Groups = 1)]")]
    [InlineData("[InputShape(6, 9)] [ChannelSlice(Start = 5, Length = 1)] [Conv1D(Filters = 2, Kernel = 3)]")]
    [InlineData("[InputShape(6, 9)] [ChannelShuffle(Groups = 2)]")]
    [InlineData("[InputShape(2, 4, 4)] [Flatten] [ChannelSlice(Start = 7, Length = 9)] [Dense(Outputs = 3)]")]
    [InlineData("[InputShape(20, 6, 6)] [ChannelShuffle(Groups = 10)] [ChannelSlice(Start = 2, Length = 17)] [Conv2D(Filters = 3, Kernel = 3)]")]
    [InlineData("[InputShape(5, 4, 3)] [ChannelPad(Before = 2, After = 3)]")]
    [InlineData("[InputShape(5, 4, 3)] [ChannelPad(After = 1)] [Conv2D(Filters = 2, Kernel = 3, Padding = 1)]")]
    [InlineData("[InputShape(5, 4, 3)] [ChannelPad(Before = 4)] [ChannelPad] [ReLU]")]
    [InlineData("[InputShape(6, 9)] [Conv1D(Filters = 3, Kernel = 3)] [ChannelPad(Before = 1, After = 2)] [Conv1D(Filters = 2, Kernel = 1)]")]
    [InlineData("[InputShape(3, 7, 5)] [MaxPool2D(Kernel = 1, Stride = 2)] [ChannelPad(Before = 2, After = 2)]")]
    public void A_channel_op_in_PyTorch_s_layout_matches_the_reference(string attributes) => AssertMatches(attributes);

    [Theory]
    // on 16 x 16 and on odd maps (x[::2] takes ceil(n / 2) rows, the strided convolution's output size), the blocks'
    // convolutions channels-last, and on 3 filters a block (PyTorch's layout)
    [InlineData("[InputShape(3, 16, 16)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [Residual(typeof(Same))] [ReLU] [Residual(typeof(Wider), Shortcut = typeof(SubsampleAndPad))] [ReLU] [GlobalAvgPool2D]", true)]
    [InlineData("[InputShape(3, 11, 9)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [Residual(typeof(Wider), Shortcut = typeof(SubsampleAndPad))] [ReLU] [Conv2D(Filters = 5, Kernel = 1)]", true)]
    [InlineData("[InputShape(3, 9, 9)] [Conv2D(Filters = 4, Kernel = 3)] [Residual(typeof(Narrow), Shortcut = typeof(PadTwo))] [ReLU]", false)]
    public void An_option_A_ResNet_block_matches_the_reference(string network, bool channelsLast)
    {
        const string narrow = """
            [Block]
            [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1)]
            public partial class Narrow { }

            [Block]
            [MaxPool2D(Kernel = 1, Stride = 2)]
            [ChannelPad(Before = 2, After = 2)]
            public partial class PadTwo { }
            """;
        string attributes = OptionA + "\n" + narrow + "\n" + network;
        var (_, source) = AttributeNetworks.GenerateWithSource(attributes, "OptionA");
        int pad = source.IndexOf("ChannelPad(global::System.ReadOnlySpan<float> x", StringComparison.Ordinal);
        Assert.True(pad > 0, "the shortcut's channel pad is a step of its own");
        Assert.Equal(channelsLast, source.Substring(pad - 300, 300).Contains("Reads and writes channels-last", StringComparison.Ordinal));
        AssertMatches(attributes);
    }

    [Theory]
    [InlineData("[InputShape(3, 16, 16)] [Conv2D(Filters = 48, Kernel = 1)] [Sequential(typeof(Unit))] [Sequential(typeof(Unit))] [Sequential(typeof(DownUnit))] [Sequential(typeof(Unit))] [GlobalAvgPool2D]")]
    [InlineData("[InputShape(3, 9, 11)] [Conv2D(Filters = 48, Kernel = 3, Padding = 1)] [Sequential(typeof(Unit))] [Sequential(typeof(DownUnit))] [Conv2D(Filters = 20, Kernel = 1)]")]
    [InlineData("[InputShape(16, 8, 8)] [Conv2D(Filters = 48, Kernel = 1)] [Sequential(typeof(Unit))] [Conv2D(Filters = 16, Kernel = 1)]")]
    public void A_ShuffleNetV2_unit_matches_the_reference(string network)
    {
        var (_, source) = AttributeNetworks.GenerateWithSource(Units + "\n" + network, "ShuffleUnits");
        // the branches' convolutions run across channels, so the split and the joined shuffle take channels-last values;
        // each unit's Concat interleaves its two halves as it stores, on 512-bit vectors, and no shuffle step is left
        Assert.Contains("Reads and writes channels-last", source.Substring(source.IndexOf("Applies the ChannelShuffle", StringComparison.Ordinal) - 500));
        Assert.Contains("Vector512.Shuffle(a, ", source);
        Assert.DoesNotContain("ChannelShuffle(global::System.ReadOnlySpan<float> x", source);
        // and reads the kept half in place, where no slice step copies it
        Assert.Contains("Reads part 0 in place, the ChannelSlice of layer", source);
        AssertMatches(Units + "\n" + network);
    }

    [Theory]
    // a Concat and the shuffle after it, in PyTorch's layout (the network's input and output), and channels-last in
    // groups that do not interleave two halves (the per-channel store) or halves narrower than a vector
    [InlineData("[InputShape(6, 5, 5)] [Concat(typeof(Four), typeof(Five))] [ChannelShuffle(Groups = 3)]", false)]
    [InlineData("[InputShape(6, 5, 5)] [Concat(typeof(Four), typeof(Five), IncludeInput = true)] [ChannelShuffle(Groups = 5)]", false)]
    [InlineData("[InputShape(4, 6, 7)] [Conv2D(Filters = 20, Kernel = 1)] [Concat(typeof(Five), typeof(Seven), typeof(Eight))] [ChannelShuffle(Groups = 4)] [Conv2D(Filters = 16, Kernel = 1)]", true)]
    [InlineData("[InputShape(4, 6, 7)] [Conv2D(Filters = 20, Kernel = 1)] [Concat(typeof(Eight), typeof(Eight))] [ChannelShuffle(Groups = 2)] [Conv2D(Filters = 16, Kernel = 1)]", true)]
    [InlineData("[InputShape(4, 6, 7)] [Conv2D(Filters = 20, Kernel = 1)] [Concat(typeof(Eight), typeof(Eight))] [ChannelShuffle(Groups = 8)] [Conv2D(Filters = 16, Kernel = 1)]", true)]
    public void A_Concat_stores_the_shuffle_after_it(string network, bool channelsLast)
    {
        var (_, source) = AttributeNetworks.GenerateWithSource(Units + "\n" + network, "ShuffledConcat");
        int remark = source.IndexOf("Applies the ChannelShuffle", StringComparison.Ordinal);
        Assert.True(remark > 0, "the shuffle is stored by the Concat");
        Assert.Equal(channelsLast, source.Substring(remark - 500, 500).Contains("Reads and writes channels-last", StringComparison.Ordinal));
        AssertMatches(Units + "\n" + network);
    }

    [Theory]
    // a slice of the network's input (PyTorch's layout), of a channels-last value, twice of one value, and beside the input itself
    [InlineData("[InputShape(6, 5, 5)] [Concat(typeof(Four), typeof(Five))] [Conv2D(Filters = 3, Kernel = 1)]", 1)]
    [InlineData("[InputShape(3, 8, 8)] [Conv2D(Filters = 24, Kernel = 1)] [Concat(typeof(Four), typeof(Eight))] [Conv2D(Filters = 16, Kernel = 1)]", 1)]
    [InlineData("[InputShape(3, 8, 8)] [Conv2D(Filters = 24, Kernel = 1)] [Concat(typeof(Four), typeof(Eight), typeof(Four), IncludeInput = true)] [Conv2D(Filters = 16, Kernel = 1)]", 2)]
    public void A_Concat_reads_a_slice_part_in_place(string network, int slices)
    {
        var (_, source) = AttributeNetworks.GenerateWithSource(Units + "\n" + network, "SlicedConcat");
        Assert.Equal(slices, source.Split("in place, the ChannelSlice of layer").Length - 1);
        Assert.DoesNotContain("ChannelSlice(global::System.ReadOnlySpan<float> x", source);
        AssertMatches(Units + "\n" + network);
    }

    [Theory]
    [InlineData("[InputShape(3, 8, 8)] [Conv2D(Filters = 48, Kernel = 1)] [ChannelShuffle(Groups = 3)] [ChannelSlice(Start = 5, Length = 20)] [Conv2D(Filters = 16, Kernel = 1)]")]
    [InlineData("[InputShape(3, 8, 8)] [Conv2D(Filters = 48, Kernel = 1)] [ChannelShuffle(Groups = 16)] [ChannelSlice(Start = 31, Length = 17)] [Conv2D(Filters = 16, Kernel = 1)]")]
    public void A_channel_op_on_channels_last_values_matches_the_reference(string network)
    {
        var (_, source) = AttributeNetworks.GenerateWithSource(network, "ChannelsLastOrder");
        foreach (string op in new[] { "ChannelShuffle", "ChannelSlice" })
            Assert.Contains("Reads and writes channels-last", source.Substring(source.IndexOf($"{op}(global::System.ReadOnlySpan<float> x", StringComparison.Ordinal) - 300, 300));
        AssertMatches(network);
    }

    [Theory]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Start = 12, Length = 1)]", "CNN0005", "Start = 12", "ChannelSlice (layer 0): Start = 12 is invalid; it must be 0 or more and less than the 12 channels InputShape produces")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Start = -1, Length = 1)]", "CNN0005", "Start = -1", null)]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Start = 4, Length = 9)]", "CNN0005", "Length = 9", "ChannelSlice (layer 0): Length = 9 is invalid; it must be at least 1 and at most the 8 channels from Start = 4 on (InputShape produces 12)")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Length = 0)]", "CNN0005", "Length = 0", null)]
    [InlineData("[InputShape(12, 5, 7)] [ChannelSlice(Start = 2)]", "CNN0006", "ChannelSlice(Start = 2)", null)]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle(Groups = 5)]", "CNN0005", "Groups = 5", "ChannelShuffle (layer 0): Groups = 5 is invalid; it must be at least 1 and a divisor of the 12 channels InputShape produces")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle(Groups = 0)]", "CNN0005", "Groups = 0", null)]
    [InlineData("[InputShape(12, 5, 7)] [ChannelShuffle]", "CNN0006", "ChannelShuffle", null)]
    [InlineData("[InputShape(12, 5, 7)] [Flatten] [ChannelShuffle(Groups = 2)]", "CNN0016", "ChannelShuffle(Groups = 2)", null)]
    [InlineData("[InputShape(12, 5, 7)] [ChannelPad(Before = -1)]", "CNN0005", "Before = -1", "ChannelPad (layer 0): Before = -1 is invalid; it must be 0 or more")]
    [InlineData("[InputShape(12, 5, 7)] [ChannelPad(Before = 1, After = -3)]", "CNN0005", "After = -3", null)]
    [InlineData("[InputShape(12, 5, 7)] [Flatten] [ChannelPad(After = 2)]", "CNN0016", "ChannelPad(After = 2)", null)]
    [InlineData("[InputShape(4, 4, 4)] [ChannelPad(After = 2147483647)]", "CNN0017", "ChannelPad(After = 2147483647)", null)]
    public void A_channel_op_s_mistake_is_one_error_on_its_argument(string attributes, string id, string span, string? message) =>
        AttributeNetworks.AssertOneError(attributes, id, span, message);

    private static void AssertMatches(string attributes)
    {
        var net = AttributeNetworks.Generate(attributes, "ChannelOrder");
        AttributeNetworks.AssertMatchesReference(net, attributes, 2,
            (_, random) => Enumerable.Range(0, net.InputLength).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(),
            // the ops copy floats; the tolerance is the convolutions' summation order (a misplaced channel is off by about 1)
            expected => 1e-4 * Math.Max(1, Math.Abs(expected)));
    }
}
