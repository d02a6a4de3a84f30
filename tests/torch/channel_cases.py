"""PyTorch reference cases for [ChannelSlice] and [ChannelShuffle] (ShuffleNetV2's split and shuffle): each alone
on maps, sequences and vectors, after and before convolutions, a slice feeding a Residual, and small ShuffleNetV2s
(stem, a stride-2 unit, two stride-1 units, a 1x1 convolution, a global pool, Dense) at 24 and 58 channels a branch.

usage: /usr/bin/python3 tests/torch/channel_cases.py [OUT_DIR] [--report REPORT.json]
       /usr/bin/python3 tests/torch/verify_channels.py [OUT_DIR]        (re-reads what was written)
OUT_DIR defaults to tests/fixtures/channels. Needs Debian's python3-torch (PyTorch 1.13); seeds come from the
case names, so a re-run reproduces the same bytes and adding a case leaves the others alone.

Files (as upsampling_cases.py's, sequence_cases.py's and block_cases.py's)
  NAME.cs              the network (namespace Fixtures.Channels, class NAME), then the [Block] classes it uses,
                       named NAME + suffix
  NAME.params.f32      little-endian float32: the state_dict's floating-point tensors in order (the two
                       attributes have none)
  NAME.input.f32       batch (3) x C x H x W, or x C x L in a 1D network
  NAME.expected.f32    the output in eval mode, computed in float64 from the float32 values
  NAME.safetensors     every state_dict entry under its key (F32; num_batches_tracked I64), plus "input" and
                       "expected", laid out as safetensors.torch.save_file lays it out
  cases.json           run cases: name, kind "run", batch, input_shape, output_shape, output_length, params.
                       Error cases (NAME.cs only): kind "error", line (1-based, the attribute at fault; in a
                       [Block] class when the block holds it), id (the diagnostic), why, and "pytorch": what
                       PyTorch 1.13 does with the same layer (torch.narrow for the slice, nn.ChannelShuffle for
                       the shuffle: "raises: ...", "accepts: ...", or "no equivalent" for a missing argument).
Run options: input (casegen.make_input's), var (BatchNorm running_var range), uncaught [(module path or None
for any, mutant description prefix, why the case cannot catch it)].

The PyTorch side of the contract
  [ChannelSlice(Start = s, Length = n)]
                      torch.narrow(x, 1, s, n), x[:, s:s + n]: channels s to s + n - 1 of a map [C, H, W] or a
                      sequence [C, L], features s to s + n - 1 of a vector [F]. Start defaults to 0; Length is
                      required (CNN0006). Start outside [0, C) is CNN0005 on Start, else Length outside
                      [1, C - Start] is CNN0005 on Length (torch.narrow raises on both, except a negative Start,
                      which it counts from the end, and Length 0, which it allows).
  [ChannelShuffle(Groups = g)]
                      nn.ChannelShuffle(g), ShuffleNet's x.view(N, g, C / g, ...).transpose(1, 2).reshape(N, C, ...):
                      output channel j * g + i is input channel i * (C / g) + j, on a map or a sequence. Groups is
                      required (CNN0006), at least 1 and a divisor of C (CNN0005); on a flat vector CNN0016.
  ShuffleNetV2's units (torchvision's InvertedResidual):
      stride 1: [Concat(typeof(KeepHalf), typeof(Branch))] [ChannelShuffle(Groups = 2)], KeepHalf holding
                [ChannelSlice(Start = 0, Length = C / 2)] (x.chunk(2, dim=1)'s x1), Branch starting with
                [ChannelSlice(Start = C / 2, Length = C / 2)] then branch2 (1x1, BN, ReLU, 3x3 depthwise, BN, 1x1,
                BN, ReLU);
      stride 2: [Concat(typeof(Branch1), typeof(Branch2))] [ChannelShuffle(Groups = 2)], both branches on x.
    A Concat's branches are numbered ("0", "1"), so torchvision's keys "branch1"/"branch2" become "0"/"1"; with
    Name = "" on the Concat they sit directly in the unit, as torchvision's do.
The other layers and blocks are netspec.py's, sequence_cases.py's (1D) and blocks.py's; every layer is named by
its position among the items of its class (every attribute counts) or by Name.

The checks the writer makes (it fails otherwise)
  - every activation sees inputs on both sides of its kinks (block_cases.check_coverage);
  - the float32 forward is within check-package's tolerance of the float64 one that gives expected.f32;
  - controls: each slice and shuffle is reimplemented from its definition (an index map: channel s + k; channel
    (o mod g) * (C / g) + o div g), by x[:, s:s + n], by nn.ChannelShuffle, and by python/cnngen.py's modules
    (what TorchSource runs), and must reproduce PyTorch's output within check-package's tolerance;
  - mutants: plausible wrong implementations (the shuffle transposed the other way, out[i * (C / g) + j] =
    in[j * g + i]; no shuffle; a shuffle of the sample's elements rather than its channels; the slice's Start off
    by one either way; the slice counted from the last channel; the slice from channel 0; a Concat's parts in
    reverse order; a Residual without its addition) must each change the expected output beyond that tolerance,
    except where a case lists them under "uncaught" (with the reason; the writer checks they are indeed not
    caught). BatchNorm's, the activations' and the 1D layers' mutants are reported, not required;
  - the network rebuilt from NAME.cs (another seed) loads NAME.safetensors with load_state_dict(strict=True)
    and reproduces the output bit for bit; the keys are those the naming rules give (rule_keys, from the
    attributes, without PyTorch);
  - each error case's builder fails on the attribute of its line, with the case's id.
"""
import copy
import importlib.util
import json
import os
import sys
import types
import zlib
from collections import OrderedDict

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import blocks  # noqa: E402
import sequence_cases  # noqa: E402
from block_cases import (block_mutants, check_coverage, classes_of, containers, cs_item, is_block_item,  # noqa: E402
                         parse_cs)
