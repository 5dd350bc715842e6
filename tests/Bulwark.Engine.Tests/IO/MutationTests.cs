using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>
/// Seeded random damage to valid files: every reader must either load the result or refuse it with
/// <see cref="BulwarkInputException"/>, never with a lower-level exception.
/// </summary>
public sealed class MutationTests
{
    private const int Mutants = 400;

    private static byte[] Safetensors()
    {
        using var s = new MemoryStream();
        Engine.IO.Safetensors.Write(s, new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.FromArray([1f, 2f, 3f], 3),
            ["b"] = Tensor.FromArray([4f, 5f, 6f, 7f], 2, 2),
        }, new Dictionary<string, string> { ["k"] = "v" });
        return s.ToArray();
    }

    private static byte[] Idx(bool gzip)
    {
        using var s = new MemoryStream();
        Engine.IO.Idx.Write(s, Tensor.FromArray([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 3, 4), IdxType.UInt8);
        return gzip ? IdxTests.Gzip(s.ToArray()) : s.ToArray();
    }

    private static byte[] Npy()
    {
        using var s = new MemoryStream();
        Engine.IO.Npy.Write(s, new NpyArray([1L, 2L, 3L, 4L, 5L, 6L], 3, 2));
        return s.ToArray();
    }

    private static byte[] Npz()
    {
        using var s = new MemoryStream();
        Engine.IO.Npz.Write(s, new Dictionary<string, NpyArray> { ["x"] = new NpyArray([1f, 2f], 2), ["y"] = new NpyArray([3L]) });
        return s.ToArray();
    }

    public static TheoryData<string> Formats() => ["safetensors", "idx", "idx.gz", "npy", "npz"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Damaged_files_load_or_are_refused_with_the_input_exception(string format)
    {
        (byte[] valid, Action<Stream> read) = format switch
        {
            "safetensors" => (Safetensors(), new Action<Stream>(s => Engine.IO.Safetensors.Read(s))),
            "idx" => (Idx(false), s => Engine.IO.Idx.ReadTensor(s)),
            "idx.gz" => (Idx(true), s => Engine.IO.Idx.ReadLongTensor(s)),
            "npy" => (Npy(), s => Engine.IO.Npy.Read(s)),
            _ => (Npz(), s => Engine.IO.Npz.Read(s)),
        };
        read(new MemoryStream(valid));
        var rng = new Random(format.Length * 7919);
        int refused = 0;
        for (int m = 0; m < Mutants; m++)
        {
            var bytes = Mutate(valid, rng);
            try
            {
                read(m % 2 == 0 ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes));
            }
            catch (BulwarkInputException ex)
            {
                Assert.StartsWith("stream", ex.Message, StringComparison.Ordinal);
                refused++;
            }
        }
        Assert.True(refused > Mutants / 4, $"only {refused} of {Mutants} damaged {format} files were refused");
    }

    private static byte[] Mutate(byte[] valid, Random rng)
    {
        var bytes = (byte[])valid.Clone();
        switch (rng.Next(4))
        {
            case 0:
                return bytes[..rng.Next(bytes.Length)];
            case 1:
                return [.. bytes, .. Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256))];
            default:
                int flips = rng.Next(1, 4);
                for (int i = 0; i < flips; i++)
                {
                    // Headers carry the structure, so damage favours the first bytes.
                    int at = rng.Next(2) == 0 ? rng.Next(Math.Min(bytes.Length, 128)) : rng.Next(bytes.Length);
                    bytes[at] = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)(bytes[at] ^ (1 << rng.Next(8)));
                }
                return bytes;
        }
    }
}
