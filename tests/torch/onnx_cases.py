"""PyTorch-exported ONNX models for the [OnnxModel("...")] importer: small networks and one op or
pattern each, exported with torch.onnx.export (PyTorch 1.13, opsets 7..17), plus models the importer
must refuse. Made before the importer exists: the files are the contract.

usage: /usr/bin/python3 tests/torch/onnx_cases.py [OUT_DIR]
       /usr/bin/python3 tests/torch/verify_onnx_cases.py [OUT_DIR]   (re-reads and re-runs what was written)
OUT_DIR defaults to tests/fixtures/onnx. Needs Debian's python3-torch (1.13) and python3-onnx (1.12).
Seeds come from the case names (zlib.crc32), so a re-run reproduces the same bytes and adding a case
leaves the others alone; the variants of one case at several opsets share their weights and input.

Files
  NAME.onnx            the model, exported in eval mode with its weights inside (initializers), the
                       batch dimension fixed at 1 (no dynamic_axes, except the error case that has
                       dynamic ones), graph input "input", output "output" (the two-output error case:
                       "output0", "output1"). A case exported at several opsets is NAME_opsetN.onnx.
  NAME.input.f32       one sample, little-endian float32, the input's shape with its batch of 1 (NCHW)
  NAME.expected.f32    PyTorch's output for it, flattened, little-endian float32: the module in eval
                       mode computed in float64 from the float32 weights and input (as the other
                       generators' expected outputs); the float32 forward agrees within 1e-4 relative
  cases.json           per case: name, base (the case's name without _opsetN), kind ("run" or "error"),
                       opset, input_shape and output_shape (without the batch), output_length, ops (the
                       ONNX op types of the graph, in order of first appearance), node_count, params
                       (floats in the initializers), description; error cases: error_mentions (a
                       substring the importer's message should contain) and why. Some run cases carry
                       a "note" (where ONNX's meaning of an op and PyTorch's part, or where the export
                       is not the obvious op); "graph_dims" [input dims, output dims] where the file declares
                       other dims than [1] + the shapes (symbolic names: the exporter's shape inference
                       gave up after a Pad whose pads are computed, or the batch is dynamic);
                       "onnx_semantics_differ": true where the file's ONNX meaning is not PyTorch's output.
  NAME.onnx_expected.f32  only for cases marked "onnx_semantics_differ" (the exporter wrote a graph whose ONNX
                       meaning is not PyTorch's function): what the graph computes by the ONNX specification
                       (verify_onnx_cases.py's numpy interpreter, float64), flattened
  not_exported.json    the exports PyTorch 1.13 refuses (case, opset, the exporter's error)

Weights: PyTorch's default initialization from the case's seed, then BatchNorm weight, bias ~ N(0, 1),
running_mean ~ N(0, 0.5^2), running_var ~ U(0.5, 2) (so folding BatchNorm wrongly shows), PReLU slopes
~ U(-0.5, 0.5) with a negative one. Inputs: scale * N(0, 1). The writer checks that every activation
module sees inputs on both sides of each kink (3+ values in each region), like casegen.check_coverage.

Note that the exporter folds a BatchNorm that follows a Conv into the Conv's weights (eval-mode
peephole), so BatchNormalization nodes remain only where no Conv precedes (after ConvTranspose,
Gemm, on an input, after an Add).
"""
import copy
import json
import os
import sys
import warnings
import zlib

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from casegen import activation_inputs, check_regions

SEED_BASE = 31000


# ---------------------------------------------------------------- modules

class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def conv_act(cin, cout, act, k=3, pad=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=pad), act)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 12, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(12, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x):
        return self.net(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.layer3 = BasicBlock(16, 24, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.block = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_res else y


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 1, 3), InvertedResidual(8, 12, 2, 3), InvertedResidual(12, 12, 1, 3))
        self.head = nn.Sequential(nn.Conv2d(12, 24, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU6())
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = double_conv(3, 4)
        self.enc2 = double_conv(4, 8)
        self.mid = double_conv(8, 16)
        self.up2 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec2 = double_conv(16, 8)
        self.up1 = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.dec1 = double_conv(8, 4)
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)


class M5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, 80, stride=16)
        self.bn1 = nn.BatchNorm1d(8)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm1d(8)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(8, 16, 3, padding=1)
        self.bn3 = nn.BatchNorm1d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.avg_pool1d(x, int(x.shape[-1]))     # global average over the rest (a constant kernel in the trace)
        x = self.fc(x.permute(0, 2, 1))           # [1, 1, 16] -> [1, 1, 10]
        return F.log_softmax(x, dim=2).flatten(1)


class M5Adaptive(M5):
    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.adaptive_avg_pool1d(x, 1).flatten(1)
        return F.log_softmax(self.fc(x), dim=1)


