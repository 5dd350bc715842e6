using System.Buffers.Binary;
using System.Text;
using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>.npy reading (every dtype, both byte orders, Fortran order, header versions 1 to 3) and writing.</summary>
public sealed class NpyTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A .npy file built by hand: magic, version, little-endian header length, header text, data.</summary>
    internal static byte[] Build(string header, byte[] data, int major = 1, Encoding? encoding = null)
    {
        var text = (encoding ?? Encoding.Latin1).GetBytes(header);
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        if (major == 1)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)text.Length));
        }
        else
        {
            bytes.AddRange(BitConverter.GetBytes((uint)text.Length));
        }
        bytes.AddRange(text);
        bytes.AddRange(data);
        return [.. bytes];
    }

    internal static string Dict(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}\n";

    [Fact]
    public void Float_and_integer_arrays_survive_a_round_trip()
    {
        var floats = Tensor.FromArray([1.5f, -2f, float.NaN, 0f, 1e-30f, 3f], 2, 3);
        Npy.Write(folder.File("f.npy"), floats);
        var f = Npy.Read(folder.File("f.npy"));
        Assert.Equal("<f4", f.DType);
        Assert.False(f.IsInteger);
        Assert.Equal([2, 3], f.Shape.ToArray());
        Assert.Equal(floats.ToArray(), f.ToTensor().ToArray());

        var longs = new LongTensor([long.MinValue, -1, 0, long.MaxValue], 4);
        Npy.Write(folder.File("l.npy"), longs);
        var l = Npy.Read(folder.File("l.npy"));
        Assert.Equal("<i8", l.DType);
        Assert.Equal(longs.Data, l.ToLongTensor().Data);

        foreach (var array in new[] { new NpyArray([42f]), new NpyArray(new float[0], 0, 3), new NpyArray([7L]) })
        {
            using var stream = new MemoryStream();
            Npy.Write(stream, array);
            Assert.Equal(0, (stream.Length - (array.Size * (array.IsInteger ? 8 : 4))) % 64);
            stream.Position = 0;
            var back = Npy.Read(stream);
            Assert.Equal(array.Shape.ToArray(), back.Shape.ToArray());
            Assert.Equal(array.IsInteger, back.IsInteger);
            Assert.Equal(array.ToTensor().ToArray(), back.ToTensor().ToArray());
        }
    }

    [Fact]
    public void Written_headers_match_the_numpy_layout_byte_for_byte()
    {
        using var stream = new MemoryStream();
        Npy.Write(stream, new NpyArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3));
        const string Header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(Header + new string(' ', 58) + "\n"));
        foreach (float v in new[] { 1f, 2f, 3f, 4f, 5f, 6f })
        {
            expected.AddRange(BitConverter.GetBytes(v));
        }
        Assert.Equal(expected.ToArray(), stream.ToArray());

        using var scalar = new MemoryStream();
        Npy.Write(scalar, new NpyArray([-2L]));
        var bytes = scalar.ToArray();
        Assert.Equal(128 + 8, bytes.Length);
        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (), }" + new string(' ', 62) + "\n", Encoding.ASCII.GetString(bytes, 10, 118));

        using var vector = new MemoryStream();
        Npy.Write(vector, new NpyArray([1L, 2L, 3L], 3));
        Assert.StartsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", Encoding.ASCII.GetString(vector.ToArray(), 10, 118), StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], long[]> IntegerCases() => new()
    {
        { "|i1", [0x80, 0xFF, 0x7F], [-128, -1, 127] },
        { "|u1", [0, 200, 255], [0, 200, 255] },
        { "|b1", [0, 1, 1], [0, 1, 1] },
        { "<i2", [0x00, 0x80, 0xFF, 0xFF, 0x02, 0x01], [-32768, -1, 258] },
        { ">i2", [0x80, 0x00, 0xFF, 0xFF, 0x01, 0x02], [-32768, -1, 258] },
        { "<u2", [0xFF, 0xFF, 0x00, 0x00, 0x02, 0x01], [65535, 0, 258] },
        { ">u2", [0xFF, 0xFF, 0x00, 0x00, 0x01, 0x02], [65535, 0, 258] },
        { "<i4", [0, 0, 0, 0x80, 1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF], [int.MinValue, 1, -2] },
        { ">i4", [0x80, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE], [int.MinValue, 1, -2] },
        { "<u4", [0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 0, 0, 0], [uint.MaxValue, 1, 0] },
        { "<i8", [.. BitConverter.GetBytes(long.MinValue), .. BitConverter.GetBytes(5L), .. BitConverter.GetBytes(-6L)], [long.MinValue, 5, -6] },
        { ">i8", [.. BitConverter.GetBytes(long.MinValue).Reverse(), .. BitConverter.GetBytes(5L).Reverse(), .. BitConverter.GetBytes(-6L).Reverse()], [long.MinValue, 5, -6] },
    };

    [Theory]
    [MemberData(nameof(IntegerCases))]
    public void Integer_dtypes_are_read_as_int64_or_on_request_as_float32(string descr, byte[] data, long[] values)
    {
        string path = folder.Write("ints.npy", Build(Dict(descr, "(3,)"), data));
        var array = Npy.Read(path);
        Assert.Equal(descr, array.DType);
        Assert.True(array.IsInteger);
        Assert.Equal(values, array.LongData!);

        var asFloat = Npy.Read(path, new NpyReadOptions { IntegersAsFloat = true });
        Assert.False(asFloat.IsInteger);
        Assert.Equal(values.Select(v => (float)v), asFloat.FloatData!);
        Assert.Throws<BulwarkInputException>(() => asFloat.ToLongTensor());
    }

    [Fact]
    public void Float_dtypes_in_both_byte_orders_are_read_as_float32()
    {
        float[] expected = [1.5f, -0.25f, 65504f];
        var cases = new (string Descr, byte[] Data)[]
        {
            ("<f4", [.. expected.SelectMany(BitConverter.GetBytes)]),
            (">f4", [.. expected.SelectMany(v => BitConverter.GetBytes(v).Reverse())]),
            ("<f8", [.. expected.SelectMany(v => BitConverter.GetBytes((double)v))]),
            (">f8", [.. expected.SelectMany(v => BitConverter.GetBytes((double)v).Reverse())]),
            ("<f2", [.. expected.SelectMany(v => BitConverter.GetBytes((Half)v))]),
            (">f2", [.. expected.SelectMany(v => BitConverter.GetBytes((Half)v).Reverse())]),
            ("=f4", [.. expected.SelectMany(BitConverter.GetBytes)]),
        };
        foreach (var (descr, data) in cases)
        {
            var array = Npy.Read(folder.Write("floats.npy", Build(Dict(descr, "(3,)"), data)));
            Assert.Equal(expected, array.FloatData!);
            Assert.Equal(descr, array.DType);
        }
        var precise = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(precise, 0.1);
        Assert.Equal([0.1f], Npy.Read(folder.Write("d.npy", Build(Dict(">f8", "(1,)"), precise))).FloatData!);
    }

    [Fact]
    public void Fortran_order_is_reordered_to_row_major()
    {
        // numpy.asfortranarray(np.arange(6).reshape(2, 3)) stores the columns: 0 3 1 4 2 5.
        var data = new long[] { 0, 3, 1, 4, 2, 5 }.SelectMany(BitConverter.GetBytes).ToArray();
        var array = Npy.Read(folder.Write("f.npy", Build(Dict("<i8", "(2, 3)", fortran: true), data)));
        Assert.Equal([0L, 1, 2, 3, 4, 5], array.LongData!);
        Assert.Equal([2, 3], array.Shape.ToArray());

        // Three axes: element (i, j, k) of a 2x3x4 array sits at i + 2j + 6k in column-major order.
        var column = new float[24];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 4; k++)
                {
                    column[i + (2 * j) + (6 * k)] = (100 * i) + (10 * j) + k;
                }
            }
        }
        var cube = Npy.Read(folder.Write("c.npy", Build(Dict(">f4", "(2, 3, 4)", fortran: true), [.. column.SelectMany(v => BitConverter.GetBytes(v).Reverse())])));
        var t = cube.ToTensor();
        Assert.Equal(123f, t[1, 2, 3]);
        Assert.Equal(12f, t[0, 1, 2]);
        Assert.Equal(Enumerable.Range(0, 24).Select(n => (float)((100 * (n / 12)) + (10 * (n / 4 % 3)) + (n % 4))), t.ToArray());

        var vector = Npy.Read(folder.Write("v.npy", Build(Dict("<i8", "(2,)", fortran: true), [.. BitConverter.GetBytes(8L), .. BitConverter.GetBytes(9L)])));
        Assert.Equal([8L, 9L], vector.LongData!);
    }

    [Fact]
    public void Version_2_and_3_headers_are_read()
    {
        var data = BitConverter.GetBytes(2.5f);
        var v2 = Npy.Read(folder.Write("v2.npy", Build(Dict("<f4", "(1,)"), data, major: 2)));
        Assert.Equal([2.5f], v2.FloatData!);

        // Version 3 stores the header as UTF-8; this one also uses double quotes and another key order.
        string header = "{\"shape\": (1, 1), \"fortran_order\": False, \"descr\": \"<f4\"}" + new string(' ', 20) + "\n";
        var v3 = Npy.Read(folder.Write("v3.npy", Build(header, data, major: 3, encoding: Encoding.UTF8)));
        Assert.Equal([1, 1], v3.Shape.ToArray());
        Assert.Equal([2.5f], v3.FloatData!);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}")]
    [InlineData("{'descr':'<f4','fortran_order':False,'shape':(2,),}")]
    [InlineData("{ \"descr\" : \"<f4\" , \"fortran_order\" : False , \"shape\" : ( 2 , ) , }\n")]
    [InlineData("{'shape': (2L,), 'descr': u'<f4', 'fortran_order': False}   \n")]
    [InlineData("{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (2,), }")]
    public void Header_variants_written_by_other_tools_are_accepted(string header)
    {
        var data = new float[] { 1f, 2f }.SelectMany(BitConverter.GetBytes).ToArray();
        var array = Npy.Read(folder.Write("x.npy", Build(header, data)));
        Assert.Equal([2], array.Shape.ToArray());
        Assert.Equal([1f, 2f], array.FloatData!);
    }

    [Fact]
    public void A_zero_dimensional_array_has_one_element()
    {
        var array = Npy.Read(folder.Write("s.npy", Build(Dict("<f8", "()"), BitConverter.GetBytes(4.0))));
        Assert.Empty(array.Shape.ToArray());
        Assert.Equal(4f, array.ToTensor().Item());
    }

    [Fact]
    public void A_refused_write_keeps_the_previous_file_and_reading_changes_nothing()
    {
        string path = folder.File("x.npy");
        Npy.Write(path, Tensor.FromArray([1f], 1));
        var before = File.ReadAllBytes(path);
        Npy.Read(path);
        Assert.Equal(before, File.ReadAllBytes(path));

        var ex = Assert.Throws<BulwarkInputException>(() => Npy.Write(Path.Combine(folder.Path, "missing", "y.npy"), Tensor.Scalar(1f)));
        Assert.Contains("y.npy", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["x.npy"], folder.Names());
    }
}
