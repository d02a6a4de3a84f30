"""PyTorch reference cases for 1D networks (issue 14): [InputShape(channels, length)], Conv1D with
its padding modes and causal (PadLeft/PadRight) padding, Max/Avg/MinPool1D, BatchNorm1D on [C, L]
and on vectors, global and adaptive 1D pools, Softmax over the channels of [C, L], and blocks
(Residual, Concat, Multiply, Sequential) on [C, L].

usage: /usr/bin/python3 tests/torch/sequence_cases.py [OUT_DIR] [--report REPORT.json]
OUT_DIR defaults to tests/fixtures/sequences. Needs Debian's python3-torch (PyTorch 1.13); seeds come
from the case names, so a re-run reproduces the same bytes and adding a case leaves the others alone.
verify_sequences.py re-reads what was written.

Files per run case, as casegen.py's and block_cases.py's: NAME.cs (the network, namespace
Fixtures.Sequences, then the [Block] classes it uses, named NAME + suffix), NAME.params.f32,
NAME.input.f32 (batch x C x L), NAME.expected.f32 (eval mode, computed in float64 from the float32
values), NAME.safetensors, and an entry in cases.json (same fields as the layers' and blocks').
Run options as fixturecases.py's (input, var, scale {module path: factor}), and
causal: True (the writer checks that the output at t does not change with the inputs after t).
An error case has NAME.cs only; its cases.json entry has the 1-based line of the attribute at fault,
"id" (the diagnostic, or null where the id is not decided yet, with "expected_id_tbd": true and a
"suggested_id" where an existing id fits) and "why" (the mistake, in words).

The PyTorch side of the contract (the C# attributes of issue 14):
  [Conv1D]              nn.Conv1d(padding=Padding, padding_mode=PaddingMode); with PadLeft/PadRight:
                        F.pad(x, (PadLeft, PadRight), mode) then nn.Conv1d(padding=0) (mode "zeros" is
                        F.pad's "constant"); weight [Filters, InChannels/Groups, Kernel], keys as nn.Conv1d's
  [Max|Avg|MinPool1D]   nn.MaxPool1d, nn.AvgPool1d (CountIncludePad: count_include_pad), -F.max_pool1d(-x); Dilation for max and min
  [BatchNorm1D]         nn.BatchNorm1d, on [C, L] or on a flat vector [F]
  [GlobalAvg|MaxPool1D] nn.AdaptiveAvgPool1d(1), nn.AdaptiveMaxPool1d(1): [C, L] to [C, 1]
  [Adaptive*Pool1D]     nn.AdaptiveAvgPool1d(Output), nn.AdaptiveMaxPool1d(Output)
  [Multiply]            x * gate(x), the gate of x's shape or [C, 1]
The other layers and blocks are the 2D ones' (netspec.py, blocks.py).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from casegen import Fn, _adaptive_bins, mutants  # noqa: E402
from fixturecases import Fault, Fixtures, L, PadFirst, cat, mul, pad, reported, res, seq, try_mutants  # noqa: E402
from netspec import MinPool1d, torch_layer  # noqa: E402
from netspec import f32 as f32value  # noqa: E402

NAMESPACE = "Fixtures.Sequences"
MODES = ("zeros", "reflect", "replicate", "circular")
LAYERS_1D = ("Conv1D", "MaxPool1D", "AvgPool1D", "MinPool1D", "BatchNorm1D", "GlobalAvgPool1D", "GlobalMaxPool1D",
             "AdaptiveAvgPool1D", "AdaptiveMaxPool1D")
LAYERS_2D = ("Conv2D", "MaxPool2D", "AvgPool2D", "MinPool2D", "BatchNorm2D", "GlobalAvgPool2D", "GlobalMaxPool2D",
             "AdaptiveAvgPool2D", "AdaptiveMaxPool2D")


# ----------------------------------------------------------------------------- PyTorch modules

class PaddedConv1d(PadFirst, nn.Conv1d):
    """nn.Conv1d (padding 0) after F.pad(x, (left, right), mode): Conv1D with PadLeft/PadRight.
    Its tensors are nn.Conv1d's, under the same names."""


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv1D", dict(Filters=filters, Kernel=kernel, **p))


def causal(filters, kernel, dilation=1, **p):
    """A causal convolution: PadLeft = (Kernel - 1) * Dilation, PadRight = 0."""
    q = dict(Filters=filters, Kernel=kernel)
    if dilation != 1:
        q["Dilation"] = dilation
    q["PadLeft"] = (kernel - 1) * dilation
    q.update(p)
    return ("Conv1D", q)


def bn(**p):
    return ("BatchNorm1D", p)


# ----------------------------------------------------------------------------- layers

def _need(p, kind, *names):
    for n in names:
        if n not in p:
            raise Fault(None, f"{kind} needs {n}")


