"""Writes the Variety group's networks: ResNet- and MobileNet-style networks of shapes the generator was not tuned on
(channel counts such as 24, 40, 48, 80 and 320 that no vector width divides, a 7x7 stem with a max pool, 64 x 64
inputs), as ONNX exports for ONNX Runtime and as the C# declarations of NetworksVariety.cs, from one description.

    /usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_variety.py [OUT_DIR] [CS_FILE]

OUT_DIR defaults to benchmarks/CnnGen.Benchmarks/fixtures (its files, about 320 MB, are not in git), CS_FILE to
benchmarks/CnnGen.Benchmarks/NetworksVariety.cs (in git). Each network gets NAME.onnx (ONNX Runtime's),
NAME.params.f32 (the same weights in state_dict order, as LoadParameters takes them), NAME.input.f32 and
NAME.expected.f32 (PyTorch's output in float64), so both engines run the same finite weights and the benchmark prints
how far each is from PyTorch. BatchNorm's statistics are random, so folding them is real work for both; the exporter
folds them into the convolutions.

Needs torch and onnx only (Debian's python3-torch 1.13 and python3-onnx 1.12: /usr/bin/python3). Seeded.
"""
import copy
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "fixtures")
cs_file = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "NetworksVariety.cs")
cs = ["// written by torch/networks_variety.py, which also writes their ONNX exports: edit that, not this", "using CnnGen;", "", "namespace Benchmarks;", ""]

def conv_bn(cin, cout, k, s, groups=1, act=None):
    layers = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    attrs = [f"[Conv2D(Filters = {cout}, Kernel = {k}, Stride = {s}, Padding = {k // 2}{', Groups = %d' % groups if groups > 1 else ''}, Bias = false)]", "[BatchNorm2D]"]
    if act == "relu": layers.append(nn.ReLU()); attrs.append("[ReLU]")
    if act == "relu6": layers.append(nn.ReLU6()); attrs.append("[ReLU6]")
    if act == "hardswish": layers.append(nn.Hardswish()); attrs.append("[Hardswish]")
    if act == "gelu": layers.append(nn.GELU()); attrs.append("[GELU]")
    if act == "mish": layers.append(nn.Mish()); attrs.append("[Mish]")
    return layers, attrs

class Res(nn.Module):
    def __init__(self, body, short):
        super().__init__(); self.body = body; self.short = short
    def forward(self, x): return self.body(x) + (self.short(x) if self.short is not None else x)


def block_class(name, attrs):
    """A [Block] class of the C# file: a residual's body or shortcut."""
    cs.append("[Block]"); cs.extend(attrs); cs.append(f"public partial class {name} {{ }}"); cs.append("")

def inverted_residual(name, body_l, body_a, residual, mods, attrs):
    """An inverted residual's body as the [Block] class `name`, added to the network with its input added back where
    `residual` (stride 1, as many filters as input channels), else in sequence."""
    block_class(name, body_a)
    if residual:
        mods.append(Res(nn.Sequential(*body_l), None)); attrs.append(f"[Residual(typeof({name}))]")
    else:
        mods.append(nn.Sequential(*body_l)); attrs.append(f"[Sequential(typeof({name}))]")

