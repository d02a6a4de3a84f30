"""Trains the SignalClassifier sample's 1D network on synthetic ECG rhythms, and writes what the C# sample ships.

    apt-get install python3-torch      # Debian's PyTorch 1.13 (and numpy); no other package is needed
    /usr/bin/python3 samples/SignalClassifier/train.py

The data is drawn here, deterministically (fixed seeds): single-lead ECG strips of 4 s at 250 Hz (1,000 samples),
each one of six rhythms, with the variability and the noise of a real recording:

  0 normal     sinus rhythm, 60-100 beats per minute, with respiratory sinus arrhythmia
  1 brady      sinus bradycardia, 40-60 bpm
  2 tachy      sinus tachycardia, 100-160 bpm
  3 afib       atrial fibrillation: irregularly irregular RR intervals, no P waves, fibrillatory f-waves
  4 pvc        sinus rhythm (60-100 bpm) with one or two premature ventricular contractions: early, wide and
               tall QRS without a P wave, a T wave of the opposite polarity, a compensatory pause
  5 flutter    atrial flutter: sawtooth flutter waves at 250-350 per minute, the ventricles following every
               2nd, 3rd or 4th of them, or 2nd and 4th mixed

Every strip gets its own lead morphology (P, Q, R, S, T amplitudes and widths, PR interval, QT following
the heart rate), beat-to-beat variability, baseline wander, 50 or 60 Hz powerline interference, muscle
(EMG) noise with bursts, and a random gain; then it is standardized (zero mean, unit standard deviation),
which is the network's input. A fifth of the sinus strips have a premature atrial beat (early and narrow, its
P wave of another shape), which is neither a PVC nor fibrillation. Rates are drawn up to the class boundaries
(60 and 100 bpm), fibrillation may be nearly regular, P, f and flutter waves may be faint, so some strips are
genuinely ambiguous in 4 s.

The network is model.py's EcgNet: the generated class's own TorchSource, written by
`dotnet run --project samples/SignalClassifier -- --torch-source > samples/SignalClassifier/model.py`,
so PyTorch trains exactly what Networks.cs declares. Drawing the data takes about 5 s and training about 25 s
on 2 idle CPU cores (16 epochs; minutes if another process keeps a core busy).

Writes, next to this script:
  model.safetensors      the whole state_dict ("conv1.weight", "bn1.running_mean", "layer2.0.downsample.0.weight",
                         ...), sorted by name: the float tensors as F32 and BatchNorm's num_batches_tracked as
                         I64, written by hand below (no safetensors package needed)
  test.f32               240 test strips (40 per rhythm), standardized: N x 1 x 1000 float32, little-endian
  test_labels.u8         their rhythms, one byte each (0 normal ... 5 flutter)
  pytorch_logits.f32     PyTorch's outputs for them in eval mode (log-probabilities, N x 6 float32)
  pytorch_accuracy.txt   PyTorch's accuracy on them
Running the C# sample never needs this script; it is here to show where the weights and the data come from.
"""
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn

from model import EcgNet

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["normal", "brady", "tachy", "afib", "pvc", "flutter"]
FS, SECONDS = 250, 4
LENGTH = FS * SECONDS                   # 1000 samples per strip
TRAIN_PER_CLASS, TEST_PER_CLASS = 1000, 250
SHIPPED_PER_CLASS = 40                  # 240 strips in test.f32: 960 KB
EPOCHS, BATCH, MAX_LR = 16, 64, 0.01


# ----------------------------------------------------------------------------------------------------------
# The data: a sum of Gaussian bumps per wave of each beat (the usual dynamical-ECG-model simplification).

def bumps(t, centers, widths, amplitudes):
    """sum_i amplitudes[i] * exp(-(t - centers[i])^2 / (2 widths[i]^2)), over the strip's time axis t."""
    centers, widths, amplitudes = (np.atleast_1d(np.asarray(a, float)) for a in (centers, widths, amplitudes))
    if centers.size == 0:
        return np.zeros_like(t)
    d = (t[None, :] - centers[:, None]) / widths[:, None]
    return (amplitudes[:, None] * np.exp(-0.5 * d * d)).sum(0)


