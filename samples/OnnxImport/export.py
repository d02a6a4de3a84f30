"""Trains the OnnxImport sample's small CNN on Fashion-MNIST, exports it to ONNX, and writes what the C# sample ships.

    apt-get install python3-torch python3-onnx dataset-fashion-mnist   # Debian: PyTorch 1.13, onnx 1.12
    /usr/bin/python3 samples/OnnxImport/export.py [folder with the four Fashion-MNIST .gz files]

The data folder defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist): the idx files as
published. The network is FashionNet below: a stem Conv-BatchNorm-ReLU and max pool, a residual block
(two Conv-BatchNorm, the input added back, ReLU), a depthwise-separable downsampling (depthwise 3x3 stride 2 and
pointwise 1x1 convolutions, each with BatchNorm and ReLU), global average pooling and a Linear layer: 5,930
parameters, trained for 3 epochs of SGD with a one-cycle learning rate (about 5 CPU-minutes: 2.5 minutes on 2 idle
cores; 88.3% on the test set). torch.onnx.export (opset 13, eval mode) folds each BatchNorm into the convolution
before it, so the file holds 6 convolutions with biases and the Linear layer: 5,834 numbers in 12 initializers.

Inputs are the pixels normalized as x = (pixel / 255 - 0.2860) / 0.3530 in float32 (the training set's mean and
standard deviation); Program.cs does the same to the bytes of test_images.u8.

Writes, next to this script:
  model.onnx             the trained network, weights inside the file (initializers), input "image" [1, 1, 28, 28],
                         output "logits" [1, 10]; [OnnxModel("model.onnx")] reads it at build time
  model.safetensors      the same weights as the ONNX file holds them: every float initializer under its ONNX name,
                         read back from model.onnx with the onnx package (for the C# reference engine)
  test_images.u8         the first 1,000 test images, 28 x 28 bytes each, as in the idx file
  test_labels.u8         their labels, one byte each (0 T-shirt/top ... 9 Ankle boot)
  pytorch_logits.f32     PyTorch's output for each of them: 1,000 x 10 float32, little-endian
  pytorch_accuracy.txt   PyTorch's accuracy on those 1,000 images and on the whole test set
and, for the Native AOT sample (../NativeAot), which embeds all four in its executable:
  ../NativeAot/fashion.onnx            a copy of model.onnx
  ../NativeAot/fashion_images.u8       the first 100 of the test images above
  ../NativeAot/fashion_labels.u8       their labels
  ../NativeAot/fashion_logits.f32      PyTorch's logits for them
Running the C# sample never needs this script; it is here to show where the files come from.
"""
import gzip
import json
import os
import shutil
import struct
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
MEAN, STD = np.float32(0.2860), np.float32(0.3530)
SHIPPED = 1000
AOT, AOT_SHIPPED = os.path.join(HERE, "..", "NativeAot"), 100
EPOCHS, BATCH, MAX_LR = 3, 128, 0.1


def read_idx(name):
    """An idx file (gzip): big-endian magic (0, 0, type 8 = u8, rank), the sizes, then the bytes."""
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    zero, kind, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 8:
        raise ValueError(f"{name}: not an idx file of bytes")
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(shape)


def normalize(pixels):
    """uint8 N x 28 x 28 to float32 N x 1 x 28 x 28, in float32 step by step, as Program.cs computes it."""
    x = (pixels.astype(np.float32) / np.float32(255) - MEAN) / STD
    return torch.from_numpy(x[:, None, :, :].copy())


def conv_bn(cin, cout, kernel, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.ReLU()) if relu else nn.Sequential(*layers)


class Residual(nn.Module):
    """Two 3x3 Conv-BatchNorm with a ReLU between; the input is added back, then ReLU (ResNet's basic block)."""

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(conv_bn(channels, channels, 3), conv_bn(channels, channels, 3, relu=False))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(x + self.body(x))


class FashionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16, 3)                          # 16 x 28 x 28
        self.pool = nn.MaxPool2d(2)                            # 16 x 14 x 14
        self.block = Residual(16)                              # 16 x 14 x 14
        self.down = nn.Sequential(
            conv_bn(16, 16, 3, stride=2, groups=16),           # depthwise: 16 x 7 x 7
            conv_bn(16, 32, 1))                                # pointwise: 32 x 7 x 7
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))

    def forward(self, x):
        return self.head(self.down(self.block(self.pool(self.stem(x)))))


def write_safetensors(path, tensors):
    """The safetensors format by hand: 8-byte header length, JSON header, raw little-endian data."""
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        b = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(b)]}
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
    torch.set_num_threads(2)
    train_x = normalize(read_idx("train-images-idx3-ubyte.gz"))
    train_y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    test_pixels = read_idx("t10k-images-idx3-ubyte.gz")
    test_x = normalize(test_pixels)
    test_y = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

    model = FashionNet()
    steps = EPOCHS * ((len(train_x) + BATCH - 1) // BATCH)
    optimizer = torch.optim.SGD(model.parameters(), lr=MAX_LR, momentum=0.9, weight_decay=5e-4, nesterov=True)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, MAX_LR, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), BATCH):
            batch = order[i:i + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {accuracy:.4f} ({time.time() - start:.0f} s)")

    model.eval()
    example = test_x[:1]
    onnx_path = os.path.join(HERE, "model.onnx")
    torch.onnx.export(model, example, onnx_path, opset_version=13, input_names=["image"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)

    # the weights exactly as the ONNX file holds them (BatchNorm folded), under the file's names
    graph = onnx.load(onnx_path).graph
    onnx.checker.check_model(onnx.load(onnx_path))
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in graph.initializer if i.data_type == onnx.TensorProto.FLOAT}
    write_safetensors(os.path.join(HERE, "model.safetensors"), weights)

    with torch.no_grad():
        logits = model(test_x[:SHIPPED])
    shipped_accuracy = (logits.argmax(1) == test_y[:SHIPPED]).float().mean().item()
    test_pixels[:SHIPPED].tofile(os.path.join(HERE, "test_images.u8"))
    test_y[:SHIPPED].numpy().astype("u1").tofile(os.path.join(HERE, "test_labels.u8"))
    logits.numpy().astype("<f4").tofile(os.path.join(HERE, "pytorch_logits.f32"))
    shutil.copyfile(onnx_path, os.path.join(AOT, "fashion.onnx"))
    test_pixels[:AOT_SHIPPED].tofile(os.path.join(AOT, "fashion_images.u8"))
    test_y[:AOT_SHIPPED].numpy().astype("u1").tofile(os.path.join(AOT, "fashion_labels.u8"))
    logits[:AOT_SHIPPED].numpy().astype("<f4").tofile(os.path.join(AOT, "fashion_logits.f32"))
    with open(os.path.join(HERE, "pytorch_accuracy.txt"), "w") as f:
        f.write(f"{shipped_accuracy:.4f} on the first {SHIPPED} test images\n{accuracy:.4f} on all {len(test_y)}\n")
    parameters = sum(p.numel() for p in model.parameters())
    print(f"PyTorch {torch.__version__}, onnx {onnx.__version__}: {parameters} parameters, "
          f"{len(weights)} initializers ({', '.join(weights)}); accuracy {shipped_accuracy:.4f} on the first "
          f"{SHIPPED} test images, {accuracy:.4f} on all {len(test_y)}; files written to {HERE}")


if __name__ == "__main__":
    main()