def resnet(name, shape, stem, stages, pool=False, bottleneck=False, groups=1, expansion=4):
    """BasicBlocks (conv-BN-ReLU, conv-BN, + shortcut, ReLU) or, with bottleneck, torchvision's ResNet-50 blocks (1x1
    conv-BN-ReLU to the width, 3x3 conv-BN-ReLU of the stride in `groups` groups (ResNeXt's), 1x1 conv-BN to
    `expansion` times the width, + shortcut, ReLU) after a conv-BN-ReLU stem (filters, kernel, stride) and optionally a
    3x3/2 max pool; stages of (width, blocks, stride), a 1x1 conv-BN shortcut where the shape changes."""
    mods, attrs = [], []
    l, a = conv_bn(shape[0], stem[0], stem[1], stem[2], act="relu"); mods += l; attrs += a
    if pool: mods.append(nn.MaxPool2d(3, 2, 1)); attrs.append("[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)]")
    cin = stem[0]; n = 0
    for (width, count, stride) in stages:
        cout = expansion * width if bottleneck else width
        for i in range(count):
            s = stride if i == 0 else 1
            parts = ([conv_bn(cin, width, 1, 1, act="relu"), conv_bn(width, width, 3, s, groups=groups, act="relu"), conv_bn(width, cout, 1, 1)] if bottleneck
                     else [conv_bn(cin, cout, 3, s, act="relu"), conv_bn(cout, cout, 3, 1)])
            body = nn.Sequential(*[m for layers, _ in parts for m in layers]); bname = f"{name}B{n}"
            block_class(bname, [x for _, part in parts for x in part])
            if s != 1 or cin != cout:
                ls, as_ = conv_bn(cin, cout, 1, s); sname = f"{name}S{n}"; block_class(sname, as_)
                mods.append(Res(body, nn.Sequential(*ls))); attrs.append(f"[Residual(typeof({bname}), Shortcut = typeof({sname}))]")
            else:
                mods.append(Res(body, None)); attrs.append(f"[Residual(typeof({bname}))]")
            mods.append(nn.ReLU()); attrs.append("[ReLU]")
            cin = cout; n += 1
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
    finish(name, shape, nn.Sequential(*mods), attrs)

def mobilenet(name, shape, stem, settings, last):
    """MobileNetV2: a 3x3/2 conv-BN-ReLU6 stem, inverted residuals of (expansion, filters, count, stride) as
    torchvision's settings, a 1x1 conv-BN-ReLU6 to `last`, a global average and a linear layer."""
    mods, attrs = [], []
    l, a = conv_bn(shape[0], stem, 3, 2, act="relu6"); mods += l; attrs += a
    cin = stem; n = 0
    for (t, c, count, stride) in settings:
        for i in range(count):
            s = stride if i == 0 else 1
            hidden = cin * t; body_l, body_a = [], []
            if t != 1:
                l, a = conv_bn(cin, hidden, 1, 1, act="relu6"); body_l += l; body_a += a
            l, a = conv_bn(hidden, hidden, 3, s, groups=hidden, act="relu6"); body_l += l; body_a += a
            l, a = conv_bn(hidden, c, 1, 1); body_l += l; body_a += a
            inverted_residual(f"{name}B{n}", body_l, body_a, s == 1 and cin == c, mods, attrs)
            cin = c; n += 1
    l, a = conv_bn(cin, last, 1, 1, act="relu6"); mods += l; attrs += a
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, 10)]
    attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
    finish(name, shape, nn.Sequential(*mods), attrs)

class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, squeezed, 1), nn.ReLU(), nn.Conv2d(squeezed, channels, 1), nn.Hardsigmoid())
    def forward(self, x): return x * self.gate(x)

def mobilenet_v3(name, shape, settings, last, hidden):
    """torchvision's MobileNetV3: a 3x3/2 conv-BN-Hardswish stem of 16, inverted residuals of (kernel, expanded,
    filters, squeeze-and-excitation, activation, stride) with the gate's squeeze to a quarter of the expansion (a
    multiple of 8) after the depthwise convolution, a 1x1 conv-BN-Hardswish to `last`, a global average, a linear
    layer of `hidden` with a Hardswish and the classifier."""
    def squeezed(c):  # torchvision's _make_divisible(c // 4, 8)
        v = c // 4; q = max(8, int(v + 4) // 8 * 8)
        return q + 8 if q < 0.9 * v else q
    mods, attrs = [], []
    l, a = conv_bn(shape[0], 16, 3, 2, act="hardswish"); mods += l; attrs += a
    cin = 16; n = 0
    for (k, expanded, c, se, act, s) in settings:
        body_l, body_a = [], []
        activation = "hardswish" if act == "HS" else "relu"
        if expanded != cin:
            l, a = conv_bn(cin, expanded, 1, 1, act=activation); body_l += l; body_a += a
        l, a = conv_bn(expanded, expanded, k, s, groups=expanded, act=activation); body_l += l; body_a += a
        if se:
            q = squeezed(expanded); gname = f"{name}G{n}"
            block_class(gname, ["[GlobalAvgPool2D]", f"[Conv2D(Filters = {q}, Kernel = 1)]", "[ReLU]", f"[Conv2D(Filters = {expanded}, Kernel = 1)]", "[Hardsigmoid]"])
            body_l.append(SqueezeExcite(expanded, q)); body_a.append(f"[Multiply(typeof({gname}))]")
        l, a = conv_bn(expanded, c, 1, 1); body_l += l; body_a += a
        inverted_residual(f"{name}B{n}", body_l, body_a, s == 1 and cin == c, mods, attrs)
        cin = c; n += 1
    l, a = conv_bn(cin, last, 1, 1, act="hardswish"); mods += l; attrs += a
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, hidden), nn.Hardswish(), nn.Linear(hidden, 10)]
    attrs += ["[GlobalAvgPool2D]", "[Flatten]", f"[Dense(Outputs = {hidden})]", "[Hardswish]", "[Dense(Outputs = 10)]"]
    finish(name, shape, nn.Sequential(*mods), attrs)

