using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

/// <summary>
/// Gzip text files of several members (cat a.gz b.gz, bgzip) read whole, and every way of cutting
/// or damaging one is refused rather than read short.
/// </summary>
public sealed class GzipMembersTests : IDisposable
{
    private readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Concatenated_members_read_as_one_text()
    {
        byte[] file = [.. Member("label,a\n0,1\n"), .. Member("1,2\n"), .. Member("0,3\n1,4\n")];
        Assert.Equal(["label,a", "0,1", "1,2", "0,3", "1,4"], Lines(files.Write("cat.csv.gz", file)));
        var data = CsvDatasetLoader.Load(files.Write("cat2.csv.gz", file));
        Assert.Equal(4, data.Count);
    }

    [Fact]
    public void Bgzip_style_members_with_extra_fields_and_the_empty_end_member_read_whole()
    {
        byte[] file = [.. Member("a\nb\n", extra: [0x42, 0x43, 2, 0, 0x1b, 0]), .. Member("c\n", extra: [0x42, 0x43, 2, 0, 0x1b, 0]), .. Member("", extra: [0x42, 0x43, 2, 0, 0x1b, 0])];
        Assert.Equal(["a", "b", "c"], Lines(files.Write("bgzf.txt.gz", file)));
    }

    [Fact]
    public void Header_name_comment_and_header_crc_are_skipped()
    {
        byte[] file = [.. Member("x\n", name: "data.txt", comment: "made by hand", headerCrc: true), .. Member("y\n", name: "second")];
        Assert.Equal(["x", "y"], Lines(files.Write("named.txt.gz", file)));
    }

    [Fact]
    public void Every_cut_of_a_two_member_file_is_refused_as_truncated_or_corrupt()
    {
        byte[] first = Member(string.Concat(Enumerable.Range(0, 300).Select(i => $"{i},{i * i}\n")));
        byte[] file = [.. first, .. Member("last,line\n")];
        Assert.Equal(301, Lines(files.Write("whole.txt.gz", file)).Count);
        // Cut exactly between the members, what is left is a whole one-member file.
        Assert.Equal(300, Lines(files.Write("first.txt.gz", file[..first.Length])).Count);
        // From two bytes on the file is recognised as gzip; every other cut is a truncation.
        for (int cut = 2; cut < file.Length; cut++)
        {
            if (cut == first.Length)
            {
                continue;
            }
            string path = files.Write($"cut{cut}.txt.gz", file[..cut]);
            var ex = Assert.Throws<BulwarkInputException>(() => Lines(path));
            Assert.Contains($"cut{cut}.txt.gz", ex.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
            File.Delete(path);
        }
    }

    [Fact]
    public void A_wrong_crc_a_wrong_size_and_trailing_bytes_are_refused()
    {
        byte[] good = [.. Member("one\ntwo\n"), .. Member("three\n")];
        var badCrc = (byte[])good.Clone();
        badCrc[Member("one\ntwo\n").Length - 8] ^= 1;
        var badSize = (byte[])good.Clone();
        badSize[^1] ^= 1;
        byte[] trailing = [.. good, 0, 0, 0, 7];
        byte[] notGzip = [.. good, .. Encoding.ASCII.GetBytes("junk at the end")];
        foreach (var (name, bytes) in new[] { ("crc", badCrc), ("size", badSize), ("zeros", trailing), ("junk", notGzip) })
        {
            var ex = Assert.Throws<BulwarkInputException>(() => Lines(files.Write(name + ".txt.gz", bytes)));
            Assert.Contains("truncated or corrupt", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_member_longer_than_one_chunk_of_compressed_input_is_found_and_checked()
    {
        var rng = new Random(5);
        var text = new StringBuilder();
        for (int i = 0; i < 30_000; i++)
        {
            text.Append(rng.Next()).Append(',').Append(rng.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        byte[] first = Member(text.ToString());
        Assert.True(first.Length > 3 * (1 << 16), $"only {first.Length} compressed bytes");
        byte[] file = [.. first, .. Member("end\n")];
        var lines = Lines(files.Write("big.txt.gz", file));
        Assert.Equal(30_001, lines.Count);
        Assert.Equal("end", lines[^1]);
        Assert.Throws<BulwarkInputException>(() => Lines(files.Write("bigcut.txt.gz", file[..(first.Length - 3)])));
    }

    private static List<string> Lines(string path)
    {
        using var reader = TextLineReader.Open(path, new DataLimits());
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    // One gzip member (RFC 1952) with the optional header fields asked for.
    private static byte[] Member(string text, byte[]? extra = null, string? name = null, string? comment = null, bool headerCrc = false)
    {
        byte[] data = Encoding.UTF8.GetBytes(text);
        var header = new List<byte> { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 };
        byte flags = 0;
        if (extra is not null)
        {
            flags |= 4;
            header.Add((byte)extra.Length);
            header.Add((byte)(extra.Length >> 8));
            header.AddRange(extra);
        }
        if (name is not null)
        {
            flags |= 8;
            header.AddRange(Encoding.Latin1.GetBytes(name));
            header.Add(0);
        }
        if (comment is not null)
        {
            flags |= 16;
            header.AddRange(Encoding.Latin1.GetBytes(comment));
            header.Add(0);
        }
        header[3] = flags;
        if (headerCrc)
        {
            header[3] |= 2;
            uint crc16 = Crc32.Of(header.ToArray()) & 0xFFFF;
            header.Add((byte)crc16);
            header.Add((byte)(crc16 >> 8));
        }
        using var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
        }
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Of(data));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)data.Length);
        // The runtime writes nothing at all for empty input; gzip and bgzip write one empty final block.
        byte[] body = data.Length == 0 ? [0x03, 0x00] : deflated.ToArray();
        return [.. header, .. body, .. trailer];
    }
}
