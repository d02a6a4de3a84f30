"""PyTorch reference cases for blocks: [Block] classes used through [Sequential], [Residual],
[Concat] and [Multiply] (blocks.py holds the PyTorch modules and their semantics).

usage: /usr/bin/python3 tests/torch/block_cases.py [OUT_DIR] [--report REPORT.json]
OUT_DIR defaults to tests/fixtures/blocks. Needs Debian's python3-torch (PyTorch 1.13); seeds come
from the case names, so a re-run reproduces the same bytes. BLOCKS.md says how to regenerate and
what the files hold (the same files as casegen.py's, the network and its blocks in one NAME.cs).

A case is a dict:
  input:   the network's input shape (C, H, W)
  net:     the network's items (None: the file has only the classes of `blocks`)
  blocks:  {suffix: items} or {suffix: dict(items=..., block=True, input_shape=None)}: the other
           classes of NAME.cs, named NAME + suffix ("" is NAME itself), in file order; block=False
           writes a class without [Block] (with [InputShape] when input_shape is given)
  opts:    run cases: as casegen.py's options (input, var), scale {module path: factor}
  fault:   error cases: (suffix or None for the network, item index or "InputShape"): the attribute
           the generator must report; the builder below must fail there too
An item is a layer, (kind, {property: value}) as in netspec.py, or a block reference,
(kind, (suffix, ...), {property: value}) with kind Sequential, Residual, Concat or Multiply;
Shortcut's value is a suffix too.
"""
import copy
import json
import os
import re
import sys
import types
import zlib
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import blocks  # noqa: E402
from casegen import ACTIVATIONS, caught, f32, kinks, make_input, mutants, randomize  # noqa: E402
from netspec import cs_attribute, cs_input, torch_layer, write_safetensors  # noqa: E402

NAMESPACE = "Fixtures.Blocks"
BLOCK_KINDS = ("Sequential", "Residual", "Concat", "Multiply")


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **p))


def bn(**p):
    return ("BatchNorm2D", p)


def L(kind, **p):
    return (kind, p)


def seq(b, **p):
    return ("Sequential", (b,), p)


def res(b, **p):
    return ("Residual", (b,), p)


def cat(*bs, **p):
    return ("Concat", tuple(bs), p)


def mul(b, **p):
    return ("Multiply", (b,), p)


def is_block_item(item):
    return item[0] in BLOCK_KINDS


# ----------------------------------------------------------------------------- classes of a case

def classes_of(name, case):
    """OrderedDict {class name: dict(items, block, input_shape)} in file order, references
    resolved to class names (NAME + suffix)."""
    def full(s):
        return name + s

    def resolve(items):
        out = []
        for it in items:
            if is_block_item(it):
                kind, refs, p = it
                p = dict(p)
                if "Shortcut" in p:
                    p["Shortcut"] = full(p["Shortcut"])
                out.append((kind, tuple(full(r) for r in refs), p))
            else:
                out.append(it)
        return out

    classes = OrderedDict()
    if case.get("net") is not None:
        classes[name] = dict(items=resolve(case["net"]), block=False, input_shape=tuple(case["input"]))
    for suffix, entry in case.get("blocks", {}).items():
        if not isinstance(entry, dict):
            entry = dict(items=entry)
        cls = full(suffix)
        assert cls not in classes, cls
        classes[cls] = dict(items=resolve(entry["items"]), block=entry.get("block", True),
                            input_shape=entry.get("input_shape"))
    return classes


# ----------------------------------------------------------------------------- C#

def _lit(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) + "f"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def cs_item(item):
    if not is_block_item(item):
        return cs_attribute(*item)
    kind, refs, p = item
    args = [f"typeof({r})" for r in refs]
    for k, v in p.items():
        args.append(f"{k} = typeof({v})" if k == "Shortcut" else f"{k} = {_lit(v)}")
    return f"[{kind}({', '.join(args)})]"


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


def _split_args(s):
    out, depth, quote, cur, i = [], 0, False, "", 0
    while i < len(s):
        ch = s[i]
        if quote:
            cur += ch
            if ch == "\\":
                cur += s[i + 1]
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote, cur = True, cur + ch
        elif ch == "(":
            depth, cur = depth + 1, cur + ch
        elif ch == ")":
            depth, cur = depth - 1, cur + ch
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def _value(v):
    m = re.fullmatch(r"typeof\((\w+)\)", v)
    if m:
        return m.group(1)
    if v.startswith('"'):
        return json.loads(v)
    if v in ("true", "false"):
        return v == "true"
    if v.endswith("f"):
        return float(v[:-1])
    return int(v)


