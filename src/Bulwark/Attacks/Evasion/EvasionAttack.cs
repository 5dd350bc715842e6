using System.Diagnostics;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// The sealed entry point of every evasion attack (Foolbox's design): <see cref="Run"/> validates,
/// splits the batch, calls the attack's one override, projects the result back onto the ε-ball and
/// the input box, and measures success and perturbation sizes. <see cref="RunCurve"/> repeats it
/// over several budgets, which gives a robust-accuracy curve at no extra code.
/// </summary>
public abstract class EvasionAttack
{
    /// <summary>Creates the attack.</summary>
    protected EvasionAttack(string name, NormKind norm, int batchSize, ulong seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (batchSize < 1)
            throw new BulwarkInputException($"{name}: batch size must be at least 1, got {batchSize}");
        Name = name;
        Norm = norm;
        BatchSize = batchSize;
        Seed = seed;
    }

    /// <summary>The attack's short name.</summary>
    public string Name { get; }

    /// <summary>The norm the attack's budget is in.</summary>
    public NormKind Norm { get; }

    /// <summary>Samples processed per model call.</summary>
    public int BatchSize { get; }

    /// <summary>The seed of every random choice.</summary>
    public ulong Seed { get; }

    /// <summary>The budget of <see cref="Run"/>; null for minimum-norm attacks, which have none.</summary>
    public abstract float? Epsilon { get; }

    /// <summary>
    /// Attacks <paramref name="x"/> (never modified) with true <paramref name="labels"/>; with
    /// <paramref name="targets"/> the attack is targeted at those classes.
    /// </summary>
    public AttackResult Run(IClassifier model, Tensor x, LongTensor labels, LongTensor? targets = null) =>
        RunAt(model, x, labels, targets, Epsilon);

    /// <summary>Runs the attack once per budget in <paramref name="epsilons"/> (ascending or not).</summary>
    public IReadOnlyList<AttackResult> RunCurve(IClassifier model, Tensor x, LongTensor labels, IReadOnlyList<float> epsilons, LongTensor? targets = null)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        if (Epsilon is null)
            throw new BulwarkInputException($"{Name} is a minimum-norm attack and takes no budget; run it once and threshold its norms instead");
        return epsilons.Select(e => RunAt(model, x, labels, targets, e)).ToArray();
    }

    /// <summary>
    /// The attack itself on one chunk: returns adversarial inputs for <paramref name="x"/>. The
    /// base projects them onto the ε-ball (when there is a budget) and clips them to the bounds.
    /// </summary>
    protected abstract Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon);

    private AttackResult RunAt(IClassifier model, Tensor x, LongTensor labels, LongTensor? targets, float? epsilon)
    {
        AttackInput.Validate(model, x, labels, targets);
        if (epsilon is { } e)
            AttackInput.CheckEpsilon(e);
        var clock = Stopwatch.StartNew();
        var original = x.Detach().Contiguous();
        Criterion criterion = targets is null ? new Misclassification(labels) : new TargetedMisclassification(targets);
        var context = new AttackContext(model, new Rng(Seed));
        int n = original.Shape[0];
        var chunks = new List<Tensor>();
        var success = new bool[n];
        var perSample = new long[n];
        bool counted = true;
        for (int from = 0; from < n; from += BatchSize)
        {
            int to = Math.Min(n, from + BatchSize);
            var xs = original.Slice(0, from, to).Contiguous();
            var part = criterion.Slice(from, to);
            var adv = Perturb(context, xs, part, epsilon ?? float.PositiveInfinity).Detach();
            if (context.TakeSampleQueries() is { } spent && spent.Length == to - from)
                for (int i = from; i < to; i++)
                    perSample[i] = spent[i - from] + 1;
            else
                counted = false;
            if (epsilon is { } budget)
                adv = xs.Add(Norms.Project(adv.Sub(xs), Norm, budget));
            adv = context.Clip(adv).Contiguous();
            var hit = part.IsAdversarial(context.Scores(adv));
            Array.Copy(hit, 0, success, from, hit.Length);
            chunks.Add(adv);
        }
        var adversarial = n == 0 ? original.Clone() : Tensor.Concat(chunks, 0);
        var delta = adversarial.Sub(original);
        return new AttackResult
        {
            Attack = Name,
            Epsilon = epsilon,
            Norm = Norm,
            Adversarial = adversarial,
            Success = success,
            L0 = Norms.CountChanged(delta),
            L2 = Norms.Measure(delta, NormKind.L2),
            Linf = Norms.Measure(delta, NormKind.Linf),
            Queries = context.Queries,
            QueriesPerSample = counted && n > 0 ? perSample : null,
            GradientCalls = context.GradientCalls,
            Elapsed = clock.Elapsed,
        };
    }
}
