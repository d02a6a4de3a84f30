using System;
using System.IO;
using System.Text;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// A protobuf message written by hand, field by field, for the decoder's tests: every wire type, packed and unpacked
/// repeated fields, groups, and bytes no encoder would write.
/// </summary>
internal sealed class Proto
{
    private readonly MemoryStream _bytes = new();

    public const int Varint = 0, Fixed64 = 1, Delimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    public Proto Tag(int field, int wireType) => Raw(VarintBytes((ulong)field << 3 | (uint)wireType));

    public Proto Int(int field, long value) => Tag(field, Varint).Raw(VarintBytes((ulong)value));

    public Proto Float(int field, float value) => Tag(field, Fixed32).Raw(BitConverter.GetBytes(value));

    public Proto Fixed(int field, uint value) => Tag(field, Fixed32).Raw(BitConverter.GetBytes(value));

    public Proto Double(int field, double value) => Tag(field, Fixed64).Raw(BitConverter.GetBytes(value));

    public Proto Bytes(int field, byte[] value) => Tag(field, Delimited).Raw(VarintBytes((ulong)value.Length)).Raw(value);

    public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

    public Proto PackedInts(int field, params long[] values)
    {
        var packed = new MemoryStream();
        foreach (long v in values) packed.Write(VarintBytes((ulong)v));
        return Bytes(field, packed.ToArray());
    }

    public Proto PackedFloats(int field, params float[] values)
    {
        var packed = new MemoryStream();
        foreach (float v in values) packed.Write(BitConverter.GetBytes(v));
        return Bytes(field, packed.ToArray());
    }

    public Proto PackedDoubles(int field, params double[] values)
    {
        var packed = new MemoryStream();
        foreach (double v in values) packed.Write(BitConverter.GetBytes(v));
        return Bytes(field, packed.ToArray());
    }

    public Proto Group(int field, Proto inside) => Tag(field, StartGroup).Raw(inside.ToArray()).Tag(field, EndGroup);

    public Proto Raw(byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    public static byte[] VarintBytes(ulong value)
    {
        var bytes = new MemoryStream();
        while (value >= 0x80)
        {
            bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.WriteByte((byte)value);
        return bytes.ToArray();
    }

    // ---- onnx.proto's messages, with the fields these tests use ----

    /// <summary>ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (domain 1, version 2).</summary>
    public static Proto Model(Proto graph, long opset = 13) =>
        new Proto().Int(1, 8).String(2, "hand").Message(7, graph).Message(8, new Proto().String(1, "").Int(2, opset));

    /// <summary>GraphProto: node 1, name 2, initializer 5, input 11, output 12.</summary>
    public static Proto Graph(string name, params Proto[] nodes)
    {
        var graph = new Proto();
        foreach (var node in nodes) graph.Message(1, node);
        return graph.String(2, name);
    }

    /// <summary>NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.</summary>
    public static Proto Node(string opType, string[] inputs, string[] outputs, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(4, opType);
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    /// <summary>TensorProto with raw_data: dims 1 (packed), data_type 2, name 8, raw_data 9.</summary>
    public static Proto RawTensor(string name, int dataType, long[] dims, byte[] raw) =>
        new Proto().PackedInts(1, dims).Int(2, dataType).String(8, name).Bytes(9, raw);

    /// <summary>A FLOAT tensor with raw_data.</summary>
    public static Proto FloatTensor(string name, long[] dims, float[] values)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.GetBytes(values[i]).CopyTo(raw, 4 * i);
        return RawTensor(name, 1, dims, raw);
    }

    /// <summary>A value info: name 1, type 2 = TypeProto { tensor_type 1 = { elem_type 1, shape 2 = { dim 1 = { dim_value 1 | dim_param 2 } } } }.</summary>
    public static Proto TensorValue(string name, int elementType, params object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
            shape.Message(1, d switch
            {
                long value => new Proto().Int(1, value),
                int value => new Proto().Int(1, value),
                string param => new Proto().String(2, param),
                _ => new Proto(),
            });
        return new Proto().String(1, name).Message(2, new Proto().Message(1, new Proto().Int(1, elementType).Message(2, shape)));
    }
}
