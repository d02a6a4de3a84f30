"""Trains the Segmentation sample's small U-Net on synthetic shapes, and writes what the C# sample ships.

    apt-get install python3-torch      # Debian's PyTorch 1.13 (and numpy); no other package is needed
    /usr/bin/python3 samples/Segmentation/train.py

The data is drawn here, deterministically (fixed seeds; every run writes byte-identical files): 32x32 grayscale
images, each with two to five overlapping shapes on a textured background, and a segmentation target with one of
three classes per pixel:

  0 background   the background, and everything that is not a shape (scratches, specks)
  1 circle       discs and rings (outlined circles), radius 3.5 to 9 pixels
  2 polygon      rectangles (upright or rotated: squares and diamonds too; sides 6 to 18 pixels) and triangles
                 (no angle below 25 degrees, 5 to 11 pixels from centre to corner), filled or outlined

Shapes may reach over the image's edge; four in ten are circles, the others rectangles and triangles. Every image
is drawn 4x4 supersampled: a shape covers a pixel by the fraction of its 16 sub-pixel centres inside it
(antialiased edges), and a pixel's class is the class of most of its sub-pixels (the lower class number at a tie;
the top shape's where shapes overlap; an outline, 1.5 to 2.5 pixels wide, drawn on three shapes in ten, shows
what lies below it inside, and that is its label there). The background is a base level, a linear gradient,
smooth blotches and, half the time, stripes. A shape's grey level is the mean of its bounding box before it is
drawn, plus or minus a contrast from 0.2 to 0.55, with a slight shading of its own: a shape laid across a darker
and a lighter region may nearly vanish against one of them. Thin scratches and specks are drawn over everything
without changing the labels (the shapes are still there). Then the whole image is blurred (Gaussian, sigma 0.2
to 0.6 pixels), Gaussian noise is added (sigma 0.01 to 0.05), and it is standardized (zero mean, unit standard
deviation), which is the network's input.

The network is model.py's SegNet: the generated class's own TorchSource, written by
`dotnet run --project samples/Segmentation -- --torch-source > samples/Segmentation/model.py`,
so PyTorch trains exactly what Networks.cs declares. Drawing the data takes about 30 s and training about 3.5
minutes on 2 idle CPU cores (14 epochs of 16,000 images; much longer if another process keeps a core busy).

Writes, next to this script:
  model.safetensors      the whole state_dict ("inc.conv1.weight", "level1.0.enc.bn1.running_mean",
                         "level1.0.level2.0.up.bias", ...), sorted by name: the float tensors as F32 and
                         BatchNorm's num_batches_tracked as I64, written by hand below (no safetensors package)
  test.f32               100 test images, standardized: N x 1 x 32 x 32 float32, little-endian
  test_masks.u8          their targets, one byte per pixel (0 background, 1 circle, 2 polygon): N x 32 x 32
  pytorch_logits.f32     PyTorch's outputs for them in eval mode (N x 3 x 32 x 32 float32)
  pytorch_metrics.txt    PyTorch's pixel accuracy, per-class IoU and mean IoU on them
Running the C# sample never needs this script; it is here to show where the weights and the data come from.
"""
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn

from model import SegNet

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["background", "circle", "polygon"]
SIZE, SS = 32, 4                        # 32x32 pixels, drawn 4x4 supersampled
HI = SIZE * SS
TRAIN, TEST, SHIPPED = 16000, 1000, 100
EPOCHS, BATCH, MAX_LR = 14, 64, 0.01


# ----------------------------------------------------------------------------------------------------------
# The data

def box(x0, x1, y0, y1):
    """The whole pixels covering [x0, x1] x [y0, y1] (pixel units), clipped to the image; None if none."""
    px0, px1 = max(0, int(np.floor(x0))), min(SIZE, int(np.ceil(x1)))
    py0, py1 = max(0, int(np.floor(y0))), min(SIZE, int(np.ceil(y1)))
    return None if px0 >= px1 or py0 >= py1 else (py0, py1, px0, px1)


def subpixels(b):
    """The sub-pixel centres of box b, in pixel units: y (rows x 1) and x (1 x columns)."""
    py0, py1, px0, px1 = b
    y = (np.arange(py0 * SS, py1 * SS) + 0.5) / SS
    x = (np.arange(px0 * SS, px1 * SS) + 0.5) / SS
    return y[:, None], x[None, :]


