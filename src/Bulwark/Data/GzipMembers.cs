using System.Buffers.Binary;
using System.IO.Compression;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// The inflated contents of a gzip file (RFC 1952) of one member or several (as <c>cat a.gz b.gz</c>
/// and bgzip write), each member checked against its trailer: the CRC-32 and the size of that
/// member's data. The runtime's own gzip reader stops silently when a file ends early, and only the
/// last member's trailer sits at the end of the file, so neither the reader nor the last four
/// bytes can tell a cut-off file from a whole one. Here each member is inflated as raw deflate data
/// from just after its header; the input is handed over in chunks, so when a member's data ends its
/// trailer starts inside the last chunk handed over, where it is found by its CRC and size. A file
/// that ends inside a member, a trailer that does not match, or bytes after a trailer that do not
/// start another member raise a <see cref="BulwarkInputException"/> naming the file.
/// </summary>
internal sealed class GzipMembers : ForwardReadStream
{
    /// <summary>Most bytes handed to the inflater at once: the window searched for a trailer.</summary>
    private const int Chunk = 1 << 16;

    private const byte FlagHeaderCrc = 2, FlagExtra = 4, FlagName = 8, FlagComment = 16, FlagReserved = 0xE0;

    private readonly FileStream file;
    private readonly string path;
    private readonly long length;
    private Feeder feeder;
    private DeflateStream inflater;
    private uint crc;
    private long memberBytes;
    private long totalBytes;
    private int member;
    private bool done;

    /// <summary>Reads the gzip file open in <paramref name="file"/> (seekable, read from its start); disposing this disposes it.</summary>
    public GzipMembers(FileStream file, string path)
    {
        this.file = file;
        this.path = path;
        length = file.Length;
        (feeder, inflater) = StartMember(0);
    }

    protected override long Consumed => totalBytes;

    public override int Read(Span<byte> buffer)
    {
        while (!done && buffer.Length > 0)
        {
            int n;
            try
            {
                n = inflater.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw Corrupt($"member {member}'s data cannot be inflated ({ex.Message})");
            }
            if (n > 0)
            {
                crc = Crc32.Append(crc, buffer[..n]);
                memberBytes += n;
                totalBytes += n;
                return n;
            }
            long next = EndMember();
            inflater.Dispose();
            if (next == length)
            {
                done = true;
            }
            else
            {
                (feeder, inflater) = StartMember(next);
            }
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inflater.Dispose();
            file.Dispose();
        }
        base.Dispose(disposing);
    }

    private BulwarkInputException Corrupt(string what) =>
        new($"{path}: is truncated or corrupt: {what}, after {totalBytes} inflated bytes.");

    // Parses the member header at offset and starts inflating the data after it.
    private (Feeder, DeflateStream) StartMember(long offset)
    {
        member++;
        file.Position = offset;
        Span<byte> fixedPart = stackalloc byte[10];
        if (file.ReadAtLeast(fixedPart, 10, throwOnEndOfStream: false) < 10)
        {
            throw Corrupt($"member {member} ends inside its 10-byte header");
        }
        if (fixedPart[0] != 0x1f || fixedPart[1] != 0x8b)
        {
            throw Corrupt(member == 1 ? "it does not start with the gzip magic 1f 8b" : $"the {length - offset} bytes after member {member - 1} are not another gzip member");
        }
        byte flags = fixedPart[3];
        if (fixedPart[2] != 8 || (flags & FlagReserved) != 0)
        {
            throw Corrupt($"member {member} has compression method {fixedPart[2]} and flags 0x{flags:x2}; only deflate (8) without reserved flags is gzip");
        }
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> extraLength = stackalloc byte[2];
            ReadHeaderBytes(extraLength);
            Skip(BinaryPrimitives.ReadUInt16LittleEndian(extraLength));
        }
        if ((flags & FlagName) != 0)
        {
            SkipZeroTerminated();
        }
        if ((flags & FlagComment) != 0)
        {
            SkipZeroTerminated();
        }
        if ((flags & FlagHeaderCrc) != 0)
        {
            Skip(2);
        }
        crc = Crc32.Initial;
        memberBytes = 0;
        var feed = new Feeder(file, file.Position);
        return (feed, new DeflateStream(feed, CompressionMode.Decompress, leaveOpen: true));
    }

    // The member's deflate data has ended (or the file has): finds its trailer in the last chunk
    // handed over and returns the offset just past it.
    private long EndMember()
    {
        uint expectedCrc = crc ^ Crc32.Initial;
        uint expectedSize = unchecked((uint)memberBytes);
        long first = feeder.Handed - feeder.LastChunk;
        long last = Math.Min(feeder.Handed, length - 8);
        if (last >= first)
        {
            var window = new byte[(int)(Math.Min(length, last + 10) - first)];
            file.Position = first;
            file.ReadExactly(window);
            for (long at = first; at <= last; at++)
            {
                var trailer = window.AsSpan((int)(at - first));
                if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) == expectedCrc && BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) == expectedSize
                    && (at + 8 == length || (trailer.Length >= 10 && trailer[8] == 0x1f && trailer[9] == 0x8b)))
                {
                    return at + 8;
                }
            }
        }
        throw Corrupt($"member {member}'s data ends without its trailer (CRC-32 {expectedCrc:x8}, {memberBytes} bytes)");
    }

    private void ReadHeaderBytes(Span<byte> into)
    {
        if (file.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
        {
            throw Corrupt($"member {member} ends inside its header");
        }
    }

    private void Skip(int count)
    {
        if (file.Position + count > length)
        {
            throw Corrupt($"member {member} ends inside its header");
        }
        file.Position += count;
    }

    private void SkipZeroTerminated()
    {
        int b;
        while ((b = file.ReadByte()) > 0)
        {
        }
        if (b < 0)
        {
            throw Corrupt($"member {member} ends inside its header");
        }
    }

    /// <summary>
    /// The compressed bytes from an offset, at most <see cref="Chunk"/> per read, remembering how
    /// far it has handed them out and how many the last non-empty read gave.
    /// </summary>
    private sealed class Feeder(FileStream file, long start) : ForwardReadStream
    {
        public long Handed { get; private set; } = start;

        public int LastChunk { get; private set; }

        protected override long Consumed => Handed;

        public override int Read(Span<byte> buffer)
        {
            file.Position = Handed;
            int n = file.Read(buffer[..Math.Min(buffer.Length, Chunk)]);
            if (n > 0)
            {
                Handed += n;
                LastChunk = n;
            }
            return n;
        }
    }
}
