namespace Bulwark.Data;

/// <summary>
/// A stream that can only be read forwards: everything but <see cref="Read(Span{byte})"/> is
/// fixed here (not seekable, not writable, no length), and the array overload forwards to the
/// span one.
/// </summary>
internal abstract class ForwardReadStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public sealed override long Length => throw new NotSupportedException();

    /// <summary>Bytes read so far; it cannot be set.</summary>
    public override long Position { get => Consumed; set => throw new NotSupportedException(); }

    /// <summary>What <see cref="Position"/> reports.</summary>
    protected abstract long Consumed { get; }

    public abstract override int Read(Span<byte> buffer);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
