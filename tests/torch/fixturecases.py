"""What block_cases.py, sequence_cases.py, upsampling_cases.py and channel_cases.py share: a case's
classes ([Block]s and the network) and their C#, the builder of the PyTorch network with the
generator's errors, the naming rules' keys, the checks and the writer of a fixture directory. Each
script gives its namespace, its layers (a Fixtures) and its cases.

A case is a dict:
  input:   the network's input shape ((C, H, W), or (C, L) for a 1D network)
  net:     the network's items (None: the file has only the classes of `blocks`)
  blocks:  {suffix: items} or {suffix: dict(items=..., block=True, input_shape=None)}: the other
           classes of NAME.cs, named NAME + suffix ("" is NAME itself), in file order; block=False
           writes a class without [Block] (with [InputShape] when input_shape is given)
  batch:   run cases: the input's batch (default 3)
  opts:    run cases: casegen.make_input's input, var (BatchNorm running_var range), scale {module
           path: factor} (weight and bias), weight_scale {module path: factor}, and the script's own
  fault:   error cases: (suffix or None for the network, item index or "InputShape"): the attribute
           the generator must report; the builder must fail there too
  id, suggested, why, pytorch: error cases, where the script's Fixtures has ids (see write_error)
An item is a layer, (kind, {property: value}) as in netspec.py, or a block reference,
(kind, (suffix, ...), {property: value}) with kind Sequential, Residual, Concat or Multiply;
Shortcut's value is a suffix too.
"""
import json
import math
import os
import re
import sys
import types
from collections import OrderedDict
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.nn.functional as F

import blocks
from casegen import (activation_inputs, case_seed, caught, check_regions, export_onnx, make_input, randomize,
                     randomize_batch_norm, run_float64, scale, write_files)
from netspec import cs_attribute, cs_input, cs_literal

BLOCK_KINDS = ("Sequential", "Residual", "Concat", "Multiply")


# ----------------------------------------------------------------------------- spec helpers

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

def cs_item(item):
    if not is_block_item(item):
        return cs_attribute(*item)
    kind, refs, p = item
    args = [f"typeof({r})" for r in refs]
    for k, v in p.items():
        args.append(f"{k} = typeof({v})" if k == "Shortcut" else f"{k} = {cs_literal(v)}")
    return f"[{kind}({', '.join(args)})]"


def cs_source(classes, namespace):
    """NAME.cs and {(class, item index or "InputShape" or "Block"): 1-based line}."""
    lines = ["using CnnGen;", "", f"namespace {namespace};"]
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
    """The classes of a NAME.cs written by cs_source (or casegen.py), as classes_of gives them: the
    verifiers rebuild from what the C# side reads, not from the scripts' specs."""
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


# ----------------------------------------------------------------------------- PyTorch modules

def pad(x, pads, mode):
    """F.pad with nn.Conv's mode names ("zeros" is F.pad's "constant")."""
    return F.pad(x, pads) if mode == "zeros" else F.pad(x, pads, mode=mode)


class PadFirst:
    """A convolution (padding 0) after pad(x, pads, mode): per-side padding (PadLeft, ...). Its
    tensors are the convolution's, under the same names."""

    def __init__(self, *args, pads, mode="zeros", **kwargs):
        super().__init__(*args, **kwargs)
        self.pads = tuple(pads)
        self.mode = mode

    def forward(self, x):
        return super().forward(pad(x, self.pads, self.mode))


class Multiply1d(blocks.Multiply):
    """blocks.Multiply for [N, C, L]: the gate of x's shape or [N, C, 1]."""

    def _forward(self, x, owner):
        g = self._run(self._steps, x, owner)
        if not (g.shape == x.shape or (x.dim() == 3 and tuple(g.shape) == (x.shape[0], x.shape[1], 1))):
            raise ValueError(f"Multiply: the gate gives {tuple(g.shape)} for an input of {tuple(x.shape)}")
        return x * g


# ----------------------------------------------------------------------------- the builder

class SpecError(Exception):
    """A case the generator must reject; where = (class, item index or "InputShape"), id the
    diagnostic (None: not classified), torch_says what PyTorch does with the same layer."""

    def __init__(self, where, msg, id=None, torch_says=None):
        super().__init__(f"{where[0]} {where[1]}: {msg}")
        self.where = where
        self.msg = msg
        self.id = id
        self.torch_says = torch_says


class Fault(Exception):
    """A layer the generator must reject; id the diagnostic (None where the script does not say)."""

    def __init__(self, id, msg):
        super().__init__(msg)
        self.id = id


