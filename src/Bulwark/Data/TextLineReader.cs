using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Reads a text file line by line, gunzipping it when it starts with the gzip magic, within
/// <see cref="DataLimits.MaxFileBytes"/> both as stored and as inflated. A gzip stream that ends
/// early is reported as truncated: the decompressor itself stops silently, so the inflated size
/// is compared with the size the gzip trailer records (single-member gzip, as gzip and Python write).
/// </summary>
internal sealed class TextLineReader : IDisposable
{
    private readonly FileStream file;
    private readonly CountingStream counted;
    private readonly StreamReader reader;
    private readonly uint? gzipSize;

    private TextLineReader(string path, FileStream file, CountingStream counted, uint? gzipSize)
    {
        Path = path;
        this.file = file;
        this.counted = counted;
        this.gzipSize = gzipSize;
        reader = new StreamReader(counted, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The 1-based number of the line last returned; 0 before the first.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Opens <paramref name="path"/> after checking its size against the limits.</summary>
    public static TextLineReader Open(string path, DataLimits limits)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        limits.CheckFile(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            Span<byte> head = stackalloc byte[2];
            int got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (got < 2 || head[0] != 0x1f || head[1] != 0x8b)
            {
                return new TextLineReader(path, file, new CountingStream(file, path, limits.MaxFileBytes), null);
            }
            if (file.Length < 18)
            {
                throw new BulwarkInputException($"{path}: is truncated: {file.Length} bytes cannot hold a gzip header and trailer.");
            }
            Span<byte> trailer = stackalloc byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(trailer);
            file.Position = 0;
            var inflated = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            return new TextLineReader(path, file, new CountingStream(inflated, path, limits.MaxFileBytes), BinaryPrimitives.ReadUInt32LittleEndian(trailer));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The next line without its terminator, or null at the end; unreadable or truncated data throws.</summary>
    public string? ReadLine()
    {
        string? line;
        try
        {
            line = reader.ReadLine();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or DecoderFallbackException)
        {
            throw new BulwarkInputException($"{Path}: line {LineNumber + 1}: cannot be read: {ex.Message}", ex);
        }
        if (line is null)
        {
            if (gzipSize is uint expected && (uint)counted.Total != expected)
            {
                throw new BulwarkInputException($"{Path}: is truncated or corrupt: it inflated to {counted.Total} bytes (after line {LineNumber}) but its gzip trailer records {expected} (mod 2^32).");
            }
            return null;
        }
        LineNumber++;
        return line;
    }

    /// <summary>
    /// For gzip: reads on to the end so that a cut-off file is reported as truncated rather than
    /// by the broken last line it produced; does nothing for plain text.
    /// </summary>
    public void ThrowIfTruncated()
    {
        while (gzipSize is not null && ReadLine() is not null)
        {
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        file.Dispose();
    }

    /// <summary>Counts the bytes read through it and refuses to go past a limit.</summary>
    private sealed class CountingStream(Stream inner, string path, long limit) : Stream
    {
        public long Total { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Total += n;
            if (Total > limit)
            {
                throw new BulwarkInputException($"{path}: inflates to more than {limit} bytes, the limit (DataLimits.MaxFileBytes, --max-bytes).");
            }
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
