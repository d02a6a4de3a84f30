using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using CnnGen.Onnx;
using Xunit;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// OnnxText, the text form of an ONNX model that the generator reads: its grammar by example, exact round trips of any
/// string and any float, and errors with line numbers (never an exception) for malformed text.
/// </summary>
public sealed class OnnxTextTests
{
    // The grammar by example: every kind of line, as Write prints it.
    private const string Example = """
        cnngen-onnx 1
        model 8 pytorch 2.1.0
        opset ~ 17
        opset com.microsoft 1
        graph main%20graph
        input x tensor FLOAT 4 $batch 3 ? 32
        input s sequence
        output y tensor FLOAT *
        value h tensor INT64 0
        init w FLOAT 2 2 2 floats 4 1 -0.5 x7fc00001 1E-45
        init big FLOAT 2 10 10 blob 0 400
        init shape INT64 1 2 ints 2 -1 10
        init far FLOAT 1 1000 external 2 location w.bin offset 0
        init names STRING 1 2 strings 2 caf%C3%A9 ~
        init c64 COMPLEX64 1 1 bytes 8 0000803f00000040
        node conv Conv ~ 3 x w ~ 1 h
        attr pads ints 4 1 1 1 1
        attr alpha f 0.1
        attr mode s constant
        attr labels strings 2 a%20b ~
        attr scales floats 2 x7f800000 x80000000
        attr type_info unsupported 13
        node ~ If ~ 1 c 1 y
        attr then_branch g
        graph then
        output y tensor FLOAT 0
        node ~ Constant ~ 0 1 y
        attr value t ~ DOUBLE 0 doubles 1 0.1
        end
        attr consts tensors 1
        tensor k INT8 0 ints 1 -3
        end

        """;

    private static OnnxModel ExampleModel()
    {
        var then = new OnnxGraph("then", OnnxArray<OnnxValueInfo>.Empty, OnnxArray.Of(OnnxValueInfo.Tensor("y", OnnxDataType.Float)), OnnxArray<OnnxTensor>.Empty,
            OnnxArray.Of(new OnnxNode("", "Constant", "", OnnxArray<string>.Empty, OnnxArray.Of("y"), OnnxArray.Of<OnnxAttribute>(
                new OnnxAttribute.Tensor("value", new OnnxTensor("", OnnxDataType.Double, OnnxArray<long>.Empty, new OnnxTensorData.Doubles(OnnxArray.Of(0.1))))))),
            OnnxArray<OnnxValueInfo>.Empty);
        var graph = new OnnxGraph(
            "main graph",
            OnnxArray.Of(
                OnnxValueInfo.Tensor("x", OnnxDataType.Float, OnnxDim.Symbolic("batch"), OnnxDim.Fixed(3), OnnxDim.Unknown, OnnxDim.Fixed(32)),
                new OnnxValueInfo("s", OnnxTypeKind.Sequence, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty)),
            OnnxArray.Of(new OnnxValueInfo("y", OnnxTypeKind.Tensor, OnnxDataType.Float, false, OnnxArray<OnnxDim>.Empty)),
            OnnxArray.Of(
                new OnnxTensor("w", OnnxDataType.Float, OnnxArray.Of(2L, 2L), new OnnxTensorData.Floats(OnnxArray.Of(1f, -0.5f, BitConverter.Int32BitsToSingle(0x7fc00001), float.Epsilon))),
                new OnnxTensor("big", OnnxDataType.Float, OnnxArray.Of(10L, 10L), new OnnxTensorData.Blob(0, 400)),
                new OnnxTensor("shape", OnnxDataType.Int64, OnnxArray.Of(2L), new OnnxTensorData.Ints(OnnxArray.Of(-1L, 10L))),
                new OnnxTensor("far", OnnxDataType.Float, OnnxArray.Of(1000L), new OnnxTensorData.External(OnnxArray.Of(new OnnxEntry("location", "w.bin"), new OnnxEntry("offset", "0")))),
                new OnnxTensor("names", OnnxDataType.String, OnnxArray.Of(2L), new OnnxTensorData.Strings(OnnxArray.Of("café", ""))),
                new OnnxTensor("c64", OnnxDataType.Complex64, OnnxArray.Of(1L), new OnnxTensorData.Bytes(OnnxArray.Of<byte>(0, 0, 0x80, 0x3f, 0, 0, 0, 0x40)))),
            OnnxArray.Of(
                new OnnxNode("conv", "Conv", "", OnnxArray.Of("x", "w", ""), OnnxArray.Of("h"), OnnxArray.Of<OnnxAttribute>(
                    new OnnxAttribute.Ints("pads", OnnxArray.Of(1L, 1L, 1L, 1L)),
                    new OnnxAttribute.Float("alpha", 0.1f),
                    new OnnxAttribute.String("mode", "constant"),
                    new OnnxAttribute.Strings("labels", OnnxArray.Of("a b", "")),
                    new OnnxAttribute.Floats("scales", OnnxArray.Of(float.PositiveInfinity, -0f)),
                    new OnnxAttribute.Unsupported("type_info", OnnxAttributeType.TypeProto))),
                new OnnxNode("", "If", "", OnnxArray.Of("c"), OnnxArray.Of("y"), OnnxArray.Of<OnnxAttribute>(
                    new OnnxAttribute.Graph("then_branch", then),
                    new OnnxAttribute.Tensors("consts", OnnxArray.Of(new OnnxTensor("k", OnnxDataType.Int8, OnnxArray<long>.Empty, new OnnxTensorData.Ints(OnnxArray.Of(-3L)))))))),
            OnnxArray.Of(OnnxValueInfo.Tensor("h", OnnxDataType.Int64)));
        return new OnnxModel(8, "pytorch", "2.1.0", OnnxArray.Of(new OnnxOpset("", 17), new OnnxOpset("com.microsoft", 1)), graph);
    }

