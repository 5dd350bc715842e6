using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Assessment;
using Bulwark.Defenses.Integrity;
using Bulwark.Onnx;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// <c>bulwark model</c>: commands on ONNX model files. <c>inspect</c> shows what a model declares;
/// <c>scan</c> runs the T6 model-file scan and gates on its findings. Further subcommands are added
/// in <see cref="Create"/>, one line each.
/// </summary>
internal static class ModelCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create(CliIO io)
    {
        var command = new Command("model", "Inspect and scan ONNX model files.");
        command.Subcommands.Add(Inspect(io));
        command.Subcommands.Add(Scan(io));
        command.Subcommands.Add(ModelConvertCommand.Create(io));
        return command;
    }

    private static Command Inspect(CliIO io)
    {
        var file = new Argument<FileInfo>("file") { Description = "The ONNX model file." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var command = new Command("inspect", "Show a model's IR version, producer, opsets, inputs and outputs, operators, parameter count, size and SHA-256.")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            var summary = OnnxModelSummary.Read(parse.GetValue(file)!.FullName);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine(JsonSerializer.Serialize(summary, Json));
            }
            else
            {
                WriteSummary(io.Console, summary);
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static Command Scan(CliIO io)
    {
        var file = new Argument<FileInfo>("file") { Description = "The ONNX model file." };
        var sha = new Option<string?>("--expect-sha256") { Description = "The SHA-256 the file must have (pinned when the model was vetted)." };
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding is at or above this severity.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("low", "medium", "high");
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout." };
        var command = new Command("scan", "Scan a model file for tampering and unsafe content (threat T6): hash, external data, custom operators, constant-folding bombs, hidden payloads.")
        {
            file, sha, failOn, json,
        };
        command.SetAction(parse =>
        {
            var threshold = Enum.Parse<Severity>(parse.GetValue(failOn)!, ignoreCase: true);
            var report = ModelFileScanner.Scan(parse.GetValue(file)!.FullName, new ModelScanOptions { ExpectedSha256 = parse.GetValue(sha) });
            bool failed = report.HasAtLeast(threshold);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        report.Path,
                        report.FileBytes,
                        report.Sha256,
                        FailOn = Name(threshold),
                        Failed = failed,
                        Findings = report.Findings.Select(f => new { Severity = Name(f.Severity), Rule = f.RuleId, f.What, f.Where }),
                    },
                    Json));
            }
            else
            {
                WriteReport(io.Console, report, threshold, failed);
            }
            return failed ? CliApp.Findings : CliApp.Ok;
        });
        return command;
    }

    private static string Name(Severity severity) => severity.ToString().ToLowerInvariant();

    private static void WriteSummary(IAnsiConsole console, OnnxModelSummary s)
    {
        console.MarkupLine(Invariant($"[bold]{Text(s.Path)}[/]  {s.FileBytes:N0} bytes"));
        console.MarkupLine($"sha256 {s.Sha256}");
        string producer = $"{s.ProducerName} {s.ProducerVersion}".Trim();
        console.MarkupLine(Invariant($"IR version {s.IrVersion}, producer {Text(producer.Length == 0 ? "(none)" : producer)}"));
        console.MarkupLine("opsets " + Text(string.Join(", ", s.Opsets.Select(o => Invariant($"{o.Domain} {o.Version}")))));

        var values = new Table().Border(TableBorder.Simple).AddColumns("", "name", "type", "shape");
        foreach (var (kind, list) in new[] { ("input", s.Inputs), ("output", s.Outputs) })
        {
            foreach (var v in list)
            {
                values.AddRow(kind, Text(v.Name), Text(v.ElementType), Text(v.ShapeText));
            }
        }
        console.Write(values);

        var ops = new Table().Border(TableBorder.Simple).AddColumns("operator", "nodes");
        foreach (var op in s.Operators)
        {
            ops.AddRow(Text(op.Operator), op.Count.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(ops);
        console.MarkupLine(Invariant($"{s.Operators.Count} operator types, {s.Nodes:N0} nodes, {s.Parameters:N0} parameters"));
    }

    private static void WriteReport(IAnsiConsole console, ModelScanReport report, Severity threshold, bool failed)
    {
        console.MarkupLine($"[bold]{Text(report.Path)}[/]");
        if (report.Sha256 is not null)
        {
            console.MarkupLine($"sha256 {report.Sha256}");
        }
        foreach (var f in report.Findings.OrderByDescending(f => f.Severity))
        {
            string colour = f.Severity switch { Severity.High => "red", Severity.Medium => "yellow", Severity.Low => "blue", _ => "grey" };
            console.MarkupLine($"[{colour}]{Name(f.Severity).ToUpperInvariant(),-6}[/] {f.RuleId}  {Text(f.Where)}");
            console.MarkupLine($"       {Text(f.What)}");
        }
        var counts = Enum.GetValues<Severity>().Reverse().Select(v => Invariant($"{report.Findings.Count(f => f.Severity == v)} {Name(v)}"));
        console.MarkupLine(Invariant($"{report.Findings.Count} findings ({string.Join(", ", counts)}); ")
            + (failed ? $"[red]fails[/] --fail-on {Name(threshold)}" : $"[green]passes[/] --fail-on {Name(threshold)}"));
    }

    /// <summary>Model-supplied text made safe for a terminal: control characters (escape sequences among them) shown as '?', markup escaped.</summary>
    private static string Text(string value) =>
        Markup.Escape(string.Create(value.Length, value, (span, v) =>
        {
            for (int i = 0; i < v.Length; i++)
            {
                span[i] = char.IsControl(v[i]) ? '?' : v[i];
            }
        }));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
