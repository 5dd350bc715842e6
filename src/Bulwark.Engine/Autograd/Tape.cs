namespace Bulwark.Engine.Autograd;

/// <summary>
/// The dynamic tape: records operations on tensors that require gradients and runs reverse-mode
/// differentiation over them. The tape knows nothing about particular operations: each op
/// registers its own backward rule through <see cref="Record(Tensor, string, Tensor, Func{Tensor, Tensor?})"/>.
/// </summary>
public static class Tape
{
    [ThreadStatic]
    private static int noGradDepth;

    /// <summary>When set, receives each backward rule's name and wall time (profiling in the bench).</summary>
    internal static Action<string, TimeSpan>? BackwardProfiler { get; set; }

    /// <summary>True when operations are being recorded on this thread.</summary>
    public static bool IsRecording => noGradDepth == 0;

    /// <summary>Stops recording on this thread until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad()
    {
        noGradDepth++;
        return new NoGradScope(false);
    }

    internal static NoGradScope EnableGrad()
    {
        int saved = noGradDepth;
        noGradDepth = 0;
        return new NoGradScope(true, saved);
    }

    /// <summary>Restores recording when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool restore;
        private readonly int saved;

        internal NoGradScope(bool restore, int saved = 0)
        {
            this.restore = restore;
            this.saved = saved;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (restore)
            {
                noGradDepth = saved;
            }
            else
            {
                noGradDepth--;
            }
        }
    }

    internal static Tensor Record(Tensor result, string name, Tensor input, Func<Tensor, Tensor?> backward)
    {
        if (!IsRecording || !input.RequiresGrad)
        {
            return result;
        }
        result.MarkComputed(new Node(name, [input], g => [backward(g)]));
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Tensor a, Tensor b, Func<Tensor, (Tensor? A, Tensor? B)> backward)
    {
        if (!IsRecording || !(a.RequiresGrad || b.RequiresGrad))
        {
            return result;
        }
        result.MarkComputed(new Node(name, [a, b], g =>
        {
            var (ga, gb) = backward(g);
            return [ga, gb];
        }));
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!IsRecording)
        {
            return result;
        }
        bool any = false;
        foreach (var t in inputs)
        {
            any |= t.RequiresGrad;
        }
        if (any)
        {
            result.MarkComputed(new Node(name, inputs, backward));
        }
        return result;
    }

    /// <summary>
    /// Gradients of <paramref name="output"/> with respect to <paramref name="inputs"/>
    /// (PyTorch's <c>autograd.grad</c>). With <paramref name="createGraph"/> the backward pass is
    /// itself recorded, so the returned gradients can be differentiated again.
    /// </summary>
    /// <param name="output">The tensor to differentiate; a scalar unless <paramref name="gradOutput"/> is given.</param>
    /// <param name="inputs">The tensors to differentiate with respect to.</param>
    /// <param name="gradOutput">The vector of the vector–Jacobian product; ones for a scalar output.</param>
    /// <param name="createGraph">Record the backward pass for higher-order gradients.</param>
    /// <returns>One gradient per input: zeros where the output does not depend on it.</returns>
    public static Tensor[] Grad(Tensor output, IReadOnlyList<Tensor> inputs, Tensor? gradOutput = null, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        var grads = RunBackward(output, gradOutput, createGraph, inputs);
        var result = new Tensor[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            result[i] = grads.TryGetValue(inputs[i], out var g) ? g : Tensor.ZerosLike(inputs[i]);
        }
        return result;
    }

    /// <summary>Accumulates the gradient of <paramref name="output"/> into the <see cref="Tensor.Grad"/> of every leaf that requires one.</summary>
    public static void Backward(Tensor output, Tensor? gradOutput = null, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var grads = RunBackward(output, gradOutput, createGraph, null);
        using var scope = createGraph ? EnableGrad() : NoGrad();
        foreach (var (tensor, g) in grads)
        {
            if (tensor.IsLeaf && tensor.RequiresGrad)
            {
                // A gradient may share storage with another leaf's (Add hands one g to both inputs) or be a
                // zero-stride view; each leaf gets storage of its own so in-place updates stay local.
                Tensor add;
                if (createGraph)
                {
                    add = g;
                }
                else
                {
                    var data = GradientBuffers.Rent(g.Size);
                    if (g.IsContiguous)
                    {
                        g.AsReadOnlySpan().CopyTo(data);
                    }
                    else
                    {
                        // A Linear weight's gradient arrives transposed; gathered straight into the buffer.
                        StridedCopy.Gather(g, data);
                    }
                    add = Tensor.FromArray(data, g.Shape.ToArray());
                }
                tensor.Grad = tensor.Grad is null ? add : tensor.Grad.Add(add);
            }
        }
    }

    private static Dictionary<Tensor, Tensor> RunBackward(Tensor output, Tensor? gradOutput, bool createGraph, IReadOnlyList<Tensor>? wanted)
    {
        if (!output.RequiresGrad)
        {
            throw new InvalidOperationException("The output does not require a gradient: nothing on the tape leads to it.");
        }
        if (gradOutput is null && output.Size != 1)
        {
            throw new BulwarkInputException($"Backward of a non-scalar output of shape {ShapeUtil.Format(output.shape)} needs an explicit gradOutput.");
        }
        if (gradOutput is not null && !ShapeUtil.SameShape(gradOutput.shape, output.shape))
        {
            throw new BulwarkInputException($"gradOutput shape {ShapeUtil.Format(gradOutput.shape)} differs from output shape {ShapeUtil.Format(output.shape)}.");
        }

        var order = TopologicalOrder(output);
        var stopAt = wanted is null ? null : new HashSet<Tensor>(wanted, ReferenceEqualityComparer.Instance);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance)
        {
            [output] = gradOutput ?? Tensor.OnesLike(output),
        };

        // Only the part of the graph that leads to a wanted tensor needs gradients: the rest (the
        // weights, when an attack asks for input gradients) reads as not requiring one during this
        // pass, on this thread only, so the ops' backward rules skip it. Not when the backward pass
        // is itself recorded: a later derivative may need what this one does not.
        var pruned = stopAt is null || createGraph ? null : Unneeded(order, stopAt);
        var outer = Tensor.prunedThisPass;
        if (pruned is { Count: > 0 })
        {
            Tensor.prunedThisPass = pruned;
        }
        try
        {
            return Propagate(order, grads, stopAt, createGraph);
        }
        finally
        {
            Tensor.prunedThisPass = outer;
        }
    }

    private static HashSet<Tensor> Unneeded(List<Tensor> order, HashSet<Tensor> wanted)
    {
        var needed = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var unneeded = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in order)
        {
            bool leads = wanted.Contains(t);
            if (!leads && t.GradFn is not null)
            {
                foreach (var input in t.GradFn.Inputs)
                {
                    if (needed.Contains(input))
                    {
                        leads = true;
                        break;
                    }
                }
            }
            if (leads)
            {
                needed.Add(t);
            }
            else if (t.RequiresGrad)
            {
                unneeded.Add(t);
            }
        }
        return unneeded;
    }

    private static Dictionary<Tensor, Tensor> Propagate(List<Tensor> order, Dictionary<Tensor, Tensor> grads, HashSet<Tensor>? stopAt, bool createGraph)
    {
        using var scope = createGraph ? EnableGrad() : NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (t.GradFn is null || !grads.TryGetValue(t, out var g))
            {
                continue;
            }
            long started = BackwardProfiler is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            var inputGrads = t.GradFn.Backward(g);
            BackwardProfiler?.Invoke(t.GradFn.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            var inputs = t.GradFn.Inputs;
            for (int k = 0; k < inputs.Length; k++)
            {
                var gi = inputGrads[k];
                if (gi is null || !inputs[k].RequiresGrad)
                {
                    continue;
                }
                if (!ShapeUtil.SameShape(gi.shape, inputs[k].shape))
                {
                    throw new InvalidOperationException($"Backward of {t.GradFn.Name} produced a gradient of shape {ShapeUtil.Format(gi.shape)} for an input of shape {ShapeUtil.Format(inputs[k].shape)}.");
                }
                grads[inputs[k]] = grads.TryGetValue(inputs[k], out var acc) ? acc.Add(gi) : gi;
            }
            if (stopAt is null || !stopAt.Contains(t))
            {
                grads.Remove(t);
            }
        }
        return grads;
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (t, expanded) = stack.Pop();
            if (expanded)
            {
                order.Add(t);
                continue;
            }
            if (!visited.Add(t))
            {
                continue;
            }
            stack.Push((t, true));
            if (t.GradFn is not null)
            {
                foreach (var input in t.GradFn.Inputs)
                {
                    if (input.RequiresGrad && !visited.Contains(input))
                    {
                        stack.Push((input, false));
                    }
                }
            }
        }
        return order;
    }
}
