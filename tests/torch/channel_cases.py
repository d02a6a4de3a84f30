"""PyTorch reference cases for [ChannelSlice] and [ChannelShuffle] (ShuffleNetV2's split and shuffle): each alone
on maps, sequences and vectors, after and before convolutions, a slice feeding a Residual, and small ShuffleNetV2s
(stem, a stride-2 unit, two stride-1 units, a 1x1 convolution, a global pool, Dense) at 24 and 58 channels a branch.

usage: /usr/bin/python3 tests/torch/channel_cases.py [OUT_DIR] [--report REPORT.json]
       /usr/bin/python3 tests/torch/verify_channels.py [OUT_DIR]        (re-reads what was written)
OUT_DIR defaults to tests/fixtures/channels. Needs Debian's python3-torch (PyTorch 1.13); seeds come from the
case names, so a re-run reproduces the same bytes and adding a case leaves the others alone.

Files (as upsampling_cases.py's, sequence_cases.py's and block_cases.py's)
  NAME.cs              the network (namespace Fixtures.Channels, class NAME), then the [Block] classes it uses,
                       named NAME + suffix
  NAME.params.f32      little-endian float32: the state_dict's floating-point tensors in order (the two
                       attributes have none)
  NAME.input.f32       batch (3) x C x H x W, or x C x L in a 1D network
  NAME.expected.f32    the output in eval mode, computed in float64 from the float32 values
  NAME.safetensors     every state_dict entry under its key (F32; num_batches_tracked I64), plus "input" and
                       "expected", laid out as safetensors.torch.save_file lays it out
  cases.json           run cases: name, kind "run", batch, input_shape, output_shape, output_length, params.
                       Error cases (NAME.cs only): kind "error", line (1-based, the attribute at fault; in a
                       [Block] class when the block holds it), id (the diagnostic), why, and "pytorch": what
                       PyTorch 1.13 does with the same layer (torch.narrow for the slice, nn.ChannelShuffle for
                       the shuffle: "raises: ...", "accepts: ...", or "no equivalent" for a missing argument).
Run options: input (casegen.make_input's), var (BatchNorm running_var range), uncaught [(module path or None
for any, mutant description prefix, why the case cannot catch it)].

The PyTorch side of the contract
  [ChannelSlice(Start = s, Length = n)]
                      torch.narrow(x, 1, s, n), x[:, s:s + n]: channels s to s + n - 1 of a map [C, H, W] or a
                      sequence [C, L], features s to s + n - 1 of a vector [F]. Start defaults to 0; Length is
                      required (CNN0006). Start outside [0, C) is CNN0005 on Start, else Length outside
                      [1, C - Start] is CNN0005 on Length (torch.narrow raises on both, except a negative Start,
                      which it counts from the end, and Length 0, which it allows).
  [ChannelShuffle(Groups = g)]
                      nn.ChannelShuffle(g), ShuffleNet's x.view(N, g, C / g, ...).transpose(1, 2).reshape(N, C, ...):
                      output channel j * g + i is input channel i * (C / g) + j, on a map or a sequence. Groups is
                      required (CNN0006), at least 1 and a divisor of C (CNN0005); on a flat vector CNN0016.
  ShuffleNetV2's units (torchvision's InvertedResidual):
      stride 1: [Concat(typeof(KeepHalf), typeof(Branch))] [ChannelShuffle(Groups = 2)], KeepHalf holding
                [ChannelSlice(Start = 0, Length = C / 2)] (x.chunk(2, dim=1)'s x1), Branch starting with
                [ChannelSlice(Start = C / 2, Length = C / 2)] then branch2 (1x1, BN, ReLU, 3x3 depthwise, BN, 1x1,
                BN, ReLU);
      stride 2: [Concat(typeof(Branch1), typeof(Branch2))] [ChannelShuffle(Groups = 2)], both branches on x.
    A Concat's branches are numbered ("0", "1"), so torchvision's keys "branch1"/"branch2" become "0"/"1"; with
    Name = "" on the Concat they sit directly in the unit, as torchvision's do.
The other layers and blocks are netspec.py's, sequence_cases.py's (1D) and blocks.py's; every layer is named by
its position among the items of its class (every attribute counts) or by Name.

The checks the writer makes (it fails otherwise)
  - every activation sees inputs on both sides of its kinks (fixturecases.check_coverage);
  - the float32 forward is within check-package's tolerance of the float64 one that gives expected.f32;
  - controls: each slice and shuffle is reimplemented from its definition (an index map: channel s + k; channel
    (o mod g) * (C / g) + o div g), by x[:, s:s + n], by nn.ChannelShuffle, and by python/cnngen.py's modules
    (what TorchSource runs), and must reproduce PyTorch's output within check-package's tolerance;
  - mutants: plausible wrong implementations (the shuffle transposed the other way, out[i * (C / g) + j] =
    in[j * g + i]; no shuffle; a shuffle of the sample's elements rather than its channels; the slice's Start off
    by one either way; the slice counted from the last channel; the slice from channel 0; a Concat's parts in
    reverse order; a Residual without its addition) must each change the expected output beyond that tolerance,
    except where a case lists them under "uncaught" (with the reason; the writer checks they are indeed not
    caught). BatchNorm's, the activations' and the 1D layers' mutants are reported, not required;
  - the network rebuilt from NAME.cs (another seed) loads NAME.safetensors with load_state_dict(strict=True)
    and reproduces the output bit for bit; the keys are those the naming rules give (rule_keys, from the
    attributes, without PyTorch);
  - each error case's builder fails on the attribute of its line, with the case's id.
"""
import importlib.util
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sequence_cases  # noqa: E402
from casegen import Fn, caught, mutants  # noqa: E402
from fixturecases import Fault, Fixtures, L, cat, required, res, seq, try_mutants  # noqa: E402
from netspec import ChannelShuffle, ChannelSlice  # noqa: E402

