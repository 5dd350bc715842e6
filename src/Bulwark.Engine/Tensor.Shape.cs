using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>Views (no copy where the strides allow) and joins.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// The same elements in a new shape; one dimension may be −1 to be inferred. A view when the
    /// tensor is contiguous, else a copy.
    /// </summary>
    public Tensor Reshape(params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(newShape);
        var target = (int[])newShape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new BulwarkInputException("Reshape: only one dimension may be -1.");
                }
                infer = i;
            }
            else if (target[i] < 0)
            {
                throw new BulwarkInputException($"Reshape: invalid dimension {target[i]}.");
            }
            else
            {
                known *= target[i];
            }
        }
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
            {
                throw new BulwarkInputException($"Reshape: cannot infer a dimension to reshape {ShapeUtil.Format(shape)} to {ShapeUtil.Format(newShape)}.");
            }
            target[infer] = (int)(Size / known);
        }
        ShapeUtil.Validate(target);
        if (ShapeUtil.Product(target) != Size)
        {
            throw new BulwarkInputException($"Reshape: {ShapeUtil.Format(shape)} ({Size} values) cannot become {ShapeUtil.Format(newShape)}.");
        }
        if (ShapeUtil.SameShape(shape, target))
        {
            return this;
        }
        var source = IsContiguous ? this : Contiguous();
        var result = new Tensor(source.storage, source.offset, target, ShapeUtil.ContiguousStrides(target));
        var original = shape;
        return Tape.Record(result, "Reshape", source, g => g.Reshape(original));
    }

    /// <summary>Collapses axes start..end (inclusive) into one.</summary>
    public Tensor Flatten(int startAxis = 1, int endAxis = -1)
    {
        int s = ShapeUtil.NormalizeAxis(startAxis, Rank);
        int e = ShapeUtil.NormalizeAxis(endAxis, Rank);
        var target = new List<int>();
        for (int d = 0; d < s; d++)
        {
            target.Add(shape[d]);
        }
        int merged = 1;
        for (int d = s; d <= e; d++)
        {
            merged *= shape[d];
        }
        target.Add(merged);
        for (int d = e + 1; d < Rank; d++)
        {
            target.Add(shape[d]);
        }
        return Reshape([.. target]);
    }

    /// <summary>Reorders the axes (a view).</summary>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != Rank)
        {
            throw new BulwarkInputException($"Permute: {axes.Length} axes given for a tensor of rank {Rank}.");
        }
        var newShape = new int[Rank];
        var newStrides = new int[Rank];
        var inverse = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int a = ShapeUtil.NormalizeAxis(axes[i], Rank);
            if (seen[a])
            {
                throw new BulwarkInputException($"Permute: axis {axes[i]} repeated.");
            }
            seen[a] = true;
            newShape[i] = shape[a];
            newStrides[i] = strides[a];
            inverse[a] = i;
        }
        var result = new Tensor(storage, offset, newShape, newStrides);
        return Tape.Record(result, "Permute", this, g => g.Permute(inverse));
    }

    /// <summary>Swaps two axes (a view).</summary>
    public Tensor Transpose(int axis0 = -2, int axis1 = -1)
    {
        var axes = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            axes[i] = i;
        }
        int a = ShapeUtil.NormalizeAxis(axis0, Rank);
        int b = ShapeUtil.NormalizeAxis(axis1, Rank);
        (axes[a], axes[b]) = (axes[b], axes[a]);
        return Permute(axes);
    }

    /// <summary>Elements start, start+step, … below end along one axis (a view). Negative bounds count from the end.</summary>
    public Tensor Slice(int axis, int start, int end, int step = 1)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        if (step <= 0)
        {
            throw new BulwarkInputException($"Slice: step must be positive, got {step}.");
        }
        int n = shape[ax];
        int s = Math.Clamp(start < 0 ? start + n : start, 0, n);
        int e = Math.Clamp(end < 0 ? end + n : end, 0, n);
        int count = e > s ? ((e - s + step - 1) / step) : 0;
        var newShape = (int[])shape.Clone();
        var newStrides = (int[])strides.Clone();
        newShape[ax] = count;
        newStrides[ax] = strides[ax] * step;
        var result = new Tensor(storage, offset + (count > 0 ? s * strides[ax] : 0), newShape, newStrides);
        var original = shape;
        return Tape.Record(result, "Slice", this, g => g.PadSlice(original, ax, s, step));
    }

    /// <summary>The rows at <paramref name="index"/> along axis 0 (a view without the axis).</summary>
    public Tensor Select(int axis, int index)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        int i = index < 0 ? index + shape[ax] : index;
        if ((uint)i >= (uint)shape[ax])
        {
            throw new BulwarkInputException($"Select: index {index} out of range for axis {axis} of size {shape[ax]}.");
        }
        return Slice(ax, i, i + 1).Squeeze(ax);
    }

    /// <summary>The inverse of <see cref="Slice"/> for gradients: zeros with this tensor placed at the sliced positions.</summary>
    private Tensor PadSlice(int[] fullShape, int axis, int start, int step)
    {
        var full = Zeros(fullShape);
        var view = new Tensor(full.storage, start * full.strides[axis] * (Size > 0 ? 1 : 0), (int[])shape.Clone(), StridesWithStep(full.strides, axis, step));
        view.CopyFrom_(this);
        var self = this;
        return Tape.Record(full, "PadSlice", this, g => g.Slice(axis, start, start + ((self.shape[axis] - 1) * step) + 1, step));
    }

    private static int[] StridesWithStep(int[] strides, int axis, int step)
    {
        var s = (int[])strides.Clone();
        s[axis] *= step;
        return s;
    }

    /// <summary>Broadcasts size-1 axes (and new leading axes) to a larger shape (a view with zero strides).</summary>
    public Tensor Expand(params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(newShape);
        if (newShape.Length < Rank)
        {
            throw new BulwarkInputException($"Expand: {ShapeUtil.Format(shape)} to the smaller rank of {ShapeUtil.Format(newShape)}.");
        }
        var target = (int[])newShape.Clone();
        int lead = target.Length - Rank;
        for (int i = 0; i < Rank; i++)
        {
            if (target[lead + i] == -1)
            {
                target[lead + i] = shape[i];
            }
            if (shape[i] != 1 && shape[i] != target[lead + i])
            {
                throw new BulwarkInputException($"Expand: {ShapeUtil.Format(shape)} cannot expand to {ShapeUtil.Format(newShape)}.");
            }
        }
        ShapeUtil.Validate(target);
        var result = new Tensor(storage, offset, target, ShapeUtil.BroadcastStrides(shape, strides, target));
        var original = shape;
        return Tape.Record(result, "Expand", this, g => g.SumTo(original));
    }

    /// <summary>Removes size-1 axes (all of them when none is named).</summary>
    public Tensor Squeeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var drop = new bool[Rank];
        if (axes.Length == 0)
        {
            for (int d = 0; d < Rank; d++)
            {
                drop[d] = shape[d] == 1;
            }
        }
        else
        {
            foreach (int a in axes)
            {
                int d = ShapeUtil.NormalizeAxis(a, Rank);
                if (shape[d] != 1)
                {
                    throw new BulwarkInputException($"Squeeze: axis {a} has size {shape[d]}, not 1.");
                }
                drop[d] = true;
            }
        }
        var newShape = new List<int>();
        var newStrides = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            if (!drop[d])
            {
                newShape.Add(shape[d]);
                newStrides.Add(strides[d]);
            }
        }
        var result = new Tensor(storage, offset, [.. newShape], [.. newStrides]);
        var original = shape;
        return Tape.Record(result, "Squeeze", this, g => g.Reshape(original));
    }

    /// <summary>Inserts a size-1 axis at <paramref name="axis"/> (a view).</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank)
        {
            throw new BulwarkInputException($"Unsqueeze: axis {axis} out of range for rank {Rank}.");
        }
        var newShape = new List<int>(shape);
        var newStrides = new List<int>(strides);
        newShape.Insert(a, 1);
        newStrides.Insert(a, a < Rank ? strides[a] * shape[a] : 1);
        var result = new Tensor(storage, offset, [.. newShape], [.. newStrides]);
        var original = shape;
        return Tape.Record(result, "Unsqueeze", this, g => g.Reshape(original));
    }

    /// <summary>Joins tensors along an existing axis.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new BulwarkInputException("Concat: no tensors given.");
        }
        var first = tensors[0];
        int ax = ShapeUtil.NormalizeAxis(axis, first.Rank);
        var outShape = (int[])first.shape.Clone();
        outShape[ax] = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
            {
                throw new BulwarkInputException($"Concat: ranks differ ({ShapeUtil.Format(first.shape)} and {ShapeUtil.Format(t.shape)}).");
            }
            for (int d = 0; d < t.Rank; d++)
            {
                if (d != ax && t.shape[d] != first.shape[d])
                {
                    throw new BulwarkInputException($"Concat: shapes {ShapeUtil.Format(first.shape)} and {ShapeUtil.Format(t.shape)} differ outside axis {axis}.");
                }
            }
            outShape[ax] += t.shape[ax];
        }
        var result = Zeros(outShape);
        var starts = new int[tensors.Count];
        int at = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            starts[i] = at;
            var t = tensors[i];
            var view = new Tensor(result.storage, at * result.strides[ax], (int[])t.shape.Clone(), result.strides);
            view.CopyFrom_(t);
            at += t.shape[ax];
        }
        var inputs = tensors.ToArray();
        return Tape.Record(result, "Concat", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                grads[i] = inputs[i].RequiresGrad ? g.Slice(ax, starts[i], starts[i] + inputs[i].shape[ax]) : null;
            }
            return grads;
        });
    }

    /// <summary>Joins same-shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new BulwarkInputException("Stack: no tensors given.");
        }
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!ShapeUtil.SameShape(tensors[i].shape, tensors[0].shape))
            {
                throw new BulwarkInputException($"Stack: shapes {ShapeUtil.Format(tensors[0].shape)} and {ShapeUtil.Format(tensors[i].shape)} differ.");
            }
            parts[i] = tensors[i].Unsqueeze(axis);
        }
        return Concat(parts, axis);
    }

    /// <summary>Splits along an axis into pieces of the given sizes.</summary>
    public Tensor[] Split(int axis, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        if (sizes.Sum() != shape[ax] || sizes.Any(s => s < 0))
        {
            throw new BulwarkInputException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to {shape[ax]} on axis {axis}.");
        }
        var result = new Tensor[sizes.Length];
        int at = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            result[i] = Slice(ax, at, at + sizes[i]);
            at += sizes[i];
        }
        return result;
    }
}
