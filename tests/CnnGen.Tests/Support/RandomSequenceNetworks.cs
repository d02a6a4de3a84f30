using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// Draws valid 1D networks (<c>[InputShape(channels, length)]</c>, PyTorch's NCL) over every 1D layer and
/// block: Conv1D with odd and even kernels, strides, dilations, symmetric, asymmetric and causal padding
/// (PadLeft = (Kernel - 1) * Dilation), groups and depthwise, with and without bias and InChannels, in all
/// four padding modes; MaxPool1D, AvgPool1D and MinPool1D with strides, padding, ceil mode and count_include_pad; BatchNorm1D on
/// sequences and on vectors; global and adaptive pools (outputs shorter and longer than their input);
/// Softmax and LogSoftmax over the channels of a sequence and over vectors; every activation, PReLU, Dropout,
/// Identity, Flatten and Dense (those from <see cref="RandomNetworks"/>, which draws them for the 2D networks);
/// module names on some layers; and blocks nested at random: [Sequential] of anything, [Residual] around a
/// body that keeps the shape or, with a Shortcut (a strided Conv1D of kernel 1), around one that changes it,
/// [Concat] of branches that keep the length (with and without IncludeInput), and [Multiply] by a
/// squeeze-and-excitation gate ([C, 1]) or by a gate of the input's shape. Convolutions are often followed by
/// the BatchNorm1D, activation and max pool that the generator folds and fuses into them.
/// Lengths run from 1 to 300 and channels from 1 to 40; a wide network has 16 to 40 channels, 32 to 300
/// positions and filters in multiples of 16, for the vector paths (columns and channels) of the generated code.
/// A drawn item that does not fit (NetworkSpec rejects the sequence it joins) is drawn again; the spec is built
/// from the layer specs, not from the generator, so a misread attribute shows up as a difference.
/// </summary>
public sealed class RandomSequenceNetworks
{
    private const int MaxDepth = 3;

    private readonly Random _random;
    private readonly RandomNetworks _layers;
    private readonly Dictionary<string, string> _classes = new(StringComparer.Ordinal);
    private string _className = "";
    private int _nextClass;
    private bool _wide;

    public RandomSequenceNetworks(int seed)
    {
        _random = new Random(seed);
        _layers = new RandomNetworks(unchecked(seed * 31 + 11));
    }

    /// <summary>An item as written in its class, the spec it must mean, and the block classes it needs (their source).</summary>
    private sealed record Item(string Attribute, LayerSpec Spec, IReadOnlyList<string> Classes);

    /// <summary>What a drawn sequence must give: anything, a given shape, or its input's length (any channels).</summary>
    private enum Goal { Any, SameShape, SameLength }

    /// <summary>nn.Conv1d's padding modes.</summary>
    private static readonly string[] PaddingModes = RandomNetworks.PaddingModes;

    /// <summary>A network of 1 to <paramref name="maxItems"/> items over a random input, or with <paramref name="wide"/> one wide enough for the SIMD paths.</summary>
    public RandomNetwork Next(string className, bool wide = false, int maxItems = 7)
    {
        while (true)
        {
            _className = className;
            _nextClass = 0;
            _wide = wide;
            int channels = wide ? _random.Next(16, 41) : DrawChannels();
            int length = wide ? _random.Next(32, 301) : DrawLength();
            var items = DrawSequence(new[] { channels, length }, 0, _random.Next(1, maxItems + 1), Goal.Any);
            bool blocks = items.Any(i => i.Spec is BlockSpec);
            // a network with blocks names itself in the descriptions of its nodes, as the generated Spec does
            var spec = new NetworkSpec(channels, length, items.Select(i => i.Spec), blocks ? className : "Network");
            var attributes = items.Select(i => i.Attribute).ToList();
            string source = Declare(className, channels, length, attributes)
                + string.Concat(items.SelectMany(i => i.Classes).Distinct(StringComparer.Ordinal));
            return new RandomNetwork(className, source, attributes, spec);
        }
    }

