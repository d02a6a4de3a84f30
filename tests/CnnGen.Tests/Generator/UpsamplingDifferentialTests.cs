using System;
using System.Globalization;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// [Upsample] (nn.Upsample with whole factors, nearest or bilinear) and [PixelShuffle]: PyTorch 1.13's
/// outputs worked out or printed by it, the generated code against the reference engine on every SIMD
/// path in CI (the class name is in its filter), and their mistakes as compile errors on the argument at fault.
/// </summary>
public class UpsamplingDifferentialTests
{
    private const float Tolerance = 1e-6f;

    [Fact]
    public void Nearest_repeats_each_pixel()
    {
        var output = Run("[InputShape(1, 2, 2)] [Upsample]", [1, 2, 3, 4]);

        Assert.Equal(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, output);
    }

    /// <summary>PyTorch computes floor(d * (1/s)) in float: with s = 41, output 41 reads input 0, not 1 (printed by PyTorch 1.13).</summary>
    [Fact]
    public void Nearest_picks_the_pixel_PyTorch_picks_with_a_large_factor()
    {
        var input = Enumerable.Range(0, 487).Select(i => (float)i).ToArray();

        var output = Run("[InputShape(1, 1, 487)] [Upsample(ScaleHeight = 1, ScaleWidth = 41)]", input);

        Assert.Equal(new float[] { 0, 1, 3, 6, 7 }, new[] { 41, 82, 164, 287, 328 }.Select(d => output[d]));
        Assert.Equal(new float[] { 0, 1, 486 }, new[] { 40, 42, 487 * 41 - 1 }.Select(d => output[d]));
    }

    [Theory]
    // F.interpolate([1, 3], scale_factor=(1, 2), mode="bilinear", align_corners=...) in PyTorch 1.13
    [InlineData(false, new float[] { 1, 1.5f, 2.5f, 3 })]
    [InlineData(true, new float[] { 1, 1.6666666f, 2.3333333f, 3 })]
    public void Bilinear_mixes_the_neighbours_by_distance(bool alignCorners, float[] expected)
    {
        var output = Run($"[InputShape(1, 1, 2)] [Upsample(ScaleHeight = 1, ScaleWidth = 2, Mode = \"bilinear\", AlignCorners = {(alignCorners ? "true" : "false")})]", [1, 3]);

        FixtureFiles.AssertMatches(expected, output, "bilinear");
    }

    [Fact]
    public void Bilinear_with_two_factors_is_PyTorchs()
    {
        // F.interpolate(arange(6).reshape(1, 1, 2, 3), scale_factor=(3, 2), mode="bilinear") in PyTorch 1.13
        float[] expected =
        [
            0, 0.25f, 0.75f, 1.25f, 1.75f, 2, 4.470348e-08f, 0.25000006f, 0.75000006f, 1.2500001f, 1.7500001f, 2,
            1.0000001f, 1.2500001f, 1.7500001f, 2.25f, 2.75f, 3, 2, 2.25f, 2.75f, 3.25f, 3.75f, 4,
            3, 3.25f, 3.75f, 4.25f, 4.75f, 5, 3, 3.25f, 3.75f, 4.25f, 4.75f, 5,
        ];

        var output = Run("[InputShape(1, 2, 3)] [Upsample(ScaleHeight = 3, ScaleWidth = 2, Mode = \"bilinear\")]", [0, 1, 2, 3, 4, 5]);

        Assert.All(expected.Zip(output), p => Assert.True(MathF.Abs(p.First - p.Second) <= Tolerance, $"{p.First} != {p.Second}"));
    }

    [Fact]
    public void PixelShuffle_puts_the_channels_of_a_pixel_side_by_side()
    {
        // 8 channels of 1 x 2 to 2 channels of 2 x 4: channel c * 4 + i * 2 + j lands at row i, column w * 2 + j
        var input = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();

        var output = Run("[InputShape(8, 1, 2)] [PixelShuffle(Factor = 2)]", input);

        Assert.Equal(new float[] { 0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15 }, output);
    }

