"""PyTorch reference cases for BatchNorm2D, global/adaptive pooling, Dropout/Identity, the newer
activations, PReLU, LogSoftmax and named layers.

usage: /usr/bin/python3 tests/torch/layer_cases.py [OUT_DIR] [--report REPORT.json]
OUT_DIR defaults to tests/fixtures/layers. Needs Debian's python3-torch (PyTorch 1.13); seeds are
fixed, so a re-run reproduces the same bytes. casegen.py says what each file holds; add a case by
adding a line to RUNS or ERRORS.
"""
import os
import sys

from casegen import write_cases

HERE = os.path.dirname(os.path.abspath(__file__))

# spread inputs: every region of an activation, on a few channels with no convolution
ALONE_SHAPE = (4, 5, 6)
SPREAD = {"input": ("spread", 12.0), "wide": True}
# a convolution with 16 filters on a 10x10 map (the generator may fuse the activation into it),
# its weights scaled so that its outputs span about [-16, 16]
CONV16 = ("Conv2D", dict(Filters=16, Kernel=3, Padding=1))
WIDE_CONV = {"input": ("randn", 4.0), "scale": {"0": 2.0}, "wide": True}


def conv(filters, kernel=3, **kw):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **kw))


def act(kind, **kw):
    return (kind, kw)


# (kind, properties after a convolution, properties alone): non-default arguments where there are any
ACTS = {
    "ReLU6": ({}, {}),
    "Hardtanh": (dict(Min=-2.5, Max=4.0), {}),
    "Hardsigmoid": ({}, {}),
    "Hardswish": ({}, {}),
    "SiLU": ({}, {}),
    "Mish": ({}, {}),
    "GELU": ({}, {}),
    "GELUTanh": (dict(Approximate="tanh"), dict(Approximate="tanh")),
    "ELU": (dict(Alpha=0.5), {}),
    "SELU": ({}, {}),
    "Softplus": (dict(Beta=0.5, Threshold=3.0), {}),
    "LeakyReLU": (dict(NegativeSlope=0.2), {}),
}

