using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Onnx;

namespace CnnGen.Build;

/// <summary>What <see cref="SafetensorsHeaderReader"/> gives: the header's tensors, or why the file is not valid.</summary>
internal sealed record SafetensorsReadResult(SafetensorsHeaderInfo? Header, string? Error);

/// <summary>
/// Reads and validates a safetensors file's header at build time: an 8-byte little-endian length N, then N bytes of
/// UTF-8 JSON, an object mapping each tensor's name to {"dtype", "shape", "data_offsets"} plus an optional
/// "__metadata__" object of strings. netstandard2.0 has no JSON reader without a package, so this is a small strict
/// one for exactly that. It accepts what the runtime's <c>Safetensors.ReadParameters</c> accepts (the Rust library's
/// rules: header at most 100,000,000 bytes starting with '{', known dtypes, no repeated key, the tensors tiling the
/// data section exactly), so a file the build takes also loads at run time, with two limits PyTorch cannot reach:
/// at most <see cref="SafetensorsHeaderText.MaxRank"/> dimensions and every dimension an int64. JSON nests at most
/// <see cref="MaxDepth"/> deep. Only the header is read, whatever the size of the data. Never throws on bad content;
/// an I/O failure of the stream itself is passed on.
/// </summary>
internal static class SafetensorsHeaderReader
{
    /// <summary>The Rust library's MAX_HEADER_SIZE, as the runtime reader has it.</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>A valid header needs 3 levels (object, tensor, shape); the runtime reader allows 64.</summary>
    public const int MaxDepth = 64;

    private const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the header of the safetensors file that fills <paramref name="file"/> from its start (a seekable stream).</summary>
    public static SafetensorsReadResult Read(Stream file)
    {
        long length = file.Length;
        if (length < 8) return Fail($"the file is {length} bytes long, too short for the 8-byte header length a safetensors file starts with");
        var prefix = new byte[8];
        if (ReadFully(file, prefix) < 8) return Fail("the file ended while its header length was read");
        ulong headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = headerLength << 8 | prefix[i];
        if (headerLength > MaxHeaderBytes) return Fail($"the header length {headerLength} is over the safetensors limit of {MaxHeaderBytes} bytes");
        if (headerLength > (ulong)(length - 8)) return Fail($"the header length {headerLength} is past the end of the file ({length} bytes)");
        var header = new byte[headerLength];
        if (ReadFully(file, header) < header.Length) return Fail("the file ended while its header was read");
        return Parse(header, (ulong)length - 8 - headerLength);
    }

