using System.Buffers.Binary;
using System.Text;
using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>Every validation rule of the safetensors reader, one malformed file each.</summary>
public sealed class SafetensorsMalformedTests : IDisposable
{
    private const string F32x2 = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static byte[] LengthPrefix(ulong n)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, n);
        return b;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static TheoryData<string, byte[], string> Cases() => new()
    {
        { "shorter than 8 bytes", [1, 2, 3], "shorter than the 8-byte" },
        { "empty file", [], "shorter than the 8-byte" },
        { "header length over 100 MB", Concat(LengthPrefix(200_000_000), new byte[16]), "over the 100000000-byte limit" },
        { "header length over the file size", Concat(LengthPrefix(64), Encoding.UTF8.GetBytes("{}")), "only 2 bytes follow" },
        { "header length near 2^64", Concat(LengthPrefix(ulong.MaxValue), new byte[8]), "over the 100000000-byte limit" },
        { "invalid UTF-8", Concat(LengthPrefix(4), [(byte)'{', 0xC3, 0x28, (byte)'}']), "not valid UTF-8" },
        { "invalid JSON", SafetensorsTests.Build("{\"t\":", []), "not valid JSON" },
        { "empty header", SafetensorsTests.Build("", []), "not valid JSON" },
        { "not an object", SafetensorsTests.Build("[1,2]", []), "not an object" },
        { "entry not an object", SafetensorsTests.Build("{\"t\":3}", []), "tensor 't' is described by a JSON number" },
        { "duplicate names", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "appears twice" },
        { "duplicate metadata", SafetensorsTests.Build("{\"__metadata__\":{},\"__metadata__\":{}}", []), "two __metadata__" },
        { "metadata value not a string", SafetensorsTests.Build("{\"__metadata__\":{\"a\":1}}", []), "not a string" },
        { "metadata not an object", SafetensorsTests.Build("{\"__metadata__\":[]}", []), "not an object of strings" },
        { "missing dtype", SafetensorsTests.Build("{\"t\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "no \"dtype\"" },
        { "missing shape", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "no \"shape\"" },
        { "missing data_offsets", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]), "no \"data_offsets\"" },
        { "unknown field", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", new byte[8]), "unknown field 'x'" },
        { "repeated field", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "field 'dtype' twice" },
        { "dtype not a string", SafetensorsTests.Build("{\"t\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "not a string" },
        { "unknown dtype", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "unknown dtype 'F33'" },
        { "negative dimension", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "negative dimension -2" },
        { "fractional dimension", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", new byte[8]), "1.5 is not a whole number" },
        { "dimension as a string", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", new byte[8]), "not an integer" },
        { "shape not an array", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", new byte[8]), "not an array" },
        { "dimension over int range", SafetensorsTests.Build("{\"t\":{\"dtype\":\"U8\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}", new byte[8]), "absurd dimension" },
        { "element count overflows", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", new byte[8]), "overflows 64 bits" },
        { "rank over 16", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", new byte[4]), "rank 17" },
        { "shape size differs from offsets span", SafetensorsTests.Build("{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[10,5],\"data_offsets\":[0,196]}}", new byte[196]), "tensor 'fc.weight' declares shape [10, 5] (200 bytes of F32) but data_offsets span 196 bytes" },
        { "offsets not a pair", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", new byte[8]), "not an array of two integers" },
        { "negative offset", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[-4,-4]}}", []), "negative data offset" },
        { "offsets reversed", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8]), "reversed data_offsets [8, 0]" },
        { "offsets out of bounds", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]), "beyond the end of the 8-byte data buffer" },
        { "overlapping offsets", SafetensorsTests.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "overlapping" },
        { "identical offsets", SafetensorsTests.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "overlapping" },
        { "hole between tensors", SafetensorsTests.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]), "hole before tensor 'b'" },
        { "hole at the start", SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "belong to no tensor" },
        { "trailing bytes", SafetensorsTests.Build(F32x2, new byte[9]), "1 trailing bytes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_files_are_refused_with_a_message_naming_the_file(string rule, byte[] bytes, string expected)
    {
        string path = folder.Write("model.safetensors", bytes);
        foreach (var read in new Action[] { () => Safetensors.Read(path), () => Safetensors.ReadHeader(path) })
        {
            var ex = Assert.Throws<BulwarkInputException>(read);
            Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: '{ex.Message}' lacks '{expected}'");
        }
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_truncated_forward_only_stream_is_refused_naming_the_stream()
    {
        var whole = SafetensorsTests.Build(F32x2, new byte[8]);
        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Read(new ForwardOnlyStream(whole[..^3])));
        Assert.StartsWith("stream: is truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tensor 't'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_on_a_forward_only_stream_are_refused()
    {
        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Read(new ForwardOnlyStream(SafetensorsTests.Build(F32x2, new byte[9]))));
        Assert.StartsWith("stream: has extra bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_claiming_a_huge_tensor_on_a_short_stream_is_refused_without_allocating_it()
    {
        // 2^29 float32 elements (2 GiB) declared, 8 bytes present: growth as bytes arrive keeps this cheap.
        var bytes = SafetensorsTests.Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[536870911],\"data_offsets\":[0,2147483644]}}", new byte[8]);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<BulwarkInputException>(() => Safetensors.Read(new ForwardOnlyStream(bytes)));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
    }
}
