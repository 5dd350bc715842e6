using Bulwark.Engine;
namespace Bulwark.Assessment;

/// <summary>
/// How much effort a scan spends: samples attacked, attack iterations and query budgets.
/// <see cref="Quick"/> is for a pull-request gate, <see cref="Standard"/> for a nightly run,
/// <see cref="Thorough"/> for a release review. docs/scan.md lists the numbers.
/// </summary>
public sealed record ScanBudget
{
    /// <summary>"quick", "standard" or "thorough".</summary>
    public required string Name { get; init; }

    /// <summary>Samples attacked by white-box scenarios (the first correctly classified ones).</summary>
    public required int WhiteBoxSamples { get; init; }

    /// <summary>PGD iterations at each budget of the curve.</summary>
    public required int PgdSteps { get; init; }

    /// <summary>Samples attacked by black-box scenarios.</summary>
    public required int BlackBoxSamples { get; init; }

    /// <summary>Queries allowed per sample for black-box image and tabular attacks.</summary>
    public required int MaxQueries { get; init; }

    /// <summary>Caught spam messages the good-word scenario attacks.</summary>
    public required int TextMessages { get; init; }

    /// <summary>The most words added to one message.</summary>
    public required int MaxWords { get; init; }

    /// <summary>Whether the white-box scenario also runs the gradient-masking sanity checks (more effort, unbounded budget).</summary>
    public required bool SanityChecks { get; init; }

    /// <summary>A pull-request gate: a minute or less on a small model.</summary>
    public static ScanBudget Quick { get; } = new()
    {
        Name = "quick", WhiteBoxSamples = 64, PgdSteps = 10, BlackBoxSamples = 16, MaxQueries = 300, TextMessages = 40, MaxWords = 50, SanityChecks = false,
    };

    /// <summary>The default, and the demo's.</summary>
    public static ScanBudget Standard { get; } = new()
    {
        Name = "standard", WhiteBoxSamples = 200, PgdSteps = 20, BlackBoxSamples = 32, MaxQueries = 1000, TextMessages = 100, MaxWords = 100, SanityChecks = true,
    };

    /// <summary>A release review: more samples, iterations and queries.</summary>
    public static ScanBudget Thorough { get; } = new()
    {
        Name = "thorough", WhiteBoxSamples = 1000, PgdSteps = 50, BlackBoxSamples = 100, MaxQueries = 5000, TextMessages = 300, MaxWords = 300, SanityChecks = true,
    };

    /// <summary>The three budgets, by name.</summary>
    public static IReadOnlyList<ScanBudget> All { get; } = [Quick, Standard, Thorough];

    /// <summary>The budget called <paramref name="name"/>.</summary>
    public static ScanBudget Parse(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new BulwarkInputException($"budget '{name}' is not one of {string.Join(", ", All.Select(b => b.Name))}");
}
