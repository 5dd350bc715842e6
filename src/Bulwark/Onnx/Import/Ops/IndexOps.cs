using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Indexing ops: Slice, Gather, GatherElements, ScatterElements (and the older Scatter), NonZero, OneHot.</summary>
internal static class IndexOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Slice", Slice);
        t.Add("Gather", Gather);
        t.Add("GatherElements", GatherElements);
        t.Add("ScatterElements", ScatterElements);
        t.Add("Scatter", n => n.Opset >= 11 ? throw n.Refuse("Scatter was removed in opset 11 (use ScatterElements)") : ScatterElements(n));
        t.Add("NonZero", NonZero);
        t.Add("OneHot", OneHot);
    }

    private static OnnxKernel Slice(OnnxNode n)
    {
        n.Outputs(1);
        Func<OnnxValue?[], (long[] Starts, long[] Ends, long[]? Axes, long[]? Steps)> read;
        if (n.Opset < 10)
        {
            n.Inputs(1, 1);
            var starts = n.Ints("starts") ?? throw n.Refuse("attribute 'starts' is required");
            var ends = n.Ints("ends") ?? throw n.Refuse("attribute 'ends' is required");
            var axes = n.Ints("axes");
            read = _ => (starts, ends, axes, null);
        }
        else
        {
            n.Inputs(3, 5);
            read = args => (OpUtil.Longs(args.Arg(1), "starts"), OpUtil.Longs(args.Arg(2), "ends"),
                args.Opt(3) is { } a ? OpUtil.Longs(a, "axes") : null, args.Opt(4) is { } s ? OpUtil.Longs(s, "steps") : null);
        }
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var (starts, ends, axes, steps) = read(args);
            if (ends.Length != starts.Length || (axes is not null && axes.Length != starts.Length) || (steps is not null && steps.Length != starts.Length))
                throw new BulwarkInputException("starts, ends, axes and steps must have the same length");
            var maps = Layout.IdentityMaps(x.Shape);
            var seen = new bool[x.Rank];
            for (int i = 0; i < starts.Length; i++)
            {
                int ax = OpUtil.Axis(axes is null ? i : axes[i], x.Rank);
                if (seen[ax])
                    throw new BulwarkInputException($"axis {ax} is sliced twice");
                seen[ax] = true;
                maps[ax] = SliceMap(x.Shape[ax], starts[i], ends[i], steps is null ? 1 : steps[i]);
            }
            return Layout.Gather(x, maps);
        });
    }

    /// <summary>The coordinates one axis keeps: start, start+step, … before end, both clamped as ONNX (and NumPy) do.</summary>
    internal static int[] SliceMap(int dim, long start, long end, long step)
    {
        if (step == 0)
            throw new BulwarkInputException("slice step is 0");
        if (dim == 0)
            return [];
        if (start < 0)
            start += dim;
        if (end < 0)
            end += dim;
        long count;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            count = end > start ? ((end - start - 1) / step) + 1 : 0;
        }
        else
        {
            start = Math.Clamp(start, 0, dim - 1);
            end = Math.Clamp(end, -1, dim - 1);
            count = start > end ? ((start - end - 1) / -step) + 1 : 0;
        }
        var map = new int[count];
        for (int i = 0; i < map.Length; i++)
            map[i] = (int)(start + (i * step));
        return map;
    }

    /// <summary>An index normalized against an axis of size <paramref name="dim"/> (negative counts from the end).</summary>
    private static int Index(long i, int dim)
    {
        long k = i < 0 ? i + dim : i;
        if (k < 0 || k >= dim)
            throw new BulwarkInputException($"index {i} is out of range for an axis of size {dim}");
        return (int)k;
    }

    private static OnnxKernel Gather(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        long axis = n.Int("axis", 0);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var indices = args.Arg(1);
            if (x.Rank == 0)
                throw new BulwarkInputException("Gather needs data of rank 1 or more");
            int ax = OpUtil.Axis(axis, x.Rank);
            int dim = x.Shape[ax];
            // The output can be far larger than both inputs (a few indices into every row of a wide axis).
            n.CheckSize(x.Size / Math.Max(dim, 1) * (long)indices.Size, "gathered output");
            var maps = Layout.IdentityMaps(x.Shape);
            maps[ax] = indices.AsIntegers().Select(i => Index(i, dim)).ToArray();
            var shape = x.Dims()[..ax].Concat(indices.Dims()).Concat(x.Dims()[(ax + 1)..]).ToArray();
            return Layout.Reshaped(Layout.Gather(x, maps), shape);
        });
    }

    /// <summary>For each element of <paramref name="indices"/>, the flat position in <paramref name="data"/> it names along <paramref name="axis"/>.</summary>
    private static int[] ElementPositions(OnnxValue data, OnnxValue indices, int axis)
    {
        if (indices.Rank != data.Rank)
            throw new BulwarkInputException($"indices of rank {indices.Rank} for data of rank {data.Rank}");
        for (int d = 0; d < data.Rank; d++)
            if (d != axis && indices.Shape[d] > data.Shape[d])
                throw new BulwarkInputException($"indices [{string.Join(", ", indices.Dims())}] exceed data [{string.Join(", ", data.Dims())}] off axis {axis}");
        var strides = Layout.Strides(data.Shape);
        var maps = Layout.IdentityMaps(indices.Shape);
        maps[axis] = new int[indices.Shape[axis]];
        var positions = Layout.Positions(maps, strides, -1);
        var idx = indices.AsIntegers();
        int dim = data.Shape[axis];
        for (int i = 0; i < positions.Length; i++)
            positions[i] += Index(idx[i], dim) * strides[axis];
        return positions;
    }

    private static OnnxKernel GatherElements(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        long axis = n.Int("axis", 0);
        return OpUtil.One(args =>
        {
            var (x, indices) = (args.Arg(0), args.Arg(1));
            var positions = ElementPositions(x, indices, OpUtil.Axis(axis, x.Rank));
            return Layout.Take(x, positions, indices.Dims(), null);
        });
    }

    private static OnnxKernel ScatterElements(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        long axis = n.Int("axis", 0);
        string reduction = n.Opset >= 16 ? n.String("reduction", "none") : "none";
        if (reduction is not ("none" or "add"))
            throw n.Refuse($"reduction '{reduction}' is not supported (none and add are)");
        return OpUtil.One(args =>
        {
            var (x, indices, updates) = (args.Arg(0), args.Arg(1), args.Arg(2));
            if (!indices.Shape.SequenceEqual(updates.Shape))
                throw new BulwarkInputException($"indices [{string.Join(", ", indices.Dims())}] and updates [{string.Join(", ", updates.Dims())}] differ in shape");
            if (updates.ElementType != x.ElementType)
                throw new BulwarkInputException($"updates are {updates.ElementType}, data {x.ElementType}");
            var targets = ElementPositions(x, indices, OpUtil.Axis(axis, x.Rank));
            if (reduction == "add")
            {
                if (x.IsFloat)
                    return OpUtil.Like(x.Float!.Add(updates.Float!.TakeAdjoint(targets, x.Dims())), x);
                var sum = (long[])x.Integers!.Clone();
                for (int i = 0; i < targets.Length; i++)
                    sum[targets[i]] += updates.Integers![i];
                return OnnxValue.Narrowed(sum, x.Dims(), x.ElementType);
            }
            // Replacement: each output element reads data or (the last) update written to it.
            var source = Layout.Identity(x.Size);
            for (int i = 0; i < targets.Length; i++)
                source[targets[i]] = x.Size + i;
            if (x.IsFloat)
            {
                var both = Tensor.Concat([x.Float!.Reshape(x.Size), updates.Float!.Reshape(updates.Size)]);
                return OpUtil.Like(both.Take(source, x.Dims()), x);
            }
            var all = x.Integers!.Concat(updates.Integers!).ToArray();
            return OnnxValue.FromIntegers(source.Select(p => all[p]).ToArray(), x.Dims(), x.ElementType);
        });
    }

    private static OnnxKernel NonZero(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            if (x.Rank == 0)
                throw new BulwarkInputException("NonZero of a scalar is not supported");
            bool[] nonzero = x.IsFloat ? x.Float!.ToArray().Select(v => v != 0).ToArray() : x.Integers!.Select(v => v != 0).ToArray();
            int count = nonzero.Count(b => b);
            var strides = Layout.Strides(x.Shape);
            var r = new long[x.Rank * count];
            int k = 0;
            for (int i = 0; i < nonzero.Length; i++)
            {
                if (!nonzero[i])
                    continue;
                for (int d = 0; d < x.Rank; d++)
                    r[(d * count) + k] = i / strides[d] % x.Shape[d];
                k++;
            }
            return OnnxValue.FromIntegers(r, [x.Rank, count]);
        });
    }

    private static OnnxKernel OneHot(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        long axis = n.Int("axis", -1);
        return OpUtil.One(args =>
        {
            var (indices, depthValue, values) = (args.Arg(0), args.Arg(1), args.Arg(2));
            if (depthValue.Size != 1 || values.Size != 2 || values.Rank != 1)
                throw new BulwarkInputException("depth must hold one value and values must be [off, on]");
            long depth = depthValue.AsIntegers()[0];
            if (depth < 1)
                throw new BulwarkInputException($"depth {depth} is not positive");
            int rank = indices.Rank + 1;
            int ax = OpUtil.Axis(axis, rank);
            var dims = indices.Dims().Select(d => (long)d).ToList();
            dims.Insert(ax, depth);
            var shape = Layout.CheckedShape(n, dims.ToArray(), "one-hot output");
            var idx = indices.AsIntegers();
            int inner = (int)OpUtil.Count(indices.Shape[ax..]);
            int outer = idx.Length / Math.Max(inner, 1);
            var positions = new int[OpUtil.Count(shape)];
            int at = 0;
            for (int o = 0; o < outer; o++)
            {
                for (long j = 0; j < depth; j++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        long k = idx[(o * inner) + i];
                        positions[at++] = k == j || k + depth == j ? 1 : 0;
                    }
                }
            }
            return Layout.Take(values, positions, shape, null);
        });
    }
}
