using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>
/// Where and how densely a <see cref="TensorProto"/> of each data type stores its elements, and the
/// check that its dimensions agree with the data it holds. ONNX spreads values over five typed
/// repeated fields or one raw byte field depending on the type; a tensor that declares more elements
/// than it stores (or fewer) would make any reader run off its data or silently misplace values.
/// </summary>
internal static class OnnxTensorLayout
{
    /// <summary>The repeated field that holds a type's values when raw_data is absent.</summary>
    internal enum TypedField { Float, Int32, String, Int64, Double, UInt64 }

    /// <summary>
    /// A type's storage: its typed field holds ceil(n · <paramref name="PerElement"/> / <paramref name="ElementsPerValue"/>)
    /// values for n elements (complex numbers take two, 4-bit types pack two per value), and raw_data
    /// holds ceil(n · <paramref name="RawBits"/> / 8) bytes (0 bits: raw_data not allowed).
    /// </summary>
    internal readonly record struct Storage(TypedField Field, int PerElement, int ElementsPerValue, int RawBits);

    internal static Storage? StorageOf(int dataType) => (DataType)dataType switch
    {
        DataType.Float => new(TypedField.Float, 1, 1, 32),
        DataType.Uint8 or DataType.Int8 or DataType.Bool => new(TypedField.Int32, 1, 1, 8),
        DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz or DataType.Float8E8M0
            => new(TypedField.Int32, 1, 1, 8),
        DataType.Uint16 or DataType.Int16 or DataType.Float16 or DataType.Bfloat16 => new(TypedField.Int32, 1, 1, 16),
        DataType.Int32 => new(TypedField.Int32, 1, 1, 32),
        DataType.Int64 => new(TypedField.Int64, 1, 1, 64),
        DataType.String => new(TypedField.String, 1, 1, 0),
        DataType.Double => new(TypedField.Double, 1, 1, 64),
        DataType.Uint32 => new(TypedField.UInt64, 1, 1, 32),
        DataType.Uint64 => new(TypedField.UInt64, 1, 1, 64),
        DataType.Complex64 => new(TypedField.Float, 2, 1, 64),
        DataType.Complex128 => new(TypedField.Double, 2, 1, 128),
        DataType.Uint4 or DataType.Int4 or DataType.Float4E2M1 => new(TypedField.Int32, 1, 2, 4),
        DataType.Uint2 or DataType.Int2 => new(TypedField.Int32, 1, 4, 2),
        _ => null,
    };

    /// <summary>The ONNX name of a data type code, or the number when this file does not know it.</summary>
    internal static string NameOf(int dataType) =>
        Enum.IsDefined((DataType)dataType) ? ((DataType)dataType).ToString().ToUpperInvariant() : $"data type {dataType}";

    /// <summary>True when the tensor's values live in a file beside the model rather than in the message.</summary>
    internal static bool IsExternal(TensorProto tensor) =>
        tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0;

    /// <summary>
    /// Checks the dimensions (none negative, product countable) and, for inline data of a known type,
    /// that the stored values are exactly as many as the dimensions declare and sit in the field the
    /// type prescribes. Returns the element count. <paramref name="where"/> starts every message.
    /// </summary>
    internal static long Check(TensorProto tensor, string where)
    {
        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0)
            {
                throw new BulwarkInputException($"{where}: dimensions [{string.Join(", ", tensor.Dims)}] include a negative one.");
            }
            try
            {
                count = checked(count * d);
            }
            catch (OverflowException ex)
            {
                throw new BulwarkInputException($"{where}: dimensions [{string.Join(", ", tensor.Dims)}] overflow a 64-bit element count.", ex);
            }
        }
        if (tensor.Segment is not null)
        {
            throw new BulwarkInputException($"{where}: segmented tensors (one tensor split over several messages) are not supported.");
        }
        if (IsExternal(tensor) || StorageOf(tensor.DataType) is not Storage storage)
        {
            return count;
        }

        if (tensor.HasRawData)
        {
            if (storage.RawBits == 0)
            {
                throw new BulwarkInputException($"{where}: {NameOf(tensor.DataType)} values cannot be stored in raw_data.");
            }
            if (TypedValueCount(tensor) != 0)
            {
                throw new BulwarkInputException($"{where}: holds both raw_data and typed values; ONNX allows only one.");
            }
            long expectedBytes = CeilDiv(count, 8, storage.RawBits, where);
            if (tensor.RawData.Length != expectedBytes)
            {
                throw new BulwarkInputException(
                    $"{where}: dimensions [{string.Join(", ", tensor.Dims)}] declare {count} {NameOf(tensor.DataType)} elements ({expectedBytes} bytes) but raw_data holds {tensor.RawData.Length} bytes.");
            }
            return count;
        }

        long expected = CeilDiv(count, storage.ElementsPerValue, storage.PerElement, where);
        long present = FieldCount(tensor, storage.Field);
        if (present != expected || TypedValueCount(tensor) != present)
        {
            throw new BulwarkInputException(
                $"{where}: dimensions [{string.Join(", ", tensor.Dims)}] declare {count} {NameOf(tensor.DataType)} elements ({expected} values in {FieldName(storage.Field)}) "
                + $"but the tensor holds {present} there and {TypedValueCount(tensor) - present} in other fields.");
        }
        return count;
    }

    private static long CeilDiv(long count, int divisor, int multiplier, string where)
    {
        try
        {
            return checked((count * multiplier + divisor - 1) / divisor);
        }
        catch (OverflowException ex)
        {
            throw new BulwarkInputException($"{where}: its element count {count} overflows the size of its data.", ex);
        }
    }

    private static long TypedValueCount(TensorProto t) =>
        (long)t.FloatData.Count + t.Int32Data.Count + t.StringData.Count + t.Int64Data.Count + t.DoubleData.Count + t.Uint64Data.Count;

    private static long FieldCount(TensorProto t, TypedField field) => field switch
    {
        TypedField.Float => t.FloatData.Count,
        TypedField.Int32 => t.Int32Data.Count,
        TypedField.String => t.StringData.Count,
        TypedField.Int64 => t.Int64Data.Count,
        TypedField.Double => t.DoubleData.Count,
        _ => t.Uint64Data.Count,
    };

    private static string FieldName(TypedField field) => field switch
    {
        TypedField.Float => "float_data",
        TypedField.Int32 => "int32_data",
        TypedField.String => "string_data",
        TypedField.Int64 => "int64_data",
        TypedField.Double => "double_data",
        _ => "uint64_data",
    };
}
