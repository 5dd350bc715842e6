using System.Globalization;
using System.Text;
using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>
/// A dense float32 tensor: a view (shape, strides, offset) over a shared storage array, with the
/// autograd bookkeeping of a dynamic tape (<see cref="RequiresGrad"/>, <see cref="Grad"/>, and the
/// node that produced it). Operations live in the other <c>Tensor.*.cs</c> files, one family each.
/// Operations never mutate their inputs unless their name ends in <c>_</c>.
/// </summary>
public sealed partial class Tensor
{
    internal readonly float[] storage;
    internal readonly int offset;
    internal readonly int[] shape;
    internal readonly int[] strides;

    internal Tensor(float[] storage, int offset, int[] shape, int[] strides)
    {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        Size = ShapeUtil.Product(shape);
    }

    internal Tensor(float[] storage, int[] shape) : this(storage, 0, shape, ShapeUtil.ContiguousStrides(shape))
    {
        if (storage.Length < Size)
        {
            throw new BulwarkInputException($"Tensor: {storage.Length} values cannot fill shape {ShapeUtil.Format(shape)} ({Size} values).");
        }
    }

    /// <summary>The tensor's shape.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Size { get; }

    /// <summary>True when the elements lie in row-major order with no gaps.</summary>
    public bool IsContiguous => ShapeUtil.IsContiguous(shape, strides);

    /// <summary>The size of one dimension; negative axes count from the end.</summary>
    public int Dim(int axis) => shape[ShapeUtil.NormalizeAxis(axis, Rank)];