from casegen import caught, f32, make_input, mutants  # noqa: E402
from netspec import ChannelShuffle, ChannelSlice, cs_input, write_safetensors  # noqa: E402

NAMESPACE = "Fixtures.Channels"
CHANNEL_OPS = {"ChannelSlice": {"Start", "Length"}, "ChannelShuffle": {"Groups"}}


def _cnngen():
    """python/cnngen.py, the helpers every TorchSource starts with."""
    path = os.path.join(HERE, "..", "..", "python", "cnngen.py")
    spec = importlib.util.spec_from_file_location("cnngen_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CNNGEN = _cnngen()


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **p))


def conv1(filters, kernel=3, **p):
    return ("Conv1D", dict(Filters=filters, Kernel=kernel, **p))


def bn(**p):
    return ("BatchNorm2D", p)


def L(kind, **p):
    return (kind, p)


def chslice(length=None, start=None, **p):
    q = {}
    if start is not None:
        q["Start"] = start
    if length is not None:
        q["Length"] = length
    q.update(p)
    return ("ChannelSlice", q)


def shuffle(groups=None, **p):
    q = {} if groups is None else dict(Groups=groups)
    q.update(p)
    return ("ChannelShuffle", q)


def seq(b, **p):
    return ("Sequential", (b,), p)


def res(b, **p):
    return ("Residual", (b,), p)


def cat(*bs, **p):
    return ("Concat", tuple(bs), p)


# ----------------------------------------------------------------------------- C#

def cs_source(classes):
    """NAME.cs and {(class, item index or "InputShape" or "Block"): 1-based line}."""
    lines = ["using CnnGen;", "", f"namespace {NAMESPACE};"]
    where = {}
    for cls, c in classes.items():
        lines.append("")
        if c["block"]:
            lines.append("[Block]")
            where[(cls, "Block")] = len(lines)
        if c["input_shape"] is not None:
            lines.append(cs_input(c["input_shape"]))
            where[(cls, "InputShape")] = len(lines)
        for i, it in enumerate(c["items"]):
            lines.append(cs_item(it))
            where[(cls, i)] = len(lines)
        lines.append(f"public partial class {cls} {{ }}")
    lines.append("")
    return "\n".join(lines), where


# ----------------------------------------------------------------------------- the builder

class SpecError(Exception):
    """A case the generator must reject; where = (class, item index or "InputShape"), id the diagnostic (None:
    an exception this file did not classify), torch_says what PyTorch does with the same layer."""

    def __init__(self, where, msg, id=None, torch_says=None):
        super().__init__(f"{where[0]} {where[1]}: {msg}")
        self.where = where
        self.msg = msg
        self.id = id
        self.torch_says = torch_says


class Fault(Exception):
    def __init__(self, id, msg):
        super().__init__(msg)
        self.id = id


def channel_op(kind, p, shape):
    """The module of a ChannelSlice or a ChannelShuffle on an input of shape; Fault(id, why) in the generator's
    order: the required argument (the parser), then the feature map (the shuffle), then the values."""
    extra = set(p) - CHANNEL_OPS[kind] - {"Name"}
    assert not extra, (kind, extra)
    c = shape[0]
    if kind == "ChannelSlice":
        if "Length" not in p:
            raise Fault("CNN0006", "ChannelSlice needs Length")
        s, n = p.get("Start", 0), p["Length"]
        if s < 0 or s >= c:
            raise Fault("CNN0005", f"Start = {s} is not in [0, {c})")
        if n < 1 or n > c - s:
            raise Fault("CNN0005", f"Length = {n} is not in [1, {c - s}] (Start = {s} of {c})")
        return ChannelSlice(s, n)
    if "Groups" not in p:
        raise Fault("CNN0006", "ChannelShuffle needs Groups")
    if len(shape) == 1:
        raise Fault("CNN0016", f"ChannelShuffle needs a map or a sequence but gets the flat vector {list(shape)}")
    g = p["Groups"]
    if g < 1 or c % g:
        raise Fault("CNN0005", f"Groups = {g} is not a divisor of the {c} channels")
    return ChannelShuffle(g)


