"""Re-reads what onnx_cases.py wrote: every NAME.onnx passes onnx.checker, its graph input and output
shapes are cases.json's (batch 1 in front), the .f32 files have the lengths cases.json gives, and the
op types listed in cases.json are the graph's. Prints per case the ONNX op types of the graph.

Then each run case's graph is executed by a small float64 numpy interpreter of the ONNX operators the
cases use (written from the ONNX operator specification, independent of PyTorch; there is no
onnxruntime for this Python) and compared with NAME.expected.f32 within check-package's tolerance
(1e-4 relative + 1e-5 of the largest output). A case marked "onnx_semantics_differ" must differ (its
expected output is PyTorch's, not what the ONNX file means) and reproduce NAME.onnx_expected.f32 instead.

usage: /usr/bin/python3 tests/torch/verify_onnx_cases.py [OUT_DIR]     (default tests/fixtures/onnx)
Needs numpy and python3-onnx (1.12); not PyTorch.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

# ---------------------------------------------------------------- interpreter


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def s(v):
    return v.decode() if isinstance(v, bytes) else v


def conv(x, w, b, a):
    nsp = x.ndim - 2
    k = list(w.shape[2:])
    st = a.get("strides", [1] * nsp)
    dl = a.get("dilations", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    g = a.get("group", 1)
    assert s(a.get("auto_pad", "NOTSET")) == "NOTSET"
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + nsp]) for i in range(nsp)])
    out = [(xp.shape[2 + i] - ((k[i] - 1) * dl[i] + 1)) // st[i] + 1 for i in range(nsp)]
    n, cin = x.shape[:2]
    cout = w.shape[0]
    cig, cog = cin // g, cout // g
    y = np.zeros([n, cout] + out)
    for kk in np.ndindex(*k):
        sl = tuple(slice(kk[i] * dl[i], kk[i] * dl[i] + st[i] * (out[i] - 1) + 1, st[i]) for i in range(nsp))
        patch = xp[(slice(None), slice(None)) + sl]
        for gi in range(g):
            wk = w[(slice(gi * cog, (gi + 1) * cog), slice(None)) + kk]          # [cog, cig]
            y[:, gi * cog:(gi + 1) * cog] += np.einsum("oc,nc...->no...", wk, patch[:, gi * cig:(gi + 1) * cig])
    if b is not None:
        y += b.reshape([1, -1] + [1] * nsp)
    return y


def conv_transpose(x, w, b, a):
    nsp = x.ndim - 2
    k = list(w.shape[2:])
    st = a.get("strides", [1] * nsp)
    dl = a.get("dilations", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    op = a.get("output_padding", [0] * nsp)
    g = a.get("group", 1)
    assert "output_shape" not in a
    n, cin = x.shape[:2]
    cig, cog = cin // g, w.shape[1]
    ins = x.shape[2:]
    full = [(ins[i] - 1) * st[i] + (k[i] - 1) * dl[i] + 1 + op[i] for i in range(nsp)]
    y = np.zeros([n, cog * g] + full)
    for kk in np.ndindex(*k):
        sl = tuple(slice(kk[i] * dl[i], kk[i] * dl[i] + st[i] * (ins[i] - 1) + 1, st[i]) for i in range(nsp))
        for gi in range(g):
            wk = w[(slice(gi * cig, (gi + 1) * cig), slice(None)) + kk]          # [cig, cog]
            y[(slice(None), slice(gi * cog, (gi + 1) * cog)) + sl] += np.einsum(
                "co,nc...->no...", wk, x[:, gi * cig:(gi + 1) * cig])
    out = [full[i] - pads[i] - pads[i + nsp] for i in range(nsp)]
    y = y[(slice(None), slice(None)) + tuple(slice(pads[i], pads[i] + out[i]) for i in range(nsp))]
    if b is not None:
        y = y + b.reshape([1, -1] + [1] * nsp)
    return y


def pool(x, a, kind):
    nsp = x.ndim - 2
    k = a["kernel_shape"]
    st = a.get("strides", [1] * nsp)
    dl = a.get("dilations", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    ceil = a.get("ceil_mode", 0)
    include = a.get("count_include_pad", 0)
    assert s(a.get("auto_pad", "NOTSET")) == "NOTSET"
    ins = x.shape[2:]
    out = []
    for i in range(nsp):
        span = ins[i] + pads[i] + pads[i + nsp] - ((k[i] - 1) * dl[i] + 1)
        o = (-(-span // st[i]) if ceil else span // st[i]) + 1
        if ceil and (o - 1) * st[i] >= ins[i] + pads[i]:
            o -= 1                               # the last window must start inside the input or the left padding
        out.append(o)
    extra = [max(0, (out[i] - 1) * st[i] + (k[i] - 1) * dl[i] + 1 - (ins[i] + pads[i] + pads[i + nsp]))
             for i in range(nsp)]
    width = [(0, 0), (0, 0)] + [(pads[i], pads[i + nsp] + extra[i]) for i in range(nsp)]
    inside = np.pad(np.ones(ins), width[2:])                        # 1 on input cells
    declared = np.pad(np.ones(ins), [(pads[i], pads[i + nsp]) for i in range(nsp)], constant_values=1)
    declared = np.pad(declared, [(0, extra[i]) for i in range(nsp)])  # 1 on input and declared padding
    if kind == "max":
        xp = np.pad(x, width, constant_values=-np.inf)
        y = np.full([x.shape[0], x.shape[1]] + out, -np.inf)
    else:
        xp = np.pad(x, width)
        y = np.zeros([x.shape[0], x.shape[1]] + out)
        cnt = np.zeros(out)
    for kk in np.ndindex(*k):
        sl = tuple(slice(kk[i] * dl[i], kk[i] * dl[i] + st[i] * (out[i] - 1) + 1, st[i]) for i in range(nsp))
        patch = xp[(slice(None), slice(None)) + sl]
        if kind == "max":
            y = np.maximum(y, patch)
        else:
            y = y + patch
            cnt = cnt + (declared if include else inside)[sl]
    return y if kind == "max" else y / cnt


def resize_axis(x, axis, out_len, mode, ctm, nearest_mode, scale):
    n = x.shape[axis]
    i = np.arange(out_len, dtype=np.float64)
    if ctm == "half_pixel":
        src = (i + 0.5) / scale - 0.5
    elif ctm == "pytorch_half_pixel":
        src = (i + 0.5) / scale - 0.5 if out_len > 1 else np.zeros_like(i)
    elif ctm == "align_corners":
        src = i * (n - 1) / (out_len - 1) if out_len > 1 else np.zeros_like(i)
    elif ctm == "asymmetric":
        src = i / scale
    else:
        raise NotImplementedError(ctm)
    if mode == "nearest":
        if nearest_mode == "floor":
            idx = np.floor(src)
        elif nearest_mode == "round_prefer_floor":
            idx = np.where(src - np.floor(src) == 0.5, np.floor(src), np.round(src))
        elif nearest_mode == "round_prefer_ceil":
            idx = np.floor(src + 0.5)
        else:
            idx = np.ceil(src)
        idx = np.clip(idx, 0, n - 1).astype(int)
        return np.take(x, idx, axis=axis)
    src = np.clip(src, 0, n - 1)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    w = (src - i0).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    return np.take(x, i0, axis=axis) * (1 - w) + np.take(x, i1, axis=axis) * w


def resize(x, scales, sizes, mode, ctm, nearest_mode):
    assert mode in ("nearest", "linear"), mode
    y = x
    for ax in range(x.ndim):
        if sizes is not None:
            out_len = int(sizes[ax])
            sc = out_len / x.shape[ax]
        else:
            sc = float(scales[ax])
            out_len = int(math.floor(x.shape[ax] * sc))
        if out_len == x.shape[ax] and sc == 1.0:
            continue
        y = resize_axis(y, ax, out_len, mode, ctm, nearest_mode, sc)
    return y


def pad(x, pads, mode, value):
    nd = x.ndim
    width = [(int(pads[i]), int(pads[i + nd])) for i in range(nd)]
    assert all(p >= 0 for w in width for p in w), "negative pads"
    if mode == "constant":
        return np.pad(x, width, constant_values=value)
    return np.pad(x, width, mode={"reflect": "reflect", "edge": "edge"}[mode])


DTYPES = {1: np.float64, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def softmax(x, axis, opset, log):
    if opset < 13:                               # coerced to 2D at axis
        shape = x.shape
        x = x.reshape(int(np.prod(shape[:axis])), -1)
        y = softmax(x, 1, 13, log)
        return y.reshape(shape)
    m = x - x.max(axis=axis, keepdims=True)
    e = np.exp(m)
    return m - np.log(e.sum(axis=axis, keepdims=True)) if log else e / e.sum(axis=axis, keepdims=True)


def run(model, x):
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == 1 else numpy_helper.to_array(t)
           for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    env[""] = None
    erf = np.vectorize(math.erf)
    for node in model.graph.node:
        a = attrs(node)
        i = [env[n] for n in node.input]
        t = node.op_type
        if t == "Constant":
            v = a["value"]
            r = numpy_helper.to_array(v)
            r = r.astype(np.float64) if r.dtype == np.float32 else r
        elif t == "Conv":
            r = conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif t == "ConvTranspose":
            r = conv_transpose(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif t == "MaxPool":
            assert len(node.output) == 1
            r = pool(i[0], a, "max")
        elif t == "AveragePool":
            r = pool(i[0], a, "avg")
        elif t == "GlobalAveragePool":
            r = i[0].mean(axis=tuple(range(2, i[0].ndim)), keepdims=True)
        elif t == "GlobalMaxPool":
            r = i[0].max(axis=tuple(range(2, i[0].ndim)), keepdims=True)
        elif t == "BatchNormalization":
            xx, sc, bi, mean, var = i[:5]
            sh = [1, -1] + [1] * (xx.ndim - 2)
            r = (xx - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + a.get("epsilon", 1e-5)) * sc.reshape(sh) + bi.reshape(sh)
        elif t == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            r = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                r = r + a.get("beta", 1.0) * i[2]
        elif t == "MatMul":
            r = np.matmul(i[0], i[1])
        elif t in ("Add", "Sub", "Mul", "Div", "Pow"):
            r = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}[t](i[0], i[1])
        elif t == "Neg":
            r = -i[0]
        elif t == "Relu":
            r = np.maximum(i[0], 0)
        elif t == "Sigmoid":
            r = 1 / (1 + np.exp(-i[0]))
        elif t == "Tanh":
            r = np.tanh(i[0])
        elif t == "Erf":
            r = erf(i[0])
        elif t == "Exp":
            r = np.exp(i[0])
        elif t == "Softplus":
            r = np.logaddexp(0, i[0])
        elif t == "Elu":
            al = a.get("alpha", 1.0)
            r = np.where(i[0] > 0, i[0], al * np.expm1(np.minimum(i[0], 0)))
        elif t == "Selu":
            al, ga = a.get("alpha", 1.67326319217681884765625), a.get("gamma", 1.05070102214813232421875)
            r = ga * np.where(i[0] > 0, i[0], al * np.expm1(np.minimum(i[0], 0)))
        elif t == "LeakyRelu":
            r = np.where(i[0] >= 0, i[0], a.get("alpha", 0.01) * i[0])
        elif t == "PRelu":
            r = np.where(i[0] >= 0, i[0], i[1] * i[0])
        elif t == "HardSigmoid":
            r = np.clip(a.get("alpha", 0.2) * i[0] + a.get("beta", 0.5), 0, 1)
        elif t == "HardSwish":
            r = i[0] * np.clip(i[0] / 6 + 0.5, 0, 1)
        elif t == "Clip":
            if opset < 11:
                lo, hi = a.get("min", -np.inf), a.get("max", np.inf)
            else:
                lo = i[1] if len(i) > 1 and i[1] is not None else -np.inf
                hi = i[2] if len(i) > 2 and i[2] is not None else np.inf
            r = np.clip(i[0], lo, hi)
        elif t in ("Softmax", "LogSoftmax"):
            ax = a.get("axis", 1 if opset < 13 else -1) % i[0].ndim
            r = softmax(i[0], ax, opset, t == "LogSoftmax")
        elif t == "Flatten":
            ax = a.get("axis", 1) % i[0].ndim if i[0].ndim else 0
            r = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif t == "Reshape":
            shape = [int(v) for v in i[1]]
            shape = [i[0].shape[k] if v == 0 and not a.get("allowzero", 0) else v for k, v in enumerate(shape)]
            r = i[0].reshape(shape)
        elif t == "Shape":
            r = np.array(i[0].shape, dtype=np.int64)
        elif t == "Gather":
            r = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif t in ("Unsqueeze", "Squeeze"):
            axes = a["axes"] if "axes" in a else [int(v) for v in i[1]]
            if t == "Unsqueeze":
                nd = i[0].ndim + len(axes)
                r = np.expand_dims(i[0], tuple(sorted(ax % nd for ax in axes)))
            else:
                r = np.squeeze(i[0], tuple(ax % i[0].ndim for ax in axes))
        elif t == "Concat":
            r = np.concatenate(i, axis=a["axis"])
        elif t == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            r = np.full([int(d) for d in i[0]], v[0], dtype=np.float64 if v.dtype == np.float32 else v.dtype)
        elif t == "Cast":
            r = i[0].astype(DTYPES[a["to"]])
        elif t == "Transpose":
            r = np.transpose(i[0], a.get("perm"))
        elif t == "Slice":
            if opset < 10:
                starts, ends = a["starts"], a["ends"]
                axes = a.get("axes", list(range(len(starts))))
                steps = [1] * len(starts)
            else:
                starts, ends = [int(v) for v in i[1]], [int(v) for v in i[2]]
                axes = [int(v) for v in i[3]] if len(i) > 3 and i[3] is not None else list(range(len(starts)))
                steps = [int(v) for v in i[4]] if len(i) > 4 and i[4] is not None else [1] * len(starts)
            sl = [slice(None)] * i[0].ndim
            for st_, en, ax, sp in zip(starts, ends, axes, steps):
                n = i[0].shape[ax]
                st_ = max(-n - 1, min(st_, n)) if sp < 0 else max(-n, min(st_, n))
                en = max(-n - 1, min(en, n))
                sl[ax] = slice(st_, en if en >= -n else None, sp)
            r = i[0][tuple(sl)]
        elif t == "Pad":
            mode = s(a.get("mode", "constant"))
            if opset < 11:
                r = pad(i[0], a["pads"], mode, a.get("value", 0.0))
            else:
                val = float(i[2]) if len(i) > 2 and i[2] is not None else 0.0
                r = pad(i[0], [int(v) for v in i[1]], mode, val)
        elif t == "Upsample":
            r = resize(i[0], i[1], None, s(a.get("mode", "nearest")), "asymmetric", "floor")
        elif t == "Resize":
            if opset < 11:
                raise NotImplementedError("Resize-10")
            scales = i[2] if len(i) > 2 and i[2] is not None and i[2].size else None
            sizes = i[3] if len(i) > 3 and i[3] is not None and i[3].size else None
            r = resize(i[0], scales, sizes, s(a.get("mode", "nearest")),
                       s(a.get("coordinate_transformation_mode", "half_pixel")), s(a.get("nearest_mode", "round_prefer_floor")))
        elif t == "DepthToSpace":
            bs = a["blocksize"]
            n, c, h, w = i[0].shape
            if s(a.get("mode", "DCR")) == "DCR":
                r = i[0].reshape(n, bs, bs, c // bs ** 2, h, w).transpose(0, 3, 4, 1, 5, 2)
            else:
                r = i[0].reshape(n, c // bs ** 2, bs, bs, h, w).transpose(0, 1, 4, 2, 5, 3)
            r = r.reshape(n, c // bs ** 2, h * bs, w * bs)
        elif t in ("Identity", "Dropout"):
            r = i[0]
        elif t in ("ReduceMean", "ReduceMax"):
            axes = a["axes"] if "axes" in a else list(range(i[0].ndim))
            reduce = np.mean if t == "ReduceMean" else np.max
            r = reduce(i[0], axis=tuple(ax % i[0].ndim for ax in axes), keepdims=bool(a.get("keepdims", 1)))
        elif t == "Split":
            ax = a.get("axis", 0) % i[0].ndim
            sizes = ([int(v) for v in i[1]] if len(i) > 1 and i[1] is not None else None) if opset >= 13 else a.get("split")
            if sizes is None:
                sizes = [i[0].shape[ax] // len(node.output)] * len(node.output)
            r = tuple(np.split(i[0], np.cumsum(sizes)[:-1], axis=ax))
        else:
            raise NotImplementedError(t)
        if isinstance(r, tuple):
            for name, part in zip(node.output, r):
                env[name] = part
        else:
            env[node.output[0]] = r
    return env[model.graph.output[0].name]


# ---------------------------------------------------------------- checks

def dims(value_info):
    return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in value_info.type.tensor_type.shape.dim]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "..", "fixtures", "onnx")
    out = os.path.normpath(out)
    with open(os.path.join(out, "cases.json")) as f:
        cases = json.load(f)
    bad, total = [], 0
    for c in cases:
        name = c["name"]
        path = os.path.join(out, name + ".onnx")
        total += os.path.getsize(path)
        model = onnx.load(path)
        onnx.checker.check_model(model)
        opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        ops = []
        for n in model.graph.node:
            if n.op_type not in ops:
                ops.append(n.op_type)
        problems = []
        if opset != c["opset"]:
            problems.append(f"opset {opset}, cases.json {c['opset']}")
        if ops != c["ops"]:
            problems.append(f"ops {ops}, cases.json {c['ops']}")
        inits = {t.name for t in model.graph.initializer}
        inputs = [v for v in model.graph.input if v.name not in inits]
        in_dims = dims(inputs[0])
        line = f"{name:32s} {c['kind']:5s} opset {opset:2d}  {' '.join(ops)}"
        if c["kind"] == "run":
            want_in = [1] + c["input_shape"]
            want_out = [1] + c["output_shape"]
            out_dims = dims(model.graph.output[0])
            declared = c.get("graph_dims", [want_in, want_out])
            if [in_dims, out_dims] != declared:
                problems.append(f"graph {in_dims} -> {out_dims}, cases.json {declared}")
            for d_graph, d_case in zip(in_dims + out_dims, want_in + want_out):
                if isinstance(d_graph, int) and d_graph != d_case:
                    problems.append(f"graph dims {in_dims} -> {out_dims}, cases.json {want_in} -> {want_out}")
                    break
            if len(inputs) != 1 or len(model.graph.output) != 1:
                problems.append("not one input and one output")
            xs = np.fromfile(os.path.join(out, name + ".input.f32"), dtype="<f4")
            ys = np.fromfile(os.path.join(out, name + ".expected.f32"), dtype="<f4")
            if xs.size != int(np.prod(want_in)):
                problems.append(f"input.f32 has {xs.size} floats, want {int(np.prod(want_in))}")
            if ys.size != c["output_length"] or ys.size != int(np.prod(want_out)):
                problems.append(f"expected.f32 has {ys.size} floats, want {c['output_length']}")
            if not problems:
                got = run(model, xs.astype(np.float64).reshape(want_in)).reshape(-1)
                want = ys.astype(np.float64)
                err = np.abs(got - want)
                tol = 1e-4 * np.abs(want) + 1e-5 * max(1.0, float(np.abs(want).max()))
                ok = got.size == want.size and bool((err <= tol).all())
                line += f"   max |onnx - torch| {float(err.max()):.2e}"
                if c.get("onnx_semantics_differ"):
                    line += " (differs, as marked)" if not ok else ""
                    if ok:
                        problems.append("marked onnx_semantics_differ but the ONNX graph reproduces PyTorch")
                    oy = np.fromfile(os.path.join(out, name + ".onnx_expected.f32"), dtype="<f4").astype(np.float64)
                    otol = 1e-4 * np.abs(oy) + 1e-5 * max(1.0, float(np.abs(oy).max()))
                    if oy.size != got.size or not (np.abs(got - oy) <= otol).all():
                        problems.append("onnx_expected.f32 is not the graph's output")
                elif not ok:
                    problems.append(f"the ONNX graph's output differs from expected.f32 by {float(err.max()):.3g}")
        else:
            for suffix in (".input.f32", ".expected.f32"):
                if os.path.exists(os.path.join(out, name + suffix)):
                    problems.append(f"error case has {name + suffix}")
            line += f"   (must be refused; message mentions {c['error_mentions']!r})"
        print(line)
        for p in problems:
            print("    PROBLEM:", p)
            bad.append(f"{name}: {p}")
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"{len(cases)} cases, {sum(c['kind'] == 'run' for c in cases)} run, "
          f"{sum(c['kind'] == 'error' for c in cases)} error; directory {size / 1e6:.2f} MB")
    if bad:
        raise SystemExit(f"{len(bad)} problems")


if __name__ == "__main__":
    main()
