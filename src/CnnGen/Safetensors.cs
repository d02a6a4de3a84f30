using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using CnnGen.Ir;

namespace CnnGen;

/// <summary>
/// Reads a network's parameters from a safetensors file, such as the one
/// <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes.
/// </summary>
/// <remarks>
/// <para>
/// The file is validated as a whole the way the Rust <c>safetensors</c> library validates it
/// (<c>SafeTensors::deserialize</c>): the header length must fit in the file and be at most 100,000,000 bytes;
/// the header must be UTF-8 JSON starting with '{'; every dtype must be one safetensors knows; and the
/// tensors, sorted by offsets, must tile the data buffer exactly. A truncated or padded file is therefore
/// rejected even when the network's own tensors are intact.
/// </para>
/// <para>
/// Then every tensor in <see cref="NetworkSpec.Parameters"/> must be present by name with dtype F32 and exactly
/// the network's shape. Other tensors (inputs, expected outputs, buffers) and "__metadata__" are ignored.
/// </para>
/// <para>
/// Corrupt or mismatched data always throws <see cref="InvalidDataException"/>, with a message naming what was
/// expected and what was found. Nothing is allocated from a length the file claims before that length has been
/// checked against the data actually present.
/// </para>
/// </remarks>
public static class Safetensors
{
    private const int LengthPrefixBytes = 8;

    // The Rust library's MAX_HEADER_SIZE.
    private const ulong MaxHeaderBytes = 100_000_000;

    // serde_json stops at 128 levels; a valid header needs 3 (object, tensor, shape), so 64 is ample.
    private const int MaxJsonDepth = 64;

    private const int ChunkBytes = 81920;

    // A non-seekable stream must be read through every tensor, used or not, and a header may claim any size:
    // past the network's own bytes, this much of other tensors is read before the claim is refused.
    private const ulong MaxSequentialOtherBytes = 1UL << 30;

    // Longest file-supplied text (names, numbers) quoted in a message, so a hostile header cannot bloat it.
    private const int MaxQuotedChars = 64;

    private const string MetadataKey = "__metadata__";
    private const string NetworkDtype = "F32";


    /// <summary>Reads the parameters of <paramref name="spec"/> from the safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="spec">The network whose <see cref="NetworkSpec.Parameters"/> name the tensors to read.</param>
    /// <returns>A new array of <see cref="NetworkSpec.ParameterCount"/> floats, each tensor at its <see cref="ParameterTensor.Offset"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="spec"/> is null.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, or it does not hold the network's tensors as F32 with the network's shapes.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist. This and the other errors of opening a file
    /// (<see cref="DirectoryNotFoundException"/>, <see cref="UnauthorizedAccessException"/>, <see cref="IOException"/>)
    /// come from <see cref="FileStream"/> unchanged: they are about the path, not the data.</exception>
    public static float[] ReadParameters(string path, NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(spec);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
        return ReadParameters(file, spec);
    }

    /// <summary>Reads the parameters of <paramref name="spec"/> from a safetensors file that starts at the stream's current position.</summary>
    /// <param name="stream">
    /// The file's bytes. A seekable stream is read from its position to its end, seeking past the tensors the
    /// network does not use, so they cost nothing whatever their size. A non-seekable one is read to its end,
    /// so its cost is bounded: its data buffer may hold the network's own tensors
    /// (<see cref="NetworkSpec.ParameterCount"/> times 4 bytes) plus at most 1 GiB of other tensors, and a header
    /// claiming more is refused before any tensor is read. The stream is left open.
    /// </param>
    /// <param name="spec">The network whose <see cref="NetworkSpec.Parameters"/> name the tensors to read.</param>
    /// <returns>A new array of <see cref="NetworkSpec.ParameterCount"/> floats, each tensor at its <see cref="ParameterTensor.Offset"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="spec"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file, or they do not hold the network's tensors as F32 with the network's shapes,
    /// or the stream cannot seek and the header claims more than the network's bytes plus 1 GiB of data.</exception>
    /// <exception cref="IOException">The stream itself failed (passed on unchanged), or its Read returned a count outside the buffer it was given.</exception>
    public static float[] ReadParameters(Stream stream, NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(spec);
        if (!stream.CanRead) throw new ArgumentException("The stream cannot be read.", nameof(stream));
        return stream.CanSeek ? ReadSeekable(stream, spec) : ReadSequential(stream, spec);
    }

