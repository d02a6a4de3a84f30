"""CnnGen's PyTorch modules: the blocks and layers of CnnGen's attributes that torch.nn lacks.

Every generated network's TorchSource constant holds this file followed by the network's own class,
so that a model declared in C# can be trained in PyTorch and its state_dict() loaded as it is. Import
it to build such models by hand:

    Sequential(items)                        x -> items in order             (nn.Sequential)      [Sequential]
    Residual(body, shortcut=None, shortcut_name="shortcut")
                                             x -> body(x) + x, or body(x) + shortcut(x)          [Residual]
    Concat(*branches, include_input=False)   x -> cat([x,] b0(x), b1(x), ..., dim=1)              [Concat]
    Multiply(gate)                           x -> x * gate(x), gate(x) of x's shape or [N, C, 1(, 1)] [Multiply]
    MinPool2d(kernel_size, stride, padding, ceil_mode)   -max_pool2d(-x)                          [MinPool2D]
    MinPool1d(kernel_size, stride, padding, ceil_mode)   -max_pool1d(-x)                          [MinPool1D]
    PaddedConv2d(..., pads=(left, right, top, bottom), mode="zeros")
                                             nn.Conv2d after F.pad(x, pads, mode) (PadTop, ...)   [Conv2D]
    PaddedConv1d(..., pads=(left, right), mode="zeros")
                                             nn.Conv1d after F.pad(x, pads, mode) (PadLeft, ...)  [Conv1D]
    Pad(pads, mode="zeros")                  F.pad(x, pads, mode), "zeros" as a convolution's padding_mode
    ChannelSlice(start, length)              x[:, start:start + length] (torch.narrow)            [ChannelSlice]
    ChannelShuffle(groups)                   ShuffleNet's view/transpose/reshape (nn.ChannelShuffle) [ChannelShuffle]

Items. Every container takes a list of items; an item is a module, or a (name, module) pair:
  - a module alone, or (None, module): named by its 0-based position among all the items
    (parameterless layers and blocks count, as in nn.Sequential);
  - (name, module): named name (C#'s Name = "..."); no "." in it, unique among the siblings;
  - ("", container): the container's children are inserted here under their own names, as if
    they were siblings of the other items (C#'s Name = "" on a block); the container still takes
    one position, and still computes what it computes.

Children, i.e. the state_dict's key prefixes: a Sequential's are its items; a Residual's the body's
items, then the shortcut as an nn.Sequential named shortcut_name; a Concat's its branches, each an
nn.Sequential named by its position; a Multiply's the gate's items.

Requires only torch.
"""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["Sequential", "Residual", "Concat", "Multiply", "MinPool2d", "MinPool1d", "PaddedConv2d", "PaddedConv1d", "Pad", "ChannelSlice", "ChannelShuffle", "items_of"]


def items_of(obj):
    """(name or None, module) pairs from a list of items, an OrderedDict, a container of this
    module (its items as given, inlined ones included) or an nn.Sequential (its children)."""
    if isinstance(obj, _Container):
        return list(obj._items)
    if isinstance(obj, nn.Sequential):
        return list(obj.named_children())
    if isinstance(obj, dict):
        return list(obj.items())
    if isinstance(obj, nn.Module):
        return [(None, obj)]
    out = []
    for it in obj:
        if isinstance(it, nn.Module):
            out.append((None, it))
        else:
            name, m = it
            out.append((name, m))
    return out


class _Container:
    """What the containers share: registering items under their names, and running them."""

    def _add_items(self, items):
        """Registers the items as children; returns the steps forward runs: a child's key, or an
        inlined container (unregistered; its children are registered here)."""
        steps = []
        for pos, (name, m) in enumerate(items):
            if not isinstance(m, nn.Module):
                raise TypeError(f"item {pos} is not a module: {m!r}")
            if name is None:
                name = str(pos)
            if name == "":
                if not isinstance(m, _Container):
                    raise ValueError(f"item {pos}: an empty name inserts a block's children, "
                                     f"but {type(m).__name__} is not a block")
                for k, c in m.named_children():
                    self._register(k, c)
                steps.append(m)
            else:
                self._register(name, m)
                steps.append(name)
        return steps

    def _register(self, name, m):
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"bad module name {name!r}: names are non-empty and have no '.'")
        if name in self._modules:
            raise ValueError(f"two children named {name!r}")
        self.add_module(name, m)

    # An inlined container's children are registered in its owner, the container that holds it;
    # it runs with the owner's children (so that replacing one there takes effect).
    def forward(self, x):
        return self._forward(x, self)

    def _run(self, steps, x, owner):
        for s in steps:
            x = owner._modules[s](x) if isinstance(s, str) else s._forward(x, owner)
        return x


class Sequential(_Container, nn.Sequential):
    """nn.Sequential whose items may be named, positional or inlined ("", container)."""

    def __init__(self, items=()):
        nn.Module.__init__(self)
        self._items = items_of(items)
        self._steps = self._add_items(self._items)

    def _forward(self, x, owner):
        return self._run(self._steps, x, owner)


class Residual(_Container, nn.Module):
    """y = body(x) + x, or body(x) + shortcut(x). Children: the body's items, then the shortcut
    as an nn.Sequential named shortcut_name."""

    def __init__(self, body, shortcut=None, shortcut_name="shortcut"):
        nn.Module.__init__(self)
        self._items = items_of(body)
        self._steps = self._add_items(self._items)
        self.shortcut_name = None
        if shortcut is not None:
            sc = shortcut if isinstance(shortcut, nn.Sequential) else Sequential(shortcut)
            self._register(shortcut_name, sc)
            self.shortcut_name = shortcut_name

    def _forward(self, x, owner):
        y = self._run(self._steps, x, owner)
        s = x if self.shortcut_name is None else owner._modules[self.shortcut_name](x)
        if not torch.jit.is_tracing() and y.shape != s.shape:
            raise ValueError(f"Residual: the body gives {tuple(y.shape)}, the shortcut {tuple(s.shape)}")
        return y + s


