"""Checks tests/fixtures/channels (written by channel_cases.py) from the files alone.

usage: /usr/bin/python3 tests/torch/verify_channels.py [CASES_DIR]   (default tests/fixtures/channels)
For every run case: reads NAME.safetensors with verify_cases.py's reader (layout, dtypes, order); parses NAME.cs
(block_cases.parse_cs: the network and its [Block] classes), re-renders it and compares the text; rebuilds the
network with channel_cases.build; checks that the state_dict keys are those the naming rules give
(channel_cases.rule_keys, from the attributes without PyTorch), in order, and the file's keys; loads the file with
load_state_dict(strict=True); checks NAME.params.f32 against the state_dict's float tensors in order and
cases.json's count; recomputes the expected output in float64 and compares it bit for bit with NAME.expected.f32
and the file's "expected"; and runs the network again with every ChannelSlice and ChannelShuffle replaced by
python/cnngen.py's (what TorchSource runs), which must give the same output.
For error cases: the rebuild fails on the attribute at cases.json's line with cases.json's id, and the entry has
"why" and "pytorch".
"""
import json
import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from block_cases import parse_cs  # noqa: E402
from channel_cases import CNNGEN, SpecError, build, cs_source, rule_keys  # noqa: E402
from netspec import ChannelShuffle, ChannelSlice  # noqa: E402
from verify_cases import f32file, read_safetensors  # noqa: E402


def with_cnngen_ops(model):
    """The model with its channel ops swapped for python/cnngen.py's (in place); how many were swapped."""
    n = 0
    for m in list(model.modules()):
        for k, c in list(m._modules.items()):
            if isinstance(c, ChannelSlice):
                m._modules[k] = CNNGEN.ChannelSlice(c.start, c.length)
                n += 1
            elif isinstance(c, ChannelShuffle):
                m._modules[k] = CNNGEN.ChannelShuffle(c.groups)
                n += 1
    return n


def check_run(d, c):
    name, b = c["name"], c["batch"]
    text = open(os.path.join(d, name + ".cs")).read()
    classes = parse_cs(text)
    assert cs_source(classes)[0] == text, "NAME.cs does not round-trip"
    st = read_safetensors(os.path.join(d, name + ".safetensors"))
    params = f32file(os.path.join(d, name + ".params.f32"))
    x = f32file(os.path.join(d, name + ".input.f32"))
    y = f32file(os.path.join(d, name + ".expected.f32"))
    assert params.size == c["params"], (params.size, c["params"])
    assert x.size == b * int(np.prod(c["input_shape"])) and y.size == b * c["output_length"]
    assert c["output_length"] == int(np.prod(c["output_shape"]))
    assert st["input"][1] == [b] + c["input_shape"] and st["expected"][1] == [b] + c["output_shape"]
    assert np.array_equal(st["input"][2].ravel(), x) and np.array_equal(st["expected"][2].ravel(), y)
    model, in_shape, out_shape = build(classes, seed=0)
    assert list(in_shape) == c["input_shape"] and list(out_shape) == c["output_shape"]
    keys = list(model.state_dict())
    assert keys == rule_keys(classes, name), "state_dict keys differ from the naming rules"
    assert sorted(keys) == sorted(k for k in st if k not in ("input", "expected")), "file keys differ"
    for k, (dt, _, _) in st.items():
        assert dt == ("I64" if k.endswith("num_batches_tracked") else "F32"), (k, dt)
    sd = {k: torch.from_numpy(v[2].copy()) for k, v in st.items() if k not in ("input", "expected")}
    model.load_state_dict(sd, strict=True)
    flat = [t.flatten() for t in model.state_dict().values() if t.is_floating_point()]
    flat = torch.cat(flat).numpy() if flat else np.zeros(0, dtype="<f4")
    assert np.array_equal(flat, params), "params.f32 is not the state_dict's float tensors in order"
    xs = torch.from_numpy(x.astype(np.float64)).view([b] + c["input_shape"])
    model = model.double().eval()
    with torch.no_grad():
        y2 = model(xs)
    assert np.array_equal(y2.float().numpy().ravel(), y), "recomputed output differs"
    assert with_cnngen_ops(model) > 0, "no ChannelSlice or ChannelShuffle"
    with torch.no_grad():
        y3 = model(xs)
    assert np.array_equal(y3.float().numpy().ravel(), y), "python/cnngen.py's channel ops give another output"


def check_error(d, c):
    name = c["name"]
    text = open(os.path.join(d, name + ".cs")).read()
    classes = parse_cs(text)
    src, where = cs_source(classes)
    assert src == text, "NAME.cs does not round-trip"
    assert re.fullmatch(r"CNN\d{4}", c["id"] or ""), c.get("id")
    assert c.get("why") and c.get("pytorch"), "no why or pytorch"
    try:
        build(classes, seed=0)
    except SpecError as e:
        assert where[e.where] == c["line"], f"fails on line {where[e.where]}, cases.json says {c['line']}: {e}"
        assert e.id == c["id"], f"fails with {e.id}, cases.json says {c['id']}: {e}"
        return
    raise AssertionError("builds")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "fixtures", "channels")
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


if __name__ == "__main__":
    sys.exit(main())
