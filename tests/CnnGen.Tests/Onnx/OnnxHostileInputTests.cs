using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CnnGen.Build;
using CnnGen.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// Files no exporter writes: truncated at every byte, lengths of 2^62, nesting a million deep, random bytes, mutated
/// models. OnnxProtobuf must answer each with a model or an error (never an exception, never an "internal error"),
/// allocate no more than the file justifies, and finish quickly; every model it does return must survive the text form.
/// </summary>
public sealed class OnnxHostileInputTests
{
    private const string SmallModel = "tests/fixtures/layers/MobileNetTiny.onnx";

    private readonly ITestOutputHelper _output;

    public OnnxHostileInputTests(ITestOutputHelper output) => _output = output;

    /// <summary>Reads, asserting the reader's contract; the result.</summary>
    private static OnnxFileResult Read(byte[] bytes, string context)
    {
        OnnxFileResult result;
        try
        {
            result = OnnxProtobuf.Read(bytes);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{context}: OnnxProtobuf.Read threw {e}");
        }
        Assert.True(result.Succeeded ^ (result.Error is not null), context);
        Assert.True(result.Error is null || !result.Error.Contains("internal error"), $"{context}: {result.Error}");
        if (result.Succeeded) Assert.Equal(result.Model, OnnxFiles.RoundTrip(result.Model!, context));
        return result;
    }

    [Fact]
    public void AFileTruncatedAtEveryByteIsAnErrorUnlessItEndsBetweenTheModelsFieldsAfterItsGraph()
    {
        byte[] file = OnnxFiles.ReadRepositoryFile(SmallModel);
        var (boundaries, graphEnd) = TopLevelFieldEnds(file);
        var readable = new List<int>();
        for (int length = 0; length < file.Length; length++)
        {
            var result = Read(file[..length], $"the first {length} of {file.Length} bytes");
            if (result.Succeeded) readable.Add(length);
        }
        // a protobuf message cut between two of its fields is a valid message with fewer fields: here, the model
        // without its trailing opset_import once its graph is whole
        Assert.Equal(boundaries.Where(b => b >= graphEnd && b < file.Length), readable);
        _output.WriteLine($"{SmallModel}: {file.Length} truncations, {readable.Count} read (cut between the fields after the graph), the rest errors");
    }

    /// <summary>Where each top-level field of a ModelProto ends, and where its graph (field 7) ends.</summary>
    private static (List<int> Ends, int GraphEnd) TopLevelFieldEnds(byte[] file)
    {
        var ends = new List<int>();
        int graphEnd = -1, p = 0;
        ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = file[p++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }
        while (p < file.Length)
        {
            ulong tag = ReadVarint();
            if ((tag & 7) == 0) ReadVarint();
            else if ((tag & 7) == 2)
            {
                int length = (int)ReadVarint();
                p += length;
            }
            else throw new InvalidOperationException("the fixture has a field these tests do not expect");
            ends.Add(p);
            if (tag >> 3 == 7) graphEnd = p;
        }
        return (ends, graphEnd);
    }

