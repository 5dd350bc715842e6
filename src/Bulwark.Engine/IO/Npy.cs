using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Bulwark.Engine.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files: the magic <c>\x93NUMPY</c>, a version, a header that
/// is a Python dict literal (<c>descr</c>, <c>fortran_order</c>, <c>shape</c>), then the raw data.
/// </summary>
/// <remarks>
/// Reading accepts versions 1.0, 2.0 and 3.0; dtypes f2, f4, f8 (as float32) and i1, i2, i4, i8,
/// u1, u2, u4, b1 (as int64, or float32 with <see cref="NpyReadOptions.IntegersAsFloat"/>) in either
/// byte order; Fortran-ordered data is reordered to row-major. The header is parsed as a literal,
/// never evaluated, and object arrays (which need pickle) are refused. Writing produces version 1.0
/// files of <c>&lt;f4</c> or <c>&lt;i8</c> whose header is padded to a multiple of 64 bytes.
/// </remarks>
public static class Npy
{
    /// <summary>The largest header accepted; real headers are under a few hundred bytes.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads one array from a .npy file.</summary>
    public static NpyArray Read(string path, NpyReadOptions? options = null)
    {
        options ??= NpyReadOptions.Default;
        using var file = InputReader.OpenFile(path);
        return ReadArray(new InputReader(file, path, file.Length), options, options.MaxBytes);
    }

    /// <summary>Reads one array from the stream's current position, which must hold exactly that array; the stream is left open.</summary>
    public static NpyArray Read(Stream stream, NpyReadOptions? options = null)
    {
        options ??= NpyReadOptions.Default;
        return ReadArray(InputReader.ForStream(stream, "stream"), options, options.MaxBytes);
    }

