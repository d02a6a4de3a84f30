using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Safetensors;

using Reader = CnnGen.Safetensors;

/// <summary>
/// Hostile files by the thousand: seeded random mutations of the PyTorch fixtures' safetensors files,
/// from bit flips to rewritten headers. Every case must either load what the file holds or throw
/// InvalidDataException (never another exception, a huge allocation or a long stall), the seekable and
/// the streaming reader must agree, and a generated network that fails to load keeps its parameters.
/// CNNGEN_FUZZ_SEED replays a run; CNNGEN_FUZZ_COUNT raises the count for a long soak.
/// </summary>
public class SafetensorsFuzzTests
{
    // Far above what any fixture needs (SameConv's file is 400 bytes), far below what a length taken on trust costs.
    private const long MaxAllocatedBytesPerRead = 16L << 20;
    private static readonly TimeSpan MaxTimePerCase = TimeSpan.FromSeconds(2);

    private static readonly (string File, NetworkSpec Spec)[] Bases =
    {
        ("SeedStride1.safetensors", Fixtures.SeedStride1.Spec),
        ("SameConv.safetensors", Fixtures.SameConv.Spec),
        ("MultiFilter.safetensors", Fixtures.MultiFilter.Spec),
        ("StridedConv.safetensors", Fixtures.StridedConv.Spec),
        ("DenseSoftmax.safetensors", Fixtures.DenseSoftmax.Spec),
        ("MaxPool.safetensors", Fixtures.MaxPool.Spec),
    };

    private readonly ITestOutputHelper _output;

