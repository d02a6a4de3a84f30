using System;
using System.Globalization;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// 1D networks ([InputShape(channels, length)]) compute what the reference engine computes, on every
/// SIMD path in CI (the class name is in its filter), and their mistakes are compile errors on the
/// argument at fault, in lengths.
/// </summary>
public class SequenceDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(2, 32)] [Conv1D(Filters = 4, Kernel = 3, Padding = 1)] [ReLU] [MaxPool1D(Kernel = 2)] [Flatten] [Dense(Outputs = 2)]")]
    [InlineData("[InputShape(1, 400)] [Conv1D(Filters = 16, Kernel = 20, Stride = 4)] [ReLU] [MaxPool1D(Kernel = 4)] [Conv1D(Filters = 16, Kernel = 3)] [ReLU] [AvgPool1D(Kernel = 3, Stride = 2, Padding = 1, CeilMode = true)]")]
    // causal and dilated: PadLeft = (Kernel - 1) * Dilation
    [InlineData("[InputShape(3, 24)] [Conv1D(Filters = 8, Kernel = 3, PadLeft = 4, Dilation = 2)] [Tanh] [Conv1D(Filters = 8, Kernel = 3, PadLeft = 8, Dilation = 4, Groups = 4, Bias = false)]")]
    [InlineData("[InputShape(8, 17)] [Conv1D(Filters = 8, Kernel = 5, Stride = 3, PadLeft = 1, PadRight = 2, Groups = 8)] [MinPool1D(Kernel = 2, Stride = 1)]")]
    [InlineData("[InputShape(16, 64)] [Conv1D(Filters = 32, Kernel = 1)] [ReLU] [Conv1D(Filters = 32, Kernel = 7, Padding = 3, InChannels = 32)] [MaxPool1D(Kernel = 3, Stride = 2, Padding = 1)]")]
    [InlineData("[InputShape(4, 1)] [Conv1D(Filters = 16, Kernel = 1)] [Flatten] [Dense(Outputs = 3)] [Softmax]")]
    // M5-style: BatchNorm1D folded into its convolution, a global mean, LogSoftmax
    [InlineData("[InputShape(1, 64)] [Conv1D(Filters = 8, Kernel = 5, Stride = 2)] [BatchNorm1D] [ReLU] [MaxPool1D(Kernel = 2)] [GlobalAvgPool1D] [Flatten] [Dense(Outputs = 4)] [LogSoftmax]")]
    // BatchNorm1D on vectors, and on a sequence alone
    [InlineData("[InputShape(3, 20)] [Flatten] [Dense(Outputs = 16)] [BatchNorm1D] [ReLU] [Dense(Outputs = 3)] [BatchNorm1D(Channels = 3, Epsilon = 0.5f)]")]
    [InlineData("[InputShape(4, 10)] [BatchNorm1D(Affine = false, Epsilon = 0.1f)] [AdaptiveMaxPool1D(Output = 3)]")]
    [InlineData("[InputShape(4, 5)] [AdaptiveAvgPool1D(Output = 8)] [GlobalMaxPool1D]")]
    // over the channels at each position, as nn.LogSoftmax(dim=1) on [N, C, L]; PReLU per channel
    [InlineData("[InputShape(3, 10)] [Conv1D(Filters = 4, Kernel = 3, Padding = 1)] [PReLU(Parameters = 4)] [LogSoftmax]")]
    [InlineData("[InputShape(3, 10)] [Conv1D(Filters = 5, Kernel = 2)] [Softmax]")]
    // blocks on sequences: a residual sum, a concat of branches, a [C, 1] gate from a length-1 sequence
    [InlineData("[Block] [Conv1D(Filters = 4, Kernel = 3, Padding = 1)] [ReLU] [Conv1D(Filters = 4, Kernel = 3, Padding = 1)] public partial class Body { } "
        + "[InputShape(4, 12)] [Residual(typeof(Body))] [ReLU]")]
    [InlineData("[Block] [Conv1D(Filters = 2, Kernel = 1)] public partial class Narrow { } [Block] [Conv1D(Filters = 3, Kernel = 3, Padding = 1)] public partial class Wide { } "
        + "[InputShape(4, 9)] [Concat(typeof(Narrow), typeof(Wide), IncludeInput = true)] [Conv1D(Filters = 2, Kernel = 1)]")]
    [InlineData("[Block] [MaxPool1D(Kernel = 8)] [Conv1D(Filters = 4, Kernel = 1)] [Sigmoid] public partial class Gate { } "
        + "[InputShape(4, 8)] [Conv1D(Filters = 4, Kernel = 3, Padding = 1)] [Multiply(typeof(Gate))]")]
    public void A_1D_network_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    /// <summary>(x - max) - log(sum), as PyTorch orders it: max + log(sum) first rounds a log of 0.0022 beside 1000 to 6e-5 (found by the random 1D networks).</summary>
    [Fact]
    public void LogSoftmax_keeps_a_small_log_beside_a_large_maximum()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Sequences;\n[InputShape(2, 2)] [LogSoftmax]\npublic partial class Net { }");
        var net = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Sequences.Net")!)!;
        var output = new float[4];

        net.Forward([1000f, 1f, 993.9f, 0f], output);

        // PyTorch 1.13, float32: log_softmax([[1000, 993.9]], 1)[0, :, 0] = [-0.0022404112, -6.1022158]
        Assert.InRange(output[0], -0.0022406f, -0.0022402f);
        Assert.InRange(output[2], -6.10222f, -6.10221f);
    }

    [Theory]
    [InlineData("[InputShape(2, 32)] [Conv2D(Filters = 4, Kernel = 3)]", "CNN0016", "Conv2D(Filters = 4, Kernel = 3)",
        "Conv2D (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 32]")]
    [InlineData("[InputShape(2, 8, 8)] [Conv1D(Filters = 4, Kernel = 3)]", "CNN0016", "Conv1D(Filters = 4, Kernel = 3)",
        "Conv1D (layer 0) needs a channels x length sequence but InputShape produces the feature map [2, 8, 8]")]
    [InlineData("[InputShape(2, 32)] [MaxPool2D(Kernel = 2)]", "CNN0016", "MaxPool2D(Kernel = 2)",
        "MaxPool2D (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 32]")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4, Kernel = 10)]", "CNN0009", "Kernel = 10",
        "Conv1D (layer 0): the input length is 8, padded 8; the effective kernel length is 10 and the stride 1, so the output length would be -1")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4)]", "CNN0006", "Conv1D(Filters = 4)", "Conv1D (layer 0) needs Kernel")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4, Kernel = 3, InChannels = 3)]", "CNN0008", "InChannels = 3",
        "Conv1D (layer 0) declares InChannels = 3 but InputShape produces 2 channels")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4, Kernel = 3, Padding = 1, PadLeft = 2)]", "CNN0007", "PadLeft = 2",
        "Conv1D (layer 0) sets both Padding and PadLeft, two forms of the same setting; keep one of them")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4, Kernel = 0)]", "CNN0005", "Kernel = 0",
        "Conv1D (layer 0): Kernel = 0 is invalid; it must be at least 1")]
    [InlineData("[InputShape(2, 8)] [AvgPool1D(Kernel = 2, Padding = 2)]", "CNN0013", "Padding = 2",
        "AvgPool1D (layer 0): padding 2 is more than half the kernel 2; PyTorch allows at most kernel / 2 = 1")]
    [InlineData("[InputShape(2, 0)] [Conv1D(Filters = 4, Kernel = 1)]", "CNN0005", "InputShape(2, 0)",
        "InputShape(2, 0) must have a positive number of channels and positions")]
    [InlineData("[InputShape(1 << 16, 1 << 15)] [Conv1D(Filters = 4, Kernel = 1)]", "CNN0017", "InputShape(1 << 16, 1 << 15)",
        "InputShape(65536, 32768): the input of 2147483648 elements is too large (at most 1073741824)")]
    [InlineData("[InputShape(2, 8, 8)] [BatchNorm1D]", "CNN0016", "BatchNorm1D",
        "BatchNorm1D (layer 0) needs a channels x length sequence but InputShape produces the feature map [2, 8, 8]")]
    [InlineData("[InputShape(2, 8)] [GlobalAvgPool2D]", "CNN0016", "GlobalAvgPool2D",
        "GlobalAvgPool2D (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 8]")]
    [InlineData("[InputShape(2, 8)] [AdaptiveAvgPool1D]", "CNN0006", "AdaptiveAvgPool1D", "AdaptiveAvgPool1D (layer 0) needs Output")]
    [InlineData("[InputShape(2, 32)] [Dense(Outputs = 3)]", "CNN0011", "Dense(Outputs = 3)",
        "Dense (layer 0) needs a flat vector but InputShape produces the sequence [2, 32]; insert [Flatten] before it")]
    [InlineData("[InputShape(2, 8)] [BatchNorm1D(Channels = 3)]", "CNN0019", "Channels = 3",
        "BatchNorm1D (layer 0) declares Channels = 3 but InputShape produces 2 channels")]
    public void A_1D_mistake_is_one_error_on_its_argument(string attributes, string id, string span, string message) =>
        AttributeNetworks.AssertOneError(attributes, id, span, message);
}
