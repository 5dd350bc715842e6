using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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

    private delegate void Decoder<T>(Span<byte> bytes, ElementType type, Span<T> values);

    /// <summary>Reads <paramref name="count"/> elements of any kind as float32, divided by <paramref name="divisor"/>.</summary>
    public static float[] ReadFloats(InputReader reader, ElementType type, int count, string what, float divisor = 1f)
    {
        var result = ReadArray<float>(reader, type, count, what, DecodeFloats);
        if (divisor != 1f)
        {
            TensorPrimitives.Divide(result, divisor, result);
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

    // Decoders run over a private buffer, so byte order is fixed in place and the vectorised
    // TensorPrimitives conversions (truncating: plain casts, never throwing) do the rest.
    private static void DecodeFloats(Span<byte> b, ElementType type, Span<float> v)
    {
        ToNativeOrder(b, type);
        switch (type.Kind)
        {
            case ElementKind.Float32:
                b.CopyTo(MemoryMarshal.AsBytes(v));
                break;
            case ElementKind.Float64:
                TensorPrimitives.ConvertTruncating<double, float>(MemoryMarshal.Cast<byte, double>(b), v);
                break;
            case ElementKind.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(b), v);
                break;
            case ElementKind.BFloat16:
                var high = MemoryMarshal.Cast<byte, ushort>(b);
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = BitConverter.Int32BitsToSingle(high[i] << 16);
                }
                break;
            default:
                ConvertIntegers(b, type.Kind, v);
                break;
        }
    }

    private static void DecodeLongs(Span<byte> b, ElementType type, Span<long> v)
    {
        ToNativeOrder(b, type);
        ConvertIntegers(b, type.Kind, v);
    }

    private static void ConvertIntegers<T>(Span<byte> b, ElementKind kind, Span<T> v)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        switch (kind)
        {
            case ElementKind.Bool:
                // NumPy treats any non-zero byte as True.
                TensorPrimitives.Min(b, (byte)1, b);
                TensorPrimitives.ConvertTruncating<byte, T>(b, v);
                break;
            case ElementKind.UInt8:
                TensorPrimitives.ConvertTruncating<byte, T>(b, v);
                break;
            case ElementKind.Int8:
                TensorPrimitives.ConvertTruncating<sbyte, T>(MemoryMarshal.Cast<byte, sbyte>(b), v);
                break;
            case ElementKind.UInt16:
                TensorPrimitives.ConvertTruncating<ushort, T>(MemoryMarshal.Cast<byte, ushort>(b), v);
                break;
            case ElementKind.Int16:
                TensorPrimitives.ConvertTruncating<short, T>(MemoryMarshal.Cast<byte, short>(b), v);
                break;
            case ElementKind.UInt32:
                TensorPrimitives.ConvertTruncating<uint, T>(MemoryMarshal.Cast<byte, uint>(b), v);
                break;
            case ElementKind.Int32:
                TensorPrimitives.ConvertTruncating<int, T>(MemoryMarshal.Cast<byte, int>(b), v);
                break;
            case ElementKind.Int64:
                TensorPrimitives.ConvertTruncating<long, T>(MemoryMarshal.Cast<byte, long>(b), v);
                break;
            default:
                throw new InvalidOperationException($"{kind} is not an integer kind.");
        }
    }

    private static void ToNativeOrder(Span<byte> b, ElementType type)
    {
        if (!type.NeedsSwap)
        {
            return;
        }
        switch (type.Size)
        {
            case 2:
                var shorts = MemoryMarshal.Cast<byte, short>(b);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = MemoryMarshal.Cast<byte, int>(b);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            default:
                var longs = MemoryMarshal.Cast<byte, long>(b);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }

    /// <summary>Writes float32 values in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values) =>
        WriteLittleEndian(stream, MemoryMarshal.Cast<float, int>(values));

    /// <summary>Writes int32 bit patterns in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<int> values) =>
        WriteChunked(stream, values, BinaryPrimitives.ReverseEndianness);

    /// <summary>Writes int64 values in little-endian order.</summary>
    public static void WriteLittleEndian(Stream stream, ReadOnlySpan<long> values) =>
        WriteChunked(stream, values, BinaryPrimitives.ReverseEndianness);

    private delegate void ReverseInto<T>(ReadOnlySpan<T> source, Span<T> destination);

    /// <summary>Writes in bounded chunks, byte-swapping through a pooled buffer on big-endian hosts only.</summary>
    private static void WriteChunked<T>(Stream stream, ReadOnlySpan<T> values, ReverseInto<T> reverse)
        where T : unmanaged
    {
        int perChunk = ChunkBytes / Unsafe.SizeOf<T>();
        T[]? swapped = BitConverter.IsLittleEndian ? null : ArrayPool<T>.Shared.Rent(perChunk);
        try
        {
            for (int start = 0; start < values.Length; start += perChunk)
            {
                var chunk = values.Slice(start, Math.Min(perChunk, values.Length - start));
                if (swapped is not null)
                {
                    reverse(chunk, swapped.AsSpan(0, chunk.Length));
                    chunk = swapped.AsSpan(0, chunk.Length);
                }
                stream.Write(MemoryMarshal.AsBytes(chunk));
            }
        }
        finally
        {
            if (swapped is not null)
            {
                ArrayPool<T>.Shared.Return(swapped);
            }
        }
    }
}
