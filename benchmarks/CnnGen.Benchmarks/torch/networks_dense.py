"""Writes the dense-prediction benchmark networks' weights, inputs and ONNX exports: UNetSmall, Espcn,
DecoderNearest and DecoderBilinear of NetworksDense.cs.

    /usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_dense.py [OUT_DIR] [--generated GEN_DIR]

OUT_DIR defaults to benchmarks/CnnGen.Benchmarks/fixtures. The files are those of networks_1d.py: for each network
NAME, NAME.params.f32 (little-endian float32: the generated class's LoadParameters order, i.e. its TorchSource's
state_dict order, floating-point tensors only: per module its parameters then BatchNorm's running_mean and
running_var), NAME.input.f32 (one input), NAME.expected.f32 (the module's output in eval mode, computed in float64
from the float32 values) and NAME.onnx (opset 13, input "input", output "output", a dynamic batch axis).

The modules are written here as a PyTorch user would write them (a U-Net with DoubleConv blocks and torch.cat([skip,
up], 1); ESPCN with its sub-pixel layer; a decoder as an nn.Sequential with nn.Upsample), not from the generated
code, so that the check below compares two independent writings of each network. KEYS maps the C# declaration's
state_dict keys (the generated order) to these modules' keys. With --generated (the generator's output folder, e.g.
benchmarks/CnnGen.Benchmarks/obj/Release/net10.0/generated/CnnGen.Generator/CnnGen.Generator.NetworkGenerator
after `dotnet build -c Release benchmarks/CnnGen.Benchmarks -p:EmitCompilerGeneratedFiles=true`) the script also
loads each generated class's TorchSource, checks that its state_dict has the keys and shapes KEYS gives, in that
order, and that with the written parameters it computes the same output.

Weights: PyTorch's initialization, seeded; biases ~ N(0, 0.1^2); BatchNorm's weight ~ U(0.5, 1.5), bias ~ N(0,
0.2^2), and running statistics those of the network on random inputs (4 batches of 4, so that 10 conv-BN-ReLU
layers deep the activations neither vanish nor blow up, as in a trained network), each then perturbed (mean + N(0,
0.1^2) * std, var * U(0.7, 1.4)), so that none is trivial.

Needs torch and onnx only (Debian's python3-torch 1.13 and python3-onnx 1.12: /usr/bin/python3).
Seeds are fixed, so the bytes come out the same on the same PyTorch.
"""
import copy
import importlib.util
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from networks_1d import f32, torch_source  # noqa: E402  the same file format and TorchSource reader

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.filterwarnings("ignore", message=".*_graph_op' is deprecated", category=FutureWarning)
# 1.13's exporter warns of its own constant folding and shape inference (Slice steps, prim::Constant); nothing to act on
warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")


def double_conv(n_in, n_out):
    """U-Net's (conv 3x3 => BN => ReLU) * 2; children 0, 1, 3, 4 hold the tensors."""
    return nn.Sequential(
        nn.Conv2d(n_in, n_out, 3, padding=1), nn.BatchNorm2d(n_out), nn.ReLU(inplace=True),
        nn.Conv2d(n_out, n_out, 3, padding=1), nn.BatchNorm2d(n_out), nn.ReLU(inplace=True))


