using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// A network drawn at random: its source, the layer attributes in it (to build variants from), and,
/// built independently, the spec it must mean.
/// </summary>
public sealed record RandomNetwork(string ClassName, string Source, IReadOnlyList<string> Attributes, NetworkSpec Spec);

/// <summary>
/// Draws valid networks over every 2D layer kind: odd sizes, strides larger than kernels, dilation
/// with padding, groups, ceil mode, every spelling of each attribute. A drawn layer that does not
/// fit (NetworkSpec rejects it) is drawn again; the spec is built from the layer specs, not from
/// the generator, so a misread attribute shows up as a difference.
/// </summary>
public sealed class RandomNetworks
{
    private readonly Random _random;

    public RandomNetworks(int seed) => _random = new Random(seed);

    /// <summary>A network over a small input (1 to 13 rows and columns), or with <paramref name="wide"/> 16 to 40, wide enough for the SIMD paths.</summary>
    public RandomNetwork Next(string className, int maxLayers = 6, bool wide = false)
    {
        int low = wide ? 16 : 1, high = wide ? 41 : 14;
        int channels = _random.Next(1, 5), height = _random.Next(low, high), width = _random.Next(low, high);
        var layers = new List<(string Attribute, LayerSpec Spec)>();
        int wanted = _random.Next(1, maxLayers + 1);
        for (int attempt = 0; attempt < 60 && layers.Count < wanted; attempt++)
        {
            bool flat = layers.Count > 0 && Fits(channels, height, width, layers, out var shape) && shape.Count == 1;
            var candidate = flat ? DrawVectorLayer() : DrawMapLayer(Fits(channels, height, width, layers, out var current) ? current[0] : channels);
            layers.Add(candidate);
            if (!Fits(channels, height, width, layers, out _)) layers.RemoveAt(layers.Count - 1);
        }
        if (layers.Count == 0) layers.Add(("[ReLU]", new ActivationSpec(ActivationKind.ReLU)));
        var spec = new NetworkSpec(channels, height, width, layers.Select(l => l.Spec));
        var attributes = layers.Select(l => l.Attribute).ToList();
        return new RandomNetwork(className, Declare(className, channels, height, width, attributes), attributes, spec);
    }

    /// <summary>The source of a network class in namespace Differential: the input shape, then the layer attributes in order.</summary>
    public static string Declare(string className, int channels, int height, int width, IEnumerable<string> attributes) =>
        "using CnnGen;\n\nnamespace Differential;\n\n"
        + $"[InputShape({channels}, {height}, {width})]\n"
        + string.Concat(attributes.Select(a => a + "\n"))
        + $"public partial class {className} {{ }}\n";

    private static bool Fits(int c, int h, int w, List<(string, LayerSpec Spec)> layers, out IReadOnlyList<int> output)
    {
        try
        {
            output = new NetworkSpec(c, h, w, layers.Select(l => l.Spec)).OutputShape;
            return true;
        }
        catch (ArgumentException)
        {
            output = Array.Empty<int>();
            return false;
        }
    }

    private (string, LayerSpec) DrawMapLayer(int channels)
    {
        return _random.Next(10) switch
        {
            < 4 => DrawConvolution(channels),
            < 7 => DrawPool(),
            8 => ("[Flatten]", new FlattenSpec()),
            9 when _random.Next(3) == 0 => ("[Softmax]", new SoftmaxSpec()),
            _ => DrawActivation(),
        };
    }

    private (string, LayerSpec) DrawVectorLayer()
    {
        return _random.Next(6) switch
        {
            < 3 => DrawDense(),
            3 => ("[Softmax]", new SoftmaxSpec()),
            4 => ("[Flatten]", new FlattenSpec()),
            _ => DrawActivation(),
        };
    }

