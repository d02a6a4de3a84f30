using System;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Generator.Onnx;

/// <summary>
/// Constant folding: the nodes whose inputs are all known when the code is generated are evaluated here, in doubles,
/// with numpy's broadcasting. Exporters compute pads, shapes and scales this way (PyTorch 1.13's F.pad at opset 11
/// is eight such nodes). Shape reads the input's sizes, the batch marked as known only at run time.
/// </summary>
internal sealed partial class OnnxImporter
{
    private OnnxConstant Fold(OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Constant":
                return ConstantNode(node);
            case "Shape":
                return ShapeOfActivation(node);
            // the constant itself, a large initializer's blob included: PyTorch's exporter names a tensor equal to
            // another (a fresh BatchNorm's running_var and weight, every PReLU's 0.25s) Identity(that other)
            case "Identity" or "Dropout":
                return Constant(node, 0);
            case "Cast":
                return Cast(node, Known(node, 0), (OnnxDataType)Int(node, "to", 1));
            case "ConstantOfShape":
            {
                var shape = Known(node, 0).Longs() ?? throw Refuse(node, "its shape is not whole numbers");
                var value = node.Attribute("value") is OnnxAttribute.Tensor t ? OnnxConstant.From(t.Value) : null;
                double fill = value?.Values is { Length: 1 } v ? v[0] : 0;
                return Filled(node, value?.Type ?? OnnxDataType.Float, shape, _ => fill);
            }
            case "Unsqueeze" or "Squeeze":
                return Squeeze(node, Known(node, 0));
            case "Reshape":
            {
                var data = Known(node, 0);
                var shape = Known(node, 1).Longs() ?? throw Refuse(node, "its shape is not whole numbers");
                return Reshaped(node, data, shape);
            }
            case "Concat":
                return ConcatConstants(node);
            case "Gather":
                return Gather(node);
            case "Slice":
                return SliceConstant(node);
            case "Transpose":
            {
                // a matrix in the blob cannot be transposed here; MatMul takes it in the other layout instead
                var data = Constant(node, 0);
                if (data.Values is null && data.Dims.Length == 2 && (Ints(node, "perm") is not { } perm || perm.Length == 2 && perm[0] == 1 && perm[1] == 0))
                    return new OnnxConstant(data.Type, new[] { data.Dims[1], data.Dims[0] }, null) { TransposeOf = (node.Inputs[0], data) };
                return TransposeConstant(node, Known(node, 0));
            }
            case "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Max" or "Min" or "Equal" or "Less" or "Greater":
                return Broadcast(node, Known(node, 0), Known(node, 1));
            case "Neg" or "Abs" or "Sqrt" or "Floor" or "Ceil" or "Reciprocal" or "Exp" or "Log" or "Not":
                return Map(node, Known(node, 0));
            case "Where":
                return Where(node);
            case "Range":
            {
                double start = Known(node, 0).Scalar ?? throw Refuse(node, "its start is not one number");
                double limit = Known(node, 1).Scalar ?? throw Refuse(node, "its limit is not one number");
                double delta = Known(node, 2).Scalar ?? throw Refuse(node, "its delta is not one number");
                if (delta == 0) throw Refuse(node, "its delta is 0");
                long count = Math.Max(0, (long)Math.Ceiling((limit - start) / delta));
                return Filled(node, Known(node, 0).Type, new[] { count }, i => start + i * delta);
            }
            default:
                throw Refuse(node, $"CnnGen does not evaluate the op {node.OpType} on constants (it evaluates shape arithmetic, casts, slices, concatenations and elementwise arithmetic)");
        }
    }

    /// <summary>A constant input whose numbers are known here.</summary>
    private OnnxConstant Known(OnnxNode node, int index)
    {
        var constant = Constant(node, index);
        if (constant.Values is null) throw Refuse(node, $"its input '{node.Inputs[index]}' is an initializer whose numbers are in the weights blob; CnnGen computes only with small constants when it generates the code");
        return constant;
    }

    private OnnxConstant Filled(OnnxNode node, OnnxDataType type, long[] dims, Func<long, double> value)
    {
        if (dims.Any(d => d < 0)) throw Refuse(node, $"it makes a tensor of shape {Text(dims)}");
        long count = OnnxTensor.ElementCountOf(new OnnxArray<long>(dims));
        if (count > OnnxConstant.MaxFolded) throw Refuse(node, $"it makes a constant of {count} elements; CnnGen evaluates constants of up to {OnnxConstant.MaxFolded}");
        var values = new double[count];
        for (long i = 0; i < count; i++) values[i] = value(i);
        return new OnnxConstant(type, dims, values);
    }

    private static OnnxConstant ConstantNode(OnnxNode node)
    {
        if (node.Attributes.Count != 1) throw Refuse(node, "it has no single value attribute");
        return node.Attributes[0] switch
        {
            OnnxAttribute.Tensor { Name: "value" } t => OnnxConstant.From(t.Value) ?? throw Refuse(node, "its tensor has a negative dimension"),
            OnnxAttribute.Float { Name: "value_float" } f => new OnnxConstant(OnnxDataType.Float, Array.Empty<long>(), new double[] { f.Value }),
            OnnxAttribute.Floats { Name: "value_floats" } f => new OnnxConstant(OnnxDataType.Float, new long[] { f.Values.Count }, f.Values.Select(v => (double)v).ToArray()),
            OnnxAttribute.Int { Name: "value_int" } i => new OnnxConstant(OnnxDataType.Int64, Array.Empty<long>(), new double[] { i.Value }),
            OnnxAttribute.Ints { Name: "value_ints" } i => new OnnxConstant(OnnxDataType.Int64, new long[] { i.Values.Count }, i.Values.Select(v => (double)v).ToArray()),
            _ => throw Refuse(node, $"its value attribute {node.Attributes[0].Name} is not a number or numeric tensor"),
        };
    }

    /// <summary>Shape of an activation: [N, C, H, W], N the batch (known here only when the input fixes it).</summary>
    private OnnxConstant ShapeOfActivation(OnnxNode node)
    {
        string name = Input(node, 0) ?? throw Refuse(node, "its input is missing");
        long[] dims;
        bool[] batch;
        if (_constants.TryGetValue(name, out var constant))
        {
            dims = constant.Dims;
            batch = new bool[dims.Length];
        }
        else
        {
            // a view's dims (a Transpose of axes of size 1) are what the graph sees, not the IR's
            var sizes = ViewDims(Activation(node, 0));
            long batchSize = BatchSize;
            dims = new[] { batchSize > 0 ? batchSize : -1 }.Concat(sizes).ToArray();
            batch = new bool[dims.Length];
            batch[0] = batchSize <= 0;
        }
        long start = Int(node, "start", 0), end = Int(node, "end", dims.Length);
        int rank = dims.Length;
        int s = (int)Math.Max(0, Math.Min(rank, start < 0 ? start + rank : start));
        int e = (int)Math.Max(0, Math.Min(rank, end < 0 ? end + rank : end));
        var values = dims.Skip(s).Take(Math.Max(0, e - s)).Select(d => (double)d).ToArray();
        return new OnnxConstant(OnnxDataType.Int64, new long[] { values.Length }, values, batch.Skip(s).Take(values.Length).ToArray());
    }

    private static OnnxConstant Cast(OnnxNode node, OnnxConstant x, OnnxDataType to)
    {
        var values = x.Values!.Select(v => to switch
        {
            OnnxDataType.Float => (double)(float)v,
            OnnxDataType.Double => v,
            OnnxDataType.Bool => v != 0 ? 1 : 0,
            OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 or OnnxDataType.UInt8
                or OnnxDataType.UInt16 or OnnxDataType.UInt32 or OnnxDataType.UInt64 => Math.Truncate(v),
            _ => throw Refuse(node, $"it casts to {OnnxDataTypes.OnnxName(to)}"),
        }).ToArray();
        return new OnnxConstant(to, x.Dims, values, x.Batch);
    }

    private OnnxConstant Squeeze(OnnxNode node, OnnxConstant x)
    {
        long[] axes = _opset >= 13 ? Input(node, 1) is null ? Array.Empty<long>() : Known(node, 1).Longs() ?? throw Refuse(node, "its axes are not whole numbers")
            : Ints(node, "axes") ?? Array.Empty<long>();
        var dims = x.Dims.ToList();
        if (node.OpType == "Unsqueeze")
        {
            int rank = dims.Count + axes.Length;
            foreach (var axis in axes.Select(a => a < 0 ? a + rank : a).OrderBy(a => a))
            {
                if (axis < 0 || axis > dims.Count) throw Refuse(node, $"its axis {axis} is out of range");
                dims.Insert((int)axis, 1);
            }
        }
        else
        {
            var remove = axes.Length == 0 ? Enumerable.Range(0, dims.Count).Where(i => dims[i] == 1).ToList()
                : axes.Select(a => (int)(a < 0 ? a + dims.Count : a)).ToList();
            if (remove.Any(a => a < 0 || a >= dims.Count || dims[a] != 1)) throw Refuse(node, "it squeezes an axis that is not 1");
            dims = dims.Where((_, i) => !remove.Contains(i)).ToList();
        }
        return new OnnxConstant(x.Type, dims.ToArray(), x.Values, x.Batch);
    }

    private static OnnxConstant Reshaped(OnnxNode node, OnnxConstant data, long[] shape)
    {
        var dims = shape.ToArray();
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 0) dims[i] = i < data.Dims.Length ? data.Dims[i] : throw Refuse(node, "its shape copies a dimension the data lacks");
            if (dims[i] == -1)
            {
                if (unknown >= 0) throw Refuse(node, "its shape has two -1");
                unknown = i;
            }
            else if (dims[i] < 0) throw Refuse(node, $"its shape {Text(shape)} is invalid");
            else known *= dims[i];
        }
        if (unknown >= 0) dims[unknown] = known == 0 ? 0 : data.Count / known;
        if (OnnxTensor.ElementCountOf(new OnnxArray<long>(dims)) != data.Count) throw Refuse(node, $"it reshapes {data.Count} elements to {Text(dims)}");
        return new OnnxConstant(data.Type, dims, data.Values, data.Batch);
    }

    private OnnxConstant ConcatConstants(OnnxNode node)
    {
        var parts = node.Inputs.Where(i => i.Length > 0).Select((_, i) => Known(node, i)).ToList();
        int rank = parts[0].Dims.Length;
        long axis = Int(node, "axis", 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank || parts.Any(p => p.Dims.Length != rank)) throw Refuse(node, "its parts do not fit along its axis");
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= parts[0].Dims[i];
        for (int i = (int)axis + 1; i < rank; i++) inner *= parts[0].Dims[i];
        var values = new List<double>();
        var batch = new List<bool>();
        for (long o = 0; o < outer; o++)
            foreach (var part in parts)
            {
                long chunk = part.Dims[axis] * inner;
                for (long k = 0; k < chunk; k++)
                {
                    values.Add(part.Values![o * chunk + k]);
                    batch.Add(part.Batch![o * chunk + k]);
                }
            }
        var dims = parts[0].Dims.ToArray();
        dims[axis] = parts.Sum(p => p.Dims[axis]);
        return new OnnxConstant(parts[0].Type, dims, values.ToArray(), batch.ToArray());
    }

    private OnnxConstant Gather(OnnxNode node)
    {
        var data = Known(node, 0);
        var indices = Known(node, 1);
        var index = indices.Longs() ?? throw Refuse(node, "its indices are not whole numbers");
        int rank = data.Dims.Length;
        long axis = Int(node, "axis", 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw Refuse(node, "its axis is out of range");
        long outer = 1, inner = 1, size = data.Dims[axis];
        for (int i = 0; i < axis; i++) outer *= data.Dims[i];
        for (int i = (int)axis + 1; i < rank; i++) inner *= data.Dims[i];
        var values = new List<double>();
        var batch = new List<bool>();
        for (long o = 0; o < outer; o++)
            foreach (long raw in index)
            {
                long at = raw < 0 ? raw + size : raw;
                if (at < 0 || at >= size) throw Refuse(node, $"its index {raw} is out of range");
                for (long k = 0; k < inner; k++)
                {
                    values.Add(data.Values![(o * size + at) * inner + k]);
                    batch.Add(data.Batch![(o * size + at) * inner + k]);
                }
            }
        var dims = data.Dims.Take((int)axis).Concat(indices.Dims).Concat(data.Dims.Skip((int)axis + 1)).ToArray();
        return new OnnxConstant(data.Type, dims, values.ToArray(), batch.ToArray());
    }

    private OnnxConstant SliceConstant(OnnxNode node)
    {
        var data = Known(node, 0);
        int rank = data.Dims.Length;
        var (starts, ends, axes, steps) = SliceArguments(node, Known);
        if (starts.Length != ends.Length || axes.Length != starts.Length || steps.Length != starts.Length) throw Refuse(node, "its starts, ends, axes and steps differ in length");
        // per axis: the indices taken, numpy's clamping rules
        var taken = Enumerable.Range(0, rank).Select(a => Enumerable.Range(0, (int)data.Dims[a]).Select(i => (long)i).ToArray()).ToArray();
        for (int k = 0; k < axes.Length; k++)
        {
            int axis = (int)(axes[k] < 0 ? axes[k] + rank : axes[k]);
            if (axis < 0 || axis >= rank || steps[k] == 0) throw Refuse(node, "its axes or steps are invalid");
            long size = data.Dims[axis], step = steps[k];
            long start = starts[k] < 0 ? starts[k] + size : starts[k];
            long end = ends[k] < 0 ? ends[k] + size : ends[k];
            var list = new List<long>();
            if (step > 0)
            {
                start = Math.Max(0, Math.Min(size, start));
                end = Math.Max(0, Math.Min(size, end));
                for (long i = start; i < end; i += step) list.Add(i);
            }
            else
            {
                start = Math.Max(-1, Math.Min(size - 1, start));
                end = Math.Max(-1, Math.Min(size - 1, end));
                for (long i = start; i > end; i += step) list.Add(i);
            }
            taken[axis] = list.ToArray();
        }
        return Pick(data, taken.Select(t => (long)t.Length).ToArray(), position =>
        {
            long offset = 0;
            for (int a = 0; a < rank; a++) offset = offset * data.Dims[a] + taken[a][position[a]];
            return offset;
        });
    }

    /// <summary>Slice's starts, ends, axes and steps: attributes before opset 10, constant inputs after (axes and steps optional).</summary>
    private (long[] Starts, long[] Ends, long[] Axes, long[] Steps) SliceArguments(OnnxNode node, Func<OnnxNode, int, OnnxConstant> input)
    {
        long[] Whole(int index, string what) => input(node, index).Longs() ?? throw Refuse(node, $"its {what} are not whole numbers known when the code is generated");
        long[] starts, ends;
        long[]? axes = null, steps = null;
        if (_opset < 10)
        {
            starts = Ints(node, "starts") ?? throw Refuse(node, "it has no starts");
            ends = Ints(node, "ends") ?? throw Refuse(node, "it has no ends");
            axes = Ints(node, "axes");
        }
        else
        {
            starts = Whole(1, "starts");
            ends = Whole(2, "ends");
            if (Input(node, 3) is not null) axes = Whole(3, "axes");
            if (Input(node, 4) is not null) steps = Whole(4, "steps");
        }
        return (starts, ends, axes ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray(), steps ?? Enumerable.Repeat(1L, starts.Length).ToArray());
    }

    private static OnnxConstant TransposeConstant(OnnxNode node, OnnxConstant data)
    {
        int rank = data.Dims.Length;
        var perm = Ints(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm.OrderBy(p => p).Select((p, i) => p == i).Any(b => !b)) throw Refuse(node, $"its perm {Text(perm)} is not a permutation of {rank} axes");
        var dims = perm.Select(p => data.Dims[p]).ToArray();
        return Pick(data, dims, position =>
        {
            var source = new long[rank];
            for (int a = 0; a < rank; a++) source[perm[a]] = position[a];
            long offset = 0;
            for (int a = 0; a < rank; a++) offset = offset * data.Dims[a] + source[a];
            return offset;
        });
    }

    /// <summary>A tensor of <paramref name="dims"/> whose element at each position is the source's element at the offset given.</summary>
    private static OnnxConstant Pick(OnnxConstant data, long[] dims, Func<long[], long> sourceOffset)
    {
        long count = OnnxTensor.ElementCountOf(new OnnxArray<long>(dims));
        var values = new double[count];
        var batch = new bool[count];
        var position = new long[dims.Length];
        for (long i = 0; i < count; i++)
        {
            long rest = i;
            for (int a = dims.Length - 1; a >= 0; a--)
            {
                position[a] = rest % dims[a];
                rest /= dims[a];
            }
            long from = sourceOffset(position);
            values[i] = data.Values![from];
            batch[i] = data.Batch![from];
        }
        return new OnnxConstant(data.Type, dims, values, batch);
    }

    private OnnxConstant Broadcast(OnnxNode node, OnnxConstant a, OnnxConstant b)
    {
        int rank = Math.Max(a.Dims.Length, b.Dims.Length);
        long[] Padded(OnnxConstant c) => Enumerable.Repeat(1L, rank - c.Dims.Length).Concat(c.Dims).ToArray();
        var da = Padded(a);
        var db = Padded(b);
        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            if (da[i] != db[i] && da[i] != 1 && db[i] != 1) throw Refuse(node, $"its operands {OnnxConstant.Shape(a.Dims)} and {OnnxConstant.Shape(b.Dims)} do not broadcast");
            dims[i] = da[i] == 1 ? db[i] : da[i];
        }
        bool integer = !a.IsFloat && !b.IsFloat;
        Func<double, double, double> f = node.OpType switch
        {
            "Add" => (x, y) => x + y,
            "Sub" => (x, y) => x - y,
            "Mul" => (x, y) => x * y,
            "Div" => integer ? (x, y) => y == 0 ? throw Refuse(node, "it divides by zero") : Math.Truncate(x / y) : (x, y) => x / y,
            "Pow" => Math.Pow,
            "Max" => Math.Max,
            "Min" => Math.Min,
            "Equal" => (x, y) => x == y ? 1 : 0,
            "Less" => (x, y) => x < y ? 1 : 0,
            "Greater" => (x, y) => x > y ? 1 : 0,
            _ => throw Refuse(node, $"CnnGen does not evaluate {node.OpType}"),
        };
        long count = OnnxTensor.ElementCountOf(new OnnxArray<long>(dims));
        if (count > OnnxConstant.MaxFolded) throw Refuse(node, $"it makes a constant of {count} elements");
        var values = new double[count];
        var batch = new bool[count];
        var position = new long[rank];
        for (long i = 0; i < count; i++)
        {
            long rest = i;
            for (int k = rank - 1; k >= 0; k--)
            {
                position[k] = rest % dims[k];
                rest /= dims[k];
            }
            long oa = 0, ob = 0;
            for (int k = 0; k < rank; k++)
            {
                oa = oa * da[k] + (da[k] == 1 ? 0 : position[k]);
                ob = ob * db[k] + (db[k] == 1 ? 0 : position[k]);
            }
            // arithmetic on the batch size is not known here: the result is unusable, which the reader reports
            if (a.Batch![oa] || b.Batch![ob]) throw Refuse(node, "it computes with the batch size, which is known only at run time");
            values[i] = f(a.Values![oa], b.Values![ob]);
        }
        var type = node.OpType is "Equal" or "Less" or "Greater" ? OnnxDataType.Bool : a.Type;
        if (type == OnnxDataType.Float) for (long i = 0; i < count; i++) values[i] = (float)values[i];
        return new OnnxConstant(type, dims, values, batch);
    }

    private static OnnxConstant Map(OnnxNode node, OnnxConstant x)
    {
        if (x.HasBatch) throw Refuse(node, "it computes with the batch size, which is known only at run time");
        Func<double, double> f = node.OpType switch
        {
            "Neg" => v => -v,
            "Abs" => Math.Abs,
            "Sqrt" => Math.Sqrt,
            "Floor" => Math.Floor,
            "Ceil" => Math.Ceiling,
            "Reciprocal" => v => 1 / v,
            "Exp" => Math.Exp,
            "Log" => Math.Log,
            "Not" => v => v == 0 ? 1 : 0,
            _ => throw Refuse(node, $"CnnGen does not evaluate {node.OpType}"),
        };
        var values = x.Values!.Select(v => x.Type == OnnxDataType.Float ? (double)(float)f(v) : f(v)).ToArray();
        return new OnnxConstant(x.Type, x.Dims, values);
    }

    private OnnxConstant Where(OnnxNode node)
    {
        var condition = Known(node, 0);
        var a = Known(node, 1);
        var b = Known(node, 2);
        if (condition.Count != a.Count || a.Count != b.Count || condition.HasBatch)
            throw Refuse(node, "its operands differ in shape (CnnGen evaluates Where on tensors of one shape)");
        var values = condition.Values!.Select((c, i) => c != 0 ? a.Values![i] : b.Values![i]).ToArray();
        var batch = condition.Values!.Select((c, i) => c != 0 ? a.Batch![i] : b.Batch![i]).ToArray();
        return new OnnxConstant(a.Type, a.Dims, values, batch);
    }
}
