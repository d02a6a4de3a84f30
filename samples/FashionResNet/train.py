"""Trains the FashionResNet sample's network on Fashion-MNIST, and writes what the C# sample ships.

    apt-get install python3-torch      # Debian's PyTorch 1.13; no other package is needed
    /usr/bin/python3 samples/FashionResNet/train.py [folder with the four Fashion-MNIST .gz files]

The data folder defaults to /usr/share/datasets/fashion-mnist; it holds the idx files as published
(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz).
The network is model.py's FashionNet: the generated class's own TorchSource, written by
`dotnet run --project samples/FashionResNet -- --torch-source > samples/FashionResNet/model.py`,
so PyTorch trains exactly what Networks.cs declares. Training takes about 5 minutes
on 2 CPU cores (8 epochs of SGD, one-cycle learning rate, random horizontal flips).

Inputs are normalized as x = (pixel / 255 - 0.2860) / 0.3530 (the training set's mean and standard
deviation); Program.cs gets test.f32 already normalized, and any other caller must do the same.

Writes, next to this script:
  model.safetensors      the state_dict's float tensors ("conv1.weight", "bn1.running_mean", "layer2.0.downsample.0.weight", ...),
                         F32, written by hand below; the int64 num_batches_tracked buffers are left out
  test.f32               the first 1,000 images of the test set, normalized: N x 1 x 28 x 28 float32, little-endian, NCHW
  test_labels.u8         their labels, one byte each (0 T-shirt/top ... 9 Ankle boot)
  pytorch_accuracy.txt   PyTorch's accuracy on those 1,000 images
  pytorch_predictions.u8 PyTorch's predicted class for each of them, one byte each
Running the C# sample never needs this script; it is here to show where the weights come from.
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from model import FashionNet

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
SHIPPED = 1000          # test images written to test.f32
EPOCHS, BATCH, MAX_LR = 8, 128, 0.1


def read_idx(name):
    """An idx file (gzip): big-endian magic (0, 0, type 8 = u8, rank), the sizes, then the bytes."""
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    zero, kind, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 8:
        raise ValueError(f"{name}: not an idx file of bytes")
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(prefix):
    images = torch.from_numpy(read_idx(f"{prefix}-images-idx3-ubyte.gz").copy()).float().unsqueeze(1)  # N x 1 x 28 x 28
    labels = torch.from_numpy(read_idx(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return (images / 255 - MEAN) / STD, labels


def write_safetensors(path, tensors):
    """The safetensors format by hand: 8-byte header length, JSON header, raw little-endian data.
    Tensors sorted by name (as safetensors does for tensors of one dtype), the header padded with spaces to 8 bytes."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        b = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Reads back what write_safetensors wrote (F32 only)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data, "<f4", (end - begin) // 4, 8 + n + begin).copy()).reshape(e["shape"])
    return out


def evaluate(model, x, batch=1000):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    train_x, train_y = load("train")
    test_x, test_y = load("t10k")

    model = FashionNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=MAX_LR, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps = (len(train_x) + BATCH - 1) // BATCH
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, MAX_LR, epochs=EPOCHS, steps_per_epoch=steps)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), BATCH):
            batch = order[i:i + BATCH]
            x = train_x[batch]
            flip = torch.rand(len(batch)) < 0.5                  # random horizontal flip
            x[flip] = x[flip].flip(3)
            optimizer.zero_grad()
            loss = loss_fn(model(x), train_y[batch])
            loss.backward()
            optimizer.step()
            schedule.step()
        accuracy = (evaluate(model, test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {accuracy:.4f} (10,000 images; {time.time() - start:.0f} s)", flush=True)
    seconds = time.time() - start

    model.eval()
    state = {k: v for k, v in model.state_dict().items() if v.is_floating_point()}   # not num_batches_tracked
    path = os.path.join(HERE, "model.safetensors")
    write_safetensors(path, state)
    shipped_x, shipped_y = test_x[:SHIPPED], test_y[:SHIPPED]
    logits = evaluate(model, shipped_x)
    predictions = logits.argmax(1)
    shipped_accuracy = (predictions == shipped_y).float().mean().item()
    shipped_x.numpy().astype("<f4").tofile(os.path.join(HERE, "test.f32"))
    shipped_y.numpy().astype("u1").tofile(os.path.join(HERE, "test_labels.u8"))
    predictions.numpy().astype("u1").tofile(os.path.join(HERE, "pytorch_predictions.u8"))
    with open(os.path.join(HERE, "pytorch_accuracy.txt"), "w") as f:
        f.write(f"{shipped_accuracy:.4f}\n")

    # The file round-trips: a fresh FashionNet loaded from it gives the same logits.
    fresh = FashionNet()
    missing, unexpected = fresh.load_state_dict(read_safetensors(path), strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    again = evaluate(fresh, torch.from_numpy(np.fromfile(os.path.join(HERE, "test.f32"), "<f4")).reshape(-1, 1, 28, 28))
    assert torch.equal(again.argmax(1), predictions) and torch.equal(again, logits), "model.safetensors does not reproduce the predictions"

    print(f"PyTorch {torch.__version__}: {sum(p.numel() for p in model.parameters())} parameters, trained in {seconds:.0f} s; "
          f"test accuracy {accuracy:.4f} on all 10,000, {shipped_accuracy:.4f} on the first {SHIPPED} (shipped); "
          f"reloaded from model.safetensors: same logits; files written to {HERE}")


if __name__ == "__main__":
    main()
