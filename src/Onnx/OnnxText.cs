using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

// compiled into the build task and the generator, which the tests reference both: one namespace each keeps their types apart
#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Onnx;
#else
namespace CnnGen.Onnx;
#endif

/// <summary>
/// The text form of an <see cref="OnnxModel"/>: what the build task writes from the binary .onnx file and the generator
/// reads as an additional file (Roslyn hands generators text only). <c>Read(Write(m))</c> equals <c>m</c> exactly,
/// floats to the bit. Large FLOAT tensors are not here but in the weights blob (<see cref="OnnxTensorData.Blob"/>), so
/// the text of a 100 MB model stays small.
/// <code>
/// file      = "cnngen-onnx 1" NL  model NL  { opset NL }  graph          (lines end in "\n"; "\r\n" is read too)
/// model     = "model" ir_version:int producer_name:str producer_version:str
/// opset     = "opset" domain:str version:int
/// graph     = "graph" name:str NL { item NL } "end"                         (items in any order; each list keeps its order)
/// item      = ("input" | "output" | "value") valueinfo                      (value: the graph's value_info)
///           | "init" tensor
///           | "node" name:str op_type:str domain:str n:int {input:str}*n m:int {output:str}*m
///           | attr                                                           (belongs to the node line before it)
/// attr      = "attr" name:str ( "f" float | "i" int | "s" str | "t" tensor
///           | "floats" n {float}*n | "ints" n {int}*n | "strings" n {str}*n
///           | "g" NL graph | "graphs" n { NL graph }*n | "tensors" n { NL "tensor" tensor }*n
///           | "unsupported" attribute_type:int )
/// valueinfo = name:str ( ("tensor" | "sparse") dtype shape | "sequence" | "map" | "optional" | "opaque" | "none" )
/// shape     = "*" (no shape: unknown rank) | rank:int {dim}*rank
/// dim       = int (dim_value) | "$" str (dim_param) | "?" (unknown)
/// tensor    = name:str dtype rank:int {dim:int}*rank data
/// data      = "floats" n {float}*n | "doubles" n {double}*n | "ints" n {int}*n | "strings" n {str}*n
///           | "bytes" n hex (2n lowercase hex digits, "~" for none) | "blob" offset:int length:int (bytes of the weights)
///           | "external" n {key:str value:str}*n
/// dtype     = ONNX's name of a TensorProto.DataType ("FLOAT", "INT64") or its number
/// </code>
/// Tokens are separated by exactly one space. An int is a decimal int64. A str is escaped: the characters
/// [A-Za-z0-9._:/-] stand for themselves, any other character is its UTF-8 bytes as %XX (uppercase hex; a lone
/// surrogate, which has no UTF-8, is %uXXXX), and "~" alone is the empty string. A float is the shortest decimal that
/// reads back to the same float ("R", invariant culture) or, for NaN, the infinities, -0 and any value whose decimal
/// would not read back on the writer's runtime, "x" and its 8 hex digits of bits; a double likewise with 16 digits.
/// <see cref="Read"/> never throws: malformed text gives an error with its line number. It reads in one pass, linear
/// in the text, and allocates the model plus a string per escaped token.
/// </summary>
internal static class OnnxText
{
    public const string Header = "cnngen-onnx 1";

    /// <summary>Nested graphs (attributes of type GRAPH inside attributes...) deeper than this are an error.</summary>
    public const int MaxGraphDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---- writing ----

    public static string Write(OnnxModel model)
    {
        var w = new StringBuilder();
        w.Append(Header).Append('\n');
        w.Append("model ");
        AppendInt(w, model.IrVersion);
        w.Append(' ');
        AppendString(w, model.ProducerName);
        w.Append(' ');
        AppendString(w, model.ProducerVersion);
        w.Append('\n');
        foreach (var opset in model.Opsets)
        {
            w.Append("opset ");
            AppendString(w, opset.Domain);
            w.Append(' ');
            AppendInt(w, opset.Version);
            w.Append('\n');
        }
        WriteGraph(w, model.Graph);
        return w.ToString();
    }

    private static void WriteGraph(StringBuilder w, OnnxGraph graph)
    {
        w.Append("graph ");
        AppendString(w, graph.Name);
        w.Append('\n');
        foreach (var v in graph.Inputs) WriteValueInfo(w, "input ", v);
        foreach (var v in graph.Outputs) WriteValueInfo(w, "output ", v);
        foreach (var v in graph.ValueInfos) WriteValueInfo(w, "value ", v);
        foreach (var t in graph.Initializers)
        {
            w.Append("init ");
            WriteTensor(w, t);
            w.Append('\n');
        }
        foreach (var node in graph.Nodes)
        {
            w.Append("node ");
            AppendString(w, node.Name);
            w.Append(' ');
            AppendString(w, node.OpType);
            w.Append(' ');
            AppendString(w, node.Domain);
            AppendStrings(w, node.Inputs);
            AppendStrings(w, node.Outputs);
            w.Append('\n');
            foreach (var attribute in node.Attributes) WriteAttribute(w, attribute);
        }
        w.Append("end\n");
    }

