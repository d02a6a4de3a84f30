using System;

// An ONNX model as the build task reads it from the protobuf file and the generator reads it back from the text
// form (OnnxText): the subset of onnx.proto a CNN needs, as immutable records with value equality, in file order.
// What a CNN importer does not support is kept by name (subgraphs, external data, sequence types), so the
// importer can refuse it saying what it is rather than the reader dropping it.
// compiled into the build task and the generator, which the tests reference both: one namespace each keeps their types apart
#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Onnx;
#else
namespace CnnGen.Onnx;
#endif

/// <summary>ModelProto: the IR version, who wrote the file, the operator sets it imports and its graph.</summary>
internal sealed record OnnxModel(long IrVersion, string ProducerName, string ProducerVersion, OnnxArray<OnnxOpset> Opsets, OnnxGraph Graph)
{
    /// <summary>The version of <paramref name="domain"/> the model imports ("" and "ai.onnx" are the default domain), or null.</summary>
    public long? OpsetVersion(string domain)
    {
        foreach (var opset in Opsets)
            if (opset.Domain == domain || (IsDefaultDomain(opset.Domain) && IsDefaultDomain(domain))) return opset.Version;
        return null;
    }

    public static bool IsDefaultDomain(string domain) => domain.Length == 0 || domain == "ai.onnx";
}

/// <summary>OperatorSetIdProto: an operator set's domain ("" is ai.onnx) and version.</summary>
internal sealed record OnnxOpset(string Domain, long Version);

/// <summary>
/// GraphProto: inputs and outputs (graph inputs may include initializers in IR versions before 4), initializers,
/// nodes in file order (ONNX requires a topological order), and the optional value_info shapes of intermediate values.
/// </summary>
internal sealed record OnnxGraph(
    string Name,
    OnnxArray<OnnxValueInfo> Inputs,
    OnnxArray<OnnxValueInfo> Outputs,
    OnnxArray<OnnxTensor> Initializers,
    OnnxArray<OnnxNode> Nodes,
    OnnxArray<OnnxValueInfo> ValueInfos);

/// <summary>Which TypeProto a value has; only <see cref="Tensor"/> carries an element type and shape.</summary>
internal enum OnnxTypeKind
{
    /// <summary>No type field (allowed for value_info of intermediate values).</summary>
    None,
    Tensor,
    SparseTensor,
    Sequence,
    Map,
    Optional,
    Opaque,
}

/// <summary>
/// ValueInfoProto: a value's name and type. For a tensor (or sparse tensor): its element type and, when the file gives
/// a shape, its dims (<see cref="HasShape"/> false means even the rank is unknown). Other kinds carry only their kind.
/// </summary>
internal sealed record OnnxValueInfo(string Name, OnnxTypeKind Kind, OnnxDataType ElementType, bool HasShape, OnnxArray<OnnxDim> Dims)
{
    public static OnnxValueInfo Tensor(string name, OnnxDataType elementType, params OnnxDim[] dims) =>
        new(name, OnnxTypeKind.Tensor, elementType, true, new OnnxArray<OnnxDim>(dims));
}

internal enum OnnxDimKind
{
    /// <summary>Neither dim_value nor dim_param.</summary>
    Unknown,
    /// <summary>dim_value: a number (files may hold any int64, even a negative one).</summary>
    Fixed,
    /// <summary>dim_param: a name such as "batch".</summary>
    Symbolic,
}

/// <summary>TensorShapeProto.Dimension: a fixed size, a symbolic name, or unknown.</summary>
internal sealed record OnnxDim(OnnxDimKind Kind, long Value, string Param)
{
    public static readonly OnnxDim Unknown = new(OnnxDimKind.Unknown, 0, "");

    public static OnnxDim Fixed(long value) => new(OnnxDimKind.Fixed, value, "");

    public static OnnxDim Symbolic(string param) => new(OnnxDimKind.Symbolic, 0, param);

    public override string ToString() => Kind switch
    {
        OnnxDimKind.Fixed => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OnnxDimKind.Symbolic => Param,
        OnnxDimKind.Unknown => "?",
    };
}

/// <summary>
/// NodeProto: one operator application. Inputs and outputs are value names; an empty name is an omitted optional
/// input or output. Attributes in file order.
/// </summary>
internal sealed record OnnxNode(string Name, string OpType, string Domain, OnnxArray<string> Inputs, OnnxArray<string> Outputs, OnnxArray<OnnxAttribute> Attributes)
{
    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? Attribute(string name)
    {
        foreach (var attribute in Attributes)
            if (attribute.Name == name) return attribute;
        return null;
    }
}

/// <summary>AttributeProto.AttributeType, with ONNX's numbers.</summary>
internal enum OnnxAttributeType
{
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    SparseTensors = 12,
    TypeProto = 13,
    TypeProtos = 14,
}

