"""Checks tests/fixtures/upsampling (written by upsampling_cases.py) from the files alone.

usage: /usr/bin/python3 tests/torch/verify_upsampling.py [CASES_DIR]   (default tests/fixtures/upsampling)
For every run case: reads NAME.safetensors with fixturecheck.py's reader (layout, dtypes, order);
parses NAME.cs (fixturecases.parse_cs: the network and its [Block] classes), re-renders it and
compares the text; rebuilds the network with upsampling_cases.FIXTURES.build; checks that the
state_dict keys are those the naming rules give (fixturecases.rule_keys, from the attributes without
PyTorch), in order, and the file's keys; loads the file with load_state_dict(strict=True); checks NAME.params.f32
against the state_dict's float tensors in order and cases.json's count; recomputes the expected
output in float64 and compares it bit for bit with NAME.expected.f32 and the file's "expected".
For error cases: the rebuild fails on the attribute at cases.json's line with the rule of cases.json's
id (or suggested_id when "expected_id_tbd"), and the entry has "why" and "pytorch".
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fixturecheck  # noqa: E402
from upsampling_cases import FIXTURES  # noqa: E402

if __name__ == "__main__":
    sys.exit(fixturecheck.main(FIXTURES, os.path.join(HERE, "..", "fixtures", "upsampling"), rank=2))