class SqueezeExcite(nn.Module):
    def __init__(self, c=8, r=2, linear=False):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.linear = linear
        self.pool = nn.AdaptiveAvgPool2d(1)
        if linear:
            self.fc1, self.fc2 = nn.Linear(c, c // r), nn.Linear(c // r, c)
        else:
            self.fc1, self.fc2 = nn.Conv2d(c, c // r, 1), nn.Conv2d(c // r, c, 1)
        self.act, self.gate = nn.ReLU(), nn.Sigmoid()

    def forward(self, x):
        x = F.relu(self.conv(x))
        s = self.pool(x)
        if self.linear:
            s = self.gate(self.fc2(self.act(self.fc1(s.flatten(1))))).view(x.size(0), x.size(1), 1, 1)
        else:
            s = self.gate(self.fc2(self.act(self.fc1(s))))
        return x * s


class ViewFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(x.view(x.size(0), -1))


class LinearOnSequence(nn.Module):
    """Linear over the last axis of a [C, L] input (a 3D tensor with the batch): MatMul + Add."""
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        return self.fc(x).flatten(1)


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head_a = nn.Conv2d(4, 2, 1)
        self.head_b = nn.Conv2d(4, 3, 1)

    def forward(self, x):
        y = F.relu(self.conv(x))
        return self.head_a(y), self.head_b(y)


class LstmNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):            # x: [1, T, 4]
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def channel_shuffle(x, groups):
    """torchvision's ShuffleNetV2 channel_shuffle, as it is written there."""
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    x = x.view(batchsize, -1, height, width)
    return x


class ShuffleUnit(nn.Module):
    """torchvision's ShuffleNetV2 InvertedResidual (torchvision/models/shufflenetv2.py), unchanged."""
    def __init__(self, inp, oup, stride):
        super().__init__()
        self.stride = stride
        branch_features = oup // 2
        assert stride != 1 or inp == branch_features << 1
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True))
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if (self.stride > 1) else branch_features, branch_features, kernel_size=1, stride=1,
                      padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True))

    @staticmethod
    def depthwise_conv(i, o, kernel_size, stride=1, padding=0, bias=False):
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        out = channel_shuffle(out, 2)
        return out


class ShuffleNetV2(nn.Module):
    """torchvision's ShuffleNetV2: ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 1024]) is shufflenet_v2_x0_5,
    [24, 116, 232, 464, 1024] x1_0 (the default 1000 classes)."""
    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000):
        super().__init__()
        input_channels = 3
        output_channels = stages_out_channels[0]
        self.conv1 = nn.Sequential(
            nn.Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
            nn.BatchNorm2d(output_channels),
            nn.ReLU(inplace=True))
        input_channels = output_channels
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        stages = []
        for repeats, output_channels in zip(stages_repeats, stages_out_channels[1:-1]):
            seq = [ShuffleUnit(input_channels, output_channels, 2)]
            for _ in range(repeats - 1):
                seq.append(ShuffleUnit(output_channels, output_channels, 1))
            stages.append(nn.Sequential(*seq))
            input_channels = output_channels
        self.stages = nn.Sequential(*stages)
        output_channels = stages_out_channels[-1]
        self.conv5 = nn.Sequential(
            nn.Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
            nn.BatchNorm2d(output_channels),
            nn.ReLU(inplace=True))
        self.fc = nn.Linear(output_channels, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stages(x))
        x = x.mean([2, 3])  # globalpool
        return self.fc(x)


class SplitUnequal(nn.Module):
    """torch.split(y, [3, 7], dim=1) of a Conv's 10 channels, each part through its own op, joined the other way round."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 10, 3, padding=1)

    def forward(self, x):
        a, b = torch.split(self.conv(x), [3, 7], dim=1)
        return torch.cat([F.relu(b), torch.tanh(a)], dim=1)


class ChannelSlices(nn.Module):
    """y[:, 3:10] and y[:, -2:] of a Conv's 12 channels, joined, then a 1x1 Conv."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 3, padding=1)
        self.head = nn.Conv2d(9, 4, 1)

    def forward(self, x):
        y = self.conv(x)
        return self.head(torch.cat([y[:, 3:10], y[:, -2:]], dim=1))


class ShuffleSequence(nn.Module):
    """The channel shuffle on a sequence: Conv1d to 12 channels, view(N, 3, 4, L), transpose(1, 2), view(N, 12, L)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 12, 3, padding=1)
        self.head = nn.Conv1d(12, 4, 1, groups=2)

    def forward(self, x):
        y = self.conv(x)
        n, c, length = y.size()
        y = y.view(n, 3, c // 3, length).transpose(1, 2).contiguous().view(n, -1, length)
        return self.head(y)


class OptionABlock(nn.Module):
    """pytorch_resnet_cifar10's BasicBlock with option A (He et al. 2016's CIFAR ResNets): where the block narrows the
    map or widens the channels, its shortcut is x[:, :, ::2, ::2] padded with planes // 4 zero channels on each side."""
    def __init__(self, cin, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != planes:
            self.shortcut = Fn(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4), "constant", 0))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNetOptionA(nn.Module):
    """pytorch_resnet_cifar10's ResNet (resnet20 with one block a stage): 16, 32 and 64 channels, option-A shortcuts,
    avg_pool2d over the whole map, view(N, -1), Linear."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layers = nn.Sequential(OptionABlock(16, 16), OptionABlock(16, 32, 2), OptionABlock(32, 64, 2))
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        out = F.avg_pool2d(out, int(out.size()[3]))
        return self.linear(out.view(out.size(0), -1))


class PadChannelsAndRows(nn.Module):
    """F.pad(y, (1, 2, 0, 1, 3, 2)) of a Conv's output: 3 zero channels before, 2 after, a row below, a column left and 2 right."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Conv2d(9, 2, 3)

    def forward(self, x):
        return self.head(F.pad(self.conv(x), (1, 2, 0, 1, 3, 2)))