    /// <summary>Validates <paramref name="header"/> (the JSON bytes) against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsReadResult Parse(byte[] header, ulong dataLength)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
            return Fail("the header must be a JSON object starting with '{', but it " + (header.Length == 0 ? "is empty" : $"starts with byte 0x{header[0]:X2}"));
        string json;
        try
        {
            json = StrictUtf8.GetString(header);
        }
        catch (DecoderFallbackException)
        {
            return Fail("the header is not valid UTF-8");
        }
        try
        {
            var entries = new JsonParser(json).ReadHeader();
            var tensors = CheckTiling(entries, dataLength);
            return new SafetensorsReadResult(new SafetensorsHeaderInfo(OnnxArray<SafetensorsTensorInfo>.Own(tensors)), null);
        }
        catch (HeaderException e)
        {
            return Fail(e.Message);
        }
    }

    private static SafetensorsReadResult Fail(string error) => new(null, error);

    private static int ReadFully(Stream stream, byte[] buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read <= 0) break;
            filled += read;
        }
        return filled;
    }

    private sealed class HeaderException : Exception
    {
        public HeaderException(string message) : base(message) { }
    }

    private sealed class Entry
    {
        public Entry(string name, string dtype, ulong[] shape, ulong begin, ulong end)
        {
            Name = name;
            DType = dtype;
            Shape = shape;
            Begin = begin;
            End = end;
        }

        public string Name { get; }
        public string DType { get; }
        public ulong[] Shape { get; }
        public ulong Begin { get; }
        public ulong End { get; }
    }

    /// <summary>The runtime reader's check: sorted by (begin, end), the tensors follow one another from byte 0 to the end of the data, each exactly its size.</summary>
    private static SafetensorsTensorInfo[] CheckTiling(List<Entry> entries, ulong dataLength)
    {
        // OrderBy is stable: tensors of no bytes at one offset keep the header's order
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
        ulong end = 0;
        Entry? previous = null;
        foreach (var entry in sorted)
        {
            if (entry.Begin != end)
                throw new HeaderException(previous is null
                    ? $"the first tensor in the data, '{Quote(entry.Name)}', begins at byte {entry.Begin} instead of 0"
                    : $"tensor '{Quote(entry.Name)}' begins at byte {entry.Begin}, which {(entry.Begin < end ? "overlaps" : "leaves a gap after")} tensor '{Quote(previous.Name)}' ending at byte {end}; tensors must tile the data");
            if (entry.End < entry.Begin) throw new HeaderException($"tensor '{Quote(entry.Name)}' ends at byte {entry.End}, before it begins at byte {entry.Begin}");
            ulong size = ByteSize(entry);
            if (entry.End - entry.Begin != size)
                throw new HeaderException($"tensor '{Quote(entry.Name)}' is {entry.DType} {FormatShape(entry.Shape)}, which takes {size} bytes, but its data_offsets [{entry.Begin}, {entry.End}] span {entry.End - entry.Begin}");
            end = entry.End;
            previous = entry;
        }
        if (end != dataLength) throw new HeaderException($"the header's tensors cover {end} bytes of data, but the file has {dataLength} bytes after the header");

        var tensors = new SafetensorsTensorInfo[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            var shape = new long[sorted[i].Shape.Length];
            for (int d = 0; d < shape.Length; d++) shape[d] = (long)sorted[i].Shape[d]; // each checked to fit when read
            tensors[i] = new SafetensorsTensorInfo(sorted[i].Name, sorted[i].DType, OnnxArray<long>.Own(shape));
        }
        return tensors;
    }

    private static ulong ByteSize(Entry entry)
    {
        // overflow is checked at every step, as the runtime reader does, even where a later 0 would make it moot
        ulong elements = 1;
        foreach (ulong dim in entry.Shape)
        {
            if (dim != 0 && elements > ulong.MaxValue / dim) throw new HeaderException($"tensor '{Quote(entry.Name)}' has shape {FormatShape(entry.Shape)}, whose element count does not fit in 64 bits");
            elements *= dim;
        }
        ulong bits = (ulong)SafetensorsHeaderText.BitsOf(entry.DType);
        if (elements > ulong.MaxValue / bits) throw new HeaderException($"tensor '{Quote(entry.Name)}' is {entry.DType} {FormatShape(entry.Shape)}, whose size in bits does not fit in 64 bits");
        if (elements * bits % 8 != 0) throw new HeaderException($"tensor '{Quote(entry.Name)}' is {entry.DType} {FormatShape(entry.Shape)}: {elements} elements do not fill whole bytes");
        return elements * bits / 8;
    }

    private static string FormatShape(ulong[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>File-supplied text in a message, cut short so a hostile header cannot bloat it.</summary>
    private static string Quote(string s) => s.Length <= 64 ? s : s.Substring(0, 64) + "...";

    /// <summary>Recursive descent over the header's text, for exactly the safetensors schema; anything else in it (unknown tensor fields) is checked to be JSON and skipped.</summary>
    private sealed class JsonParser
    {
        private readonly string _s;
        private int _i;

        public JsonParser(string s) => _s = s;

        private HeaderException Error(string message) => new($"{message} (at character {_i} of the header)");

        private HeaderException Unexpected(string what) =>
            _i >= _s.Length ? Error($"the header ends where {what} should be") : Error($"expected {what}, not '{Describe(_s[_i])}'");

        private static string Describe(char c) => c < 0x20 || c > 0x7E ? $"U+{(int)c:X4}" : c.ToString();

        private void SkipWhitespace()
        {
            while (_i < _s.Length && (_s[_i] == ' ' || _s[_i] == '\t' || _s[_i] == '\n' || _s[_i] == '\r')) _i++;
        }

        private bool Peek(char c)
        {
            SkipWhitespace();
            return _i < _s.Length && _s[_i] == c;
        }

        private void Expect(char c, string what)
        {
            if (!Peek(c)) throw Unexpected(what);
            _i++;
        }

        /// <summary>Runs <paramref name="member"/> on each key of the object that starts here; duplicates are an error when <paramref name="unique"/> names the object.</summary>
        private void Object(int depth, string? unique, Action<string, int> member)
        {
            if (depth > MaxDepth) throw Error($"the JSON nests more than {MaxDepth} deep");
            Expect('{', "'{'");
            var keys = unique is null ? null : new HashSet<string>(StringComparer.Ordinal);
            if (Peek('}'))
            {
                _i++;
                return;
            }
            while (true)
            {
                if (!Peek('"')) throw Unexpected("a key in quotes");
                int at = _i;
                string key = String(decode: true)!;
                if (keys is not null && !keys.Add(key))
                {
                    _i = at;
                    throw Error($"{unique} has the key '{Quote(key)}' twice");
                }
                Expect(':', "':'");
                member(key, depth);
                if (Peek(','))
                {
                    _i++;
                    continue;
                }
                Expect('}', "',' or '}'");
                return;
            }
        }

        public List<Entry> ReadHeader()
        {
            var entries = new List<Entry>();
            Object(1, "the header", (name, depth) =>
            {
                if (name == MetadataKey) Metadata(depth + 1);
                else entries.Add(Tensor(name, depth + 1));
            });
            SkipWhitespace(); // the Rust library pads the header with spaces to a multiple of 8 bytes
            if (_i < _s.Length) throw Error($"'{Describe(_s[_i])}' after the header's object");
            return entries;
        }

        // Option<HashMap<String, String>> in the Rust library: null or an object of strings
        private void Metadata(int depth)
        {
            if (Peek('n'))
            {
                Literal("null");
                return;
            }
            if (!Peek('{')) throw Error($"'{MetadataKey}' must be an object of strings");
            Object(depth, $"'{MetadataKey}'", (key, _) =>
            {
                if (!Peek('"')) throw Error($"'{MetadataKey}' entry '{Quote(key)}' must be a string");
                String(decode: false);
            });
        }

        private Entry Tensor(string name, int depth)
        {
            if (!Peek('{')) throw Error($"tensor '{Quote(name)}' must be an object with dtype, shape and data_offsets");
            string? dtype = null;
            ulong[]? shape = null, offsets = null;
            Object(depth, $"tensor '{Quote(name)}'", (field, inner) =>
            {
                switch (field)
                {
                    case "dtype":
                        if (!Peek('"')) throw Error($"tensor '{Quote(name)}' must have a string dtype");
                        dtype = String(decode: true)!;
                        if (SafetensorsHeaderText.BitsOf(dtype) == 0)
                            throw Error($"tensor '{Quote(name)}' has the unknown dtype '{Quote(dtype)}'; safetensors knows {SafetensorsHeaderText.KnownDTypes}");
                        break;
                    case "shape":
                        shape = Integers(name, field, inner + 1);
                        if (shape.Length > SafetensorsHeaderText.MaxRank)
                            throw Error($"tensor '{Quote(name)}' has {shape.Length} dimensions, over PyTorch's limit of {SafetensorsHeaderText.MaxRank}");
                        foreach (ulong dim in shape)
                            if (dim > long.MaxValue) throw Error($"tensor '{Quote(name)}' has the dimension {dim}, which does not fit in an int64");
                        break;
                    case "data_offsets":
                        offsets = Integers(name, field, inner + 1);
                        if (offsets.Length != 2) throw Error($"tensor '{Quote(name)}' must have two data_offsets [begin, end], but it has {offsets.Length}");
                        break;
                    default:
                        // the Rust library's TensorInfo ignores unknown fields (no deny_unknown_fields)
                        SkipValue(inner + 1);
                        break;
                }
            });
            if (dtype is null) throw Error($"tensor '{Quote(name)}' has no 'dtype'");
            if (shape is null) throw Error($"tensor '{Quote(name)}' has no 'shape'");
            if (offsets is null) throw Error($"tensor '{Quote(name)}' has no 'data_offsets'");
            return new Entry(name, dtype, shape, offsets[0], offsets[1]);
        }

        // usize in the Rust library: JSON integers from 0 to 2^64 - 1, no sign, fraction or exponent
        private ulong[] Integers(string name, string field, int depth)
        {
            if (depth > MaxDepth) throw Error($"the JSON nests more than {MaxDepth} deep");
            if (!Peek('[')) throw Error($"tensor '{Quote(name)}' must have an array of integers as {field}");
            _i++;
            var values = new List<ulong>();
            if (Peek(']'))
            {
                _i++;
                return values.ToArray();
            }
            while (true)
            {
                SkipWhitespace();
                int start = _i;
                string number = Number();
                if (!number.All(c => c >= '0' && c <= '9'))
                {
                    _i = start;
                    throw Error($"tensor '{Quote(name)}' has {field} with {Quote(number)}, which is not a non-negative integer");
                }
                if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
                {
                    _i = start;
                    throw Error($"tensor '{Quote(name)}' has {field} with {Quote(number)}, which does not fit in 64 bits");
                }
                // a hostile array of a million zeros stops here rather than fill memory
                if (values.Count == SafetensorsHeaderText.MaxRank + 1) throw Error($"tensor '{Quote(name)}' has {field} longer than {SafetensorsHeaderText.MaxRank}");
                values.Add(value);
                if (Peek(','))
                {
                    _i++;
                    continue;
                }
                Expect(']', "',' or ']'");
                return values.ToArray();
            }
        }

        private void SkipValue(int depth)
        {
            if (depth > MaxDepth) throw Error($"the JSON nests more than {MaxDepth} deep");
            SkipWhitespace();
            if (_i >= _s.Length) throw Unexpected("a value");
            switch (_s[_i])
            {
                case '"':
                    String(decode: false);
                    break;
                case '{':
                    Object(depth, null, (_, inner) => SkipValue(inner + 1));
                    break;
                case '[':
                    _i++;
                    if (Peek(']'))
                    {
                        _i++;
                        break;
                    }
                    while (true)
                    {
                        SkipValue(depth + 1);
                        if (Peek(','))
                        {
                            _i++;
                            continue;
                        }
                        Expect(']', "',' or ']'");
                        break;
                    }
                    break;
                case 't':
                    Literal("true");
                    break;
                case 'f':
                    Literal("false");
                    break;
                case 'n':
                    Literal("null");
                    break;
                default:
                    Number();
                    break;
            }
        }

        private void Literal(string literal)
        {
            if (string.CompareOrdinal(_s, _i, literal, 0, literal.Length) != 0) throw Unexpected($"'{literal}'");
            _i += literal.Length;
        }

        /// <summary>A JSON number (RFC 8259 grammar) at the cursor, as written.</summary>
        private string Number()
        {
            int start = _i;
            if (_i < _s.Length && _s[_i] == '-') _i++;
            if (_i < _s.Length && _s[_i] == '0') _i++;
            else if (_i < _s.Length && _s[_i] >= '1' && _s[_i] <= '9') Digits();
            else throw Unexpected("a number");
            if (_i < _s.Length && _s[_i] == '.')
            {
                _i++;
                if (!IsDigit()) throw Unexpected("a digit after '.'");
                Digits();
            }
            if (_i < _s.Length && (_s[_i] == 'e' || _s[_i] == 'E'))
            {
                _i++;
                if (_i < _s.Length && (_s[_i] == '+' || _s[_i] == '-')) _i++;
                if (!IsDigit()) throw Unexpected("a digit of the exponent");
                Digits();
            }
            return _s.Substring(start, _i - start);
        }

        private bool IsDigit() => _i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9';

        private void Digits()
        {
            while (IsDigit()) _i++;
        }

        /// <summary>
        /// A JSON string at the cursor (its opening quote). Decoded, a lone surrogate escape is an error, as the
        /// runtime's reader fails on it in the names and dtypes it decodes; skipped (metadata values, unknown fields),
        /// only the syntax is checked, as the runtime never decodes those.
        /// </summary>
        private string? String(bool decode)
        {
            _i++; // the opening quote, which the caller saw
            var result = decode ? new StringBuilder() : null;
            while (true)
            {
                if (_i >= _s.Length) throw Error("the header ends inside a string");
                char c = _s[_i];
                if (c == '"')
                {
                    _i++;
                    string? value = result?.ToString();
                    if (value is not null) CheckSurrogates(value);
                    return value;
                }
                if (c < 0x20) throw Error($"the control character U+{(int)c:X4} must be escaped in a JSON string");
                if (c != '\\')
                {
                    result?.Append(c);
                    _i++;
                    continue;
                }
                if (_i + 1 >= _s.Length) throw Error("the header ends inside a string");
                char e = _s[_i + 1];
                _i += 2;
                switch (e)
                {
                    case '"': result?.Append('"'); break;
                    case '\\': result?.Append('\\'); break;
                    case '/': result?.Append('/'); break;
                    case 'b': result?.Append('\b'); break;
                    case 'f': result?.Append('\f'); break;
                    case 'n': result?.Append('\n'); break;
                    case 'r': result?.Append('\r'); break;
                    case 't': result?.Append('\t'); break;
                    case 'u':
                        int code = 0;
                        for (int k = 0; k < 4; k++, _i++)
                        {
                            int digit = _i >= _s.Length ? -1 : HexValue(_s[_i]);
                            if (digit < 0) throw Error("'\\u' needs 4 hex digits");
                            code = code << 4 | digit;
                        }
                        result?.Append((char)code);
                        break;
                    default:
                        _i--;
                        throw Error($"'\\{Describe(e)}' is no JSON escape");
                }
            }
        }

        private static int HexValue(char c) =>
            c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        // escapes can pair up (\uD83D\uDE00) or not; the UTF-8 of the header itself cannot hold a lone surrogate
        private void CheckSurrogates(string value)
        {
            for (int k = 0; k < value.Length; k++)
            {
                if (char.IsHighSurrogate(value[k]) && k + 1 < value.Length && char.IsLowSurrogate(value[k + 1])) k++;
                else if (char.IsSurrogate(value[k])) throw Error($"a string holds a lone surrogate U+{(int)value[k]:X4}, which is not text");
            }
        }
    }
}