def parse_cs(text):
    """The classes of a NAME.cs written by cs_source, as classes_of gives them (for the
    verifier: it rebuilds from what the C# side reads, not from this file's specs)."""
    classes, attrs = OrderedDict(), []
    for line in text.split("\n"):
        line = line.strip()
        m = re.fullmatch(r"public partial class (\w+) \{ \}", line)
        if m:
            c = dict(items=[], block=False, input_shape=None)
            for kind, args in attrs:
                if kind == "Block":
                    c["block"] = True
                elif kind == "InputShape":
                    c["input_shape"] = tuple(int(a) for a in args)
                elif kind in BLOCK_KINDS:
                    refs = tuple(_value(a) for a in args if "=" not in a)
                    p = {}
                    for a in args:
                        if "=" in a:
                            k, v = a.split("=", 1)
                            p[k.strip()] = _value(v.strip())
                    c["items"].append((kind, refs, p))
                else:
                    p = {}
                    for a in args:
                        k, v = a.split("=", 1)
                        p[k.strip()] = _value(v.strip())
                    c["items"].append((kind, p))
            classes[m.group(1)] = c
            attrs = []
            continue
        m = re.fullmatch(r"\[(\w+)(?:\((.*)\))?\]", line)
        if m:
            attrs.append((m.group(1), _split_args(m.group(2) or "")))
    return classes


# ----------------------------------------------------------------------------- the builder

class SpecError(Exception):
    """A case the generator must reject; where = (class, item index or "InputShape")."""

    def __init__(self, where, msg):
        super().__init__(f"{where[0]} {where[1]}: {msg}")
        self.where = where


def _shape_after(m, shape):
    with torch.no_grad():
        return tuple(m.eval()(torch.zeros((1,) + tuple(shape))).shape[1:])


def _check_name(name, where):
    if name == "" or "." in name:
        raise SpecError(where, f"bad name {name!r}")


def build_items(classes, cls, shape, stack):
    """The (name, module) items of class cls for an input of shape, its output shape and the
    names its items register (inlined ones' children in their place)."""
    items, taken = [], []
    for pos, it in enumerate(classes[cls]["items"]):
        where = (cls, pos)
        if not is_block_item(it):
            kind, p = it
            name = p.get("Name", str(pos))
            _check_name(name, where)
            try:
                m, _ = torch_layer(kind, p, shape)
                assert type(m).__name__ != "AsymPadConv2d", "asymmetric padding: its keys are flattened"
                out = _shape_after(m, shape)
            except SpecError:
                raise
            except Exception as e:  # a layer the generator rejects, as in layer_cases' errors
                raise SpecError(where, f"{kind}: {e!r}")
            names = [name]
        else:
            kind, refs, p = it
            body_refs = list(refs) + ([p["Shortcut"]] if "Shortcut" in p else [])
            for r in body_refs:
                if r not in classes or not classes[r]["block"]:
                    raise SpecError(where, f"typeof({r}): not a [Block] class")
                if r in stack:
                    raise SpecError(where, f"typeof({r}): a block that contains itself")
            name = p.get("Name", str(pos))
            if name != "":
                _check_name(name, where)
            sub = [build_items(classes, r, shape, stack + (r,)) for r in refs]
            if kind == "Sequential":
                children, out, inner = sub[0]
                m = blocks.Sequential(children)
            elif kind == "Residual":
                children, out, inner = sub[0]
                if "Shortcut" in p:
                    s_children, s_out, _ = build_items(classes, p["Shortcut"], shape, stack + (p["Shortcut"],))
                    sn = p.get("ShortcutName", "shortcut")
                    _check_name(sn, where)
                    if sn in inner:
                        raise SpecError(where, f"ShortcutName {sn!r} is a name in the body")
                    if s_out != out:
                        raise SpecError(where, f"Residual: body gives {out}, shortcut {s_out}")
                    m = blocks.Residual(children, s_children, sn)
                    inner = inner + [sn]
                else:
                    assert "ShortcutName" not in p, "ShortcutName without a Shortcut"
                    if out != shape:
                        raise SpecError(where, f"Residual: body gives {out} for an input of {shape}")
                    m = blocks.Residual(children)
            elif kind == "Concat":
                parts = ([shape] if p.get("IncludeInput", False) else []) + [s[1] for s in sub]
                if len({(len(q),) + tuple(q[1:]) for q in parts}) != 1:
                    raise SpecError(where, f"Concat: parts of shapes {parts}")
                m = blocks.Concat(*[s[0] for s in sub], include_input=p.get("IncludeInput", False))
                out = (sum(q[0] for q in parts),) + tuple(parts[0][1:])
                inner = [str(i) for i in range(len(sub))]
            else:  # Multiply
                children, g, inner = sub[0]
                if g != shape and not (len(shape) == 3 and g == (shape[0], 1, 1)):
                    raise SpecError(where, f"Multiply: gate gives {g} for an input of {shape}")
                m = blocks.Multiply(children)
                out = shape
            assert _shape_after(m, shape) == out, (where, out)
            names = inner if name == "" else [name]
        for n in names:
            if n in taken:
                raise SpecError(where, f"a second child named {n!r}")
            taken.append(n)
        items.append((name, m))
        shape = out
    return items, shape, taken