def morphology(rng):
    """One lead's beat shape: amplitudes (mV-like, R about 1) and widths (s) of P, Q, R, S and T, the PR interval."""
    return dict(
        p=rng.uniform(0.05, 0.25), p_w=rng.uniform(0.018, 0.03),
        q=-rng.uniform(0.0, 0.2), r=rng.uniform(0.6, 1.6), s=-rng.uniform(0.1, 0.5),
        qrs_w=rng.uniform(0.008, 0.014),
        t=rng.uniform(0.12, 0.45) * (1 if rng.random() < 0.9 else -0.6), t_w=rng.uniform(0.04, 0.07),
        pr=rng.uniform(0.12, 0.2),
    )


def sinus_beats(rng, bpm, start, end, pac=False):
    """Beat times from start to end at bpm, with respiratory sinus arrhythmia and beat-to-beat jitter; with pac,
    one premature atrial contraction inside the strip (an early beat, after which the sinus node starts over).
    Returns the times and the index of the premature beat (or -1)."""
    rr0 = 60.0 / bpm
    depth, breath, phase = rng.uniform(0.0, 0.08), rng.uniform(0.15, 0.35), rng.uniform(0, 2 * np.pi)
    early_at = rng.uniform(0.3, SECONDS - 0.6) if pac else np.inf
    times, t, early = [], start + rng.uniform(0, rr0), -1
    while t < end:
        times.append(t)
        rr = rr0 * (1 + depth * np.sin(2 * np.pi * breath * t + phase)) * (1 + rng.normal(0, 0.015))
        if early < 0 and t + rr > early_at:
            rr *= rng.uniform(0.6, 0.8)
            early = len(times)
        t += rr
    return np.array(times), early if early < len(times) else -1


def beats(t, times, m, rng, with_p=True):
    """Normal (narrow) beats at the given R times: P (optional), Q, R, S, T with a little per-beat variation."""
    n = len(times)
    rr = np.diff(times, append=times[-1] + (times[-1] - times[-2] if n > 1 else 1.0))

    def vary():                                            # each beat's wave a little taller or smaller
        return 1 + rng.normal(0, 0.05, n)

    w = m["qrs_w"]
    x = bumps(t, times - 0.028, w, m["q"] * vary()) + bumps(t, times, w, m["r"] * vary()) \
        + bumps(t, times + 0.03, w * 1.2, m["s"] * vary())
    qt = 0.24 * np.sqrt(np.clip(rr, 0.3, 1.6))            # T peak after R, following the rate (Bazett-like)
    x += bumps(t, times + qt, m["t_w"] * np.sqrt(np.clip(rr, 0.3, 1.6)), m["t"] * vary())
    if with_p is True:
        with_p = np.ones(n)
    if with_p is not False:                                # a factor per beat: 1, or a premature beat's other P
        x += bumps(t, times - m["pr"], m["p_w"], m["p"] * vary() * with_p)
    return x


