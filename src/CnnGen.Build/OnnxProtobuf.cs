using System;
using System.Collections.Generic;
using System.Text;
using CnnGen.Onnx;

namespace CnnGen.Build;

/// <summary>
/// Reads a binary ONNX file (a protobuf ModelProto, onnx.proto of ONNX 1.12 and later) into an <see cref="OnnxModel"/>
/// plus the weights blob: a hand-written decoder of the protobuf wire format for the fields a CNN needs, every other
/// field skipped whatever its wire type. Repeated numbers are read packed and unpacked alike. Every FLOAT tensor of more
/// than <see cref="OnnxTensorData.InlineLimit"/> elements (initializers, and tensor attributes such as Constant's value)
/// goes to the blob as little-endian float32 at a 4-byte aligned offset, in the order the file holds them, and its record
/// holds (offset, length in bytes); other tensors keep their values inline. Malformed or truncated input gives an error
/// naming the byte offset and the field; no exception escapes, nothing is allocated from a length the input has not got
/// the bytes for, and nesting deeper than <see cref="MaxDepth"/> messages is an error (no stack overflow).
/// </summary>
internal static class OnnxProtobuf
{
    /// <summary>Messages nested deeper than this are an error; protobuf's own default limit is 100 as well.</summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// More messages than this (nodes, attributes, tensors, values, their types and dims) are an error: each costs some
    /// 80 bytes of records from a few bytes of file, so a 10 MB file of empty nodes would make 400 MB of them. Large
    /// CNNs have some 10,000 messages.
    /// </summary>
    public const int MaxMessages = 2_000_000;

    /// <summary>The model and weights blob of an .onnx file's bytes, or an error. Never throws.</summary>
    public static OnnxFileResult Read(byte[] file)
    {
        if (file is null) return OnnxFileResult.Failure("no file");
        var decoder = new Decoder(file, blob: true);
        try
        {
            var model = decoder.Model(new Wire(file, 0, file.Length));
            return new OnnxFileResult(model, decoder.Weights(), null);
        }
        catch (ProtobufException e)
        {
            return OnnxFileResult.Failure(decoder.Describe(e));
        }
        catch (Exception e)
        {
            // a bug here must not take the build down with a stack trace
            return OnnxFileResult.Failure(decoder.Describe(e, "internal error reading the ONNX file: "));
        }
    }

    /// <summary>
    /// A serialized TensorProto (the input_*.pb and output_*.pb files of ONNX's test cases), its values all inline. Never throws.
    /// </summary>
    public static OnnxTensorResult ReadTensor(byte[] bytes)
    {
        if (bytes is null) return new OnnxTensorResult(null, "no bytes");
        var decoder = new Decoder(bytes, blob: false);
        try
        {
            return new OnnxTensorResult(decoder.TensorMessage(new Wire(bytes, 0, bytes.Length), "tensor", -1, 0), null);
        }
        catch (ProtobufException e)
        {
            return new OnnxTensorResult(null, decoder.Describe(e));
        }
        catch (Exception e)
        {
            return new OnnxTensorResult(null, decoder.Describe(e, "internal error reading the ONNX tensor: "));
        }
    }

    private sealed class ProtobufException : Exception
    {
        public ProtobufException(int offset, string message) : base(message) => Offset = offset;

        public int Offset { get; }
    }

    private const int Varint = 0, Fixed64 = 1, Delimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    /// <summary>A cursor over one message's bytes [Position, End) of the file.</summary>
    private struct Wire
    {
        private readonly byte[] _bytes;

        public Wire(byte[] bytes, int start, int end)
        {
            _bytes = bytes;
            Position = start;
            End = end;
        }

        public int Position;
        public readonly int End;

        public readonly bool More => Position < End;

        public static ProtobufException Error(int offset, string message) => new(offset, message);

