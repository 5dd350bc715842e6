using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>
/// Feature hashing: each token goes to column h(token) mod D, where h is 32-bit MurmurHash3 of
/// its UTF-8 bytes under a seed, so no vocabulary is stored or fitted and any word, seen before
/// or not, has a column. Signed hashing adds −1 instead of +1 for tokens whose hash has the top
/// bit set, so collisions tend to cancel rather than pile up. Rows are scaled to unit L2 norm.
/// Stable: the same seed gives the same columns on every platform and run.
/// </summary>
public sealed class HashingVectorizer : ITextVectorizer
{
    /// <summary>Creates a vectoriser with <paramref name="featureCount"/> columns.</summary>
    public HashingVectorizer(int featureCount = 4096, uint seed = 0, bool signed = true)
    {
        if (featureCount < 1)
        {
            throw new BulwarkInputException($"hashing vectoriser: the feature count must be positive, got {featureCount}.");
        }
        FeatureCount = featureCount;
        Seed = seed;
        Signed = signed;
    }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The hash seed; another seed gives another assignment of words to columns.</summary>
    public uint Seed { get; }

    /// <summary>Whether tokens add ±1 (true) or always +1 (false).</summary>
    public bool Signed { get; }

    /// <summary>[−1, 1] when signed, [0, 1] otherwise (rows have unit norm).</summary>
    public InputBounds Bounds => Signed ? new InputBounds(-1f, 1f) : InputBounds.Unit;

    /// <summary>The column a token (as <see cref="WordTokenizer"/> produces it) lands in, and the sign it adds.</summary>
    public (int Column, float Sign) Locate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        uint h = Murmur3(Encoding.UTF8.GetBytes(token), Seed);
        float sign = Signed && (h & 0x8000_0000u) != 0 ? -1f : 1f;
        return ((int)(h % (uint)FeatureCount), sign);
    }

    /// <inheritdoc />
    public void Transform(string text, Span<float> row)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (row.Length != FeatureCount)
        {
            throw new BulwarkInputException($"hashing vectoriser: the row has {row.Length} columns, not {FeatureCount}.");
        }
        row.Clear();
        foreach (var token in WordTokenizer.Tokenize(text))
        {
            var (column, sign) = Locate(token);
            row[column] += sign;
        }
        VectorNorm.NormalizeL2(row);
    }

    /// <summary>MurmurHash3, x86 32-bit variant (Appleby): the hash that picks a token's column.</summary>
    public static uint Murmur3(ReadOnlySpan<byte> data, uint seed)
    {
        const uint c1 = 0xcc9e2d51, c2 = 0x1b873593;
        uint h = seed;
        int blocks = data.Length / 4;
        for (int i = 0; i < blocks; i++)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4 * i, 4));
            k = BitOperations.RotateLeft(k * c1, 15) * c2;
            h = (BitOperations.RotateLeft(h ^ k, 13) * 5) + 0xe6546b64;
        }
        var tail = data[(4 * blocks)..];
        uint t = 0;
        for (int i = tail.Length - 1; i >= 0; i--)
        {
            t = (t << 8) | tail[i];
        }
        if (tail.Length > 0)
        {
            h ^= BitOperations.RotateLeft(t * c1, 15) * c2;
        }
        h ^= (uint)data.Length;
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