    private (string, LayerSpec) DrawConvolution(int channels)
    {
        var args = new List<string>();
        var divisors = Enumerable.Range(1, channels).Where(d => channels % d == 0).ToArray();
        int groups = _random.Next(3) == 0 ? divisors[_random.Next(divisors.Length)] : 1;
        int filters = groups * _random.Next(1, 4);
        args.Add($"Filters = {filters}");
        if (_random.Next(3) == 0) args.Add($"InChannels = {channels}");
        var (kh, kw) = Pair(args, "Kernel", 1, 4, always: true);
        var (sh, sw) = Pair(args, "Stride", 1, 4);
        var (dh, dw) = Pair(args, "Dilation", 1, 3);
        int top, bottom, left, right;
        if (_random.Next(4) == 0)
        {
            top = Maybe(args, "PadTop", 0, 3);
            bottom = Maybe(args, "PadBottom", 0, 3);
            left = Maybe(args, "PadLeft", 0, 3);
            right = Maybe(args, "PadRight", 0, 3);
        }
        else
        {
            var (ph, pw) = Pair(args, "Padding", 0, 3);
            (top, bottom, left, right) = (ph, ph, pw, pw);
        }
        if (groups > 1) args.Add($"Groups = {groups}");
        bool bias = _random.Next(4) != 0;
        if (!bias) args.Add("Bias = false");
        Shuffle(args);
        var spec = new Conv2DSpec(filters, kh, kw)
        {
            InChannels = args.Contains($"InChannels = {channels}") ? channels : null,
            StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
            PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right,
            Groups = groups, Bias = bias,
        };
        return ($"[Conv2D({string.Join(", ", args)})]", spec);
    }

    private (string, LayerSpec) DrawPool()
    {
        var kind = (PoolKind)_random.Next(3);
        string name = kind switch { PoolKind.Max => "MaxPool2D", PoolKind.Average => "AvgPool2D", _ => "MinPool2D" };
        var args = new List<string>();
        var (kh, kw) = Pair(args, "Kernel", 1, 4, always: true);
        int sh = kh, sw = kw;
        if (_random.Next(2) == 0) (sh, sw) = Pair(args, "Stride", 1, 4, always: true);
        int ph = 0, pw = 0;
        if (_random.Next(2) == 0)
        {
            int limit = Math.Min(kh, kw) / 2;
            (ph, pw) = Pair(args, "Padding", 0, limit + 1, always: true);
            if (ph > kh / 2 || pw > kw / 2) (ph, pw) = (0, 0);
            args.RemoveAll(a => a.StartsWith("Padding", StringComparison.Ordinal));
            if (ph == pw) args.Add($"Padding = {ph}");
            else { args.Add($"PaddingHeight = {ph}"); args.Add($"PaddingWidth = {pw}"); }
        }
        bool ceil = _random.Next(3) == 0;
        if (ceil) args.Add("CeilMode = true");
        Shuffle(args);
        var spec = new Pool2DSpec(kind, kh, kw) { StrideHeight = sh, StrideWidth = sw, PaddingHeight = ph, PaddingWidth = pw, CeilMode = ceil };
        return ($"[{name}({string.Join(", ", args)})]", spec);
    }

    private (string, LayerSpec) DrawActivation()
    {
        switch (_random.Next(5))
        {
            case 0: return ("[ReLU]", new ActivationSpec(ActivationKind.ReLU));
            case 1: return ("[Sigmoid]", new ActivationSpec(ActivationKind.Sigmoid));
            case 2: return ("[Tanh]", new ActivationSpec(ActivationKind.Tanh));
            case 3: return ("[LeakyReLU]", new ActivationSpec(ActivationKind.LeakyReLU));
            default:
                float slope = (float)Math.Round(_random.NextDouble() * 0.5, 3);
                return ($"[LeakyReLU(NegativeSlope = {slope.ToString("R", CultureInfo.InvariantCulture)}f)]", new ActivationSpec(ActivationKind.LeakyReLU) { NegativeSlope = slope });
        }
    }

    private (string, LayerSpec) DrawDense()
    {
        int outputs = _random.Next(1, 12);
        bool bias = _random.Next(4) != 0;
        string args = $"Outputs = {outputs}" + (bias ? "" : ", Bias = false");
        return ($"[Dense({args})]", new DenseSpec(outputs) { Bias = bias });
    }

    /// <summary>A (height, width) pair written one of three ways: omitted (default), square, or per axis.</summary>
    private (int, int) Pair(List<string> args, string name, int low, int high, bool always = false)
    {
        int form = _random.Next(always ? 1 : 0, 3);
        int defaultValue = name is "Padding" ? 0 : 1;
        switch (form)
        {
            case 0:
                return (defaultValue, defaultValue);
            case 1:
                int v = _random.Next(low, high);
                args.Add($"{name} = {v}");
                return (v, v);
            default:
                int h = _random.Next(low, high), w = _random.Next(low, high);
                args.Add($"{name}Height = {h}");
                args.Add($"{name}Width = {w}");
                return (h, w);
        }
    }

    private int Maybe(List<string> args, string name, int low, int high)
    {
        if (_random.Next(3) == 0) return 0;
        int v = _random.Next(low, high);
        args.Add($"{name} = {v}");
        return v;
    }

    private void Shuffle(List<string> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
