using System.Text;
using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

public sealed class HashingVectorizerTests
{
    [Theory]
    [InlineData(new byte[0], 0u, 0x00000000u)]
    [InlineData(new byte[0], 1u, 0x514E28B7u)]
    [InlineData(new byte[0], 0xffffffffu, 0x81F16F39u)]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff }, 0u, 0x76293B50u)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0u, 0xF55B516Bu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0x5082EDEEu, 0x2362F9DEu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65 }, 0u, 0x7E4A8634u)]
    [InlineData(new byte[] { 0x21, 0x43 }, 0u, 0xA0F7B07Au)]
    [InlineData(new byte[] { 0x21 }, 0u, 0x72661CF4u)]
    [InlineData(new byte[] { 0, 0, 0, 0 }, 0u, 0x2362F9DEu)]
    [InlineData(new byte[] { 0, 0, 0 }, 0u, 0x85F0B427u)]
    [InlineData(new byte[] { 0 }, 0u, 0x514E28B7u)]
    public void Murmur3_matches_the_published_test_vectors(byte[] data, uint seed, uint expected) =>
        Assert.Equal(expected, HashingVectorizer.Murmur3(data, seed));

    [Fact]
    public void Tokens_land_in_their_hashed_column_with_their_sign_and_rows_have_unit_norm()
    {
        var hashing = new HashingVectorizer(featureCount: 64, seed: 7);
        var row = new float[64];
        hashing.Transform("Spam spam SPAM eggs", row);
        uint h = HashingVectorizer.Murmur3(Encoding.UTF8.GetBytes("spam"), 7);
        var (column, sign) = hashing.Locate("spam");
        Assert.Equal((int)(h % 64), column);
        Assert.Equal((h >> 31) == 1 ? -1f : 1f, sign);
        Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 5);
        var (eggs, eggSign) = hashing.Locate("eggs");
        if (eggs != column)
        {
            // spam three times against eggs once: 3/√10 and 1/√10.
            Assert.Equal(sign * 3 / MathF.Sqrt(10), row[column], 5);
            Assert.Equal(eggSign / MathF.Sqrt(10), row[eggs], 5);
        }
        Assert.Equal(62, row.Count(v => v == 0f));
    }

    [Fact]
    public void Same_seed_same_rows_other_seed_other_columns_and_unsigned_stays_non_negative()
    {
        var texts = JsonlTextLoader.Load(DataFiles.Bundled("spam", "spam.jsonl.gz")).Texts.Take(50).ToArray();
        var a = new HashingVectorizer(256, seed: 1).Transform(texts).ToArray();
        var b = new HashingVectorizer(256, seed: 1).Transform(texts).ToArray();
        var c = new HashingVectorizer(256, seed: 2).Transform(texts).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Contains(a, v => v < 0);

        var unsigned = new HashingVectorizer(256, signed: false);
        Assert.Equal(0f, unsigned.Bounds.Lower);
        Assert.All(unsigned.Transform(texts).ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Throws<BulwarkInputException>(() => new HashingVectorizer(0));
    }
}
