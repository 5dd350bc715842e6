using Bulwark.Engine;
using Bulwark.Engine.Autograd;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="CarliniWagnerLinf"/>; defaults are the authors' released code.</summary>
public sealed record CarliniWagnerLinfOptions
{
    /// <summary>Adam learning rate (5·10⁻³).</summary>
    public float LearningRate { get; init; } = 5e-3f;

    /// <summary>Adam iterations per (τ, c) problem (1,000), stopped once the sample is adversarial.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>The starting constant c (10⁻⁵).</summary>
    public float InitialConstant { get; init; } = 1e-5f;

    /// <summary>The largest constant tried before giving up on a τ (20).</summary>
    public float LargestConstant { get; init; } = 20f;

    /// <summary>Factor c grows by when a problem fails (2).</summary>
    public float ConstantFactor { get; init; } = 2f;

    /// <summary>Factor τ shrinks by after a success (0.9).</summary>
    public float TauDecrease { get; init; } = 0.9f;

    /// <summary>Outer rounds (τ decreases and c increases together) at most.</summary>
    public int MaxRounds { get; init; } = 60;

    /// <summary>Confidence κ: the logit margin demanded beyond the boundary (0).</summary>
    public float Confidence { get; init; }

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 128;
}

/// <summary>
/// Carlini &amp; Wagner's L∞ attack ("Towards Evaluating the Robustness of Neural Networks", IEEE
/// S&amp;P 2017). Threat T7; minimum-norm L∞, targeted or not. The L∞ norm is not differentiable in
/// a useful way, so it is replaced by the penalty Σᵢ max(|δᵢ| − τ, 0): each round solves
/// min c·f(x + δ) + Σ max(|δ| − τ, 0) in tanh space with Adam (warm-started), where f is the C&amp;W
/// margin loss. A success shrinks τ below the current L∞ (×0.9) and keeps the point; a failure
/// doubles c, up to 20, after which the sample keeps its last success.
/// </summary>
public sealed class CarliniWagnerLinf(CarliniWagnerLinfOptions? options = null) : EvasionAttack("cw-linf", NormKind.Linf, (options ?? new()).BatchSize, 0)
{
    private readonly CarliniWagnerLinfOptions options = options ?? new();

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
        var shape = x.Shape.ToArray();
        var x0 = x.ToArray();
        var w = TanhSpace.From(x0, context.Bounds);
        var oneHot = Tensor.OneHot(criterion.Labels, model.ClassCount);
        var tau = Enumerable.Repeat(context.Bounds.Range, n).ToArray();
        var c = Enumerable.Repeat(options.InitialConstant, n).ToArray();
        var done = new bool[n];
        var best = (float[])x0.Clone();
        var original = Tensor.FromArray(x0, shape);
        int[] rowShape = [n, .. Enumerable.Repeat(1, x.Rank - 1)];

        for (int round = 0; round < options.MaxRounds && done.Any(v => !v); round++)
        {
            var m = new float[w.Length];
            var v = new float[w.Length];
            var tauT = Tensor.FromArray(tau, rowShape);
            var cT = Tensor.FromArray(c, n);
            var success = new bool[n];
            var point = new float[x0.Length];
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
                var excess = adv.Sub(original).Abs().Sub(tauT).Relu().Reshape(n, d).Sum(1);
                var loss = cT.Mul(f).Add(excess).Sum();
                var grad = Tape.Grad(loss, [wt])[0].ToArray();

                var hit = criterion.IsAdversarial(z.Detach());
                var margins = margin.Detach().AsReadOnlySpan();
                var values = adv.Detach().AsReadOnlySpan();
                bool pending = false;
                for (int i = 0; i < n; i++)
                {
                    if (done[i] || success[i])
                        continue;
                    if (hit[i] && margins[i] <= -options.Confidence)
                    {
                        success[i] = true;
                        values.Slice(i * d, d).CopyTo(point.AsSpan(i * d, d));
                        continue;
                    }
                    pending = true;
                }
                if (!pending)
                    break;
                TanhSpace.AdamStep(w, grad, m, v, it + 1, options.LearningRate, d, row => success[row] || done[row]);
            }
            for (int i = 0; i < n; i++)
            {
                if (done[i])
                    continue;
                if (success[i])
                {
                    point.AsSpan(i * d, d).CopyTo(best.AsSpan(i * d, d));
                    float linf = 0;
                    for (int e = 0; e < d; e++)
                        linf = Math.Max(linf, Math.Abs(point[(i * d) + e] - x0[(i * d) + e]));
                    tau[i] = Math.Min(tau[i], linf) * options.TauDecrease;
                    if (tau[i] < 1e-6f)
                        done[i] = true;
                }
                else
                {
                    c[i] *= options.ConstantFactor;
                    if (c[i] > options.LargestConstant)
                        done[i] = true;
                }
            }
        }
        return Tensor.FromArray(best, shape);
    }
}
