using System.Globalization;
using System.IO.Compression;

namespace Bulwark.Engine.IO;

/// <summary>
/// Reads one input front to back and turns every short read, stream failure and corrupt
/// compressed block into a <see cref="BulwarkInputException"/> that names the source.
/// </summary>
internal sealed class InputReader
{
    private readonly Stream stream;

    /// <summary>Wraps a readable stream; <paramref name="length"/> is the number of bytes it holds from here, when known.</summary>
    public InputReader(Stream stream, string source, long? length)
    {
        this.stream = stream;
        Source = source;
        Length = length;
    }

    /// <summary>The stream read from.</summary>
    public Stream BaseStream => stream;

    /// <summary>The name used in messages: the path as given, "stream", or "archive:entry".</summary>
    public string Source { get; }

    /// <summary>The total number of bytes available, when the source can tell (files, seekable streams).</summary>
    public long? Length { get; }

    /// <summary>The number of bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>The bytes left when the length is known.</summary>
    public long? Remaining => Length - Position;

    /// <summary>An input error prefixed with the source name.</summary>
    public BulwarkInputException Error(string message) => new($"{Source}: {message}");

    /// <summary>Wraps a readable stream, using its remaining length when it can seek.</summary>
    public static InputReader ForStream(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }
        long? length = null;
        if (stream.CanSeek)
        {
            length = Math.Max(0, stream.Length - stream.Position);
        }
        return new InputReader(stream, source, length);
    }

    /// <summary>Opens a file for reading only, sharing it with other readers.</summary>
    public static FileStream OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BulwarkInputException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BulwarkInputException($"{path}: cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> or fails, naming <paramref name="what"/> was being read.</summary>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = ReadSome(buffer[total..]);
            if (n == 0)
            {
                throw Error($"is truncated: it ends after {Position.ToString(CultureInfo.InvariantCulture)} bytes, inside {what}.");
            }
            total += n;
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; 0 only at the end.</summary>
    public int ReadSome(Span<byte> buffer)
    {
        int n;
        try
        {
            n = stream.Read(buffer);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new BulwarkInputException($"{Source}: cannot be read after {Position.ToString(CultureInfo.InvariantCulture)} bytes: {ex.Message}", ex);
        }
        Position += n;
        return n;
    }

    /// <summary>
    /// Fails before anything is allocated when the known length cannot hold exactly
    /// <paramref name="needed"/> more bytes; does nothing when the length is unknown.
    /// </summary>
    public void CheckRemaining(long needed, string what)
    {
        if (Remaining is not long left)
        {
            return;
        }
        if (left < needed)
        {
            throw Error($"is truncated: {what} needs {needed.ToString(CultureInfo.InvariantCulture)} bytes but only {left.ToString(CultureInfo.InvariantCulture)} remain.");
        }
        if (left > needed)
        {
            throw Error($"has {(left - needed).ToString(CultureInfo.InvariantCulture)} extra bytes after {what}.");
        }
    }

    /// <summary>Fails when anything follows the bytes read so far.</summary>
    public void ExpectEnd(string what)
    {
        if (Remaining is long left)
        {
            if (left > 0)
            {
                throw Error($"has {left.ToString(CultureInfo.InvariantCulture)} extra bytes after {what}.");
            }
            return;
        }
        Span<byte> probe = stackalloc byte[1];
        if (ReadSome(probe) != 0)
        {
            throw Error($"has extra bytes after {what}.");
        }
    }

    /// <summary>True when the stream starts with the gzip magic 1f 8b (the bytes are consumed into <paramref name="prefix"/>).</summary>
    public static bool StartsWithGzip(InputReader reader, out byte[] prefix)
    {
        prefix = new byte[2];
        int got = 0;
        while (got < 2)
        {
            int n = reader.ReadSome(prefix.AsSpan(got));
            if (n == 0)
            {
                break;
            }
            got += n;
        }
        if (got < 2)
        {
            prefix = prefix[..got];
            return false;
        }
        return prefix[0] == 0x1f && prefix[1] == 0x8b;
    }

    /// <summary>
    /// The decompressed data of <paramref name="raw"/>, whose first bytes were already consumed into
    /// <paramref name="prefix"/>; disposing it leaves <paramref name="raw"/> open.
    /// </summary>
    public static Stream Gunzip(Stream raw, byte[] prefix) =>
        new GZipStream(new PrefixedStream(prefix, raw), CompressionMode.Decompress, leaveOpen: false);
}
