using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>One attack the catalogue can build by name.</summary>
/// <param name="Name">The name users type.</param>
/// <param name="NeedsGradients">White-box (needs an IGradientClassifier) or black-box.</param>
/// <param name="Norms">The norms it supports.</param>
/// <param name="Summary">One line: what it does and the paper.</param>
/// <param name="Create">Builds the attack from user settings.</param>
public sealed record AttackEntry(string Name, bool NeedsGradients, IReadOnlyList<NormKind> Norms, string Summary, Func<AttackSettings, EvasionAttack> Create);

/// <summary>
/// The evasion attacks by name: an explicit table (no reflection), used by the CLI and by scans.
/// Options a user does not set keep the papers' defaults.
/// </summary>
public static class AttackCatalog
{
    private static readonly NormKind[] LinfOnly = [NormKind.Linf];

    /// <summary>Every attack, in the order help lists them.</summary>
    public static IReadOnlyList<AttackEntry> All { get; } =
    [
        new("fgsm", true, [NormKind.Linf, NormKind.L2], "one signed gradient step (Goodfellow et al. 2015)", s => new Fgsm(new FgsmOptions
        {
            Epsilon = s.Epsilon ?? new FgsmOptions().Epsilon, Norm = s.Norm, BatchSize = s.BatchSize ?? new FgsmOptions().BatchSize,
        })),
        new("bim", true, LinfOnly, "iterated FGSM without random start (Kurakin et al. 2017)", s => new Bim(new BimOptions
        {
            Epsilon = s.Epsilon ?? new BimOptions().Epsilon, Steps = s.Steps, BatchSize = s.BatchSize ?? new BimOptions().BatchSize,
        })),
        new("pgd", true, [NormKind.Linf, NormKind.L2, NormKind.L1], "projected gradient descent with random start (Madry et al. 2018)", s => new Pgd(new PgdOptions
        {
            Epsilon = s.Epsilon ?? new PgdOptions().Epsilon, Norm = s.Norm, Steps = s.Steps ?? new PgdOptions().Steps, Seed = s.Seed,
            BatchSize = s.BatchSize ?? new PgdOptions().BatchSize,
        })),
        new("mi-fgsm", true, LinfOnly, "momentum iterative FGSM (Dong et al. 2018)", s => new MiFgsm(new MiFgsmOptions
        {
            Epsilon = s.Epsilon ?? new MiFgsmOptions().Epsilon, Steps = s.Steps ?? new MiFgsmOptions().Steps, BatchSize = s.BatchSize ?? new MiFgsmOptions().BatchSize,
        })),
        new("apgd-ce", true, [NormKind.Linf, NormKind.L2], "auto-PGD on cross-entropy (Croce & Hein 2020)", s => Apgd(s, AdversarialLossKind.CrossEntropy)),
        new("apgd-dlr", true, [NormKind.Linf, NormKind.L2], "auto-PGD on the difference of logits ratio (Croce & Hein 2020)", s => Apgd(s, AdversarialLossKind.Dlr)),
        new("deepfool", true, [NormKind.L2], "minimum L2 step to the linearised boundary (Moosavi-Dezfooli et al. 2016)", s => new DeepFool(new DeepFoolOptions
        {
            MaxIterations = s.Steps ?? new DeepFoolOptions().MaxIterations, BatchSize = s.BatchSize ?? new DeepFoolOptions().BatchSize,
        })),
        new("cw-l2", true, [NormKind.L2], "Carlini-Wagner L2 with binary search over c (Carlini & Wagner 2017)", s => new CarliniWagnerL2(new CarliniWagnerL2Options
        {
            MaxIterations = s.Steps ?? new CarliniWagnerL2Options().MaxIterations, BatchSize = s.BatchSize ?? new CarliniWagnerL2Options().BatchSize,
        })),
        new("cw-linf", true, LinfOnly, "Carlini-Wagner L-inf with the shrinking-tau penalty (Carlini & Wagner 2017)", s => new CarliniWagnerLinf(new CarliniWagnerLinfOptions
        {
            MaxIterations = s.Steps ?? new CarliniWagnerLinfOptions().MaxIterations, BatchSize = s.BatchSize ?? new CarliniWagnerLinfOptions().BatchSize,
        })),
        new("square", false, [NormKind.Linf, NormKind.L2], "score-based random square search (Andriushchenko et al. 2020)", s => new SquareAttack(new SquareAttackOptions
        {
            Epsilon = s.Epsilon ?? new SquareAttackOptions().Epsilon, Norm = s.Norm, MaxQueries = s.MaxQueries ?? new SquareAttackOptions().MaxQueries, Seed = s.Seed,
            BatchSize = s.BatchSize ?? new SquareAttackOptions().BatchSize,
        })),
        new("hopskipjump", false, [NormKind.L2, NormKind.Linf], "decision-based, minimum norm (Chen, Jordan & Wainwright 2020)", s => new HopSkipJump(new HopSkipJumpOptions
        {
            Norm = s.Norm, MaxQueries = s.MaxQueries ?? new HopSkipJumpOptions().MaxQueries, Seed = s.Seed, BatchSize = s.BatchSize ?? new HopSkipJumpOptions().BatchSize,
        })),
        new("boundary", false, [NormKind.L2], "decision-based random walk along the boundary (Brendel et al. 2018)", s => new BoundaryAttack(new BoundaryAttackOptions
        {
            MaxQueries = s.MaxQueries ?? new BoundaryAttackOptions().MaxQueries, Seed = s.Seed, BatchSize = s.BatchSize ?? new BoundaryAttackOptions().BatchSize,
        })),
        new("simba", false, [NormKind.L2], "simple black-box attack in the DCT basis (Guo et al. 2019)", s => new Simba(new SimbaOptions
        {
            Epsilon = s.Epsilon, MaxQueries = s.MaxQueries ?? new SimbaOptions().MaxQueries, Seed = s.Seed, BatchSize = s.BatchSize ?? new SimbaOptions().BatchSize,
        })),
        new("nes", false, LinfOnly, "NES gradient estimation + PGD (Ilyas et al. 2018)", s => new NesPgd(new NesPgdOptions
        {
            Epsilon = s.Epsilon ?? new NesPgdOptions().Epsilon, MaxQueries = s.MaxQueries ?? new NesPgdOptions().MaxQueries, Seed = s.Seed,
            BatchSize = s.BatchSize ?? new NesPgdOptions().BatchSize,
        })),
    ];

