"""Writes the 1D benchmark networks' weights, inputs and ONNX exports: M5 and Tcn of Networks1D.cs.

    /usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_1d.py [OUT_DIR] [--generated GEN_DIR]

OUT_DIR defaults to benchmarks/CnnGen.Benchmarks/fixtures. For each network NAME it writes
NAME.params.f32 (little-endian float32: the state_dict's floating-point tensors in order, i.e. per
module its parameters then BatchNorm's running_mean and running_var; num_batches_tracked left out:
the generated class's LoadParameters order), NAME.input.f32 (one input), NAME.expected.f32 (the
module's output in eval mode, computed in float64 from the float32 values) and NAME.onnx (opset 13,
input "input", output "output", a dynamic batch axis), as tests/torch/casegen.py does; the Tcn's causal
padding goes into its Conv nodes (pads [left, 0]) rather than a Pad node before each.

The modules are written here as a PyTorch user would write them (torchaudio's M5; a TCN's temporal
blocks with the causal padding as F.pad before the convolution) with the children named as the C#
declarations name them. With --generated (the generator's output folder, e.g.
benchmarks/CnnGen.Benchmarks/obj/Release/net10.0/generated/CnnGen.Generator/CnnGen.Generator.NetworkGenerator
after a build with -p:EmitCompilerGeneratedFiles=true) the script also loads each generated class's
TorchSource and checks that its state_dict has the same keys and shapes and that, with the written
parameters, it computes the same output.

Needs torch and onnx only (Debian's python3-torch 1.13 and python3-onnx 1.12: /usr/bin/python3).
Seeds are fixed, so the bytes come out the same on the same PyTorch.
"""
import ast
import copy
import importlib.util
import os
import re
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
# PyTorch 1.13 deprecates g.op in symbolic functions (1.14 moves it); it is what 1.13 has
warnings.filterwarnings("ignore", message=".*_graph_op' is deprecated", category=FutureWarning)