def coverage(mask):
    """The fraction of each pixel's 16 sub-pixels inside a mask over whole pixels."""
    h, w = mask.shape[0] // SS, mask.shape[1] // SS
    return mask.reshape(h, SS, w, SS).mean(axis=(1, 3))


def circle(cx, cy, r, outline):
    """The disc of radius r (or the ring of width outline inside it) as (box, sub-pixel mask)."""
    b = box(cx - r, cx + r, cy - r, cy + r)
    if b is None:
        return None
    y, x = subpixels(b)
    d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    m = d <= r
    if outline:
        m &= d > r - outline
    return b, m


def polygon(vertices, outline):
    """A convex polygon (vertices counter-clockwise, in pixel units), or its outline of the given width inside
    it, as (box, sub-pixel mask): inside where every edge's inward distance is at least 0."""
    v = np.asarray(vertices, float)
    b = box(v[:, 0].min(), v[:, 0].max(), v[:, 1].min(), v[:, 1].max())
    if b is None:
        return None
    y, x = subpixels(b)
    inside = np.full((y.shape[0], x.shape[1]), np.inf)
    for (ax, ay), (bx, by) in zip(v, np.roll(v, -1, axis=0)):
        length = np.hypot(bx - ax, by - ay)
        inside = np.minimum(inside, ((x - ax) * -(by - ay) + (y - ay) * (bx - ax)) / length)
    m = inside >= 0
    if outline:
        m &= inside < outline
    return b, m


def segment(x0, y0, x1, y1, width):
    """A scratch: the points within width / 2 of the segment, as (box, sub-pixel mask)."""
    h = width / 2
    b = box(min(x0, x1) - h, max(x0, x1) + h, min(y0, y1) - h, max(y0, y1) + h)
    if b is None:
        return None
    y, x = subpixels(b)
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1)
    return b, np.hypot(x - x0 - t * dx, y - y0 - t * dy) <= h


def smooth(a, sigma, axes=(0, 1)):
    """Gaussian blur with reflected borders, separable (numpy only)."""
    radius = max(1, int(np.ceil(3 * sigma)))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    for axis in axes:
        pad = [(0, 0)] * a.ndim
        pad[axis] = (radius, radius)
        p = np.pad(a, pad, mode="reflect")
        a = sum(k[i] * np.take(p, np.arange(i, i + a.shape[axis]), axis=axis) for i in range(len(k)))
    return a


def background(rng):
    """A base level, a linear gradient, smooth blotches, and (half the time) stripes."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    angle = rng.uniform(0, 2 * np.pi)
    img = rng.uniform(0.25, 0.75) + rng.uniform(-0.35, 0.35) * ((x - SIZE / 2) * np.cos(angle) + (y - SIZE / 2) * np.sin(angle)) / SIZE
    blotches = smooth(rng.normal(0, 1, (SIZE, SIZE)), rng.uniform(1.5, 4))
    img += rng.uniform(0, 0.06) * blotches / blotches.std()
    if rng.random() < 0.5:
        angle, period = rng.uniform(0, np.pi), rng.uniform(3.5, 12)
        img += rng.uniform(0.02, 0.08) * np.sin(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / period + rng.uniform(0, 2 * np.pi))
    return img


def shape(rng):
    """A random shape: (class, box, sub-pixel mask), or None if it falls outside the image."""
    cx, cy = rng.uniform(-1, SIZE + 1, 2)
    outline = rng.uniform(1.5, 2.5) if rng.random() < 0.3 else 0
    kind = rng.choice(4, p=[0.4, 0.15, 0.2, 0.25])  # disc or ring, upright rectangle, rotated rectangle, triangle
    if kind == 0:
        r = rng.uniform(3.5, 9)
        c = circle(cx, cy, r, min(outline, r - 1))
        return None if c is None else (1,) + c
    if kind in (1, 2):
        w, h = rng.uniform(3, 9, 2)              # half sides
        a = 0 if kind == 1 else rng.uniform(0, np.pi / 2)
        corners = [(-w, -h), (w, -h), (w, h), (-w, h)]
        c, s = np.cos(a), np.sin(a)
        vertices = [(cx + u * c - v * s, cy + u * s + v * c) for u, v in corners]
        outline = min(outline, min(w, h) - 0.5)
    else:
        while True:                              # a triangle with no angle below 25 degrees
            angles = np.sort(rng.uniform(0, 2 * np.pi) + np.arange(3) * 2 * np.pi / 3 + rng.uniform(-0.5, 0.5, 3))
            radii = rng.uniform(5, 11) * rng.uniform(0.75, 1.0, 3)
            vertices = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
            sides = np.roll(vertices, -1, 0) - vertices
            cosines = [-(sides[i] @ sides[i - 1]) / np.linalg.norm(sides[i]) / np.linalg.norm(sides[i - 1]) for i in range(3)]
            if max(cosines) < np.cos(np.radians(25)):
                break
    p = polygon(vertices, outline)
    return None if p is None else (2,) + p


def paint(img, b, m, value, rng):
    """Composites a sub-pixel mask onto the image with a grey level (and a slight shading)."""
    py0, py1, px0, px1 = b
    a = coverage(m)
    y, x = np.mgrid[py0:py1, px0:px1]
    v = value + rng.uniform(-0.015, 0.015) * (x - x.mean()) + rng.uniform(-0.015, 0.015) * (y - y.mean())
    img[py0:py1, px0:px1] = img[py0:py1, px0:px1] * (1 - a) + v * a


def contrasting(img, b, rng, low, high):
    """A grey level differing from the box's current mean by low to high, up or down (within [0, 1] if it can)."""
    py0, py1, px0, px1 = b
    around = img[py0:py1, px0:px1].mean()
    c = rng.uniform(low, high)
    up = rng.random() < 0.5
    if around + c > 1:
        up = False
    elif around - c < 0:
        up = True
    return around + c if up else around - c


