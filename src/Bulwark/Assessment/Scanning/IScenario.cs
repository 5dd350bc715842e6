using Bulwark.Threats;

namespace Bulwark.Assessment;

/// <summary>What a running scenario is given besides its target.</summary>
public sealed class ScenarioContext
{
    private readonly Action<double, string>? progress;

    /// <summary>A context with the budget, seed and an optional progress listener (fraction done in [0, 1], stage).</summary>
    public ScenarioContext(ScanBudget budget, ulong seed, Action<double, string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(budget);
        Budget = budget;
        Seed = seed;
        this.progress = progress;
        Cancellation = cancellation;
    }

    /// <summary>The effort allowed.</summary>
    public ScanBudget Budget { get; }

    /// <summary>The seed of every random choice.</summary>
    public ulong Seed { get; }

    /// <summary>The reference L∞ budget of evasion scenarios, when the user set one.</summary>
    public float? Epsilon { get; init; }

    /// <summary>Cancels the scan between stages.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Tells the listener how far the scenario is, and checks for cancellation.</summary>
    public void Report(double fraction, string stage)
    {
        Cancellation.ThrowIfCancellationRequested();
        progress?.Invoke(Math.Clamp(fraction, 0, 1), stage);
    }
}

/// <summary>
/// One threat of the catalogue run end to end against a target: the attack, the measurement and
/// the defences that apply, giving a <see cref="Finding"/>.
/// </summary>
public interface IScenario
{
    /// <summary>The threat it assesses.</summary>
    ThreatId Threat { get; }

    /// <summary>A stable name, such as "pgd-robustness".</summary>
    string Name { get; }

    /// <summary>Null when the scenario fits <paramref name="target"/>; otherwise why not ("the model gives no gradients").</summary>
    string? Unfit(ScanTarget target);

    /// <summary>Runs the scenario. Exceptions become an error finding; the scan goes on.</summary>
    Finding Run(ScanTarget target, ScenarioContext context);
}