def build(classes, seed):
    """(model, input shape, output shape) of the network of classes (the class with
    [InputShape]); SpecError where the generator must report an error."""
    for cls, c in classes.items():
        if c["block"] and c["input_shape"] is not None:
            raise SpecError((cls, "InputShape"), "[Block] and [InputShape] on one class")
    nets = [cls for cls, c in classes.items() if c["input_shape"] is not None]
    torch.manual_seed(seed)
    items, out, _ = build_items(classes, nets[0], classes[nets[0]]["input_shape"], ())
    model = blocks.Sequential(items).eval()
    return model, classes[nets[0]]["input_shape"], out


# ----------------------------------------------------------------------------- the naming rules, without torch

LAYER_KEYS = {
    "Conv2D": lambda p: ["weight"] + (["bias"] if p.get("Bias", True) else []),
    "Dense": lambda p: ["weight"] + (["bias"] if p.get("Bias", True) else []),
    "BatchNorm2D": lambda p: (["weight", "bias"] if p.get("Affine", True) else [])
    + ["running_mean", "running_var", "num_batches_tracked"],
    "PReLU": lambda p: ["weight"],
}


def rule_keys(classes, cls, prefix=""):
    """The state_dict keys the naming rules give to the items of cls, in order: a child is its
    Name, else its position; Name = "" puts the children in the parent; a Residual's shortcut
    follows its body under ShortcutName; Concat's branches are "0", "1", ..."""
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


# ----------------------------------------------------------------------------- checks

def check_coverage(name, model64, x64, problems):
    """Every activation sees inputs in every region between its kinks (3 or more each)."""
    seen, notes = {}, []
    hooks = [m.register_forward_hook(lambda mod, inp, out, k=k: seen.setdefault(k, []).append(inp[0].detach()))
             for k, m in model64.named_modules() if isinstance(m, ACTIVATIONS)]
    with torch.no_grad():
        model64(x64)
    for h in hooks:
        h.remove()
    mods = dict(model64.named_modules())
    for k, vals in seen.items():
        m = mods[k]
        v = torch.cat([t.flatten() for t in vals])
        edges = [-float("inf")] + kinks(m) + [float("inf")]
        counts = []
        for lo, hi in zip(edges, edges[1:]):
            cnt = int(((v > lo) & (v < hi)).sum())
            counts.append(cnt)
            if cnt < 3:
                problems.append(f"{name}: {k} ({type(m).__name__}) has {cnt} inputs in ({lo}, {hi})")
        notes.append(f"{k}: {type(m).__name__} inputs in [{float(v.min()):.2f}, {float(v.max()):.2f}], per region {counts}")
    return notes


def containers(model):
    """(path, container) for every Residual, Concat and Multiply, inlined ones included (their
    path is the owner's, with [inline Kind])."""
    out, seen = [], set()

    def walk(m, path):
        if id(m) in seen:
            return
        seen.add(id(m))
        if isinstance(m, (blocks.Residual, blocks.Concat, blocks.Multiply)):
            out.append((path or "<network>", m))
        for k, c in m._modules.items():
            walk(c, f"{path}.{k}" if path else k)
        if isinstance(m, blocks._Container):
            for s in m._steps:
                if not isinstance(s, str):
                    walk(s, f"{path}[inline {type(s).__name__}]")

    walk(model, "")
    return out


def block_mutants(c):
    """(description, replacement forward(x, owner)) pairs: plausible wrong implementations."""
    out = []
    if isinstance(c, blocks.Residual):
        out.append(("Residual without the addition (body only)", lambda self, x, owner: self._run(self._steps, x, owner)))
        if c.shortcut_name:
            out.append(("Residual adding x, not the shortcut", lambda self, x, owner: self._run(self._steps, x, owner) + x))
    elif isinstance(c, blocks.Concat):
        if len(c._steps) + c.include_input > 1:
            out.append(("Concat with its parts in reverse order",
                        lambda self, x, owner: torch.cat(list(reversed(
                            ([x] if self.include_input else []) + [owner._modules[s](x) for s in self._steps])), 1)))
        if c.include_input:
            out.append(("Concat with the input last",
                        lambda self, x, owner: torch.cat([owner._modules[s](x) for s in self._steps] + [x], 1)))
    elif isinstance(c, blocks.Multiply):
        out.append(("Multiply adding the gate", lambda self, x, owner: x + self._run(self._steps, x, owner)))
        out.append(("Multiply returning the gate", lambda self, x, owner: x * 0 + self._run(self._steps, x, owner)))
    return out


