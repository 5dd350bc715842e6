namespace Bulwark.Engine.Nn;

/// <summary>
/// Layer normalisation (Ba, Kiros &amp; Hinton 2016, "Layer Normalization"): each sample is
/// normalised over its trailing axes given by <see cref="NormalizedShape"/> with the biased
/// variance, then scaled by γ (weight, starts at 1) and shifted by β (bias, starts at 0), both of
/// that shape. The same in training and evaluation.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] normalizedShape;

    /// <summary>Creates the layer for inputs whose trailing axes are <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0)
        {
            throw new BulwarkInputException("LayerNorm: normalizedShape must name at least one axis.");
        }
        foreach (int d in normalizedShape)
        {
            Init.CheckPositive(d, "LayerNorm: every normalised dimension");
        }
        if (!(eps > 0f))
        {
            throw new BulwarkInputException($"LayerNorm: eps must be positive, got {eps}.");
        }
        this.normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(this.normalizedShape));
            if (bias)
            {
                Bias = RegisterParameter("bias", Tensor.Zeros(this.normalizedShape));
            }
        }
    }

    /// <summary>Creates the layer normalising over the last axis of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
        : this([features], eps, elementwiseAffine, bias)
    {
    }

    /// <summary>The trailing shape normalised over.</summary>
    public ReadOnlySpan<int> NormalizedShape => normalizedShape;

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>γ; null without elementwise affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>β; null without elementwise affine parameters or without a bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int k = normalizedShape.Length;
        if (x.Rank < k || !x.Shape[(x.Rank - k)..].SequenceEqual(normalizedShape))
        {
            throw new BulwarkInputException($"LayerNorm: input {ShapeUtil.Format(x.Shape)} does not end in {ShapeUtil.Format(normalizedShape)}.");
        }
        var axes = Enumerable.Range(x.Rank - k, k).ToArray();
        var centred = x.Sub(x.Mean(axes, keepDim: true));
        var variance = centred.Square().Mean(axes, keepDim: true);
        var y = centred.Div(variance.Add(Eps).Sqrt());
        if (Weight is not null)
        {
            y = y.Mul(Weight);
        }
        return Bias is null ? y : y.Add(Bias);
    }
}