def layer(kind, p, shape, rank):
    """The PyTorch module of one layer on an input of shape ([C, H, W]; [C, L] in a 1D network; [F] after
    Flatten); the other layers are sequence_cases.layer_1d's (which takes the 2D ones from netspec.py)."""
    if kind in CHANNEL_OPS:
        return channel_op(kind, p, shape)
    try:
        m = sequence_cases.layer_1d(kind, p, shape, rank)
    except sequence_cases.Fault as e:
        raise Fault(None, str(e))
    assert type(m).__name__ not in ("AsymPadConv2d", "PaddedConv1d"), "per-side padding: not in these cases"
    return m


def pytorch_verdict(kind, p, shape):
    """What PyTorch 1.13 does with the layer: torch.narrow for the slice, nn.ChannelShuffle for the shuffle."""
    x = torch.zeros((1,) + tuple(shape))
    try:
        if kind == "ChannelSlice":
            if "Length" not in p:
                return "no equivalent (torch.narrow needs its length)"
            s, n = p.get("Start", 0), p["Length"]
            y = torch.narrow(x, 1, s, n)
            note = " (a negative start counts from the end)" if s < 0 else ""
        elif kind == "ChannelShuffle":
            if "Groups" not in p:
                return "no equivalent (nn.ChannelShuffle needs its groups)"
            y = nn.ChannelShuffle(p["Groups"])(x)
            note = ""
        else:
            return "no equivalent"
        return f"accepts: output {list(y.shape[1:])}{note}"
    except Exception as e:
        return "raises: " + str(e).split("\n")[0][:200]


def _shape_after(m, shape):
    with torch.no_grad():
        return tuple(m.eval()(torch.zeros((1,) + tuple(shape))).shape[1:])


def _check_name(name, where):
    if name == "" or "." in name:
        raise SpecError(where, f"bad name {name!r}", "CNN0020")


def build_items(classes, cls, shape, stack, rank):
    """The (name, module) items of class cls for an input of shape, its output shape and the names its items
    register (block_cases.build_items with this file's layers and ids)."""
    items, taken = [], []
    for pos, it in enumerate(classes[cls]["items"]):
        where = (cls, pos)
        if not is_block_item(it):
            kind, p = it
            name = p.get("Name", str(pos))
            _check_name(name, where)
            try:
                m = layer(kind, p, shape, rank)
                out = _shape_after(m, shape)
            except Fault as e:
                raise SpecError(where, f"{kind}: {e}", e.id, pytorch_verdict(kind, p, shape))
            except Exception as e:  # whatever PyTorch rejects that no rule above names
                raise SpecError(where, f"{kind}: {e!r}")
            names = [name]
        else:
            kind, refs, p = it
            for r in list(refs) + ([p["Shortcut"]] if "Shortcut" in p else []):
                if r not in classes or not classes[r]["block"]:
                    raise SpecError(where, f"typeof({r}): not a [Block] class", "CNN0021")
                if r in stack:
                    raise SpecError(where, f"typeof({r}): a block that contains itself", "CNN0022")
            name = p.get("Name", str(pos))
            if name != "":
                _check_name(name, where)
            sub = [build_items(classes, r, shape, stack + (r,), rank) for r in refs]
            if kind == "Sequential":
                children, out, inner = sub[0]
                m = blocks.Sequential(children)
            elif kind == "Residual":
                children, out, inner = sub[0]
                if "Shortcut" in p:
                    s_children, s_out, _ = build_items(classes, p["Shortcut"], shape, stack + (p["Shortcut"],), rank)
                    sn = p.get("ShortcutName", "shortcut")
                    _check_name(sn, where)
                    if sn in inner:
                        raise SpecError(where, f"ShortcutName {sn!r} is a name in the body", "CNN0020")
                    if s_out != out:
                        raise SpecError(where, f"Residual: body gives {out}, shortcut {s_out}", "CNN0023")
                    m = blocks.Residual(children, s_children, sn)
                    inner = inner + [sn]
                else:
                    if out != shape:
                        raise SpecError(where, f"Residual: body gives {out} for an input of {shape}", "CNN0023")
                    m = blocks.Residual(children)
            elif kind == "Concat":
                parts = ([shape] if p.get("IncludeInput", False) else []) + [s[1] for s in sub]
                if len({(len(q),) + tuple(q[1:]) for q in parts}) != 1:
                    raise SpecError(where, f"Concat: parts of shapes {parts}", "CNN0024")
                m = blocks.Concat(*[s[0] for s in sub], include_input=p.get("IncludeInput", False))
                out = (sum(q[0] for q in parts),) + tuple(parts[0][1:])
                inner = [str(i) for i in range(len(sub))]
            else:
                raise AssertionError(kind)
            assert _shape_after(m, shape) == out, (where, out)
            names = inner if name == "" else [name]
        for n in names:
            if n in taken:
                raise SpecError(where, f"a second child named {n!r}", "CNN0020")
            taken.append(n)
        items.append((name, m))
        shape = out
    return items, shape, taken


