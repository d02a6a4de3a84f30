using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// GELU (both forms), Mish and the activations through exp (SiLU, Sigmoid, ELU, SELU) on vectors (the emitted CnnGenGelu,
/// CnnGenGeluTanh, CnnGenMish and CnnGenExp of each flavor), in a convolution's store (a depthwise one's too, which
/// leaves those through exp to a step of their own) and as a step of their own, against the reference engine (in double) to a few float roundings of the value itself, as the
/// elementwise fixtures hold them against PyTorch: inputs across both tails, where GELU falls to 1e-40 and Mish to the
/// subnormals, and the values at which each form changes. The class name holds "Differential", so CI runs it on every
/// SIMD path: the 512-bit forms, Vector&lt;float&gt; at 256 and 128 bits, and the scalar ones.
/// </summary>
public class VectorActivationDifferentialTests
{
    /// <summary>A 1x1 convolution whose weights are the identity passes its input to the activation unchanged: the store applies it (fused) to exactly the input.</summary>
    private const string Fused = "[InputShape(16, 16, 16)]\n[Conv2D(Filters = 16, Kernel = 1)]\n";

    private const string Alone = "[InputShape(16, 16, 16)]\n";

    /// <summary>A depthwise 1x1 convolution of weights 1 passes its input on unchanged too.</summary>
    private const string Depthwise = "[InputShape(16, 16, 16)]\n[Conv2D(Filters = 16, Kernel = 1, Groups = 16)]\n";

    [Theory]
    [InlineData(Fused + "[GELU]", 1e-15)]
    [InlineData(Alone + "[GELU]", 1e-15)]
    [InlineData(Fused + "[Mish]", 1e-37)]
    [InlineData(Alone + "[Mish]", 1e-37)]
    // the reference's double form, 1 + tanh(u), is within 1e-16 of 1: 1e-15 of x / 2 in the tail below zero
    [InlineData(Fused + "[GELU(Approximate = \"tanh\")]", 1e-15)]
    [InlineData(Alone + "[GELU(Approximate = \"tanh\")]", 1e-15)]
    // through exp: below -87.34 exp is subnormal, below -103.97 zero (MathF.Exp's), which x / (1 + exp(-x)) and
    // 1 / (1 + exp(-x)) meet past 87; off by at most that much where the flavor's exp stops short of the subnormals
    [InlineData(Fused + "[SiLU]", 1e-36)]
    [InlineData(Alone + "[SiLU]", 1e-36)]
    [InlineData(Depthwise + "[SiLU]", 1e-36)]
    [InlineData(Fused + "[Sigmoid]", 1e-37)]
    [InlineData(Depthwise + "[Sigmoid]", 1e-37)]
    // exp(x) - 1 as expm1 (VectorExp.WriteExpM1): to the value's own precision near 0 too, times alpha and scale
    [InlineData(Fused + "[ELU(Alpha = 0.5f)]", 1e-44)]
    [InlineData(Depthwise + "[ELU]", 1e-44)]
    [InlineData(Alone + "[SELU]", 1e-44)]
    public void Agrees_with_the_reference_engine_to_float_precision_down_to_the_tails(string attributes, double absolute)
    {
        AssertAgreesWithTheReference(attributes, Inputs(), relative: 1e-6, absolute);
    }

    /// <summary>
    /// A step of its own takes a long chain (erfc, exp) four vectors at a time, then one, then the scalar tail: 283 values are 4 x 4 x 16, one
    /// vector of 16 and 11 in the 512-bit form; 8 x 4 x 8, three vectors of 8 and 3 at 256 bits; 17 x 4 x 4, two
    /// vectors of 4 and 3 at 128 bits. Each value lands on its own result.
    /// </summary>
    [Theory]
    [InlineData("[GELU]", 1e-15)]
    [InlineData("[GELU(Approximate = \"tanh\")]", 1e-15)]
    [InlineData("[Mish]", 1e-37)]
    [InlineData("[SiLU]", 1e-36)]
    [InlineData("[ELU]", 1e-44)]
    public void A_step_of_its_own_covers_a_length_no_group_of_vectors_divides(string activation, double absolute)
    {
        AssertAgreesWithTheReference("[InputShape(1, 1, 283)]\n" + activation, Inputs(283), relative: 1e-6, absolute);
    }

