using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Onnx;

/// <summary>The importer's rule for each ONNX op: what it becomes in the IR, or why it cannot.</summary>
internal sealed partial class OnnxImporter
{
    private void ImportNode(OnnxNode node)
    {
        if (_absorbed.Contains(node)) return;
        // a node whose inputs are all known here is evaluated here (shape arithmetic, constant chains)
        bool constant = node.Inputs.All(i => i.Length == 0 || _constants.ContainsKey(i)) && node.OpType != "Constant";
        if (node.OpType == "Constant" || (constant && node.Inputs.Any(i => i.Length > 0)) || node.OpType == "Shape")
        {
            DefineConstant(node, Fold(node));
            return;
        }
        if (ElementwiseFormula.UnaryOps.Contains(node.OpType) && node.OpType != "Clip")
        {
            var x = Activation(node, 0);
            Define(node, 0, x with { Formula = new ElementwiseFormula.Unary(node.OpType, NameOf(node), x.Formula, UnaryA(node), UnaryB(node)) });
            return;
        }
        switch (node.OpType)
        {
            case "Clip":
                Clip(node);
                return;
            case "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Max" or "Min":
                Binary(node);
                return;
            case "Conv":
                Convolution(node);
                return;
            case "ConvTranspose":
                TransposedConvolution(node);
                return;
            case "BatchNormalization":
                BatchNorm(node);
                return;
            case "Gemm":
                Gemm(node);
                return;
            case "MatMul":
                MatMul(node);
                return;
            case "MaxPool" or "AveragePool":
                Pool(node);
                return;
            case "ReduceMean" or "ReduceMax":
                Reduce(node);
                return;
            case "GlobalAveragePool" or "GlobalMaxPool":
                GlobalPool(node);
                return;
            case "Relu6":
                throw Refuse(node, "its op is not in ONNX's default domain");
            case "PRelu":
                PRelu(node);
                return;
            case "Softmax" or "LogSoftmax":
                Softmax(node);
                return;
            case "Concat":
                Concat(node);
                return;
            case "Flatten":
                Flatten(node);
                return;
            case "Reshape":
                Reshape(node);
                return;
            case "Squeeze":
                Squeeze(node);
                return;
            case "Dropout" or "Identity":
                OnlyFirstOutputUsed(node);
                if (node.OpType == "Dropout" && DropsInTraining(node)) throw Refuse(node, "it is in training mode with a ratio above 0; CnnGen runs inference, where Dropout is the identity");
                Define(node, 0, Activation(node, 0));
                return;
            case "Pad":
                Pad(node);
                return;
            case "Resize" or "Upsample":
                Resize(node);
                return;
            case "DepthToSpace":
                DepthToSpace(node);
                return;
            case "Transpose":
                Transpose(node);
                return;
            case "Slice":
                Slice(node);
                return;
            case "Split":
                Split(node);
                return;
            default:
                throw Refuse(node, $"CnnGen does not compile the op {node.OpType}");
        }
    }

    /// <summary>Whether a Dropout would drop: in training mode (is_test = 0 before opset 7, the training_mode input from 12) with a ratio above 0.</summary>
    private bool DropsInTraining(OnnxNode node)
    {
        bool training = _opset < 7 ? Int(node, "is_test", 0) == 0 : _opset >= 12 && Input(node, 2) is not null && (OptionalConstant(node, 2)?.Scalar ?? 1) != 0;
        if (!training) return false;
        double ratio = _opset >= 12 ? Input(node, 1) is null ? 0.5 : OptionalConstant(node, 1)?.Scalar ?? 0.5 : Float(node, "ratio", 0.5f);
        return ratio != 0;
    }

    private static string NameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.Count > 0 ? node.Outputs[0] : node.OpType;

    private static double UnaryA(OnnxNode node) => node.OpType switch
    {
        "LeakyRelu" => Float(node, "alpha", 0.01f),
        "Elu" => Float(node, "alpha", 1f),
        "Selu" => Float(node, "alpha", 1.67326319217681884765625f),
        "HardSigmoid" => Float(node, "alpha", 0.2f),
        "Gelu" => String(node, "approximate", "none") == "tanh" ? 1 : 0,
        _ => 0,
    };

    private static double UnaryB(OnnxNode node) => node.OpType switch
    {
        "Selu" => Float(node, "gamma", 1.05070102214813232421875f),
        "HardSigmoid" => Float(node, "beta", 0.5f),
        _ => 0,
    };

    /// <summary>Clip's bounds: attributes before opset 11, optional constant inputs after.</summary>
    private void Clip(OnnxNode node)
    {
        var x = Activation(node, 0);
        double min, max;
        if (_opset < 11)
        {
            min = Float(node, "min", float.MinValue);
            max = Float(node, "max", float.MaxValue);
        }
        else
        {
            min = OptionalConstant(node, 1) is { } low ? low.Scalar ?? throw Refuse(node, "its min is not one number") : float.NegativeInfinity;
            max = OptionalConstant(node, 2) is { } high ? high.Scalar ?? throw Refuse(node, "its max is not one number") : float.PositiveInfinity;
        }
        // the float extremes are ONNX's "no bound"
        if (min <= float.MinValue) min = float.NegativeInfinity;
        if (max >= float.MaxValue) max = float.PositiveInfinity;
        Define(node, 0, x with { Formula = new ElementwiseFormula.Unary("Clip", NameOf(node), x.Formula, min, max) });
    }

    /// <summary>
    /// Add, Sub, Mul, Div, Pow, Max, Min: by a scalar constant, or of two functions of one value, they stay
    /// elementwise formulas; two different values of one shape are a residual sum (Add) or a gate (Mul).
    /// </summary>
    private void Binary(OnnxNode node)
    {
        string? a = Input(node, 0), b = Input(node, 1);
        if (a is null || b is null) throw Refuse(node, "it needs two inputs");
        bool activationA = IsActivation(a), activationB = IsActivation(b);
        if (activationA && activationB)
        {
            var left = _activations[a];
            var right = _activations[b];
            if (left.Value == right.Value && left.Shape == right.Shape)
            {
                Define(node, 0, left with { Formula = new ElementwiseFormula.Binary(node.OpType, NameOf(node), left.Formula, right.Formula) });
                return;
            }
            if (node.OpType is not ("Add" or "Mul"))
                throw Refuse(node, $"it combines two different values of the network; CnnGen adds them (a residual connection) or multiplies them (a gate), nothing else");
            left = Unviewed(node, left);
            right = Unviewed(node, right);
            int l = Materialize(left, Describe(node)), r = Materialize(right, Describe(node));
            Op op = node.OpType == "Add" ? new AddOp { HasShortcut = true } : new MultiplyOp();
            if (node.OpType == "Add" && left.Shape != right.Shape)
                throw Refuse(node, $"it adds {left.Shape} and {right.Shape}; CnnGen adds values of one shape, without broadcasting");
            if (node.OpType == "Mul" && left.Shape != right.Shape && !MultiplyOp.IsChannelGate(left.Shape, right.Shape))
            {
                if (MultiplyOp.IsChannelGate(right.Shape, left.Shape)) (l, r, left) = (r, l, right);
                else throw Refuse(node, $"it multiplies {left.Shape} by {right.Shape}; CnnGen multiplies values of one shape, or a map by one factor per channel");
            }
            int value = AddNode(op, new[] { l, r }, NameOf(node), node.OpType, Array.Empty<WeightSource>());
            Define(node, 0, new ElementwiseValue(value, left.Shape, ElementwiseFormula.Input.Instance, Describe(node)));
            return;
        }
        var x = _activations[activationA ? a : b];
        var constant = _constants[activationA ? b : a];
        if (constant.Scalar is not double scalar)
        {
            ChannelConstant(node, x, activationA ? b : a, constant, constantFirst: !activationA);
            return;
        }
        if (constant.Dims.Length > x.Shape.Rank + 1) throw Refuse(node, "its constant operand has more dimensions than the activation");
        var c = new ElementwiseFormula.Constant(scalar);
        Define(node, 0, x with
        {
            Formula = activationA
                ? new ElementwiseFormula.Binary(node.OpType, NameOf(node), x.Formula, c)
                : new ElementwiseFormula.Binary(node.OpType, NameOf(node), c, x.Formula),
        });
    }

