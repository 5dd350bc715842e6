using System.Numerics.Tensors;

namespace Bulwark.Engine.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, "Adam: A Method for Stochastic Optimization") as PyTorch computes it:
/// g ← ∇ + λ·θ (L2 weight decay, coupled to the gradient); m ← β₁·m + (1 − β₁)·g;
/// v ← β₂·v + (1 − β₂)·g²; θ ← θ − (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), with ε outside the
/// square root. With AMSGrad (Reddi et al. 2018) the running maximum of v replaces v in the
/// denominator. State: "{i}.step", "{i}.exp_avg", "{i}.exp_avg_sq" and, with AMSGrad,
/// "{i}.max_exp_avg_sq".
/// </summary>
public class Adam : Optimizer
{
    private readonly bool decoupled;

    /// <summary>Creates the optimiser with PyTorch's defaults (η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0).</summary>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false)
    {
    }

    /// <summary>Creates the optimiser, with the weight decay either coupled to the gradient (Adam) or decoupled (AdamW).</summary>
    protected Adam(IEnumerable<Tensor> parameters, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool amsgrad, bool decoupled)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f))
        {
            throw new BulwarkInputException($"{GetType().Name}: betas must lie in [0, 1), got ({beta1}, {beta2}).");
        }
        CheckNonNegative(eps, $"{GetType().Name}: eps");
        CheckNonNegative(weightDecay, $"{GetType().Name}: weightDecay");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        Amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    /// <summary>β₁, the decay of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to the denominator after the square root.</summary>
    public float Eps { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the AMSGrad maximum is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc />
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        int step = IncrementStep(index);
        var expAvg = StateBuffer(index, "exp_avg", out _);
        var expAvgSq = StateBuffer(index, "exp_avg_sq", out _);
        var scratch = RentScratch(parameter.Length);
        try
        {
            var g = scratch.AsSpan(0, parameter.Length);
            if (WeightDecay != 0f && decoupled)
            {
                TensorPrimitives.Multiply(parameter, 1f - (LearningRate * WeightDecay), parameter);
            }
            if (WeightDecay != 0f && !decoupled)
            {
                TensorPrimitives.MultiplyAdd(parameter, WeightDecay, gradient, g);
            }
            else
            {
                gradient.CopyTo(g);
            }

            TensorPrimitives.Multiply(expAvg, Beta1, expAvg);
            TensorPrimitives.MultiplyAdd(g, 1f - Beta1, expAvg, expAvg);
            TensorPrimitives.Multiply(expAvgSq, Beta2, expAvgSq);
            TensorPrimitives.Multiply(g, g, g);
            TensorPrimitives.MultiplyAdd(g, 1f - Beta2, expAvgSq, expAvgSq);

            // PyTorch forms the bias corrections in double (Python floats) and rounds once.
            double correction1 = 1.0 - Math.Pow(Beta1, step);
            double correction2Sqrt = Math.Sqrt(1.0 - Math.Pow(Beta2, step));
            float stepSize = (float)(LearningRate / correction1);

            Span<float> second = expAvgSq;
            if (Amsgrad)
            {
                var maxSq = StateBuffer(index, "max_exp_avg_sq", out _);
                TensorPrimitives.Max(maxSq, expAvgSq, maxSq);
                second = maxSq;
            }
            var denom = g;
            TensorPrimitives.Sqrt(second, denom);
            TensorPrimitives.Divide(denom, (float)correction2Sqrt, denom);
            TensorPrimitives.Add(denom, Eps, denom);
            TensorPrimitives.Divide(expAvg, denom, denom);
            TensorPrimitives.MultiplyAdd(denom, -stepSize, parameter, parameter);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization"): Adam whose weight
/// decay shrinks the parameters directly, θ ← θ·(1 − η·λ), before the Adam step, instead of
/// entering the gradient and being rescaled by the adaptive denominator. PyTorch's default λ = 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimiser with PyTorch's defaults (η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.01).</summary>
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f, bool amsgrad = false)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true)
    {
    }
}