    /// <summary>The source of a 1D network class in namespace Differential: the input shape, then the item attributes in order.</summary>
    public static string Declare(string className, int channels, int length, IEnumerable<string> attributes) =>
        "using CnnGen;\n\nnamespace Differential;\n\n"
        + $"[InputShape({channels}, {length})]\n"
        + string.Concat(attributes.Select(a => a + "\n"))
        + $"public partial class {className} {{ }}\n";

    /// <summary>Mostly a few channels, sometimes up to 40.</summary>
    private int DrawChannels() => _random.Next(10) switch
    {
        < 6 => _random.Next(1, 5),
        < 9 => _random.Next(5, 17),
        _ => _random.Next(17, 41),
    };

    /// <summary>From a single position to 300: short sequences where the windows meet both ends, long ones for the loops and vectors.</summary>
    private int DrawLength() => _random.Next(10) switch
    {
        < 2 => _random.Next(1, 6),
        < 6 => _random.Next(6, 33),
        < 9 => _random.Next(33, 129),
        _ => _random.Next(129, 301),
    };

    // ------------------------------------------------------------------------------------------------
    // Sequences of items
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Items from <paramref name="input"/> until <paramref name="wanted"/> fit, each checked with the ones
    /// before it; the result meets <paramref name="goal"/> (for SameShape: the input's shape, or the shape
    /// after <paramref name="first"/>). Never empty.
    /// </summary>
    private List<Item> DrawSequence(int[] input, int depth, int wanted, Goal goal, Item? first = null)
    {
        var items = new List<Item>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (first is not null)
        {
            items.Add(first);
            if (first.Spec.ModuleName is { Length: > 0 } firstName) names.Add(firstName);
        }
        int[] target = first is null ? input : Output(input, items) ?? throw new InvalidOperationException($"the first item {first.Attribute} does not fit [{string.Join(", ", input)}]");
        for (int attempt = 0; attempt < 40 && items.Count < wanted; attempt++)
        {
            var current = Output(input, items)!;
            var drawn = DrawItems(current, items.Count, names, depth, goal);
            items.AddRange(drawn);
            if (!Meets(input, items, goal, target))
            {
                items.RemoveRange(items.Count - drawn.Count, drawn.Count);
                foreach (var d in drawn)
                    if (d.Spec.ModuleName is { Length: > 0 } name) names.Remove(name);
            }
        }
        if (items.Count == (first is null ? 0 : 1))
            items.Add(Layer("[ReLU]", new ActivationSpec(ActivationKind.ReLU)));
        return items;
    }

    /// <summary>One layer (or a convolution with what folds and fuses into it), or a block.</summary>
    private List<Item> DrawItems(int[] current, int position, HashSet<string> names, int depth, Goal goal)
    {
        if (current.Length == 1)
            return new List<Item> { DrawVectorLayer(current[0], position, names) };
        int channels = current[0], length = current[1];
        if (depth < MaxDepth && _random.Next(100) < 30 - 8 * depth)
            return DrawBlock(current, position, names, depth, goal);
        switch (goal)
        {
            case Goal.SameShape:
                return new List<Item>
                {
                    _random.Next(4) switch
                    {
                        0 => SameConv(current, channels, position, names),
                        1 => SamePool(position, names),
                        _ => DrawShapePreservingLayer(channels, position, names),
                    },
                };
            case Goal.SameLength when _random.Next(2) == 0:
                return new List<Item>
                {
                    _random.Next(3) switch
                    {
                        0 => SamePool(position, names),
                        _ => SameConv(current, DrawFilters(1), position, names),
                    },
                };
            default:
                return DrawSequenceLayers(channels, length, position, names);
        }
    }

    /// <summary>One layer on a sequence, or a convolution with some of what folds and fuses into it.</summary>
    private List<Item> DrawSequenceLayers(int channels, int length, int position, HashSet<string> names)
    {
        int pick = _random.Next(50);
        if (pick < 7) return DrawConvolutionBlock(channels, length, position, names);
        var layer = pick switch
        {
            < 19 => DrawConvolution(channels, length, position, names),
            < 27 => DrawPool(length, position, names),
            < 30 => DrawBatchNorm(channels, position, names),
            < 36 => DrawShapePreservingLayer(channels, position, names),
            < 38 => DrawGlobalPool(position, names),
            < 41 => DrawAdaptivePool(length, position, names),
            < 43 => DrawSoftmax(position, names),
            _ => DrawFlatten(position, names),
        };
        return new List<Item> { layer };
    }