    /// <summary>
    /// x + c, x - c, c - x, x * c or x / c where the constant c holds one number per channel ([C, 1, 1] or [1, C, 1, 1]
    /// on a map, [C, 1] on a sequence, [F] on a vector): an input's normalization (x - mean) / std, a layer scale. That is
    /// a per-channel scale and shift, which BatchNorm in eval mode computes: a BatchNormOp of epsilon 0 whose scale s =
    /// weight / sqrt(running_var) is 1, -1, c or 1 / c and whose shift bias - running_mean * s is c, -c or 0, so
    /// x * s + shift rounds as x + c, x - c, c - x and x * c do (x / c becomes x times c's reciprocal, within an ulp).
    /// After a convolution it folds into the convolution's weights as any BatchNorm does.
    /// </summary>
    private void ChannelConstant(OnnxNode node, ElementwiseValue x, string name, OnnxConstant c, bool constantFirst)
    {
        string shape = OnnxConstant.Shape(c.Dims);
        // before opset 7 a broadcast operand aligns at "axis", not at the end: only a scalar means the same either way
        if (_opset < 7) throw Refuse(node, $"its constant operand is a tensor {shape}; before opset 7 CnnGen applies only scalar constants elementwise");
        if (node.OpType is not ("Add" or "Sub" or "Mul" or "Div") || node.OpType == "Div" && constantFirst)
            throw Refuse(node, $"its constant operand is a tensor {shape}; CnnGen applies a tensor of constants only as x + c, x - c, c - x, x * c or x / c, one number per channel");
        x = Unviewed(node, x);
        if (!OnePerChannel(c.Dims, x.Shape))
            throw Refuse(node, $"its constant operand {shape} does not hold one number per channel of {x.Shape}; CnnGen applies only scalar constants and tensors of one number per channel ([C, 1, 1]) elementwise");
        int channels = x.Shape.Channels;
        var ones = Enumerable.Repeat(1f, channels).ToArray();
        var zeros = new float[channels];
        // the tensors of BatchNormOp in its order: weight, bias, running_mean, running_var
        WeightSource[] tensors = (node.OpType, constantFirst) switch
        {
            ("Add", _) => new[] { Synthesized(node, "weight", ones), Weight(node, name, c, "addend"), Synthesized(node, "running_mean", zeros), Synthesized(node, "running_var", ones) },
            ("Sub", false) => new[] { Synthesized(node, "weight", ones), Synthesized(node, "bias", zeros), Weight(node, name, c, "subtrahend"), Synthesized(node, "running_var", ones) },
            ("Sub", true) => new[] { Synthesized(node, "weight", Enumerable.Repeat(-1f, channels).ToArray()), Weight(node, name, c, "minuend"), Synthesized(node, "running_mean", zeros), Synthesized(node, "running_var", ones) },
            ("Mul", _) => new[] { Weight(node, name, c, "factor"), Synthesized(node, "bias", zeros), Synthesized(node, "running_mean", zeros), Synthesized(node, "running_var", ones) },
            ("Div", false) => new[] { Synthesized(node, "weight", Reciprocals(node, name, c)), Synthesized(node, "bias", zeros), Synthesized(node, "running_mean", zeros), Synthesized(node, "running_var", ones) },
            _ => throw Refuse(node, $"its constant operand is a tensor {shape}; CnnGen divides only the network's values by constants"),
        };
        // the activation may be either operand, so not Emit's (the first)
        int input = Materialize(x, Describe(node));
        int value = AddNode(new BatchNormOp { SpatialRank = x.Shape.IsMap ? 2 : 1, Epsilon = 0f }, new[] { input }, NameOf(node), node.OpType, tensors);
        Define(node, 0, NewValue(node, value));
    }

    /// <summary>Whether constant dimensions broadcast against a value of this shape as one number per channel: [C, 1, ...] aligned with the value's axes, a batch axis of 1 before them allowed.</summary>
    private static bool OnePerChannel(long[] constant, FeatureShape shape)
    {
        var axes = Dims(shape);
        int skip = constant.Length - axes.Length;
        if (skip < 0 || skip > 1 || skip == 1 && constant[0] != 1) return false;
        if (constant[skip] != shape.Channels) return false;
        for (int i = skip + 1; i < constant.Length; i++)
            if (constant[i] != 1) return false;
        return true;
    }

    /// <summary>A divisor's reciprocals, which the model must hold as numbers (a blob's are read only when the network loads).</summary>
    private static float[] Reciprocals(OnnxNode node, string name, OnnxConstant c)
    {
        if (c.Values is not { } values || c.Type != OnnxDataType.Float)
            throw Refuse(node, $"its divisor '{name}' {OnnxConstant.Shape(c.Dims)} is not among the numbers known when the code is generated (FLOAT tensors of up to {OnnxTensorData.InlineLimit} elements); CnnGen divides by one number per channel only so (multiply by the reciprocals instead)");
        return values.Select(v => (float)(1.0 / (float)v)).ToArray();
    }

    /// <summary>A tensor the importer makes for a layer (a BatchNormOp's ones and zeros), named after its node.</summary>
    private WeightSource Synthesized(OnnxNode node, string role, float[] values)
    {
        string name = NameOf(node) + "." + role;
        if (!_usedWeights.Add(name)) throw Refuse(node, $"its {role} would be named '{name}', which another tensor of the model has");
        _weightDimensions[name] = new EquatableArray<int>(new[] { values.Length });
        return new WeightSource(name, -1, values.Length, new EquatableArray<float>(values));
    }

    /// <summary>An op that reads one activation and defines its output as a new value of the IR.</summary>
    private void Emit(OnnxNode node, Op op, IReadOnlyList<WeightSource> weights) =>
        Define(node, 0, Apply(node, op, Unviewed(node, Activation(node, 0)), weights));

    /// <summary>A new value: <paramref name="op"/> reading x (its formula applied first), keyed by the node's name or <paramref name="key"/>.</summary>
    private ElementwiseValue Apply(OnnxNode node, Op op, ElementwiseValue x, IReadOnlyList<WeightSource>? weights = null, string? key = null) =>
        NewValue(node, AddNode(op, new[] { Materialize(x, Describe(node)) }, key ?? NameOf(node), node.OpType, weights ?? Array.Empty<WeightSource>()));

    /// <summary>A value as the IR holds it: a layer that reads rows, columns or channels cannot take a transposed view of one.</summary>
    private static ElementwiseValue Unviewed(OnnxNode node, ElementwiseValue x) =>
        x.View is { } view ? throw Refuse(node, $"it reads [N, {string.Join(", ", view)}], a Transpose of {x.Shape}; CnnGen keeps activations in NCHW (a Transpose that moves only axes of size 1 is taken by Flatten, Reshape, MatMul, Gemm and Softmax over the last axis)") : x;

