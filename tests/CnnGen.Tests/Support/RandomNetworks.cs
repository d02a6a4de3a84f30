using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// A network drawn at random: its source, the layer attributes in it (one per layer, to build
/// variants from), and, built independently, the spec it must mean.
/// </summary>
public sealed record RandomNetwork(string ClassName, string Source, IReadOnlyList<string> Attributes, NetworkSpec Spec);

/// <summary>
/// Draws valid networks over every layer kind: odd sizes, strides larger than kernels, dilation
/// with padding, groups, ceil mode, BatchNorm (with and without affine, declared channels or not,
/// after a convolution where it folds and anywhere else), every activation with random arguments,
/// PReLU shared or per channel, global and adaptive pools (outputs smaller and larger than their
/// input), Dropout and Identity, Softmax and LogSoftmax, module names on some layers, and every
/// spelling of each attribute. Convolutions are often followed by the BatchNorm, activation and 2x2
/// max pool that the generator folds and fuses into them. A drawn layer that does not fit
/// (NetworkSpec rejects it) is drawn again; the spec is built from the layer specs, not from the
/// generator, so a misread attribute shows up as a difference.
/// </summary>
public sealed class RandomNetworks
{
    private readonly Random _random;

    public RandomNetworks(int seed) => _random = new Random(seed);

    /// <summary>A drawn layer: its attribute as written and the spec it must mean.</summary>
    private sealed record Layer(string Attribute, LayerSpec Spec);

    /// <summary>A network over a small input (1 to 13 rows and columns), or with <paramref name="wide"/> 16 to 40, wide enough for the SIMD paths.</summary>
    public RandomNetwork Next(string className, int maxLayers = 7, bool wide = false)
    {
        int low = wide ? 16 : 1, high = wide ? 41 : 14;
        int channels = _random.Next(1, 5), height = _random.Next(low, high), width = _random.Next(low, high);
        var layers = new List<Layer>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int wanted = _random.Next(1, maxLayers + 1);
        for (int attempt = 0; attempt < 60 && layers.Count < wanted; attempt++)
        {
            var shape = Fits(channels, height, width, layers, out var current) ? current : new[] { channels, height, width };
            var block = shape.Count == 1 ? new List<Layer> { DrawVectorLayer(layers.Count, shape[0], names) } : DrawMapLayers(layers.Count, shape[0], names);
            layers.AddRange(block);
            if (!Fits(channels, height, width, layers, out _))
            {
                layers.RemoveRange(layers.Count - block.Count, block.Count);
                foreach (var l in block)
                    if (l.Spec.ModuleName is string name) names.Remove(name);
            }
        }
        if (layers.Count == 0) layers.Add(new Layer("[ReLU]", new ActivationSpec(ActivationKind.ReLU)));
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

    /// <summary>An input as the random tests draw one: every float uniform in [-1, 1].</summary>
    public static float[] Inputs(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>
    /// A state vector for <paramref name="spec"/> as a trained network has one: every float in
    /// [-1, 1], except the BatchNorm variances (running_var), which are positive, in [0.1, 2].
    /// </summary>
    public static float[] Parameters(NetworkSpec spec, Random random)
    {
        var values = new float[spec.ParameterCount];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        foreach (var tensor in spec.Parameters.Where(t => t.IsBuffer && t.Name.EndsWith(".running_var", StringComparison.Ordinal)))
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++) values[i] = (float)(0.1 + random.NextDouble() * 1.9);
        // convolution and dense weights scaled by 1 / sqrt(fan-in), as PyTorch initializes them: values stay near 1
        // through deep networks, so a clipping activation at the end cannot hide intermediates of thousands,
        // whose float32 rounding the tolerance (relative to the output) would not allow for
        foreach (var tensor in spec.Parameters.Where(t => !t.IsBuffer && t.Shape.Count >= 2 && t.Name.EndsWith(".weight", StringComparison.Ordinal)))
        {
            int fanIn = tensor.Shape.Skip(1).Aggregate(1, (a, b) => a * b);
            float factor = (float)(1 / Math.Sqrt(fanIn));
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++) values[i] *= factor;
        }
        return values;
    }

