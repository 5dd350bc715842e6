namespace Bulwark.Engine.IO;

/// <summary>
/// A read-only stream that yields some already-consumed bytes and then the rest of another
/// stream, so that a format can be sniffed from a stream that cannot seek back.
/// </summary>
internal sealed class PrefixedStream : Stream
{
    private readonly byte[] prefix;
    private readonly Stream rest;
    private int used;

    public PrefixedStream(byte[] prefix, Stream rest)
    {
        this.prefix = prefix;
        this.rest = rest;
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
        if (used < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - used);
            prefix.AsSpan(used, n).CopyTo(buffer);
            used += n;
            return n;
        }
        return rest.Read(buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
