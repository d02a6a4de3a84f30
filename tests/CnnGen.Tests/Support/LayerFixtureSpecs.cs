using System;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// The networks of the PyTorch layer fixtures (tests/fixtures/layers/NAME.cs) as NetworkSpecs, written
/// by hand from each file's attributes rather than taken from a generated class, so that a misread
/// attribute cannot hide. Attributes map one to one: Kernel = k is k x k, Padding = p pads all four
/// sides, Stride = s both axes, a pool's stride defaults to its kernel, Output = n is n x n, Name is
/// ModuleName. The error cases (kind "error" in cases.json) are here too: building one throws the
/// ArgumentException that mirrors the generator's compile error.
/// </summary>
public static class LayerFixtureSpecs
{
    private static readonly Dictionary<string, Func<NetworkSpec>> Specs = new()
    {
        // ------------------------------------------------ BatchNorm2D
        ["BnAfterConv"] = () => Network(3, 8, 8, SameConv(8, 3), new BatchNorm2DSpec { Channels = 8 }),
        ["BnAfterConvNoBiasReLU"] = () => Network(3, 10, 10, SameConv(16, 3, bias: false), new BatchNorm2DSpec(), Act(ActivationKind.ReLU)),
        ["BnEpsilon"] = () => Network(3, 10, 10, SameConv(16, 3), new BatchNorm2DSpec { Epsilon = 0.01f }, Act(ActivationKind.ReLU)),
        ["BnFirst"] = () => Network(4, 6, 6, new BatchNorm2DSpec()),
        ["BnAfterPool"] = () => Network(4, 8, 8, new Pool2DSpec(PoolKind.Max, 2, 2), new BatchNorm2DSpec { Channels = 4 }),
        ["BnAfterActivation"] = () => Network(3, 8, 8, Conv(8, 3), Act(ActivationKind.ReLU), new BatchNorm2DSpec()),
        ["BnTwice"] = () => Network(3, 8, 8, Conv(8, 3), new BatchNorm2DSpec(), new BatchNorm2DSpec()),
        ["BnNoAffine"] = () => Network(3, 8, 8, Conv(8, 3), new BatchNorm2DSpec { Affine = false }),

        // ------------------------------------------------ small networks
        ["VggSmall"] = () => Network(3, 16, 16,
            SameConv(16, 3), new BatchNorm2DSpec(), Act(ActivationKind.ReLU),
            SameConv(16, 3), new BatchNorm2DSpec(), Act(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Max, 2, 2),
            new DropoutSpec(),
            new FlattenSpec(),
            new DenseSpec(32),
            Act(ActivationKind.ReLU),
            new DropoutSpec { P = 0.3f },
            new DenseSpec(10)),
        ["MobileNetTiny"] = () => Network(3, 16, 16,
            new Conv2DSpec(16, 3, 3) { StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Bias = false },
            new BatchNorm2DSpec(),
            Act(ActivationKind.ReLU6),
            new Conv2DSpec(16, 3, 3) { PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1, Groups = 16, Bias = false },
            new BatchNorm2DSpec(),
            Act(ActivationKind.ReLU6),
            new Conv2DSpec(24, 1, 1) { Bias = false },
            new BatchNorm2DSpec(),
            new GlobalPool2DSpec(PoolKind.Average),
            new FlattenSpec(),
            new DenseSpec(10)),
        ["CifarBnSiLU"] = () => Network(3, 32, 32,
            SameConv(32, 3), new BatchNorm2DSpec(), Act(ActivationKind.SiLU),
            new Pool2DSpec(PoolKind.Max, 2, 2),
            SameConv(64, 3), new BatchNorm2DSpec(), Act(ActivationKind.Hardswish),
            new GlobalPool2DSpec(PoolKind.Average),
            new FlattenSpec(),
            new DenseSpec(10),
            new LogSoftmaxSpec()),

        // ------------------------------------------------ PReLU
        ["PReLUShared"] = () => Network(3, 10, 10, SameConv(16, 3), new PReLUSpec()),
        ["PReLUChannels"] = () => Network(3, 10, 10, SameConv(16, 3), new PReLUSpec { Parameters = 16 }),
        ["PReLUAlone"] = () => Network(4, 5, 6, new PReLUSpec { Parameters = 4 }),
        ["PReLUDense"] = () => Network(2, 4, 4, new FlattenSpec(), new DenseSpec(12), new PReLUSpec { Parameters = 12 }),

        // ------------------------------------------------ average pools leaving the padding out of the divisor
        ["AvgPoolExcludePad"] = () => Network(4, 20, 20, new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1, CountIncludePad = false }),
        ["AvgPoolExcludePadCeil"] = () => Network(3, 10, 11,
            new Pool2DSpec(PoolKind.Average, 3, 4) { StrideHeight = 2, StrideWidth = 3, PaddingHeight = 1, PaddingWidth = 2, CeilMode = true, CountIncludePad = false }),
        ["AvgPoolExcludePadBranch"] = () => Network(3, 12, 12,
            Conv(32, 1), Act(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1, CountIncludePad = false },
            Conv(16, 1),
            new Pool2DSpec(PoolKind.Average, 5, 5) { StrideHeight = 3, StrideWidth = 3, PaddingHeight = 2, PaddingWidth = 2, CountIncludePad = false },
            new FlattenSpec(), new DenseSpec(5)),

