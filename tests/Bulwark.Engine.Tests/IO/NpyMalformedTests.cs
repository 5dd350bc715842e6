using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>Every validation rule of the .npy reader, one malformed file each.</summary>
public sealed class NpyMalformedTests : IDisposable
{
    private static readonly byte[] Eight = new byte[8];

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static byte[] WithHeader(string header, byte[]? data = null, int major = 1) => NpyTests.Build(header, data ?? Eight, major);

    public static TheoryData<string, byte[], string> Cases() => new()
    {
        { "too short", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P'], "too short to be a .npy file" },
        { "wrong magic", [.. "PK\u0003\u0004xxxxxxxxxxxxxxxx"u8], "is not a .npy file" },
        { "unknown version", WithHeader(NpyTests.Dict("<f4", "(2,)"), major: 4), "version 4.0" },
        { "header length over the limit", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0, 0, 0, 0x40, 1, 2, 3], "over the 1048576-byte limit" },
        { "header longer than the file", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0xFF, 0x00, (byte)'{'], "only 1 bytes follow" },
        { "version 3 header not UTF-8", [.. NpyTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Eight, 3)[..^9], 0xFF, .. Eight], "not valid UTF-8" },
        { "header not a literal", WithHeader("descr = '<f4'"), "not a valid Python dict literal" },
        { "header a list", WithHeader("['<f4', False, (2,)]"), "not a dict" },
        { "unterminated string", WithHeader("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}"), "not a valid Python dict literal" },
        { "float dimension", WithHeader(NpyTests.Dict("<f4", "(2.0,)")), "only plain integers" },
        { "integer beyond 64 bits", WithHeader(NpyTests.Dict("<f4", "(99999999999999999999,)")), "does not fit in 64 bits" },
        { "nested too deeply", WithHeader(new string('(', 100) + new string(')', 100)), "nested more than 32 levels" },
        { "missing shape", WithHeader("{'descr': '<f4', 'fortran_order': False}"), "without 'shape'" },
        { "extra key", WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}"), "unexpected header key 'x'" },
        { "repeated key", WithHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"), "appears twice" },
        { "descr not a string", WithHeader("{'descr': 4, 'fortran_order': False, 'shape': (2,)}"), "not a dtype string" },
        { "structured dtype", WithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"), "structured (record) dtype" },
        { "object dtype", WithHeader(NpyTests.Dict("|O", "(1,)")), "pickle" },
        { "unsupported dtype", WithHeader(NpyTests.Dict("<c8", "(1,)")), "dtype '<c8', which is not supported" },
        { "uint64", WithHeader(NpyTests.Dict("<u8", "(1,)")), "dtype '<u8', which is not supported" },
        { "dtype without byte order", WithHeader(NpyTests.Dict("f4", "(2,)")), "lacks a byte-order character" },
        { "multi-byte dtype marked |", WithHeader(NpyTests.Dict("|f4", "(2,)")), "needs a byte order" },
        { "fortran_order not a bool", WithHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}"), "neither True nor False" },
        { "shape a list", WithHeader(NpyTests.Dict("<f4", "[2]")), "'shape' that is not a tuple" },
        { "shape a parenthesised int", WithHeader(NpyTests.Dict("<f4", "(2)")), "'shape' that is not a tuple" },
        { "shape entry a string", WithHeader(NpyTests.Dict("<f4", "('2',)")), "not an integer" },
        { "negative dimension", WithHeader(NpyTests.Dict("<f4", "(-2,)")), "negative dimension -2" },
        { "absurd dimension", WithHeader(NpyTests.Dict("<f4", "(4294967296,)")), "absurd dimension 4294967296" },
        { "rank over 16", WithHeader(NpyTests.Dict("<f4", "(" + string.Concat(Enumerable.Repeat("1, ", 17)) + ")")), "rank 17" },
        { "element count beyond any array", WithHeader(NpyTests.Dict("|u1", "(2147483647, 2147483647, 4)")), "more elements than one array can hold" },
        { "declared size over the limit", WithHeader(NpyTests.Dict("<f8", "(1000000, 1000)")), "over the limit of 2147483648 bytes" },
        { "truncated data", WithHeader(NpyTests.Dict("<f4", "(3,)")), "needs 12 bytes but only 8 remain" },
        { "extra bytes", WithHeader(NpyTests.Dict("<f4", "(1,)")), "4 extra bytes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_files_are_refused_with_a_message_naming_the_file(string rule, byte[] bytes, string expected)
    {
        string path = folder.Write("array.npy", bytes);
        var ex = Assert.Throws<BulwarkInputException>(() => Npy.Read(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: '{ex.Message}' lacks '{expected}'");

        var fromStream = Assert.Throws<BulwarkInputException>(() => Npy.Read(new ForwardOnlyStream(bytes)));
        Assert.StartsWith("stream: ", fromStream.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_size_limit_is_configurable()
    {
        string path = folder.Write("small.npy", NpyTests.Build(NpyTests.Dict("|u1", "(100,)"), new byte[100]));
        Assert.Equal(100, Npy.Read(path, new NpyReadOptions { MaxBytes = 800 }).Size);
        Assert.Equal(100, Npy.Read(path, new NpyReadOptions { MaxBytes = 400, IntegersAsFloat = true }).Size);
        var ex = Assert.Throws<BulwarkInputException>(() => Npy.Read(path, new NpyReadOptions { MaxBytes = 799 }));
        Assert.Contains("over the limit of 799 bytes", ex.Message, StringComparison.Ordinal);
    }
}
