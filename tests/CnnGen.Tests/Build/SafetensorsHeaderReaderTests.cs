using System;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Build;
using CnnGen.Onnx;
using Xunit;

namespace CnnGen.Tests.Build;

/// <summary>
/// The build task's reader of safetensors headers (a small strict JSON reader, netstandard2.0 having none): it takes
/// what the runtime's reader takes, and refuses hostile headers with a message, never an exception.
/// </summary>
public sealed class SafetensorsHeaderReaderTests
{
    private static SafetensorsReadResult Read(byte[] file) => SafetensorsHeaderReader.Read(new MemoryStream(file));

    private static SafetensorsReadResult Parse(string header, ulong dataLength) => SafetensorsHeaderReader.Parse(Encoding.UTF8.GetBytes(header), dataLength);

    private static string Tensor(string name, string dtype, string shape, long begin, long end) =>
        $"{SafetensorsFiles.Json(name)}:{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void A_valid_file_gives_its_tensors_in_data_order()
    {
        // the header lists the bias first; in the data it comes second
        string header = "{" + Tensor("0.bias", "F32", "[2]", 72, 80) + ",\"__metadata__\":{\"format\":\"pt\"}," + Tensor("0.weight", "F32", "[2,1,3,3]", 0, 72)
            + "," + Tensor("num_batches_tracked", "I64", "[]", 80, 88) + "}    ";
        var read = Read(SafetensorsFiles.Raw(header, 88));

        Assert.Null(read.Error);
        Assert.Equal(
            new[] { ("0.weight", "F32", "[2, 1, 3, 3]"), ("0.bias", "F32", "[2]"), ("num_batches_tracked", "I64", "[]") },
            read.Header!.Tensors.Select(t => (t.Name, t.DType, t.Shape.ToString())));
    }