    /// <summary>The graph's dimensions of a value, without the batch: its view, or its IR shape's.</summary>
    private static long[] ViewDims(ElementwiseValue x) => x.View is { } view ? view.Select(d => (long)d).ToArray() : Dims(x.Shape);

    /// <summary>
    /// A value whose graph dimensions are [1, ..., 1, F] (or [F]) as the flat vector [F] the IR computes on: a Flatten
    /// node where the IR holds a map or sequence, the same value where it is already flat. Null when the value is no such row.
    /// </summary>
    private ElementwiseValue? AsRow(OnnxNode node, ElementwiseValue x)
    {
        var dims = ViewDims(x);
        if (dims.Take(dims.Length - 1).Any(d => d != 1)) return null;
        if (x.Shape.IsFlat) return x with { View = null };
        int input = Materialize(x, Describe(node));
        int flat = AddNode(new FlattenOp(), new[] { input }, NameOf(node) + " (row)", node.OpType, Array.Empty<WeightSource>());
        return NewValue(node, flat);
    }

    /// <summary>The shape a node of the IR gives (inferred as it was added).</summary>
    private FeatureShape ShapeOf(int value) => _valueShapes[value];

    /// <summary>The ONNX node's output as the IR value a new node defines, no formula pending.</summary>
    private ElementwiseValue NewValue(OnnxNode node, int value) => new(value, ShapeOf(value), ElementwiseFormula.Input.Instance, Describe(node));

    /// <summary>auto_pad, pads and the kernel's reach along each spatial axis: the padding before and after.</summary>
    private static (int Before, int After)[] Pads(OnnxNode node, int rank, int[] input, int[] kernel, int[] strides, int[] dilations)
    {
        string autoPad = String(node, "auto_pad", "NOTSET");
        var result = new (int, int)[rank];
        switch (autoPad)
        {
            case "NOTSET":
                var pads = Ints(node, "pads") ?? new long[2 * rank];
                if (pads.Length != 2 * rank) throw Refuse(node, $"its pads {Text(pads)} do not have 2 x {rank} entries");
                for (int i = 0; i < rank; i++)
                {
                    if (pads[i] < 0 || pads[i + rank] < 0) throw Refuse(node, $"its pads {Text(pads)} are negative");
                    result[i] = (Small(node, pads[i], "padding"), Small(node, pads[i + rank], "padding"));
                }
                return result;
            case "VALID":
                return result;
            case "SAME_UPPER" or "SAME_LOWER":
                for (int i = 0; i < rank; i++)
                {
                    long output = (input[i] + (long)strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (output - 1) * strides[i] + (long)dilations[i] * (kernel[i] - 1) + 1 - input[i]);
                    int small = (int)(total / 2), large = (int)(total - total / 2);
                    result[i] = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
                }
                return result;
            default:
                throw Refuse(node, $"its auto_pad '{autoPad}' is not one ONNX defines");
        }
    }

    private static int[] Sizes(OnnxNode node, string name, int rank, int defaultValue)
    {
        var values = Ints(node, name);
        if (values is null) return Enumerable.Repeat(defaultValue, rank).ToArray();
        if (values.Length != rank) throw Refuse(node, $"its {name} {Text(values)} do not have {rank} entries");
        if (values.Any(v => v < 1 || v > int.MaxValue / 4)) throw Refuse(node, $"its {name} {Text(values)} are out of range");
        return values.Select(v => (int)v).ToArray();
    }

    private static int[] Spatial(FeatureShape shape) => shape.IsMap ? new[] { shape.Height, shape.Width } : new[] { shape.Width };

    private static int SpatialRank(OnnxNode node, FeatureShape shape) => shape.IsMap ? 2 : shape.IsSequence ? 1
        : throw Refuse(node, $"it needs a map [N, C, H, W] or a sequence [N, C, L] but its input is {shape}");

    private void Convolution(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        var weightConstant = Constant(node, 1);
        if (weightConstant.Dims.Length == 5) throw Refuse(node, "it is a 3D convolution; CnnGen compiles 1D and 2D convolutions");
        int rank = SpatialRank(node, x.Shape);
        if (weightConstant.Dims.Length != rank + 2) throw Refuse(node, $"its weight {OnnxConstant.Shape(weightConstant.Dims)} does not fit its input {x.Shape}");
        var kernel = weightConstant.Dims.Skip(2).Select(d => Small(node, d, "kernel size")).ToArray();
        var declared = Sizes(node, "kernel_shape", rank, 0);
        if (Ints(node, "kernel_shape") is not null && !declared.SequenceEqual(kernel)) throw Refuse(node, $"its kernel_shape {Text(declared.Select(v => (long)v))} disagrees with its weight {OnnxConstant.Shape(weightConstant.Dims)}");
        var strides = Sizes(node, "strides", rank, 1);
        var dilations = Sizes(node, "dilations", rank, 1);
        var pads = Pads(node, rank, Spatial(x.Shape), kernel, strides, dilations);
        int groups = Small(node, Int(node, "group", 1), "group");
        var weights = new List<WeightSource> { Weight(node, 1, "weight") };
        bool bias = Input(node, 2) is not null;
        if (bias) weights.Add(Bias(node, weightConstant.Dims[0]));
        var op = new ConvolutionOp
        {
            SpatialRank = rank,
            Filters = Small(node, weightConstant.Dims[0], "filters"),
            KernelHeight = rank == 2 ? kernel[0] : 1,
            KernelWidth = kernel[rank - 1],
            StrideHeight = rank == 2 ? strides[0] : 1,
            StrideWidth = strides[rank - 1],
            DilationHeight = rank == 2 ? dilations[0] : 1,
            DilationWidth = dilations[rank - 1],
            PadTop = rank == 2 ? pads[0].Before : 0,
            PadBottom = rank == 2 ? pads[0].After : 0,
            PadLeft = pads[rank - 1].Before,
            PadRight = pads[rank - 1].After,
            Groups = groups,
            Bias = bias,
            InChannels = null,
        };
        Emit(node, op, weights);
    }