        /// <summary>The next field's number and wire type.</summary>
        public (int Field, int WireType) Tag()
        {
            int at = Position;
            ulong tag = ReadVarint();
            ulong field = tag >> 3;
            if (field == 0 || field > (1 << 29) - 1) throw Error(at, $"field number {field} is not a protobuf field number");
            int wireType = (int)(tag & 7);
            if (wireType > 5) throw Error(at, $"wire type {wireType} of field {field} does not exist");
            return ((int)field, wireType);
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            int start = Position;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (Position >= End) throw Error(start, "a varint runs past the end of its message");
                byte b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    if (shift == 63 && b > 1) throw Error(start, "a varint of more than 64 bits");
                    return value;
                }
            }
            throw Error(start, "a varint longer than 10 bytes");
        }

        public uint ReadFixed32()
        {
            if (End - Position < 4) throw Error(Position, "a 32-bit value runs past the end of its message");
            uint value = (uint)(_bytes[Position] | _bytes[Position + 1] << 8 | _bytes[Position + 2] << 16 | _bytes[Position + 3] << 24);
            Position += 4;
            return value;
        }

        public ulong ReadFixed64()
        {
            if (End - Position < 8) throw Error(Position, "a 64-bit value runs past the end of its message");
            ulong low = (uint)(_bytes[Position] | _bytes[Position + 1] << 8 | _bytes[Position + 2] << 16 | _bytes[Position + 3] << 24);
            ulong high = (uint)(_bytes[Position + 4] | _bytes[Position + 5] << 8 | _bytes[Position + 6] << 16 | _bytes[Position + 7] << 24);
            Position += 8;
            return low | high << 32;
        }

        /// <summary>A length-delimited field's bytes as a cursor, checked to lie inside this message.</summary>
        public Wire ReadDelimited()
        {
            int at = Position;
            ulong length = ReadVarint();
            if (length > (ulong)(End - Position))
                throw Error(at, $"a length of {length} bytes runs past the end of its message ({End - Position} bytes left)");
            var inner = new Wire(_bytes, Position, Position + (int)length);
            Position += (int)length;
            return inner;
        }

        /// <summary>Skips a field of any wire type; groups (deprecated) by counting their nesting, without recursion.</summary>
        public void Skip(int field, int wireType)
        {
            switch (wireType)
            {
                case Varint: ReadVarint(); break;
                case Fixed64: ReadFixed64(); break;
                case Delimited: ReadDelimited(); break;
                case Fixed32: ReadFixed32(); break;
                case StartGroup:
                    var open = new Stack<int>();
                    open.Push(field);
                    while (open.Count > 0)
                    {
                        if (!More) throw Error(Position, $"group {field} is not closed before the end of its message");
                        int at = Position;
                        var (f, w) = Tag();
                        if (w == EndGroup)
                        {
                            if (f != open.Pop()) throw Error(at, $"end of group {f} inside another group");
                        }
                        else if (w == StartGroup)
                        {
                            if (open.Count >= MaxDepth) throw Error(at, $"groups nested more than {MaxDepth} deep");
                            open.Push(f);
                        }
                        else
                        {
                            Skip(f, w);
                        }
                    }
                    break;
                case EndGroup: throw Error(Position, $"end of group {field} without its start");
                default: throw Error(Position, $"wire type {wireType}");
            }
        }

        public readonly string Utf8(Encoding encoding) => encoding.GetString(_bytes, Position, End - Position);

        public readonly byte[] Bytes => _bytes;

        public readonly int Length => End - Position;
    }

    /// <summary>The decoder of one file: the weights blob it fills and where it is, for errors.</summary>
    private sealed class Decoder
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

        private readonly byte[] _file;
        private readonly bool _useBlob;
        private byte[] _blob = Array.Empty<byte>();
        private int _blobLength;
        private readonly List<(string Name, int Index)> _path = new();
        private int _fieldStart;

        public Decoder(byte[] file, bool blob)
        {
            _file = file;
            _useBlob = blob;
        }

        public byte[] Weights()
        {
            if (_blobLength == _blob.Length) return _blob;
            var weights = new byte[_blobLength];
            Buffer.BlockCopy(_blob, 0, weights, 0, _blobLength);
            return weights;
        }

        public string Describe(Exception e, string prefix = "")
        {
            var where = new StringBuilder();
            foreach (var (name, index) in _path)
            {
                if (where.Length > 0) where.Append('.');
                where.Append(name);
                if (index >= 0) where.Append('[').Append(index).Append(']');
            }
            int offset = e is ProtobufException p ? p.Offset : _fieldStart;
            string detail = e is ProtobufException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return $"{prefix}at byte {offset}{(where.Length > 0 ? " (" + where + ")" : "")}: {detail}";
        }

        private int _messages;

        private void Enter(string name, int index, int at)
        {
            if (_path.Count >= MaxDepth) throw Wire.Error(at, $"messages nested more than {MaxDepth} deep");
            if (++_messages > MaxMessages) throw Wire.Error(at, $"more than {MaxMessages:N0} messages (nodes, attributes, tensors, values): no CNN has so many");
            _path.Add((name, index));
        }

        private void Leave() => _path.RemoveAt(_path.Count - 1);

        private static void Expect(int field, int wireType, int expected, string name, int at)
        {
            if (wireType != expected) throw Wire.Error(at, $"field {field} ({name}) has wire type {wireType}, not {expected}");
        }

        private static string String(ref Wire w, int field, int wireType, string name, int at)
        {
            Expect(field, wireType, Delimited, name, at);
            return w.ReadDelimited().Utf8(Utf8);
        }

        private static long Int64(ref Wire w, int field, int wireType, string name, int at)
        {
            Expect(field, wireType, Varint, name, at);
            return (long)w.ReadVarint();
        }

        private static int Int32(ref Wire w, int field, int wireType, string name, int at)
        {
            Expect(field, wireType, Varint, name, at);
            return unchecked((int)(long)w.ReadVarint());
        }

        /// <summary>A repeated varint field's values, packed (one length-delimited run) or not (one value per tag).</summary>
        private static void Varints(ref Wire w, int field, int wireType, string name, int at, List<long> into, bool int32)
        {
            if (wireType == Varint)
            {
                long value = (long)w.ReadVarint();
                into.Add(int32 ? unchecked((int)value) : value);
            }
            else if (wireType == Delimited)
            {
                var packed = w.ReadDelimited();
                while (packed.More)
                {
                    long value = (long)packed.ReadVarint();
                    into.Add(int32 ? unchecked((int)value) : value);
                }
            }
            else throw Wire.Error(at, $"field {field} ({name}) has wire type {wireType}, neither a varint nor packed varints");
        }

        private static void Floats(ref Wire w, int field, int wireType, string name, int at, List<float> into)
        {
            if (wireType == Fixed32)
            {
                into.Add(FloatBits.ToSingle(unchecked((int)w.ReadFixed32())));
            }
            else if (wireType == Delimited)
            {
                var packed = w.ReadDelimited();
                if (packed.Length % 4 != 0) throw Wire.Error(at, $"packed field {field} ({name}) has {packed.Length} bytes, not a multiple of 4");
                while (packed.More) into.Add(FloatBits.ToSingle(unchecked((int)packed.ReadFixed32())));
            }
            else throw Wire.Error(at, $"field {field} ({name}) has wire type {wireType}, neither a 32-bit value nor packed ones");
        }

        private static void Doubles(ref Wire w, int field, int wireType, string name, int at, List<double> into)
        {
            if (wireType == Fixed64)
            {
                into.Add(BitConverter.Int64BitsToDouble(unchecked((long)w.ReadFixed64())));
            }
            else if (wireType == Delimited)
            {
                var packed = w.ReadDelimited();
                if (packed.Length % 8 != 0) throw Wire.Error(at, $"packed field {field} ({name}) has {packed.Length} bytes, not a multiple of 8");
                while (packed.More) into.Add(BitConverter.Int64BitsToDouble(unchecked((long)packed.ReadFixed64())));
            }
            else throw Wire.Error(at, $"field {field} ({name}) has wire type {wireType}, neither a 64-bit value nor packed ones");
        }

        private static Wire Message(ref Wire w, int field, int wireType, string name, int at)
        {
            Expect(field, wireType, Delimited, name, at);
            return w.ReadDelimited();
        }

        // ---- ModelProto ----

        public OnnxModel Model(Wire w)
        {
            long irVersion = 0;
            string producerName = "", producerVersion = "";
            var opsets = new List<OnnxOpset>();
            OnnxGraph? graph = null;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: irVersion = Int64(ref w, field, wireType, "ir_version", at); break;
                    case 2: producerName = String(ref w, field, wireType, "producer_name", at); break;
                    case 3: producerVersion = String(ref w, field, wireType, "producer_version", at); break;
                    case 7:
                        if (graph is not null) throw Wire.Error(at, "the model has a second graph");
                        graph = Graph(Message(ref w, field, wireType, "graph", at), "graph", -1, at);
                        break;
                    case 8: opsets.Add(Opset(Message(ref w, field, wireType, "opset_import", at), opsets.Count, at)); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            if (graph is null) throw Wire.Error(w.End, "the file holds no graph: is it an ONNX model (a ModelProto)?");
            return new OnnxModel(irVersion, producerName, producerVersion, Own(opsets), graph);
        }

        private OnnxOpset Opset(Wire w, int index, int start)
        {
            Enter("opset_import", index, start);
            string domain = "";
            long version = 0;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: domain = String(ref w, field, wireType, "domain", at); break;
                    case 2: version = Int64(ref w, field, wireType, "version", at); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return new OnnxOpset(domain, version);
        }

        // ---- GraphProto ----

        private OnnxGraph Graph(Wire w, string name, int index, int start)
        {
            Enter(name, index, start);
            string graphName = "";
            var nodes = new List<OnnxNode>();
            var initializers = new List<OnnxTensor>();
            var inputs = new List<OnnxValueInfo>();
            var outputs = new List<OnnxValueInfo>();
            var values = new List<OnnxValueInfo>();
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: nodes.Add(Node(Message(ref w, field, wireType, "node", at), nodes.Count, at)); break;
                    case 2: graphName = String(ref w, field, wireType, "name", at); break;
                    case 5: initializers.Add(TensorMessage(Message(ref w, field, wireType, "initializer", at), "initializer", initializers.Count, at)); break;
                    case 11: inputs.Add(ValueInfo(Message(ref w, field, wireType, "input", at), "input", inputs.Count, at)); break;
                    case 12: outputs.Add(ValueInfo(Message(ref w, field, wireType, "output", at), "output", outputs.Count, at)); break;
                    case 13: values.Add(ValueInfo(Message(ref w, field, wireType, "value_info", at), "value_info", values.Count, at)); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return new OnnxGraph(graphName, Own(inputs), Own(outputs), Own(initializers), Own(nodes), Own(values));
        }

        // ---- NodeProto ----

        private OnnxNode Node(Wire w, int index, int start)
        {
            Enter("node", index, start);
            string name = "", opType = "", domain = "";
            var inputs = new List<string>();
            var outputs = new List<string>();
            var attributes = new List<OnnxAttribute>();
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: inputs.Add(String(ref w, field, wireType, "input", at)); break;
                    case 2: outputs.Add(String(ref w, field, wireType, "output", at)); break;
                    case 3: name = String(ref w, field, wireType, "name", at); break;
                    case 4: opType = String(ref w, field, wireType, "op_type", at); break;
                    case 5: attributes.Add(Attribute(Message(ref w, field, wireType, "attribute", at), attributes.Count, at)); break;
                    case 7: domain = String(ref w, field, wireType, "domain", at); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return new OnnxNode(name, opType, domain, Own(inputs), Own(outputs), Own(attributes));
        }

        // ---- AttributeProto ----

        private OnnxAttribute Attribute(Wire w, int index, int start)
        {
            Enter("attribute", index, start);
            string name = "";
            int? type = null;
            float f = 0;
            long i = 0;
            string s = "";
            Wire? t = null, g = null;
            var floats = new List<float>();
            var ints = new List<long>();
            var strings = new List<string>();
            var tensors = new List<Wire>();
            var graphs = new List<Wire>();
            // which value fields the attribute has, by AttributeType number, for files without the type field (IR version 1)
            int present = 0;
            bool reference = false;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: name = String(ref w, field, wireType, "name", at); break;
                    case 2:
                        Expect(field, wireType, Fixed32, "f", at);
                        f = FloatBits.ToSingle(unchecked((int)w.ReadFixed32()));
                        present |= 1 << (int)OnnxAttributeType.Float;
                        break;
                    case 3: i = Int64(ref w, field, wireType, "i", at); present |= 1 << (int)OnnxAttributeType.Int; break;
                    case 4: s = String(ref w, field, wireType, "s", at); present |= 1 << (int)OnnxAttributeType.String; break;
                    case 5: t = Message(ref w, field, wireType, "t", at); present |= 1 << (int)OnnxAttributeType.Tensor; break;
                    case 6: g = Message(ref w, field, wireType, "g", at); present |= 1 << (int)OnnxAttributeType.Graph; break;
                    case 7: Floats(ref w, field, wireType, "floats", at, floats); present |= 1 << (int)OnnxAttributeType.Floats; break;
                    case 8: Varints(ref w, field, wireType, "ints", at, ints, int32: false); present |= 1 << (int)OnnxAttributeType.Ints; break;
                    case 9: strings.Add(String(ref w, field, wireType, "strings", at)); present |= 1 << (int)OnnxAttributeType.Strings; break;
                    case 10: tensors.Add(Message(ref w, field, wireType, "tensors", at)); present |= 1 << (int)OnnxAttributeType.Tensors; break;
                    case 11: graphs.Add(Message(ref w, field, wireType, "graphs", at)); present |= 1 << (int)OnnxAttributeType.Graphs; break;
                    case 14: w.Skip(field, wireType); present |= 1 << (int)OnnxAttributeType.TypeProto; break;
                    case 15: w.Skip(field, wireType); present |= 1 << (int)OnnxAttributeType.TypeProtos; break;
                    case 20: type = Int32(ref w, field, wireType, "type", at); break;
                    case 21: w.Skip(field, wireType); reference = true; break;
                    case 22: w.Skip(field, wireType); present |= 1 << (int)OnnxAttributeType.SparseTensor; break;
                    case 23: w.Skip(field, wireType); present |= 1 << (int)OnnxAttributeType.SparseTensors; break;
                    default: w.Skip(field, wireType); break;
                }
            }

            var kind = (OnnxAttributeType)(type ?? 0);
            if (type is null or 0)
            {
                // no type: the one value field present says it
                kind = OnnxAttributeType.Undefined;
                for (int k = 1; k <= 14; k++)
                {
                    if ((present & (1 << k)) == 0) continue;
                    if (kind != OnnxAttributeType.Undefined)
                        throw Wire.Error(start, $"attribute '{name}' has no type and values of two types ({Name(kind)} and {Name((OnnxAttributeType)k)})");
                    kind = (OnnxAttributeType)k;
                }
            }

            OnnxAttribute attribute;
            if (reference)
            {
                attribute = new OnnxAttribute.Unsupported(name, kind);
            }
            else
            {
                switch (kind)
                {
                    case OnnxAttributeType.Float: attribute = new OnnxAttribute.Float(name, f); break;
                    case OnnxAttributeType.Int: attribute = new OnnxAttribute.Int(name, i); break;
                    case OnnxAttributeType.String: attribute = new OnnxAttribute.String(name, s); break;
                    case OnnxAttributeType.Floats: attribute = new OnnxAttribute.Floats(name, Own(floats)); break;
                    case OnnxAttributeType.Ints: attribute = new OnnxAttribute.Ints(name, Own(ints)); break;
                    case OnnxAttributeType.Strings: attribute = new OnnxAttribute.Strings(name, Own(strings)); break;
                    case OnnxAttributeType.Tensor:
                        if (t is null) throw Wire.Error(start, $"attribute '{name}' of type TENSOR has no tensor");
                        attribute = new OnnxAttribute.Tensor(name, TensorMessage(t.Value, "t", -1, t.Value.Position));
                        break;
                    case OnnxAttributeType.Graph:
                        if (g is null) throw Wire.Error(start, $"attribute '{name}' of type GRAPH has no graph");
                        attribute = new OnnxAttribute.Graph(name, Graph(g.Value, "g", -1, g.Value.Position));
                        break;
                    case OnnxAttributeType.Tensors:
                        var tensorValues = new OnnxTensor[tensors.Count];
                        for (int k = 0; k < tensorValues.Length; k++) tensorValues[k] = TensorMessage(tensors[k], "tensors", k, tensors[k].Position);
                        attribute = new OnnxAttribute.Tensors(name, OnnxArray<OnnxTensor>.Own(tensorValues));
                        break;
                    case OnnxAttributeType.Graphs:
                        var graphValues = new OnnxGraph[graphs.Count];
                        for (int k = 0; k < graphValues.Length; k++) graphValues[k] = Graph(graphs[k], "graphs", k, graphs[k].Position);
                        attribute = new OnnxAttribute.Graphs(name, OnnxArray<OnnxGraph>.Own(graphValues));
                        break;
                    default:
                        // sparse tensors, type protos, an undefined type or a number this code does not know
                        attribute = new OnnxAttribute.Unsupported(name, kind);
                        break;
                }
            }
            Leave();
            return attribute;
        }

        private static string Name(OnnxAttributeType type) => type.ToString().ToUpperInvariant();

        // ---- ValueInfoProto, TypeProto, TensorShapeProto ----

        private OnnxValueInfo ValueInfo(Wire w, string what, int index, int start)
        {
            Enter(what, index, start);
            string name = "";
            var kind = OnnxTypeKind.None;
            var elementType = OnnxDataType.Undefined;
            bool hasShape = false;
            var dims = new List<OnnxDim>();
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: name = String(ref w, field, wireType, "name", at); break;
                    case 2:
                        // TypeProto: a oneof; the last one present wins, as in protobuf
                        var type = Message(ref w, field, wireType, "type", at);
                        Enter("type", -1, at);
                        while (type.More)
                        {
                            int typeAt = _fieldStart = type.Position;
                            var (typeField, typeWire) = type.Tag();
                            switch (typeField)
                            {
                                case 1:
                                case 8:
                                    kind = typeField == 1 ? OnnxTypeKind.Tensor : OnnxTypeKind.SparseTensor;
                                    dims.Clear();
                                    (elementType, hasShape) = TensorType(Message(ref type, typeField, typeWire, typeField == 1 ? "tensor_type" : "sparse_tensor_type", typeAt), typeAt, dims);
                                    break;
                                case 4: type.Skip(typeField, typeWire); kind = OnnxTypeKind.Sequence; elementType = OnnxDataType.Undefined; hasShape = false; dims.Clear(); break;
                                case 5: type.Skip(typeField, typeWire); kind = OnnxTypeKind.Map; elementType = OnnxDataType.Undefined; hasShape = false; dims.Clear(); break;
                                case 7: type.Skip(typeField, typeWire); kind = OnnxTypeKind.Opaque; elementType = OnnxDataType.Undefined; hasShape = false; dims.Clear(); break;
                                case 9: type.Skip(typeField, typeWire); kind = OnnxTypeKind.Optional; elementType = OnnxDataType.Undefined; hasShape = false; dims.Clear(); break;
                                default: type.Skip(typeField, typeWire); break;
                            }
                        }
                        Leave();
                        break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return new OnnxValueInfo(name, kind, elementType, hasShape, Own(dims));
        }

        private (OnnxDataType ElementType, bool HasShape) TensorType(Wire w, int start, List<OnnxDim> dims)
        {
            Enter("tensor_type", -1, start);
            var elementType = OnnxDataType.Undefined;
            bool hasShape = false;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: elementType = (OnnxDataType)Int32(ref w, field, wireType, "elem_type", at); break;
                    case 2:
                        hasShape = true;
                        var shape = Message(ref w, field, wireType, "shape", at);
                        Enter("shape", -1, at);
                        while (shape.More)
                        {
                            int dimAt = _fieldStart = shape.Position;
                            var (shapeField, shapeWire) = shape.Tag();
                            if (shapeField == 1) dims.Add(Dim(Message(ref shape, shapeField, shapeWire, "dim", dimAt), dims.Count, dimAt));
                            else shape.Skip(shapeField, shapeWire);
                        }
                        Leave();
                        break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return (elementType, hasShape);
        }

        private OnnxDim Dim(Wire w, int index, int start)
        {
            Enter("dim", index, start);
            var dim = OnnxDim.Unknown;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: dim = OnnxDim.Fixed(Int64(ref w, field, wireType, "dim_value", at)); break;
                    case 2: dim = OnnxDim.Symbolic(String(ref w, field, wireType, "dim_param", at)); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return dim;
        }

        // ---- TensorProto ----

        public OnnxTensor TensorMessage(Wire w, string what, int index, int start)
        {
            Enter(what, index, start);
            string name = "";
            var dataType = OnnxDataType.Undefined;
            var dims = new List<long>();
            List<float>? floatData = null;
            List<long>? int32Data = null, int64Data = null, uint64Data = null;
            List<double>? doubleData = null;
            List<string>? stringData = null;
            List<OnnxEntry>? external = null;
            Wire? raw = null;
            long location = 0;
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: Varints(ref w, field, wireType, "dims", at, dims, int32: false); break;
                    case 2: dataType = (OnnxDataType)Int32(ref w, field, wireType, "data_type", at); break;
                    case 4: Floats(ref w, field, wireType, "float_data", at, floatData ??= new List<float>()); break;
                    case 5: Varints(ref w, field, wireType, "int32_data", at, int32Data ??= new List<long>(), int32: true); break;
                    case 6: (stringData ??= new List<string>()).Add(String(ref w, field, wireType, "string_data", at)); break;
                    case 7: Varints(ref w, field, wireType, "int64_data", at, int64Data ??= new List<long>(), int32: false); break;
                    case 8: name = String(ref w, field, wireType, "name", at); break;
                    case 9: raw = Message(ref w, field, wireType, "raw_data", at); break;
                    case 10: Doubles(ref w, field, wireType, "double_data", at, doubleData ??= new List<double>()); break;
                    case 11: Varints(ref w, field, wireType, "uint64_data", at, uint64Data ??= new List<long>(), int32: false); break;
                    case 13: (external ??= new List<OnnxEntry>()).Add(Entry(Message(ref w, field, wireType, "external_data", at), external.Count, at)); break;
                    case 14: location = Int64(ref w, field, wireType, "data_location", at); break;
                    default: w.Skip(field, wireType); break;
                }
            }

            var dimsArray = Own(dims);
            OnnxTensorData data;
            if (location == 1)
            {
                data = new OnnxTensorData.External(external is null ? OnnxArray<OnnxEntry>.Empty : Own(external));
            }
            else if (raw is not null)
            {
                data = RawData(raw.Value, dataType, name, start, OnnxTensor.ElementCountOf(dimsArray));
            }
            else
            {
                data = TypedData(dataType, floatData, int32Data, int64Data, uint64Data, doubleData, stringData, name, start, OnnxTensor.ElementCountOf(dimsArray));
            }
            var tensor = new OnnxTensor(name, dataType, dimsArray, data);
            string? problem = tensor.Problem();
            if (problem is not null) throw Wire.Error(start, problem);
            Leave();
            return tensor;
        }

        private OnnxEntry Entry(Wire w, int index, int start)
        {
            Enter("external_data", index, start);
            string key = "", value = "";
            while (w.More)
            {
                int at = _fieldStart = w.Position;
                var (field, wireType) = w.Tag();
                switch (field)
                {
                    case 1: key = String(ref w, field, wireType, "key", at); break;
                    case 2: value = String(ref w, field, wireType, "value", at); break;
                    default: w.Skip(field, wireType); break;
                }
            }
            Leave();
            return new OnnxEntry(key, value);
        }

        private bool ToBlob(long count) => _useBlob && count > OnnxTensorData.InlineLimit;

        /// <summary>raw_data: little-endian values of the tensor's type, decoded or copied to the blob.</summary>
        private OnnxTensorData RawData(Wire raw, OnnxDataType type, string name, int start, long count)
        {
            byte[] b = raw.Bytes;
            int p = raw.Position, length = raw.Length;
            int size = type switch
            {
                OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
                OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 => 8,
                OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Int16 or OnnxDataType.UInt16 => 2,
                OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Bool => 1,
                OnnxDataType.String => throw Wire.Error(start, $"tensor '{name}' of type STRING has raw_data (strings go in string_data)"),
                _ => 0,
            };
            if (size == 0)
            {
                var bytes = new byte[length];
                Buffer.BlockCopy(b, p, bytes, 0, length);
                return new OnnxTensorData.Bytes(OnnxArray<byte>.Own(bytes));
            }
            if (length % size != 0) throw Wire.Error(start, $"tensor '{name}' of type {OnnxDataTypes.OnnxName(type)} has {length} bytes of raw_data, not a multiple of {size}");
            int n = length / size;
            if (n != count) throw Wire.Error(start, $"tensor '{name}' has dims of {count} elements but {n} values of raw_data");
            if (type == OnnxDataType.Float && ToBlob(n)) return AppendBlob(b, p, length);

            switch (type)
            {
                case OnnxDataType.Float:
                {
                    var values = new float[n];
                    for (int k = 0; k < n; k++) values[k] = FloatBits.ToSingle(ReadInt32(b, p + 4 * k));
                    return new OnnxTensorData.Floats(OnnxArray<float>.Own(values));
                }
                case OnnxDataType.Float16:
                case OnnxDataType.BFloat16:
                {
                    var values = new float[n];
                    for (int k = 0; k < n; k++)
                    {
                        int half = b[p + 2 * k] | b[p + 2 * k + 1] << 8;
                        values[k] = type == OnnxDataType.Float16 ? HalfToSingle(half) : FloatBits.ToSingle(half << 16);
                    }
                    return new OnnxTensorData.Floats(OnnxArray<float>.Own(values));
                }
                case OnnxDataType.Double:
                {
                    var values = new double[n];
                    for (int k = 0; k < n; k++) values[k] = BitConverter.Int64BitsToDouble(ReadInt64(b, p + 8 * k));
                    return new OnnxTensorData.Doubles(OnnxArray<double>.Own(values));
                }
                default:
                {
                    var values = new long[n];
                    for (int k = 0; k < n; k++)
                    {
                        int q = p + size * k;
                        values[k] = type switch
                        {
                            OnnxDataType.Int8 => (sbyte)b[q],
                            OnnxDataType.UInt8 or OnnxDataType.Bool => b[q],
                            OnnxDataType.Int16 => (short)(b[q] | b[q + 1] << 8),
                            OnnxDataType.UInt16 => (ushort)(b[q] | b[q + 1] << 8),
                            OnnxDataType.Int32 => ReadInt32(b, q),
                            OnnxDataType.UInt32 => (uint)ReadInt32(b, q),
                            _ => ReadInt64(b, q),
                        };
                    }
                    return new OnnxTensorData.Ints(OnnxArray<long>.Own(values));
                }
            }
        }

        /// <summary>The typed repeated fields: float_data, int32_data (also 8- and 16-bit types and FLOAT16's bits), int64_data, uint64_data, double_data, string_data.</summary>
        private OnnxTensorData TypedData(OnnxDataType type, List<float>? floats, List<long>? int32s, List<long>? int64s, List<long>? uint64s,
            List<double>? doubles, List<string>? strings, string name, int start, long count)
        {
            switch (type)
            {
                case OnnxDataType.Float:
                    if (floats is not null && ToBlob(floats.Count) && floats.Count == count)
                    {
                        int offset = AlignBlob(floats.Count * 4L);
                        foreach (float value in floats)
                        {
                            int bits = FloatBits.ToInt32(value);
                            _blob[_blobLength++] = (byte)bits;
                            _blob[_blobLength++] = (byte)(bits >> 8);
                            _blob[_blobLength++] = (byte)(bits >> 16);
                            _blob[_blobLength++] = (byte)(bits >> 24);
                        }
                        return new OnnxTensorData.Blob(offset, floats.Count * 4L);
                    }
                    return new OnnxTensorData.Floats(Own(floats));
                case OnnxDataType.Float16:
                case OnnxDataType.BFloat16:
                {
                    // int32_data holds each value's 16 bits
                    var values = new float[int32s?.Count ?? 0];
                    for (int k = 0; k < values.Length; k++)
                    {
                        int half = (int)int32s![k] & 0xFFFF;
                        values[k] = type == OnnxDataType.Float16 ? HalfToSingle(half) : FloatBits.ToSingle(half << 16);
                    }
                    return new OnnxTensorData.Floats(OnnxArray<float>.Own(values));
                }
                case OnnxDataType.Double:
                    return new OnnxTensorData.Doubles(Own(doubles));
                case OnnxDataType.Int8:
                case OnnxDataType.UInt8:
                case OnnxDataType.Int16:
                case OnnxDataType.UInt16:
                case OnnxDataType.Int32:
                case OnnxDataType.Bool:
                    return new OnnxTensorData.Ints(Own(int32s));
                case OnnxDataType.Int64:
                    return new OnnxTensorData.Ints(Own(int64s));
                case OnnxDataType.UInt32:
                case OnnxDataType.UInt64:
                    return new OnnxTensorData.Ints(Own(uint64s));
                case OnnxDataType.String:
                    return new OnnxTensorData.Strings(Own(strings));
                default:
                    // types this reader does not decode keep whichever typed field the file used
                    if (floats is not null) return new OnnxTensorData.Floats(Own(floats));
                    if (doubles is not null) return new OnnxTensorData.Doubles(Own(doubles));
                    if (int32s is not null) return new OnnxTensorData.Ints(Own(int32s));
                    if (int64s is not null) return new OnnxTensorData.Ints(Own(int64s));
                    if (uint64s is not null) return new OnnxTensorData.Ints(Own(uint64s));
                    return new OnnxTensorData.Bytes(OnnxArray<byte>.Empty);
            }
        }

        private static OnnxArray<T> Own<T>(List<T>? items) => items is null ? OnnxArray<T>.Empty : OnnxArray<T>.Own(items.ToArray());

        private OnnxTensorData AppendBlob(byte[] source, int offset, int length)
        {
            int at = AlignBlob(length);
            Buffer.BlockCopy(source, offset, _blob, _blobLength, length);
            _blobLength += length;
            return new OnnxTensorData.Blob(at, length);
        }

        /// <summary>Pads the blob to a multiple of 4 and makes room for <paramref name="length"/> more bytes; the offset of that room.</summary>
        private int AlignBlob(long length)
        {
            int aligned = (_blobLength + 3) & ~3;
            // the blob never outgrows the file: each of its floats took 4 bytes there, and each tensor more than 3 of framing
            long needed = aligned + length;
            if (needed > int.MaxValue - 64) throw Wire.Error(_fieldStart, "the weights exceed 2 GB");
            if (needed > _blob.Length)
            {
                long capacity = Math.Max(needed, Math.Min(Math.Max(_blob.Length * 2L, 1 << 16), Math.Max(_file.Length, needed)));
                Array.Resize(ref _blob, (int)capacity);
            }
            _blobLength = aligned;
            return aligned;
        }

        private static int ReadInt32(byte[] b, int p) => b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24;

        private static long ReadInt64(byte[] b, int p) => (uint)ReadInt32(b, p) | (long)ReadInt32(b, p + 4) << 32;

        /// <summary>IEEE half to single, exactly (subnormals normalized, NaN payloads kept).</summary>
        internal static float HalfToSingle(int half)
        {
            int sign = (half & 0x8000) << 16;
            int exponent = (half >> 10) & 0x1F;
            int mantissa = half & 0x3FF;
            if (exponent == 0x1F) return FloatBits.ToSingle(sign | 0x7F800000 | mantissa << 13);
            if (exponent == 0)
            {
                if (mantissa == 0) return FloatBits.ToSingle(sign);
                int e = -14;
                while ((mantissa & 0x400) == 0)
                {
                    mantissa <<= 1;
                    e--;
                }
                return FloatBits.ToSingle(sign | (e + 127) << 23 | (mantissa & 0x3FF) << 13);
            }
            return FloatBits.ToSingle(sign | (exponent - 15 + 127) << 23 | mantissa << 13);
        }
    }
}

/// <summary>What <see cref="OnnxProtobuf.Read"/> gives: the model and its weights blob, or an error.</summary>
internal sealed class OnnxFileResult
{
    public OnnxFileResult(OnnxModel? model, byte[] weights, string? error)
    {
        Model = model;
        Weights = weights;
        Error = error;
    }

    public static OnnxFileResult Failure(string error) => new(null, Array.Empty<byte>(), error);

    public OnnxModel? Model { get; }

    /// <summary>The large FLOAT tensors' values, little-endian float32, each at the offset its <see cref="OnnxTensorData.Blob"/> gives.</summary>
    public byte[] Weights { get; }

    public string? Error { get; }

    public bool Succeeded => Model is not null;
}

/// <summary>What <see cref="OnnxProtobuf.ReadTensor"/> gives: the tensor, or an error.</summary>
internal sealed record OnnxTensorResult(OnnxTensor? Tensor, string? Error)
{
    public bool Succeeded => Tensor is not null;
}