    /// <summary>
    /// For networks of blocks (<see cref="RandomBlockNetworks"/>): one layer after a value of
    /// <paramref name="shape"/> ([C, H, W] or [features]), or on a feature map a convolution with some
    /// of what folds and fuses into it; named as <paramref name="position"/> would be, never with a name in <paramref name="names"/>.
    /// </summary>
    public IReadOnlyList<(string Attribute, LayerSpec Spec)> DrawLayers(IReadOnlyList<int> shape, int position, HashSet<string> names) =>
        (shape.Count == 1 ? new List<Layer> { DrawVectorLayer(position, shape[0], names) } : DrawMapLayers(position, shape[0], names))
            .Select(l => (l.Attribute, l.Spec)).ToList();

    /// <summary>For networks of blocks: a layer that keeps a feature map's shape (BatchNorm, an activation, PReLU, Dropout or Identity).</summary>
    public (string Attribute, LayerSpec Spec) DrawShapePreservingLayer(int channels, int position, HashSet<string> names)
    {
        var layer = _random.Next(6) switch
        {
            0 => DrawBatchNorm(position, channels, names),
            1 => DrawPReLU(position, channels, names),
            2 => DrawPassThrough(position, names),
            _ => DrawActivation(position, names),
        };
        return (layer.Attribute, layer.Spec);
    }

    private static bool Fits(int c, int h, int w, List<Layer> layers, out IReadOnlyList<int> output)
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

    /// <summary>One layer on a feature map, or a convolution with some of what folds and fuses into it.</summary>
    private List<Layer> DrawMapLayers(int position, int channels, HashSet<string> names)
    {
        int pick = _random.Next(57);
        if (pick < 6) return DrawConvolutionBlock(position, channels, names);
        var layer = pick switch
        {
            < 17 => DrawConvolution(position, channels, names),
            < 27 => DrawPool(position, names),
            < 30 => DrawBatchNorm(position, channels, names),
            < 36 => DrawActivation(position, names),
            < 38 => DrawPReLU(position, channels, names),
            38 => DrawGlobalPool(position, names),
            39 or 40 => DrawAdaptivePool(position, names),
            41 => DrawPassThrough(position, names),
            < 47 => Named("Flatten", new List<string>(), new FlattenSpec(), position, names),
            < 50 => DrawSoftmax(position, names, onMap: true),
            < 53 => DrawPadding(position, names),
            < 55 => DrawTransposedConvolution(position, channels, names),
            55 => DrawUpsample(position, names),
            _ => DrawPixelShuffle(position, channels, names),
        };
        return new List<Layer> { layer };
    }

    /// <summary>A convolution, then often a BatchNorm (folded into it), an activation (fused into its store) and a 2x2 max pool (fused where 512 bits run).</summary>
    private List<Layer> DrawConvolutionBlock(int position, int channels, HashSet<string> names)
    {
        var conv = DrawConvolution(position, channels, names);
        var block = new List<Layer> { conv };
        int filters = ((Conv2DSpec)conv.Spec).Filters;
        if (_random.Next(3) != 0) block.Add(DrawBatchNorm(position + block.Count, filters, names));
        if (_random.Next(3) != 0) block.Add(DrawActivation(position + block.Count, names));
        if (_random.Next(3) == 0) block.Add(Named("MaxPool2D", new List<string> { "Kernel = 2" }, new Pool2DSpec(PoolKind.Max, 2, 2), position + block.Count, names));
        return block;
    }

    private Layer DrawVectorLayer(int position, int features, HashSet<string> names)
    {
        return _random.Next(16) switch
        {
            < 7 => DrawDense(position, names),
            < 10 => DrawSoftmax(position, names, onMap: false),
            10 => Named("Flatten", new List<string>(), new FlattenSpec(), position, names),
            11 => DrawPReLU(position, features, names),
            12 => DrawPassThrough(position, names),
            _ => DrawActivation(position, names),
        };
    }

