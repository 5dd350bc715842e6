using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>Gather, scatter-add and index-select; each is the other's backward.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// out[…, i, …] = x[…, index[…, i, …], …] along <paramref name="axis"/>; index has the same
    /// rank as x and, off the axis, the same sizes.
    /// </summary>
    public Tensor Gather(int axis, LongTensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        CheckIndexShape(ax, index, "Gather");
        index.CheckRange(shape[ax], "Gather index");
        var (outer, r, inner) = Split3(ax);
        int k = index.ShapeArray[ax];
        var x = ContiguousSpan();
        var result = TensorArena.Allocate(outer * k * inner, zeroed: true);
        var idx = index.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < k; j++)
            {
                int dst = (o * k * inner) + (j * inner);
                for (int i = 0; i < inner; i++)
                {
                    result[dst + i] = x[(o * r * inner) + ((int)idx[dst + i] * inner) + i];
                }
            }
        }
        var original = shape;
        return Tape.Record(new Tensor(result, (int[])index.ShapeArray.Clone()), "Gather", this,
            g => Zeros(original).ScatterAdd(ax, index, g));
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/> added at the positions
    /// <paramref name="index"/> names along <paramref name="axis"/> (duplicates accumulate).
    /// </summary>
    public Tensor ScatterAdd(int axis, LongTensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        CheckIndexShape(ax, index, "ScatterAdd");
        if (!ShapeUtil.SameShape(index.ShapeArray, source.shape))
        {
            throw new BulwarkInputException($"ScatterAdd: source {ShapeUtil.Format(source.shape)} and index {ShapeUtil.Format(index.Shape)} differ.");
        }
        index.CheckRange(shape[ax], "ScatterAdd index");
        var (outer, r, inner) = Split3(ax);
        int k = index.ShapeArray[ax];
        var result = ToArray();
        var src = source.ContiguousSpan();
        var idx = index.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < k; j++)
            {
                int s = (o * k * inner) + (j * inner);
                for (int i = 0; i < inner; i++)
                {
                    result[(o * r * inner) + ((int)idx[s + i] * inner) + i] += src[s + i];
                }
            }
        }
        return Tape.Record(new Tensor(result, (int[])shape.Clone()), "ScatterAdd", this, source,
            g => (g, source.RequiresGrad ? g.Gather(ax, index) : null));
    }

    /// <summary>The slices at the given positions along an axis, in that order.</summary>
    public Tensor IndexSelect(int axis, LongTensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        if (indices.Rank != 1)
        {
            throw new BulwarkInputException($"IndexSelect: indices must be one-dimensional, got {ShapeUtil.Format(indices.Shape)}.");
        }
        var idxShape = (int[])shape.Clone();
        idxShape[ax] = indices.Size;
        var full = new long[ShapeUtil.Product(idxShape)];
        var (outer, _, inner) = Split3(ax);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < indices.Size; j++)
            {
                Array.Fill(full, indices.Data[j], (o * indices.Size * inner) + (j * inner), inner);
            }
        }
        return Gather(ax, new LongTensor(full, idxShape));
    }

    private void CheckIndexShape(int ax, LongTensor index, string op)
    {
        if (index.Rank != Rank)
        {
            throw new BulwarkInputException($"{op}: index rank {index.Rank} differs from tensor rank {Rank}.");
        }
        for (int d = 0; d < Rank; d++)
        {
            if (d != ax && index.ShapeArray[d] != shape[d])
            {
                throw new BulwarkInputException($"{op}: index shape {ShapeUtil.Format(index.Shape)} does not match {ShapeUtil.Format(shape)} off axis {ax}.");
            }
        }
    }

    /// <summary>One-hot rows: a [N, classes] tensor with 1 at each label (no tape).</summary>
    public static Tensor OneHot(LongTensor labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        labels.CheckRange(classes, "OneHot labels");
        var result = TensorArena.Allocate(labels.Size * classes, zeroed: true);
        for (int i = 0; i < labels.Size; i++)
        {
            result[(i * classes) + (int)labels.Data[i]] = 1f;
        }
        var s = new int[labels.Rank + 1];
        labels.Shape.CopyTo(s);
        s[^1] = classes;
        return new Tensor(result, s);
    }
}