    /// <summary>The attack called <paramref name="name"/>, built with <paramref name="settings"/>.</summary>
    /// <exception cref="BulwarkInputException">No such attack, or a norm it does not support.</exception>
    public static EvasionAttack Create(string name, AttackSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var entry = Find(name);
        if (!entry.Norms.Contains(settings.Norm))
            throw new BulwarkInputException($"attack '{name}' supports the {string.Join(", ", entry.Norms.Select(Describe))} norm(s), not {Describe(settings.Norm)}");
        if (settings.Epsilon is { } e)
            AttackInput.CheckEpsilon(e);
        if (settings.Steps is < 1)
            throw new BulwarkInputException($"steps must be at least 1, got {settings.Steps}");
        if (settings.MaxQueries is < 1)
            throw new BulwarkInputException($"the query budget must be at least 1, got {settings.MaxQueries}");
        return entry.Create(settings);
    }

    /// <summary>The entry called <paramref name="name"/>.</summary>
    public static AttackEntry Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new BulwarkInputException($"no attack called '{name}'; the attacks are {string.Join(", ", All.Select(a => a.Name))}");

    /// <summary>The CLI spelling of a norm: inf, 2 or 1.</summary>
    public static string Describe(NormKind norm) => norm switch { NormKind.Linf => "inf", NormKind.L2 => "2", _ => "1" };

    /// <summary>Parses inf/linf/2/l2/1/l1.</summary>
    public static NormKind ParseNorm(string text) => text.ToUpperInvariant() switch
    {
        "INF" or "LINF" => NormKind.Linf,
        "2" or "L2" => NormKind.L2,
        "1" or "L1" => NormKind.L1,
        _ => throw new BulwarkInputException($"norm '{text}' is not one of inf, 2, 1"),
    };

    private static Apgd Apgd(AttackSettings s, AdversarialLossKind loss) => new(new ApgdOptions
    {
        Epsilon = s.Epsilon ?? new ApgdOptions().Epsilon, Norm = s.Norm, Steps = s.Steps ?? new ApgdOptions().Steps, Loss = loss, Seed = s.Seed,
        BatchSize = s.BatchSize ?? new ApgdOptions().BatchSize,
    });
}