class M5(nn.Module):
    """torchaudio's speech-command tutorial's M5 (n_input=1, n_output=35, stride=16, n_channel=32), its global
    average and log_softmax over [N, 64] rather than [N, 1, 64] (the C# network's output is a vector)."""

    def __init__(self, n_input=1, n_output=35, stride=16, n_channel=32):
        super().__init__()
        self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
        self.bn1 = nn.BatchNorm1d(n_channel)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(n_channel)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(2 * n_channel)
        self.pool3 = nn.MaxPool1d(4)
        self.conv4 = nn.Conv1d(2 * n_channel, 2 * n_channel, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(2 * n_channel)
        self.pool4 = nn.MaxPool1d(4)
        self.fc1 = nn.Linear(2 * n_channel, n_output)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = self.pool3(F.relu(self.bn3(self.conv3(x))))
        x = self.pool4(F.relu(self.bn4(self.conv4(x))))
        x = F.adaptive_avg_pool1d(x, 1).flatten(1)
        return F.log_softmax(self.fc1(x), dim=1)


class _CausalConvExport(torch.autograd.Function):
    """The causal convolution as ONNX exports it here: one Conv node with pads [left, 0]. PyTorch 1.13 exports
    F.pad as a Pad node (behind a dozen nodes computing its pads), which ONNX Runtime does not fuse into the
    Conv: about 11 us per convolution of the Tcn (8 of them, 4% of its time) that the yardstick need not spend."""

    @staticmethod
    def forward(ctx, x, weight, bias, dilation, left):
        return F.conv1d(F.pad(x, (left, 0)), weight, bias, dilation=dilation)

    @staticmethod
    def symbolic(g, x, weight, bias, dilation, left):
        return g.op("Conv", x, weight, bias, kernel_shape_i=[weight.type().sizes()[2]], dilations_i=[dilation],
                    pads_i=[left, 0], strides_i=[1], group_i=1)


class CausalConv1d(nn.Conv1d):
    """A causal dilated convolution: (kernel_size - 1) * dilation zeros before the sequence, none after."""

    def forward(self, x):
        left = (self.kernel_size[0] - 1) * self.dilation[0]
        if torch.onnx.is_in_onnx_export():
            return _CausalConvExport.apply(x, self.weight, self.bias, self.dilation[0], left)
        return super().forward(F.pad(x, (left, 0)))


class TemporalBlock(nn.Module):
    """Bai et al.'s temporal block (without weight norm and dropout, which are identities in inference):
    relu(relu(conv2(relu(conv1(x)))) + downsample(x))."""

    def __init__(self, n_in, n_out, dilation):
        super().__init__()
        self.conv1 = CausalConv1d(n_in, n_out, 3, dilation=dilation)
        self.conv2 = CausalConv1d(n_out, n_out, 3, dilation=dilation)
        self.downsample = nn.Sequential(nn.Conv1d(n_in, n_out, 1)) if n_in != n_out else None

    def forward(self, x):
        y = F.relu(self.conv2(F.relu(self.conv1(x))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Tcn(nn.Module):
    """16 channels x 1024 steps; four temporal blocks of 64 channels, dilations 1, 2, 4, 8; mean over time; 10 classes."""

    def __init__(self, n_in=16, channels=64, n_out=10):
        super().__init__()
        self.block1 = TemporalBlock(n_in, channels, 1)
        self.block2 = TemporalBlock(channels, channels, 2)
        self.block3 = TemporalBlock(channels, channels, 4)
        self.block4 = TemporalBlock(channels, channels, 8)
        self.fc = nn.Linear(channels, n_out)

    def forward(self, x):
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return self.fc(x.mean(dim=2))


# name: (module, input shape without the batch axis, seed)
NETWORKS = {
    "M5": (M5, (1, 8000), 501),
    "Tcn": (Tcn, (16, 1024), 502),
}


def randomize(model, gen):
    """PyTorch's initialization (seeded) for the weights; biases and BatchNorm's affine parameters and
    statistics made non-trivial, as a trained network has them: bias ~ N(0, 0.1^2), BatchNorm weight ~
    U(0.5, 1.5), bias ~ N(0, 0.2^2), running_mean ~ N(0, 0.2^2), running_var ~ U(0.5, 2)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)) and m.bias is not None:
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            elif isinstance(m, nn.BatchNorm1d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=gen))
                m.num_batches_tracked.fill_(int(torch.randint(100, 10000, (1,), generator=gen)))


def flat_state(model):
    return torch.cat([t.detach().flatten() for t in model.state_dict().values() if t.is_floating_point()])


def f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def torch_source(generated_dir, name):
    """The generated class's TorchSource constant, read back from the generator's output file."""
    text = open(os.path.join(generated_dir, f"Benchmarks.{name}.g.cs"), encoding="utf-8").read()
    start = text.index("public const string TorchSource =")
    end = text.index(";\n", start)
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', text[start:end])
    return "".join(ast.literal_eval('"' + p + '"') for p in parts)


def check_against_generated(generated_dir, name, model, x, y):
    path = os.path.join("/tmp", f"torchsource_{name}.py")
    with open(path, "w") as f:
        f.write(torch_source(generated_dir, name))
    spec = importlib.util.spec_from_file_location("torchsource_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    theirs = getattr(module, name)().eval()
    mine = [(k, tuple(v.shape)) for k, v in model.state_dict().items() if v.is_floating_point()]
    got = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items() if v.is_floating_point()]
    assert got == mine, (name, got, mine)
    theirs.load_state_dict({k: v for k, v in model.state_dict().items()}, strict=True)
    with torch.no_grad():
        y2 = theirs.double()(x.double())
    diff = float((y2 - y).abs().max())
    assert diff < 1e-9, (name, diff)
    print(f"  {name}: TorchSource has the same {len(got)} tensors and output (largest difference {diff:.2g})")


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
        randomize(model, gen)
        model.eval()
        x = torch.randn((1,) + in_shape, generator=gen)
        flat = flat_state(model).to(torch.float32).clone()
        with torch.no_grad():
            y = copy.deepcopy(model).double()(x.double())
        assert torch.isfinite(y).all(), name
        f32(os.path.join(out, name + ".params.f32"), flat)
        f32(os.path.join(out, name + ".input.f32"), x)
        f32(os.path.join(out, name + ".expected.f32"), y)
        torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        n = sum(v.numel() for v in model.state_dict().values() if v.is_floating_point())
        print(f"{name}: {n} floats of state, input {list(x.shape)}, output {list(y.shape)}, "
              f"output range [{float(y.min()):.3g}, {float(y.max()):.3g}]")
        if generated:
            check_against_generated(generated, name, model, x, y)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