def layer_1d(kind, p, shape, rank):
    """The module of one layer on an input of shape ([C, L], or [F] after Flatten) in a
    network of rank (1: InputShape(c, l), 2: InputShape(c, h, w)); Fault where the generator must
    report an error. Checks what PyTorch would not (or would differently) reject itself."""
    if rank == 1 and kind in LAYERS_2D:
        raise Fault(None, f"{kind} in a 1D network: the input is [C, L] (nn.{kind[:-2]}2d would read [C, L] as an "
                    f"unbatched [C, H, W])")
    if rank == 2 and kind in LAYERS_1D:
        raise Fault(None, f"{kind} in a 2D network: the input is [C, H, W]")
    if kind in LAYERS_1D and kind != "BatchNorm1D" and len(shape) != 2:
        raise Fault(None, f"{kind} needs [C, L] but gets the flat vector {list(shape)}")
    if kind == "Conv1D":
        _need(p, kind, "Filters", "Kernel")
        c, n = shape
        f, k = p["Filters"], p["Kernel"]
        if "InChannels" in p and p["InChannels"] != c:
            raise Fault(None, f"InChannels = {p['InChannels']} but the input has {c} channels")
        g = p.get("Groups", 1)
        if c % g or f % g:
            raise Fault(None, f"Groups = {g} does not divide {c} input channels and {f} filters")
        s, d = p.get("Stride", 1), p.get("Dilation", 1)
        asym = "PadLeft" in p or "PadRight" in p
        if asym and "Padding" in p:
            raise Fault(None, "Padding with PadLeft/PadRight: two forms of one setting")
        mode = p.get("PaddingMode", "zeros")
        if mode not in MODES:
            raise Fault(None, f"PaddingMode = {mode!r} is none of {MODES}")
        pl, pr = (p.get("PadLeft", 0), p.get("PadRight", 0)) if asym else (p.get("Padding", 0),) * 2
        if min(pl, pr) < 0:
            raise Fault(None, "negative padding")
        if mode == "reflect" and max(pl, pr) >= n:
            raise Fault(None, f"reflect padding {max(pl, pr)} is not less than the length {n}")
        if mode == "circular" and max(pl, pr) > n:
            raise Fault(None, f"circular padding {max(pl, pr)} exceeds the length {n}")
        if d * (k - 1) + 1 > n + pl + pr:
            raise Fault(None, f"the dilated kernel {d * (k - 1) + 1} exceeds the padded length {n + pl + pr}")
        kw = dict(stride=s, dilation=d, groups=g, bias=p.get("Bias", True))
        if asym:
            return PaddedConv1d(c, f, k, pads=(pl, pr), mode=mode, **kw)
        return nn.Conv1d(c, f, k, padding=pl, padding_mode=mode, **kw)
    if kind in ("MaxPool1D", "AvgPool1D", "MinPool1D"):
        _need(p, kind, "Kernel")
        k, pad = p["Kernel"], p.get("Padding", 0)
        if 2 * pad > k:
            raise Fault(None, f"pool padding {pad} is more than half the window {k}")
        # PyTorch's pooling_output_shape: with ceil_mode a window up to stride - 1 past the padded length gives one output
        d, s, ceil = p.get("Dilation", 1), p.get("Stride", k), p.get("CeilMode", False)
        if shape[1] + 2 * pad - d * (k - 1) - 1 + (s - 1 if ceil else 0) < 0:
            raise Fault(None, f"the window {d * (k - 1) + 1} exceeds the padded length {shape[1] + 2 * pad}")
        return torch_layer(kind, p, shape)[0]
    if kind == "BatchNorm1D":
        if "Channels" in p and p["Channels"] != shape[0]:
            raise Fault(None, f"Channels = {p['Channels']} but the input has {shape[0]} channels (features)")
        return nn.BatchNorm1d(shape[0], eps=f32value(p.get("Epsilon", 1e-5)), affine=p.get("Affine", True))
    if kind == "GlobalAvgPool1D":
        return nn.AdaptiveAvgPool1d(1)
    if kind == "GlobalMaxPool1D":
        return nn.AdaptiveMaxPool1d(1)
    if kind in ("AdaptiveAvgPool1D", "AdaptiveMaxPool1D"):
        _need(p, kind, "Output")
        if p["Output"] < 1:
            raise Fault(None, "Output must be at least 1")
        return (nn.AdaptiveAvgPool1d if kind == "AdaptiveAvgPool1D" else nn.AdaptiveMaxPool1d)(p["Output"])
    if kind == "Dense":
        if len(shape) != 1:
            raise Fault(None, f"Dense needs a flat vector but gets {list(shape)}; insert [Flatten]")
        if "Inputs" in p and p["Inputs"] != shape[0]:
            raise Fault(None, f"Inputs = {p['Inputs']} but the input has {shape[0]} features")
    return torch_layer(kind, p, shape)[0]


# ----------------------------------------------------------------------------- mutants

