using System.Buffers.Binary;
using System.IO.Compression;
using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>IDX reading (every element type, gzipped or not, real Fashion-MNIST) and writing (u8, f32).</summary>
public sealed class IdxTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>An IDX file built by hand: magic, big-endian dimensions, then the given data bytes.</summary>
    internal static byte[] Build(byte type, int[] shape, byte[] data)
    {
        var bytes = new byte[4 + (4 * shape.Length) + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + (4 * d)), (uint)shape[d]);
        }
        data.CopyTo(bytes, 4 + (4 * shape.Length));
        return bytes;
    }

    internal static byte[] Gzip(byte[] bytes, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, level, leaveOpen: true))
        {
            gz.Write(bytes);
        }
        return output.ToArray();
    }

    [Fact]
    public void Fashion_mnist_test_images_and_labels_have_the_published_shape_and_class_balance()
    {
        string images = TempFolder.Shared("datasets", "fashion-mnist", "t10k-images-idx3-ubyte.gz");
        string labels = TempFolder.Shared("datasets", "fashion-mnist", "t10k-labels-idx1-ubyte.gz");

        var x = Idx.ReadTensor(images, new IdxReadOptions { ScaleBytes = true });
        Assert.Equal([10000, 28, 28], x.Shape.ToArray());
        var pixels = x.ToArray();
        Assert.InRange(pixels.Min(), 0f, 0f);
        Assert.InRange(pixels.Max(), 1f, 1f);
        Assert.Contains(pixels, p => p > 0f && p < 1f);

        var y = Idx.ReadLongTensor(labels);
        Assert.Equal([10000], y.Shape.ToArray());
        y.CheckRange(10, "labels");
        var counts = y.Data.GroupBy(v => v).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(k => ((long)k, 1000)), counts);

        var raw = Idx.ReadTensor(images).ToArray();
        Assert.All(raw.Take(5000), v => Assert.Equal(MathF.Floor(v), v));
        Assert.Equal(pixels[4321], raw[4321] / 255f);
    }

    [Fact]
    public void Every_element_type_is_read_big_endian_into_floats_and_integers()
    {
        var cases = new (byte Type, byte[] Data, long[] Values)[]
        {
            (0x08, [0, 7, 255], [0, 7, 255]),
            (0x09, [0x80, 0xFF, 0x05], [-128, -1, 5]),
            (0x0B, [0x80, 0x00, 0xFF, 0xFE, 0x01, 0x02], [-32768, -2, 258]),
            (0x0C, [0x80, 0, 0, 0, 0, 0, 0, 3, 0x7F, 0xFF, 0xFF, 0xFF], [int.MinValue, 3, int.MaxValue]),
        };
        foreach (var (type, data, values) in cases)
        {
            string path = folder.Write($"t{type}.idx", Build(type, [3], data));
            Assert.Equal(values, Idx.ReadLongTensor(path).Data);
            Assert.Equal(values.Select(v => (float)v), Idx.ReadTensor(path).ToArray());
        }

        var f32 = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(f32, -1.25f);
        BinaryPrimitives.WriteSingleBigEndian(f32.AsSpan(4), 3e38f);
        Assert.Equal([-1.25f, 3e38f], Idx.ReadTensor(folder.Write("f.idx", Build(0x0D, [2, 1], f32))).ToArray());

        var f64 = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(f64, 0.1);
        Assert.Equal([0.1f], Idx.ReadTensor(folder.Write("d.idx", Build(0x0E, [1], f64))).ToArray());
    }

    [Fact]
    public void Gzip_is_detected_by_its_magic_not_by_the_file_name()
    {
        var plain = Build(0x08, [2, 2], [1, 2, 3, 4]);
        string gzippedWithoutGz = folder.Write("gzipped.idx", Gzip(plain));
        string plainNamedGz = folder.Write("plain.idx.gz", plain);
        Assert.Equal([1f, 2f, 3f, 4f], Idx.ReadTensor(gzippedWithoutGz).ToArray());
        Assert.Equal([1f, 2f, 3f, 4f], Idx.ReadTensor(plainNamedGz).ToArray());
        Assert.Equal([1f, 2f, 3f, 4f], Idx.ReadTensor(new ForwardOnlyStream(Gzip(plain))).ToArray());
    }

    [Fact]
    public void Written_bytes_match_the_format_built_by_hand()
    {
        using var u8 = new MemoryStream();
        Idx.Write(u8, Tensor.FromArray([0f, 1f, 128f, 255f, 7f, 9f], 2, 3), IdxType.UInt8);
        Assert.Equal(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 128, 255, 7, 9 }, u8.ToArray());

        using var f32 = new MemoryStream();
        Idx.Write(f32, Tensor.FromArray([1f, -2f], 2));
        Assert.Equal(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0 }, f32.ToArray());

        using var labels = new MemoryStream();
        Idx.Write(labels, LongTensor.FromValues(3, 0, 9));
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 3, 0, 9 }, labels.ToArray());
    }

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Tensors_and_labels_survive_a_round_trip(string name)
    {
        var rng = new Random(5);
        var floats = Tensor.FromArray([.. Enumerable.Range(0, 60).Select(_ => (float)rng.NextDouble() - 0.5f)], 3, 4, 5);
        var bytes = Tensor.FromArray([.. Enumerable.Range(0, 60).Select(_ => (float)rng.Next(256))], 3, 20);
        var unit = bytes.Div(Tensor.Scalar(255f));
        var labels = new LongTensor([.. Enumerable.Range(0, 50).Select(_ => (long)rng.Next(10))], 50);

        Idx.Write(folder.File("f-" + name), floats);
        Assert.Equal(floats.ToArray(), Idx.ReadTensor(folder.File("f-" + name)).ToArray());
        Assert.Equal([3, 4, 5], Idx.ReadTensor(folder.File("f-" + name)).Shape.ToArray());

        Idx.Write(folder.File("b-" + name), bytes, IdxType.UInt8);
        Assert.Equal(bytes.ToArray(), Idx.ReadTensor(folder.File("b-" + name)).ToArray());

        Idx.Write(folder.File("u-" + name), unit, IdxType.UInt8, scaleToBytes: true);
        Assert.Equal(unit.ToArray(), Idx.ReadTensor(folder.File("u-" + name), new IdxReadOptions { ScaleBytes = true }).ToArray());
        Assert.Equal(bytes.ToArray(), Idx.ReadTensor(folder.File("u-" + name)).ToArray());

        Idx.Write(folder.File("l-" + name), labels);
        Assert.Equal(labels.Data, Idx.ReadLongTensor(folder.File("l-" + name)).Data);

        bool gz = name.EndsWith(".gz", StringComparison.Ordinal);
        var head = File.ReadAllBytes(folder.File("l-" + name))[..2];
        Assert.Equal(gz, head[0] == 0x1f && head[1] == 0x8b);
    }

    [Fact]
    public void A_write_that_fails_midway_keeps_the_previous_file_and_leaves_no_temporary_file()
    {
        string path = folder.File("images.idx");
        Idx.Write(path, Tensor.FromArray([1f, 2f], 2), IdxType.UInt8);
        var before = File.ReadAllBytes(path);

        var values = new float[100_000];
        values[90_000] = 256f; // past the first chunk, so part of the file has been written when it fails
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.Write(path, Tensor.FromArray(values, values.Length), IdxType.UInt8));
        Assert.Contains("images.idx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("position 90000", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["images.idx"], folder.Names());
    }

    [Fact]
    public void Values_that_u8_cannot_hold_and_unsupported_write_types_are_refused()
    {
        string path = folder.File("out.idx");
        foreach (float bad in new[] { 0.5f, -1f, 256f, float.NaN })
        {
            Assert.Throws<BulwarkInputException>(() => Idx.Write(path, Tensor.FromArray([bad], 1), IdxType.UInt8));
        }
        Assert.Throws<BulwarkInputException>(() => Idx.Write(path, Tensor.FromArray([1.01f], 1), IdxType.UInt8, scaleToBytes: true));
        Assert.Throws<BulwarkInputException>(() => Idx.Write(path, LongTensor.FromValues(256)));
        Assert.Throws<BulwarkInputException>(() => Idx.Write(path, LongTensor.FromValues(-1)));
        var ex = Assert.Throws<BulwarkInputException>(() => Idx.Write(path, Tensor.FromArray([1f], 1), IdxType.Int16));
        Assert.Contains("not i16", ex.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => Idx.Write(path, Tensor.Zeros(1, 1, 1, 1, 1, 1, 1, 1, 1)));
        Assert.Empty(folder.Names());
    }
}