def image(rng):
    """One image and its target: standardized 32x32 float32 pixels and 32x32 classes (uint8)."""
    img = background(rng)
    labels = np.zeros((HI, HI), np.uint8)
    for _ in range(rng.integers(2, 6)):
        s = shape(rng)
        if s is None:
            continue
        cls, b, m = s
        paint(img, b, m, contrasting(img, b, rng, 0.2, 0.55), rng)
        py0, py1, px0, px1 = b
        labels[py0 * SS:py1 * SS, px0 * SS:px1 * SS][m] = cls
    for _ in range(rng.integers(0, 3)):          # scratches, over everything, not in the labels
        x0, y0, x1, y1 = rng.uniform(0, SIZE, 4)
        s = segment(x0, y0, x1, y1, rng.uniform(0.5, 1.0))
        if s is not None and s[1].any():
            paint(img, *s, contrasting(img, s[0], rng, 0.1, 0.4), rng)
    for _ in range(rng.integers(0, 9)):          # specks
        s = circle(*rng.uniform(0, SIZE, 2), rng.uniform(0.4, 1.0), 0)
        if s is not None and s[1].any():
            paint(img, *s, contrasting(img, s[0], rng, 0.1, 0.4), rng)
    img = smooth(img, rng.uniform(0.2, 0.6))
    img = img + rng.normal(0, rng.uniform(0.01, 0.05), img.shape)
    counts = np.stack([(labels == c).reshape(SIZE, SS, SIZE, SS).sum(axis=(1, 3)) for c in range(len(CLASSES))])
    return ((img - img.mean()) / img.std()).astype(np.float32), counts.argmax(0).astype(np.uint8)


def dataset(count, seed):
    """count images and targets: N x 1 x 32 x 32 floats and N x 32 x 32 classes (int64)."""
    rng = np.random.default_rng(seed)
    pairs = [image(rng) for _ in range(count)]
    x = np.stack([p[0] for p in pairs])[:, None]
    y = np.stack([p[1] for p in pairs])
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


# ----------------------------------------------------------------------------------------------------------
# safetensors, by hand