    private static void WriteAttribute(StringBuilder w, OnnxAttribute attribute)
    {
        w.Append("attr ");
        AppendString(w, attribute.Name);
        switch (attribute)
        {
            case OnnxAttribute.Float f:
                w.Append(" f ");
                AppendFloat(w, f.Value);
                break;
            case OnnxAttribute.Int i:
                w.Append(" i ");
                AppendInt(w, i.Value);
                break;
            case OnnxAttribute.String s:
                w.Append(" s ");
                AppendString(w, s.Value);
                break;
            case OnnxAttribute.Tensor t:
                w.Append(" t ");
                WriteTensor(w, t.Value);
                break;
            case OnnxAttribute.Floats fs:
                w.Append(" floats");
                AppendFloats(w, fs.Values);
                break;
            case OnnxAttribute.Ints ints:
                w.Append(" ints");
                AppendInts(w, ints.Values);
                break;
            case OnnxAttribute.Strings ss:
                w.Append(" strings");
                AppendStrings(w, ss.Values);
                break;
            case OnnxAttribute.Graph g:
                w.Append(" g\n");
                WriteGraph(w, g.Value);
                return;
            case OnnxAttribute.Graphs gs:
                w.Append(" graphs ");
                AppendInt(w, gs.Values.Count);
                w.Append('\n');
                foreach (var g in gs.Values) WriteGraph(w, g);
                return;
            case OnnxAttribute.Tensors ts:
                w.Append(" tensors ");
                AppendInt(w, ts.Values.Count);
                w.Append('\n');
                foreach (var t in ts.Values)
                {
                    w.Append("tensor ");
                    WriteTensor(w, t);
                    w.Append('\n');
                }
                return;
            case OnnxAttribute.Unsupported u:
                w.Append(" unsupported ");
                AppendInt(w, (long)u.DeclaredType);
                break;
            default:
                throw new ArgumentException($"attribute '{attribute.Name}' is a {attribute.GetType().Name}, which OnnxText does not know");
        }
        w.Append('\n');
    }

    private static void WriteValueInfo(StringBuilder w, string keyword, OnnxValueInfo v)
    {
        w.Append(keyword);
        AppendString(w, v.Name);
        switch (v.Kind)
        {
            case OnnxTypeKind.Tensor:
            case OnnxTypeKind.SparseTensor:
                w.Append(v.Kind == OnnxTypeKind.Tensor ? " tensor " : " sparse ");
                w.Append(OnnxDataTypes.OnnxName(v.ElementType));
                if (!v.HasShape)
                {
                    w.Append(" *");
                    break;
                }
                w.Append(' ');
                AppendInt(w, v.Dims.Count);
                foreach (var d in v.Dims)
                {
                    w.Append(' ');
                    switch (d.Kind)
                    {
                        case OnnxDimKind.Fixed:
                            AppendInt(w, d.Value);
                            break;
                        case OnnxDimKind.Symbolic:
                            w.Append('$');
                            AppendString(w, d.Param);
                            break;
                        case OnnxDimKind.Unknown:
                            w.Append('?');
                            break;
                    }
                }
                break;
            case OnnxTypeKind.Sequence: w.Append(" sequence"); break;
            case OnnxTypeKind.Map: w.Append(" map"); break;
            case OnnxTypeKind.Optional: w.Append(" optional"); break;
            case OnnxTypeKind.Opaque: w.Append(" opaque"); break;
            case OnnxTypeKind.None: w.Append(" none"); break;
        }
        w.Append('\n');
    }

