"""What the verify_*.py scripts share: reading a fixture directory back without trusting its writer.

read_safetensors parses NAME.safetensors with its own reader (8-byte little-endian header length,
JSON header, dtypes F32/I64 only, shape x dtype size == byte length, data offsets tiling the buffer
exactly from 0 to the end of the file, header padded to 8 bytes, save_file's order). read_run checks
a run case's files against one another and cases.json; check_model loads them into a rebuilt
network and recomputes the output. check_run and check_error verify the directories fixturecases.py
writes (blocks, sequences, upsampling, channels), rebuilt from NAME.cs with the script's Fixtures.
"""
import json
import os
import re
import struct
import sys

import numpy as np
import torch

from fixturecases import SpecError, parse_cs, rule_keys

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


def f32file(path):
    return np.fromfile(path, dtype="<f4")


def read_run(d, c):
    """(safetensors entries, params, input, expected) of run case c: their lengths and shapes are
    cases.json's, the file's input and expected are the .f32 files', every entry is F32 but
    num_batches_tracked (I64)."""
    name, b = c["name"], c["batch"]
    st = read_safetensors(os.path.join(d, name + ".safetensors"))
    params = f32file(os.path.join(d, name + ".params.f32"))
    x = f32file(os.path.join(d, name + ".input.f32"))
    y = f32file(os.path.join(d, name + ".expected.f32"))
    assert params.size == c["params"], (params.size, c["params"])
    assert x.size == b * int(np.prod(c["input_shape"])) and y.size == b * c["output_length"]
    assert c["output_length"] == int(np.prod(c["output_shape"]))
    assert st["input"][1] == [b] + c["input_shape"] and st["expected"][1] == [b] + c["output_shape"]
    assert np.array_equal(st["input"][2].ravel(), x) and np.array_equal(st["expected"][2].ravel(), y)
    for k, (dt, _, _) in st.items():
        assert dt == ("I64" if k.endswith("num_batches_tracked") else "F32"), (k, dt)
    return st, params, x, y


def check_model(model, st, params, x, y, c):
    """Loads the file's tensors into model (strict); params.f32 must be its float tensors in order,
    and its float64 output y, bit for bit. The float64 model and input."""
    sd = {k: torch.from_numpy(v[2].copy()) for k, v in st.items() if k not in ("input", "expected")}
    model.load_state_dict(sd, strict=True)
    flat = [t.flatten() for t in model.state_dict().values() if t.is_floating_point()]
    flat = torch.cat(flat).numpy() if flat else np.zeros(0, dtype="<f4")
    assert np.array_equal(flat, params), "params.f32 is not the state_dict's float tensors in order"
    model = model.double().eval()
    x64 = torch.from_numpy(x.astype(np.float64)).view([c["batch"]] + c["input_shape"])
    with torch.no_grad():
        y2 = model(x64)
    assert np.array_equal(y2.float().numpy().ravel(), y), "recomputed output differs"
    return model, x64


def check_run(fixtures, d, c, rank=None, then=None):
    """A run case of a fixturecases directory: NAME.cs round-trips; the network rebuilt from it has
    cases.json's shapes (rank: 1 or 2 dimensions), the naming rules' keys in order and the file's
    keys, and reproduces the files (check_model); then(model64, x64, y) checks more."""
    name = c["name"]
    text = open(os.path.join(d, name + ".cs")).read()
    classes = parse_cs(text)
    assert fixtures.cs_source(classes)[0] == text, "NAME.cs does not round-trip"
    st, params, x, y = read_run(d, c)
    model, in_shape, out_shape = fixtures.build(classes, seed=0)
    assert rank is None or len(in_shape) == rank + 1, f"not a {rank}D network"
    assert list(in_shape) == c["input_shape"] and list(out_shape) == c["output_shape"]
    keys = list(model.state_dict())
    assert keys == rule_keys(classes, name), "state_dict keys differ from the naming rules"
    assert sorted(keys) == sorted(k for k in st if k not in ("input", "expected")), "file keys differ"
    model64, x64 = check_model(model, st, params, x, y, c)
    if then:
        then(model64, x64, y)


def check_error(fixtures, d, c):
    """An error case: NAME.cs round-trips and its rebuild fails on the attribute at cases.json's line;
    the entry has what fixtures.ids and verdict say it has (and the failure the id, when "checked")."""
    text = open(os.path.join(d, c["name"] + ".cs")).read()
    classes = parse_cs(text)
    src, where = fixtures.cs_source(classes)
    assert src == text, "NAME.cs does not round-trip"
    want = None
    if fixtures.ids:
        assert "id" in c and (c["id"] is None) == bool(c.get("expected_id_tbd")), "id / expected_id_tbd"
        want = c["id"] if c["id"] is not None else c.get("suggested_id")
        if want is not None or fixtures.ids == "checked":
            assert re.fullmatch(r"CNN\d{4}", want or ""), want
        assert c.get("why"), "no why"
    if fixtures.verdict:
        assert c.get("pytorch"), "no pytorch"
    try:
        fixtures.build(classes, seed=0)
    except SpecError as e:
        assert where[e.where] == c["line"], f"fails on line {where[e.where]}, cases.json says {c['line']}: {e}"
        if fixtures.ids == "checked":
            assert e.id == want, f"fails with {e.id}, cases.json says {want}: {e}"
        return
    raise AssertionError("builds")


def verify(d, check_run, check_error):
    """Runs the checks on every case of d's cases.json (and fails on a NAME.cs it does not list);
    prints each failure and a count; the exit status."""
    cases = json.load(open(os.path.join(d, "cases.json")))
    listed = {c["name"] + ".cs" for c in cases}
    stray = sorted(f for f in os.listdir(d) if f.endswith(".cs") and f not in listed)
    bad = 0
    if stray:
        bad += 1
        print("FAIL files not in cases.json:", ", ".join(stray))
    for c in cases:
        try:
            (check_run if c["kind"] == "run" else check_error)(d, c)
        except Exception as e:  # report every case
            bad += 1
            print("FAIL", c["name"], repr(e)[:300])
    print(f"{len(cases) - bad} of {len(cases)} cases verified in {os.path.normpath(d)}")
    return 1 if bad else 0


def main(fixtures, default_dir, rank=None, then=None):
    """usage: SCRIPT [CASES_DIR]: verifies a fixturecases directory; the exit status."""
    d = sys.argv[1] if len(sys.argv) > 1 else default_dir
    return verify(d, lambda d, c: check_run(fixtures, d, c, rank, then), lambda d, c: check_error(fixtures, d, c))
