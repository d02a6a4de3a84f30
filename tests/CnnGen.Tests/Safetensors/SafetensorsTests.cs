using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Safetensors;

using Reader = CnnGen.Safetensors;

public sealed class SafetensorsTests
{
    // The weight, bias and 40 data bytes of a hand-built file for SeedStride1 (1x5x5 input, one 3x3 filter).
    private const string SeedHeader = """{"0.weight":{"dtype":"F32","shape":[1,1,3,3],"data_offsets":[0,36]},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[36,40]}}""";

    private static readonly NetworkSpec SeedStride1 = new(1, 5, 5, new LayerSpec[] { new Conv2DSpec(1, 3, 3) { InChannels = 1 } });

    public static TheoryData<string> FixturesWithParameters => new()
    {
        "SeedStride1", "SeedStride2", "SameConv", "StridedConv", "MultiFilter", "RectDilated", "DenseSoftmax", "LeNet5", "SmallCifar",
    };

    public static TheoryData<string> Modes => new() { "file", "seekable", "non-seekable" };

    // ---- valid files ----

    [Theory]
    [MemberData(nameof(FixturesWithParameters))]
    public void FixtureParametersMatchThroughEveryKindOfSource(string name)
    {
        var spec = FixtureSpecs.For(name);
        var expected = FixtureFiles.ReadFloats(name + ".params.f32");
        Assert.Equal(spec.ParameterCount, expected.Length);
        byte[] file = File.ReadAllBytes(FixtureFiles.PathOf(name + ".safetensors"));

        Assert.Equal(expected, Reader.ReadParameters(FixtureFiles.PathOf(name + ".safetensors"), spec));
        Assert.Equal(expected, Reader.ReadParameters(new MemoryStream(file, writable: false), spec));
        Assert.Equal(expected, Reader.ReadParameters(new NonSeekableStream(file), spec));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void NetworkWithoutParametersReadsItsFileAsEmpty(string mode)
    {
        byte[] file = File.ReadAllBytes(FixtureFiles.PathOf("MaxPool.safetensors"));
        Assert.Empty(Read(file, FixtureSpecs.For("MaxPool"), mode));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void HandBuiltFileReadsItsLittleEndianFloats(string mode)
    {
        Assert.Equal(SeedValues(), Read(Build(SeedHeader, SeedData()), SeedStride1, mode));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void HeaderOrderIsFreeMetadataIgnoredAndUnknownFieldsTolerated(string mode)
    {
        // The bias is listed first, but stored after the weight; extra tensors and fields are ignored as in Rust.
        const string Header = """
            {"__metadata__":{"format":"pt"},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[36,40],"note":[1,{"x":2}]},
             "0.weight":{"shape":[1,1,3,3],"data_offsets":[0,36],"dtype":"F32"},"extra":{"dtype":"BF16","shape":[0],"data_offsets":[40,40]}}
            """;
        Assert.Equal(SeedValues(), Read(Build(Header + "        ", SeedData()), SeedStride1, mode));
    }

    [Fact]
    public void NullMetadataIsAccepted()
    {
        string header = SeedHeader.Insert(1, "\"__metadata__\":null,");
        Assert.Equal(SeedValues(), Reader.ReadParameters(new MemoryStream(Build(header, SeedData())), SeedStride1));
    }

    [Fact]
    public void SeekableStreamIsReadFromItsCurrentPosition()
    {
        byte[] file = Build(SeedHeader, SeedData());
        var stream = new MemoryStream(new byte[5].Concat(file).ToArray());
        stream.Position = 5;
        Assert.Equal(SeedValues(), Reader.ReadParameters(stream, SeedStride1));
    }

    [Fact]
    public void NullArgumentsAndMissingFilesAreNotReportedAsCorruptData()
    {
        Assert.Throws<ArgumentNullException>(() => Reader.ReadParameters((string)null!, SeedStride1));
        Assert.Throws<ArgumentNullException>(() => Reader.ReadParameters((Stream)null!, SeedStride1));
        Assert.Throws<ArgumentNullException>(() => Reader.ReadParameters(new MemoryStream(), null!));
        Assert.Throws<FileNotFoundException>(() => Reader.ReadParameters(FixtureFiles.PathOf("NoSuchFile.safetensors"), SeedStride1));
    }

    // ---- hostile files: the length prefix ----

    [Fact]
    public void EmptyFileIsCorrupt() => AssertCorrupt(Array.Empty<byte>(), "0 bytes");

    [Fact]
    public void FileShorterThanTheLengthPrefixIsCorrupt() => AssertCorrupt(new byte[] { 8, 0, 0, 0, 0 }, "5 bytes");

    [Fact]
    public void HeaderLengthPastTheEndIsCorrupt()
    {
        byte[] file = WithHeaderLength(Build(SeedHeader, SeedData()), 1000);
        AssertCorrupt(file, "1000", new[] { "file", "seekable" });
        AssertCorrupt(file, "header");
    }

    [Fact]
    public void HeaderLengthNearTwoToTheSixtyFourIsCorrupt()
    {
        // 8 + (2^64 - 8) wraps to 0 in unchecked arithmetic.
        AssertCorrupt(WithHeaderLength(Build(SeedHeader, SeedData()), ulong.MaxValue - 7), "18446744073709551608");
    }

    [Fact]
    public void HeaderLengthOverTheLimitOnASmallFileIsCorrupt()
    {
        AssertCorrupt(WithHeaderLength(Build(SeedHeader, SeedData()), 100_000_001), "100000001");

        // A non-seekable stream cannot compare with the file length, so the limit alone must stop it.
        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(new NonSeekableStream(LengthPrefix(200_000_000)), SeedStride1));
        Assert.Contains("100000000", ex.Message);
    }

    [Fact]
    public void HeaderLengthWithinTheLimitButPastTheEndOfANonSeekableStreamIsCorrupt()
    {
        AssertCorrupt(LengthPrefix(99_999_999).Concat(Encoding.UTF8.GetBytes(SeedHeader)).ToArray(), "header");
    }

    [Fact]
    public void TruncationAtEveryLengthIsCorrupt()
    {
        byte[] file = File.ReadAllBytes(FixtureFiles.PathOf("SeedStride1.safetensors"));
        Assert.Equal(SeedValuesFromFixture(), Reader.ReadParameters(new MemoryStream(file), SeedStride1));
        for (int length = 0; length < file.Length; length++)
        {
            AssertCorrupt(file[..length], modes: new[] { "seekable", "non-seekable" });
        }

        // The network's tensors survive this cut, but the file is still incomplete.
        AssertCorrupt(file[..^1], "bytes after the header");
    }

    [Fact]
    public void ExtraBytesAfterTheLastTensorAreCorrupt()
    {
        AssertCorrupt(Build(SeedHeader, SeedData().Concat(new byte[3]).ToArray()), "40 bytes");
    }

    [Fact]
    public void EndlessNonSeekableStreamIsCorruptNotAHang()
    {
        var stream = new NonSeekableStream(Build(SeedHeader, SeedData()), endlessZeros: true);
        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(stream, SeedStride1));
        Assert.Contains("more than 40", ex.Message);
    }

    // ---- the cost of reading a stream ----

    // SeedStride1's 40 bytes of parameters plus the 1 GiB of other tensors a non-seekable stream may carry.
    private const ulong SeedSequentialLimit = 40 + (1UL << 30);

    [Fact]
    public void EndlessNonSeekableStreamClaimingTwoToTheSixtyBytesIsRefusedAtOnce()
    {
        var stream = new NonSeekableStream(Build(WithUnusedTensor(1UL << 60), SeedData()), endlessZeros: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(stream, SeedStride1));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Contains((40 + (1UL << 60)).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        Assert.Contains($"limit of {SeedSequentialLimit} bytes", ex.Message);
        Assert.Contains("seekable stream or a file has no such limit", ex.Message);
    }

    [Fact]
    public void NonSeekableDataBufferOneByteOverTheLimitIsRefusedBeforeAnyTensorIsRead()
    {
        // The stream ends after the header: a reader that looked for the data would report the end instead.
        byte[] headerOnly = Build(WithUnusedTensor(SeedSequentialLimit - 40 + 1), Array.Empty<byte>());
        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(new NonSeekableStream(headerOnly), SeedStride1));
        Assert.Contains($"limit of {SeedSequentialLimit} bytes", ex.Message);
    }

    [Fact]
    public void NonSeekableDataBufferExactlyAtTheLimitIsRead()
    {
        // Claimed, but absent: the reader gets past the limit and finds the data missing.
        byte[] file = Build(WithUnusedTensor(SeedSequentialLimit - 40), SeedData());
        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(new NonSeekableStream(file), SeedStride1));
        Assert.DoesNotContain("limit", ex.Message);
        Assert.Contains("bytes after the header", ex.Message);
    }

