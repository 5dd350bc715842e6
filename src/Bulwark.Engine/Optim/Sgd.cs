using System.Numerics.Tensors;

namespace Bulwark.Engine.Optim;

/// <summary>
/// Stochastic gradient descent with PyTorch's update rules: g ← ∇ + λ·θ (weight decay);
/// with momentum μ, b ← g on the first step and b ← μ·b + (1 − τ)·g after (dampening τ), then
/// g ← g + μ·b (Nesterov, Sutskever et al. 2013) or g ← b; finally θ ← θ − η·g.
/// State: "{i}.momentum_buffer".
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">The tensors to train.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ; 0 disables the buffer.</param>
    /// <param name="dampening">τ, the share of the new gradient withheld from the buffer.</param>
    /// <param name="weightDecay">λ, an L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Look ahead along the buffer; needs μ &gt; 0 and τ = 0.</param>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameters, learningRate)
    {
        CheckNonNegative(momentum, "Sgd: momentum");
        CheckNonNegative(dampening, "Sgd: dampening");
        CheckNonNegative(weightDecay, "Sgd: weightDecay");
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new BulwarkInputException("Sgd: Nesterov momentum needs a positive momentum and zero dampening.");
        }
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>τ.</summary>
    public float Dampening { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        var scratch = RentScratch(parameter.Length);
        try
        {
            var d = scratch.AsSpan(0, parameter.Length);
            if (WeightDecay != 0f)
            {
                TensorPrimitives.MultiplyAdd(parameter, WeightDecay, gradient, d);
            }
            else
            {
                gradient.CopyTo(d);
            }
            if (Momentum != 0f)
            {
                var buffer = StateBuffer(index, "momentum_buffer", out bool created);
                if (created)
                {
                    d.CopyTo(buffer);
                }
                else
                {
                    TensorPrimitives.Multiply(buffer, Momentum, buffer);
                    TensorPrimitives.MultiplyAdd(d, 1f - Dampening, buffer, buffer);
                }
                if (Nesterov)
                {
                    TensorPrimitives.MultiplyAdd(buffer, Momentum, d, d);
                }
                else
                {
                    buffer.CopyTo(d);
                }
            }
            TensorPrimitives.MultiplyAdd(d, -LearningRate, parameter, parameter);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }
}
