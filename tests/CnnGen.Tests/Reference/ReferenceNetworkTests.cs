using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Reference;

/// <summary>The reference engine's semantics, stated as worked examples and checked against PyTorch's outputs.</summary>
public class ReferenceNetworkTests
{
    private const float Exact = 1e-6f;

    // ---------------------------------------------------------------- convolution

    private static readonly float[,] LectureInput =
    {
        { 0, 2, -3, 2, -3 },
        { -2, -2, -2, -1, -2 },
        { -3, -3, 2, -2, 1 },
        { -3, -2, 1, -3, 1 },
        { 0, -1, 0, 2, -3 },
    };

    private static readonly float[,] LectureKernel =
    {
        { -1, 0, -2 },
        { 1, 1, -1 },
        { -1, -1, 0 },
    };

    [Fact]
    public void Lecture_example_with_stride_1()
    {
        var spec = Network(1, 5, 5, new Conv2DSpec(filters: 1, kernelHeight: 3, kernelWidth: 3));

        var output = Run(spec, Concat(Flat(LectureKernel), [-1f]), Flat(LectureInput));

        AssertClose(Flat(new float[,] { { 9, -9, 7 }, { 2, 5, 6 }, { -7, 9, -10 } }), output, Exact);
    }

    [Fact]
    public void Lecture_example_with_stride_2()
    {
        var spec = Network(1, 5, 5, new Conv2DSpec(1, 3, 3) { StrideHeight = 2, StrideWidth = 2 });

        var output = Run(spec, Concat(Flat(LectureKernel), [-1f]), Flat(LectureInput));

        AssertClose(Flat(new float[,] { { 9, 7 }, { -7, -10 } }), output, Exact);
    }

    [Fact]
    public void Padding_1_grows_a_4x4_input_under_a_2x2_kernel_to_5x5()
    {
        // input 1..16 row by row, kernel [[1,2],[3,4]], no bias; out[y,x] = sum in[y-1+ky, x-1+kx] * k[ky,kx]
        var spec = Network(1, 4, 4, new Conv2DSpec(1, 2, 2) { PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Bias = false });
        Assert.Equal(new[] { 1, 5, 5 }, spec.OutputShape);

        var output = Run(spec, [1, 2, 3, 4], Range(1, 16));

        // corners see one input (e.g. top-left: 1*4), interior windows see four: 10*v - 16 where v = in[y, x]
        var expected = new float[,]
        {
            { 4, 11, 18, 25, 12 },
            { 22, 44, 54, 64, 28 },
            { 46, 84, 94, 104, 44 },
            { 70, 124, 134, 144, 60 },
            { 26, 41, 44, 47, 16 },
        };
        AssertClose(Flat(expected), output, Exact);
    }

    [Fact]
    public void Asymmetric_padding_adds_zeros_only_on_the_requested_sides()
    {
        // a 1x1 identity kernel shows the padded input itself: one row on top, two columns on the right
        var spec = Network(1, 2, 2, new Conv2DSpec(1, 1, 1) { PadTop = 1, PadRight = 2, Bias = false });

        var output = Run(spec, [1], [1, 2, 3, 4]);

        Assert.Equal(new[] { 1, 3, 4 }, spec.OutputShape);
        AssertClose(Flat(new float[,] { { 0, 0, 0, 0 }, { 1, 2, 0, 0 }, { 3, 4, 0, 0 } }), output, Exact);
    }

    [Fact]
    public void Dilation_spreads_the_kernel_taps_apart()
    {
        // input value = 5*y + x; a 2x2 kernel with dilation 2 reads (y, x), (y, x+2), (y+2, x), (y+2, x+2)
        var spec = Network(1, 5, 5, new Conv2DSpec(2, 2, 2) { DilationHeight = 2, DilationWidth = 2, Bias = false });
        float[] weights =
        [
            0, 0, 0, 1, // filter 0 keeps only the bottom-right tap: in[y+2, x+2]
            0, 1, 0, 0, // filter 1 keeps only the top-right tap: in[y, x+2]
        ];

        var output = Run(spec, weights, Range(0, 25));

        Assert.Equal(new[] { 2, 3, 3 }, spec.OutputShape);
        var expected = Concat(
            Flat(new float[,] { { 12, 13, 14 }, { 17, 18, 19 }, { 22, 23, 24 } }),
            Flat(new float[,] { { 2, 3, 4 }, { 7, 8, 9 }, { 12, 13, 14 } }));
        AssertClose(expected, output, Exact);
    }

