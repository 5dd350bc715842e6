using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Models;

/// <summary>
/// A Bulwark engine <see cref="Module"/> that outputs logits, seen as an
/// <see cref="IGradientClassifier"/>: probabilities by softmax, exact input gradients by the
/// engine's reverse-mode autodiff, in inference mode. The white-box target of the evasion
/// attacks (T7) and the model the training-time defences produce.
/// </summary>
/// <remarks>
/// The constructor switches the module to evaluation mode and runs one zero sample through it
/// to check that it maps [1, ..inputShape] to [1, classCount]. A forward pass on a module that
/// was put back into training mode (dropout, batch statistics) throws instead of quietly
/// mixing samples. Gradients with respect to the model's parameters are computed by the tape
/// along the way and discarded; the parameters' <see cref="Tensor.Grad"/> is left untouched.
/// </remarks>
public sealed class EngineClassifier : GradientClassifierBase
{
    /// <summary>The default for the most samples per forward pass.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>Wraps <paramref name="model"/>, a module mapping [N, ..inputShape] to logits [N, classCount].</summary>
    /// <param name="model">The logits model; switched to evaluation mode.</param>
    /// <param name="inputShape">The shape of one sample, e.g. [1, 28, 28].</param>
    /// <param name="classCount">The number of logits.</param>
    /// <param name="bounds">The box valid inputs lie in; the unit interval when null.</param>
    /// <param name="maxBatchSize">Most samples per forward pass; bounds the memory of one call.</param>
    public EngineClassifier(Module model, IReadOnlyList<int> inputShape, int classCount, InputBounds? bounds = null, int maxBatchSize = DefaultMaxBatchSize)
        : base(inputShape, classCount, bounds ?? InputBounds.Unit, maxBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        model.Eval();
        using var scope = Tape.NoGrad();
        Logits(Tensor.Zeros([1, .. InputShape]));
    }

    /// <summary>The wrapped module.</summary>
    public Module Model { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor batch)
    {
        if (Model.IsTraining)
            throw new InvalidOperationException($"{nameof(EngineClassifier)}: the wrapped {Model.GetType().Name} is in training mode; call Eval() on it before querying the classifier");
        return Model.Forward(batch);
    }
}