        // ------------------------------------------------ ceil-mode windows longer than their padded input
        ["MaxPoolOversizedCeil"] = () => Network(3, 2, 2, new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 2, StrideWidth = 2, CeilMode = true }),
        ["AvgPoolOversizedCeil"] = () => Network(2, 2, 3,
            new Pool2DSpec(PoolKind.Average, 5, 5) { StrideHeight = 3, StrideWidth = 3, PaddingHeight = 1, PaddingWidth = 1, CeilMode = true }),
        ["AvgPoolOversizedExcludePad"] = () => Network(2, 3, 2,
            new Pool2DSpec(PoolKind.Average, 5, 5) { StrideHeight = 3, StrideWidth = 3, PaddingHeight = 1, PaddingWidth = 1, CeilMode = true, CountIncludePad = false }),
        ["MinPoolOversizedDilated"] = () => Network(2, 3, 4,
            new Pool2DSpec(PoolKind.Min, 2, 2) { StrideHeight = 4, StrideWidth = 4, DilationHeight = 3, DilationWidth = 3, CeilMode = true }),
        ["PoolOversizedChannels"] = () => Network(3, 4, 4,
            new Conv2DSpec(32, 3, 3) { StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }, Act(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 2, StrideWidth = 2, CeilMode = true },
            Conv(16, 1), new FlattenSpec(), new DenseSpec(4)),

        // ------------------------------------------------ dilated max and min pools
        ["MaxPoolDilated"] = () => Network(3, 11, 12, new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1, DilationHeight = 2, DilationWidth = 2 }),
        ["MaxPoolDilatedRect"] = () => Network(2, 13, 10,
            new Pool2DSpec(PoolKind.Max, 2, 3) { StrideHeight = 2, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1, DilationHeight = 3, DilationWidth = 2, CeilMode = true }),
        ["MinPoolDilatedAfterConv"] = () => Network(3, 12, 12,
            SameConv(16, 3), new Pool2DSpec(PoolKind.Min, 2, 2) { DilationHeight = 2, DilationWidth = 2 }, new FlattenSpec(), new DenseSpec(4)),
        ["MaxPoolDilatedChannels"] = () => Network(3, 14, 14,
            Conv(32, 1), Act(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 2, StrideWidth = 2, PaddingHeight = 1, PaddingWidth = 1, DilationHeight = 2, DilationWidth = 2 },
            Conv(16, 1),
            new Pool2DSpec(PoolKind.Max, 2, 2) { StrideHeight = 1, StrideWidth = 1, DilationHeight = 3, DilationWidth = 3 },
            new FlattenSpec(), new DenseSpec(5)),

        // ------------------------------------------------ global and adaptive pooling
        ["GlobalAvgPool"] = () => Network(3, 8, 8, Conv(8, 3), new GlobalPool2DSpec(PoolKind.Average), new FlattenSpec(), new DenseSpec(5)),
        ["GlobalMaxPool"] = () => Network(3, 8, 8, Conv(8, 3), new GlobalPool2DSpec(PoolKind.Max), new FlattenSpec(), new DenseSpec(5)),
        ["AdaptiveAvgDown"] = () => Network(2, 8, 7, new AdaptivePool2DSpec(PoolKind.Average, 3, 3)),
        ["AdaptiveMaxDownRect"] = () => Network(2, 10, 6, new AdaptivePool2DSpec(PoolKind.Max, 4, 5)),
        ["AdaptiveAvgUp"] = () => Network(2, 3, 3, new AdaptivePool2DSpec(PoolKind.Average, 5, 5)),
        ["AdaptiveMaxUpRect"] = () => Network(2, 4, 3, new AdaptivePool2DSpec(PoolKind.Max, 7, 5)),
        ["AdaptiveSame"] = () => Network(2, 5, 6, new AdaptivePool2DSpec(PoolKind.Average, 5, 6), new AdaptivePool2DSpec(PoolKind.Max, 5, 6)),
        ["AdaptiveMixed"] = () => Network(3, 10, 6,
            SameConv(4, 3),
            new AdaptivePool2DSpec(PoolKind.Average, 3, 8),
            new AdaptivePool2DSpec(PoolKind.Max, 2, 3),
            new FlattenSpec(),
            new DenseSpec(3)),

        // ------------------------------------------------ LogSoftmax
        ["LogSoftmaxDense"] = () => Network(1, 4, 4, new FlattenSpec(), new DenseSpec(10), new LogSoftmaxSpec()),
        ["LogSoftmaxChannels"] = () => Network(3, 6, 6, SameConv(5, 3), new LogSoftmaxSpec()),

        // ------------------------------------------------ named modules
        ["NamedLayers"] = () => Network(3, 8, 8,
            SameConv(8, 3, name: "stem"),
            new BatchNorm2DSpec { ModuleName = "stem_bn" },
            Act(ActivationKind.ReLU),
            new DropoutSpec { P = 0.25f },
            new Conv2DSpec(8, 3, 3) { ModuleName = "conv2" },
            new IdentitySpec(),
            new BatchNorm2DSpec(),
            new PReLUSpec { Parameters = 8, ModuleName = "act" },
            new GlobalPool2DSpec(PoolKind.Average),
            new FlattenSpec { ModuleName = "flat" },
            new DenseSpec(5) { ModuleName = "head" }),

        // ------------------------------------------------ each activation after a 16-filter convolution, and alone on [4, 5, 6]
        ["ConvReLU6"] = () => AfterConv(Act(ActivationKind.ReLU6)),
        ["ConvHardtanh"] = () => AfterConv(new ActivationSpec(ActivationKind.Hardtanh) { Min = -2.5f, Max = 4.0f }),
        ["ConvHardsigmoid"] = () => AfterConv(Act(ActivationKind.Hardsigmoid)),
        ["ConvHardswish"] = () => AfterConv(Act(ActivationKind.Hardswish)),
        ["ConvSiLU"] = () => AfterConv(Act(ActivationKind.SiLU)),
        ["ConvMish"] = () => AfterConv(Act(ActivationKind.Mish)),
        ["ConvGELU"] = () => AfterConv(Act(ActivationKind.GELU)),
        ["ConvGELUTanh"] = () => AfterConv(new ActivationSpec(ActivationKind.GELU) { Approximate = "tanh" }),
        ["ConvELU"] = () => AfterConv(new ActivationSpec(ActivationKind.ELU) { Alpha = 0.5f }),
        ["ConvSELU"] = () => AfterConv(Act(ActivationKind.SELU)),
        ["ConvSoftplus"] = () => AfterConv(new ActivationSpec(ActivationKind.Softplus) { Beta = 0.5f, Threshold = 3.0f }),
        ["ConvLeakyReLU"] = () => AfterConv(new ActivationSpec(ActivationKind.LeakyReLU) { NegativeSlope = 0.2f }),
        ["ReLU6Alone"] = () => Alone(Act(ActivationKind.ReLU6)),
        ["HardtanhAlone"] = () => Alone(Act(ActivationKind.Hardtanh)),
        ["HardsigmoidAlone"] = () => Alone(Act(ActivationKind.Hardsigmoid)),
        ["HardswishAlone"] = () => Alone(Act(ActivationKind.Hardswish)),
        ["SiLUAlone"] = () => Alone(Act(ActivationKind.SiLU)),
        ["MishAlone"] = () => Alone(Act(ActivationKind.Mish)),
        ["GELUAlone"] = () => Alone(Act(ActivationKind.GELU)),
        ["GELUTanhAlone"] = () => Alone(new ActivationSpec(ActivationKind.GELU) { Approximate = "tanh" }),
        ["ELUAlone"] = () => Alone(Act(ActivationKind.ELU)),
        ["SELUAlone"] = () => Alone(Act(ActivationKind.SELU)),
        ["SoftplusAlone"] = () => Alone(Act(ActivationKind.Softplus)),
        ["LeakyReLUAlone"] = () => Alone(Act(ActivationKind.LeakyReLU)),

        // ------------------------------------------------ builds that must fail (the wrong layer is at line - 6 of NAME.cs)
        ["BadBatchNormChannels"] = () => Network(3, 8, 8, Conv(4, 3), new BatchNorm2DSpec { Channels = 3 }),
        ["BadPReLUParameters"] = () => Network(3, 8, 8, Conv(4, 3), new PReLUSpec { Parameters = 3 }),
        ["BadGELUApproximate"] = () => Network(3, 8, 8, Conv(4, 3), new ActivationSpec(ActivationKind.GELU) { Approximate = "fast" }),
        ["BadHardtanhRange"] = () => Network(3, 8, 8, Conv(4, 3), new ActivationSpec(ActivationKind.Hardtanh) { Min = 2.0f, Max = 1.0f }),
        ["BadDropoutP"] = () => Network(3, 8, 8, Conv(4, 3), new DropoutSpec { P = 1.5f }),
        ["BadSoftplusBeta"] = () => Network(3, 8, 8, Conv(4, 3), new ActivationSpec(ActivationKind.Softplus) { Beta = 0.0f }),
        ["BadAdaptiveOutput"] = () => Network(3, 8, 8, Conv(4, 3), new AdaptivePool2DSpec(PoolKind.Average, 0, 0)),
        ["AdaptiveMaxNoOutput"] = () => Network(3, 8, 8, Conv(4, 3), new AdaptivePool2DSpec(PoolKind.Max, 0, 0)),
        ["DuplicateName"] = () => Network(3, 8, 8, Conv(4, 3, name: "a"), Act(ActivationKind.ReLU), Conv(4, 3, name: "a")),
        ["DottedName"] = () => Network(3, 8, 8, Conv(4, 3, name: "stem.conv"), Act(ActivationKind.ReLU)),
        ["EmptyName"] = () => Network(3, 8, 8, Conv(4, 3, name: ""), Act(ActivationKind.ReLU)),
        ["NameClashesWithPosition"] = () => Network(3, 8, 8, Conv(4, 3), new ActivationSpec(ActivationKind.ReLU) { ModuleName = "0" }),
    };

    /// <summary>The names of every fixture with a spec here.</summary>
    public static IReadOnlyCollection<string> Names => Specs.Keys;

    /// <summary>The NetworkSpec of tests/fixtures/layers/<paramref name="name"/>.cs.</summary>
    /// <exception cref="ArgumentException">The fixture is an error case: the network is invalid.</exception>
    public static NetworkSpec For(string name) => Specs.TryGetValue(name, out var build)
        ? build()
        : throw new InvalidOperationException($"No spec written for layer fixture {name}; add one mirroring tests/fixtures/layers/{name}.cs.");

    private static NetworkSpec AfterConv(LayerSpec activation) => Network(3, 10, 10, SameConv(16, 3), activation);

    private static NetworkSpec Alone(LayerSpec activation) => Network(4, 5, 6, activation);

    private static ActivationSpec Act(ActivationKind kind) => new(kind);

    /// <summary>[Conv2D(Filters = filters, Kernel = kernel)], stride 1, no padding.</summary>
    private static Conv2DSpec Conv(int filters, int kernel, string? name = null) => new(filters, kernel, kernel) { ModuleName = name };

    /// <summary>[Conv2D(Filters = filters, Kernel = kernel, Padding = kernel / 2)].</summary>
    private static Conv2DSpec SameConv(int filters, int kernel, bool bias = true, string? name = null)
    {
        int pad = kernel / 2;
        return new Conv2DSpec(filters, kernel, kernel) { PadTop = pad, PadBottom = pad, PadLeft = pad, PadRight = pad, Bias = bias, ModuleName = name };
    }

    private static NetworkSpec Network(int channels, int height, int width, params LayerSpec[] layers) => new(channels, height, width, layers.ToArray());
}
