"""PyTorch reference cases for blocks: [Block] classes used through [Sequential], [Residual],
[Concat] and [Multiply] (blocks.py holds the PyTorch modules and their semantics).

usage: /usr/bin/python3 tests/torch/block_cases.py [OUT_DIR] [--report REPORT.json]
OUT_DIR defaults to tests/fixtures/blocks. Needs Debian's python3-torch (PyTorch 1.13); seeds come
from the case names, so a re-run reproduces the same bytes. BLOCKS.md says how to regenerate and
what the files hold (the same files as casegen.py's, the network and its blocks in one NAME.cs).

A case is fixturecases.py's dict (input, net, blocks, opts as casegen.py's options, fault); the
layers are netspec.py's. The writer and the builder are fixturecases.py's; an error entry in
cases.json has the line only.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from casegen import mutants  # noqa: E402
from fixturecases import Fixtures, L, cat, mul, reported, res, seq, try_mutants  # noqa: E402
from netspec import torch_layer  # noqa: E402

NAMESPACE = "Fixtures.Blocks"


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **p))


def bn(**p):
    return ("BatchNorm2D", p)


# ----------------------------------------------------------------------------- layers and checks

def layer(kind, p, shape, rank):
    m, _ = torch_layer(kind, p, shape)
    assert type(m).__name__ != "AsymPadConv2d", "asymmetric padding: its keys are flattened"
    return m


def checks(run, problems):
    """The mutants, reported: the containers' and casegen's (BatchNorm, activations, pools)."""
    return reported(try_mutants(run, lambda m, shape: ((), (), mutants(m))))


# ----------------------------------------------------------------------------- the cases

C8 = conv(8, Padding=1)
STD = {"input": ("randn", 2.0)}


def basic(filters, stride=1):
    """torchvision's BasicBlock body (the ReLU after the addition follows the Residual)."""
    first = conv(filters, Stride=stride, Padding=1, Bias=False, Name="conv1") if stride != 1 else \
        conv(filters, Padding=1, Bias=False, Name="conv1")
    return [first, bn(Name="bn1"), L("ReLU", Name="relu"),
            conv(filters, Padding=1, Bias=False, Name="conv2"), bn(Name="bn2")]


def conv_bn_relu6(filters, kernel, stride=1, groups=1):
    p = dict(Stride=stride) if stride != 1 else {}
    if kernel == 3:
        p["Padding"] = 1
    if groups != 1:
        p["Groups"] = groups
    return [conv(filters, kernel, **p, Bias=False), bn(), L("ReLU6")]


def inverted_residual_conv(expand, dw, project):
    return [seq(expand), seq(dw), conv(project, 1, Bias=False), bn()]


def se(mid, channels, act, names=False):
    if names:
        return [L("GlobalAvgPool2D", Name="avgpool"), conv(mid, 1, Name="fc1"), L("ReLU", Name="activation"),
                conv(channels, 1, Name="fc2"), L(act, Name="scale_activation")]
    return [L("GlobalAvgPool2D"), conv(mid, 1), L("ReLU"), conv(channels, 1), L(act)]


