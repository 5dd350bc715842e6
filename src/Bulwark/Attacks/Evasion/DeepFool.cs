using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="DeepFool"/>; defaults are the paper's.</summary>
public sealed record DeepFoolOptions
{
    /// <summary>Iterations at most (50 in the paper's code).</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>Overshoot η: the final step is (1 + η) times the accumulated one (0.02 in the paper).</summary>
    public float Overshoot { get; init; } = 0.02f;

    /// <summary>Candidate classes per sample: the top-k of the clean logits (10 in the paper's code).</summary>
    public int Candidates { get; init; } = 10;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 128;
}

/// <summary>
/// DeepFool (Moosavi-Dezfooli, Fawzi &amp; Frossard, "DeepFool: a simple and accurate method to fool
/// deep neural networks", CVPR 2016). Threat T7; minimum-norm L2, untargeted. Linearises the model
/// around the current point and steps to the nearest linearised decision boundary among the
/// candidate classes, r = (|f_l| + 10⁻⁴)/‖w_l‖²·w_l, until the label changes; the total step is
/// scaled by (1 + overshoot). Needs one class gradient per candidate per iteration.
/// </summary>
public sealed class DeepFool(DeepFoolOptions? options = null) : EvasionAttack("deepfool", NormKind.L2, (options ?? new()).BatchSize, 0)
{
    private readonly DeepFoolOptions options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => null;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(criterion);
        if (criterion.Targeted)
            throw new BulwarkInputException("deepfool is an untargeted attack; use C&W or PGD for targets");
        int n = x.Shape[0];
        int d = n == 0 ? 0 : x.Size / n;
        var labels = criterion.Labels;
        var clean = context.Scores(x);
        int classes = clean.Shape[1];
        int k = Math.Clamp(options.Candidates, 2, classes);
        var candidates = clean.TopK(k, -1).Indices.Data;
        var total = new float[x.Size];
        var adv = x;
        for (int iter = 0; iter < options.MaxIterations; iter++)
        {
            var logits = context.Scores(adv);
            var active = criterion.IsAdversarial(logits).Select(a => !a).ToArray();
            if (!active.Any(a => a))
                break;
            var z = logits.AsReadOnlySpan().ToArray();
            var gradY = context.ClassGradient(adv, labels).ToArray();
            var bestDist = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
            var step = new float[x.Size];
            for (int j = 0; j < k; j++)
            {
                var cls = new long[n];
                for (int i = 0; i < n; i++)
                    cls[i] = candidates[(i * k) + j];
                var gradK = context.ClassGradient(adv, new LongTensor(cls, n)).ToArray();
                for (int i = 0; i < n; i++)
                {
                    if (!active[i] || cls[i] == labels.Data[i])
                        continue;
                    double f = z[(i * classes) + cls[i]] - z[(i * classes) + labels.Data[i]];
                    double ww = 0;
                    for (int e = 0; e < d; e++)
                    {
                        double w = gradK[(i * d) + e] - gradY[(i * d) + e];
                        ww += w * w;
                    }
                    if (ww < 1e-20)
                        continue;
                    double dist = Math.Abs(f) / Math.Sqrt(ww);
                    if (dist >= bestDist[i])
                        continue;
                    bestDist[i] = dist;
                    double scale = (Math.Abs(f) + 1e-4) / ww;
                    for (int e = 0; e < d; e++)
                        step[(i * d) + e] = (float)(scale * (gradK[(i * d) + e] - gradY[(i * d) + e]));
                }
            }
            for (int e = 0; e < total.Length; e++)
                total[e] += step[e];
            var r = Tensor.FromArray(total, x.Shape.ToArray());
            adv = context.Clip(x.Add(r.Mul(1 + options.Overshoot)));
        }
        return adv;
    }
}