    /// <summary>Writes an array as a version 1.0 .npy file, atomically.</summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => WriteArray(stream, array));
    }

    /// <summary>Writes a float32 tensor as a version 1.0 .npy file (<c>&lt;f4</c>), atomically.</summary>
    public static void Write(string path, Tensor tensor) => Write(path, NpyArray.FromTensor(tensor));

    /// <summary>Writes an int64 tensor as a version 1.0 .npy file (<c>&lt;i8</c>), atomically.</summary>
    public static void Write(string path, LongTensor tensor) => Write(path, NpyArray.FromLongTensor(tensor));

    /// <summary>Writes an array in the version 1.0 .npy format to a stream, which is left open.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        WriteArray(stream, array);
    }

    /// <summary>Reads exactly one array, refusing one that would take more than <paramref name="maxBytes"/>.</summary>
    internal static NpyArray ReadArray(InputReader reader, NpyReadOptions options, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes, nameof(options));
        var (type, dtype, fortran, shape) = ReadHeader(reader);
        long count = 1;
        foreach (int d in shape)
        {
            count = d == 0 || count == 0 ? 0 : count > Array.MaxLength / d ? long.MaxValue : count * d;
        }
        if (count > Array.MaxLength)
        {
            throw reader.Error($"declares shape {ShapeUtil.Format(shape)}, more elements than one array can hold.");
        }
        bool asFloat = !type.IsInteger || options.IntegersAsFloat;
        long stored = count * type.Size;
        long inMemory = count * (asFloat ? 4 : 8);
        if (Math.Max(stored, inMemory) > maxBytes)
        {
            throw reader.Error($"declares shape {ShapeUtil.Format(shape)} of '{dtype}' ({Num(stored)} bytes, {Num(inMemory)} in memory), "
                + $"over the limit of {Num(maxBytes)} bytes (NpyReadOptions.MaxBytes).");
        }
        string what = $"the {ShapeUtil.Format(shape)} '{dtype}' data";
        reader.CheckRemaining(stored, what);
        NpyArray array = asFloat
            ? new NpyArray(dtype, shape, Reorder(ElementCodec.ReadFloats(reader, type, (int)count, what), shape, fortran), null)
            : new NpyArray(dtype, shape, null, Reorder(ElementCodec.ReadLongs(reader, type, (int)count, what), shape, fortran));
        reader.ExpectEnd(what);
        return array;
    }

    private static (ElementType Type, string DType, bool Fortran, int[] Shape) ReadHeader(InputReader reader)
    {
        if (reader.Length is long total && total < 10)
        {
            throw reader.Error($"is {Num(total)} bytes long, too short to be a .npy file.");
        }
        Span<byte> preamble = stackalloc byte[8];
        reader.ReadExactly(preamble, "the .npy magic and version");
        if (!preamble[..6].SequenceEqual(Magic))
        {
            throw reader.Error($"is not a .npy file: it starts with {Convert.ToHexString(preamble[..6])}, not 934E554D5059 (\\x93NUMPY).");
        }
        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw reader.Error($"has .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are read.");
        }
        Span<byte> lengthBytes = stackalloc byte[4];
        lengthBytes = lengthBytes[..(major == 1 ? 2 : 4)];
        reader.ReadExactly(lengthBytes, "the header length");
        uint headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw reader.Error($"declares a header of {headerLength.ToString(CultureInfo.InvariantCulture)} bytes, over the {Num(MaxHeaderBytes)}-byte limit.");
        }
        if (reader.Remaining is long left && headerLength > left)
        {
            throw reader.Error($"is truncated: it declares a header of {Num(headerLength)} bytes but only {Num(left)} bytes follow.");
        }
        byte[] headerBytes = ElementCodec.ReadBytes(reader, (int)headerLength, "the header");
        string text;
        try
        {
            // Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8.
            text = major == 3 ? StrictUtf8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw reader.Error($"has a version 3.0 header that is not valid UTF-8 (bad byte at offset {Num(ex.Index)}).");
        }
        object? literal;
        try
        {
            literal = PythonLiteral.Parse(text);
        }
        catch (FormatException ex)
        {
            throw reader.Error($"has a header that is not a valid Python dict literal: {ex.Message}.");
        }
        return Interpret(reader, literal);
    }

    private static (ElementType, string, bool, int[]) Interpret(InputReader reader, object? literal)
    {
        if (literal is not Dictionary<string, object?> dict)
        {
            throw reader.Error("has a header that is not a dict.");
        }
        foreach (var key in dict.Keys)
        {
            if (key is not ("descr" or "fortran_order" or "shape"))
            {
                throw reader.Error($"has an unexpected header key '{key}' (expected exactly 'descr', 'fortran_order' and 'shape').");
            }
        }
        foreach (var key in new[] { "descr", "fortran_order", "shape" })
        {
            if (!dict.ContainsKey(key))
            {
                throw reader.Error($"has a header without '{key}'.");
            }
        }
        var dtype = dict["descr"] switch
        {
            string s => s,
            List<object?> or PythonLiteral.PyTuple => throw reader.Error("holds a structured (record) dtype, which is not supported."),
            _ => throw reader.Error("has a 'descr' that is not a dtype string."),
        };
        var type = ParseDType(reader, dtype);
        if (dict["fortran_order"] is not bool fortran)
        {
            throw reader.Error("has a 'fortran_order' that is neither True nor False.");
        }
        if (dict["shape"] is not PythonLiteral.PyTuple tuple)
        {
            throw reader.Error("has a 'shape' that is not a tuple.");
        }
        if (tuple.Items.Count > ShapeUtil.MaxRank)
        {
            throw reader.Error($"has rank {Num(tuple.Items.Count)}; at most {Num(ShapeUtil.MaxRank)} is supported.");
        }
        var shape = new int[tuple.Items.Count];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = tuple.Items[d] switch
            {
                long v and < 0 => throw reader.Error($"has a negative dimension {Num(v)} in its shape."),
                long v and > int.MaxValue => throw reader.Error($"has an absurd dimension {Num(v)} (over {Num(int.MaxValue)})."),
                long v => (int)v,
                _ => throw reader.Error("has a shape entry that is not an integer."),
            };
        }
        return (type, dtype, fortran, shape);
    }

    private static ElementType ParseDType(InputReader reader, string dtype)
    {
        const string Supported = "f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, b1";
        if (dtype.Length < 2 || dtype[0] is not ('<' or '>' or '|' or '='))
        {
            throw reader.Error($"has dtype '{dtype}', which lacks a byte-order character (<, >, | or =).");
        }
        string code = dtype[1..];
        if (code.StartsWith('O'))
        {
            throw reader.Error($"holds Python objects (dtype '{dtype}'), which can only be loaded by running pickle; refused.");
        }
        ElementKind? kind = code switch
        {
            "f2" => ElementKind.Float16,
            "f4" => ElementKind.Float32,
            "f8" => ElementKind.Float64,
            "i1" => ElementKind.Int8,
            "i2" => ElementKind.Int16,
            "i4" => ElementKind.Int32,
            "i8" => ElementKind.Int64,
            "u1" => ElementKind.UInt8,
            "u2" => ElementKind.UInt16,
            "u4" => ElementKind.UInt32,
            "b1" => ElementKind.Bool,
            _ => null,
        };
        if (kind is null)
        {
            throw reader.Error($"has dtype '{dtype}', which is not supported (supported: {Supported}, in either byte order).");
        }
        var type = new ElementType(kind.Value, dtype[0] == '>' || (dtype[0] == '=' && !BitConverter.IsLittleEndian));
        if (type.Size > 1 && dtype[0] == '|')
        {
            throw reader.Error($"has dtype '{dtype}': a {type.Size}-byte type needs a byte order (< or >), not |.");
        }
        return type;
    }

    /// <summary>Reorders column-major (Fortran) data to row-major; row-major data is returned as is.</summary>
    internal static T[] Reorder<T>(T[] data, int[] shape, bool fortran)
    {
        if (!fortran || shape.Length < 2 || data.Length == 0)
        {
            return data;
        }
        var result = new T[data.Length];
        var strides = ShapeUtil.ContiguousStrides(shape);
        var index = new int[shape.Length];
        int target = 0;
        for (int f = 0; f < data.Length; f++)
        {
            result[target] = data[f];
            // Column-major order advances the first axis fastest.
            for (int d = 0; d < shape.Length; d++)
            {
                index[d]++;
                target += strides[d];
                if (index[d] < shape[d])
                {
                    break;
                }
                target -= index[d] * strides[d];
                index[d] = 0;
            }
        }
        return result;
    }

    private static void WriteArray(Stream stream, NpyArray array)
    {
        var shape = array.Shape;
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({Num(shape[0])},)",
            _ => "(" + string.Join(", ", shape.ToArray().Select(d => Num(d))) + ")",
        };
        string dict = $"{{'descr': '{(array.IsInteger ? "<i8" : "<f4")}', 'fortran_order': False, 'shape': {shapeText}, }}";
        const int Preamble = 10;
        int padding = (64 - ((Preamble + dict.Length + 1) % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        Span<byte> preamble = stackalloc byte[Preamble];
        Magic.CopyTo(preamble);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (array.IsInteger)
        {
            ElementCodec.WriteLittleEndian(stream, array.LongData);
        }
        else
        {
            ElementCodec.WriteLittleEndian(stream, array.FloatData);
        }
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
}
