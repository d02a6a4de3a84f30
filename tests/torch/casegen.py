"""Writes oracle cases: C# classes, parameters, inputs and PyTorch's outputs.

Each case: NAME.cs (the attributed partial class), NAME.params.f32 (little-endian float32: the
state_dict's floating-point tensors in order, i.e. per module its parameters then its float
buffers -- BatchNorm: weight, bias, running_mean, running_var), NAME.input.f32 (batch x input,
NCHW), NAME.expected.f32 (batch x output, the model in eval() mode computed in float64 from the
float32 values), NAME.safetensors (every state_dict entry under its key, float tensors as F32,
BatchNorm's num_batches_tracked as an I64 scalar, laid out as safetensors.torch.save_file lays
it out, plus "input" and "expected"), optionally NAME.onnx, and an entry in cases.json.

A run case is (input_shape, layers) or (input_shape, layers, options); options:
  input:  ("randn", s) -> s * N(0, 1) (default s = 1); ("spread", r) -> linspace(-r, r) over the
          whole batch, shuffled, with a little jitter, so every region of an activation is hit
  scale:  {module key: factor}: multiply that module's weight (and bias) after initialization
  var:    (lo, hi): BatchNorm running_var ~ U(lo, hi) (default (0.5, 2))
  wide:   True: every activation's input must reach below -8 and above 8
Besides the fixed checks (each activation sees inputs on both sides of each of its kinks, no
Softplus input within 1e-3 of its threshold), every case is run against "mutants": the same
network with one module replaced by a plausible wrong implementation; mutants() reports which
ones check-package's tolerance would catch.
"""
import copy
import json
import math
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

from netspec import build, cs_attribute, cs_input, flat_parameters, state_dict_keys, write_safetensors

SEED_A = [[0, 2, -3, 2, -3], [-2, -2, -2, -1, -2], [-3, -3, 2, -2, 1], [-3, -2, 1, -3, 1], [0, -1, 0, 2, -3]]
SEED_W = [[-1, 0, -2], [1, 1, -1], [-1, -1, 0]]
SEED_EXPECT = {"SeedStride1": [9, -9, 7, 2, 5, 6, -7, 9, -10], "SeedStride2": [9, 7, -7, -10]}

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.ReLU6, nn.Hardtanh, nn.Hardsigmoid,
               nn.Hardswish, nn.SiLU, nn.Mish, nn.GELU, nn.ELU, nn.SELU, nn.Softplus, nn.PReLU)


def cs_class(name, spec, namespace):
    in_shape, layers = spec[0], spec[1]
    lines = ["using CnnGen;", "", f"namespace {namespace};", "", cs_input(in_shape)]
    lines += [cs_attribute(k, p) for k, p in layers]
    lines += [f"public partial class {name} {{ }}", ""]
    return "\n".join(lines)


def f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def case_seed(name, seed):
    """seed plus the case name's CRC: adding a case leaves the others' bytes alone."""
    return seed + zlib.crc32(name.encode()) % 1000003


def scale(model, opts):
    """opts' scale {module path: factor} multiplies the module's weight and bias, weight_scale the
    weight alone."""
    with torch.no_grad():
        for path, factor in opts.get("scale", {}).items():
            m = model.get_submodule(path)
            for t in (m.weight, getattr(m, "bias", None)):
                if t is not None:
                    t.mul_(factor)
        for path, factor in opts.get("weight_scale", {}).items():
            model.get_submodule(path).weight.mul_(factor)


