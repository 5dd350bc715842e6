using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// The smallest PNG writer the reports need: 8-bit grey or RGB, no interlacing, every row with
/// filter 0 (none), one IDAT chunk compressed with zlib. Same pixels, same bytes.
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="pixels"/>, row-major, <paramref name="channels"/> bytes per pixel (1 grey, 3 RGB).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "a PNG here is grey (1 channel) or RGB (3 channels)");
        int stride = width * channels;
        if (pixels.Length != stride * height)
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}×{height} image of {channels} channel(s)", nameof(pixels));

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                                  // bit depth
        header[9] = (byte)(channels == 1 ? 0 : 2);      // colour type: grey or truecolour
        WriteChunk(png, "IHDR", header);                // compression, filter and interlace methods stay 0

        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(pixels.Slice(y * stride, stride));
                }
            }
            WriteChunk(png, "IDAT", raw.GetBuffer().AsSpan(0, (int)raw.Length));
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Append(Crc32.Initial, typeBytes), data) ^ Crc32.Initial);
        png.Write(word);
    }
}
