using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// Draws valid networks of blocks nested at random: [Sequential] of anything, [Residual] around a
/// body that keeps the shape or, with a Shortcut (a strided 1x1 convolution), around one that
/// changes it, [Concat] of branches that keep the height and width (with and without IncludeInput,
/// one class sometimes used for two branches), [Multiply] by a squeeze-and-excitation gate ([C, 1, 1])
/// or by a gate of the input's shape; blocks named, unnamed, or named "" (their children inserted
/// among their siblings), and shape-keeping blocks used twice in a row. The layers between and
/// inside come from <see cref="RandomNetworks"/>. Each block class is written once, in namespace
/// Differential, and the spec the network must mean is built independently from
/// <see cref="SequentialSpec"/>, <see cref="ResidualSpec"/>, <see cref="ConcatSpec"/> and
/// <see cref="MultiplySpec"/>. A drawn item that does not fit (NetworkSpec rejects the sequence it
/// joins) is drawn again.
/// </summary>
public sealed class RandomBlockNetworks
{
    private const int MaxDepth = 3;

    private readonly Random _random;
    private readonly RandomNetworks _layers;
    private string _className = "";
    private int _nextClass;

    public RandomBlockNetworks(int seed)
    {
        _random = new Random(seed);
        _layers = new RandomNetworks(unchecked(seed * 31 + 7));
    }

    /// <summary>An item as written in its class, the spec it must mean, and the block classes it needs (their source).</summary>
    private sealed record Item(string Attribute, LayerSpec Spec, IReadOnlyList<string> Classes);

    /// <summary>What a drawn sequence must give: anything, its input's shape, or its input's height and width.</summary>
    private enum Goal { Any, SameShape, SameSpatial }

    /// <summary>A network over a small input (3 to 13 rows and columns), or with <paramref name="wide"/> 16 to 40.</summary>
    public RandomNetwork Next(string className, bool wide = false)
    {
        _className = className;
        _nextClass = 0;
        int low = wide ? 16 : 3, high = wide ? 41 : 14;
        int[] input = { _random.Next(1, 5), _random.Next(low, high), _random.Next(low, high) };
        var items = DrawSequence(input, 0, _random.Next(2, 7), Goal.Any, requireBlock: true);
        var spec = new NetworkSpec(input[0], input[1], input[2], items.Select(i => i.Spec), className);
        var attributes = items.Select(i => i.Attribute).ToList();
        string source = RandomNetworks.Declare(className, input[0], input[1], input[2], attributes)
            + string.Concat(items.SelectMany(i => i.Classes).Distinct(StringComparer.Ordinal));
        return new RandomNetwork(className, source, attributes, spec);
    }

    /// <summary>
    /// Items from <paramref name="input"/> (a feature map) until <paramref name="wanted"/> fit, each
    /// checked with the ones before it; the result meets <paramref name="goal"/>. Never empty.
    /// </summary>
    private List<Item> DrawSequence(int[] input, int depth, int wanted, Goal goal, bool requireBlock = false, Item? first = null)
    {
        var items = new List<Item>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (first is not null) items.Add(first);
        int[] target = first is null ? input : Output(input, items)!;
        for (int attempt = 0; attempt < 40 && (items.Count < wanted || (requireBlock && !items.Any(i => i.Spec is BlockSpec))); attempt++)
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
            items.Add(new Item("[ReLU]", new ActivationSpec(ActivationKind.ReLU), Array.Empty<string>()));
        return items;
    }

