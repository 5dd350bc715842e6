using Bulwark.Engine.Autograd;

namespace Bulwark.Engine.Nn;

/// <summary>
/// Batch normalisation (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating Deep Network
/// Training by Reducing Internal Covariate Shift") over axis 1 of its input. In training it
/// normalises with the batch's mean and biased variance, and folds the batch mean and
/// <em>unbiased</em> variance into running estimates: r ← (1 − m)·r + m·batch, with m =
/// <see cref="Momentum"/> (0.1), or the cumulative average when the momentum is null. In
/// evaluation it uses the running estimates. γ (weight) starts at 1 and β (bias) at 0.
/// </summary>
/// <remarks>
/// Buffers are named as PyTorch names them (running_mean, running_var, num_batches_tracked) so
/// checkpoints match; num_batches_tracked is stored as a float32 scalar. The gradient flows
/// through the batch statistics, since they are computed with recorded tensor operations.
/// </remarks>
public abstract class BatchNorm : Module
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    protected BatchNorm(int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats)
    {
        Init.CheckPositive(numFeatures, $"{GetType().Name}: numFeatures");
        if (!(eps > 0f))
        {
            throw new BulwarkInputException($"{GetType().Name}: eps must be positive, got {eps}.");
        }
        if (momentum is { } mo && !(mo >= 0f && mo <= 1f))
        {
            throw new BulwarkInputException($"{GetType().Name}: momentum must lie in [0, 1], got {mo}.");
        }
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    /// <summary>The number of channels (the size of axis 1).</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>Weight of the newest batch in the running estimates; null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>γ, shape [C]; null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, shape [C]; null without affine parameters.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean, shape [C]; null when running statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running unbiased variance, shape [C]; null when running statistics are not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>How many training batches have updated the running estimates (a float scalar).</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Throws unless the input's rank is one this layer accepts.</summary>
    protected abstract void CheckRank(Tensor x);

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckRank(x);
        if (x.Dim(1) != NumFeatures)
        {
            throw new BulwarkInputException($"{GetType().Name}: expected {NumFeatures} channels on axis 1, got {ShapeUtil.Format(x.Shape)}.");
        }
        var axes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
        var channelShape = Enumerable.Repeat(1, x.Rank).ToArray();
        channelShape[1] = NumFeatures;

        Tensor normalised;
        if (IsTraining || RunningMean is null)
        {
            int perChannel = x.Size / NumFeatures;
            if (IsTraining && perChannel <= 1)
            {
                throw new BulwarkInputException($"{GetType().Name}: training needs more than one value per channel, got {ShapeUtil.Format(x.Shape)}.");
            }
            var mean = x.Mean(axes, keepDim: true);
            var centred = x.Sub(mean);
            var variance = centred.Square().Mean(axes, keepDim: true);
            if (IsTraining && RunningMean is not null)
            {
                UpdateRunningStats(mean, variance, perChannel);
            }
            normalised = centred.Div(variance.Add(Eps).Sqrt());
        }
        else
        {
            var mean = RunningMean.Reshape(channelShape);
            var std = RunningVar!.Add(Eps).Sqrt().Reshape(channelShape);
            normalised = x.Sub(mean).Div(std);
        }
        if (Weight is null)
        {
            return normalised;
        }
        return normalised.Mul(Weight.Reshape(channelShape)).Add(Bias!.Reshape(channelShape));
    }

    private void UpdateRunningStats(Tensor batchMean, Tensor batchVariance, int perChannel)
    {
        float[] mean;
        float[] variance;
        using (Tape.NoGrad())
        {
            mean = batchMean.ToArray();
            variance = batchVariance.ToArray();
        }
        var tracked = NumBatchesTracked!.Span;
        tracked[0] += 1f;
        float m = Momentum ?? (1f / tracked[0]);
        float bessel = perChannel / (perChannel - 1f);
        var rm = RunningMean!.Span;
        var rv = RunningVar!.Span;
        for (int c = 0; c < NumFeatures; c++)
        {
            rm[c] = ((1f - m) * rm[c]) + (m * mean[c]);
            rv[c] = ((1f - m) * rv[c]) + (m * variance[c] * bessel);
        }
    }
}

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs; see <see cref="BatchNorm"/>.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <inheritdoc />
    protected override void CheckRank(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank is not (2 or 3))
        {
            throw new BulwarkInputException($"BatchNorm1d: expected [N, C] or [N, C, L], got {ShapeUtil.Format(x.Shape)}.");
        }
    }
}

/// <summary>Batch normalisation of [N, C, H, W] inputs, statistics per channel over N, H and W; see <see cref="BatchNorm"/>.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <inheritdoc />
    protected override void CheckRank(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4)
        {
            throw new BulwarkInputException($"BatchNorm2d: expected [N, C, H, W], got {ShapeUtil.Format(x.Shape)}.");
        }
    }
}
