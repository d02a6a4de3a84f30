"""PyTorch reference cases for upsampling and padding (issue 15): [ConvTranspose2D], [Upsample],
[PixelShuffle], [ZeroPad2D] / [ReflectionPad2D] / [ReplicationPad2D], and [Conv2D] with a PaddingMode,
alone, after and before the existing layers, in U-Nets (skips as [Concat(typeof(DownUp), IncludeInput = true)])
and in a super-resolution network. Made before the C# features exist: the cases are the contract.

usage: /usr/bin/python3 tests/torch/upsampling_cases.py [OUT_DIR] [--report REPORT.json]
       /usr/bin/python3 tests/torch/verify_upsampling.py [OUT_DIR]      (re-reads what was written)
OUT_DIR defaults to tests/fixtures/upsampling. Needs Debian's python3-torch (PyTorch 1.13); seeds come
from the case names, so a re-run reproduces the same bytes and adding a case leaves the others alone.

Files (as sequence_cases.py's and block_cases.py's)
  NAME.cs              the network (namespace Fixtures.Upsampling, class NAME), then the [Block] classes
                       it uses, named NAME + suffix
  NAME.params.f32      little-endian float32: the state_dict's floating-point tensors in order
                       (ConvTranspose2D: weight [InChannels, Filters / Groups, KH, KW], then bias [Filters])
  NAME.input.f32       batch (3) x C x H x W
  NAME.expected.f32    the output in eval mode, computed in float64 from the float32 values
  NAME.safetensors     every state_dict entry under its key (F32; num_batches_tracked I64), plus
                       "input" and "expected", laid out as safetensors.torch.save_file lays it out
  cases.json           run cases: name, kind "run", batch, input_shape, output_shape, output_length,
                       params. Error cases (NAME.cs only): kind "error", line (1-based, the attribute at
                       fault), id (the proposed diagnostic; null with "expected_id_tbd": true and a
                       "suggested_id" where the id is open), why, and "pytorch": what PyTorch 1.13 does
                       with the same layer ("raises: ...", "accepts: ...", or "no equivalent" for
                       C#-only rules such as a missing or doubly given property).
Run options: input (casegen.make_input's), var (BatchNorm running_var range), scale {module path:
factor} (weight and bias), weight_scale {module path: factor} (the weight only), uncaught [(module path
or None for any, mutant description prefix, why the case cannot catch it)].

The checks the writer makes (it fails otherwise)
  - every activation sees inputs on both sides of its kinks (fixturecases.check_coverage);
  - controls: each new layer is reimplemented from its definition (ConvTranspose2D as a scatter of the
    kernel then a crop, Upsample as interpolation matrices, PixelShuffle as a reshape, padding by index
    maps) and must reproduce PyTorch's output within check-package's tolerance;
  - mutants: plausible wrong implementations of those layers (kernel not flipped, the weight read in
    Conv2d's layout, output padding on the wrong side, padding cropped from one side, align_corners
    the other way, no half-pixel offset, unclamped source coordinates, tiling instead of repeating,
    sub-pixel order swapped, reflect as replicate or as numpy's "symmetric", sides swapped, corners
    not padded, Concat order, ...) must each change the expected output beyond that tolerance, except
    where a case lists them under "uncaught" (with the reason; the writer checks they are indeed
    not caught). BatchNorm's and the activations' mutants (casegen.mutants) are reported, not required;
  - the network rebuilt from NAME.cs (another seed) loads NAME.safetensors with
    load_state_dict(strict=True) and reproduces the output bit for bit; the keys are those the naming
    rules give (rule_keys, from the attributes, without PyTorch);
  - each error case's builder fails on the attribute of its line, with the case's id.

The PyTorch side of the contract (the C# attributes of issue 15)
  [ConvTranspose2D]   nn.ConvTranspose2d(InChannels, Filters, (KH, KW), stride, padding, output_padding,
                      groups, bias, dilation); out = (In - 1) * S - 2 * P + D * (K - 1) + OutputPadding + 1.
                      Each of Kernel, Stride, Padding, OutputPadding, Dilation also has Height/Width forms,
                      which override the square form's default (StrideHeight = 2 alone: stride (2, 1), as
                      Conv2D's); giving the square and an axis form of one setting is CNN0007 (as Conv2D).
                      Filters and Kernel (or both KernelHeight and KernelWidth) are required (CNN0006).
                      Rules: Filters, Kernel, Stride, Dilation, Groups >= 1, Padding, OutputPadding >= 0,
                      OutputPadding < max(Stride, Dilation) on each axis (PyTorch's rule) -- CNN0005;
                      InChannels checked (CNN0008); Groups divides InChannels and Filters (CNN0010);
                      output >= 1 on each axis (CNN0009). Padding larger than D * (K - 1) is valid
                      (PyTorch crops it from the full output).
  [Upsample]          nn.Upsample(scale_factor=(ScaleHeight, ScaleWidth), mode=Mode,
                      align_corners=AlignCorners if bilinear else None); Scale (default 2) or
                      ScaleHeight/ScaleWidth, integers >= 1 (Scale with an axis form is CNN0007; an axis
                      form alone leaves the other axis at Scale's default 2, as Conv2D's forms do, but
                      no case depends on that: the run cases give both or neither); Mode "nearest"
                      (default; PyTorch's legacy nearest: source index floor(dst / scale)) or
                      "bilinear", compared exactly ("Bilinear" is an error, as in PyTorch);
                      AlignCorners (default false) with "nearest" is CNN0005.
  [PixelShuffle]      nn.PixelShuffle(Factor): [C * r * r, H, W] -> [C, H * r, W * r], output
                      [c, h * r + i, w * r + j] = input [c * r * r + i * r + j, h, w]. Factor is required
                      (nn.PixelShuffle has no default), >= 1.
  [ZeroPad2D], [ReflectionPad2D], [ReplicationPad2D]
                      nn.ZeroPad2d / nn.ReflectionPad2d / nn.ReplicationPad2d((PadLeft, PadRight, PadTop,
                      PadBottom)); Padding sets the four sides; the sides not given are 0; Padding with a
                      side is CNN0007; no padding at all is an error (nn.*Pad2d needs padding); negative
                      values are CNN0005 (PyTorch would crop); reflection needs each side < the input's
                      size on its axis (CNN0026); replication has no limit.
  [Conv2D]            PaddingMode "zeros" (default), "reflect", "replicate", "circular" as nn.Conv2d's
                      padding_mode; with PadTop/PadBottom/PadLeft/PadRight: F.pad(x, (left, right, top,
                      bottom), mode) ("zeros" is F.pad's "constant") then nn.Conv2d without padding, the
                      tensors under nn.Conv2d's names. Reflect needs each side < the input's size on its
                      axis, circular <= it (CNN0026); other mode names are CNN0005.
The other layers and blocks are netspec.py's and blocks.py's; every layer is named by its position
among the items of its class (every attribute counts) or by Name.
"""
import os
import re
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from casegen import Fn, mutants  # noqa: E402
from fixturecases import Fault, Fixtures, L, PadFirst, cat, required, res, try_mutants  # noqa: E402
from netspec import torch_layer  # noqa: E402

NAMESPACE = "Fixtures.Upsampling"
MODES = ("zeros", "reflect", "replicate", "circular")
UPSAMPLE_MODES = ("nearest", "bilinear")
PAD_LAYERS = {"ZeroPad2D": "zeros", "ReflectionPad2D": "reflect", "ReplicationPad2D": "replicate"}
SIDES = ("PadTop", "PadBottom", "PadLeft", "PadRight")

# the properties each attribute takes (a spec with another one is a mistake in this file)
ALLOWED = {
    "Conv2D": {"Filters", "InChannels", "Kernel", "KernelHeight", "KernelWidth", "Stride", "StrideHeight",
               "StrideWidth", "Padding", "PaddingHeight", "PaddingWidth", *SIDES, "Dilation", "DilationHeight",
               "DilationWidth", "Groups", "Bias", "PaddingMode"},
    "ConvTranspose2D": {"Filters", "InChannels", "Kernel", "KernelHeight", "KernelWidth", "Stride", "StrideHeight",
                        "StrideWidth", "Padding", "PaddingHeight", "PaddingWidth", "OutputPadding",
                        "OutputPaddingHeight", "OutputPaddingWidth", "Dilation", "DilationHeight", "DilationWidth",
                        "Groups", "Bias"},
    "Upsample": {"Scale", "ScaleHeight", "ScaleWidth", "Mode", "AlignCorners"},
    "PixelShuffle": {"Factor"},
    "ZeroPad2D": {"Padding", *SIDES}, "ReflectionPad2D": {"Padding", *SIDES}, "ReplicationPad2D": {"Padding", *SIDES},
    "BatchNorm2D": {"Channels", "Epsilon", "Affine"}, "MaxPool2D": {"Kernel", "Stride", "Padding"},
    "ReLU": set(), "Sigmoid": set(), "Tanh": set(), "Flatten": set(), "Dense": {"Outputs", "Bias"},
}
NEEDS_MAP = {"Conv2D", "ConvTranspose2D", "Upsample", "PixelShuffle", "ZeroPad2D", "ReflectionPad2D",
             "ReplicationPad2D", "BatchNorm2D", "MaxPool2D"}
