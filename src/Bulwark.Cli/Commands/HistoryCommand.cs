using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Assessment;
using Bulwark.Assessment.History;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// <c>bulwark history</c>: the recorded scans, newest first; <c>bulwark history diff</c>: what got
/// better or worse from one scan to another (by default the newest against the previous scan of
/// the same model). Both read the history at <c>--db</c>, else <see cref="ScanHistory.DefaultPath"/>.
/// </summary>
internal static class HistoryCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create(CliIO io)
    {
        var db = DbOption();
        var model = new Option<string?>("--model") { Description = "Only scans of this model: a model key (sha256:…, endpoint:…, name:…) or a target name." };
        var limit = new Option<int>("--limit") { Description = "The most scans to list.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
                r.AddError("--limit must be at least 1");
        });
        var json = new Option<bool>("--json") { Description = "Print the scans as JSON on stdout." };
        var command = new Command("history", "List the recorded scans, newest first: number, id, start, budget, targets, highest severity and findings by severity.")
        {
            db, model, limit, json,
        };
        command.Subcommands.Add(Diff(io));
        command.SetAction(parse =>
        {
            string path = parse.GetValue(db) ?? ScanHistory.DefaultPath;
            string? only = parse.GetValue(model);
            var scans = File.Exists(path) ? ScanHistory.OpenExisting(path).List(parse.GetValue(limit), only) : [];
            if (parse.GetValue(json))
                io.Out.WriteLine(JsonSerializer.Serialize(scans.Select(Summary), Json));
            else if (scans.Count == 0)
                io.Err.WriteLine($"no scans recorded in {path}{(only is null ? "" : $" for model '{only}'")}");
            else
                WriteList(io, scans, path);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command Diff(CliIO io)
    {
        var scans = new Argument<string[]>("scans")
        {
            Arity = new ArgumentArity(0, 2),
            Description = "Two scans, earlier then later: numbers from 'bulwark history' or scan ids (6 or more leading hex digits will do). None: the newest scan against the previous scan of the same model.",
        };
        var db = DbOption();
        var model = new Option<string?>("--model") { Description = "With no scans named: the newest two scans of this model (a model key or a target name)." };
        var json = new Option<bool>("--json") { Description = "Print the comparison as JSON on stdout." };
        var command = new Command("diff", "Show what got better or worse between two scans: metrics by their direction, severities, statuses, findings and targets that came or went.")
        {
            scans, db, model, json,
        };
        command.SetAction(parse =>
        {
            var named = parse.GetValue(scans) ?? [];
            string? only = parse.GetValue(model);
            if (named.Length == 1 || (named.Length == 2 && only is not null))
            {
                io.Err.WriteLine(named.Length == 1
                    ? "error: name two scans to compare, or none for the newest against the previous scan of its model"
                    : "error: --model chooses the scans when none are named; give one or the other");
                return CliApp.UsageError;
            }
            string path = parse.GetValue(db) ?? ScanHistory.DefaultPath;
            var history = ScanHistory.OpenExisting(path);
            var comparison = named.Length == 2 ? history.Diff(named[0], named[1]) : history.DiffLatest(only);
            if (comparison is null)
            {
                string message = $"nothing to compare: {path} holds fewer than two scans of {(only is null ? "the newest scan's model" : $"model '{only}'")}";
                if (parse.GetValue(json))
                    io.Out.WriteLine(JsonSerializer.Serialize(new { Compared = false, Message = message }, Json));
                else
                    io.Err.WriteLine(message);
                return CliApp.Ok;
            }
            if (parse.GetValue(json))
                WriteJson(io, comparison);
            else
                WriteComparison(io, comparison);
            return CliApp.Ok;
        });
        return command;
    }

    private static Option<string?> DbOption() => new("--db")
    {
        Description = "The history database. Default: $BULWARK_HOME/history.db when BULWARK_HOME is set, else bulwark/history.db in the user's local application data folder.",
    };

    private static void WriteList(CliIO io, IReadOnlyList<ScanSummary> scans, string path)
    {
        // Start and budget share a column so that a full id and a target name fit 80 columns unbroken.
        var table = new Table()
            .AddColumn(new TableColumn("#").RightAligned().NoWrap())
            .AddColumn(new TableColumn("id").NoWrap())
            .AddColumn(new TableColumn("started (UTC)\nbudget").NoWrap())
            .AddColumn("targets")
            .AddColumn("highest")
            .AddColumn("findings");
        foreach (var s in scans)
        {
            var counts = new[] { (s.Counts.High, "high"), (s.Counts.Medium, "medium"), (s.Counts.Low, "low"), (s.Counts.Info, "info"), (s.Counts.Errors, "failed") }
                .Where(c => c.Item1 > 0)
                .Select(c => Invariant($"{c.Item1} {c.Item2}"));
            table.AddRow(
                s.Sequence.ToString(CultureInfo.InvariantCulture),
                s.Id,
                s.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "\n" + Markup.Escape(s.Budget),
                Markup.Escape(string.Join("\n", s.Targets.Select(t => t.Name))),
                s.Highest is { } h ? Colour(h) : "—",
                string.Join("\n", counts.DefaultIfEmpty("none")));
        }
        io.Console.Write(table);
        io.Err.WriteLine(Invariant($"{scans.Count} scan{(scans.Count == 1 ? "" : "s")} from {path}; compare two with 'bulwark history diff A B'."));
    }

    private static void WriteComparison(CliIO io, ScanComparison comparison)
    {
        io.Console.MarkupLine("before " + Heading(comparison.Before));
        io.Console.MarkupLine("after  " + Heading(comparison.After));
        foreach (var target in comparison.Differences.GroupBy(c => c.Target))
        {
            io.Console.MarkupLine($"[bold]{Markup.Escape(target.Key)}[/]");
            foreach (var finding in target.GroupBy(c => (c.Threat, c.Scenario)))
            {
                string indent = "  ";
                if (finding.Key.Threat is { } threat)
                {
                    io.Console.MarkupLine($"  {threat} {Markup.Escape(finding.Key.Scenario ?? "")}".TrimEnd());
                    indent = "    ";
                }
                foreach (var change in finding)
                    io.Console.MarkupLine($"{indent}{Verdict(change.Kind)} {Markup.Escape(change.Text)}");
            }
        }
        var kinds = new[] { ChangeKind.Better, ChangeKind.Worse, ChangeKind.New, ChangeKind.Gone, ChangeKind.Changed };
        io.Err.WriteLine(string.Join(", ", kinds.Select(k => Invariant($"{comparison.Count(k)} {Name(k)}")))
            + Invariant($"; {comparison.Count(ChangeKind.Unchanged)} unchanged"));
    }

    private static void WriteJson(CliIO io, ScanComparison comparison) =>
        io.Out.WriteLine(JsonSerializer.Serialize(
            new
            {
                Compared = true,
                Before = Summary(comparison.Before),
                After = Summary(comparison.After),
                Counts = Enum.GetValues<ChangeKind>().ToDictionary(Name, comparison.Count),
                Changes = comparison.Changes.Select(c => new
                {
                    Kind = Name(c.Kind),
                    c.Target,
                    Threat = c.Threat?.ToString(),
                    c.Scenario,
                    c.Subject,
                    c.Before,
                    c.After,
                    c.Delta,
                    c.Unit,
                    c.Text,
                }),
            },
            Json));

    private static object Summary(ScanSummary s) => new
    {
        s.Sequence,
        s.Id,
        StartedUtc = s.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        DurationS = s.Duration.TotalSeconds,
        s.Budget,
        s.ToolVersion,
        Targets = s.Targets.Select(t => new { t.Name, t.ModelKey }),
        Highest = s.Highest?.ToString().ToLowerInvariant(),
        Counts = new { s.Counts.High, s.Counts.Medium, s.Counts.Low, s.Counts.Info, s.Counts.NotAssessed, s.Counts.Errors },
    };

    private static string Heading(ScanSummary s) =>
        Invariant($"[bold]#{s.Sequence}[/] {s.Id} ({s.StartedUtc.UtcDateTime:yyyy-MM-dd HH:mm} UTC)");

    private static string Verdict(ChangeKind kind) => kind switch
    {
        ChangeKind.Better => "[green]better [/]",
        ChangeKind.Worse => "[red]worse  [/]",
        ChangeKind.New => "[blue]new    [/]",
        ChangeKind.Gone => "[grey]gone   [/]",
        _ => "[yellow]changed[/]",
    };

    private static string Colour(Severity severity) => severity switch
    {
        Severity.High => "[red]high[/]",
        Severity.Medium => "[yellow]medium[/]",
        Severity.Low => "[blue]low[/]",
        _ => "info",
    };

    private static string Name(ChangeKind kind) => kind.ToString().ToLowerInvariant();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