    /// <summary>A layer on a vector (after Flatten, Dense or a block that flattens): those of the 2D networks, and BatchNorm1D over features.</summary>
    private Item DrawVectorLayer(int features, int position, HashSet<string> names)
    {
        if (_random.Next(6) == 0) return DrawBatchNorm(features, position, names);
        var (attribute, spec) = _layers.DrawLayers(new[] { features }, position, names).Single();
        return Layer(attribute, spec);
    }

    // ------------------------------------------------------------------------------------------------
    // Layers
    // ------------------------------------------------------------------------------------------------

    /// <summary>A convolution, then often a BatchNorm1D (folded into it), an activation (fused into its store) and a max pool of 2.</summary>
    private List<Item> DrawConvolutionBlock(int channels, int length, int position, HashSet<string> names)
    {
        var conv = DrawConvolution(channels, length, position, names);
        var block = new List<Item> { conv };
        int filters = ((Conv1DSpec)conv.Spec).Filters;
        if (_random.Next(3) != 0) block.Add(DrawBatchNorm(filters, position + block.Count, names));
        if (_random.Next(3) != 0) block.Add(DrawActivation(filters, position + block.Count, names));
        if (_random.Next(3) == 0)
        {
            string? name = DrawName(position + block.Count, names);
            block.Add(Write("MaxPool1D", new List<string> { "Kernel = 2" }, new Pool1DSpec(PoolKind.Max, 2) { ModuleName = name }, name));
        }
        return block;
    }

    /// <summary>Filters for a convolution of <paramref name="groups"/> groups: a few per group, or (wide, ungrouped) multiples of 16 for the channel vectors.</summary>
    private int DrawFilters(int groups)
    {
        if (groups == 1 && (_wide ? _random.Next(2) == 0 : _random.Next(12) == 0)) return 16 * _random.Next(1, 4);
        return groups * _random.Next(1, groups > 8 ? 3 : _wide ? 9 : 5);
    }

    private Item DrawConvolution(int channels, int length, int position, HashSet<string> names)
    {
        var args = new List<string>();
        var divisors = Enumerable.Range(1, channels).Where(d => channels % d == 0).ToArray();
        int groups = _random.Next(6) switch
        {
            0 => divisors[_random.Next(divisors.Length)],
            1 => channels, // depthwise (or ordinary on one channel)
            _ => 1,
        };
        int filters = DrawFilters(groups);
        args.Add($"Filters = {filters}");
        if (_random.Next(4) == 0) args.Add($"InChannels = {channels}");
        int kernel = _random.Next(1, 8);
        args.Add($"Kernel = {kernel}");
        int stride = _random.Next(3) == 0 ? _random.Next(2, 5) : 1;
        if (stride != 1 || _random.Next(8) == 0) args.Add($"Stride = {stride}");
        int dilation = _random.Next(4) == 0 ? _random.Next(2, 5) : 1;
        if (dilation != 1 || _random.Next(8) == 0) args.Add($"Dilation = {dilation}");
        int left, right;
        switch (_random.Next(8))
        {
            case 0:
            case 1:
                (left, right) = (0, 0);
                break;
            case 2:
            case 3:
                // "same" for an odd kernel at stride 1, or any padding up to the reach
                left = right = _random.Next(2) == 0 ? (kernel - 1) * dilation / 2 : _random.Next(0, (kernel - 1) * dilation + 2);
                args.Add($"Padding = {left}");
                break;
            case 4:
            case 5:
                // causal: the whole reach before the sequence, none after
                left = (kernel - 1) * dilation;
                right = 0;
                args.Add($"PadLeft = {left}");
                if (_random.Next(2) == 0) args.Add("PadRight = 0");
                break;
            default:
                left = _random.Next(3) == 0 ? 0 : _random.Next(0, 6);
                right = _random.Next(3) == 0 ? 0 : _random.Next(0, 6);
                if (left != 0 || _random.Next(3) == 0) args.Add($"PadLeft = {left}");
                if (right != 0 || _random.Next(3) == 0) args.Add($"PadRight = {right}");
                break;
        }
        if (groups > 1 || _random.Next(10) == 0) args.Add($"Groups = {groups}");
        bool bias = _random.Next(4) != 0;
        if (!bias) args.Add("Bias = false");
        else if (_random.Next(10) == 0) args.Add("Bias = true");
        // reflect pads at most length - 1 per end, circular at most length: a mode the padding does not allow is drawn again
        string mode = "zeros";
        if (_random.Next(3) == 0)
        {
            int padding = Math.Max(left, right);
            var allowed = PaddingModes.Where(m => m switch { "reflect" => padding < length, "circular" => padding <= length, _ => true }).ToArray();
            mode = allowed[_random.Next(allowed.Length)];
        }
        if (mode != "zeros" || _random.Next(10) == 0) args.Add($"PaddingMode = \"{mode}\"");
        string? name = DrawName(position, names);
        var spec = new Conv1DSpec(filters, kernel)
        {
            InChannels = args.Contains($"InChannels = {channels}") ? channels : null,
            Stride = stride, Dilation = dilation, PadLeft = left, PadRight = right,
            Groups = groups, Bias = bias, PaddingMode = mode,
            ModuleName = name,
        };
        return Write("Conv1D", args, spec, name);
    }