def try_mutants(model64, x64, y):
    results = []
    for path, c in containers(model64):
        for desc, fwd in block_mutants(c):
            c._forward = types.MethodType(fwd, c)
            try:
                with torch.no_grad():
                    got = model64(x64)
                hit = caught(got, y)
            except Exception:
                hit = True
            finally:
                del c._forward
            results.append((path, desc, hit))
    for path, m in list(model64.named_modules()):
        if not path:
            continue
        owner_path, _, key = path.rpartition(".")
        owner = model64.get_submodule(owner_path) if owner_path else model64
        for desc, repl in mutants(m):
            owner._modules[key] = repl
            try:
                with torch.no_grad():
                    got = model64(x64)
                hit = caught(got, y)
            finally:
                owner._modules[key] = m
            results.append((path, desc, hit))
    return results


# ----------------------------------------------------------------------------- the cases

C8 = conv(8, Padding=1)
STD = {"input": ("randn", 2.0)}


def basic(filters, stride=1):
    """torchvision's BasicBlock body (the ReLU after the addition follows the Residual)."""
    first = conv(filters, Stride=stride, Padding=1, Bias=False, Name="conv1") if stride != 1 else \
        conv(filters, Padding=1, Bias=False, Name="conv1")
    return [first, bn(Name="bn1"), L("ReLU", Name="relu"),
            conv(filters, Padding=1, Bias=False, Name="conv2"), bn(Name="bn2")]


def conv_bn_relu6(filters, kernel, stride=1, groups=1):
    p = dict(Stride=stride) if stride != 1 else {}
    if kernel == 3:
        p["Padding"] = 1
    if groups != 1:
        p["Groups"] = groups
    return [conv(filters, kernel, **p, Bias=False), bn(), L("ReLU6")]


def inverted_residual_conv(expand, dw, project):
    return [seq(expand), seq(dw), conv(project, 1, Bias=False), bn()]


def se(mid, channels, act, names=False):
    if names:
        return [L("GlobalAvgPool2D", Name="avgpool"), conv(mid, 1, Name="fc1"), L("ReLU", Name="activation"),
                conv(channels, 1, Name="fc2"), L(act, Name="scale_activation")]
    return [L("GlobalAvgPool2D"), conv(mid, 1), L("ReLU"), conv(channels, 1), L(act)]


