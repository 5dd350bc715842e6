using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Attacks.Evasion;

/// <summary>The loss an attack ascends.</summary>
public enum AdversarialLossKind
{
    /// <summary>Cross-entropy against the true label (or its negative against the target).</summary>
    CrossEntropy,

    /// <summary>
    /// Croce &amp; Hein's Difference of Logits Ratio: −(z_y − max_{i≠y} z_i)/(z_π1 − z_π3), invariant
    /// to shifts and scalings of the logits, so it does not saturate on over-confident models.
    /// Targeted: −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2). Needs at least 3 (targeted: 4) classes.
    /// </summary>
    Dlr,
}

/// <summary>Per-sample adversarial losses and their input gradients through the white-box forward pass.</summary>
internal static class AdversarialLoss
{
    /// <summary>Loss per sample (higher = more adversarial), its gradient with respect to x, and the logits.</summary>
    public static (float[] Loss, Tensor Gradient, Tensor Logits) Evaluate(AttackContext context, Tensor x, Criterion criterion, AdversarialLossKind kind)
    {
        var model = context.WhiteBox;
        using var arena = TensorArena.Begin();
        var input = Tensor.FromArray(x.ToArray(), x.Shape.ToArray()).RequiresGradient();
        var z = model.Forward(input);
        context.CountGradients(x.Shape[0]);
        var loss = kind == AdversarialLossKind.CrossEntropy
            ? CrossEntropy(z, criterion)
            : Dlr(z, criterion, model.ClassCount);
        var grad = Tape.Grad(loss.Sum(), [input])[0];
        return (loss.Detach().ToArray(), Tensor.FromArray(grad.ToArray(), grad.Shape.ToArray()), Tensor.FromArray(z.ToArray(), z.Shape.ToArray()));
    }

    private static Tensor CrossEntropy(Tensor z, Criterion criterion)
    {
        var ce = Losses.CrossEntropy(z, criterion.Labels, reduction: Reduction.None);
        return criterion.Targeted ? ce.Neg() : ce;
    }

    private static Tensor Dlr(Tensor z, Criterion criterion, int classes)
    {
        int need = criterion.Targeted ? 4 : 3;
        if (classes < need)
            throw new BulwarkInputException($"the DLR loss needs at least {need} classes; the model has {classes}");
        var sorted = z.TopK(need, -1).Values;
        var first = sorted.Slice(1, 0, 1).Reshape(-1);
        var third = sorted.Slice(1, 2, 3).Reshape(-1);
        var y = Tensor.OneHot(criterion.Labels, classes);
        var (label, otherBest) = LabelAndBestOther(z, y);
        if (criterion.Targeted)
        {
            // Here Labels are the targets; the margin is to the currently strongest other class.
            var fourth = sorted.Slice(1, 3, 4).Reshape(-1);
            return label.Sub(otherBest).Div(first.Sub(third.Add(fourth).Mul(0.5f)).Add(1e-12f));
        }
        return label.Sub(otherBest).Neg().Div(first.Sub(third).Add(1e-12f));
    }

    /// <summary>Per row, the logit of the one-hot class and the largest logit of any other class (differentiable).</summary>
    public static (Tensor Label, Tensor BestOther) LabelAndBestOther(Tensor z, Tensor oneHot) =>
        (z.Mul(oneHot).Sum(1), z.Sub(oneHot.Mul(1e9f)).Max(1));

    /// <summary>
    /// Carlini &amp; Wagner's margin: label logit minus best other (untargeted), or best other minus the
    /// target's logit (targeted); the sample is adversarial once it is negative.
    /// </summary>
    public static Tensor CarliniWagnerMargin(Tensor z, Tensor oneHot, bool targeted)
    {
        var (label, other) = LabelAndBestOther(z, oneHot);
        return targeted ? other.Sub(label) : label.Sub(other);
    }
}