    private Item DrawPool(int length, int position, HashSet<string> names)
    {
        var kind = (PoolKind)_random.Next(3);
        string kindName = kind switch { PoolKind.Max => "MaxPool1D", PoolKind.Average => "AvgPool1D", _ => "MinPool1D" };
        var args = new List<string>();
        // now and then a window over most of a short sequence
        int kernel = _random.Next(8) == 0 ? _random.Next(1, Math.Max(2, Math.Min(length, 12) + 1)) : _random.Next(1, 6);
        args.Add($"Kernel = {kernel}");
        int stride = kernel;
        if (_random.Next(2) == 0)
        {
            stride = _random.Next(1, 5);
            args.Add($"Stride = {stride}");
        }
        int padding = 0;
        if (_random.Next(2) == 0)
        {
            padding = _random.Next(0, kernel / 2 + 1);
            args.Add($"Padding = {padding}");
        }
        bool ceil = _random.Next(3) == 0;
        if (ceil) args.Add("CeilMode = true");
        else if (_random.Next(10) == 0) args.Add("CeilMode = false");
        // an average leaves the padding out of its divisor now and then (count_include_pad=False)
        bool countPad = kind != PoolKind.Average || _random.Next(3) != 0;
        if (!countPad) args.Add("CountIncludePad = false");
        // a max or min pool's taps spaced apart now and then (dilation)
        int dilation = kind != PoolKind.Average && _random.Next(4) == 0 ? _random.Next(1, 4) : 1;
        if (dilation != 1) args.Add($"Dilation = {dilation}");
        string? name = DrawName(position, names);
        var spec = new Pool1DSpec(kind, kernel) { Stride = stride, Padding = padding, CeilMode = ceil, CountIncludePad = countPad, Dilation = dilation, ModuleName = name };
        return Write(kindName, args, spec, name);
    }

    /// <summary>BatchNorm1D over the channels of a sequence or the features of a vector.</summary>
    private Item DrawBatchNorm(int channels, int position, HashSet<string> names)
    {
        var args = new List<string>();
        bool affine = _random.Next(3) != 0;
        if (!affine) args.Add("Affine = false");
        else if (_random.Next(6) == 0) args.Add("Affine = true");
        float epsilon = 1e-5f;
        switch (_random.Next(6))
        {
            case 0:
                epsilon = new[] { 1e-3f, 0.1f, 0.5f, 0f }[_random.Next(4)];
                args.Add($"Epsilon = {Float(epsilon)}");
                break;
            case 1:
                args.Add("Epsilon = 1e-5f");
                break;
        }
        bool declared = _random.Next(3) == 0;
        if (declared) args.Add($"Channels = {channels}");
        string? name = DrawName(position, names);
        var spec = new BatchNorm1DSpec { Affine = affine, Epsilon = epsilon, Channels = declared ? channels : null, ModuleName = name };
        return Write("BatchNorm1D", args, spec, name);
    }