    /// <summary>One layer (or a convolution with what fuses into it), or a block.</summary>
    private List<Item> DrawItems(int[] current, int position, HashSet<string> names, int depth, Goal goal)
    {
        if (current.Length == 3 && depth < MaxDepth && _random.Next(100) < 45 - 10 * depth)
            return DrawBlock(current, position, names, depth, goal);
        if (current.Length == 3 && goal != Goal.Any && _random.Next(2) == 0)
        {
            return goal == Goal.SameShape
                ? new List<Item> { SameConv(current[0], current[0], 1, position, names) }
                : new List<Item> { _random.Next(3) == 0 ? SamePool(position, names) : SameConv(current[0], _random.Next(1, 9), 1, position, names) };
        }
        if (current.Length == 3 && goal == Goal.SameShape)
        {
            var (attribute, spec) = _layers.DrawShapePreservingLayer(current[0], position, names);
            return new List<Item> { Layer(attribute, spec) };
        }
        return _layers.DrawLayers(current, position, names).Select(l => Layer(l.Attribute, l.Spec)).ToList();
    }

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
                        position, names, again: goal == Goal.SameShape);
                }
            case 1:
                {
                    var body = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameShape);
                    string cls = Class("Gate", body);
                    if (_random.Next(2) == 0)
                    {
                        // squeeze and excitation: one factor per channel
                        var squeeze = _random.Next(3) switch
                        {
                            0 => Layer("[GlobalAvgPool2D]", new GlobalPool2DSpec(PoolKind.Average)),
                            1 => Layer("[AdaptiveAvgPool2D(Output = 1)]", new AdaptivePool2DSpec(PoolKind.Average, 1, 1)),
                            _ => Layer("[AdaptiveMaxPool2D(OutputHeight = 1, OutputWidth = 1)]", new AdaptivePool2DSpec(PoolKind.Max, 1, 1)),
                        };
                        int reduced = _random.Next(1, c + 2);
                        var gateNames = new HashSet<string>(StringComparer.Ordinal);
                        var (act, actSpec) = _layers.DrawShapePreservingLayer(reduced, 2, gateNames);
                        body = new List<Item>
                        {
                            squeeze,
                            SameConv(c, reduced, 1, 1, gateNames, kernel: 1),
                            Layer(act, actSpec),
                            SameConv(reduced, c, 1, 3, gateNames, kernel: 1),
                            _random.Next(2) == 0 ? Layer("[Sigmoid]", new ActivationSpec(ActivationKind.Sigmoid)) : Layer("[Hardsigmoid(Name = \"scale_activation\")]", new ActivationSpec(ActivationKind.Hardsigmoid) { ModuleName = "scale_activation" }),
                        };
                        cls = Class("Se", body);
                    }
                    var gate = body;
                    string gateClass = cls;
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
                    // a projection: the body strides and widens, the shortcut a 1x1 convolution the same
                    int filters = _random.Next(1, 9), stride = _random.Next(1, 3);
                    var scratch = new HashSet<string>(StringComparer.Ordinal);
                    var downBody = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameShape, first: SameConv(c, filters, stride, 0, scratch, name: _random.Next(2) == 0 ? "conv1" : null));
                    var shortcut = new List<Item> { SameConv(c, filters, stride, 0, new HashSet<string>(), kernel: 1) };
                    if (_random.Next(2) == 0) shortcut.Add(Layer("[BatchNorm2D]", new BatchNorm2DSpec()));
                    string bodyClass = Class("Down", downBody), shortcutClass = Class("Proj", shortcut);
                    string? shortcutName = _random.Next(4) switch { 0 => null, 1 => "downsample", 2 => "shortcut", _ => "proj" + position.ToString(CultureInfo.InvariantCulture) };
                    string shortcutArgument = shortcutName is null ? "" : $", ShortcutName = \"{shortcutName}\"";
                    string? name = DrawBlockName(position, names);
                    var spec = new ResidualSpec(downBody.Select(i => i.Spec)) { Shortcut = shortcut.Select(i => i.Spec).ToList(), ShortcutName = shortcutName ?? "shortcut", ModuleName = name };
                    return new List<Item> { Block($"Residual(typeof({bodyClass}), Shortcut = typeof({shortcutClass}){shortcutArgument}{Close(name)}", spec, downBody.Concat(shortcut).ToList(), bodyClass, shortcutClass) };
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
                        var branch = DrawSequence(current, depth + 1, _random.Next(1, 4), Goal.SameSpatial);
                        branches.Add(branch);
                        classes.Add(Class("Branch", branch));
                    }
                    bool includeInput = _random.Next(2) == 0;
                    string? name = DrawBlockName(position, names);
                    string types = string.Join(", ", classes.Select(k => $"typeof({k})"));
                    var spec = new ConcatSpec(branches.Select(b => (IEnumerable<LayerSpec>)b.Select(i => i.Spec).ToList()).ToArray()) { IncludeInput = includeInput, ModuleName = name };
                    return new List<Item> { Block($"Concat({types}{(includeInput ? ", IncludeInput = true" : "")}{Close(name)}", spec, branches.SelectMany(b => b).ToList(), classes.ToArray()) };
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
            case 1:
                return "";
            case 2:
                {
                    string[] words = { "layer1", "features", "stage", "block", "se", "branch_", "Down" };
                    string name = words[_random.Next(words.Length)] + (_random.Next(2) == 0 ? position.ToString(CultureInfo.InvariantCulture) : "");
                    return names.Add(name) ? name : null;
                }
            case 3:
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

    private readonly Dictionary<string, string> _classes = new(StringComparer.Ordinal);

    /// <summary>A new block class holding <paramref name="items"/>; returns its name. Partial or not, public or internal: any class can be a block.</summary>
    private string Class(string kind, IReadOnlyList<Item> items)
    {
        string name = $"{_className}{kind}{_nextClass++}";
        string declaration = _random.Next(3) switch { 0 => "public partial class", 1 => "public sealed class", _ => "internal class" };
        _classes[name] = "\n[Block]\n" + string.Concat(items.Select(i => i.Attribute + "\n")) + $"{declaration} {name} {{ }}\n";
        return name;
    }

    /// <summary>A convolution whose output keeps the input's height and width at stride 1 (an odd kernel padded by half).</summary>
    private Item SameConv(int channels, int filters, int stride, int position, HashSet<string> names, int? kernel = null, string? name = null)
    {
        int k = kernel ?? new[] { 1, 3, 3, 5 }[_random.Next(4)];
        int padding = k / 2;
        int groups = filters == channels && channels > 1 && _random.Next(3) == 0 ? channels : 1;
        bool bias = _random.Next(3) != 0;
        if (name is not null && !names.Add(name)) name = null;
        var args = new List<string> { $"Filters = {filters}", $"Kernel = {k}" };
        if (padding > 0) args.Add($"Padding = {padding}");
        if (stride > 1) args.Add($"Stride = {stride}");
        if (groups > 1) args.Add($"Groups = {groups}");
        if (!bias) args.Add("Bias = false");
        if (name is not null) args.Add($"Name = \"{name}\"");
        var spec = new Conv2DSpec(filters, k, k)
        {
            StrideHeight = stride, StrideWidth = stride,
            PadTop = padding, PadBottom = padding, PadLeft = padding, PadRight = padding,
            Groups = groups, Bias = bias, ModuleName = name,
        };
        return Layer($"[Conv2D({string.Join(", ", args)})]", spec);
    }

    /// <summary>A 3x3 pool of stride 1 padded by 1: the height and width kept.</summary>
    private Item SamePool(int position, HashSet<string> names)
    {
        var kind = _random.Next(2) == 0 ? PoolKind.Max : PoolKind.Average;
        return Layer($"[{(kind == PoolKind.Max ? "MaxPool2D" : "AvgPool2D")}(Kernel = 3, Stride = 1, Padding = 1)]",
            new Pool2DSpec(kind, 3, 3) { StrideHeight = 1, StrideWidth = 1, PaddingHeight = 1, PaddingWidth = 1 });
    }

    /// <summary>The output of <paramref name="items"/> from <paramref name="input"/>, or null when they do not fit.</summary>
    private static int[]? Output(int[] input, List<Item> items)
    {
        if (items.Count == 0) return input;
        try
        {
            return new NetworkSpec(input[0], input[1], input[2], items.Select(i => i.Spec)).OutputShape.ToArray();
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
            Goal.SameSpatial => output.Length == 3 && output[1] == input[1] && output[2] == input[2],
            _ => true,
        };
    }
}
