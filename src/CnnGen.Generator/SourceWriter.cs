using System.Text;

namespace CnnGen.Generator;

/// <summary>Writes indented source text; the emitter opens and closes blocks, never counts spaces.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            for (int i = 0; i < _depth; i++) _text.Append(IndentUnit);
            _text.Append(line);
        }
        _text.Append('\n');
    }

    public void WriteLine() => _text.Append('\n');

    /// <summary>Writes the header line, then "{", and indents until the returned scope is disposed.</summary>
    public Block OpenBlock(string header)
    {
        WriteLine(header);
        return OpenScope();
    }

    /// <summary>A bare block, a scope for the locals written in it.</summary>
    public Block OpenScope()
    {
        WriteLine("{");
        _depth++;
        return new Block(this);
    }

    /// <summary>A block when <paramref name="condition"/> holds; otherwise its body is written at the current depth.</summary>
    public Block? OpenBlockIf(bool condition, string header) => condition ? OpenBlock(header) : null;

    /// <summary>Blocks opened one inside the other as a plan decides their order, closed together when disposed.</summary>
    public Nest OpenNest() => new(this);

    public void Indent() => _depth++;

    public void Unindent() => _depth--;

    public override string ToString() => _text.ToString();

    public sealed class Nest : System.IDisposable
    {
        private readonly SourceWriter _writer;
        private int _open;

        public Nest(SourceWriter writer) => _writer = writer;

        /// <summary>Opens a block inside the ones this nest opened before.</summary>
        public void Open(string header)
        {
            _writer.OpenBlock(header);
            _open++;
        }

        public void Dispose()
        {
            for (; _open > 0; _open--) new Block(_writer).Dispose();
        }
    }

    public readonly struct Block : System.IDisposable
    {
        private readonly SourceWriter _writer;

        public Block(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._depth--;
            _writer.WriteLine("}");
        }
    }
}
