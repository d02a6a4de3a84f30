using System;
using System.Collections.Generic;
using System.Text;

// Linked into the build task and the generator like the rest of src/Onnx: plain C# for netstandard2.0, no spans.
// compiled into the build task and the generator, which the tests reference both: one namespace each keeps their types apart
#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Onnx;
#else
namespace CnnGen.Onnx;
#endif

/// <summary>One tensor a safetensors file holds: its name, its dtype as safetensors spells it ("F32"), its shape.</summary>
internal sealed record SafetensorsTensorInfo(string Name, string DType, OnnxArray<long> Shape);

/// <summary>What a safetensors file's header says, without the data: its tensors in data order (see <see cref="SafetensorsHeaderText"/>).</summary>
internal sealed record SafetensorsHeaderInfo(OnnxArray<SafetensorsTensorInfo> Tensors);

/// <summary>What <see cref="SafetensorsHeaderText.Read"/> gives: the header, or an error and its line (1-based).</summary>
internal sealed record SafetensorsHeaderTextResult(SafetensorsHeaderInfo? Header, string? Error, int Line)
{
    public bool Succeeded => Header is not null;
}

/// <summary>
/// The text form of a safetensors file's header: what the build task writes from the binary .safetensors file (whose
/// JSON header netstandard2.0 has no reader for) and the generator reads as an additional file, to check a network's
/// parameters against the file at compile time. <c>Read(Write(h))</c> equals <c>h</c>.
/// <code>
/// file   = "cnngen-safetensors 1" NL { tensor NL } "end" [NL]      (lines end in "\n"; "\r\n" is read too)
/// tensor = "tensor" name:str dtype:str rank:int {dim:int}*rank
/// </code>
/// The tensors come in the order of their data in the file (by data_offsets begin, then end; tensors of no bytes at
/// the same offset keep the header's order), which is unique for a valid file apart from such empty tensors, and which
/// does not depend on how the JSON object happens to order its keys. "__metadata__" is not listed.
/// Tokens are separated by exactly one space. A str is escaped as in <see cref="OnnxText"/> (the characters
/// [A-Za-z0-9._:/-] stand for themselves, any other is its UTF-8 bytes as %XX in uppercase hex, a lone surrogate is
/// %uXXXX, "~" alone is the empty string). A dtype is one of the names safetensors knows (<see cref="BitsOf"/>).
/// An int is a non-negative decimal int64 without leading zeros; rank is at most <see cref="MaxRank"/>. Names are
/// unique. <see cref="Read"/> never throws: malformed text gives an error with its line number.
/// </summary>
internal static class SafetensorsHeaderText
{
    public const string Header = "cnngen-safetensors 1";

    /// <summary>PyTorch's own limit on a tensor's dimensions; a longer shape cannot come from torch and is refused.</summary>
    public const int MaxRank = 64;

    // Bits per element of every dtype the Rust library knows (its Dtype::bitsize), as of safetensors 0.6;
    // the runtime reader (src/CnnGen/Safetensors.cs) has the same table.

    /// <summary>Bits per element of a safetensors dtype ("F32" is 32), or 0 for a name safetensors does not know.</summary>
    public static int BitsOf(string dtype) => CnnGen.Ir.SafetensorsDTypes.BitsOf(dtype);

    /// <summary>The dtype names safetensors knows, for messages.</summary>
    public static string KnownDTypes => CnnGen.Ir.SafetensorsDTypes.Known;

    // ---- writing ----

