using Bulwark.Engine;
using Bulwark.Engine.Autograd;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="CarliniWagnerL2"/>; defaults are the authors' released code.</summary>
public sealed record CarliniWagnerL2Options
{
    /// <summary>Binary-search steps over the constant c (9).</summary>
    public int BinarySearchSteps { get; init; } = 9;

    /// <summary>Adam iterations per search step (10,000, stopped early when the loss stalls).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Adam learning rate (10⁻²).</summary>
    public float LearningRate { get; init; } = 1e-2f;

    /// <summary>The starting constant c (10⁻³).</summary>
    public float InitialConstant { get; init; } = 1e-3f;

    /// <summary>Confidence κ: the logit margin demanded beyond the boundary (0).</summary>
    public float Confidence { get; init; }

    /// <summary>Stop a search step when the loss has not fallen by 0.01 % over a tenth of the iterations.</summary>
    public bool AbortEarly { get; init; } = true;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 128;
}

/// <summary>
/// Carlini &amp; Wagner's L2 attack ("Towards Evaluating the Robustness of Neural Networks", IEEE
/// S&amp;P 2017). Threat T7; minimum-norm L2, targeted or not. Optimises in tanh space,
/// x' = lo + (hi − lo)(tanh w + 1)/2, the loss ‖x' − x‖² + c·max(Z_y − max_{i≠y} Z_i + κ, 0)
/// (untargeted; max_{i≠t} Z_i − Z_t + κ targeted) with Adam, and binary-searches c per sample,
/// keeping the smallest successful perturbation.
/// </summary>
public sealed class CarliniWagnerL2(CarliniWagnerL2Options? options = null) : EvasionAttack("cw-l2", NormKind.L2, (options ?? new()).BatchSize, 0)
{
    private readonly CarliniWagnerL2Options options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => null;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(criterion);
        var model = context.WhiteBox;
        int n = x.Shape[0];
        int d = n == 0 ? 0 : x.Size / n;
        var x0 = x.ToArray();
        var w0 = TanhSpace.From(x0, context.Bounds);
        var shape = x.Shape.ToArray();
        var oneHot = Tensor.OneHot(criterion.Labels, model.ClassCount);
        var c = Enumerable.Repeat((double)options.InitialConstant, n).ToArray();
        var lower = new double[n];
        var upper = Enumerable.Repeat(1e10, n).ToArray();
        var bestL2 = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        var best = (float[])x0.Clone();

        for (int search = 0; search < options.BinarySearchSteps; search++)
        {
            var w = (float[])w0.Clone();
            var m = new float[w.Length];
            var v = new float[w.Length];
            var succeeded = new bool[n];
            var constant = Tensor.FromArray(c.Select(e => (float)e).ToArray(), n);
            double previous = double.PositiveInfinity;
            int checkEvery = Math.Max(1, options.MaxIterations / 10);
            for (int it = 0; it < options.MaxIterations; it++)
            {
                // Each iteration's tensors die with it (results are copied into arrays), so the arena
                // recycles the forward and backward buffers between iterations.
                using var arena = TensorArena.Begin();
                var wt = Tensor.FromArray(w, shape).RequiresGradient();
                var adv = TanhSpace.ToInput(wt, context.Bounds);
                var z = model.Forward(adv);
                context.CountGradients(n);
                var margin = AdversarialLoss.CarliniWagnerMargin(z, oneHot, criterion.Targeted);
                var f = margin.Add(options.Confidence).Relu();
                var l2 = adv.Sub(Tensor.FromArray(x0, shape)).Square().Reshape(n, d).Sum(1);
                var loss = l2.Add(constant.Mul(f)).Sum();
                var grad = Tape.Grad(loss, [wt])[0].ToArray();
                TanhSpace.AdamStep(w, grad, m, v, it + 1, options.LearningRate);

                var zs = z.Detach();
                var hit = criterion.IsAdversarial(zs);
                var margins = margin.Detach().AsReadOnlySpan();
                var dist = l2.Detach().AsReadOnlySpan();
                var advValues = adv.Detach().AsReadOnlySpan();
                for (int i = 0; i < n; i++)
                {
                    if (!hit[i] || margins[i] > -options.Confidence)
                        continue;
                    succeeded[i] = true;
                    if (dist[i] < bestL2[i])
                    {
                        bestL2[i] = dist[i];
                        advValues.Slice(i * d, d).CopyTo(best.AsSpan(i * d, d));
                    }
                }
                if (options.AbortEarly && it % checkEvery == 0)
                {
                    double current = loss.Item();
                    if (current > previous * 0.9999)
                        break;
                    previous = current;
                }
            }
            for (int i = 0; i < n; i++)
            {
                if (succeeded[i])
                {
                    upper[i] = Math.Min(upper[i], c[i]);
                    c[i] = (lower[i] + upper[i]) / 2;
                }
                else
                {
                    lower[i] = Math.Max(lower[i], c[i]);
                    c[i] = upper[i] < 1e9 ? (lower[i] + upper[i]) / 2 : c[i] * 10;
                }
            }
        }
        return Tensor.FromArray(best, shape);
    }
}
