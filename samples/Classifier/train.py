"""Trains the Classifier sample's CNN on shapes this script draws itself, and writes what the C# sample ships.

    apt-get install python3-torch      # Debian's PyTorch 1.13; no other package is needed
    /usr/bin/python3 samples/Classifier/train.py

Writes, next to this script:
  model.safetensors      the state_dict ("0.weight", "0.bias", "3.weight", ...), F32, written by hand below
  test.f32               the held-out test set: N x 1 x 12 x 12 float32, little-endian, NCHW
  test_labels.u8         its labels, one byte each (0 horizontal, 1 vertical, 2 diagonal)
  pytorch_accuracy.txt   PyTorch's accuracy on that test set
  pytorch_predictions.u8 PyTorch's predicted class for each test sample, one byte each
Running the C# sample never needs this script; it is here to show where the weights come from.
"""
import json
import os
import struct
import time

import torch
import torch.nn as nn

SIZE = 12
CLASSES = ["horizontal", "vertical", "diagonal"]
HERE = os.path.dirname(os.path.abspath(__file__))


def draw(label, g):
    """One noisy 12x12 image of a bar: horizontal, vertical, or diagonal (either direction), anywhere."""
    def pick(n):
        return int(torch.randint(0, n, (1,), generator=g))
    length = 5 + pick(SIZE - 4)      # 5 to 12 pixels
    start = pick(SIZE - length + 1)  # along the bar
    across = pick(SIZE)              # across it (for a diagonal: the column it starts in, and its direction)
    if label == 0:
        cells = [(across, start + t) for t in range(length)]
    elif label == 1:
        cells = [(start + t, across) for t in range(length)]
    else:
        column = pick(SIZE - length + 1)
        cells = [(start + t, column + t if across % 2 else SIZE - 1 - column - t) for t in range(length)]
    img = torch.zeros(SIZE, SIZE)
    brightness = 0.5 + 0.5 * float(torch.rand(1, generator=g))
    for row, col in cells:
        img[row, col] = brightness
    return img + 0.25 * torch.randn(SIZE, SIZE, generator=g)


def dataset(n, seed):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, len(CLASSES), (n,), generator=g)
    images = torch.stack([draw(int(label), g) for label in labels]).unsqueeze(1)  # N x 1 x 12 x 12
    return images, labels


def write_safetensors(path, tensors):
    """The safetensors format by hand: 8-byte header length, JSON header, raw little-endian data."""
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(0)
    train_x, train_y = dataset(6000, seed=1)
    test_x, test_y = dataset(300, seed=2)

    # Module i here is layer attribute i of the C# class (ReLU, pools and Flatten count too).
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 0, 1, 2:  8 x 6 x 6
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 3, 4, 5: 16 x 3 x 3
        nn.Flatten(), nn.Linear(16 * 3 * 3, len(CLASSES)),            # 6, 7:    3 logits
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    for epoch in range(12):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), 100):
            batch = order[i:i + 100]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            predictions = model(test_x).argmax(1)
            accuracy = (predictions == test_y).float().mean().item()
        print(f"epoch {epoch + 1:2d}: loss {loss.item():.4f}, test accuracy {accuracy:.4f} ({time.time() - start:.1f} s)")

    write_safetensors(os.path.join(HERE, "model.safetensors"), model.state_dict())
    test_x.numpy().astype("<f4").tofile(os.path.join(HERE, "test.f32"))
    test_y.numpy().astype("u1").tofile(os.path.join(HERE, "test_labels.u8"))
    predictions.numpy().astype("u1").tofile(os.path.join(HERE, "pytorch_predictions.u8"))
    with open(os.path.join(HERE, "pytorch_accuracy.txt"), "w") as f:
        f.write(f"{accuracy:.4f}\n")
    print(f"PyTorch {torch.__version__}: test accuracy {accuracy:.4f} on {len(test_y)} samples; files written to {HERE}")


if __name__ == "__main__":
    main()
