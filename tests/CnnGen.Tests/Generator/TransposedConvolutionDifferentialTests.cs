using System;
using System.Globalization;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// [ConvTranspose2D] (nn.ConvTranspose2d): a worked example, the generated gather against the reference
/// engine's scatter on every SIMD path in CI (the class name is in its filter), and its mistakes and
/// limits as compile errors on the argument at fault.
/// </summary>
public class TransposedConvolutionDifferentialTests
{
    [Fact]
    public void Each_input_pixel_adds_its_weighted_kernel_at_stride_times_its_position()
    {
        var net = Generate("[InputShape(1, 1, 2)] [ConvTranspose2D(Filters = 1, Kernel = 2, Stride = 2, Bias = false)]");
        net.LoadParameters([1, 2, 3, 4]);
        var output = new float[net.OutputLength];

        net.Forward([1, 10], output);

        Assert.Equal(new float[] { 1, 2, 10, 20, 3, 4, 30, 40 }, output);
    }

    [Fact]
    public void Overlapping_kernels_add_up_and_padding_crops_the_border()
    {
        // stride 1, kernel 3, padding 1: the full 3-wide scatter of [1, 2] is [1, 3, 3, 2] for weights [1, 1, 1]; cropped by 1 it is [3, 3]
        var net = Generate("[InputShape(1, 1, 2)] [ConvTranspose2D(Filters = 1, KernelHeight = 1, KernelWidth = 3, PaddingWidth = 1, Bias = false)]");
        net.LoadParameters([1, 1, 1]);
        var output = new float[net.OutputLength];

        net.Forward([1, 2], output);

        Assert.Equal(new float[] { 3, 3 }, output);
    }

