using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>
/// A value flowing through an imported ONNX graph: a tensor of one ONNX element type. Floating
/// types (FLOAT, DOUBLE, FLOAT16, BFLOAT16) live in an engine <see cref="Tensor"/> (float32), so
/// they are differentiable; integer and BOOL types live in an int64 array (BOOL as 0/1) and are
/// not. DOUBLE is computed in float32; FLOAT16 and BFLOAT16 values are rounded to their type
/// whenever an op produces them.
/// </summary>
public sealed class OnnxValue
{
    private readonly int[] shape;

    private OnnxValue(DataType type, int[] shape, Tensor? floats, long[]? integers)
    {
        ElementType = type;
        this.shape = shape;
        Float = floats;
        Integers = integers;
    }

    /// <summary>The ONNX element type.</summary>
    public DataType ElementType { get; }

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Size => Float?.Size ?? Integers!.Length;

    /// <summary>The values of a floating-point value (null for integer and BOOL values).</summary>
    public Tensor? Float { get; }

    /// <summary>The values of an integer or BOOL value in row-major order (null for floating-point values).</summary>
    public long[]? Integers { get; }

    /// <summary>Whether the element type is one of the floating-point types.</summary>
    public bool IsFloat => Float is not null;

    /// <summary>Wraps an engine tensor as a value of a floating-point element type (FLOAT by default).</summary>
    public static OnnxValue FromTensor(Tensor tensor, DataType type = DataType.Float)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!IsFloatType(type))
            throw new ArgumentException($"{type} is not a floating-point ONNX type", nameof(type));
        return new OnnxValue(type, tensor.Shape.ToArray(), RoundTo(tensor, type), null);
    }

    /// <summary>Wraps int64 values (row-major) as a value of an integer or BOOL element type (INT64 by default).</summary>
    public static OnnxValue FromIntegers(long[] values, int[] shape, DataType type = DataType.Int64)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (!IsIntegerType(type))
            throw new ArgumentException($"{type} is not an integer or BOOL ONNX type", nameof(type));
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new BulwarkInputException($"negative dimension in shape [{string.Join(", ", shape)}]");
            count *= d;
        }
        if (count != values.Length)
            throw new BulwarkInputException($"{values.Length} values do not fill shape [{string.Join(", ", shape)}]");
        return new OnnxValue(type, (int[])shape.Clone(), null, values);
    }

    /// <summary>A rank-0 INT64 value.</summary>
    public static OnnxValue Scalar(long value, DataType type = DataType.Int64) => FromIntegers([value], [], type);

    /// <summary>Reads an ONNX tensor message (inline data only; external data is resolved before this).</summary>
    public static OnnxValue FromProto(TensorProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var type = (DataType)proto.DataType;
        if (IsFloatType(type))
            return new OnnxValue(type, proto.Dims.Select(d => (int)d).ToArray(), OnnxTensors.ToTensor(proto), null);
        if (IsIntegerType(type))
        {
            var t = OnnxTensors.ToLongTensor(proto);
            return new OnnxValue(type, t.Shape.ToArray(), null, t.Data);
        }
        string name = proto.Name.Length == 0 ? "(unnamed)" : $"'{proto.Name}'";
        throw new BulwarkInputException($"ONNX tensor {name}: element type {type} is not supported");
    }

    /// <summary>The values as float32 (integers converted); differentiable for floating-point values.</summary>
    public Tensor AsTensor()
    {
        if (Float is not null)
            return Float;
        var f = new float[Integers!.Length];
        for (int i = 0; i < f.Length; i++)
            f[i] = Integers[i];
        return Tensor.FromArray(f, shape);
    }

    /// <summary>The values as int64 (floating-point values truncated toward zero).</summary>
    public long[] AsIntegers()
    {
        if (Integers is not null)
            return Integers;
        var src = Float!.AsReadOnlySpan();
        var r = new long[src.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = float.IsNaN(src[i]) ? 0 : (long)src[i];
        return r;
    }

    /// <summary>Writes the value as an ONNX tensor message of its element type.</summary>
    public TensorProto ToProto(string name)
    {
        if (Float is not null)
        {
            var p = OnnxTensors.FromTensor(name, Float);
            if (ElementType == DataType.Float)
                return p;
            // Store wider or narrower float types as FLOAT data re-tagged would be wrong; convert.
            return OnnxTensors.FromFloats(name, Float.ToArray(), shape, ElementType);
        }
        return OnnxTensors.FromIntegers(name, Integers!, shape, ElementType);
    }

    /// <summary>Whether <paramref name="type"/> is FLOAT, DOUBLE, FLOAT16 or BFLOAT16.</summary>
    public static bool IsFloatType(DataType type) =>
        type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    /// <summary>Whether <paramref name="type"/> is a (signed or unsigned) integer type or BOOL.</summary>
    public static bool IsIntegerType(DataType type) =>
        type is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
            or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64 or DataType.Bool;

    /// <summary>Rounds float32 values to what <paramref name="type"/> can hold (a no-op for FLOAT and DOUBLE).</summary>
    internal static Tensor RoundTo(Tensor t, DataType type)
    {
        if (type is DataType.Float or DataType.Double)
            return t;
        var src = t.AsReadOnlySpan();
        var dst = new float[src.Length];
        for (int i = 0; i < dst.Length; i++)
            dst[i] = type == DataType.Float16 ? (float)(Half)src[i] : RoundToBfloat16(src[i]);
        var rounded = Tensor.FromArray(dst, t.Shape.ToArray());
        // Rounding is a straight-through step for gradients: d(round(x))/dx is taken as 1.
        return t.RequiresGrad ? t.Add(rounded.Sub(t.Detach())) : rounded;
    }

    private static float RoundToBfloat16(float x)
    {
        if (float.IsNaN(x))
            return x;
        uint bits = BitConverter.SingleToUInt32Bits(x);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle((bits + rounding) & 0xFFFF0000u);
    }

    /// <summary>Wraps integers that came out of an op, narrowing them to <paramref name="type"/>'s range (wrap-around, as C casts do).</summary>
    internal static OnnxValue Narrowed(long[] values, int[] shape, DataType type)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Narrow(values[i], type);
        return FromIntegers(values, shape, type);
    }

    internal static long Narrow(long v, DataType type) => type switch
    {
        DataType.Int8 => (sbyte)v,
        DataType.Int16 => (short)v,
        DataType.Int32 => (int)v,
        DataType.Uint8 => (byte)v,
        DataType.Uint16 => (ushort)v,
        DataType.Uint32 => (uint)v,
        DataType.Bool => v != 0 ? 1 : 0,
        _ => v,
    };

    /// <inheritdoc />
    public override string ToString() => $"{ElementType}[{string.Join(", ", shape)}]";
}