    /// <summary>
    /// PyTorch's ELU and SELU take expm1: exp(x) - 1 in float gave -9.5e-7 for -1e-6 (5% off). Every negative power of
    /// ten down to 1e-38 with its neighbours, and the values about 0.5 where the series gives way to exp, to a few
    /// roundings of the value itself.
    /// </summary>
    [Theory]
    [InlineData(Fused + "[ELU]")]
    [InlineData(Alone + "[ELU(Alpha = 2f)]")]
    [InlineData(Alone + "[SELU]")]
    [InlineData(Fused + "[SELU]")]
    public void ELU_and_SELU_keep_the_relative_precision_of_small_inputs(string attributes)
    {
        var smalls = Enumerable.Range(0, 39).SelectMany(k => new[] { 1f, 1.7f, 3.3f, 7.9f }.Select(m => -m * MathF.Pow(10f, -k)))
            .Concat(new[] { -0.5f, MathF.BitIncrement(-0.5f), MathF.BitDecrement(-0.5f), -0.4999f, -0.5001f, -1e-45f, -0.25f, -0.75f })
            .ToArray();
        var input = new float[16 * 16 * 16];
        for (int i = 0; i < input.Length; i++) input[i] = smalls[i % smalls.Length];
        AssertAgreesWithTheReference(attributes, input, relative: 3e-7, absolute: 1e-45);
    }

    /// <summary>
    /// On vectors GELU computes no subnormal float (each costs an Intel core a microcode assist: inputs of standard
    /// deviation 6 took 7.5 times as long as those of 1): below -12.9, where GELU is under 3e-37 in size, it is -0, as
    /// PyTorch's float form (1 + erf) is from -5.9 down; above it, where its exp was already normal, it keeps its relative
    /// precision (the test above). The scalar form, in double, keeps its subnormals: the 16 x 16 x 16 input leaves no
    /// scalar tail where a SIMD path runs.
    /// </summary>
    [Theory]
    [InlineData(Fused + "[GELU]")]
    [InlineData(Alone + "[GELU]")]
    public void GELU_on_vectors_is_minus_zero_where_it_would_be_subnormal(string attributes)
    {
        var input = new float[16 * 16 * 16];
        for (int i = 0; i < input.Length; i++)
            input[i] = (i % 3) switch
            {
                0 => MathF.BitDecrement(-12.9f) - i * 0.003f,
                1 => -13.2f - i * 1e-4f,
                _ => -i * 1e4f - 14f,
            };
        var net = Generate(attributes);
        if (net.ParameterCount > 0) net.LoadParameters(IdentityConvolution(net.ParameterCount));
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        if (!System.Numerics.Vector.IsHardwareAccelerated)
        {
            Assert.Contains(output, y => y != 0 && float.IsSubnormal(y));
            return;
        }
        for (int i = 0; i < input.Length; i++)
            if (BitConverter.SingleToInt32Bits(output[i]) != BitConverter.SingleToInt32Bits(-0f))
                Assert.Fail($"{attributes.Replace('\n', ' ')}: at x = {input[i]:R} the output is {output[i]:R}, not -0");
    }

    /// <summary>
    /// The network of <paramref name="attributes"/> (its convolution, if any, the identity: <see cref="IdentityConvolution"/>)
    /// on <paramref name="input"/>, each output within <paramref name="relative"/> of the reference engine's plus
    /// <paramref name="absolute"/>.
    /// </summary>
    private static void AssertAgreesWithTheReference(string attributes, float[] input, double relative, double absolute)
    {
        var net = Generate(attributes);
        var reference = new ReferenceNetwork(net.Spec);
        if (net.ParameterCount > 0)
        {
            net.LoadParameters(IdentityConvolution(net.ParameterCount));
            reference.LoadParameters(IdentityConvolution(net.ParameterCount));
        }
        Assert.Equal(net.InputLength, input.Length);

        var expected = reference.Forward(input);
        var actual = new float[net.OutputLength];
        net.Forward(input, actual);

        for (int i = 0; i < input.Length; i++)
        {
            double allowed = relative * Math.Abs(expected[i]) + absolute;
            if (!(Math.Abs(actual[i] - (double)expected[i]) <= allowed))
                Assert.Fail($"{attributes.Replace('\n', ' ')}: at x = {input[i]:R} the output is {actual[i]:R}, the reference engine's {expected[i]:R}");
        }
    }

