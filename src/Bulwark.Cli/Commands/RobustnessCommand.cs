using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Engine;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark robustness</c>: the robust-accuracy curve of a model under PGD, with the sanity checks.</summary>
internal static class RobustnessCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string>("--model") { Description = "An ONNX file (imported for white-box gradients).", Required = true };
        var data = new Option<string>("--data") { Description = ".npz with x and y, a folder of IDX files (its test part) or a built-in image dataset.", Required = true };
        var eps = new Option<string>("--eps") { Description = "Comma-separated budgets.", DefaultValueFactory = _ => "0,0.05,0.1,0.2" };
        var norm = new Option<string>("--norm") { Description = "inf, 2 or 1.", DefaultValueFactory = _ => "inf" };
        var steps = new Option<int>("--steps") { Description = "PGD iterations.", DefaultValueFactory = _ => 20 };
        var sanity = new Option<bool>("--sanity") { Description = "Also run PGD with 5× the steps and 3 restarts and an unbounded PGD, and report the gradient-masking checks." };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL, Description = "Seed of the random starts." };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N samples." };
        var bounds = new Option<string>("--bounds") { Description = "Input bounds 'lo,hi'.", DefaultValueFactory = _ => "0,1" };
        var json = new Option<bool>("--json") { Description = "Print the curve and checks as JSON on stdout." };
        var command = new Command("robustness", "Robust accuracy of a model under PGD at several budgets, with Carlini et al.'s sanity checks.")
        {
            model, data, eps, norm, steps, sanity, seed, limit, bounds, json,
        };
        command.SetAction(parse =>
        {
            var epsilons = ModelTargets.ParseNonNegativeList(parse.GetValue(eps)!, "--eps");
            if (epsilons.Length == 0)
                throw new BulwarkInputException("--eps needs at least one budget");
            var kind = AttackCatalog.ParseNorm(parse.GetValue(norm)!);
            int k = parse.GetValue(steps);
            if (k < 1)
                throw new BulwarkInputException($"--steps must be at least 1, got {k}");
            var set = AttackData.Load(parse.GetValue(data)!);
            if (parse.GetValue(limit) is int n)
                set = set.Take(n);
            var box = ModelTargets.ParseBounds(parse.GetValue(bounds)!);
            var classifier = ModelTargets.Open(parse.GetValue(model)!, needsGradients: true, box);
            var plan = RobustnessEvaluation.PgdPlan(epsilons, kind, box, k, parse.GetValue(seed), set.Features.Size / Math.Max(1, set.Count));
            if (!parse.GetValue(sanity))
                plan = plan with { Stronger = null, Unbounded = null };
            RobustnessReport report = null!;
            io.Console.Status().Start("attacking…", ctx => report = RobustnessEvaluation.Run(classifier, set.Features, set.Labels, plan,
                new Progress<string>(s => ctx.Status(Markup.Escape(s)))));
            if (parse.GetValue(json))
                io.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    clean_accuracy = report.CleanAccuracy,
                    norm = AttackCatalog.Describe(kind),
                    curve = report.Curve.Select(p => new { epsilon = p.Epsilon, robust_accuracy = p.RobustAccuracy, success_rate = p.SuccessRate, seconds = p.Seconds }),
                    checks = report.Conclusions.Select(c => new { check = c.Check, passed = c.Passed, message = c.Message }),
                    likely_gradient_masking = report.LikelyGradientMasking,
                }));
            else
                Print(io, report);
            return CliApp.Ok;
        });
        return command;
    }

    private static void Print(CliIO io, RobustnessReport r)
    {
        var table = new Table().AddColumn("ε").AddColumn("robust accuracy").AddColumn("seconds");
        foreach (var p in r.Curve)
            table.AddRow(SanityAnalysers.Eps(p.Epsilon), SanityAnalysers.Pct(p.RobustAccuracy), p.Seconds.ToString("0.0", CultureInfo.InvariantCulture));
        io.Console.MarkupLine($"clean accuracy {SanityAnalysers.Pct(r.CleanAccuracy)}");
        io.Console.Write(table);
        foreach (var c in r.Conclusions)
            io.Console.MarkupLine($"{(c.Passed ? "[green]pass[/]" : "[red]FAIL[/]")} {Markup.Escape(c.Check)}: {Markup.Escape(c.Message)}");
        if (r.LikelyGradientMasking)
            io.Console.MarkupLine("[red]likely gradient masking:[/] the curve overstates robustness; attack the defence adaptively (BPDA, EOT).");
    }
}