/// <summary>
/// AttributeProto: a name and exactly one typed value, one record per type (match with <c>is OnnxAttribute.Ints ints</c>).
/// Strings are ONNX's bytes read as UTF-8. Sparse tensors and type protos are <see cref="Unsupported"/>, kept by
/// name and type so an importer can refuse them.
/// </summary>
internal abstract record OnnxAttribute(string Name)
{
    public abstract OnnxAttributeType Type { get; }

    public sealed record Float(string Name, float Value) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Float;

        // by bits, like the float arrays: NaN equals itself, -0 differs from 0
        public bool Equals(Float? other) => other is not null && Name == other.Name && FloatBits.ToInt32(Value) == FloatBits.ToInt32(other.Value);

        public override int GetHashCode() => unchecked(Name.GetHashCode() * 31 + FloatBits.ToInt32(Value));
    }

    public sealed record Int(string Name, long Value) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Int;
    }

    public sealed record String(string Name, string Value) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.String;
    }

    public sealed record Tensor(string Name, OnnxTensor Value) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Tensor;
    }

    /// <summary>A subgraph (If's branches, Loop's and Scan's bodies).</summary>
    public sealed record Graph(string Name, OnnxGraph Value) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Graph;
    }

    public sealed record Floats(string Name, OnnxArray<float> Values) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Floats;
    }

    public sealed record Ints(string Name, OnnxArray<long> Values) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Ints;
    }

    public sealed record Strings(string Name, OnnxArray<string> Values) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Strings;
    }

    public sealed record Tensors(string Name, OnnxArray<OnnxTensor> Values) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Tensors;
    }

    public sealed record Graphs(string Name, OnnxArray<OnnxGraph> Values) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => OnnxAttributeType.Graphs;
    }

    /// <summary>A sparse tensor, type proto or list of them, or an attribute with no value: only its declared type.</summary>
    public sealed record Unsupported(string Name, OnnxAttributeType DeclaredType) : OnnxAttribute(Name)
    {
        public override OnnxAttributeType Type => DeclaredType;
    }
}

/// <summary>TensorProto.DataType, with ONNX's numbers; <see cref="OnnxDataTypes.OnnxName"/> spells them as ONNX does.</summary>
internal enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
    Float8E4M3FN = 17,
    Float8E4M3FNUZ = 18,
    Float8E5M2 = 19,
    Float8E5M2FNUZ = 20,
    UInt4 = 21,
    Int4 = 22,
    Float4E2M1 = 23,
    Float8E8M0 = 24,
}

internal static class OnnxDataTypes
{
    private static readonly string[] Names =
    {
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE",
        "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
        "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0",
    };

    /// <summary>ONNX's spelling ("FLOAT", "INT64"), or the number for a type this code does not know.</summary>
    public static string OnnxName(OnnxDataType type) =>
        (int)type >= 0 && (int)type < Names.Length ? Names[(int)type] : ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The type ONNX spells <paramref name="name"/>, or null.</summary>
    public static OnnxDataType? FromOnnxName(string name)
    {
        int index = Array.IndexOf(Names, name);
        return index < 0 ? null : (OnnxDataType)index;
    }

    /// <summary>
    /// How the readers hold this type's values: floats for FLOAT, FLOAT16 and BFLOAT16 (converted exactly), doubles for
    /// DOUBLE, int64 for the integer types and BOOL (UINT64 keeps its 64 bits in a long), strings for STRING; the other
    /// types (complex, 8- and 4-bit) stay as the file holds them.
    /// </summary>
    public static OnnxValueKind? DecodedAs(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Float16 or OnnxDataType.BFloat16 => OnnxValueKind.Floats,
        OnnxDataType.Double => OnnxValueKind.Doubles,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.UInt16 or OnnxDataType.Int16 or OnnxDataType.Int32 or OnnxDataType.Int64
            or OnnxDataType.Bool or OnnxDataType.UInt32 or OnnxDataType.UInt64 => OnnxValueKind.Ints,
        OnnxDataType.String => OnnxValueKind.Strings,
        _ => null,
    };
}

/// <summary>The kinds of inline tensor data.</summary>
internal enum OnnxValueKind
{
    Floats,
    Doubles,
    Ints,
    Strings,
    Bytes,
}

/// <summary>
/// TensorProto: a name, the element type, the dims and the data. The readers check that decoded data (see
/// <see cref="OnnxDataTypes.DecodedAs"/>) holds exactly the product of the dims values.
/// </summary>
internal sealed record OnnxTensor(string Name, OnnxDataType DataType, OnnxArray<long> Dims, OnnxTensorData Data)
{
    /// <summary>ONNX's spelling of the data type: "FLOAT".</summary>
    public string DataTypeName => OnnxDataTypes.OnnxName(DataType);

