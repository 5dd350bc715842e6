using System.Numerics.Tensors;
using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>Reductions over any set of axes, arg-max and top-k.</summary>
public sealed partial class Tensor
{
    /// <summary>Sum over the given axes (all axes when none are given).</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes ?? [], Rank);
        var keptShape = KeptShape(ax);
        var data = SumKernel(ax);
        var result = new Tensor(data, keepDim ? keptShape : DroppedShape(ax));
        var original = shape;
        return Tape.Record(result, "Sum", this, g => g.Reshape(keptShape).Expand(original));
    }

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Mean over the given axes (all axes when none are given).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes ?? [], Rank);
        int count = 1;
        foreach (int a in ax)
        {
            count *= shape[a];
        }
        return Sum(ax, keepDim).Mul(1f / Math.Max(count, 1));
    }

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Biased variance (divides by n) over the given axes.</summary>
    public Tensor Variance(int[] axes, bool keepDim = false)
    {
        var centred = Sub(Mean(axes, keepDim: true));
        return centred.Square().Mean(axes, keepDim);
    }

    /// <summary>Maximum over one axis; the gradient flows to the first maximal element.</summary>
    public Tensor Max(int axis, bool keepDim = false)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        var index = ArgMax(ax, keepDim: true);
        var values = Gather(ax, index);
        return keepDim ? values : values.Squeeze(ax);
    }

    /// <summary>Minimum over one axis; the gradient flows to the first minimal element.</summary>
    public Tensor Min(int axis, bool keepDim = false)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        var index = ArgMin(ax, keepDim: true);
        var values = Gather(ax, index);
        return keepDim ? values : values.Squeeze(ax);
    }

    /// <summary>The largest value of the whole tensor (no tape).</summary>
    public float MaxValue() => Size == 0 ? float.NaN : TensorPrimitives.Max(ContiguousSpan());

    /// <summary>The smallest value of the whole tensor (no tape).</summary>
    public float MinValue() => Size == 0 ? float.NaN : TensorPrimitives.Min(ContiguousSpan());

    /// <summary>log Σ exp over one axis, computed stably.</summary>
    public Tensor LogSumExp(int axis, bool keepDim = false)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        Tensor m;
        using (Tape.NoGrad())
        {
            m = Max(ax, keepDim: true);
        }
        var r = Sub(m).Exp().Sum(ax, keepDim: true).Log().Add(m);
        return keepDim ? r : r.Squeeze(ax);
    }

    /// <summary>Index of the largest element along an axis (first one on ties).</summary>
    public LongTensor ArgMax(int axis = -1, bool keepDim = false) => ArgExtreme(axis, keepDim, max: true);

    /// <summary>Index of the smallest element along an axis (first one on ties).</summary>
    public LongTensor ArgMin(int axis = -1, bool keepDim = false) => ArgExtreme(axis, keepDim, max: false);

    private LongTensor ArgExtreme(int axis, bool keepDim, bool max)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        var (outer, r, inner) = Split3(ax);
        if (r == 0)
        {
            throw new BulwarkInputException($"ArgMax/ArgMin over an empty axis of {ShapeUtil.Format(shape)}.");
        }
        var x = ContiguousSpan();
        var result = new long[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIdx = (o * r * inner) + i;
                float best = x[baseIdx];
                int bestK = 0;
                for (int k = 1; k < r; k++)
                {
                    float v = x[baseIdx + (k * inner)];
                    if (max ? v > best || (float.IsNaN(v) && !float.IsNaN(best)) : v < best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        best = v;
                        bestK = k;
                    }
                }
                result[(o * inner) + i] = bestK;
            }
        }
        return new LongTensor(result, keepDim ? KeptShape([ax]) : DroppedShape([ax]));
    }

    /// <summary>The k largest (or smallest) values along an axis, sorted, and their indices.</summary>
    public (Tensor Values, LongTensor Indices) TopK(int k, int axis = -1, bool largest = true)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        if (k < 0 || k > shape[ax])
        {
            throw new BulwarkInputException($"TopK: k = {k} outside [0, {shape[ax]}] for axis {axis}.");
        }
        var (outer, r, inner) = Split3(ax);
        var x = ContiguousSpan();
        var idxShape = (int[])shape.Clone();
        idxShape[ax] = k;
        var indices = new long[outer * k * inner];
        var order = new int[r];
        var keys = new float[r];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                for (int j = 0; j < r; j++)
                {
                    order[j] = j;
                    keys[j] = x[(o * r * inner) + (j * inner) + i];
                }
                var keyArr = keys;
                Array.Sort(order, (p, q) =>
                {
                    int c = largest ? keyArr[q].CompareTo(keyArr[p]) : keyArr[p].CompareTo(keyArr[q]);
                    return c != 0 ? c : p.CompareTo(q);
                });
                for (int j = 0; j < k; j++)
                {
                    indices[(o * k * inner) + (j * inner) + i] = order[j];
                }
            }
        }
        var idx = new LongTensor(indices, idxShape);
        return (Gather(ax, idx), idx);
    }

    internal (int Outer, int R, int Inner) Split3(int axis)
    {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }
        for (int d = axis + 1; d < Rank; d++)
        {
            inner *= shape[d];
        }
        return (outer, shape[axis], inner);
    }

    private int[] KeptShape(int[] axes)
    {
        var s = (int[])shape.Clone();
        foreach (int a in axes)
        {
            s[a] = 1;
        }
        return s;
    }

    private int[] DroppedShape(int[] axes)
    {
        var s = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            if (Array.IndexOf(axes, d) < 0)
            {
                s.Add(shape[d]);
            }
        }
        return [.. s];
    }

    /// <summary>Sums contiguous data over the sorted axes, one axis at a time from the last.</summary>
    private float[] SumKernel(int[] axes)
    {
        if (axes.Length == 0)
        {
            var copy = TensorArena.Allocate(Size, zeroed: false);
            ContiguousSpan().CopyTo(copy);
            return copy;
        }
        ReadOnlySpan<float> data = ContiguousSpan();
        float[] next = [];
        var cur = (int[])shape.Clone();
        for (int i = axes.Length - 1; i >= 0; i--)
        {
            int ax = axes[i];
            int outer = 1;
            int inner = 1;
            for (int d = 0; d < ax; d++)
            {
                outer *= cur[d];
            }
            for (int d = ax + 1; d < cur.Length; d++)
            {
                inner *= cur[d];
            }
            int r = cur[ax];
            next = TensorArena.Allocate(outer * inner, zeroed: true);
            for (int o = 0; o < outer; o++)
            {
                var dest = next.AsSpan(o * inner, inner);
                int baseIdx = o * r * inner;
                if (inner == 1)
                {
                    dest[0] = TensorPrimitives.Sum(data.Slice(baseIdx, r));
                    continue;
                }
                for (int k = 0; k < r; k++)
                {
                    TensorPrimitives.Add(dest, data.Slice(baseIdx + (k * inner), inner), dest);
                }
            }
            data = next;
            cur[ax] = 1;
        }
        return next;
    }
}