def build(classes, seed):
    """(model, input shape, output shape) of the network of classes (the class with [InputShape]); SpecError
    where the generator must report an error."""
    nets = [cls for cls, c in classes.items() if c["input_shape"] is not None]
    assert len(nets) == 1, nets
    in_shape = tuple(classes[nets[0]]["input_shape"])
    torch.manual_seed(seed)
    items, out, _ = build_items(classes, nets[0], in_shape, (), len(in_shape) - 1)
    return blocks.Sequential(items).eval(), in_shape, out


def _weight_bias(p):
    return ["weight"] + (["bias"] if p.get("Bias", True) else [])


def _batch_norm(p):
    return (["weight", "bias"] if p.get("Affine", True) else []) + ["running_mean", "running_var", "num_batches_tracked"]


LAYER_KEYS = {"Conv2D": _weight_bias, "Conv1D": _weight_bias, "Dense": _weight_bias,
              "BatchNorm2D": _batch_norm, "BatchNorm1D": _batch_norm}


def rule_keys(classes, cls, prefix=""):
    """The state_dict keys the naming rules give (block_cases.rule_keys; ChannelSlice and ChannelShuffle have
    none, but take a position)."""
    keys = []
    for pos, it in enumerate(classes[cls]["items"]):
        if not is_block_item(it):
            kind, p = it
            keys += [prefix + p.get("Name", str(pos)) + "." + k for k in LAYER_KEYS.get(kind, lambda p: [])(p)]
            continue
        kind, refs, p = it
        name = p.get("Name", str(pos))
        pre = prefix if name == "" else prefix + name + "."
        if kind == "Concat":
            for i, r in enumerate(refs):
                keys += rule_keys(classes, r, f"{pre}{i}.")
        else:
            keys += rule_keys(classes, refs[0], pre)
            if "Shortcut" in p:
                keys += rule_keys(classes, p["Shortcut"], pre + p.get("ShortcutName", "shortcut") + ".")
    return keys


# ----------------------------------------------------------------------------- reimplementations and mutants

def slice_by_index(x, start, length):
    """Channel (feature) start + k of the input at position k."""
    return x.index_select(1, torch.tensor([start + k for k in range(length)]))