def finish(name, shape, model, attrs):
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5); m.bias.data.normal_(0, 0.2); m.running_mean.normal_(0, 0.1); m.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, *shape)
    flat = torch.cat([t.detach().flatten() for t in model.state_dict().values() if t.is_floating_point()])
    with torch.no_grad():
        y = copy.deepcopy(model).double()(x.double())
    assert torch.isfinite(y).all(), name
    for suffix, t in ((".params.f32", flat), (".input.f32", x), (".expected.f32", y)):
        t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(os.path.join(out, name + suffix))
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=13, input_names=["input"], output_names=["output"])
    cs.append(f"[InputShape({', '.join(map(str, shape))})]"); cs.extend(attrs); cs.append(f"public partial class {name} {{ }}"); cs.append("")

# a CIFAR ResNet-20 (He et al.'s 16/32/64, three blocks a stage); 24/48/96/192 on 64 x 64; a ResNet-10 with
# torchvision's 7x7 stem and max pool, 48/80/160/320; torchvision's mobilenet_v2(width_mult=0.5) on 64 x 64 (8, 16,
# 48, 80, 160 and their 6x expansions); a CIFAR MobileNetV2 of expansion 4 with 24, 40, 80 and 112 channels; torchvision's
# ResNet-50 at half width on a 32 x 32 image (its 7x7 stem and max pool leave 8 x 8, its last stage 1 x 1 maps, where a
# 3x3 convolution meets its input through the centre tap alone); a ResNet-26 of those blocks at full width on 64 x 64
# (14 M parameters, 56 MB: its weights stream from memory each call, its 4 x 4 and 2 x 2 stages' 2 to 9 MB a layer)
resnet("ResNet20Cifar", (3, 32, 32), (16, 3, 1), [(16, 3, 1), (32, 3, 2), (64, 3, 2)])
resnet("ResNetOdd64", (3, 64, 64), (24, 3, 2), [(24, 1, 1), (48, 1, 2), (96, 1, 2), (192, 1, 2)])
resnet("ResNet10Wide", (3, 64, 64), (32, 7, 2), [(48, 1, 1), (80, 1, 2), (160, 1, 2), (320, 1, 2)], pool=True)
mobilenet("MobileNetHalf64", (3, 64, 64), 16, [(1, 8, 1, 1), (6, 16, 2, 2), (6, 16, 3, 2), (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 2), (6, 160, 1, 1)], 1280)
mobilenet("MobileNetCifar40", (3, 32, 32), 24, [(1, 16, 1, 1), (4, 24, 2, 1), (4, 40, 2, 2), (4, 80, 3, 2), (4, 112, 2, 1)], 320)
resnet("ResNet50Cifar", (3, 32, 32), (32, 7, 2), [(32, 3, 1), (64, 4, 2), (128, 6, 2), (256, 3, 2)], pool=True, bottleneck=True)
resnet("ResNet26Bottleneck64", (3, 64, 64), (64, 7, 2), [(64, 2, 1), (128, 2, 2), (256, 2, 2), (512, 2, 2)], pool=True, bottleneck=True)
# shapes that found the Winograd kernel refusing filters past a whole number of vectors (its layers then ran the direct
# kernel): a ResNet of 36, 72 and 144 channels on 48 x 48, a bottleneck ResNet of width 24 (24 -> 24 3x3 layers on
# 28 x 28) on 56 x 56, and torchvision's MobileNetV2 at 0.75 width (24, 48, 72, 120, 240) on 56 x 56
resnet("ResNet36At48", (3, 48, 48), (36, 3, 1), [(36, 2, 1), (72, 2, 2), (144, 2, 2)])
resnet("Bottleneck24At56", (3, 56, 56), (32, 3, 2), [(24, 2, 1), (48, 2, 2), (96, 2, 2)], bottleneck=True)
mobilenet("MobileNet075At56", (3, 56, 56), 24, [(1, 16, 1, 1), (6, 24, 2, 2), (6, 24, 3, 2), (6, 48, 4, 2), (6, 72, 3, 1), (6, 120, 3, 2), (6, 240, 1, 1)], 1280)
# ResNeXt's grouped 3x3 convolutions (torchvision's resnext blocks: the width doubled to the output), on 32 x 32: 8
# groups of 16, 32 and 64 channels, and torchvision's 32x4d grouping of 4, 8 and 16
resnet("ResNeXt8At32", (3, 32, 32), (64, 3, 1), [(128, 1, 1), (256, 1, 2), (512, 1, 2)], bottleneck=True, groups=8, expansion=2)
resnet("ResNeXt32x4At32", (3, 32, 32), (64, 3, 1), [(128, 2, 1), (256, 2, 2), (512, 2, 2)], bottleneck=True, groups=32, expansion=2)
# torchvision's mobilenet_v3_small on 96 x 96: squeeze-and-excitation gates (a Multiply of the depthwise output),
# Hardswish, 5x5 depthwise convolutions
mobilenet_v3("MobileNetV3Small96", (3, 96, 96), [(3, 16, 16, True, "RE", 2), (3, 72, 24, False, "RE", 2), (3, 88, 24, False, "RE", 1),
    (5, 96, 40, True, "HS", 2), (5, 240, 40, True, "HS", 1), (5, 240, 40, True, "HS", 1), (5, 120, 48, True, "HS", 1), (5, 144, 48, True, "HS", 1),
    (5, 288, 96, True, "HS", 2), (5, 576, 96, True, "HS", 1), (5, 576, 96, True, "HS", 1)], 576, 1024)
