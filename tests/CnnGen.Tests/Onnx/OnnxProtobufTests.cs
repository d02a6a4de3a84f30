using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Build;
using CnnGen.Onnx;
using Xunit;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// OnnxProtobuf reads ONNX's protobuf files: the repository's PyTorch exports as the onnx package reads them, and
/// hand-built messages for each encoding onnx.proto allows (packed and unpacked repeated fields, unknown fields of every
/// wire type, attributes without a type, every decoded data type) and the weights blob's layout.
/// </summary>
public sealed class OnnxProtobufTests
{
    // ---- the repository's files ----

    [Theory]
    [MemberData(nameof(OnnxFiles.RepositoryModelData), MemberType = typeof(OnnxFiles))]
    public void EveryOnnxFileOfTheRepositoryReadsAndItsTextReadsBackEqual(string file)
    {
        var result = OnnxFiles.ReadModel(OnnxFiles.ReadRepositoryFile(file), file);
        Assert.Equal(result.Model, OnnxFiles.RoundTrip(result.Model!, file));
    }

    [OnnxPythonTheory]
    [MemberData(nameof(OnnxFiles.RepositoryModelData), MemberType = typeof(OnnxFiles))]
    public void EveryOnnxFileOfTheRepositoryReadsAsTheOnnxPackageReadsIt(string file)
    {
        // the whole model: every name, attribute and dim, and a hash of every tensor's values (OnnxCanonical, onnx_dump.py)
        var result = OnnxFiles.ReadModel(OnnxFiles.ReadRepositoryFile(file), file);
        string expected = OnnxCanonical.Python(new[] { System.IO.Path.Combine(OnnxFiles.RepositoryRoot(), file) })[0];
        string actual = OnnxCanonical.Model(result.Model!, result.Weights);
        Assert.True(expected == actual, $"onnx:   {OnnxTestDataTests.Around(expected, actual)}\nCnnGen: {OnnxTestDataTests.Around(actual, expected)}");
    }

    [Fact]
    public void TheRepositoryHasItsOnnxFixtures()
    {
        var files = OnnxFiles.RepositoryModels();
        Assert.Contains("tests/fixtures/LeNet5.onnx", files);
        Assert.Contains("benchmarks/CnnGen.Benchmarks/fixtures/UNetSmall.onnx", files);
        Assert.True(files.Count >= 13, string.Join(", ", files));
    }

