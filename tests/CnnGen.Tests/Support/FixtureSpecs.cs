using System;

namespace CnnGen.Tests.Support;

/// <summary>The PyTorch fixtures' networks as NetworkSpecs.</summary>
public static class FixtureSpecs
{
    /// <summary>
    /// The runtime equivalent of each fixture's attributes (tests/fixtures/NAME.cs), written by hand
    /// rather than taken from the generated class, so that a misread attribute cannot hide.
    /// </summary>
    public static NetworkSpec For(string name) => name switch
    {
        "AvgPool" => Network(2, 9, 9, new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 2, StrideWidth = 2 }),
        "DenseSoftmax" => Network(1, 4, 4,
            new FlattenSpec(), new DenseSpec(6), new ActivationSpec(ActivationKind.ReLU), new DenseSpec(3), new SoftmaxSpec()),
        "LeNet5" => Network(1, 28, 28,
            new Conv2DSpec(6, 5, 5) { InChannels = 1, PadTop = 2, PadBottom = 2, PadLeft = 2, PadRight = 2 },
            new ActivationSpec(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Max, 2, 2),
            new Conv2DSpec(16, 5, 5) { InChannels = 6 },
            new ActivationSpec(ActivationKind.ReLU),
            new Pool2DSpec(PoolKind.Max, 2, 2),
            new FlattenSpec(),
            new DenseSpec(120), new ActivationSpec(ActivationKind.ReLU),
            new DenseSpec(84), new ActivationSpec(ActivationKind.ReLU),
            new DenseSpec(10)),
        "MaxPool" => Network(2, 8, 8, new Pool2DSpec(PoolKind.Max, 2, 2)),
        "MinPool" => Network(2, 8, 6, new Pool2DSpec(PoolKind.Min, 2, 2) { StrideHeight = 1, StrideWidth = 1 }),
        "MultiFilter" => Network(3, 7, 7, new Conv2DSpec(2, 3, 3) { InChannels = 3, StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }),
        "PoolPadCeil" => Network(1, 7, 7,
            new Pool2DSpec(PoolKind.Max, 2, 2) { PaddingHeight = 1, PaddingWidth = 1 },
            new Pool2DSpec(PoolKind.Average, 3, 3) { StrideHeight = 2, StrideWidth = 2, CeilMode = true }),
        "RectDilated" => Network(2, 9, 12, new Conv2DSpec(3, 3, 2) { DilationHeight = 2, DilationWidth = 2, StrideWidth = 2 }),
        "SameConv" => Network(2, 6, 6, new Conv2DSpec(3, 3, 3) { InChannels = 2, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }),
        "SeedStride1" => Network(1, 5, 5, new Conv2DSpec(1, 3, 3) { InChannels = 1 }),
        "SeedStride2" => Network(1, 5, 5, new Conv2DSpec(1, 3, 3) { InChannels = 1, StrideHeight = 2, StrideWidth = 2 }),
        "SmallCifar" => Network(3, 32, 32,
            SameConv3x3(32), new ActivationSpec(ActivationKind.ReLU), new Pool2DSpec(PoolKind.Max, 2, 2),
            SameConv3x3(64), new ActivationSpec(ActivationKind.ReLU), new Pool2DSpec(PoolKind.Max, 2, 2),
            SameConv3x3(128), new ActivationSpec(ActivationKind.ReLU), new Pool2DSpec(PoolKind.Max, 2, 2),
            new FlattenSpec(), new DenseSpec(10)),
        "StridedConv" => Network(3, 8, 10, new Conv2DSpec(4, 2, 2) { InChannels = 3, StrideHeight = 2, StrideWidth = 2 }),
        _ => throw new InvalidOperationException($"No spec written for fixture {name}; add one mirroring tests/fixtures/{name}.cs."),
    };

    private static Conv2DSpec SameConv3x3(int filters) => new(filters, 3, 3) { PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };

    private static NetworkSpec Network(int channels, int height, int width, params LayerSpec[] layers) => new(channels, height, width, layers);
}