# square form -> its per-axis (per-side) forms: giving both is CNN0007, as for Conv2D today
FORMS = {
    "Conv2D": [("Kernel", ("KernelHeight", "KernelWidth")), ("Stride", ("StrideHeight", "StrideWidth")),
               ("Dilation", ("DilationHeight", "DilationWidth")),
               ("Padding", ("PaddingHeight", "PaddingWidth") + SIDES),
               ("PaddingHeight", SIDES), ("PaddingWidth", SIDES)],
    "ConvTranspose2D": [("Kernel", ("KernelHeight", "KernelWidth")), ("Stride", ("StrideHeight", "StrideWidth")),
                        ("Padding", ("PaddingHeight", "PaddingWidth")),
                        ("OutputPadding", ("OutputPaddingHeight", "OutputPaddingWidth")),
                        ("Dilation", ("DilationHeight", "DilationWidth"))],
    "Upsample": [("Scale", ("ScaleHeight", "ScaleWidth"))],
    "ZeroPad2D": [("Padding", SIDES)], "ReflectionPad2D": [("Padding", SIDES)], "ReplicationPad2D": [("Padding", SIDES)],
}


# ----------------------------------------------------------------------------- PyTorch modules

class PaddedConv2d(PadFirst, nn.Conv2d):
    """nn.Conv2d (padding 0) after F.pad(x, (left, right, top, bottom), mode): Conv2D with
    PadTop/PadBottom/PadLeft/PadRight. Its tensors are nn.Conv2d's, under the same names."""


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **p))


def convt(filters, kernel=None, **p):
    q = dict(Filters=filters)
    if kernel is not None:
        q["Kernel"] = kernel
    q.update(p)
    return ("ConvTranspose2D", q)


def up(**p):
    return ("Upsample", p)


def bn(**p):
    return ("BatchNorm2D", p)


# ----------------------------------------------------------------------------- layers

def _axes(p, name, default):
    """(h, w) of a setting with Height/Width forms: the axis form, else the square form, else the default."""
    v = p.get(name, default)
    return p.get(name + "Height", v), p.get(name + "Width", v)


def _check_forms(kind, p):
    for general, specific in FORMS.get(kind, []):
        if general in p:
            for s in specific:
                if s in p:
                    raise Fault("CNN0007", f"{kind} sets both {general} and {s}, two forms of one setting")


def _positive(**values):
    for k, v in values.items():
        if v is not None and v < 1:
            raise Fault("CNN0005", f"{k} = {v} must be at least 1")


def _not_negative(**values):
    for k, v in values.items():
        if v < 0:
            raise Fault("CNN0005", f"{k} = {v} must not be negative")


def _mode_limits(mode, shape, t, b, l, r):
    _, h, w = shape
    for side, v, axis, n in (("PadTop", t, "height", h), ("PadBottom", b, "height", h),
                             ("PadLeft", l, "width", w), ("PadRight", r, "width", w)):
        if mode == "reflect" and v >= n:
            raise Fault("CNN0026", f"reflect {side} {v} is not less than the input {axis} {n}")
        if mode == "circular" and v > n:
            raise Fault("CNN0026", f"circular {side} {v} exceeds the input {axis} {n}")


def _conv_pads(p):
    """(top, bottom, left, right), per_side: Conv2D's padding from its forms (the parser's rule)."""
    ph, pw = _axes(p, "Padding", 0)
    per_side = any(s in p for s in SIDES)
    return (p.get("PadTop", ph), p.get("PadBottom", ph), p.get("PadLeft", pw), p.get("PadRight", pw)), per_side


def layer(kind, p, shape, rank):
    """The PyTorch module of one layer on an input of shape ([C, H, W]; [C, L] in a 1D network;
    [F] after Flatten); Fault(id, why) where the generator must report an error. Checks in the
    order the generator's shape inference does: feature map, required, forms, values, InChannels,
    Groups, mode limits, output size."""
    assert kind in ALLOWED, kind
    extra = set(p) - ALLOWED[kind] - {"Name"}
    assert not extra, (kind, extra)
    if kind in NEEDS_MAP and (rank != 2 or len(shape) != 3):
        raise Fault("CNN0016", f"{kind} needs a feature map [C, H, W] but gets {list(shape)}")
    if kind == "Conv2D":
        return _conv2d(p, shape)
    if kind == "ConvTranspose2D":
        return _conv_transpose2d(p, shape)
    if kind == "Upsample":
        _check_forms(kind, p)
        sh, sw = _axes(p, "Scale", 2)
        _positive(ScaleHeight=sh, ScaleWidth=sw)
        mode = p.get("Mode", "nearest")
        if mode not in UPSAMPLE_MODES:
            raise Fault("CNN0005", f"Mode = {mode!r} is neither \"nearest\" nor \"bilinear\"")
        align = p.get("AlignCorners", False)
        if align and mode == "nearest":
            raise Fault("CNN0005", "AlignCorners = true with Mode \"nearest\" (PyTorch: only for the interpolating modes)")
        return nn.Upsample(scale_factor=(float(sh), float(sw)), mode=mode,
                           align_corners=align if mode == "bilinear" else None)
    if kind == "PixelShuffle":
        if "Factor" not in p:
            raise Fault("CNN0006", "PixelShuffle needs Factor")
        r = p["Factor"]
        _positive(Factor=r)
        if shape[0] % (r * r):
            raise Fault("CNN0027", f"{shape[0]} channels are not divisible by Factor * Factor = {r * r}")
        return nn.PixelShuffle(r)
    if kind in PAD_LAYERS:
        _check_forms(kind, p)
        if not any(k in p for k in ("Padding",) + SIDES):
            raise Fault("CNN0006", f"{kind} needs Padding or a side (PadTop, PadBottom, PadLeft, PadRight)")
        q = p.get("Padding", 0)
        t, b, l, r = (p.get(s, q) for s in SIDES)
        _not_negative(PadTop=t, PadBottom=b, PadLeft=l, PadRight=r)
        _mode_limits(PAD_LAYERS[kind], shape, t, b, l, r)
        return {"ZeroPad2D": nn.ZeroPad2d, "ReflectionPad2D": nn.ReflectionPad2d,
                "ReplicationPad2D": nn.ReplicationPad2d}[kind]((l, r, t, b))
    if kind == "Dense" and len(shape) != 1:
        raise Fault("CNN0011", "Dense needs a flat vector")
    if kind == "BatchNorm2D" and "Channels" in p and p["Channels"] != shape[0]:
        raise Fault("CNN0019", f"BatchNorm2D Channels = {p['Channels']} but the input has {shape[0]} channels")
    m = torch_layer(kind, p, shape)[0]
    if kind == "MaxPool2D":
        kh, kw = _axes(p, "Kernel", None)
        if kh > shape[1] or kw > shape[2]:
            raise Fault("CNN0009", f"pool window {kh}x{kw} on a {shape[1]}x{shape[2]} map")
    return m


def _conv2d(p, shape):
    c, h, w = shape
    kh, kw = _axes(p, "Kernel", None)
    if "Filters" not in p:
        raise Fault("CNN0006", "Conv2D needs Filters")
    if kh is None or kw is None:
        raise Fault("CNN0006", "Conv2D needs Kernel (or KernelHeight and KernelWidth)")
    _check_forms("Conv2D", p)
    f = p["Filters"]
    sh, sw = _axes(p, "Stride", 1)
    dh, dw = _axes(p, "Dilation", 1)
    g = p.get("Groups", 1)
    _positive(Filters=f, KernelHeight=kh, KernelWidth=kw, StrideHeight=sh, StrideWidth=sw,
              DilationHeight=dh, DilationWidth=dw, Groups=g)
    (t, b, l, r), per_side = _conv_pads(p)
    _not_negative(PadTop=t, PadBottom=b, PadLeft=l, PadRight=r)
    mode = p.get("PaddingMode", "zeros")
    if mode not in MODES:
        raise Fault("CNN0005", f"PaddingMode = {mode!r} is none of {MODES}")
    if "InChannels" in p and p["InChannels"] != c:
        raise Fault("CNN0008", f"InChannels = {p['InChannels']} but the input has {c} channels")
    if c % g or f % g:
        raise Fault("CNN0010", f"Groups = {g} does not divide {c} input channels and {f} filters")
    _mode_limits(mode, shape, t, b, l, r)
    for n, lo, hi, k, d, axis in ((h, t, b, kh, dh, "height"), (w, l, r, kw, dw, "width")):
        if d * (k - 1) + 1 > n + lo + hi:
            raise Fault("CNN0009", f"the dilated kernel {d * (k - 1) + 1} exceeds the padded {axis} {n + lo + hi}")
    kwargs = dict(stride=(sh, sw), dilation=(dh, dw), groups=g, bias=p.get("Bias", True))
    if per_side:
        return PaddedConv2d(c, f, (kh, kw), pads=(l, r, t, b), mode=mode, **kwargs)
    assert (t, l) == (b, r)
    return nn.Conv2d(c, f, (kh, kw), padding=(t, l), padding_mode=mode, **kwargs)


