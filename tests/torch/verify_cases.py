"""Checks a cases directory written by casegen.py without trusting its writer.

usage: /usr/bin/python3 tests/torch/verify_cases.py [CASES_DIR]   (default tests/fixtures/layers)
For every run case: parses NAME.safetensors with its own reader (fixturecheck.py's: 8-byte
little-endian header length, JSON header, dtypes F32/I64 only, shape x dtype size == byte length,
data offsets tiling the buffer exactly from 0 to the end of the file, header padded to 8 bytes);
checks that NAME.params.f32 holds cases.json's "params" floats and equals the file's floating-point
state_dict tensors in the state_dict's order; that input/expected in the file equal NAME.input.f32
and NAME.expected.f32 and have cases.json's shapes; then rebuilds the network from NAME.cs's
attributes with PyTorch, loads the file with load_state_dict(strict=True) and recomputes the
expected output in float64. For error cases: the line in cases.json holds a layer attribute.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fixturecases import parse_cs  # noqa: E402
from fixturecheck import check_model, read_run, verify  # noqa: E402
from netspec import build  # noqa: E402  (only to rebuild the module tree from NAME.cs)


def check_run(d, c):
    st, params, x, y = read_run(d, c)
    (spec,) = parse_cs(open(os.path.join(d, c["name"] + ".cs")).read()).values()
    assert list(spec["input_shape"]) == c["input_shape"]
    seq, _, out_shape = build((spec["input_shape"], spec["items"]), seed=0)
    assert list(out_shape) == c["output_shape"]
    check_model(seq, st, params, x, y, c)


def check_error(d, c):
    line = open(os.path.join(d, c["name"] + ".cs")).read().split("\n")[c["line"] - 1]
    assert re.fullmatch(r"\[\w+(\(.*\))?\]", line) and not line.startswith("[InputShape"), line


if __name__ == "__main__":
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "fixtures", "layers")
    sys.exit(verify(d, check_run, check_error))
