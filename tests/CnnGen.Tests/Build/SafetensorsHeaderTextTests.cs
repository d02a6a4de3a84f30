using System;
using System.Linq;
using CnnGen.Onnx;
using Xunit;

namespace CnnGen.Tests.Build;

/// <summary>The text form of a safetensors header that the build task writes and the generator reads: exact round trips, and never a throw on text it did not write.</summary>
public sealed class SafetensorsHeaderTextTests
{
    private static SafetensorsTensorInfo T(string name, string dtype, params long[] shape) => new(name, dtype, new OnnxArray<long>(shape));

    private static SafetensorsHeaderInfo H(params SafetensorsTensorInfo[] tensors) => new(new OnnxArray<SafetensorsTensorInfo>(tensors));

    [Fact]
    public void The_text_lists_each_tensor_on_a_line_of_its_own()
    {
        string text = SafetensorsHeaderText.Write(H(T("0.weight", "F32", 2, 1, 3, 3), T("0.bias", "F32", 2), T("step", "I64")));

        Assert.Equal("cnngen-safetensors 1\ntensor 0.weight F32 4 2 1 3 3\ntensor 0.bias F32 1 2\ntensor step I64 0\nend\n", text);
    }

    [Fact]
    public void An_empty_header_is_an_empty_list()
    {
        Assert.Equal("cnngen-safetensors 1\nend\n", SafetensorsHeaderText.Write(H()));
        Assert.Equal(H(), SafetensorsHeaderText.Read("cnngen-safetensors 1\nend").Header);
    }

    [Fact]
    public void Any_name_and_every_dtype_read_back_exactly()
    {
        string[] names = { "", "~", "a b", "quote\"and\\back", "100%", "línea\nnueva", "\U0001F600", "\uD800lone", "tail\uDC00", "%u0041", "\t\0" };
        string[] dtypes = { "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64" };
        var header = H(names.Select((n, i) => T(n, dtypes[i % dtypes.Length], Enumerable.Range(0, i).Select(d => (long)d * 1000).ToArray()))
            .Concat(dtypes.Select(d => T("t." + d, d, long.MaxValue, 0)))
            .Concat(new[] { T("deep", "F32", Enumerable.Repeat(1L, SafetensorsHeaderText.MaxRank).ToArray()) }).ToArray());

        string text = SafetensorsHeaderText.Write(header);
        var read = SafetensorsHeaderText.Read(text);

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(header, read.Header);
        Assert.Equal(text, SafetensorsHeaderText.Write(read.Header!));
        Assert.DoesNotContain('\r', text);
        Assert.Equal(header, SafetensorsHeaderText.Read(text.Replace("\n", "\r\n")).Header);
    }

    [Theory]
    [InlineData("", 1, "the text is empty")]
    [InlineData("cnngen-onnx 1\nend\n", 1, "not 'cnngen-safetensors 1'")]
    [InlineData("cnngen-safetensors 2\nend\n", 1, "version '2'")]
    [InlineData("cnngen-safetensors 1\n", 2, "ends before its 'end' line")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 2\n", 3, "ends before its 'end' line")]
    [InlineData("cnngen-safetensors 1\nend\ntensor a F32 0\n", 3, "text after the 'end' line")]
    [InlineData("cnngen-safetensors 1\nend\n\n", 3, "text after the 'end' line")]
    [InlineData("cnngen-safetensors 1\nend x\n", 2, "unexpected 'x'")]
    [InlineData("cnngen-safetensors 1\nmeta a b\nend\n", 2, "expected 'tensor' or 'end'")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 0\ntensor a I64 0\nend\n", 3, "listed twice")]
    [InlineData("cnngen-safetensors 1\ntensor a F33 0\nend\n", 2, "unknown dtype 'F33'")]
    [InlineData("cnngen-safetensors 1\ntensor a f32 0\nend\n", 2, "unknown dtype 'f32'")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 -2\nend\n", 2, "not a non-negative int64")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 02\nend\n", 2, "not a non-negative int64")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 9223372036854775808\nend\n", 2, "out of the int64 range")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 99999999999999999999\nend\n", 2, "not a non-negative int64")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 65\nend\n", 2, "rank 65 is over the limit of 64")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 2 1\nend\n", 2, "the line ends where a dimension should be")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 1 1 1\nend\n", 2, "unexpected '1'")]
    [InlineData("cnngen-safetensors 1\ntensor a F32  0\nend\n", 2, "two spaces")]
    [InlineData("cnngen-safetensors 1\ntensor a F32 0 \nend\n", 2, "ends in a space")]
    [InlineData("cnngen-safetensors 1\ntensor\nend\n", 2, "the line ends where the tensor's name should be")]
    [InlineData("cnngen-safetensors 1\ntensor a%G1 F32 0\nend\n", 2, "not an uppercase hex digit")]
    [InlineData("cnngen-safetensors 1\ntensor a%2a F32 0\nend\n", 2, "not an uppercase hex digit")]
    [InlineData("cnngen-safetensors 1\ntensor a%2 F32 0\nend\n", 2, "needs 2 hex digits")]
    [InlineData("cnngen-safetensors 1\ntensor a%FF F32 0\nend\n", 2, "not UTF-8")]
    [InlineData("cnngen-safetensors 1\ntensor %u0041 F32 0\nend\n", 2, "no surrogate")]
    [InlineData("cnngen-safetensors 1\ntensor %uD8 F32 0\nend\n", 2, "needs 4 hex digits")]
    [InlineData("cnngen-safetensors 1\ntensor a\"b F32 0\nend\n", 2, "must be escaped")]
    [InlineData("cnngen-safetensors 1\ntensor a\tb F32 0\nend\n", 2, "'U+0009' must be escaped")]
    public void Malformed_text_is_an_error_with_its_line(string text, int line, string message)
    {
        var read = SafetensorsHeaderText.Read(text);

        Assert.False(read.Succeeded);
        Assert.Equal(line, read.Line);
        Assert.StartsWith($"line {line}: ", read.Error);
        Assert.Contains(message, read.Error);
    }

    [Fact]
    public void Null_text_is_an_error()
    {
        Assert.Equal(1, SafetensorsHeaderText.Read(null!).Line);
    }

    [Fact]
    public void Mangled_text_never_throws()
    {
        string text = SafetensorsHeaderText.Write(H(T("0.weight", "F32", 2, 1, 3, 3), T("na%me ü", "BF16", 7), T("e", "U8")));
        var random = new Random(20260101);
        const string alphabet = " \n\r%u~0123456789ABCFTtensor-F32\uD800ü";
        for (int round = 0; round < 5000; round++)
        {
            var chars = text.ToCharArray().ToList();
            for (int edits = random.Next(1, 4); edits > 0 && chars.Count > 0; edits--)
            {
                int at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: chars.RemoveAt(at); break;
                    default: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }
            var read = SafetensorsHeaderText.Read(new string(chars.ToArray()));
            Assert.True(read.Succeeded ^ read.Error is not null);
            if (read.Succeeded) Assert.Equal(read.Header, SafetensorsHeaderText.Read(SafetensorsHeaderText.Write(read.Header!)).Header);
        }
    }
}
