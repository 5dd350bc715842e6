using System.Numerics.Tensors;

namespace Bulwark.Engine.Optim;

/// <summary>Gradient clipping, applied between <c>Backward</c> and <see cref="Optimizer.Step"/>.</summary>
public static class GradClip
{
    /// <summary>
    /// Rescales all gradients together so their joint p-norm is at most <paramref name="maxNorm"/>
    /// (Pascanu et al. 2013), as PyTorch's <c>clip_grad_norm_</c>: the factor is
    /// maxNorm / (total + 1e-6) when below 1. Returns the total norm before clipping.
    /// </summary>
    /// <param name="parameters">Tensors whose <see cref="Tensor.Grad"/> is clipped; those without a gradient are ignored.</param>
    /// <param name="maxNorm">The largest allowed norm.</param>
    /// <param name="normType">p of the norm; <see cref="float.PositiveInfinity"/> for the largest magnitude.</param>
    /// <param name="errorIfNonFinite">Throw instead of scaling when the total norm is NaN or infinite.</param>
    /// <remarks>
    /// Each clipped gradient is replaced by a new tensor rather than scaled in place, because the
    /// tape may have handed two leaves views of one gradient storage.
    /// </remarks>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f, bool errorIfNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0f))
        {
            throw new BulwarkInputException($"ClipGradNorm: maxNorm must be non-negative, got {maxNorm}.");
        }
        if (!(normType > 0f))
        {
            throw new BulwarkInputException($"ClipGradNorm: normType must be positive, got {normType}.");
        }
        var withGrad = parameters.Where(p => p.Grad is not null).ToList();
        double total = 0;
        foreach (var p in withGrad)
        {
            ReadOnlySpan<float> g = p.Grad!.ContiguousSpan();
            if (g.IsEmpty)
            {
                continue;
            }
            if (float.IsPositiveInfinity(normType))
            {
                total = Math.Max(total, Math.Abs(TensorPrimitives.MaxMagnitude(g)));
            }
            else if (normType == 2f)
            {
                total += TensorPrimitives.SumOfSquares(g);
            }
            else
            {
                foreach (float v in g)
                {
                    total += Math.Pow(Math.Abs(v), normType);
                }
            }
        }
        if (!float.IsPositiveInfinity(normType))
        {
            total = normType == 2f ? Math.Sqrt(total) : Math.Pow(total, 1.0 / normType);
        }
        if (!double.IsFinite(total) && errorIfNonFinite)
        {
            throw new BulwarkInputException($"ClipGradNorm: the total gradient norm is {total}.");
        }
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1.0 || double.IsNaN(coefficient))
        {
            foreach (var p in withGrad)
            {
                var scaled = p.Grad!.ToArray();
                TensorPrimitives.Multiply(scaled, (float)coefficient, scaled);
                p.Grad = Tensor.FromArray(scaled, p.Grad.Shape.ToArray());
            }
        }
        return (float)total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue] (PyTorch's <c>clip_grad_value_</c>), replacing each gradient tensor.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0f))
        {
            throw new BulwarkInputException($"ClipGradValue: clipValue must be non-negative, got {clipValue}.");
        }
        foreach (var p in parameters)
        {
            if (p.Grad is null)
            {
                continue;
            }
            var clamped = p.Grad.ToArray();
            TensorPrimitives.Clamp(clamped, -clipValue, clipValue, clamped);
            p.Grad = Tensor.FromArray(clamped, p.Grad.Shape.ToArray());
        }
    }
}