    [Theory]
    [InlineData("[InputShape(3, 5, 7)] [Upsample(Scale = 3)]")]
    [InlineData("[InputShape(2, 4, 3)] [Upsample(ScaleHeight = 1, ScaleWidth = 5)] [Conv2D(Filters = 2, Kernel = 3)]")]
    [InlineData("[InputShape(2, 9, 1)] [Upsample(Scale = 1)] [Upsample(ScaleHeight = 7, ScaleWidth = 2)]")]
    [InlineData("[InputShape(3, 5, 7)] [Upsample(Mode = \"bilinear\")]")]
    [InlineData("[InputShape(3, 5, 7)] [Upsample(ScaleHeight = 3, ScaleWidth = 4, Mode = \"bilinear\", AlignCorners = true)]")]
    [InlineData("[InputShape(2, 1, 1)] [Upsample(Scale = 3, Mode = \"bilinear\", AlignCorners = true)] [Upsample(Scale = 2, Mode = \"bilinear\")]")]
    [InlineData("[InputShape(2, 1, 6)] [Upsample(ScaleHeight = 4, ScaleWidth = 1, Mode = \"bilinear\")]")]
    [InlineData("[InputShape(16, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [ReLU] [Upsample] [Conv2D(Filters = 16, Kernel = 3, Padding = 1)] [Upsample(Mode = \"bilinear\")]")]
    // ESPCN: a convolution to C * r * r channels, then the shuffle
    [InlineData("[InputShape(1, 6, 5)] [Conv2D(Filters = 16, Kernel = 5, Padding = 2)] [Tanh] [Conv2D(Filters = 9, Kernel = 3, Padding = 1)] [PixelShuffle(Factor = 3)]")]
    [InlineData("[InputShape(32, 4, 4)] [PixelShuffle(Factor = 2)] [PixelShuffle(Factor = 1)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1, PaddingMode = \"reflect\")] [PixelShuffle(Factor = 2)]")]
    [InlineData("[Block] [Upsample] [Conv2D(Filters = 4, Kernel = 1)] public partial class Up { } [Block] [PixelShuffle(Factor = 2)] [Conv2D(Filters = 4, Kernel = 1)] public partial class Shuffle { } "
        + "[InputShape(16, 3, 5)] [Concat(typeof(Up), typeof(Shuffle))] [ReLU]")]
    public void Upsampling_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    [Fact]
    public void The_spec_and_TorchSource_name_PyTorchs_modules()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Resize;\n"
            + "[InputShape(8, 2, 2)] [Upsample] [Upsample(ScaleHeight = 2, ScaleWidth = 3, Mode = \"bilinear\", AlignCorners = true)] [PixelShuffle(Factor = 2)]\npublic partial class Net { }");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = GeneratorHarness.Load(result.Output).GetType("Resize.Net")!;
        var net = (INetwork)Activator.CreateInstance(type)!;

        Assert.Equal(new[] { 2, 16, 24 }, net.Spec.OutputShape);
        var bilinear = Assert.IsType<UpsampleSpec>(net.Spec.Layers[1]);
        Assert.Equal((2, 3, "bilinear", true), (bilinear.ScaleHeight, bilinear.ScaleWidth, bilinear.Mode, bilinear.AlignCorners));
        Assert.Equal(2, Assert.IsType<PixelShuffleSpec>(net.Spec.Layers[2]).Factor);
        string torch = (string)type.GetField("TorchSource")!.GetValue(null)!;
        Assert.Contains("nn.Upsample(scale_factor=2, mode=\"nearest\")", torch, StringComparison.Ordinal);
        Assert.Contains("nn.Upsample(scale_factor=(2, 3), mode=\"bilinear\", align_corners=True)", torch, StringComparison.Ordinal);
        Assert.Contains("nn.PixelShuffle(2)", torch, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[InputShape(2, 4, 4)] [Upsample(Scale = 0)]", "CNN0005", "Scale = 0", "Upsample (layer 0): Scale = 0 is invalid; it must be at least 1")]
    [InlineData("[InputShape(2, 4, 4)] [Upsample(ScaleWidth = -2)]", "CNN0005", "ScaleWidth = -2", "Upsample (layer 0): ScaleWidth = -2 is invalid; it must be at least 1")]
    [InlineData("[InputShape(2, 4, 4)] [Upsample(Mode = \"bicubic\")]", "CNN0005", "Mode = \"bicubic\"",
        "Upsample (layer 0): Mode = \"bicubic\" is invalid; it must be \"nearest\" or \"bilinear\"")]
    [InlineData("[InputShape(2, 4, 4)] [Upsample(AlignCorners = true)]", "CNN0005", "AlignCorners = true",
        "Upsample (layer 0): AlignCorners = true is invalid; it must be false with Mode \"nearest\" (only the interpolating modes align corners)")]
    [InlineData("[InputShape(2, 4, 4)] [Upsample(Scale = 2, ScaleHeight = 3)]", "CNN0007", "ScaleHeight = 3", null)]
    [InlineData("[InputShape(2, 8)] [Upsample]", "CNN0016", "Upsample", "Upsample (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 8]")]
    [InlineData("[InputShape(4, 1 << 14, 1 << 13)] [Upsample]", "CNN0017", "Upsample", null)]
    [InlineData("[InputShape(6, 4, 4)] [PixelShuffle(Factor = 2)]", "CNN0027", "Factor = 2",
        "PixelShuffle (layer 0): InputShape produces 6 channels, which Factor * Factor = 4 does not divide; PixelShuffle turns each 4 channels into one channel 2 times the height and width")]
    [InlineData("[InputShape(4, 4, 4)] [PixelShuffle]", "CNN0006", "PixelShuffle", "PixelShuffle (layer 0) needs Factor")]
    [InlineData("[InputShape(4, 4, 4)] [PixelShuffle(Factor = 0)]", "CNN0005", "Factor = 0", "PixelShuffle (layer 0): Factor = 0 is invalid; it must be at least 1")]
    [InlineData("[InputShape(4, 4, 4)] [PixelShuffle(Factor = 65536)]", "CNN0027", "Factor = 65536", null)]
    [InlineData("[InputShape(4, 4, 4)] [Flatten] [PixelShuffle(Factor = 2)]", "CNN0016", "PixelShuffle(Factor = 2)", null)]
    public void An_upsampling_mistake_is_one_error_on_its_argument(string attributes, string id, string span, string? message) =>
        AttributeNetworks.AssertOneError(attributes, id, span, message);

    private static float[] Run(string attributes, float[] input)
    {
        var net = Generate(attributes);
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        var reference = new ReferenceNetwork(net.Spec);
        FixtureFiles.AssertMatches(reference.Forward(input), output, attributes);
        return output;
    }

    private static INetwork Generate(string attributes) => AttributeNetworks.Generate(attributes, "Resize");
}