    public static string Write(SafetensorsHeaderInfo header)
    {
        var w = new StringBuilder();
        w.Append(Header).Append('\n');
        foreach (var tensor in header.Tensors)
        {
            w.Append("tensor ");
            OnnxText.AppendString(w, tensor.Name);
            w.Append(' ');
            OnnxText.AppendString(w, tensor.DType);
            w.Append(' ').Append(tensor.Shape.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (long dim in tensor.Shape) w.Append(' ').Append(dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.Append('\n');
        }
        w.Append("end\n");
        return w.ToString();
    }

    // ---- reading ----

    /// <summary>The header <paramref name="text"/> holds, or the first problem in it with its line (1-based). Never throws.</summary>
    public static SafetensorsHeaderTextResult Read(string text)
    {
        var parser = new Parser(text ?? "");
        try
        {
            return new SafetensorsHeaderTextResult(parser.ReadHeader(), null, 0);
        }
        catch (TextException e)
        {
            return new SafetensorsHeaderTextResult(null, $"line {e.Line}: {e.Message}", e.Line);
        }
    }

    private sealed class TextException : Exception
    {
        public TextException(int line, string message) : base(message) => Line = line;

        public int Line { get; }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsPlain(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';

    private sealed class Parser
    {
        private readonly string _text;
        private int _next;          // where the next line starts
        private int _start, _end;   // the current line, without its line break
        private int _cursor;        // the next token of the current line
        private int _line;

        public Parser(string text) => _text = text;

        private TextException Error(string message) => new(_line, message);

        private bool NextLine()
        {
            if (_next >= _text.Length) return false;
            int newline = _text.IndexOf('\n', _next);
            _start = _next;
            _end = newline < 0 ? _text.Length : newline;
            _next = newline < 0 ? _text.Length : newline + 1;
            if (_end > _start && _text[_end - 1] == '\r') _end--;
            _cursor = _start;
            _line++;
            return true;
        }

        private string Token(string what)
        {
            if (_cursor >= _end)
                throw Error(_cursor == _end && _cursor > _start && _text[_cursor - 1] == ' ' ? $"the line ends in a space where {what} should be" : $"the line ends where {what} should be");
            int start = _cursor;
            int space = _text.IndexOf(' ', start, _end - start);
            int stop = space < 0 ? _end : space;
            if (stop == start) throw Error($"two spaces where {what} should be: tokens are separated by one space");
            _cursor = space < 0 ? _end : space + 1;
            if (space >= 0 && _cursor == _end) throw Error("the line ends in a space");
            return _text.Substring(start, stop - start);
        }

        private void ExpectLineEnd()
        {
            if (_cursor < _end) throw Error($"unexpected '{Shorten(Token("the end of the line"))}' at the end of the line");
        }

        private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";

        public SafetensorsHeaderInfo ReadHeader()
        {
            if (!NextLine()) throw new TextException(1, $"the text is empty: it must start with '{Header}'");
            string first = _text.Substring(_start, _end - _start);
            if (first != Header)
                throw Error(first.StartsWith("cnngen-safetensors ", StringComparison.Ordinal)
                    ? $"the text is in version '{Shorten(first.Substring(19))}' of the form; this reader knows '{Header}'"
                    : $"the text starts with '{Shorten(first)}', not '{Header}'");

            var tensors = new List<SafetensorsTensorInfo>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                if (!NextLine()) throw new TextException(_line + 1, "the text ends before its 'end' line");
                string keyword = Token("'tensor' or 'end'");
                if (keyword == "end")
                {
                    ExpectLineEnd();
                    // "end" is the last line, so a text cut short is an error rather than fewer tensors
                    if (NextLine()) throw Error("text after the 'end' line");
                    return new SafetensorsHeaderInfo(OnnxArray<SafetensorsTensorInfo>.Own(tensors.ToArray()));
                }
                if (keyword != "tensor") throw Error($"expected 'tensor' or 'end', not '{Shorten(keyword)}'");
                string name = Unescape(Token("the tensor's name"), "the tensor's name");
                if (!names.Add(name)) throw Error($"the tensor '{Shorten(name)}' is listed twice");
                string dtype = Unescape(Token("the dtype"), "the dtype");
                if (BitsOf(dtype) == 0) throw Error($"unknown dtype '{Shorten(dtype)}'; safetensors knows {KnownDTypes}");
                long rank = Int("the rank");
                if (rank > MaxRank) throw Error($"rank {rank} is over the limit of {MaxRank}");
                var shape = new long[rank];
                for (int i = 0; i < shape.Length; i++) shape[i] = Int("a dimension");
                ExpectLineEnd();
                tensors.Add(new SafetensorsTensorInfo(name, dtype, OnnxArray<long>.Own(shape)));
            }
        }

        /// <summary>A non-negative int64 in canonical decimal: what the writer writes and nothing else.</summary>
        private long Int(string what)
        {
            string token = Token(what);
            if (token.Length > 19 || (token.Length > 1 && token[0] == '0')) throw Error($"'{Shorten(token)}' is not a non-negative int64 ({what})");
            ulong value = 0;
            foreach (char c in token)
            {
                if (c < '0' || c > '9') throw Error($"'{Shorten(token)}' is not a non-negative int64 ({what})");
                value = value * 10 + (ulong)(c - '0'); // 19 digits cannot overflow a ulong
            }
            if (value > long.MaxValue) throw Error($"'{token}' is out of the int64 range ({what})");
            return (long)value;
        }

        private int Hex(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            throw Error($"'{c}' is not an uppercase hex digit");
        }

        /// <summary>Undoes <see cref="OnnxText.AppendString"/>.</summary>
        private string Unescape(string token, string what)
        {
            if (token == "~") return "";
            bool escaped = false;
            foreach (char c in token)
            {
                if (c == '%') escaped = true;
                else if (!IsPlain(c)) throw Error($"'{(c < 0x20 || c > 0x7E ? $"U+{(int)c:X4}" : c.ToString())}' must be escaped in {what} (characters other than A-Z a-z 0-9 . _ : / - are %XX bytes of UTF-8)");
            }
            if (!escaped) return token;

            var result = new StringBuilder(token.Length);
            var bytes = new List<byte>();
            for (int i = 0; i < token.Length;)
            {
                char c = token[i];
                if (c != '%')
                {
                    Flush(result, bytes, what);
                    result.Append(c);
                    i++;
                }
                else if (i + 1 < token.Length && token[i + 1] == 'u')
                {
                    if (i + 6 > token.Length) throw Error($"'%u' needs 4 hex digits in {what}");
                    int code = Hex(token[i + 2]) << 12 | Hex(token[i + 3]) << 8 | Hex(token[i + 4]) << 4 | Hex(token[i + 5]);
                    if (!char.IsSurrogate((char)code)) throw Error($"'%u{code:X4}' in {what} is no surrogate: other characters are escaped as UTF-8");
                    Flush(result, bytes, what);
                    result.Append((char)code);
                    i += 6;
                }
                else
                {
                    if (i + 3 > token.Length) throw Error($"'%' needs 2 hex digits in {what}");
                    bytes.Add((byte)(Hex(token[i + 1]) << 4 | Hex(token[i + 2])));
                    i += 3;
                }
            }
            Flush(result, bytes, what);
            return result.ToString();
        }

        private void Flush(StringBuilder result, List<byte> bytes, string what)
        {
            if (bytes.Count == 0) return;
            try
            {
                result.Append(StrictUtf8.GetString(bytes.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                throw Error($"the escaped bytes in {what} are not UTF-8");
            }
            bytes.Clear();
        }
    }
}
