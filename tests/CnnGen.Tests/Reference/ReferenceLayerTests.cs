using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Reference;

/// <summary>
/// The reference engine's semantics for BatchNorm2D, global and adaptive pooling, Dropout and Identity,
/// the newer activations, PReLU, LogSoftmax and module names: worked examples, then every PyTorch case
/// of tests/fixtures/layers.
/// </summary>
public class ReferenceLayerTests
{
    private const float Exact = 1e-6f;

    // ---------------------------------------------------------------- BatchNorm2D

    [Fact]
    public void BatchNorm_normalizes_each_channel_with_its_running_statistics_then_scales_and_shifts()
    {
        // 2 channels of 1 x 2; Epsilon 0 so that the standard deviations are exactly sqrt(var) = 2 and 4
        var spec = Network(2, 1, 2, new BatchNorm2DSpec { Epsilon = 0f });
        float[] state =
        [
            /* weight */ 2, 0.5f,
            /* bias */ 1, -1,
            /* running_mean */ 2, 0,
            /* running_var */ 4, 16,
        ];

        var output = Run(spec, state, [1, 3, /* channel 1 */ -2, 2]);

        // channel 0: (x - 2) / 2 * 2 + 1; channel 1: (x - 0) / 4 * 0.5 - 1
        AssertClose([0, 2, -1.25f, -0.75f], output, Exact);
    }

    [Fact]
    public void BatchNorm_adds_Epsilon_to_the_variance()
    {
        // var + eps = 1 and 4
        var spec = Network(2, 1, 1, new BatchNorm2DSpec { Epsilon = 0.25f });

        var output = Run(spec, [/* weight */ 1, 1, /* bias */ 0, 0, /* mean */ 0, 0, /* var */ 0.75f, 3.75f], [3, 3]);

        AssertClose([3, 1.5f], output, Exact);
    }

    [Fact]
    public void BatchNorm_without_Affine_has_only_the_running_statistics()
    {
        var spec = Network(2, 1, 2, new BatchNorm2DSpec { Affine = false, Epsilon = 0f });
        Assert.Equal(["0.running_mean", "0.running_var"], spec.Parameters.Select(p => p.Name));
        Assert.All(spec.Parameters, p => Assert.True(p.IsBuffer));

        var output = Run(spec, [/* mean */ 1, -1, /* var */ 4, 0.25f], [1, 5, /* channel 1 */ -1, 0]);

        // (x - 1) / 2 and (x + 1) / 0.5
        AssertClose([0, 2, 0, 2], output, Exact);
    }

    [Fact]
    public void BatchNorm_tensors_are_weight_bias_running_mean_running_var_in_state_dict_order()
    {
        var spec = Network(3, 2, 2, new BatchNorm2DSpec());

        Assert.Equal(["0.weight", "0.bias", "0.running_mean", "0.running_var"], spec.Parameters.Select(p => p.Name));
        Assert.Equal([false, false, true, true], spec.Parameters.Select(p => p.IsBuffer));
        Assert.Equal([0, 3, 6, 9], spec.Parameters.Select(p => p.Offset));
    }

    // ---------------------------------------------------------------- global pooling

    [Fact]
    public void Global_average_pooling_takes_the_mean_of_each_channel()
    {
        var spec = Network(2, 2, 3, new GlobalPool2DSpec(PoolKind.Average));
        Assert.Equal([2, 1, 1], spec.OutputShape);

        var output = Run(spec, [], [1, 2, 3, 4, 5, 6, /* channel 1 */ -1, -5, -3, 0, -2, -4]);

        AssertClose([3.5f, -2.5f], output, Exact);
    }

    [Fact]
    public void Global_max_pooling_takes_the_maximum_of_each_channel()
    {
        var output = Run(Network(2, 2, 3, new GlobalPool2DSpec(PoolKind.Max)), [], [1, 2, 3, 6, 5, 4, /* channel 1 */ -1, -5, -3, -0.5f, -2, -4]);

        AssertClose([6, -0.5f], output, Exact);
    }

    [Fact]
    public void Global_max_pooling_propagates_NaN()
    {
        var output = Run(Network(2, 1, 2, new GlobalPool2DSpec(PoolKind.Max)), [], [1, float.NaN, 3, 2]);

        Assert.True(float.IsNaN(output[0]));
        Assert.Equal(3f, output[1]);
    }

