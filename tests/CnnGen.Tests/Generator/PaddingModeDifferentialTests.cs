using System;
using System.Globalization;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// PaddingMode on Conv1D and Conv2D (nn.Conv1d/nn.Conv2d's padding_mode; with per-side padding F.pad of
/// that mode, then the convolution): what each mode puts in the padding, worked by hand; the generated
/// code against the reference engine on every SIMD path in CI (the class name is in its filter), on the
/// straight-line, looped and vector paths; and PyTorch's limits as compile errors on the argument at fault.
/// </summary>
public class PaddingModeDifferentialTests
{
    // ---------------------------------------------------------------- what each mode puts in the padding

    /// <summary>A 1x1 convolution of weight 1 shows the padded input itself: [1, 2, 3, 4] padded by 3 and 2.</summary>
    [Theory]
    [InlineData("zeros", new float[] { 0, 0, 0, 1, 2, 3, 4, 0, 0 })]
    [InlineData("reflect", new float[] { 4, 3, 2, 1, 2, 3, 4, 3, 2 })]
    [InlineData("replicate", new float[] { 1, 1, 1, 1, 2, 3, 4, 4, 4 })]
    [InlineData("circular", new float[] { 2, 3, 4, 1, 2, 3, 4, 1, 2 })]
    public void A_mode_fills_the_padding_as_F_pad_does(string mode, float[] expected)
    {
        var net = Generate($"[InputShape(1, 4)] [Conv1D(Filters = 1, Kernel = 1, PadLeft = 3, PadRight = 2, Bias = false, PaddingMode = \"{mode}\")]");
        net.LoadParameters([1f]);
        var output = new float[net.OutputLength];
        net.Forward([1, 2, 3, 4], output);
        Assert.Equal(expected, output);

        var reference = new ReferenceNetwork(net.Spec);
        reference.LoadParameters([1f]);
        Assert.Equal(expected, reference.Forward([1, 2, 3, 4]));
    }