def _symmetric_pad(x, l, r):
    """numpy's 'symmetric' (the edge repeated): what a reflect that counts the edge would do."""
    parts = []
    if l:
        parts.append(x[..., :l].flip(-1))
    parts.append(x)
    if r:
        parts.append(x[..., x.shape[-1] - r:].flip(-1))
    return torch.cat(parts, -1)


def _conv_with(m, pad_fn, groups=None):
    g = m.groups if groups is None else groups
    return Fn(lambda x: F.conv1d(pad_fn(x), m.weight, m.bias, m.stride, 0, m.dilation, g))


def _pads_of(m):
    if isinstance(m, PaddedConv1d):
        return m.pads, m.mode
    return (m.padding[0], m.padding[0]), m.padding_mode


def _adaptive_1d(x, n_out, is_max, how):
    bins = _adaptive_bins(x.shape[2], n_out, how)
    y = x.new_zeros(x.shape[0], x.shape[1], n_out)
    for i, (s, e) in enumerate(bins):
        y[:, :, i] = x[:, :, s:e].amax(2) if is_max else x[:, :, s:e].mean(2)
    return y


def mutants_1d(m):
    """(description, replacement module): plausible wrong implementations of the 1D layers."""
    out = []
    if isinstance(m, nn.Conv1d):
        (l, r), mode = _pads_of(m)
        if l or r:
            if mode != "zeros":
                out.append((f"{mode} padding done with zeros", _conv_with(m, lambda x: F.pad(x, (l, r)))))
            if mode == "reflect":
                out.append(("reflect padding as replicate", _conv_with(m, lambda x: F.pad(x, (l, r), mode="replicate"))))
                out.append(("reflect padding that repeats the edge (numpy 'symmetric')",
                            _conv_with(m, lambda x: _symmetric_pad(x, l, r))))
            if mode == "replicate":
                out.append(("replicate padding as reflect (where it fits)",
                            _conv_with(m, lambda x: F.pad(x, (l, r), mode="reflect") if max(l, r) < x.shape[-1]
                                       else F.pad(x, (l, r)))))
            if mode == "circular":
                out.append(("circular padding from the wrong ends",
                            _conv_with(m, lambda x: torch.cat([x[..., :l], x, x[..., x.shape[-1] - r:]], -1))))
            if l != r:
                md = "constant" if mode == "zeros" else mode
                out.append(("PadLeft and PadRight swapped", _conv_with(m, lambda x: F.pad(x, (r, l), mode=md))))
        if m.groups > 1:
            per = m.in_channels // m.groups
            out.append(("each group reading the next group's channels",
                        _conv_with(m, lambda x: pad(x, (l, r), mode).roll(-per, 1), m.groups)))
    elif isinstance(m, nn.BatchNorm1d):
        w = m.weight if m.affine else None
        b = m.bias if m.affine else None
        rm, rv, eps = m.running_mean, m.running_var, m.eps

        def sh(x):
            return (1, -1) + (1,) * (x.dim() - 2)
        out.append(("BatchNorm eps ignored", Fn(lambda x: F.batch_norm(x, rm, rv, w, b, False, 0.0, 0.0))))
        out.append(("BatchNorm divides by var, not sqrt(var + eps)",
                    Fn(lambda x: (x - rm.view(sh(x))) / (rv.view(sh(x)) + eps) * (1 if w is None else w.view(sh(x)))
                       + (0 if b is None else b.view(sh(x))))))
        if m.affine:
            out.append(("BatchNorm weight and bias not applied", Fn(lambda x: F.batch_norm(x, rm, rv, None, None, False, 0.0, eps))))
    elif isinstance(m, nn.MaxPool1d):
        k, s, p, ceil = m.kernel_size, m.stride, m.padding, m.ceil_mode
        if p:
            out.append(("MaxPool padding with zeros, not -inf", Fn(lambda x: F.max_pool1d(F.pad(x, (p, p)), k, s, 0, 1, ceil))))
        if ceil:
            out.append(("MaxPool without CeilMode", Fn(lambda x: F.max_pool1d(x, k, s, p, 1, False))))
    elif isinstance(m, MinPool1d):
        kw = dict(m.kw)
        p = kw.get("padding", 0)
        if p:
            q = dict(kw, padding=0)
            out.append(("MinPool padding with zeros, not +inf", Fn(lambda x: -F.max_pool1d(F.pad(-x, (p, p)), **q))))
        out.append(("MinPool as MaxPool", Fn(lambda x: F.max_pool1d(x, **kw))))
    elif isinstance(m, nn.AvgPool1d):
        k, s, p, ceil, count = m.kernel_size[0], m.stride[0], m.padding[0], m.ceil_mode, m.count_include_pad
        if p:
            out.append(("AvgPool counting the padding as its count_include_pad does not",
                        Fn(lambda x: F.avg_pool1d(x, k, s, p, ceil, not count))))
        if ceil:
            out.append(("AvgPool dividing a clipped last window by the whole kernel",
                        Fn(lambda x: F.avg_pool2d(x.unsqueeze(2), (1, k), (1, s), (0, p), ceil, True, k).squeeze(2))))
    elif isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveMaxPool1d)):
        n = m.output_size if isinstance(m.output_size, int) else m.output_size[0]
        if n > 1:
            is_max = isinstance(m, nn.AdaptiveMaxPool1d)
            for how in ("floor end", "fixed window"):
                out.append((f"adaptive pool bins with {how}", Fn(lambda x, how=how: _adaptive_1d(x, n, is_max, how))))
    elif isinstance(m, nn.Softmax):
        out.append(("Softmax over the length (dim 2), not the channels", Fn(lambda x: torch.softmax(x, x.dim() - 1))))
        out.append(("Softmax over the whole sample", Fn(lambda x: torch.softmax(x.flatten(1), 1).view_as(x))))
    elif isinstance(m, nn.LogSoftmax):
        out.append(("LogSoftmax over the length (dim 2), not the channels", Fn(lambda x: torch.log_softmax(x, x.dim() - 1))))
    elif isinstance(m, nn.PReLU) and m.weight.numel() > 1:
        wt = m.weight
        out.append(("PReLU weights indexed by the position, not the channel",
                    Fn(lambda x: torch.where(x >= 0, x, x * wt[torch.arange(x.shape[-1]) % wt.numel()]))))
    return out


