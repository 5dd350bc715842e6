using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>Every validation rule of the IDX reader, including size limits and gzip bombs.</summary>
public sealed class IdxMalformedTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string, byte[], string> Cases() => new()
    {
        { "empty file", [], "truncated" },
        { "shorter than the magic", [0, 0, 8], "inside the 4-byte IDX magic" },
        { "wrong magic", [1, 2, 8, 1, 0, 0, 0, 1, 5], "is not an IDX file" },
        { "unknown element type", IdxTests.Build(0x0A, [1], [0]), "unknown IDX element type 0x0A" },
        { "more than 8 dimensions", IdxTests.Build(0x08, [1, 1, 1, 1, 1, 1, 1, 1, 1], [0]), "declares 9 dimensions" },
        { "truncated dimensions", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], "inside the dimension sizes" },
        { "absurd dimension", [0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF], "absurd dimension 4294967295" },
        { "element count beyond any array", IdxTests.Build(0x08, [int.MaxValue, int.MaxValue, 2], []), "more elements than one array can hold" },
        { "declared size over the limit", IdxTests.Build(0x08, [16384, 65536], []), "over the limit of 2147483648 bytes" },
        { "truncated data", IdxTests.Build(0x08, [2, 3], [1, 2, 3, 4, 5]), "needs 6 bytes but only 5 remain" },
        { "extra bytes", IdxTests.Build(0x0B, [2], [0, 1, 0, 2, 9]), "1 extra bytes" },
        { "gzipped and truncated", IdxTests.Gzip(IdxTests.Build(0x08, [2, 3], [1, 2, 3, 4, 5])), "truncated" },
        { "gzipped with extra bytes", IdxTests.Gzip(IdxTests.Build(0x08, [2], [1, 2, 3])), "extra bytes" },
        { "corrupt gzip", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8], "cannot be read" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_files_are_refused_with_a_message_naming_the_file(string rule, byte[] bytes, string expected)
    {
        string path = folder.Write("images.idx", bytes);
        foreach (var read in new Action[] { () => Idx.ReadTensor(path), () => Idx.ReadLongTensor(path) })
        {
            var ex = Assert.Throws<BulwarkInputException>(read);
            Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: '{ex.Message}' lacks '{expected}'");
        }
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_size_limit_is_configurable_and_counts_the_array_in_memory()
    {
        // 1000 u8 values are 1000 bytes stored but 8000 bytes as int64.
        string path = folder.Write("labels.idx", IdxTests.Build(0x08, [1000], new byte[1000]));
        Assert.Equal(1000, Idx.ReadTensor(path, new IdxReadOptions { MaxBytes = 4000 }).Size);
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.ReadLongTensor(path, new IdxReadOptions { MaxBytes = 4000 }));
        Assert.Contains("over the limit of 4000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadTensor(path, new IdxReadOptions { MaxBytes = 0 }));
    }

    [Fact]
    public void A_gzip_bomb_is_stopped_after_the_declared_bytes()
    {
        // 1000 declared bytes followed by 16 MiB of zeros that compress to a few tens of kilobytes.
        var header = IdxTests.Build(0x08, [1000], new byte[1000]);
        var bomb = IdxTests.Gzip([.. header, .. new byte[16 << 20]], System.IO.Compression.CompressionLevel.Optimal);
        Assert.True(bomb.Length < 200_000);
        string path = folder.Write("bomb.idx.gz", bomb);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.ReadTensor(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 8L << 20);
        Assert.Contains("extra bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_gzip_declaring_a_large_array_costs_only_what_it_holds()
    {
        // 256 MiB of u8 declared (1 GiB as float32, under the default limit) but only 10 bytes present.
        var lying = IdxTests.Gzip(IdxTests.Build(0x08, [1 << 28], new byte[10]));
        string path = folder.Write("lying.idx.gz", lying);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.ReadTensor(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64L << 20);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Floats_are_refused_as_integers_and_streams_are_named()
    {
        string path = folder.Write("floats.idx", IdxTests.Build(0x0D, [1], [0, 0, 0, 0]));
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.ReadLongTensor(path));
        Assert.Contains("holds f32 values", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<BulwarkInputException>(() => Idx.ReadTensor(new ForwardOnlyStream([0, 0, 8, 1, 0, 0, 0, 4, 1])));
        Assert.StartsWith("stream: is truncated", ex.Message, StringComparison.Ordinal);
    }
}
