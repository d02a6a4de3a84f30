"""Writes the weights, inputs and ONNX exports of NetworksPerf.cs's networks: the performance targets' CIFAR networks
ResNet8Cifar and MobileNetV2Cifar, and torchvision's resnet18 and mobilenet_v2 on 96 x 96 images with 10 classes,
ResNet18Small and MobileNetV2Small, and as torchvision builds them by default, on 224 x 224 with 1000 classes,
ResNet18At224 and MobileNetV2At224. Only the CIFAR networks' files are in git; the others' (about 230 MB) are made by
running this.

    /usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_perf.py [OUT_DIR] [--generated GEN_DIR]

OUT_DIR defaults to benchmarks/CnnGen.Benchmarks/fixtures. The files are those of networks_1d.py: for each network
NAME, NAME.params.f32 (little-endian float32: the state_dict's floating-point tensors in order, i.e. per module its
parameters then BatchNorm's running_mean and running_var; num_batches_tracked left out: the generated class's
LoadParameters order), NAME.input.f32 (one input), NAME.expected.f32 (the module's output in eval mode, computed in
float64 from the float32 values) and NAME.onnx (opset 13, input "input", output "output", a dynamic batch axis; the
exporter folds each BatchNorm into the convolution before it).

The modules are written here as torchvision writes them (ResNet's BasicBlock with its downsample; MobileNetV2's
InvertedResidual and Conv2dNormActivation; torchvision itself is not needed), the CIFAR ones without the ImageNet
stem's max pool, so their state_dict keys are torchvision's, and the C# declarations name their layers so. With
--generated (the generator's output folder, e.g.
benchmarks/CnnGen.Benchmarks/obj/Release/net10.0/generated/CnnGen.Generator/CnnGen.Generator.NetworkGenerator
after `dotnet build -c Release benchmarks/CnnGen.Benchmarks -p:EmitCompilerGeneratedFiles=true`) the script also
loads each generated class's TorchSource and checks that its state_dict has the same keys and shapes in the same
order and that, with the written parameters, it computes the same output.

Weights: PyTorch's initialization, seeded; the Linear layers' biases ~ N(0, 0.1^2) (the convolutions have none);
BatchNorm's weight ~ U(0.5, 1.5), bias ~ N(0, 0.2^2), and running statistics those of the network on random inputs
(4 training-mode batches of 4), each then perturbed (mean + N(0, 0.1^2) * std, var * U(0.7, 1.4)), so that none is
trivial and folding them into the convolutions is exercised, as networks_dense.py has them.

Needs torch and onnx only (Debian's python3-torch 1.13 and python3-onnx 1.12: /usr/bin/python3).
Seeds are fixed, so the bytes come out the same on the same PyTorch.
"""
import collections
import copy
import os
import sys
import warnings

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from networks_1d import check_against_generated, f32  # noqa: E402  the same file format and TorchSource check

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.filterwarnings("ignore", message=".*_graph_op' is deprecated", category=FutureWarning)
# 1.13's exporter warns of its own constant folding and shape inference; nothing to act on
warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")