    private static void WriteTensor(StringBuilder w, OnnxTensor t)
    {
        AppendString(w, t.Name);
        w.Append(' ');
        w.Append(OnnxDataTypes.OnnxName(t.DataType));
        AppendInts(w, t.Dims);
        switch (t.Data)
        {
            case OnnxTensorData.Floats f:
                w.Append(" floats");
                AppendFloats(w, f.Values);
                break;
            case OnnxTensorData.Doubles d:
                w.Append(" doubles ");
                AppendInt(w, d.Values.Count);
                foreach (double value in d.Values)
                {
                    w.Append(' ');
                    AppendDouble(w, value);
                }
                break;
            case OnnxTensorData.Ints i:
                w.Append(" ints");
                AppendInts(w, i.Values);
                break;
            case OnnxTensorData.Strings s:
                w.Append(" strings");
                AppendStrings(w, s.Values);
                break;
            case OnnxTensorData.Bytes b:
                w.Append(" bytes ");
                AppendInt(w, b.Values.Count);
                w.Append(' ');
                if (b.Values.Count == 0) w.Append('~');
                foreach (byte value in b.Values) w.Append(HexDigits[value >> 4]).Append(HexDigits[value & 15]);
                break;
            case OnnxTensorData.Blob blob:
                w.Append(" blob ");
                AppendInt(w, blob.Offset);
                w.Append(' ');
                AppendInt(w, blob.Length);
                break;
            case OnnxTensorData.External e:
                w.Append(" external ");
                AppendInt(w, e.Entries.Count);
                foreach (var entry in e.Entries)
                {
                    w.Append(' ');
                    AppendString(w, entry.Key);
                    w.Append(' ');
                    AppendString(w, entry.Value);
                }
                break;
            default:
                throw new ArgumentException($"tensor '{t.Name}' holds a {t.Data.GetType().Name}, which OnnxText does not know");
        }
    }

    private const string HexDigits = "0123456789abcdef";

    /// <summary>A count, then each string.</summary>
    private static void AppendStrings(StringBuilder w, OnnxArray<string> values)
    {
        w.Append(' ');
        AppendInt(w, values.Count);
        foreach (var value in values)
        {
            w.Append(' ');
            AppendString(w, value);
        }
    }

    private static void AppendInts(StringBuilder w, OnnxArray<long> values)
    {
        w.Append(' ');
        AppendInt(w, values.Count);
        foreach (long value in values)
        {
            w.Append(' ');
            AppendInt(w, value);
        }
    }

    private static void AppendFloats(StringBuilder w, OnnxArray<float> values)
    {
        w.Append(' ');
        AppendInt(w, values.Count);
        foreach (float value in values)
        {
            w.Append(' ');
            AppendFloat(w, value);
        }
    }

    /// <summary>Decimal digits with no culture in sight (StringBuilder.Append(long) uses the current culture's minus sign).</summary>
    private static void AppendInt(StringBuilder w, long value)
    {
        if (value < 0)
        {
            w.Append('-');
            if (value == long.MinValue)
            {
                w.Append("9223372036854775808");
                return;
            }
            value = -value;
        }
        if (value < 10)
        {
            w.Append((char)('0' + value));
            return;
        }
        int start = w.Length;
        while (value > 0)
        {
            w.Append((char)('0' + value % 10));
            value /= 10;
        }
        for (int i = start, j = w.Length - 1; i < j; i++, j--)
        {
            char c = w[i];
            w[i] = w[j];
            w[j] = c;
        }
    }