    /// <summary>In 2D each axis is padded by its mode, the corners by both: rows of [[1, 2], [3, 4]] reflected, then columns.</summary>
    [Theory]
    [InlineData("reflect", new float[] { 4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3 })]
    [InlineData("replicate", new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4 })]
    [InlineData("circular", new float[] { 4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3 })]
    [InlineData("zeros", new float[] { 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0 })]
    public void A_2D_mode_pads_rows_and_columns(string mode, float[] expected)
    {
        var net = Generate($"[InputShape(1, 2, 2)] [Conv2D(Filters = 1, Kernel = 1, PadTop = 1, PadLeft = 1, PadRight = 1, Bias = false, PaddingMode = \"{mode}\")]");
        net.LoadParameters([1f]);
        var output = new float[net.OutputLength];
        net.Forward([1, 2, 3, 4], output);
        Assert.Equal(expected, output);
    }

    // ---------------------------------------------------------------- generated code against the reference engine

    [Theory]
    // nn.Conv1d(padding=2, padding_mode=...), the most reflect allows (L - 1), causal (left only) and dilated
    [InlineData("[InputShape(2, 10)] [Conv1D(Filters = 3, Kernel = 3, Padding = 2, PaddingMode = \"reflect\")]")]
    [InlineData("[InputShape(2, 10)] [Conv1D(Filters = 3, Kernel = 5, Padding = 9, PaddingMode = \"reflect\")]")]
    [InlineData("[InputShape(3, 24)] [Conv1D(Filters = 8, Kernel = 3, PadLeft = 4, Dilation = 2, PaddingMode = \"replicate\")] [ReLU] [Conv1D(Filters = 4, Kernel = 3, Stride = 2, PadRight = 1, PaddingMode = \"circular\")]")]
    [InlineData("[InputShape(2, 4)] [Conv1D(Filters = 3, Kernel = 3, PadLeft = 6, PadRight = 9, PaddingMode = \"replicate\")]")]
    [InlineData("[InputShape(2, 10)] [Conv1D(Filters = 3, Kernel = 3, PadLeft = 10, PadRight = 2, PaddingMode = \"circular\")]")]
    // wide enough for the vector paths, BatchNorm1D folded in and an activation fused
    [InlineData("[InputShape(16, 64)] [Conv1D(Filters = 32, Kernel = 7, Padding = 3, PaddingMode = \"reflect\")] [BatchNorm1D] [ReLU] [Conv1D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32, PaddingMode = \"circular\")]")]
    // the first and the last step; a mode reading a residual's input that the shortcut reads too
    [InlineData("[Block] [Conv1D(Filters = 4, Kernel = 3, Padding = 1, PaddingMode = \"replicate\")] [ReLU] public partial class Body { } [InputShape(4, 12)] [Residual(typeof(Body))] [Conv1D(Filters = 2, Kernel = 3, Padding = 1, PaddingMode = \"reflect\")]")]
    // 2D: symmetric, per side, strided and dilated, a depthwise vector path, a fused 2x2 pool
    [InlineData("[InputShape(3, 9, 7)] [Conv2D(Filters = 4, Kernel = 3, Padding = 1, PaddingMode = \"reflect\")]")]
    [InlineData("[InputShape(2, 6, 5)] [Conv2D(Filters = 3, KernelHeight = 3, KernelWidth = 2, PadTop = 2, PadBottom = 0, PadLeft = 1, PadRight = 3, StrideHeight = 2, Dilation = 2, PaddingMode = \"circular\")]")]
    [InlineData("[InputShape(2, 5, 5)] [Conv2D(Filters = 2, Kernel = 3, PaddingHeight = 4, PaddingWidth = 1, PaddingMode = \"reflect\")] [Conv2D(Filters = 2, Kernel = 3, Padding = 7, PaddingMode = \"replicate\")]")]
    [InlineData("[InputShape(32, 16, 16)] [Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32, PaddingMode = \"reflect\")] [ReLU] [Conv2D(Filters = 16, Kernel = 3, Padding = 1, PaddingMode = \"replicate\")] [BatchNorm2D] [ReLU] [MaxPool2D(Kernel = 2)]")]
    [InlineData("[InputShape(8, 20, 20)] [Conv2D(Filters = 16, Kernel = 5, Padding = 2, PaddingMode = \"circular\")] [SiLU]")]
    // a mode with no padding is a plain convolution
    [InlineData("[InputShape(2, 6, 6)] [Conv2D(Filters = 2, Kernel = 3, PaddingMode = \"reflect\")]")]
    public void A_padding_mode_computes_what_the_reference_engine_does(string attributes) => AttributeNetworks.AssertMatchesReference(attributes);

    [Theory]
    // nn.ZeroPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d: symmetric and per side, at the reflect maximum, wider than the input
    [InlineData("[InputShape(2, 5, 6)] [ZeroPad2D(Padding = 2)] [Conv2D(Filters = 3, Kernel = 3)]")]
    [InlineData("[InputShape(2, 5, 6)] [ReflectionPad2D(PadTop = 4, PadLeft = 1, PadRight = 5)] [Conv2D(Filters = 3, Kernel = 3, Stride = 2)]")]
    [InlineData("[InputShape(3, 2, 3)] [ReplicationPad2D(PadTop = 5, PadBottom = 1, PadLeft = 7)] [ReLU] [ReflectionPad2D(Padding = 1)]")]
    [InlineData("[InputShape(16, 12, 12)] [ReflectionPad2D(Padding = 1)] [Conv2D(Filters = 32, Kernel = 3)] [BatchNorm2D] [ReLU] [ReplicationPad2D(Padding = 2)] [Conv2D(Filters = 16, Kernel = 5, Groups = 16)]")]
    [InlineData("[InputShape(4, 6, 6)] [ZeroPad2D(PadBottom = 1, PadRight = 1)] [MaxPool2D(Kernel = 2)] [ReplicationPad2D(Padding = 0)]")]
    public void A_padding_layer_computes_what_the_reference_engine_does(string attributes) => A_padding_mode_computes_what_the_reference_engine_does(attributes);

    [Fact]
    public void A_padding_layer_is_a_module_without_tensors_in_the_spec_and_in_PyTorch()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Modes;\n"
            + "[InputShape(2, 4, 4)] [ReflectionPad2D(Padding = 1)] [Conv2D(Filters = 3, Kernel = 3)] [ZeroPad2D(PadLeft = 2, Name = \"pad\")] [ReplicationPad2D(PadTop = 1)]\npublic partial class Net { }");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = GeneratorHarness.Load(result.Output).GetType("Modes.Net")!;
        var net = (INetwork)Activator.CreateInstance(type)!;

        Assert.Equal(new[] { "ReflectionPad2D", "Conv2D", "ZeroPad2D", "ReplicationPad2D" }, net.Spec.Layers.Select(l => l.Name));
        Assert.Equal(new[] { "1.weight", "1.bias" }, net.Spec.Parameters.Select(p => p.Name));
        var pad = Assert.IsType<Pad2DSpec>(net.Spec.Layers[2]);
        Assert.Equal(("zeros", 0, 0, 2, 0, "pad"), (pad.Mode, pad.PadTop, pad.PadBottom, pad.PadLeft, pad.PadRight, pad.ModuleName));
        string torch = (string)type.GetField("TorchSource")!.GetValue(null)!;
        Assert.Contains("nn.ReflectionPad2d((1, 1, 1, 1))", torch, StringComparison.Ordinal);
        Assert.Contains("(\"pad\", nn.ZeroPad2d((2, 0, 0, 0)))", torch, StringComparison.Ordinal);
        Assert.Contains("nn.ReplicationPad2d((0, 0, 1, 0))", torch, StringComparison.Ordinal);
    }

    [Fact]
    public void The_spec_and_TorchSource_carry_the_mode()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Modes;\n"
            + "[InputShape(2, 10)] [Conv1D(Filters = 3, Kernel = 3, Padding = 2, PaddingMode = \"reflect\")] [Conv1D(Filters = 3, Kernel = 3, PadLeft = 2, PaddingMode = \"circular\")] [Conv1D(Filters = 3, Kernel = 1, PaddingMode = \"zeros\")]\npublic partial class Net { }");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = GeneratorHarness.Load(result.Output).GetType("Modes.Net")!;
        var net = (INetwork)Activator.CreateInstance(type)!;

        var convolutions = net.Spec.Layers.Cast<Conv1DSpec>().ToArray();
        Assert.Equal(new[] { "reflect", "circular", "zeros" }, convolutions.Select(c => c.PaddingMode));
        string torch = (string)type.GetField("TorchSource")!.GetValue(null)!;
        Assert.Contains("nn.Conv1d(2, 3, 3, padding=2, padding_mode=\"reflect\")", torch, StringComparison.Ordinal);
        Assert.Contains("PaddedConv1d(3, 3, 3, pads=(2, 0), mode=\"circular\")", torch, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- PyTorch's limits

    [Theory]
    [InlineData("[InputShape(2, 4)] [Conv1D(Filters = 3, Kernel = 3, Padding = 4, PaddingMode = \"reflect\")]", "CNN0026", "Padding = 4",
        "Conv1D (layer 0): reflect padding of 4 on an input length of 4; PyTorch's reflect padding must be less than the input length (at most 3)")]
    [InlineData("[InputShape(2, 8)] [Conv1D(Filters = 4, Kernel = 3, Stride = 2)] [Conv1D(Filters = 3, Kernel = 3, PadLeft = 3, PaddingMode = \"reflect\")]", "CNN0026", "PadLeft = 3",
        "Conv1D (layer 1): reflect padding of 3 on an input length of 3; PyTorch's reflect padding must be less than the input length (at most 2)")]
    [InlineData("[InputShape(2, 4)] [Conv1D(Filters = 3, Kernel = 3, PadLeft = 1, PadRight = 5, PaddingMode = \"circular\")]", "CNN0026", "PadRight = 5",
        "Conv1D (layer 0): circular padding of 5 on an input length of 4; PyTorch's circular padding must be at most the input length (4)")]
    [InlineData("[InputShape(1, 3, 8)] [Conv2D(Filters = 1, Kernel = 3, PaddingHeight = 3, PaddingWidth = 1, PaddingMode = \"reflect\")]", "CNN0026", "PaddingHeight = 3",
        "Conv2D (layer 0): reflect padding of 3 on an input height of 3; PyTorch's reflect padding must be less than the input height (at most 2)")]
    [InlineData("[InputShape(2, 16)] [Conv1D(Filters = 3, Kernel = 3, Padding = 1, PaddingMode = \"symmetric\")]", "CNN0005", "PaddingMode = \"symmetric\"",
        "Conv1D (layer 0): PaddingMode = \"symmetric\" is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"")]
    [InlineData("[InputShape(2, 16)] [Conv1D(Filters = 3, Kernel = 3, PaddingMode = \"Reflect\")]", "CNN0005", "PaddingMode = \"Reflect\"",
        "Conv1D (layer 0): PaddingMode = \"Reflect\" is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"")]
    [InlineData("[InputShape(2, 16)] [Conv1D(Filters = 3, Kernel = 3, Padding = 1, PaddingMode = \"reflect \")]", "CNN0005", "PaddingMode = \"reflect \"",
        "Conv1D (layer 0): PaddingMode = \"reflect \" is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"")]
    [InlineData("[InputShape(2, 16)] [Conv1D(Filters = 3, Kernel = 3, PaddingMode = \"\\n\")]", "CNN0005", "PaddingMode = \"\\n\"",
        "Conv1D (layer 0): PaddingMode = \"\\u000a\" is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 3, Kernel = 3, PaddingMode = null)]", "CNN0005", "PaddingMode = null",
        "Conv2D (layer 0): PaddingMode = null is invalid; it must be \"zeros\", \"reflect\", \"replicate\" or \"circular\"")]
    [InlineData("[InputShape(2, 4, 6)] [ReflectionPad2D(PadTop = 4)]", "CNN0026", "PadTop = 4",
        "ReflectionPad2D (layer 0): reflect padding of 4 on an input height of 4; PyTorch's reflect padding must be less than the input height (at most 3)")]
    [InlineData("[InputShape(2, 4, 6)] [ReflectionPad2D(Padding = 6)]", "CNN0026", "Padding = 6",
        "ReflectionPad2D (layer 0): reflect padding of 6 on an input width of 6; PyTorch's reflect padding must be less than the input width (at most 5)")]
    [InlineData("[InputShape(2, 4, 6)] [ZeroPad2D(PadLeft = -1)]", "CNN0005", "PadLeft = -1",
        "ZeroPad2D (layer 0): PadLeft = -1 is invalid; it must be 0 or more")]
    [InlineData("[InputShape(2, 4, 6)] [ReplicationPad2D(Padding = 1, PadTop = 2)]", "CNN0007", "PadTop = 2", null)]
    [InlineData("[InputShape(2, 6)] [ReplicationPad2D(Padding = 1)]", "CNN0016", "ReplicationPad2D(Padding = 1)",
        "ReplicationPad2D (layer 0) needs a channels x height x width feature map but InputShape produces the sequence [2, 6]")]
    public void A_padding_its_mode_cannot_make_is_one_error_on_its_argument(string attributes, string id, string span, string? message) =>
        AttributeNetworks.AssertOneError(attributes, id, span, message);

    [Fact]
    public void A_spec_with_a_padding_its_mode_cannot_make_is_rejected_with_the_same_words()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkSpec(2, 4, [new Conv1DSpec(3, 3) { PadLeft = 4, PadRight = 4, PaddingMode = "reflect" }]));
        Assert.Contains("reflect padding of 4 on an input length of 4; PyTorch's reflect padding must be less than the input length (at most 3)", error.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => new NetworkSpec(2, 8, 8, [new Conv2DSpec(3, 3, 3) { PaddingMode = "constant" }]));
        Assert.Contains("PaddingMode = \"constant\" is invalid", unknown.Message, StringComparison.Ordinal);
    }

    private static INetwork Generate(string attributes) => AttributeNetworks.Generate(attributes, "Modes");
}