    [Fact]
    public void TheExampleReadsAsItsModel()
    {
        var result = OnnxText.Read(Example);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(ExampleModel(), result.Model);
    }

    [Fact]
    public void WritePrintsTheExample() => Assert.Equal(Example, OnnxText.Write(ExampleModel()));

    [Fact]
    public void WindowsLineEndingsAndNoFinalNewlineReadTheSame()
    {
        Assert.Equal(ExampleModel(), OnnxText.Read(Example.Replace("\n", "\r\n")).Model);
        Assert.Equal(ExampleModel(), OnnxText.Read(Example.TrimEnd('\n')).Model);
    }

    // ---- strings ----

    public static TheoryData<string, string> Escapes => new()
    {
        { "", "~" },
        { "onnx::Conv_12", "onnx::Conv_12" },
        { "/layer1/0/conv1/Conv_output_0", "/layer1/0/conv1/Conv_output_0" },
        { "a b", "a%20b" },
        { "~", "%7E" },
        { "%41", "%2541" },
        { "$x", "%24x" },
        { "line\nbreak\r", "line%0Abreak%0D" },
        { "\0", "%00" },
        { "é", "%C3%A9" },
        { "日本", "%E6%97%A5%E6%9C%AC" },
        { "😀", "%F0%9F%98%80" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void AStringIsOneTokenOfPlainCharactersAndEscapedUtf8Bytes(string value, string token)
    {
        var text = new StringBuilder();
        OnnxText.AppendString(text, value);
        Assert.Equal(token, text.ToString());
        var model = ModelWithStrings(value);
        Assert.Equal(model, OnnxFiles.RoundTrip(model, token));
    }

    [Fact]
    public void ALoneSurrogateHasNoUtf8AndIsEscapedAsItsCodeUnit()
    {
        // not theory data: xunit's serialization of test cases turns lone surrogates into U+FFFD
        foreach (var (value, token) in new[] { ("\ud800", "%uD800"), ("x\udc00\ud800", "x%uDC00%uD800"), ("\udbff\udfff\udfff", "%F4%8F%BF%BF%uDFFF") })
        {
            var text = new StringBuilder();
            OnnxText.AppendString(text, value);
            Assert.Equal(token, text.ToString());
            var model = ModelWithStrings(value);
            Assert.Equal(model, OnnxFiles.RoundTrip(model, token));
        }
    }

    [Fact]
    public void AnyStringRoundTrips()
    {
        var random = new Random(20261201);
        for (int i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 12)];
            for (int c = 0; c < chars.Length; c++)
                chars[c] = random.Next(4) switch { 0 => (char)random.Next(0, 128), 1 => (char)random.Next(0xD800, 0xE000), 2 => (char)random.Next(0, 0x10000), _ => ' ' };
            var model = ModelWithStrings(new string(chars));
            Assert.Equal(model, OnnxFiles.RoundTrip(model, $"case {i}"));
        }
    }