class Concat(_Container, nn.Module):
    """y = cat([x,] b0(x), b1(x), ..., dim=1). Children: the branches, each an nn.Sequential
    named by its position."""

    def __init__(self, *branches, include_input=False):
        nn.Module.__init__(self)
        if not branches:
            raise ValueError("Concat needs a branch")
        self.include_input = include_input
        self._items = [(str(i), b if isinstance(b, nn.Sequential) else Sequential(b))
                       for i, b in enumerate(branches)]
        self._steps = self._add_items(self._items)

    def _forward(self, x, owner):
        parts = [x] if self.include_input else []
        parts += [owner._modules[s](x) for s in self._steps]
        first = parts[0].shape
        for p in [] if torch.jit.is_tracing() else parts[1:]:
            if p.dim() != len(first) or p.shape[0] != first[0] or p.shape[2:] != first[2:]:
                raise ValueError("Concat: parts of shapes " + ", ".join(str(tuple(q.shape)) for q in parts))
        return torch.cat(parts, 1)


class Multiply(_Container, nn.Module):
    """y = x * gate(x), the gate of x's shape, or one value per channel ([N, C, 1, 1] on a map, [N, C, 1]
    on a sequence: squeeze-and-excitation) broadcast over the rest.
    Children: the gate's items."""

    def __init__(self, gate):
        nn.Module.__init__(self)
        self._items = items_of(gate)
        self._steps = self._add_items(self._items)

    def _forward(self, x, owner):
        g = self._run(self._steps, x, owner)
        per_channel = x.dim() in (3, 4) and tuple(g.shape) == (x.shape[0], x.shape[1]) + (1,) * (x.dim() - 2)
        ok = torch.jit.is_tracing() or g.shape == x.shape or per_channel
        if not ok:
            raise ValueError(f"Multiply: the gate gives {tuple(g.shape)} for an input of {tuple(x.shape)}")
        return x * g


class MinPool2d(nn.Module):
    """-max_pool2d(-x): the minimum of each window (CnnGen's MinPool2D); no tensors."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode = kernel_size, stride, padding, dilation, ceil_mode

    def forward(self, x):
        return -F.max_pool2d(-x, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode)


class MinPool1d(nn.Module):
    """-max_pool1d(-x): the minimum of each window (CnnGen's MinPool1D); no tensors."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode = kernel_size, stride, padding, dilation, ceil_mode

    def forward(self, x):
        return -F.max_pool1d(-x, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode)


class PaddedConv1d(nn.Conv1d):
    """nn.Conv1d (padding 0) after F.pad(x, pads, mode), pads = (left, right): CnnGen's PadLeft/PadRight
    (a causal convolution pads on the left only) with its PaddingMode ("zeros" is F.pad's "constant").
    Its tensors are nn.Conv1d's, under the same names."""

    def __init__(self, *args, pads, mode="zeros", **kwargs):
        super().__init__(*args, **kwargs)
        self.pads, self.mode = tuple(pads), mode

    def forward(self, x):
        return super().forward(_pad(x, self.pads, self.mode))


class PaddedConv2d(nn.Conv2d):
    """nn.Conv2d (padding 0) after F.pad(x, pads, mode), pads = (left, right, top, bottom): CnnGen's
    PadTop/PadBottom/PadLeft/PadRight with its PaddingMode. Its tensors are nn.Conv2d's, under the same names."""

    def __init__(self, *args, pads, mode="zeros", **kwargs):
        super().__init__(*args, **kwargs)
        self.pads, self.mode = tuple(pads), mode

    def forward(self, x):
        return super().forward(_pad(x, self.pads, self.mode))


class Pad(nn.Module):
    """F.pad(x, pads, mode) with a convolution's mode names ("zeros", "reflect", "replicate", "circular");
    no tensors. PyTorch 1.13 has modules for every mode but circular."""

    def __init__(self, pads, mode="zeros"):
        super().__init__()
        self.pads, self.mode = tuple(pads), mode

    def forward(self, x):
        return _pad(x, self.pads, self.mode)


class ChannelSlice(nn.Module):
    """x[:, start:start + length]: channels start to start + length - 1, torch.narrow(x, 1, start, length)
    (one part of torch.chunk or torch.split along dim 1); no tensors."""

    def __init__(self, start, length):
        super().__init__()
        self.start, self.length = start, length

    def forward(self, x):
        return x[:, self.start:self.start + self.length]


class ChannelShuffle(nn.Module):
    """ShuffleNet's channel shuffle, as torchvision writes it (it exports to ONNX, where nn.ChannelShuffle does not
    in PyTorch 1.13): x.view(N, G, C // G, *rest).transpose(1, 2).reshape(N, C, *rest); no tensors."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        rest = list(x.shape[2:])
        return x.view(n, self.groups, c // self.groups, *rest).transpose(1, 2).reshape(n, c, *rest)


class ChannelPad(nn.Module):
    """F.pad(x, (0, 0) * spatial axes + (before, after)): before channels of zeros, x's channels, after more (the CIFAR
    ResNets' option-A shortcut pads x[:, :, ::2, ::2] this way); no tensors."""

    def __init__(self, before, after):
        super().__init__()
        self.before, self.after = before, after

    def forward(self, x):
        return F.pad(x, (0, 0) * (x.dim() - 2) + (self.before, self.after))


def _pad(x, pads, mode):
    return F.pad(x, pads) if mode == "zeros" else F.pad(x, pads, mode=mode)