def shuffle_source(o, c, g):
    """The input channel of output channel o: o = j * g + i takes i * (c / g) + j."""
    return (o % g) * (c // g) + o // g


def shuffle_by_index(x, g, transposed=False):
    """The shuffle as an index map; transposed: the other way, out[i * (C / g) + j] = in[j * g + i]."""
    c = x.shape[1]
    if transposed:
        src = [(o % (c // g)) * g + o // (c // g) for o in range(c)]
    else:
        src = [shuffle_source(o, c, g) for o in range(c)]
    assert sorted(src) == list(range(c))
    return x.index_select(1, torch.tensor(src))


def controls_and_mutants(m, in_shape):
    """(controls, mutants) of a module on an input of in_shape: controls reimplement it from its definition and
    must match; mutants are plausible wrong implementations and must not. Each a list of (description, module)."""
    ctl, mut = [], []
    if isinstance(m, ChannelSlice):
        s, n, c = m.start, m.length, in_shape[0]
        ctl.append(("ChannelSlice as the index map s + k", Fn(lambda x: slice_by_index(x, s, n))))
        ctl.append(("ChannelSlice as x[:, s:s + n]", Fn(lambda x: x[:, s:s + n])))
        ctl.append(("ChannelSlice as python/cnngen.py's (TorchSource's)", CNNGEN.ChannelSlice(s, n)))
        if s >= 1:
            mut.append(("ChannelSlice Start off by one (Start - 1)", Fn(lambda x: slice_by_index(x, s - 1, n))))
        if s + n < c:
            mut.append(("ChannelSlice Start off by one (Start + 1)", Fn(lambda x: slice_by_index(x, s + 1, n))))
        if c - s - n != s:
            mut.append(("ChannelSlice counted from the last channel (C - Start - Length)",
                        Fn(lambda x: slice_by_index(x, c - s - n, n))))
        if s != 0 and c - s - n != 0:
            mut.append(("ChannelSlice from channel 0 (Start ignored)", Fn(lambda x: slice_by_index(x, 0, n))))
    elif isinstance(m, ChannelShuffle):
        g, c = m.groups, in_shape[0]
        ctl.append(("ChannelShuffle as the index map (o mod g) * (C / g) + o div g",
                    Fn(lambda x: shuffle_by_index(x, g))))
        ctl.append(("ChannelShuffle as nn.ChannelShuffle", nn.ChannelShuffle(g)))
        ctl.append(("ChannelShuffle as python/cnngen.py's (TorchSource's)", CNNGEN.ChannelShuffle(g)))
        mut.append(("ChannelShuffle transposed the other way: out[i * (C / g) + j] = in[j * g + i]",
                    Fn(lambda x: shuffle_by_index(x, g, transposed=True))))
        mut.append(("ChannelShuffle skipped (the identity)", nn.Identity()))
        mut.append(("ChannelShuffle of the sample's elements, not its channels (x.view(N, g, -1))",
                    Fn(lambda x: x.reshape(x.shape[0], g, -1).transpose(1, 2).reshape(x.shape))))
    return ctl, mut


def _replace(model64, path, repl, x64):
    owner_path, _, key = path.rpartition(".")
    owner = model64.get_submodule(owner_path) if owner_path else model64
    m = owner._modules[key]
    owner._modules[key] = repl
    try:
        with torch.no_grad():
            return model64(x64)
    finally:
        owner._modules[key] = m


def try_mutants(model64, x64, y):
    """[(path, description, kind, caught)]: kind "control" (must not be caught), "mutant" (this file's, must be
    caught), "block" (block_cases' Concat/Residual mutants, must be caught) or "other" (casegen's and
    sequence_cases' BatchNorm, activation and 1D layer mutants, reported)."""
    results = []
    for path, c in containers(model64):
        for desc, fwd in block_mutants(c):
            c._forward = types.MethodType(fwd, c)
            try:
                with torch.no_grad():
                    hit = caught(model64(x64), y)
            except Exception:
                hit = True
            finally:
                del c._forward
            results.append((path, desc, "block", hit))
    shapes = {}

    def remember(k):
        def hook(mod, inp, out):
            shapes.setdefault(k, tuple(inp[0].shape[1:]))
        return hook
    hooks = [m.register_forward_hook(remember(k)) for k, m in model64.named_modules() if k]
    with torch.no_grad():
        model64(x64)
    for h in hooks:
        h.remove()
    for path, m in list(model64.named_modules()):
        if not path or path not in shapes:
            continue
        ctl, mut = controls_and_mutants(m, shapes[path])
        others = mutants(m) + sequence_cases.mutants_1d(m)
        for group, pairs in (("control", ctl), ("mutant", mut), ("other", others)):
            for desc, repl in pairs:
                try:
                    hit = caught(_replace(model64, path, repl.double() if group == "control" else repl, x64), y)
                except Exception:  # a mutant that cannot run (shapes) counts as caught
                    assert group != "control", (path, desc)
                    hit = True
                results.append((path, desc, group, hit))
    return results


def _randomize(model, gen, var):
    sequence_cases.randomize_1d(model, gen, var)  # casegen.randomize (BatchNorm2d, PReLU), then BatchNorm1d


# ----------------------------------------------------------------------------- the cases

STD = {"input": ("randn", 2.0)}
IDENTITY = "the shuffle is the identity here (Groups 1 or C): every implementation gives the same output"


def _unit_blocks(prefix, c):
    """ShuffleNetV2's stride-1 unit on 2 * c channels: {suffix: items}."""
    return {
        prefix: [cat(prefix + "Keep", prefix + "Branch", Name=""), shuffle(2, Name="shuffle")],
        prefix + "Keep": [chslice(c, 0)],
        prefix + "Branch": [chslice(c, c), conv(c, 1, Bias=False), bn(), L("ReLU"),
                            conv(c, 3, Padding=1, Groups=c, Bias=False), bn(), conv(c, 1, Bias=False), bn(), L("ReLU")],
    }


def _down_blocks(prefix, cin, c):
    """ShuffleNetV2's stride-2 unit from cin to 2 * c channels: {suffix: items}."""
    return {
        prefix: [cat(prefix + "Branch1", prefix + "Branch2", Name=""), shuffle(2, Name="shuffle")],
        prefix + "Branch1": [conv(cin, 3, Stride=2, Padding=1, Groups=cin, Bias=False), bn(), conv(c, 1, Bias=False),
                             bn(), L("ReLU")],
        prefix + "Branch2": [conv(c, 1, Bias=False), bn(), L("ReLU"), conv(c, 3, Stride=2, Padding=1, Groups=c, Bias=False),
                             bn(), conv(c, 1, Bias=False), bn(), L("ReLU")],
    }


def shufflenet_v2(input_shape, stem, c, last, classes=10):
    """A small ShuffleNetV2 in torchvision's names: conv1 (3x3 stride 2, BN, ReLU), maxpool, stage2 (a stride-2
    unit from stem to 2 * c channels, two stride-1 units), conv5 (1x1, BN, ReLU), a global pool, fc."""
    b = {"Conv1": [conv(stem, 3, Stride=2, Padding=1, Bias=False), bn(), L("ReLU")],
         "Stage2": [seq("Down"), seq("Unit"), seq("Unit")],
         "Conv5": [conv(last, 1, Bias=False), bn(), L("ReLU")]}
    b.update(_down_blocks("Down", stem, c))
    b.update(_unit_blocks("Unit", c))
    return dict(input=input_shape,
                net=[seq("Conv1", Name="conv1"), L("MaxPool2D", Kernel=3, Stride=2, Padding=1, Name="maxpool"),
                     seq("Stage2", Name="stage2"), seq("Conv5", Name="conv5"), L("GlobalAvgPool2D"), L("Flatten"),
                     L("Dense", Outputs=classes, Name="fc")],
                blocks=b, opts=STD)


RUNS = {
    # ChannelSlice ---------------------------------------------------------------------------------
    # at the start, Start left at its default 0, alone on a map (the network's input and output in PyTorch's layout)
    "SliceMapStart": dict(input=(8, 4, 5), net=[chslice(3)], opts=STD),
    # in the middle of a convolution's output that a shuffle reordered (channels-last values, 20 and 11 channels:
    # no vector width), then a convolution
    "SliceMapMiddle": dict(input=(3, 6, 6), net=[conv(20, 1, Name="expand"), shuffle(4), chslice(11, 3, Name="split"),
                                                 conv(4, 3, Padding=1)], opts=STD),
    # at the end, between convolutions
    "SliceMapEnd": dict(input=(3, 5, 5), net=[conv(9, 3, Padding=1), L("ReLU"), chslice(4, 5), conv(2, 3)], opts=STD),
    # the whole input: the identity (no mutant of the slice applies)
    "SliceMapWhole": dict(input=(6, 3, 4), net=[chslice(6, 0), conv(2, 1)], opts=STD),
    # a sequence [C, L]
    "Slice1D": dict(input=(6, 9), net=[chslice(3, 2), conv1(2, 3)], opts=STD),
    # the features of a vector: after Flatten, before Dense
    "SliceVector": dict(input=(2, 4, 4), net=[L("Flatten"), chslice(9, 7), L("Dense", Outputs=3, Name="fc")], opts=STD),
    # a slice feeding a Residual (the body and the addition both read the slice)
    "SliceResidual": dict(input=(3, 5, 5), net=[conv(12, 3, Padding=1), chslice(8, 4), res("Body", Name="block"),
                                                conv(3, 1)],
                          blocks={"Body": [conv(8, 3, Padding=1), bn(), L("ReLU"), conv(8, 3, Padding=1)]}, opts=STD),

    # ChannelShuffle -------------------------------------------------------------------------------
    # groups 1: the identity
    "ShuffleGroups1": dict(input=(6, 3, 4), net=[shuffle(1), conv(2, 1)],
                           opts=dict(STD, uncaught=[(None, "ChannelShuffle transposed", IDENTITY),
                                                    (None, "ChannelShuffle skipped", IDENTITY),
                                                    (None, "ChannelShuffle of the sample's elements", IDENTITY)])),
    # groups 2 on 10 channels (C / g = 5), alone
    "ShuffleGroups2": dict(input=(10, 3, 4), net=[shuffle(2, Name="shuffle")], opts=STD),
    # groups 3: ShuffleNet (v1)'s grouped 1x1 convolution, shuffle, grouped convolution
    "ShuffleGroups3": dict(input=(4, 5, 4), net=[conv(12, 1), L("ReLU"), shuffle(3), conv(6, 3, Padding=1, Groups=3)],
                           opts=STD),
    # groups = C: the identity
    "ShuffleGroupsAll": dict(input=(7, 3, 3), net=[shuffle(7)],
                             opts=dict(STD, uncaught=[(None, "ChannelShuffle transposed", IDENTITY),
                                                      (None, "ChannelShuffle skipped", IDENTITY)])),
    # a 1D network: grouped 1x1 convolution, shuffle, grouped convolution
    "Shuffle1D": dict(input=(4, 10), net=[conv1(12, 1, Groups=2), L("ReLU"), shuffle(3), conv1(6, 3, Padding=1, Groups=3)],
                      opts=STD),

    # ShuffleNetV2 ---------------------------------------------------------------------------------
    # 24 channels a branch (torchvision's x0.5 stage2 width is 48), 3x24x24: 12x12 after conv1, 6x6 after maxpool
    "ShuffleNetV2Small24": shufflenet_v2((3, 24, 24), 24, 24, 32),
    # 58 channels a branch (torchvision's x1.0 stage2: 116), which fills no vector, 3x32x32
    "ShuffleNetV2Small58": shufflenet_v2((3, 32, 32), 24, 58, 64),
}

# fault: (suffix or None for the network, item index); id the diagnostic
ERRORS = {
    "SliceStartAtChannels": dict(input=(12, 5, 7), net=[chslice(1, 12)], fault=(None, 0), id="CNN0005",
                                 why="Start = 12 on 12 channels: the first channel is past the last"),
    "SliceStartNegative": dict(input=(12, 5, 7), net=[chslice(1, -1)], fault=(None, 0), id="CNN0005",
                               why="Start = -1 (torch.narrow would count it from the end)"),
    "SliceLengthOver": dict(input=(3, 5, 7), net=[conv(8, 3, Padding=1), chslice(5, 4)], fault=(None, 1), id="CNN0005",
                            why="Start = 4, Length = 5 on the 8 channels layer 0 produces (4 is the most)"),
    "SliceLengthZero": dict(input=(12, 5, 7), net=[chslice(0, 2)], fault=(None, 0), id="CNN0005",
                            why="Length = 0 (torch.narrow would give an empty tensor)"),
    "SliceLengthOverFeatures": dict(input=(2, 3, 3), net=[L("Flatten"), chslice(9, 10), L("Dense", Outputs=2)],
                                    fault=(None, 1), id="CNN0005",
                                    why="Start = 10, Length = 9 on the 18 features Flatten produces (8 is the most)"),
    "SliceMissingLength": dict(input=(12, 5, 7), net=[chslice(None, 2)], fault=(None, 0), id="CNN0006",
                               why="ChannelSlice without Length"),
    "ShuffleGroupsNotDividing": dict(input=(12, 5, 7), net=[shuffle(5)], fault=(None, 0), id="CNN0005",
                                     why="Groups = 5 does not divide 12 channels"),
    "ShuffleGroupsZero": dict(input=(12, 5, 7), net=[shuffle(0)], fault=(None, 0), id="CNN0005", why="Groups = 0"),
    "ShuffleGroupsNotDividing1D": dict(input=(6, 9), net=[conv1(6, 3), shuffle(4)], fault=(None, 1), id="CNN0005",
                                       why="Groups = 4 does not divide the 6 channels of the sequence"),
    "ShuffleMissingGroups": dict(input=(12, 5, 7), net=[shuffle()], fault=(None, 0), id="CNN0006",
                                 why="ChannelShuffle without Groups"),
    "ShuffleAfterFlatten": dict(input=(4, 3, 3), net=[L("Flatten"), shuffle(2)], fault=(None, 1), id="CNN0016",
                                why="ChannelShuffle on the flat vector [36]"),
    # in a block: the block's attribute is at fault (the network's [Sequential] the additional location)
    "SliceInBlock": dict(input=(3, 8, 8), net=[conv(24, 1), seq("Unit")],
                         blocks={"Unit": [cat("Keep", "Branch"), shuffle(2)], "Keep": [chslice(12, 0)],
                                 "Branch": [chslice(13, 12), conv(12, 1)]},
                         fault=("Branch", 0), id="CNN0005",
                         why="the stride-1 unit's second half: Start = 12, Length = 13 on 24 channels (12 is the most)"),
    "ShuffleInBlock": dict(input=(3, 8, 8), net=[conv(24, 1), seq("Unit")],
                           blocks={"Unit": [cat("Keep", "Branch"), shuffle(5)], "Keep": [chslice(12, 0)],
                                   "Branch": [chslice(12, 12), conv(12, 1)]},
                           fault=("Unit", 1), id="CNN0005",
                           why="the unit's shuffle: Groups = 5 does not divide the 24 channels the Concat produces"),
}


# ----------------------------------------------------------------------------- the writer

def case_seed(name, seed):
    return seed + zlib.crc32(name.encode()) % 1000003


def write_run(out, name, case, seed):
    batch = case.get("batch", 3)
    classes = classes_of(name, case)
    opts = case.get("opts", {})
    s = case_seed(name, seed)
    model, in_shape, out_shape = build(classes, s)
    gen = torch.Generator().manual_seed(s + 5000)
    _randomize(model, gen, opts.get("var", (0.5, 2.0)))
    x = make_input((batch,) + tuple(in_shape), opts, gen)
    model.eval()
    sd = model.state_dict()
    keys = list(sd.keys())
    assert keys == rule_keys(classes, name), (name, keys, rule_keys(classes, name))
    floats = [t.detach().flatten() for t in sd.values() if t.is_floating_point()]
    flat = (torch.cat(floats) if floats else torch.zeros(0)).to(torch.float32).clone()
    tensors = OrderedDict((k, v.detach().clone()) for k, v in sd.items())
    with torch.no_grad():
        y32 = model(x)
    model64 = copy.deepcopy(model).double().eval()
    x64 = x.double()
    with torch.no_grad():
        y = model64(x64)
    assert tuple(y.shape[1:]) == tuple(out_shape), (name, y.shape, out_shape)
    assert torch.isfinite(y).all(), name
    problems = []
    if caught(y32.double(), y):
        problems.append(f"{name}: the float32 forward strays from the float64 one beyond check-package's tolerance")
    notes = check_coverage(name, model64, x64, problems)
    results = try_mutants(model64, x64, y)
    excuses = opts.get("uncaught", [])

    def excused(path, desc):
        return [e for e in excuses if e[0] in (None, path) and desc.startswith(e[1])]
    for path, desc, group, hit in results:
        if group == "control" and hit:
            problems.append(f"{name}: {path}: the control '{desc}' differs from PyTorch")
        if group in ("mutant", "block") and not hit and not excused(path, desc):
            problems.append(f"{name}: {path}: the mutant '{desc}' is not caught")
        if group in ("mutant", "block") and hit and excused(path, desc):
            problems.append(f"{name}: {path}: the mutant '{desc}' is excused but caught")
    for e in excuses:
        assert any(excused(p, d) for p, d, g, _ in results if g == "mutant"), (name, "excuses nothing", e)
    src, _ = cs_source(classes)
    f32(os.path.join(out, name + ".params.f32"), flat)
    f32(os.path.join(out, name + ".input.f32"), x)
    f32(os.path.join(out, name + ".expected.f32"), y)
    tensors["input"], tensors["expected"] = x.float(), y.float()
    write_safetensors(os.path.join(out, name + ".safetensors"), tensors)
    with open(os.path.join(out, name + ".cs"), "w") as f:
        f.write(src)

    # the module rebuilt from what NAME.cs says (another seed) takes the file's tensors, strictly
    check, _, _ = build(parse_cs(src), 0)
    check.load_state_dict({k: v for k, v in tensors.items() if k not in ("input", "expected")}, strict=True)
    with torch.no_grad():
        assert torch.equal(check.double().eval()(x.double()).float(), y.float()), name

    n_out = 1
    for d in out_shape:
        n_out *= d
    entry = dict(name=name, kind="run", batch=batch, input_shape=list(in_shape), output_shape=list(out_shape),
                 output_length=n_out, params=int(flat.numel()))
    summary = dict(name=name, classes=list(classes), input_shape=list(in_shape), output_shape=list(out_shape),
                   params=int(flat.numel()), keys=keys, notes=notes,
                   checks=[dict(module=p, check=d, kind=g, caught=h) for p, d, g, h in results])
    return entry, summary, problems


def write_error(out, name, case):
    classes = classes_of(name, case)
    src, where = cs_source(classes)
    cls = name + (case["fault"][0] or "")
    fault = (cls, case["fault"][1])
    try:
        build(classes, 0)
    except SpecError as e:
        assert e.where == fault, (name, e.where, fault, str(e))
        assert e.id == case["id"], (name, e.id, case["id"], str(e))
        reason, torch_says = str(e), e.torch_says
    else:
        raise AssertionError(f"{name}: builds")
    line = where[fault]
    with open(os.path.join(out, name + ".cs"), "w") as f:
        f.write(src)
    entry = dict(name=name, kind="error", line=line, id=case["id"], why=case["why"],
                 pytorch=case.get("pytorch") or torch_says or "no equivalent")
    return entry, dict(entry, cls=cls, attribute=src.split("\n")[line - 1], reason=reason)


def write_all(out, seed=17000, report=None):
    os.makedirs(out, exist_ok=True)
    names = list(RUNS) + list(ERRORS)
    assert len(set(names)) == len(names)
    all_classes = [c for n in names for c in classes_of(n, RUNS.get(n) or ERRORS[n])]
    assert len(set(all_classes)) == len(all_classes), "class names collide across cases"
    index, summary, problems = [], [], []
    for name in sorted(RUNS):
        e, s, p = write_run(out, name, RUNS[name], seed)
        index.append(e)
        summary.append(s)
        problems += p
    for name in sorted(ERRORS):
        e, s = write_error(out, name, ERRORS[name])
        index.append(e)
        summary.append(s)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    if report:
        with open(report, "w") as f:
            json.dump(summary, f, indent=1)
    print(len(index), "cases written to", out, f"({len(RUNS)} run, {len(ERRORS)} error)")
    if problems:
        raise SystemExit("the inputs do not exercise the layers:\n" + "\n".join(problems))
    return summary


if __name__ == "__main__":
    args = list(sys.argv[1:])
    report = None
    if "--report" in args:
        i = args.index("--report")
        report = args[i + 1]
        del args[i:i + 2]
    out = args[0] if args else os.path.join(HERE, "..", "fixtures", "channels")
    write_all(os.path.normpath(out), report=report)