    /// <summary>One tensor entry of the header. Offsets are relative to the start of the data buffer.</summary>
    private sealed record TensorEntry(string Name, string Dtype, ulong[] Shape, ulong Begin, ulong End);

    /// <summary>A network tensor and the file entry that holds it.</summary>
    private sealed record Placement(ParameterTensor Parameter, TensorEntry Entry);

    // With the file's length known up front, everything is checked before any tensor is read,
    // and only the network's tensors are read.
    private static float[] ReadSeekable(Stream stream, NetworkSpec spec)
    {
        long origin = stream.Position;
        ulong fileLength = (ulong)Math.Max(0L, stream.Length - origin);
        ulong headerLength = ReadHeaderLength(stream);
        if (fileLength < LengthPrefixBytes || headerLength > fileLength - LengthPrefixBytes)
        {
            throw Corrupt($"The header length {headerLength} is past the end of the file ({fileLength} bytes).");
        }

        CheckHeaderLimit(headerLength);
        var entries = ParseHeader(ReadHeader(stream, (int)headerLength));
        ulong dataLength = CheckTiling(entries);
        CheckDataLength(dataLength, fileLength - LengthPrefixBytes - headerLength);

        var placements = PlaceParameters(entries, spec);
        var parameters = new float[spec.ParameterCount];
        long dataStart = origin + LengthPrefixBytes + (long)headerLength;
        foreach (var placement in placements)
        {
            // Begin < file length, which is a long, so the sum cannot overflow.
            stream.Position = dataStart + (long)placement.Entry.Begin;
            ReadTensor(stream, parameters, placement);
        }

        return parameters;
    }

    // Without a length, the header is checked first, the network's tensors are read in file order as they
    // pass by, and the rest is drained to prove the data buffer has exactly the size the header says.
    private static float[] ReadSequential(Stream stream, NetworkSpec spec)
    {
        ulong headerLength = ReadHeaderLength(stream);
        CheckHeaderLimit(headerLength);
        var entries = ParseHeader(ReadHeader(stream, (int)headerLength));
        ulong dataLength = CheckTiling(entries);

        var placements = PlaceParameters(entries, spec);
        CheckSequentialLimit(dataLength, spec);
        var parameters = new float[spec.ParameterCount];
        ulong position = 0;
        foreach (var placement in placements.OrderBy(p => p.Entry.Begin).ThenBy(p => p.Entry.End))
        {
            ulong skipped = Skip(stream, placement.Entry.Begin - position);
            if (skipped < placement.Entry.Begin - position) CheckDataLength(dataLength, position + skipped);
            ReadTensor(stream, parameters, placement);
            position = placement.Entry.End;
        }

        // Read at most one byte past the end the header claims, so an endless stream cannot hang us.
        ulong remaining = dataLength - position;
        ulong drained = Skip(stream, remaining == ulong.MaxValue ? remaining : remaining + 1);
        CheckDataLength(dataLength, position + drained);
        return parameters;
    }

    // Checked before any tensor is read, so a claim of 2^60 bytes over an endless stream fails at once.
    private static void CheckSequentialLimit(ulong dataLength, NetworkSpec spec)
    {
        ulong networkBytes = (ulong)spec.ParameterCount * sizeof(float);
        ulong limit = networkBytes + MaxSequentialOtherBytes;
        if (dataLength > limit)
        {
            throw Corrupt($"The header's tensors cover {dataLength} bytes of data, over the limit of {limit} bytes for a stream that cannot seek "
                + $"(the network's {networkBytes} bytes plus {MaxSequentialOtherBytes} bytes of other tensors, all of which would have to be read through); "
                + "a seekable stream or a file has no such limit, since it skips the tensors the network does not use.");
        }
    }

