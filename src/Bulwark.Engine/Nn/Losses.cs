namespace Bulwark.Engine.Nn;

/// <summary>How a loss combines its per-element values.</summary>
public enum Reduction
{
    /// <summary>The mean over all elements (over the batch for per-sample losses).</summary>
    Mean,

    /// <summary>The sum over all elements.</summary>
    Sum,

    /// <summary>No reduction: the per-sample (or per-element) values.</summary>
    None,
}

/// <summary>How <see cref="Losses.KLDiv"/> combines its per-element values.</summary>
public enum KLDivReduction
{
    /// <summary>The sum divided by the batch size (axis 0): the true KL divergence per sample.</summary>
    BatchMean,

    /// <summary>The mean over all elements (PyTorch's default, which divides by the class count too).</summary>
    Mean,

    /// <summary>The sum over all elements.</summary>
    Sum,

    /// <summary>The per-element values.</summary>
    None,
}

/// <summary>
/// Loss functions, written in recorded tensor operations (with the fused log-softmax), so each is
/// differentiable to any order in its float inputs — what input-gradient attacks and
/// gradient-penalty defences need. Inputs are validated with <see cref="BulwarkInputException"/>.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices [N]: −log softmax(x)[y], and with
    /// label smoothing ε the target is (1 − ε)·one-hot + ε/C, i.e. (1 − ε)·nll + ε·mean_c(−log p_c)
    /// (Szegedy et al. 2016), as PyTorch computes it.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, LongTensor targets, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean)
    {
        CheckClassification(logits, targets, "CrossEntropy", reduction);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw new BulwarkInputException($"CrossEntropy: labelSmoothing must lie in [0, 1], got {labelSmoothing}.");
        }
        var logProbs = logits.LogSoftmax(1);
        var nll = PickNegated(logProbs, targets);
        var loss = labelSmoothing == 0f
            ? nll
            : nll.Mul(1f - labelSmoothing).Add(logProbs.Mean(1).Mul(-labelSmoothing));
        return Reduce(loss, reduction);
    }

    /// <summary>Negative log-likelihood of log-probabilities [N, C] at class indices [N]: −logProbs[n, yₙ].</summary>
    public static Tensor NllLoss(Tensor logProbs, LongTensor targets, Reduction reduction = Reduction.Mean)
    {
        CheckClassification(logProbs, targets, "NllLoss", reduction);
        return Reduce(PickNegated(logProbs, targets), reduction);
    }

    /// <summary>Squared error (x − y)² of same-shaped tensors.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(input, target, "MseLoss", reduction);
        return Reduce(input.Sub(target).Square(), reduction);
    }

    /// <summary>
    /// Binary cross-entropy of logits x against targets y ∈ [0, 1], computed as softplus(x) − x·y
    /// so neither a sigmoid nor a log of one is formed (stable for any |x|). With
    /// <paramref name="posWeight"/> p (broadcast over the last axis) the positive term is scaled:
    /// (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), PyTorch's <c>pos_weight</c>.
    /// </summary>
    public static Tensor BceWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
    {
        CheckSameShape(logits, targets, "BceWithLogits", reduction);
        Tensor loss;
        if (posWeight is null)
        {
            loss = logits.Softplus().Sub(logits.Mul(targets));
        }
        else
        {
            var scale = posWeight.Add(-1f).Mul(targets).Add(1f);
            loss = targets.RSub(1f).Mul(logits).Add(scale.Mul(logits.Neg().Softplus()));
        }
        return Reduce(loss, reduction);
    }

    /// <summary>
    /// Kullback–Leibler divergence KL(target ‖ input) with <paramref name="input"/> given as
    /// log-probabilities and <paramref name="target"/> as probabilities (or log-probabilities when
    /// <paramref name="logTarget"/>): Σ t·(log t − input), where t = 0 contributes 0.
    /// <see cref="KLDivReduction.BatchMean"/> is the mathematically correct per-sample divergence.
    /// </summary>
    public static Tensor KLDiv(Tensor input, Tensor target, KLDivReduction reduction = KLDivReduction.BatchMean, bool logTarget = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.Shape.SequenceEqual(target.Shape))
        {
            throw new BulwarkInputException($"KLDiv: input {ShapeUtil.Format(input.Shape)} and target {ShapeUtil.Format(target.Shape)} differ.");
        }
        if (reduction is KLDivReduction.BatchMean or KLDivReduction.Mean && input.Size == 0)
        {
            throw new BulwarkInputException("KLDiv: cannot average over an empty input.");
        }
        if (reduction == KLDivReduction.BatchMean && input.Rank == 0)
        {
            throw new BulwarkInputException("KLDiv: BatchMean needs a batch axis.");
        }
        Tensor pointwise;
        if (logTarget)
        {
            pointwise = target.Exp().Mul(target.Sub(input));
        }
        else
        {
            // t·log t with the convention 0·log 0 = 0: log is taken of t where t > 0 and of 1
            // elsewhere, so neither the value nor the gradient meets log 0.
            var positive = target.GreaterThan(0f);
            var safe = target.Mul(positive).Add(positive.RSub(1f));
            pointwise = target.Mul(safe.Log().Sub(input));
        }
        return reduction switch
        {
            KLDivReduction.BatchMean => pointwise.Sum().Mul(1f / input.Dim(0)),
            KLDivReduction.Mean => pointwise.Mean(),
            KLDivReduction.Sum => pointwise.Sum(),
            KLDivReduction.None => pointwise,
            _ => throw new BulwarkInputException($"KLDiv: unknown reduction {reduction}."),
        };
    }

    private static Tensor PickNegated(Tensor logProbs, LongTensor targets)
    {
        int n = targets.Size;
        var picked = logProbs.Gather(1, new LongTensor(targets.Data, n, 1));
        return picked.Reshape(n).Neg();
    }

    private static Tensor Reduce(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.Mean => loss.Mean(),
        Reduction.Sum => loss.Sum(),
        Reduction.None => loss,
        _ => throw new BulwarkInputException($"Unknown reduction {reduction}."),
    };

    private static void CheckClassification(Tensor scores, LongTensor targets, string what, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Rank != 2)
        {
            throw new BulwarkInputException($"{what}: expected scores of shape [N, C], got {ShapeUtil.Format(scores.Shape)}.");
        }
        if (targets.Rank != 1 || targets.Size != scores.Dim(0))
        {
            throw new BulwarkInputException($"{what}: targets {ShapeUtil.Format(targets.Shape)} must be [N] with N = {scores.Dim(0)}.");
        }
        if (scores.Dim(1) == 0)
        {
            throw new BulwarkInputException($"{what}: scores have no classes.");
        }
        targets.CheckRange(scores.Dim(1), $"{what} target class");
        CheckNotEmptyMean(scores.Dim(0), what, reduction);
    }

    private static void CheckSameShape(Tensor input, Tensor target, string what, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.Shape.SequenceEqual(target.Shape))
        {
            throw new BulwarkInputException($"{what}: input {ShapeUtil.Format(input.Shape)} and target {ShapeUtil.Format(target.Shape)} differ.");
        }
        CheckNotEmptyMean(input.Size, what, reduction);
    }

    private static void CheckNotEmptyMean(int count, string what, Reduction reduction)
    {
        if (count == 0 && reduction == Reduction.Mean)
        {
            throw new BulwarkInputException($"{what}: cannot average over an empty batch.");
        }
    }
}
