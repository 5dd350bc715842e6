using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Bulwark.Engine.IO;

/// <summary>
/// Reads and writes the IDX format of MNIST and its relatives: the magic <c>00 00 type rank</c>,
/// one big-endian u32 per dimension, then the big-endian data. Files may be gzipped; gzip is
/// recognised by its magic <c>1f 8b</c>, not by the file name.
/// </summary>
/// <remarks>
/// Reading validates the magic, the rank (at most <see cref="MaxRank"/>), the declared size
/// against <see cref="IdxReadOptions.MaxBytes"/> before allocating, and that exactly the
/// declared bytes are present. Writing supports u8 and f32 and gzips when the path ends in
/// <c>.gz</c>.
/// </remarks>
public static class Idx
{
    /// <summary>The most dimensions a file may declare.</summary>
    public const int MaxRank = 8;

    /// <summary>Reads a file of any IDX element type as float32 (u8 optionally scaled to [0, 1]).</summary>
    public static Tensor ReadTensor(string path, IdxReadOptions? options = null)
    {
        using var file = InputReader.OpenFile(path);
        return ReadTensor(new InputReader(file, path, file.Length), options);
    }

    /// <summary>Reads IDX data of any element type as float32 from the stream's current position to its end; the stream is left open.</summary>
    public static Tensor ReadTensor(Stream stream, IdxReadOptions? options = null) =>
        ReadTensor(InputReader.ForStream(stream, "stream"), options);

    /// <summary>Reads a file of an integer IDX element type (u8, i8, i16, i32) as int64, e.g. labels.</summary>
    public static LongTensor ReadLongTensor(string path, IdxReadOptions? options = null)
    {
        using var file = InputReader.OpenFile(path);
        return ReadLongTensor(new InputReader(file, path, file.Length), options);
    }

    /// <summary>Reads integer IDX data as int64 from the stream's current position to its end; the stream is left open.</summary>
    public static LongTensor ReadLongTensor(Stream stream, IdxReadOptions? options = null) =>
        ReadLongTensor(InputReader.ForStream(stream, "stream"), options);