    // ---------------------------------------------------------------- adaptive pooling

    [Fact]
    public void Adaptive_pooling_8_to_3_uses_overlapping_windows_0_3_2_6_5_8()
    {
        // cell i reduces [floor(8i/3), ceil(8(i+1)/3)): [0, 3), [2, 6), [5, 8)
        float[] input = Range(0, 8);

        var average = Run(Network(1, 1, 8, new AdaptivePool2DSpec(PoolKind.Average, 1, 3)), [], input);
        var maximum = Run(Network(1, 1, 8, new AdaptivePool2DSpec(PoolKind.Max, 1, 3)), [], input);

        AssertClose([(0 + 1 + 2) / 3f, (2 + 3 + 4 + 5) / 4f, (5 + 6 + 7) / 3f], average, Exact);
        AssertClose([2, 5, 7], maximum, Exact);
    }

    [Fact]
    public void Adaptive_pooling_3_to_5_repeats_inputs()
    {
        // cell i reduces [floor(3i/5), ceil(3(i+1)/5)): [0, 1), [0, 2), [1, 2), [1, 3), [2, 3)
        float[] input = [10, 20, 30];

        var average = Run(Network(1, 3, 1, new AdaptivePool2DSpec(PoolKind.Average, 5, 1)), [], input);
        var maximum = Run(Network(1, 3, 1, new AdaptivePool2DSpec(PoolKind.Max, 5, 1)), [], input);

        AssertClose([10, 15, 20, 25, 30], average, Exact);
        AssertClose([10, 20, 20, 30, 30], maximum, Exact);
    }

    [Fact]
    public void Adaptive_pooling_to_a_rectangle_bins_each_axis_separately()
    {
        // 4 x 3 input 3y + x, output 2 x 2: rows [0, 2), [2, 4); columns [0, 2), [1, 3)
        var averageSpec = Network(1, 4, 3, new AdaptivePool2DSpec(PoolKind.Average, 2, 2));
        Assert.Equal([1, 2, 2], averageSpec.OutputShape);

        var average = Run(averageSpec, [], Range(0, 12));
        var maximum = Run(Network(1, 4, 3, new AdaptivePool2DSpec(PoolKind.Max, 2, 2)), [], Range(0, 12));

        // {0, 1, 3, 4}, {1, 2, 4, 5}, {6, 7, 9, 10}, {7, 8, 10, 11}
        AssertClose([2, 3, 8, 9], average, Exact);
        AssertClose([4, 5, 10, 11], maximum, Exact);
    }

    [Fact]
    public void Adaptive_pooling_to_the_input_size_is_the_identity()
    {
        float[] input = [3, -1, 4, 1, -5, 9];

        var output = Run(Network(1, 2, 3, new AdaptivePool2DSpec(PoolKind.Average, 2, 3), new AdaptivePool2DSpec(PoolKind.Max, 2, 3)), [], input);

        AssertClose(input, output, 0f);
    }

    // ---------------------------------------------------------------- activations

    private static readonly Dictionary<string, ActivationSpec> Activations = new()
    {
        ["ReLU6"] = new ActivationSpec(ActivationKind.ReLU6),
        ["Hardtanh"] = new ActivationSpec(ActivationKind.Hardtanh),
        ["Hardtanh -2.5..4"] = new ActivationSpec(ActivationKind.Hardtanh) { Min = -2.5f, Max = 4 },
        ["Hardsigmoid"] = new ActivationSpec(ActivationKind.Hardsigmoid),
        ["Hardswish"] = new ActivationSpec(ActivationKind.Hardswish),
        ["SiLU"] = new ActivationSpec(ActivationKind.SiLU),
        ["Mish"] = new ActivationSpec(ActivationKind.Mish),
        ["GELU"] = new ActivationSpec(ActivationKind.GELU),
        ["GELU tanh"] = new ActivationSpec(ActivationKind.GELU) { Approximate = "tanh" },
        ["ELU"] = new ActivationSpec(ActivationKind.ELU),
        ["ELU alpha 0.5"] = new ActivationSpec(ActivationKind.ELU) { Alpha = 0.5f },
        ["SELU"] = new ActivationSpec(ActivationKind.SELU),
        ["Softplus"] = new ActivationSpec(ActivationKind.Softplus),
        ["Softplus beta 0.5"] = new ActivationSpec(ActivationKind.Softplus) { Beta = 0.5f, Threshold = 3 },
    };

