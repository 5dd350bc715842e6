using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// What an attack's inner loop may do with the model: gradients and scores, counted, and the
/// input bounds to clip to. One context per run; not thread-safe.
/// </summary>
public sealed class AttackContext
{
    private readonly IClassifier model;
    private long[]? sampleQueries;

    internal AttackContext(IClassifier model, Rng rng)
    {
        this.model = model;
        Rng = rng;
        Bounds = model.Bounds;
    }

    /// <summary>The input box.</summary>
    public InputBounds Bounds { get; }

    /// <summary>The run's seeded random source.</summary>
    public Rng Rng { get; }

    /// <summary>Samples scored so far.</summary>
    public long Queries { get; private set; }

    /// <summary>Per-sample gradients computed so far.</summary>
    public long GradientCalls { get; private set; }

    /// <summary>The white-box view; throws if the model is black-box.</summary>
    public IGradientClassifier WhiteBox => model as IGradientClassifier
        ?? throw new BulwarkInputException("this attack needs gradients, but the model is black-box (no IGradientClassifier)");

    /// <summary>Logits of a batch (white-box models) or log-probabilities (black-box), counted as queries.</summary>
    public Tensor Scores(Tensor x)
    {
        Queries += x.Shape[0];
        return model is IGradientClassifier g ? g.Logits(x) : model.PredictProba(x).Clamp(1e-30f, 1f).Log();
    }

    /// <summary>Class probabilities of a batch, counted as queries.</summary>
    public Tensor Probabilities(Tensor x)
    {
        Queries += x.Shape[0];
        return model.PredictProba(x);
    }

    /// <summary>
    /// The gradient of the adversarial loss per sample: ∇ₓ CE(f(x), y) away from the true label, or
    /// −∇ₓ CE(f(x), t) towards a target; ascending it makes each sample more adversarial.
    /// </summary>
    public Tensor AdversarialGradient(Tensor x, Criterion criterion)
    {
        ArgumentNullException.ThrowIfNull(criterion);
        GradientCalls += x.Shape[0];
        var g = WhiteBox.LossGradient(x, criterion.Labels);
        return criterion.Targeted ? g.Neg() : g;
    }

    /// <summary>∂ logit(classes[i]) / ∂x for each sample, counted as gradient calls.</summary>
    public Tensor ClassGradient(Tensor x, LongTensor classes)
    {
        GradientCalls += x.Shape[0];
        return WhiteBox.ClassGradient(x, classes);
    }

    /// <summary>Counts gradient work an attack did through <see cref="IGradientClassifier.Forward"/> itself.</summary>
    public void CountGradients(int samples) => GradientCalls += samples;

    /// <summary>
    /// Records what each sample of the current chunk cost in queries; black-box attacks call it
    /// at the end of their override so the result can report queries per sample.
    /// </summary>
    public void RecordSampleQueries(long[] perSample) => sampleQueries = perSample ?? throw new ArgumentNullException(nameof(perSample));

    /// <summary>The per-sample queries recorded for the chunk just attacked, or null; clears them.</summary>
    internal long[]? TakeSampleQueries()
    {
        var r = sampleQueries;
        sampleQueries = null;
        return r;
    }

    /// <summary>Clips to the input bounds.</summary>
    public Tensor Clip(Tensor x) => x.Clamp(Bounds.Lower, Bounds.Upper);
}
