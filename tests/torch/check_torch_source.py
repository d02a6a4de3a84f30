"""Checks generated networks' TorchSource against the network, as CnnGen's TorchSourceTests run it.

    /usr/bin/python3 tests/torch/check_torch_source.py MANIFEST.json

The manifest lists cases: {"name", "source" (a .py file holding one TorchSource), "class",
"parameters": [[key, [dims]], ...] (NetworkSpec.Parameters in order), and optionally "params",
"input", "expected" (.f32 files: the flat state vector, a batch of inputs, PyTorch's outputs) and
"input_shape"}. For each: the module imports with torch alone, its state_dict's float tensors have
the network's keys, shapes and order, and with the state vector loaded its eval-mode forward gives
the expected outputs. Prints one line per case; exits 1 on the first failure.
"""
import importlib.util
import json
import sys

import numpy as np
import torch


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(manifest):
    cases = json.load(open(manifest))
    for case in cases:
        module = load(case["source"], "torchsource_" + case["name"])
        model = getattr(module, case["class"])().eval()
        state = [(k, v) for k, v in model.state_dict().items() if v.is_floating_point()]
        got = [[k, list(v.shape)] for k, v in state]
        want = case["parameters"]
        if got != want:
            print(f"{case['name']}: state_dict {got} but the network has {want}")
            return 1
        if "params" in case:
            flat = torch.from_numpy(np.fromfile(case["params"], dtype="<f4"))
            total = sum(v.numel() for _, v in state)
            if flat.numel() != total:
                print(f"{case['name']}: {flat.numel()} parameters in the file, {total} in the module")
                return 1
            offset, loaded = 0, {}
            for k, v in state:
                loaded[k] = flat[offset:offset + v.numel()].reshape(v.shape)
                offset += v.numel()
            model.load_state_dict(loaded, strict=False)
            x = torch.from_numpy(np.fromfile(case["input"], dtype="<f4")).reshape([-1] + case["input_shape"])
            expected = np.fromfile(case["expected"], dtype="<f4")
            with torch.no_grad():
                y = model(x).reshape(-1).numpy()
            error = float(np.max(np.abs(y - expected) / (1e-3 + np.abs(expected))))
            if y.shape != expected.shape or not error < 1e-3:
                print(f"{case['name']}: forward differs from the expected output (relative error {error:g})")
                return 1
            print(f"{case['name']}: {len(state)} tensors, forward matches (relative error {error:.2g})")
        else:
            print(f"{case['name']}: {len(state)} tensors match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