RUNS = {
    # BatchNorm2D after a convolution (foldable), with and without the convolution's bias
    "BnAfterConv": ((3, 8, 8), [conv(8, Padding=1), ("BatchNorm2D", dict(Channels=8))]),
    "BnAfterConvNoBiasReLU": ((3, 10, 10), [conv(16, Padding=1, Bias=False), ("BatchNorm2D", {}), ("ReLU", {})]),
    # running_var small, so that an Epsilon of 0.01 matters
    "BnEpsilon": ((3, 10, 10), [conv(16, Padding=1), ("BatchNorm2D", dict(Epsilon=0.01)), ("ReLU", {})],
                  {"var": (0.005, 0.05)}),
    # BatchNorm2D not after a convolution
    "BnFirst": ((4, 6, 6), [("BatchNorm2D", {})], {"input": ("randn", 2.0)}),
    "BnAfterPool": ((4, 8, 8), [("MaxPool2D", dict(Kernel=2)), ("BatchNorm2D", dict(Channels=4))]),
    "BnAfterActivation": ((3, 8, 8), [conv(8), ("ReLU", {}), ("BatchNorm2D", {})]),
    "BnTwice": ((3, 8, 8), [conv(8), ("BatchNorm2D", {}), ("BatchNorm2D", {})]),
    "BnNoAffine": ((3, 8, 8), [conv(8), ("BatchNorm2D", dict(Affine=False))]),
    # small networks
    "VggSmall": ((3, 16, 16), [conv(16, Padding=1), ("BatchNorm2D", {}), ("ReLU", {}),
                               conv(16, Padding=1), ("BatchNorm2D", {}), ("ReLU", {}),
                               ("MaxPool2D", dict(Kernel=2)), ("Dropout", {}), ("Flatten", {}),
                               ("Dense", dict(Outputs=32)), ("ReLU", {}), ("Dropout", dict(P=0.3)),
                               ("Dense", dict(Outputs=10))]),
    "MobileNetTiny": ((3, 16, 16), [conv(16, Stride=2, Padding=1, Bias=False), ("BatchNorm2D", {}), ("ReLU6", {}),
                                    conv(16, Padding=1, Groups=16, Bias=False), ("BatchNorm2D", {}), ("ReLU6", {}),
                                    conv(24, kernel=1, Bias=False), ("BatchNorm2D", {}),
                                    ("GlobalAvgPool2D", {}), ("Flatten", {}), ("Dense", dict(Outputs=10))],
                      {"input": ("randn", 3.0), "scale": {"0": 2.0}}),
    "CifarBnSiLU": ((3, 32, 32), [conv(32, Padding=1), ("BatchNorm2D", {}), ("SiLU", {}),
                                  ("MaxPool2D", dict(Kernel=2)),
                                  conv(64, Padding=1), ("BatchNorm2D", {}), ("Hardswish", {}),
                                  ("GlobalAvgPool2D", {}), ("Flatten", {}), ("Dense", dict(Outputs=10)),
                                  ("LogSoftmax", {})], {"input": ("randn", 3.0)}),
    # PReLU
    "PReLUShared": ((3, 10, 10), [CONV16, ("PReLU", {})], WIDE_CONV),
    "PReLUChannels": ((3, 10, 10), [CONV16, ("PReLU", dict(Parameters=16))], WIDE_CONV),
    "PReLUAlone": (ALONE_SHAPE, [("PReLU", dict(Parameters=4))], SPREAD),
    "PReLUDense": ((2, 4, 4), [("Flatten", {}), ("Dense", dict(Outputs=12)), ("PReLU", dict(Parameters=12))],
                   {"input": ("randn", 3.0)}),
    # global and adaptive pooling
    "GlobalAvgPool": ((3, 8, 8), [conv(8), ("GlobalAvgPool2D", {}), ("Flatten", {}), ("Dense", dict(Outputs=5))]),
    "GlobalMaxPool": ((3, 8, 8), [conv(8), ("GlobalMaxPool2D", {}), ("Flatten", {}), ("Dense", dict(Outputs=5))]),
    # 8 -> 3: windows [0, 3), [2, 6), [5, 8) (sizes 3, 4, 3); 7 -> 3: [0, 3), [2, 5), [4, 7)
    "AdaptiveAvgDown": ((2, 8, 7), [("AdaptiveAvgPool2D", dict(Output=3))]),
    "AdaptiveMaxDownRect": ((2, 10, 6), [("AdaptiveMaxPool2D", dict(OutputHeight=4, OutputWidth=5))]),
    "AdaptiveAvgUp": ((2, 3, 3), [("AdaptiveAvgPool2D", dict(Output=5))]),
    "AdaptiveMaxUpRect": ((2, 4, 3), [("AdaptiveMaxPool2D", dict(OutputHeight=7, OutputWidth=5))]),
    "AdaptiveSame": ((2, 5, 6), [("AdaptiveAvgPool2D", dict(OutputHeight=5, OutputWidth=6)),
                                 ("AdaptiveMaxPool2D", dict(OutputHeight=5, OutputWidth=6))]),
    "AdaptiveMixed": ((3, 10, 6), [conv(4, Padding=1), ("AdaptiveAvgPool2D", dict(OutputHeight=3, OutputWidth=8)),
                                   ("AdaptiveMaxPool2D", dict(OutputHeight=2, OutputWidth=3)), ("Flatten", {}), ("Dense", dict(Outputs=3))]),
    # average pools leaving the padding out of the divisor (count_include_pad=False): stride 1 on a 20 x 20 map (an
    # interior wide enough for vectors), a rectangular strided window with ceil_mode whose last windows run past the
    # padding, and Inception's 3x3 branch pool after a convolution of 32 channels
    "AvgPoolExcludePad": ((4, 20, 20), [("AvgPool2D", dict(Kernel=3, Stride=1, Padding=1, CountIncludePad=False))],
                          {"input": ("randn", 2.0)}),
    "AvgPoolExcludePadCeil": ((3, 10, 11), [("AvgPool2D", dict(KernelHeight=3, KernelWidth=4, StrideHeight=2, StrideWidth=3,
                                                               PaddingHeight=1, PaddingWidth=2, CeilMode=True,
                                                               CountIncludePad=False))], {"input": ("randn", 2.0)}),
    "AvgPoolExcludePadBranch": ((3, 12, 12), [conv(32, kernel=1), ("ReLU", {}),
                                              ("AvgPool2D", dict(Kernel=3, Stride=1, Padding=1, CountIncludePad=False)),
                                              conv(16, kernel=1), ("AvgPool2D", dict(Kernel=5, Stride=3, Padding=2, CountIncludePad=False)),
                                              ("Flatten", {}), ("Dense", dict(Outputs=5))]),
    # dilated max and min pools (nn.MaxPool2d's dilation): stride 1, a rectangular window with ceil_mode, after a
    # convolution of 16 channels, and after one of 32 (a channels-last input)
    "MaxPoolDilated": ((3, 11, 12), [("MaxPool2D", dict(Kernel=3, Stride=1, Padding=1, Dilation=2))], {"input": ("randn", 2.0)}),
    "MaxPoolDilatedRect": ((2, 13, 10), [("MaxPool2D", dict(KernelHeight=2, KernelWidth=3, StrideHeight=2, StrideWidth=1,
                                                            PaddingHeight=1, PaddingWidth=1, DilationHeight=3, DilationWidth=2,
                                                            CeilMode=True))], {"input": ("randn", 2.0)}),
    "MinPoolDilatedAfterConv": ((3, 12, 12), [conv(16, Padding=1), ("MinPool2D", dict(Kernel=2, Stride=2, Dilation=2)),
                                              ("Flatten", {}), ("Dense", dict(Outputs=4))]),
    "MaxPoolDilatedChannels": ((3, 14, 14), [conv(32, kernel=1), ("ReLU", {}),
                                             ("MaxPool2D", dict(Kernel=3, Stride=2, Padding=1, Dilation=2)),
                                             conv(16, kernel=1), ("MaxPool2D", dict(Kernel=2, Stride=1, Dilation=3)),
                                             ("Flatten", {}), ("Dense", dict(Outputs=5))]),
    # ceil-mode windows longer than their padded input (up to stride - 1 longer): one output over what the window
    # covers, the mean's divisor the window clipped to the padded input (or to the input, CountIncludePad=False)
    "MaxPoolOversizedCeil": ((3, 2, 2), [("MaxPool2D", dict(Kernel=3, Stride=2, CeilMode=True))], {"input": ("randn", 2.0)}),
    "AvgPoolOversizedCeil": ((2, 2, 3), [("AvgPool2D", dict(Kernel=5, Stride=3, Padding=1, CeilMode=True))], {"input": ("randn", 2.0)}),
    "AvgPoolOversizedExcludePad": ((2, 3, 2), [("AvgPool2D", dict(Kernel=5, Stride=3, Padding=1, CeilMode=True,
                                                                   CountIncludePad=False))], {"input": ("randn", 2.0)}),
    "MinPoolOversizedDilated": ((2, 3, 4), [("MinPool2D", dict(Kernel=2, Stride=4, Dilation=3, CeilMode=True))], {"input": ("randn", 2.0)}),
    "PoolOversizedChannels": ((3, 4, 4), [conv(32, Stride=2, Padding=1), ("ReLU", {}),
                                          ("MaxPool2D", dict(Kernel=3, Stride=2, CeilMode=True)),
                                          conv(16, kernel=1), ("Flatten", {}), ("Dense", dict(Outputs=4))]),
    # LogSoftmax: logits in the hundreds (a naive exp overflows float32), and over channels per pixel
    "LogSoftmaxDense": ((1, 4, 4), [("Flatten", {}), ("Dense", dict(Outputs=10)), ("LogSoftmax", {})],
                        {"scale": {"1": 120.0}}),
    "LogSoftmaxChannels": ((3, 6, 6), [conv(5, Padding=1), ("LogSoftmax", {})], {"input": ("randn", 3.0)}),
    # named modules, with unnamed ones (position) and parameterless ones in between
    "NamedLayers": ((3, 8, 8), [conv(8, Padding=1, Name="stem"), ("BatchNorm2D", dict(Name="stem_bn")),
                                ("ReLU", {}), ("Dropout", dict(P=0.25)), conv(8, Name="conv2"), ("Identity", {}),
                                ("BatchNorm2D", {}), ("PReLU", dict(Parameters=8, Name="act")),
                                ("GlobalAvgPool2D", {}), ("Flatten", dict(Name="flat")),
                                ("Dense", dict(Outputs=5, Name="head"))]),
}

