using System.Globalization;

namespace Bulwark.Engine;

/// <summary>Shape arithmetic shared by every operation.</summary>
internal static class ShapeUtil
{
    public const int MaxRank = 16;

    public static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape)
        {
            p *= d;
            if (p > Array.MaxLength)
            {
                throw new BulwarkInputException($"Shape {Format(shape)} has more elements than one array can hold.");
            }
        }
        return (int)p;
    }

    public static void Validate(ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxRank)
        {
            throw new BulwarkInputException($"Shape {Format(shape)} has rank {shape.Length}; at most {MaxRank} is supported.");
        }
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new BulwarkInputException($"Shape {Format(shape)} has a negative dimension.");
            }
        }
        Product(shape);
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= Math.Max(shape[d], 1);
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 1)
            {
                continue;
            }
            if (strides[d] != expected)
            {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)Math.Max(rank, 0) || rank == 0)
        {
            throw new BulwarkInputException($"Axis {axis} is out of range for a tensor of rank {rank}.");
        }
        return a;
    }

    /// <summary>Sorted, distinct, non-negative axes; all axes when <paramref name="axes"/> is empty.</summary>
    public static int[] NormalizeAxes(ReadOnlySpan<int> axes, int rank)
    {
        if (axes.Length == 0)
        {
            var all = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                all[i] = i;
            }
            return all;
        }
        var result = new SortedSet<int>();
        foreach (int a in axes)
        {
            if (!result.Add(NormalizeAxis(a, rank)))
            {
                throw new BulwarkInputException($"Axis {a} is repeated.");
            }
        }
        return [.. result];
    }

    /// <summary>NumPy broadcasting of two shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new BulwarkInputException($"Shapes {Format(a)} and {Format(b)} cannot be broadcast together.");
            }
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides of <paramref name="shape"/>/<paramref name="strides"/> read as <paramref name="target"/> (0 on broadcast axes).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> target)
    {
        var result = new int[target.Length];
        int lead = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
        {
            result[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return result;
    }

    public static string Format(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