    /// <summary>The product of the dims (1 for a scalar), or -1 for a negative dim or a product past 2^62.</summary>
    public long ElementCount => ElementCountOf(Dims);

    public static long ElementCountOf(OnnxArray<long> dims)
    {
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) return -1;
            if (d == 0) count = 0;
            else if (count > (1L << 62) / d) return -1;
            else count *= d;
        }
        return count;
    }

    /// <summary>
    /// Why this tensor's data cannot be its dims' values, or null: the check both readers make. Decoded types hold
    /// exactly the dims' product of values of their kind; a blob holds that many float32; the types the readers do not
    /// decode hold raw bytes or the file's typed values unchecked; external data is not looked at.
    /// </summary>
    public string? Problem()
    {
        long count = ElementCount;
        if (count < 0) return $"tensor '{Name}' has dims [{string.Join(",", Dims)}]: a negative dim or more than 2^62 elements";
        var decoded = OnnxDataTypes.DecodedAs(DataType);
        long values;
        switch (Data)
        {
            case OnnxTensorData.External:
                return null;
            case OnnxTensorData.Blob blob:
                if (DataType != OnnxDataType.Float) return $"tensor '{Name}' of type {DataTypeName} refers to the weights blob, which holds FLOAT tensors only";
                if (blob.Offset < 0 || blob.Offset % 4 != 0 || blob.Length < 0)
                    return $"tensor '{Name}' refers to {blob.Length} bytes at offset {blob.Offset} of the weights: the offset must be a multiple of 4";
                if (blob.Length != count * 4) return $"tensor '{Name}' has dims [{string.Join(",", Dims)}], {count} elements, but refers to {blob.Length} bytes of the weights";
                return null;
            case OnnxTensorData.Bytes:
                return decoded is null ? null : $"tensor '{Name}' of type {DataTypeName} holds raw bytes, not decoded values";
            case OnnxTensorData.Floats f:
                if (decoded is null) return null;
                values = decoded == OnnxValueKind.Floats ? f.Values.Count : -1;
                break;
            case OnnxTensorData.Doubles d:
                if (decoded is null) return null;
                values = decoded == OnnxValueKind.Doubles ? d.Values.Count : -1;
                break;
            case OnnxTensorData.Ints i:
                if (decoded is null) return null;
                values = decoded == OnnxValueKind.Ints ? i.Values.Count : -1;
                break;
            case OnnxTensorData.Strings s:
                values = decoded == OnnxValueKind.Strings ? s.Values.Count : -1;
                break;
            default:
                return $"tensor '{Name}' holds data of an unknown kind";
        }
        if (values < 0) return $"tensor '{Name}' of type {DataTypeName} holds {Data.Kind}";
        if (values != count) return $"tensor '{Name}' has dims [{string.Join(",", Dims)}], {count} elements, but holds {values} values";
        return null;
    }
}

/// <summary>
/// A tensor's data: inline values, a span of the weights blob (little-endian float32, for FLOAT tensors of more than
/// <see cref="OnnxTensorData.InlineLimit"/> elements), or a reference to external data.
/// </summary>
internal abstract record OnnxTensorData
{
    /// <summary>FLOAT tensors of more elements than this go to the weights blob.</summary>
    public const int InlineLimit = 64;

    public abstract string Kind { get; }

    public sealed record Floats(OnnxArray<float> Values) : OnnxTensorData
    {
        public override string Kind => "floats";
    }

    public sealed record Doubles(OnnxArray<double> Values) : OnnxTensorData
    {
        public override string Kind => "doubles";
    }

    /// <summary>Integer and BOOL values (UINT64 as the long with the same bits).</summary>
    public sealed record Ints(OnnxArray<long> Values) : OnnxTensorData
    {
        public override string Kind => "ints";
    }

    public sealed record Strings(OnnxArray<string> Values) : OnnxTensorData
    {
        public override string Kind => "strings";
    }

    /// <summary>raw_data of a type the readers do not decode (complex, 8- and 4-bit types), as the file holds it.</summary>
    public sealed record Bytes(OnnxArray<byte> Values) : OnnxTensorData
    {
        public override string Kind => "bytes";
    }

    /// <summary><paramref name="Length"/> bytes at <paramref name="Offset"/> (a multiple of 4) of the weights blob.</summary>
    public sealed record Blob(long Offset, long Length) : OnnxTensorData
    {
        public override string Kind => "blob";
    }

    /// <summary>data_location EXTERNAL: the external_data entries (location, offset, length, checksum) as the file gives them.</summary>
    public sealed record External(OnnxArray<OnnxEntry> Entries) : OnnxTensorData
    {
        public override string Kind => "external";
    }
}

/// <summary>StringStringEntryProto.</summary>
internal sealed record OnnxEntry(string Key, string Value);
