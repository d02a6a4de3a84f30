"""Writes the Torchvision group: torchvision's own classifiers, exported to ONNX as a user would export them, which the
benchmark compiles with [OnnxModel] (the import path, weights embedded) and times beside ONNX Runtime on the same file.
None of these was tuned for: they are the unseen ResNet- and MobileNet-style networks (and their neighbours: EfficientNet,
RegNet, MnasNet, DenseNet, GoogLeNet, SqueezeNet, ShuffleNet) that users bring.

    /usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_torchvision.py [NAME ...]

Writes benchmarks/CnnGen.Benchmarks/fixtures/torchvision/NAME.onnx for each network (all of them, or those named;
about 360 MB, not in git) and Torchvision.cs beside them: the [OnnxModel] declarations of every export the folder then
holds and the list the benchmark's Torchvision group reads. The benchmark project compiles both when they exist; without
them the group is empty and says how to make it. Build the benchmarks again after running this.

Weights: torchvision's initialization, seeded; each BatchNorm's weight ~ U(0.5, 1.5), bias ~ N(0, 0.1^2), running mean
~ N(0, 0.1^2) and variance ~ U(0.5, 1.5), so that folding them (the exporter does, into the convolution before) is real
work. Opset 13, eval mode, input "input" [1, 3, S, S], output "output" [1, 1000].

Needs torch, torchvision and onnx (Debian's python3-torch 1.13, python3-torchvision 0.14 and python3-onnx 1.12:
/usr/bin/python3). ConvNeXt is left out: its LayerNorm runs on channels-last activations through Transposes, which
CnnGen rejects (CNN0030), and VGG's adaptive pool to 7 x 7 does not export from PyTorch 1.13 at sizes 7 does not divide.
"""
import os
import sys
import warnings

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "torchvision")
M = torchvision.models

# C# class name: (constructor, input side)
NETWORKS = {
    "TvResNet50At128": (lambda: M.resnet50(), 128),
    "TvResNeXt50At128": (lambda: M.resnext50_32x4d(), 128),
    "TvMobileNetV2At160": (lambda: M.mobilenet_v2(), 160),
    "TvMobileNetV3SmallAt224": (lambda: M.mobilenet_v3_small(), 224),
    "TvMobileNetV3LargeAt224": (lambda: M.mobilenet_v3_large(), 224),
    "TvEfficientNetB0At224": (lambda: M.efficientnet_b0(), 224),
    "TvRegNetX400MFAt224": (lambda: M.regnet_x_400mf(), 224),
    "TvRegNetY400MFAt224": (lambda: M.regnet_y_400mf(), 224),
    "TvMnasNet10At224": (lambda: M.mnasnet1_0(), 224),
    "TvShuffleNetV2At224": (lambda: M.shufflenet_v2_x1_0(), 224),
    "TvSqueezeNet11At224": (lambda: M.squeezenet1_1(), 224),
    "TvDenseNet121At128": (lambda: M.densenet121(), 128),
    "TvGoogLeNetAt224": (lambda: M.googlenet(aux_logits=False, init_weights=True), 224),
}


def export(name, make, side):
    torch.manual_seed(0)
    model = make().eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, 3, side, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, os.path.join(OUT, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["output"], do_constant_folding=True)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, input [1, 3, {side}, {side}]")


def write_declarations():
    names = sorted(n for n in NETWORKS if os.path.exists(os.path.join(OUT, n + ".onnx")))
    lines = ["// written by torch/networks_torchvision.py beside the ONNX exports it names: not in git", "using System;",
             "using CnnGen;", "", "namespace Benchmarks.Torchvision;", ""]
    for n in names:
        lines.append(f'[OnnxModel("fixtures/torchvision/{n}.onnx")]')
        lines.append(f"public partial class {n} {{ }}")
        lines.append("")
    lines.append("internal static class Exports")
    lines.append("{")
    lines.append("    public static readonly (string Name, Func<INetwork> Create)[] All =")
    lines.append("    {")
    for n in names:
        lines.append(f'        ("{n}", () => new {n}()),')
    lines.append("    };")
    lines.append("}")
    with open(os.path.join(OUT, "Torchvision.cs"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[1:]
    unknown = [n for n in only if n not in NETWORKS]
    if unknown:
        sys.exit(f"unknown networks {unknown}; these are known: {list(NETWORKS)}")
    for name, (make, side) in NETWORKS.items():
        if not only or name in only:
            export(name, make, side)
    write_declarations()


if __name__ == "__main__":
    main()