    public SafetensorsFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Mutated_files_load_what_they_hold_or_throw_InvalidDataException_and_leave_the_network_as_it_was()
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261126);
        int count = TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 5000);
        _output.WriteLine($"safetensors fuzz: {count} mutated files, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");

        var random = new Random(seed);
        var originals = Bases.Select(b => File.ReadAllBytes(FixtureFiles.PathOf(b.File))).ToArray();
        var net = new Fixtures.SameConv();
        var start = Enumerable.Range(0, Fixtures.SameConv.ParameterCount).Select(i => MathF.Sin(i + 0.5f)).ToArray();
        net.LoadParameters(start);
        var input = Enumerable.Range(0, Fixtures.SameConv.InputLength).Select(i => MathF.Cos(i * 0.3f)).ToArray();
        var before = Run(net, input);

        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < count; i++)
        {
            int which = random.Next(Bases.Length);
            var (mutated, mutation, dataOnly) = Mutate(random, originals[which]);
            string context = $"seed {seed} (replay with CNNGEN_FUZZ_SEED={seed}), case {i}: {mutation} of {Bases[which].File}";
            var clock = Stopwatch.StartNew();

            var seekable = Outcome(() => Reader.ReadParameters(new MemoryStream(mutated, writable: false), Bases[which].Spec), context + ", seekable");
            var streaming = Outcome(() => Reader.ReadParameters(new NonSeekableStream(mutated), Bases[which].Spec), context + ", streaming");
            Assert.True(Agree(seekable, streaming), $"{context}: the seekable reader {Describe(seekable)}, the streaming one {Describe(streaming)}");
            if (dataOnly)
            {
                // the header is intact, so the file must load, with the mutated bytes where the header says
                Assert.True(seekable is float[], $"{context}: only tensor data changed, yet the read {Describe(seekable)}");
                Assert.Equal(TensorsAsTheHeaderPlacesThem(mutated, Bases[which].Spec), (float[])seekable);
            }

            var load = Outcome(() => { net.LoadSafetensors(new MemoryStream(mutated, writable: false)); return Array.Empty<float>(); }, context + ", SameConv");
            if (load is InvalidDataException)
            {
                Assert.True(before.SequenceEqual(Run(net, input)), $"{context}: a failed load changed the network's parameters");
            }
            else
            {
                net.LoadParameters(start); // it held SameConv's tensors: back to the known parameters
            }
            Assert.True(clock.Elapsed < MaxTimePerCase, $"{context}: took {clock.Elapsed.TotalMilliseconds:F0} ms");

            string key = mutation.Split(':')[0] + (seekable is float[] ? " loaded" : " rejected");
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        _output.WriteLine($"safetensors fuzz: {count} files, every one loaded or threw InvalidDataException; "
            + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
    }

    // ---- mutations ----

    /// <summary>One random mutation: the bytes, what was done (for the failure message), and whether only tensor data changed.</summary>
    private static (byte[] File, string Mutation, bool DataOnly) Mutate(Random random, byte[] original)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        int dataStart = 8 + headerLength;
        var file = original.ToList();
        switch (random.Next(12))
        {
            case 0:
            {
                int flips = random.Next(1, 9);
                for (int k = 0; k < flips; k++) file[random.Next(file.Count)] ^= (byte)(1 << random.Next(8));
                return (file.ToArray(), $"bit flips: {flips} anywhere", false);
            }
            case 1 when original.Length > dataStart:
            {
                int position = random.Next(dataStart, original.Length);
                file[position] ^= (byte)(1 << random.Next(8));
                return (file.ToArray(), $"data bit flip: byte {position}", true);
            }
            case 2:
            {
                int position = random.Next(file.Count + 1), length = random.Next(1, 17);
                file.InsertRange(position, RandomBytes(random, length));
                return (file.ToArray(), $"insertion: {length} bytes at {position}", false);
            }
            case 3:
            {
                int position = random.Next(file.Count), length = Math.Min(random.Next(1, 17), file.Count - position);
                file.RemoveRange(position, length);
                return (file.ToArray(), $"deletion: {length} bytes at {position}", false);
            }
            case 4:
            {
                int length = random.Next(original.Length);
                return (original.AsSpan(0, length).ToArray(), $"truncation: to {length} bytes", false);
            }
            case 5:
            {
                ulong[] lengths = { ulong.MaxValue, ulong.MaxValue - 7, 1UL << 63, (ulong)original.Length, (ulong)headerLength + 1, (ulong)headerLength - 1, 0, 100_000_001, (ulong)random.NextInt64() };
                ulong claimed = lengths[random.Next(lengths.Length)];
                var bytes = original.ToArray();
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimed);
                return (bytes, $"header length: {claimed}", false);
            }
            case 6:
                return (RandomBytes(random, random.Next(0, 600)), "random bytes", false);
            default:
            {
                string header = Encoding.UTF8.GetString(original, 8, headerLength);
                var (rewritten, what) = RewriteHeader(random, header);
                var body = Encoding.UTF8.GetBytes(rewritten);
                // usually a consistent length prefix, so the rewrite itself is what the reader meets
                ulong prefix = random.Next(5) == 0 ? (ulong)headerLength : (ulong)body.Length;
                var bytes = new byte[8].Concat(body).Concat(original.Skip(dataStart)).ToArray();
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, prefix);
                return (bytes, "header: " + what, false);
            }
        }
    }

    private static (string Header, string What) RewriteHeader(Random random, string header)
    {
        var root = JsonNode.Parse(header)!.AsObject();
        var names = root.Select(p => p.Key).Where(k => k != "__metadata__").ToList();
        if (names.Count == 0) return (header.Insert(1, "\"x\":" + RandomJson(random, 0) + ","), "a random entry in an empty header");
        string name = names[random.Next(names.Count)];
        var entry = root[name]!.AsObject();
        switch (random.Next(9))
        {
            case 0:
            {
                string[] dtypes = { "F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F4", "F6_E2M3", "C64", "f32", "", "F33", "FLOAT", "\\u0000" };
                string dtype = dtypes[random.Next(dtypes.Length)];
                entry["dtype"] = "\u0001dtype\u0001";
                return (root.ToJsonString().Replace("\"\\u0001dtype\\u0001\"", "\"" + dtype + "\"", StringComparison.Ordinal), $"dtype of {name} = {dtype}");
            }
            case 1:
            {
                string[] offsets = { "0", "4", "36", "40", "72", "-1", "1.5", "4294967296", "9223372036854775808", "18446744073709551615", "18446744073709551616", "1e3" };
                int arity = random.Next(6) == 0 ? random.Next(4) : 2;
                string value = "[" + string.Join(",", Enumerable.Range(0, arity).Select(_ => offsets[random.Next(offsets.Length)])) + "]";
                return (Replace(root, entry, "data_offsets", value), $"data_offsets of {name} = {value}");
            }
            case 2 when names.Count > 1:
            {
                string other = names.First(n => n != name);
                var (a, b) = (entry["data_offsets"]!.DeepClone(), root[other]!["data_offsets"]!.DeepClone());
                entry["data_offsets"] = b;
                root[other]!["data_offsets"] = a;
                return (root.ToJsonString(), $"data_offsets of {name} and {other} swapped");
            }
            case 3:
            {
                string[] dims = { "0", "1", "2", "3", "9", "-1", "1.5", "2147483648", "4611686018427387904", "18446744073709551615", "\"3\"" };
                string value = "[" + string.Join(",", Enumerable.Range(0, random.Next(6)).Select(_ => dims[random.Next(dims.Length)])) + "]";
                return (Replace(root, entry, "shape", value), $"shape of {name} = {value}");
            }
            case 4:
            {
                string field = new[] { "dtype", "shape", "data_offsets" }[random.Next(3)];
                string fragment = RandomJson(random, 0);
                return (Replace(root, entry, field, fragment), $"{field} of {name} = {Shorten(fragment)}");
            }
            case 5:
            {
                // a second entry under a name already present, as raw text: a JSON object model cannot hold it
                string json = root.ToJsonString();
                return (json.Insert(json.Length - 1, $",\"{name}\":{entry.ToJsonString()}"), $"duplicate key {name}");
            }
            case 6:
            {
                int depth = random.Next(1, 3000);
                string json = root.ToJsonString();
                return (json.Insert(json.Length - 1, ",\"deep\":" + new string('[', depth) + new string(']', depth)), $"nesting {depth} deep");
            }
            case 7:
            {
                root["__metadata__"] = "\u0001fragment\u0001";
                string fragment = RandomJson(random, 0);
                return (root.ToJsonString().Replace("\"\\u0001fragment\\u0001\"", fragment, StringComparison.Ordinal), $"__metadata__ = {Shorten(fragment)}");
            }
            default:
            {
                // text that is not JSON (or not this JSON) spliced in anywhere
                string[] junk = { "}", "{", ",", "\"", "\\", ":", "\u00ff", "\ud83d\ude00", "\\ud800", "NaN", "/*", "\0", " ", "\"0.weight\"" };
                string piece = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => junk[random.Next(junk.Length)]));
                int at = random.Next(header.Length + 1);
                return (header.Insert(at, piece), $"splice {Shorten(piece)} at {at}");
            }
        }
    }

    /// <summary>The header with one field of one entry replaced by raw JSON text (which may be invalid on purpose).</summary>
    private static string Replace(JsonObject root, JsonObject entry, string field, string rawValue)
    {
        entry[field] = "\u0001fragment\u0001";
        return root.ToJsonString().Replace("\"\\u0001fragment\\u0001\"", rawValue, StringComparison.Ordinal);
    }

    /// <summary>A random JSON value, sometimes not quite JSON: huge numbers, lone surrogates, nesting.</summary>
    private static string RandomJson(Random random, int depth)
    {
        string[] scalars = { "0", "-0", "1e400", "-1", "18446744073709551616", "1.5", "true", "null", "\"F32\"", "\"\\ud800\"", "\"\u00e9\"", "\"\"", "01", "+1", "'x'" };
        return (depth > 3 ? 0 : random.Next(4)) switch
        {
            0 or 1 => scalars[random.Next(scalars.Length)],
            2 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(k => $"\"k{k}\":" + RandomJson(random, depth + 1))) + "}",
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    // ---- checking ----

    /// <summary>The read's result, or the InvalidDataException it threw; anything else fails the test with the case.</summary>
    private static object Outcome(Func<float[]> read, string context)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        object result;
        try
        {
            result = read();
        }
        catch (InvalidDataException e)
        {
            result = e;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{context}: threw {e.GetType().Name}, not InvalidDataException: {e}");
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(allocated <= MaxAllocatedBytesPerRead, $"{context}: allocated {allocated} bytes");
        return result;
    }

    private static bool Agree(object a, object b) =>
        (a is InvalidDataException && b is InvalidDataException) || (a is float[] x && b is float[] y && x.SequenceEqual(y));

    private static string Describe(object outcome) =>
        outcome is InvalidDataException e ? "threw: " + e.Message : $"loaded {((float[])outcome).Length} floats";

    /// <summary>An independent reading of an intact header: each network tensor's floats from where data_offsets puts them.</summary>
    private static float[] TensorsAsTheHeaderPlacesThem(byte[] file, NetworkSpec spec)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(file.AsMemory(8, headerLength));
        var values = new float[spec.ParameterCount];
        foreach (var tensor in spec.Parameters)
        {
            int begin = 8 + headerLength + header.RootElement.GetProperty(tensor.Name).GetProperty("data_offsets")[0].GetInt32();
            for (int k = 0; k < tensor.Length; k++) values[tensor.Offset + k] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(begin + 4 * k));
        }
        return values;
    }

    private static float[] Run(Fixtures.SameConv net, float[] input)
    {
        var output = new float[Fixtures.SameConv.OutputLength];
        net.Forward(input, output);
        return output;
    }
}