def write_safetensors(path, tensors):
    """The safetensors format: 8-byte little-endian header length, a JSON header (dtype, shape, data_offsets per
    tensor), then the raw little-endian data. Tensors sorted by name, the header padded with spaces to a multiple
    of 8 bytes. Float tensors as F32, int64 ones (num_batches_tracked) as I64."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.is_floating_point():
            dtype, b = "F32", t.to(torch.float32).numpy().astype("<f4").tobytes()
        elif t.dtype == torch.int64:
            dtype, b = "I64", t.numpy().astype("<i8").tobytes()
        else:
            raise TypeError(f"{name}: {t.dtype}")
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
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
    """Reads back what write_safetensors wrote."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        dtype = {"F32": "<f4", "I64": "<i8"}[e["dtype"]]
        size = np.dtype(dtype).itemsize
        out[name] = torch.from_numpy(np.frombuffer(data, dtype, (end - begin) // size, 8 + n + begin).copy()).reshape(e["shape"])
    return out


# ----------------------------------------------------------------------------------------------------------

def evaluate(model, x, batch=500):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def metrics(predicted, target):
    """Pixel accuracy, each class's IoU (intersection over union, over all the pixels of all the images) and
    their mean."""
    accuracy = (predicted == target).double().mean().item()
    iou = []
    for c in range(len(CLASSES)):
        p, t = predicted == c, target == c
        iou.append((p & t).sum().item() / max(1, (p | t).sum().item()))
    return accuracy, iou, sum(iou) / len(iou)


def describe(m):
    accuracy, iou, mean = m
    return (f"pixel accuracy {accuracy:.4f}, IoU " + ", ".join(f"{c} {v:.4f}" for c, v in zip(CLASSES, iou))
            + f", mean IoU {mean:.4f}")


def augment(x, y, k):
    """The eight symmetries of the square (k = 0..7), applied alike to images and targets."""
    if k & 4:
        x, y = x.flip(-1), y.flip(-1)
    return torch.rot90(x, k & 3, (-2, -1)), torch.rot90(y, k & 3, (-2, -1))


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    start = time.time()
    train_x, train_y = dataset(TRAIN, seed=1)
    test_x, test_y = dataset(TEST, seed=2)
    fractions = ", ".join(f"{c} {(train_y == i).double().mean().item():.3f}" for i, c in enumerate(CLASSES))
    print(f"data: {len(train_x)} training and {len(test_x)} test images of {SIZE}x{SIZE}; pixels: {fractions} "
          f"({time.time() - start:.0f} s)", flush=True)

    model = SegNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=MAX_LR, weight_decay=1e-4)
    steps = (len(train_x) + BATCH - 1) // BATCH
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, MAX_LR, epochs=EPOCHS, steps_per_epoch=steps)
    loss_fn = nn.CrossEntropyLoss()                        # per pixel, on the logits
    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x))
        symmetries = torch.randint(8, (steps,))
        for step, i in enumerate(range(0, len(order), BATCH)):
            batch = order[i:i + BATCH]
            x, y = augment(train_x[batch], train_y[batch], int(symmetries[step]))
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
        m = metrics(evaluate(model, test_x).argmax(1), test_y)
        print(f"epoch {epoch + 1:2d}: loss {loss.item():.4f}, test {describe(m)} ({time.time() - start:.0f} s)", flush=True)
    seconds = time.time() - start

    model.eval()
    path = os.path.join(HERE, "model.safetensors")
    write_safetensors(path, model.state_dict())
    shipped_x, shipped_y = test_x[:SHIPPED], test_y[:SHIPPED]
    logits = evaluate(model, shipped_x)
    shipped = metrics(logits.argmax(1), shipped_y)
    shipped_x.numpy().astype("<f4").tofile(os.path.join(HERE, "test.f32"))
    shipped_y.numpy().astype("u1").tofile(os.path.join(HERE, "test_masks.u8"))
    logits.numpy().astype("<f4").tofile(os.path.join(HERE, "pytorch_logits.f32"))
    with open(os.path.join(HERE, "pytorch_metrics.txt"), "w") as f:
        accuracy, iou, mean = shipped
        f.write(f"pixel_accuracy {accuracy:.4f}\n")
        for c, v in zip(CLASSES, iou):
            f.write(f"iou_{c} {v:.4f}\n")
        f.write(f"mean_iou {mean:.4f}\n")

    # The file round-trips: a fresh SegNet loaded from it (strictly: every key, num_batches_tracked too) gives the
    # same outputs.
    fresh = SegNet()
    fresh.load_state_dict(read_safetensors(path), strict=True)
    again = evaluate(fresh, torch.from_numpy(np.fromfile(os.path.join(HERE, "test.f32"), "<f4")).reshape(-1, 1, SIZE, SIZE))
    assert torch.equal(again, logits), "model.safetensors does not reproduce the logits"

    print(f"PyTorch {torch.__version__}: {sum(p.numel() for p in model.parameters())} parameters, trained in {seconds:.0f} s")
    print(f"  all {len(test_x)} test images: {describe(m)}")
    print(f"  the {SHIPPED} shipped:        {describe(shipped)}")
    print(f"reloaded from model.safetensors: same logits; files written to {HERE}")


if __name__ == "__main__":
    main()
