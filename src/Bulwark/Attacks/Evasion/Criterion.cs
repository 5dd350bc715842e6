using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// What counts as a successful adversarial example, per sample (Foolbox's criteria): given the
/// model's scores for a batch, which samples are adversarial.
/// </summary>
public abstract class Criterion
{
    /// <summary>Whether each row of <paramref name="scores"/> [N, classes] (logits or probabilities) is adversarial.</summary>
    public abstract bool[] IsAdversarial(Tensor scores);

    /// <summary>The criterion restricted to samples <paramref name="from"/>..<paramref name="to"/> of the batch it was made for.</summary>
    public abstract Criterion Slice(int from, int to);

    /// <summary>The label the attack moves away from (untargeted) or towards (targeted), per sample.</summary>
    public abstract LongTensor Labels { get; }

    /// <summary>Whether the attack aims at <see cref="Labels"/> rather than away from them.</summary>
    public abstract bool Targeted { get; }

    /// <summary>Predicted class of each row.</summary>
    protected static long[] Predictions(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return scores.ArgMax(-1).Data;
    }
}

/// <summary>Adversarial when the predicted class differs from the true label.</summary>
public sealed class Misclassification(LongTensor labels) : Criterion
{
    /// <inheritdoc />
    public override LongTensor Labels { get; } = labels ?? throw new ArgumentNullException(nameof(labels));

    /// <inheritdoc />
    public override bool Targeted => false;

    /// <inheritdoc />
    public override bool[] IsAdversarial(Tensor scores)
    {
        var p = Predictions(scores);
        return p.Select((c, i) => c != Labels.Data[i]).ToArray();
    }

    /// <inheritdoc />
    public override Criterion Slice(int from, int to) => new Misclassification(new LongTensor(Labels.Data[from..to], to - from));
}

/// <summary>Adversarial when the predicted class equals the chosen target class.</summary>
public sealed class TargetedMisclassification(LongTensor targets) : Criterion
{
    /// <inheritdoc />
    public override LongTensor Labels { get; } = targets ?? throw new ArgumentNullException(nameof(targets));

    /// <inheritdoc />
    public override bool Targeted => true;

    /// <inheritdoc />
    public override bool[] IsAdversarial(Tensor scores)
    {
        var p = Predictions(scores);
        return p.Select((c, i) => c == Labels.Data[i]).ToArray();
    }

    /// <inheritdoc />
    public override Criterion Slice(int from, int to) => new TargetedMisclassification(new LongTensor(Labels.Data[from..to], to - from));
}