RUNS = {
    # torchvision's resnet names: conv1, bn1, layerN.0.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}, fc
    "ResNet8": dict(
        input=(3, 16, 16),
        net=[conv(8, Padding=1, Bias=False, Name="conv1"), bn(Name="bn1"), L("ReLU", Name="relu"),
             seq("Layer1", Name="layer1"), seq("Layer2", Name="layer2"), seq("Layer3", Name="layer3"),
             L("GlobalAvgPool2D", Name="avgpool"), L("Flatten"), L("Dense", Outputs=10, Name="fc")],
        blocks={
            "Layer1": [res("Basic8", Name="0"), L("ReLU")],
            "Basic8": basic(8),
            "Layer2": [res("Basic16", Shortcut="Down16", ShortcutName="downsample", Name="0"), L("ReLU")],
            "Basic16": basic(16, 2),
            "Down16": [conv(16, 1, Stride=2, Bias=False), bn()],
            "Layer3": [res("Basic32", Shortcut="Down32", ShortcutName="downsample", Name="0"), L("ReLU")],
            "Basic32": basic(32, 2),
            "Down32": [conv(32, 1, Stride=2, Bias=False), bn()],
        },
        opts=STD),
    # torchvision's mobilenet_v2 names: features.N.conv.{0.0, 0.1, 1.0, 1.1, 2, 3}, classifier.1;
    # features.1 and .3 add their input (stride 1, same channels), features.2 (stride 2) does not
    "MobileNetV2": dict(
        input=(3, 16, 16),
        net=[seq("Features", Name="features"), L("GlobalAvgPool2D"), L("Flatten"), seq("Classifier", Name="classifier")],
        blocks={
            "Features": [seq("Stem"), res("Ir16"), seq("Ir24S2"), res("Ir24")],
            "Stem": conv_bn_relu6(16, 3, stride=2),
            "Ir16": [seq("Ir16Conv", Name="conv")],
            "Ir16Conv": inverted_residual_conv("Expand64", "Dw64", 16),
            "Ir24S2": [seq("Ir24S2Conv", Name="conv")],
            "Ir24S2Conv": inverted_residual_conv("Expand64", "Dw64S2", 24),
            "Ir24": [seq("Ir24Conv", Name="conv")],
            "Ir24Conv": inverted_residual_conv("Expand96", "Dw96", 24),
            "Expand64": conv_bn_relu6(64, 1),
            "Dw64": conv_bn_relu6(64, 3, groups=64),
            "Dw64S2": conv_bn_relu6(64, 3, stride=2, groups=64),
            "Expand96": conv_bn_relu6(96, 1),
            "Dw96": conv_bn_relu6(96, 3, groups=96),
            "Classifier": [L("Dropout", P=0.2), L("Dense", Outputs=10)],
        },
        opts={"input": ("randn", 3.0),
              "scale": {"features.0.0": 3.0, "features.0.1": 2.0, "features.1.conv.0.1": 3.0,
                        "features.1.conv.1.1": 3.0, "features.2.conv.0.1": 3.0, "features.2.conv.1.1": 3.0,
                        "features.3.conv.0.1": 3.0, "features.3.conv.1.1": 3.0}}),
    # squeeze-and-excitation: torchvision's SqueezeExcitation names (fc1, fc2) with a Hardsigmoid,
    # then an unnamed one with a Sigmoid; the gate is [C, 1, 1], broadcast over H, W
    "SqueezeExcite": dict(
        input=(3, 8, 8),
        net=[conv(16, Padding=1, Name="conv"), bn(), L("ReLU"), mul("SeHard", Name="se"), conv(16, 1),
             mul("SeSigmoid"), L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=5)],
        blocks={"SeHard": se(4, 16, "Hardsigmoid", names=True), "SeSigmoid": se(4, 16, "Sigmoid")},
        opts={"input": ("randn", 2.0), "scale": {"se.fc1": 2.0, "se.fc2": 8.0, "5.1": 2.0, "5.3": 3.0}}),
    # a gate of the input's own shape: x * sigmoid(conv(x))
    "GateSameShape": dict(
        input=(4, 8, 8),
        net=[C8, L("ReLU"), mul("Gate", Name="gate"), conv(4, 1)],
        blocks={"Gate": [conv(8, Padding=1), L("Sigmoid")]},
        opts={"input": ("randn", 2.0), "scale": {"gate.0": 3.0}}),
    # SqueezeNet's Fire module, used twice: squeeze 1x1, then expand 1x1 and 3x3 side by side
    "Fire": dict(
        input=(3, 16, 16),
        net=[conv(16, Padding=1, Name="conv1"), L("ReLU"), L("MaxPool2D", Kernel=2),
             seq("Module", Name="fire2"), seq("Module", Name="fire3"), conv(10, 1, Name="final_conv"),
             L("ReLU"), L("GlobalAvgPool2D"), L("Flatten")],
        blocks={
            "Module": [conv(4, 1, Name="squeeze"), L("ReLU", Name="squeeze_activation"),
                       cat("Expand1x1", "Expand3x3", Name="expand")],
            "Expand1x1": [conv(8, 1), L("ReLU")],
            "Expand3x3": [conv(8, 3, Padding=1), L("ReLU")],
        },
        opts=STD),
    # DenseNet: each layer's output appended to its input (IncludeInput), 8 -> 12 -> 16 channels;
    # the same block class at two input widths
    "DenseNet": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Bias=False, Name="conv0"), cat("Layer", IncludeInput=True, Name="denselayer1"),
             cat("Layer", IncludeInput=True, Name="denselayer2"), bn(Name="norm5"), L("ReLU"),
             L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=5, Name="classifier")],
        blocks={"Layer": [bn(Name="norm1"), L("ReLU", Name="relu1"), conv(4, Padding=1, Bias=False, Name="conv1")]},
        opts=STD),
    # a Sequential of Residuals whose bodies end in a Multiply (squeeze-and-excitation, as SE-ResNet)
    "Nested": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), seq("Stage", Name="stage"), L("GlobalAvgPool2D"), L("Flatten"),
             L("Dense", Outputs=4)],
        blocks={
            "Stage": [res("Body"), L("ReLU"), res("Body", Name="res2"), L("ReLU")],
            "Body": [conv(8, Padding=1, Bias=False), bn(), L("ReLU"), conv(8, Padding=1, Bias=False), bn(), mul("Se")],
            "Se": se(6, 8, "Sigmoid"),
        },
        opts={"input": ("randn", 2.0), "scale": {"stage.0.5.3": 3.0, "stage.res2.5.3": 3.0}}),
    # Name = "" on Sequentials: Pair's unnamed children keep their own positions ("0", "1") among
    # the network's items (whose 0 and 1 are named); Deep inlines a Residual, inlined in turn;
    # the Dense is item 7 of the network
    "InlineSequential": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), L("ReLU", Name="act"), seq("Pair", Name=""), L("ReLU"),
             seq("Deep", Name=""), L("GlobalAvgPool2D"), L("Flatten"), L("Dense", Outputs=4)],
        blocks={
            "Pair": [C8, bn()],
            "Deep": [res("DeepBody", Name=""), L("ReLU", Name="deep_relu")],
            "DeepBody": [conv(8, Padding=1, Name="deep_conv"), bn(Name="deep_bn")],
        },
        opts=STD),
    # Name = "" on a Residual with a shortcut and on a Multiply, inside a named Sequential
    "InlineResidual": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), seq("Stage", Name="stage"), L("GlobalAvgPool2D"), L("Flatten"),
             L("Dense", Outputs=4, Name="fc")],
        blocks={
            "Stage": [res("Body", Shortcut="Proj", ShortcutName="proj", Name=""), L("ReLU"), mul("Gate", Name="")],
            "Body": [conv(12, Padding=1, Name="conv_b"), bn(Name="bn_b"), L("ReLU", Name="relu_b"),
                     conv(12, Padding=1, Name="conv_c")],
            "Proj": [conv(12, 1, Bias=False), bn()],
            "Gate": [conv(12, 1, Name="gate_conv"), L("Sigmoid", Name="gate_sigmoid")],
        },
        opts={"input": ("randn", 2.0), "scale": {"stage.gate_conv": 2.0}}),
    # names and positions mixed, on blocks and layers; a default ShortcutName ("shortcut");
    # in Gate, layer 0 is named "1" and layer 1 "0"
    "NamedMix": dict(
        input=(3, 8, 8),
        net=[conv(8, Padding=1, Name="stem"), L("ReLU"), seq("Body", Name="body"), res("Res", Shortcut="Proj"),
             mul("Gate", Name="gate"), L("GlobalAvgPool2D", Name="pool"), L("Flatten"),
             L("Dense", Outputs=5, Name="head")],
        blocks={
            "Body": [C8, bn(Name="bn"), L("ReLU"), conv(8, Padding=1, Name="conv")],
            "Res": [conv(12, Padding=1, Name="c1"), L("ReLU"), conv(12, Padding=1)],
            "Proj": [conv(12, 1, Bias=False), bn()],
            "Gate": [conv(12, 1, Name="1"), L("Sigmoid", Name="0")],
        },
        opts={"input": ("randn", 2.0), "scale": {"gate.1": 2.0}}),
    # three branches of 4, 6 and 2 channels (Inception-like), the concatenation is the output
    "Concat3": dict(
        input=(4, 8, 8),
        net=[C8, L("ReLU"), cat("A", "B", "C", Name="mixed")],
        blocks={
            "A": [conv(4, 1)],
            "B": [conv(6, 1), L("ReLU"), conv(6, 3, Padding=1)],
            "C": [L("MaxPool2D", Kernel=3, Stride=1, Padding=1), conv(2, 1)],
        },
        opts=STD),
    # VGG from Sequential blocks: Conv16 used twice in a row, stages, a classifier block
    "VggBlocks": dict(
        input=(3, 16, 16),
        net=[seq("Stage16", Name="features1"), seq("Stage32", Name="features2"), L("Flatten"),
             seq("Head", Name="classifier")],
        blocks={
            "Stage16": [seq("Conv16"), seq("Conv16"), L("MaxPool2D", Kernel=2)],
            "Conv16": [conv(16, Padding=1), bn(), L("ReLU")],
            "Stage32": [seq("Conv32"), L("MaxPool2D", Kernel=2)],
            "Conv32": [conv(32, Padding=1), bn(), L("ReLU")],
            "Head": [L("Dense", Outputs=32), L("ReLU"), L("Dropout", P=0.5), L("Dense", Outputs=10)],
        },
        opts=STD),
}