class UNetSmall(nn.Module):
    """A U-Net of three levels (16, 32, 64 channels) and a bottleneck of 128, as the usual PyTorch U-Net has it:
    max pool then double conv going down; ConvTranspose2d(k2, s2), torch.cat([skip, up], 1), double conv going up."""

    def __init__(self, n_in=3, n_classes=4):
        super().__init__()
        self.inc = double_conv(n_in, 16)
        self.enc2 = double_conv(16, 32)
        self.enc3 = double_conv(32, 64)
        self.mid = double_conv(64, 128)
        self.up3 = nn.ConvTranspose2d(128, 64, 2, stride=2)
        self.dec3 = double_conv(128, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.dec2 = double_conv(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec1 = double_conv(32, 16)
        self.outc = nn.Conv2d(16, n_classes, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.enc2(F.max_pool2d(x1, 2))
        x3 = self.enc3(F.max_pool2d(x2, 2))
        x4 = self.mid(F.max_pool2d(x3, 2))
        y = self.dec3(torch.cat([x3, self.up3(x4)], 1))
        y = self.dec2(torch.cat([x2, self.up2(y)], 1))
        y = self.dec1(torch.cat([x1, self.up1(y)], 1))
        return self.outc(y)


class Espcn(nn.Module):
    """Shi et al.'s ESPCN for 3x super-resolution of one channel: 5x5 (64), 3x3 (32), 3x3 (r^2), tanh after the
    first two, the sub-pixel shuffle last; the first convolution pads by reflection (no dark border)."""

    def __init__(self, r=3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 5, padding=2, padding_mode="reflect")
        self.conv2 = nn.Conv2d(64, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, r * r, 3, padding=1)
        self.shuffle = nn.PixelShuffle(r)

    def forward(self, x):
        x = torch.tanh(self.conv1(x))
        x = torch.tanh(self.conv2(x))
        return self.shuffle(self.conv3(x))


def decoder(mode):
    """[64, 16, 16] -> up -> conv 64 -> ReLU -> up -> conv 32 -> ReLU -> conv 3: [3, 64, 64]."""
    up = dict(scale_factor=2, mode=mode) if mode == "nearest" else dict(scale_factor=2, mode=mode, align_corners=False)
    return nn.Sequential(
        nn.Upsample(**up), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Upsample(**up), nn.Conv2d(64, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 3, 3, padding=1))


def _double(gen_bn, plain):
    """A DoubleConv's four tensor-holding children: (generated names, plain prefix)."""
    return [(gen_bn[0], plain + ".0"), (gen_bn[1], plain + ".1"), (gen_bn[2], plain + ".3"), (gen_bn[3], plain + ".4")]


_L1, _L2, _L3 = "skip1.0.", "skip1.0.skip2.0.", "skip1.0.skip2.0.skip3.0."

# the generated module names (the C# declaration's, TorchSource's state_dict order) -> the modules above
KEYS = {
    "UNetSmall": (
        _double(["enc1a", "bn1a", "enc1b", "bn1b"], "inc")
        + _double([_L1 + n for n in ["enc2a", "bn2a", "enc2b", "bn2b"]], "enc2")
        + _double([_L2 + n for n in ["enc3a", "bn3a", "enc3b", "bn3b"]], "enc3")
        + _double([_L3 + n for n in ["mida", "bnma", "midb", "bnmb"]], "mid")
        + [(_L3 + "up3", "up3")]
        + _double([_L2 + n for n in ["dec3a", "dbn3a", "dec3b", "dbn3b"]], "dec3")
        + [(_L2 + "up2", "up2")]
        + _double([_L1 + n for n in ["dec2a", "dbn2a", "dec2b", "dbn2b"]], "dec2")
        + [(_L1 + "up1", "up1")]
        + _double(["dec1a", "dbn1a", "dec1b", "dbn1b"], "dec1")
        + [("outc", "outc")]),
    "Espcn": [("conv1", "conv1"), ("conv2", "conv2"), ("conv3", "conv3")],
    "DecoderNearest": [("conv1", "1"), ("conv2", "4"), ("conv3", "6")],
    "DecoderBilinear": [("conv1", "1"), ("conv2", "4"), ("conv3", "6")],
}

# name: (module factory, input shape without the batch axis, seed, input distribution)
NETWORKS = {
    "UNetSmall": (UNetSmall, (3, 128, 128), 601, "normal"),
    "Espcn": (Espcn, (1, 64, 64), 602, "uniform"),  # luminance in [0, 1]
    "DecoderNearest": (lambda: decoder("nearest"), (64, 16, 16), 603, "normal"),
    "DecoderBilinear": (lambda: decoder("bilinear"), (64, 16, 16), 604, "normal"),
}


def randomize(model, gen, in_shape):
    """See the module's docstring: biases and BatchNorm's affine parameters drawn; running statistics measured on
    random inputs, then perturbed."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None:
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.2 * torch.randn(c, generator=gen))
        if bns:
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


def generated_state(name, model):
    """(generated key, tensor) pairs in the generated order: each KEYS module's floating-point tensors."""
    out = []
    for gen_name, plain_name in KEYS[name]:
        sub = model.get_submodule(plain_name)
        for k, v in sub.state_dict().items():
            if v.is_floating_point():
                out.append((f"{gen_name}.{k}", v))
    n_plain = sum(1 for v in model.state_dict().values() if v.is_floating_point())
    assert len(out) == n_plain, (name, len(out), n_plain)  # KEYS covers every tensor once
    return out


def check_against_generated(generated_dir, name, state, x, y):
    path = os.path.join("/tmp", f"torchsource_{name}.py")
    with open(path, "w") as f:
        f.write(torch_source(generated_dir, name))
    spec = importlib.util.spec_from_file_location("torchsource_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    theirs = getattr(module, name)().eval()
    mine = [(k, tuple(v.shape)) for k, v in state]
    got = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items() if v.is_floating_point()]
    assert got == mine, (name, got, mine)
    incompatible = theirs.load_state_dict(dict(state), strict=False)
    assert not incompatible.unexpected_keys, incompatible
    assert all(k.endswith("num_batches_tracked") for k in incompatible.missing_keys), incompatible
    with torch.no_grad():
        y2 = theirs.double()(x.double())
    diff = float((y2 - y).abs().max())
    assert diff < 1e-9, (name, diff)
    print(f"  {name}: TorchSource has the same {len(got)} tensors in the same order and output (largest difference {diff:.2g})")


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
    for name, (factory, in_shape, seed, dist) in NETWORKS.items():
        torch.manual_seed(seed)
        model = factory()
        gen = torch.Generator().manual_seed(seed + 5000)
        randomize(model, gen, in_shape)
        x = torch.rand((1,) + in_shape, generator=gen) if dist == "uniform" else torch.randn((1,) + in_shape, generator=gen)
        state = generated_state(name, model)
        flat = torch.cat([v.detach().flatten() for _, v in state]).to(torch.float32).clone()
        with torch.no_grad():
            y = copy.deepcopy(model).double()(x.double())
        assert torch.isfinite(y).all(), name
        f32(os.path.join(out, name + ".params.f32"), flat)
        f32(os.path.join(out, name + ".input.f32"), x)
        f32(os.path.join(out, name + ".expected.f32"), y)
        torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        print(f"{name}: {flat.numel()} floats of state, input {list(x.shape)}, output {list(y.shape)}, "
              f"output range [{float(y.min()):.3g}, {float(y.max()):.3g}], std {float(y.std()):.3g}")
        if generated:
            check_against_generated(generated, name, [(k, v.detach().clone()) for k, v in state], x, y)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
