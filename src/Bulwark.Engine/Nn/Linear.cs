using Bulwark.Engine.Autograd;

namespace Bulwark.Engine.Nn;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b over the last axis of x. Weight [out, in] and bias [out]
/// start U(−1/√in, 1/√in), as PyTorch's defaults do.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer, drawing its initial weights from <paramref name="rng"/>.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        Init.CheckPositive(inFeatures, "Linear: inFeatures");
        Init.CheckPositive(outFeatures, "Linear: outFeatures");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.FanInUniform(rng, inFeatures, outFeatures, inFeatures));
        if (bias)
        {
            Bias = RegisterParameter("bias", Init.FanInUniform(rng, inFeatures, outFeatures));
        }
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, shape [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape [out]; null when created without one.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        var y = Tensor.Linear(x, Weight, Bias);
        ActivationCapture.Add(this, x, y);
        return y;
    }
}
