namespace Bulwark.Engine.Kernels;

/// <summary>
/// An element-wise binary operation in the three span forms the broadcasting driver calls
/// (vector–vector, vector–scalar, scalar–vector) and a scalar form for strided leftovers.
/// Implementations forward to <see cref="System.Numerics.Tensors.TensorPrimitives"/>.
/// </summary>
internal interface IBinaryOp
{
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);

    static abstract void Apply(ReadOnlySpan<float> x, float y, Span<float> d);

    static abstract void Apply(float x, ReadOnlySpan<float> y, Span<float> d);

    static abstract float Apply(float x, float y);
}

/// <summary>The one broadcasting loop: coalesces axes, then runs the op on the longest contiguous rows.</summary>
internal static class Broadcast
{
    public static float[] Binary<TOp>(Tensor a, Tensor b, out int[] outShape) where TOp : IBinaryOp
    {
        outShape = ShapeUtil.Broadcast(a.shape, b.shape);
        int total = ShapeUtil.Product(outShape);
        var result = TensorArena.Allocate(total, zeroed: false);
        if (total == 0)
        {
            return result;
        }
        bool sameShape = ShapeUtil.SameShape(a.shape, b.shape);
        if (sameShape && a.IsContiguous && b.IsContiguous)
        {
            TOp.Apply(a.Span, b.Span, result);
            return result;
        }
        if (b.Size == 1 && a.IsContiguous && a.Size == total)
        {
            TOp.Apply(a.Span, b.storage[b.offset], result);
            return result;
        }
        if (a.Size == 1 && b.IsContiguous && b.Size == total)
        {
            TOp.Apply(a.storage[a.offset], b.Span, result);
            return result;
        }

        var sa = ShapeUtil.BroadcastStrides(a.shape, a.strides, outShape);
        var sb = ShapeUtil.BroadcastStrides(b.shape, b.strides, outShape);
        var (shape, stridesA, stridesB) = Coalesce(outShape, sa, sb);
        int rank = shape.Length;
        int inner = shape[rank - 1];
        int ia = stridesA[rank - 1];
        int ib = stridesB[rank - 1];
        Span<int> index = stackalloc int[rank];
        int oa = a.offset;
        int ob = b.offset;
        var da = a.storage;
        var db = b.storage;
        for (int o = 0; o < total; o += inner)
        {
            var dest = result.AsSpan(o, inner);
            if (ia == 1 && ib == 1)
            {
                TOp.Apply(da.AsSpan(oa, inner), db.AsSpan(ob, inner), dest);
            }
            else if (ia == 1 && ib == 0)
            {
                TOp.Apply(da.AsSpan(oa, inner), db[ob], dest);
            }
            else if (ia == 0 && ib == 1)
            {
                TOp.Apply(da[oa], db.AsSpan(ob, inner), dest);
            }
            else
            {
                for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += ia, pb += ib)
                {
                    dest[i] = TOp.Apply(da[pa], db[pb]);
                }
            }
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                oa += stridesA[ax];
                ob += stridesB[ax];
                if (index[ax] < shape[ax])
                {
                    break;
                }
                oa -= stridesA[ax] * shape[ax];
                ob -= stridesB[ax] * shape[ax];
                index[ax] = 0;
            }
        }
        return result;
    }

    /// <summary>Drops size-1 axes and merges neighbours that are contiguous in both operands.</summary>
    internal static (int[] Shape, int[] A, int[] B) Coalesce(int[] shape, int[] sa, int[] sb)
    {
        var s = new List<int>(shape.Length);
        var a = new List<int>(shape.Length);
        var b = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }
            int last = s.Count - 1;
            if (last >= 0 && a[last] == sa[d] * shape[d] && b[last] == sb[d] * shape[d])
            {
                s[last] *= shape[d];
                a[last] = sa[d];
                b[last] = sb[d];
            }
            else
            {
                s.Add(shape[d]);
                a.Add(sa[d]);
                b.Add(sb[d]);
            }
        }
        if (s.Count == 0)
        {
            return ([1], [0], [0]);
        }
        return ([.. s], [.. a], [.. b]);
    }
}