def strip(label, rng):
    """One 4-second strip of the given rhythm, standardized."""
    t = np.arange(LENGTH) / FS
    m = morphology(rng)
    start, end = -2.0, SECONDS + 2.0                       # beats beyond the edges so that the strip is cut mid-rhythm
    if label in (0, 1, 2):
        bpm = rng.uniform(*[(60, 100), (40, 60), (100, 160)][label])
        times, early = sinus_beats(rng, bpm, start, end, pac=rng.random() < 0.2)   # a fifth with an early atrial beat:
        p = np.ones(len(times))                            # narrow, with a P wave of another shape
        if early >= 0:
            p[early] = rng.choice([-0.6, 0.5, 1.5])
        x = beats(t, times, m, rng, with_p=p)
    elif label == 3:                                       # atrial fibrillation
        rr0 = 60.0 / rng.uniform(60, 150)
        spread = rng.uniform(0.08, 0.3)
        times, tb = [], start + rng.uniform(0, rr0)
        while tb < end:
            times.append(tb)
            tb += max(0.28, rr0 * np.exp(rng.normal(0, spread)))
        x = beats(t, np.array(times), m, rng, with_p=False)
        amplitude = rng.uniform(0.01, 0.08)                # f-waves: two drifting 4-9 Hz components
        for _ in range(2):
            f = rng.uniform(4, 9) + rng.uniform(-0.5, 0.5) * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t)
            x += amplitude * rng.uniform(0.4, 1) * np.sin(2 * np.pi * np.cumsum(f) / FS + rng.uniform(0, 2 * np.pi))
    elif label == 4:                                       # sinus rhythm with premature ventricular contractions
        bpm = rng.uniform(60, 100)
        rr = 60.0 / bpm
        times, _ = sinus_beats(rng, bpm, start, end)
        inside = np.flatnonzero((times > 0.3) & (times < SECONDS - 0.5))
        chosen = {int(rng.choice(inside))}                 # one PVC, sometimes two (not back to back)
        others = [i for i in inside if abs(i - min(chosen)) > 1]
        if others and rng.random() < 0.35:
            chosen.add(int(rng.choice(others)))
        normal, pvcs = [], []
        for i, tb in enumerate(times):
            if i in chosen:                                # early, in place of sinus beat i; the sinus node keeps
                pvcs.append(times[i - 1] + rr * rng.uniform(0.5, 0.75))   # its pace: a compensatory pause follows
            else:
                normal.append(tb)
        x = beats(t, np.array(normal), m, rng)
        for tp in pvcs:                                    # wide, tall, bizarre QRS; discordant T; no P
            sign = 1 if rng.random() < 0.6 else -1
            width = rng.uniform(0.018, 0.04)
            height = sign * rng.uniform(0.7, 1.8) * max(m["r"], 0.8)
            x += bumps(t, [tp, tp + 1.6 * width], [width, width * 1.3], [height, -0.35 * height])
            x += bumps(t, tp + rng.uniform(0.26, 0.34), rng.uniform(0.06, 0.09), -sign * rng.uniform(0.3, 0.6))
    else:                                                  # atrial flutter
        flutter = rng.uniform(250, 350) / 60.0             # flutter waves per second
        ratio = rng.choice([2, 2, 3, 4, 0])                # 0: variable conduction, 2:1 and 4:1 mixed
        period = 1 / flutter
        phase = rng.uniform(0, period)
        saw = ((t + phase) / period) % 1.0                 # sawtooth: a slow fall and a quick rise, as in leads II,
        x = rng.uniform(0.05, 0.25) * (1 - 2 * saw) * (1 if rng.random() < 0.75 else -1)   # III, aVF (or upright)
        waves = np.arange(np.ceil((start + phase) / period), (end + phase) / period) * period - phase   # each rise
        if ratio:                                          # every ratio-th wave conducted, a PR interval later
            conducted = waves[rng.integers(ratio)::ratio]
        else:
            steps = np.cumsum(rng.choice([2, 4], size=len(waves)))
            conducted = waves[steps[steps < len(waves)]]
        times = conducted + rng.uniform(0.12, 0.26)
        x = x + beats(t, times + rng.normal(0, 0.004, len(times)), m, rng, with_p=False)
    # the recording: gain, baseline wander, powerline, muscle noise with bursts
    x = x * rng.uniform(0.5, 2.0)
    for _ in range(2):
        x += rng.uniform(0, 0.25) * np.sin(2 * np.pi * rng.uniform(0.05, 0.5) * t + rng.uniform(0, 2 * np.pi))
    if rng.random() < 0.6:
        x += rng.uniform(0.01, 0.08) * np.sin(2 * np.pi * rng.choice([50.0, 60.0]) * t + rng.uniform(0, 2 * np.pi))
    emg = rng.normal(0, 1, LENGTH)
    emg = np.convolve(emg, np.ones(3) / 3, mode="same") * rng.uniform(0.01, 0.06)
    if rng.random() < 0.3:
        b0 = rng.uniform(0, SECONDS - 1)
        emg *= 1 + 3 * ((t > b0) & (t < b0 + rng.uniform(0.3, 1.0)))
    x = x + emg
    return ((x - x.mean()) / x.std()).astype(np.float32)


