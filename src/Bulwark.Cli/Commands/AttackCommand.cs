using Bulwark.Assessment.Robustness;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Models;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark attack NAME</c>: runs one evasion attack on a model and writes the adversarial inputs.</summary>
internal static class AttackCommand
{
    public static Command Create(CliIO io)
    {
        var name = new Argument<string>("name") { Description = "The attack: " + string.Join(", ", AttackCatalog.All.Select(a => a.Name)) + "." };
        var model = new Option<string>("--model") { Description = "An ONNX file, or a KServe-v2 endpoint http://host:port/v2/models/NAME (black-box attacks only).", Required = true };
        var data = new Option<string>("--data") { Description = ".npz with x (float32, N×C×H×W or N×D) and y (int64 labels), a folder of IDX files (its test part) or a built-in image dataset.", Required = true };
        var eps = new Option<float?>("--eps") { Description = "Perturbation budget (default: the attack's paper default)." };
        var norm = new Option<string?>("--norm") { Description = "inf, 2 or 1 (default: the attack's first norm: inf, or 2 for minimum-L2 attacks)." };
        var steps = new Option<int?>("--steps") { Description = "Iterations (default: the attack's)." };
        var maxQueries = new Option<int?>("--max-queries") { Description = "Black-box attacks: queries allowed per sample (default: the attack's)." };
        var targeted = new Option<int?>("--targeted") { Description = "Target class: every sample not already of this class is pushed towards it." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 0UL };
        var limit = new Option<int?>("--limit") { Description = "Attack only the first N samples (after --correct-only)." };
        var correctOnly = new Option<bool>("--correct-only") { Description = "Attack only samples the model classifies correctly, so success rates count real flips." };
        var bounds = new Option<string>("--bounds") { Description = "Input bounds 'lo,hi'.", DefaultValueFactory = _ => "0,1" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the adversarial inputs (.npy, same shape as x).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var command = new Command("attack", "Run one evasion attack against a model and write the adversarial examples.")
        {
            name, model, data, eps, norm, steps, maxQueries, targeted, seed, limit, correctOnly, bounds, output, json,
        };
        command.SetAction(parse =>
        {
            var entry = AttackCatalog.Find(parse.GetValue(name)!);
            var settings = new AttackSettings
            {
                Epsilon = parse.GetValue(eps),
                Norm = parse.GetValue(norm) is { } given ? AttackCatalog.ParseNorm(given) : entry.Norms[0],
                Steps = parse.GetValue(steps),
                Seed = parse.GetValue(seed),
                MaxQueries = parse.GetValue(maxQueries),
            };
            var attack = AttackCatalog.Create(entry.Name, settings);
            string outPath = Path.GetFullPath(parse.GetValue(output)!.FullName);
            string dataPath = parse.GetValue(data)!;
            string modelArg = parse.GetValue(model)!;
            CliPaths.RefuseOverwrite(outPath, dataPath, "--data");
            CliPaths.RefuseOverwrite(outPath, modelArg, "--model");
            var set = AttackData.Load(dataPath);
            if (parse.GetValue(limit) is < 1)
                throw new BulwarkInputException($"--limit must be at least 1, got {parse.GetValue(limit)}");
            var classifier = ModelTargets.Open(modelArg, entry.NeedsGradients, ModelTargets.ParseBounds(parse.GetValue(bounds)!));
            try
            {
                if (parse.GetValue(correctOnly))
                {
                    var predicted = classifier.PredictProba(set.Features).ArgMax(-1).Data;
                    set = set.Subset(Enumerable.Range(0, set.Count).Where(i => predicted[i] == set.Labels.Data[i]).ToArray());
                }
                if (parse.GetValue(limit) is int n)
                    set = set.Take(n);
                if (set.ClassCount > classifier.ClassCount)
                    throw new BulwarkInputException($"{dataPath}: labels go up to {set.ClassCount - 1} but the model has {classifier.ClassCount} classes");
                var x = set.Features;
                var y = set.Labels;
                LongTensor? targets = null;
                if (parse.GetValue(targeted) is int target)
                {
                    if (target < 0 || target >= classifier.ClassCount)
                        throw new BulwarkInputException($"--targeted {target} is outside the model's classes [0, {classifier.ClassCount})");
                    var keep = Enumerable.Range(0, set.Count).Where(i => y.Data[i] != target).ToArray();
                    set = set.Subset(keep);
                    (x, y) = (set.Features, set.Labels);
                    targets = new LongTensor(Enumerable.Repeat((long)target, set.Count).ToArray(), set.Count);
                }
                double clean = RobustnessEvaluation.CleanAccuracy(classifier, x, y);
                AttackResult result = null!;
                io.Console.Status().Start($"{entry.Name} on {set.Count} samples…", _ => result = attack.Run(classifier, x, y, targets));
                AtomicFile.Write(outPath, s => Npy.Write(s, NpyArray.FromTensor(result.Adversarial)));
                var summary = Summary(result, modelArg, set.Count, clean, outPath, targets is not null);
                if (parse.GetValue(json))
                    io.Out.WriteLine(JsonSerializer.Serialize(summary));
                else
                    Print(io, summary);
                return CliApp.Ok;
            }
            finally
            {
                (classifier as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private static Dictionary<string, object?> Summary(AttackResult r, string model, int samples, double clean, string output, bool targeted) => new()
    {
        ["attack"] = r.Attack,
        ["model"] = model,
        ["samples"] = samples,
        ["targeted"] = targeted,
        ["epsilon"] = r.Epsilon,
        ["norm"] = AttackCatalog.Describe(r.Norm),
        ["clean_accuracy"] = clean,
        ["success_rate"] = r.SuccessRate,
        ["robust_accuracy"] = targeted ? null : 1 - r.SuccessRate,
        ["median_l2"] = Finite(r.MedianOverSuccesses(r.L2)),
        ["median_linf"] = Finite(r.MedianOverSuccesses(r.Linf)),
        ["queries"] = r.Queries,
        ["median_queries"] = r.QueriesPerSample is { } q ? Finite(r.MedianOverSuccesses(q.Select(v => (float)v).ToArray())) : null,
        ["gradient_calls"] = r.GradientCalls,
        ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
        ["out"] = output,
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static void Print(CliIO io, Dictionary<string, object?> s)
    {
        var table = new Table().AddColumn("measure").AddColumn("value");
        foreach (var (k, v) in s)
            table.AddRow(Markup.Escape(k), Markup.Escape(v switch
            {
                null => "—",
                double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                float f => f.ToString("0.####", CultureInfo.InvariantCulture),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
            }));
        io.Console.Write(table);
    }
}

/// <summary>Guards for output paths.</summary>
internal static class CliPaths
{
    /// <summary>Refuses to write <paramref name="output"/> over an input the user gave.</summary>
    public static void RefuseOverwrite(string output, string input, string option)
    {
        if (Uri.TryCreate(input, UriKind.Absolute, out var u) && !u.IsFile)
            return;
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(input), StringComparison.Ordinal))
            throw new BulwarkInputException($"--out {output} is the same file as {option}; choose another output path");
    }
}