ONNX = ("ResNet8", "MobileNetV2")

# fault: (suffix or None for the network, item index or "InputShape"); each case has one fault
ERRORS = {
    # the body turns 8 channels into 16
    "ResidualChangesShape": dict(input=(3, 8, 8), net=[C8, res("Body")], blocks={"Body": [conv(16, Padding=1)]},
                                 fault=(None, 1)),
    # body 16x4x4, shortcut 16x8x8
    "ResidualShortcutShape": dict(input=(3, 8, 8), net=[C8, res("Body", Shortcut="Proj")],
                                  blocks={"Body": [conv(16, Stride=2, Padding=1)], "Proj": [conv(16, 1)]},
                                  fault=(None, 1)),
    # inside a block used by the network: the block's attribute
    "ResidualInBlockChangesShape": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                        blocks={"Stage": [L("ReLU"), res("Body")], "Body": [conv(8, 3)]},
                                        fault=("Stage", 1)),
    # 4x8x8 beside 4x4x4
    "ConcatSpatialMismatch": dict(input=(3, 8, 8), net=[C8, cat("A", "B")],
                                  blocks={"A": [conv(4, Padding=1)], "B": [conv(4, Stride=2, Padding=1)]},
                                  fault=(None, 1)),
    # the input (8x8) beside a pooled branch (4x4), in a block
    "ConcatInputMismatch": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                blocks={"Stage": [L("ReLU"), cat("Down", IncludeInput=True)],
                                        "Down": [L("MaxPool2D", Kernel=2)]},
                                fault=("Stage", 1)),
    # a [4, 1, 1] gate for 8 channels
    "MultiplyWrongChannels": dict(input=(3, 8, 8), net=[C8, mul("Se")],
                                  blocks={"Se": [L("GlobalAvgPool2D"), conv(4, 1), L("Sigmoid")]}, fault=(None, 1)),
    # a [1, H, W] gate: PyTorch would broadcast it over the channels, the contract allows only
    # x's shape or [C, 1, 1]
    "MultiplySpatialGate": dict(input=(3, 8, 8), net=[C8, mul("Gate")],
                                blocks={"Gate": [conv(1, Padding=1), L("Sigmoid")]}, fault=(None, 1)),
    # an [8, 6, 6] gate for 8x8x8
    "MultiplyGateSmaller": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                                blocks={"Stage": [mul("Gate")], "Gate": [conv(8, 3), L("Sigmoid")]},
                                fault=("Stage", 0)),
    # typeof a class without [Block] (and without attributes, so that it is no error itself)
    "TypeofPlainClass": dict(input=(3, 8, 8), net=[C8, seq("Plain")], blocks={"Plain": dict(items=[], block=False)},
                             fault=(None, 1)),
    # typeof a network (a valid one of its own: [InputShape], no [Block])
    "TypeofNetwork": dict(input=(3, 8, 8), net=[conv(8), res("Other")],
                          blocks={"Other": dict(items=[conv(8, Padding=1)], block=False, input_shape=(8, 6, 6))},
                          fault=(None, 1)),
    # a class with both: the [InputShape] is at fault (a block has none)
    "BlockWithInputShape": dict(net=None, blocks={"": dict(items=[conv(4)], input_shape=(3, 8, 8))},
                                fault=("", "InputShape")),
    # a block that uses itself
    "BlockSelfCycle": dict(input=(3, 8, 8), net=[C8, seq("Loop")],
                           blocks={"Loop": [C8, L("ReLU"), res("Loop")]}, fault=("Loop", 2)),
    # A uses B uses A: the attribute that closes the cycle, walking from the network
    "BlockCycle": dict(input=(3, 8, 8), net=[C8, seq("A")],
                       blocks={"A": [C8, seq("B")], "B": [L("ReLU"), res("A")]}, fault=("B", 1)),
    "EmptyNameOnLayer": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                             blocks={"Stage": [conv(8, Padding=1, Name=""), L("ReLU")]}, fault=("Stage", 0)),
    "DuplicateSiblingNames": dict(input=(3, 8, 8), net=[C8, seq("Stage", Name="stage")],
                                  blocks={"Stage": [conv(8, Padding=1, Name="a"), L("ReLU"), conv(8, Padding=1, Name="a")]},
                                  fault=("Stage", 2)),
    # a block named like a layer before it
    "DuplicateBlockName": dict(input=(3, 8, 8), net=[conv(8, Padding=1, Name="x"), seq("B", Name="x")],
                               blocks={"B": [L("ReLU")]}, fault=(None, 1)),
    # item 1 named "0", item 0's position
    "BlockNameClashesWithPosition": dict(input=(3, 8, 8), net=[C8, res("B", Name="0")],
                                         blocks={"B": [conv(8, Padding=1)]}, fault=(None, 1)),
    # the inlined Pair brings "0" and "1"; the convolution after it is item 1, "1"
    "InlineNameClash": dict(input=(3, 8, 8), net=[seq("Pair", Name=""), C8], blocks={"Pair": [C8, bn()]},
                            fault=(None, 1)),
    # ShortcutName equal to a name in the body
    "ShortcutNameClash": dict(input=(3, 8, 8), net=[C8, res("Body", Shortcut="Proj", ShortcutName="conv1")],
                              blocks={"Body": [conv(8, Padding=1, Name="conv1"), bn()], "Proj": [conv(8, 1)]},
                              fault=(None, 1)),
    "DottedBlockName": dict(input=(3, 8, 8), net=[C8, seq("B", Name="stage.0")], blocks={"B": [L("ReLU")]},
                            fault=(None, 1)),
    "DottedShortcutName": dict(input=(3, 8, 8), net=[C8, seq("Stage")],
                               blocks={"Stage": [res("Body", Shortcut="Proj", ShortcutName="down.sample")],
                                       "Body": [C8], "Proj": [conv(8, 1)]},
                               fault=("Stage", 0)),
}


