namespace Bulwark.Engine.IO;

/// <summary>
/// One NumPy array as loaded from (or about to be written to) a .npy file: its shape, the dtype
/// the file declared, and its values in row-major order as either float32 or int64.
/// </summary>
public sealed class NpyArray
{
    private readonly int[] shape;

    /// <summary>Wraps (without copying) float32 values in row-major order; written as <c>&lt;f4</c>.</summary>
    public NpyArray(float[] data, params int[] shape) : this("<f4", Validated(data?.Length, shape), data, null)
    {
    }

    /// <summary>Wraps (without copying) int64 values in row-major order; written as <c>&lt;i8</c>.</summary>
    public NpyArray(long[] data, params int[] shape) : this("<i8", Validated(data?.Length, shape), null, data)
    {
    }

    internal NpyArray(string dtype, int[] shape, float[]? floats, long[]? longs)
    {
        DType = dtype;
        this.shape = shape;
        FloatData = floats;
        LongData = longs;
    }

    /// <summary>A copy of a tensor's values (any layout) with its shape.</summary>
    public static NpyArray FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new NpyArray(tensor.ToArray(), tensor.Shape.ToArray());
    }

    /// <summary>A copy of an int64 tensor's values with its shape.</summary>
    public static NpyArray FromLongTensor(LongTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new NpyArray((long[])tensor.Data.Clone(), tensor.Shape.ToArray());
    }

    /// <summary>The dtype as the file declared it, e.g. <c>&lt;f4</c>, <c>&gt;i2</c>, <c>|u1</c>.</summary>
    public string DType { get; }

    /// <summary>The shape; empty for a zero-dimensional array.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of elements.</summary>
    public int Size => FloatData?.Length ?? LongData!.Length;

    /// <summary>True when the values are held as int64 (<see cref="LongData"/>), false when as float32 (<see cref="FloatData"/>).</summary>
    public bool IsInteger => LongData is not null;

    /// <summary>The values as float32 in row-major order; null when they are held as int64.</summary>
    public float[]? FloatData { get; }

    /// <summary>The values as int64 in row-major order; null when they are held as float32.</summary>
    public long[]? LongData { get; }

    /// <summary>The values as a float32 tensor: float data is shared, not copied; int64 data is converted.</summary>
    public Tensor ToTensor()
    {
        if (FloatData is not null)
        {
            return Tensor.FromArray(FloatData, shape);
        }
        var converted = new float[LongData!.Length];
        for (int i = 0; i < converted.Length; i++)
        {
            converted[i] = LongData[i];
        }
        return Tensor.FromArray(converted, shape);
    }

    /// <summary>The values as an int64 tensor, sharing the data; refused for arrays held as float32.</summary>
    public LongTensor ToLongTensor()
    {
        if (LongData is null)
        {
            throw new BulwarkInputException($"NpyArray: the array (dtype '{DType}', shape {ShapeUtil.Format(shape)}) holds float32 values; ToLongTensor needs an integer array read without IntegersAsFloat.");
        }
        return new LongTensor(LongData, shape);
    }

    private static int[] Validated(int? length, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(length, "data");
        ArgumentNullException.ThrowIfNull(shape);
        ShapeUtil.Validate(shape);
        if (length != ShapeUtil.Product(shape))
        {
            throw new BulwarkInputException($"NpyArray: {length} values do not match shape {ShapeUtil.Format(shape)}.");
        }
        return (int[])shape.Clone();
    }
}