RUNS = {
    # torchvision's resnet names: conv1, bn1, layerN.0.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}, fc
    "ResNet8": dict(
        input=(3, 16, 16),
        net=[conv(8, Padding=1, Bias=False, Name="conv1"), bn(Name="bn1"), L("ReLU", Name="relu"),
             seq("Layer1", Name="layer1"), seq("Layer2", Name="layer2"), seq("Layer3", Name="layer3"),
             L("GlobalAvgPool2D", Name="avgpool"), L("Flatten"), L("Dense", Outputs=10, Name="fc")],
        blocks={
            "Layer1": [res("Basic8", Name="0"), L("ReLU")],
            "Basic8": basic(8),
            "Layer2": [res("Basic16", Shortcut="Down16", ShortcutName="downsample", Name="0"), L("ReLU")],
            "Basic16": basic(16, 2),
            "Down16": [conv(16, 1, Stride=2, Bias=False), bn()],
            "Layer3": [res("Basic32", Shortcut="Down32", ShortcutName="downsample", Name="0"), L("ReLU")],
            "Basic32": basic(32, 2),
            "Down32": [conv(32, 1, Stride=2, Bias=False), bn()],
        },
        opts=STD),
    # torchvision's mobilenet_v2 names: features.N.conv.{0.0, 0.1, 1.0, 1.1, 2, 3}, classifier.1;
    # features.1 and .3 add their input (stride 1, same channels), features.2 (stride 2) does not
    "MobileNetV2": dict(
        input=(3, 16, 16),
        net=[seq("Features", Name="features"), L("GlobalAvgPool2D"), L("Flatten"), seq("Classifier", Name="classifier")],
        blocks={
            "Features": [seq("Stem"), res("Ir16"), seq("Ir24S2"), res("Ir24")],
            "Stem": conv_bn_relu6(16, 3, stride=2),
            "Ir16": [seq("Ir16Conv", Name="conv")],
            "Ir16Conv": inverted_residual_conv("Expand64", "Dw64", 16),
            "Ir24S2": [seq("Ir24S2Conv", Name="conv")],
            "Ir24S2Conv": inverted_residual_conv("Expand64", "Dw64S2", 24),
            "Ir24": [seq("Ir24Conv", Name="conv")],
            "Ir24Conv": inverted_residual_conv("Expand96", "Dw96", 24),
            "Expand64": conv_bn_relu6(64, 1),
            "Dw64": conv_bn_relu6(64, 3, groups=64),
            "Dw64S2": conv_bn_relu6(64, 3, stride=2, groups=64),
            "Expand96": conv_bn_relu6(96, 1),
            "Dw96": conv_bn_relu6(96, 3, groups=96),
            "Classifier": [L("Dropout", P=0.2), L("Dense", Outputs=10)],
        },
        opts={"input": ("randn", 3.0),
              "scale": {"features.0.0": 3.0, "features.0.1": 2.0, "features.1.conv.0.1": 3.0,
                        "features.1.conv.1.1": 3.0, "features.2.conv.0.1": 3.0, "features.2.conv.1.1": 3.0,
                        "features.3.conv.0.1": 3.0, "features.3.conv.1.1": 3.0}}),
    # squeeze-and-excitation: torchvision's SqueezeExcitation names (fc1, fc2) with a Hardsigmoid,
    # then an unnamed one with a Sigmoid; the gate is [C, 1, 1], broadcast over H, W
    "SqueezeExcite": dict(
        input=(3, 8, 8),
        net=[conv(16, Padding=1, Name="conv"), bn(), L("ReLU"), mul("SeHard", Name="se"), conv(16, 1),
             mul("SeSigmoid"), L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=5)],
        blocks={"SeHard": se(4, 16, "Hardsigmoid", names=True), "SeSigmoid": se(4, 16, "Sigmoid")},
        opts={"input": ("randn", 2.0), "scale": {"se.fc1": 2.0, "se.fc2": 8.0, "5.1": 2.0, "5.3": 3.0}}),
    # a gate of the input's own shape: x * sigmoid(conv(x))
    "GateSameShape": dict(
        input=(4, 8, 8),
        net=[C8, L("ReLU"), mul("Gate", Name="gate"), conv(4, 1)],
        blocks={"Gate": [conv(8, Padding=1), L("Sigmoid")]},
        opts={"input": ("randn", 2.0), "scale": {"gate.0": 3.0}}),
    # SqueezeNet's Fire module, used twice: squeeze 1x1, then expand 1x1 and 3x3 side by side
    "Fire": dict(
        input=(3, 16, 16),
        net=[conv(16, Padding=1, Name="conv1"), L("ReLU"), L("MaxPool2D", Kernel=2),
             seq("Module", Name="fire2"), seq("Module", Name="fire3"), conv(10, 1, Name="final_conv"),
             L("ReLU"), L("GlobalAvgPool2D"), L("Flatten")],
        blocks={
            "Module": [conv(4, 1, Name="squeeze"), L("ReLU", Name="squeeze_activation"),
                       cat("Expand1x1", "Expand3x3", Name="expand")],
            "Expand1x1": [conv(8, 1), L("ReLU")],
            "Expand3x3": [conv(8, 3, Padding=1), L("ReLU")],
        },
        opts=STD),
    # DenseNet: each layer's output appended to its input (IncludeInput), 8 -> 12 -> 16 channels;
    # the same block class at two input widths
    "DenseNet": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Bias=False, Name="conv0"), cat("Layer", IncludeInput=True, Name="denselayer1"),
             cat("Layer", IncludeInput=True, Name="denselayer2"), bn(Name="norm5"), L("ReLU"),
             L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=5, Name="classifier")],
        blocks={"Layer": [bn(Name="norm1"), L("ReLU", Name="relu1"), conv(4, Padding=1, Bias=False, Name="conv1")]},
        opts=STD),
    # a Sequential of Residuals whose bodies end in a Multiply (squeeze-and-excitation, as SE-ResNet)
    "Nested": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), seq("Stage", Name="stage"), L("GlobalAvgPool2D"), L("Flatten"),
             L("Dense", Outputs=4)],
        blocks={
            "Stage": [res("Body"), L("ReLU"), res("Body", Name="res2"), L("ReLU")],
            "Body": [conv(8, Padding=1, Bias=False), bn(), L("ReLU"), conv(8, Padding=1, Bias=False), bn(), mul("Se")],
            "Se": se(6, 8, "Sigmoid"),
        },
        opts={"input": ("randn", 2.0), "scale": {"stage.0.5.3": 3.0, "stage.res2.5.3": 3.0}}),
    # Name = "" on Sequentials: Pair's unnamed children keep their own positions ("0", "1") among
    # the network's items (whose 0 and 1 are named); Deep inlines a Residual, inlined in turn;
    # the Dense is item 7 of the network
    "InlineSequential": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), L("ReLU", Name="act"), seq("Pair", Name=""), L("ReLU"),
             seq("Deep", Name=""), L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=4)],
        blocks={
            "Pair": [C8, bn()],
            "Deep": [res("DeepBody", Name=""), L("ReLU", Name="deep_relu")],
            "DeepBody": [conv(8, Padding=1, Name="deep_conv"), bn(Name="deep_bn")],
        },
        opts=STD),
    # Name = "" on a Residual with a shortcut and on a Multiply, inside a named Sequential
    "InlineResidual": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), seq("Stage", Name="stage"), L("GlobalAvgPool2D"), L("Flatten"),
             L("Dense", Outputs=4, Name="fc")],
        blocks={
            "Stage": [res("Body", Shortcut="Proj", ShortcutName="proj", Name=""), L("ReLU"), mul("Gate", Name="")],
            "Body": [conv(12, Padding=1, Name="conv_b"), bn(Name="bn_b"), L("ReLU", Name="relu_b"),
                     conv(12, Padding=1, Name="conv_c")],
            "Proj": [conv(12, 1, Bias=False), bn()],
            "Gate": [conv(12, 1, Name="gate_conv"), L("Sigmoid", Name="gate_sigmoid")],
        },
        opts={"input": ("randn", 2.0), "scale": {"stage.gate_conv": 2.0}}),
    # names and positions mixed, on blocks and layers; a default ShortcutName ("shortcut");
    # in Gate, layer 0 is named "1" and layer 1 "0"
    "NamedMix": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), L("ReLU"), seq("Body", Name="body"), res("Res", Shortcut="Proj"),
             mul("Gate", Name="gate"), L("GlobalAvgPool2D", Name="pool"), L("Flatten"),
             L("Dense", Outputs=5, Name="head")],
        blocks={
            "Body": [C8, bn(Name="bn"), L("ReLU"), conv(8, Padding=1, Name="conv")],
            "Res": [conv(12, Padding=1, Name="c1"), L("ReLU"), conv(12, Padding=1)],
            "Proj": [conv(12, 1, Bias=False), bn()],
            "Gate": [conv(12, 1, Name="1"), L("Sigmoid", Name="0")],
        },
        opts={"input": ("randn", 2.0), "scale": {"gate.1": 2.0}}),
    # three branches of 4, 6 and 2 channels (Inception-like), the concatenation is the output
    "Concat3": dict(
        input=(4, 8, 8),
        net=[C8, L("ReLU"), cat("A", "B", "C", Name="mixed")],
        blocks={
            "A": [conv(4, 1)],
            "B": [conv(6, 1), L("ReLU"), conv(6, 3, Padding=1)],
            "C": [L("MaxPool2D", Kernel=3, Stride=1, Padding=1), conv(2, 1)],
        },
        opts=STD),
    # VGG from Sequential blocks: Conv16 used twice in a row, stages, a classifier block
    "VggBlocks": dict(
        input=(3, 16, 16),
        net=[seq("Stage16", Name="features1"), seq("Stage32", Name="features2"), L("Flatten"),
             seq("Head", Name="classifier")],
        blocks={
            "Stage16": [seq("Conv16"), seq("Conv16"), L("MaxPool2D", Kernel=2)],
            "Conv16": [conv(16, Padding=1), bn(), L("ReLU")],
            "Stage32": [seq("Conv32"), L("MaxPool2D", Kernel=2)],
            "Conv32": [conv(32, Padding=1), bn(), L("ReLU")],
            "Head": [L("Dense", Outputs=32), L("ReLU"), L("Dropout", P=0.5), L("Dense", Outputs=10)],
        },
        opts=STD),
}

