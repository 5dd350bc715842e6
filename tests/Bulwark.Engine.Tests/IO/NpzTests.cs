using System.IO.Compression;
using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>.npz archives: round trips, stored and deflated entries, reproducible bytes and malformed archives.</summary>
public sealed class NpzTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static Dictionary<string, NpyArray> Sample() => new()
    {
        ["x_train"] = new NpyArray([.. Enumerable.Range(0, 120).Select(i => i * 0.5f)], 10, 12),
        ["y_train"] = new NpyArray([.. Enumerable.Range(0, 10).Select(i => (long)(i % 3))], 10),
        ["nested/name"] = new NpyArray([3f]),
    };

    private static byte[] Zip(CompressionLevel level, params (string Name, byte[] Bytes)[] entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var content = archive.CreateEntry(name, level).Open();
                content.Write(bytes);
            }
        }
        return output.ToArray();
    }

    [Fact]
    public void Named_arrays_survive_a_round_trip_through_files_and_streams()
    {
        var arrays = Sample();
        string path = folder.File("data.npz");
        Npz.Write(path, arrays);
        using var buffer = new MemoryStream();
        Npz.Write(buffer, arrays);

        foreach (var loaded in new[] { Npz.Read(path), Npz.Read(new MemoryStream(buffer.ToArray())), Npz.Read(new ForwardOnlyStream(buffer.ToArray())) })
        {
            Assert.Equal(arrays.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, expected) in arrays)
            {
                Assert.Equal(expected.Shape.ToArray(), loaded[name].Shape.ToArray());
                Assert.Equal(expected.IsInteger, loaded[name].IsInteger);
                Assert.Equal(expected.ToTensor().ToArray(), loaded[name].ToTensor().ToArray());
            }
        }

        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["nested/name.npy", "x_train.npy", "y_train.npy"], zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.True(e.CompressedLength < e.Length));
    }

    [Fact]
    public void The_same_arrays_give_identical_archives()
    {
        Npz.Write(folder.File("a.npz"), Sample());
        Npz.Write(folder.File("b.npz"), new Dictionary<string, NpyArray>(Sample().Reverse()));
        Assert.Equal(File.ReadAllBytes(folder.File("a.npz")), File.ReadAllBytes(folder.File("b.npz")));
    }

    [Fact]
    public void Stored_and_deflated_entries_written_by_other_tools_are_read()
    {
        var floats = NpyTests.Build(NpyTests.Dict(">f4", "(2,)"), [0x3F, 0x80, 0, 0, 0x40, 0, 0, 0]);
        var bytes = NpyTests.Build(NpyTests.Dict("|u1", "(3,)"), [1, 2, 3]);
        foreach (var level in new[] { CompressionLevel.NoCompression, CompressionLevel.Optimal })
        {
            var arrays = Npz.Read(folder.Write("mixed.npz", Zip(level, ("a.npy", floats), ("b.npy", bytes))));
            Assert.Equal([1f, 2f], arrays["a"].FloatData!);
            Assert.Equal([1L, 2L, 3L], arrays["b"].LongData!);
        }
    }

    [Fact]
    public void Malformed_archives_are_refused_with_a_message_naming_the_file_and_entry()
    {
        var good = NpyTests.Build(NpyTests.Dict("<f4", "(1,)"), new byte[4]);
        var truncated = NpyTests.Build(NpyTests.Dict("<f4", "(2,)"), new byte[4]);
        var big = NpyTests.Build(NpyTests.Dict("|u1", "(100,)"), new byte[100]);
        var cases = new (string Rule, byte[] Bytes, string Expected, NpyReadOptions? Options)[]
        {
            ("not a zip", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23], "is not a readable zip archive", null),
            ("entry not .npy", Zip(CompressionLevel.Optimal, ("a.npy", good), ("readme.txt", [1])), "entry 'readme.txt' is not a .npy file", null),
            ("repeated entry", Zip(CompressionLevel.Optimal, ("a.npy", good), ("a.npy", good)), "entry 'a.npy' appears twice", null),
            ("bad array inside", Zip(CompressionLevel.Optimal, ("w.npy", truncated)), "data.npz:w.npy: is truncated", null),
            ("arrays over the limit together", Zip(CompressionLevel.Optimal, ("a.npy", big), ("b.npy", big)), "data.npz:b.npy: declares shape [100]", new NpyReadOptions { MaxBytes = 1000 }),
        };
        foreach (var (rule, bytes, expected, options) in cases)
        {
            string path = folder.Write("data.npz", bytes);
            var ex = Assert.Throws<BulwarkInputException>(() => Npz.Read(path, options));
            Assert.True(ex.Message.StartsWith(path, StringComparison.Ordinal) && ex.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: {ex.Message}");
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
    }

    [Fact]
    public void A_corrupt_deflate_stream_is_an_input_error()
    {
        var bytes = Zip(CompressionLevel.Optimal, ("a.npy", NpyTests.Build(NpyTests.Dict("<f4", "(64,)"), new byte[256])));
        // The local header is 30 bytes plus the name; damage the compressed data just after it.
        for (int i = 40; i < 48; i++)
        {
            bytes[i] ^= 0xA5;
        }
        string path = folder.Write("broken.npz", bytes);
        var ex = Assert.Throws<BulwarkInputException>(() => Npz.Read(path));
        Assert.StartsWith(path + ":a.npy: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forward_only_stream_larger_than_the_limit_is_refused()
    {
        using var buffer = new MemoryStream();
        Npz.Write(buffer, Sample());
        var ex = Assert.Throws<BulwarkInputException>(() => Npz.Read(new ForwardOnlyStream(buffer.ToArray()), new NpyReadOptions { MaxBytes = 100 }));
        Assert.StartsWith("stream: holds more than 100 bytes", ex.Message, StringComparison.Ordinal);
    }
}