    private static void AppendFloat(StringBuilder w, float value)
    {
        int bits = FloatBits.ToInt32(value);
        // NaN, the infinities and -0 as bits: .NET Framework reads "-0" as 0 and NaN's sign and payload have no decimal
        if ((bits & 0x7F800000) != 0x7F800000 && bits != int.MinValue)
        {
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            // read back both ways a runtime may parse a float: directly, and as a double rounded to float (.NET Framework)
            if (float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float back) && FloatBits.ToInt32(back) == bits
                && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double wide) && FloatBits.ToInt32((float)wide) == bits)
            {
                w.Append(s);
                return;
            }
        }
        w.Append('x');
        for (int shift = 28; shift >= 0; shift -= 4) w.Append(HexDigits[(bits >> shift) & 15]);
    }

    private static void AppendDouble(StringBuilder w, double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        if ((bits & 0x7FF0000000000000L) != 0x7FF0000000000000L && bits != long.MinValue)
        {
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double back) && BitConverter.DoubleToInt64Bits(back) == bits)
            {
                w.Append(s);
                return;
            }
        }
        w.Append('x');
        for (int shift = 60; shift >= 0; shift -= 4) w.Append(HexDigits[(int)(bits >> shift) & 15]);
    }

    private static bool IsPlain(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';

    /// <summary>Escapes <paramref name="value"/> as one token (see the grammar).</summary>
    public static void AppendString(StringBuilder w, string value)
    {
        if (value.Length == 0)
        {
            w.Append('~');
            return;
        }
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (IsPlain(c))
            {
                w.Append(c);
            }
            else if (c < 0x80)
            {
                AppendByte(w, c);
            }
            else if (c < 0x800)
            {
                AppendByte(w, 0xC0 | (c >> 6));
                AppendByte(w, 0x80 | (c & 0x3F));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                int code = char.ConvertToUtf32(c, value[i + 1]);
                i++;
                AppendByte(w, 0xF0 | (code >> 18));
                AppendByte(w, 0x80 | ((code >> 12) & 0x3F));
                AppendByte(w, 0x80 | ((code >> 6) & 0x3F));
                AppendByte(w, 0x80 | (code & 0x3F));
            }
            else if (char.IsSurrogate(c))
            {
                w.Append("%u");
                for (int shift = 12; shift >= 0; shift -= 4) w.Append(UpperHexDigits[(c >> shift) & 15]);
            }
            else
            {
                AppendByte(w, 0xE0 | (c >> 12));
                AppendByte(w, 0x80 | ((c >> 6) & 0x3F));
                AppendByte(w, 0x80 | (c & 0x3F));
            }
        }
    }

    private const string UpperHexDigits = "0123456789ABCDEF";

    private static void AppendByte(StringBuilder w, int b) => w.Append('%').Append(UpperHexDigits[b >> 4]).Append(UpperHexDigits[b & 15]);

    // ---- reading ----

    /// <summary>The model <paramref name="text"/> holds, or the first problem in it with its line (1-based). Never throws.</summary>
    public static OnnxTextResult Read(string text)
    {
        var parser = new Parser(text ?? "");
        try
        {
            return new OnnxTextResult(parser.ReadModel(), null, 0);
        }
        catch (TextException e)
        {
            return new OnnxTextResult(null, $"line {e.Line}: {e.Message}", e.Line);
        }
        catch (Exception e)
        {
            // a bug here must not take the generator down with it
            return new OnnxTextResult(null, $"line {parser.LineNumber}: internal error reading the ONNX text ({e.GetType().Name}: {e.Message})", parser.LineNumber);
        }
    }

    private sealed class TextException : Exception
    {
        public TextException(int line, string message) : base(message) => Line = line;

        public int Line { get; }
    }

    private sealed class Parser
    {
        private readonly string _text;
        private int _next;          // where the next line starts
        private int _start, _end;   // the current line, without its line break
        private int _cursor;        // the next token of the current line
        private byte[] _escaped = new byte[64];

        public Parser(string text) => _text = text;

        public int LineNumber { get; private set; }

        private TextException Error(string message) => new(LineNumber, message);

        private bool NextLine()
        {
            if (_next >= _text.Length) return false;
            int newline = _text.IndexOf('\n', _next);
            _start = _next;
            _end = newline < 0 ? _text.Length : newline;
            _next = newline < 0 ? _text.Length : newline + 1;
            if (_end > _start && _text[_end - 1] == '\r') _end--;
            _cursor = _start;
            LineNumber++;
            return true;
        }

        private void ExpectLine(string what)
        {
            if (!NextLine()) throw new TextException(LineNumber + 1, $"the text ends where {what} should be");
        }

        /// <summary>The next token's start and length; a missing or empty token is an error.</summary>
        private (int Start, int Length) Token(string what)
        {
            if (_cursor >= _end)
                throw Error(_cursor == _end && _cursor > _start && _text[_cursor - 1] == ' ' ? $"the line ends in a space where {what} should be" : $"the line ends where {what} should be");
            int start = _cursor;
            int space = _text.IndexOf(' ', start, _end - start);
            int stop = space < 0 ? _end : space;
            if (stop == start) throw Error($"two spaces where {what} should be: tokens are separated by one space");
            _cursor = space < 0 ? _end : space + 1;
            if (space >= 0 && _cursor == _end) throw Error("the line ends in a space");
            return (start, stop - start);
        }

        private void ExpectLineEnd()
        {
            if (_cursor < _end)
            {
                var (start, length) = Token("the end of the line");
                throw Error($"unexpected '{Shorten(_text.Substring(start, length))}' at the end of the line");
            }
        }

        private bool Is((int Start, int Length) token, string literal) =>
            token.Length == literal.Length && string.CompareOrdinal(_text, token.Start, literal, 0, literal.Length) == 0;

        private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";

        public OnnxModel ReadModel()
        {
            if (!NextLine()) throw new TextException(1, $"the text is empty: it must start with '{Header}'");
            if (_end - _start != Header.Length || string.CompareOrdinal(_text, _start, Header, 0, Header.Length) != 0)
            {
                string first = _text.Substring(_start, _end - _start);
                throw Error(first.StartsWith("cnngen-onnx ", StringComparison.Ordinal)
                    ? $"the text is in version '{Shorten(first.Substring(12))}' of the form; this reader knows '{Header}'"
                    : $"the text starts with '{Shorten(first)}', not '{Header}'");
            }

            ExpectLine("the model line");
            if (!Is(Token("'model'"), "model")) throw Error("the second line must be the model line: model ir_version producer_name producer_version");
            long irVersion = Int("the IR version");
            string producerName = Str("the producer name");
            string producerVersion = Str("the producer version");
            ExpectLineEnd();

            var opsets = new List<OnnxOpset>();
            while (true)
            {
                ExpectLine("the graph");
                var keyword = Token("'opset' or 'graph'");
                if (Is(keyword, "graph")) break;
                if (!Is(keyword, "opset")) throw Error($"expected 'opset' or 'graph', not '{Shorten(_text.Substring(keyword.Start, keyword.Length))}'");
                string domain = Str("the opset's domain");
                long version = Int("the opset's version");
                ExpectLineEnd();
                opsets.Add(new OnnxOpset(domain, version));
            }
            var graph = ReadGraph(1);
            while (NextLine())
                if (_end > _start) throw Error("text after the graph's 'end'");
            return new OnnxModel(irVersion, producerName, producerVersion, OnnxArray<OnnxOpset>.Own(opsets.ToArray()), graph);
        }

        /// <summary>Reads a graph whose "graph" keyword was just read, through its "end" line.</summary>
        private OnnxGraph ReadGraph(int depth)
        {
            if (depth > MaxGraphDepth) throw Error($"graphs nested more than {MaxGraphDepth} deep");
            string name = Str("the graph's name");
            ExpectLineEnd();
            var inputs = new List<OnnxValueInfo>();
            var outputs = new List<OnnxValueInfo>();
            var values = new List<OnnxValueInfo>();
            var initializers = new List<OnnxTensor>();
            var nodes = new List<OnnxNode>();
            NodeLine? node = null;
            var attributes = new List<OnnxAttribute>();
            while (true)
            {
                ExpectLine("the graph's 'end'");
                var keyword = Token("a keyword");
                if (Is(keyword, "attr"))
                {
                    if (node is null) throw Error("an 'attr' line before any 'node' line of its graph");
                    attributes.Add(ReadAttribute(depth));
                    continue;
                }
                if (node is not null)
                {
                    nodes.Add(node.Value.ToNode(attributes));
                    node = null;
                    attributes.Clear();
                }
                if (Is(keyword, "node"))
                {
                    string nodeName = Str("the node's name");
                    string opType = Str("the node's op_type");
                    string domain = Str("the node's domain");
                    var nodeInputs = Strs("the node's input count");
                    var nodeOutputs = Strs("the node's output count");
                    ExpectLineEnd();
                    node = new NodeLine(nodeName, opType, domain, nodeInputs, nodeOutputs);
                }
                else if (Is(keyword, "input")) inputs.Add(ReadValueInfo());
                else if (Is(keyword, "output")) outputs.Add(ReadValueInfo());
                else if (Is(keyword, "value")) values.Add(ReadValueInfo());
                else if (Is(keyword, "init"))
                {
                    initializers.Add(ReadTensor());
                    ExpectLineEnd();
                }
                else if (Is(keyword, "end"))
                {
                    ExpectLineEnd();
                    return new OnnxGraph(name, Own(inputs), Own(outputs), Own(initializers), Own(nodes), Own(values));
                }
                else
                {
                    throw Error($"unknown line kind '{Shorten(_text.Substring(keyword.Start, keyword.Length))}' in a graph (input, output, value, init, node, attr, end)");
                }
            }
        }

        private static OnnxArray<T> Own<T>(List<T> items) => OnnxArray<T>.Own(items.ToArray());

        private readonly struct NodeLine
        {
            private readonly string _name, _opType, _domain;
            private readonly OnnxArray<string> _inputs, _outputs;

            public NodeLine(string name, string opType, string domain, OnnxArray<string> inputs, OnnxArray<string> outputs)
            {
                _name = name;
                _opType = opType;
                _domain = domain;
                _inputs = inputs;
                _outputs = outputs;
            }

            public OnnxNode ToNode(List<OnnxAttribute> attributes) => new(_name, _opType, _domain, _inputs, _outputs, Own(attributes));
        }

        private OnnxAttribute ReadAttribute(int depth)
        {
            string name = Str("the attribute's name");
            var kind = Token("the attribute's kind");
            OnnxAttribute attribute;
            if (Is(kind, "f")) attribute = new OnnxAttribute.Float(name, Float());
            else if (Is(kind, "i")) attribute = new OnnxAttribute.Int(name, Int("the attribute's value"));
            else if (Is(kind, "s")) attribute = new OnnxAttribute.String(name, Str("the attribute's value"));
            else if (Is(kind, "t")) attribute = new OnnxAttribute.Tensor(name, ReadTensor());
            else if (Is(kind, "floats"))
            {
                var values = new float[Count("the attribute's float count")];
                for (int i = 0; i < values.Length; i++) values[i] = Float();
                attribute = new OnnxAttribute.Floats(name, OnnxArray<float>.Own(values));
            }
            else if (Is(kind, "ints")) attribute = new OnnxAttribute.Ints(name, Ints("the attribute's int count"));
            else if (Is(kind, "strings")) attribute = new OnnxAttribute.Strings(name, Strs("the attribute's string count"));
            else if (Is(kind, "unsupported"))
            {
                long type = Int("the attribute's type");
                if (type < 0 || type > int.MaxValue) throw Error($"attribute type {type} is out of range");
                attribute = new OnnxAttribute.Unsupported(name, (OnnxAttributeType)type);
            }
            else if (Is(kind, "g"))
            {
                ExpectLineEnd();
                attribute = new OnnxAttribute.Graph(name, ReadNestedGraph(depth));
                return attribute;
            }
            else if (Is(kind, "graphs"))
            {
                long count = Int("the attribute's graph count");
                ExpectLineEnd();
                // each graph takes two lines at least: allocate only what the text can hold
                if (count < 0 || count > (_text.Length - _next) / 8 + 1) throw Error($"{count} graphs cannot follow in the rest of the text");
                var graphs = new OnnxGraph[count];
                for (int i = 0; i < graphs.Length; i++) graphs[i] = ReadNestedGraph(depth);
                return new OnnxAttribute.Graphs(name, OnnxArray<OnnxGraph>.Own(graphs));
            }
            else if (Is(kind, "tensors"))
            {
                long count = Int("the attribute's tensor count");
                ExpectLineEnd();
                if (count < 0 || count > (_text.Length - _next) / 8 + 1) throw Error($"{count} tensors cannot follow in the rest of the text");
                var tensors = new OnnxTensor[count];
                for (int i = 0; i < tensors.Length; i++)
                {
                    ExpectLine("a 'tensor' line");
                    if (!Is(Token("'tensor'"), "tensor")) throw Error($"expected 'tensor' line {i + 1} of {count} of attribute '{name}'");
                    tensors[i] = ReadTensor();
                    ExpectLineEnd();
                }
                return new OnnxAttribute.Tensors(name, OnnxArray<OnnxTensor>.Own(tensors));
            }
            else throw Error($"unknown attribute kind '{Shorten(_text.Substring(kind.Start, kind.Length))}' (f, i, s, t, g, floats, ints, strings, tensors, graphs, unsupported)");
            ExpectLineEnd();
            return attribute;
        }

        private OnnxGraph ReadNestedGraph(int depth)
        {
            ExpectLine("a 'graph' line");
            if (!Is(Token("'graph'"), "graph")) throw Error("expected a 'graph' line for the attribute before it");
            return ReadGraph(depth + 1);
        }

        private OnnxValueInfo ReadValueInfo()
        {
            string name = Str("the value's name");
            var kind = Token("the value's type");
            OnnxTypeKind typeKind;
            if (Is(kind, "tensor")) typeKind = OnnxTypeKind.Tensor;
            else if (Is(kind, "sparse")) typeKind = OnnxTypeKind.SparseTensor;
            else
            {
                if (Is(kind, "sequence")) typeKind = OnnxTypeKind.Sequence;
                else if (Is(kind, "map")) typeKind = OnnxTypeKind.Map;
                else if (Is(kind, "optional")) typeKind = OnnxTypeKind.Optional;
                else if (Is(kind, "opaque")) typeKind = OnnxTypeKind.Opaque;
                else if (Is(kind, "none")) typeKind = OnnxTypeKind.None;
                else throw Error($"unknown value type '{Shorten(_text.Substring(kind.Start, kind.Length))}' (tensor, sparse, sequence, map, optional, opaque, none)");
                ExpectLineEnd();
                return new OnnxValueInfo(name, typeKind, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty);
            }
            var elementType = DataType();
            var rankToken = Token("the rank or '*'");
            if (Is(rankToken, "*"))
            {
                ExpectLineEnd();
                return new OnnxValueInfo(name, typeKind, elementType, false, OnnxArray<OnnxDim>.Empty);
            }
            _cursor = rankToken.Start;
            var dims = new OnnxDim[Count("the rank")];
            for (int i = 0; i < dims.Length; i++)
            {
                var token = Token("a dim");
                if (Is(token, "?")) dims[i] = OnnxDim.Unknown;
                else if (_text[token.Start] == '$') dims[i] = OnnxDim.Symbolic(Unescape(token.Start + 1, token.Length - 1, "a dim_param"));
                else dims[i] = OnnxDim.Fixed(ParseInt(token, "a dim"));
            }
            ExpectLineEnd();
            return new OnnxValueInfo(name, typeKind, elementType, true, OnnxArray<OnnxDim>.Own(dims));
        }

        private OnnxDataType DataType()
        {
            var token = Token("a data type");
            string name = _text.Substring(token.Start, token.Length);
            var known = OnnxDataTypes.FromOnnxName(name);
            if (known is not null) return known.Value;
            if (token.Length > 0 && name[0] >= '0' && name[0] <= '9')
            {
                long number = ParseInt(token, "a data type");
                if (number <= int.MaxValue) return (OnnxDataType)number;
            }
            throw Error($"unknown data type '{Shorten(name)}'");
        }

        /// <summary>A tensor (everything after its keyword), leaving the line's end to the caller.</summary>
        private OnnxTensor ReadTensor()
        {
            string name = Str("the tensor's name");
            var dataType = DataType();
            var dims = Ints("the tensor's rank");
            var kind = Token("the tensor's data kind");
            OnnxTensorData data;
            if (Is(kind, "floats"))
            {
                var values = new float[Count("the tensor's float count")];
                for (int i = 0; i < values.Length; i++) values[i] = Float();
                data = new OnnxTensorData.Floats(OnnxArray<float>.Own(values));
            }
            else if (Is(kind, "doubles"))
            {
                var values = new double[Count("the tensor's double count")];
                for (int i = 0; i < values.Length; i++) values[i] = Double();
                data = new OnnxTensorData.Doubles(OnnxArray<double>.Own(values));
            }
            else if (Is(kind, "ints")) data = new OnnxTensorData.Ints(Ints("the tensor's int count"));
            else if (Is(kind, "strings")) data = new OnnxTensorData.Strings(Strs("the tensor's string count"));
            else if (Is(kind, "bytes"))
            {
                long count = Int("the tensor's byte count");
                var hex = Token("the tensor's bytes in hex");
                if (count == 0 && Is(hex, "~"))
                {
                    data = new OnnxTensorData.Bytes(OnnxArray<byte>.Empty);
                }
                else
                {
                    if (count < 0 || count * 2 != hex.Length) throw Error($"{count} bytes are not {hex.Length} hex digits");
                    var bytes = new byte[count];
                    for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(Hex(_text[hex.Start + 2 * i], false) << 4 | Hex(_text[hex.Start + 2 * i + 1], false));
                    data = new OnnxTensorData.Bytes(OnnxArray<byte>.Own(bytes));
                }
            }
            else if (Is(kind, "blob"))
            {
                long offset = Int("the blob offset");
                long length = Int("the blob length");
                data = new OnnxTensorData.Blob(offset, length);
            }
            else if (Is(kind, "external"))
            {
                var entries = new OnnxEntry[Count("the external entry count", tokensPerItem: 2)];
                for (int i = 0; i < entries.Length; i++) entries[i] = new OnnxEntry(Str("an external_data key"), Str("an external_data value"));
                data = new OnnxTensorData.External(OnnxArray<OnnxEntry>.Own(entries));
            }
            else throw Error($"unknown tensor data kind '{Shorten(_text.Substring(kind.Start, kind.Length))}' (floats, doubles, ints, strings, bytes, blob, external)");

            var tensor = new OnnxTensor(name, dataType, dims, data);
            string? problem = tensor.Problem();
            if (problem is not null) throw Error(problem);
            return tensor;
        }

        /// <summary>A count of items that follow on this line: never more than the line's remaining tokens can hold.</summary>
        private int Count(string what, int tokensPerItem = 1)
        {
            long count = Int(what);
            long room = (_end - _cursor + 1) / 2 / tokensPerItem;
            if (count < 0 || count > room) throw Error($"{what} is {count}, but the line has room for {room}");
            return (int)count;
        }

        private OnnxArray<long> Ints(string what)
        {
            var values = new long[Count(what)];
            for (int i = 0; i < values.Length; i++) values[i] = Int("an int");
            return OnnxArray<long>.Own(values);
        }

        private OnnxArray<string> Strs(string what)
        {
            var values = new string[Count(what)];
            for (int i = 0; i < values.Length; i++) values[i] = Str("a string");
            return OnnxArray<string>.Own(values);
        }

        private long Int(string what) => ParseInt(Token(what), what);

        private long ParseInt((int Start, int Length) token, string what)
        {
            int i = token.Start, end = token.Start + token.Length;
            bool negative = _text[i] == '-';
            if (negative) i++;
            if (i == end || end - i > 19) throw Error($"'{Shorten(_text.Substring(token.Start, token.Length))}' is not an int64 ({what})");
            ulong value = 0;
            for (; i < end; i++)
            {
                char c = _text[i];
                if (c < '0' || c > '9') throw Error($"'{Shorten(_text.Substring(token.Start, token.Length))}' is not an int64 ({what})");
                value = value * 10 + (ulong)(c - '0');  // 19 digits cannot overflow a ulong
            }
            if (value > (negative ? 9223372036854775808UL : long.MaxValue)) throw Error($"'{_text.Substring(token.Start, token.Length)}' is out of the int64 range ({what})");
            return negative ? (long)(0 - value) : (long)value;
        }

        private float Float()
        {
            var token = Token("a float");
            if (_text[token.Start] == 'x')
            {
                if (token.Length != 9) throw Error($"'{Shorten(_text.Substring(token.Start, token.Length))}' is not a float's 8 hex digits of bits");
                int bits = 0;
                for (int i = 1; i < 9; i++) bits = bits << 4 | Hex(_text[token.Start + i], false);
                return FloatBits.ToSingle(bits);
            }
            string s = DecimalToken(token, "a float");
            if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)) throw Error($"'{Shorten(s)}' is not a float");
            return value;
        }

        private double Double()
        {
            var token = Token("a double");
            if (_text[token.Start] == 'x')
            {
                if (token.Length != 17) throw Error($"'{Shorten(_text.Substring(token.Start, token.Length))}' is not a double's 16 hex digits of bits");
                long bits = 0;
                for (int i = 1; i < 17; i++) bits = bits << 4 | (long)Hex(_text[token.Start + i], false);
                return BitConverter.Int64BitsToDouble(bits);
            }
            string s = DecimalToken(token, "a double");
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) throw Error($"'{Shorten(s)}' is not a double");
            return value;
        }

        /// <summary>The token, checked to be what "R" writes for a finite value: digits, '.', 'E', signs (no "Infinity", no spaces).</summary>
        private string DecimalToken((int Start, int Length) token, string what)
        {
            for (int i = token.Start; i < token.Start + token.Length; i++)
            {
                char c = _text[i];
                if (!((c >= '0' && c <= '9') || c == '.' || c == 'E' || c == 'e' || c == '-' || c == '+'))
                    throw Error($"'{Shorten(_text.Substring(token.Start, token.Length))}' is not {what}: a decimal or 'x' and the bits in hex");
            }
            return _text.Substring(token.Start, token.Length);
        }

        private int Hex(char c, bool upperOnly)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            if (!upperOnly && c >= 'a' && c <= 'f') return c - 'a' + 10;
            throw Error($"'{c}' is not a hex digit");
        }

        private string Str(string what)
        {
            var token = Token(what);
            return Unescape(token.Start, token.Length, what);
        }

        private string Unescape(int start, int length, string what)
        {
            if (length == 0) throw Error($"an empty token where {what} should be");
            if (length == 1 && _text[start] == '~') return "";
            int end = start + length;
            bool escaped = false;
            for (int i = start; i < end; i++)
            {
                char c = _text[i];
                if (c == '%') escaped = true;
                else if (!IsPlain(c)) throw Error($"'{Describe(c)}' must be escaped in {what} (characters other than A-Z a-z 0-9 . _ : / - are %XX bytes of UTF-8)");
            }
            if (!escaped) return _text.Substring(start, length);

            var result = new StringBuilder(length);
            int pending = 0; // UTF-8 bytes in _escaped not decoded yet
            for (int i = start; i < end;)
            {
                char c = _text[i];
                if (c != '%')
                {
                    Flush(result, ref pending, what);
                    result.Append(c);
                    i++;
                }
                else if (i + 1 < end && _text[i + 1] == 'u')
                {
                    if (i + 6 > end) throw Error($"'%u' needs 4 hex digits in {what}");
                    int code = Hex(_text[i + 2], true) << 12 | Hex(_text[i + 3], true) << 8 | Hex(_text[i + 4], true) << 4 | Hex(_text[i + 5], true);
                    if (!char.IsSurrogate((char)code)) throw Error($"'%u{code:X4}' in {what} is no surrogate: other characters are escaped as UTF-8");
                    Flush(result, ref pending, what);
                    result.Append((char)code);
                    i += 6;
                }
                else
                {
                    if (i + 3 > end) throw Error($"'%' needs 2 hex digits in {what}");
                    if (pending == _escaped.Length) Array.Resize(ref _escaped, _escaped.Length * 2);
                    _escaped[pending++] = (byte)(Hex(_text[i + 1], true) << 4 | Hex(_text[i + 2], true));
                    i += 3;
                }
            }
            Flush(result, ref pending, what);
            return result.ToString();
        }

        private void Flush(StringBuilder result, ref int pending, string what)
        {
            if (pending == 0) return;
            string decoded;
            try
            {
                decoded = StrictUtf8.GetString(_escaped, 0, pending);
            }
            catch (DecoderFallbackException)
            {
                throw Error($"the escaped bytes in {what} are not UTF-8");
            }
            pending = 0;
            result.Append(decoded);
        }

        private static string Describe(char c) => c < 0x20 || c > 0x7E ? $"U+{(int)c:X4}" : c.ToString();
    }
}

/// <summary>What <see cref="OnnxText.Read"/> gives: the model, or an error and its line (1-based).</summary>
internal sealed record OnnxTextResult(OnnxModel? Model, string? Error, int Line)
{
    public bool Succeeded => Model is not null;
}