def _shape_after(m, shape):
    with torch.no_grad():
        return tuple(m.eval()(torch.zeros((1,) + tuple(shape))).shape[1:])


def _check_name(name, where):
    if name == "" or "." in name:
        raise SpecError(where, f"bad name {name!r}", "CNN0020")


def build_items(classes, cls, shape, stack, make):
    """The (name, module) items of class cls for an input of shape, its output shape and the
    names its items register (inlined ones' children in their place); make(where, kind, p, shape)
    gives a layer's module and output shape."""
    items, taken = [], []
    for pos, it in enumerate(classes[cls]["items"]):
        where = (cls, pos)
        if not is_block_item(it):
            kind, p = it
            name = p.get("Name", str(pos))
            _check_name(name, where)
            m, out = make(where, kind, p, shape)
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
            sub = [build_items(classes, r, shape, stack + (r,), make) for r in refs]
            if kind == "Sequential":
                children, out, inner = sub[0]
                m = blocks.Sequential(children)
            elif kind == "Residual":
                children, out, inner = sub[0]
                if "Shortcut" in p:
                    s_children, s_out, _ = build_items(classes, p["Shortcut"], shape, stack + (p["Shortcut"],), make)
                    sn = p.get("ShortcutName", "shortcut")
                    _check_name(sn, where)
                    if sn in inner:
                        raise SpecError(where, f"ShortcutName {sn!r} is a name in the body", "CNN0020")
                    if s_out != out:
                        raise SpecError(where, f"Residual: body gives {out}, shortcut {s_out}", "CNN0023")
                    m = blocks.Residual(children, s_children, sn)
                    inner = inner + [sn]
                else:
                    assert "ShortcutName" not in p, "ShortcutName without a Shortcut"
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
            else:  # Multiply: the gate of x's shape or [C, 1, 1] ([C, 1] on a sequence)
                children, g, inner = sub[0]
                if g not in (shape, (shape[0],) + (1,) * (len(shape) - 1)):
                    raise SpecError(where, f"Multiply: gate gives {g} for an input of {shape}", "CNN0025")
                m = (Multiply1d if len(shape) == 2 else blocks.Multiply)(children)
                out = shape
            assert _shape_after(m, shape) == out, (where, out)
            names = inner if name == "" else [name]
        for n in names:
            if n in taken:
                raise SpecError(where, f"a second child named {n!r}", "CNN0020")
            taken.append(n)
        items.append((name, m))
        shape = out
    return items, shape, taken


def build(classes, seed, layer, verdict=None):
    """(model, input shape, output shape) of the network of classes (the first class with
    [InputShape]); SpecError where the generator must report an error. layer(kind, p, shape, rank)
    gives a layer's module (rank 1: InputShape(c, l), 2: InputShape(c, h, w)), Fault where the
    generator rejects it; verdict(kind, p, shape) says what PyTorch does with a Fault's layer."""
    for cls, c in classes.items():
        if c["block"] and c["input_shape"] is not None:
            raise SpecError((cls, "InputShape"), "[Block] and [InputShape] on one class")
    nets = [cls for cls, c in classes.items() if c["input_shape"] is not None]
    in_shape = tuple(classes[nets[0]]["input_shape"])
    rank = len(in_shape) - 1

    def make(where, kind, p, shape):
        try:
            m = layer(kind, p, shape, rank)
            return m, _shape_after(m, shape)
        except Fault as e:
            raise SpecError(where, f"{kind}: {e}", e.id, verdict(kind, p, shape) if verdict else None)
        except Exception as e:  # whatever PyTorch rejects that no rule names
            raise SpecError(where, f"{kind}: {e!r}")

    torch.manual_seed(seed)
    items, out, _ = build_items(classes, nets[0], in_shape, (), make)
    return blocks.Sequential(items).eval(), in_shape, out


# ----------------------------------------------------------------------------- the naming rules, without torch

def _weight_bias(p):
    return ["weight"] + (["bias"] if p.get("Bias", True) else [])


def _batch_norm(p):
    return (["weight", "bias"] if p.get("Affine", True) else []) + ["running_mean", "running_var", "num_batches_tracked"]


LAYER_KEYS = {"Conv2D": _weight_bias, "Conv1D": _weight_bias, "ConvTranspose2D": _weight_bias, "Dense": _weight_bias,
              "BatchNorm2D": _batch_norm, "BatchNorm1D": _batch_norm, "PReLU": lambda p: ["weight"]}


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