    [Fact]
    public void ALengthOf2To62IsAnErrorThatAllocatesNothing()
    {
        byte[] huge = Proto.VarintBytes(1UL << 62);
        var cases = new (string Name, byte[] Bytes, string Message)[]
        {
            ("the graph's length", new Proto().Int(1, 8).Tag(7, Proto.Delimited).Raw(huge).Raw(new byte[16]).ToArray(), "a length of 4611686018427387904 bytes runs past the end of its message (16 bytes left)"),
            ("a node's length", Proto.Model(Proto.Graph("g").Tag(1, Proto.Delimited).Raw(huge)).ToArray(), "a length of 4611686018427387904 bytes runs past the end of its message"),
            ("packed floats' length", Proto.Model(Proto.Graph("g").Message(5, new Proto().Int(2, 1).Tag(4, Proto.Delimited).Raw(huge))).ToArray(), "runs past the end of its message"),
            ("raw_data's length", Proto.Model(Proto.Graph("g").Message(5, new Proto().Int(2, 1).Tag(9, Proto.Delimited).Raw(huge))).ToArray(), "runs past the end of its message"),
            ("2^32 + 3, 3 if cast to int", Proto.Model(Proto.Graph("g").Tag(1, Proto.Delimited).Raw(Proto.VarintBytes((1UL << 32) + 3)).Raw(new byte[3])).ToArray(), "a length of 4294967299 bytes"),
            ("2^31, negative if cast to int", Proto.Model(Proto.Graph("g").Tag(1, Proto.Delimited).Raw(Proto.VarintBytes(1UL << 31))).ToArray(), "a length of 2147483648 bytes"),
            ("dims of 2^62 each", Proto.Model(Proto.Graph("g").Message(5, new Proto().PackedInts(1, 1L << 62, 1L << 62).Int(2, 1).String(8, "w"))).ToArray(), "more than 2^62 elements"),
            ("dims of 2^31 x 2^31 with no data", Proto.Model(Proto.Graph("g").Message(5, new Proto().PackedInts(1, 1L << 31, 1L << 31).Int(2, 1).String(8, "w"))).ToArray(), "4611686018427387904 elements, but holds 0 values"),
            ("an 11-byte varint", new Proto().Tag(1, Proto.Varint).Raw(Enumerable.Repeat((byte)0xFF, 10).Append((byte)1).ToArray()).ToArray(), "a varint longer than 10 bytes"),
            ("a 65-bit varint", new Proto().Tag(1, Proto.Varint).Raw(Enumerable.Repeat((byte)0xFF, 9).Append((byte)2).ToArray()).ToArray(), "a varint of more than 64 bits"),
            ("field number 0", new byte[] { 0x02, 0x00 }, "field number 0 is not a protobuf field number"),
            ("wire type 7", new byte[] { 0x0F }, "wire type 7 of field 1 does not exist"),
            ("an end group without its start", new Proto().Tag(99, Proto.EndGroup).ToArray(), "end of group 99 without its start"),
            ("a group never closed", new Proto().Tag(99, Proto.StartGroup).Int(1, 1).ToArray(), "group 99 is not closed before the end of its message"),
            ("a group closed by another number", new Proto().Tag(99, Proto.StartGroup).Tag(98, Proto.EndGroup).ToArray(), "end of group 98 inside another group"),
            ("a known field as a group", new Proto().Tag(1, Proto.StartGroup).Tag(1, Proto.EndGroup).ToArray(), "field 1 (ir_version) has wire type 3, not 0"),
            ("the graph as a varint", new byte[] { 0x38, 0x01 }, "field 7 (graph) has wire type 0, not 2"),
            ("floats as varints", Proto.Model(Proto.Graph("g", Proto.Node("Op", new[] { "x" }, new[] { "y" }, new Proto().String(1, "f").Int(7, 1)))).ToArray(), "field 7 (floats) has wire type 0, neither a 32-bit value nor packed ones"),
            ("packed floats of 5 bytes", Proto.Model(Proto.Graph("g", Proto.Node("Op", new[] { "x" }, new[] { "y" }, new Proto().String(1, "f").Bytes(7, new byte[5])))).ToArray(), "packed field 7 (floats) has 5 bytes, not a multiple of 4"),
            ("a fixed32 cut short", new Proto().Tag(99, Proto.Fixed32).Raw(new byte[3]).ToArray(), "a 32-bit value runs past the end of its message"),
            ("a fixed64 cut short", new Proto().Tag(99, Proto.Fixed64).Raw(new byte[7]).ToArray(), "a 64-bit value runs past the end of its message"),
            ("two graphs", Proto.Model(Proto.Graph("a")).Message(7, Proto.Graph("b")).ToArray(), "the model has a second graph"),
            ("no graph", Array.Empty<byte>(), "the file holds no graph"),
        };
        foreach (var (name, bytes, message) in cases)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = Read(bytes, name);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.False(result.Succeeded, name);
            Assert.Contains(message, result.Error);
            Assert.True(allocated < 1 << 20, $"{name}: {allocated:N0} bytes allocated");
        }
    }

    [Fact]
    public void NestingDeeperThanTheLimitIsAnErrorNotAStackOverflow()
    {
        // graph { node { attribute { g: graph { ... } } } }: three messages per level
        static byte[] NestedGraphs(int levels)
        {
            var graph = Proto.Graph("leaf");
            for (int i = 0; i < levels; i++)
                graph = Proto.Graph("g", Proto.Node("If", new[] { "c" }, new[] { "y" }, new Proto().String(1, "then_branch").Message(6, graph).Int(20, 5)));
            return Proto.Model(graph).ToArray();
        }

        var deep = Read(NestedGraphs(30), "30 levels");
        Assert.True(deep.Succeeded, deep.Error);
        Assert.Contains($"messages nested more than {OnnxProtobuf.MaxDepth} deep", Read(NestedGraphs(40), "40 levels").Error);
        Assert.Contains("messages nested more than", Read(NestedGraphs(1000), "1,000 levels").Error);

        // unknown groups inside groups: skipped without recursion, up to the same limit
        static byte[] NestedGroups(int levels)
        {
            byte[] start = new Proto().Tag(99, Proto.StartGroup).ToArray(), end = new Proto().Tag(99, Proto.EndGroup).ToArray();
            return Enumerable.Repeat(start, levels).Concat(Enumerable.Repeat(end, levels)).SelectMany(b => b).Concat(Proto.Model(Proto.Graph("g")).ToArray()).ToArray();
        }
        Assert.True(Read(NestedGroups(OnnxProtobuf.MaxDepth), "groups").Succeeded);
        Assert.Contains($"groups nested more than {OnnxProtobuf.MaxDepth} deep", Read(NestedGroups(1_000_000), "a million groups").Error);
    }

    [Fact]
    public void RandomBytesAreAModelOrAnErrorNeverAnException()
    {
        var random = new Random(20261201);
        var read = new int[4];
        for (int i = 0; i < 40_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            // random bytes as the whole file, and as the bytes of a graph, a node and a tensor in a well-formed frame,
            // so that the reader goes deeper than the first tag
            var random1 = new Proto().Raw(bytes);
            byte[] file = (i % 4) switch
            {
                0 => bytes,
                1 => Proto.Model(random1).ToArray(),
                2 => Proto.Model(Proto.Graph("g").Message(1, random1)).ToArray(),
                _ => Proto.Model(Proto.Graph("g").Message(5, random1)).ToArray(),
            };
            if (Read(file, $"random case {i}").Succeeded) read[i % 4]++;
        }
        _output.WriteLine($"40,000 random byte strings, 10,000 each as a file, a graph, a node and a tensor: {read[0]}, {read[1]}, {read[2]} and {read[3]} read, the rest errors");
    }

    [Fact]
    public void MutatedModelsAreAModelOrAnErrorNeverAnException()
    {
        var random = new Random(42);
        var originals = new[] { SmallModel, "tests/fixtures/blocks/ResNet8.onnx" }.Select(OnnxFiles.ReadRepositoryFile).ToArray();
        int read = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3000; i++)
        {
            var bytes = originals[i % originals.Length].ToArray();
            string mutation;
            switch (random.Next(4))
            {
                case 0:
                    int bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    mutation = $"bit {bit} flipped";
                    break;
                case 1:
                    int at = random.Next(bytes.Length);
                    bytes[at] = (byte)random.Next(256);
                    mutation = $"byte {at} replaced";
                    break;
                case 2:
                    int start = random.Next(bytes.Length), count = Math.Min(random.Next(1, 64), bytes.Length - start);
                    // slices, not Take/Skip/Concat: .NET 10's ToArray of that throws when Skip passes the end (dotnet/runtime#123284)
                    bytes = [.. bytes[..start], .. bytes[(start + count)..]];
                    mutation = $"{count} bytes deleted at {start}";
                    break;
                default:
                    int where = random.Next(bytes.Length);
                    var inserted = new byte[random.Next(1, 16)];
                    random.NextBytes(inserted);
                    bytes = [.. bytes[..where], .. inserted, .. bytes[where..]];
                    mutation = $"{inserted.Length} bytes inserted at {where}";
                    break;
            }
            if (Read(bytes, $"case {i}: {mutation}").Succeeded) read++;
        }
        _output.WriteLine($"3,000 mutated models: {read} still read (their text round-trips), the rest errors; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void TenMegabytesOfRandomBytesAreReadQuickly()
    {
        var random = new Random(5);
        var bytes = new byte[10 << 20];
        random.NextBytes(bytes);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            random.NextBytes(bytes);
            Read(bytes, $"10 MB random, case {i}");
            OnnxProtobuf.ReadTensor(bytes);
        }
        // and 10 MB of fields the reader must walk: unknown fields of every wire type, then a graph of empty nodes
        var walk = new Proto();
        for (int i = 0; i < 200_000; i++) walk.Int(1000, 123456789).Double(1001, 1).String(1002, "padding").Fixed(1003, 7);
        var nodes = new Proto();
        for (int i = 0; i < 100_000; i++) nodes.Message(1, new Proto().String(4, "Relu"));
        byte[] file = walk.Message(7, nodes).ToArray();
        var result = Read(file, "6 MB of unknown fields and 100,000 nodes");
        Assert.Equal(100_000, result.Model!.Graph.Nodes.Count);
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        _output.WriteLine($"20 random 10 MB files and a walk of {file.Length:N0} bytes: {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void Millions_of_empty_messages_are_an_error_not_gigabytes_of_records()
    {
        // 2 bytes of file per empty node, some 80 bytes of records each: the count is capped
        var nodes = new byte[2 * (OnnxProtobuf.MaxMessages + 1)];
        for (int i = 0; i < nodes.Length; i += 2) nodes[i] = 0x0a; // field 1 (node), length 0
        var graph = new Proto().Bytes(7, nodes).ToArray(); // ModelProto.graph, holding the nodes

        var result = OnnxProtobuf.Read(graph);

        Assert.Null(result.Model);
        Assert.Contains("more than 2,000,000 messages", result.Error);
    }
}
