using System.Buffers.Binary;
using System.Text;
using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>Safetensors round trips, the exact bytes written, the dtypes read, and header-only reads.</summary>
public sealed class SafetensorsTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A safetensors file from a header written by hand and raw data bytes.</summary>
    internal static byte[] Build(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static Dictionary<string, Tensor> SampleTensors() => new()
    {
        ["fc.weight"] = Tensor.FromArray([1f, -2f, 3.5f, float.MaxValue, float.Epsilon, -0f], 2, 3),
        ["fc.bias"] = Tensor.FromArray([0.25f, float.NaN], 2),
        ["scale"] = Tensor.Scalar(7f),
        ["empty"] = Tensor.Zeros(0, 4),
        ["transposed"] = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).Transpose(0, 1),
    };

    [Fact]
    public void Float_tensors_and_metadata_survive_a_round_trip()
    {
        var tensors = SampleTensors();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓ \"quoted\"" };
        string path = folder.File("model.safetensors");
        Safetensors.Write(path, tensors, metadata);

        var file = Safetensors.Read(path);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Tensors[name];
            Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
            Assert.Equal(expected.ToArray(), actual.ToArray());
        }
        Assert.Empty(file.LongTensors);
        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(["empty", "fc.bias", "fc.weight", "scale", "transposed"], file.Header.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Writing_the_same_tensors_twice_gives_identical_bytes_whatever_the_insertion_order()
    {
        var forward = SampleTensors();
        var reversed = new Dictionary<string, Tensor>();
        foreach (var (k, v) in forward.Reverse())
        {
            reversed[k] = v;
        }
        Safetensors.Write(folder.File("a.safetensors"), forward, new Dictionary<string, string> { ["x"] = "1", ["a"] = "2" });
        Safetensors.Write(folder.File("b.safetensors"), reversed, new Dictionary<string, string> { ["a"] = "2", ["x"] = "1" });
        Assert.Equal(File.ReadAllBytes(folder.File("a.safetensors")), File.ReadAllBytes(folder.File("b.safetensors")));
    }

    [Fact]
    public void The_written_bytes_match_a_header_built_by_hand()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.FromArray([1f, 2f], 2),
            ["a"] = Tensor.Scalar(-1.5f),
        };
        using var stream = new MemoryStream();
        Safetensors.Write(stream, tensors, new Dictionary<string, string> { ["k"] = "v" });

        const string Json = "{\"__metadata__\":{\"k\":\"v\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        string padded = Json + new string(' ', (8 - (Json.Length % 8)) % 8);
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes((ulong)padded.Length));
        expected.AddRange(Encoding.ASCII.GetBytes(padded));
        expected.AddRange([0x00, 0x00, 0xC0, 0xBF]); // -1.5f
        expected.AddRange([0x00, 0x00, 0x80, 0x3F]); // 1f
        expected.AddRange([0x00, 0x00, 0x00, 0x40]); // 2f
        Assert.Equal(expected.ToArray(), stream.ToArray());
        Assert.Equal(0, padded.Length % 8);
    }

    [Fact]
    public void Reads_from_seekable_and_forward_only_streams()
    {
        using var buffer = new MemoryStream();
        Safetensors.Write(buffer, SampleTensors());
        var bytes = buffer.ToArray();

        var fromSeekable = Safetensors.Read(new MemoryStream(bytes));
        var fromForwardOnly = Safetensors.Read(new ForwardOnlyStream(bytes));
        Assert.Equal(fromSeekable.Tensors["fc.weight"].ToArray(), fromForwardOnly.Tensors["fc.weight"].ToArray());
        Assert.Equal(5, fromForwardOnly.Tensors.Count);
    }

    [Fact]
    public void I64_F64_F16_and_BF16_tensors_are_read_and_converted()
    {
        var data = new List<byte>();
        foreach (long v in new long[] { -3, 9_000_000_000 })
        {
            data.AddRange(BitConverter.GetBytes(v));
        }
        foreach (double v in new[] { 0.1, -2.5 })
        {
            data.AddRange(BitConverter.GetBytes(v));
        }
        foreach (Half v in new[] { (Half)1.5f, (Half)(-0.25f), Half.PositiveInfinity })
        {
            data.AddRange(BitConverter.GetBytes(v));
        }
        data.AddRange([0x80, 0x3F, 0x40, 0xC0]); // bf16 1.0 and -3.0
        const string Json = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[2,1],\"data_offsets\":[16,32]},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[32,38]},"
            + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[38,42]}}";
        string path = folder.Write("mixed.safetensors", Build(Json, [.. data]));

        var file = Safetensors.Read(path);
        Assert.Equal([-3L, 9_000_000_000L], file.LongTensors["ids"].Data);
        Assert.Equal([0.1f, -2.5f], file.Tensors["d"].ToArray());
        Assert.Equal([2, 1], file.Tensors["d"].Shape.ToArray());
        Assert.Equal([1.5f, -0.25f, float.PositiveInfinity], file.Tensors["h"].ToArray());
        Assert.Equal([1f, -3f], file.Tensors["bf"].ToArray());
    }

    [Fact]
    public void ReadHeader_lists_every_tensor_without_loading_and_Read_refuses_an_unloaded_dtype()
    {
        const string Json = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"idx\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[16,28]}}";
        string path = folder.Write("int32.safetensors", Build(Json, new byte[28]));

        var header = Safetensors.ReadHeader(path);
        Assert.Equal(["idx", "w"], header.Entries.Select(e => e.Name));
        var idx = header.Entries[0];
        Assert.Equal("I32", idx.DType);
        Assert.Equal([3], idx.Shape);
        Assert.Equal((16L, 28L, 12L, 3L), (idx.DataBegin, idx.DataEnd, idx.ByteLength, idx.ElementCount));
        Assert.False(idx.IsLoadable);
        Assert.True(header.Entries[1].IsLoadable);
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal(28, header.DataLength);
        Assert.Equal(Encoding.UTF8.GetByteCount(Json), header.HeaderLength);

        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Read(path));
        Assert.Contains("int32.safetensors", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dtype I32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_leaves_the_file_untouched()
    {
        string path = folder.File("model.safetensors");
        Safetensors.Write(path, SampleTensors());
        var before = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);
        Safetensors.Read(path);
        Safetensors.ReadHeader(path);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void A_refused_write_keeps_the_previous_file_and_leaves_no_temporary_file()
    {
        string path = folder.File("model.safetensors");
        Safetensors.Write(path, SampleTensors());
        var before = File.ReadAllBytes(path);

        var bad = new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Scalar(1f) };
        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Write(path, bad));
        Assert.Contains("model.safetensors", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], folder.Names());

        string missing = Path.Combine(folder.Path, "no-such-folder", "x.safetensors");
        ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Write(missing, SampleTensors()));
        Assert.Contains("x.safetensors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_an_input_error_naming_it()
    {
        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Read(folder.File("absent.safetensors")));
        Assert.Contains("absent.safetensors", ex.Message, StringComparison.Ordinal);
    }
}