def _conv_transpose2d(p, shape):
    c, h, w = shape
    kh, kw = _axes(p, "Kernel", None)
    if "Filters" not in p:
        raise Fault("CNN0006", "ConvTranspose2D needs Filters")
    if kh is None or kw is None:
        raise Fault("CNN0006", "ConvTranspose2D needs Kernel (or KernelHeight and KernelWidth)")
    _check_forms("ConvTranspose2D", p)
    f = p["Filters"]
    sh, sw = _axes(p, "Stride", 1)
    ph, pw = _axes(p, "Padding", 0)
    oh, ow = _axes(p, "OutputPadding", 0)
    dh, dw = _axes(p, "Dilation", 1)
    g = p.get("Groups", 1)
    _positive(Filters=f, KernelHeight=kh, KernelWidth=kw, StrideHeight=sh, StrideWidth=sw,
              DilationHeight=dh, DilationWidth=dw, Groups=g)
    _not_negative(PaddingHeight=ph, PaddingWidth=pw, OutputPaddingHeight=oh, OutputPaddingWidth=ow)
    for axis, o, s, d in (("Height", oh, sh, dh), ("Width", ow, sw, dw)):
        if o >= max(s, d):
            raise Fault("CNN0005", f"OutputPadding{axis} = {o} is not less than max(Stride{axis} {s}, Dilation{axis} {d})")
    if "InChannels" in p and p["InChannels"] != c:
        raise Fault("CNN0008", f"InChannels = {p['InChannels']} but the input has {c} channels")
    if c % g or f % g:
        raise Fault("CNN0010", f"Groups = {g} does not divide {c} input channels and {f} filters")
    for n, s, pad, d, k, o, axis in ((h, sh, ph, dh, kh, oh, "height"), (w, sw, pw, dw, kw, ow, "width")):
        out = (n - 1) * s - 2 * pad + d * (k - 1) + o + 1
        if out < 1:
            raise Fault("CNN0009", f"the output {axis} (In - 1) * S - 2 * P + D * (K - 1) + OutputPadding + 1 = {out}")
    return nn.ConvTranspose2d(c, f, (kh, kw), stride=(sh, sw), padding=(ph, pw), output_padding=(oh, ow),
                              groups=g, bias=p.get("Bias", True), dilation=(dh, dw))


def pytorch_verdict(kind, p, shape):
    """What PyTorch 1.13 does with the layer written as directly as it can be (no checks of ours):
    "raises: ...", "accepts: output [...]", or "no equivalent" (C#-only rules: missing, doubly given)."""
    try:
        _check_forms(kind, p)
    except Fault:
        return "no equivalent (two forms of one setting is a C# rule)"
    try:
        if kind in ("Conv2D", "ConvTranspose2D"):
            kh, kw = _axes(p, "Kernel", None)
            if "Filters" not in p or kh is None or kw is None:
                return "no equivalent (a required argument missing)"
            g = p.get("Groups", 1)
            c = p.get("InChannels", shape[0])
            kw_ = dict(stride=_axes(p, "Stride", 1), dilation=_axes(p, "Dilation", 1), groups=g, bias=p.get("Bias", True))
            if kind == "Conv2D":
                (t, b, l, r), per_side = _conv_pads(p)
                mode = p.get("PaddingMode", "zeros")
                if per_side:
                    m = nn.Sequential(Fn(lambda x: F.pad(x, (l, r, t, b), mode="constant" if mode == "zeros" else mode)),
                                      nn.Conv2d(c, p["Filters"], (kh, kw), **kw_))
                else:
                    m = nn.Conv2d(c, p["Filters"], (kh, kw), padding=(t, l), padding_mode=mode, **kw_)
            else:
                m = nn.ConvTranspose2d(c, p["Filters"], (kh, kw), padding=_axes(p, "Padding", 0),
                                       output_padding=_axes(p, "OutputPadding", 0), **kw_)
        elif kind == "Upsample":
            sh, sw = _axes(p, "Scale", 2)
            m = nn.Upsample(scale_factor=(float(sh), float(sw)), mode=p.get("Mode", "nearest"),
                            align_corners=p.get("AlignCorners", None))
        elif kind == "PixelShuffle":
            if "Factor" not in p:
                return "no equivalent (nn.PixelShuffle needs upscale_factor)"
            m = nn.PixelShuffle(p["Factor"])
        elif kind in PAD_LAYERS:
            if not any(k in p for k in ("Padding",) + SIDES):
                return "no equivalent (nn.*Pad2d needs padding)"
            q = p.get("Padding", 0)
            t, b, l, r = (p.get(s, q) for s in SIDES)
            m = {"ZeroPad2D": nn.ZeroPad2d, "ReflectionPad2D": nn.ReflectionPad2d,
                 "ReplicationPad2D": nn.ReplicationPad2d}[kind]((l, r, t, b))
        else:
            return "no equivalent"
        with torch.no_grad():
            y = m.eval()(torch.zeros((1,) + tuple(shape)))
        return f"accepts: output {list(y.shape[1:])}"
    except Exception as e:
        msg = str(e).split("\n")[0][:200]
        # a Python set in the message prints in hash order: sort it, so that the files are reproducible
        msg = re.sub(r"\{([^{}]*)\}", lambda g: "{" + ", ".join(sorted(g.group(1).split(", "))) + "}", msg)
        return "raises: " + msg


# ----------------------------------------------------------------------------- reimplementations and mutants

def _axis_map(n, before, after, mode, variant=None):
    """Source index of each padded position on one axis (None: a zero), F.pad's modes; variants are
    wrong ones: "symmetric" (reflect repeating the edge), "wrong ends" (circular taking the first
    elements on the left), "reflect" for replicate (clamped where it does not fit)."""
    out = []
    for i in range(-before, n + after):
        if 0 <= i < n:
            out.append(i)
        elif mode == "zeros":
            out.append(None)
        elif mode == "reflect" and variant == "symmetric":
            out.append(-i - 1 if i < 0 else 2 * n - 1 - i)
        elif mode == "reflect" or (mode == "replicate" and variant == "reflect"):
            j = -i if i < 0 else 2 * (n - 1) - i
            out.append(min(max(j, 0), n - 1))
        elif mode == "replicate":
            out.append(min(max(i, 0), n - 1))
        elif mode == "circular" and variant == "wrong ends":
            out.append(i + before if i < 0 else i - after)
        elif mode == "circular":
            out.append(i % n)
        else:
            raise ValueError(mode)
    return out


def pad2d(x, pads, mode, variant=None, plain_corners=False):
    """F.pad(x, (left, right, top, bottom), mode) by index maps; plain_corners: the corners zero (a
    padding that pads each axis of the unpadded input only)."""
    l, r, t, b = pads
    h, w = x.shape[-2:]
    rows = [h if i is None else i for i in _axis_map(h, t, b, mode, variant)]
    cols = [w if i is None else i for i in _axis_map(w, l, r, mode, variant)]
    xz = F.pad(x, (0, 1, 0, 1))
    y = xz[:, :, rows][:, :, :, cols]
    if plain_corners:
        y = y.clone()
        for rs in (slice(0, t), slice(t + h, t + h + b)):
            for cs in (slice(0, l), slice(l + w, l + w + r)):
                y[:, :, rs, cs] = 0
    return y


def _pad_mutants(pads, mode):
    """(description, pad function) pairs: wrong paddings for pads (l, r, t, b) in mode, and the
    control (the index-map padding itself) as None's partner."""
    l, r, t, b = pads
    out = []
    if not any(pads):
        return out
    if mode != "zeros":
        out.append((f"{mode} padding done with zeros", lambda x: F.pad(x, pads)))
        if (l or r) and (t or b):
            out.append((f"{mode} padding with zero corners (each axis padded from the unpadded input)",
                        lambda x: pad2d(x, pads, mode, plain_corners=True)))
    else:
        out.append(("zero padding done as replicate", lambda x: F.pad(x, pads, mode="replicate")))
    if mode == "reflect":
        out.append(("reflect padding as replicate", lambda x: F.pad(x, pads, mode="replicate")))
        out.append(("reflect padding that repeats the edge (numpy 'symmetric')",
                    lambda x: pad2d(x, pads, mode, variant="symmetric")))
    if mode == "replicate":
        out.append(("replicate padding as reflect (clamped where it does not fit)",
                    lambda x: pad2d(x, pads, mode, variant="reflect")))
    if mode == "circular":
        out.append(("circular padding from the wrong ends", lambda x: pad2d(x, pads, mode, variant="wrong ends")))
    if l != r:
        out.append(("PadLeft and PadRight swapped", lambda x: pad2d(x, (r, l, t, b), mode)))
    if t != b:
        out.append(("PadTop and PadBottom swapped", lambda x: pad2d(x, (l, r, b, t), mode)))
    if (l, r) != (t, b):
        # F.pad's tuple is (left, right, top, bottom): read as (top, bottom, left, right)
        out.append(("F.pad's (left, right, top, bottom) read as (top, bottom, left, right)",
                    lambda x: pad2d(x, (t, b, l, r), mode)))
    return out


