using System.Globalization;

namespace Bulwark.Assessment.History;

/// <summary>
/// Compares an earlier scan report with a later one, without any storage. Targets are paired by
/// model key, then by name; findings by (threat, scenario); metrics by key; where a key repeats, in
/// order of appearance. Each pair becomes <see cref="Change"/>s judged by what is safer: a metric
/// by its <see cref="MetricDirection"/>, a severity by its order (higher is worse), a status by
/// whether the scenario ran, failed or was skipped.
/// </summary>
public static class ScanComparer
{
    /// <summary>Every change from <paramref name="before"/> to <paramref name="after"/>, in the later scan's order, then what is gone.</summary>
    public static IReadOnlyList<Change> Compare(ScanReport before, ScanReport after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<Change>();
        foreach (var (b, a) in Pair(before.Targets, after.Targets, t => t.ModelKey, t => t.Name))
        {
            if (b is null)
                changes.Add(new Change { Kind = ChangeKind.New, Target = a!.Name, Subject = "target", After = a.ModelKey, Text = $"new target ({a.ModelKey})" });
            else if (a is null)
                changes.Add(new Change { Kind = ChangeKind.Gone, Target = b.Name, Subject = "target", Before = b.ModelKey, Text = "target no longer scanned" });
            else
                CompareTargets(b, a, changes);
        }
        return changes;
    }

    private static void CompareTargets(TargetReport before, TargetReport after, List<Change> changes)
    {
        if (before.ModelKey != after.ModelKey)
        {
            changes.Add(new Change
            {
                Kind = ChangeKind.Changed, Target = after.Name, Subject = "model", Before = before.ModelKey, After = after.ModelKey,
                Text = $"another model: {Short(before.ModelKey)} → {Short(after.ModelKey)}",
            });
        }
        foreach (var (b, a) in Pair(before.Findings, after.Findings, f => $"{f.Threat.Id}|{f.Scenario}"))
        {
            var f = a ?? b!;
            Change Make(ChangeKind kind, string subject, string text, string? from = null, string? to = null) => new()
            {
                Kind = kind, Target = after.Name, Threat = f.Threat.Id, Scenario = f.Scenario, Subject = subject, Before = from, After = to, Text = text,
            };
            if (b is null)
                changes.Add(Make(ChangeKind.New, "finding", $"new finding: {a!.Title}{(a.Severity is { } s ? $" ({Name(s)})" : "")}", to: Name(a.Status)));
            else if (a is null)
                changes.Add(Make(ChangeKind.Gone, "finding", $"finding no longer reported: {b.Title}", from: Name(b.Status)));
            else
            {
                if (b.Status != a.Status)
                    changes.Add(Make(StatusChange(b.Status, a.Status), "status", $"status {Name(b.Status)} → {Name(a.Status)}", Name(b.Status), Name(a.Status)));
                if (b.Severity is not null || a.Severity is not null)
                {
                    var (kind, text) = SeverityChange(b.Severity, a.Severity);
                    changes.Add(Make(kind, "severity", text, Name(b.Severity), Name(a.Severity)));
                }
                foreach (var (mb, ma) in Pair(b.Metrics, a.Metrics, m => m.Key))
                    changes.Add(MetricChange(mb, ma) with { Target = after.Name, Threat = f.Threat.Id, Scenario = f.Scenario });
            }
        }
    }

    /// <summary>A failing scenario is worse; one that runs again is better; measured ↔ not measured is new or gone.</summary>
    private static ChangeKind StatusChange(FindingStatus before, FindingStatus after) => (before, after) switch
    {
        (_, FindingStatus.Error) => ChangeKind.Worse,
        (FindingStatus.Error, FindingStatus.Assessed) => ChangeKind.Better,
        (_, FindingStatus.Assessed) => ChangeKind.New,
        _ => ChangeKind.Gone,
    };

    private static (ChangeKind, string) SeverityChange(Severity? before, Severity? after) => (before, after) switch
    {
        (null, { } a) => (ChangeKind.New, $"severity {Name(a)} (none before)"),
        ({ } b, null) => (ChangeKind.Gone, $"no severity now (was {Name(b)})"),
        ({ } b, { } a) when a > b => (ChangeKind.Worse, $"severity rose from {Name(b)} to {Name(a)}"),
        ({ } b, { } a) when a < b => (ChangeKind.Better, $"severity fell from {Name(b)} to {Name(a)}"),
        _ => (ChangeKind.Unchanged, $"severity unchanged at {Name(after)}"),
    };

