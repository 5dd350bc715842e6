using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// The white-box view of a classifier (ART's vocabulary: loss gradient, class gradient):
/// logits and exact gradients with respect to the input, batched.
/// </summary>
public interface IGradientClassifier : IClassifier
{
    /// <summary>
    /// The differentiable forward pass: logits [N, ClassCount] recorded on the tape, so a
    /// caller can build any loss on them and differentiate it with respect to
    /// <paramref name="batch"/> (which should require a gradient). Runs in inference mode.
    /// </summary>
    Tensor Forward(Tensor batch);

    /// <summary>Logits [N, ClassCount] without recording anything.</summary>
    Tensor Logits(Tensor batch);

    /// <summary>
    /// Gradient of the summed cross-entropy of the logits against <paramref name="labels"/>
    /// with respect to the input: same shape as <paramref name="batch"/>; row i is the gradient
    /// of sample i's own loss.
    /// </summary>
    Tensor LossGradient(Tensor batch, LongTensor labels);

    /// <summary>
    /// Gradient of logit <c>classes[i]</c> of sample i with respect to that sample's input:
    /// same shape as <paramref name="batch"/>.
    /// </summary>
    Tensor ClassGradient(Tensor batch, LongTensor classes);
}
