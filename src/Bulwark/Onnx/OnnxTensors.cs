using System.Buffers.Binary;
using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using Google.Protobuf.Collections;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>
/// Converts between ONNX <see cref="TensorProto"/> messages and Bulwark's <see cref="Tensor"/> (float32)
/// and <see cref="LongTensor"/> (int64). Values are read from raw_data (little-endian, as ONNX
/// prescribes) or from the typed repeated field the data type prescribes; the dimensions must agree
/// with the data exactly. Every refusal is a <see cref="BulwarkInputException"/> naming the tensor.
/// </summary>
/// <remarks>
/// Follows the TensorProto layout of ONNX 1.23 (IR version 14). String, complex, 8-, 4- and 2-bit
/// float and integer types are refused, as are tensors whose data is stored externally: loading
/// external data needs the model's directory and path checks, which belong to the importer.
/// </remarks>
public static class OnnxTensors
{
    // Bulwark tensors hold at most this many dimensions (the engine's limit).
    private const int MaxRank = 16;

    /// <summary>
    /// The tensor's values as float32: FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT8, INT16, INT32, INT64,
    /// UINT8, UINT16, UINT32, UINT64 and BOOL (0 or 1). Integers beyond 2^24 and doubles round to the
    /// nearest float32.
    /// </summary>
    /// <exception cref="BulwarkInputException">The type is not one of these, the data is external, or the
    /// dimensions are negative, of rank above 16, or disagree with the data.</exception>
    public static Tensor ToTensor(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string where = Describe(tensor);
        var shape = ShapeOf(tensor, where);
        int count = shape.Count;
        var type = (DataType)tensor.DataType;
        var values = new float[count];
        var raw = tensor.RawData.Span;
        bool isRaw = tensor.HasRawData;
        switch (type)
        {
            case DataType.Float:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]) : tensor.FloatData[i];
                }
                break;
            case DataType.Double:
                for (int i = 0; i < count; i++)
                {
                    values[i] = (float)(isRaw ? BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]) : tensor.DoubleData[i]);
                }
                break;
            case DataType.Float16:
                for (int i = 0; i < count; i++)
                {
                    values[i] = (float)BitConverter.UInt16BitsToHalf((ushort)Bits16(tensor, raw, i, where));
                }
                break;
            case DataType.Bfloat16:
                for (int i = 0; i < count; i++)
                {
                    values[i] = BitConverter.Int32BitsToSingle(Bits16(tensor, raw, i, where) << 16);
                }
                break;
            default:
                var integers = ReadIntegers(tensor, type, count, where, "ToTensor");
                for (int i = 0; i < count; i++)
                {
                    values[i] = integers[i];
                }
                break;
        }
        return Tensor.FromArray(values, shape.Dims);
    }

    /// <summary>
    /// The tensor's values as int64: INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 (values up
    /// to 2^63 − 1) and BOOL (0 or 1).
    /// </summary>
    /// <exception cref="BulwarkInputException">The type is not an integer type, a UINT64 value exceeds
    /// the int64 range, the data is external, or the dimensions are negative, of rank above 16, or
    /// disagree with the data.</exception>
    public static LongTensor ToLongTensor(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string where = Describe(tensor);
        var shape = ShapeOf(tensor, where);
        return new LongTensor(ReadIntegers(tensor, (DataType)tensor.DataType, shape.Count, where, "ToLongTensor"), shape.Dims);
    }

    /// <summary>A FLOAT tensor named <paramref name="name"/> holding the tensor's values in raw_data.</summary>
    public static TensorProto FromTensor(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        var values = tensor.ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return Build(name, DataType.Float, tensor.Shape, bytes);
    }

    /// <summary>An INT64 tensor named <paramref name="name"/> holding the tensor's values in raw_data.</summary>
    public static TensorProto FromLongTensor(string name, LongTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        var bytes = new byte[tensor.Data.Length * sizeof(long)];
        for (int i = 0; i < tensor.Data.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), tensor.Data[i]);
        }
        return Build(name, DataType.Int64, tensor.Shape, bytes);
    }

    /// <summary>
    /// A tensor of a floating-point type (FLOAT, DOUBLE, FLOAT16, BFLOAT16) named <paramref name="name"/>
    /// holding <paramref name="values"/> (rounded to the type) in raw_data.
    /// </summary>
    public static TensorProto FromFloats(string name, ReadOnlySpan<float> values, ReadOnlySpan<int> shape, DataType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        int width = type switch
        {
            DataType.Float => 4,
            DataType.Double => 8,
            DataType.Float16 or DataType.Bfloat16 => 2,
            _ => throw new ArgumentException($"{type} is not a floating-point ONNX type", nameof(type)),
        };
        var bytes = new byte[values.Length * width];
        for (int i = 0; i < values.Length; i++)
        {
            var dst = bytes.AsSpan(width * i);
            switch (type)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(dst, values[i]); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(dst, values[i]); break;
                case DataType.Float16: BinaryPrimitives.WriteUInt16LittleEndian(dst, BitConverter.HalfToUInt16Bits((Half)values[i])); break;
                default: BinaryPrimitives.WriteUInt16LittleEndian(dst, (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16)); break;
            }
        }
        return Build(name, type, shape, bytes);
    }

    /// <summary>
    /// A tensor of an integer type or BOOL named <paramref name="name"/> holding <paramref name="values"/>
    /// (truncated to the type's width) in raw_data.
    /// </summary>
    public static TensorProto FromIntegers(string name, ReadOnlySpan<long> values, ReadOnlySpan<int> shape, DataType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        int width = type switch
        {
            DataType.Int8 or DataType.Uint8 or DataType.Bool => 1,
            DataType.Int16 or DataType.Uint16 => 2,
            DataType.Int32 or DataType.Uint32 => 4,
            DataType.Int64 or DataType.Uint64 => 8,
            _ => throw new ArgumentException($"{type} is not an integer ONNX type", nameof(type)),
        };
        var bytes = new byte[values.Length * width];
        for (int i = 0; i < values.Length; i++)
        {
            var dst = bytes.AsSpan(width * i);
            switch (width)
            {
                case 1: dst[0] = (byte)values[i]; break;
                case 2: BinaryPrimitives.WriteInt16LittleEndian(dst, (short)values[i]); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(dst, (int)values[i]); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(dst, values[i]); break;
            }
        }
        return Build(name, type, shape, bytes);
    }

    private static TensorProto Build(string name, DataType type, ReadOnlySpan<int> shape, byte[] bytes)
    {
        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        foreach (int d in shape)
        {
            proto.Dims.Add(d);
        }
        return proto;
    }

    private readonly record struct Extent(int[] Dims, int Count);

    private static string Describe(TensorProto tensor) =>
        tensor.Name.Length == 0 ? "ONNX tensor (unnamed)" : $"ONNX tensor '{tensor.Name}'";

    private static Extent ShapeOf(TensorProto tensor, string where)
    {
        long count = OnnxTensorLayout.Check(tensor, where);
        if (OnnxTensorLayout.IsExternal(tensor))
        {
            throw new BulwarkInputException($"{where}: its data is stored externally; external data is loaded only by the model importer.");
        }
        if (tensor.Dims.Count > MaxRank)
        {
            throw new BulwarkInputException($"{where}: rank {tensor.Dims.Count} is above the {MaxRank} Bulwark tensors support.");
        }
        if (count > Array.MaxLength || tensor.Dims.Any(d => d > int.MaxValue))
        {
            throw new BulwarkInputException($"{where}: dimensions [{string.Join(", ", tensor.Dims)}] are too large for one Bulwark tensor.");
        }
        return new Extent(tensor.Dims.Select(d => (int)d).ToArray(), (int)count);
    }

    private static int Bits16(TensorProto tensor, ReadOnlySpan<byte> raw, int i, string where) =>
        tensor.HasRawData
            ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..])
            : (int)InRange(tensor.Int32Data[i], 0, ushort.MaxValue, where, i);

    private static long[] ReadIntegers(TensorProto tensor, DataType type, int count, string where, string method)
    {
        var values = new long[count];
        var raw = tensor.RawData.Span;
        bool isRaw = tensor.HasRawData;
        RepeatedField<int> i32 = tensor.Int32Data;
        switch (type)
        {
            case DataType.Int8:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? (sbyte)raw[i] : InRange(i32[i], sbyte.MinValue, sbyte.MaxValue, where, i);
                }
                break;
            case DataType.Uint8:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? raw[i] : InRange(i32[i], 0, byte.MaxValue, where, i);
                }
                break;
            case DataType.Bool:
                for (int i = 0; i < count; i++)
                {
                    values[i] = InRange(isRaw ? raw[i] : i32[i], 0, 1, where, i);
                }
                break;
            case DataType.Int16:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]) : InRange(i32[i], short.MinValue, short.MaxValue, where, i);
                }
                break;
            case DataType.Uint16:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) : InRange(i32[i], 0, ushort.MaxValue, where, i);
                }
                break;
            case DataType.Int32:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]) : i32[i];
                }
                break;
            case DataType.Int64:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]) : tensor.Int64Data[i];
                }
                break;
            case DataType.Uint32:
                for (int i = 0; i < count; i++)
                {
                    values[i] = isRaw ? BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]) : UnsignedInRange(tensor.Uint64Data[i], uint.MaxValue, where, i);
                }
                break;
            case DataType.Uint64:
                for (int i = 0; i < count; i++)
                {
                    values[i] = UnsignedInRange(isRaw ? BinaryPrimitives.ReadUInt64LittleEndian(raw[(8 * i)..]) : tensor.Uint64Data[i], long.MaxValue, where, i);
                }
                break;
            default:
                throw new BulwarkInputException(
                    $"{where}: {OnnxTensorLayout.NameOf(tensor.DataType)} is not supported by {method}; "
                    + (method == "ToTensor"
                        ? "FLOAT, DOUBLE, FLOAT16, BFLOAT16, BOOL and the 8- to 64-bit integer types are."
                        : "BOOL and the 8- to 64-bit integer types are (ToTensor reads floating-point types)."));
        }
        return values;
    }

    private static long InRange(long value, long min, long max, string where, int index) =>
        value >= min && value <= max
            ? value
            : throw new BulwarkInputException($"{where}: element {index} is {value}, outside [{min}, {max}] for its data type.");

    private static long UnsignedInRange(ulong value, ulong max, string where, int index) =>
        value <= max
            ? (long)value
            : throw new BulwarkInputException($"{where}: element {index} is {value}, above {max}.");
}
