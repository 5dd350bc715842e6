using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Assessment;
using Bulwark.Assessment.History;
using Bulwark.Assessment.Reports;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Threats;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// <c>bulwark scan</c>: assesses a model against the threat catalogue and writes report.html,
/// report.json, report.sarif and report.md; <c>--demo</c> scans two bundled models.
/// </summary>
internal static class ScanCommand
{
    private static readonly string[] SeverityNames = ["info", "low", "medium", "high"];

    public static Command Create(CliIO io)
    {
        var model = new Option<string?>("--model") { Description = "An ONNX file (white-box and black-box scenarios) or a KServe-v2 endpoint http://host:port/v2/models/NAME (black-box only)." };
        var data = new Option<string?>("--data") { Description = "Labelled evaluation data: a .npz with x and y, a folder of IDX files (its test part), or a built-in dataset (fashion-mnist, digits, breast-cancer, spam)." };
        var threats = new Option<string?>("--threats") { Description = "Comma-separated threat ids to assess, e.g. T6,T7,T8 (default: all; the others are reported as not requested)." };
        threats.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && ParseThreats(text, out var bad) is null)
                r.AddError($"--threats: '{bad}' is not a threat id T1…T15");
        });
        var budget = new Option<string>("--budget") { Description = "Effort: quick, standard or thorough.", DefaultValueFactory = _ => "standard" };
        budget.AcceptOnlyFromAmong("quick", "standard", "thorough");
        var eps = new Option<float?>("--eps") { Description = "Reference L∞ budget of the evasion scenarios (default: 0.1 of the input range for images, 0.05 for tables)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 0UL };
        var output = new Option<string?>("--out") { Description = "Folder for report.html, report.json, report.sarif and report.md (default ./bulwark-demo with --demo)." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity (low, medium or high), or a scenario failed." };
        failOn.AcceptOnlyFromAmong("low", "medium", "high");
        var bounds = new Option<string?>("--bounds") { Description = "Input bounds 'lo,hi' (default: the data's, [0, 1] for images)." };
        var db = new Option<string?>("--db") { Description = "Scan history database (default: history.db under the user's Bulwark folder, $BULWARK_HOME)." };
        var noHistory = new Option<bool>("--no-history") { Description = "Do not record the scan in the history database." };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable summary on stdout." };
        var demo = new Option<bool>("--demo") { Description = "Scan the bundled demo models: a small CNN on Fashion-MNIST and a spam filter (trained on first use, then cached)." };
        var command = new Command("scan", "Assess a model against the threat catalogue (T1–T15) and write HTML, JSON, SARIF and Markdown reports.")
        {
            model, data, threats, budget, eps, seed, output, failOn, bounds, db, noHistory, json, demo,
        };
        command.SetAction(parse =>
        {
            bool isDemo = parse.GetValue(demo);
            string? modelArg = parse.GetValue(model);
            string? dataArg = parse.GetValue(data);
            if (isDemo && (modelArg is not null || dataArg is not null))
                throw new BulwarkInputException("--demo scans the bundled models; leave out --model and --data");
            if (!isDemo && (modelArg is null || dataArg is null))
                throw new BulwarkInputException("scan needs --model and --data (or --demo)");
            string outDir = Path.GetFullPath(parse.GetValue(output) ?? (isDemo ? "bulwark-demo" : throw new BulwarkInputException("scan needs --out, the folder for the reports")));
            if (File.Exists(outDir))
                throw new BulwarkInputException($"--out {outDir} is a file; give a folder");
            var options = new ScanOptions
            {
                Budget = ScanBudget.Parse(parse.GetValue(budget)!),
                Seed = parse.GetValue(seed),
                Epsilon = parse.GetValue(eps),
                Threats = parse.GetValue(threats) is { } t ? ParseThreats(t, out _) : null,
            };
            Severity? gate = parse.GetValue(failOn) is { } f ? (Severity)Array.IndexOf(SeverityNames, f) : null;

            var targets = isDemo ? ScanDemo.Build(io, options.Seed) : [OpenTarget(modelArg!, dataArg!, parse.GetValue(bounds))];
            try
            {
                var plan = Scanner.Plan(targets, options);
                var history = parse.GetValue(noHistory) ? null : ScanHistory.Open(parse.GetValue(db) is { } d ? Path.GetFullPath(d) : ScanHistory.DefaultPath);
                var report = Run(io, plan);
                ReportFiles.Write(report, outDir);
                if (history is not null)
                {
                    long number = history.Record(report, File.ReadAllText(Path.Combine(outDir, ReportFiles.Json)));
                    io.Err.WriteLine($"recorded as #{number} in {history.Path} (compare: bulwark history diff)");
                }
                bool failed = gate is { } g && (report.AtLeast(g).Any() || report.Errors.Any());
                if (parse.GetValue(json))
                    io.Out.WriteLine(JsonSerializer.Serialize(Summary(report, outDir, gate, failed)));
                else
                    PrintSummary(io, report, outDir, gate, failed);
                return failed ? CliApp.Findings : CliApp.Ok;
            }
            finally
            {
                foreach (var target in targets)
                    (target.Model as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Opens the model and data and checks that they fit, before anything is written.</summary>
    private static ScanTarget OpenTarget(string modelArg, string dataArg, string? boundsArg)
    {
        bool endpoint = Uri.TryCreate(modelArg, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!endpoint && !File.Exists(modelArg))
            throw new BulwarkInputException($"model file '{modelArg}' does not exist");
        Dataset? numeric = null;
        TextScanData? text = null;
        string dataName = dataArg;
        if (BuiltInDatasets.Contains(dataArg))
        {
            var split = BuiltInDatasets.Load(dataArg);
            if (split.TestTexts is { } messages)
                text = new TextScanData(split.Vectorizer!, messages, split.TrainTexts!);
            else
                numeric = split.Test;
            dataName = $"{dataArg} (built-in, test split)";
        }
        else
        {
            numeric = AttackData.Load(dataArg);
        }
        var dataBounds = numeric?.Info.Bounds ?? InputBounds.Unit;
        var bounds = boundsArg is null ? dataBounds : ModelTargets.ParseBounds(boundsArg);
        var classifier = endpoint ? ModelTargets.Open(modelArg, needsGradients: false, bounds) : OnnxImportOrRuntime(modelArg, bounds);
        return new ScanTarget
        {
            Name = endpoint ? uri!.AbsolutePath.Trim('/').Split('/')[^1] : Path.GetFileNameWithoutExtension(modelArg),
            Model = classifier,
            ModelPath = endpoint ? null : Path.GetFullPath(modelArg),
            Endpoint = endpoint ? modelArg : null,
            DataName = dataName,
            Data = numeric,
            Text = text,
        };
    }

    /// <summary>
    /// The importer (white box) when it can load the file; ONNX Runtime (black box) when only the
    /// runtime can (operators the importer lacks); the importer's error when neither can.
    /// </summary>
    private static IClassifier OnnxImportOrRuntime(string path, InputBounds bounds)
    {
        try
        {
            return OnnxClassifier.Load(path, new OnnxClassifierOptions { Bounds = bounds });
        }
        catch (BulwarkInputException importError)
        {
            try
            {
                return new OnnxRuntimeClassifier(path, new OnnxRuntimeClassifierOptions { Bounds = bounds });
            }
            catch (Exception e) when (e is BulwarkInputException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(importError);
                throw;
            }
        }
    }

    private static ScanReport Run(CliIO io, ScanPlan plan)
    {
        string Label(PlannedScenario r) => $"{plan.Targets[r.TargetIndex].Name} · {r.Scenario.Threat} {r.Scenario.Name}";
        // The bar, percentage, time and spinner take about 50 columns; the description gets the rest.
        int room = Math.Max(24, io.Console.Profile.Width - 50);
        string Fit(string text) => Markup.Escape(text.Length <= room ? text : text[..(room - 1)] + "…");
        io.Err.WriteLine($"scan: {plan.Targets.Count} target{(plan.Targets.Count == 1 ? "" : "s")}, {plan.Runs.Count} scenario{(plan.Runs.Count == 1 ? "" : "s")}, budget {plan.Options.Budget.Name}, seed {plan.Options.Seed}");
        if (!io.Console.Profile.Capabilities.Interactive)
        {
            return Scanner.Run(plan, new SyncProgress(p =>
            {
                if (p.Finished is { } f)
                    io.Err.WriteLine($"  {plan.Targets[p.Run.TargetIndex].Name} · {p.Run.Scenario.Threat} {p.Run.Scenario.Name}: {Outcome(f)} ({f.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            }));
        }
        ScanReport? report = null;
        io.Console.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = plan.Runs.ToDictionary(r => r, r => ctx.AddTask(Fit(Label(r)), autoStart: false, maxValue: 1));
                report = Scanner.Run(plan, new SyncProgress(p =>
                {
                    var task = tasks[p.Run];
                    if (!task.IsStarted)
                        task.StartTask();
                    task.Value = p.Fraction;
                    task.Description = Fit(p.Finished is { } f ? $"{Label(p.Run)}: {Outcome(f)}" : $"{Label(p.Run)}: {p.Stage}");
                    if (p.Finished is not null)
                        task.StopTask();
                }));
            });
        return report!;
    }

    private static string Outcome(Finding f) => f.Status switch
    {
        FindingStatus.Error => "error: " + f.Reason,
        _ => $"{f.Severity} · {f.Title}",
    };

    private static void PrintSummary(CliIO io, ScanReport report, string outDir, Severity? gate, bool failed)
    {
        var table = new Table().AddColumn("target").AddColumn("threat").AddColumn("severity").AddColumn("finding");
        foreach (var (target, finding) in report.AllFindings.Where(p => p.Finding.Status != FindingStatus.NotAssessed))
        {
            string severity = finding.Status == FindingStatus.Error ? "[red]error[/]" : Colour(finding.Severity!.Value);
            table.AddRow(Markup.Escape(target.Name), Markup.Escape($"{finding.Threat.Id} {finding.Threat.Name}"), severity, Markup.Escape(finding.Status == FindingStatus.Error ? finding.Reason ?? "" : finding.Title));
        }
        io.Console.Write(table);
        int notAssessed = report.AllFindings.Count(p => p.Finding.Status == FindingStatus.NotAssessed);
        io.Err.WriteLine($"{notAssessed} threat/target pairs not assessed (reasons in the report)");
        io.Err.WriteLine($"HTML report: {Path.Combine(outDir, ReportFiles.Html)}");
        if (gate is { } g)
            io.Err.WriteLine(failed ? $"fail: findings at or above {g}, or a failed scenario (exit 1)" : $"pass: nothing at or above {g}");
        io.Out.WriteLine(Path.Combine(outDir, ReportFiles.Html));
    }

    private static string Colour(Severity s) => s switch
    {
        Severity.High => "[red]High[/]",
        Severity.Medium => "[darkorange]Medium[/]",
        Severity.Low => "[yellow]Low[/]",
        _ => "[grey]Info[/]",
    };

    private static Dictionary<string, object?> Summary(ScanReport report, string outDir, Severity? gate, bool failed) => new()
    {
        ["scan_id"] = report.Id,
        ["out"] = outDir,
        ["reports"] = ReportFiles.Names.Select(n => Path.Combine(outDir, n)).ToArray(),
        ["highest"] = report.Highest?.ToString().ToLowerInvariant(),
        ["fail_on"] = gate?.ToString().ToLowerInvariant(),
        ["failed"] = failed,
        ["findings"] = report.AllFindings.Where(p => p.Finding.Status != FindingStatus.NotAssessed).Select(p => new Dictionary<string, object?>
        {
            ["target"] = p.Target.Name,
            ["threat"] = p.Finding.Threat.Id.ToString(),
            ["scenario"] = p.Finding.Scenario,
            ["status"] = p.Finding.Status == FindingStatus.Error ? "error" : "assessed",
            ["severity"] = p.Finding.Severity?.ToString().ToLowerInvariant(),
            ["title"] = p.Finding.Status == FindingStatus.Error ? p.Finding.Reason : p.Finding.Title,
        }).ToArray(),
    };

    /// <summary>Threat ids from "T6,T7"; null with the offending entry when one is not an id.</summary>
    private static ThreatId[]? ParseThreats(string text, out string? bad)
    {
        var ids = new List<ThreatId>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ThreatCatalog.Find(part) is not { } threat)
            {
                bad = part;
                return null;
            }
            ids.Add(threat.Id);
        }
        bad = ids.Count == 0 ? text : null;
        return ids.Count == 0 ? null : ids.Distinct().ToArray();
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the scanning thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}
