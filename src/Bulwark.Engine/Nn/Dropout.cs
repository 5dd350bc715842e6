namespace Bulwark.Engine.Nn;

/// <summary>
/// Dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
/// Overfitting"): in training each element is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p) ("inverted" dropout), so evaluation is the identity and needs no rescaling.
/// </summary>
/// <remarks>
/// The layer owns a generator forked from the one passed in, so its masks depend only on that
/// fork and on how many batches it has seen, not on other consumers of the caller's generator.
/// </remarks>
public sealed class Dropout : Module
{
    private readonly Rng rng;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> (PyTorch's default is 0.5), masks drawn from a fork of <paramref name="rng"/>.</summary>
    public Dropout(float p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Rng.CheckProbability(p, "Dropout");
        P = p;
        this.rng = rng.Fork();
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!IsTraining || P == 0f)
        {
            return x;
        }
        if (P == 1f)
        {
            return x.Mul(0f);
        }
        var keep = Tensor.Bernoulli(rng, 1f - P, x.Shape.ToArray());
        return x.Mul(keep.Mul(1f / (1f - P)));
    }
}
