"""Checks tests/fixtures/blocks (written by block_cases.py) from the files alone.

usage: /usr/bin/python3 tests/torch/verify_blocks.py [CASES_DIR]   (default tests/fixtures/blocks)
For every run case: reads NAME.safetensors with fixturecheck.py's reader (layout, dtypes, order);
parses NAME.cs (the network and its [Block] classes) and rebuilds the network with blocks.py;
checks that the state_dict keys are those the naming rules give (fixturecases.rule_keys, computed
from the attributes without PyTorch), in order, and the file's keys; loads the file with
load_state_dict(strict=True); checks NAME.params.f32 against the state_dict's float tensors in
order and cases.json's count; recomputes the expected output in float64 and compares it bit for
bit with NAME.expected.f32 and the file's "expected"; re-renders NAME.cs from what was parsed
and compares the text. For error cases: the rebuild fails, on the attribute at cases.json's line.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fixturecheck  # noqa: E402
from block_cases import FIXTURES  # noqa: E402

if __name__ == "__main__":
    sys.exit(fixturecheck.main(FIXTURES, os.path.join(HERE, "..", "fixtures", "blocks")))