# torchvision's models as users bring them at other sizes: mobilenet_v2 at full width on a 32 x 32 image (its last
# stages on 2 x 2 and 1 x 1 maps: 9 MB of weights a call for 6 million multiply-adds), mobilenet_v3_small on 224 x 224
# and mobilenet_v3_large on 128 x 128 (10 classes each)
mobilenet("MobileNetV2At32", (3, 32, 32), 32, [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)], 1280)
mobilenet_v3("MobileNetV3Small224", (3, 224, 224), [(3, 16, 16, True, "RE", 2), (3, 72, 24, False, "RE", 2), (3, 88, 24, False, "RE", 1),
    (5, 96, 40, True, "HS", 2), (5, 240, 40, True, "HS", 1), (5, 240, 40, True, "HS", 1), (5, 120, 48, True, "HS", 1), (5, 144, 48, True, "HS", 1),
    (5, 288, 96, True, "HS", 2), (5, 576, 96, True, "HS", 1), (5, 576, 96, True, "HS", 1)], 576, 1024)
mobilenet_v3("MobileNetV3Large128", (3, 128, 128), [(3, 16, 16, False, "RE", 1), (3, 64, 24, False, "RE", 2), (3, 72, 24, False, "RE", 1),
    (5, 72, 40, True, "RE", 2), (5, 120, 40, True, "RE", 1), (5, 120, 40, True, "RE", 1), (3, 240, 80, False, "HS", 2), (3, 200, 80, False, "HS", 1),
    (3, 184, 80, False, "HS", 1), (3, 184, 80, False, "HS", 1), (3, 480, 112, True, "HS", 1), (3, 672, 112, True, "HS", 1), (5, 672, 160, True, "HS", 2),
    (5, 960, 160, True, "HS", 1), (5, 960, 160, True, "HS", 1)], 960, 1280)