    [Fact]
    public void LeNet5ReadsAsTheOnnxPackagePrintsIt()
    {
        // /usr/bin/python3 -c 'import onnx; m = onnx.load("tests/fixtures/LeNet5.onnx"); print(m.graph.input[0], m.graph.node[0])'
        var result = OnnxFiles.ReadModel(OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx"), "LeNet5");
        var model = result.Model!;
        Assert.Equal(7, model.IrVersion);
        Assert.Equal(("pytorch", "1.13.0"), (model.ProducerName, model.ProducerVersion));
        Assert.Equal(OnnxArray.Of(new OnnxOpset("", 13)), model.Opsets);
        Assert.Equal(13, model.OpsetVersion("ai.onnx"));

        var graph = model.Graph;
        Assert.Equal("torch_jit", graph.Name);
        Assert.Equal(OnnxValueInfo.Tensor("input", OnnxDataType.Float, OnnxDim.Symbolic("batch"), OnnxDim.Fixed(1), OnnxDim.Fixed(28), OnnxDim.Fixed(28)), graph.Inputs.Single());
        Assert.Equal(OnnxValueInfo.Tensor("output", OnnxDataType.Float, OnnxDim.Symbolic("batch"), OnnxDim.Fixed(10)), graph.Outputs.Single());
        Assert.Equal(12, graph.Nodes.Count);
        Assert.Equal(new[] { "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias" }, graph.Initializers.Select(t => t.Name));

        var conv = graph.Nodes[0];
        Assert.Equal(new OnnxNode("/0/Conv", "Conv", "", OnnxArray.Of("input", "0.weight", "0.bias"), OnnxArray.Of("/0/Conv_output_0"), OnnxArray.Of<OnnxAttribute>(
            new OnnxAttribute.Ints("dilations", OnnxArray.Of(1L, 1L)),
            new OnnxAttribute.Int("group", 1),
            new OnnxAttribute.Ints("kernel_shape", OnnxArray.Of(5L, 5L)),
            new OnnxAttribute.Ints("pads", OnnxArray.Of(2L, 2L, 2L, 2L)),
            new OnnxAttribute.Ints("strides", OnnxArray.Of(1L, 1L)))), conv);
        Assert.Equal(new OnnxAttribute.Ints("kernel_shape", OnnxArray.Of(5L, 5L)), conv.Attribute("kernel_shape"));
        Assert.Null(conv.Attribute("auto_pad"));
        Assert.Equal(new[] { "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm" }, graph.Nodes.Select(n => n.OpType));

        // 0.weight: 150 floats, in the blob; 0.bias: 6, inline; both PyTorch's state_dict values (LeNet5.params.f32)
        var parameters = Support.FixtureFiles.ReadFloats("LeNet5.params.f32");
        var weight = graph.Initializers[0];
        Assert.Equal(OnnxArray.Of(6L, 1L, 5L, 5L), weight.Dims);
        Assert.Equal(("FLOAT", OnnxDataType.Float), (weight.DataTypeName, weight.DataType));
        Assert.Equal(new OnnxTensorData.Blob(0, 600), weight.Data);
        Assert.Equal(parameters.Take(150), OnnxFiles.BlobFloats(result.Weights, (OnnxTensorData.Blob)weight.Data));
        Assert.Equal(-0.11498971f, OnnxFiles.BlobFloats(result.Weights, (OnnxTensorData.Blob)weight.Data)[0]);
        var bias = graph.Initializers[1];
        Assert.Equal(new OnnxTensorData.Floats(new OnnxArray<float>(parameters.Skip(150).Take(6))), bias.Data);
    }

    [Fact]
    public void TheWeightsBlobHoldsEveryLargeFloatTensorOnceAlignedAndInFileOrderAndNothingElse()
    {
        foreach (var file in OnnxFiles.RepositoryModels())
        {
            var result = OnnxFiles.ReadModel(OnnxFiles.ReadRepositoryFile(file), file);
            long end = 0;
            foreach (var tensor in Tensors(result.Model!.Graph))
            {
                if (tensor.DataType == OnnxDataType.Float && tensor.ElementCount > OnnxTensorData.InlineLimit)
                {
                    var blob = Assert.IsType<OnnxTensorData.Blob>(tensor.Data);
                    Assert.Equal(0, blob.Offset % 4);
                    Assert.InRange(blob.Offset, end, end + 3);
                    Assert.Equal(tensor.ElementCount * 4, blob.Length);
                    end = blob.Offset + blob.Length;
                }
                else
                {
                    Assert.IsNotType<OnnxTensorData.Blob>(tensor.Data);
                }
            }
            Assert.Equal(end, result.Weights.Length);
            // the text form names tensors and prints only the small ones: about a line per node and initializer, never a weight's data
            var graph = result.Model.Graph;
            int limit = 16 * 1024 + 512 * (graph.Nodes.Count + graph.Initializers.Count);
            Assert.True(OnnxText.Write(result.Model).Length < limit, $"{file}: the text form should be small (under {limit} characters), not {OnnxText.Write(result.Model).Length}");
        }
    }

    /// <summary>A graph's tensors in file order when PyTorch wrote it (nodes, then initializers): Constant values first.</summary>
    private static IEnumerable<OnnxTensor> Tensors(OnnxGraph graph) =>
        graph.Nodes.SelectMany(n => n.Attributes).SelectMany(a => a switch
        {
            OnnxAttribute.Tensor t => new[] { t.Value },
            OnnxAttribute.Tensors ts => ts.Values.ToArray(),
            OnnxAttribute.Graph g => Tensors(g.Value).ToArray(),
            _ => Array.Empty<OnnxTensor>(),
        }).Concat(graph.Initializers);

    // ---- hand-built messages ----

    private static OnnxModel Read(Proto model)
    {
        var result = OnnxProtobuf.Read(model.ToArray());
        Assert.True(result.Succeeded, result.Error);
        return result.Model!;
    }

    private static string Error(byte[] bytes)
    {
        var result = OnnxProtobuf.Read(bytes);
        Assert.False(result.Succeeded, "the file should not read");
        Assert.DoesNotContain("internal error", result.Error);
        return result.Error!;
    }

    private static OnnxTensor ReadTensor(Proto tensor)
    {
        var result = OnnxProtobuf.ReadTensor(tensor.ToArray());
        Assert.True(result.Succeeded, result.Error);
        return result.Tensor!;
    }

    [Fact]
    public void PackedAndUnpackedRepeatedFieldsReadAlike()
    {
        // AttributeProto: name 1, floats 7, ints 8, type 20; TensorProto: dims 1, data_type 2, float_data 4, int64_data 7, name 8
        var packed = Proto.Graph("g", Proto.Node("Op", new[] { "x" }, new[] { "y" },
            new Proto().String(1, "fs").PackedFloats(7, 1.5f, -2f).Int(20, 6),
            new Proto().String(1, "is").PackedInts(8, 3, -4).Int(20, 7),
            new Proto().String(1, "t").Message(5, new Proto().PackedInts(1, 2).Int(2, 1).PackedFloats(4, 0.25f, 8f).String(8, "w")).Int(20, 4),
            new Proto().String(1, "l").Message(5, new Proto().PackedInts(1, 2).Int(2, 7).PackedInts(7, -1, long.MaxValue).String(8, "v")).Int(20, 4)));
        var unpacked = Proto.Graph("g", Proto.Node("Op", new[] { "x" }, new[] { "y" },
            new Proto().String(1, "fs").Float(7, 1.5f).Float(7, -2f).Int(20, 6),
            new Proto().String(1, "is").Int(8, 3).Int(8, -4).Int(20, 7),
            new Proto().String(1, "t").Message(5, new Proto().Int(1, 2).Int(2, 1).Float(4, 0.25f).Float(4, 8f).String(8, "w")).Int(20, 4),
            // a packed run and single values mixed in one field, as protobuf allows
            new Proto().String(1, "l").Message(5, new Proto().Int(1, 2).Int(2, 7).Int(7, -1).PackedInts(7, long.MaxValue).String(8, "v")).Int(20, 4)));

        var a = Read(Proto.Model(packed));
        Assert.Equal(a, Read(Proto.Model(unpacked)));
        var node = a.Graph.Nodes.Single();
        Assert.Equal(new OnnxAttribute.Floats("fs", OnnxArray.Of(1.5f, -2f)), node.Attributes[0]);
        Assert.Equal(new OnnxAttribute.Ints("is", OnnxArray.Of(3L, -4L)), node.Attributes[1]);
        Assert.Equal(new OnnxTensor("w", OnnxDataType.Float, OnnxArray.Of(2L), new OnnxTensorData.Floats(OnnxArray.Of(0.25f, 8f))), ((OnnxAttribute.Tensor)node.Attributes[2]).Value);
        Assert.Equal(new OnnxTensorData.Ints(OnnxArray.Of(-1L, long.MaxValue)), ((OnnxAttribute.Tensor)node.Attributes[3]).Value.Data);
    }

    [Fact]
    public void UnknownFieldsOfEveryWireTypeAreSkippedInEveryMessage()
    {
        static Proto Junk(Proto p) => p.Int(1000, 7).Double(1001, 1.0).String(1002, "junk").Fixed(1003, 9)
            .Group(1004, new Proto().Int(1, 5).Group(2, new Proto().String(3, "nested")));
        var plain = Proto.Model(Proto.Graph("g", Proto.Node("Relu", new[] { "x" }, new[] { "y" })).Message(11, Proto.TensorValue("x", 1, 2L, "n")));
        var junk = Junk(new Proto()).Int(1, 8).String(2, "hand")
            .Message(7, Junk(Proto.Graph("g", Junk(Proto.Node("Relu", new[] { "x" }, new[] { "y" })))).Message(11, Junk(Proto.TensorValue("x", 1, 2L, "n"))))
            .Message(8, Junk(new Proto().String(1, "").Int(2, 13)));
        Assert.Equal(Read(plain), Read(junk));
    }

    [Fact]
    public void AnAttributeWithoutATypeFieldHasTheTypeOfItsOneValueAsInIrVersion1()
    {
        var model = Read(Proto.Model(Proto.Graph("g", Proto.Node("Op", Array.Empty<string>(), new[] { "y" },
            new Proto().String(1, "alpha").Float(2, 0.5f),
            new Proto().String(1, "axis").Int(3, -1),
            new Proto().String(1, "mode").String(4, "constant"),
            new Proto().String(1, "pads").PackedInts(8, 1, 2),
            new Proto().String(1, "empty")))));
        Assert.Equal(OnnxArray.Of<OnnxAttribute>(
            new OnnxAttribute.Float("alpha", 0.5f),
            new OnnxAttribute.Int("axis", -1),
            new OnnxAttribute.String("mode", "constant"),
            new OnnxAttribute.Ints("pads", OnnxArray.Of(1L, 2L)),
            new OnnxAttribute.Unsupported("empty", OnnxAttributeType.Undefined)), model.Graph.Nodes[0].Attributes);

        string error = Error(Proto.Model(Proto.Graph("g", Proto.Node("Op", Array.Empty<string>(), new[] { "y" },
            new Proto().String(1, "two").Float(2, 0.5f).Int(3, 1)))).ToArray());
        Assert.Contains("attribute 'two' has no type and values of two types (FLOAT and INT)", error);
    }

    [Fact]
    public void TheTypeFieldChoosesTheValueAndAnEmptyListIsAList()
    {
        var model = Read(Proto.Model(Proto.Graph("g", Proto.Node("Op", Array.Empty<string>(), new[] { "y" },
            new Proto().String(1, "pads").Int(20, 7),
            new Proto().String(1, "zero").Int(20, 1),
            new Proto().String(1, "sparse").Message(22, new Proto()).Int(20, 11),
            new Proto().String(1, "types").Message(15, new Proto()).Int(20, 14)))));
        Assert.Equal(OnnxArray.Of<OnnxAttribute>(
            new OnnxAttribute.Ints("pads", OnnxArray<long>.Empty),
            new OnnxAttribute.Float("zero", 0),
            new OnnxAttribute.Unsupported("sparse", OnnxAttributeType.SparseTensor),
            new OnnxAttribute.Unsupported("types", OnnxAttributeType.TypeProtos)), model.Graph.Nodes[0].Attributes);
        Assert.Contains("attribute 'g' of type GRAPH has no graph", Error(Proto.Model(Proto.Graph("g", Proto.Node("If", new[] { "c" }, new[] { "y" }, new Proto().String(1, "g").Int(20, 5)))).ToArray()));
    }

    [Fact]
    public void SubgraphsAreKeptWithTheirNodes()
    {
        var body = Proto.Graph("then", Proto.Node("Constant", Array.Empty<string>(), new[] { "one" },
            new Proto().String(1, "value").Message(5, Proto.FloatTensor("", new long[] { 1 }, new[] { 1f })).Int(20, 4)));
        var model = Read(Proto.Model(Proto.Graph("main", Proto.Node("If", new[] { "c" }, new[] { "y" },
            new Proto().String(1, "then_branch").Message(6, body).Int(20, 5),
            new Proto().String(1, "branches").Message(11, body).Message(11, body).Int(20, 10)))));
        var attributes = model.Graph.Nodes[0].Attributes;
        var then = Assert.IsType<OnnxAttribute.Graph>(attributes[0]).Value;
        Assert.Equal("then", then.Name);
        Assert.Equal("Constant", then.Nodes.Single().OpType);
        Assert.Equal(OnnxArray.Of(then, then), Assert.IsType<OnnxAttribute.Graphs>(attributes[1]).Values);
        Assert.Equal(model, OnnxFiles.RoundTrip(model, "If"));
    }

    [Fact]
    public void EveryDecodedDataTypeReadsFromRawDataLittleEndianAndFromItsTypedField()
    {
        // raw_data (9) and the typed fields: int32_data 5, int64_data 7, double_data 10, uint64_data 11, string_data 6
        (int Type, byte[] Raw, Proto Typed, OnnxTensorData Expected)[] cases =
        {
            (3, new byte[] { 0x80, 0xFF, 0x7F }, new Proto().PackedInts(5, -128, -1, 127), new OnnxTensorData.Ints(OnnxArray.Of(-128L, -1L, 127L))),                    // INT8
            (2, new byte[] { 0, 255, 7 }, new Proto().PackedInts(5, 0, 255, 7), new OnnxTensorData.Ints(OnnxArray.Of(0L, 255L, 7L))),                                     // UINT8
            (9, new byte[] { 1, 0, 1 }, new Proto().PackedInts(5, 1, 0, 1), new OnnxTensorData.Ints(OnnxArray.Of(1L, 0L, 1L))),                                           // BOOL
            (5, new byte[] { 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F }, new Proto().PackedInts(5, -32768, -1, 32767), new OnnxTensorData.Ints(OnnxArray.Of(-32768L, -1L, 32767L))), // INT16
            (4, new byte[] { 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F }, new Proto().PackedInts(5, 32768, 65535, 32767), new OnnxTensorData.Ints(OnnxArray.Of(32768L, 65535L, 32767L))), // UINT16
            (6, Bytes(int.MinValue, -1, int.MaxValue), new Proto().PackedInts(5, int.MinValue, -1, int.MaxValue), new OnnxTensorData.Ints(OnnxArray.Of((long)int.MinValue, -1L, int.MaxValue))), // INT32
            (12, Bytes(int.MinValue, -1, 5), new Proto().PackedInts(11, 2147483648, 4294967295, 5), new OnnxTensorData.Ints(OnnxArray.Of(2147483648L, 4294967295L, 5L))), // UINT32
            (7, Bytes(long.MinValue, -1L, long.MaxValue), new Proto().PackedInts(7, long.MinValue, -1, long.MaxValue), new OnnxTensorData.Ints(OnnxArray.Of(long.MinValue, -1L, long.MaxValue))), // INT64
            (13, Bytes(long.MinValue, -1L, 5L), new Proto().PackedInts(11, long.MinValue, -1, 5), new OnnxTensorData.Ints(OnnxArray.Of(long.MinValue, -1L, 5L))),      // UINT64: 2^63, 2^64-1 in a long's bits
            (1, Bytes(1.5f, -0f, float.NaN), new Proto().PackedFloats(4, 1.5f, -0f, float.NaN), new OnnxTensorData.Floats(OnnxArray.Of(1.5f, -0f, float.NaN))),           // FLOAT
            (11, Bytes(1.5, -0.0, double.Epsilon), new Proto().PackedDoubles(10, 1.5, -0.0, double.Epsilon), new OnnxTensorData.Doubles(OnnxArray.Of(1.5, -0.0, double.Epsilon))), // DOUBLE
            // FLOAT16: 1.0, -2.0, the smallest subnormal (2^-24), 65504, -inf; in int32_data as their 16 bits
            (10, new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0xFF, 0x7B, 0x00, 0xFC }, new Proto().PackedInts(5, 0x3C00, 0xC000, 0x0001, 0x7BFF, 0xFC00),
                new OnnxTensorData.Floats(OnnxArray.Of(1f, -2f, MathF.Pow(2, -24), 65504f, float.NegativeInfinity))),
            // BFLOAT16: the top 16 bits of a float32
            (16, new byte[] { 0x80, 0x3F, 0xC0, 0xFF, 0x80, 0x00, 0x00, 0x80, 0x49, 0x40 }, new Proto().PackedInts(5, 0x3F80, 0xFFC0, 0x0080, 0x8000, 0x4049),
                new OnnxTensorData.Floats(OnnxArray.Of(1f, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000)), BitConverter.Int32BitsToSingle(0x00800000), -0f, 3.140625f))),
        };
        foreach (var (type, raw, typed, expected) in cases)
        {
            long count = expected switch { OnnxTensorData.Floats f => f.Values.Count, OnnxTensorData.Doubles d => d.Values.Count, OnnxTensorData.Ints i => i.Values.Count, _ => 0 };
            var fromRaw = ReadTensor(Proto.RawTensor("t", type, new[] { count }, raw));
            Assert.Equal(new OnnxTensor("t", (OnnxDataType)type, fromRaw.Dims, expected), fromRaw);
            var fromTyped = ReadTensor(typed.PackedInts(1, fromRaw.Dims.ToArray()).Int(2, type).String(8, "t"));
            Assert.Equal(fromRaw, fromTyped);
        }
        Assert.Equal(new OnnxTensorData.Strings(OnnxArray.Of("a b", "", "é")), ReadTensor(new Proto().PackedInts(1, 3).Int(2, 8).String(6, "a b").String(6, "").String(6, "é")).Data);
    }

    [Fact]
    public void HalfFloatsConvertExactlyForEveryBitPattern()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            float actual = ReadHalf(bits);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual) && (BitConverter.SingleToInt32Bits(actual) & 0x1FFF) == 0, $"{bits:X4}");
            else Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{bits:X4}: {expected} but {actual}");
        }

        static float ReadHalf(int bits)
        {
            var data = ((OnnxTensorData.Floats)OnnxProtobuf.ReadTensor(Proto.RawTensor("h", 10, new long[] { 1 }, new[] { (byte)bits, (byte)(bits >> 8) }).ToArray()).Tensor!.Data).Values;
            return data[0];
        }
    }

    [Fact]
    public void TypesNotDecodedKeepTheirBytesOrTypedValuesAndExternalDataIsRecorded()
    {
        Assert.Equal(new OnnxTensorData.Bytes(OnnxArray.Of<byte>(1, 2, 3, 4, 5, 6, 7, 8)), ReadTensor(Proto.RawTensor("c", 14, new long[] { 1 }, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })).Data);
        Assert.Equal(new OnnxTensorData.Floats(OnnxArray.Of(1f, 2f)), ReadTensor(new Proto().PackedInts(1, 1).Int(2, 14).PackedFloats(4, 1f, 2f)).Data);
        Assert.Equal(new OnnxTensorData.Ints(OnnxArray.Of(0x38L)), ReadTensor(new Proto().PackedInts(1, 1).Int(2, 17).PackedInts(5, 0x38)).Data);

        // external_data 13 (key 1, value 2), data_location 14 = EXTERNAL
        var external = ReadTensor(new Proto().PackedInts(1, 1000, 1000).Int(2, 1).String(8, "big")
            .Message(13, new Proto().String(1, "location").String(2, "weights.bin")).Message(13, new Proto().String(1, "offset").String(2, "4096")).Int(14, 1));
        Assert.Equal(new OnnxTensorData.External(OnnxArray.Of(new OnnxEntry("location", "weights.bin"), new OnnxEntry("offset", "4096"))), external.Data);
        Assert.Equal(1_000_000, external.ElementCount);
    }

    [Fact]
    public void ValueTypesOtherThanTensorsAreRecordedByKind()
    {
        // TypeProto: tensor_type 1, sequence_type 4, map_type 5, opaque_type 7, sparse_tensor_type 8, optional_type 9
        var graph = Proto.Graph("g")
            .Message(11, new Proto().String(1, "seq").Message(2, new Proto().Message(4, new Proto().Message(1, new Proto().Message(1, new Proto().Int(1, 1))))))
            .Message(11, new Proto().String(1, "map").Message(2, new Proto().Message(5, new Proto().Int(1, 8))))
            .Message(11, new Proto().String(1, "opt").Message(2, new Proto().Message(9, new Proto())))
            .Message(11, new Proto().String(1, "sparse").Message(2, new Proto().Message(8, new Proto().Int(1, 1).Message(2, new Proto().Message(1, new Proto().Int(1, 3))))))
            .Message(11, new Proto().String(1, "rankless").Message(2, new Proto().Message(1, new Proto().Int(1, 7))))
            .Message(11, new Proto().String(1, "unknown dim").Message(2, new Proto().Message(1, new Proto().Int(1, 1).Message(2, new Proto().Message(1, new Proto())))))
            .Message(12, new Proto().String(1, "untyped"));
        var g = Read(Proto.Model(graph)).Graph;
        Assert.Equal(OnnxArray.Of(
            new OnnxValueInfo("seq", OnnxTypeKind.Sequence, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty),
            new OnnxValueInfo("map", OnnxTypeKind.Map, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty),
            new OnnxValueInfo("opt", OnnxTypeKind.Optional, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty),
            new OnnxValueInfo("sparse", OnnxTypeKind.SparseTensor, OnnxDataType.Float, true, OnnxArray.Of(OnnxDim.Fixed(3))),
            new OnnxValueInfo("rankless", OnnxTypeKind.Tensor, OnnxDataType.Int64, false, OnnxArray<OnnxDim>.Empty),
            OnnxValueInfo.Tensor("unknown dim", OnnxDataType.Float, OnnxDim.Unknown)), g.Inputs);
        Assert.Equal(new OnnxValueInfo("untyped", OnnxTypeKind.None, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty), g.Outputs.Single());
    }

    [Fact]
    public void FloatTensorsOfMoreThan64ElementsGoToTheBlobInFileOrderAndSmallerOnesStayInline()
    {
        float[] Values(int n, float start) => Enumerable.Range(0, n).Select(i => start + i).ToArray();
        // a Constant node's value (65 floats, as float_data) comes before the initializers in the file
        var graph = Proto.Graph("g", Proto.Node("Constant", Array.Empty<string>(), new[] { "c" },
                new Proto().String(1, "value").Message(5, new Proto().Int(1, 65).Int(2, 1).PackedFloats(4, Values(65, 1000)).String(8, "")).Int(20, 4)))
            .Message(5, Proto.FloatTensor("exactly64", new long[] { 8, 8 }, Values(64, 0)))
            .Message(5, Proto.FloatTensor("w", new long[] { 65 }, Values(65, 100)))
            .Message(5, Proto.RawTensor("i64", 7, new long[] { 100 }, new byte[800]))
            .Message(5, Proto.RawTensor("d", 11, new long[] { 100 }, new byte[800]));
        var result = OnnxProtobuf.Read(Proto.Model(graph).ToArray());
        Assert.True(result.Succeeded, result.Error);
        var g = result.Model!.Graph;

        var constant = ((OnnxAttribute.Tensor)g.Nodes[0].Attributes[0]).Value;
        Assert.Equal(new OnnxTensorData.Blob(0, 260), constant.Data);
        Assert.Equal(new OnnxTensorData.Floats(new OnnxArray<float>(Values(64, 0))), g.Initializers[0].Data);
        Assert.Equal(new OnnxTensorData.Blob(260, 260), g.Initializers[1].Data);
        Assert.IsType<OnnxTensorData.Ints>(g.Initializers[2].Data);
        Assert.IsType<OnnxTensorData.Doubles>(g.Initializers[3].Data);
        Assert.Equal(520, result.Weights.Length);
        Assert.Equal(Values(65, 1000), OnnxFiles.BlobFloats(result.Weights, new OnnxTensorData.Blob(0, 260)));
        Assert.Equal(Values(65, 100), OnnxFiles.BlobFloats(result.Weights, new OnnxTensorData.Blob(260, 260)));

        // ReadTensor keeps everything inline
        Assert.Equal(new OnnxTensorData.Floats(new OnnxArray<float>(Values(65, 100))), ReadTensor(Proto.FloatTensor("w", new long[] { 65 }, Values(65, 100))).Data);
    }

    [Fact]
    public void DataThatDoesNotFillTheDimsIsAnError()
    {
        Assert.Contains("tensor 'w' has dims of 6 elements but 5 values of raw_data", Error(Proto.Model(Proto.Graph("g").Message(5, Proto.FloatTensor("w", new long[] { 2, 3 }, new float[5]))).ToArray()));
        Assert.Contains("has 10 bytes of raw_data, not a multiple of 4", Error(Proto.Model(Proto.Graph("g").Message(5, Proto.RawTensor("w", 1, new long[] { 2 }, new byte[10]))).ToArray()));
        Assert.Contains("tensor 'w' has dims [2,3], 6 elements, but holds 1 values", Error(Proto.Model(Proto.Graph("g").Message(5, new Proto().PackedInts(1, 2, 3).Int(2, 1).Float(4, 1).String(8, "w"))).ToArray()));
        Assert.Contains("a negative dim or more than 2^62 elements", Error(Proto.Model(Proto.Graph("g").Message(5, new Proto().PackedInts(1, 1L << 40, 1L << 40).Int(2, 1).String(8, "w"))).ToArray()));
        Assert.Contains("a negative dim", Error(Proto.Model(Proto.Graph("g").Message(5, new Proto().PackedInts(1, -1).Int(2, 7).String(8, "w"))).ToArray()));
        Assert.Contains("of type STRING has raw_data", Error(Proto.Model(Proto.Graph("g").Message(5, Proto.RawTensor("w", 8, new long[] { 1 }, new byte[1]))).ToArray()));
        // a scalar holds one value; a tensor with a zero dim none
        Assert.Equal(new OnnxTensorData.Floats(OnnxArray<float>.Empty), ReadTensor(Proto.RawTensor("e", 1, new long[] { 3, 0 }, Array.Empty<byte>())).Data);
        Assert.Equal(new OnnxTensorData.Ints(OnnxArray.Of(42L)), ReadTensor(new Proto().Int(2, 7).PackedInts(7, 42)).Data);
    }

    [Fact]
    public void ErrorsNameTheByteOffsetAndTheFieldPath()
    {
        var bad = Proto.Model(Proto.Graph("g", Proto.Node("Relu", new[] { "x" }, new[] { "y" }), Proto.Node("Conv", new[] { "y" }, new[] { "z" },
            new Proto().String(1, "pads").Message(5, Proto.FloatTensor("p", new long[] { 3 }, new float[2])).Int(20, 4)))).ToArray();
        string error = Error(bad);
        Assert.Matches(@"^at byte \d+ \(graph\.node\[1\]\.attribute\[0\]\.t\): tensor 'p' has dims of 3 elements but 2 values of raw_data$", error);
        Assert.Equal("at byte 5: the file holds no graph: is it an ONNX model (a ModelProto)?", Error(new Proto().Int(1, 8).String(2, "x").ToArray()));
    }

    private static byte[] Bytes(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Bytes(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Bytes(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Bytes(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
