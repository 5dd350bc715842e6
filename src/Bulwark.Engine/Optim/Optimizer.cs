using System.Buffers;
using System.Globalization;

namespace Bulwark.Engine.Optim;

/// <summary>
/// The base of the optimisers: it owns the parameter list and the per-parameter state, and its
/// sealed <see cref="Step"/> hands each parameter that has a gradient to one small override that
/// updates the storage in place, outside the tape. State is kept under PyTorch-style names
/// ("0.exp_avg", "3.momentum_buffer") so a checkpoint can save and restore it.
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] parameters;
    private readonly Dictionary<string, Tensor> state = new(StringComparer.Ordinal);
    private float learningRate;

    /// <summary>Creates the optimiser over distinct, contiguous parameter tensors.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in this.parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (!seen.Add(p))
            {
                throw new BulwarkInputException($"{GetType().Name}: a parameter appears twice, so it would be stepped twice.");
            }
            if (!p.IsContiguous || !p.IsLeaf)
            {
                throw new BulwarkInputException($"{GetType().Name}: parameters must be contiguous leaf tensors, got {p}.");
            }
        }
        LearningRate = learningRate;
    }

    /// <summary>The parameters, in the order their state is numbered.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The learning rate; schedulers set it between steps.</summary>
    public float LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0f) || !float.IsFinite(value))
            {
                throw new BulwarkInputException($"{GetType().Name}: the learning rate must be finite and non-negative, got {value}.");
            }
            learningRate = value;
        }
    }

    /// <summary>The optimiser's state by name ("{parameter index}.{key}"); the tensors are live.</summary>
    public IReadOnlyDictionary<string, Tensor> State => state;

    /// <summary>Updates every parameter that has a gradient; parameters without one are skipped, as in PyTorch.</summary>
    public void Step()
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.Grad is null)
            {
                continue;
            }
            if (!p.Grad.Shape.SequenceEqual(p.Shape))
            {
                throw new BulwarkInputException($"{GetType().Name}: gradient {ShapeUtil.Format(p.Grad.Shape)} does not match parameter {ShapeUtil.Format(p.Shape)}.");
            }
            // The gradient may be a broadcast view or share storage with another tensor's
            // gradient, so it is read (copied if strided) and never written.
            Update(i, p.Span, p.Grad.ContiguousSpan());
        }
    }

    /// <summary>Drops every parameter's gradient (sets it to null).</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters)
        {
            p.Grad = null;
        }
    }

    /// <summary>
    /// <see cref="ZeroGrad"/>, and the gradients' storage goes back to be reused by the next
    /// backward pass. Only for loops that hold no reference to a gradient past this call (the
    /// <see cref="Training.Trainer"/>): a gradient tensor kept from before would see its values
    /// overwritten by a later step.
    /// </summary>
    internal void ZeroGradRecycling()
    {
        foreach (var p in parameters)
        {
            if (p.Grad is { } g)
            {
                p.Grad = null;
                Autograd.GradientBuffers.Return(g);
            }
        }
    }

    /// <summary>
    /// Replaces the state with saved values (from <see cref="State"/> of an optimiser of the same
    /// kind over the same parameters). Values are copied, so later steps do not alter the source.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        foreach (var (name, value) in saved)
        {
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(name.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= parameters.Length)
            {
                throw new BulwarkInputException($"{GetType().Name}.LoadState: '{name}' does not name a parameter index below {parameters.Length}.");
            }
            CheckStateEntry(index, name[(dot + 1)..], value);
        }
        state.Clear();
        foreach (var (name, value) in saved)
        {
            state[name] = Tensor.FromArray(value.ToArray(), value.Shape.ToArray());
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is valid state <paramref name="key"/> for parameter <paramref name="index"/>.</summary>
    protected virtual void CheckStateEntry(int index, string key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool scalar = key == "step";
        if (scalar ? value.Size != 1 : !value.Shape.SequenceEqual(parameters[index].Shape))
        {
            throw new BulwarkInputException($"{GetType().Name}.LoadState: '{index}.{key}' has shape {ShapeUtil.Format(value.Shape)}.");
        }
    }

    /// <summary>Updates one parameter in place from its gradient.</summary>
    /// <param name="index">The parameter's position, which keys its state.</param>
    /// <param name="parameter">The parameter's storage, to update in place.</param>
    /// <param name="gradient">The gradient; read-only.</param>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);

    /// <summary>The state tensor <paramref name="key"/> of a parameter, created as zeros of the parameter's shape on first use.</summary>
    protected Span<float> StateBuffer(int index, string key, out bool created)
    {
        string name = StateName(index, key);
        created = !state.TryGetValue(name, out var t);
        if (created)
        {
            t = Tensor.ZerosLike(parameters[index]);
            state[name] = t;
        }
        return t!.Span;
    }

    /// <summary>Increments and returns the step count of a parameter, kept as the scalar state "step".</summary>
    protected int IncrementStep(int index)
    {
        string name = StateName(index, "step");
        if (!state.TryGetValue(name, out var t))
        {
            t = Tensor.Scalar(0f);
            state[name] = t;
        }
        t.Span[0] += 1f;
        return (int)t.Span[0];
    }

    /// <summary>A pooled scratch buffer of at least <paramref name="length"/> floats; return it with <see cref="ReturnScratch"/>.</summary>
    protected static float[] RentScratch(int length) => ArrayPool<float>.Shared.Rent(length);

    /// <summary>Returns a buffer from <see cref="RentScratch"/>.</summary>
    protected static void ReturnScratch(float[] buffer) => ArrayPool<float>.Shared.Return(buffer);

    private static string StateName(int index, string key) => index.ToString(CultureInfo.InvariantCulture) + "." + key;

    /// <summary>Throws unless <paramref name="value"/> is finite and non-negative.</summary>
    protected static void CheckNonNegative(float value, string what)
    {
        if (!(value >= 0f) || !float.IsFinite(value))
        {
            throw new BulwarkInputException($"{what} must be finite and non-negative, got {value}.");
        }
    }
}
