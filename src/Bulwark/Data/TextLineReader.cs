using System.Text;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Reads a text file line by line, gunzipping it when it starts with the gzip magic, within
/// <see cref="DataLimits.MaxFileBytes"/> both as stored and as inflated. A gzip file of one member
/// or several is checked member by member against its trailers (<see cref="GzipMembers"/>), so a
/// file that ends early is reported as truncated.
/// </summary>
internal sealed class TextLineReader : IDisposable
{
    private readonly FileStream file;
    private readonly StreamReader reader;
    private readonly bool gzip;

    private TextLineReader(string path, FileStream file, CountingStream counted, bool gzip)
    {
        Path = path;
        this.file = file;
        this.gzip = gzip;
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
                return new TextLineReader(path, file, new CountingStream(file, path, limits.MaxFileBytes), gzip: false);
            }
            return new TextLineReader(path, file, new CountingStream(new GzipMembers(file, path), path, limits.MaxFileBytes), gzip: true);
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
        while (gzip && ReadLine() is not null)
        {
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        file.Dispose();
    }

    /// <summary>Counts the bytes read through it and refuses to go past a limit.</summary>
    private sealed class CountingStream(Stream inner, string path, long limit) : ForwardReadStream
    {
        public long Total { get; private set; }

        protected override long Consumed => Total;

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