    [Theory]
    [InlineData("[InputShape(4, 5, 6)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = 2, Padding = 1, OutputPadding = 1)]")]
    [InlineData("[InputShape(4, 5, 6)] [ConvTranspose2D(Filters = 6, KernelHeight = 2, KernelWidth = 5, StrideHeight = 3, StrideWidth = 2, PaddingHeight = 2, DilationWidth = 2, Groups = 2, Bias = false)]")]
    [InlineData("[InputShape(3, 4, 4)] [ConvTranspose2D(Filters = 2, Kernel = 3, Stride = 2, Dilation = 3, OutputPadding = 2)]")]
    [InlineData("[InputShape(3, 4, 4)] [ConvTranspose2D(Filters = 2, Kernel = 2, Stride = 5)]")] // gaps of bias only between the kernels
    [InlineData("[InputShape(3, 6, 6)] [ConvTranspose2D(Filters = 2, Kernel = 3, Padding = 3)]")] // cropped past the kernels' reach
    [InlineData("[InputShape(8, 1, 1)] [ConvTranspose2D(Filters = 4, Kernel = 4)] [ConvTranspose2D(Filters = 4, Kernel = 4, Stride = 2, Padding = 1, Groups = 4)]")]
    [InlineData("[InputShape(32, 8, 8)] [ConvTranspose2D(Filters = 16, Kernel = 2, Stride = 2)] [BatchNorm2D] [ReLU] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)]")]
    [InlineData("[Block] [MaxPool2D(Kernel = 2)] [Conv2D(Filters = 8, Kernel = 3, Padding = 1)] [ReLU] [ConvTranspose2D(Filters = 4, Kernel = 2, Stride = 2)] public partial class DownUp { } "
        + "[InputShape(3, 8, 8)] [Conv2D(Filters = 4, Kernel = 3, Padding = 1)] [Concat(typeof(DownUp), IncludeInput = true)] [Conv2D(Filters = 2, Kernel = 1)]")]
    // stride-2 phases zipped along rows of 57 (28 + 29 columns: one 16-, one 8- and one 4-lane vector, and the odd one), of 64 and of 6
    [InlineData("[InputShape(4, 3, 29)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = 2, Padding = 1)]")]
    [InlineData("[InputShape(16, 5, 32)] [ConvTranspose2D(Filters = 8, Kernel = 4, Stride = 2, Padding = 1)] [ReLU]")]
    [InlineData("[InputShape(2, 3, 3)] [ConvTranspose2D(Filters = 2, Kernel = 2, Stride = 2)] [Tanh]")]
    // stride 2 down only, 3 across with gaps of bias, and stride 1 with output padding past the kernels' reach
    [InlineData("[InputShape(8, 6, 7)] [ConvTranspose2D(Filters = 4, KernelHeight = 3, KernelWidth = 2, StrideHeight = 2, StrideWidth = 3, Padding = 1)] [Sigmoid]")]
    [InlineData("[InputShape(8, 6, 7)] [ConvTranspose2D(Filters = 4, Kernel = 3, Dilation = 2, OutputPadding = 1)] [BatchNorm2D] [ReLU]")]
    // a BatchNorm folded into each phase's kernel (looped phases, straight-line ones, no bias), or kept as a step beside phases of bias alone
    [InlineData("[InputShape(16, 8, 8)] [ConvTranspose2D(Filters = 16, Kernel = 4, Stride = 2, Padding = 1)] [BatchNorm2D] [ReLU]")]
    [InlineData("[InputShape(2, 2, 3)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = 2, Bias = false)] [BatchNorm2D(Affine = false)] [Sigmoid]")]
    [InlineData("[InputShape(4, 5, 5)] [ConvTranspose2D(Filters = 8, Kernel = 2, Stride = 3)] [BatchNorm2D] [ReLU6]")]
    public void A_transposed_convolution_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    [Fact]
    public void The_spec_TorchSource_and_weight_are_PyTorchs()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Transposed;\n"
            + "[InputShape(4, 3, 3)] [ConvTranspose2D(Filters = 6, KernelHeight = 3, KernelWidth = 2, StrideHeight = 2, Padding = 1, OutputPaddingHeight = 1, Groups = 2, Name = \"up\")]\npublic partial class Net { }");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = GeneratorHarness.Load(result.Output).GetType("Transposed.Net")!;
        var net = (INetwork)Activator.CreateInstance(type)!;

        Assert.Equal(new[] { ("up.weight", "4,3,3,2"), ("up.bias", "6") }, net.Spec.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))));
        Assert.Equal(new[] { 6, 6, 2 }, net.Spec.OutputShape);
        var spec = Assert.IsType<ConvTranspose2DSpec>(Assert.Single(net.Spec.Layers));
        Assert.Equal((2, 1, 1, 1, 1, 0, 2), (spec.StrideHeight, spec.StrideWidth, spec.PaddingHeight, spec.PaddingWidth, spec.OutputPaddingHeight, spec.OutputPaddingWidth, spec.Groups));
        string torch = (string)type.GetField("TorchSource")!.GetValue(null)!;
        Assert.Contains("(\"up\", nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=1, output_padding=(1, 0), groups=2))", torch, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = 2, OutputPadding = 2)]", "CNN0005", "OutputPadding = 2",
        "ConvTranspose2D (layer 0): OutputPadding = 2 is invalid; it must be less than max(StrideHeight, DilationHeight) = 2")]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, OutputPaddingWidth = 1)]", "CNN0005", "OutputPaddingWidth = 1",
        "ConvTranspose2D (layer 0): OutputPaddingWidth = 1 is invalid; it must be less than max(StrideWidth, DilationWidth) = 1")]
    [InlineData("[InputShape(2, 1, 1)] [ConvTranspose2D(Filters = 3, Kernel = 1, Padding = 1)]", "CNN0009", "Padding = 1",
        "ConvTranspose2D (layer 0): the output height would be (1 - 1) * 1 - 2 * 1 + 1 * (1 - 1) + 0 + 1 = -1 (PyTorch's (In - 1) * Stride - 2 * Padding + Dilation * (Kernel - 1) + OutputPadding + 1); it must be at least 1")]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, InChannels = 3)]", "CNN0008", "InChannels = 3",
        "ConvTranspose2D (layer 0) declares InChannels = 3 but InputShape produces 2 channels")]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Groups = 2)]", "CNN0010", "Groups = 2",
        "ConvTranspose2D (layer 0): Groups = 2 must divide both the input channels (2) and Filters (3)")]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3)]", "CNN0006", "ConvTranspose2D(Filters = 3)", null)]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = 2, StrideWidth = 1)]", "CNN0007", "StrideWidth = 1", null)]
    [InlineData("[InputShape(2, 8)] [ConvTranspose2D(Filters = 3, Kernel = 3)]", "CNN0016", "ConvTranspose2D(Filters = 3, Kernel = 3)", null)]
    // the full scatter before cropping bounds every index the generated code forms: a dilation of 2^30 is refused, not wrapped
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Dilation = 1 << 30, Padding = 1 << 30)]", "CNN0017", "ConvTranspose2D(Filters = 3, Kernel = 3, Dilation = 1 << 30, Padding = 1 << 30)", null)]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Stride = int.MaxValue)]", "CNN0017", "ConvTranspose2D(Filters = 3, Kernel = 3, Stride = int.MaxValue)", null)]
    [InlineData("[InputShape(2, 4, 4)] [ConvTranspose2D(Filters = 3, Kernel = 3, Padding = -1)]", "CNN0005", "Padding = -1", null)]
    public void A_transposed_convolution_mistake_is_one_error_on_its_argument(string attributes, string id, string span, string? message) =>
        AttributeNetworks.AssertOneError(attributes, id, span, message);

    private static INetwork Generate(string attributes) => AttributeNetworks.Generate(attributes, "Transposed");
}
