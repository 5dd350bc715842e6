using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// A <see cref="QueryCountingClassifier"/> for a white-box model: every method counts against
/// the one budget, and the samples that went through a gradient method
/// (<see cref="Forward"/>, <see cref="LossGradient"/>, <see cref="ClassGradient"/>) are also
/// counted apart, so an evaluation can compare attacks at equal gradient cost.
/// </summary>
public sealed class QueryCountingGradientClassifier : QueryCountingClassifier, IGradientClassifier
{
    private long gradientQueries;
    private long gradientCalls;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="budget"/> is the most samples it may evaluate, or null for no limit.</summary>
    public QueryCountingGradientClassifier(IGradientClassifier inner, long? budget = null) : base(inner, budget)
    {
        GradientInner = inner;
    }

    /// <summary>The wrapped classifier.</summary>
    public IGradientClassifier GradientInner { get; }

    /// <summary>Samples that went through a gradient method (included in <see cref="QueryCountingClassifier.Queries"/>).</summary>
    public long GradientQueries => Interlocked.Read(ref gradientQueries);

    /// <summary>Calls of a gradient method (included in <see cref="QueryCountingClassifier.Calls"/>).</summary>
    public long GradientCalls => Interlocked.Read(ref gradientCalls);

    /// <inheritdoc />
    public Tensor Forward(Tensor batch)
    {
        AdmitGradient(batch);
        return GradientInner.Forward(batch);
    }

    /// <inheritdoc />
    public Tensor Logits(Tensor batch)
    {
        Admit(batch);
        return GradientInner.Logits(batch);
    }

    /// <inheritdoc />
    public Tensor LossGradient(Tensor batch, LongTensor labels)
    {
        AdmitGradient(batch);
        return GradientInner.LossGradient(batch, labels);
    }

    /// <inheritdoc />
    public Tensor ClassGradient(Tensor batch, LongTensor classes)
    {
        AdmitGradient(batch);
        return GradientInner.ClassGradient(batch, classes);
    }

    private void AdmitGradient(Tensor batch)
    {
        long n = Admit(batch);
        Interlocked.Add(ref gradientQueries, n);
        Interlocked.Increment(ref gradientCalls);
    }
}