def randomize_all(model, gen, var=(0.5, 2.0)):
    """casegen.randomize (BatchNorm2d, PReLU), then BatchNorm1d as it does BatchNorm2d: weight, bias
    ~ N(0, 1), running_mean ~ N(0, 0.5^2), running_var ~ U(var), num_batches_tracked a count. A
    second pass, so that the values of networks with both stay what they were."""
    randomize(model, gen, var)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm1d):
                randomize_batch_norm(m, gen, var)


def check_coverage(name, model64, x64, problems):
    """Every activation sees inputs in every region between its kinks (3 or more each)."""
    notes = []
    for k, m, v in activation_inputs(model64, x64, list(model64.named_modules())):
        counts = check_regions(name, k, m, v, problems)
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


def try_mutants(run, layer_checks):
    """[(path, description, group, caught)]: group "block" for the containers' mutants (block_mutants),
    then per module what layer_checks(module, its input shape) gives, (controls, mutants, others): "control"
    (a reimplementation, must match), "mutant" (the script's, must be caught) and "other" (reported). Caught:
    check-package's tolerance rejects the output; a mutant that cannot run (shapes) counts as caught."""
    model64, x64, y = run.model64, run.x64, run.y
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
        ctl, mut, others = layer_checks(m, shapes[path])
        for group, pairs in (("control", ctl), ("mutant", mut), ("other", others)):
            for desc, repl in pairs:
                try:
                    hit = caught(_replace(model64, path, repl.double() if group == "control" else repl, x64), y)
                except Exception:
                    assert group != "control", (path, desc)
                    hit = True
                results.append((path, desc, group, hit))
    return results


def reported(results):
    """The report's fields of try_mutants' results where nothing is required of them."""
    return dict(mutants=[dict(module=p, mutant=d, caught=h) for p, d, _, h in results])


def required(run, results, problems):
    """Controls must match; the script's and the containers' mutants must be caught, except those
    the case's opts list under "uncaught" [(module path or None for any, description prefix, why)],
    which must not be (and each must excuse some mutant). The report's fields."""
    excuses = run.opts.get("uncaught", [])

    def excused(path, desc):
        return [e for e in excuses if e[0] in (None, path) and desc.startswith(e[1])]
    for path, desc, group, hit in results:
        if group == "control" and hit:
            problems.append(f"{run.name}: {path}: the control '{desc}' differs from PyTorch")
        if group in ("mutant", "block") and not hit and not excused(path, desc):
            problems.append(f"{run.name}: {path}: the mutant '{desc}' is not caught")
        if group in ("mutant", "block") and hit and excused(path, desc):
            problems.append(f"{run.name}: {path}: the mutant '{desc}' is excused but caught")
    for e in excuses:
        assert any(excused(p, d) == [e] for p, d, g, _ in results if g == "mutant"), (run.name, "excuses nothing", e)
    return dict(checks=[dict(module=p, check=d, kind=g, caught=h) for p, d, g, h in results])


# ----------------------------------------------------------------------------- the writer