class SubsampleFromOne(nn.Module):
    """y[:, :, 1::2, ::2]: every second row from the second, which no pool of the rows computes."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(x)[:, :, 1::2, ::2]


class PoolThenView(nn.Module):
    """Conv-ReLU, a global average pool, then one of the ways code turns [N, C, 1, 1] into [N, C] before a Linear."""
    def __init__(self, how):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 3, padding=1)
        self.fc = nn.Linear(12, 5)
        self.how = how

    def forward(self, x):
        y = F.adaptive_avg_pool2d(F.relu(self.conv(x)), 1)
        if self.how == "view":
            y = y.view(-1, 12)
        elif self.how == "squeeze":
            y = y.squeeze(-1).squeeze(-1)
        else:
            y = y.squeeze()
        return self.fc(y)


class ReduceOneAxis(nn.Module):
    """Conv-ReLU on 3 x 5 x 6, then ReduceMean or ReduceMax of one spatial axis at a time (tonylins' MobileNetV2 ends
    with x.mean(3).mean(2)), then a Linear."""
    def __init__(self, how):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 3, padding=1)
        self.how = how
        self.fc = nn.Linear(12 * 6 if how == "rows" else 12, 5)

    def forward(self, x):
        y = F.relu(self.conv(x))
        if self.how == "meanmean":
            y = y.mean(3).mean(2)
        elif self.how == "keepdim":
            y = torch.flatten(y.mean(2, keepdim=True).mean(3, keepdim=True), 1)
        elif self.how == "rows":
            y = torch.flatten(torch.amax(y, dim=2), 1)
        else:
            y = y.mean(1).flatten(1)[:, :12]
        return self.fc(y)


class SplitHeight(nn.Module):
    """torch.split along the rows (dim=2): the two halves joined along the channels."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        top, bottom = torch.split(self.conv(x), [3, 3], dim=2)
        return torch.cat([top, bottom], dim=1)