    [Fact]
    public void Names_hold_any_text_JSON_can_escape()
    {
        string[] names = { "", "a b", "quote\"back\\slash/", "tab\tnew\nline", "ü€", "\U0001F600", "__metadata__x" };
        var read = Read(SafetensorsFiles.Of(names.Select(n => (n, new long[] { 1 })).ToArray()));

        Assert.Null(read.Error);
        Assert.Equal(names, read.Header!.Tensors.Select(t => t.Name));
        // raw UTF-8 in the header, not escaped, reads the same
        var raw = Parse("{\"ü€😀\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3);
        Assert.Equal("ü€😀", raw.Header!.Tensors.Single().Name);
    }

    [Fact]
    public void Tensors_of_no_bytes_keep_the_headers_order_and_a_file_of_none_is_valid()
    {
        var read = Parse("{" + Tensor("b", "F32", "[0]", 0, 0) + "," + Tensor("a", "F32", "[3,0]", 0, 0) + "," + Tensor("c", "U8", "[1]", 0, 1) + "}", 1);
        Assert.Equal(new[] { "b", "a", "c" }, read.Header!.Tensors.Select(t => t.Name));

        Assert.Empty(Parse("{}", 0).Header!.Tensors);
        Assert.Empty(Parse("{\"__metadata__\":null}", 0).Header!.Tensors);
    }

    [Fact]
    public void Unknown_fields_are_checked_and_skipped()
    {
        var read = Parse("{\"w\":{\"extra\":[1,-2.5e+3,true,false,null,{\"x\":[]},\"s\\u00e9\"],\"dtype\":\"F16\",\"shape\":[ 2 ],\"data_offsets\":[0,4]}}", 4);

        Assert.Null(read.Error);
        Assert.Equal(new SafetensorsTensorInfo("w", "F16", OnnxArray.Of(2L)), read.Header!.Tensors.Single());
    }

    [Fact]
    public void What_the_reader_gives_is_what_the_text_form_carries()
    {
        var read = Read(SafetensorsFiles.Of(("0.weight", "F32", new long[] { 4, 3, 3, 3 }), ("0.bias", "BF16", new long[] { 4 }), ("x y", "U8", new long[0])));
        var text = SafetensorsHeaderText.Read(SafetensorsHeaderText.Write(read.Header!));

        Assert.Equal(read.Header, text.Header);
    }

    [Theory]
    [InlineData(0, "0 bytes long, too short")]
    [InlineData(7, "7 bytes long, too short")]
    public void A_file_shorter_than_its_length_prefix_is_refused(int length, string message)
    {
        Assert.Contains(message, Read(new byte[length]).Error);
    }

    [Fact]
    public void A_header_length_past_the_file_or_over_the_limit_is_refused_before_anything_is_allocated()
    {
        byte[] header = Encoding.UTF8.GetBytes("{}");
        Assert.Contains("is past the end of the file", Read(SafetensorsFiles.Raw(header, 0, claimedLength: 3)).Error);
        Assert.Contains("over the safetensors limit of 100000000 bytes", Read(SafetensorsFiles.Raw(header, 0, claimedLength: ulong.MaxValue)).Error);
        Assert.Contains("over the safetensors limit", Read(SafetensorsFiles.Raw(header, 0, claimedLength: 100_000_001)).Error);
        Assert.Contains("the header must be a JSON object starting with '{', but it is empty", Read(SafetensorsFiles.Raw(header, 2, claimedLength: 0)).Error);
    }

    [Fact]
    public void A_stream_shorter_than_it_says_is_refused()
    {
        // a stream whose Length promises more than Read delivers: the file changed under us
        Assert.Contains("the file ended while its header was read", SafetensorsHeaderReader.Read(new ShortStream(SafetensorsFiles.Raw(Encoding.UTF8.GetBytes("{}"), 0, claimedLength: 50), 100)).Error);
        Assert.Contains("the file ended while its header length was read", SafetensorsHeaderReader.Read(new ShortStream(new byte[3], 100)).Error);
    }

    [Theory]
    // not JSON
    [InlineData(" {}", 0, "starts with byte 0x20")]
    [InlineData("[]", 0, "starts with byte 0x5B")]
    [InlineData("{", 0, "the header ends where a key in quotes should be")]
    [InlineData("{\"a\":", 0, "tensor 'a' must be an object")]
    [InlineData("{\"a\"}", 0, "expected ':', not '}'")]
    [InlineData("{'a':1}", 0, "expected a key in quotes, not '''")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", 4, "expected a key in quotes, not '}'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,],\"data_offsets\":[0,4]}}", 4, "expected a number, not ']'")]
    [InlineData("{} x", 0, "'x' after the header's object")]
    [InlineData("{}{}", 0, "'{' after the header's object")]
    [InlineData("{\"a\\q\":1}", 0, "'\\q' is no JSON escape")]
    [InlineData("{\"a\\u12\":1}", 0, "'\\u' needs 4 hex digits")]
    [InlineData("{\"a\tb\":1}", 0, "the control character U+0009 must be escaped")]
    [InlineData("{\"a", 0, "the header ends inside a string")]
    [InlineData("{\"\\ud800\":{}}", 0, "lone surrogate U+D800")]
    [InlineData("{\"\\udc00x\":{}}", 0, "lone surrogate U+DC00")]
    [InlineData("{\"a\":{\"x\":tru,\"dtype\":\"F32\"}}", 0, "expected 'true'")]
    [InlineData("{\"a\":{\"x\":01}}", 0, "expected ',' or '}', not '1'")]
    [InlineData("{\"a\":{\"x\":1.}}", 0, "expected a digit after '.'")]
    [InlineData("{\"a\":{\"x\":1e}}", 0, "expected a digit of the exponent")]
    [InlineData("{\"a\":{\"x\":+1}}", 0, "expected a number, not '+'")]
    // not a safetensors header
    [InlineData("{\"a\":1}", 0, "tensor 'a' must be an object with dtype, shape and data_offsets")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'dtype'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'shape'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'a' has no 'data_offsets'")]
    [InlineData("{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'F31'; safetensors knows BOOL, F4")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "must have a string dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}}", 4, "must have an array of integers as shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape with -1, which is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4, "shape with 1.0, which is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}", 4, "shape with 1e0, which is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}}", 4, "data_offsets with 18446744073709551616, which does not fit in 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "two data_offsets [begin, end], but it has 1")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4, "two data_offsets [begin, end], but it has 3")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775808],\"data_offsets\":[0,0]}}", 0, "the dimension 9223372036854775808, which does not fit in an int64")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has the key 'shape' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "the header has the key 'a' twice")]
    [InlineData("{\"__metadata__\":[]}", 0, "'__metadata__' must be an object of strings")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "'__metadata__' entry 'k' must be a string")]
    [InlineData("{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}}", 0, "'__metadata__' has the key 'k' twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "the header has the key '__metadata__' twice")]
    // offsets and sizes
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "cover 4 bytes of data, but the file has 8 bytes after the header")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "cover 8 bytes of data, but the file has 4 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "is F32 [2], which takes 8 bytes, but its data_offsets [0, 4] span 4")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "the first tensor in the data, 'a', begins at byte 4 instead of 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6, "tensor 'b' begins at byte 2, which overlaps tensor 'a' ending at byte 4")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'b' begins at byte 0, which overlaps tensor 'a'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[6,10]}}", 10, "leaves a gap after tensor 'a'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 0, "begins at byte 4")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}", 0, "element count does not fit in 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0, "size in bits does not fit in 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2, "3 elements do not fill whole bytes")]
    public void A_hostile_header_is_an_error_not_an_exception(string header, ulong dataLength, string message)
    {
        var read = Parse(header, dataLength);

        Assert.Null(read.Header);
        Assert.Contains(message, read.Error);
    }

    [Fact]
    public void Ends_before_begins_is_its_own_error()
    {
        var read = Parse("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"c\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,3]}}", 4);
        Assert.Contains("tensor 'c' ends at byte 3, before it begins at byte 4", read.Error);
    }

    [Fact]
    public void A_shape_longer_than_PyTorch_allows_is_refused_without_reading_it_all()
    {
        string shape = "[" + string.Join(",", Enumerable.Repeat("1", 65)) + "]";
        Assert.Contains("65 dimensions, over PyTorch's limit of 64", Parse("{\"a\":{\"dtype\":\"U8\",\"shape\":" + shape + ",\"data_offsets\":[0,1]}}", 1).Error);
        Assert.Null(Parse("{\"a\":{\"dtype\":\"U8\",\"shape\":" + "[" + string.Join(",", Enumerable.Repeat("1", 64)) + "]" + ",\"data_offsets\":[0,1]}}", 1).Error);

        string huge = "[" + string.Join(",", Enumerable.Repeat("0", 1_000_000)) + "]";
        Assert.Contains("longer than 64", Parse("{\"a\":{\"dtype\":\"U8\",\"shape\":" + huge + ",\"data_offsets\":[0,0]}}", 0).Error);
    }

    [Theory]
    [InlineData(63, null)]
    [InlineData(65, "nests more than 64 deep")]
    [InlineData(100_000, "nests more than 64 deep")]
    public void Deep_nesting_stops_at_64(int levels, string? message)
    {
        // the tensor object and its field take levels 1 to 3; the unknown field's arrays start at 3
        string value = new string('[', levels - 2) + new string(']', levels - 2);
        var read = Parse("{\"a\":{\"x\":" + value + ",\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1);
        if (message is null) Assert.Null(read.Error);
        else Assert.Contains(message, read.Error);

        string objects = string.Concat(Enumerable.Repeat("{\"k\":", levels)) + "1" + new string('}', levels);
        var nested = Parse("{\"a\":{\"x\":" + objects + ",\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1);
        if (levels > 62) Assert.Contains("nests more than 64 deep", nested.Error);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_refused()
    {
        var header = Encoding.UTF8.GetBytes("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        header[2] = 0xFF;
        Assert.Equal("the header is not valid UTF-8", SafetensorsHeaderReader.Parse(header, 1).Error);
        // a byte-order mark is not '{'
        Assert.Contains("starts with byte 0xEF", SafetensorsHeaderReader.Parse(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' }, 0).Error);
    }

    [Fact]
    public void Mangled_files_never_throw()
    {
        byte[] file = SafetensorsFiles.Of(("0.weight", "F32", new long[] { 2, 1, 3, 3 }), ("0.bias", "F32", new long[] { 2 }), ("é", "U8", new long[] { 3 }));
        var random = new Random(42);
        const string alphabet = "{}[]\":,\\u0123456789eE.-+ tfn\u00e9";
        int valid = 0;
        for (int round = 0; round < 5000; round++)
        {
            var bytes = file.ToList();
            for (int edits = random.Next(1, 4); edits > 0 && bytes.Count > 0; edits--)
            {
                int at = random.Next(bytes.Count);
                byte b = (byte)(random.Next(4) == 0 ? random.Next(256) : alphabet[random.Next(alphabet.Length)]);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = b; break;
                    case 1: bytes.RemoveAt(at); break;
                    default: bytes.Insert(at, b); break;
                }
            }
            var read = Read(bytes.ToArray());
            Assert.True(read.Header is null ^ read.Error is null);
            if (read.Header is not null) valid++;
        }
        Assert.True(valid < 5000);
    }

    /// <summary>A stream whose Length claims more bytes than it holds.</summary>
    private sealed class ShortStream : MemoryStream
    {
        private readonly long _claimedLength;

        public ShortStream(byte[] bytes, long claimedLength) : base(bytes) => _claimedLength = claimedLength;

        public override long Length => _claimedLength;
    }
}