# ----------------------------------------------------------------------------- the cases

STD = {"input": ("randn", 2.0)}
PAD_LEN = 10  # the length of the padding-mode cases


def se(mid, channels):
    return [L("GlobalAvgPool1D"), conv(mid, 1), L("ReLU"), conv(channels, 1), L("Sigmoid")]


def tcn_block(filters, dilation):
    """A TCN temporal block (Bai et al. without weight norm): two dilated causal convolutions. The
    second one has no ReLU of its own: the ReLU after the addition is its (with a ReLU on both terms
    the one after the addition would never see a negative input)."""
    return [causal(filters, 3, dilation, Name="conv1"), L("ReLU", Name="relu1"), L("Dropout", P=0.2, Name="dropout1"),
            causal(filters, 3, dilation, PadRight=0, Name="conv2"), L("Dropout", P=0.2, Name="dropout2")]


RUNS = {
    # 1. M5 (Dai et al., 2017) shrunk: a long strided first convolution, BatchNorm1D, ReLU, MaxPool1D
    # three times, global average, Dense, LogSoftmax. 400 -> 96 -> 24 -> 22 -> 11 -> 11 -> 5 -> [12, 1]
    "M5": dict(
        input=(1, 400),
        net=[conv(8, 20, Stride=4), bn(), L("ReLU"), L("MaxPool1D", Kernel=4),
             conv(12, 3), bn(), L("ReLU"), L("MaxPool1D", Kernel=2),
             conv(12, 3, Padding=1), bn(), L("ReLU"), L("MaxPool1D", Kernel=2),
             L("GlobalAvgPool1D"), L("Flatten"), L("Dense", Outputs=10), L("LogSoftmax")],
        opts={"input": ("randn", 1.0)}, batch=2),
    # 2. a TCN: residual temporal blocks with dilations 1, 2, 4 (causal: PadLeft = 2 * d), a 1x1
    # Conv1D shortcut where 2 channels become 8, a ReLU after each addition, a 1x1 head
    "Tcn": dict(
        input=(2, 24),
        net=[res("Block1", Shortcut="Down", ShortcutName="downsample", Name="block1"), L("ReLU"),
             res("Block2", Name="block2"), L("ReLU"), res("Block4", Name="block4"), L("ReLU"),
             conv(3, 1, Name="head")],
        blocks={"Block1": tcn_block(8, 1), "Block2": tcn_block(8, 2), "Block4": tcn_block(8, 4), "Down": [conv(8, 1)]},
        opts=dict(STD, causal=True)),
    # a causal stack in Sequential blocks: the output at t depends on inputs up to t only
    "CausalStack": dict(
        input=(3, 16),
        net=[seq("Stage", Name="stage1"), seq("Stage", Name="stage2"), conv(2, 1)],
        blocks={"Stage": [causal(6, 2, 1), L("Tanh"), causal(6, 3, 3), bn(), L("SiLU")]},
        opts=dict(STD, causal=True)),
    # 5. groups, depthwise (multiplier 2), dilation, stride, no bias
    "Depthwise": dict(input=(4, 16), net=[conv(8, 3, Groups=4, Padding=1, Bias=False), bn(), L("ReLU6"),
                                          conv(6, 1, InChannels=8)],
                      opts={"input": ("randn", 3.0), "scale": {"0": 3.0}}),
    "GroupsDilatedStrided": dict(input=(6, 23), net=[conv(4, 3, Groups=2, Dilation=3, Stride=2, Padding=2),
                                                     L("LeakyReLU", NegativeSlope=0.2),
                                                     conv(6, 2, Groups=2, Stride=3, Bias=False, InChannels=4)]),
    "DilatedNoBias": dict(input=(3, 20), net=[conv(5, 4, Dilation=2, Bias=False), L("ELU", Alpha=0.5),
                                              conv(4, 5, Stride=2, Dilation=2, Padding=3)]),
    # 6. an MLP with BatchNorm1D on vectors, after Flatten (the flattening order c * L + l) and after Dense
    "MlpBatchNorm": dict(
        input=(3, 8),
        net=[L("Flatten"), bn(Channels=24), L("Dense", Outputs=16), bn(), L("ReLU"), L("Dropout", P=0.3),
             L("Dense", Outputs=4, Inputs=16)], opts=STD),
    # BatchNorm1D on [C, L]: after a convolution (foldable), first, without affine, with an Epsilon
    # that matters (running_var small)
    "BatchNormSequence": dict(
        input=(4, 12),
        net=[bn(Channels=4), conv(6, 3, Padding=1, Bias=False), bn(), L("ReLU"),
             bn(Affine=False, Epsilon=0.01), L("MaxPool1D", Kernel=2)],
        opts={"input": ("randn", 2.0), "var": (0.005, 0.05)}),
    # 7. Softmax and LogSoftmax over the channels at each position ([C, L], dim 1), logits large
    "SoftmaxChannels": dict(input=(3, 7), net=[conv(5, 3, Padding=1), L("Softmax")], opts={"input": ("randn", 3.0)}),
    "LogSoftmaxChannels": dict(input=(3, 7), net=[conv(5, 3, Padding=1), L("LogSoftmax")],
                               opts={"input": ("randn", 3.0), "scale": {"0": 60.0}}),
    # 8. squeeze-and-excitation: a [C, 1] gate broadcast over the length; and a gate of x's shape
    "SqueezeExcite1D": dict(
        input=(4, 24),
        net=[conv(16, 3, Padding=1, Name="conv"), bn(), L("ReLU"), mul("Se", Name="se"), L("GlobalAvgPool1D"),
             L("Flatten"), L("Dense", Outputs=5)],
        blocks={"Se": se(4, 16)},
        opts={"input": ("randn", 2.0), "scale": {"se.1": 2.0, "se.3": 8.0}}),
    "GateSameShape1D": dict(
        input=(4, 12),
        net=[conv(8, 3, Padding=1), L("ReLU"), mul("Gate", Name="gate"), conv(4, 1)],
        blocks={"Gate": [conv(8, 3, Padding=1, PaddingMode="replicate"), L("Sigmoid")]},
        opts={"input": ("randn", 2.0), "scale": {"gate.0": 3.0}}),
    # 9. Concat: three branches (4, 6 and 2 channels), one of them pooled with stride 1
    "Concat1D": dict(
        input=(4, 16),
        net=[conv(8, 3, Padding=1), L("ReLU"), cat("A", "B", "C", Name="mixed"), L("GlobalMaxPool1D"), L("Flatten"),
             L("Dense", Outputs=3)],
        blocks={"A": [conv(4, 1)], "B": [conv(6, 5, Padding=2), L("ReLU")],
                "C": [L("MaxPool1D", Kernel=3, Stride=1, Padding=1), conv(2, 1)]},
        opts=STD),
    # DenseNet-style: each causal layer's output appended to its input (IncludeInput), 4 -> 7 -> 10
    "DenseCausal": dict(
        input=(4, 12),
        net=[cat("Layer", IncludeInput=True, Name="dense1"), cat("Layer", IncludeInput=True, Name="dense2"),
             bn(), L("ReLU")],
        blocks={"Layer": [bn(Name="norm"), L("ReLU", Name="relu"), causal(3, 3, 2, Bias=False, Name="conv")]},
        opts=dict(STD, causal=True)),
    # activations on [C, L]; PReLU with one weight per channel (dim 1, not the length)
    "Activations1D": dict(
        input=(3, 10),
        net=[conv(16, 3, Padding=1), L("PReLU", Parameters=16), conv(8, 1), L("GELU"), conv(8, 1), L("Hardswish"),
             L("Identity"), conv(4, 1), L("Mish")],
        opts={"input": ("randn", 3.0), "scale": {"2": 3.0, "4": 3.0, "7": 3.0}}),
    # 4. global pools to [C, 1] as the output itself
    "GlobalPools": dict(input=(3, 9), net=[conv(4, 3), L("GlobalMaxPool1D")], opts=STD),
    "GlobalAvg": dict(input=(5, 7), net=[L("GlobalAvgPool1D")], opts=STD),
    # adaptive: 8 -> 3 (windows [0, 3), [2, 6), [5, 8)), 3 -> 5, 10 -> 4, 4 -> 7, same size
    "AdaptiveAvgDown1D": dict(input=(2, 8), net=[L("AdaptiveAvgPool1D", Output=3)]),
    "AdaptiveAvgUp1D": dict(input=(2, 3), net=[L("AdaptiveAvgPool1D", Output=5)]),
    "AdaptiveMaxDown1D": dict(input=(2, 10), net=[L("AdaptiveMaxPool1D", Output=4)]),
    "AdaptiveMaxUp1D": dict(input=(2, 4), net=[L("AdaptiveMaxPool1D", Output=7)]),
    "AdaptiveSame1D": dict(input=(2, 6), net=[L("AdaptiveAvgPool1D", Output=6), L("AdaptiveMaxPool1D", Output=6)]),
    # pools with stride != kernel, padding, ceil mode; the inputs are shifted negative so that a
    # zero padding would win a max (and lose a min)
    "MaxPoolStridePad": dict(input=(3, 11), net=[L("MaxPool1D", Kernel=3, Stride=2, Padding=1)],
                             opts={"input": ("randn", 2.0)}),
    "AvgPoolCeil": dict(input=(3, 10), net=[L("AvgPool1D", Kernel=3, Stride=2, Padding=1, CeilMode=True)]),
    "MinPoolStridePad": dict(input=(3, 12), net=[L("MinPool1D", Kernel=4, Stride=3, Padding=2)],
                             opts={"input": ("randn", 2.0)}),
    # L = 9, Kernel 2, Stride 2, Padding 1, CeilMode: the 6th window would start in the right padding
    # and is dropped (5 outputs, as without CeilMode)
    "MaxPoolCeilDrop": dict(input=(2, 9), net=[L("MaxPool1D", Kernel=2, Stride=2, Padding=1, CeilMode=True)]),
    "AvgPoolExcludePad1D": dict(input=(3, 10), net=[L("AvgPool1D", Kernel=3, Stride=2, Padding=1, CeilMode=True, CountIncludePad=False)]),
    "MaxPoolDilated1D": dict(input=(3, 16), net=[L("MaxPool1D", Kernel=3, Stride=2, Padding=1, Dilation=3, CeilMode=True)]),
    "MinPoolDilated1D": dict(input=(2, 12), net=[L("MinPool1D", Kernel=2, Dilation=4)]),
    "AvgPoolCeilDrop": dict(input=(2, 9), net=[L("AvgPool1D", Kernel=2, Stride=2, Padding=1, CeilMode=True)]),
    "MinPoolCeil": dict(input=(2, 10), net=[L("MinPool1D", Kernel=3, Stride=2, Padding=1, CeilMode=True)]),
    # ceil-mode windows longer than their padded input: one output over what the window covers
    "MaxPoolOversized1D": dict(input=(3, 3), net=[L("MaxPool1D", Kernel=4, Stride=2, CeilMode=True)]),
    "AvgPoolOversized1D": dict(input=(3, 2), net=[L("AvgPool1D", Kernel=5, Stride=4, Padding=1, CeilMode=True, CountIncludePad=False)]),
    # pools after a convolution, kernel != stride without padding (the tail is not read)
    "ConvPools": dict(input=(2, 20), net=[conv(4, 3, Padding=1), L("MaxPool1D", Kernel=3, Stride=2),
                                          L("AvgPool1D", Kernel=2, Stride=1), L("MinPool1D", Kernel=2)],
                      opts=STD),
}