    public static TheoryData<string, float[], float[]> ActivationPoints() => new()
    {
        // kinks at 0 and 6
        { "ReLU6", [-1, 0, 3, 6, 7], [0, 0, 3, 6, 6] },
        // kinks at Min and Max, default -1 and 1
        { "Hardtanh", [-2, -1, 0.5f, 1, 2], [-1, -1, 0.5f, 1, 1] },
        { "Hardtanh -2.5..4", [-3, -2.5f, 0, 4, 5], [-2.5f, -2.5f, 0, 4, 4] },
        // min(max(x + 3, 0), 6) / 6: kinks at -3 and 3
        { "Hardsigmoid", [-4, -3, 0, 1.5f, 3, 4], [0, 0, 0.5f, 0.75f, 1, 1] },
        // x * that: 0 below -3, x above 3
        { "Hardswish", [-4, -3, -1.5f, 0, 1.5f, 3, 4], [0, 0, -0.375f, 0, 1.125f, 3, 4] },
        // x * sigmoid(x)
        { "SiLU", [-2, 0, 1, 20], [-0.23840584404423512f, 0, 0.7310585786300049f, 19.99999995877693f] },
        // x * tanh(log(1 + exp(x)))
        { "Mish", [-2, 0, 1, 30], [-0.2525014826957089f, 0, 0.8650983882673103f, 30] },
        // x * Phi(x)
        { "GELU", [-3, -1, 0, 0.5f, 1, 3], [-0.0040496940948902835f, -0.15865525393145705f, 0, 0.34573123063700656f, 0.8413447460685429f, 2.99595030590511f] },
        // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        { "GELU tanh", [-3, -1, 0, 0.5f, 1, 3], [-0.003637392081773019f, -0.1588080093917233f, 0, 0.34571400982514394f, 0.8411919906082767f, 2.996362607918227f] },
        // x above 0, Alpha * (exp(x) - 1) at and below
        { "ELU", [-2, 0, 0.5f], [-0.8646647167633873f, 0, 0.5f] },
        { "ELU alpha 0.5", [-2, 0, 0.5f], [-0.43233235838169365f, 0, 0.5f] },
        // scale * ELU(x, alpha) with scale 1.0507..., alpha 1.6732...
        { "SELU", [-1, 0, 2], [-1.1113307378125628f, 0, 2.101401974710961f] },
        // log(1 + exp(x)), x itself above Threshold 20 (at 20 exactly the log form, equal to 20 in float)
        { "Softplus", [-2, 0, 1, 20, 21], [0.1269280110429725f, 0.6931471805599453f, 1.3132616875182228f, 20.000000002061153f, 21] },
        // Beta 0.5, Threshold 3: 2 log(1 + exp(x / 2)) up to x = 6 included, x itself beyond (a visible jump)
        { "Softplus beta 0.5", [5.9f, 6, 6.5f], [6.0020319531790705f, 6.097174703147484f, 6.5f] },
    };