    private static ulong ReadHeaderLength(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        int read = ReadAtMost(stream, prefix);
        if (read < LengthPrefixBytes)
        {
            throw Corrupt($"The file is {read} bytes long, too short for the {LengthPrefixBytes}-byte header length a safetensors file starts with.");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(prefix);
    }

    private static void CheckHeaderLimit(ulong headerLength)
    {
        if (headerLength > MaxHeaderBytes)
        {
            throw Corrupt($"The header length {headerLength} is over the safetensors limit of {MaxHeaderBytes} bytes.");
        }
    }

    // Grows the buffer as bytes arrive, so a claimed length that the stream cannot back costs little memory.
    private static byte[] ReadHeader(Stream stream, int headerLength)
    {
        var buffer = new byte[Math.Min(headerLength, ChunkBytes)];
        int filled = 0;
        while (filled < headerLength)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(headerLength, 2L * buffer.Length));
            int read = ReadSome(stream, buffer.AsSpan(filled));
            if (read == 0)
            {
                throw Corrupt($"The file ends {filled} bytes into its {headerLength}-byte header.");
            }

            filled += read;
        }

        return buffer;
    }

    private static void ReadTensor(Stream stream, float[] parameters, Placement placement)
    {
        var values = parameters.AsSpan(placement.Parameter.Offset, placement.Parameter.Length);
        int read = ReadAtMost(stream, MemoryMarshal.AsBytes(values));
        if (read < values.Length * sizeof(float))
        {
            throw Corrupt($"The file ends {read} bytes into tensor '{Quote(placement.Entry.Name)}', which has {values.Length * sizeof(float)} bytes.");
        }

        // safetensors data is little-endian whatever the host.
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, uint>(values);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = ReadSome(stream, buffer[filled..]);
            if (read == 0) break;
            filled += read;
        }

        return filled;
    }

    /// <summary>One Read, checked: every loop above ends because each read makes progress or returns 0.</summary>
    private static int ReadSome(Stream stream, Span<byte> buffer)
    {
        int read = stream.Read(buffer);
        if (read < 0 || read > buffer.Length)
        {
            throw new IOException($"The stream's Read returned {read} for a buffer of {buffer.Length} bytes.");
        }

        return read;
    }

    /// <summary>Reads and discards up to <paramref name="count"/> bytes; returns how many there were.</summary>
    private static ulong Skip(Stream stream, ulong count)
    {
        if (count == 0) return 0;
        var scratch = new byte[(int)Math.Min(count, ChunkBytes)];
        ulong skipped = 0;
        while (skipped < count)
        {
            int read = ReadSome(stream, scratch.AsSpan(0, (int)Math.Min(count - skipped, (ulong)scratch.Length)));
            if (read == 0) break;
            skipped += (ulong)read;
        }

        return skipped;
    }

    private static void CheckDataLength(ulong tiledLength, ulong actualLength)
    {
        if (tiledLength != actualLength)
        {
            string found = actualLength > tiledLength ? $"more than {tiledLength}" : actualLength.ToString(CultureInfo.InvariantCulture);
            throw Corrupt($"The header's tensors cover {tiledLength} bytes of data, but the file has {found} bytes after the header.");
        }
    }

    private static List<TensorEntry> ParseHeader(byte[] header)
    {
        if (!Utf8.IsValid(header))
        {
            throw Corrupt("The header is not valid UTF-8.");
        }

        // The Rust library requires the '{' itself; JsonDocument would also accept leading whitespace or a BOM.
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string found = header.Length == 0 ? "is empty" : $"starts with byte 0x{header[0]:X2}";
            throw Corrupt($"The header must be a JSON object starting with '{{', but it {found}.");
        }

        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            return ReadEntries(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement throws this when a string holds escaped text that is not valid UTF-16 (a lone surrogate).
            throw new InvalidDataException($"The header holds a string that is not valid text: {e.Message}", e);
        }
    }

    private static List<TensorEntry> ReadEntries(JsonElement root)
    {
        var entries = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            // serde would keep the last of two equal keys; a file that names a tensor twice is not trusted here.
            if (!names.Add(property.Name))
            {
                throw Corrupt($"The header names '{Quote(property.Name)}' twice.");
            }

            if (property.NameEquals(MetadataKey)) CheckMetadata(property.Value);
            else entries.Add(ReadEntry(property.Name, property.Value));
        }

        return entries;
    }

    // "__metadata__" is Option<HashMap<String, String>> in the Rust library: null or an object of strings.
    private static void CheckMetadata(JsonElement metadata)
    {
        if (metadata.ValueKind == JsonValueKind.Null) return;
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt($"'{MetadataKey}' must be an object of strings, but it is {Describe(metadata)}.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in metadata.EnumerateObject())
        {
            if (!keys.Add(item.Name))
            {
                throw Corrupt($"'{MetadataKey}' has the key '{Quote(item.Name)}' twice.");
            }

            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Corrupt($"'{MetadataKey}' entry '{Quote(item.Name)}' must be a string, but it is {Describe(item.Value)}.");
            }
        }
    }

    // TensorInfo in the Rust library is a plain serde struct without deny_unknown_fields, so unknown fields are
    // ignored, as here. serde rejects a repeated known field; any repeated field is rejected here, to be strict.
    private static TensorEntry ReadEntry(string name, JsonElement info)
    {
        if (info.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt($"Tensor '{Quote(name)}' must be an object with dtype, shape and data_offsets, but it is {Describe(info)}.");
        }

        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in info.EnumerateObject())
        {
            if (!fields.Add(field.Name))
            {
                throw Corrupt($"Tensor '{Quote(name)}' has the field '{Quote(field.Name)}' twice.");
            }
        }

        string dtype = ReadDtype(name, RequiredField(name, info, "dtype"));
        ulong[] shape = ReadIntegers(name, "shape", RequiredField(name, info, "shape"));
        ulong[] offsets = ReadIntegers(name, "data_offsets", RequiredField(name, info, "data_offsets"));
        if (offsets.Length != 2)
        {
            throw Corrupt($"Tensor '{Quote(name)}' must have two data_offsets [begin, end], but it has {offsets.Length}.");
        }

        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static JsonElement RequiredField(string name, JsonElement info, string field)
    {
        if (!info.TryGetProperty(field, out var value))
        {
            throw Corrupt($"Tensor '{Quote(name)}' has no '{field}'.");
        }

        return value;
    }

    private static string ReadDtype(string name, JsonElement dtype)
    {
        if (dtype.ValueKind != JsonValueKind.String)
        {
            throw Corrupt($"Tensor '{Quote(name)}' must have a string dtype, but it is {Describe(dtype)}.");
        }

        string value = dtype.GetString()!;
        if (SafetensorsDTypes.BitsOf(value) == 0)
        {
            throw Corrupt($"Tensor '{Quote(name)}' has the unknown dtype '{Quote(value)}'; safetensors knows {SafetensorsDTypes.Known}.");
        }

        return value;
    }

    // Shapes and offsets are usize in the Rust library: JSON integers from 0 to 2^64 - 1, no sign, fraction or exponent.
    private static ulong[] ReadIntegers(string name, string field, JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt($"Tensor '{Quote(name)}' must have an array of integers as {field}, but it is {Describe(array)}.");
        }

        var values = new ulong[array.GetArrayLength()];
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            values[index++] = ReadInteger(name, field, item);
        }

        return values;
    }

    private static ulong ReadInteger(string name, string field, JsonElement item)
    {
        string text = item.ValueKind == JsonValueKind.Number ? item.GetRawText() : "";
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            throw Corrupt($"Tensor '{Quote(name)}' has {field} with {Describe(item)}, which is not a non-negative integer.");
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            throw Corrupt($"Tensor '{Quote(name)}' has {field} with {Quote(text)}, which does not fit in 64 bits.");
        }

        return value;
    }

    /// <summary>Checks that the tensors, in offset order, tile the data buffer; returns its length.</summary>
    private static ulong CheckTiling(List<TensorEntry> entries)
    {
        // As the Rust library does: header order is free, so sort by (begin, end) before checking.
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        ulong end = 0;
        TensorEntry? previous = null;
        foreach (var entry in sorted)
        {
            if (entry.Begin != end) throw Corrupt(DescribeMisplacement(entry, previous, end));
            if (entry.End < entry.Begin)
            {
                throw Corrupt($"Tensor '{Quote(entry.Name)}' ends at byte {entry.End}, before it begins at byte {entry.Begin}.");
            }

            ulong size = ByteSize(entry);
            if (entry.End - entry.Begin != size)
            {
                throw Corrupt($"Tensor '{Quote(entry.Name)}' is {entry.Dtype} {FormatShape(entry.Shape)}, which takes {size} bytes, but its data_offsets [{entry.Begin}, {entry.End}] span {entry.End - entry.Begin}.");
            }

            end = entry.End;
            previous = entry;
        }

        return end;
    }

    private static string DescribeMisplacement(TensorEntry entry, TensorEntry? previous, ulong expectedBegin)
    {
        if (previous is null)
        {
            return $"The first tensor in the data buffer, '{Quote(entry.Name)}', begins at byte {entry.Begin} instead of 0.";
        }

        string relation = entry.Begin < expectedBegin ? "overlaps" : "leaves a gap after";
        return $"Tensor '{Quote(entry.Name)}' begins at byte {entry.Begin}, which {relation} tensor '{Quote(previous.Name)}' ending at byte {expectedBegin}; tensors must tile the data buffer.";
    }

    private static ulong ByteSize(TensorEntry entry)
    {
        try
        {
            ulong elements = 1;
            foreach (ulong dimension in entry.Shape) elements = checked(elements * dimension);
            ulong bits = checked(elements * (ulong)SafetensorsDTypes.BitsOf(entry.Dtype));
            if (bits % 8 != 0)
            {
                throw Corrupt($"Tensor '{Quote(entry.Name)}' is {entry.Dtype} {FormatShape(entry.Shape)}: {elements} elements do not fill whole bytes.");
            }

            return bits / 8;
        }
        catch (OverflowException)
        {
            throw Corrupt($"Tensor '{Quote(entry.Name)}' is {entry.Dtype} {FormatShape(entry.Shape)}, whose size in bits overflows 64 bits.");
        }
    }

    /// <summary>Finds each network tensor in the file and checks its dtype and shape.</summary>
    private static List<Placement> PlaceParameters(List<TensorEntry> entries, NetworkSpec spec)
    {
        var byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var placements = new List<Placement>(spec.Parameters.Count);
        foreach (var parameter in spec.Parameters)
        {
            if (!byName.TryGetValue(parameter.Name, out var entry))
            {
                throw Corrupt($"The file has no tensor '{parameter.Name}'; the network expects {NetworkDtype} {FormatShape(parameter.Shape)}.");
            }

            if (entry.Dtype != NetworkDtype)
            {
                throw Corrupt($"Tensor '{parameter.Name}' has dtype {entry.Dtype} but the network needs {NetworkDtype}.");
            }

            if (!entry.Shape.SequenceEqual(parameter.Shape.Select(d => (ulong)d)))
            {
                throw Corrupt($"Tensor '{parameter.Name}' has shape {FormatShape(entry.Shape)} but the network expects {FormatShape(parameter.Shape)}.");
            }

            placements.Add(new Placement(parameter, entry));
        }

        return placements;
    }

    private static string FormatShape<T>(IEnumerable<T> shape) => Quote($"[{string.Join(", ", shape)}]");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Quote(value.GetString()!)}\"",
        JsonValueKind.Null => "null",
        _ => Quote(value.GetRawText()),
    };

    private static string Quote(string text) => text.Length <= MaxQuotedChars ? text : string.Concat(text.AsSpan(0, MaxQuotedChars), "...");

    private static InvalidDataException Corrupt(string message) => new(message);
}
