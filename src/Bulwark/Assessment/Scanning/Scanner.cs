using Bulwark.Assessment.Scenarios;
using Bulwark.Engine;
using System.Diagnostics;
using Bulwark.Threats;

namespace Bulwark.Assessment;

/// <summary>Settings of one scan.</summary>
public sealed record ScanOptions
{
    /// <summary>The effort; <see cref="ScanBudget.Standard"/> by default.</summary>
    public ScanBudget Budget { get; init; } = ScanBudget.Standard;

    /// <summary>The seed of every random choice.</summary>
    public ulong Seed { get; init; }

    /// <summary>The reference L∞ budget of the evasion scenarios; 0.1 of the input range for images and 0.05 for tables when null.</summary>
    public float? Epsilon { get; init; }

    /// <summary>The threats to assess; all fifteen when null. The others appear as "not requested".</summary>
    public IReadOnlyCollection<ThreatId>? Threats { get; init; }

    /// <summary>The scenarios to choose from; <see cref="Scanner.DefaultScenarios"/> when null.</summary>
    public IReadOnlyList<IScenario>? Scenarios { get; init; }

    /// <summary>The clock (tests freeze it so that reports are byte-identical).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>One scenario the plan will run on one target.</summary>
/// <param name="TargetIndex">Index of the target.</param>
/// <param name="Scenario">The scenario.</param>
public sealed record PlannedScenario(int TargetIndex, IScenario Scenario);

/// <summary>What a scan will do: the scenarios that fit each target, and every other threat with the reason it is not assessed.</summary>
public sealed class ScanPlan
{
    internal ScanPlan(IReadOnlyList<ScanTarget> targets, ScanOptions options, IReadOnlyList<PlannedScenario> runs, IReadOnlyDictionary<(int, ThreatId), string> notAssessed)
    {
        Targets = targets;
        Options = options;
        Runs = runs;
        NotAssessed = notAssessed;
    }

    /// <summary>The targets.</summary>
    public IReadOnlyList<ScanTarget> Targets { get; }

    /// <summary>The options.</summary>
    public ScanOptions Options { get; }

    /// <summary>The scenarios to run, target by target, in threat order.</summary>
    public IReadOnlyList<PlannedScenario> Runs { get; }

    /// <summary>(target index, threat) → why it will not be assessed.</summary>
    public IReadOnlyDictionary<(int Target, ThreatId Threat), string> NotAssessed { get; }
}

/// <summary>Progress of a running scan, for a live display.</summary>
/// <param name="Run">The planned scenario, as in <see cref="ScanPlan.Runs"/>.</param>
/// <param name="Fraction">How far it is, in [0, 1].</param>
/// <param name="Stage">What it is doing.</param>
/// <param name="Finished">The finding, once it is done.</param>
public sealed record ScanProgress(PlannedScenario Run, double Fraction, string Stage, Finding? Finished = null);

/// <summary>
/// Plans and runs a scan: every threat of the catalogue on every target, each either run by the
/// scenarios that fit or reported as not assessed with the reason. A scenario that throws becomes
/// an error finding and the others still run.
/// </summary>
public static class Scanner
{
    /// <summary>The scenarios of this version: the model-file scan (T6), white-box evasion (T7), black-box evasion and good words (T8).</summary>
    public static IReadOnlyList<IScenario> DefaultScenarios { get; } =
        [new ModelFileScenario(), new WhiteBoxEvasionScenario(), new BlackBoxEvasionScenario(), new GoodWordScenario()];