    private void TransposedConvolution(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        var weightConstant = Constant(node, 1);
        if (!x.Shape.IsMap || weightConstant.Dims.Length != 4)
            throw Refuse(node, $"it is a {weightConstant.Dims.Length - 2}D transposed convolution; CnnGen compiles the 2D one (ConvTranspose2d)");
        var kernel = weightConstant.Dims.Skip(2).Select(d => Small(node, d, "kernel size")).ToArray();
        var strides = Sizes(node, "strides", 2, 1);
        var dilations = Sizes(node, "dilations", 2, 1);
        int groups = Small(node, Int(node, "group", 1), "group");
        var outputPadding = Ints(node, "output_padding") ?? new long[2];
        if (outputPadding.Length != 2 || outputPadding.Any(p => p < 0 || p > int.MaxValue / 4)) throw Refuse(node, $"its output_padding {Text(outputPadding)} is invalid");
        var input = Spatial(x.Shape);
        var pads = new (int Before, int After)[2];
        string autoPad = String(node, "auto_pad", "NOTSET");
        var outputShape = Ints(node, "output_shape");
        for (int i = 0; i < 2; i++)
        {
            long full = (long)strides[i] * (input[i] - 1) + outputPadding[i] + (long)dilations[i] * (kernel[i] - 1) + 1;
            if (outputShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                long target = outputShape is not null
                    ? outputShape.Length == 2 ? outputShape[i] : outputShape.Length == 4 ? outputShape[i + 2] : throw Refuse(node, $"its output_shape {Text(outputShape)} has neither 2 nor 4 entries")
                    : (long)input[i] * strides[i];
                long total = full - target;
                if (total < 0)
                {
                    // rows past the full result are zeros plus the bias at the end: PyTorch's output padding
                    pads[i] = (0, 0);
                    outputPadding[i] -= total;
                    continue;
                }
                // ONNX: SAME_UPPER puts the larger half at the end (the default with output_shape too)
                long small = total / 2, large = total - small;
                pads[i] = autoPad == "SAME_LOWER" ? ((int)large, (int)small) : ((int)small, (int)large);
            }
            else if (autoPad is "NOTSET" or "VALID")
            {
                var raw = autoPad == "VALID" ? new long[4] : Ints(node, "pads") ?? new long[4];
                if (raw.Length != 4 || raw.Any(p => p < 0 || p > int.MaxValue / 4)) throw Refuse(node, $"its pads {Text(raw)} are invalid");
                pads[i] = ((int)raw[i], (int)raw[i + 2]);
            }
            else throw Refuse(node, $"its auto_pad '{autoPad}' is not one ONNX defines");
        }
        // PyTorch crops Padding from both ends and adds OutputPadding at the end: pads (b, e) are Padding b and OutputPadding op + b - e
        var finalOutputPadding = new int[2];
        for (int i = 0; i < 2; i++)
        {
            if (pads[i].After > pads[i].Before + outputPadding[i])
                throw Refuse(node, $"it crops {pads[i].After} at the end of axis {i + 2} but {pads[i].Before} at the start; CnnGen's transposed convolution (PyTorch's) crops the start at least as much, less its output padding");
            finalOutputPadding[i] = (int)(outputPadding[i] + pads[i].Before - pads[i].After);
        }
        var weights = new List<WeightSource> { Weight(node, 1, "weight") };
        bool bias = Input(node, 2) is not null;
        if (bias) weights.Add(Bias(node, weightConstant.Dims[1] * groups));
        var op = new ConvTransposeOp
        {
            Filters = Small(node, weightConstant.Dims[1] * groups, "filters"),
            KernelHeight = kernel[0],
            KernelWidth = kernel[1],
            StrideHeight = strides[0],
            StrideWidth = strides[1],
            PaddingHeight = pads[0].Before,
            PaddingWidth = pads[1].Before,
            OutputPaddingHeight = finalOutputPadding[0],
            OutputPaddingWidth = finalOutputPadding[1],
            DilationHeight = dilations[0],
            DilationWidth = dilations[1],
            Groups = groups,
            Bias = bias,
        };
        Emit(node, op, weights);
    }

    /// <summary>A convolution's B: one value per filter, a 1-D tensor as ONNX defines it.</summary>
    private WeightSource Bias(OnnxNode node, long filters)
    {
        var b = Constant(node, 2);
        if (b.Dims.Length != 1 || b.Dims[0] != filters) throw Refuse(node, $"its bias {OnnxConstant.Shape(b.Dims)} is not one value per filter ([{filters}])");
        return Weight(node, 2, "bias");
    }

    /// <summary>
    /// ReduceMean or ReduceMax of a map's or a sequence's spatial axes: all of them, a global pool; one axis of a map
    /// (x.mean(3).mean(2), as some MobileNetV2s end), an adaptive pool to a column (or a row) of the map, which the
    /// next reduction of the other axis takes whole. With keepdims = 0 the value is seen without the reduced axes.
    /// </summary>
    private void Reduce(OnnxNode node)
    {
        var viewed = Activation(node, 0);
        var x = viewed with { View = null };
        var seen = ViewDims(viewed);
        int rank = seen.Length + 1;
        var axes = (Ints(node, "axes") ?? throw Refuse(node, "it reduces every axis, the batch and channels included; CnnGen reduces the spatial axes of each channel (a global pool)"))
            .Select(a => a < 0 ? a + rank : a).Distinct().OrderBy(a => a).ToArray();
        var reduction = node.OpType == "ReduceMax" ? Reduction.Max : Reduction.Average;
        bool keep = Int(node, "keepdims", 1) != 0;
        Exception Refused() => Refuse(node, $"it reduces axes {Text(axes)} of [N, {string.Join(", ", seen)}]; CnnGen reduces the spatial axes of each channel (a global pool, or one axis of a map)");
        // a view is taken where it is a map's column or row seen as [C, L] (what a reduction of the other axis left)
        bool column = viewed.View is null || x.Shape.IsMap && seen.Length == 2 && seen[0] == x.Shape.Channels && (x.Shape.Height == 1 || x.Shape.Width == 1);
        if (x.Shape.IsFlat || !column || axes.Length == 0 || axes.Any(a => a < 2 || a >= rank)) throw Refused();
        // what is left of the map's positions once the seen axes are reduced (a view only drops or moves axes of size 1)
        long left = seen.Skip(1).Where((_, i) => !axes.Contains(i + 2)).Aggregate(1L, (a, b) => a * b);
        Op op;
        if (left == 1)
            op = new GlobalPoolOp(reduction) { SpatialRank = SpatialRank(node, x.Shape) };
        else if (viewed.View is null && x.Shape.IsMap && axes.Length == 1)
            op = new AdaptivePoolOp(reduction, axes[0] == 2 ? 1 : x.Shape.Height, axes[0] == 3 ? 1 : x.Shape.Width);
        else
            throw Refused();
        var result = Apply(node, op, x);
        var dims = seen.Where((_, i) => keep || !axes.Contains(i + 1)).Select((d, i) => keep && axes.Contains(i + 1) ? 1 : d).ToArray();
        if (dims.Length == 1)
        {
            // [N, C]: the pooled channels as features
            Define(node, 0, Apply(node, new FlattenOp(), result, key: NameOf(node) + " (keepdims = 0)"));
            return;
        }
        Define(node, 0, dims.SequenceEqual(Dims(result.Shape)) ? result : result with { View = new EquatableArray<int>(dims.Select(d => (int)d).ToArray()) });
    }

    private void BatchNorm(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        OnlyFirstOutputUsed(node);
        if (Int(node, "training_mode", 0) != 0 || _opset < 7 && Int(node, "is_test", 0) == 0)
            throw Refuse(node, "it is in training mode; CnnGen runs BatchNormalization with its running statistics");
        if (_opset < 9 && Int(node, "spatial", 1) != 1) throw Refuse(node, "its spatial = 0 normalizes each position apart; CnnGen normalizes per channel");
        var weights = new[] { Weight(node, 1, "scale"), Weight(node, 2, "bias"), Weight(node, 3, "mean"), Weight(node, 4, "variance") };
        var op = new BatchNormOp { SpatialRank = x.Shape.IsMap ? 2 : 1, Epsilon = Float(node, "epsilon", 1e-5f) };
        Emit(node, op, weights);
    }