# layers that ran scalar loops (or direct windows) until a sweep of shapes found them (the Cliffs group): a MobileNet block on 64 x 64 with
# GELU, and with Mish, after each convolution but the projection (their scalar passes in double took 13 ns a value); a
# stride-2 5x5 depthwise convolution on the network's input, in PyTorch's layout, then squeeze-and-excitation and a
# Hardswish block
def activation_block(name, act):
    mods, attrs = [], []
    for (cin, cout, k, s, groups, a) in ((3, 32, 3, 2, 1, act), (32, 96, 1, 1, 1, act), (96, 96, 3, 2, 96, act), (96, 32, 1, 1, 1, None)):
        l, at = conv_bn(cin, cout, k, s, groups=groups, act=a); mods += l; attrs += at
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)]
    attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
    finish(name, (3, 64, 64), nn.Sequential(*mods), attrs)

activation_block("GeluBlock64", "gelu")
activation_block("MishBlock64", "mish")
mods, attrs = [], []
l, a = conv_bn(72, 72, 5, 2, groups=72, act="relu"); mods += l; attrs += a
block_class("DepthwiseInput56G", ["[GlobalAvgPool2D]", "[Conv2D(Filters = 24, Kernel = 1)]", "[ReLU]", "[Conv2D(Filters = 72, Kernel = 1)]", "[Hardsigmoid]"])
mods.append(SqueezeExcite(72, 24)); attrs.append("[Multiply(typeof(DepthwiseInput56G))]")
for (cin, cout, k, groups, act) in ((72, 40, 1, 1, None), (40, 120, 1, 1, "hardswish"), (120, 120, 5, 120, "hardswish")):
    l, a = conv_bn(cin, cout, k, 1, groups=groups, act=act); mods += l; attrs += a
mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(120, 10)]
attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
finish("DepthwiseInput56", (72, 56, 56), nn.Sequential(*mods), attrs)
# YOLO's spatial pyramid pooling on a 32 x 32 map of 64 channels: max pools of 5, 9 and 13 at stride 1 beside the map,
# concatenated (their windows of 25 to 169 values each ran as a direct window a vector of channels at a time)
class Spp(nn.Module):
    def __init__(self):
        super().__init__(); self.pools = nn.ModuleList([nn.Sequential(nn.MaxPool2d(k, 1, k // 2)) for k in (5, 9, 13)])
    def forward(self, x): return torch.cat([x] + [p(x) for p in self.pools], 1)
for k in (5, 9, 13): block_class(f"SppPool{k}", [f"[MaxPool2D(Kernel = {k}, Stride = 1, Padding = {k // 2})]"])
mods, attrs = [], []
l, a = conv_bn(64, 64, 1, 1, act="relu"); mods += l; attrs += a
mods.append(Spp()); attrs.append("[Concat(typeof(SppPool5), typeof(SppPool9), typeof(SppPool13), IncludeInput = true)]")
l, a = conv_bn(256, 64, 1, 1, act="relu"); mods += l; attrs += a
mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
finish("SppPools32", (64, 32, 32), nn.Sequential(*mods), attrs)
# torchvision's ShuffleNetV2 (its InvertedResidual: x.chunk(2, dim=1) and channel_shuffle's view/transpose/view, which
# export as Split and Reshape/Transpose/Reshape), declared with ChannelSlice, Concat and ChannelShuffle: x0.5 (24, 48,
# 96, 192, 1024) on 64 x 64, and x1.0 (116, 232, 464, 1024: 58 channels a branch, no whole number of vectors) on 96 x 96
def channel_shuffle(x, groups):
    n, c, h, w = x.size()
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)

class ShuffleUnit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride > 1:
            l1, _ = conv_bn(cin, cin, 3, stride, groups=cin)
            l2, _ = conv_bn(cin, half, 1, 1, act="relu")
            self.branch1 = nn.Sequential(*(l1 + l2))
        l1, _ = conv_bn(cin if stride > 1 else half, half, 1, 1, act="relu")
        l2, _ = conv_bn(half, half, 3, stride, groups=half)
        l3, _ = conv_bn(half, half, 1, 1, act="relu")
        self.branch2 = nn.Sequential(*(l1 + l2 + l3))
    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)

def shuffle_unit_classes(prefix, cin, cout, stride):
    """The unit's [Block] classes (its branches, then the unit: a Concat and the shuffle); returns the unit's name."""
    half = cout // 2
    if stride > 1:
        _, a1 = conv_bn(cin, cin, 3, stride, groups=cin)
        _, a2 = conv_bn(cin, half, 1, 1, act="relu")
        block_class(prefix + "Left", a1 + a2)
        left, right_in, slice_ = prefix + "Left", cin, []
    else:
        block_class(prefix + "Keep", [f"[ChannelSlice(Start = 0, Length = {half})]"])
        left, right_in, slice_ = prefix + "Keep", half, [f"[ChannelSlice(Start = {half}, Length = {half})]"]
    _, a1 = conv_bn(right_in, half, 1, 1, act="relu")
    _, a2 = conv_bn(half, half, 3, stride, groups=half)
    _, a3 = conv_bn(half, half, 1, 1, act="relu")
    block_class(prefix + "Right", slice_ + a1 + a2 + a3)
    block_class(prefix, [f"[Concat(typeof({left}), typeof({prefix}Right))]", "[ChannelShuffle(Groups = 2)]"])
    return prefix

def shufflenet_v2(name, shape, stages, last):
    mods, attrs = [], []
    l, a = conv_bn(shape[0], 24, 3, 2, act="relu"); mods += l; attrs += a
    mods.append(nn.MaxPool2d(3, 2, 1)); attrs.append("[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)]")
    cin, unit_classes = 24, {}
    for stage, (cout, repeats) in enumerate(stages):
        for r in range(repeats):
            stride = 2 if r == 0 else 1
            key = (cin, cout, stride)
            if key not in unit_classes: unit_classes[key] = shuffle_unit_classes(f"{name}S{stage}{'Down' if stride > 1 else 'Unit'}", cin, cout, stride)
            mods.append(ShuffleUnit(cin, cout, stride)); attrs.append(f"[Sequential(typeof({unit_classes[key]}))]")
            cin = cout
    l, a = conv_bn(cin, last, 1, 1, act="relu"); mods += l; attrs += a
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, 10)]
    attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
    finish(name, shape, nn.Sequential(*mods), attrs)

shufflenet_v2("ShuffleNetV2Half64", (3, 64, 64), [(48, 4), (96, 8), (192, 4)], 1024)
shufflenet_v2("ShuffleNetV2At96", (3, 96, 96), [(116, 4), (232, 8), (464, 4)], 1024)

