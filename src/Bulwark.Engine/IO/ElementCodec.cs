using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Bulwark.Engine.IO;

/// <summary>
/// Converts stored elements to float32 or int64 arrays and back, a chunk at a time, in either
/// byte order. Shared by the safetensors, IDX and NumPy readers and writers.
/// </summary>
internal static class ElementCodec
{
    private const int ChunkBytes = 1 << 16;

    // A source of unknown length (gzip, a network stream) starts with this many elements and grows
    // as bytes really arrive, so a header that lies about a huge size costs only what is present.
    private const int InitialUnknownElements = 1 << 20;

    private delegate void Decoder<T>(ReadOnlySpan<byte> bytes, ElementType type, Span<T> values);

    /// <summary>Reads <paramref name="count"/> elements of any kind as float32, divided by <paramref name="divisor"/>.</summary>
    public static float[] ReadFloats(InputReader reader, ElementType type, int count, string what, float divisor = 1f)
    {
        var result = ReadArray<float>(reader, type, count, what, DecodeFloats);
        if (divisor != 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(result, divisor, result);
        }
        return result;
    }

    /// <summary>Reads <paramref name="count"/> integer (or bool) elements as int64.</summary>
    public static long[] ReadLongs(InputReader reader, ElementType type, int count, string what)
    {
        if (!type.IsInteger)
        {
            throw new InvalidOperationException($"{type.Kind} is not an integer kind.");
        }
        return ReadArray<long>(reader, type, count, what, DecodeLongs);
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public static byte[] ReadBytes(InputReader reader, int count, string what) =>
        ReadArray<byte>(reader, new ElementType(ElementKind.UInt8, false), count, what, static (b, _, v) => b.CopyTo(v));

    private static T[] ReadArray<T>(InputReader reader, ElementType type, int count, string what, Decoder<T> decode)
    {
        int size = type.Size;
        int perChunk = ChunkBytes / size;
        var result = new T[reader.Length is null ? Math.Min(count, InitialUnknownElements) : count];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(perChunk * size);
        try
        {
            int done = 0;
            while (done < count)
            {
                int n = Math.Min(perChunk, count - done);
                var bytes = buffer.AsSpan(0, n * size);
                reader.ReadExactly(bytes, what);
                if (done + n > result.Length)
                {
                    Array.Resize(ref result, (int)Math.Min(count, Math.Max(2L * result.Length, done + n)));
                }
                decode(bytes, type, result.AsSpan(done, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return result;
    }

    private static void DecodeFloats(ReadOnlySpan<byte> b, ElementType type, Span<float> v)
    {
        bool be = type.BigEndian;
        switch (type.Kind)
        {
            case ElementKind.Float32:
                b.CopyTo(MemoryMarshal.AsBytes(v));
                if (type.NeedsSwap)
                {
                    var bits = MemoryMarshal.Cast<float, int>(v);
                    BinaryPrimitives.ReverseEndianness(bits, bits);
                }
                break;
            case ElementKind.UInt8:
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = b[i];
                }
                break;
            case ElementKind.Float64:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(8 * i, 8);
                    v[i] = (float)(be ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s));
                }
                break;
            case ElementKind.Float16:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(2 * i, 2);
                    v[i] = (float)(be ? BinaryPrimitives.ReadHalfBigEndian(s) : BinaryPrimitives.ReadHalfLittleEndian(s));
                }
                break;
            case ElementKind.BFloat16:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(2 * i, 2);
                    int high = be ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
                    v[i] = BitConverter.Int32BitsToSingle(high << 16);
                }
                break;
            default:
                var longs = ArrayPool<long>.Shared.Rent(v.Length);
                try
                {
                    var span = longs.AsSpan(0, v.Length);
                    DecodeLongs(b, type, span);
                    for (int i = 0; i < v.Length; i++)
                    {
                        v[i] = span[i];
                    }
                }
                finally
                {
                    ArrayPool<long>.Shared.Return(longs);
                }
                break;
        }
    }

    private static void DecodeLongs(ReadOnlySpan<byte> b, ElementType type, Span<long> v)
    {
        bool be = type.BigEndian;
        switch (type.Kind)
        {
            case ElementKind.Bool:
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = b[i] != 0 ? 1 : 0;
                }
                break;
            case ElementKind.UInt8:
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = b[i];
                }
                break;
            case ElementKind.Int8:
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (sbyte)b[i];
                }
                break;
            case ElementKind.UInt16:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(2 * i, 2);
                    v[i] = be ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
                }
                break;
            case ElementKind.Int16:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(2 * i, 2);
                    v[i] = be ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s);
                }
                break;
            case ElementKind.UInt32:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(4 * i, 4);
                    v[i] = be ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
                }
                break;
            case ElementKind.Int32:
                for (int i = 0; i < v.Length; i++)
                {
                    var s = b.Slice(4 * i, 4);
                    v[i] = be ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s);
                }
                break;
            case ElementKind.Int64:
                b.CopyTo(MemoryMarshal.AsBytes(v));
                if (type.NeedsSwap)
                {
                    BinaryPrimitives.ReverseEndianness(v, v);
                }
                break;
            default:
                throw new InvalidOperationException($"{type.Kind} is not an integer kind.");
        }
    }

    /// <summary>Writes float32 values in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values) =>
        WriteLittleEndian(stream, MemoryMarshal.Cast<float, int>(values));

    /// <summary>Writes int32 bit patterns in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<int> values)
    {
        const int PerChunk = ChunkBytes / 4;
        int[]? swapped = BitConverter.IsLittleEndian ? null : ArrayPool<int>.Shared.Rent(PerChunk);
        try
        {
            for (int start = 0; start < values.Length; start += PerChunk)
            {
                var chunk = values.Slice(start, Math.Min(PerChunk, values.Length - start));
                if (swapped is not null)
                {
                    BinaryPrimitives.ReverseEndianness(chunk, swapped.AsSpan(0, chunk.Length));
                    chunk = swapped.AsSpan(0, chunk.Length);
                }
                stream.Write(MemoryMarshal.AsBytes(chunk));
            }
        }
        finally
        {
            if (swapped is not null)
            {
                ArrayPool<int>.Shared.Return(swapped);
            }
        }
    }

    /// <summary>Writes int64 values in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<long> values)
    {
        const int PerChunk = ChunkBytes / 8;
        long[]? swapped = BitConverter.IsLittleEndian ? null : ArrayPool<long>.Shared.Rent(PerChunk);
        try
        {
            for (int start = 0; start < values.Length; start += PerChunk)
            {
                var chunk = values.Slice(start, Math.Min(PerChunk, values.Length - start));
                if (swapped is not null)
                {
                    BinaryPrimitives.ReverseEndianness(chunk, swapped.AsSpan(0, chunk.Length));
                    chunk = swapped.AsSpan(0, chunk.Length);
                }
                stream.Write(MemoryMarshal.AsBytes(chunk));
            }
        }
        finally
        {
            if (swapped is not null)
            {
                ArrayPool<long>.Shared.Return(swapped);
            }
        }
    }
}