NAMESPACE = "Fixtures.Channels"
CHANNEL_OPS = {"ChannelSlice": {"Start", "Length"}, "ChannelShuffle": {"Groups"}}


def _cnngen():
    """python/cnngen.py, the helpers every TorchSource starts with."""
    path = os.path.join(HERE, "..", "..", "python", "cnngen.py")
    spec = importlib.util.spec_from_file_location("cnngen_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CNNGEN = _cnngen()


# ----------------------------------------------------------------------------- spec helpers

def conv(filters, kernel=3, **p):
    return ("Conv2D", dict(Filters=filters, Kernel=kernel, **p))


def conv1(filters, kernel=3, **p):
    return ("Conv1D", dict(Filters=filters, Kernel=kernel, **p))


def bn(**p):
    return ("BatchNorm2D", p)


def chslice(length=None, start=None, **p):
    q = {}
    if start is not None:
        q["Start"] = start
    if length is not None:
        q["Length"] = length
    q.update(p)
    return ("ChannelSlice", q)


def shuffle(groups=None, **p):
    q = {} if groups is None else dict(Groups=groups)
    q.update(p)
    return ("ChannelShuffle", q)


# ----------------------------------------------------------------------------- layers

def channel_op(kind, p, shape):
    """The module of a ChannelSlice or a ChannelShuffle on an input of shape; Fault(id, why) in the generator's
    order: the required argument (the parser), then the feature map (the shuffle), then the values."""
    extra = set(p) - CHANNEL_OPS[kind] - {"Name"}
    assert not extra, (kind, extra)
    c = shape[0]
    if kind == "ChannelSlice":
        if "Length" not in p:
            raise Fault("CNN0006", "ChannelSlice needs Length")
        s, n = p.get("Start", 0), p["Length"]
        if s < 0 or s >= c:
            raise Fault("CNN0005", f"Start = {s} is not in [0, {c})")
        if n < 1 or n > c - s:
            raise Fault("CNN0005", f"Length = {n} is not in [1, {c - s}] (Start = {s} of {c})")
        return ChannelSlice(s, n)
    if "Groups" not in p:
        raise Fault("CNN0006", "ChannelShuffle needs Groups")
    if len(shape) == 1:
        raise Fault("CNN0016", f"ChannelShuffle needs a map or a sequence but gets the flat vector {list(shape)}")
    g = p["Groups"]
    if g < 1 or c % g:
        raise Fault("CNN0005", f"Groups = {g} is not a divisor of the {c} channels")
    return ChannelShuffle(g)


def layer(kind, p, shape, rank):
    """The PyTorch module of one layer on an input of shape ([C, H, W]; [C, L] in a 1D network; [F] after
    Flatten); the other layers are sequence_cases.layer_1d's (which takes the 2D ones from netspec.py)."""
    if kind in CHANNEL_OPS:
        return channel_op(kind, p, shape)
    m = sequence_cases.layer_1d(kind, p, shape, rank)  # its Faults name no id
    assert type(m).__name__ not in ("AsymPadConv2d", "PaddedConv1d"), "per-side padding: not in these cases"
    return m


def pytorch_verdict(kind, p, shape):
    """What PyTorch 1.13 does with the layer: torch.narrow for the slice, nn.ChannelShuffle for the shuffle."""
    x = torch.zeros((1,) + tuple(shape))
    try:
        if kind == "ChannelSlice":
            if "Length" not in p:
                return "no equivalent (torch.narrow needs its length)"
            s, n = p.get("Start", 0), p["Length"]
            y = torch.narrow(x, 1, s, n)
            note = " (a negative start counts from the end)" if s < 0 else ""
        elif kind == "ChannelShuffle":
            if "Groups" not in p:
                return "no equivalent (nn.ChannelShuffle needs its groups)"
            y = nn.ChannelShuffle(p["Groups"])(x)
            note = ""
        else:
            return "no equivalent"
        return f"accepts: output {list(y.shape[1:])}{note}"
    except Exception as e:
        return "raises: " + str(e).split("\n")[0][:200]


# ----------------------------------------------------------------------------- reimplementations and mutants

def slice_by_index(x, start, length):
    """Channel (feature) start + k of the input at position k."""
    return x.index_select(1, torch.tensor([start + k for k in range(length)]))


def shuffle_source(o, c, g):
    """The input channel of output channel o: o = j * g + i takes i * (c / g) + j."""
    return (o % g) * (c // g) + o // g


def shuffle_by_index(x, g, transposed=False):
    """The shuffle as an index map; transposed: the other way, out[i * (C / g) + j] = in[j * g + i]."""
    c = x.shape[1]
    if transposed:
        src = [(o % (c // g)) * g + o // (c // g) for o in range(c)]
    else:
        src = [shuffle_source(o, c, g) for o in range(c)]
    assert sorted(src) == list(range(c))
    return x.index_select(1, torch.tensor(src))


def controls_and_mutants(m, in_shape):
    """(controls, mutants) of a module on an input of in_shape: controls reimplement it from its definition and
    must match; mutants are plausible wrong implementations and must not. Each a list of (description, module)."""
    ctl, mut = [], []
    if isinstance(m, ChannelSlice):
        s, n, c = m.start, m.length, in_shape[0]
        ctl.append(("ChannelSlice as the index map s + k", Fn(lambda x: slice_by_index(x, s, n))))
        ctl.append(("ChannelSlice as x[:, s:s + n]", Fn(lambda x: x[:, s:s + n])))
        ctl.append(("ChannelSlice as python/cnngen.py's (TorchSource's)", CNNGEN.ChannelSlice(s, n)))
        if s >= 1:
            mut.append(("ChannelSlice Start off by one (Start - 1)", Fn(lambda x: slice_by_index(x, s - 1, n))))
        if s + n < c:
            mut.append(("ChannelSlice Start off by one (Start + 1)", Fn(lambda x: slice_by_index(x, s + 1, n))))
        if c - s - n != s:
            mut.append(("ChannelSlice counted from the last channel (C - Start - Length)",
                        Fn(lambda x: slice_by_index(x, c - s - n, n))))
        if s != 0 and c - s - n != 0:
            mut.append(("ChannelSlice from channel 0 (Start ignored)", Fn(lambda x: slice_by_index(x, 0, n))))
    elif isinstance(m, ChannelShuffle):
        g, c = m.groups, in_shape[0]
        ctl.append(("ChannelShuffle as the index map (o mod g) * (C / g) + o div g",
                    Fn(lambda x: shuffle_by_index(x, g))))
        ctl.append(("ChannelShuffle as nn.ChannelShuffle", nn.ChannelShuffle(g)))
        ctl.append(("ChannelShuffle as python/cnngen.py's (TorchSource's)", CNNGEN.ChannelShuffle(g)))
        mut.append(("ChannelShuffle transposed the other way: out[i * (C / g) + j] = in[j * g + i]",
                    Fn(lambda x: shuffle_by_index(x, g, transposed=True))))
        mut.append(("ChannelShuffle skipped (the identity)", nn.Identity()))
        mut.append(("ChannelShuffle of the sample's elements, not its channels (x.view(N, g, -1))",
                    Fn(lambda x: x.reshape(x.shape[0], g, -1).transpose(1, 2).reshape(x.shape))))
    return ctl, mut


# ----------------------------------------------------------------------------- the cases

STD = {"input": ("randn", 2.0)}
IDENTITY = "the shuffle is the identity here (Groups 1 or C): every implementation gives the same output"


def _unit_blocks(prefix, c):
    """ShuffleNetV2's stride-1 unit on 2 * c channels: {suffix: items}."""
    return {
        prefix: [cat(prefix + "Keep", prefix + "Branch", Name=""), shuffle(2, Name="shuffle")],
        prefix + "Keep": [chslice(c, 0)],
        prefix + "Branch": [chslice(c, c), conv(c, 1, Bias=False), bn(), L("ReLU"),
                            conv(c, 3, Padding=1, Groups=c, Bias=False), bn(), conv(c, 1, Bias=False), bn(), L("ReLU")],
    }


def _down_blocks(prefix, cin, c):
    """ShuffleNetV2's stride-2 unit from cin to 2 * c channels: {suffix: items}."""
    return {
        prefix: [cat(prefix + "Branch1", prefix + "Branch2", Name=""), shuffle(2, Name="shuffle")],
        prefix + "Branch1": [conv(cin, 3, Stride=2, Padding=1, Groups=cin, Bias=False), bn(), conv(c, 1, Bias=False),
                             bn(), L("ReLU")],
        prefix + "Branch2": [conv(c, 1, Bias=False), bn(), L("ReLU"), conv(c, 3, Stride=2, Padding=1, Groups=c, Bias=False),
                             bn(), conv(c, 1, Bias=False), bn(), L("ReLU")],
    }


def shufflenet_v2(input_shape, stem, c, last, classes=10):
    """A small ShuffleNetV2 in torchvision's names: conv1 (3x3 stride 2, BN, ReLU), maxpool, stage2 (a stride-2
    unit from stem to 2 * c channels, two stride-1 units), conv5 (1x1, BN, ReLU), a global pool, fc."""
    b = {"Conv1": [conv(stem, 3, Stride=2, Padding=1, Bias=False), bn(), L("ReLU")],
         "Stage2": [seq("Down"), seq("Unit"), seq("Unit")],
         "Conv5": [conv(last, 1, Bias=False), bn(), L("ReLU")]}
    b.update(_down_blocks("Down", stem, c))
    b.update(_unit_blocks("Unit", c))
    return dict(input=input_shape,
                net=[seq("Conv1", Name="conv1"), L("MaxPool2D", Kernel=3, Stride=2, Padding=1, Name="maxpool"),
                     seq("Stage2", Name="stage2"), seq("Conv5", Name="conv5"), L("GlobalAvgPool2D"), L("Flatten"),
                     L("Dense", Outputs=classes, Name="fc")],
                blocks=b, opts=STD)


RUNS = {
    # ChannelSlice ---------------------------------------------------------------------------------
    # at the start, Start left at its default 0, alone on a map (the network's input and output in PyTorch's layout)
    "SliceMapStart": dict(input=(8, 4, 5), net=[chslice(3)], opts=STD),
    # in the middle of a convolution's output that a shuffle reordered (channels-last values, 20 and 11 channels:
    # no vector width), then a convolution
    "SliceMapMiddle": dict(input=(3, 6, 6), net=[conv(20, 1, Name="expand"), shuffle(4), chslice(11, 3, Name="split"),
                                                 conv(4, 3, Padding=1)], opts=STD),
    # at the end, between convolutions
    "SliceMapEnd": dict(input=(3, 5, 5), net=[conv(9, 3, Padding=1), L("ReLU"), chslice(4, 5), conv(2, 3)], opts=STD),
    # the whole input: the identity (no mutant of the slice applies)
    "SliceMapWhole": dict(input=(6, 3, 4), net=[chslice(6, 0), conv(2, 1)], opts=STD),
    # a sequence [C, L]
    "Slice1D": dict(input=(6, 9), net=[chslice(3, 2), conv1(2, 3)], opts=STD),
    # the features of a vector: after Flatten, before Dense
    "SliceVector": dict(input=(2, 4, 4), net=[L("Flatten"), chslice(9, 7), L("Dense", Outputs=3, Name="fc")], opts=STD),
    # a slice feeding a Residual (the body and the addition both read the slice)
    "SliceResidual": dict(input=(3, 5, 5), net=[conv(12, 3, Padding=1), chslice(8, 4), res("Body", Name="block"),
                                                conv(3, 1)],
                          blocks={"Body": [conv(8, 3, Padding=1), bn(), L("ReLU"), conv(8, 3, Padding=1)]}, opts=STD),

    # ChannelShuffle -------------------------------------------------------------------------------
    # groups 1: the identity
    "ShuffleGroups1": dict(input=(6, 3, 4), net=[shuffle(1), conv(2, 1)],
                           opts=dict(STD, uncaught=[(None, "ChannelShuffle transposed", IDENTITY),
                                                    (None, "ChannelShuffle skipped", IDENTITY),
                                                    (None, "ChannelShuffle of the sample's elements", IDENTITY)])),
    # groups 2 on 10 channels (C / g = 5), alone
    "ShuffleGroups2": dict(input=(10, 3, 4), net=[shuffle(2, Name="shuffle")], opts=STD),
    # groups 3: ShuffleNet (v1)'s grouped 1x1 convolution, shuffle, grouped convolution
    "ShuffleGroups3": dict(input=(4, 5, 4), net=[conv(12, 1), L("ReLU"), shuffle(3), conv(6, 3, Padding=1, Groups=3)],
                           opts=STD),
    # groups = C: the identity
    "ShuffleGroupsAll": dict(input=(7, 3, 3), net=[shuffle(7)],
                             opts=dict(STD, uncaught=[(None, "ChannelShuffle transposed", IDENTITY),
                                                      (None, "ChannelShuffle skipped", IDENTITY)])),
    # a 1D network: grouped 1x1 convolution, shuffle, grouped convolution
    "Shuffle1D": dict(input=(4, 10), net=[conv1(12, 1, Groups=2), L("ReLU"), shuffle(3), conv1(6, 3, Padding=1, Groups=3)],
                      opts=STD),

    # ShuffleNetV2 ---------------------------------------------------------------------------------
    # 24 channels a branch (torchvision's x0.5 stage2 width is 48), 3x24x24: 12x12 after conv1, 6x6 after maxpool
    "ShuffleNetV2Small24": shufflenet_v2((3, 24, 24), 24, 24, 32),
    # 58 channels a branch (torchvision's x1.0 stage2: 116), which fills no vector, 3x32x32
    "ShuffleNetV2Small58": shufflenet_v2((3, 32, 32), 24, 58, 64),
}

# fault: (suffix or None for the network, item index); id the diagnostic
ERRORS = {
    "SliceStartAtChannels": dict(input=(12, 5, 7), net=[chslice(1, 12)], fault=(None, 0), id="CNN0005",
                                 why="Start = 12 on 12 channels: the first channel is past the last"),
    "SliceStartNegative": dict(input=(12, 5, 7), net=[chslice(1, -1)], fault=(None, 0), id="CNN0005",
                               why="Start = -1 (torch.narrow would count it from the end)"),
    "SliceLengthOver": dict(input=(3, 5, 7), net=[conv(8, 3, Padding=1), chslice(5, 4)], fault=(None, 1), id="CNN0005",
                            why="Start = 4, Length = 5 on the 8 channels layer 0 produces (4 is the most)"),
    "SliceLengthZero": dict(input=(12, 5, 7), net=[chslice(0, 2)], fault=(None, 0), id="CNN0005",
                            why="Length = 0 (torch.narrow would give an empty tensor)"),
    "SliceLengthOverFeatures": dict(input=(2, 3, 3), net=[L("Flatten"), chslice(9, 10), L("Dense", Outputs=2)],
                                    fault=(None, 1), id="CNN0005",
                                    why="Start = 10, Length = 9 on the 18 features Flatten produces (8 is the most)"),
    "SliceMissingLength": dict(input=(12, 5, 7), net=[chslice(None, 2)], fault=(None, 0), id="CNN0006",
                               why="ChannelSlice without Length"),
    "ShuffleGroupsNotDividing": dict(input=(12, 5, 7), net=[shuffle(5)], fault=(None, 0), id="CNN0005",
                                     why="Groups = 5 does not divide 12 channels"),
    "ShuffleGroupsZero": dict(input=(12, 5, 7), net=[shuffle(0)], fault=(None, 0), id="CNN0005", why="Groups = 0"),
    "ShuffleGroupsNotDividing1D": dict(input=(6, 9), net=[conv1(6, 3), shuffle(4)], fault=(None, 1), id="CNN0005",
                                       why="Groups = 4 does not divide the 6 channels of the sequence"),
    "ShuffleMissingGroups": dict(input=(12, 5, 7), net=[shuffle()], fault=(None, 0), id="CNN0006",
                                 why="ChannelShuffle without Groups"),
    "ShuffleAfterFlatten": dict(input=(4, 3, 3), net=[L("Flatten"), shuffle(2)], fault=(None, 1), id="CNN0016",
                                why="ChannelShuffle on the flat vector [36]"),
    # in a block: the block's attribute is at fault (the network's [Sequential] the additional location)
    "SliceInBlock": dict(input=(3, 8, 8), net=[conv(24, 1), seq("Unit")],
                         blocks={"Unit": [cat("Keep", "Branch"), shuffle(2)], "Keep": [chslice(12, 0)],
                                 "Branch": [chslice(13, 12), conv(12, 1)]},
                         fault=("Branch", 0), id="CNN0005",
                         why="the stride-1 unit's second half: Start = 12, Length = 13 on 24 channels (12 is the most)"),
    "ShuffleInBlock": dict(input=(3, 8, 8), net=[conv(24, 1), seq("Unit")],
                           blocks={"Unit": [cat("Keep", "Branch"), shuffle(5)], "Keep": [chslice(12, 0)],
                                   "Branch": [chslice(12, 12), conv(12, 1)]},
                           fault=("Unit", 1), id="CNN0005",
                           why="the unit's shuffle: Groups = 5 does not divide the 24 channels the Concat produces"),
}


# ----------------------------------------------------------------------------- the checks and the writer

def checks(run, problems):
    """The float32 forward against the float64 one; the controls and mutants of the two ops (required),
    the containers' (required), casegen's and sequence_cases' (BatchNorm, activations, 1D layers: reported)."""
    with torch.no_grad():
        y32 = run.model(run.x)
    if caught(y32.double(), run.y):
        problems.append(f"{run.name}: the float32 forward strays from the float64 one beyond check-package's tolerance")
    return required(run, try_mutants(run, lambda m, shape: controls_and_mutants(m, shape)
                                     + (mutants(m) + sequence_cases.mutants_1d(m),)), problems)


FIXTURES = Fixtures(NAMESPACE, layer, checks, verdict=pytorch_verdict, ids="checked")

if __name__ == "__main__":
    FIXTURES.main(RUNS, ERRORS, os.path.join(HERE, "..", "fixtures", "channels"), seed=17000)