    /// <summary>Decides what runs on which target. Validates the targets first.</summary>
    public static ScanPlan Plan(IReadOnlyList<ScanTarget> targets, ScanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new ScanOptions();
        if (options.Epsilon is { } eps && !(float.IsFinite(eps) && eps > 0))
            throw new BulwarkInputException($"scan: the reference budget ε must be a positive number, got {eps}");
        if (targets.Count == 0)
            throw new BulwarkInputException("scan: no targets");
        foreach (var t in targets)
            t.Validate();
        var duplicate = targets.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new BulwarkInputException($"scan: two targets are both called '{duplicate.Key}'");
        var scenarios = options.Scenarios ?? DefaultScenarios;
        var requested = options.Threats?.ToHashSet();
        var runs = new List<PlannedScenario>();
        var skipped = new Dictionary<(int, ThreatId), string>();
        for (int i = 0; i < targets.Count; i++)
        {
            foreach (var threat in ThreatCatalog.All)
            {
                if (requested is not null && !requested.Contains(threat.Id))
                {
                    skipped[(i, threat.Id)] = $"not requested (--threats {string.Join(",", requested.Order())})";
                    continue;
                }
                var candidates = scenarios.Where(s => s.Threat == threat.Id).ToArray();
                if (candidates.Length == 0)
                {
                    skipped[(i, threat.Id)] = threat.AssessedBy.Assessable
                        ? "no scenario for it in this scan"
                        : threat.AssessedBy.Description;
                    continue;
                }
                var fitting = candidates.Where(s => s.Unfit(targets[i]) is null).ToArray();
                if (fitting.Length == 0)
                    skipped[(i, threat.Id)] = "not assessed for this target: " + string.Join("; ", candidates.Select(s => s.Unfit(targets[i])).Distinct());
                runs.AddRange(fitting.Select(s => new PlannedScenario(i, s)));
            }
        }
        return new ScanPlan(targets, options, runs, skipped);
    }

    /// <summary>Plans and runs a scan.</summary>
    public static ScanReport Run(IReadOnlyList<ScanTarget> targets, ScanOptions? options = null, IProgress<ScanProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(Plan(targets, options), progress, cancellation);

    /// <summary>Runs a plan: scenarios one after another, each failure caught and reported.</summary>
    public static ScanReport Run(ScanPlan plan, IProgress<ScanProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var options = plan.Options;
        var clock = options.Clock;
        var started = clock.GetUtcNow();
        long startTicks = clock.GetTimestamp();
        var produced = new Dictionary<PlannedScenario, Finding>();
        foreach (var run in plan.Runs)
        {
            cancellation.ThrowIfCancellationRequested();
            var target = plan.Targets[run.TargetIndex];
            var threat = ThreatCatalog.Get(run.Scenario.Threat);
            var context = new ScenarioContext(options.Budget, options.Seed, (f, stage) => progress?.Report(new ScanProgress(run, f, stage)), cancellation)
            {
                Epsilon = options.Epsilon,
            };
            long t0 = clock.GetTimestamp();
            Finding finding;
            try
            {
                context.Report(0, "starting");
                finding = run.Scenario.Run(target, context) with { Threat = threat, Scenario = run.Scenario.Name };
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                finding = new Finding
                {
                    Threat = threat,
                    Status = FindingStatus.Error,
                    Scenario = run.Scenario.Name,
                    Title = "the scenario failed",
                    Reason = $"{e.GetType().Name}: {e.Message}",
                };
            }
            finding = finding with { Duration = clock.GetElapsedTime(t0) };
            produced[run] = finding;
            progress?.Report(new ScanProgress(run, 1, "done", finding));
        }

        var reports = new List<TargetReport>();
        for (int i = 0; i < plan.Targets.Count; i++)
        {
            var target = plan.Targets[i];
            var findings = new List<Finding>();
            foreach (var threat in ThreatCatalog.All)
            {
                if (plan.NotAssessed.TryGetValue((i, threat.Id), out var reason))
                    findings.Add(Finding.NotAssessed(threat, reason));
                findings.AddRange(plan.Runs.Where(r => r.TargetIndex == i && r.Scenario.Threat == threat.Id).Select(r => produced[r]));
            }
            reports.Add(new TargetReport
            {
                Name = target.Name,
                ModelPath = target.ModelPath,
                Endpoint = target.Endpoint,
                ModelSha256 = target.ModelPath is { } p && File.Exists(p) ? FileHash.Sha256(p) : null,
                Access = target.Access,
                Modality = target.Modality,
                DataName = target.DataName ?? target.Data?.Name ?? target.Text!.Messages.Name,
                Samples = target.Data?.Count ?? target.Text!.Messages.Count,
                ClassCount = target.Model.ClassCount,
                InputShape = target.Model.InputShape.ToArray(),
                Findings = findings,
            });
        }
        return new ScanReport
        {
            StartedUtc = started,
            Duration = clock.GetElapsedTime(startTicks),
            Budget = options.Budget.Name,
            Seed = options.Seed,
            RequestedThreats = options.Threats?.Order().ToArray() ?? ThreatCatalog.All.Select(t => t.Id).ToArray(),
            Targets = reports,
        };
    }
}