def export_onnx(model, x, path):
    torch.onnx.export(model, x[:1], path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def write_files(out, name, flat, x, y, tensors, src):
    """NAME.params.f32, .input.f32, .expected.f32, .safetensors (tensors, then "input" and
    "expected") and NAME.cs (src)."""
    f32(os.path.join(out, name + ".params.f32"), flat)
    f32(os.path.join(out, name + ".input.f32"), x)
    f32(os.path.join(out, name + ".expected.f32"), y)
    write_safetensors(os.path.join(out, name + ".safetensors"), dict(tensors, input=x.float(), expected=y.float()))
    with open(os.path.join(out, name + ".cs"), "w") as f:
        f.write(src)


def randomize_batch_norm(m, gen, var):
    """A BatchNorm's weight, bias ~ N(0, 1), running_mean ~ N(0, 0.5^2), running_var ~ U(var),
    num_batches_tracked a count (called under no_grad)."""
    c = m.num_features
    if m.affine:
        m.weight.copy_(torch.randn(c, generator=gen))
        m.bias.copy_(torch.randn(c, generator=gen))
    m.running_mean.copy_(0.5 * torch.randn(c, generator=gen))
    m.running_var.copy_(var[0] + (var[1] - var[0]) * torch.rand(c, generator=gen))
    m.num_batches_tracked.fill_(int(torch.randint(100, 10000, (1,), generator=gen)))


def randomize(seq, gen, var=(0.5, 2.0)):
    """Give what PyTorch initializes trivially random values, so that a wrong formula cannot pass:
    BatchNorm weight, bias ~ N(0, 1) (some scales negative), running_mean ~ N(0, 0.5^2),
    running_var ~ U(var), num_batches_tracked a count; PReLU weight ~ U(-0.5, 0.5)."""
    with torch.no_grad():
        for m in seq.modules():
            if isinstance(m, nn.BatchNorm2d):
                randomize_batch_norm(m, gen, var)
            elif isinstance(m, nn.PReLU):
                w = torch.rand(m.weight.numel(), generator=gen) - 0.5
                w[0] = -abs(float(w[0])) - 0.05  # at least one negative slope
                m.weight.copy_(w)


def make_input(shape, opts, gen):
    kind, v = opts.get("input", ("randn", 1.0))
    if kind == "randn":
        return v * torch.randn(shape, generator=gen)
    if kind == "spread":
        n = 1
        for d in shape:
            n *= d
        x = torch.linspace(-v, v, n, dtype=torch.float64)
        x = x + 0.01 * v / max(n, 1) * torch.randn(n, generator=gen, dtype=torch.float64)
        return x[torch.randperm(n, generator=gen)].float().view(shape)
    raise ValueError(kind)


def kinks(m):
    """Input values where an activation's formula changes."""
    if isinstance(m, nn.ReLU6):
        return [0.0, 6.0]
    if isinstance(m, nn.Hardtanh):
        return [m.min_val, m.max_val]
    if isinstance(m, (nn.Hardsigmoid, nn.Hardswish)):
        return [-3.0, 3.0]
    if isinstance(m, nn.Softplus):
        return sorted([0.0, m.threshold / m.beta])
    return [0.0]


def softplus_gap(seq, x):
    """The smallest |beta * x - threshold| over the inputs of seq's Softplus modules (in float64)."""
    seq64 = copy.deepcopy(seq).double().eval()
    return min([math.inf] + [threshold_gap(m, v) for _, m, v in activation_inputs(seq64, x.double(), list(seq64.named_children()))
                             if isinstance(m, nn.Softplus)])


def threshold_gap(m, v):
    """How near Softplus m's inputs v come to its threshold, where its output switches to x."""
    return float((m.beta * v - m.threshold).abs().min())


def run_float64(name, model, x, out_shape):
    """The model's float64 copy, the input in float64 and the copy's output on it: the expected output,
    checked to have the case's shape and to be finite."""
    model64 = copy.deepcopy(model).double().eval()
    x64 = x.double()
    with torch.no_grad():
        y = model64(x64)
    assert tuple(y.shape[1:]) == tuple(out_shape), (name, y.shape, out_shape)
    assert torch.isfinite(y).all(), name
    return model64, x64, y


def activation_inputs(model64, x64, modules):
    """(path, module, its inputs flattened) for each activation among modules ((path, module) pairs) that
    one forward pass runs, in the order they first ran. Taken before the module runs: an inplace
    activation (torchvision's ReLU) overwrites its input."""
    seen = {}
    hooks = [m.register_forward_pre_hook(lambda mod, inp, k=k: seen.setdefault(k, []).append(inp[0].detach().clone()))
             for k, m in modules if isinstance(m, ACTIVATIONS)]
    try:
        with torch.no_grad():
            model64(x64)
    finally:
        for h in hooks:
            h.remove()
    found = dict(modules)
    return [(k, found[k], torch.cat([t.flatten() for t in vals])) for k, vals in seen.items()]


def region_counts(m, v):
    """(lo, hi, count): the inputs v of activation m strictly inside each region between its kinks."""
    edges = [-math.inf] + kinks(m) + [math.inf]
    return [(lo, hi, int(((v > lo) & (v < hi)).sum())) for lo, hi in zip(edges, edges[1:])]


def check_regions(name, k, m, v, problems, least=3):
    """Problems for the regions of activation m (at path k) with fewer than least inputs, and for a
    Softplus input next to its threshold, where the output jumps; the regions' counts."""
    counts = region_counts(m, v)
    for lo, hi, cnt in counts:
        if cnt < least:
            problems.append(f"{name}: {k} ({type(m).__name__}) has {cnt} inputs in ({lo}, {hi})")
    if isinstance(m, nn.Softplus):
        gap = threshold_gap(m, v)
        if gap <= 1e-3:
            problems.append(f"{name}: {k} Softplus input {gap} from its threshold")
    return [cnt for _, _, cnt in counts]


def check_coverage(name, seq64, x64, opts, problems):
    """Each activation must see inputs in every region between its kinks (3+ each); Softplus
    inputs must stay clear of the threshold, where the output jumps."""
    notes = []
    for k, m, v in activation_inputs(seq64, x64, list(seq64.named_children())):
        check_regions(name, k, m, v, problems)
        if opts.get("wide"):
            if not (v.min() < -8 and v.max() > 8):
                problems.append(f"{name}: {k} inputs span only [{float(v.min())}, {float(v.max())}]")
        if isinstance(m, nn.Softplus):
            above = int((m.beta * v > m.threshold).sum())
            notes.append(f"{k}: Softplus beta*x > threshold for {above} of {v.numel()} inputs")
        notes.append(f"{k}: {type(m).__name__} inputs in [{float(v.min()):.2f}, {float(v.max()):.2f}]")
    return notes


def caught(got, want):
    """Whether check-package's comparison would reject got (its H.Compare, in float32)."""
    got, want = got.float().double().flatten(), want.float().double().flatten()
    if got.numel() != want.numel():
        return True
    if torch.isnan(got).any():
        return True
    scale = float(want.abs().max()) if want.numel() else 0.0
    err = (got - want).abs() - (1e-4 * want.abs() + 1e-5 * max(1.0, scale))
    return bool((err > 0).any())


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def _adaptive_bins(n_in, n_out, how):
    out = []
    for i in range(n_out):
        if how == "floor end":
            s, e = (i * n_in) // n_out, ((i + 1) * n_in) // n_out
            e = max(e, s + 1)
        else:  # fixed window: stride n_in // n_out, kernel n_in - (n_out - 1) * stride
            st = max(n_in // n_out, 1)
            k = max(n_in - (n_out - 1) * st, 1)
            s = min(i * st, n_in - 1)
            e = min(s + k, n_in)
        out.append((s, e))
    return out


def _adaptive(x, oh, ow, is_max, how):
    hb, wb = _adaptive_bins(x.shape[2], oh, how), _adaptive_bins(x.shape[3], ow, how)
    y = x.new_zeros(x.shape[0], x.shape[1], oh, ow)
    for i, (hs, he) in enumerate(hb):
        for j, (ws, we) in enumerate(wb):
            win = x[:, :, hs:he, ws:we].flatten(2)
            y[:, :, i, j] = win.amax(2) if is_max else win.mean(2)
    return y


def mutants(m):
    """(description, replacement module) pairs: plausible wrong implementations of m."""
    out = []
    if isinstance(m, nn.BatchNorm2d):
        w = m.weight if m.affine else None
        b = m.bias if m.affine else None
        rm, rv = m.running_mean, m.running_var
        sh = (1, -1, 1, 1)
        out.append(("BatchNorm eps ignored", Fn(lambda x: F.batch_norm(x, rm, rv, w, b, False, 0.0, 0.0))))
        out.append(("BatchNorm divides by var, not sqrt(var + eps)",
                    Fn(lambda x: (x - rm.view(sh)) / (rv.view(sh) + m.eps) * (1 if w is None else w.view(sh))
                       + (0 if b is None else b.view(sh)))))
        if m.affine:
            out.append(("BatchNorm weight and bias not applied",
                        Fn(lambda x: F.batch_norm(x, rm, rv, None, None, False, 0.0, m.eps))))
    elif isinstance(m, nn.ReLU6):
        out.append(("ReLU6 without the upper clamp", nn.ReLU()))
    elif isinstance(m, nn.Hardtanh):
        out.append(("Hardtanh with the default bounds", nn.Hardtanh()))
        out.append(("Hardtanh bounds swapped", Fn(lambda x: torch.clamp(x, m.max_val, m.min_val))))
    elif isinstance(m, nn.Hardsigmoid):
        out.append(("Hardsigmoid as Keras' clamp(0.2x + 0.5)", Fn(lambda x: torch.clamp(0.2 * x + 0.5, 0, 1))))
    elif isinstance(m, nn.Hardswish):
        out.append(("Hardswish with Keras' hard sigmoid", Fn(lambda x: x * torch.clamp(0.2 * x + 0.5, 0, 1))))
        out.append(("Hardswish as relu6(x + 3) / 6 (x missing)", nn.Hardsigmoid()))
    elif isinstance(m, nn.GELU):
        other = "tanh" if m.approximate == "none" else "none"
        out.append((f"GELU approximate='{other}' instead of '{m.approximate}'", nn.GELU(approximate=other)))
        out.append(("GELU as x * sigmoid(1.702x)", Fn(lambda x: x * torch.sigmoid(1.702 * x))))
    elif isinstance(m, nn.ELU):
        if m.alpha != 1.0:
            out.append(("ELU with alpha 1", nn.ELU()))
    elif isinstance(m, nn.SELU):
        out.append(("SELU without the scale (ELU with alpha 1.6733)", nn.ELU(1.6732632423543772)))
        out.append(("SELU constants rounded to 1.6733 / 1.0507",
                    Fn(lambda x: 1.0507 * torch.where(x > 0, x, 1.6733 * torch.expm1(x)))))
    elif isinstance(m, nn.Softplus):
        beta, th = m.beta, m.threshold
        out.append(("Softplus without the threshold", Fn(lambda x: torch.log1p(torch.exp(beta * x)) / beta)))
        out.append(("Softplus threshold tested on x, not beta * x",
                    Fn(lambda x: torch.where(x > th, x, torch.log1p(torch.exp(beta * x)) / beta))))
        if beta != 1.0:
            out.append(("Softplus beta ignored", nn.Softplus(1.0, th)))
    elif isinstance(m, nn.LeakyReLU):
        if m.negative_slope != 0.01:
            out.append(("LeakyReLU with the default slope", nn.LeakyReLU()))
    elif isinstance(m, nn.PReLU):
        wt = m.weight
        if wt.numel() > 1:
            out.append(("PReLU weights in reversed order (indexed by the wrong dimension)",
                        Fn(lambda x: F.prelu(x, wt.flip(0)))))
        out.append(("PReLU as LeakyReLU(0.25) (weights not loaded)", nn.PReLU(wt.numel()).double()))
    elif isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        is_max = isinstance(m, nn.AdaptiveMaxPool2d)
        os_ = m.output_size if isinstance(m.output_size, tuple) else (m.output_size, m.output_size)
        for how in ("floor end", "fixed window"):
            out.append((f"adaptive pool bins with {how}", Fn(lambda x, how=how: _adaptive(x, os_[0], os_[1], is_max, how))))
    elif isinstance(m, nn.LogSoftmax):
        out.append(("LogSoftmax as log(softmax) in float32 (no log-sum-exp)",
                    Fn(lambda x: torch.log(torch.softmax(x.float(), 1).clamp_min(0)).double())))
        out.append(("LogSoftmax without subtracting the maximum, in float32",
                    Fn(lambda x: (x.float() - torch.log(torch.exp(x.float()).sum(1, keepdim=True))).double())))
        out.append(("LogSoftmax over the whole sample instead of dim 1",
                    Fn(lambda x: torch.log_softmax(x.flatten(1), 1).view_as(x))))
    elif isinstance(m, nn.Dropout):
        out.append(("Dropout scaling by 1 / (1 - P) in eval", Fn(lambda x, p=m.p: x / (1 - p))))
    return out


def try_mutants(seq64, x64, y):
    results = []
    for k, m in list(seq64.named_children()):
        for desc, repl in mutants(m):
            mut = copy.copy(seq64)
            mut._modules = type(seq64._modules)(seq64._modules)
            mut._modules[k] = repl
            with torch.no_grad():
                got = mut(x64)
            results.append((k, desc, caught(got, y)))
    return results


def write_cases(out, runs, errors, namespace, onnx=(), batch=3, seed=1000, report=None):
    os.makedirs(out, exist_ok=True)
    index, summary, problems = [], [], []
    for name, spec in sorted(runs.items()):
        opts = spec[2] if len(spec) > 2 else {}
        s = case_seed(name, seed)
        seq, in_shape, out_shape = build(spec[:2], seed=s)
        gen = torch.Generator().manual_seed(s + 5000)
        randomize(seq, gen, opts.get("var", (0.5, 2.0)))
        scale(seq, opts)
        x = make_input((batch,) + in_shape, opts, gen)
        for attempt in range(1, 20):
            # redraw an input that lands within 1e-3 of a Softplus threshold, where the output jumps
            if softplus_gap(seq, x) > 1e-3:
                break
            x = make_input((batch,) + in_shape, opts, torch.Generator().manual_seed(s + 7000 + attempt))
        if name in SEED_EXPECT:
            with torch.no_grad():
                seq[0].weight.copy_(torch.tensor(SEED_W, dtype=torch.float32).view(1, 1, 3, 3))
                seq[0].bias.fill_(-1.0)
            x = torch.tensor(SEED_A, dtype=torch.float32).view(1, 1, 5, 5).repeat(batch, 1, 1, 1)
        seq.eval()
        # every value is float32 already; the state is captured before the float64 copy
        flat = flat_parameters(seq).to(torch.float32).clone()
        tensors = {k: v.detach().clone() for k, v in state_dict_keys(seq).items()}
        if name in onnx:
            export_onnx(seq, x, os.path.join(out, name + ".onnx"))
        seq64, x64, y = run_float64(name, seq, x, out_shape)
        if name in SEED_EXPECT:
            assert y[0].flatten().tolist() == SEED_EXPECT[name], (name, y[0].flatten().tolist())
        notes = check_coverage(name, seq64, x64, opts, problems)
        muts = try_mutants(seq64, x64, y)
        write_files(out, name, flat, x, y, tensors, cs_class(name, spec, namespace))
        index.append(dict(name=name, kind="run", batch=batch, input_shape=list(in_shape), output_shape=list(out_shape),
                          output_length=math.prod(out_shape), params=int(flat.numel())))
        summary.append(dict(name=name, layers=[k for k, _ in spec[1]], input_shape=list(in_shape),
                            output_shape=list(out_shape), params=int(flat.numel()), keys=list(tensors),
                            notes=notes, mutants=[dict(module=k, mutant=d, caught=c) for k, d, c in muts]))
    for name, (in_shape, layers, bad) in sorted(errors.items()):
        src = cs_class(name, (in_shape, layers), namespace)
        with open(os.path.join(out, name + ".cs"), "w") as f:
            f.write(src)
        # 1-based line of the offending attribute in NAME.cs: the layers follow the
        # InputShape line, and two layers may be written identically
        line = src.split("\n").index(cs_input(in_shape)) + 2 + bad
        assert src.split("\n")[line - 1] == cs_attribute(*layers[bad]), name
        index.append(dict(name=name, kind="error", line=line))
        summary.append(dict(name=name, kind="error", line=line, attribute=cs_attribute(*layers[bad])))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
    if report:
        with open(report, "w") as f:
            json.dump(summary, f, indent=1)
    print(len(index), "cases written to", out)
    if problems:
        raise SystemExit("inputs do not exercise the layers:\n" + "\n".join(problems))
    return summary