    /// <summary>The string in every place a string goes.</summary>
    private static OnnxModel ModelWithStrings(string s)
    {
        var tensor = new OnnxTensor(s, OnnxDataType.String, OnnxArray.Of(2L), new OnnxTensorData.Strings(OnnxArray.Of(s, s)));
        var node = new OnnxNode(s, s, s, OnnxArray.Of(s, s), OnnxArray.Of(s), OnnxArray.Of<OnnxAttribute>(
            new OnnxAttribute.String(s, s), new OnnxAttribute.Strings(s, OnnxArray.Of(s, s)), new OnnxAttribute.Tensor(s, tensor)));
        var graph = new OnnxGraph(s, OnnxArray.Of(OnnxValueInfo.Tensor(s, OnnxDataType.Float, OnnxDim.Symbolic(s))), OnnxArray<OnnxValueInfo>.Empty,
            OnnxArray.Of(new OnnxTensor(s, OnnxDataType.Float, OnnxArray<long>.Empty, new OnnxTensorData.External(OnnxArray.Of(new OnnxEntry(s, s))))), OnnxArray.Of(node), OnnxArray<OnnxValueInfo>.Empty);
        return new OnnxModel(1, s, s, OnnxArray.Of(new OnnxOpset(s, 1)), graph);
    }

    // ---- numbers ----