    /// <summary>
    /// A layer that keeps a sequence's shape: an activation, PReLU (1 or C slopes), Dropout or Identity as
    /// <see cref="RandomNetworks"/> draws them, BatchNorm1D, or Softmax or LogSoftmax over the channels.
    /// </summary>
    private Item DrawShapePreservingLayer(int channels, int position, HashSet<string> names)
    {
        if (_random.Next(8) == 0) return DrawSoftmax(position, names);
        var (attribute, spec) = _layers.DrawShapePreservingLayer(channels, position, names);
        if (spec is BatchNorm2DSpec)
        {
            // the 2D networks' BatchNorm does not take a sequence: this one's is BatchNorm1D
            if (spec.ModuleName is { } taken) names.Remove(taken);
            return DrawBatchNorm(channels, position, names);
        }
        return Layer(attribute, spec);
    }

    /// <summary>An activation (or PReLU, Dropout, Identity): never BatchNorm.</summary>
    private Item DrawActivation(int channels, int position, HashSet<string> names)
    {
        while (true)
        {
            var (attribute, spec) = _layers.DrawShapePreservingLayer(channels, position, names);
            if (spec is not BatchNorm2DSpec) return Layer(attribute, spec);
            if (spec.ModuleName is { } taken) names.Remove(taken);
        }
    }

    private Item DrawGlobalPool(int position, HashSet<string> names)
    {
        var kind = _random.Next(2) == 0 ? PoolKind.Max : PoolKind.Average;
        string? name = DrawName(position, names);
        return Write(kind == PoolKind.Max ? "GlobalMaxPool1D" : "GlobalAvgPool1D", new List<string>(), new GlobalPool1DSpec(kind) { ModuleName = name }, name);
    }

    /// <summary>An adaptive pool to a length shorter than, equal to or longer than its input's.</summary>
    private Item DrawAdaptivePool(int length, int position, HashSet<string> names)
    {
        var kind = _random.Next(2) == 0 ? PoolKind.Max : PoolKind.Average;
        int output = _random.Next(4) switch
        {
            0 => length,
            1 => length + _random.Next(1, Math.Min(length, 40) + 1),
            _ => _random.Next(1, Math.Max(1, Math.Min(length, 48)) + 1),
        };
        string? name = DrawName(position, names);
        return Write(kind == PoolKind.Max ? "AdaptiveMaxPool1D" : "AdaptiveAvgPool1D", new List<string> { $"Output = {output}" },
            new AdaptivePool1DSpec(kind, output) { ModuleName = name }, name);
    }

    /// <summary>Softmax or LogSoftmax over dim 1: the channels at each position of a sequence.</summary>
    private Item DrawSoftmax(int position, HashSet<string> names)
    {
        string? name = DrawName(position, names);
        return _random.Next(2) == 0
            ? Write("Softmax", new List<string>(), new SoftmaxSpec { ModuleName = name }, name)
            : Write("LogSoftmax", new List<string>(), new LogSoftmaxSpec { ModuleName = name }, name);
    }

    private Item DrawFlatten(int position, HashSet<string> names)
    {
        string? name = DrawName(position, names);
        return Write("Flatten", new List<string>(), new FlattenSpec { ModuleName = name }, name);
    }