    [Fact]
    public void RealFileWithAMegabyteOfUnusedTensorsLoadsThroughANonSeekableStream()
    {
        // SameConv's file already holds its input and expected output; one more tensor, far larger than the network's.
        byte[] file = AppendUnusedTensor(File.ReadAllBytes(FixtureFiles.PathOf("SameConv.safetensors")), 1 << 20);
        var expected = FixtureFiles.ReadFloats("SameConv.params.f32");

        Assert.Equal(expected, Reader.ReadParameters(new NonSeekableStream(file), FixtureSpecs.For("SameConv")));
    }

    [Fact]
    public void SeekableStreamClaimingAHugeLengthButHoldingNothingIsCorrupt()
    {
        var stream = new ClaimedLengthStream(Array.Empty<byte>(), long.MaxValue, endlessZeros: false);
        var ex = Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(stream, SeedStride1));
        Assert.Contains("0 bytes", ex.Message);

        // The header is there, the tensors the length promises are not.
        byte[] header = Build(WithUnusedTensor(1UL << 60), Array.Empty<byte>());
        var truncated = new ClaimedLengthStream(header, header.Length + 40 + (1L << 60), endlessZeros: false);
        Assert.Throws<InvalidDataException>(() => Reader.ReadParameters(truncated, SeedStride1));
    }

    [Fact]
    public void SeekableStreamSkipsAnUnusedTensorOfTwoToTheSixtyBytesWithoutReadingIt()
    {
        // The length agrees with the header, and the stream would hand out zeros for ever: only seeking makes this quick.
        byte[] file = Build(WithUnusedTensor(1UL << 60), SeedData());
        var stream = new ClaimedLengthStream(file, file.Length + (1L << 60), endlessZeros: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(SeedValues(), Reader.ReadParameters(stream, SeedStride1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void StreamWhoseReadReturnsANegativeCountIsAnIOExceptionNotALoop()
    {
        var ex = Assert.Throws<IOException>(() => Reader.ReadParameters(new NegativeReadStream(), SeedStride1));
        Assert.Contains("-1", ex.Message);
    }

    [Fact]
    public void RandomBytesAreCorrupt()
    {
        var random = new Random(20240611);
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);

            // Half the cases get a plausible length so the JSON parser sees the garbage.
            if (i % 2 == 0 && bytes.Length >= 8) BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)random.Next(0, bytes.Length - 8 + 1));
            AssertCorrupt(bytes, modes: new[] { "seekable", "non-seekable" });
        }
    }

    // ---- hostile files: the header as text ----

    [Theory]
    [InlineData("this is not json", "'{'")]
    [InlineData("[1, 2, 3]", "'{'")]
    [InlineData(" {}", "'{'")]
    [InlineData("", "empty")]
    [InlineData("{\"0.weight\":", "JSON")]
    [InlineData("{} x", "JSON")]
    [InlineData("{},", "JSON")]
    [InlineData("{\"a\":1,}", "JSON")]
    [InlineData("{/* comment */}", "JSON")]
    [InlineData("{\"0.weight\":\"F32\"}", "must be an object")]
    [InlineData("{\"__metadata__\":[\"a\"]}", "__metadata__")]
    [InlineData("{\"__metadata__\":{\"a\":1}}", "__metadata__")]
    [InlineData("{\"__metadata__\":{\"a\":\"b\",\"a\":\"c\"}}", "twice")]
    [InlineData("{\"bad\\ud800\":{}}", "valid")]
    public void MalformedHeaderIsCorrupt(string header, string inMessage)
    {
        AssertCorrupt(Build(header, SeedData()), inMessage);
    }

    [Fact]
    public void HeaderThatIsNotUtf8IsCorrupt()
    {
        byte[] header = Encoding.UTF8.GetBytes(SeedHeader);
        header[4] = 0xFF;
        AssertCorrupt(Build(header, SeedData()), "UTF-8");
    }

    [Fact]
    public void DeeplyNestedJsonIsCorrupt()
    {
        AssertCorrupt(Build(new string('[', 10_000), SeedData()), "'{'");
        AssertCorrupt(Build("{\"x\":" + new string('[', 10_000), SeedData()), "JSON");
        AssertCorrupt(Build("{\"x\":" + string.Concat(Enumerable.Repeat("{\"y\":", 10_000)), SeedData()), "JSON");
    }

    // ---- hostile files: tensor entries ----

    [Theory]
    [InlineData("F17")]
    [InlineData("f32")]
    [InlineData("float32")]
    [InlineData("")]
    public void UnknownDtypeIsCorrupt(string dtype)
    {
        AssertCorrupt(Build(SeedHeader.Replace("\"F32\",\"shape\":[1]", $"\"{dtype}\",\"shape\":[1]"), SeedData()), "unknown dtype");
    }

    [Fact]
    public void NonStringDtypeIsCorrupt()
    {
        AssertCorrupt(Build(SeedHeader.Replace("\"F32\",\"shape\":[1]", "32,\"shape\":[1]"), SeedData()), "dtype");
    }

    [Fact]
    public void F16NetworkTensorIsRejected()
    {
        const string Header = """{"0.weight":{"dtype":"F16","shape":[1,1,3,3],"data_offsets":[0,18]},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[18,22]}}""";
        AssertCorrupt(Build(Header, new byte[22]), "Tensor '0.weight' has dtype F16 but the network needs F32");
    }

    [Fact]
    public void MissingTensorIsRejected()
    {
        const string Header = """{"0.weight":{"dtype":"F32","shape":[1,1,3,3],"data_offsets":[0,36]},"0.beta":{"dtype":"F32","shape":[1],"data_offsets":[36,40]}}""";
        AssertCorrupt(Build(Header, SeedData()), "no tensor '0.bias'");
    }

    [Theory]
    [InlineData("[9]", "[9]")]
    [InlineData("[1,3,3]", "[1, 3, 3]")]
    [InlineData("[1,1,3,3,1]", "[1, 1, 3, 3, 1]")]
    [InlineData("[1,1,9,1]", "[1, 1, 9, 1]")]
    public void MisshapenTensorIsRejected(string shape, string shown)
    {
        AssertCorrupt(Build(SeedHeader.Replace("[1,1,3,3]", shape), SeedData()), $"Tensor '0.weight' has shape {shown} but the network expects [1, 1, 3, 3]");
    }

    [Theory]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1]}", "data_offsets")]
    [InlineData("{\"dtype\":\"F32\",\"data_offsets\":[36,40]}", "shape")]
    [InlineData("{\"shape\":[1],\"data_offsets\":[36,40]}", "dtype")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,40],\"shape\":[1]}", "twice")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[36,40]}", "shape")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,40,44]}", "two data_offsets")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36]}", "two data_offsets")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"begin\":36,\"end\":40}}", "data_offsets")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,40.0]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,-40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"36\",40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,18446744073709551656]}", "64 bits")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[36,40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[-0],\"data_offsets\":[36,36]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[36,40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[36,40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[null],\"data_offsets\":[36,40]}", "not a non-negative integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[36,40]}", "not a non-negative integer")]
    public void MalformedTensorEntryIsCorrupt(string biasEntry, string inMessage)
    {
        string header = SeedHeader.Replace("""{"dtype":"F32","shape":[1],"data_offsets":[36,40]}""", biasEntry);
        Assert.NotEqual(SeedHeader, header);
        AssertCorrupt(Build(header, SeedData()), inMessage);
    }

    [Fact]
    public void NegativeDimsInTheNetworkTensorAreCorrupt()
    {
        AssertCorrupt(Build(SeedHeader.Replace("[1,1,3,3]", "[1,-1,3,3]"), SeedData()), "not a non-negative integer");
    }

    [Fact]
    public void DuplicateTensorNamesAreCorrupt()
    {
        const string Header = """
            {"0.weight":{"dtype":"F32","shape":[1,1,3,3],"data_offsets":[0,36]},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[36,40]},
             "0.bias":{"dtype":"F32","shape":[1],"data_offsets":[40,44]}}
            """;
        AssertCorrupt(Build(Header, new byte[44]), "'0.bias' twice");

        // The same name spelled with an escape is still the same name.
        AssertCorrupt(Build(Header.Replace("\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[40", "\"0.\\u0062ias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[40"), new byte[44]), "twice");
    }

    // ---- hostile files: the layout of the data buffer ----

    [Theory]
    [InlineData(0, 36, 36, 44, "takes 4 bytes")]
    [InlineData(0, 36, 32, 36, "overlaps tensor '0.weight'")]
    [InlineData(0, 36, 40, 44, "leaves a gap after tensor '0.weight'")]
    [InlineData(4, 40, 40, 44, "begins at byte 4 instead of 0")]
    [InlineData(0, 36, 36, 32, "before it begins")]
    [InlineData(0, 32, 32, 36, "takes 36 bytes")]
    [InlineData(0, 40, 40, 44, "takes 36 bytes")]
    [InlineData(0, 36, 36, 36, "takes 4 bytes")]
    [InlineData(0, 36, 18446744073709551612, 18446744073709551615, "leaves a gap")]
    [InlineData(0, 36, 36, 18446744073709551615, "takes 4 bytes")]
    [InlineData(18446744073709551579, 18446744073709551615, 0, 4, "0.weight")]
    public void OffsetsThatDoNotTileTheDataBufferAreCorrupt(ulong weightBegin, ulong weightEnd, ulong biasBegin, ulong biasEnd, string inMessage)
    {
        string header = $$$"""{"0.weight":{"dtype":"F32","shape":[1,1,3,3],"data_offsets":[{{{weightBegin}}},{{{weightEnd}}}]},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[{{{biasBegin}}},{{{biasEnd}}}]}}""";
        AssertCorrupt(Build(header, SeedData()), inMessage);
    }

    [Fact]
    public void OffsetsOutOfRangeOfAUsedTensorAreCorrupt()
    {
        // The unused tensor claims data the file does not have.
        string header = SeedHeader.Insert(SeedHeader.Length - 1, ""","input":{"dtype":"F32","shape":[1000000],"data_offsets":[40,4000040]}""");
        AssertCorrupt(Build(header, SeedData()), "4000040");
    }

    [Theory]
    [InlineData("[4294967296,4294967296]", "overflows")]
    [InlineData("[18446744073709551615,2]", "overflows")]
    [InlineData("[2305843009213693952]", "overflows")]
    [InlineData("[0,18446744073709551615,18446744073709551615]", "takes 0 bytes")]
    public void ShapesWhoseSizeOverflowsAreCorrupt(string shape, string inMessage)
    {
        string header = SeedHeader.Insert(SeedHeader.Length - 1, $$""","huge":{"dtype":"F64","shape":{{shape}},"data_offsets":[40,48]}""");
        AssertCorrupt(Build(header, new byte[48]), inMessage);
    }

    [Fact]
    public void SubByteTensorThatDoesNotFillWholeBytesIsCorrupt()
    {
        string header = SeedHeader.Insert(SeedHeader.Length - 1, ""","packed":{"dtype":"F4","shape":[3],"data_offsets":[40,41]}""");
        AssertCorrupt(Build(header, new byte[41]), "whole bytes");

        string even = SeedHeader.Insert(SeedHeader.Length - 1, ""","packed":{"dtype":"F4","shape":[4],"data_offsets":[40,42]}""");
        Assert.Equal(SeedValues(), Reader.ReadParameters(new MemoryStream(Build(even, SeedData().Concat(new byte[2]).ToArray())), SeedStride1));
    }

    // ---- helpers ----

    private static float[] SeedValuesFromFixture() => FixtureFiles.ReadFloats("SeedStride1.params.f32");

    // Distinct values whose bytes differ, so a wrong offset or byte order shows.
    private static float[] SeedValues() => Enumerable.Range(0, 10).Select(i => (i + 1) * 1.25f - 3.5f).ToArray();

    private static byte[] SeedData()
    {
        var values = SeedValues();
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return bytes;
    }

    /// <summary>SeedHeader with an unused U8 tensor of <paramref name="bytes"/> bytes after the network's 40.</summary>
    private static string WithUnusedTensor(ulong bytes) =>
        SeedHeader.Insert(SeedHeader.Length - 1, $$""","unused":{"dtype":"U8","shape":[{{bytes}}],"data_offsets":[40,{{40 + bytes}}]}""");

    /// <summary>A safetensors file with one more U8 tensor of <paramref name="bytes"/> bytes at the end of its data.</summary>
    private static byte[] AppendUnusedTensor(byte[] file, int bytes)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(file, 8, headerLength))!.AsObject();
        long end = file.Length - 8 - headerLength;
        header["appended"] = System.Text.Json.Nodes.JsonNode.Parse($$"""{"dtype":"U8","shape":[{{bytes}}],"data_offsets":[{{end}},{{end + bytes}}]}""");
        return Build(header.ToJsonString(), file.AsSpan(8 + headerLength).ToArray().Concat(new byte[bytes]).ToArray());
    }

    private static byte[] LengthPrefix(ulong headerLength)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, headerLength);
        return prefix;
    }

    private static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    private static byte[] Build(byte[] header, byte[] data) => LengthPrefix((ulong)header.Length).Concat(header).Concat(data).ToArray();

    private static byte[] WithHeaderLength(byte[] file, ulong headerLength)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, headerLength);
        return copy;
    }

    private static float[] Read(byte[] file, NetworkSpec spec, string mode)
    {
        switch (mode)
        {
            case "seekable":
                return Reader.ReadParameters(new MemoryStream(file, writable: false), spec);
            case "non-seekable":
                return Reader.ReadParameters(new NonSeekableStream(file), spec);
            default:
                string path = Path.Combine(Path.GetTempPath(), $"cnngen-{Guid.NewGuid():N}.safetensors");
                File.WriteAllBytes(path, file);
                try
                {
                    return Reader.ReadParameters(path, spec);
                }
                finally
                {
                    File.Delete(path);
                }
        }
    }

    /// <summary>Asserts that reading throws exactly InvalidDataException in every mode, with the text in its message.</summary>
    private static void AssertCorrupt(byte[] file, string? inMessage = null, string[]? modes = null)
    {
        foreach (string mode in modes ?? new[] { "file", "seekable", "non-seekable" })
        {
            var ex = Assert.Throws<InvalidDataException>(() => Read(file, SeedStride1, mode));
            if (inMessage is not null) Assert.True(ex.Message.Contains(inMessage, StringComparison.Ordinal), $"[{mode}] expected \"{inMessage}\" in: {ex.Message}");
        }
    }

    /// <summary>A broken stream: every Read claims -1 bytes.</summary>
    private sealed class NegativeReadStream : MemoryStream
    {
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => -1;

        public override int Read(Span<byte> buffer) => -1;
    }
}