class BasicBlock(nn.Module):
    """torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet8Cifar(nn.Module):
    """torchvision's ResNet with one BasicBlock a layer, 16, 32, 64 channels, for 32 x 32 images: a 3x3 stride-1
    first convolution and no max pool (the usual CIFAR stem); downsample = conv1x1 stride 2 + BatchNorm."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(16, 1)
        self.layer2 = self._make_layer(32, 1, stride=2)
        self.layer3 = self._make_layer(64, 1, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class ResNet18Small(nn.Module):
    """torchvision's resnet18 exactly, with 10 classes: the ImageNet stem (7x7 stride-2 convolution of 64 with padding
    3, BatchNorm, ReLU, 3x3 stride-2 max pool with padding 1), two BasicBlocks a layer of 64, 128, 256, 512 channels,
    AdaptiveAvgPool2d((1, 1)), fc. On 96 x 96 images the maps are 48 -> 24 (max pool), 24, 12, 6 and 3."""

    _make_layer = ResNet8Cifar._make_layer

    def __init__(self, num_classes=10):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, 2)
        self.layer2 = self._make_layer(128, 2, stride=2)
        self.layer3 = self._make_layer(256, 2, stride=2)
        self.layer4 = self._make_layer(512, 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class Conv2dNormActivation(nn.Sequential):
    """torchvision's Conv2dNormActivation as MobileNetV2 uses it: conv (no bias), BatchNorm, ReLU6."""

    def __init__(self, n_in, n_out, kernel_size=3, stride=1, groups=1):
        super().__init__(
            nn.Conv2d(n_in, n_out, kernel_size, stride, (kernel_size - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(n_out), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    """torchvision's InvertedResidual: [expand 1x1 conv-BN-ReLU6,] depthwise 3x3 conv-BN-ReLU6, project 1x1 conv, BN;
    the input added when the stride is 1 and the channels are kept."""

    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        self.stride = stride
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1))
        layers += [Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
                   nn.Conv2d(hidden_dim, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2Cifar(nn.Module):
    """torchvision's MobileNetV2 made small for 32 x 32 images: stem 16 (stride 2), inverted residual settings
    (t, c, n, s) = (1, 8, 1, 1), (3, 16, 2, 2), (3, 24, 2, 2), (3, 32, 3, 1), last channel 128, dropout 0.2."""

    SETTINGS = [(1, 8, 1, 1), (3, 16, 2, 2), (3, 24, 2, 2), (3, 32, 3, 1)]

    def __init__(self, num_classes=10, input_channel=16, last_channel=128, dropout=0.2):
        super().__init__()
        features = [Conv2dNormActivation(3, input_channel, stride=2)]
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                features.append(InvertedResidual(input_channel, c, s if i == 0 else 1, expand_ratio=t))
                input_channel = c
        features.append(Conv2dNormActivation(input_channel, last_channel, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(last_channel, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return self.classifier(torch.flatten(x, 1))


class MobileNetV2Small(MobileNetV2Cifar):
    """torchvision's mobilenet_v2 exactly (width 1.0), with 10 classes: stem 32 (stride 2), torchvision's inverted
    residual settings, last channel 1280, dropout 0.2. On 96 x 96 images the maps are 48, 24, 12, 6 and 3."""

    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes=10):
        super().__init__(num_classes, input_channel=32, last_channel=1280, dropout=0.2)


# name: (module, input shape without the batch axis, seed)
NETWORKS = {
    "ResNet8Cifar": (ResNet8Cifar, (3, 32, 32), 701),
    "MobileNetV2Cifar": (MobileNetV2Cifar, (3, 32, 32), 702),
    "ResNet18Small": (ResNet18Small, (3, 96, 96), 703),
    "MobileNetV2Small": (MobileNetV2Small, (3, 96, 96), 704),
    # the same two as torchvision builds them by default: 224 x 224 images and ImageNet's 1000 classes
    "ResNet18At224": (lambda: ResNet18Small(num_classes=1000), (3, 224, 224), 705),
    "MobileNetV2At224": (lambda: MobileNetV2Small(num_classes=1000), (3, 224, 224), 706),
}


def randomize(model, gen, in_shape):
    """See the module's docstring: biases and BatchNorm's affine parameters drawn; running statistics measured on
    random inputs in training mode, then perturbed."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.2 * torch.randn(c, generator=gen))
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over the batches below
        model.train()
        for _ in range(4):
            model(torch.randn((4,) + in_shape, generator=gen))
        for m in bns:
            c = m.num_features
            m.momentum = 0.1
            m.running_mean.add_(0.1 * torch.randn(c, generator=gen) * m.running_var.sqrt())
            m.running_var.mul_(0.7 + 0.7 * torch.rand(c, generator=gen))
            m.num_batches_tracked.fill_(int(torch.randint(100, 10000, (1,), generator=gen)))
    model.eval()


def multiply_adds(model, x):
    """As ForwardCase.CountMultiplyAdds counts them: a convolution's weight at each output pixel, a Linear's once."""
    total = []

    def hook(m, _, y):
        total.append(m.weight.numel() * (y.shape[2] * y.shape[3] if isinstance(m, nn.Conv2d) else 1))
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return sum(total)


def main(argv):
    generated = None
    if "--generated" in argv:
        i = argv.index("--generated")
        generated = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    out = argv[0] if argv else os.path.join(HERE, "..", "fixtures")
    out = os.path.normpath(out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for name, (cls, in_shape, seed) in NETWORKS.items():
        torch.manual_seed(seed)
        model = cls()
        gen = torch.Generator().manual_seed(seed + 5000)
        randomize(model, gen, in_shape)
        x = torch.randn((1,) + in_shape, generator=gen)
        flat = torch.cat([t.detach().flatten() for t in model.state_dict().values() if t.is_floating_point()])
        flat = flat.to(torch.float32).clone()
        with torch.no_grad():
            y = copy.deepcopy(model).double()(x.double())
        assert torch.isfinite(y).all(), name
        f32(os.path.join(out, name + ".params.f32"), flat)
        f32(os.path.join(out, name + ".input.f32"), x)
        f32(os.path.join(out, name + ".expected.f32"), y)
        onnx_path = os.path.join(out, name + ".onnx")
        torch.onnx.export(model, x, onnx_path, opset_version=13,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        ops = collections.Counter(n.op_type for n in onnx.load(onnx_path).graph.node)
        print(f"{name}: {flat.numel()} floats of state, input {list(x.shape)}, output {list(y.shape)}, "
              f"output range [{float(y.min()):.3g}, {float(y.max()):.3g}], "
              f"{2 * multiply_adds(model, x) / 1e6:.3f} MFLOP")
        print(f"  ONNX: {sum(ops.values())} nodes ({', '.join(f'{k} {v}' for k, v in sorted(ops.items()))})")
        if generated:
            check_against_generated(generated, name, model, x, y)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