# 3. every padding mode, symmetric (Padding) and asymmetric (PadLeft/PadRight), on length 10; the
# boundaries: reflect up to length - 1, circular up to the length, replicate beyond it
for mode in MODES:
    cap = mode.capitalize()
    RUNS["Pad" + cap] = dict(input=(2, PAD_LEN), net=[conv(3, 3, Padding=2, PaddingMode=mode)], opts=STD)
    RUNS["PadAsym" + cap] = dict(input=(2, PAD_LEN), net=[conv(3, 4, PadLeft=3, PadRight=1, PaddingMode=mode)],
                                 opts=STD)
    # causal (left only) with a dilation, then right only with a stride (the last window reads it)
    RUNS["PadCausal" + cap] = dict(input=(2, PAD_LEN), net=[conv(3, 3, Dilation=2, PadLeft=4, PaddingMode=mode),
                                                            conv(2, 3, Stride=2, PadRight=1, PaddingMode=mode)],
                                   opts=STD)
RUNS["PadReflectMax"] = dict(input=(2, PAD_LEN), net=[conv(3, 5, Padding=PAD_LEN - 1, PaddingMode="reflect")], opts=STD)
RUNS["PadCircularFull"] = dict(input=(2, PAD_LEN), net=[conv(3, 3, PadLeft=PAD_LEN, PadRight=2, PaddingMode="circular")],
                               opts=STD)