    private Layer DrawConvolution(int position, int channels, HashSet<string> names)
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
        // a padding the mode does not allow on this input is redrawn, as any layer that does not fit
        string mode = _random.Next(4) == 0 ? PaddingModes[_random.Next(PaddingModes.Length)] : "zeros";
        if (mode != "zeros" || _random.Next(8) == 0) args.Add($"PaddingMode = \"{mode}\"");
        string? name = DrawName(position, names);
        var spec = new Conv2DSpec(filters, kh, kw)
        {
            InChannels = args.Contains($"InChannels = {channels}") ? channels : null,
            StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
            PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right,
            Groups = groups, Bias = bias, PaddingMode = mode,
            ModuleName = name,
        };
        return Write("Conv2D", args, spec, name);
    }

    /// <summary>ZeroPad2D, ReflectionPad2D or ReplicationPad2D, one padding or per side; a reflection the input is too small for is redrawn.</summary>
    private Layer DrawPadding(int position, HashSet<string> names)
    {
        var (kind, mode) = _random.Next(3) switch { 0 => ("ZeroPad2D", "zeros"), 1 => ("ReflectionPad2D", "reflect"), _ => ("ReplicationPad2D", "replicate") };
        var args = new List<string>();
        int top, bottom, left, right;
        if (_random.Next(2) == 0)
        {
            top = Maybe(args, "PadTop", 0, 4);
            bottom = Maybe(args, "PadBottom", 0, 4);
            left = Maybe(args, "PadLeft", 0, 4);
            right = Maybe(args, "PadRight", 0, 4);
            // a padding layer must say how much it pads, if only 0
            if (args.Count == 0) args.Add("Padding = 0");
        }
        else
        {
            top = bottom = left = right = _random.Next(0, 3);
            args.Add($"Padding = {top}");
        }
        string? name = DrawName(position, names);
        return Write(kind, args, new Pad2DSpec(mode) { PadTop = top, PadBottom = bottom, PadLeft = left, PadRight = right, ModuleName = name }, name);
    }

    /// <summary>A transposed convolution: kernel, stride, padding, output padding (below max(stride, dilation)), dilation, groups.</summary>
    private Layer DrawTransposedConvolution(int position, int channels, HashSet<string> names)
    {
        var args = new List<string>();
        var divisors = Enumerable.Range(1, channels).Where(d => channels % d == 0).ToArray();
        int groups = _random.Next(3) == 0 ? divisors[_random.Next(divisors.Length)] : 1;
        int filters = groups * _random.Next(1, 4);
        args.Add($"Filters = {filters}");
        if (_random.Next(3) == 0) args.Add($"InChannels = {channels}");
        var (kh, kw) = Pair(args, "Kernel", 1, 5, always: true);
        var (sh, sw) = Pair(args, "Stride", 1, 4);
        var (dh, dw) = Pair(args, "Dilation", 1, 3);
        var (ph, pw) = Pair(args, "Padding", 0, 3);
        var (oh, ow) = (_random.Next(Math.Max(sh, dh)), _random.Next(Math.Max(sw, dw)));
        if (oh != 0) args.Add($"OutputPaddingHeight = {oh}");
        if (ow != 0) args.Add($"OutputPaddingWidth = {ow}");
        if (groups > 1) args.Add($"Groups = {groups}");
        bool bias = _random.Next(4) != 0;
        if (!bias) args.Add("Bias = false");
        string? name = DrawName(position, names);
        var spec = new ConvTranspose2DSpec(filters, kh, kw)
        {
            InChannels = args.Contains($"InChannels = {channels}") ? channels : null,
            StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw, PaddingHeight = ph, PaddingWidth = pw,
            OutputPaddingHeight = oh, OutputPaddingWidth = ow, Groups = groups, Bias = bias, ModuleName = name,
        };
        return Write("ConvTranspose2D", args, spec, name);
    }

    /// <summary>Nearest or bilinear upsampling by small whole factors, corners aligned or not.</summary>
    private Layer DrawUpsample(int position, HashSet<string> names)
    {
        var args = new List<string>();
        int sh = _random.Next(1, 4), sw = _random.Next(3) == 0 ? _random.Next(1, 4) : sh;
        if (sh == sw && _random.Next(2) == 0) { if (sh != 2) args.Add($"Scale = {sh}"); }
        else { args.Add($"ScaleHeight = {sh}"); args.Add($"ScaleWidth = {sw}"); }
        bool bilinear = _random.Next(2) == 0, align = bilinear && _random.Next(2) == 0;
        if (bilinear) args.Add("Mode = \"bilinear\"");
        if (align) args.Add("AlignCorners = true");
        string? name = DrawName(position, names);
        return Write("Upsample", args, new UpsampleSpec(sh, sw) { Mode = bilinear ? "bilinear" : "nearest", AlignCorners = align, ModuleName = name }, name);
    }

    /// <summary>A pixel shuffle by a factor whose square divides the channels (1 where none above it does).</summary>
    private Layer DrawPixelShuffle(int position, int channels, HashSet<string> names)
    {
        var factors = new[] { 1, 2, 3 }.Where(r => channels % (r * r) == 0).ToArray();
        int factor = factors[_random.Next(factors.Length)];
        string? name = DrawName(position, names);
        return Write("PixelShuffle", new List<string> { $"Factor = {factor}" }, new PixelShuffleSpec(factor) { ModuleName = name }, name);
    }

    /// <summary>nn.Conv2d's padding modes.</summary>
    public static readonly string[] PaddingModes = { "zeros", "reflect", "replicate", "circular" };

    private Layer DrawPool(int position, HashSet<string> names)
    {
        var kind = (PoolKind)_random.Next(3);
        string kindName = kind switch { PoolKind.Max => "MaxPool2D", PoolKind.Average => "AvgPool2D", _ => "MinPool2D" };
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
        // an average leaves the padding out of its divisor now and then (count_include_pad=False)
        bool countPad = kind != PoolKind.Average || _random.Next(3) != 0;
        if (!countPad) args.Add("CountIncludePad = false");
        // a max or min pool's taps spaced apart now and then (dilation)
        int dh = 1, dw = 1;
        if (kind != PoolKind.Average && _random.Next(4) == 0) (dh, dw) = Pair(args, "Dilation", 1, 4, always: true);
        string? name = DrawName(position, names);
        var spec = new Pool2DSpec(kind, kh, kw) { StrideHeight = sh, StrideWidth = sw, PaddingHeight = ph, PaddingWidth = pw, CeilMode = ceil, CountIncludePad = countPad, DilationHeight = dh, DilationWidth = dw, ModuleName = name };
        return Write(kindName, args, spec, name);
    }

    private Layer DrawBatchNorm(int position, int channels, HashSet<string> names)
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
        var spec = new BatchNorm2DSpec { Affine = affine, Epsilon = epsilon, Channels = declared ? channels : null, ModuleName = name };
        return Write("BatchNorm2D", args, spec, name);
    }

    /// <summary>Every activation, with its arguments left out, given as their defaults, or drawn.</summary>
    private Layer DrawActivation(int position, HashSet<string> names)
    {
        var args = new List<string>();
        string? name = DrawName(position, names);
        ActivationSpec Spec(ActivationKind kind) => new(kind) { ModuleName = name };
        switch (_random.Next(17))
        {
            case 0: return Write("ReLU", args, Spec(ActivationKind.ReLU), name);
            case 1: return Write("Sigmoid", args, Spec(ActivationKind.Sigmoid), name);
            case 2: return Write("Tanh", args, Spec(ActivationKind.Tanh), name);
            case 3: return Write("LeakyReLU", args, Spec(ActivationKind.LeakyReLU), name);
            case 4:
                float slope = Round(_random.NextDouble() * 0.5);
                args.Add($"NegativeSlope = {Float(slope)}");
                return Write("LeakyReLU", args, new ActivationSpec(ActivationKind.LeakyReLU) { NegativeSlope = slope, ModuleName = name }, name);
            case 5: return Write("ReLU6", args, Spec(ActivationKind.ReLU6), name);
            case 6:
            {
                float min = -1f, max = 1f;
                switch (_random.Next(4))
                {
                    case 0:
                        break;
                    case 1:
                        min = Round(-2 + _random.NextDouble() * 2.5);
                        max = Round(min + 0.1 + _random.NextDouble() * 2.5);
                        args.Add($"Min = {Float(min)}");
                        args.Add($"Max = {Float(max)}");
                        break;
                    case 2:
                        min = Round(-2 + _random.NextDouble() * 2.9);
                        args.Add($"Min = {Float(min)}");
                        break;
                    default:
                        max = Round(-0.9 + _random.NextDouble() * 3);
                        args.Add($"Max = {Float(max)}");
                        break;
                }
                return Write("Hardtanh", args, new ActivationSpec(ActivationKind.Hardtanh) { Min = min, Max = max, ModuleName = name }, name);
            }
            case 7: return Write("Hardsigmoid", args, Spec(ActivationKind.Hardsigmoid), name);
            case 8: return Write("Hardswish", args, Spec(ActivationKind.Hardswish), name);
            case 9: return Write("SiLU", args, Spec(ActivationKind.SiLU), name);
            case 10: return Write("Mish", args, Spec(ActivationKind.Mish), name);
            case 11:
            {
                string approximate = _random.Next(3) switch { 0 => "none", _ => "tanh" };
                if (approximate == "tanh" || _random.Next(2) == 0) args.Add($"Approximate = \"{approximate}\"");
                return Write("GELU", args, new ActivationSpec(ActivationKind.GELU) { Approximate = approximate, ModuleName = name }, name);
            }
            case 12:
            {
                // a negative alpha too: ELU then no longer commutes with a max pool
                float alpha = _random.Next(3) == 0 ? 1f : Round(-1 + _random.NextDouble() * 3);
                if (alpha != 1f || _random.Next(2) == 0) args.Add($"Alpha = {Float(alpha)}");
                return Write("ELU", args, new ActivationSpec(ActivationKind.ELU) { Alpha = alpha, ModuleName = name }, name);
            }
            case 13: return Write("SELU", args, Spec(ActivationKind.SELU), name);
            case 14:
            {
                float beta = 1f, threshold = 20f;
                if (_random.Next(2) == 0)
                {
                    // mostly positive; a negative beta is allowed and no longer commutes with a max pool
                    beta = _random.Next(6) == 0 ? Round(-2 + _random.NextDouble() * 1.5) : Round(0.25 + _random.NextDouble() * 3);
                    args.Add($"Beta = {Float(beta)}");
                }
                if (_random.Next(2) == 0)
                {
                    // a low threshold: the linear part is reached by values the network produces
                    threshold = Round(0.5 + _random.NextDouble() * 4);
                    args.Add($"Threshold = {Float(threshold)}");
                }
                return Write("Softplus", args, new ActivationSpec(ActivationKind.Softplus) { Beta = beta, Threshold = threshold, ModuleName = name }, name);
            }
            default:
                return Write("ReLU", args, Spec(ActivationKind.ReLU), name);
        }
    }

    /// <summary>PReLU with one shared slope or one per channel (feature of a vector), the count written or left to its default 1.</summary>
    private Layer DrawPReLU(int position, int channels, HashSet<string> names)
    {
        var args = new List<string>();
        int parameters = _random.Next(2) == 0 ? channels : 1;
        if (parameters != 1 || _random.Next(3) == 0) args.Add($"Parameters = {parameters}");
        string? name = DrawName(position, names);
        return Write("PReLU", args, new PReLUSpec { Parameters = parameters, ModuleName = name }, name);
    }

    private Layer DrawGlobalPool(int position, HashSet<string> names)
    {
        var kind = _random.Next(2) == 0 ? PoolKind.Max : PoolKind.Average;
        string? name = DrawName(position, names);
        return Write(kind == PoolKind.Max ? "GlobalMaxPool2D" : "GlobalAvgPool2D", new List<string>(), new GlobalPool2DSpec(kind) { ModuleName = name }, name);
    }

    /// <summary>An adaptive pool to a size drawn from 1 to 6 per axis: smaller, equal to or larger than its input.</summary>
    private Layer DrawAdaptivePool(int position, HashSet<string> names)
    {
        var kind = _random.Next(2) == 0 ? PoolKind.Max : PoolKind.Average;
        var args = new List<string>();
        int height = _random.Next(1, 7), width = height;
        if (_random.Next(2) == 0) args.Add($"Output = {height}");
        else
        {
            width = _random.Next(1, 7);
            args.Add($"OutputHeight = {height}");
            args.Add($"OutputWidth = {width}");
        }
        string? name = DrawName(position, names);
        return Write(kind == PoolKind.Max ? "AdaptiveMaxPool2D" : "AdaptiveAvgPool2D", args, new AdaptivePool2DSpec(kind, height, width) { ModuleName = name }, name);
    }

    /// <summary>Dropout (p left out or drawn from [0, 1]) or Identity: no computation, but a module position.</summary>
    private Layer DrawPassThrough(int position, HashSet<string> names)
    {
        var args = new List<string>();
        string? name = DrawName(position, names);
        if (_random.Next(3) == 0) return Write("Identity", args, new IdentitySpec { ModuleName = name }, name);
        float p = 0.5f;
        if (_random.Next(2) == 0)
        {
            p = _random.Next(4) switch { 0 => 0f, 1 => 1f, _ => Round(_random.NextDouble()) };
            args.Add($"P = {Float(p)}");
        }
        return Write("Dropout", args, new DropoutSpec { P = p, ModuleName = name }, name);
    }

    /// <summary>Softmax or LogSoftmax; on a feature map (over its channels at each pixel) less often than on a vector.</summary>
    private Layer DrawSoftmax(int position, HashSet<string> names, bool onMap)
    {
        if (onMap && _random.Next(3) != 0) return DrawActivation(position, names);
        string? name = DrawName(position, names);
        return _random.Next(2) == 0
            ? Write("Softmax", new List<string>(), new SoftmaxSpec { ModuleName = name }, name)
            : Write("LogSoftmax", new List<string>(), new LogSoftmaxSpec { ModuleName = name }, name);
    }

    private Layer DrawDense(int position, HashSet<string> names)
    {
        int outputs = _random.Next(1, 12);
        bool bias = _random.Next(4) != 0;
        var args = new List<string> { $"Outputs = {outputs}" };
        if (!bias) args.Add("Bias = false");
        string? name = DrawName(position, names);
        return Write("Dense", args, new DenseSpec(outputs) { Bias = bias, ModuleName = name }, name);
    }

    /// <summary>A layer without arguments of its own but possibly a name.</summary>
    private Layer Named(string kind, List<string> args, LayerSpec unnamed, int position, HashSet<string> names)
    {
        // Flatten and the fixed 2x2 pool of a block: named by building the spec again with the name
        string? name = DrawName(position, names);
        if (name is null) return Write(kind, args, unnamed, null);
        LayerSpec spec = unnamed switch
        {
            FlattenSpec => new FlattenSpec { ModuleName = name },
            Pool2DSpec p => new Pool2DSpec(p.Kind, p.KernelHeight, p.KernelWidth) { ModuleName = name },
            _ => throw new InvalidOperationException("no named form for " + unnamed.Name),
        };
        return Write(kind, args, spec, name);
    }

    /// <summary>
    /// A module name for about one layer in seven: a word with the layer's position, or now and then
    /// the position itself (an unnamed layer's key, so still unique), never a name already taken.
    /// </summary>
    private string? DrawName(int position, HashSet<string> names)
    {
        if (_random.Next(7) != 0) return null;
        string[] words = { "stem", "features", "conv", "bn", "act", "pool", "head", "block_", "layer1", "Classifier", "x" };
        string name = _random.Next(5) == 0
            ? position.ToString(CultureInfo.InvariantCulture)
            : words[_random.Next(words.Length)] + (_random.Next(2) == 0 ? position.ToString(CultureInfo.InvariantCulture) : "");
        return names.Add(name) ? name : null;
    }

    /// <summary>The attribute with its arguments (and name) in a random order: "[ReLU]", "[Dense(Outputs = 3, Name = "head")]".</summary>
    private Layer Write(string kind, List<string> args, LayerSpec spec, string? name)
    {
        if (name is not null) args.Add($"Name = \"{name}\"");
        Shuffle(args);
        return new Layer(args.Count == 0 ? $"[{kind}]" : $"[{kind}({string.Join(", ", args)})]", spec);
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

    /// <summary>Three decimals, so the literal in the source and the float in the spec are the same number.</summary>
    private static float Round(double value) => (float)Math.Round(value, 3);

    private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