def dataset(per_class, seed):
    """per_class strips of each rhythm, in a shuffled order: N x 1 x 1000 floats and N labels."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(len(CLASSES)), per_class))
    x = np.stack([strip(int(label), rng) for label in labels])[:, None, :]
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


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


def confusion(predicted, labels):
    """The confusion matrix as text: a row per true rhythm, a column per prediction."""
    k = len(CLASSES)
    m = torch.zeros(k, k, dtype=torch.int64)
    for p, t in zip(predicted.tolist(), labels.tolist()):
        m[t, p] += 1
    rows = ["          " + " ".join(f"{c:>7}" for c in CLASSES)]
    rows += [f"  {CLASSES[i]:>7} " + " ".join(f"{int(v):7d}" for v in m[i]) for i in range(k)]
    return "\n".join(rows)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    start = time.time()
    train_x, train_y = dataset(TRAIN_PER_CLASS, seed=1)
    test_x, test_y = dataset(TEST_PER_CLASS, seed=2)
    print(f"data: {len(train_x)} training and {len(test_x)} test strips of {LENGTH} samples ({time.time() - start:.0f} s)", flush=True)

    model = EcgNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=MAX_LR, weight_decay=1e-2)
    steps = (len(train_x) + BATCH - 1) // BATCH
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, MAX_LR, epochs=EPOCHS, steps_per_epoch=steps)
    loss_fn = nn.NLLLoss()                                 # the network ends in LogSoftmax
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
        accuracy = (evaluate(model, test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1:2d}: loss {loss.item():.4f}, test accuracy {accuracy:.4f} ({len(test_x)} strips; {time.time() - start:.0f} s)", flush=True)
    seconds = time.time() - start
    print(confusion(evaluate(model, test_x).argmax(1), test_y))

    model.eval()
    path = os.path.join(HERE, "model.safetensors")
    write_safetensors(path, model.state_dict())
    shipped = torch.cat([torch.nonzero(test_y == c).flatten()[:SHIPPED_PER_CLASS] for c in range(len(CLASSES))]).sort().values
    shipped_x, shipped_y = test_x[shipped], test_y[shipped]
    logits = evaluate(model, shipped_x)
    predictions = logits.argmax(1)
    shipped_accuracy = (predictions == shipped_y).float().mean().item()
    shipped_x.numpy().astype("<f4").tofile(os.path.join(HERE, "test.f32"))
    shipped_y.numpy().astype("u1").tofile(os.path.join(HERE, "test_labels.u8"))
    logits.numpy().astype("<f4").tofile(os.path.join(HERE, "pytorch_logits.f32"))
    with open(os.path.join(HERE, "pytorch_accuracy.txt"), "w") as f:
        f.write(f"{shipped_accuracy:.4f}\n")

    # The file round-trips: a fresh EcgNet loaded from it (strictly: every key, num_batches_tracked too) gives the
    # same outputs.
    fresh = EcgNet()
    fresh.load_state_dict(read_safetensors(path), strict=True)
    again = evaluate(fresh, torch.from_numpy(np.fromfile(os.path.join(HERE, "test.f32"), "<f4")).reshape(-1, 1, LENGTH))
    assert torch.equal(again, logits), "model.safetensors does not reproduce the logits"

    print(f"PyTorch {torch.__version__}: {sum(p.numel() for p in model.parameters())} parameters, trained in {seconds:.0f} s; "
          f"test accuracy {accuracy:.4f} on all {len(test_x)}, {shipped_accuracy:.4f} on the {len(shipped)} shipped; "
          f"reloaded from model.safetensors: same logits; files written to {HERE}")


if __name__ == "__main__":
    main()