    /// <summary>
    /// A convolution that keeps the length: an odd kernel padded by half its reach (in any mode the length
    /// allows), or a causal one; <paramref name="filters"/> output channels.
    /// </summary>
    private Item SameConv(int[] current, int filters, int position, HashSet<string> names, int? kernel = null, int stride = 1, string? name = null)
    {
        int channels = current[0], length = current[1];
        int k = kernel ?? new[] { 1, 3, 3, 5, 7 }[_random.Next(5)];
        int dilation = kernel is null && k > 1 && _random.Next(3) == 0 ? _random.Next(2, 4) : 1;
        bool causal = k > 1 && stride == 1 && _random.Next(3) == 0;
        int reach = (k - 1) * dilation;
        int groups = filters == channels && channels > 1 && _random.Next(3) == 0 ? channels : 1;
        bool bias = _random.Next(3) != 0;
        if (name is not null && !names.Add(name)) name = null;
        var args = new List<string> { $"Filters = {filters}", $"Kernel = {k}" };
        int left = causal ? reach : reach / 2, right = causal ? 0 : reach / 2;
        if (causal) args.Add($"PadLeft = {left}");
        else if (left > 0) args.Add($"Padding = {left}");
        if (dilation > 1) args.Add($"Dilation = {dilation}");
        if (stride > 1) args.Add($"Stride = {stride}");
        if (groups > 1) args.Add($"Groups = {groups}");
        if (!bias) args.Add("Bias = false");
        string mode = "zeros";
        if (left > 0 && _random.Next(4) == 0)
        {
            // reflect pads less than the length, circular at most the length
            var allowed = PaddingModes.Where(m => m switch { "reflect" => left < length, "circular" => left <= length, _ => true }).ToArray();
            mode = allowed[_random.Next(allowed.Length)];
        }
        if (mode != "zeros") args.Add($"PaddingMode = \"{mode}\"");
        name ??= kernel is null ? DrawName(position, names) : null;
        var spec = new Conv1DSpec(filters, k)
        {
            Stride = stride, Dilation = dilation, PadLeft = left, PadRight = right,
            Groups = groups, Bias = bias, PaddingMode = mode, ModuleName = name,
        };
        return Write("Conv1D", args, spec, name);
    }

    /// <summary>A pool of stride 1 padded by half its odd window: the length kept.</summary>
    private Item SamePool(int position, HashSet<string> names)
    {
        var kind = (PoolKind)_random.Next(3);
        int kernel = new[] { 1, 3, 3, 5 }[_random.Next(4)];
        string? name = DrawName(position, names);
        var args = new List<string> { $"Kernel = {kernel}", "Stride = 1" };
        if (kernel > 1) args.Add($"Padding = {kernel / 2}");
        var spec = new Pool1DSpec(kind, kernel) { Stride = 1, Padding = kernel / 2, ModuleName = name };
        return Write(kind switch { PoolKind.Max => "MaxPool1D", PoolKind.Average => "AvgPool1D", _ => "MinPool1D" }, args, spec, name);
    }

    // ------------------------------------------------------------------------------------------------
    // Blocks
    // ------------------------------------------------------------------------------------------------

