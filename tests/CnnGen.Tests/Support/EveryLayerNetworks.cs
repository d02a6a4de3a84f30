namespace CnnGen.Tests.Support;

/// <summary>
/// Networks that between them use every layer and every argument of the layers added with
/// BatchNorm (each class a source of its own, one generated file each), for the tests that look at
/// the generated code itself: no warning under the strictest settings, no method the JIT leaves
/// unoptimized. The first holds them all in one chain; the others are the largest forms of each.
/// </summary>
public static class EveryLayerNetworks
{
    public static readonly string[] Sources =
    {
        Declare("EveryLayer", """
            [InputShape(3, 32, 32)]
            [Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "stem")]
            [BatchNorm2D(Name = "stem_bn")]
            [Hardswish]
            [MaxPool2D(Kernel = 2)]
            [BatchNorm2D(Affine = false, Epsilon = 1e-3f, Channels = 16)]
            [ReLU6]
            [Conv2D(Filters = 32, Kernel = 3, Padding = 1)]
            [Hardtanh(Min = -2f, Max = 2f)]
            [BatchNorm2D]
            [Hardsigmoid]
            [SiLU]
            [Mish]
            [GELU]
            [GELU(Approximate = "tanh")]
            [ELU(Alpha = 0.5f)]
            [SELU]
            [Softplus(Beta = 2f, Threshold = 10f)]
            [PReLU(Parameters = 32)]
            [PReLU]
            [Dropout(P = 0.1f)]
            [Identity(Name = "skip")]
            [AdaptiveAvgPool2D(Output = 7)]
            [AdaptiveMaxPool2D(OutputHeight = 5, OutputWidth = 9)]
            [LogSoftmax]
            [GlobalMaxPool2D]
            [GlobalAvgPool2D]
            [Flatten]
            [Dense(Outputs = 10, Name = "head")]
            [PReLU(Parameters = 10)]
            [Dropout]
            [LogSoftmax(Name = "log_probs")]
            """),
        // the largest unrolled windows and filter counts with a BatchNorm folded in and the longest epilogues stored from registers
        Declare("FoldedWideWindow", "[InputShape(16, 40, 40)] [Conv2D(Filters = 64, Kernel = 8, Padding = 3)] [BatchNorm2D] [Hardswish]"),
        Declare("FoldedDilatedWindow", "[InputShape(64, 20, 20)] [Conv2D(Filters = 64, KernelHeight = 8, KernelWidth = 8, Dilation = 2, Padding = 7, Bias = false)] [BatchNorm2D(Affine = false)] [Hardsigmoid]"),
        Declare("FoldedLoopedWindow", "[InputShape(8, 40, 40)] [Conv2D(Filters = 32, Kernel = 9, Padding = 4)] [BatchNorm2D] [Hardtanh(Min = -0.5f, Max = 0.5f)]"),
        Declare("FoldedPooled", "[InputShape(16, 40, 40)] [Conv2D(Filters = 64, Kernel = 7, Padding = 3)] [BatchNorm2D] [Hardtanh(Min = 0f, Max = 6f)] [MaxPool2D(Kernel = 2)]"),
        Declare("FoldedStraightLine", "[InputShape(2, 6, 6)] [Conv2D(Filters = 4, Kernel = 3, Padding = 1)] [BatchNorm2D] [ReLU6]"),
        // large maps and many channels through the per-channel layers, the pools and a channel softmax
        Declare("LargeMaps", """
            [InputShape(256, 56, 56)]
            [BatchNorm2D]
            [PReLU(Parameters = 256)]
            [Mish]
            [AdaptiveMaxPool2D(Output = 100)]
            [AdaptiveAvgPool2D(OutputHeight = 13, OutputWidth = 200)]
            [LogSoftmax]
            [GlobalAvgPool2D]
            [Flatten]
            [PReLU(Parameters = 256)]
            [Dense(Outputs = 1000)]
            [LogSoftmax]
            """),
    };

    private static string Declare(string className, string layers) =>
        "using CnnGen;\n\nnamespace EveryLayer;\n\n" + layers + "\npublic partial class " + className + " { }\n";
}
