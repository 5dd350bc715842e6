using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Bulwark.Assessment.Reports;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>A PNG read back: 8 bits per sample, <see cref="Channels"/> samples per pixel, rows unfiltered.</summary>
internal sealed record DecodedPng(int Width, int Height, int Channels, byte[] Pixels);

/// <summary>
/// Enough of a PNG reader to check the report's images and Chromium's screenshots: 8-bit grey,
/// grey+alpha, RGB or RGBA, not interlaced, all five row filters, chunk CRCs checked.
/// </summary>
internal static class PngDecoder
{
    public static DecodedPng Decode(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.AsSpan().StartsWith(signature), "no PNG signature");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        int at = signature.Length;
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(Crc32.Of(png.AsSpan(at + 4, 4 + length)), crc);
            at += 12 + length;
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                channels = data[9] switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, var c => throw new NotSupportedException($"colour type {c}") };
                Assert.Equal(0, data[12]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var filtered = new MemoryStream();
        zlib.CopyTo(filtered);
        return new DecodedPng(width, height, channels, Unfilter(filtered.ToArray(), width, height, channels));
    }

    private static byte[] Unfilter(byte[] rows, int width, int height, int bpp)
    {
        int stride = width * bpp;
        Assert.Equal(height * (stride + 1), rows.Length);
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = rows[y * (stride + 1)];
            var line = rows.AsSpan(y * (stride + 1) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            var above = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? output[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new NotSupportedException($"row filter {filter}"),
                };
                output[i] = (byte)(line[i] + predictor);
            }
        }
        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
