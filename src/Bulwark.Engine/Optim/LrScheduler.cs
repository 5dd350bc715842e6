namespace Bulwark.Engine.Optim;

/// <summary>
/// A learning-rate schedule: a pure function of the epoch (<see cref="LearningRateAt"/>) plus the
/// small state of which epoch it is. Created at epoch 0 with the optimiser's current rate as the
/// base; each <see cref="Step"/> advances one epoch and writes the new rate into the optimiser.
/// </summary>
public abstract class LrScheduler
{
    /// <summary>Binds the schedule to an optimiser, taking its current learning rate as the base.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimiser whose rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The rate at epoch 0.</summary>
    public float BaseLearningRate { get; }

    /// <summary>The current epoch (PyTorch's <c>last_epoch</c>); 0 before the first step.</summary>
    public int Epoch { get; private set; }

    /// <summary>The rate the schedule gives at an epoch, in closed form.</summary>
    public abstract float LearningRateAt(int epoch);

    /// <summary>Advances one epoch and sets the optimiser's rate.</summary>
    public void Step() => SetEpoch(Epoch + 1);

    /// <summary>Jumps to an epoch (to resume from a checkpoint) and sets the optimiser's rate.</summary>
    public void SetEpoch(int epoch)
    {
        if (epoch < 0)
        {
            throw new BulwarkInputException($"{GetType().Name}: epoch must be non-negative, got {epoch}.");
        }
        Epoch = epoch;
        Optimizer.LearningRate = LearningRateAt(epoch);
    }
}

/// <summary>Multiplies the rate by γ every <see cref="StepSize"/> epochs: η·γ^⌊epoch / stepSize⌋ (PyTorch's StepLR).</summary>
public sealed class StepLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        if (stepSize <= 0)
        {
            throw new BulwarkInputException($"StepLR: stepSize must be positive, got {stepSize}.");
        }
        if (!(gamma >= 0f) || !float.IsFinite(gamma))
        {
            throw new BulwarkInputException($"StepLR: gamma must be finite and non-negative, got {gamma}.");
        }
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float LearningRateAt(int epoch) => (float)(BaseLearningRate * Math.Pow(Gamma, epoch / StepSize));
}

/// <summary>
/// Cosine annealing (Loshchilov &amp; Hutter 2017, "SGDR") without restarts, in PyTorch's closed form:
/// η_min + (η − η_min)·(1 + cos(π·epoch / T_max)) / 2. Past T_max the cosine continues, as
/// PyTorch's closed form does.
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        if (tMax <= 0)
        {
            throw new BulwarkInputException($"CosineAnnealingLR: tMax must be positive, got {tMax}.");
        }
        if (!(etaMin >= 0f) || !float.IsFinite(etaMin))
        {
            throw new BulwarkInputException($"CosineAnnealingLR: etaMin must be finite and non-negative, got {etaMin}.");
        }
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>Epochs from the base rate down to η_min.</summary>
    public int TMax { get; }

    /// <summary>The lowest rate η_min.</summary>
    public float EtaMin { get; }

    /// <inheritdoc />
    public override float LearningRateAt(int epoch) =>
        (float)(EtaMin + ((BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2));
}
