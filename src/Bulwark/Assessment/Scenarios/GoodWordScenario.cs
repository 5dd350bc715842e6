using System.Text.RegularExpressions;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Threats;

namespace Bulwark.Assessment.Scenarios;

/// <summary>
/// T8 (black-box evasion) on a text filter: the good-word attack of Lowd &amp; Meek ("Good Word
/// Attacks on Statistical Spam Filters", CEAS 2005). Of the held-out spam the filter catches, a
/// seeded sample gets words typical of legitimate mail appended, ranked by the active Best-N
/// strategy (which reads the filter's spam probability), until the filter lets it through or the
/// word budget runs out. Severity: the share that gets through (<see cref="SeverityRules.SuccessRate"/>).
/// Defence measured: output hardening, a filter that returns only its verdict, against which the
/// attacker falls back to the label-only First-N ranking.
/// </summary>
public sealed partial class GoodWordScenario : IScenario
{
    /// <inheritdoc />
    public ThreatId Threat => ThreatId.T8;

    /// <inheritdoc />
    public string Name => "good-word";

    /// <inheritdoc />
    public string? Unfit(ScanTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Text is null ? "the good-word attack needs a text model with its vectoriser" : null;
    }

    /// <inheritdoc />
    public Finding Run(ScanTarget target, ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        var text = target.Text!;
        var budget = context.Budget;
        context.Report(0.05, "finding the spam the filter catches");
        var spamTotal = text.Messages.Labels.Count(l => l == text.SpamClass);
        var caught = GoodWordAttack.CaughtSpam(target.Model, text.Vectorizer, text.Messages, text.SpamClass);
        double catchRate = spamTotal == 0 ? double.NaN : caught.Count / (double)spamTotal;
        if (caught.Count == 0)
        {
            return new Finding
            {
                Threat = ThreatCatalog.Get(ThreatId.T8),
                Status = FindingStatus.Assessed,
                Title = "the filter catches none of the held-out spam",
                Severity = Severity.High,
                SeverityRule = "no spam is caught, so every spam gets through without an attack (→ High)",
                Metrics = [Metric.Of("catch_rate", "held-out spam the filter catches", catchRate, "fraction", MetricDirection.HigherIsBetter)],
            };
        }
        var chosen = caught.Count <= budget.TextMessages
            ? caught
            : new Engine.Rng(context.Seed).Permutation(caught.Count).Take(budget.TextMessages).Order().Select(i => caught[i]).ToArray();

        context.Report(0.15, $"Best-N good words on {chosen.Count} messages");
        var best = Attack(GoodWordStrategy.BestN, budget, text).Run(target.Model, text.Vectorizer, chosen, text.AttackerMail);
        context.Report(0.55, "First-N good words with labels only (output hardening)");
        var first = Attack(GoodWordStrategy.FirstN, budget, text).Run(target.Model, text.Vectorizer, chosen, text.AttackerMail);
        var severity = SeverityRules.SuccessRate(best.SuccessRate, $"the good-word attack (Best-N, ≤ {budget.MaxWords} words)");

        context.Report(0.95, "evidence");
        var before = target.Model.PredictProba(text.Vectorizer.Transform(chosen)).AsReadOnlySpan().ToArray();
        int classes = target.Model.ClassCount;
        var examples = best.Messages.Where(m => m.Success).Take(5)
            .Select(m => new TextExample(Excerpt(chosen[m.Index]), m.AddedWords, before[(m.Index * classes) + text.SpamClass], m.SpamProbability, true))
            .ToArray();
        var defences = ThreatCatalog.Get(ThreatId.T8).Defences.Select(name => name switch
        {
            "output hardening" => new DefenceEffect(name, true,
                $"with verdicts only, the First-N ranking gets {SeverityRules.Percent(first.SuccessRate)} through (Best-N with scores: {SeverityRules.Percent(best.SuccessRate)}), using {first.Queries} queries",
                [
                    Metric.Of("success_rate", "label-only good-word success", first.SuccessRate, "fraction", MetricDirection.LowerIsBetter),
                    Metric.Of("queries", "label-only queries", first.Queries, "queries"),
                ]),
            "query monitoring" => DefenceEffect.NotMeasured(name, $"a query monitor would see {best.Queries} queries for {chosen.Count} messages; the runtime guard is not built yet"),
            _ => DefenceEffect.NotMeasured(name, "a deterministic filter: randomising its verdicts is not measured"),
        }).ToArray();
        int step = Math.Max(1, budget.MaxWords / 20);
        var words = Enumerable.Range(0, (budget.MaxWords / step) + 1).Select(k => k * step).ToArray();
        return new Finding
        {
            Threat = ThreatCatalog.Get(ThreatId.T8),
            Status = FindingStatus.Assessed,
            Title = $"{SeverityRules.Percent(best.SuccessRate)} of caught spam gets through with at most {budget.MaxWords} added good words",
            Severity = severity.Severity,
            SeverityRule = severity.Rule,
            Metrics =
            [
                Metric.Of("success_rate", $"caught spam that gets through with ≤ {budget.MaxWords} words", best.SuccessRate, "fraction", MetricDirection.LowerIsBetter),
                Metric.Of("median_words", "median words needed", best.MedianWordsNeeded is int w ? w : double.NaN, "words", MetricDirection.HigherIsBetter),
                Metric.Of("queries", "queries made (ranking included)", best.Queries, "queries"),
                Metric.Of("catch_rate", "held-out spam the filter catches", catchRate, "fraction", MetricDirection.HigherIsBetter),
                Metric.Of("messages", "caught spam attacked", chosen.Count, "count"),
                Metric.Of("max_words", "word budget", budget.MaxWords, "words"),
            ],
            Evidence =
            [
                new ChartEvidence("Spam getting through against words added", "good words added", "share of caught spam through",
                [
                    new ChartSeries("Best-N (scores)", words.Select(v => (double)v).ToArray(), words.Select(best.SuccessRateWithin).ToArray()),
                    new ChartSeries("First-N (labels only)", words.Select(v => (double)v).ToArray(), words.Select(first.SuccessRateWithin).ToArray()),
                ]),
                new TextExamplesEvidence("Spam before and after the good words", examples),
            ],
            Defences = defences,
        };
    }

    private static GoodWordAttack Attack(GoodWordStrategy strategy, ScanBudget budget, TextScanData text) =>
        new(new GoodWordAttackOptions { Strategy = strategy, MaxWords = budget.MaxWords, SpamClass = text.SpamClass });

    private static string Excerpt(string message)
    {
        var flat = Whitespace().Replace(message, " ").Trim();
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