class ShuffleWrongPerm(nn.Module):
    """A channel shuffle gone wrong: view(N, 2, C / 2, H, W) then transpose(2, 3), not (1, 2), and back to [N, C, H, W]."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        n, c, h, w = y.size()
        return y.view(n, 2, c // 2, h, w).transpose(2, 3).reshape(n, c, h, w)


# ---------------------------------------------------------------- cases

def C(name, make, shape, desc, opsets=(13,), scale=1.0, note=None, bn_scale=1.0, export=None, seed_name=None, fresh=False):
    return dict(name=name, make=make, shape=tuple(shape), desc=desc, opsets=tuple(opsets), scale=scale,
                note=note, bn_scale=bn_scale, export=export or {}, seed_name=seed_name or name, fresh=fresh)


def act_case(name, act, desc, scale=3.0, opsets=(13,), note=None, cout=4):
    """Conv2d(3 -> cout, 3x3, padding 1) then the activation, on a 3x6x6 input."""
    return C(name, lambda: conv_act(3, cout, act()), (3, 6, 6), desc, opsets=opsets, scale=scale, note=note)


def pad_case(name, pad, desc, opsets=(13,)):
    """The padding module, then Conv2d(2 -> 3, 3x3, no padding)."""
    return C(name, lambda: nn.Sequential(pad(), nn.Conv2d(2, 3, 3)), (2, 5, 6), desc, opsets=opsets)


CIRCULAR_NOTE = ("PyTorch 1.13's exporter writes circular padding wrongly (pytorch/pytorch#86690, fixed by #86984 "
                 "in 2.0): the wrapped-in rows are Slice(starts -(p + 1), ends -1), i.e. rows H-p-1 .. H-2 instead "
                 "of H-p .. H-1. The file's ONNX meaning is therefore NOT PyTorch's output: expected.f32 is "
                 "PyTorch's, NAME.onnx_expected.f32 what the graph computes (see CircularPadManual for a correct "
                 "wrap)")

UPSAMPLE_NOTE_9 = ("opset 9 has no Resize: the exporter writes Upsample(mode 'linear'), whose ONNX meaning is "
                   "asymmetric (src = dst / scale), while PyTorch's align_corners=False is half-pixel "
                   "(src = (dst + 0.5) / scale - 0.5, clamped at 0); PyTorch's expected output is therefore "
                   "NOT what an ONNX-conforming runtime computes from this file (verify_onnx_cases.py reports "
                   "the difference). Take this as a model the importer should refuse or treat as "
                   "Upsample-linear-asymmetric, not as PyTorch's bilinear.")

RUNS = [
    # networks
    C("LeNet5", LeNet5, (1, 28, 28), "LeNet-5: Conv5x5(pad 2)-ReLU-MaxPool, Conv5x5-ReLU-MaxPool, Flatten, 3 Linear"),
    C("CifarNet", CifarNet, (3, 32, 32), "three Conv3x3-ReLU-MaxPool2 stages (8, 12, 16 channels), Flatten, Linear"),
    C("ResNet8", ResNet8, (3, 32, 32),
      "ResNet-8 style: stem Conv-BN-ReLU, 3 basic blocks (8, 16, 24 channels; the strided ones with a 1x1 "
      "stride-2 Conv-BN shortcut), residual Add, ReLU, global average pool, Linear; BatchNorms folded into the Convs "
      "by the exporter"),
    C("MobileNetV2", MobileNetV2, (3, 32, 32),
      "MobileNetV2 style: stem Conv s2, inverted residuals (1x1 expand x3, depthwise 3x3 stride 1 and 2, ReLU6, "
      "1x1 project, residual Add when stride 1), 1x1 head, global average pool, Linear; BatchNorm scales x4 so "
      "that ReLU6 clips at 6", scale=2.0, bn_scale=4.0),
    C("UNet", UNet, (3, 16, 16),
      "small U-Net: double Conv-BN-ReLU blocks (4, 8, 16 channels), MaxPool down, ConvTranspose2d(k2, s2) up, "
      "Concat skip (up first, then the skip), 1x1 Conv head with 2 channels"),
    C("M5", M5, (1, 2048),
      "M5 style 1D audio net: Conv1d(k80, s16)-BN1d-ReLU-MaxPool1d(4), Conv1d(k3)-BN-ReLU-MaxPool1d(4), "
      "Conv1d(k3)-BN-ReLU, F.avg_pool1d over the rest (kernel 7), permute, Linear, log_softmax over the 10 classes"),
    C("M5Adaptive", M5Adaptive, (1, 2048),
      "M5 with AdaptiveAvgPool1d(1) (GlobalAveragePool) and flatten before Linear and LogSoftmax"),
    C("SqueezeExcite", lambda: SqueezeExcite(linear=False), (8, 6, 6),
      "Conv-ReLU, then squeeze-excitation: AdaptiveAvgPool2d(1), 1x1 Conv 8->4, ReLU, 1x1 Conv 4->8, Sigmoid, "
      "Mul with the map (broadcast over H, W)"),
    C("SqueezeExciteLinear", lambda: SqueezeExcite(linear=True), (8, 6, 6),
      "squeeze-excitation with Linear layers: pool, flatten, Linear 8->4, ReLU, Linear 4->8, Sigmoid, "
      "view(1, 8, 1, 1), Mul"),
    # activations
    act_case("Gelu", lambda: nn.GELU(), "GELU(approximate='none'): x * 0.5 * (1 + erf(x / sqrt 2))"),
    act_case("GeluTanh", lambda: nn.GELU(approximate="tanh"), "GELU(approximate='tanh'): a Mul/Add/Tanh chain"),
    act_case("Mish", lambda: nn.Mish(), "Mish: x * tanh(softplus(x))"),
    act_case("SiLU", lambda: nn.SiLU(), "SiLU: x * sigmoid(x)"),
    act_case("Hardswish", lambda: nn.Hardswish(), "Hardswish: x * relu6(x + 3) / 6", scale=4.0),
    act_case("Hardsigmoid", lambda: nn.Hardsigmoid(), "Hardsigmoid: relu6(x + 3) / 6 (HardSigmoid alpha 1/6, beta 0.5)",
             scale=4.0),
    act_case("Elu", lambda: nn.ELU(alpha=0.7), "ELU(alpha=0.7)"),
    act_case("Selu", lambda: nn.SELU(), "SELU"),
    act_case("SoftplusBeta", lambda: nn.Softplus(beta=2, threshold=10),
             "Softplus(beta=2, threshold=10): log(1 + exp(2x)) / 2, x where 2x > 10",
             scale=6.0, note="ONNX Softplus has no beta or threshold: the exporter writes Mul(x, 2), Softplus, "
                             "Div by 2 (and may drop the threshold, which only matters where exp overflows)"),
    act_case("Softplus", lambda: nn.Softplus(), "Softplus(beta=1, threshold=20)", scale=30.0),
    act_case("LeakyRelu", lambda: nn.LeakyReLU(0.2), "LeakyReLU(0.2)"),
    act_case("PReluShared", lambda: nn.PReLU(), "PReLU with one slope"),
    act_case("PReluChannel", lambda: nn.PReLU(4), "PReLU with a slope per channel (4)"),
    act_case("Relu6", lambda: nn.ReLU6(), "ReLU6 as Clip(0, 6): attributes at opset 9, inputs at 11 and 13",
             scale=10.0, opsets=(9, 11, 13)),
    act_case("Hardtanh", lambda: nn.Hardtanh(-2.0, 3.0), "Hardtanh(-2, 3) as Clip: attributes at opset 9, inputs at 11/13",
             scale=3.0, opsets=(9, 11, 13)),
    act_case("Sigmoid", lambda: nn.Sigmoid(), "Sigmoid"),
    act_case("Tanh", lambda: nn.Tanh(), "Tanh"),
    C("SoftmaxVector", lambda: nn.Sequential(nn.Linear(16, 10), nn.Softmax(dim=1)), (16,),
      "Linear 16->10 then Softmax over the vector", scale=2.0),
    C("LogSoftmaxVector", lambda: nn.Sequential(nn.Linear(16, 10), nn.LogSoftmax(dim=1)), (16,),
      "Linear 16->10 then LogSoftmax over the vector", scale=2.0),
    C("SoftmaxChannels", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Softmax(dim=1)), (3, 5, 5),
      "Conv then Softmax over the channels of the map (dim=1); opset 11's Softmax flattens from its axis, so the "
      "exporter transposes the channels last and back; opset 13 writes Softmax(axis=1)", opsets=(11, 13), scale=2.0),
    C("MinPool", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), Fn(lambda x: -F.max_pool2d(-x, 2))), (3, 6, 6),
      "MinPool as -max_pool2d(-x, 2): Neg, MaxPool, Neg"),
    # padding
    pad_case("ReflectionPad", lambda: nn.ReflectionPad2d((1, 2, 2, 1)),
             "ReflectionPad2d(left 1, right 2, top 2, bottom 1) then Conv3x3; opset 9 and 10 Pad takes the pads "
             "as an attribute, 11+ as an input that PyTorch computes with a constant chain (ConstantOfShape, Concat, "
             "Reshape, Slice, Transpose, Reshape, Cast) the importer must fold", opsets=(9, 13)),
    pad_case("ReplicationPad", lambda: nn.ReplicationPad2d((2, 1, 1, 2)),
             "ReplicationPad2d(left 2, right 1, top 1, bottom 2) then Conv3x3"),
    pad_case("ZeroPad", lambda: nn.ZeroPad2d((1, 2, 0, 1)), "ZeroPad2d(left 1, right 2, top 0, bottom 1) then Conv3x3",
             opsets=(9, 13)),
    pad_case("ConstantPadZero", lambda: nn.ConstantPad2d(1, 0.0), "ConstantPad2d(1, value 0) then Conv3x3"),
    pad_case("FPadReflect", lambda: Fn(lambda x: F.pad(x, (2, 2, 1, 1), mode="reflect")),
             "F.pad(x, (2, 2, 1, 1), mode='reflect') then Conv3x3"),
    C("ConvCircular", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), (2, 5, 6),
      "Conv2d(padding=1, padding_mode='circular'): the wrap is exported as Slice/Concat before an unpadded Conv",
      opsets=(11, 13), note=CIRCULAR_NOTE),
    C("CircularPadManual", lambda: nn.Sequential(
        Fn(lambda x: torch.cat([x[:, :, -1:], x, x[:, :, :1]], dim=2)),
        Fn(lambda x: torch.cat([x[:, :, :, -2:], x, x[:, :, :, :2]], dim=3)),
        nn.Conv2d(2, 3, 3)), (2, 5, 6),
      "circular padding written by hand (H by 1, W by 2: torch.cat of x[..., -p:], x, x[..., :p]) then an "
      "unpadded Conv3x3: Slice (ends INT64_MAX) and Concat; what PyTorch 1.13's own circular export gets wrong"),
    C("ConvReflect", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (2, 5, 6),
      "Conv2d(padding=1, padding_mode='reflect'): Pad(reflect) then an unpadded Conv"),
    # pooling
    C("AvgPoolPadInclude", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.AvgPool2d(3, 2, padding=1, count_include_pad=True)),
      (3, 9, 9), "AvgPool2d(3, stride 2, padding 1, count_include_pad=True): the zeros of the padding count; "
      "exported as Pad(constant, 1 on each side of H and W) then AveragePool without pads"),
    C("AvgPoolExcludePad", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False)),
      (3, 9, 9), "AvgPool2d(3, stride 2, padding 1, count_include_pad=False): AveragePool with pads and count_include_pad=0, "
      "border windows divided by the input cells they cover"),
    C("AvgPoolExcludePadCeil", lambda: nn.Sequential(nn.Conv2d(3, 6, 1), nn.AvgPool2d((3, 2), (2, 2), padding=1, ceil_mode=True,
                                                                                    count_include_pad=False)),
      (3, 8, 8), "AvgPool2d((3, 2), stride 2, padding 1, ceil_mode=True, count_include_pad=False): the last rows' windows run "
      "past the padding; each divided by the input cells it covers"),
    C("AvgPoolCeil", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.AvgPool2d(2, 2, ceil_mode=True)), (3, 9, 9),
      "AvgPool2d(2, stride 2, ceil_mode=True) on 7x7: the last window is partial; PyTorch divides by the cells "
      "inside the input (1 or 2, not 4)",
      note="exported as a Pad with all-zero pads (a no-op) then AveragePool(ceil_mode=1, pads 0, count_include_pad "
           "absent = 0): the partial window averages the input cells it covers, as PyTorch"),
    C("MaxPoolDilatedCeil", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(3, 2, padding=1, dilation=2, ceil_mode=True)),
      (3, 12, 12), "MaxPool2d(3, stride 2, padding 1, dilation 2, ceil_mode=True) on 10x10"),
    C("MaxPoolOversizedCeil", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(3, 2, ceil_mode=True)), (3, 4, 4),
      "MaxPool2d(3, stride 2, ceil_mode=True) on 2x2: the window is longer than the map, one output over the map"),
    C("AvgPoolOversizedCeil", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.AvgPool2d(5, 3, padding=1, ceil_mode=True)), (3, 5, 4),
      "AvgPool2d(5, stride 3, padding 1, ceil_mode=True) on 3x2: the window is longer than the padded map, divided by "
      "the padded cells it covers"),
    C("GlobalMaxPool", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.AdaptiveMaxPool2d(1), nn.Flatten()),
      (3, 6, 6), "AdaptiveMaxPool2d(1) (GlobalMaxPool) then Flatten"),
    C("GlobalAvgPoolFlatten", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                                    nn.Linear(4, 3)),
      (3, 6, 6), "AdaptiveAvgPool2d(1) (GlobalAveragePool), Flatten, Linear"),
    # upsampling
    C("UpsampleNearest", lambda: nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Upsample(scale_factor=2, mode="nearest")),
      (2, 4, 5), "Upsample(scale 2, nearest): Upsample at opset 9, Resize at 11 and 13", opsets=(9, 11, 13)),
    C("UpsampleBilinear", lambda: nn.Sequential(nn.Conv2d(2, 3, 3, padding=1),
                                                nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)),
      (2, 4, 5), "Upsample(scale 2, bilinear, align_corners=False): Resize(linear, half_pixel) at 11 and 13, "
      "Upsample(linear) at 9 (see its note)", opsets=(9, 11, 13)),
    C("UpsampleBilinearAligned", lambda: nn.Sequential(nn.Conv2d(2, 3, 3, padding=1),
                                                       nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)),
      (2, 4, 5), "Upsample(scale 2, bilinear, align_corners=True): Resize linear align_corners", opsets=(9, 11, 13)),
    C("PixelShuffle", lambda: nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.PixelShuffle(2)), (3, 4, 5),
      "Conv 3->8 then PixelShuffle(2): DepthToSpace(blocksize 2, mode CRD)"),
    C("ConvTransposeBn", lambda: nn.Sequential(nn.ConvTranspose2d(3, 4, 4, 2, 1), nn.BatchNorm2d(4), nn.ReLU()),
      (3, 5, 5), "ConvTranspose2d(k4, s2, p1) then BatchNorm2d (not folded by the exporter) and ReLU"),
    C("ConvTransposeOutPad", lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (3, 4, 5),
      "ConvTranspose2d(k3, s2, p1, output_padding 1): 4x5 -> 8x10"),
    # dense
    C("LinearBatchNorm", lambda: nn.Sequential(nn.Linear(12, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4)), (12,),
      "Linear (Gemm), BatchNorm1d on the features, ReLU, Linear"),
    C("FlattenLinear", lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 5)), (3, 6, 6),
      "Conv, ReLU, nn.Flatten, Linear"),
    C("ViewFlatten", ViewFlatten, (3, 6, 6),
      "x.view(x.size(0), -1) then Linear; with the batch fixed the exporter's constant folding leaves a "
      "Reshape with a constant shape [1, 144]", opsets=(9, 13)),
    C("ViewFlattenNoFold", ViewFlatten, (3, 6, 6),
      "ViewFlatten exported with do_constant_folding=False: Reshape's shape built by Unsqueeze and Concat from "
      "constants (the traced x.size(0) is a constant 1; Unsqueeze's axes an attribute at opset 9, an input at 13)", opsets=(9, 13), export=dict(do_constant_folding=False), seed_name="ViewFlatten"),
    C("ViewFlattenDynamicBatch", ViewFlatten, (3, 6, 6),
      "ViewFlatten with a symbolic batch (dynamic_axes {0: 'batch'}), as most exported models have it: the "
      "Shape/Gather/Unsqueeze/Concat/Reshape chain stays because the batch is unknown",
      export=dict(dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}), seed_name="ViewFlatten",
      note="the input's and output's first dimension is dim_param 'batch'; the files hold one sample (batch 1)"),
    C("LinearOnSequence", LinearOnSequence, (4, 6),
      "Linear 6->5 over the last axis of a [4, 6] input (3D with the batch: MatMul + Add), then flatten to 20"),
    C("DropoutEval", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Dropout(0.5), nn.Conv2d(4, 2, 1)),
      (3, 6, 6), "Dropout(0.5) in eval mode between two Convs (the exporter drops it)"),
    C("IdentityLayer", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Identity(), nn.ReLU()), (3, 6, 6),
      "nn.Identity between Conv and ReLU"),
    # convolutions
    C("GroupedConv", lambda: nn.Sequential(nn.Conv2d(4, 6, 3, padding=1, groups=2), nn.ReLU()), (4, 6, 6),
      "Conv2d(4 -> 6, 3x3, groups 2)"),
    C("DilatedConv", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=2, dilation=2), nn.ReLU()), (3, 7, 7),
      "Conv2d(3x3, dilation 2, padding 2)"),
    C("ConvNoBias", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False), nn.ReLU()), (3, 7, 7),
      "Conv2d(bias=False, stride 2, symmetric padding 1): a Conv with two inputs"),
    C("BatchNormInput", lambda: nn.Sequential(nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 4, 3, padding=1)), (3, 6, 6),
      "BatchNorm2d on the input, then ReLU, then Conv: a BatchNormalization node the exporter cannot fold"),
    # channel slices and shuffles
    C("ShuffleNetV2", lambda: ShuffleNetV2([2, 2], [24, 58, 48, 32], num_classes=10), (3, 32, 32),
      "ShuffleNetV2 as torchvision writes it (stem Conv s2-BN-ReLU, MaxPool 3 s2, stages of 2 units to 58 and 48 "
      "channels, 1x1 Conv 32, mean over H and W, Linear): x.chunk(2, dim=1) in the stride-1 units, depthwise convs, "
      "channel_shuffle's view(N, 2, C / 2, H, W), transpose(1, 2), view(N, -1, H, W)", opsets=(9, 11, 13),
      note="the chunk is Split(axis 1, split [29, 29] and [24, 24]) at opset 9, and at 11 and 13 two Slices along axis 1 "
           "whose bounds come from Shape, Gather, Add, Div, Mul of the activation; the shuffle is Reshape to "
           "[1, 2, C / 2, H, W], Transpose perm [0, 2, 1, 3, 4], Reshape to [1, -1, H, W]; the exporter folds every "
           "BatchNorm into the Conv before it"),
    C("SplitUnequal", SplitUnequal, (3, 6, 6),
      "torch.split(y, [3, 7], dim=1) of a Conv's 10 channels, ReLU of the 7, Tanh of the 3, concatenated 7 first: "
      "Split with its sizes an attribute at opset 11, an input at 13", opsets=(11, 13)),
    C("ChannelSlices", ChannelSlices, (3, 6, 6),
      "y[:, 3:10] and y[:, -2:] of a Conv's 12 channels, concatenated, then a 1x1 Conv: Slice along axis 1 (starts, "
      "ends and axes as attributes at opset 9, inputs at 13; the tail's end is INT64_MAX)", opsets=(9, 13)),
    C("ShuffleSequence", ShuffleSequence, (2, 10),
      "the channel shuffle on a sequence: Conv1d to 12 channels, view(N, 3, 4, L), transpose(1, 2), view(N, -1, L) "
      "(Reshape, Transpose perm [0, 2, 1, 3], Reshape), then a grouped 1x1 Conv1d"),
    C("ResNetOptionA", ResNetOptionA, (3, 15, 15),
      "pytorch_resnet_cifar10's ResNet with option-A shortcuts, one block a stage, on 15 x 15: x[:, :, ::2, ::2] "
      "(two Slices with step 2, axes 2 and 3) padded with 8 and 16 zero channels on each side (Pad of axis 1, its pads "
      "a constant chain), added to the block's second BatchNorm; avg_pool2d over the 4 x 4 map, view(N, -1), Linear"),
    C("ViewMinusOne", lambda: PoolThenView("view"), (3, 6, 6),
      "y.view(-1, 12) after a global pool (the PyTorch tutorials' x.view(-1, 16 * 5 * 5)): Reshape to [-1, 12], the -1 the batch",
      opsets=(9, 13)),
    C("SqueezeSpatial", lambda: PoolThenView("squeeze"), (3, 6, 6),
      "y.squeeze(-1).squeeze(-1) after a global pool: two Squeezes of an axis of size 1 (axes an attribute at opset 11, an input at 13)",
      opsets=(11, 13)),
    C("MeanOfMeans", lambda: ReduceOneAxis("meanmean"), (3, 5, 6),
      "y.mean(3).mean(2): ReduceMean of the columns (keepdims 0, leaving [N, 12, 5]), then of the rows, then Linear"),
    C("MeanKeepdimsOneAxis", lambda: ReduceOneAxis("keepdim"), (3, 5, 6),
      "y.mean(2, keepdim=True).mean(3, keepdim=True), flatten: ReduceMean of the rows, then of the columns, keepdims 1"),
    C("MaxOverRows", lambda: ReduceOneAxis("rows"), (3, 5, 6),
      "torch.amax(y, dim=2) then flatten(1): ReduceMax of the rows alone ([N, 12, 6] left), then Linear over 72 features"),
    C("PadChannelsAndRows", PadChannelsAndRows, (3, 5, 6),
      "F.pad(y, (1, 2, 0, 1, 3, 2)): zero channels, a row and columns in one Pad, then a 3x3 Conv"),    # a model as PyTorch initializes it (only the convolutions and the linear layer random): the exporter writes one
    # initializer for equal tensors and Identity nodes for the others, 80 floats each (past the inline limit)
    C("FreshDeduplicated", lambda: nn.Sequential(nn.Conv2d(3, 80, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(80),
                                                 nn.Conv2d(80, 80, 1), nn.PReLU(80), nn.BatchNorm2d(80),
                                                 nn.Conv2d(80, 80, 1), nn.PReLU(80),
                                                 nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(80, 10)), (3, 6, 6),
      "BatchNorm2d(80) and PReLU(80) as PyTorch initializes them, each BatchNorm after an activation (not folded): "
      "running_var, the second BatchNorm's weight and the second PReLU's 0.25s are Identity nodes of the first equal "
      "initializer", fresh=True),
]

# error cases: (name, make, input shape, error_mentions, why, export options)
ERRORS = [
    ("Conv3d", lambda: nn.Sequential(nn.Conv3d(2, 3, 3, padding=1), nn.ReLU()), (2, 4, 5, 5), "Conv",
     "Conv3d: a Conv whose input has 3 spatial axes (5D tensor, 3D kernel)", {}),
    ("DynamicSpatial", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 1)), (3, 8, 8),
     "height", "input H and W are symbolic (dim_param 'height', 'width'): the sizes are not fixed", 
     dict(dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}})),
    ("Lstm", LstmNet, (5, 4), "LSTM", "an LSTM over a 5-step sequence, then Linear on the last step", {}),
    ("TopK", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Flatten(), Fn(lambda x: torch.topk(x, 5).values)),
     (3, 4, 4), "TopK", "torch.topk(x, 5).values after a Conv: TopK is not a supported op", {}),
    ("MatMulActivations", lambda: Fn(lambda x: torch.matmul(x, x.transpose(1, 2))), (4, 6), "MatMul",
     "x @ x^T (a Gram matrix): a MatMul of two activations, no constant weight", {}),
    ("SplitHeight", SplitHeight, (3, 6, 6), "axis 2",
     "torch.split(y, [3, 3], dim=2): a Split along the rows, which CnnGen does not compile (it splits the channels)", {}),
    ("MeanOverChannels", lambda: ReduceOneAxis("channels"), (3, 5, 6), "axes [1]",
     "y.mean(1): a ReduceMean over the channels, which no pool computes", {}),
    ("SqueezeAll", lambda: PoolThenView("all"), (3, 6, 6), "batch",
     "y.squeeze() after a global pool: a Squeeze of every axis of size 1, which on a batch of 1 removes the batch axis", {}),
    ("SubsampleFromOne", SubsampleFromOne, (3, 6, 6), "axis 2",
     "y[:, :, 1::2, ::2]: every second row from the second (a Slice with step 2 not starting at 0)", {}),
    ("ShuffleWrongPerm", ShuffleWrongPerm, (3, 4, 4), "perm",
     "view(N, 2, 4, H, W).transpose(2, 3).reshape(N, 8, H, W): a Reshape, Transpose, Reshape whose Transpose is not a "
     "channel shuffle's (perm [0, 1, 3, 2, 4], not [0, 2, 1, 3, 4])", {}),
    ("TwoOutputs", TwoOutputs, (3, 6, 6), "output",
     "a network with two outputs (two 1x1 Conv heads on a shared trunk)", dict(output_names=["output0", "output1"])),
]

# ---------------------------------------------------------------- writing

def seed_of(name):
    return SEED_BASE + zlib.crc32(name.encode()) % 1000003


def randomize(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.weight.copy_(torch.randn(c, generator=gen))
                m.bias.copy_(torch.randn(c, generator=gen))
                m.running_mean.copy_(0.5 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=gen))
                m.num_batches_tracked.fill_(int(torch.randint(100, 10000, (1,), generator=gen)))
            elif isinstance(m, nn.PReLU):
                w = torch.rand(m.weight.numel(), generator=gen) - 0.5
                w[0] = -abs(float(w[0])) - 0.05
                m.weight.copy_(w)


def f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def coverage(name, model64, x64, problems):
    """Every activation sees inputs in every region between its kinks: 3 or more each, or one where it
    sees fewer than 12 in all."""
    for k, m, v in activation_inputs(model64, x64, list(model64.named_modules())):
        check_regions(name, k, m, v, problems, least=3 if v.numel() >= 12 else 1)


def graph_info(path):
    model = onnx.load(path)
    onnx.checker.check_model(model)
    ops = []
    for n in model.graph.node:
        if n.op_type not in ops:
            ops.append(n.op_type)
    params = sum(int(torch.tensor(list(t.dims)).prod()) if len(t.dims) else 1
                 for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)
    return ops, len(model.graph.node), params


DIFFER = ("ConvCircular", "UpsampleBilinear_opset9")


def graph_dims(path):
    g = onnx.load(path).graph
    inits = {t.name for t in g.initializer}
    dims = lambda v: [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim]
    return [dims([v for v in g.input if v.name not in inits][0]), dims(g.output[0])]


def onnx_meaning(path, x):
    """The graph's output by verify_onnx_cases.py's numpy interpreter of the ONNX operators (float64)."""
    from verify_onnx_cases import run
    return run(onnx.load(path), x.double().numpy())


def export(model, x, path, opset, **kw):
    kw.setdefault("input_names", ["input"])
    kw.setdefault("output_names", ["output"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw.setdefault("do_constant_folding", True)
        torch.onnx.export(model, x, path, opset_version=opset,
                          training=torch.onnx.TrainingMode.EVAL, **kw)


def build(name, make, shape, scale=1.0, bn_scale=1.0, fresh=False):
    seed = seed_of(name)
    torch.manual_seed(seed)
    model = make()
    gen = torch.Generator().manual_seed(seed + 5000)
    if not fresh:
        randomize(model, gen)
    if bn_scale != 1.0:
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    m.weight.mul_(bn_scale)
    model.eval()
    x = scale * torch.randn((1,) + tuple(shape), generator=gen)
    return model, x


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "..", "fixtures", "onnx")
    out = os.path.normpath(out)
    os.makedirs(out, exist_ok=True)
    index, problems, refused = [], [], []
    names = set()
    for case in RUNS:
        base = case["name"]
        model, x = build(case["seed_name"], case["make"], case["shape"], case["scale"], case["bn_scale"], case["fresh"])
        model64 = copy.deepcopy(model).double().eval()
        with torch.no_grad():
            y = model64(x.double())
            y32 = model(x)
        assert torch.isfinite(y).all(), base
        tol = 1e-4 * y.abs() + 1e-5 * max(1.0, float(y.abs().max()))
        assert ((y32.double() - y).abs() <= tol).all(), (base, float((y32.double() - y).abs().max()))
        coverage(base, model64, x.double(), problems)
        multi = len(case["opsets"]) > 1
        for opset in case["opsets"]:
            name = f"{base}_opset{opset}" if multi else base
            assert name not in names, name
            names.add(name)
            path = os.path.join(out, name + ".onnx")
            try:
                export(model, x, path, opset, **case["export"])
            except Exception as e:  # the exporter refuses: record it
                if os.path.exists(path):
                    os.remove(path)
                msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0].split(' [Caused by')[0].strip()}"
                refused.append(dict(case=name, opset=opset, error=msg))
                print(f"{name}: not exported: {msg}")
                continue
            ops, nodes, params = graph_info(path)
            f32(os.path.join(out, name + ".input.f32"), x)
            f32(os.path.join(out, name + ".expected.f32"), y)
            entry = dict(name=name, base=base, kind="run", opset=opset, input_shape=list(case["shape"]),
                         output_shape=list(y.shape[1:]), output_length=int(y.numel()), ops=ops, node_count=nodes,
                         params=params, description=case["desc"])
            note = case["note"]
            if base == "UpsampleBilinear" and opset == 9:
                note = UPSAMPLE_NOTE_9
            declared = graph_dims(path)
            if declared != [[1] + list(case["shape"]), [1] + list(y.shape[1:])]:
                entry["graph_dims"] = declared     # as the file declares them: [input dims, output dims]
            if base in DIFFER or name in DIFFER:
                entry["onnx_semantics_differ"] = True
                onnx_y = onnx_meaning(path, x)
                f32(os.path.join(out, name + ".onnx_expected.f32"), torch.from_numpy(onnx_y))
                entry["max_abs_pytorch_vs_onnx"] = float((torch.from_numpy(onnx_y).flatten() - y.flatten()).abs().max())
            if note:
                entry["note"] = note
            index.append(entry)
            print(f"{name:32s} opset {opset:2d}  {list(case['shape'])} -> {list(y.shape[1:])}  {' '.join(ops)}")
    for name, make, shape, mentions, why, kw in ERRORS:
        model, x = build(name, make, shape)
        path = os.path.join(out, name + ".onnx")
        try:
            export(model, x, path, 13, **kw)
        except Exception as e:
            msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0]}"
            refused.append(dict(case=name, opset=13, error=msg))
            print(f"{name}: not exported: {msg}")
            continue
        ops, nodes, params = graph_info(path)
        with torch.no_grad():
            y = model(x)
        outs = y if isinstance(y, tuple) else (y,)
        index.append(dict(name=name, base=name, kind="error", opset=13, input_shape=list(shape),
                          output_shape=[list(t.shape[1:]) for t in outs] if len(outs) > 1 else list(outs[0].shape[1:]),
                          ops=ops, node_count=nodes, params=params, error_mentions=mentions, why=why,
                          description=why, graph_dims=graph_dims(path)))
        print(f"{name:32s} error     {' '.join(ops)}   (mention {mentions!r})")
    if problems:
        raise SystemExit("coverage problems:\n  " + "\n  ".join(problems))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "not_exported.json"), "w") as f:
        json.dump(refused, f, indent=1)
        f.write("\n")
    print(f"{len(index)} cases written to {out}; {len(refused)} exports refused")


if __name__ == "__main__":
    main()
