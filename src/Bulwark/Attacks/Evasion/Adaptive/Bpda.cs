using Bulwark.Engine;
using Bulwark.Engine.Autograd;

namespace Bulwark.Attacks.Evasion.Adaptive;

/// <summary>
/// Backward Pass Differentiable Approximation (Athalye, Carlini &amp; Wagner, "Obfuscated Gradients
/// Give a False Sense of Security", ICML 2018): the forward pass computes the real, possibly
/// non-differentiable transformation g(x); the backward pass differentiates a smooth h(x) ≈ g(x)
/// instead, by default the identity (the straight-through estimator, right for any g with g(x) ≈ x:
/// quantisation, smoothing, denoising). This is what makes a gradient attack on a preprocessing
/// defence an adaptive attack rather than a measurement of gradient masking.
/// </summary>
public static class Bpda
{
    /// <summary>
    /// g(x) in value, ∂h/∂x in gradient: h(x) + (g(x) − h(x)) with the bracket held constant.
    /// <paramref name="transform"/> runs outside the tape on a detached copy of <paramref name="x"/>.
    /// </summary>
    /// <param name="x">The input, usually recorded on the tape.</param>
    /// <param name="transform">The real transformation g.</param>
    /// <param name="approximation">The differentiable h the gradient follows; the identity when null.</param>
    public static Tensor Apply(Tensor x, Func<Tensor, Tensor> transform, Func<Tensor, Tensor>? approximation = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(transform);
        var smooth = approximation is null ? x : approximation(x);
        Tensor value;
        using (Tape.NoGrad())
            value = transform(x.Detach()).Sub(smooth.Detach());
        return smooth.Add(value);
    }
}
