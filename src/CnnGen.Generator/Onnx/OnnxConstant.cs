using System;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Generator.Onnx;

/// <summary>
/// A value of the graph known when the code is generated: an initializer, a Constant, or what shape arithmetic
/// (Shape, Gather, Concat, ...) makes of them. Small tensors carry their numbers (<see cref="Values"/>); a large
/// initializer lives in the weights blob, so only its name, type and shape are known here (<see cref="Values"/> null).
/// <see cref="Batch"/> marks the elements that stand for the batch size, which Shape reads from the input at run time.
/// </summary>
internal sealed class OnnxConstant
{
    public OnnxConstant(OnnxDataType type, long[] dims, double[]? values, bool[]? batch = null, OnnxTensor? source = null)
    {
        Type = type;
        Dims = dims;
        Values = values;
        Batch = batch ?? (values is null ? null : new bool[values.Length]);
        Source = source;
    }

    public OnnxDataType Type { get; }

    public long[] Dims { get; }

    public double[]? Values { get; }

    public bool[]? Batch { get; }

    /// <summary>The initializer or Constant tensor this is, unchanged: what a layer may take as a weight.</summary>
    public OnnxTensor? Source { get; }

    /// <summary>
    /// For the transpose of a matrix whose numbers are in the weights blob (a Linear's weight before MatMul, as
    /// exporters write nn.Linear without bias): the value it transposes and that value's name. Nothing else can read it.
    /// </summary>
    public (string Name, OnnxConstant Matrix)? TransposeOf { get; init; }

    public long Count => OnnxTensor.ElementCountOf(new OnnxArray<long>(Dims));

    public bool IsFloat => Type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    public bool HasBatch => Batch is not null && Batch.Any(b => b);

    /// <summary>Elements a tensor may have for its numbers to be worked with here; larger ones are weights.</summary>
    public const long MaxFolded = 1 << 16;

    /// <summary>The tensor's numbers when it holds them inline (a blob's are unknown here).</summary>
    public static OnnxConstant? From(OnnxTensor tensor)
    {
        var dims = tensor.Dims.ToArray();
        if (dims.Any(d => d < 0)) return null;
        double[]? values = tensor.Data switch
        {
            OnnxTensorData.Floats f => f.Values.Select(v => (double)v).ToArray(),
            OnnxTensorData.Doubles d => d.Values.ToArray(),
            OnnxTensorData.Ints i => i.Values.Select(v => (double)v).ToArray(),
            OnnxTensorData.Blob => null,
            // strings, raw bytes of types the reader does not decode, external data: nothing a CNN computes with
            OnnxTensorData.Strings or OnnxTensorData.Bytes or OnnxTensorData.External => null,
            _ => null,
        };
        if (values is not null && values.Length != tensor.ElementCount) values = values.Length == 0 && tensor.ElementCount > 0 ? null : values;
        return new OnnxConstant(tensor.DataType, dims, values, null, tensor);
    }

    public OnnxConstant With(OnnxDataType type, long[] dims, double[] values, bool[]? batch) => new(type, dims, values, batch);

    /// <summary>The numbers as longs, or null when some are not whole or the tensor's numbers are unknown.</summary>
    public long[]? Longs()
    {
        if (Values is null) return null;
        var result = new long[Values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double v = Values[i];
            if (double.IsNaN(v) || Math.Floor(v) != v) return null;
            // INT64's extremes (a Slice's "to the end") arrive as doubles just past long's range
            result[i] = v >= 9.2e18 ? long.MaxValue : v <= -9.2e18 ? long.MinValue : (long)v;
        }
        return result;
    }

    /// <summary>The one number of a tensor with one element, or null.</summary>
    public double? Scalar => Values is { Length: 1 } v && (Batch is null || !Batch[0]) ? v[0] : null;

    public static string Shape(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";
}
