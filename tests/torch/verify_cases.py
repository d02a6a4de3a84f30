"""Checks a cases directory written by casegen.py without trusting its writer.

usage: /usr/bin/python3 tests/torch/verify_cases.py [CASES_DIR]   (default tests/fixtures/layers)
For every run case: parses NAME.safetensors with its own reader (8-byte little-endian header
length, JSON header, dtypes F32/I64 only, shape x dtype size == byte length, data offsets tiling
the buffer exactly from 0 to the end of the file, header padded to 8 bytes); checks that
NAME.params.f32 holds cases.json's "params" floats and equals the file's floating-point
state_dict tensors in the state_dict's order; that input/expected in the file equal NAME.input.f32
and NAME.expected.f32 and have cases.json's shapes; then rebuilds the network from NAME.cs's
attributes with PyTorch, loads the file with load_state_dict(strict=True) and recomputes the
expected output in float64. For error cases: the line in cases.json holds a layer attribute.
"""
import json
import os
import re
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from netspec import build  # noqa: E402  (only to rebuild the module tree from NAME.cs)

SIZES = {"F32": (4, "<f4"), "I64": (8, "<i8")}


def read_safetensors(path):
    data = open(path, "rb").read()
    assert len(data) >= 8, "too short"
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), "header past the end"
    assert n % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    header.pop("__metadata__", None)
    spans, out = [], {}
    for name, info in header.items():
        assert set(info) == {"dtype", "shape", "data_offsets"}, (name, info)
        size, np_dtype = SIZES[info["dtype"]]
        s, e = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        assert e - s == count * size, (name, info)
        spans.append((s, e, name))
        out[name] = (info["dtype"], info["shape"], np.frombuffer(body[s:e], dtype=np_dtype).reshape(info["shape"]))
    spans.sort()
    pos = 0
    for s, e, name in spans:
        assert s == pos, f"{name}: offsets do not tile ({s} != {pos})"
        pos = e
    assert pos == len(body), f"data ends at {pos}, file body is {len(body)}"
    # the order save_file uses: larger dtypes first, then by name
    order = [name for _, _, name in spans]
    rank = {"I64": 0, "F32": 1}
    assert order == sorted(order, key=lambda k: (rank[out[k][0]], k)), "not in save_file's order"
    return out


def parse_cs(path):
    """(input_shape, [(kind, {prop: value})]) from an attributed class."""
    shape, layers = None, []
    for line in open(path).read().splitlines():
        m = re.fullmatch(r"\[(\w+)(?:\((.*)\))?\]", line.strip())
        if not m:
            continue
        kind, args = m.group(1), m.group(2) or ""
        if kind == "InputShape":
            shape = tuple(int(a) for a in args.split(","))
            continue
        props = {}
        for k, v in re.findall(r'(\w+) = ("(?:[^"\\]|\\.)*"|[^,]+)', args):
            v = v.strip()
            if v.startswith('"'):
                props[k] = json.loads(v)
            elif v in ("true", "false"):
                props[k] = v == "true"
            elif v.endswith("f"):
                props[k] = float(v[:-1])
            else:
                props[k] = int(v)
        layers.append((kind, props))
    return shape, layers


def f32file(path):
    return np.fromfile(path, dtype="<f4")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "fixtures", "layers")
    cases = json.load(open(os.path.join(d, "cases.json")))
    bad = 0
    for c in cases:
        name = c["name"]
        try:
            if c["kind"] == "error":
                line = open(os.path.join(d, name + ".cs")).read().split("\n")[c["line"] - 1]
                assert re.fullmatch(r"\[\w+(\(.*\))?\]", line) and not line.startswith("[InputShape"), line
                continue
            st = read_safetensors(os.path.join(d, name + ".safetensors"))
            params = f32file(os.path.join(d, name + ".params.f32"))
            assert params.size == c["params"], (params.size, c["params"])
            x = f32file(os.path.join(d, name + ".input.f32"))
            y = f32file(os.path.join(d, name + ".expected.f32"))
            b = c["batch"]
            assert x.size == b * int(np.prod(c["input_shape"])) and y.size == b * c["output_length"]
            assert c["output_length"] == int(np.prod(c["output_shape"]))
            assert st["input"][0] == "F32" and st["input"][1] == [b] + c["input_shape"]
            assert st["expected"][1] == [b] + c["output_shape"]
            assert np.array_equal(st["input"][2].ravel(), x) and np.array_equal(st["expected"][2].ravel(), y)
            spec = parse_cs(os.path.join(d, name + ".cs"))
            assert list(spec[0]) == c["input_shape"]
            seq, _, out_shape = build(spec, seed=0)
            assert list(out_shape) == c["output_shape"]
            sd = {k: torch.from_numpy(v[2].copy()) for k, v in st.items() if k not in ("input", "expected")}
            for k, (dt, _, _) in st.items():
                assert dt == ("I64" if k.endswith("num_batches_tracked") else "F32"), (k, dt)
            seq.load_state_dict(sd, strict=True)
            flat = [seq.state_dict()[k].flatten() for k in seq.state_dict() if seq.state_dict()[k].is_floating_point()]
            flat = torch.cat(flat).numpy() if flat else np.zeros(0, dtype="<f4")
            assert np.array_equal(flat, params), "params.f32 is not the state_dict's float tensors in order"
            seq = seq.double().eval()
            with torch.no_grad():
                y2 = seq(torch.from_numpy(x.astype(np.float64)).view([b] + c["input_shape"]))
            assert np.array_equal(y2.float().numpy().ravel(), y), "recomputed output differs"
        except Exception as e:  # report every case
            bad += 1
            print("FAIL", name, repr(e)[:300])
    print(f"{len(cases) - bad} of {len(cases)} cases verified in {os.path.normpath(d)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