class Fixtures:
    """A fixture directory as one script writes it.

    namespace  NAME.cs's namespace
    layer      layer(kind, p, shape, rank): a layer's module, Fault where the generator rejects it (build)
    checks     checks(run, problems): the script's checks of a run case (run: name, opts, model, x, model64,
               x64, y); returns the report's fields (reported or required)
    verdict    verdict(kind, p, shape): what PyTorch does with a faulty layer; error entries get "pytorch"
    ids        None: an error entry has the line only; "listed": also the case's id (null with
               "expected_id_tbd" and "suggested_id") and why; "checked": and the builder's SpecError
               must have that id (or the suggested one)
    onnx       run cases also written as NAME.onnx (opset 13)
    newline    cases.json ends with a newline (block_cases' never did)
    """

    def __init__(self, namespace, layer, checks, verdict=None, ids=None, onnx=(), newline=True):
        self.namespace, self.layer, self.checks, self.verdict = namespace, layer, checks, verdict
        self.ids, self.onnx, self.newline = ids, onnx, newline

    def build(self, classes, seed):
        return build(classes, seed, self.layer, self.verdict)

    def cs_source(self, classes):
        return cs_source(classes, self.namespace)

    def write_run(self, out, name, case, seed):
        batch = case.get("batch", 3)
        classes = classes_of(name, case)
        opts = case.get("opts", {})
        s = case_seed(name, seed)
        model, in_shape, out_shape = self.build(classes, s)
        gen = torch.Generator().manual_seed(s + 5000)
        randomize_all(model, gen, opts.get("var", (0.5, 2.0)))
        scale(model, opts)
        x = make_input((batch,) + tuple(in_shape), opts, gen)
        model.eval()
        sd = model.state_dict()
        keys = list(sd.keys())
        assert keys == rule_keys(classes, name), (name, keys, rule_keys(classes, name))
        floats = [t.detach().flatten() for t in sd.values() if t.is_floating_point()]
        flat = (torch.cat(floats) if floats else torch.zeros(0)).to(torch.float32).clone()
        tensors = OrderedDict((k, v.detach().clone()) for k, v in sd.items())
        if name in self.onnx:
            export_onnx(model, x, os.path.join(out, name + ".onnx"))
        model64, x64, y = run_float64(name, model, x, out_shape)
        problems = []
        notes = check_coverage(name, model64, x64, problems)
        run = SimpleNamespace(name=name, opts=opts, model=model, x=x, model64=model64, x64=x64, y=y)
        fields = self.checks(run, problems)
        src, _ = self.cs_source(classes)
        write_files(out, name, flat, x, y, tensors, src)

        # the module rebuilt from what NAME.cs says (another seed) takes the file's tensors, strictly
        check, _, _ = self.build(parse_cs(src), 0)
        check.load_state_dict(tensors, strict=True)
        again = [t.flatten() for t in check.state_dict().values() if t.is_floating_point()]
        assert torch.equal((torch.cat(again) if again else torch.zeros(0)).float(), flat), name
        with torch.no_grad():
            assert torch.equal(check.double().eval()(x.double()).float(), y.float()), name

        entry = dict(name=name, kind="run", batch=batch, input_shape=list(in_shape), output_shape=list(out_shape),
                     output_length=math.prod(out_shape), params=int(flat.numel()))
        summary = dict(name=name, classes=list(classes), input_shape=list(in_shape), output_shape=list(out_shape),
                       params=int(flat.numel()), keys=keys, notes=notes, **fields)
        return entry, summary, problems

    def write_error(self, out, name, case):
        classes = classes_of(name, case)
        src, where = self.cs_source(classes)
        cls = name + (case["fault"][0] or "")
        fault = (cls, case["fault"][1])
        try:
            self.build(classes, 0)
        except SpecError as e:
            assert e.where == fault, (name, e.where, fault, str(e))
            if self.ids == "checked":
                assert e.id == (case["id"] or case.get("suggested")), (name, e.id, case["id"], str(e))
            reason, torch_says = str(e), e.torch_says
        else:
            raise AssertionError(f"{name}: builds")
        line = where[fault]
        with open(os.path.join(out, name + ".cs"), "w") as f:
            f.write(src)
        entry = dict(name=name, kind="error", line=line)
        if self.ids:
            entry["id"] = case["id"]
            if case["id"] is None:
                entry["expected_id_tbd"] = True
                if "suggested" in case:
                    entry["suggested_id"] = case["suggested"]
            entry["why"] = case["why"]
        if self.verdict:
            entry["pytorch"] = case.get("pytorch") or torch_says or "no equivalent"
        return entry, dict(entry, cls=cls, attribute=src.split("\n")[line - 1], reason=reason)

    def write_all(self, out, runs, errors, seed, report=None):
        os.makedirs(out, exist_ok=True)
        names = list(runs) + list(errors)
        assert len(set(names)) == len(names)
        all_classes = [c for n in names for c in classes_of(n, runs.get(n) or errors[n])]
        assert len(set(all_classes)) == len(all_classes), "class names collide across cases"
        index, summary, problems = [], [], []
        for name in sorted(runs):
            e, s, p = self.write_run(out, name, runs[name], seed)
            index.append(e)
            summary.append(s)
            problems += p
        for name in sorted(errors):
            e, s = self.write_error(out, name, errors[name])
            index.append(e)
            summary.append(s)
        with open(os.path.join(out, "cases.json"), "w") as f:
            json.dump(index, f, indent=1)
            if self.newline:
                f.write("\n")
        if report:
            with open(report, "w") as f:
                json.dump(summary, f, indent=1)
        print(len(index), "cases written to", out, f"({len(runs)} run, {len(errors)} error)")
        if problems:
            raise SystemExit("the inputs do not exercise the layers:\n" + "\n".join(problems))
        return summary

    def main(self, runs, errors, default_out, seed):
        """usage: SCRIPT [OUT_DIR] [--report REPORT.json]"""
        args = list(sys.argv[1:])
        report = None
        if "--report" in args:
            i = args.index("--report")
            report = args[i + 1]
            del args[i:i + 2]
        self.write_all(os.path.normpath(args[0] if args else default_out), runs, errors, seed, report)
