using System;
using System.IO;

namespace CnnGen.Tests.Support;

/// <summary>
/// A seekable stream that reports whatever Length it is told, whatever it holds: its bytes, then zeros for
/// ever (or nothing at all). It stands for a Stream whose Length cannot be trusted.
/// </summary>
public sealed class ClaimedLengthStream : Stream
{
    private readonly byte[] _bytes;
    private readonly bool _endlessZeros;

    public ClaimedLengthStream(byte[] bytes, long claimedLength, bool endlessZeros)
    {
        _bytes = bytes;
        Length = claimedLength;
        _endlessZeros = endlessZeros;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long available = _endlessZeros ? buffer.Length : Math.Clamp(_bytes.Length - Position, 0, buffer.Length);
        int count = (int)available;
        for (int i = 0; i < count; i++)
        {
            long at = Position + i;
            buffer[i] = at < _bytes.Length ? _bytes[at] : (byte)0;
        }

        Position += count;
        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
