"""Network specs rendered two ways: as a PyTorch nn.Sequential (the oracle)
and as the C# attribute list that the project's generator consumes.

A spec is (input_shape, [layer, ...]); a layer is (kind, {param: value}).
Attribute names follow the public contract filed in the developers' first issue.

Every layer may carry Name (its module key in the nn.Sequential instead of its position).
Float attributes reach PyTorch as the float32 value C# holds (f32()), defaults included.
"""
import json
import struct
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class MinPool2d(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.kw = kw

    def forward(self, x):
        return -F.max_pool2d(-x, **self.kw)


class MinPool1d(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.kw = kw

    def forward(self, x):
        return -F.max_pool1d(-x, **self.kw)


class AsymPadConv2d(nn.Module):
    """Conv2d with separate top/bottom/left/right zero padding."""

    def __init__(self, pads, **kw):
        super().__init__()
        self.pads = pads  # (left, right, top, bottom) as F.pad wants
        self.conv = nn.Conv2d(**kw)

    def forward(self, x):
        return self.conv(F.pad(x, self.pads))


class ChannelSlice(nn.Module):
    """[ChannelSlice]: torch.narrow(x, 1, start, length), i.e. x[:, start:start + length] (channels of a map or a
    sequence, features of a vector); no tensors."""

    def __init__(self, start, length):
        super().__init__()
        self.start, self.length = start, length

    def forward(self, x):
        return torch.narrow(x, 1, self.start, self.length)


class ChannelShuffle(nn.Module):
    """[ChannelShuffle]: ShuffleNet's x.view(N, G, C / G, ...).transpose(1, 2).reshape(N, C, ...), as torchvision's
    channel_shuffle writes it, on [N, C, H, W] or [N, C, L]; no tensors."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        n, c, rest = x.shape[0], x.shape[1], list(x.shape[2:])
        return x.view(n, self.groups, c // self.groups, *rest).transpose(1, 2).reshape(n, c, *rest)


def _pair(p, name, default=None):
    """(h, w) from Name or NameHeight/NameWidth."""
    v = p.get(name, default)
    h = p.get(name + "Height", v)
    w = p.get(name + "Width", v)
    return h, w


def f32(v):
    """The float32 value of a C# float literal, as a Python float."""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def torch_layer(kind, p, in_shape):
    c = in_shape[0]
    if kind == "Conv2D":
        kh, kw = _pair(p, "Kernel")
        sh, sw = _pair(p, "Stride", 1)
        ph, pw = _pair(p, "Padding", 0)
        dh, dw = _pair(p, "Dilation", 1)
        kw_ = dict(in_channels=c, out_channels=p["Filters"], kernel_size=(kh, kw),
                   stride=(sh, sw), dilation=(dh, dw), groups=p.get("Groups", 1),
                   bias=p.get("Bias", True))
        if any(k in p for k in ("PadTop", "PadBottom", "PadLeft", "PadRight")):
            pads = (p.get("PadLeft", pw), p.get("PadRight", pw), p.get("PadTop", ph), p.get("PadBottom", ph))
            m = AsymPadConv2d(pads, **kw_)
            return m, m.conv
        m = nn.Conv2d(padding=(ph, pw), **kw_)
        return m, m
    if kind == "Conv1D":
        m = nn.Conv1d(c, p["Filters"], p["Kernel"], stride=p.get("Stride", 1), padding=p.get("Padding", 0),
                      dilation=p.get("Dilation", 1), groups=p.get("Groups", 1), bias=p.get("Bias", True))
        return m, m
    if kind in ("MaxPool2D", "AvgPool2D", "MinPool2D"):
        k = _pair(p, "Kernel")
        s = _pair(p, "Stride", None)
        s = k if s == (None, None) else s
        kw_ = dict(kernel_size=k, stride=s, padding=_pair(p, "Padding", 0), ceil_mode=p.get("CeilMode", False))
        count = p.get("CountIncludePad", True)
        d = _pair(p, "Dilation", 1)
        m = {"MaxPool2D": lambda: nn.MaxPool2d(**kw_, dilation=d), "AvgPool2D": lambda: nn.AvgPool2d(**kw_, count_include_pad=count),
             "MinPool2D": lambda: MinPool2d(**kw_, dilation=d)}[kind]()
        return m, None
    if kind in ("MaxPool1D", "AvgPool1D", "MinPool1D"):
        kw_ = dict(kernel_size=p["Kernel"], stride=p.get("Stride", p["Kernel"]), padding=p.get("Padding", 0),
                   ceil_mode=p.get("CeilMode", False))
        count = p.get("CountIncludePad", True)
        d = p.get("Dilation", 1)
        m = {"MaxPool1D": lambda: nn.MaxPool1d(**kw_, dilation=d), "AvgPool1D": lambda: nn.AvgPool1d(**kw_, count_include_pad=count),
             "MinPool1D": lambda: MinPool1d(**kw_, dilation=d)}[kind]()
        return m, None
    if kind == "ReLU":
        return nn.ReLU(), None
    if kind == "LeakyReLU":
        return nn.LeakyReLU(f32(p.get("NegativeSlope", 0.01))), None
    if kind == "Sigmoid":
        return nn.Sigmoid(), None
    if kind == "Tanh":
        return nn.Tanh(), None
    if kind == "Flatten":
        return nn.Flatten(), None
    if kind == "Dense":
        n_in = 1
        for d in in_shape:
            n_in *= d
        m = nn.Linear(n_in, p["Outputs"], bias=p.get("Bias", True))
        return m, m
    if kind == "Softmax":
        return nn.Softmax(dim=1), None
    if kind == "BatchNorm2D":
        if "Channels" in p:
            assert p["Channels"] == c, ("BatchNorm2D Channels", p["Channels"], c)
        m = nn.BatchNorm2d(c, eps=f32(p.get("Epsilon", 1e-5)), affine=p.get("Affine", True))
        return m, None
    if kind == "GlobalAvgPool2D":
        return nn.AdaptiveAvgPool2d(1), None
    if kind == "GlobalMaxPool2D":
        return nn.AdaptiveMaxPool2d(1), None
    if kind in ("AdaptiveAvgPool2D", "AdaptiveMaxPool2D"):
        oh, ow = _pair(p, "Output")
        assert oh is not None and ow is not None and oh >= 1 and ow >= 1, (kind, p)
        m = (nn.AdaptiveAvgPool2d if kind == "AdaptiveAvgPool2D" else nn.AdaptiveMaxPool2d)((oh, ow))
        return m, None
    if kind == "Dropout":
        return nn.Dropout(f32(p.get("P", 0.5))), None
    if kind == "Identity":
        return nn.Identity(), None
    if kind == "ReLU6":
        return nn.ReLU6(), None
    if kind == "Hardtanh":
        return nn.Hardtanh(f32(p.get("Min", -1.0)), f32(p.get("Max", 1.0))), None
    if kind == "Hardsigmoid":
        return nn.Hardsigmoid(), None
    if kind == "Hardswish":
        return nn.Hardswish(), None
    if kind == "SiLU":
        return nn.SiLU(), None
    if kind == "Mish":
        return nn.Mish(), None
    if kind == "GELU":
        return nn.GELU(approximate=p.get("Approximate", "none")), None
    if kind == "ELU":
        return nn.ELU(f32(p.get("Alpha", 1.0))), None
    if kind == "SELU":
        return nn.SELU(), None
    if kind == "Softplus":
        return nn.Softplus(beta=f32(p.get("Beta", 1.0)), threshold=f32(p.get("Threshold", 20.0))), None
    if kind == "PReLU":
        n = p.get("Parameters", 1)
        assert n == 1 or n == c, ("PReLU Parameters", n, c)
        m = nn.PReLU(n)
        return m, m
    if kind == "LogSoftmax":
        return nn.LogSoftmax(dim=1), None
    if kind == "ChannelSlice":
        return ChannelSlice(p.get("Start", 0), p["Length"]), None
    if kind == "ChannelShuffle":
        return ChannelShuffle(p["Groups"]), None
    raise ValueError(kind)


def cs_literal(v):
    """A property value as C# writes it in an attribute."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) + "f"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def cs_attribute(kind, p):
    args = ", ".join(f"{k} = {cs_literal(v)}" for k, v in p.items())
    return f"[{kind}({args})]" if args else f"[{kind}]"


def cs_input(shape):
    return f"[InputShape({', '.join(str(d) for d in shape)})]"


def module_name(i, p):
    """The nn.Sequential key of layer i: its Name, else its position."""
    return p.get("Name", str(i))


def build(spec, seed):
    """Returns (sequential, input_shape, output_shape). Modules are keyed by Name or position
    (nn.Sequential(OrderedDict)); parameters keep PyTorch's default initialization."""
    in_shape, layers = spec
    torch.manual_seed(seed)
    mods, shape = OrderedDict(), tuple(in_shape)
    for i, (kind, p) in enumerate(layers):
        m, _ = torch_layer(kind, p, shape)
        name = module_name(i, p)
        assert name not in mods and "." not in name and name, ("bad module name", name)
        mods[name] = m
        with torch.no_grad():
            shape = tuple(nn.Sequential(mods).eval()(torch.zeros((1,) + tuple(in_shape))).shape[1:])
    seq = nn.Sequential(mods).eval()
    return seq, tuple(in_shape), shape


# safetensors' Dtype enum order (tensor.rs): the serializer sorts by this, descending, then by name
_DTYPE_RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32",
               "F32", "F64", "I64", "U64"]


def _dtype_and_bytes(t):
    t = t.detach().contiguous()
    if t.is_floating_point():
        return "F32", t.to(torch.float32).numpy().astype("<f4").tobytes()
    if t.dtype == torch.int64:
        return "I64", t.numpy().astype("<i8").tobytes()
    raise TypeError(t.dtype)


def write_safetensors(path, tensors, metadata=None):
    """Writes what safetensors.torch.save_file(tensors) writes: floating tensors as F32, int64 ones
    (BatchNorm's num_batches_tracked, shape []) as I64; data sorted by dtype (larger alignment first)
    then name, the header in that order, compact JSON padded with spaces to 8 bytes."""
    items = []
    for name, t in tensors.items():
        dtype, b = _dtype_and_bytes(t)
        items.append((name, dtype, list(t.shape), b))
    items.sort(key=lambda it: (-_DTYPE_RANK.index(it[1]), it[0]))
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, b in items:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def state_dict_keys(seq):
    """Keys as nn.Sequential names them ('0.weight', 'stem.weight'), with wrapper modules
    flattened (AsymPadConv2d's inner conv), every entry of the state_dict included."""
    wrappers = [n for n, m in seq.named_children() if isinstance(m, AsymPadConv2d)]
    out = OrderedDict()
    for k, v in seq.state_dict().items():
        for n in wrappers:
            if k.startswith(n + ".conv."):
                k = n + "." + k[len(n) + len(".conv."):]
        out[k] = v
    return out


def flat_parameters(seq):
    """The flat parameter vector: the state_dict's floating-point tensors in order (per module its
    parameters, then its float buffers: BatchNorm weight, bias, running_mean, running_var)."""
    ts = [t.detach().flatten() for t in seq.state_dict().values() if t.is_floating_point()]
    return torch.cat(ts) if ts else torch.zeros(0)