RUNS["PadReplicateWide"] = dict(input=(2, 4), net=[conv(3, 3, PadLeft=6, PadRight=9, PaddingMode="replicate")],
                                opts=STD)
# PaddingMode with zero padding changes nothing; the default zeros written out
RUNS["PadModeNoPadding"] = dict(input=(2, PAD_LEN), net=[conv(3, 3, PaddingMode="reflect"),
                                                         conv(3, 3, Padding=1, PaddingMode="zeros")], opts=STD)

C8 = conv(8, 3, Padding=1)

# fault: (suffix or None for the network, item index or "InputShape"); id: the diagnostic, None
# while it is not decided (then "suggested" where an existing id fits)
ERRORS = {
    # a layer of the other rank
    "Conv2DIn1DNetwork": dict(input=(2, 16), net=[conv(4, 3), L("ReLU"), ("Conv2D", dict(Filters=4, Kernel=3))],
                              fault=(None, 2), id="CNN0016",
                              why="Conv2D in a 1D network: InputShape(2, 16) declares [C, L]; a 2D layer needs [C, H, W]"),
    "MaxPool2DIn1DNetwork": dict(input=(2, 16), net=[conv(4, 3), L("MaxPool2D", Kernel=2)], fault=(None, 1), id="CNN0016",
                                 why="MaxPool2D in a 1D network ([C, L] input)"),
    "BatchNorm2DIn1DNetwork": dict(input=(4, 16), net=[L("BatchNorm2D")], fault=(None, 0), id="CNN0016",
                                   why="BatchNorm2D as the first layer of a 1D network ([4, 16] is [C, L], not [C, H, W])"),
    "GlobalAvgPool2DIn1DNetwork": dict(input=(4, 16), net=[conv(4, 3), L("GlobalAvgPool2D"), L("Flatten")],
                                       fault=(None, 1), id="CNN0016", why="GlobalAvgPool2D in a 1D network"),
    "Conv1DIn2DNetwork": dict(input=(3, 8, 8), net=[("Conv2D", dict(Filters=4, Kernel=3)), conv(4, 3)],
                              fault=(None, 1), id="CNN0016",
                              why="Conv1D in a 2D network: InputShape(3, 8, 8) declares [C, H, W]; a 1D layer needs [C, L]"),
    "MaxPool1DIn2DNetwork": dict(input=(3, 8, 8), net=[L("MaxPool1D", Kernel=2)], fault=(None, 0), id="CNN0016",
                                 why="MaxPool1D as the first layer of a 2D network"),
    "Conv1DInBlockOf2DNetwork": dict(input=(3, 8, 8), net=[("Conv2D", dict(Filters=4, Kernel=3, Padding=1)), seq("Stage")],
                                     blocks={"Stage": [L("ReLU"), conv(4, 3)]}, fault=("Stage", 1), id="CNN0016",
                                     why="a block used by a 2D network holds a Conv1D (the block's attribute is at fault, "
                                         "the network's [Sequential] the additional location)"),
    # the shape errors of 2D, in 1D
    "KernelLargerThanInput1D": dict(input=(1, 4), net=[conv(1, 5)], fault=(None, 0), id="CNN0009",
                                    why="Kernel 5 on length 4 without padding: no output position"),
    "DilatedKernelLargerThanInput1D": dict(input=(2, 6), net=[conv(2, 3, Dilation=3)], fault=(None, 0), id="CNN0009",
                                           why="Kernel 3, Dilation 3 reaches 7 positions, the input has 6"),
    "CausalKernelLargerThanInput1D": dict(input=(2, 8), net=[conv(4, 3, Stride=2), conv(4, 5, Dilation=2, PadLeft=3)],
                                          fault=(None, 1), id="CNN0009",
                                          why="after layer 0 the length is 3; PadLeft 3 gives 6, the dilated kernel reaches 9"),
    "PoolLargerThanInput1D": dict(input=(2, 8), net=[conv(4, 3), L("MaxPool1D", Kernel=7)], fault=(None, 1), id="CNN0009",
                                  why="a pool window of 7 on length 6"),
    "InChannelsMismatch1D": dict(input=(3, 16), net=[conv(8, 3), conv(4, 3, InChannels=4)], fault=(None, 1), id="CNN0008",
                                 why="InChannels = 4 but layer 0 produces 8 channels"),
    "GroupsNotDividing1D": dict(input=(6, 16), net=[conv(4, 3, Groups=3)], fault=(None, 0), id="CNN0010",
                                why="Groups = 3 divides the 6 input channels but not Filters = 4"),
    "PaddingWithPadLeft": dict(input=(2, 16), net=[conv(4, 3, Padding=1, PadLeft=2)], fault=(None, 0), id="CNN0007",
                               why="Padding and PadLeft in one Conv1D: two forms of one setting (reported on the second)"),
    "PoolPaddingOverHalf1D": dict(input=(2, 16), net=[L("AvgPool1D", Kernel=2, Padding=2)], fault=(None, 0), id="CNN0013",
                                  why="pool padding 2 is more than half the window 2"),
    "DenseOnSequence": dict(input=(2, 16), net=[conv(4, 3), L("Dense", Outputs=10)], fault=(None, 1), id="CNN0011",
                            why="Dense on [4, 14] without Flatten (nn.Linear would run on the last axis only)"),
    "ConvAfterFlatten1D": dict(input=(2, 16), net=[L("Flatten"), conv(4, 3)], fault=(None, 1), id="CNN0016",
                               why="Conv1D after Flatten: a flat vector [32], not [C, L]"),
    "BatchNorm1DChannels": dict(input=(2, 16), net=[conv(8, 3), bn(Channels=4)], fault=(None, 1), id="CNN0019",
                                why="BatchNorm1D Channels = 4 but layer 0 produces 8 channels"),
    "BatchNorm1DFeatures": dict(input=(2, 16), net=[L("Flatten"), L("Dense", Outputs=6), bn(Channels=8)], fault=(None, 2),
                                id="CNN0019", why="BatchNorm1D Channels = 8 after Dense(Outputs = 6): 6 features"),
    # padding-mode limits (PyTorch's F.pad: reflect needs padding < length, circular padding <= length)
    "ReflectPaddingAtLength": dict(input=(2, 4), net=[conv(3, 3, Padding=4, PaddingMode="reflect")], fault=(None, 0),
                                   id="CNN0026", why="reflect padding 4 on length 4: reflect needs padding < length "
                                                "(3 is the most; PyTorch raises)"),
    "ReflectPadLeftTooLarge": dict(input=(2, 8), net=[conv(4, 3, Stride=2), conv(3, 3, PadLeft=3, PaddingMode="reflect")],
                                   fault=(None, 1), id="CNN0026",
                                   why="reflect PadLeft 3 on the length 3 that layer 0 produces (asymmetric padding, "
                                       "the length after a layer)"),
    "CircularPaddingOverLength": dict(input=(2, 4), net=[conv(3, 3, PadLeft=5, PadRight=0, PaddingMode="circular")],
                                      fault=(None, 0), id="CNN0026",
                                      why="circular PadLeft 5 on length 4: circular padding may be at most the length "
                                          "(PyTorch: 'wrapping around more than once')"),
    "UnknownPaddingMode": dict(input=(2, 16), net=[conv(3, 3, Padding=1, PaddingMode="symmetric")], fault=(None, 0),
                               id="CNN0005",
                               why="PaddingMode \"symmetric\" is none of \"zeros\", \"reflect\", \"replicate\", "
                                   "\"circular\" (nn.Conv1d's)"),
    # the blocks' shape errors, in 1D
    "ResidualChangesLength": dict(input=(3, 16), net=[C8, res("Body")], blocks={"Body": [conv(8, 3)]}, fault=(None, 1),
                                  id="CNN0023", why="the body gives [8, 14] for an input of [8, 16] (no padding)"),
    "ConcatLengthMismatch": dict(input=(3, 16), net=[C8, cat("A", "B")],
                                 blocks={"A": [conv(4, 3, Padding=1)], "B": [conv(4, 3, Stride=2, Padding=1)]},
                                 fault=(None, 1), id="CNN0024", why="branches of length 16 and 8"),
    "MultiplyGateWrongChannels1D": dict(input=(3, 16), net=[C8, mul("Se")],
                                        blocks={"Se": [L("GlobalAvgPool1D"), conv(4, 1), L("Sigmoid")]}, fault=(None, 1),
                                        id="CNN0025", why="a [4, 1] gate for 8 channels"),
    "MultiplyGateOneChannel1D": dict(input=(3, 16), net=[C8, mul("Gate")],
                                     blocks={"Gate": [conv(1, 3, Padding=1), L("Sigmoid")]}, fault=(None, 1), id="CNN0025",
                                     why="a [1, L] gate: PyTorch would broadcast it over the channels, the contract "
                                         "allows only x's shape or [C, 1]"),
}


# ----------------------------------------------------------------------------- the checks and the writer

def checks(run, problems):
    """causal: True in opts: the output at t must not change with the inputs after t. The mutants,
    reported: the containers', the 1D layers' and casegen's."""
    if run.opts.get("causal"):
        for t in range(0, run.x.shape[-1] - 1, 5):
            x2 = run.x64.clone()
            x2[..., t + 1:] = 100.0 * torch.randn(x2[..., t + 1:].shape, generator=torch.Generator().manual_seed(t),
                                                  dtype=torch.float64)
            with torch.no_grad():
                assert torch.equal(run.model64(x2)[..., :t + 1], run.y[..., :t + 1]), (run.name, "not causal at", t)
    return reported(try_mutants(run, lambda m, shape: ((), (), mutants_1d(m) + mutants(m))))


FIXTURES = Fixtures(NAMESPACE, layer_1d, checks, ids="listed")

if __name__ == "__main__":
    FIXTURES.main(RUNS, ERRORS, os.path.join(HERE, "..", "fixtures", "sequences"), seed=14000)