    private static Change MetricChange(Metric? before, Metric? after)
    {
        var m = after ?? before!;
        var change = new Change
        {
            Kind = ChangeKind.Unchanged, Target = "", Subject = m.Key, Unit = m.Unit, Text = "",
            Before = before?.Value?.ToString("R", CultureInfo.InvariantCulture),
            After = after?.Value?.ToString("R", CultureInfo.InvariantCulture),
        };
        string label = m.Label;
        if (before is null)
            return change with { Kind = ChangeKind.New, Text = $"{label}: newly measured, {Value(after!.Value)}" };
        if (after is null)
            return change with { Kind = ChangeKind.Gone, Text = $"{label}: no longer measured (was {Value(before.Value)})" };
        if (before.Unit != after.Unit)
            return change with { Kind = ChangeKind.Changed, Unit = null, Text = $"{label}: unit {before.Unit} → {after.Unit} ({Value(before.Value)} → {Value(after.Value)})" };
        switch (before.Value, after.Value)
        {
            case (null, null):
                return change with { Text = $"{label}: undefined in both" };
            case (null, { } v):
                return change with { Kind = ChangeKind.New, Text = $"{label}: now {Number(v)} (undefined before)" };
            case ({ } v, null):
                return change with { Kind = ChangeKind.Gone, Text = $"{label}: now undefined (was {Number(v)})" };
        }
        double from = before.Value.Value, to = after.Value.Value, delta = to - from;
        if (delta == 0)
            return change with { Delta = 0, Text = $"{label} unchanged at {Number(to)}" };
        var kind = after.Direction switch
        {
            MetricDirection.HigherIsBetter => delta > 0 ? ChangeKind.Better : ChangeKind.Worse,
            MetricDirection.LowerIsBetter => delta < 0 ? ChangeKind.Better : ChangeKind.Worse,
            _ => ChangeKind.Changed,
        };
        string amount = m.Unit switch
        {
            "fraction" => Invariant($"{Math.Abs(delta) * 100:0.0##} points"),
            "count" => Number(Math.Abs(delta)),
            _ => $"{Number(Math.Abs(delta))} {m.Unit}",
        };
        return change with { Kind = kind, Delta = delta, Text = $"{label} {(delta > 0 ? "rose" : "dropped")} {amount} ({Number(from)} → {Number(to)})" };
    }

    /// <summary>
    /// Pairs the items of two lists: by the first key, then what is left by the next. The result
    /// follows <paramref name="after"/>'s order (unpaired: before is null), then the unpaired of
    /// <paramref name="before"/> (after is null).
    /// </summary>
    internal static List<(T? Before, T? After)> Pair<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, params Func<T, string>[] keys)
        where T : class
    {
        var partner = new T?[after.Count];
        var free = before.ToList();
        foreach (var key in keys)
        {
            for (int i = 0; i < after.Count; i++)
            {
                if (partner[i] is not null)
                    continue;
                string k = key(after[i]);
                int j = free.FindIndex(b => key(b) == k);
                if (j < 0)
                    continue;
                partner[i] = free[j];
                free.RemoveAt(j);
            }
        }
        var pairs = after.Select((a, i) => (partner[i], (T?)a)).ToList();
        pairs.AddRange(free.Select(b => ((T?)b, (T?)null)));
        return pairs;
    }

    private static string Value(double? value) => value is { } v ? Number(v) : "undefined";

    private static string Number(double value) =>
        value == 0 || Math.Abs(value) is >= 1e-3 and < 1e7
            ? value.ToString("0.####", CultureInfo.InvariantCulture)
            : value.ToString("G4", CultureInfo.InvariantCulture);

    private static string? Name(Severity? severity) => severity?.ToString().ToLowerInvariant();

    private static string Name(FindingStatus status) => status switch
    {
        FindingStatus.NotAssessed => "not assessed",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>A model key short enough for a sentence: a hash cut to 12 hex digits.</summary>
    private static string Short(string key) => key.StartsWith("sha256:", StringComparison.Ordinal) && key.Length > 19 ? key[..19] + "…" : key;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
