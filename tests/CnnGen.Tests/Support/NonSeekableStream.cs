using System;
using System.IO;

namespace CnnGen.Tests.Support;

/// <summary>A forward-only stream that hands out a few bytes per read, as pipes and sockets may.</summary>
public sealed class NonSeekableStream : Stream
{
    private readonly byte[] _bytes;
    private readonly bool _endlessZeros;
    private long _position;

    public NonSeekableStream(byte[] bytes, bool endlessZeros = false)
    {
        _bytes = bytes;
        _endlessZeros = endlessZeros;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, 1 + (int)(_position % 7));
        if (_position < _bytes.Length)
        {
            count = (int)Math.Min(count, _bytes.Length - _position);
            _bytes.AsSpan((int)_position, count).CopyTo(buffer);
        }
        else if (_endlessZeros)
        {
            buffer[..count].Clear();
        }
        else
        {
            return 0;
        }

        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
