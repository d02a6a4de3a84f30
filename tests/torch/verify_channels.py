"""Checks tests/fixtures/channels (written by channel_cases.py) from the files alone.

usage: /usr/bin/python3 tests/torch/verify_channels.py [CASES_DIR]   (default tests/fixtures/channels)
For every run case: reads NAME.safetensors with fixturecheck.py's reader (layout, dtypes, order); parses NAME.cs
(fixturecases.parse_cs: the network and its [Block] classes), re-renders it and compares the text; rebuilds the
network with channel_cases.FIXTURES.build; checks that the state_dict keys are those the naming rules give
(fixturecases.rule_keys, from the attributes without PyTorch), in order, and the file's keys; loads the file with
load_state_dict(strict=True); checks NAME.params.f32 against the state_dict's float tensors in order and
cases.json's count; recomputes the expected output in float64 and compares it bit for bit with NAME.expected.f32
and the file's "expected"; and runs the network again with every ChannelSlice and ChannelShuffle replaced by
python/cnngen.py's (what TorchSource runs), which must give the same output.
For error cases: the rebuild fails on the attribute at cases.json's line with cases.json's id, and the entry has
"why" and "pytorch".
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fixturecheck  # noqa: E402
from channel_cases import CNNGEN, FIXTURES  # noqa: E402
from netspec import ChannelShuffle, ChannelSlice  # noqa: E402


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


def cnngen_ops_agree(model64, x64, y):
    assert with_cnngen_ops(model64) > 0, "no ChannelSlice or ChannelShuffle"
    with torch.no_grad():
        y3 = model64(x64)
    assert np.array_equal(y3.float().numpy().ravel(), y), "python/cnngen.py's channel ops give another output"


if __name__ == "__main__":
    sys.exit(fixturecheck.main(FIXTURES, os.path.join(HERE, "..", "fixtures", "channels"), then=cnngen_ops_agree))