    [Theory]
    [InlineData("[GELU]")]
    [InlineData("[Mish]")]
    [InlineData("[GELU(Approximate = \"tanh\")]")]
    [InlineData("[SiLU]")]
    [InlineData("[Sigmoid]")]
    [InlineData("[ELU]")]
    [InlineData("[SELU]")]
    public void Infinities_and_NaN_come_out_as_PyTorch_s(string activation)
    {
        var net = Generate(Alone + activation);
        var reference = new ReferenceNetwork(net.Spec);
        var input = new float[net.InputLength];
        var specials = new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f };
        for (int i = 0; i < input.Length; i++) input[i] = specials[i % specials.Length];

        var expected = reference.Forward(input);
        var actual = new float[net.OutputLength];
        net.Forward(input, actual);

        for (int i = 0; i < specials.Length * 40; i++)
            Assert.True(expected[i].Equals(actual[i]), $"{activation}({input[i]}) is {actual[i]:R}, the reference engine's {expected[i]:R}");
    }

    [Theory]
    [InlineData("[GELU]", "CnnGenGelu512(")]
    [InlineData("[GELU(Approximate = \"tanh\")]", "CnnGenGeluTanh512(")]
    [InlineData("[Mish]", "CnnGenMish512(")]
    [InlineData("[SiLU]", "CnnGenExp512(")]
    [InlineData("[ELU]", "CnnGenExpM1512(")]
    [InlineData("[SELU]", "CnnGenExpM1512(")]
    public void Each_runs_its_vector_form(string activation, string call)
    {
        var (_, generated) = AttributeNetworks.GenerateWithSource(Alone + activation, "VectorActivations");
        Assert.Contains(call, generated);
    }

    /// <summary>Every lane of every vector: a sweep of [-120, 120], [-7.5, -4] and [-4, 4] finely, each form's switching values and their neighbours.</summary>
    private static float[] Inputs(int count = 16 * 16 * 16)
    {
        var random = new Random(17);
        var input = new float[count];
        var edges = new[] { -20f, 20f, -14f, 14f, -87f, -90f, -103f, -127f, 0f, -0f, 1e-30f, -1e-30f, 1e-45f, -9f, -8.99f, 44.4f, 88.8f, -10f, 10f, -11f, 11f, -4.96f };
        for (int i = 0; i < input.Length; i++)
            input[i] = (i % 4) switch
            {
                0 => (float)(random.NextDouble() * 240 - 120),
                // where GELU is still above 1e-15 / 1e-6 and exp(-x^2 / 2) needs x * x's low bits
                1 => (float)(random.NextDouble() * -3.5 - 4),
                2 => (float)(random.NextDouble() * 8 - 4),
                _ => edges[i / 4 % edges.Length] is var e && i / 4 / edges.Length % 2 == 1 ? MathF.BitIncrement(e) : edges[i / 4 % edges.Length],
            };
        return input;
    }

    /// <summary>The 1x1 convolution's weight as the identity ([16, 16, 1, 1], or depthwise [16, 1, 1, 1]), its bias 0.</summary>
    private static float[] IdentityConvolution(int parameters)
    {
        var values = new float[parameters];
        int channelsPerGroup = (parameters - 16) / 16;
        for (int f = 0; f < 16; f++) values[f * channelsPerGroup + (channelsPerGroup == 1 ? 0 : f)] = 1f;
        return values;
    }

    private static INetwork Generate(string attributes) => AttributeNetworks.Generate(attributes, "VectorActivations");
}
