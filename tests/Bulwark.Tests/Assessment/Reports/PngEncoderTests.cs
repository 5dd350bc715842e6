using System.Text;
using Bulwark.Assessment.Reports;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class PngEncoderTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Of(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Of([]));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 1)]
    [InlineData(13, 4, 3)]
    public void Encoded_pixels_decode_back_unchanged(int width, int height, int channels)
    {
        var pixels = new byte[width * height * channels];
        new Random(width * 31 + channels).NextBytes(pixels);

        var png = PngEncoder.Encode(pixels, width, height, channels);
        var decoded = PngDecoder.Decode(png);

        Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(pixels, decoded.Pixels);
        Assert.Equal(png, PngEncoder.Encode(pixels, width, height, channels));
    }

    [Fact]
    public void Wrong_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[5], 2, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new byte[8], 2, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode([], 0, 1, 1));
    }
}
