using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Random valid networks through the generator (in memory, one compilation), each compared with the
/// reference engine built from an independently constructed spec. CNNGEN_FUZZ_SEED replays a run;
/// CNNGEN_FUZZ_COUNT raises the count for a long soak.
/// </summary>
public class DifferentialTests
{
    private readonly ITestOutputHelper _output;

    public DifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_Forward_matches_the_reference_engine_on_random_networks() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300), wide: false);

    /// <summary>Inputs 16 to 40 wide, so vectors of 8 or 16 columns, overlapping row ends and 2x2 vector pools all occur.</summary>
    [Fact]
    public void Wide_random_networks_take_the_SIMD_paths_and_still_match() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 5, wide: true);

    [Theory]
    [InlineData("MaxPool2D")]
    [InlineData("AvgPool2D")]
    [InlineData("MinPool2D")]
    public void Two_by_two_pools_over_wide_rows_match(string pool)
    {
        var kind = pool switch { "MaxPool2D" => PoolKind.Max, "AvgPool2D" => PoolKind.Average, _ => PoolKind.Min };
        var network = new RandomNetwork("Wide" + pool,
            $"using CnnGen;\nnamespace Differential;\n[InputShape(3, 21, 35)]\n[{pool}(Kernel = 2)]\npublic partial class Wide{pool} {{ }}\n",
            new[] { $"[{pool}(Kernel = 2)]" },
            new NetworkSpec(3, 21, 35, new LayerSpec[] { new Pool2DSpec(kind, 2, 2) }));
        var result = GeneratorHarness.Run(network.Source);
        Assert.Empty(result.AllDiagnostics.Where(d => d.Id != "CNN0014"));

        var generated = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Differential." + network.ClassName)!)!;
        Compare(network, generated, new Random(7), network.Source);
    }

    /// <summary>Sixteen or more filters on rows that fill vectors of 8 badly, or strided: vectors across output channels.</summary>
    [Theory]
    [InlineData("[InputShape(6, 14, 14)] [Conv2D(Filters = 16, Kernel = 5)] [ReLU]", 6, 14, 14)]
    [InlineData("[InputShape(3, 11, 13)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Stride = 2)]", 3, 11, 13)]
    [InlineData("[InputShape(2, 9, 7)] [Conv2D(Filters = 16, KernelHeight = 3, KernelWidth = 2, Dilation = 2, PadLeft = 2, PadBottom = 1, Bias = false)]", 2, 9, 7)]
    [InlineData("[InputShape(4, 20, 20)] [Conv2D(Filters = 48, Kernel = 9, Padding = 4, StrideWidth = 3)] [ReLU]", 4, 20, 20)]
    [InlineData("[InputShape(1, 3, 3)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1)]", 1, 3, 3)]
    // filters past a whole number of vectors: the last block overlaps the one before (a ResNet's 24-filter stride-2
    // stem, 40 strided, 20 on narrow rows, 17 with a fused pool)
    [InlineData("[InputShape(3, 20, 22)] [Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1)] [ReLU]", 3, 20, 22)]
    [InlineData("[InputShape(5, 13, 9)] [Conv2D(Filters = 40, Kernel = 3, Stride = 2)] [Hardswish]", 5, 13, 9)]
    [InlineData("[InputShape(2, 6, 5)] [Conv2D(Filters = 20, Kernel = 3, Padding = 1, Bias = false)]", 2, 6, 5)]
    [InlineData("[InputShape(3, 12, 14)] [Conv2D(Filters = 17, Kernel = 3, Stride = 2, Padding = 2)] [ReLU] [MaxPool2D(Kernel = 2)]", 3, 12, 14)]
    // strided kernels wider than the stride, a stride phase's taps at a time: a ResNet's 7x7 stem (even and odd taps),
    // and 5x5 with an odd dilation on three vectors of filters
    [InlineData("[InputShape(3, 37, 41)] [Conv2D(Filters = 64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] [BatchNorm2D] [ReLU]", 3, 37, 41)]
    [InlineData("[InputShape(2, 30, 31)] [Conv2D(Filters = 48, Kernel = 5, Stride = 2, Dilation = 3, Padding = 2)]", 2, 30, 31)]
    // groups of whole vectors of filters, a block within one group reading its input channels alone: 4 groups of 16
    // (a single Vector<float> a block), 2 of 48 (three 512-bit vectors), 16 filters from each of 8 channels with a
    // fused pool, 2 groups of 64 onto a 2 x 2 map held whole by one tile of 4 vectors
    [InlineData("[InputShape(32, 15, 13)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Groups = 4)] [ReLU]", 32, 15, 13)]
    [InlineData("[InputShape(64, 9, 9)] [Conv2D(Filters = 96, Kernel = 3, Stride = 2, Groups = 2, Bias = false)]", 64, 9, 9)]
    [InlineData("[InputShape(8, 12, 12)] [Conv2D(Filters = 128, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)] [ReLU] [MaxPool2D(Kernel = 2)]", 8, 12, 12)]
    [InlineData("[InputShape(16, 4, 4)] [Conv2D(Filters = 128, Kernel = 3, Stride = 2, Padding = 1, Groups = 2)]", 16, 4, 4)]
    public void Channel_vector_convolutions_match(string attributes, int channels, int height, int width)
    {
        var result = CompareDeclared(attributes, channels, height, width);
        string generated = result.GeneratedSource;
        Assert.Contains("Conv2DChannels512(", generated);
    }

    /// <summary>
    /// Grouped convolutions of 8 or 4 filters a group that the 512-bit path has no kernel for (strided, or on rows
    /// narrower than its vectors) take 256- or 128-bit vectors: the channel kernel a group at a time, stored in PyTorch's
    /// layout a lane at a time: 8 groups of 8 strided and padded, 8 of 4 filters from 4 channels each, 8 filters from
    /// each single channel; stride 1 on an 8 x 8 map takes 256-bit vectors along its rows.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(64, 17, 15)] [Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)] [ReLU]", 64, 17, 15, "Conv2DChannels256(")]
    [InlineData("[InputShape(32, 11, 11)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Groups = 8, Bias = false)]", 32, 11, 11, "Conv2DChannels128(")]
    [InlineData("[InputShape(4, 9, 12)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Groups = 4)] [Hardswish]", 4, 9, 12, "Conv2DChannels256(")]
    [InlineData("[InputShape(64, 8, 8)] [Conv2D(Filters = 64, Kernel = 3, Padding = 1, Groups = 8)]", 64, 8, 8, "Conv2DVector256(")]
    public void Narrow_groups_take_narrower_channel_vectors(string attributes, int channels, int height, int width, string kernel) =>
        Assert.Contains(kernel, CompareDeclared(attributes, channels, height, width).GeneratedSource);

    /// <summary>
    /// Convolutions of 4 to 15 filters that the 512-bit path has no kernel for in PyTorch's layout (strided, or on rows
    /// narrower than its vectors) take 256- or 128-bit vectors across their filters, stored a lane at a time: a
    /// MobileNet's stem of 8 filters at stride 2 (then its depthwise layer of 8 channels and a pointwise one), 12 filters
    /// as 8 and an overlapping 8, 5 filters as 4 and an overlapping 4, a fused 2x2 max pool, a 12-wide stride-1 row,
    /// 6 filters from 64 channels, a 1 x 1 output map, a dilated 7x7 window half on padding. Without AVX-512, 8 filters
    /// and more take Vector&lt;float&gt; (CI runs these at 256 and 128 bits).
    /// </summary>
    [Theory]
    [InlineData("[InputShape(3, 31, 29)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1)] [ReLU6]", 3, 31, 29, "Conv2DChannels256(")]
    [InlineData("[InputShape(3, 31, 29)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1)] [ReLU6]", 3, 31, 29, "Layer0Conv2DChannels(x, ")]
    [InlineData("[InputShape(3, 32, 32)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 8, Kernel = 3, Padding = 1, Groups = 8)] [ReLU] [Conv2D(Filters = 16, Kernel = 1)]", 3, 32, 32, "Layer0Conv2DChannels256(")]
    [InlineData("[InputShape(3, 20, 21)] [Conv2D(Filters = 12, Kernel = 5, Stride = 2, Padding = 2, Bias = false)]", 3, 20, 21, "Conv2DChannels256(")]
    [InlineData("[InputShape(2, 17, 17)] [Conv2D(Filters = 5, Kernel = 3, Stride = 3)] [Tanh]", 2, 17, 17, "Conv2DChannels128(")]
    [InlineData("[InputShape(3, 33, 33)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2)] [ReLU] [MaxPool2D(Kernel = 2)]", 3, 33, 33, "Conv2DChannels256(")]
    [InlineData("[InputShape(4, 12, 12)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)]", 4, 12, 12, "Conv2DChannels256(")]
    [InlineData("[InputShape(64, 9, 9)] [Conv2D(Filters = 6, Kernel = 3, Stride = 2)]", 64, 9, 9, "Conv2DChannels128(")]
    [InlineData("[InputShape(3, 5, 5)] [Conv2D(Filters = 9, Kernel = 5, Stride = 2)] [ReLU]", 3, 5, 5, "Conv2DChannels256(")]
    [InlineData("[InputShape(2, 30, 30)] [Conv2D(Filters = 4, Kernel = 7, Stride = 2, Dilation = 2, Padding = 3)] [Sigmoid]", 2, 30, 30, "Conv2DChannels128(")]
    public void Narrow_convolutions_take_narrower_channel_vectors(string attributes, int channels, int height, int width, string kernel) =>
        Assert.Contains(kernel, CompareDeclared(attributes, channels, height, width).GeneratedSource);

    /// <summary>
    /// Depthwise convolutions of 4 to 15 channels take the depthwise kernel on 256- or 128-bit vectors: strided in
    /// PyTorch's layout (on a channels-last copy of the input; they ran scalar loops), channels-last between a narrow stem
    /// and narrow pointwise layers (a 0.25-wide MobileNet), a depth multiplier of 4 channels lowered to a repeat and
    /// a depthwise convolution of 8, a 1 x 9 window mostly on padding across a single row, a dilated one on a 9-wide
    /// map, 15 channels (8 and an overlapping 8).
    /// </summary>
    [Theory]
    [InlineData("[InputShape(8, 17, 17)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1, Groups = 8)] [ReLU6]", 8, 17, 17, "Conv2DDepthwise256(")]
    [InlineData("[InputShape(5, 12, 12)] [Conv2D(Filters = 5, Kernel = 5, Stride = 2, Padding = 2, Groups = 5, Bias = false)]", 5, 12, 12, "Conv2DDepthwise128(")]
    [InlineData("[InputShape(3, 32, 32)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Padding = 1)] [ReLU] [Conv2D(Filters = 8, Kernel = 3, Padding = 1, Groups = 8)] [ReLU] " +
                "[Conv2D(Filters = 16, Kernel = 1)] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1, Groups = 16)] [Conv2D(Filters = 12, Kernel = 1)] " +
                "[Conv2D(Filters = 12, Kernel = 3, Stride = 2, Padding = 1, Groups = 12)] [ReLU6] [Conv2D(Filters = 6, Kernel = 1)] [Conv2D(Filters = 6, Kernel = 3, Padding = 1, Groups = 6)] [Conv2D(Filters = 4, Kernel = 1)]", 3, 32, 32, "Layer11Conv2DDepthwise128(")]
    [InlineData("[InputShape(4, 15, 15)] [Conv2D(Filters = 8, Kernel = 3, Stride = 2, Groups = 4)]", 4, 15, 15, "Conv2DDepthwise256(")]
    [InlineData("[InputShape(4, 1, 100)] [Conv2D(Filters = 4, KernelHeight = 1, KernelWidth = 9, Stride = 3, Padding = 4, Groups = 4)] [Sigmoid]", 4, 1, 100, "Conv2DDepthwise128(")]
    [InlineData("[InputShape(7, 20, 9)] [Conv2D(Filters = 7, Kernel = 3, Stride = 2, Dilation = 3, Padding = 3, Groups = 7)]", 7, 20, 9, "Conv2DDepthwise128(")]
    [InlineData("[InputShape(15, 9, 9)] [Conv2D(Filters = 15, Kernel = 3, Stride = 2, Groups = 15)] [ReLU] [Conv2D(Filters = 15, Kernel = 1)] [ReLU] [Conv2D(Filters = 15, Kernel = 3, Padding = 1, Groups = 15)]", 15, 9, 9, "Layer0Conv2DDepthwise256(")]
    public void Narrow_depthwise_convolutions_take_narrower_channel_vectors(string attributes, int channels, int height, int width, string kernel) =>
        Assert.Contains(kernel, CompareDeclared(attributes, channels, height, width).GeneratedSource);

    /// <summary>
    /// A transposed convolution of 2 filters a channel stays one convolution (or one a stride phase): its kernel is
    /// derived from the transposed weight by the layer's own groups, which a depthwise lowering would change.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(6, 9, 9)] [ConvTranspose2D(Filters = 12, Kernel = 2, Groups = 6)]", 6, 9, 9)]
    [InlineData("[InputShape(16, 6, 6)] [ConvTranspose2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 16)] [ReLU]", 16, 6, 6)]
    [InlineData("[InputShape(16, 5, 7)] [ConvTranspose2D(Filters = 48, Kernel = 4, Stride = 2, Padding = 1, Groups = 16)]", 16, 5, 7)]
    public void A_transposed_depth_multiplier_is_not_lowered(string attributes, int channels, int height, int width)
    {
        var result = CompareDeclared(attributes, channels, height, width);
        string generated = result.GeneratedSource;
        Assert.DoesNotContain("ChannelRepeat(", generated);
    }

    /// <summary>
    /// Dense layers up to 16 MiB of weights read a transposed copy on the 512-bit path, a chunk of up to 8 vectors of
    /// outputs at a time: 120 outputs (the last vector overlapping), 84 (6 vectors over 2 inputs at a time), 300 in
    /// three chunks of 112, 96 and 92 without a bias over an odd number of inputs, 16 over 8 inputs at a time with a
    /// tail of 4, 17 in two overlapping vectors, 130 as 80 and 50, 16 over only 3 inputs. A layer past the limit and
    /// ones narrower than a vector (7, 11 without a bias, over inputs that leave a scalar tail) read their rows.
    /// Elsewhere every layer reads rows.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(4, 10, 10)] [Flatten] [Dense(Outputs = 120)] [ReLU] [Dense(Outputs = 84)] [ReLU] [Dense(Outputs = 10)]", 4, 10, 10)]
    [InlineData("[InputShape(3, 7, 7)] [Flatten] [Dense(Outputs = 300, Bias = false)] [Tanh] [Dense(Outputs = 16)]", 3, 7, 7)]
    [InlineData("[InputShape(16, 8, 8)] [Flatten] [Dense(Outputs = 300)] [Dense(Outputs = 17)]", 16, 8, 8)]
    [InlineData("[InputShape(21, 10, 20)] [Flatten] [Dense(Outputs = 1000)] [ReLU] [Dense(Outputs = 130)]", 21, 10, 20)]
    [InlineData("[InputShape(3, 1, 1)] [Flatten] [Dense(Outputs = 16)] [ReLU] [Dense(Outputs = 33)]", 3, 1, 1)]
    [InlineData("[InputShape(2, 5, 5)] [Flatten] [Dense(Outputs = 7)] [ReLU] [Dense(Outputs = 11, Bias = false)]", 2, 5, 5)]
    public void Dense_layers_match(string attributes, int channels, int height, int width) =>
        CompareDeclared(attributes, channels, height, width);

    /// <summary>
    /// A 2x2 max pool after a convolution (and its ReLU) is applied in the 512-bit convolution's
    /// registers: whole-row and looped column tiles, channel tiles of one and several per row, groups,
    /// padding, more layers after. Elsewhere the two layers run apart; CI runs this both ways.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(1, 28, 28)] [Conv2D(Filters = 6, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2D(Kernel = 2)]", 1, 28, 28)]
    [InlineData("[InputShape(2, 6, 80)] [Conv2D(Filters = 4, Kernel = 3, Padding = 1)] [MaxPool2D(Kernel = 2)]", 2, 6, 80)]
    [InlineData("[InputShape(4, 9, 36)] [Conv2D(Filters = 6, Kernel = 3, PadTop = 1, Groups = 2)] [ReLU] [MaxPool2D(Kernel = 2, Stride = 2)]", 4, 9, 36)]
    [InlineData("[InputShape(6, 14, 14)] [Conv2D(Filters = 16, Kernel = 5)] [ReLU] [MaxPool2D(Kernel = 2)] [Flatten] [Dense(Outputs = 10)]", 6, 14, 14)]
    [InlineData("[InputShape(3, 53, 53)] [Conv2D(Filters = 32, Kernel = 3, Stride = 2)] [MaxPool2D(Kernel = 2)] [ReLU]", 3, 53, 53)]
    [InlineData("[InputShape(8, 8, 8)] [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false)] [ReLU] [MaxPool2D(Kernel = 2)]", 8, 8, 8)]
    public void Convolutions_with_a_fused_max_pool_match(string attributes, int channels, int height, int width)
    {
        var result = CompareDeclared(attributes, channels, height, width);
        string generated = result.GeneratedSource;
        Assert.Contains("/// <remarks>Stores the 2x2 max pool of layer", generated);
    }

    /// <summary>
    /// A BatchNorm right after a convolution is folded into its weights at load time; an activation
    /// with a vector form is then still fused into the convolution's store, and a 2x2 max pool after
    /// both into its 512-bit registers (the activation applied after the max where it never decreases,
    /// before it elsewhere). Straight-line,
    /// looped, column-vector and channel-vector convolutions, with and without affine and bias.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(3, 18, 34)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)] [BatchNorm2D] [ReLU] [MaxPool2D(Kernel = 2)]", 3, 18, 34, true, true)]
    [InlineData("[InputShape(4, 20, 36)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 2)] [BatchNorm2D(Name = \"bn\")] [Hardtanh(Min = -0.5f, Max = 0.25f)] [MaxPool2D(Kernel = 2)]", 4, 20, 36, true, true)]
    [InlineData("[InputShape(8, 8, 8)] [Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false)] [BatchNorm2D(Affine = false)] [ReLU6] [MaxPool2D(Kernel = 2)]", 8, 8, 8, true, true)]
    [InlineData("[InputShape(6, 14, 14)] [Conv2D(Filters = 16, Kernel = 5, Bias = false)] [BatchNorm2D(Affine = false)] [Hardswish]", 6, 14, 14, true, false)]
    [InlineData("[InputShape(3, 11, 13)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Stride = 2)] [BatchNorm2D(Epsilon = 0.1f)] [Hardsigmoid]", 3, 11, 13, true, false)]
    [InlineData("[InputShape(2, 16, 40)] [Conv2D(Filters = 8, Kernel = 3)] [BatchNorm2D] [Hardswish] [MaxPool2D(Kernel = 2)]", 2, 16, 40, true, true)] // Hardswish before the pool: it dips below zero and rises
    [InlineData("[InputShape(3, 16, 34)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1)] [BatchNorm2D] [SiLU] [MaxPool2D(Kernel = 2)]", 3, 16, 34, true, true)]
    // exp epilogues on column tiles that store whole rows (the last vector overlapping), staged through the stack
    [InlineData("[InputShape(3, 12, 40)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)] [BatchNorm2D] [SiLU]", 3, 12, 40, true, false)]
    [InlineData("[InputShape(2, 9, 21)] [Conv2D(Filters = 6, Kernel = 3)] [BatchNorm2D(Affine = false)] [Sigmoid]", 2, 9, 21, true, false)]
    [InlineData("[InputShape(4, 7, 70)] [Conv2D(Filters = 4, KernelHeight = 1, KernelWidth = 5, Padding = 2)] [SELU]", 4, 7, 70, false, false)]
    [InlineData("[InputShape(16, 8, 10)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Stride = 1)] [ELU(Alpha = 0.7f)] [MaxPool2D(Kernel = 2)]", 16, 8, 10, false, true)]
    [InlineData("[InputShape(3, 16, 32)] [Conv2D(Filters = 4, Kernel = 1)] [BatchNorm2D] [BatchNorm2D(Affine = false)] [ReLU6]", 3, 16, 32, true, false)]
    [InlineData("[InputShape(1, 5, 5)] [Conv2D(Filters = 2, Kernel = 3)] [BatchNorm2D(Affine = false, Epsilon = 0f)] [SiLU]", 1, 5, 5, true, false)]
    [InlineData("[InputShape(3, 17, 17)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [BatchNorm2D] [MaxPool2D(Kernel = 2)] [PReLU(Parameters = 16)] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 10)] [LogSoftmax]", 3, 17, 17, false, false)]
    [InlineData("[InputShape(2, 24, 40)] [AdaptiveAvgPool2D(OutputHeight = 7, OutputWidth = 30)] [BatchNorm2D] [AdaptiveMaxPool2D(Output = 16)] [GELU(Approximate = \"tanh\")] [Dropout] [GlobalMaxPool2D] [Identity] [LogSoftmax]", 2, 24, 40, false, false)]
    public void BatchNorm_folded_into_convolutions_and_the_new_layers_on_wide_rows_match(string attributes, int channels, int height, int width, bool folded, bool pooled)
    {
        var result = CompareDeclared(attributes, channels, height, width);
        string generated = result.GeneratedSource;
        // folded: a remark on the convolution's entry point, and no method of its own
        Assert.Equal(folded, generated.Contains("have the BatchNorm2D of layer 1 folded in, at load time", StringComparison.Ordinal));
        if (folded) Assert.DoesNotContain("private static void Layer1BatchNorm2D(", generated, StringComparison.Ordinal);
        Assert.Equal(pooled, generated.Contains("/// <remarks>Stores the 2x2 max pool of layer", StringComparison.Ordinal));
    }

    private GeneratorHarness.Result CompareDeclared(string attributes, int channels, int height, int width)
    {
        var source = $"using CnnGen;\nnamespace Differential;\n{attributes}\npublic partial class Channels {{ }}\n";
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.AllDiagnostics.Where(d => d.Id != "CNN0014"));
        var assembly = GeneratorHarness.Load(result.Output);
        var generated = (INetwork)Activator.CreateInstance(assembly.GetType("Differential.Channels")!)!;
        // the spec the generator wrote is checked against these attributes by the random-network tests
        var network = new RandomNetwork("Channels", source, new[] { attributes }, generated.Spec);
        Assert.Equal(new[] { channels, height, width }, generated.Spec.InputShape);

        Compare(network, generated, new Random(11), source);
        return result;
    }

    private void CompareRandomNetworks(int count, bool wide)
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261124);
        _output.WriteLine($"differential: {count} {(wide ? "wide " : "")}networks, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");

        var draw = new RandomNetworks(seed);
        var networks = Enumerable.Range(0, count).Select(i => draw.Next("Net" + i, wide: wide)).ToArray();
        var result = GeneratorHarness.Run(networks.Select(n => n.Source).ToArray());
        // CNN0014 (input never reached) is an expected warning on random strides; anything else is a bug
        var unexpected = result.AllDiagnostics.Where(d => d.Id != "CNN0014").ToList();
        Assert.True(unexpected.Count == 0, $"seed {seed}: unexpected diagnostics:\n" + string.Join("\n", unexpected.Take(10)));
        var assembly = GeneratorHarness.Load(result.Output);

        var random = new Random(seed);
        GeneratorHarness.CheckEach(assembly, networks, seed, (network, generated, context) => Compare(network, generated, random, context));
        _output.WriteLine($"differential: {count} networks matched the reference engine");
    }

    private static void Compare(RandomNetwork network, INetwork generated, Random random, string context)
    {
        Assert.True(network.Spec.OutputShape.SequenceEqual(generated.Spec.OutputShape), "output shape differs; " + context);
        Assert.Equal(network.Spec.ParameterCount, generated.ParameterCount);
        // the modules as the attributes name them: the state_dict keys, and which tensors are buffers
        Assert.True(network.Spec.Parameters.Select(t => (t.Name, t.Offset, t.IsBuffer)).SequenceEqual(generated.Spec.Parameters.Select(t => (t.Name, t.Offset, t.IsBuffer))),
            "state tensors differ; " + context);
        GeneratorHarness.AssertForwardMatchesReference(network.Spec, generated, random, context);
    }
}