    [Fact]
    public void FloatsRoundTripToTheBit()
    {
        var specials = new[]
        {
            0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN, BitConverter.Int32BitsToSingle(0x7fc00000),
            BitConverter.Int32BitsToSingle(0x7f800001), BitConverter.Int32BitsToSingle(0x7fffffff), BitConverter.Int32BitsToSingle(unchecked((int)0xffc00123)),
            BitConverter.Int32BitsToSingle(0x007fffff), 1e-38f, 0.1f, 1f / 3, 16777217f, 3.4028235e38f, 1.17549435e-38f,
        };
        var random = new Random(7);
        var floats = specials.Concat(Enumerable.Range(0, 100_000).Select(_ => BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)))).ToArray();
        var model = ModelWithFloats(floats);
        var back = OnnxFiles.RoundTrip(model, "floats");
        Assert.Equal(model, back);
        var values = ((OnnxTensorData.Floats)back.Graph.Initializers[0].Data).Values;
        for (int i = 0; i < floats.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(floats[i]) == BitConverter.SingleToInt32Bits(values[i]), $"{floats[i]:R} (0x{BitConverter.SingleToInt32Bits(floats[i]):x8}) read back as 0x{BitConverter.SingleToInt32Bits(values[i]):x8}");
        Assert.Equal(model.Graph.Nodes[0], back.Graph.Nodes[0]);
    }

    [Fact]
    public void DoublesRoundTripToTheBit()
    {
        var random = new Random(11);
        var doubles = new[] { 0.0, -0.0, double.Epsilon, double.MaxValue, double.NaN, BitConverter.Int64BitsToDouble(0x7ff8000000000000), double.PositiveInfinity, double.NegativeInfinity, 0.1, 1.0 / 3 }
            .Concat(Enumerable.Range(0, 20_000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64() ^ (random.NextInt64(2) << 63)))).ToArray();
        var tensor = new OnnxTensor("d", OnnxDataType.Double, OnnxArray.Of((long)doubles.Length), new OnnxTensorData.Doubles(new OnnxArray<double>(doubles)));
        var model = new OnnxModel(8, "", "", OnnxArray<OnnxOpset>.Empty, new OnnxGraph("", OnnxArray<OnnxValueInfo>.Empty, OnnxArray<OnnxValueInfo>.Empty, OnnxArray.Of(tensor), OnnxArray<OnnxNode>.Empty, OnnxArray<OnnxValueInfo>.Empty));
        var back = ((OnnxTensorData.Doubles)OnnxFiles.RoundTrip(model, "doubles").Graph.Initializers[0].Data).Values;
        for (int i = 0; i < doubles.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(doubles[i]) == BitConverter.DoubleToInt64Bits(back[i]), $"{doubles[i]:R} read back as {back[i]:R}");
    }

    [Fact]
    public void EqualityIsByBitsSoTheRoundTripTestsMeanSomething()
    {
        Assert.NotEqual(OnnxArray.Of(0f), OnnxArray.Of(-0f));
        Assert.Equal(OnnxArray.Of(float.NaN), OnnxArray.Of(float.NaN));
        Assert.NotEqual(OnnxArray.Of(float.NaN), OnnxArray.Of(BitConverter.Int32BitsToSingle(0x7fc00000)));
        Assert.NotEqual(new OnnxAttribute.Float("a", 0f), new OnnxAttribute.Float("a", -0f));
        Assert.Equal(new OnnxAttribute.Float("a", float.NaN), new OnnxAttribute.Float("a", float.NaN));
        Assert.NotEqual(OnnxArray.Of(0.0), OnnxArray.Of(-0.0));
        Assert.Equal(ExampleModel(), ExampleModel());
        Assert.Equal(ExampleModel().GetHashCode(), ExampleModel().GetHashCode());
        Assert.NotEqual(ExampleModel(), ExampleModel() with { ProducerVersion = "2.1.1" });
    }

    private static OnnxModel ModelWithFloats(float[] floats)
    {
        var tensor = new OnnxTensor("f", OnnxDataType.Float, OnnxArray.Of((long)floats.Length), new OnnxTensorData.Floats(new OnnxArray<float>(floats)));
        var node = new OnnxNode("n", "Op", "", OnnxArray<string>.Empty, OnnxArray<string>.Empty,
            new OnnxArray<OnnxAttribute>(floats.Take(50).Select((f, i) => (OnnxAttribute)new OnnxAttribute.Float("a" + i, f)).Append(new OnnxAttribute.Floats("all", new OnnxArray<float>(floats.Take(50))))));
        return new OnnxModel(8, "", "", OnnxArray<OnnxOpset>.Empty, new OnnxGraph("", OnnxArray<OnnxValueInfo>.Empty, OnnxArray<OnnxValueInfo>.Empty, OnnxArray.Of(tensor), OnnxArray.Of(node), OnnxArray<OnnxValueInfo>.Empty));
    }

    [Fact]
    public void IntsCoverTheInt64RangeWhateverTheCulture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // a culture whose minus sign is U+2212: the text must not depend on it
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("sv-SE");
            var ints = new[] { long.MinValue, long.MinValue + 1, -10, -1, 0, 1, 9, 10, long.MaxValue };
            var tensor = new OnnxTensor("i", OnnxDataType.Int64, OnnxArray.Of((long)ints.Length), new OnnxTensorData.Ints(new OnnxArray<long>(ints)));
            var model = new OnnxModel(long.MinValue, "", "", OnnxArray.Of(new OnnxOpset("", long.MaxValue)), new OnnxGraph("", OnnxArray<OnnxValueInfo>.Empty, OnnxArray<OnnxValueInfo>.Empty, OnnxArray.Of(tensor), OnnxArray<OnnxNode>.Empty, OnnxArray<OnnxValueInfo>.Empty));
            string text = OnnxText.Write(model);
            Assert.Contains("ints 9 -9223372036854775808 -9223372036854775807 -10 -1 0 1 9 10 9223372036854775807", text);
            Assert.Equal(model, OnnxFiles.RoundTrip(model, "ints"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    // ---- malformed text ----

    private const string Head = "cnngen-onnx 1\nmodel 8 p 1\ngraph g\n";

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "", 1, "the text is empty: it must start with 'cnngen-onnx 1'" },
        { "cnngen-onnx 2\nmodel 8 p 1\n", 1, "the text is in version '2' of the form; this reader knows 'cnngen-onnx 1'" },
        { "<?xml version=\"1.0\"?>", 1, "the text starts with '<?xml version=\"1.0\"?>', not 'cnngen-onnx 1'" },
        { "cnngen-onnx 1 \n", 1, "the text is in version '1 ' of the form" },
        { "cnngen-onnx 1\n", 2, "the text ends where the model line should be" },
        { "cnngen-onnx 1\ngraph g\nend\n", 2, "the second line must be the model line" },
        { "cnngen-onnx 1\nmodel eight p 1\n", 2, "'eight' is not an int64 (the IR version)" },
        { "cnngen-onnx 1\nmodel 8 p\n", 2, "the line ends where the producer version should be" },
        { "cnngen-onnx 1\nmodel 8 p 1 extra\n", 2, "unexpected 'extra' at the end of the line" },
        { "cnngen-onnx 1\nmodel 8 p 1\nopset ~\n", 3, "the line ends where the opset's version should be" },
        { "cnngen-onnx 1\nmodel 8 p 1\nopsets ~ 1\n", 3, "expected 'opset' or 'graph', not 'opsets'" },
        { "cnngen-onnx 1\nmodel 8 p 1\n", 3, "the text ends where the graph should be" },
        { Head, 4, "the text ends where the graph's 'end' should be" },
        { Head + "nodes n Relu ~ 1 x 1 y\nend\n", 4, "unknown line kind 'nodes' in a graph" },
        { Head + "attr a i 1\nend\n", 4, "an 'attr' line before any 'node' line of its graph" },
        { Head + "node n Relu ~ 2 x 1 y\nend\n", 4, "'y' is not an int64 (the node's output count)" },
        { Head + "node n Relu ~ 1 x\nend\n", 4, "the line ends where the node's output count should be" },
        { Head + "node n Relu ~ 1 x 1 y \nend\n", 4, "the line ends in a space" },
        { Head + "node n  Relu ~ 1 x 1 y\nend\n", 4, "two spaces where the node's op_type should be" },
        { Head + "node n Relu ~ 99999999999999999999 x\nend\n", 4, "'99999999999999999999' is not an int64 (the node's input count)" },
        { Head + "node n Relu ~ 9223372036854775807 x\nend\n", 4, "the node's input count is 9223372036854775807, but the line has room for" },
        { Head + "node n Relu ~ -1 x\nend\n", 4, "the node's input count is -1" },
        { Head + "node a%G1 Relu ~ 0 0\nend\n", 4, "'G' is not a hex digit" },
        { Head + "node a%4 Relu ~ 0 0\nend\n", 4, "'%' needs 2 hex digits in the node's name" },
        { Head + "node a%4f Relu ~ 0 0\nend\n", 4, "'f' is not a hex digit" },
        { Head + "node %uD80 Relu ~ 0 0\nend\n", 4, "'%u' needs 4 hex digits in the node's name" },
        { Head + "node %u0041 Relu ~ 0 0\nend\n", 4, "'%u0041' in the node's name is no surrogate" },
        { Head + "node %C3 Relu ~ 0 0\nend\n", 4, "the escaped bytes in the node's name are not UTF-8" },
        { Head + "node %C3x%A9 Relu ~ 0 0\nend\n", 4, "the escaped bytes in the node's name are not UTF-8" },
        { Head + "node %ED%A0%80 Relu ~ 0 0\nend\n", 4, "the escaped bytes in the node's name are not UTF-8" },
        { Head + "node a~b Relu ~ 0 0\nend\n", 4, "'~' must be escaped in the node's name" },
        { Head + "node é Relu ~ 0 0\nend\n", 4, "'U+00E9' must be escaped in the node's name" },
        { Head + "node a\tb Relu ~ 0 0\nend\n", 4, "'U+0009' must be escaped" },
        { Head + "node n Relu ~ 0 0\nattr a q 1\nend\n", 5, "unknown attribute kind 'q'" },
        { Head + "node n Relu ~ 0 0\nattr a f 1.2.3\nend\n", 5, "'1.2.3' is not a float" },
        { Head + "node n Relu ~ 0 0\nattr a f Infinity\nend\n", 5, "'Infinity' is not a float: a decimal or 'x' and the bits in hex" },
        { Head + "node n Relu ~ 0 0\nattr a f x7f80000\nend\n", 5, "'x7f80000' is not a float's 8 hex digits of bits" },
        { Head + "node n Relu ~ 0 0\nattr a i 1.5\nend\n", 5, "'1.5' is not an int64" },
        { Head + "node n Relu ~ 0 0\nattr a g\nnode m Relu ~ 0 0\nend\n", 6, "expected a 'graph' line for the attribute before it" },
        { Head + "node n Relu ~ 0 0\nattr a g\ngraph h\nend\n", 8, "the text ends where the graph's 'end' should be" },
        { Head + "node n Relu ~ 0 0\nattr a tensors 1\nnode m Relu ~ 0 0\nend\n", 6, "expected 'tensor' line 1 of 1 of attribute 'a'" },
        { Head + "node n Relu ~ 0 0\nattr a unsupported -1\nend\n", 5, "attribute type -1 is out of range" },
        { Head + "init w FLOAT32 0 floats 1 1\nend\n", 4, "unknown data type 'FLOAT32'" },
        { Head + "init w FLOAT 1 3 floats 2 1 2\nend\n", 4, "tensor 'w' has dims [3], 3 elements, but holds 2 values" },
        { Head + "init w FLOAT 1 3 ints 3 1 2 3\nend\n", 4, "tensor 'w' of type FLOAT holds ints" },
        { Head + "init w INT64 1 -3 ints 0\nend\n", 4, "a negative dim" },
        { Head + "init w FLOAT 1 200 blob 2 800\nend\n", 4, "the offset must be a multiple of 4" },
        { Head + "init w FLOAT 1 200 blob 0 80\nend\n", 4, "tensor 'w' has dims [200], 200 elements, but refers to 80 bytes of the weights" },
        { Head + "init w COMPLEX64 1 1 bytes 8 00\nend\n", 4, "8 bytes are not 2 hex digits" },
        { Head + "init w COMPLEX64 1 1 bytes 1 0g\nend\n", 4, "'g' is not a hex digit" },
        { Head + "init w FLOAT 0 pixels 1\nend\n", 4, "unknown tensor data kind 'pixels'" },
        { Head + "input x tensor FLOAT 2 3\nend\n", 4, "the rank is 2, but the line has room for 1" },
        { Head + "input x matrix\nend\n", 4, "unknown value type 'matrix'" },
        { Head + "input x tensor FLOAT 1 $\nend\n", 4, "an empty token where a dim_param should be" },
        { Head + "end\nend\n", 5, "text after the graph's 'end'" },
        { Head + "end\n\n\nnode\n", 7, "text after the graph's 'end'" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedTextIsAnErrorWithItsLineNumberNeverAnException(string text, int line, string message)
    {
        var result = OnnxText.Read(text);
        Assert.Null(result.Model);
        Assert.Equal(line, result.Line);
        Assert.StartsWith($"line {line}: ", result.Error);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void EveryPrefixOfTheExampleIsAnErrorUntilTheLastEnd()
    {
        for (int length = 0; length < Example.Length; length++)
        {
            var result = OnnxText.Read(Example.Substring(0, length));
            if (length >= Example.Length - 1)
                Assert.Equal(ExampleModel(), result.Model);
            else
                Assert.True(result.Error is not null && !result.Error.Contains("internal error"), $"prefix of {length} characters: {result.Error ?? "read"}");
        }
    }

    [Fact]
    public void MutatedTextIsAModelOrAnErrorNeverAnException()
    {
        var random = new Random(1234);
        const string alphabet = " \n\r~%$?*x0123456789-.EAaFfguintsblobgraphend\t\0é";
        for (int i = 0; i < 20_000; i++)
        {
            var chars = Example.ToCharArray();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            var result = OnnxText.Read(new string(chars));
            Assert.True(result.Succeeded ^ (result.Error is not null), $"case {i}");
            Assert.True(result.Error is null || !result.Error.Contains("internal error"), $"case {i}: {result.Error}");
            if (result.Succeeded) Assert.Equal(result.Model, OnnxFiles.RoundTrip(result.Model!, $"case {i}"));
        }
    }

    [Fact]
    public void GraphsNestedTooDeepAreAnErrorNotAStackOverflow()
    {
        static string Nested(int depth)
        {
            var text = new StringBuilder("cnngen-onnx 1\nmodel 8 p 1\n");
            for (int i = 0; i < depth; i++) text.Append("graph g\nnode n If ~ 0 0\nattr b g\n");
            text.Append("graph g\nend\n");
            for (int i = 0; i < depth; i++) text.Append("end\n");
            return text.ToString();
        }

        var deepest = OnnxText.Read(Nested(OnnxText.MaxGraphDepth - 1));
        Assert.True(deepest.Succeeded, deepest.Error);
        Assert.Equal(deepest.Model, OnnxFiles.RoundTrip(deepest.Model!, "deepest"));
        var tooDeep = OnnxText.Read(Nested(OnnxText.MaxGraphDepth));
        Assert.Contains($"graphs nested more than {OnnxText.MaxGraphDepth} deep", tooDeep.Error);
        Assert.Contains("graphs nested more than", OnnxText.Read(Nested(100_000)).Error);
    }

    [Fact]
    public void ReadingIsLinearInTheText()
    {
        // 200,000 nodes with attributes and 20,000 small tensors: about 10 MB of text
        var nodes = Enumerable.Range(0, 200_000).Select(i => new OnnxNode("n" + i, "Conv", "", OnnxArray.Of("v" + i, "w", "b"), OnnxArray.Of("v" + (i + 1)),
            OnnxArray.Of<OnnxAttribute>(new OnnxAttribute.Ints("pads", OnnxArray.Of(1L, 1L, 1L, 1L)), new OnnxAttribute.Float("alpha", i * 0.01f)))).ToArray();
        var tensors = Enumerable.Range(0, 20_000).Select(i => new OnnxTensor("t" + i, OnnxDataType.Float, OnnxArray.Of(4L), new OnnxTensorData.Floats(OnnxArray.Of(i, 0.5f, -i, 1e-7f)))).ToArray();
        var model = new OnnxModel(8, "", "", OnnxArray<OnnxOpset>.Empty, new OnnxGraph("big", OnnxArray<OnnxValueInfo>.Empty, OnnxArray<OnnxValueInfo>.Empty, new OnnxArray<OnnxTensor>(tensors), new OnnxArray<OnnxNode>(nodes), OnnxArray<OnnxValueInfo>.Empty));
        string text = OnnxText.Write(model);
        Assert.InRange(text.Length, 5_000_000, 20_000_000);

        var clock = Stopwatch.StartNew();
        var result = OnnxText.Read(text);
        clock.Stop();
        Assert.Equal(model, result.Model);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"reading {text.Length:N0} characters took {clock.Elapsed}");
    }
}
