namespace Bulwark.Engine;

/// <summary>Copies between strided views and contiguous buffers, innermost axis as the fast loop.</summary>
internal static class StridedCopy
{
    /// <summary>Writes <paramref name="source"/>'s elements in row-major order into <paramref name="dest"/>.</summary>
    public static void Gather(Tensor source, Span<float> dest) =>
        Gather(source.storage, source.offset, source.shape, source.strides, dest);

    public static void Gather(float[] storage, int offset, int[] shape, int[] strides, Span<float> dest)
    {
        int rank = shape.Length;
        int total = ShapeUtil.Product(shape);
        if (total == 0)
        {
            return;
        }
        if (rank == 0)
        {
            dest[0] = storage[offset];
            return;
        }
        int inner = shape[rank - 1];
        int innerStride = strides[rank - 1];
        Span<int> index = stackalloc int[rank];
        int src = offset;
        for (int o = 0; o < total; o += inner)
        {
            var d = dest.Slice(o, inner);
            if (innerStride == 1)
            {
                storage.AsSpan(src, inner).CopyTo(d);
            }
            else
            {
                int s = src;
                for (int i = 0; i < inner; i++, s += innerStride)
                {
                    d[i] = storage[s];
                }
            }
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                src += strides[ax];
                if (index[ax] < shape[ax])
                {
                    break;
                }
                src -= strides[ax] * shape[ax];
                index[ax] = 0;
            }
        }
    }

    /// <summary>Writes row-major <paramref name="source"/> into the strided view <paramref name="dest"/>.</summary>
    public static void Scatter(ReadOnlySpan<float> source, Tensor dest)
    {
        int rank = dest.Rank;
        if (dest.Size == 0)
        {
            return;
        }
        if (rank == 0)
        {
            dest.storage[dest.offset] = source[0];
            return;
        }
        int inner = dest.shape[rank - 1];
        int innerStride = dest.strides[rank - 1];
        Span<int> index = stackalloc int[rank];
        int dst = dest.offset;
        for (int o = 0; o < dest.Size; o += inner)
        {
            int s = dst;
            for (int i = 0; i < inner; i++, s += innerStride)
            {
                dest.storage[s] = source[o + i];
            }
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                dst += dest.strides[ax];
                if (index[ax] < dest.shape[ax])
                {
                    break;
                }
                dst -= dest.strides[ax] * dest.shape[ax];
                index[ax] = 0;
            }
        }
    }
}
