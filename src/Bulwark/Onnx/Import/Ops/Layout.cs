using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Rearranging the elements of a value of any element type: floating-point values through
/// engine ops (so gradients flow), integer and BOOL values on their int64 arrays. Most copying
/// ops describe their output as a position map into the source and go through <see cref="Take"/>.
/// </summary>
internal static class Layout
{
    /// <summary>The same elements in a new shape.</summary>
    public static OnnxValue Reshaped(OnnxValue v, int[] shape) =>
        v.IsFloat ? OpUtil.Like(v.Float!.Reshape(shape), v) : OnnxValue.FromIntegers(v.Integers!, shape, v.ElementType);

    /// <summary>Axes reordered: axis i of the result is axis <paramref name="perm"/>[i] of <paramref name="v"/>.</summary>
    public static OnnxValue Permuted(OnnxValue v, int[] perm)
    {
        if (v.IsFloat)
            return OpUtil.Like(v.Float!.Permute(perm), v);
        var strides = Strides(v.Shape);
        var maps = new int[perm.Length][];
        var outStrides = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            maps[i] = Identity(v.Shape[perm[i]]);
            outStrides[i] = strides[perm[i]];
        }
        return Take(v, Positions(maps, outStrides, -1), maps.Select(m => m.Length).ToArray(), null);
    }

    /// <summary>
    /// The value whose coordinate i along axis d reads source coordinate <paramref name="maps"/>[d][i];
    /// a coordinate of −1 on any axis reads <paramref name="fill"/> instead (which must then be given).
    /// </summary>
    public static OnnxValue Gather(OnnxValue v, int[][] maps, OnnxValue? fill = null)
    {
        bool outside = fill is not null && maps.Any(m => Array.IndexOf(m, -1) >= 0);
        var positions = Positions(maps, Strides(v.Shape), outside ? v.Size : -1);
        return Take(v, positions, maps.Select(m => m.Length).ToArray(), outside ? fill : null);
    }

    /// <summary>
    /// Element i of the result is element <paramref name="positions"/>[i] of <paramref name="v"/> in
    /// row-major order; with <paramref name="fill"/> given, position <c>v.Size</c> reads its single value.
    /// </summary>
    public static OnnxValue Take(OnnxValue v, int[] positions, int[] shape, OnnxValue? fill)
    {
        if (v.IsFloat)
        {
            var source = v.Float!;
            if (fill is not null)
                source = Tensor.Concat([source.Reshape(v.Size), fill.AsTensor().Reshape(1)]);
            return OpUtil.Like(source.Take(positions, shape), v);
        }
        var x = v.Integers!;
        long extra = fill is null ? 0 : fill.AsIntegers()[0];
        var r = new long[positions.Length];
        for (int i = 0; i < r.Length; i++)
        {
            int p = positions[i];
            r[i] = p < x.Length ? x[p] : p == x.Length && fill is not null ? extra : throw new BulwarkInputException($"position {p} is out of range");
        }
        return OnnxValue.Narrowed(r, shape, v.ElementType);
    }

    /// <summary>
    /// Flat source positions for an output whose coordinate i along axis d reads coordinate
    /// <paramref name="maps"/>[d][i], at stride <paramref name="strides"/>[d]; an output element
    /// with a −1 coordinate on any axis gets <paramref name="fillPosition"/>.
    /// </summary>
    public static int[] Positions(int[][] maps, int[] strides, int fillPosition)
    {
        long total = 1;
        foreach (var m in maps)
            total *= m.Length;
        var result = new int[total];
        if (total == 0)
            return result;
        int at = 0;
        Fill(0, 0, false);
        return result;

        void Fill(int d, int offset, bool outside)
        {
            if (d == maps.Length)
            {
                result[at++] = outside ? fillPosition : offset;
                return;
            }
            var map = maps[d];
            int stride = strides[d];
            if (d == maps.Length - 1)
            {
                foreach (int c in map)
                    result[at++] = outside || c < 0 ? fillPosition : offset + (c * stride);
                return;
            }
            foreach (int c in map)
                Fill(d + 1, c < 0 ? offset : offset + (c * stride), outside || c < 0);
        }
    }

    /// <summary>Joins values of one element type along <paramref name="axis"/>.</summary>
    public static OnnxValue Concat(IReadOnlyList<OnnxValue> parts, int axis)
    {
        var first = parts[0];
        foreach (var p in parts)
        {
            if (p.ElementType != first.ElementType)
                throw new BulwarkInputException($"inputs are {first.ElementType} and {p.ElementType}; they must match");
            if (p.Rank != first.Rank)
                throw new BulwarkInputException($"inputs have ranks {first.Rank} and {p.Rank}; they must match");
            for (int d = 0; d < p.Rank; d++)
                if (d != axis && p.Shape[d] != first.Shape[d])
                    throw new BulwarkInputException($"shapes [{string.Join(", ", first.Dims())}] and [{string.Join(", ", p.Dims())}] differ off axis {axis}");
        }
        if (first.IsFloat)
            return OpUtil.Like(Tensor.Concat(parts.Select(p => p.Float!).ToArray(), axis), first);
        var shape = first.Dims();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        int outer = (int)OpUtil.Count(shape.AsSpan(0, axis));
        int inner = (int)OpUtil.Count(shape.AsSpan(axis + 1));
        var r = new long[OpUtil.Count(shape)];
        int at = 0;
        for (int o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                int chunk = p.Shape[axis] * inner;
                Array.Copy(p.Integers!, o * chunk, r, at, chunk);
                at += chunk;
            }
        }
        return OnnxValue.FromIntegers(r, shape, first.ElementType);
    }

    /// <summary>Elements start … start+count−1 along one axis.</summary>
    public static OnnxValue Narrow(OnnxValue v, int axis, int start, int count)
    {
        if (v.IsFloat)
            return OpUtil.Like(v.Float!.Slice(axis, start, start + count), v);
        var maps = IdentityMaps(v.Shape);
        maps[axis] = Enumerable.Range(start, count).ToArray();
        return Gather(v, maps);
    }

    /// <summary>Checks sizes read from the graph's data and returns them as a shape, refusing one above the node's element limit.</summary>
    public static int[] CheckedShape(OnnxNode n, ReadOnlySpan<long> dims, string what)
    {
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0)
                throw new BulwarkInputException($"{what} [{string.Join(", ", dims.ToArray())}] has a negative dimension");
            n.CheckSize(d, what);
            count = count > 0 && d > n.MaxElements / count ? n.MaxElements + 1 : count * d;
        }
        n.CheckSize(count, what);
        var shape = new int[dims.Length];
        for (int i = 0; i < shape.Length; i++)
            shape[i] = (int)dims[i];
        return shape;
    }

    /// <summary>Row-major strides of a shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            s[d] = stride;
            stride *= shape[d];
        }
        return s;
    }

    /// <summary>0, 1, …, n−1.</summary>
    public static int[] Identity(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>Identity maps for every axis of a shape.</summary>
    public static int[][] IdentityMaps(ReadOnlySpan<int> shape)
    {
        var maps = new int[shape.Length][];
        for (int d = 0; d < maps.Length; d++)
            maps[d] = Identity(shape[d]);
        return maps;
    }
}
