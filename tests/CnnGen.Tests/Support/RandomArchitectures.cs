using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// Draws networks shaped as today's CNNs are, at the widths the SIMD kernels specialize for, where
/// <see cref="RandomNetworks"/> and <see cref="RandomBlockNetworks"/> keep to a few channels. <see cref="Next"/>:
/// a stem (3x3 to 7x7, stride 1 or 2, BatchNorm, an activation, now and then a max pool), then stages of ResNet
/// basic blocks, bottlenecks (grouped 3x3s among them), MobileNet inverted residuals (expansion 1 to 6, depthwise
/// 3x3 or 5x5, squeeze-and-excitation gates), Inception blocks and plain convolutions, each stage maybe strided
/// and widened, then a head (global pool and Dense, a 1x1 classifier, Flatten and Dense, or the map itself).
/// <see cref="NextDense"/>: U-Nets. Widths come from a list that mixes multiples of 16 with counts no 512-bit
/// vector divides (12, 17, 20, 40, 88, 100, 120, 144). The spec each network must mean is built from the layer
/// specs as the attributes are written; a network past its budget of multiply-adds is drawn again, so that the
/// reference engine stays fast.
/// </summary>
public sealed class RandomArchitectures
{
    /// <summary>The most multiply-adds a drawn network may take (the reference engine runs each a few times).</summary>
    public const long MacBudget = 30_000_000;

    /// <summary>The budget of a network on a large input, whose first maps are more than L2 holds.</summary>
    public const long LargeMacBudget = 90_000_000;

    private static readonly int[] Widths = { 8, 12, 16, 17, 20, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 100, 112, 120, 128, 144, 160 };

    private readonly Random _random;
    private string _className = "";
    private int _nextClass;
    private long _macs;
    private readonly List<string> _classes = new();

    public RandomArchitectures(int seed) => _random = new Random(seed);

    /// <summary>An item of a sequence as written, and the spec it must mean.</summary>
    private sealed record Item(string Attribute, LayerSpec Spec);

    /// <summary>The activation a network uses throughout, as its attribute and spec.</summary>
    private sealed record Activation(string Attribute, Func<ActivationSpec> Spec)
    {
        /// <summary>One use of it, a layer of its own (a spec object per use, as each layer has).</summary>
        public Item Layer() => new(Attribute, Spec());
    }

    /// <summary>A network on 8 to 40 rows and columns, or with <paramref name="large"/> on 56 to 128 (the stem then strides).</summary>
    public RandomNetwork Next(string className, bool large = false) =>
        Within(className, large ? LargeMacBudget : MacBudget, () => Draw(large));

    /// <summary>A network <paramref name="draw"/> makes that fits and keeps to <paramref name="budget"/>, drawn again until one does.</summary>
    private RandomNetwork Within(string className, long budget, Func<RandomNetwork?> draw)
    {
        while (true)
        {
            _className = className;
            _nextClass = 0;
            _macs = 0;
            _classes.Clear();
            var drawn = draw();
            if (drawn is not null && _macs <= budget) return drawn;
        }
    }

    /// <summary>The network of <paramref name="items"/> on the input, or null when they do not fit.</summary>
    private RandomNetwork? Finish(int channels, int height, int width, List<Item> items)
    {
        if (Shape(channels, height, width, items) is null) return null;
        var spec = new NetworkSpec(channels, height, width, items.Select(i => i.Spec), _className);
        var attributes = items.Select(i => i.Attribute).ToList();
        string source = RandomNetworks.Declare(_className, channels, height, width, attributes) + string.Concat(_classes);
        return new RandomNetwork(_className, source, attributes, spec);
    }

    private RandomNetwork? Draw(bool large)
    {
        int channels = new[] { 1, 3, 3, 4 }[_random.Next(4)];
        var (low, high) = large ? (56, 129) : (8, 41);
        int height = _random.Next(low, high), width = _random.Next(3) == 0 ? _random.Next(low, high) : height;
        var act = DrawActivation();
        var items = new List<Item>();
        var shape = new[] { channels, height, width };

        // the stem
        int stemFilters = Pick(w => w <= (large ? 32 : 64));
        int k = new[] { 3, 3, 5, 7 }[_random.Next(4)], s = large ? 2 : _random.Next(2) + 1;
        items.Add(Conv(shape, stemFilters, k, s, bias: false));
        items.Add(BatchNorm());
        items.Add(act.Layer());
        shape = Shape(channels, height, width, items);
        if (shape is null) return null;
        if (shape[1] >= 8 && shape[2] >= 8 && _random.Next(3) == 0)
        {
            items.Add(_random.Next(2) == 0
                ? new Item("[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)]", new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 2, StrideWidth = 2, PaddingHeight = 1, PaddingWidth = 1 })
                : new Item("[MaxPool2D(Kernel = 2)]", new Pool2DSpec(PoolKind.Max, 2, 2)));
            shape = Shape(channels, height, width, items)!;
        }