    /// <summary>Gemm as nn.Linear exports it: A [N, in] times B^T (B [out, in]) plus C [out].</summary>
    private void Gemm(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        if (!x.Shape.IsFlat) throw Refuse(node, $"its input is {x.Shape}; Gemm multiplies a [N, features] matrix");
        if (Int(node, "transA", 0) != 0) throw Refuse(node, "its transA = 1 transposes the activations; CnnGen multiplies [N, features] rows");
        if (Float(node, "alpha", 1f) != 1f || Float(node, "beta", 1f) != 1f) throw Refuse(node, "its alpha or beta is not 1; CnnGen's Dense layer (nn.Linear) scales by neither");
        // transB = 1 is nn.Linear's [outputs, inputs]; transB = 0 keeps MatMul's [inputs, outputs]
        bool inputsFirst = Int(node, "transB", 0) == 0;
        var weight = Constant(node, 1);
        if (weight.Dims.Length != 2) throw Refuse(node, $"its weight {OnnxConstant.Shape(weight.Dims)} is not a matrix");
        long outputs = inputsFirst ? weight.Dims[1] : weight.Dims[0], inputs = inputsFirst ? weight.Dims[0] : weight.Dims[1];
        if (inputs != x.Shape.Length) throw Refuse(node, $"its weight {OnnxConstant.Shape(weight.Dims)} takes {inputs} features but its input has {x.Shape.Length}");
        var weights = new List<WeightSource> { Weight(node, 1, "weight") };
        if (Input(node, 2) is not null)
        {
            var c = Constant(node, 2);
            if (c.Count != outputs || c.Dims.Length > 2) throw Refuse(node, $"its C {OnnxConstant.Shape(c.Dims)} is not one bias per output; CnnGen adds a bias of [{outputs}]");
            weights.Add(Weight(node, 2, "bias"));
        }
        Emit(node, new DenseOp(Small(node, outputs, "outputs")) { Bias = weights.Count == 2, InputsFirst = inputsFirst }, weights);
    }

    /// <summary>
    /// x @ W with W [inputs, outputs] on a flat x: a Dense layer in MatMul's layout, taking the bias of an Add of a
    /// constant [outputs] right after it (nn.Linear as PyTorch exports it on inputs of more than two dimensions).
    /// </summary>
    private void MatMul(OnnxNode node)
    {
        var read = Activation(node, 0);
        if (Input(node, 1) is { } b && IsActivation(b)) throw Refuse(node, "it multiplies two values of the network; CnnGen multiplies activations only by constant weights");
        var weight = Constant(node, 1);
        // [N, 1, F] @ [F, M] (nn.Linear after M5's permute) is the row [N, F] times W, kept as [N, 1, M]
        var viewDims = ViewDims(read);
        var x = (read.View is not null || !read.Shape.IsFlat) && weight.Dims.Length == 2 ? AsRow(node, read) ?? read : read;
        if (!x.Shape.IsFlat || weight.Dims.Length != 2)
            throw Refuse(node, $"it multiplies {x.Shape} by {OnnxConstant.Shape(weight.Dims)}; CnnGen compiles a MatMul of a [N, features] matrix by a [features, outputs] weight (a Dense layer)");
        if (weight.Dims[0] != x.Shape.Length) throw Refuse(node, $"its weight {OnnxConstant.Shape(weight.Dims)} takes {weight.Dims[0]} features but its input has {x.Shape.Length}");
        long outputs = weight.Dims[1];
        // x @ W^T with W [outputs, inputs] in the blob: nn.Linear's own layout
        var transposed = weight.TransposeOf;
        var weights = new List<WeightSource> { transposed is { } t ? Weight(node, t.Name, t.Matrix, "weight") : Weight(node, 1, "weight") };
        var add = BiasAddAfter(node, outputs);
        if (add is not null) weights.Add(Weight(add.Value.Node, add.Value.Index, "bias"));
        int input = Materialize(x, Describe(node));
        int value = AddNode(new DenseOp(Small(node, outputs, "outputs")) { Bias = add is not null, InputsFirst = transposed is null }, new[] { input }, NameOf(node), add is null ? "MatMul" : "MatMul/Add", weights);
        var defined = NewValue(node, value);
        if (viewDims.Length > 1) defined = defined with { View = new EquatableArray<int>(viewDims.Take(viewDims.Length - 1).Select(d => (int)d).Append((int)outputs)) };
        if (add is null) Define(node, 0, defined);
        else
        {
            _absorbed.Add(add.Value.Node);
            Define(add.Value.Node, 0, defined);
        }
    }

    /// <summary>Nodes an earlier node's rule has already compiled (MatMul's bias Add).</summary>
    private readonly HashSet<OnnxNode> _absorbed = new();

    /// <summary>The Add of a constant [outputs] that alone reads a MatMul's result, and which of its inputs is the constant.</summary>
    private (OnnxNode Node, int Index)? BiasAddAfter(OnnxNode matMul, long outputs)
    {
        string result = matMul.Outputs[0];
        if (OnlyReader(result) is not { OpType: "Add" } add || add.Inputs.Count != 2) return null;
        int other = add.Inputs[0] == result ? 1 : 0;
        if (!_constants.TryGetValue(add.Inputs[other], out var bias) || bias.Count != outputs || bias.Type != OnnxDataType.Float) return null;
        // [outputs] or [1, outputs]: one value per output, broadcast over the batch
        if (bias.Dims.Length == 0 || bias.Dims[bias.Dims.Length - 1] != outputs) return null;
        return (add, other);
    }