    [Theory]
    [MemberData(nameof(ActivationPoints))]
    public void Activation_values_on_each_side_of_every_kink(string activation, float[] input, float[] expected)
    {
        var output = Run(Network(input.Length, 1, 1, Activations[activation]), [], input);

        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = 2e-7 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(output[i] - expected[i]) <= allowed, $"{activation}({input[i]}) = {output[i]:R}, expected {expected[i]:R}");
        }
    }

    [Fact]
    public void GELU_keeps_its_tiny_negative_tail()
    {
        // 1 + erf(x / sqrt 2) would cancel to 0 in double at x = -10; x * Phi(-10) is -7.6e-23
        var output = Run(Network(1, 1, 1, new ActivationSpec(ActivationKind.GELU)), [], [-10]);

        Assert.Equal(-7.619853024160526e-23, output[0], 1e-29);
    }

    // ---------------------------------------------------------------- erf and friends

    // The engine's own special functions, compiled into the tests from the library's source (the
    // library's internals are not visible here: the generator, which links the same IR types, shows its own)
    private static double Erf(double x) => ReferenceMath.Erf(x);

    private static double Erfc(double x) => ReferenceMath.Erfc(x);

    private static double Log1P(double x) => ReferenceMath.Log1P(x);

    private static double ExpM1(double x) => ReferenceMath.ExpM1(x);

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(1.5, 0.9661051464753108)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.5, 0.999593047982555)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(4.0, 0.9999999845827421)]
    [InlineData(6.0, 1.0)]
    public void Erf_matches_known_values_and_is_odd(double x, double erf)
    {
        Assert.Equal(erf, Erf(x), 1e-15);
        Assert.Equal(-erf, Erf(-x), 1e-15);
        Assert.Equal(1 - erf, Erfc(x), 1e-15);
        Assert.Equal(1 + erf, Erfc(-x), 1e-15);
    }

    [Theory]
    [InlineData(2.0, 0.004677734981047266)]
    [InlineData(3.0, 2.209049699858544e-05)]
    [InlineData(5.0, 1.537459794428035e-12)]
    [InlineData(6.0, 2.1519736712498913e-17)]
    [InlineData(10.0, 2.088487583762545e-45)]
    public void Erfc_keeps_its_relative_precision_in_the_tail(double x, double erfc)
    {
        Assert.True(Math.Abs(Erfc(x) - erfc) <= 1e-13 * erfc, $"erfc({x}) = {Erfc(x):R}, expected {erfc:R}");
    }

    [Fact]
    public void Erf_of_the_extremes()
    {
        Assert.Equal(1.0, Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, Erf(double.NegativeInfinity));
        Assert.True(double.IsNaN(Erf(double.NaN)));
        Assert.Equal(1e-20 * 1.1283791670955126, Erf(1e-20), 1e-35);
    }

    [Theory]
    [InlineData(1e-20, 1e-20, 1e-20)]
    [InlineData(1e-10, 9.9999999995e-11, 1.00000000005e-10)]
    [InlineData(0.5, 0.4054651081081644, 0.6487212707001282)]
    [InlineData(-0.5, -0.6931471805599453, -0.3934693402873666)]
    public void Log1P_and_ExpM1_do_not_lose_small_arguments(double x, double log1p, double expm1)
    {
        Assert.Equal(log1p, Log1P(x), Math.Abs(log1p) * 1e-15);
        Assert.Equal(expm1, ExpM1(x), Math.Abs(expm1) * 1e-15);
    }

    // ---------------------------------------------------------------- PReLU

    [Fact]
    public void PReLU_with_one_parameter_shares_the_slope_across_channels()
    {
        var spec = Network(2, 1, 2, new PReLUSpec());
        Assert.Equal(["0.weight"], spec.Parameters.Select(p => p.Name));

        var output = Run(spec, [0.25f], [-2, 3, /* channel 1 */ -4, 0]);

        AssertClose([-0.5f, 3, -1, 0], output, Exact);
    }

    [Fact]
    public void PReLU_per_channel_scales_each_channel_by_its_own_slope()
    {
        var output = Run(Network(2, 1, 2, new PReLUSpec { Parameters = 2 }), [0.5f, 0.1f], [-2, 3, /* channel 1 */ -4, 0]);

        AssertClose([-1, 3, -0.4f, 0], output, Exact);
    }

    [Fact]
    public void PReLU_on_a_vector_has_one_slope_per_feature()
    {
        // the map had one channel; after Flatten the features are the channels
        var spec = Network(1, 1, 3, new FlattenSpec(), new PReLUSpec { Parameters = 3 });
        Assert.Equal("1.weight", spec.Parameters.Single().Name);

        var output = Run(spec, [0.1f, 0.2f, 0.3f], [-1, -1, 2]);

        AssertClose([-0.1f, -0.2f, 2], output, Exact);
    }

    // ---------------------------------------------------------------- LogSoftmax

    [Fact]
    public void LogSoftmax_on_a_vector_is_x_minus_the_log_of_the_sum_of_exponentials()
    {
        var output = Run(Network(3, 1, 1, new FlattenSpec(), new LogSoftmaxSpec()), [], [1, 2, 3]);

        AssertClose([-2.40760596444438f, -1.4076059644443804f, -0.4076059644443803f], output, Exact);
    }

    [Fact]
    public void LogSoftmax_is_stable_for_large_inputs()
    {
        // exp(1002) overflows; subtracting the max first gives the values of [1, 2, 3]
        var output = Run(Network(3, 1, 1, new FlattenSpec(), new LogSoftmaxSpec()), [], [1000, 1001, 1002]);

        AssertClose([-2.40760596444438f, -1.4076059644443804f, -0.4076059644443803f], output, Exact);
    }

    [Fact]
    public void LogSoftmax_on_a_feature_map_works_over_the_channels_at_each_position()
    {
        // 2 channels x 1 x 2: position 0 holds (0, 0), position 1 holds (1, 3)
        var output = Run(Network(2, 1, 2, new LogSoftmaxSpec()), [], [0, 1, /* channel 1 */ 0, 3]);

        // (-log 2, -log 2); (1 - 3 - log(1 + e^-2), -log(1 + e^-2))
        AssertClose([-0.6931471805599453f, -2.1269280110429727f, -0.6931471805599453f, -0.1269280110429725f], output, Exact);
    }

    // ---------------------------------------------------------------- Dropout, Identity, module names

    [Fact]
    public void Dropout_and_Identity_pass_the_input_on_unchanged()
    {
        float[] input = [-1.5f, 0, 2, float.NaN, 7, -0f];

        var output = Run(Network(2, 1, 3, new DropoutSpec { P = 0.9f }, new IdentitySpec(), new DropoutSpec()), [], input);

        Assert.Equal(input, output);
    }

    [Fact]
    public void Dropout_and_Identity_take_positions_so_later_tensors_are_renumbered()
    {
        // nn.Sequential(Dropout, Conv2d, Identity, Flatten, Linear): the tensors are 1.* and 4.*
        var spec = Network(1, 2, 2, new DropoutSpec(), new Conv2DSpec(1, 1, 1), new IdentitySpec(), new FlattenSpec(), new DenseSpec(1));
        Assert.Equal(["1.weight", "1.bias", "4.weight", "4.bias"], spec.Parameters.Select(p => p.Name));
        Assert.Equal([1, 1, 4, 4], spec.Parameters.Select(p => p.LayerIndex));

        var output = Run(spec, [/* conv */ 2, 1, /* dense */ 1, 1, 1, 1, 0.5f], [1, 2, 3, 4]);

        // conv: 2x + 1 = 3, 5, 7, 9; dense: their sum + 0.5
        AssertClose([24.5f], output, Exact);
    }

    [Fact]
    public void Named_layers_key_their_tensors_by_name_and_the_others_by_position()
    {
        var spec = Network(1, 3, 3,
            new Conv2DSpec(2, 1, 1) { ModuleName = "stem" },
            new BatchNorm2DSpec { ModuleName = "stem_bn", Epsilon = 0f },
            new ActivationSpec(ActivationKind.ReLU),
            new Conv2DSpec(1, 3, 3),
            new PReLUSpec { ModuleName = "act" },
            new FlattenSpec { ModuleName = "flat" },
            new DenseSpec(1) { ModuleName = "head" });

        Assert.Equal(
            [
                "stem.weight", "stem.bias",
                "stem_bn.weight", "stem_bn.bias", "stem_bn.running_mean", "stem_bn.running_var",
                "3.weight", "3.bias",
                "act.weight",
                "head.weight", "head.bias",
            ],
            spec.Parameters.Select(p => p.Name));

        float[] state =
        [
            /* stem */ 1, -1, 0, 0,
            /* stem_bn */ 1, 1, 0, 0, 0, 0, 1, 1,
            /* 3: sums channel 0's 3 x 3, ignores channel 1 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -50,
            /* act */ 0.5f,
            /* head */ 3, 1,
        ];

        var output = Run(spec, state, Range(1, 9));

        // stem: channel 0 = x, channel 1 = -x; ReLU keeps channel 0; 3: 45 - 50 = -5; act: -2.5; head: 3 * -2.5 + 1
        AssertClose([-6.5f], output, Exact);
    }

    // ---------------------------------------------------------------- PyTorch fixtures (tests/fixtures/layers)

    public static TheoryData<string> RunCases() => new(ReadCases().Where(c => c.Kind == "run").Select(c => c.Name));

    public static TheoryData<string> ErrorCases() => new(ReadCases().Where(c => c.Kind == "error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Matches_PyTorch_on_layer_fixture(string name)
    {
        var (fixture, spec) = Fixture(name);
        var network = new ReferenceNetwork(spec);
        network.LoadParameters(FixtureFiles.ReadFloats(LayerFile(name, ".params.f32")));

        FixtureFiles.AssertMatches(Expected(fixture, spec), RunOneByOne(network, fixture), name);
    }

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Matches_PyTorch_on_layer_fixture_loaded_from_safetensors(string name)
    {
        // the files also hold BatchNorm's num_batches_tracked (I64), which is not part of the state vector
        var (fixture, spec) = Fixture(name);
        var fromPath = new ReferenceNetwork(spec);
        fromPath.LoadSafetensors(FixtureFiles.PathOf(LayerFile(name, ".safetensors")));
        var fromStream = new ReferenceNetwork(spec);
        using (var stream = File.OpenRead(FixtureFiles.PathOf(LayerFile(name, ".safetensors")))) fromStream.LoadSafetensors(stream);

        FixtureFiles.AssertMatches(Expected(fixture, spec), RunOneByOne(fromPath, fixture), name + " from a path");
        FixtureFiles.AssertMatches(Expected(fixture, spec), RunOneByOne(fromStream, fixture), name + " from a stream");
        var batch = new float[fixture.Batch * spec.OutputLength];
        fromPath.ForwardBatch(FixtureFiles.ReadFloats(LayerFile(name, ".input.f32")), batch);
        FixtureFiles.AssertMatches(Expected(fixture, spec), batch, name + " as a batch");
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void NetworkSpec_rejects_the_layer_fixtures_the_generator_rejects(string name)
    {
        var fixture = ReadCases().Single(c => c.Name == name);

        var error = Assert.Throws<ArgumentException>(() => LayerFixtureSpecs.For(name));

        // NAME.cs has the usings, the namespace and [InputShape] on lines 1-5: layer i is on line 6 + i
        Assert.Contains($"(layer {fixture.Line - 6})", error.Message);
    }

    [Fact]
    public void Every_layer_fixture_has_a_spec()
    {
        Assert.Equal(ReadCases().Select(c => c.Name).Order(), LayerFixtureSpecs.Names.Order());
    }

    private static (FixtureCase Fixture, NetworkSpec Spec) Fixture(string name)
    {
        var fixture = ReadCases().Single(c => c.Name == name);
        var spec = LayerFixtureSpecs.For(name);
        Assert.Equal(fixture.InputShape, spec.InputShape);
        Assert.Equal(fixture.OutputShape, spec.OutputShape);
        Assert.Equal(fixture.ParameterCount, spec.ParameterCount);
        return (fixture, spec);
    }

    private static float[] Expected(FixtureCase fixture, NetworkSpec spec)
    {
        var expected = FixtureFiles.ReadFloats(LayerFile(fixture.Name, ".expected.f32"));
        Assert.Equal(fixture.Batch * spec.OutputLength, expected.Length);
        return expected;
    }

    private static float[] RunOneByOne(ReferenceNetwork network, FixtureCase fixture)
    {
        var inputs = FixtureFiles.ReadFloats(LayerFile(fixture.Name, ".input.f32"));
        Assert.Equal(fixture.Batch * network.InputLength, inputs.Length);
        var outputs = new float[fixture.Batch * network.OutputLength];
        for (int sample = 0; sample < fixture.Batch; sample++)
        {
            network.Forward(
                inputs.AsSpan(sample * network.InputLength, network.InputLength),
                outputs.AsSpan(sample * network.OutputLength, network.OutputLength));
        }
        return outputs;
    }

    private static string LayerFile(string name, string extension) => Path.Combine("layers", name + extension);

    private sealed record FixtureCase(string Name, string Kind, int Batch, int[] InputShape, int[] OutputShape, int ParameterCount, int Line);

    private static IReadOnlyList<FixtureCase> ReadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf(LayerFile("cases", ".json"))));
        return document.RootElement.EnumerateArray().Select(c => new FixtureCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("kind").GetString()!,
            c.TryGetProperty("batch", out var batch) ? batch.GetInt32() : 0,
            Ints(c, "input_shape"),
            Ints(c, "output_shape"),
            c.TryGetProperty("params", out var count) ? count.GetInt32() : 0,
            c.TryGetProperty("line", out var line) ? line.GetInt32() : 0)).ToArray();
    }

    private static int[] Ints(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) ? array.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [];

    // ---------------------------------------------------------------- helpers

    private static NetworkSpec Network(int channels, int height, int width, params LayerSpec[] layers) => new(channels, height, width, layers);

    private static float[] Run(NetworkSpec spec, float[] parameters, float[] input)
    {
        var network = new ReferenceNetwork(spec);
        network.LoadParameters(parameters);
        return network.Forward(input);
    }

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