        // the stages
        int stages = _random.Next(2, 5);
        for (int stage = 0; stage < stages; stage++)
        {
            int filters = Pick(w => w >= shape[0] / 2);
            int stride = stage > 0 && shape[1] >= 4 && shape[2] >= 4 && _random.Next(3) != 0 ? 2 : 1;
            int blocks = _random.Next(1, 3);
            for (int b = 0; b < blocks; b++)
            {
                items.AddRange(DrawBlock(shape, b == 0 ? filters : shape[0], b == 0 ? stride : 1, act));
                shape = Shape(channels, height, width, items);
                if (shape is null) return null;
            }
        }

        // the head
        switch (_random.Next(4))
        {
            case 0:
                items.Add(new Item("[GlobalAvgPool2D]", new GlobalPool2DSpec(PoolKind.Average)));
                items.Add(new Item("[Flatten]", new FlattenSpec()));
                items.Add(Dense(shape[0], _random.Next(2, 101)));
                break;
            case 1:
                items.Add(Conv(shape, _random.Next(2, 41), 1, 1, bias: true));
                items.Add(new Item("[GlobalAvgPool2D]", new GlobalPool2DSpec(PoolKind.Average)));
                items.Add(new Item("[Flatten]", new FlattenSpec()));
                break;
            case 2 when shape[0] * shape[1] * shape[2] <= 8192:
                items.Add(new Item("[Flatten]", new FlattenSpec()));
                items.Add(Dense(shape[0] * shape[1] * shape[2], _random.Next(2, 33)));
                break;
            default:
                break;
        }
        return Finish(channels, height, width, items);
    }

    /// <summary>
    /// A dense-prediction network shaped as a U-Net: each level a [Concat] of its input (IncludeInput) and a branch
    /// that halves the map (a 2x2 max pool or a stride-2 convolution), widens it, runs the level below and brings it
    /// back (a 2x2 or 3x3 stride-2 ConvTranspose2D, or nearest or bilinear upsampling then a 1x1 convolution); at the
    /// bottom dilated 3x3s, a 1xk then kx1 pair, or an ASPP head (dilated branches and an image-pool branch upsampled
    /// back, concatenated); a 1x1 classifier over each pixel at the end. Inputs are 16 to 64 rows and columns, a
    /// multiple of 2 to the depth.
    /// </summary>
    public RandomNetwork NextDense(string className) => Within(className, MacBudget, DrawDense);

    private RandomNetwork? DrawDense()
    {
        int depth = _random.Next(1, 4), unit = 1 << depth;
        int channels = new[] { 1, 3, 3, 4 }[_random.Next(4)];
        int height = unit * _random.Next((16 + unit - 1) / unit, 64 / unit + 1), width = _random.Next(3) == 0 ? unit * _random.Next((16 + unit - 1) / unit, 64 / unit + 1) : height;
        var act = DrawActivation();
        var shape = new[] { channels, height, width };
        var items = new List<Item> { Conv(shape, Pick(w => w <= 32), 3, 1, bias: false), BatchNorm(), act.Layer() };
        shape = Shape(channels, height, width, items)!;
        items.AddRange(Level(shape, depth, act));
        shape = Shape(channels, height, width, items);
        if (shape is null) return null;
        items.Add(Conv(shape, _random.Next(1, 22), 1, 1, bias: true));
        if (_random.Next(3) == 0) items.Add(new Item("[Sigmoid]", new ActivationSpec(ActivationKind.Sigmoid)));
        return Finish(channels, height, width, items);
    }

    /// <summary>The items of a U-Net level on <paramref name="shape"/>: its height and width kept, its channels any.</summary>
    private List<Item> Level(int[] shape, int depth, Activation act)
    {
        if (depth == 0) return Bottom(shape, act);
        int c = shape[0], h = shape[1], w = shape[2];
        var half = new[] { c, h / 2, w / 2 };
        var branch = new List<Item>
        {
            _random.Next(2) == 0 ? new Item("[MaxPool2D(Kernel = 2)]", new Pool2DSpec(PoolKind.Max, 2, 2)) : Conv(shape, c, 3, 2, bias: false),
        };
        int wider = Pick(x => x >= c && x <= Math.Max(2 * c, 24));
        branch.AddRange(new[] { Conv(half, wider, 3, 1, bias: false), BatchNorm(), act.Layer() });
        var inner = Level(new[] { wider, h / 2, w / 2 }, depth - 1, act);
        branch.AddRange(inner);
        int innerChannels = inner.Count > 0 ? Channels(inner, wider) : wider;
        int up = Pick(x => x <= Math.Max(c, 24));
        var below = new[] { innerChannels, h / 2, w / 2 };
        switch (_random.Next(3))
        {
            case 0:
                branch.Add(Transposed(below, up, 2, 0, 0));
                break;
            case 1:
                branch.Add(Transposed(below, up, 3, 1, 1));
                break;
            default:
                bool bilinear = _random.Next(2) == 0, align = bilinear && _random.Next(2) == 0;
                branch.Add(new Item($"[Upsample({(bilinear ? "Mode = \"bilinear\"" : "")}{(align ? ", AlignCorners = true" : "")})]",
                    new UpsampleSpec(2, 2) { Mode = bilinear ? "bilinear" : "nearest", AlignCorners = align }));
                branch.Add(Conv(new[] { innerChannels, h, w }, up, 1, 1, bias: true));
                break;
        }
        branch.Add(act.Layer());
        var joined = new[] { c + up, h, w };
        return new List<Item>
        {
            new($"[Concat(typeof({Class("Down", branch)}), IncludeInput = true)]", new ConcatSpec(branch.Select(i => i.Spec).ToList()) { IncludeInput = true }),
            Conv(joined, Pick(x => x <= Math.Max(c + up, 24)), 3, 1, bias: false), BatchNorm(), act.Layer(),
        };
    }

    /// <summary>The bottom of a U-Net: dilated 3x3s, a 1xk then kx1 pair, or ASPP.</summary>
    private List<Item> Bottom(int[] shape, Activation act)
    {
        int c = shape[0], h = shape[1], w = shape[2];
        switch (_random.Next(3))
        {
            case 0:
                {
                    int d = _random.Next(1, 4);
                    return new List<Item> { Conv(shape, c, 3, 3, 1, bias: false, dilation: d), BatchNorm(), act.Layer(), Conv(shape, c, 3, 3, 1, bias: true, dilation: _random.Next(1, 4)), act.Layer() };
                }
            case 1:
                {
                    int k = new[] { 3, 5, 7 }[_random.Next(3)];
                    return new List<Item> { Conv(shape, c, 1, k, 1, bias: true), act.Layer(), Conv(shape, c, k, 1, 1, bias: true), act.Layer() };
                }
            default:
                {
                    int each = Pick(x => x <= Math.Max(c, 16));
                    var branches = new List<List<Item>>
                    {
                        new() { Conv(shape, each, 1, 1, bias: false), BatchNorm(), act.Layer() },
                        new() { Conv(shape, each, 3, 3, 1, bias: false, dilation: 2), BatchNorm(), act.Layer() },
                        new() { Conv(shape, each, 3, 3, 1, bias: false, dilation: 3), BatchNorm(), act.Layer() },
                        new()
                        {
                            new("[GlobalAvgPool2D]", new GlobalPool2DSpec(PoolKind.Average)),
                            Conv(new[] { c, 1, 1 }, each, 1, 1, bias: true), act.Layer(),
                            new($"[Upsample(ScaleHeight = {h}, ScaleWidth = {w})]", new UpsampleSpec(h, w)),
                        },
                    };
                    string types = string.Join(", ", branches.Select(b => $"typeof({Class("Aspp", b)})"));
                    return new List<Item>
                    {
                        new($"[Concat({types})]", new ConcatSpec(branches.Select(b => (IEnumerable<LayerSpec>)b.Select(i => i.Spec).ToList()).ToArray())),
                        Conv(new[] { 4 * each, h, w }, c, 1, 1, bias: false), BatchNorm(), act.Layer(),
                    };
                }
        }
    }

    /// <summary>A stride-2 transposed convolution that doubles the map: kernel 2, or kernel 3 padded 1 with output padding 1.</summary>
    private Item Transposed(int[] input, int filters, int kernel, int padding, int outputPadding)
    {
        _macs += (long)filters * input[1] * input[2] * input[0] * kernel * kernel;
        var args = new List<string> { $"Filters = {filters}", $"Kernel = {kernel}", "Stride = 2" };
        if (padding > 0) args.Add($"Padding = {padding}");
        if (outputPadding > 0) args.Add($"OutputPadding = {outputPadding}");
        var spec = new ConvTranspose2DSpec(filters, kernel, kernel)
        {
            StrideHeight = 2, StrideWidth = 2, PaddingHeight = padding, PaddingWidth = padding,
            OutputPaddingHeight = outputPadding, OutputPaddingWidth = outputPadding,
        };
        return new Item($"[ConvTranspose2D({string.Join(", ", args)})]", spec);
    }

    /// <summary>The channels after <paramref name="items"/> on a map of <paramref name="input"/> channels (the last convolution's filters, or the input's).</summary>
    private static int Channels(List<Item> items, int input)
    {
        for (int i = items.Count - 1; i >= 0; i--)
            if (items[i].Spec is Conv2DSpec conv) return conv.Filters;
        return input;
    }

    /// <summary>One block from <paramref name="shape"/> to <paramref name="filters"/> channels at <paramref name="stride"/>.</summary>
    private List<Item> DrawBlock(int[] shape, int filters, int stride, Activation act)
    {
        int c = shape[0];
        bool projects = stride > 1 || filters != c;
        switch (_random.Next(stride == 1 ? 5 : 4))
        {
            case 4:
                {
                    // an Inception block: 1x1, 1x1 then 3x3, 1x1 then 5x5, and a 3x3 max pool then 1x1, side by side
                    var branches = new List<List<Item>>();
                    int count = _random.Next(2, 5);
                    for (int b = 0; b < count; b++)
                    {
                        int wide = Math.Max(4, filters / count + _random.Next(-4, 5));
                        int reduced = Math.Max(4, wide / 2);
                        branches.Add(b switch
                        {
                            0 => new List<Item> { Conv(shape, wide, 1, 1, bias: false), BatchNorm(), act.Layer() },
                            1 => new List<Item> { Conv(shape, reduced, 1, 1, bias: true), act.Layer(), Conv(new[] { reduced, shape[1], shape[2] }, wide, 3, 1, bias: true), act.Layer() },
                            2 => new List<Item> { Conv(shape, reduced, 1, 1, bias: true), act.Layer(), Conv(new[] { reduced, shape[1], shape[2] }, wide, 5, 1, bias: true), act.Layer() },
                            _ => new List<Item> { new("[MaxPool2D(Kernel = 3, Stride = 1, Padding = 1)]", new Pool2DSpec(PoolKind.Max, 3, 3) { StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1 }), Conv(shape, wide, 1, 1, bias: true), act.Layer() },
                        });
                    }
                    string types = string.Join(", ", branches.Select(b => $"typeof({Class("Branch", b)})"));
                    return new List<Item> { new($"[Concat({types})]", new ConcatSpec(branches.Select(b => (IEnumerable<LayerSpec>)b.Select(i => i.Spec).ToList()).ToArray())) };
                }
            case 0:
                {
                    // a ResNet basic block: two 3x3 convolutions, a 1x1 projection where the shape changes, the activation after the sum
                    var mid = Next(shape, filters, stride);
                    var body = new List<Item> { Conv(shape, filters, 3, stride, bias: false), BatchNorm(), act.Layer(), Conv(mid, filters, 3, 1, bias: false), BatchNorm() };
                    return new List<Item> { Residual(body, projects ? new List<Item> { Conv(shape, filters, 1, stride, bias: false), BatchNorm() } : null), act.Layer() };
                }
            case 1:
                {
                    // a bottleneck: 1x1 down, a 3x3 (grouped now and then) at the stride, 1x1 up
                    int width = Math.Max(4, filters / new[] { 1, 2, 4 }[_random.Next(3)]);
                    var divisors = new[] { 2, 4, 8, 16 }.Where(g => width % g == 0 && width / g >= 2).ToArray();
                    int groups = divisors.Length > 0 && _random.Next(2) == 0 ? divisors[_random.Next(divisors.Length)] : 1;
                    var reduced = new[] { width, shape[1], shape[2] };
                    var body = new List<Item>
                    {
                        Conv(shape, width, 1, 1, bias: false), BatchNorm(), act.Layer(),
                        Conv(reduced, width, 3, stride, bias: false, groups: groups), BatchNorm(), act.Layer(),
                        Conv(Next(reduced, width, stride), filters, 1, 1, bias: false), BatchNorm(),
                    };
                    return new List<Item> { Residual(body, projects ? new List<Item> { Conv(shape, filters, 1, stride, bias: false), BatchNorm() } : null), act.Layer() };
                }
            case 2:
                {
                    // an inverted residual: 1x1 expansion, depthwise 3x3 or 5x5 at the stride, maybe a squeeze-and-excitation gate, 1x1 projection without activation
                    int expansion = new[] { 1, 3, 4, 6 }[_random.Next(4)];
                    int hidden = Math.Min(c * expansion, 480);
                    int k = _random.Next(3) == 0 ? 5 : 3;
                    var body = new List<Item>();
                    var expanded = shape;
                    if (hidden != c)
                    {
                        body.AddRange(new[] { Conv(shape, hidden, 1, 1, bias: false), BatchNorm(), act.Layer() });
                        expanded = new[] { hidden, shape[1], shape[2] };
                    }
                    body.AddRange(new[] { Conv(expanded, hidden, k, stride, bias: false, groups: hidden), BatchNorm(), act.Layer() });
                    var after = Next(expanded, hidden, stride, k);
                    if (_random.Next(3) == 0) body.Add(SqueezeExcitation(after));
                    body.AddRange(new[] { Conv(after, filters, 1, 1, bias: false), BatchNorm() });
                    return projects ? body : new List<Item> { Residual(body, null) };
                }
            default:
                {
                    // a plain convolution, maybe with the 2x2 max pool that fuses into it
                    int k = new[] { 1, 3, 3, 5 }[_random.Next(4)];
                    var items = new List<Item> { Conv(shape, filters, k, stride, bias: _random.Next(2) == 0) };
                    if (_random.Next(2) == 0) items.Add(BatchNorm());
                    items.Add(act.Layer());
                    var output = Next(shape, filters, stride, k);
                    if (output[1] >= 4 && output[2] >= 4 && _random.Next(4) == 0) items.Add(new Item("[MaxPool2D(Kernel = 2)]", new Pool2DSpec(PoolKind.Max, 2, 2)));
                    return items;
                }
        }
    }

    /// <summary>torchvision's SqueezeExcitation: global average, 1x1 down, ReLU, 1x1 up, a sigmoid gate multiplying the map.</summary>
    private Item SqueezeExcitation(int[] shape)
    {
        int c = shape[0], squeezed = Math.Max(8, c / 4);
        var point = new[] { c, 1, 1 };
        var gate = new List<Item>
        {
            new("[GlobalAvgPool2D]", new GlobalPool2DSpec(PoolKind.Average)),
            Conv(point, squeezed, 1, 1, bias: true),
            new("[ReLU]", new ActivationSpec(ActivationKind.ReLU)),
            Conv(new[] { squeezed, 1, 1 }, c, 1, 1, bias: true),
            _random.Next(2) == 0 ? new Item("[Sigmoid]", new ActivationSpec(ActivationKind.Sigmoid)) : new Item("[Hardsigmoid]", new ActivationSpec(ActivationKind.Hardsigmoid)),
        };
        return new Item($"[Multiply(typeof({Class("Se", gate)}))]", new MultiplySpec(gate.Select(i => i.Spec)));
    }

    private Item Residual(List<Item> body, List<Item>? shortcut)
    {
        string bodyClass = Class("Body", body);
        if (shortcut is null)
            return new Item($"[Residual(typeof({bodyClass}))]", new ResidualSpec(body.Select(i => i.Spec)));
        string shortcutClass = Class("Shortcut", shortcut);
        return new Item($"[Residual(typeof({bodyClass}), Shortcut = typeof({shortcutClass}))]",
            new ResidualSpec(body.Select(i => i.Spec)) { Shortcut = shortcut.Select(i => i.Spec).ToList(), ShortcutName = "shortcut" });
    }

    /// <summary>A convolution padded by half its kernel, counted against the budget.</summary>
    private Item Conv(int[] input, int filters, int kernel, int stride, bool bias, int groups = 1) =>
        Conv(input, filters, kernel, kernel, stride, bias, groups);

    /// <summary>A convolution of any kernel, padded by half of it times the dilation (the map kept at stride 1).</summary>
    private Item Conv(int[] input, int filters, int kernelHeight, int kernelWidth, int stride, bool bias, int groups = 1, int dilation = 1)
    {
        int ph = kernelHeight / 2 * dilation, pw = kernelWidth / 2 * dilation;
        int oh = (input[1] + 2 * ph - dilation * (kernelHeight - 1) - 1) / stride + 1, ow = (input[2] + 2 * pw - dilation * (kernelWidth - 1) - 1) / stride + 1;
        _macs += (long)filters * oh * ow * (input[0] / groups) * kernelHeight * kernelWidth;
        var args = new List<string> { $"Filters = {filters}" };
        args.Add(kernelHeight == kernelWidth ? $"Kernel = {kernelHeight}" : $"KernelHeight = {kernelHeight}, KernelWidth = {kernelWidth}");
        if (stride > 1) args.Add($"Stride = {stride}");
        if (ph == pw && ph > 0) args.Add($"Padding = {ph}");
        else if (ph != pw) args.Add($"PaddingHeight = {ph}, PaddingWidth = {pw}");
        if (dilation > 1) args.Add($"Dilation = {dilation}");
        if (groups > 1) args.Add($"Groups = {groups}");
        if (!bias) args.Add("Bias = false");
        var spec = new Conv2DSpec(filters, kernelHeight, kernelWidth)
        {
            StrideHeight = stride, StrideWidth = stride, DilationHeight = dilation, DilationWidth = dilation,
            PadTop = ph, PadBottom = ph, PadLeft = pw, PadRight = pw,
            Groups = groups, Bias = bias,
        };
        return new Item($"[Conv2D({string.Join(", ", args)})]", spec);
    }

    private Item Dense(int inputs, int outputs)
    {
        _macs += (long)inputs * outputs;
        return new Item($"[Dense(Outputs = {outputs.ToString(CultureInfo.InvariantCulture)})]", new DenseSpec(outputs));
    }

    private static Item BatchNorm() => new("[BatchNorm2D]", new BatchNorm2DSpec());

    /// <summary>The shape after a convolution padded by half its kernel.</summary>
    private static int[] Next(int[] input, int filters, int stride, int kernel = 3) =>
        new[] { filters, (input[1] + 2 * (kernel / 2) - kernel) / stride + 1, (input[2] + 2 * (kernel / 2) - kernel) / stride + 1 };

    private int Pick(Func<int, bool> allowed)
    {
        var choices = Widths.Where(allowed).ToArray();
        return choices[_random.Next(choices.Length)];
    }

    private Activation DrawActivation() => _random.Next(6) switch
    {
        0 => new Activation("[ReLU]", () => new ActivationSpec(ActivationKind.ReLU)),
        1 => new Activation("[ReLU6]", () => new ActivationSpec(ActivationKind.ReLU6)),
        2 => new Activation("[SiLU]", () => new ActivationSpec(ActivationKind.SiLU)),
        3 => new Activation("[Hardswish]", () => new ActivationSpec(ActivationKind.Hardswish)),
        4 => new Activation("[GELU]", () => new ActivationSpec(ActivationKind.GELU)),
        _ => new Activation("[LeakyReLU(NegativeSlope = 0.1f)]", () => new ActivationSpec(ActivationKind.LeakyReLU) { NegativeSlope = 0.1f }),
    };

    /// <summary>A new block class holding <paramref name="items"/>; returns its name.</summary>
    private string Class(string kind, IReadOnlyList<Item> items)
    {
        string name = $"{_className}{kind}{_nextClass++}";
        _classes.Add("\n[Block]\n" + string.Concat(items.Select(i => i.Attribute + "\n")) + $"public partial class {name} {{ }}\n");
        return name;
    }

    /// <summary>The output of <paramref name="items"/>, or null when they do not fit (a map too small for a window).</summary>
    private static int[]? Shape(int channels, int height, int width, List<Item> items)
    {
        try
        {
            return new NetworkSpec(channels, height, width, items.Select(i => i.Spec)).OutputShape.ToArray();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