    private void Pool(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        OnlyFirstOutputUsed(node);
        int rank = SpatialRank(node, x.Shape);
        var kernel = Sizes(node, "kernel_shape", rank, 0);
        if (Ints(node, "kernel_shape") is null) throw Refuse(node, "it has no kernel_shape");
        var strides = Sizes(node, "strides", rank, 1);
        var dilations = Sizes(node, "dilations", rank, 1);
        bool average = node.OpType == "AveragePool";
        bool dilated = dilations.Any(d => d != 1);
        if (dilated && average) throw Refuse(node, "its windows are dilated; CnnGen's average pools (PyTorch's) are not");
        var input = Spatial(x.Shape);
        // the rows or columns a window spans
        var extents = Enumerable.Range(0, rank).Select(i => (long)(kernel[i] - 1) * dilations[i] + 1).ToArray();
        var pads = Pads(node, rank, input, kernel, strides, dilations);
        bool ceil = Int(node, "ceil_mode", 0) != 0;
        bool countPad = Int(node, "count_include_pad", 0) != 0;
        // ONNX's output size along each axis: ceil or floor of (In + before + after - extent) / S, plus 1; in ceil mode a
        // window up to S - 1 longer than the padded input still gives one output, as in PyTorch
        var outputs = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long rounded = input[i] + (long)pads[i].Before + pads[i].After - extents[i] + (ceil ? strides[i] - 1 : 0);
            if (rounded < 0) throw Refuse(node, $"its window {extents[i]} is larger than its padded input {input[i] + (long)pads[i].Before + pads[i].After}{(ceil ? $" by the stride {strides[i]} or more" : "")}");
            outputs[i] = rounded / strides[i] + 1;
        }
        bool ceilMode = ceil;
        if (Enumerable.Range(0, rank).Any(i => pads[i].Before != pads[i].After || pads[i].Before > kernel[i] / 2))
        {
            if (SymmetricEquivalent(rank, input, kernel, strides, dilations, pads, outputs, ceil, absent: !average || !countPad) is { } mode)
            {
                ceilMode = mode;
                pads = pads.Select(p => (p.Before, p.Before)).ToArray();
            }
            else
            {
                // the edge repeated into the padding is a tap of each window only where the taps are adjacent
                if (dilated) throw Refuse(node, $"its dilated windows' padding ({string.Join(", ", pads.Select(p => $"{p.Before} before and {p.After} after"))}) is none of PyTorch's (at most half the window, at both ends alike)");
                x = PadBeforePool(node, x, rank, input, kernel, strides, pads, outputs, average, countPad);
                input = Spatial(x.Shape);
                pads = new (int Before, int After)[rank];
            }
        }
        for (int i = 0; i < rank; i++)
        {
            int before = pads[i].Before;
            // PyTorch drops a last window that starts in the padding, which ONNX keeps
            long torch = ShapeInference.PoolOutputSize(input[i], before, kernel[i], strides[i], ceilMode, dilations[i]);
            if (outputs[i] != torch) throw Refuse(node, $"with ceil_mode its last window along axis {i + 2} starts in the padding; ONNX keeps it, PyTorch's pools (CnnGen's) drop it");
            bool overhang = (outputs[i] - 1) * strides[i] + extents[i] > input[i] + 2L * before;
            if (average && overhang && countPad) throw Refuse(node, "with ceil_mode its last window reaches past the padding and count_include_pad = 1; CnnGen's average pool (PyTorch's) counts only up to the padding's end");
        }
        var op = new PoolOp(average ? Reduction.Average : Reduction.Max)
        {
            SpatialRank = rank,
            KernelHeight = rank == 2 ? kernel[0] : 1,
            KernelWidth = kernel[rank - 1],
            StrideHeight = rank == 2 ? strides[0] : 1,
            StrideWidth = strides[rank - 1],
            PaddingHeight = rank == 2 ? pads[0].Before : 0,
            PaddingWidth = pads[rank - 1].Before,
            CeilMode = ceilMode,
            DilationHeight = rank == 2 ? dilations[0] : 1,
            DilationWidth = dilations[rank - 1],
            // count_include_pad (0 by default in ONNX, 1 in PyTorch's exports) sets an average's divisor only
            CountIncludePad = !average || countPad,
        };
        // -MaxPool(-x) is a min pool: the Negs are elementwise, so they reach here as the input's formula
        if (!average && x.Formula is ElementwiseFormula.Unary { OpType: "Neg", Operand: ElementwiseFormula.Input } && NegatedAfter(node))
        {
            var min = op with { Reduction = Reduction.Min };
            int inner = x.Value;
            int value = AddNode(min, new[] { inner }, NameOf(node), "Neg/MaxPool/Neg", Array.Empty<WeightSource>());
            Define(node, 0, new ElementwiseValue(value, ShapeOf(value), new ElementwiseFormula.Unary("Neg", NameOf(node), ElementwiseFormula.Input.Instance), Describe(node)));
            return;
        }
        Define(node, 0, Apply(node, op, x));
    }

    /// <summary>
    /// Where a pool's padding takes no part in its answer (a max pool's -inf, an average's padding left out of its sum
    /// and divisor), padding at an axis's end is the same as a window running past the input: a pool padding each axis
    /// by its start's padding at both ends, in floor or ceil mode, computes ONNX's answer where it gives ONNX's output
    /// size, its padding is at most half the window and every window starts on the input. The mode that does, or null.
    /// </summary>
    private static bool? SymmetricEquivalent(int rank, int[] input, int[] kernel, int[] strides, int[] dilations, (int Before, int After)[] pads, long[] outputs, bool ceil, bool absent)
    {
        if (!absent) return null;
        foreach (bool mode in new[] { ceil, !ceil })
        {
            bool fits = Enumerable.Range(0, rank).All(i =>
                pads[i].Before <= kernel[i] / 2 &&
                ShapeInference.PoolOutputSize(input[i], pads[i].Before, kernel[i], strides[i], mode, dilations[i]) == outputs[i] &&
                (outputs[i] - 1) * strides[i] - pads[i].Before < input[i]);
            if (fits) return mode;
        }
        return null;
    }

    /// <summary>
    /// A pool's padding that no padding of PyTorch's pools matches (past half the window, or different at an axis's two
    /// ends where the padding counts) as a layer of its own before the pool, which then pads nothing. Exact where the
    /// padding's values cannot change the answer: an average counting the padding sums zeros; a max pool's windows each
    /// hold input values, among them the nearest edge's, so the edge repeated (replicate) into the padding never wins
    /// where ONNX's -inf would not. An average leaving such padding out of its divisor cannot be so split.
    /// </summary>
    private ElementwiseValue PadBeforePool(OnnxNode node, ElementwiseValue x, int rank, int[] input, int[] kernel, int[] strides, (int Before, int After)[] pads, long[] outputs, bool average, bool countPad)
    {
        if (average && !countPad)
        {
            int i = Math.Max(0, Array.FindIndex(pads, p => p.Before != p.After));
            for (int k = 0; k < rank; k++) if (pads[k].Before > kernel[k] / 2) i = k;
            throw Refuse(node, $"its padding along axis {i + 2} ({pads[i].Before} before, {pads[i].After} after, window {kernel[i]}) is left out of the divisor (count_include_pad = 0), and no padding of CnnGen's average pools (PyTorch's: at most half the window, at both ends alike, a window past the input's end dividing by the input it covers) makes ONNX's windows");
        }
        for (int i = 0; i < rank; i++)
        {
            var (before, after) = pads[i];
            // every window must hold an input value: the first must reach past the padding before, the last start before its end
            if (!average && (before >= kernel[i] || (outputs[i] - 1) * strides[i] - before >= input[i]))
                throw Refuse(node, $"a window along axis {i + 2} lies wholly in the padding ({before} before, {after} after, window {kernel[i]}); CnnGen's max pools take windows that hold input values");
        }
        var pad = new PadOp(average ? PadMode.Zeros : PadMode.Replicate)
        {
            SpatialRank = rank,
            PadTop = rank == 2 ? pads[0].Before : 0,
            PadBottom = rank == 2 ? pads[0].After : 0,
            PadLeft = pads[rank - 1].Before,
            PadRight = pads[rank - 1].After,
        };
        return Apply(node, pad, x, key: NameOf(node) + "/pads");
    }

    /// <summary>Whether the pool's only reader is a Neg: then -max(-x) is min(x), and the Neg after it cancels the one this defines.</summary>
    private bool NegatedAfter(OnnxNode pool)
    {
        return OnlyReader(pool.Outputs[0]) is { OpType: "Neg" };
    }

    private void GlobalPool(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        int rank = SpatialRank(node, x.Shape);
        Emit(node, new GlobalPoolOp(node.OpType == "GlobalMaxPool" ? Reduction.Max : Reduction.Average) { SpatialRank = rank }, Array.Empty<WeightSource>());
    }

    private void PRelu(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        var slope = Constant(node, 1);
        int channels = x.Shape.Channels;
        // one slope, or one per channel broadcast from [C], [C, 1, 1] or [1, C, 1, 1]
        long count = slope.Count;
        if (count != 1 && count != channels) throw Refuse(node, $"its slope {OnnxConstant.Shape(slope.Dims)} is neither one value nor one per channel of {x.Shape}");
        // from opset 7 the slope broadcasts numpy's way, aligned at the last axis; before, C values are per channel
        if (count != 1 && _opset >= 7 && !ChannelAxisBroadcast(slope.Dims, x.Shape))
            throw Refuse(node, $"its slope {OnnxConstant.Shape(slope.Dims)} broadcasts along another axis than the channels of {x.Shape}; CnnGen's PReLU has one slope per channel");
        Emit(node, new PReLUOp((int)count), new[] { Weight(node, 1, "slope") });
    }

    /// <summary>Whether a tensor of C values broadcasts along axis 1 of the activation (numpy rules, aligned at the end).</summary>
    private static bool ChannelAxisBroadcast(long[] dims, FeatureShape shape)
    {
        int rank = shape.Rank + 1;
        if (dims.Length > rank) return false;
        int channelAxis = 1 - (rank - dims.Length);
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] != 1 && i != channelAxis) return false;
        return channelAxis >= 0 && channelAxis < dims.Length;
    }

    private void Softmax(OnnxNode node)
    {
        // Transpose, Softmax over the last axis, Transpose back: a softmax over the channels (opsets before 13)
        if (_pendingTranspose.TryGetValue(Input(node, 0) ?? "", out var transposed))
        {
            long last = Int(node, "axis", _opset >= 13 ? -1 : 1);
            int r = transposed.Shape.Rank + 1;
            if (last < 0) last += r;
            if (last != r - 1) throw Refuse(node, "it normalizes a transposed activation over another axis than the channels");
            _softmaxOverChannels[node.Outputs[0]] = (transposed, node.OpType == "LogSoftmax");
            return;
        }
        var viewed = Activation(node, 0);
        bool log = node.OpType == "LogSoftmax";
        if (viewed.View is { } view)
        {
            // over the last axis of [N, 1, ..., 1, F]: the softmax of the row
            long last = Int(node, "axis", _opset >= 13 ? -1 : 1);
            if (last < 0) last += view.Count + 1;
            var row = last == view.Count ? AsRow(node, viewed) : null;
            if (row is null) throw Refuse(node, $"it normalizes over axis {last} of [N, {string.Join(", ", view)}]; CnnGen's Softmax normalizes a row or the channels");
            int input = Materialize(row, Describe(node));
            int value = AddNode(new SoftmaxOp(log), new[] { input }, NameOf(node), node.OpType, Array.Empty<WeightSource>());
            Define(node, 0, NewValue(node, value) with { View = view });
            return;
        }
        var x = viewed;
        int rank = x.Shape.Rank + 1;
        long axis = Int(node, "axis", _opset >= 13 ? -1 : 1);
        if (axis < 0) axis += rank;
        if (_opset >= 13 ? axis != 1 : axis != 1 || !x.Shape.IsFlat && x.Shape.Length != x.Shape.Channels)
        {
            // before opset 13 Softmax flattens from its axis on: over C x H x W, not the channels
            throw Refuse(node, $"it normalizes over axis {axis} of [N, {string.Join(", ", Dims(x.Shape))}]" + (_opset < 13 && axis == 1 && !x.Shape.IsFlat ? " flattened from there (opsets before 13)" : "") + "; CnnGen's Softmax normalizes over the channels (dim = 1)");
        }
        Emit(node, new SoftmaxOp(log), Array.Empty<WeightSource>());
    }

    private void Concat(OnnxNode node)
    {
        long axis = Int(node, "axis", 1);
        if (CircularPad(node, axis)) return;
        var parts = node.Inputs.Where(i => i.Length > 0).Select((_, i) => Unviewed(node, Activation(node, i))).ToList();
        int rank = parts[0].Shape.Rank + 1;
        if (axis < 0) axis += rank;
        if (axis != 1) throw Refuse(node, $"it joins along axis {axis}; CnnGen concatenates along the channels (axis 1)");
        var values = parts.Select(p => Materialize(p, Describe(node))).ToArray();
        int value = AddNode(new ConcatOp(), values, NameOf(node), "Concat", Array.Empty<WeightSource>());
        Define(node, 0, NewValue(node, value));
    }

    private void Flatten(OnnxNode node)
    {
        var viewed = Activation(node, 0);
        long axis = Int(node, "axis", 1);
        if (axis < 0) axis += ViewDims(viewed).Length + 1;
        // the floats stay in their order: a viewed value flattens as the value it views
        var x = viewed with { View = null };
        if (axis != 1) throw Refuse(node, $"it flattens from axis {axis}; CnnGen flattens each sample (axis 1)");
        DefineFlattened(node, x);
    }

    /// <summary>The node's output as x's features, [N, features]: x itself where it is a vector, else a Flatten of it (of the value a view sees, whose floats are in the same order).</summary>
    private void DefineFlattened(OnnxNode node, ElementwiseValue x)
    {
        x = x with { View = null };
        Define(node, 0, x.Shape.IsFlat ? x : Apply(node, new FlattenOp(), x));
    }

    /// <summary>
    /// Reshape to [N, features] (x.view(N, -1)) is Flatten; to the shape it has, nothing; to [N, G, C / G, H, W], the
    /// first step of a channel shuffle (<see cref="StartsShuffle"/>), and back from it, the shuffle (<see cref="EndShuffle"/>).
    /// </summary>
    private void Reshape(OnnxNode node)
    {
        if (_transposedGroups.TryGetValue(Input(node, 0) ?? "", out var shuffled))
        {
            EndShuffle(node, shuffled);
            return;
        }
        var viewed = Activation(node, 0);
        var x = viewed with { View = null };
        var (target, batch) = ReshapeTarget(node);
        long features = x.Shape.Length;
        // x.view(-1, F) where a sample has F features: the -1 is the batch
        bool batchFirst = target.Length >= 1 && (batch[0] || target[0] == -1 && (target.Length == 1 || target.Length == 2 && target[1] == features) || target[0] == BatchSize || target[0] == 0);
        if (target.Length == 2 && batchFirst && !batch[1] && (target[1] == -1 || target[1] == features))
        {
            DefineFlattened(node, x);
            return;
        }
        var seen = ViewDims(viewed);
        var dims = PerSampleTarget(node, target, batch, seen, features);
        // to the shape it is seen as (a view of axes of size 1 kept), or to the IR's own (the view undone: same memory)
        if (dims is not null && (dims.SequenceEqual(seen) || dims.SequenceEqual(Dims(x.Shape))))
        {
            Define(node, 0, dims.SequenceEqual(seen) ? viewed : x);
            return;
        }
        if (dims is not null && StartsShuffle(node, x, dims)) return;
        throw Refuse(node, $"it reshapes {x.Shape} to {Text(target)}; CnnGen reshapes only to [N, features] (a flatten), to the shape a value has, and to [N, G, C / G, H, W] as a channel shuffle's first step");
    }

    /// <summary>
    /// Squeeze of axes of size 1 after the batch (x.squeeze(-1).squeeze(-1) after a global pool): the same floats in
    /// the same order, a Flatten where [N, C] is left, else a view of the value. Squeezing every axis of size 1
    /// (x.squeeze()) removes a batch of 1 too, which CnnGen keeps: refused.
    /// </summary>
    private void Squeeze(OnnxNode node)
    {
        var viewed = Activation(node, 0);
        var seen = ViewDims(viewed);
        int rank = seen.Length + 1;
        long[] axes = _opset >= 13
            ? Input(node, 1) is null ? Array.Empty<long>() : Constant(node, 1).Longs() ?? throw Refuse(node, "its axes are not known when the code is generated")
            : Ints(node, "axes") ?? Array.Empty<long>();
        if (axes.Length == 0)
        {
            if (BatchSize == 1)
                throw Refuse(node, "it squeezes every axis of size 1, the batch of 1 among them (x.squeeze()); CnnGen keeps the batch axis: squeeze the others (x.squeeze(-1).squeeze(-1)) or flatten(1)");
            axes = Enumerable.Range(1, seen.Length).Where(a => seen[a - 1] == 1).Select(a => (long)a).ToArray();
        }
        var squeezed = axes.Select(a => a < 0 ? a + rank : a).Distinct().ToArray();
        foreach (long axis in squeezed)
        {
            if (axis == 0) throw Refuse(node, "it squeezes the batch axis; CnnGen keeps it");
            if (axis < 0 || axis >= rank || seen[axis - 1] != 1) throw Refuse(node, $"it squeezes axis {axis} of [N, {string.Join(", ", seen)}], which is not of size 1");
        }
        var rest = seen.Where((_, i) => !squeezed.Contains(i + 1)).ToArray();
        var x = viewed with { View = null };
        if (rest.Length == 1)
        {
            DefineFlattened(node, x);
            return;
        }
        Define(node, 0, rest.SequenceEqual(Dims(x.Shape)) ? x : x with { View = new EquatableArray<int>(rest.Select(d => (int)d).ToArray()) });
    }

    /// <summary>Reshape's target: the shape attribute before opset 5, the constant INT64 input after, with the entries Shape marked as the batch.</summary>
    private (long[] Target, bool[] Batch) ReshapeTarget(OnnxNode node)
    {
        if (_opset < 5)
        {
            var attribute = Ints(node, "shape") ?? throw Refuse(node, "it has no shape");
            return (attribute, new bool[attribute.Length]);
        }
        var shape = Constant(node, 1);
        if (shape.Type != OnnxDataType.Int64) throw Refuse(node, $"its shape is {OnnxDataTypes.OnnxName(shape.Type)}; ONNX's Reshape takes INT64");
        var target = shape.Longs() ?? throw Refuse(node, "its shape is not known when the code is generated");
        return (target, shape.Batch ?? new bool[target.Length]);
    }

    /// <summary>
    /// A Reshape's target without the batch, as ONNX resolves it: 0 copies the input's dimension at its place (unless
    /// allowzero, opset 14 on), one -1 takes what is left. Null unless the first entry is the batch (an entry Shape
    /// marked, the declared batch size, a 0 copying it, or -1 with every other entry known) and the rest hold the
    /// <paramref name="features"/> a sample has. <paramref name="dims"/> are the input's dimensions without the batch.
    /// </summary>
    private long[]? PerSampleTarget(OnnxNode node, long[] target, bool[] batch, long[] dims, long features)
    {
        if (target.Length < 2 || batch.Skip(1).Any(b => b)) return null;
        bool allowZero = _opset >= 14 && Int(node, "allowzero", 0) != 0;
        var rest = new long[target.Length - 1];
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < rest.Length; i++)
        {
            long t = target[i + 1];
            if (t == 0 && !allowZero)
            {
                if (i >= dims.Length) return null;
                t = dims[i];
            }
            if (t == -1)
            {
                if (unknown >= 0) return null;
                unknown = i;
                continue;
            }
            if (t < 1 || t > features) return null;
            rest[i] = t;
            known *= t;
            if (known > features) return null;
        }
        bool first = batch[0] || BatchSize > 0 && target[0] == BatchSize || target[0] == 0 && !allowZero;
        if (unknown >= 0)
        {
            if (!first || features % known != 0) return null;
            rest[unknown] = features / known;
            return rest;
        }
        return known == features && (first || target[0] == -1) ? rest : null;
    }

    /// <summary>The batch size the graph's input declares, or 0 when it is dynamic (Shape then gives a value marked as the batch).</summary>
    private long BatchSize => _graph.Inputs.FirstOrDefault(i => !_constants.ContainsKey(i.Name)) is { HasShape: true } input && input.Dims.Count > 0 && input.Dims[0].Kind == OnnxDimKind.Fixed ? input.Dims[0].Value : -2;

    private static long[] Dims(FeatureShape shape) => shape.IsMap ? new long[] { shape.Channels, shape.Height, shape.Width }
        : shape.IsSequence ? new long[] { shape.Channels, shape.Width } : new long[] { shape.Channels };

    private void Pad(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        string mode = String(node, "mode", "constant");
        long[] pads;
        double value;
        if (_opset < 11)
        {
            pads = Ints(node, _opset < 2 ? "paddings" : "pads") ?? throw Refuse(node, "it has no pads");
            value = Float(node, "value", 0f);
        }
        else
        {
            pads = Longs(node, 1, "pads");
            value = OptionalConstant(node, 2) is { } v ? v.Scalar ?? throw Refuse(node, "its constant_value is not one number") : 0;
            if (Input(node, 3) is not null) throw Refuse(node, "it pads only some axes (axes input); CnnGen reads pads for every axis");
        }
        int rank = x.Shape.Rank + 1;
        if (pads.Length != 2 * rank) throw Refuse(node, $"its pads {Text(pads)} do not have 2 x {rank} entries");
        if (pads[0] != 0 || pads[rank] != 0)
            throw Refuse(node, $"its pads {Text(pads)} pad the batch axis; CnnGen pads channels, rows and columns");
        if (pads.Any(p => p < 0)) throw Refuse(node, $"its pads {Text(pads)} crop (negative padding)");
        var padMode = mode switch
        {
            "constant" when value == 0 => PadMode.Zeros,
            "constant" => throw Refuse(node, $"it pads with {value}; CnnGen pads with zeros"),
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Replicate,
            _ => throw Refuse(node, $"its mode '{mode}' is not one CnnGen pads with (constant 0, reflect, edge)"),
        };
        int spatial = SpatialRank(node, x.Shape);
        // no padding at all (what avg_pool1d exports before its pool): the value as it is
        if (pads.All(p => p == 0))
        {
            Define(node, 0, x);
            return;
        }
        // zero channels around x's (the CIFAR ResNets' option-A shortcut, F.pad(x, (0, 0, 0, 0, b, a))), then rows
        // and columns if it pads those too
        if (pads[1] != 0 || pads[rank + 1] != 0)
        {
            if (padMode != PadMode.Zeros) throw Refuse(node, $"its pads {Text(pads)} pad the channels in mode '{mode}'; CnnGen pads channels with zeros");
            var channels = new ChannelPadOp(Small(node, pads[1], "padding"), Small(node, pads[rank + 1], "padding"));
            bool alone = Enumerable.Range(2, rank - 2).All(axis => pads[axis] == 0 && pads[rank + axis] == 0);
            x = Apply(node, channels, x, key: alone ? NameOf(node) : NameOf(node) + "/channels");
            if (alone)
            {
                Define(node, 0, x);
                return;
            }
        }
        var op = new PadOp(padMode)
        {
            SpatialRank = spatial,
            PadTop = spatial == 2 ? Small(node, pads[2], "padding") : 0,
            PadBottom = spatial == 2 ? Small(node, pads[2 + rank], "padding") : 0,
            PadLeft = Small(node, pads[rank - 1], "padding"),
            PadRight = Small(node, pads[2 * rank - 1], "padding"),
        };
        Define(node, 0, Apply(node, op, x));
    }

    private void DepthToSpace(OnnxNode node)
    {
        var x = Unviewed(node, Activation(node, 0));
        if (!x.Shape.IsMap) throw Refuse(node, $"its input is {x.Shape}; DepthToSpace rearranges a map");
        // CRD is PixelShuffle's channel order; DCR (the default) takes the block from the outer channels
        if (String(node, "mode", "DCR") != "CRD") throw Refuse(node, "its mode DCR takes each block from channels blocksize^2 apart; CnnGen's PixelShuffle is mode CRD");
        Emit(node, new PixelShuffleOp(Small(node, Int(node, "blocksize", 0), "blocksize")), Array.Empty<WeightSource>());
    }
}