# ----------------------------------------------------------------------------- the writer

def case_seed(name, seed):
    return seed + zlib.crc32(name.encode()) % 1000003


def write_run(out, name, case, seed, batch):
    classes = classes_of(name, case)
    opts = case.get("opts", {})
    s = case_seed(name, seed)
    model, in_shape, out_shape = build(classes, s)
    gen = torch.Generator().manual_seed(s + 5000)
    randomize(model, gen, opts.get("var", (0.5, 2.0)))
    with torch.no_grad():
        for path, factor in opts.get("scale", {}).items():
            m = model.get_submodule(path)
            for t in (m.weight, getattr(m, "bias", None)):
                if t is not None:
                    t.mul_(factor)
    x = make_input((batch,) + tuple(in_shape), opts, gen)
    model.eval()
    sd = model.state_dict()
    keys = list(sd.keys())
    assert keys == rule_keys(classes, name), (name, keys, rule_keys(classes, name))
    floats = [t.detach().flatten() for t in sd.values() if t.is_floating_point()]
    flat = (torch.cat(floats) if floats else torch.zeros(0)).to(torch.float32).clone()
    tensors = OrderedDict((k, v.detach().clone()) for k, v in sd.items())
    if name in ONNX:
        torch.onnx.export(model, x[:1], os.path.join(out, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    model64 = copy.deepcopy(model).double().eval()
    x64 = x.double()
    with torch.no_grad():
        y = model64(x64)
    assert tuple(y.shape[1:]) == tuple(out_shape), (name, y.shape, out_shape)
    assert torch.isfinite(y).all(), name
    problems = []
    notes = check_coverage(name, model64, x64, problems)
    muts = try_mutants(model64, x64, y)
    src, _ = cs_source(classes)
    f32(os.path.join(out, name + ".params.f32"), flat)
    f32(os.path.join(out, name + ".input.f32"), x)
    f32(os.path.join(out, name + ".expected.f32"), y)
    tensors["input"], tensors["expected"] = x.float(), y.float()
    write_safetensors(os.path.join(out, name + ".safetensors"), tensors)
    with open(os.path.join(out, name + ".cs"), "w") as f:
        f.write(src)

    # the module rebuilt from the spec (other seed) takes the file's tensors, strictly
    check, _, _ = build(classes, 0)
    check.load_state_dict({k: v for k, v in tensors.items() if k not in ("input", "expected")}, strict=True)
    again = torch.cat([t.flatten() for t in check.state_dict().values() if t.is_floating_point()]) if floats else torch.zeros(0)
    assert torch.equal(again.float(), flat), name
    with torch.no_grad():
        assert torch.equal(check.double().eval()(x.double()).float(), y.float()), name

    n_out = 1
    for d in out_shape:
        n_out *= d
    entry = dict(name=name, kind="run", batch=batch, input_shape=list(in_shape), output_shape=list(out_shape),
                 output_length=n_out, params=int(flat.numel()))
    summary = dict(name=name, classes=list(classes), input_shape=list(in_shape), output_shape=list(out_shape),
                   params=int(flat.numel()), keys=keys, notes=notes,
                   mutants=[dict(module=k, mutant=d, caught=c) for k, d, c in muts])
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
        reason = str(e)
    else:
        raise AssertionError(f"{name}: builds")
    line = where[fault]
    with open(os.path.join(out, name + ".cs"), "w") as f:
        f.write(src)
    return dict(name=name, kind="error", line=line), dict(name=name, kind="error", line=line, cls=cls,
                                                         attribute=src.split("\n")[line - 1], reason=reason)


def write_all(out, batch=3, seed=7000, report=None):
    os.makedirs(out, exist_ok=True)
    names = list(RUNS) + list(ERRORS)
    assert len(set(names)) == len(names)
    all_classes = [c for n in names for c in classes_of(n, RUNS.get(n) or ERRORS[n])]
    assert len(set(all_classes)) == len(all_classes), "class names collide across cases"
    index, summary, problems = [], [], []
    for name in sorted(RUNS):
        e, s, p = write_run(out, name, RUNS[name], seed, batch)
        index.append(e)
        summary.append(s)
        problems += p
    for name in sorted(ERRORS):
        e, s = write_error(out, name, ERRORS[name])
        index.append(e)
        summary.append(s)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
    if report:
        with open(report, "w") as f:
            json.dump(summary, f, indent=1)
    print(len(index), "cases written to", out)
    if problems:
        raise SystemExit("inputs do not exercise the layers:\n" + "\n".join(problems))
    return summary


if __name__ == "__main__":
    args = list(sys.argv[1:])
    report = None
    if "--report" in args:
        i = args.index("--report")
        report = args[i + 1]
        del args[i:i + 2]
    out = args[0] if args else os.path.join(HERE, "..", "fixtures", "blocks")
    write_all(os.path.normpath(out), report=report)