    /// <summary>Whether gradients flow to this tensor.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad && (prunedThisPass is null || !prunedThisPass.Contains(this));
        private set => requiresGrad = value;
    }

    private bool requiresGrad;

    /// <summary>
    /// Tensors the backward pass running on this thread treats as not requiring a gradient
    /// (<see cref="Autograd.Tape.Grad"/>'s pruning). Thread-local, so another thread using the same
    /// module at the same time sees the tensors as they are.
    /// </summary>
    [ThreadStatic]
    internal static HashSet<Tensor>? prunedThisPass;

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>; null before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The tape node that produced this tensor; null for leaves.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>True when this tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Marks a leaf as a variable whose gradient is wanted. Returns this tensor.</summary>
    public Tensor RequiresGradient(bool requires = true)
    {
        if (!IsLeaf)
        {
            throw new InvalidOperationException("RequiresGradient can only be set on leaf tensors; use Detach() first.");
        }
        RequiresGrad = requires;
        return this;
    }

    internal void MarkComputed(Node node)
    {
        GradFn = node;
        RequiresGrad = true;
    }

    /// <summary>Accumulates the gradient of this (scalar) tensor into every leaf that requires one; see <see cref="Tape.Backward"/>.</summary>
    public void Backward(Tensor? gradOutput = null, bool createGraph = false) => Tape.Backward(this, gradOutput, createGraph);

    /// <summary>A tensor sharing this one's data but cut from the tape.</summary>
    public Tensor Detach() => new(storage, offset, shape, strides);

    // ---------------------------------------------------------------- construction

    /// <summary>Wraps (without copying) a row-major array in a tensor of the given shape.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ShapeUtil.Validate(shape);
        if (data.Length != ShapeUtil.Product(shape))
        {
            throw new BulwarkInputException($"Tensor.FromArray: {data.Length} values do not match shape {ShapeUtil.Format(shape)} ({ShapeUtil.Product(shape)} values).");
        }
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>A copy of the given values with the given shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, params int[] shape) => FromArray(data.ToArray(), shape);

    /// <summary>A zero-rank tensor holding one value.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        ShapeUtil.Validate(shape);
        return new Tensor(TensorArena.Allocate(ShapeUtil.Product(shape), zeroed: true), (int[])shape.Clone());
    }

    /// <summary>A tensor filled with one value.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        Array.Fill(t.storage, value);
        return t;
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>Zeros shaped like another tensor.</summary>
    public static Tensor ZerosLike(Tensor t) => Zeros(t.shape);

    /// <summary>Ones shaped like another tensor.</summary>
    public static Tensor OnesLike(Tensor t) => Ones(t.shape);

    /// <summary>Values start, start+step, … below stop.</summary>
    public static Tensor Arange(float start, float stop, float step = 1f)
    {
        if (step == 0f || float.IsNaN(step))
        {
            throw new BulwarkInputException("Tensor.Arange: step must be non-zero.");
        }
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var data = new float[n];
        for (int i = 0; i < n; i++)
        {
            data[i] = start + (i * step);
        }
        return new Tensor(data, [n]);
    }

    // ---------------------------------------------------------------- data access

    /// <summary>Copies the elements out in row-major order.</summary>
    public float[] ToArray()
    {
        if (IsContiguous)
        {
            return storage.AsSpan(offset, Size).ToArray();
        }
        var result = new float[Size];
        StridedCopy.Gather(this, result);
        return result;
    }

    /// <summary>
    /// The elements as a span in row-major order: the storage itself for a contiguous tensor
    /// (writes are visible through every view), otherwise a fresh copy.
    /// </summary>
    /// <summary>
    /// The elements in row-major order without a copy when the tensor is contiguous (a copy
    /// otherwise). Read-only: tensors are changed through operations, not through this view.
    /// </summary>
    public ReadOnlySpan<float> AsReadOnlySpan() => ContiguousSpan();

    internal Span<float> ContiguousSpan() => IsContiguous ? storage.AsSpan(offset, Size) : ToArray();

    /// <summary>The storage span of a contiguous tensor; throws for a non-contiguous one.</summary>
    internal Span<float> Span
    {
        get
        {
            if (!IsContiguous)
            {
                throw new InvalidOperationException("Span needs a contiguous tensor; call Contiguous() first.");
            }
            return storage.AsSpan(offset, Size);
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1)
        {
            throw new BulwarkInputException($"Item() needs a one-element tensor, got shape {ShapeUtil.Format(shape)}.");
        }
        return storage[offset];
    }

    /// <summary>Reads one element by index (negative indices count from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => storage[FlatIndex(index)];
        set => storage[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
        {
            throw new BulwarkInputException($"Index of rank {index.Length} into a tensor of shape {ShapeUtil.Format(shape)}.");
        }
        int flat = offset;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if ((uint)i >= (uint)shape[d])
            {
                throw new BulwarkInputException($"Index {index[d]} out of range for axis {d} of size {shape[d]}.");
            }
            flat += i * strides[d];
        }
        return flat;
    }

    /// <summary>This tensor if contiguous, else a contiguous copy (recorded on the tape).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous)
        {
            return this;
        }
        var data = TensorArena.Allocate(Size, zeroed: false);
        StridedCopy.Gather(this, data);
        var result = new Tensor(data, (int[])shape.Clone());
        return Tape.Record(result, "Contiguous", this, g => g);
    }

    /// <summary>A deep copy with its own storage, recorded on the tape.</summary>
    public Tensor Clone()
    {
        var data = TensorArena.Allocate(Size, zeroed: false);
        if (IsContiguous)
        {
            storage.AsSpan(offset, Size).CopyTo(data);
        }
        else
        {
            StridedCopy.Gather(this, data);
        }
        var result = new Tensor(data, (int[])shape.Clone());
        return Tape.Record(result, "Clone", this, g => g);
    }

    /// <summary>Copies another tensor's values into this one in place (no tape).</summary>
    public void CopyFrom_(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!ShapeUtil.SameShape(shape, source.shape))
        {
            throw new BulwarkInputException($"CopyFrom_: shape {ShapeUtil.Format(source.shape)} into {ShapeUtil.Format(shape)}.");
        }
        var src = source.ContiguousSpan();
        if (IsContiguous)
        {
            src.CopyTo(Span);
        }
        else
        {
            StridedCopy.Scatter(src, this);
        }
    }

    /// <summary>True when any element is NaN or infinite.</summary>
    public bool HasNonFinite()
    {
        foreach (float v in ContiguousSpan())
        {
            if (!float.IsFinite(v))
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeUtil.Format(shape));
        var data = ToArray();
        sb.Append(" [");
        int n = Math.Min(data.Length, 8);
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(data[i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (data.Length > n)
        {
            sb.Append(", …");
        }
        sb.Append(']');
        if (RequiresGrad)
        {
            sb.Append(GradFn is null ? " requires_grad" : $" grad_fn={GradFn.Name}");
        }
        return sb.ToString();
    }
}