def preact_resnet(name, shape, stem, stages):
    """Pre-activation ResNet (He et al. 2016, as the CIFAR repositories write it): a 3x3 conv stem of `stem` filters
    without BatchNorm, blocks of BN-ReLU-conv3x3, BN-ReLU-conv3x3, + x; where the shape changes, BN-ReLU before the
    block and a 1x1 conv shortcut of the stride reading that pre-activated map; a final BN-ReLU, a global average and a
    linear layer. Stages of (width, blocks, stride). No BatchNorm follows a convolution it could fold into but the
    body's middle one: the others scale maps that sums made."""
    def bn(c): return nn.BatchNorm2d(c), "[BatchNorm2D]"
    def conv(cin, cout, k, s): return nn.Conv2d(cin, cout, k, s, k // 2, bias=False), f"[Conv2D(Filters = {cout}, Kernel = {k}, Stride = {s}, Padding = {k // 2}, Bias = false)]"
    mods, attrs = [], []
    m, a = conv(shape[0], stem, 3, 1); mods.append(m); attrs.append(a)
    cin = stem; n = 0
    for (width, count, stride) in stages:
        for i in range(count):
            s = stride if i == 0 else 1
            bname = f"{name}B{n}"
            if s != 1 or cin != width:
                m1, a1 = bn(cin); mods += [m1, nn.ReLU()]; attrs += [a1, "[ReLU]"]
                c1, ac1 = conv(cin, width, 3, s); b2, ab2 = bn(width); c2, ac2 = conv(width, width, 3, 1)
                block_class(bname, [ac1, ab2, "[ReLU]", ac2])
                sc, asc = conv(cin, width, 1, s); sname = f"{name}S{n}"; block_class(sname, [asc])
                mods.append(Res(nn.Sequential(c1, b2, nn.ReLU(), c2), sc)); attrs.append(f"[Residual(typeof({bname}), Shortcut = typeof({sname}))]")
            else:
                b1, ab1 = bn(cin); c1, ac1 = conv(cin, width, 3, 1); b2, ab2 = bn(width); c2, ac2 = conv(width, width, 3, 1)
                block_class(bname, [ab1, "[ReLU]", ac1, ab2, "[ReLU]", ac2])
                mods.append(Res(nn.Sequential(b1, nn.ReLU(), c1, b2, nn.ReLU(), c2), None)); attrs.append(f"[Residual(typeof({bname}))]")
            cin = width; n += 1
    m, a = bn(cin); mods += [m, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    attrs += [a, "[ReLU]", "[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
    finish(name, shape, nn.Sequential(*mods), attrs)

# pre-activation ResNets, whose BatchNorms no convolution folds (a sweep found their 3x3 convolutions after BN-ReLU
# running the direct kernel, the BatchNorm keeping PyTorch's layout): the CIFAR repositories' PreActResNet18 (64 to
# 512, 556 M multiply-adds) and a WRN-16-4 (a 16-filter stem, 64/128/256)
preact_resnet("PreActResNet18Cifar", (3, 32, 32), 64, [(64, 2, 1), (128, 2, 2), (256, 2, 2), (512, 2, 2)])
preact_resnet("WRN16x4Cifar", (3, 32, 32), 16, [(64, 2, 1), (128, 2, 2), (256, 2, 2)])
# an eighth sweep (ResNet-34 on 112 x 112, ResNet-50 on 96 x 96, MobileNetV2 on 128 x 160 and 117 x 93, a ResNet-18 on
# 99 x 131) found no cliff; its ResNets' last stages, 512 filters on 4 x 4 and 4 x 5 streaming 9.4 MB a layer from L3,
# took one vector of filters over the whole map (ChannelTile.StreamsOneVectorOverMap)
resnet("ResNet34At112", (3, 112, 112), (64, 7, 2), [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], pool=True)
resnet("ResNet18At99x131", (3, 99, 131), (64, 7, 2), [(64, 2, 1), (128, 2, 2), (256, 2, 2), (512, 2, 2)], pool=True)
# a ninth sweep (13 ResNet- and MobileNet-style networks through [OnnxModel]) found one cliff: a strided grouped
# convolution whose groups hold 6 filters (24 in 4 groups), which no vector width divides, runs the scalar loops
# (1.45 times ONNX Runtime's time for the network); its stride-1 twin runs vectors across columns
mods, attrs = [], []
for (cin, cout, k, s, groups) in ((3, 24, 3, 1, 1), (24, 48, 1, 1, 1), (48, 24, 1, 1, 1), (24, 24, 3, 2, 4), (24, 96, 1, 1, 1)):
    l, a = conv_bn(cin, cout, k, s, groups=groups, act="relu"); mods += l; attrs += a
mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, 10)]
attrs += ["[GlobalAvgPool2D]", "[Flatten]", "[Dense(Outputs = 10)]"]
finish("GroupedStride6At32", (3, 32, 32), nn.Sequential(*mods), attrs)
open(cs_file, "w").write("\n".join(cs) + "\n")
