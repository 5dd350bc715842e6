namespace Bulwark.Engine;

/// <summary>
/// A dense int64 tensor for labels and indices. It carries no gradient; operations that take
/// indices (gather, scatter, index-select, cross-entropy targets) read it.
/// </summary>
public sealed class LongTensor
{
    private readonly int[] shape;

    /// <summary>Wraps (without copying) a row-major array in a tensor of the given shape.</summary>
    public LongTensor(long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ShapeUtil.Validate(shape);
        if (data.Length != ShapeUtil.Product(shape))
        {
            throw new BulwarkInputException($"LongTensor: {data.Length} values do not match shape {ShapeUtil.Format(shape)}.");
        }
        Data = data;
        this.shape = (int[])shape.Clone();
    }

    /// <summary>A one-dimensional tensor of the given values.</summary>
    public static LongTensor FromValues(params long[] values) => new((long[])values.Clone(), values.Length);

    /// <summary>The values in row-major order.</summary>
    public long[] Data { get; }

    /// <summary>The shape.</summary>
    public ReadOnlySpan<int> Shape => shape;

    internal int[] ShapeArray => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Size => Data.Length;

    /// <summary>The size of one dimension; negative axes count from the end.</summary>
    public int Dim(int axis) => shape[ShapeUtil.NormalizeAxis(axis, Rank)];

    /// <summary>The values converted to float32, same shape.</summary>
    public Tensor ToFloat()
    {
        var f = new float[Data.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = Data[i];
        }
        return Tensor.FromArray(f, shape);
    }

    /// <summary>Throws unless every value lies in [0, <paramref name="count"/>).</summary>
    public void CheckRange(long count, string what)
    {
        for (int i = 0; i < Data.Length; i++)
        {
            if ((ulong)Data[i] >= (ulong)count)
            {
                throw new BulwarkInputException($"{what}: value {Data[i]} at position {i} is outside [0, {count}).");
            }
        }
    }
}