ONNX = ("ResNet8", "MobileNetV2")

# fault: (suffix or None for the network, item index or "InputShape"); each case has one fault
ERRORS = {
    # the body turns 8 channels into 16
    "ResidualChangesShape": dict(input=(3, 8, 8), net=[C8, res("Body")], blocks={"Body": [conv(16, Padding=1)]},
                                 fault=(None, 1)),
    # body 16x4x4, shortcut 16x8x8
    "ResidualShortcutShape": dict(input=(3, 8, 8), net=[C8, res("Body", Shortcut="Proj")],
                                  blocks={"Body": [conv(16, Stride=2, Padding=1)], "Proj": [conv(16, 1)]},
                                  fault=(None, 1)),
    # inside a block used by the network: the block's attribute
    "ResidualInBlockChangesShape": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                        blocks={"Stage": [L("ReLU"), res("Body")], "Body": [conv(8, 3)]},
                                        fault=("Stage", 1)),
    # 4x8x8 beside 4x4x4
    "ConcatSpatialMismatch": dict(input=(3, 8, 8), net=[C8, cat("A", "B")],
                                  blocks={"A": [conv(4, Padding=1)], "B": [conv(4, Stride=2, Padding=1)]},
                                  fault=(None, 1)),
    # the input (8x8) beside a pooled branch (4x4), in a block
    "ConcatInputMismatch": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                blocks={"Stage": [L("ReLU"), cat("Down", IncludeInput=True)],
                                        "Down": [L("MaxPool2D", Kernel=2)]},
                                fault=("Stage", 1)),
    # a [4, 1, 1] gate for 8 channels
    "MultiplyWrongChannels": dict(input=(3, 8, 8), net=[C8, mul("Se")],
                                  blocks={"Se": [L("GlobalAvgPool2D"), conv(4, 1), L("Sigmoid")]}, fault=(None, 1)),
    # a [1, H, W] gate: PyTorch would broadcast it over the channels, the contract allows only
    # x's shape or [C, 1, 1]
    "MultiplySpatialGate": dict(input=(3, 8, 8), net=[C8, mul("Gate")],
                                blocks={"Gate": [conv(1, Padding=1), L("Sigmoid")]}, fault=(None, 1)),
    # an [8, 6, 6] gate for 8x8x8
    "MultiplyGateSmaller": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                blocks={"Stage": [mul("Gate")], "Gate": [conv(8, 3), L("Sigmoid")]},
                                fault=("Stage", 0)),
    # typeof a class without [Block] (and without attributes, so that it is no error itself)
    "TypeofPlainClass": dict(input=(3, 8, 8), net=[C8, seq("Plain")], blocks={"Plain": dict(items=[], block=False)},
                             fault=(None, 1)),
    # typeof a network (a valid one of its own: [InputShape], no [Block])
    "TypeofNetwork": dict(input=(3, 8, 8), net=[conv(8), res("Other")],
                          blocks={"Other": dict(items=[conv(8, Padding=1)], block=False, input_shape=(8, 6, 6))},
                          fault=(None, 1)),
    # a class with both: the [InputShape] is at fault (a block has none)
    "BlockWithInputShape": dict(net=None, blocks={"": dict(items=[conv(4)], input_shape=(3, 8, 8))},
                                fault=("", "InputShape")),
    # a block that uses itself
    "BlockSelfCycle": dict(input=(3, 8, 8), net=[C8, seq("Loop")],
                           blocks={"Loop": [C8, L("ReLU"), res("Loop")]}, fault=("Loop", 2)),
    # A uses B uses A: the attribute that closes the cycle, walking from the network
    "BlockCycle": dict(input=(3, 8, 8), net=[C8, seq("A")],
                       blocks={"A": [C8, seq("B")], "B": [L("ReLU"), res("A")]}, fault=("B", 1)),
    "EmptyNameOnLayer": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                             blocks={"Stage": [conv(8, Padding=1, Name=""), L("ReLU")]}, fault=("Stage", 0)),
    "DuplicateSiblingNames": dict(input=(3, 8, 8), net=[C8, seq("Stage", Name="stage")],
                                  blocks={"Stage": [conv(8, Padding=1, Name="a"), L("ReLU"), conv(8, Padding=1, Name="a")]},
                                  fault=("Stage", 2)),
    # a block named like a layer before it
    "DuplicateBlockName": dict(input=(3, 8, 8), net=[conv(8, Padding=1, Name="x"), seq("B", Name="x")],
                               blocks={"B": [L("ReLU")]}, fault=(None, 1)),
    # item 1 named "0", item 0's position
    "BlockNameClashesWithPosition": dict(input=(3, 8, 8), net=[C8, res("B", Name="0")],
                                         blocks={"B": [conv(8, Padding=1)]}, fault=(None, 1)),
    # the inlined Pair brings "0" and "1"; the convolution after it is item 1, "1"
    "InlineNameClash": dict(input=(3, 8, 8), net=[seq("Pair", Name=""), C8], blocks={"Pair": [C8, bn()]},
                            fault=(None, 1)),
    # ShortcutName equal to a name in the body
    "ShortcutNameClash": dict(input=(3, 8, 8), net=[C8, res("Body", Shortcut="Proj", ShortcutName="conv1")],
                              blocks={"Body": [conv(8, Padding=1, Name="conv1"), bn()], "Proj": [conv(8, 1)]},
                              fault=(None, 1)),
    "DottedBlockName": dict(input=(3, 8, 8), net=[C8, seq("B", Name="stage.0")], blocks={"B": [L("ReLU")]},
                            fault=(None, 1)),
    "DottedShortcutName": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                               blocks={"Stage": [res("Body", Shortcut="Proj", ShortcutName="down.sample")],
                                       "Body": [C8], "Proj": [conv(8, 1)]},
                               fault=("Stage", 0)),
}


FIXTURES = Fixtures(NAMESPACE, layer, checks, onnx=ONNX, newline=False)

if __name__ == "__main__":
    FIXTURES.main(RUNS, ERRORS, os.path.join(HERE, "..", "fixtures", "blocks"), seed=7000)