    [Fact]
    public void Groups_split_the_input_channels_into_contiguous_blocks()
    {
        // 4 input channels, 2 groups: filter 0 sees channels 0-1, filter 1 sees channels 2-3
        var spec = Network(4, 1, 1, new Conv2DSpec(2, 1, 1) { Groups = 2, Bias = false });
        Assert.Equal(4, spec.ParameterCount); // weight [2, 2, 1, 1]

        var output = Run(spec, [1, 2, 3, 4], [1, 10, 100, 1000]);

        AssertClose([1 * 1 + 2 * 10, 3 * 100 + 4 * 1000], output, Exact);
    }

    [Fact]
    public void Depthwise_convolution_with_two_filters_per_channel()
    {
        // groups = input channels; output channel oc reads input channel oc / (Filters / Groups)
        var spec = Network(2, 1, 1, new Conv2DSpec(4, 1, 1) { Groups = 2 });

        var output = Run(spec, [1, 2, 3, 4, /* bias */ 0.5f, 0.5f, 0.5f, 0.5f], [1, 10]);

        AssertClose([1.5f, 2.5f, 30.5f, 40.5f], output, Exact);
    }

    [Fact]
    public void Multiple_input_channels_are_summed_with_the_bias()
    {
        // 2 channels of 1x1 input; weight [1, 2, 1, 1]
        var spec = Network(2, 1, 1, new Conv2DSpec(1, 1, 1));

        var output = Run(spec, [2, -3, /* bias */ 0.25f], [5, 7]);

        AssertClose([2 * 5 - 3 * 7 + 0.25f], output, Exact);
    }

    // ---------------------------------------------------------------- pooling

    private static readonly float[,] PoolInput =
    {
        { 1, 3, 2, 0 },
        { 4, 2, 1, 5 },
        { 0, -1, 6, 2 },
        { 3, 1, 2, 7 },
    };

    [Fact]
    public void Max_pooling_takes_the_largest_value_of_each_window()
    {
        var output = Run(Network(1, 4, 4, new Pool2DSpec(PoolKind.Max, 2, 2)), [], Flat(PoolInput));

        AssertClose(Flat(new float[,] { { 4, 5 }, { 3, 7 } }), output, Exact);
    }

    [Fact]
    public void Average_pooling_takes_the_mean_of_each_window()
    {
        var output = Run(Network(1, 4, 4, new Pool2DSpec(PoolKind.Average, 2, 2)), [], Flat(PoolInput));

        // (1+3+4+2)/4, (2+0+1+5)/4, (0-1+3+1)/4, (6+2+2+7)/4
        AssertClose(Flat(new float[,] { { 2.5f, 2 }, { 0.75f, 4.25f } }), output, Exact);
    }

    [Fact]
    public void Min_pooling_takes_the_smallest_value_of_each_window()
    {
        var output = Run(Network(1, 4, 4, new Pool2DSpec(PoolKind.Min, 2, 2)), [], Flat(PoolInput));

        AssertClose(Flat(new float[,] { { 1, 0 }, { -1, 2 } }), output, Exact);
    }

    [Fact]
    public void Max_pooling_pads_with_negative_infinity_so_padding_never_wins()
    {
        // all inputs are negative: zero padding would make every output 0
        var spec = Network(1, 3, 3, new Pool2DSpec(PoolKind.Max, 2, 2) { PaddingHeight = 1, PaddingWidth = 1 });
        var input = Flat(new float[,] { { -1, -2, -3 }, { -4, -5, -6 }, { -7, -8, -9 } });

        var output = Run(spec, [], input);

        // windows: {(0,0)}, {(0,1),(0,2)}, {(1,0),(2,0)}, {(1,1),(1,2),(2,1),(2,2)}
        AssertClose(Flat(new float[,] { { -1, -2 }, { -4, -5 } }), output, Exact);
    }

    [Fact]
    public void Min_pooling_pads_with_positive_infinity_so_padding_never_wins()
    {
        var spec = Network(1, 3, 3, new Pool2DSpec(PoolKind.Min, 2, 2) { PaddingHeight = 1, PaddingWidth = 1 });
        var input = Flat(new float[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } });

        var output = Run(spec, [], input);

        AssertClose(Flat(new float[,] { { 1, 2 }, { 4, 5 } }), output, Exact);
    }

    [Fact]
    public void Average_pooling_with_ceil_mode_divides_by_the_window_clipped_to_the_padded_input()
    {
        // 4x4 input 1..16, kernel 3, stride 2, padding 1, ceil mode: 3x3 output.
        // Row windows in padded coordinates: [-1,2) -> size 3, real rows 0-1; [1,4) -> 3, rows 1-3;
        // [3,5) -> size 2 (clipped at the padded edge 5, not at 6), real row 3. Columns alike.
        var spec = Network(1, 4, 4, new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 2, StrideWidth = 2, PaddingHeight = 1, PaddingWidth = 1, CeilMode = true });
        Assert.Equal(new[] { 1, 3, 3 }, spec.OutputShape);

        var output = Run(spec, [], Range(1, 16));

        var expected = new float[,]
        {
            { (1 + 2 + 5 + 6) / 9f, (2 + 3 + 4 + 6 + 7 + 8) / 9f, (4 + 8) / 6f },
            { (5 + 6 + 9 + 10 + 13 + 14) / 9f, (6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9f, (8 + 12 + 16) / 6f },
            { (13 + 14) / 6f, (14 + 15 + 16) / 6f, 16 / 4f },
        };
        AssertClose(Flat(expected), output, 1e-5f);
    }

    [Fact]
    public void Average_pooling_with_ceil_mode_and_no_padding_does_not_count_the_overhang()
    {
        // 4x4 input 1..16, kernel 3, stride 2, ceil mode: the second window in each axis covers only 2 inputs
        var spec = Network(1, 4, 4, new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 2, StrideWidth = 2, CeilMode = true });

        var output = Run(spec, [], Range(1, 16));

        AssertClose(Flat(new float[,] { { 54 / 9f, 45 / 6f }, { 72 / 6f, 54 / 4f } }), output, 1e-5f);
    }

    [Fact]
    public void Pooling_works_on_each_channel_separately()
    {
        var spec = Network(2, 2, 2, new Pool2DSpec(PoolKind.Max, 2, 2));

        var output = Run(spec, [], [1, 4, 2, 3, -5, -6, -7, -8]);

        AssertClose([4, -5], output, Exact);
    }

    // ---------------------------------------------------------------- activations, dense, softmax

    [Theory]
    [InlineData(ActivationKind.ReLU, new float[] { -2, 0, 3 }, new float[] { 0, 0, 3 })]
    [InlineData(ActivationKind.Sigmoid, new float[] { -1, 0, 2 }, new float[] { 0.26894142f, 0.5f, 0.88079708f })]
    [InlineData(ActivationKind.Tanh, new float[] { -1, 0, 0.5f }, new float[] { -0.76159416f, 0, 0.46211716f })]
    public void Activations_apply_elementwise(ActivationKind kind, float[] input, float[] expected)
    {
        var output = Run(Network(3, 1, 1, new ActivationSpec(kind)), [], input);

        AssertClose(expected, output, 1e-6f);
    }

    [Fact]
    public void LeakyReLU_scales_negative_values_by_the_slope()
    {
        var output = Run(Network(4, 1, 1, new ActivationSpec(ActivationKind.LeakyReLU) { NegativeSlope = 0.1f }), [], [-2, -0.5f, 0, 3]);

        AssertClose([-0.2f, -0.05f, 0, 3], output, 1e-7f);
    }

    [Fact]
    public void LeakyReLU_default_slope_is_one_hundredth()
    {
        var output = Run(Network(1, 1, 1, new ActivationSpec(ActivationKind.LeakyReLU)), [], [-4]);

        AssertClose([-0.04f], output, 1e-7f);
    }

    [Fact]
    public void Flatten_keeps_the_data_in_C_order()
    {
        var input = Range(0, 12);

        var output = Run(Network(3, 2, 2, new FlattenSpec()), [], input);

        Assert.Equal(input, output);
    }

    [Fact]
    public void Dense_multiplies_by_the_weight_stored_outputs_by_inputs_and_adds_the_bias()
    {
        var spec = Network(3, 1, 1, new FlattenSpec(), new DenseSpec(2));
        float[] parameters = [1, 2, 3, 4, 5, 6, /* bias */ 0.5f, -1];

        var output = Run(spec, parameters, [1, -1, 2]);

        // [1*1 - 2 + 3*2 + 0.5, 4 - 5 + 6*2 - 1]
        AssertClose([5.5f, 10], output, Exact);
    }

    [Fact]
    public void Dense_without_bias()
    {
        var spec = Network(2, 1, 1, new FlattenSpec(), new DenseSpec(1) { Bias = false });

        var output = Run(spec, [3, -2], [4, 5]);

        AssertClose([2], output, Exact);
    }

    [Fact]
    public void Softmax_on_a_vector_normalizes_the_whole_vector()
    {
        var output = Run(Network(3, 1, 1, new FlattenSpec(), new SoftmaxSpec()), [], [1, 2, 3]);

        AssertClose([0.09003057f, 0.24472847f, 0.66524096f], output, 1e-6f);
    }

    [Fact]
    public void Softmax_is_stable_for_large_inputs()
    {
        // exp(1000) overflows float and double; subtracting the max gives the same answer as [1, 2, 3]
        var output = Run(Network(3, 1, 1, new FlattenSpec(), new SoftmaxSpec()), [], [1000, 1001, 1002]);

        AssertClose([0.09003057f, 0.24472847f, 0.66524096f], output, 1e-6f);
    }

    [Fact]
    public void Softmax_on_a_feature_map_normalizes_over_the_channels_at_each_position()
    {
        // 2 channels x 1 x 2: position 0 holds (0, 0), position 1 holds (1, 3)
        var output = Run(Network(2, 1, 2, new SoftmaxSpec()), [], [0, 1, /* channel 1 */ 0, 3]);

        // softmax(0, 0) = (0.5, 0.5); softmax(1, 3) = (1, e^2) / (1 + e^2)
        AssertClose([0.5f, 0.11920292f, 0.5f, 0.88079708f], output, 1e-6f);
    }

    [Fact]
    public void Layers_run_in_order()
    {
        // conv doubles, ReLU clips, flatten, dense sums: sum(max(0, 2x))
        var spec = Network(1, 2, 2, new Conv2DSpec(1, 1, 1) { Bias = false }, new ActivationSpec(ActivationKind.ReLU), new FlattenSpec(), new DenseSpec(1) { Bias = false });

        var output = Run(spec, [2, /* dense */ 1, 1, 1, 1], [1, -2, 3, -4]);

        AssertClose([8], output, Exact);
    }

    // ---------------------------------------------------------------- PyTorch fixtures

    public static IEnumerable<object[]> FixtureCases() =>
        ReadCases().Where(c => c.Kind == "run" && c.Name != "Conv1D").Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Matches_PyTorch_on_fixture(string name)
    {
        var fixture = ReadCases().Single(c => c.Name == name);
        var spec = FixtureSpecs.For(name);
        Assert.Equal(fixture.InputShape, spec.InputShape);
        Assert.Equal(fixture.OutputShape, spec.OutputShape);
        Assert.Equal(fixture.ParameterCount, spec.ParameterCount);

        var network = new ReferenceNetwork(spec);
        network.LoadParameters(FixtureFiles.ReadFloats(name + ".params.f32"));
        var inputs = FixtureFiles.ReadFloats(name + ".input.f32");
        var expected = FixtureFiles.ReadFloats(name + ".expected.f32");
        Assert.Equal(fixture.Batch * spec.InputLength, inputs.Length);
        Assert.Equal(fixture.Batch * spec.OutputLength, expected.Length);

        for (int sample = 0; sample < fixture.Batch; sample++)
        {
            var want = expected.AsSpan(sample * spec.OutputLength, spec.OutputLength).ToArray();
            var got = network.Forward(inputs.AsSpan(sample * spec.InputLength, spec.InputLength));
            FixtureFiles.AssertMatches(want, got, $"{name} sample {sample}");
        }
    }

    private sealed record FixtureCase(string Name, string Kind, int Batch, int[] InputShape, int[] OutputShape, int ParameterCount);

    private static IReadOnlyList<FixtureCase> ReadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("cases.json")));
        return document.RootElement.EnumerateArray().Select(c => new FixtureCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("kind").GetString()!,
            c.TryGetProperty("batch", out var batch) ? batch.GetInt32() : 0,
            Ints(c, "input_shape"),
            Ints(c, "output_shape"),
            c.TryGetProperty("params", out var count) ? count.GetInt32() : 0)).ToArray();
    }

    private static int[] Ints(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) ? array.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [];

    // ---------------------------------------------------------------- argument checking

    [Fact]
    public void Constructor_rejects_a_null_spec()
    {
        Assert.Throws<ArgumentNullException>(() => new ReferenceNetwork(null!));
    }

    [Fact]
    public void Lengths_come_from_the_spec()
    {
        var spec = Network(2, 6, 6, new Conv2DSpec(3, 3, 3) { PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 });

        var network = new ReferenceNetwork(spec);

        Assert.Same(spec, network.Spec);
        Assert.Equal(72, network.InputLength);
        Assert.Equal(108, network.OutputLength);
        Assert.Equal(3 * 2 * 3 * 3 + 3, network.ParameterCount);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(0)]
    public void Forward_rejects_an_input_of_the_wrong_length(int length)
    {
        var network = new ReferenceNetwork(Network(1, 3, 3, new Conv2DSpec(1, 2, 2)));

        var error = Assert.Throws<ArgumentException>(() => network.Forward(new float[length], new float[4]));

        Assert.Equal("input", error.ParamName);
        Assert.Contains("9", error.Message);
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Throws<ArgumentException>(() => network.Forward(new float[length]));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Forward_rejects_an_output_of_the_wrong_length(int length)
    {
        var network = new ReferenceNetwork(Network(1, 3, 3, new Conv2DSpec(1, 2, 2)));

        var error = Assert.Throws<ArgumentException>(() => network.Forward(new float[9], new float[length]));

        Assert.Equal("output", error.ParamName);
        Assert.Contains("4", error.Message);
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(0)]
    public void LoadParameters_rejects_the_wrong_count_and_keeps_the_old_parameters(int count)
    {
        var network = new ReferenceNetwork(Network(1, 2, 2, new Conv2DSpec(1, 2, 2)));
        network.LoadParameters([1, 2, 3, 4, /* bias */ 10]);
        float[] input = [1, 1, 1, 1];
        var before = network.Forward(input);

        var error = Assert.Throws<ArgumentException>(() => network.LoadParameters(new float[count]));

        Assert.Contains("5", error.Message);
        Assert.Contains(count.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Equal(before, network.Forward(input));
        Assert.Equal(new[] { 20f }, before);
    }

    [Fact]
    public void Parameters_start_at_zero()
    {
        var network = new ReferenceNetwork(Network(1, 2, 2, new Conv2DSpec(1, 2, 2)));

        Assert.Equal(new[] { 0f }, network.Forward([1, 2, 3, 4]));
    }

    [Fact]
    public void Changing_the_loaded_array_afterwards_does_not_change_the_network()
    {
        var network = new ReferenceNetwork(Network(1, 1, 1, new Conv2DSpec(1, 1, 1)));
        float[] parameters = [2, 0];
        network.LoadParameters(parameters);

        parameters[0] = 100;

        Assert.Equal(new[] { 6f }, network.Forward([3]));
    }

    [Fact]
    public void Forward_does_not_modify_the_input()
    {
        var network = new ReferenceNetwork(Network(3, 1, 1, new ActivationSpec(ActivationKind.ReLU)));
        float[] input = [-1, 2, -3];

        network.Forward(input);

        Assert.Equal(new float[] { -1, 2, -3 }, input);
    }

    // ---------------------------------------------------------------- helpers

    private static NetworkSpec Network(int channels, int height, int width, params LayerSpec[] layers) => new(channels, height, width, layers);

    private static float[] Run(NetworkSpec spec, float[] parameters, float[] input)
    {
        var network = new ReferenceNetwork(spec);
        network.LoadParameters(parameters);
        var output = new float[network.OutputLength];
        network.Forward(input, output);
        return output;
    }

    /// <summary>A matrix's values row by row (C order).</summary>
    private static float[] Flat(float[,] matrix) => matrix.Cast<float>().ToArray();

    private static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary><paramref name="count"/> consecutive values starting at <paramref name="start"/>.</summary>
    private static float[] Range(int start, int count) => Enumerable.Range(start, count).Select(i => (float)i).ToArray();

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
