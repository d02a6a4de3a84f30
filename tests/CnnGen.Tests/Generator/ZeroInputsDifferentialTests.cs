using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A Dense layer on the 512-bit path, and a convolution that is one in all but name (one output pixel, one tap, weights
/// past L2) on the 512-bit and Vector&lt;float&gt; paths, skip the weights of their inputs that are zero (after a ReLU,
/// about half), which is exact only while every weight is finite: zero times an infinite or NaN weight is NaN. The
/// positions they list (<see cref="DenseInputs.Indices"/>), and whole networks against the reference engine with zeros
/// in their inputs, with an infinite or NaN weight where an input is zero, and with finite weights loaded again after
/// those. The class name holds "Differential", so CI runs it on every SIMD path (the listing's 512-bit and scalar loops, the
/// convolutions' Vector&lt;float&gt; kernels at 256 and 128 bits).
/// </summary>
public class ZeroInputsDifferentialTests
{
    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.5)]
    [InlineData(15, 0.5)]
    [InlineData(16, 0.0)]
    [InlineData(16, 1.0)]
    [InlineData(17, 0.5)]
    [InlineData(400, 0.46)]
    [InlineData(400, 1.0)]
    [InlineData(4096, 0.9)]
    public void Indices_lists_the_inputs_that_are_not_zero_in_order(int length, double zeros)
    {
        var random = new Random(length);
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = random.NextDouble() < zeros ? (random.Next(2) == 0 ? 0f : -0f) : random.Next(8) == 0 ? float.NaN : (float)random.NextDouble() + 0.5f;
        var indices = new int[length + DenseInputs.Slack];
        Array.Fill(indices, -1);

        int count = DenseInputs.Indices(x, indices, skipZeros: true);
        var kept = Enumerable.Range(0, length).Where(i => x[i] != 0f).ToArray();
        Assert.Equal(kept, indices.Take(count));
        Assert.Equal(Enumerable.Repeat(kept.LastOrDefault(), DenseInputs.Slack), indices.Skip(count).Take(DenseInputs.Slack));

        count = DenseInputs.Indices(x, indices, skipZeros: false);
        Assert.Equal(Enumerable.Range(0, length), indices.Take(count));
        Assert.Equal(Enumerable.Repeat(Math.Max(length - 1, 0), DenseInputs.Slack), indices.Skip(count).Take(DenseInputs.Slack));
    }

    /// <summary>A convolution that skips zero channels asks for the row listed up to this many entries ahead, which the listing fills.</summary>
    [Fact]
    public void The_rows_asked_for_ahead_are_within_the_listing_s_slack() =>
        Assert.InRange(CnnGen.Generator.NetworkEmitter.MostListedRowsAhead, 1, DenseInputs.Slack);

    [Fact]
    public void Indices_needs_room_for_a_whole_vector_past_the_inputs() =>
        Assert.Throws<ArgumentException>(() => DenseInputs.Indices(new float[20], new int[20 + DenseInputs.Slack - 1], skipZeros: true));

    [Fact]
    public void AllFinite_is_false_for_an_infinity_or_a_NaN_anywhere()
    {
        Assert.True(DenseInputs.AllFinite(new[] { 0f, -0f, float.MaxValue, float.MinValue, float.Epsilon }));
        Assert.True(DenseInputs.AllFinite(ReadOnlySpan<float>.Empty));
        foreach (float bad in new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN })
            for (int at = 0; at < 40; at += 13)
            {
                var values = new float[40];
                values[at] = bad;
                Assert.False(DenseInputs.AllFinite(values));
            }
    }

    /// <summary>
    /// ReLUs before Dense layers of each chunk shape (120: one chunk, the last vector overlapping; 84: two inputs at a
    /// time; 16: eight at a time; 1000 over 33 inputs: several chunks), on inputs of which about half are zero, and on
    /// inputs that are all zero or none zero. A Dense layer after a global average reads every input without a list.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(4, 10, 10)] [Flatten] [ReLU] [Dense(Outputs = 120)] [ReLU] [Dense(Outputs = 84)] [ReLU] [Dense(Outputs = 16)] [ReLU] [Dense(Outputs = 10)]", 3)]
    [InlineData("[InputShape(33, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 1000, Bias = false)] [ReLU] [Dense(Outputs = 17)]", 2)]
    [InlineData("[InputShape(64, 4, 4)] [ReLU] [GlobalAvgPool2D] [Flatten] [Dense(Outputs = 120)] [ReLU] [Dense(Outputs = 84)]", 1)]
    public void Dense_layers_after_a_ReLU_match_the_reference(string attributes, int listing) => AssertMatchesOnZeros(attributes, listing);

    /// <summary>
    /// Convolutions whose one output pixel reads one input pixel's channels with one tap: 1x1 on a 1 x 1 map (on the
    /// network's input, and on a channels-last map with a BatchNorm folded in), a 3x3 cropped to its centre tap, a
    /// strided 1x1 from a 2 x 2 map (ResNet's shortcut into its last stage), a block of filters that is not a whole
    /// number of vectors; smaller layers, and a 2 x 2 output, read every channel, as does a squeeze-and-excitation gate's
    /// squeeze from a global average (its excitation after a ReLU lists).
    /// </summary>
    [Theory]
    [InlineData("[InputShape(600, 1, 1)] [ReLU] [Conv2D(Filters = 128, Kernel = 1)] [ReLU] [Conv2D(Filters = 576, Kernel = 1, Bias = false)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 300, Kernel = 3, Padding = 1)] [Flatten]", 3)]
    [InlineData("[InputShape(16, 2, 2)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 160, Kernel = 1, Stride = 2)] [ReLU] [Conv2D(Filters = 1000, Kernel = 1)] [Flatten]", 2)]
    [InlineData("[InputShape(16, 2, 2)] [Conv2D(Filters = 512, Kernel = 1)] [ReLU] [Conv2D(Filters = 160, Kernel = 1)] [Flatten]", 0)]
    [InlineData("[InputShape(576, 2, 2)] [ReLU] [GlobalAvgPool2D] [Conv2D(Filters = 144, Kernel = 1)] [ReLU] [Conv2D(Filters = 576, Kernel = 1)] [Flatten]", 1)]
    public void Convolutions_on_one_pixel_after_a_ReLU_match_the_reference(string attributes, int listing) => AssertMatchesOnZeros(attributes, listing);

    /// <summary>
    /// Dense layers whose weights are more than L2 keeps (past 256 KiB) stream them from L3 or memory each call and ask
    /// for rows ahead: a listed input's row 16 entries on (300 to 300 outputs, chunks of 7 and 6 vectors that take two
    /// inputs at a time), or the row 8 KiB on where every input is read (4,100 inputs, more than are listed); a layer
    /// of 255 x 256 weights, 1 KiB short of it, asks for nothing, one of 257 x 256 does.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(300, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 300)] [ReLU] [Dense(Outputs = 17)]", 2, 1)]
    [InlineData("[InputShape(4100, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 20)]", 0, 1)]
    [InlineData("[InputShape(255, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 256)]", 1, 0)]
    [InlineData("[InputShape(257, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 256)]", 1, 1)]
    public void Dense_layers_past_L2_ask_for_rows_ahead_and_match_the_reference(string attributes, int listing, int askingAhead)
    {
        string source = AssertMatchesOnZeros(attributes, listing);
        int asking = source.Split("private static void Layer").Count(method => method.Contains("CacheHints.PrefetchLowReuse(ref weights, "));
        Assert.Equal(askingAhead, asking);
    }

    /// <summary>Checks the network against the reference engine on inputs half zero, all zero and none zero; returns its generated source.</summary>
    private static string AssertMatchesOnZeros(string attributes, int listing)
    {
        var (net, reference, source) = Generate(attributes, listing);
        var random = new Random(5);
        var parameters = RandomNetworks.Parameters(net.Spec, random);
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        foreach (var input in new[] { Floats(random, net.InputLength, -1, 1), new float[net.InputLength], Floats(random, net.InputLength, 0.1, 1) })
            AssertMatches(reference.Forward(input), Forward(net, input), attributes);
        return source;
    }

    /// <summary>
    /// An infinite or NaN weight in the row of an input that is zero makes its output NaN, as in PyTorch: the layer
    /// then reads every input. Finite weights loaded after that skip zeros again, and match again. A Dense layer's
    /// weight [84, 40] (output 30's), and a convolution's, a 1x1 on a 1 x 1 map [112, 700, 1, 1] (filter 99's).
    /// </summary>
    [Theory]
    [InlineData("[InputShape(40, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 84)]", 30, float.PositiveInfinity, 3)]
    [InlineData("[InputShape(40, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 84)]", 30, float.NegativeInfinity, 3)]
    [InlineData("[InputShape(40, 1, 1)] [Flatten] [ReLU] [Dense(Outputs = 84)]", 30, float.NaN, 3)]
    [InlineData("[InputShape(700, 1, 1)] [ReLU] [Conv2D(Filters = 112, Kernel = 1)] [Flatten]", 99, float.PositiveInfinity, 9)]
    [InlineData("[InputShape(700, 1, 1)] [ReLU] [Conv2D(Filters = 112, Kernel = 1)] [Flatten]", 99, float.NaN, 9)]
    public void A_non_finite_weight_times_a_zero_input_is_NaN(string attributes, int output, float bad, int seed)
    {
        var (net, reference, _) = Generate(attributes, 1);
        var random = new Random(seed);
        var input = Floats(random, net.InputLength, -1, 1);
        int zero = Array.FindIndex(input, v => v <= 0f);
        input[zero] = 0f;
        var finite = RandomNetworks.Parameters(net.Spec, random);
        var hostile = (float[])finite.Clone();
        var weight = net.Spec.Parameters.Single(t => t.Name.EndsWith("weight", StringComparison.Ordinal));
        // [outputs, inputs] (with 1 x 1 taps): the output's weight for the input the ReLU makes zero
        hostile[weight.Offset + output * net.InputLength + zero] = bad;

        net.LoadParameters(hostile);
        reference.LoadParameters(hostile);
        var expected = reference.Forward(input);
        Assert.True(float.IsNaN(expected[output]), $"the reference engine's output {output} is NaN");
        AssertMatches(expected, Forward(net, input), attributes + " with a non-finite weight");

        net.LoadParameters(finite);
        reference.LoadParameters(finite);
        AssertMatches(reference.Forward(input), Forward(net, input), attributes + " loaded again with finite weights");
    }

    /// <summary>
    /// The network, whose 512-bit path lists nonzero inputs in <paramref name="listing"/> layers (and whose Vector&lt;float&gt;
    /// path in the same convolutions, not in Dense layers), the reference engine for its Spec, and its generated source.
    /// </summary>
    private static (INetwork Net, ReferenceNetwork Reference, string Source) Generate(string attributes, int listing)
    {
        var (net, generated) = AttributeNetworks.GenerateWithSource(attributes, "ZeroInputs");
        var listers = generated.Split("private static void ").Skip(1)
            .Where(method => method.Contains("int count = global::CnnGen.DenseInputs.Indices(", StringComparison.Ordinal))
            .Select(method => method[..method.IndexOf('(')])
            .ToList();
        // a Dense layer lists within its method, in the 512-bit branch; a convolution in each kernel method
        var wide = listers.Where(name => name.EndsWith("512", StringComparison.Ordinal) || name.EndsWith("Dense", StringComparison.Ordinal)).ToList();
        Assert.Equal(listing, wide.Count);
        Assert.Equal(
            wide.Where(name => name.Contains("Conv2DChannels", StringComparison.Ordinal)).Select(name => name[..^3]).Order(),
            listers.Except(wide).Order());
        return (net, new ReferenceNetwork(net.Spec), generated);
    }

    private static float[] Forward(INetwork net, float[] input)
    {
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        return output;
    }

    private static float[] Floats(Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();

    /// <summary><see cref="FixtureFiles.AssertMatches"/> where the reference's output is finite; NaN where it is NaN.</summary>
    private static void AssertMatches(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(float.IsNaN(expected[i]) == float.IsNaN(actual[i]), $"{context}: element {i} is {actual[i]}, the reference engine's {expected[i]}");
        var finite = Enumerable.Range(0, expected.Length).Where(i => !float.IsNaN(expected[i])).ToArray();
        FixtureFiles.AssertMatches(finite.Select(i => expected[i]).ToArray(), finite.Select(i => actual[i]).ToArray(), context);
    }
}