    private List<Item> DrawBlock(int[] current, int position, HashSet<string> names, int depth, Goal goal)
    {
        int c = current[0];
        switch (_random.Next(goal == Goal.SameShape ? 3 : 4))
        {
            case 0:
            {
                var body = DrawSequence(current, depth + 1, _random.Next(1, 4), goal);
                string cls = Class("Seq", body);
                return Twice(name => Block($"Sequential(typeof({cls}){Close(name)}", new SequentialSpec(body.Select(i => i.Spec)) { ModuleName = name }, body, cls),
                    position, names, again: goal == Goal.SameShape || _random.Next(3) == 0);
            }
            case 1:
            {
                List<Item> gate;
                bool squeezes = _random.Next(2) == 0;
                if (squeezes)
                {
                    // squeeze and excitation: one factor per channel, a [C, 1] gate
                    var squeeze = _random.Next(4) switch
                    {
                        0 or 1 => Layer("[GlobalAvgPool1D]", new GlobalPool1DSpec(PoolKind.Average)),
                        2 => Layer("[AdaptiveAvgPool1D(Output = 1)]", new AdaptivePool1DSpec(PoolKind.Average, 1)),
                        _ => Layer("[GlobalMaxPool1D]", new GlobalPool1DSpec(PoolKind.Max)),
                    };
                    int reduced = _random.Next(1, c + 2);
                    var gateNames = new HashSet<string>(StringComparer.Ordinal);
                    gate = new List<Item>
                    {
                        squeeze,
                        SameConv(new[] { c, 1 }, reduced, 1, gateNames, kernel: 1),
                        DrawActivation(reduced, 2, gateNames),
                        SameConv(new[] { reduced, 1 }, c, 3, gateNames, kernel: 1),
                        _random.Next(3) != 0
                            ? Layer("[Sigmoid]", new ActivationSpec(ActivationKind.Sigmoid))
                            : Layer("[Hardsigmoid(Name = \"scale_activation\")]", new ActivationSpec(ActivationKind.Hardsigmoid) { ModuleName = "scale_activation" }),
                    };
                }
                else
                {
                    gate = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameShape);
                }
                string gateClass = Class(squeezes ? "Se" : "Gate", gate);
                return Twice(name => Block($"Multiply(typeof({gateClass}){Close(name)}", new MultiplySpec(gate.Select(i => i.Spec)) { ModuleName = name }, gate, gateClass),
                    position, names, again: true);
            }
            case 2:
            {
                if (goal == Goal.SameShape || _random.Next(2) == 0)
                {
                    var body = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameShape);
                    string cls = Class("Res", body);
                    return Twice(name => Block($"Residual(typeof({cls}){Close(name)}", new ResidualSpec(body.Select(i => i.Spec)) { ModuleName = name }, body, cls),
                        position, names, again: true);
                }
                // a projection: the body strides and widens (or narrows), the shortcut a Conv1D of kernel 1 the same
                int filters = _wide && _random.Next(2) == 0 ? 16 * _random.Next(1, 3) : _random.Next(1, 13);
                int stride = _random.Next(1, 4);
                var scratch = new HashSet<string>(StringComparer.Ordinal);
                var firstConv = SameConv(current, filters, 0, scratch, kernel: new[] { 1, 3, 5 }[_random.Next(3)], stride: stride, name: _random.Next(2) == 0 ? "conv1" : null);
                var body2 = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameShape, first: firstConv);
                var shortcut = new List<Item> { SameConv(current, filters, 0, new HashSet<string>(), kernel: 1, stride: stride) };
                if (_random.Next(2) == 0) shortcut.Add(Layer("[BatchNorm1D]", new BatchNorm1DSpec()));
                string bodyClass = Class("Down", body2), shortcutClass = Class("Proj", shortcut);
                string? shortcutName = _random.Next(4) switch { 0 => null, 1 => "downsample", 2 => "shortcut", _ => "proj" + position.ToString(CultureInfo.InvariantCulture) };
                string shortcutArgument = shortcutName is null ? "" : $", ShortcutName = \"{shortcutName}\"";
                string? name2 = DrawBlockName(position, names);
                var spec = new ResidualSpec(body2.Select(i => i.Spec)) { Shortcut = shortcut.Select(i => i.Spec).ToList(), ShortcutName = shortcutName ?? "shortcut", ModuleName = name2 };
                return new List<Item> { Block($"Residual(typeof({bodyClass}), Shortcut = typeof({shortcutClass}){shortcutArgument}{Close(name2)}", spec, body2.Concat(shortcut).ToList(), bodyClass, shortcutClass) };
            }
            default:
            {
                int count = _random.Next(1, 4);
                var branches = new List<List<Item>>();
                var classes = new List<string>();
                for (int b = 0; b < count; b++)
                {
                    if (b > 0 && _random.Next(4) == 0)
                    {
                        // one class for two branches: each is still a module of its own
                        branches.Add(branches[b - 1]);
                        classes.Add(classes[b - 1]);
                        continue;
                    }
                    var branch = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameLength);
                    branches.Add(branch);
                    classes.Add(Class("Branch", branch));
                }
                bool includeInput = _random.Next(2) == 0;
                string? name = DrawBlockName(position, names);
                string types = string.Join(", ", classes.Select(k => $"typeof({k})"));
                string include = includeInput ? ", IncludeInput = true" : _random.Next(6) == 0 ? ", IncludeInput = false" : "";
                var spec = new ConcatSpec(branches.Select(b => (IEnumerable<LayerSpec>)b.Select(i => i.Spec).ToList()).ToArray()) { IncludeInput = includeInput, ModuleName = name };
                return new List<Item> { Block($"Concat({types}{include}{Close(name)}", spec, branches.SelectMany(b => b).ToList(), classes.ToArray()) };
            }
        }
    }

    /// <summary>A block, and now and then (when it keeps the shape) a second use of the same classes after it, named anew.</summary>
    private List<Item> Twice(Func<string?, Item> use, int position, HashSet<string> names, bool again)
    {
        var items = new List<Item> { use(DrawBlockName(position, names)) };
        if (again && _random.Next(4) == 0) items.Add(use(DrawBlockName(position + 1, names)));
        return items;
    }

    /// <summary>Usually none; now and then a word, a position, or "" (the children inserted among the block's siblings).</summary>
    private string? DrawBlockName(int position, HashSet<string> names)
    {
        switch (_random.Next(8))
        {
            case 0:
                return "";
            case 1:
            {
                string[] words = { "layer1", "features", "stage", "block", "se", "branch_", "tcn", "Down" };
                string name = words[_random.Next(words.Length)] + (_random.Next(2) == 0 ? position.ToString(CultureInfo.InvariantCulture) : "");
                return names.Add(name) ? name : null;
            }
            case 2:
            {
                string name = position.ToString(CultureInfo.InvariantCulture);
                return names.Add(name) ? name : null;
            }
            default:
                return null;
        }
    }

    /// <summary>The end of a block attribute: ", Name = "x")]" or ")]".</summary>
    private static string Close(string? name) => (name is null ? "" : $", Name = \"{name}\"") + ")]";

    private static Item Layer(string attribute, LayerSpec spec) => new(attribute, spec, Array.Empty<string>());

    /// <summary>A block item: the classes it names (written here) and those its parts' items need.</summary>
    private Item Block(string attribute, LayerSpec spec, IReadOnlyList<Item> parts, params string[] classNames) =>
        new("[" + attribute, spec, parts.SelectMany(p => p.Classes).Concat(classNames.Select(n => _classes[n])).ToList());

    /// <summary>A new block class holding <paramref name="items"/>; returns its name. Partial or not, public or internal: any class can be a block.</summary>
    private string Class(string kind, IReadOnlyList<Item> items)
    {
        string name = $"{_className}{kind}{_nextClass++}";
        string declaration = _random.Next(3) switch { 0 => "public partial class", 1 => "public sealed class", _ => "internal class" };
        _classes[name] = "\n[Block]\n" + string.Concat(items.Select(i => i.Attribute + "\n")) + $"{declaration} {name} {{ }}\n";
        return name;
    }

    // ------------------------------------------------------------------------------------------------
    // Checks and writing
    // ------------------------------------------------------------------------------------------------

    /// <summary>The output of <paramref name="items"/> from the sequence <paramref name="input"/>, or null when they do not fit.</summary>
    private static int[]? Output(int[] input, List<Item> items)
    {
        if (items.Count == 0) return input;
        try
        {
            return new NetworkSpec(input[0], input[1], items.Select(i => i.Spec)).OutputShape.ToArray();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool Meets(int[] input, List<Item> items, Goal goal, int[] target)
    {
        var output = Output(input, items);
        if (output is null) return false;
        return goal switch
        {
            Goal.SameShape => output.SequenceEqual(target),
            Goal.SameLength => output.Length == 2 && output[1] == input[1],
            _ => true,
        };
    }

    /// <summary>
    /// A module name for about one layer in seven: a word with the layer's position, or now and then
    /// the position itself (an unnamed layer's key, so still unique), never a name already taken.
    /// </summary>
    private string? DrawName(int position, HashSet<string> names)
    {
        if (_random.Next(7) != 0) return null;
        string[] words = { "conv", "tcn", "bn", "act", "pool", "head", "encoder_", "layer1", "Classifier", "x" };
        string name = _random.Next(5) == 0
            ? position.ToString(CultureInfo.InvariantCulture)
            : words[_random.Next(words.Length)] + (_random.Next(2) == 0 ? position.ToString(CultureInfo.InvariantCulture) : "");
        return names.Add(name) ? name : null;
    }

    /// <summary>The attribute with its arguments (and name) in a random order: "[ReLU]", "[Conv1D(Filters = 3, Kernel = 5, Name = "conv")]".</summary>
    private Item Write(string kind, List<string> args, LayerSpec spec, string? name)
    {
        if (name is not null) args.Add($"Name = \"{name}\"");
        for (int i = args.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (args[i], args[j]) = (args[j], args[i]);
        }
        return Layer(args.Count == 0 ? $"[{kind}]" : $"[{kind}({string.Join(", ", args)})]", spec);
    }

    /// <summary>The float as a literal that means the same float: "0.5f", "1E-05f".</summary>
    private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