    /// <summary>
    /// Writes a tensor as u8 or f32 IDX, atomically, gzipped when <paramref name="path"/> ends in <c>.gz</c>.
    /// As u8, values must be whole numbers in [0, 255], or with <paramref name="scaleToBytes"/> values in
    /// [0, 1], which are multiplied by 255 and rounded (the inverse of <see cref="IdxReadOptions.ScaleBytes"/>).
    /// </summary>
    public static void Write(string path, Tensor tensor, IdxType type = IdxType.Float32, bool scaleToBytes = false)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckWritable(path, tensor.Shape, type);
        AtomicFile.Write(path, s => Compressed(path, s, body => WriteTensor(body, path, tensor, type, scaleToBytes)));
    }

    /// <summary>Writes a tensor as u8 or f32 IDX to a stream, uncompressed; the stream is left open. See <see cref="Write(string, Tensor, IdxType, bool)"/>.</summary>
    public static void Write(Stream stream, Tensor tensor, IdxType type = IdxType.Float32, bool scaleToBytes = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        CheckWritable("stream", tensor.Shape, type);
        WriteTensor(stream, "stream", tensor, type, scaleToBytes);
    }

    /// <summary>Writes integer values (e.g. labels, each in [0, 255]) as u8 IDX, atomically, gzipped when the path ends in <c>.gz</c>.</summary>
    public static void Write(string path, LongTensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckWritable(path, values.Shape, IdxType.UInt8);
        AtomicFile.Write(path, s => Compressed(path, s, body => WriteLongs(body, path, values)));
    }

    /// <summary>Writes integer values as u8 IDX to a stream, uncompressed; the stream is left open.</summary>
    public static void Write(Stream stream, LongTensor values)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(values);
        CheckWritable("stream", values.Shape, IdxType.UInt8);
        WriteLongs(stream, "stream", values);
    }

    private static Tensor ReadTensor(InputReader raw, IdxReadOptions? options) =>
        Read(raw, options ?? IdxReadOptions.Default, outputSize: 4, (reader, type, shape, count, o) =>
        {
            float divisor = o.ScaleBytes && type == IdxType.UInt8 ? 255f : 1f;
            return Tensor.FromArray(ElementCodec.ReadFloats(reader, Element(type), count, "the data", divisor), shape);
        });

    private static LongTensor ReadLongTensor(InputReader raw, IdxReadOptions? options) =>
        Read(raw, options ?? IdxReadOptions.Default, outputSize: 8, (reader, type, shape, count, _) =>
        {
            if (type is IdxType.Float32 or IdxType.Float64)
            {
                throw reader.Error($"holds {Name(type)} values, not integers; read it with Idx.ReadTensor.");
            }
            return new LongTensor(ElementCodec.ReadLongs(reader, Element(type), count, "the data"), shape);
        });

    private delegate T DataReader<T>(InputReader reader, IdxType type, int[] shape, int count, IdxReadOptions options);

    private static T Read<T>(InputReader raw, IdxReadOptions options, int outputSize, DataReader<T> readData)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes, nameof(options));
        if (!InputReader.StartsWithGzip(raw, out var prefix))
        {
            return ReadBody(raw, prefix, options, outputSize, readData);
        }
        // The rest of the raw stream belongs to the caller (or to the file the caller disposes).
        using var inflated = InputReader.Gunzip(raw.BaseStream, prefix);
        return ReadBody(new InputReader(inflated, raw.Source, null), [], options, outputSize, readData);
    }

    private static T ReadBody<T>(InputReader reader, byte[] consumed, IdxReadOptions options, int outputSize, DataReader<T> readData)
    {
        Span<byte> magic = stackalloc byte[4];
        consumed.CopyTo(magic);
        reader.ReadExactly(magic[consumed.Length..], "the 4-byte IDX magic");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw reader.Error($"is not an IDX file: it starts with {Convert.ToHexString(magic)}, not 0000 followed by a type and a rank.");
        }
        var type = (IdxType)magic[2];
        if (!Enum.IsDefined(type))
        {
            throw reader.Error($"has unknown IDX element type 0x{magic[2]:X2} (known: 08 u8, 09 i8, 0B i16, 0C i32, 0D f32, 0E f64).");
        }
        int rank = magic[3];
        if (rank > MaxRank)
        {
            throw reader.Error($"declares {Num(rank)} dimensions; at most {Num(MaxRank)} are accepted.");
        }
        Span<byte> dims = stackalloc byte[4 * MaxRank];
        reader.ReadExactly(dims[..(4 * rank)], "the dimension sizes");
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(dims.Slice(4 * d, 4));
            if (v > int.MaxValue)
            {
                throw reader.Error($"declares an absurd dimension {v.ToString(CultureInfo.InvariantCulture)} (over {Num(int.MaxValue)}).");
            }
            shape[d] = (int)v;
        }
        long count = 1;
        foreach (int d in shape)
        {
            count = d == 0 || count == 0 ? 0 : count > Array.MaxLength / d ? long.MaxValue : count * d;
        }
        int size = Element(type).Size;
        if (count > Array.MaxLength)
        {
            throw reader.Error($"declares shape {ShapeUtil.Format(shape)}, more elements than one array can hold.");
        }
        long stored = count * size;
        long inMemory = count * outputSize;
        if (Math.Max(stored, inMemory) > options.MaxBytes)
        {
            throw reader.Error($"declares shape {ShapeUtil.Format(shape)} of {Name(type)} ({Num(stored)} bytes, {Num(inMemory)} in memory), "
                + $"over the limit of {Num(options.MaxBytes)} bytes (IdxReadOptions.MaxBytes).");
        }
        reader.CheckRemaining(stored, $"the {ShapeUtil.Format(shape)} {Name(type)} data");
        var result = readData(reader, type, shape, (int)count, options);
        reader.ExpectEnd($"the {ShapeUtil.Format(shape)} {Name(type)} data");
        return result;
    }

    private static void CheckWritable(string destination, ReadOnlySpan<int> shape, IdxType type)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (type is not (IdxType.UInt8 or IdxType.Float32))
        {
            throw new BulwarkInputException($"{destination}: IDX writing supports u8 and f32, not {Name(type)}.");
        }
        if (shape.Length > MaxRank)
        {
            throw new BulwarkInputException($"{destination}: rank {Num(shape.Length)} exceeds the {Num(MaxRank)} dimensions IDX files may have here.");
        }
    }

    private static void Compressed(string path, Stream file, Action<Stream> write)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            write(file);
            return;
        }
        using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
        write(gzip);
    }

    private static void WriteHeader(Stream stream, IdxType type, ReadOnlySpan<int> shape)
    {
        Span<byte> header = stackalloc byte[4 + (4 * MaxRank)];
        header[2] = (byte)type;
        header[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.Slice(4 + (4 * d), 4), (uint)shape[d]);
        }
        stream.Write(header[..(4 + (4 * shape.Length))]);
    }

    private static void WriteTensor(Stream stream, string destination, Tensor tensor, IdxType type, bool scaleToBytes)
    {
        WriteHeader(stream, type, tensor.Shape);
        var values = tensor.ContiguousSpan();
        const int Chunk = 1 << 14;
        var buffer = new byte[Chunk * 4];
        for (int start = 0; start < values.Length; start += Chunk)
        {
            var chunk = values.Slice(start, Math.Min(Chunk, values.Length - start));
            if (type == IdxType.Float32)
            {
                for (int i = 0; i < chunk.Length; i++)
                {
                    BinaryPrimitives.WriteSingleBigEndian(buffer.AsSpan(4 * i, 4), chunk[i]);
                }
                stream.Write(buffer, 0, 4 * chunk.Length);
                continue;
            }
            for (int i = 0; i < chunk.Length; i++)
            {
                buffer[i] = ToByte(destination, chunk[i], start + i, scaleToBytes);
            }
            stream.Write(buffer, 0, chunk.Length);
        }
    }

    // Validation happens while writing; a bad value aborts the write and AtomicFile discards the partial file.
    private static byte ToByte(string destination, float value, int position, bool scaleToBytes)
    {
        if (scaleToBytes)
        {
            if (!(value >= 0f && value <= 1f))
            {
                throw new BulwarkInputException($"{destination}: value {value.ToString(CultureInfo.InvariantCulture)} at position {Num(position)} is outside [0, 1] and cannot be scaled to a u8.");
            }
            return (byte)MathF.Round(value * 255f);
        }
        if (!(value >= 0f && value <= 255f) || value != MathF.Floor(value))
        {
            throw new BulwarkInputException($"{destination}: value {value.ToString(CultureInfo.InvariantCulture)} at position {Num(position)} is not a whole number in [0, 255] and cannot be stored as u8.");
        }
        return (byte)value;
    }

    private static void WriteLongs(Stream stream, string destination, LongTensor values)
    {
        WriteHeader(stream, IdxType.UInt8, values.Shape);
        var buffer = new byte[values.Size];
        for (int i = 0; i < buffer.Length; i++)
        {
            long v = values.Data[i];
            if ((ulong)v > byte.MaxValue)
            {
                throw new BulwarkInputException($"{destination}: value {v.ToString(CultureInfo.InvariantCulture)} at position {Num(i)} is outside [0, 255] and cannot be stored as u8.");
            }
            buffer[i] = (byte)v;
        }
        stream.Write(buffer);
    }

    private static ElementType Element(IdxType type) => new(type switch
    {
        IdxType.UInt8 => ElementKind.UInt8,
        IdxType.Int8 => ElementKind.Int8,
        IdxType.Int16 => ElementKind.Int16,
        IdxType.Int32 => ElementKind.Int32,
        IdxType.Float32 => ElementKind.Float32,
        _ => ElementKind.Float64,
    }, BigEndian: true);

    private static string Name(IdxType type) => type switch
    {
        IdxType.UInt8 => "u8",
        IdxType.Int8 => "i8",
        IdxType.Int16 => "i16",
        IdxType.Int32 => "i32",
        IdxType.Float32 => "f32",
        IdxType.Float64 => "f64",
        _ => "0x" + ((int)type).ToString("X2", CultureInfo.InvariantCulture),
    };

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
}
