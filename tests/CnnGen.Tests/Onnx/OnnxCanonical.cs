using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CnnGen.Onnx;
using CnnGen.Tests.Generator;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// The view of a model that onnx_dump.py prints from the onnx package's reading: built here from CnnGen's records (and
/// the weights blob), compared as JSON text. Floats are the hex of their bits; tensor values a count and the SHA-256 of
/// their canonical little-endian bytes (float32 for FLOAT, FLOAT16 and BFLOAT16, float64 for DOUBLE, int64 for the
/// integer types and BOOL, UTF-8 joined by NUL for strings).
/// </summary>
internal static class OnnxCanonical
{
    public static string Script => Path.Combine(OnnxFiles.RepositoryRoot(), "tests", "CnnGen.Tests", "Onnx", "onnx_dump.py");

    /// <summary>onnx_dump.py's line for each file, normalized through System.Text.Json so that both sides print alike.</summary>
    public static IReadOnlyList<string> Python(IReadOnlyList<string> paths)
    {
        var lines = new List<string>();
        // in batches: the command line has a limit
        for (int start = 0; start < paths.Count; start += 400)
        {
            var batch = paths.Skip(start).Take(400).ToArray();
            var (exitCode, output) = TorchFactAttribute.RunPython(new[] { Script }.Concat(batch).ToArray());
            if (exitCode != 0) throw new InvalidOperationException($"onnx_dump.py failed: {output}");
            var batchLines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (batchLines.Length != batch.Length) throw new InvalidOperationException($"onnx_dump.py printed {batchLines.Length} lines for {batch.Length} files: {output}");
            lines.AddRange(batchLines.Select(l => JsonNode.Parse(l)!.ToJsonString()));
        }
        return lines;
    }

    public static string Model(OnnxModel model, byte[] weights) => new JsonObject
    {
        ["ir"] = model.IrVersion,
        ["producer"] = new JsonArray(model.ProducerName, model.ProducerVersion),
        ["opsets"] = Array(model.Opsets.Select(o => (JsonNode)new JsonArray(o.Domain, o.Version))),
        ["graph"] = Graph(model.Graph, weights),
    }.ToJsonString();

    public static string TensorFile(OnnxTensor tensor) => new JsonObject { ["tensor"] = Tensor(tensor, System.Array.Empty<byte>()) }.ToJsonString();

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static JsonObject Graph(OnnxGraph g, byte[] weights) => new()
    {
        ["name"] = g.Name,
        ["inputs"] = Array(g.Inputs.Select(ValueInfo)),
        ["outputs"] = Array(g.Outputs.Select(ValueInfo)),
        ["values"] = Array(g.ValueInfos.Select(ValueInfo)),
        ["initializers"] = Array(g.Initializers.Select(t => (JsonNode)Tensor(t, weights))),
        ["nodes"] = Array(g.Nodes.Select(n => (JsonNode)new JsonArray(
            n.Name, n.OpType, n.Domain, Strings(n.Inputs), Strings(n.Outputs), Array(n.Attributes.Select(a => (JsonNode)Attribute(a, weights)))))),
    };

    private static JsonArray Strings(IEnumerable<string> values) => Array(values.Select(v => (JsonNode)v));

    private static JsonNode ValueInfo(OnnxValueInfo v)
    {
        string kind = v.Kind switch
        {
            OnnxTypeKind.Tensor => "tensor",
            OnnxTypeKind.SparseTensor => "sparse",
            OnnxTypeKind.Sequence => "sequence",
            OnnxTypeKind.Map => "map",
            OnnxTypeKind.Optional => "optional",
            OnnxTypeKind.Opaque => "opaque",
            OnnxTypeKind.None => "none",
        };
        JsonNode? dims = v.HasShape
            ? Array(v.Dims.Select(d => d.Kind switch
            {
                OnnxDimKind.Fixed => (JsonNode)d.Value,
                OnnxDimKind.Symbolic => "$" + d.Param,
                OnnxDimKind.Unknown => "?",
            }))
            : null;
        return new JsonArray(v.Name, kind, (int)v.ElementType, dims);
    }

    private static string Hex(float value) => Convert.ToHexString(BitConverter.GetBytes(value)).ToLowerInvariant();

    private static JsonArray Attribute(OnnxAttribute a, byte[] weights) => a switch
    {
        OnnxAttribute.Float f => new JsonArray(a.Name, "f", Hex(f.Value)),
        OnnxAttribute.Int i => new JsonArray(a.Name, "i", i.Value),
        OnnxAttribute.String s => new JsonArray(a.Name, "s", s.Value),
        OnnxAttribute.Tensor t => new JsonArray(a.Name, "t", Tensor(t.Value, weights)),
        OnnxAttribute.Graph g => new JsonArray(a.Name, "g", Graph(g.Value, weights)),
        OnnxAttribute.Floats fs => new JsonArray(a.Name, "floats", Array(fs.Values.Select(v => (JsonNode)Hex(v)))),
        OnnxAttribute.Ints ints => new JsonArray(a.Name, "ints", Array(ints.Values.Select(v => (JsonNode)v))),
        OnnxAttribute.Strings ss => new JsonArray(a.Name, "strings", Strings(ss.Values)),
        OnnxAttribute.Tensors ts => new JsonArray(a.Name, "tensors", Array(ts.Values.Select(t => (JsonNode)Tensor(t, weights)))),
        OnnxAttribute.Graphs gs => new JsonArray(a.Name, "graphs", Array(gs.Values.Select(g => (JsonNode)Graph(g, weights)))),
        OnnxAttribute.Unsupported => new JsonArray(a.Name, "unsupported"),
        _ => throw new ArgumentException(a.GetType().Name),
    };

    private static JsonArray Tensor(OnnxTensor t, byte[] weights)
    {
        JsonNode data;
        var decoded = OnnxDataTypes.DecodedAs(t.DataType);
        if (t.Data is OnnxTensorData.External external)
        {
            data = new JsonArray("external", Array(external.Entries.Select(e => (JsonNode)new JsonArray(e.Key, e.Value))));
        }
        else if (decoded is null)
        {
            data = new JsonArray("other");
        }
        else
        {
            var bytes = new MemoryStream();
            long count;
            switch (t.Data)
            {
                case OnnxTensorData.Blob blob:
                    bytes.Write(weights, (int)blob.Offset, (int)blob.Length);
                    count = blob.Length / 4;
                    break;
                case OnnxTensorData.Floats f:
                    foreach (float v in f.Values) bytes.Write(BitConverter.GetBytes(v));
                    count = f.Values.Count;
                    break;
                case OnnxTensorData.Doubles d:
                    foreach (double v in d.Values) bytes.Write(BitConverter.GetBytes(v));
                    count = d.Values.Count;
                    break;
                case OnnxTensorData.Ints i:
                    foreach (long v in i.Values) bytes.Write(BitConverter.GetBytes(v));
                    count = i.Values.Count;
                    break;
                case OnnxTensorData.Strings s:
                    bytes.Write(Encoding.UTF8.GetBytes(string.Join("\0", s.Values)));
                    count = s.Values.Count;
                    break;
                default:
                    throw new ArgumentException($"tensor '{t.Name}' of type {t.DataTypeName} holds {t.Data.Kind}");
            }
            data = new JsonArray(count, Convert.ToHexString(SHA256.HashData(bytes.ToArray())).ToLowerInvariant());
        }
        return new JsonArray(t.Name, (int)t.DataType, Array(t.Dims.Select(d => (JsonNode)d)), data);
    }
}