for name, (after_conv, alone) in ACTS.items():
    kind = "GELU" if name.startswith("GELU") else name
    RUNS["Conv" + name] = ((3, 10, 10), [CONV16, act(kind, **after_conv)], WIDE_CONV)
    RUNS[name + "Alone"] = (ALONE_SHAPE, [act(kind, **alone)],
                            {"input": ("spread", 30.0), "wide": True} if kind == "Softplus" else SPREAD)

# builds that must fail: (input shape, layers, index of the layer whose attribute is wrong)
C4 = conv(4)
ERRORS = {
    "BadBatchNormChannels": ((3, 8, 8), [C4, ("BatchNorm2D", dict(Channels=3))], 1),
    "BadPReLUParameters": ((3, 8, 8), [C4, ("PReLU", dict(Parameters=3))], 1),
    "BadGELUApproximate": ((3, 8, 8), [C4, ("GELU", dict(Approximate="fast"))], 1),
    "BadHardtanhRange": ((3, 8, 8), [C4, ("Hardtanh", dict(Min=2.0, Max=1.0))], 1),
    "BadDropoutP": ((3, 8, 8), [C4, ("Dropout", dict(P=1.5))], 1),
    "BadSoftplusBeta": ((3, 8, 8), [C4, ("Softplus", dict(Beta=0.0))], 1),
    "BadAdaptiveOutput": ((3, 8, 8), [C4, ("AdaptiveAvgPool2D", dict(Output=0))], 1),
    "AdaptiveMaxNoOutput": ((3, 8, 8), [C4, ("AdaptiveMaxPool2D", {})], 1),
    "DuplicateName": ((3, 8, 8), [conv(4, Name="a"), ("ReLU", {}), conv(4, Name="a")], 2),
    "DottedName": ((3, 8, 8), [conv(4, Name="stem.conv"), ("ReLU", {})], 0),
    "EmptyName": ((3, 8, 8), [conv(4, Name=""), ("ReLU", {})], 0),
    # layer 1 takes the key "0", which layer 0 already has by position
    "NameClashesWithPosition": ((3, 8, 8), [C4, ("ReLU", dict(Name="0"))], 1),
}

if __name__ == "__main__":
    args = [a for a in sys.argv[1:]]
    report = None
    if "--report" in args:
        i = args.index("--report")
        report = args[i + 1]
        del args[i:i + 2]
    out = args[0] if args else os.path.join(HERE, "..", "fixtures", "layers")
    # ONNX exports of the larger networks, for the benchmarks against ONNX Runtime
    write_cases(os.path.normpath(out), RUNS, ERRORS, "Fixtures.Layers", onnx=("VggSmall", "MobileNetTiny", "CifarBnSiLU"), seed=9000, report=report)