def _conv_pads_of(m):
    if isinstance(m, PaddedConv2d):
        return m.pads, m.mode
    ph, pw = m.padding
    return (pw, pw, ph, ph), m.padding_mode


def _conv_with(m, pad_fn, shift=0):
    per = m.in_channels // m.groups
    return Fn(lambda x: F.conv2d(pad_fn(x).roll(-per * shift, 1) if shift else pad_fn(x), m.weight, m.bias,
                                 m.stride, 0, m.dilation, m.groups))


def _crop(full, start, size):
    """full[..., start_h : start_h + size_h, start_w : start_w + size_w], zeros outside full."""
    (sh, sw), (nh, nw) = start, size
    a = max(0, -sh, -sw) + 1
    fh, fw = full.shape[-2:]
    ext = F.pad(full, (a, max(a, sw + nw - fw + 1), a, max(a, sh + nh - fh + 1)))
    return ext[:, :, a + sh:a + sh + nh, a + sw:a + sw + nw]


def conv_transpose_manual(m, x, weight=None, crop_at=None, flip=False, shift=0, bias_gaps=True, no_bias=False):
    """nn.ConvTranspose2d as its definition: every input pixel scatters its kernel (dilated, at stride
    steps) onto the full output (conv_transpose2d without padding, checked against a loop once per
    run), then rows [P, P + out) and columns likewise are kept (the rows past the full output, which
    OutputPadding adds, hold only the bias)."""
    w = m.weight if weight is None else weight
    if flip:
        w = w.flip(2, 3)
    if shift:
        x = x.roll(-shift * (m.in_channels // m.groups), 1)
    full = F.conv_transpose2d(x, w, None, m.stride, 0, 0, m.groups, m.dilation)
    out = tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
                zip(x.shape[-2:], m.stride, m.padding, m.dilation, m.kernel_size, m.output_padding))
    y = _crop(full, m.padding if crop_at is None else crop_at, out)
    if m.bias is not None and not no_bias:
        b = m.bias.view(1, -1, 1, 1)
        if bias_gaps:
            y = y + b
        else:
            reach = _crop(F.conv_transpose2d(torch.ones_like(x[:1]), torch.ones_like(w), None, m.stride, 0, 0,
                                             m.groups, m.dilation), m.padding, out)
            y = y + b * (reach > 0)
    return y


def _scatter_full(x, w, stride, dilation):
    """conv_transpose2d without padding, groups 1, by its definition (a loop over input pixels)."""
    n, c, h, wd = x.shape
    _, f, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    y = x.new_zeros(n, f, (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1)
    for i in range(h):
        for j in range(wd):
            for ky in range(kh):
                for kx in range(kw):
                    y[:, :, i * sh + ky * dh, j * sw + kx * dw] += x[:, :, i, j] @ w[:, :, ky, kx]
    return y


def _conv_layout(m):
    """The weight a reader that takes the flat tensor as Conv2d's [Filters, InChannels / Groups, KH, KW]
    would use, written back in ConvTranspose2d's [InChannels, Filters / Groups, KH, KW]."""
    c, fg, kh, kw = m.weight.shape
    g = m.groups
    f, cg = fg * g, c // g
    wp = m.weight.reshape(f, cg, kh, kw)
    t = torch.empty_like(m.weight)
    for ci in range(c):
        gi, cp = divmod(ci, cg)
        t[ci] = wp[gi * fg:(gi + 1) * fg, cp]
    return t


def _interp_matrix(n_in, n_out, scale, how):
    """[n_out, n_in]: the interpolation on one axis. how: nearest, nearest-ceil, tile, half (bilinear,
    align_corners=False: src = (dst + 0.5) / scale - 0.5, clamped at 0), align (src = dst * (in - 1) /
    (out - 1)), asymmetric (src = dst / scale), half-unclamped (the negative src kept: C's truncation
    gives index 0 and a negative weight), align-intdiv ((in - 1) // (out - 1))."""
    m = torch.zeros(n_out, n_in, dtype=torch.float64)
    for o in range(n_out):
        if how == "nearest":
            m[o, min(o // scale, n_in - 1)] = 1
            continue
        if how == "nearest-ceil":
            m[o, min(-(-o // scale), n_in - 1)] = 1
            continue
        if how == "tile":
            m[o, o % n_in] = 1
            continue
        if how == "half":
            src = max((o + 0.5) / scale - 0.5, 0.0)
        elif how == "half-unclamped":
            src = (o + 0.5) / scale - 0.5
        elif how == "asymmetric":
            src = o / scale
        elif how == "align":
            src = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        elif how == "align-intdiv":
            src = o * ((n_in - 1) // (n_out - 1)) if n_out > 1 else 0
        else:
            raise ValueError(how)
        i0 = int(src)  # truncation, as a C cast
        lam = src - i0
        i0 = min(i0, n_in - 1)
        i1 = min(i0 + 1, n_in - 1)
        m[o, i0] += 1 - lam
        m[o, i1] += lam
    return m


def interp(x, scales, how_h, how_w=None):
    sh, sw = scales
    h, w = x.shape[-2:]
    mh = _interp_matrix(h, h * sh, sh, how_h).to(x.dtype)
    mw = _interp_matrix(w, w * sw, sw, how_w or how_h).to(x.dtype)
    return torch.einsum("oh,nchw,pw->ncop", mh, x, mw)


def _scales(m):
    sf = m.scale_factor
    sh, sw = sf if isinstance(sf, tuple) else (sf, sf)
    assert float(sh).is_integer() and float(sw).is_integer()
    return int(sh), int(sw)


def pixel_shuffle(x, r, order="torch"):
    n, c, h, w = x.shape
    co = c // (r * r)
    if order == "torch":  # channel c * r * r + i * r + j -> (c, h * r + i, w * r + j)
        return x.view(n, co, r, r, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, co, h * r, w * r)
    if order == "swapped":  # channel c * r * r + j * r + i
        return x.view(n, co, r, r, h, w).permute(0, 1, 4, 3, 5, 2).reshape(n, co, h * r, w * r)
    if order == "depth-major":  # channel (i * r + j) * C + c, TensorFlow's depth_to_space order
        return x.view(n, r, r, co, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, co, h * r, w * r)
    raise ValueError(order)


def _unreached(m, in_shape):
    """Whether some output pixel of the ConvTranspose2d m gets no kernel tap on an input of in_shape."""
    x = torch.ones((1,) + tuple(in_shape), dtype=m.weight.dtype)
    reach = conv_transpose_manual(m, x, weight=torch.ones_like(m.weight), no_bias=True)
    return bool((reach == 0).any())


def controls_and_mutants(m, in_shape):
    """(controls, mutants) of a module on an input of in_shape ([C, H, W]): controls reimplement it
    from its definition and must match; mutants are plausible wrong implementations and must not.
    Each a list of (description, module)."""
    ctl, mut = [], []
    if isinstance(m, nn.ConvTranspose2d):
        ctl.append(("ConvTranspose2D as scatter and crop", Fn(lambda x: conv_transpose_manual(m, x))))
        mut.append(("ConvTranspose2D kernel not flipped (a convolution of the zero-stuffed input with the "
                    "kernel as stored)", Fn(lambda x: conv_transpose_manual(m, x, flip=True))))
        if m.in_channels > m.groups and m.out_channels > m.groups:  # else the two layouts coincide
            mut.append(("ConvTranspose2D weight read in Conv2d's layout [Filters, InChannels / Groups, KH, KW]",
                        Fn(lambda x: conv_transpose_manual(m, x, weight=_conv_layout(m)))))
        if any(m.padding):
            mut.append(("ConvTranspose2D padding cropped from the bottom/right only",
                        Fn(lambda x: conv_transpose_manual(m, x, crop_at=(0, 0)))))
        if any(m.output_padding):
            at = (m.padding[0] - m.output_padding[0], m.padding[1] - m.output_padding[1])
            mut.append(("ConvTranspose2D OutputPadding rows/columns added at the top/left",
                        Fn(lambda x: conv_transpose_manual(m, x, crop_at=at))))
            op = m.output_padding
            mut.append(("ConvTranspose2D OutputPadding rows/columns holding the bias only",
                        Fn(lambda x: F.pad(F.conv_transpose2d(x, m.weight, None, m.stride, m.padding, 0, m.groups,
                                                              m.dilation), (0, op[1], 0, op[0]))
                           + (0 if m.bias is None else m.bias.view(1, -1, 1, 1)))))
        if m.groups > 1:
            mut.append(("ConvTranspose2D groups reading the next group's channels",
                        Fn(lambda x: conv_transpose_manual(m, x, shift=1))))
        if m.bias is not None and _unreached(m, in_shape):
            mut.append(("ConvTranspose2D bias only where a kernel tap lands (gaps left 0)",
                        Fn(lambda x: conv_transpose_manual(m, x, bias_gaps=False))))
    elif isinstance(m, nn.Upsample):
        s = _scales(m)
        if m.mode == "nearest":
            ctl.append(("Upsample nearest as floor(dst / scale)", Fn(lambda x: interp(x, s, "nearest"))))
            ctl.append(("Upsample nearest as repeat_interleave",
                        Fn(lambda x: x.repeat_interleave(s[0], 2).repeat_interleave(s[1], 3))))
            mut.append(("Upsample nearest tiling the map (repeat) instead of repeating each pixel",
                        Fn(lambda x: x.repeat(1, 1, s[0], s[1]))))
            mut.append(("Upsample nearest rounding the source index up", Fn(lambda x: interp(x, s, "nearest-ceil"))))
        else:
            how = "align" if m.align_corners else "half"
            ctl.append((f"Upsample bilinear by interpolation matrices ({how})", Fn(lambda x: interp(x, s, how))))
            other = "half" if m.align_corners else "align"
            mut.append(("Upsample bilinear with align_corners the other way", Fn(lambda x: interp(x, s, other))))
            mut.append(("Upsample bilinear as nearest", Fn(lambda x: interp(x, s, "nearest"))))
            if m.align_corners:
                mut.append(("Upsample bilinear align_corners ratio (in - 1) / (out - 1) in integers",
                            Fn(lambda x: interp(x, s, "align-intdiv"))))
            else:
                mut.append(("Upsample bilinear without the half-pixel offset (src = dst / scale)",
                            Fn(lambda x: interp(x, s, "asymmetric"))))
                mut.append(("Upsample bilinear source coordinate not clamped at 0 (extrapolates at the top/left)",
                            Fn(lambda x: interp(x, s, "half-unclamped"))))
        if s[0] != s[1]:
            mut.append(("Upsample ScaleHeight and ScaleWidth swapped", Fn(lambda x: m.__class__(
                scale_factor=(float(s[1]), float(s[0])), mode=m.mode, align_corners=m.align_corners)(x))))
    elif isinstance(m, nn.PixelShuffle):
        r = m.upscale_factor
        ctl.append(("PixelShuffle as reshape and permute", Fn(lambda x: pixel_shuffle(x, r))))
        mut.append(("PixelShuffle sub-pixel order (i, j) swapped: channel c * r * r + j * r + i",
                    Fn(lambda x: pixel_shuffle(x, r, "swapped"))))
        if in_shape[0] > r * r:  # one output channel: the two orders coincide
            mut.append(("PixelShuffle channels depth-major (c + C * (i * r + j), TensorFlow's depth_to_space)",
                        Fn(lambda x: pixel_shuffle(x, r, "depth-major"))))
    elif isinstance(m, (nn.ZeroPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d)):
        pads = tuple(m.padding)
        mode = {nn.ZeroPad2d: "zeros", nn.ReflectionPad2d: "reflect", nn.ReplicationPad2d: "replicate"}[type(m)]
        ctl.append((f"{type(m).__name__} by index maps", Fn(lambda x: pad2d(x, pads, mode))))
        for desc, fn in _pad_mutants(pads, mode):
            mut.append((desc, Fn(fn)))
    elif isinstance(m, nn.Conv2d):
        pads, mode = _conv_pads_of(m)
        if any(pads):
            ctl.append((f"Conv2D after {mode} padding by index maps", _conv_with(m, lambda x: pad2d(x, pads, mode))))
        for desc, fn in _pad_mutants(pads, mode):
            mut.append(("Conv2D " + desc, _conv_with(m, fn)))
        if m.groups > 1:
            mut.append(("Conv2D groups reading the next group's channels",
                        _conv_with(m, lambda x: pad2d(x, pads, mode), shift=1)))
    return ctl, mut


def _check_scatter(model64, x64):
    """The scatter loop against F.conv_transpose2d for each ConvTranspose2d (groups 1, first sample)."""
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append((mod, inp[0][:1])))
             for m in model64.modules() if isinstance(m, nn.ConvTranspose2d) and m.groups == 1]
    with torch.no_grad():
        model64(x64)
        for h in hooks:
            h.remove()
        for m, x in seen:
            want = F.conv_transpose2d(x, m.weight, None, m.stride, 0, 0, 1, m.dilation)
            assert torch.allclose(_scatter_full(x, m.weight, m.stride, m.dilation), want, atol=1e-10)


# ----------------------------------------------------------------------------- the cases

STD = {"input": ("randn", 2.0)}
IDENTITY = "the layer is the identity here: every implementation gives the same output"
ONE_PIXEL = "a 1x1 map: every output pixel is the input pixel, whatever the coordinates"


RUNS = {
    # ConvTranspose2D ----------------------------------------------------------------------------
    # U-Net's up-convolution: kernel 2, stride 2 (each input pixel becomes a 2x2 block); named, InChannels given
    "ConvTransposeUNetUp": dict(input=(4, 5, 5), net=[convt(3, 2, Stride=2, InChannels=4, Name="up")], opts=STD),
    # kernel 3, stride 2, padding 1, output padding 1: exactly doubles (5 -> 10)
    "ConvTransposeK3S2P1Op1": dict(input=(3, 5, 5), net=[convt(4, 3, Stride=2, Padding=1, OutputPadding=1)], opts=STD),
    # DCGAN's kernel 4, stride 2, padding 1: doubles (6 -> 12)
    "ConvTransposeK4S2P1": dict(input=(3, 6, 6), net=[convt(4, 4, Stride=2, Padding=1)], opts=STD),
    # stride 1: 6 -> 8 (the "full" convolution), then padding 1 keeps the size
    "ConvTransposeStride1": dict(input=(3, 6, 6), net=[convt(4, 3), L("ReLU"), convt(2, 3, Padding=1)], opts=STD),
    # rectangular kernel, stride and padding: H (4 - 1) * 2 - 2 + 2 + 1 = 7, W (5 - 1) * 3 + 1 + 1 = 14
    "ConvTransposeRect": dict(input=(3, 4, 5), net=[convt(4, KernelHeight=3, KernelWidth=2, StrideHeight=2,
                                                          StrideWidth=3, PaddingHeight=1)], opts=STD),
    # per-axis output padding: H 3 * 3 + 1 + 2 + 1 = 13 (OutputPaddingHeight 2 < StrideHeight 3),
    # W 2 * 2 - 2 * 2 + 3 + 1 + 1 = 5 (OutputPaddingWidth 1 < StrideWidth 2)
    "ConvTransposeRectOutputPadding": dict(
        input=(2, 4, 3), net=[convt(3, KernelHeight=2, KernelWidth=4, StrideHeight=3, StrideWidth=2, PaddingWidth=2,
                                    OutputPaddingHeight=2, OutputPaddingWidth=1)], opts=STD),
    # a Height form alone: StrideHeight 2, the width's stride the default 1 (Conv2D's rule)
    "ConvTransposeStrideHeightOnly": dict(input=(2, 4, 4), net=[convt(3, 3, StrideHeight=2, Padding=1)], opts=STD),
    # dilation 2: 5 -> 4 + 4 + 1 = 9
    "ConvTransposeDilated": dict(input=(3, 5, 5), net=[convt(4, 3, Dilation=2)], opts=STD),
    # dilation with stride, padding and output padding: 8 - 2 + 4 + 1 + 1 = 12; with stride = dilation = 2
    # only every other row and column of the full output gets taps (the others hold the bias)
    "ConvTransposeDilatedStrided": dict(input=(3, 5, 5), net=[convt(4, 3, Stride=2, Dilation=2, Padding=1,
                                                                    OutputPadding=1)], opts=STD),
    # output padding allowed by the dilation, not the stride: stride 1, dilation 3, OutputPadding 2
    # (< max(1, 3)); 4 - 2 + 3 + 2 + 1 = 8; the last row is beyond the full output (bias only), the one
    # before it is not (padding 1 shifts it in)
    "ConvTransposeOutputPaddingDilation": dict(input=(2, 5, 5), net=[convt(3, 2, Dilation=3, Padding=1,
                                                                           OutputPadding=2)], opts=STD),
    # the same per axis: DilationHeight 3 allows OutputPaddingHeight 2, StrideWidth 2 OutputPaddingWidth 1
    "ConvTransposeOutputPaddingDilationRect": dict(
        input=(2, 5, 4), net=[convt(3, 2, DilationHeight=3, StrideWidth=2, Padding=1, OutputPaddingHeight=2,
                                    OutputPaddingWidth=1)], opts=STD),
    # padding beyond the kernel's reach (P 3 > D * (K - 1) = 2): PyTorch crops it from the full output;
    # 3 * 3 - 6 + 2 + 1 = 6
    "ConvTransposePaddingOverKernel": dict(input=(2, 4, 4), net=[convt(3, 3, Stride=3, Padding=3)], opts=STD),
    # stride larger than the kernel: rows and columns no tap reaches hold the bias only
    "ConvTransposeStrideOverKernel": dict(input=(2, 3, 3), net=[convt(3, 2, Stride=3)], opts=STD),
    # groups: 4 -> 6 channels in 2 groups (weight [4, 3, 3, 3])
    "ConvTransposeGroups": dict(input=(4, 5, 5), net=[convt(6, 3, Stride=2, Padding=1, Groups=2)], opts=STD),
    # depthwise (Groups = channels), then a multiplier of 2 (Filters = 2 x Groups)
    "ConvTransposeDepthwise": dict(input=(6, 4, 4), net=[convt(6, 3, Stride=2, Padding=1, OutputPadding=1, Groups=6),
                                                         L("ReLU"), convt(12, 2, Groups=6)], opts=STD),
    # DCGAN's generator: no bias, BatchNorm2D, ReLU, then a last up-convolution and a Sigmoid
    "ConvTransposeBnRelu": dict(input=(8, 4, 4), net=[convt(8, 4, Stride=2, Padding=1, Bias=False), bn(), L("ReLU"),
                                                      convt(3, 3, Padding=1), L("Sigmoid")], opts=STD),
    # from a 1x1 map (DCGAN's latent vector as [C, 1, 1]): 1 -> 4 -> 8
    "ConvTransposeFromPixel": dict(input=(8, 1, 1), net=[convt(6, 4), bn(), L("ReLU"), convt(3, 4, Stride=2, Padding=1)],
                                   opts=STD),
    # many channels (vector paths): 32 -> 16 on 8x8, kernel 2 stride 2, and kernel 3 stride 1 then 2
    "ConvTransposeWideUp": dict(input=(32, 8, 8), net=[convt(16, 2, Stride=2)], opts=STD),
    "ConvTransposeWide3x3": dict(input=(32, 8, 8), net=[convt(16, 3, Padding=1), L("ReLU"),
                                                        convt(16, 3, Stride=2, Padding=1, OutputPadding=1)], opts=STD),

    # Upsample -----------------------------------------------------------------------------------
    # the defaults: Scale 2, nearest
    "UpsampleDefault": dict(input=(2, 3, 4), net=[up()], opts=STD),
    "UpsampleNearest3": dict(input=(2, 3, 4), net=[up(Scale=3)], opts=STD),
    "UpsampleNearestRect": dict(input=(2, 3, 4), net=[up(ScaleHeight=2, ScaleWidth=3, Mode="nearest")], opts=STD),
    # scale 1 is the identity, in every mode
    "UpsampleScale1": dict(input=(2, 3, 4), net=[conv(3, 3, Padding=1), up(Scale=1), up(Scale=1, Mode="bilinear"),
                                                 up(ScaleHeight=1, ScaleWidth=1, Mode="bilinear", AlignCorners=True)],
                           opts=dict(STD, uncaught=[(None, "Upsample ", IDENTITY)])),
    "UpsampleBilinear": dict(input=(3, 4, 5), net=[up(Mode="bilinear")], opts=STD),
    "UpsampleBilinearAlign": dict(input=(3, 4, 5), net=[up(Mode="bilinear", AlignCorners=True)], opts=STD),
    "UpsampleBilinearScale3": dict(input=(2, 4, 3), net=[up(Scale=3, Mode="bilinear")], opts=STD),
    "UpsampleBilinearRect": dict(input=(2, 3, 4), net=[up(ScaleHeight=3, ScaleWidth=2, Mode="bilinear")], opts=STD),
    "UpsampleBilinearRectAlign": dict(input=(2, 3, 4), net=[up(ScaleHeight=3, ScaleWidth=2, Mode="bilinear",
                                                               AlignCorners=True)], opts=STD),
    # maps one pixel high or wide: that axis copies its one row (align_corners' (in - 1) / (out - 1) is 0)
    "UpsampleBilinearRow": dict(input=(2, 1, 6), net=[up(Mode="bilinear")], opts=STD),
    "UpsampleBilinearRowAlign": dict(input=(2, 1, 6), net=[up(ScaleHeight=3, ScaleWidth=2, Mode="bilinear",
                                                              AlignCorners=True)], opts=STD),
    "UpsampleBilinearColumn": dict(input=(2, 5, 1), net=[up(ScaleHeight=2, ScaleWidth=3, Mode="bilinear")], opts=STD),
    "UpsampleBilinearColumnAlign": dict(input=(2, 5, 1), net=[up(Scale=3, Mode="bilinear", AlignCorners=True)],
                                        opts=STD),
    # a 1x1 map: every output pixel is the input pixel
    "UpsampleBilinearPixel": dict(input=(3, 1, 1), net=[up(Scale=4, Mode="bilinear")],
                                  opts=dict(STD, uncaught=[(None, "Upsample bilinear", ONE_PIXEL)])),
    "UpsampleBilinearPixelAlign": dict(input=(3, 1, 1), net=[up(ScaleHeight=2, ScaleWidth=3, Mode="bilinear",
                                                                AlignCorners=True)],
                                       opts=dict(STD, uncaught=[(None, "Upsample ", ONE_PIXEL)])),

    # PixelShuffle -------------------------------------------------------------------------------
    "PixelShuffle2": dict(input=(8, 3, 3), net=[L("PixelShuffle", Factor=2)], opts=STD),
    "PixelShuffle3": dict(input=(18, 2, 3), net=[L("PixelShuffle", Factor=3)], opts=STD),
    # Factor 1 is the identity
    "PixelShuffleFactor1": dict(input=(4, 3, 3), net=[L("PixelShuffle", Factor=1), L("PixelShuffle", Factor=2)],
                                opts=dict(STD, uncaught=[("0", "PixelShuffle", IDENTITY)])),
    # ESPCN (Shi et al., 2016), ReLU for tanh: 1 -> 16 -> 8 -> 9 = 1 * 3 * 3 channels -> [1, 18, 18]
    "Espcn": dict(input=(1, 6, 6), net=[conv(16, 5, Padding=2, Name="conv1"), L("ReLU"),
                                        conv(8, 3, Padding=1, Name="conv2"), L("ReLU"),
                                        conv(9, 3, Padding=1, Name="conv3"), L("PixelShuffle", Factor=3, Name="shuffle")],
                  opts=STD),
    # colour ESPCN with padding modes: 12 = 3 * 2 * 2 channels -> [3, 10, 8], a Sigmoid on the pixels
    "EspcnColor": dict(input=(3, 5, 4), net=[conv(16, 3, Padding=1, PaddingMode="replicate"), L("ReLU"),
                                             conv(12, 3, Padding=1, PaddingMode="reflect"),
                                             L("PixelShuffle", Factor=2), L("Sigmoid")], opts=STD),

    # padding layers, each followed by a convolution without padding ------------------------------
    "ZeroPad2D": dict(input=(2, 4, 5), net=[L("ZeroPad2D", Padding=2), conv(3, 3)], opts=STD),
    "ZeroPad2DSides": dict(input=(2, 4, 5), net=[L("ZeroPad2D", PadTop=1, PadBottom=0, PadLeft=2, PadRight=3),
                                                 conv(3, 3)], opts=STD),
    "ReflectionPad2D": dict(input=(2, 4, 5), net=[L("ReflectionPad2D", Padding=2), conv(3, 3)], opts=STD),
    # PadBottom not given: 0
    "ReflectionPad2DSides": dict(input=(2, 4, 5), net=[L("ReflectionPad2D", PadTop=3, PadLeft=1, PadRight=2),
                                                       conv(3, 3)], opts=STD),
    # the most reflection allows: size - 1 on every side (3 on the height 4, 4 on the width 5)
    "ReflectionPad2DMax": dict(input=(2, 4, 5), net=[L("ReflectionPad2D", PadTop=3, PadBottom=3, PadLeft=4, PadRight=4),
                                                     conv(3, 3)], opts=STD),
    "ReplicationPad2D": dict(input=(2, 4, 5), net=[L("ReplicationPad2D", Padding=2), conv(3, 3)], opts=STD),
    "ReplicationPad2DSides": dict(input=(2, 4, 5), net=[L("ReplicationPad2D", PadTop=2, PadBottom=1, PadRight=3),
                                                        conv(3, 3)], opts=STD),
    # replication wider than the input (no limit)
    "ReplicationPad2DWide": dict(input=(2, 3, 2), net=[L("ReplicationPad2D", PadTop=5, PadBottom=4, PadLeft=7,
                                                         PadRight=6), conv(3, 3)], opts=STD),
    # the three in a row, between convolutions (strided, 2x2 kernel)
    "PadLayerChain": dict(input=(3, 6, 6), net=[L("ReflectionPad2D", Padding=1), conv(8, 3), L("ReLU"),
                                                L("ReplicationPad2D", PadLeft=1, PadTop=2), conv(8, 3, Stride=2),
                                                L("ReLU"), L("ZeroPad2D", PadRight=1, PadBottom=1), conv(2, 2)],
                          opts=STD),

    # Conv2D's PaddingMode (the loop below adds each mode symmetric, per side, strided + dilated + grouped)
    # the most reflect allows: PaddingHeight 3 on height 4, PaddingWidth 4 on width 5
    "ConvReflectMax": dict(input=(2, 4, 5), net=[conv(3, 3, PaddingHeight=3, PaddingWidth=4, PaddingMode="reflect")],
                           opts=STD),
    # circular up to the size: PadTop 4 on height 4, PadLeft and PadRight 5 on width 5
    "ConvCircularFull": dict(input=(2, 4, 5), net=[("Conv2D", dict(Filters=3, Kernel=3, PadTop=4, PadBottom=1, PadLeft=5,
                                                                   PadRight=5, PaddingMode="circular"))], opts=STD),
    # replicate wider than the input
    "ConvReplicateWide": dict(input=(2, 3, 3), net=[conv(3, 3, Padding=5, PaddingMode="replicate")], opts=STD),
    # a PaddingMode without padding changes nothing; Padding = 0 and "zeros" written out
    "ConvPadModeNoPadding": dict(input=(2, 5, 5), net=[conv(3, 3, PaddingMode="reflect"),
                                                       conv(3, 3, Padding=0, PaddingMode="replicate"),
                                                       conv(3, 1, PaddingMode="circular"),
                                                       conv(2, 1, Padding=0, PaddingMode="zeros")], opts=STD),

    # networks -----------------------------------------------------------------------------------
    # a U-Net, two levels: each skip is a Concat of the input and a block that goes down (MaxPool2D),
    # convolves and comes back up (ConvTranspose2D, kernel 2 stride 2); the inner one nested in the outer.
    # 3x12x12 -> 8x12x12 | down 8x6x6 -> 16 | down 16x3x3 -> 32 -> up 16x6x6 | cat 32 -> 16 -> up 8x12x12 |
    # cat 16 -> 8 -> 2
    "UNet": dict(
        input=(3, 12, 12),
        net=[conv(8, 3, Padding=1, Name="inc"), L("ReLU"), cat("Down1", IncludeInput=True, Name="skip1"),
             conv(8, 3, Padding=1, Name="dec1"), L("ReLU"), conv(2, 1, Name="outc")],
        blocks={
            "Down1": [L("MaxPool2D", Kernel=2), conv(16, 3, Padding=1), bn(), L("ReLU"),
                      cat("Down2", IncludeInput=True, Name="skip2"), conv(16, 3, Padding=1), L("ReLU"),
                      convt(8, 2, Stride=2, Name="up1")],
            "Down2": [L("MaxPool2D", Kernel=2), conv(32, 3, Padding=1), bn(), L("ReLU"), conv(32, 3, Padding=1),
                      L("ReLU"), convt(16, 2, Stride=2, Name="up2")],
        },
        opts=STD),
    # a U-Net level with bilinear upsampling (align_corners, as milesial's Pytorch-UNet) and padding modes
    "UNetBilinear": dict(
        input=(3, 8, 8),
        net=[conv(8, 3, Padding=1), L("ReLU"), cat("Down", IncludeInput=True),
             conv(4, 3, Padding=1, PaddingMode="replicate"), L("ReLU"), conv(1, 1), L("Sigmoid")],
        blocks={"Down": [L("MaxPool2D", Kernel=2), conv(16, 3, Padding=1, PaddingMode="reflect"), bn(), L("ReLU"),
                         up(Mode="bilinear", AlignCorners=True), conv(8, 3, Padding=1)]},
        opts=dict(STD, weight_scale={"5": -6.0})),
    # super-resolution x2: a trunk that uses every padding mode and layer (ReflectionPad2D, a residual
    # block with circular and per-side reflect convolutions, replicate, ReplicationPad2D + ZeroPad2D
    # per side, PixelShuffle) added to the bilinear upsampling of the input (the Residual's shortcut)
    "SuperResolution": dict(
        input=(1, 6, 6),
        net=[res("Trunk", Shortcut="Up", ShortcutName="upsample", Name="sr")],
        blocks={
            "Trunk": [L("ReflectionPad2D", Padding=2), conv(16, 5, Name="head"), L("ReLU"), res("Block", Name="block"),
                      L("ReLU"), conv(16, 3, Padding=1, PaddingMode="replicate"), L("ReLU"),
                      L("ReplicationPad2D", PadTop=1, PadLeft=1), L("ZeroPad2D", PadBottom=1, PadRight=1),
                      conv(4, 3, Name="tail"), L("PixelShuffle", Factor=2)],
            "Block": [conv(16, 3, Padding=1, PaddingMode="circular"), L("ReLU"),
                      ("Conv2D", dict(Filters=16, Kernel=3, PadTop=1, PadBottom=1, PadLeft=1, PadRight=1,
                                      PaddingMode="reflect"))],
            "Up": [up(Mode="bilinear")],
        },
        opts=STD),
}

for _mode in MODES:
    _cap = _mode.capitalize()
    RUNS["ConvPad" + _cap] = dict(input=(2, 5, 6), net=[conv(3, 3, Padding=2, PaddingMode=_mode)], opts=STD)
    # per side, a rectangular kernel: H 5 + 2 - 3 + 1 = 5, W 6 + 4 - 2 + 1 = 9
    RUNS["ConvPadSides" + _cap] = dict(
        input=(2, 5, 6), net=[("Conv2D", dict(Filters=3, KernelHeight=3, KernelWidth=2, PadTop=2, PadBottom=0, PadLeft=1,
                                              PadRight=3, PaddingMode=_mode))], opts=STD)
    # strided and dilated with per-axis padding (9x8 -> 5x3), then grouped with per-side padding (-> 6x4)
    RUNS["ConvPadStridedGrouped" + _cap] = dict(
        input=(4, 9, 8), net=[conv(4, 3, Stride=2, Dilation=2, PaddingHeight=2, PaddingWidth=1, PaddingMode=_mode),
                              ("Conv2D", dict(Filters=6, Kernel=3, Groups=2, PadTop=1, PadBottom=2, PadLeft=2, PadRight=1,
                                              PaddingMode=_mode))], opts=STD)

C8 = conv(8, 3, Padding=1)

# fault: (suffix or None for the network, item index); id the proposed diagnostic, or None with
# "suggested" while it is open
ERRORS = {
    # ConvTranspose2D
    "ConvTransposeOutputPaddingAtStride": dict(
        input=(3, 5, 5), net=[convt(4, 3, Stride=2, Padding=1, OutputPadding=2)], fault=(None, 0), id="CNN0005",
        why="OutputPadding 2 with Stride 2 and Dilation 1: it must be less than max(Stride, Dilation)"),
    "ConvTransposeOutputPaddingStride1": dict(
        input=(3, 5, 5), net=[C8, L("ReLU"), convt(4, 3, Padding=1, OutputPadding=1)], fault=(None, 2), id="CNN0005",
        why="OutputPadding 1 with Stride 1 and Dilation 1 (only 0 is allowed)"),
    "ConvTransposeOutputPaddingWidth": dict(
        input=(3, 4, 4), net=[convt(4, 3, StrideHeight=2, OutputPaddingHeight=1, OutputPaddingWidth=1)],
        fault=(None, 0), id="CNN0005",
        why="OutputPaddingWidth 1 but the width's stride and dilation are 1 (the height's 1 is fine: StrideHeight 2)"),
    "ConvTransposeOutputPaddingOverDilation": dict(
        input=(3, 4, 4), net=[convt(4, 3, Stride=2, Dilation=3, OutputPadding=3)], fault=(None, 0), id="CNN0005",
        why="OutputPadding 3 with Stride 2 and Dilation 3: not less than max(2, 3)"),
    "ConvTransposeOutputTooSmall": dict(
        input=(3, 2, 2), net=[convt(4, 1, Padding=1)], fault=(None, 0), id="CNN0009",
        why="(2 - 1) * 1 - 2 * 1 + 0 + 0 + 1 = 0: the padding removes the whole output"),
    "ConvTransposeInChannelsMismatch": dict(
        input=(3, 4, 4), net=[C8, convt(4, 2, Stride=2, InChannels=4)], fault=(None, 1), id="CNN0008",
        why="InChannels = 4 but layer 0 produces 8 channels"),
    "ConvTransposeGroupsFilters": dict(
        input=(4, 4, 4), net=[convt(3, 2, Stride=2, Groups=2)], fault=(None, 0), id="CNN0010",
        why="Groups = 2 divides the 4 input channels but not Filters = 3"),
    "ConvTransposeGroupsInChannels": dict(
        input=(3, 4, 4), net=[convt(4, 2, Groups=2)], fault=(None, 0), id="CNN0010",
        why="Groups = 2 divides Filters = 4 but not the 3 input channels"),
    "ConvTransposeMissingFilters": dict(
        input=(3, 4, 4), net=[("ConvTranspose2D", dict(Kernel=2, Stride=2))], fault=(None, 0), id="CNN0006",
        why="ConvTranspose2D without Filters"),
    "ConvTransposeMissingKernelWidth": dict(
        input=(3, 4, 4), net=[convt(4, KernelHeight=2, Stride=2)], fault=(None, 0), id="CNN0006",
        why="KernelHeight without KernelWidth (and no Kernel): the kernel's width is missing"),
    "ConvTransposeKernelTwoForms": dict(
        input=(3, 4, 4), net=[convt(4, 3, KernelHeight=2)], fault=(None, 0), id="CNN0007",
        why="Kernel and KernelHeight: two forms of one setting (as Conv2D)"),
    "ConvTransposeNegativePadding": dict(
        input=(3, 4, 4), net=[convt(4, 3, Padding=-1)], fault=(None, 0), id="CNN0005", why="Padding = -1"),
    "ConvTransposeAfterFlatten": dict(
        input=(3, 4, 4), net=[L("Flatten"), convt(4, 2)], fault=(None, 1), id="CNN0016",
        why="ConvTranspose2D on the flat vector [48] that Flatten produces"),
    "ConvTransposeIn1DNetwork": dict(
        input=(4, 16), net=[convt(4, 2, Stride=2)], fault=(None, 0), id="CNN0016",
        why="ConvTranspose2D in a 1D network: InputShape(4, 16) declares [C, L]"),
    # Upsample
    "UpsampleScaleZero": dict(input=(2, 4, 4), net=[up(Scale=0)], fault=(None, 0), id="CNN0005", why="Scale = 0"),
    "UpsampleScaleWidthZero": dict(input=(2, 4, 4), net=[up(ScaleHeight=2, ScaleWidth=0, Mode="bilinear")],
                                   fault=(None, 0), id="CNN0005", why="ScaleWidth = 0"),
    "UpsampleUnknownMode": dict(input=(2, 4, 4), net=[up(Mode="bicubic")], fault=(None, 0), id="CNN0005",
                                why="Mode \"bicubic\" is neither \"nearest\" nor \"bilinear\" (PyTorch has it; the "
                                    "contract does not)"),
    "UpsampleModeCase": dict(input=(2, 4, 4), net=[up(Mode="Bilinear")], fault=(None, 0), id="CNN0005",
                             why="Mode \"Bilinear\": the names are compared exactly, as PyTorch does"),
    "UpsampleAlignCornersNearest": dict(input=(2, 4, 4), net=[C8, up(AlignCorners=True)], fault=(None, 1), id="CNN0005",
                                        why="AlignCorners = true with the default Mode \"nearest\""),
    "UpsampleScaleTwoForms": dict(input=(2, 4, 4), net=[up(Scale=2, ScaleHeight=3)], fault=(None, 0), id="CNN0007",
                                  why="Scale and ScaleHeight: two forms of one setting (as Conv2D's Stride and "
                                      "StrideHeight)"),
    "UpsampleAfterFlatten": dict(input=(2, 4, 4), net=[L("Flatten"), up()], fault=(None, 1), id="CNN0016",
                                 why="Upsample on the flat vector [32]"),
    # PixelShuffle
    "PixelShuffleChannels": dict(input=(6, 3, 3), net=[L("PixelShuffle", Factor=2)], fault=(None, 0), id="CNN0027",
                                 why="6 channels are not divisible by Factor * Factor = 4"),
    "PixelShuffleChannelsNotSquare": dict(
        input=(3, 4, 4), net=[conv(12, 3, Padding=1), L("ReLU"), L("PixelShuffle", Factor=3)], fault=(None, 2), id="CNN0027",
        why="12 channels are divisible by Factor 3 but not by Factor * Factor = 9"),
    "PixelShuffleFactorZero": dict(input=(4, 3, 3), net=[L("PixelShuffle", Factor=0)], fault=(None, 0), id="CNN0005",
                                   why="Factor = 0"),
    "PixelShuffleMissingFactor": dict(input=(4, 3, 3), net=[L("PixelShuffle")], fault=(None, 0), id="CNN0006",
                                      why="PixelShuffle without Factor (required here, as nn.PixelShuffle's "
                                          "upscale_factor; if the contract gives it a default this case goes)"),
    "PixelShuffleAfterFlatten": dict(input=(4, 2, 2), net=[L("Flatten"), L("PixelShuffle", Factor=2)], fault=(None, 1),
                                     id="CNN0016", why="PixelShuffle on the flat vector [16]"),
    # padding layers
    "ReflectionPad2DAtWidth": dict(input=(2, 4, 5), net=[L("ReflectionPad2D", PadLeft=5)], fault=(None, 0),
                                   id="CNN0026", why="reflect PadLeft 5 on width 5 (4 is the most)"),
    "ReflectionPad2DAfterConv": dict(input=(2, 6, 6), net=[conv(4, 3, Stride=2), L("ReflectionPad2D", Padding=2)],
                                     fault=(None, 1), id="CNN0026",
                                     why="reflect padding 2 on the 2x2 map layer 0 produces (1 is the most)"),
    "ZeroPad2DNegative": dict(input=(2, 4, 4), net=[L("ZeroPad2D", Padding=-1)], fault=(None, 0), id="CNN0005",
                              why="Padding = -1 (PyTorch would crop a row and a column on each side)"),
    "ReplicationPad2DNegativeSide": dict(input=(2, 4, 4), net=[L("ReplicationPad2D", PadTop=1, PadBottom=-1)],
                                         fault=(None, 0), id="CNN0005", why="PadBottom = -1"),
    "ZeroPad2DTwoForms": dict(input=(2, 4, 4), net=[L("ZeroPad2D", Padding=1, PadTop=2)], fault=(None, 0), id="CNN0007",
                              why="Padding and PadTop: two forms of one setting (as Conv2D)"),
    "ZeroPad2DNoPadding": dict(input=(2, 4, 4), net=[C8, L("ZeroPad2D")], fault=(None, 1), id="CNN0006",
                               why="ZeroPad2D without Padding or any side (nn.ZeroPad2d needs its padding)"),
    "ReplicationPad2DAfterFlatten": dict(input=(2, 4, 4), net=[L("Flatten"), L("ReplicationPad2D", Padding=1)],
                                         fault=(None, 1), id="CNN0016", why="ReplicationPad2D on the flat vector [32]"),
    # Conv2D's PaddingMode
    "ConvReflectAtSize": dict(input=(2, 4, 4), net=[conv(3, 3, Padding=4, PaddingMode="reflect")], fault=(None, 0),
                              id="CNN0026", why="reflect padding 4 on a 4x4 map (3 is the most)"),
    "ConvReflectPadBottom": dict(input=(2, 6, 5), net=[("Conv2D", dict(Filters=3, Kernel=3, PadTop=1, PadBottom=6,
                                                                       PadLeft=1, PadRight=1, PaddingMode="reflect"))],
                                 fault=(None, 0), id="CNN0026", why="reflect PadBottom 6 on height 6 (per side)"),
    "ConvCircularOverSize": dict(input=(2, 4, 4), net=[conv(3, 3, PaddingWidth=5, PaddingMode="circular")],
                                 fault=(None, 0), id="CNN0026",
                                 why="circular PaddingWidth 5 on width 4: it may wrap around once at most"),
    "ConvUnknownPaddingMode": dict(input=(2, 4, 4), net=[conv(3, 3, Padding=1, PaddingMode="constant")], fault=(None, 0),
                                   id="CNN0005", why="PaddingMode \"constant\" is F.pad's name, not a padding_mode"),
    "ConvKernelOverReflectPadded": dict(input=(2, 3, 3), net=[conv(3, 6, Padding=1, PaddingMode="reflect")],
                                        fault=(None, 0), id="CNN0009",
                                        why="kernel 6 on the reflect-padded 5x5 map"),
    # a U-Net on an odd size: the skip (7x7) and the way back up (3x3 -> 6x6) differ
    "UNetOddSize": dict(input=(3, 7, 7), net=[C8, L("ReLU"), cat("DownUp", IncludeInput=True)],
                        blocks={"DownUp": [L("MaxPool2D", Kernel=2), conv(16, 3, Padding=1), L("ReLU"),
                                           convt(8, 2, Stride=2)]},
                        fault=(None, 2), id="CNN0024",
                        why="Concat of the 8x7x7 input with the 8x6x6 the block gives back (7 -> 3 -> 6)",
                        pytorch="raises: Sizes of tensors must match except in dimension 1. Expected size 7 but got "
                                "size 6 for tensor number 1 in the list. (torch.cat)"),
}


# ----------------------------------------------------------------------------- the checks and the writer

def checks(run, problems):
    """The scatter loop against F.conv_transpose2d; the controls and mutants of this file's layers
    (required), the containers' (required) and casegen's (reported)."""
    _check_scatter(run.model64, run.x64)
    return required(run, try_mutants(run, lambda m, shape: controls_and_mutants(m, shape) + (mutants(m),)), problems)


FIXTURES = Fixtures(NAMESPACE, layer, checks, verdict=pytorch_verdict, ids="checked")

if __name__ == "__main__":
    FIXTURES.main(RUNS, ERRORS, os.path.join(HERE, "..", "fixtures", "upsampling"), seed=15000)
