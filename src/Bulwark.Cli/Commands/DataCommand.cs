using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Data;
using Bulwark.Engine;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark data</c>: commands about datasets; <c>inspect</c> summarises one.</summary>
internal static class DataCommand
{
    private const int FeaturesShown = 8;

    public static Command Create(CliIO io)
    {
        var source = new Argument<string>("source") { Description = $"A built-in dataset ({string.Join(", ", BuiltInDatasets.Names)}), a folder of IDX files, or a .npz, .npy, .csv, .jsonl or .jsonl.gz file." };
        var labelColumn = new Option<string>("--label-column") { Description = "CSV: the column holding the labels.", DefaultValueFactory = _ => "label" };
        var textField = new Option<string>("--text-field") { Description = "JSONL: the field holding the text.", DefaultValueFactory = _ => "text" };
        var labelField = new Option<string>("--label-field") { Description = "JSONL: the field holding the label.", DefaultValueFactory = _ => "label" };
        var labels = new Option<FileInfo?>("--labels") { Description = ".npy: the labels file that goes with the features file." };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "CSV: replace missing cells (empty, NaN, NA) by the column mean instead of failing." };
        var maxRows = new Option<int?>("--max-rows") { Description = $"Refuse files with more samples than this (default {DataLimits.DefaultMaxRows})." };
        var maxBytes = new Option<long?>("--max-bytes") { Description = $"Refuse files larger than this many bytes, stored or decompressed (default {DataLimits.DefaultMaxFileBytes})." };
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Where the built-in datasets live (default: data/ beside the tool)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };

        var inspect = new Command("inspect", "Summarise a dataset: kind, samples, sample shape, classes with counts, feature bounds and names, vocabulary size.")
        {
            source, labelColumn, textField, labelField, labels, allowMissing, maxRows, maxBytes, dataDir, json,
        };
        inspect.SetAction(parse =>
        {
            var limits = DataLimits.Default;
            if (parse.GetValue(maxRows) is int rows)
            {
                limits = limits with { MaxRows = rows };
            }
            if (parse.GetValue(maxBytes) is long bytes)
            {
                limits = limits with { MaxFileBytes = bytes };
            }
            var settings = new InspectSettings(parse.GetValue(source)!, parse.GetValue(labelColumn)!, parse.GetValue(textField)!, parse.GetValue(labelField)!,
                parse.GetValue(labels)?.FullName, parse.GetValue(allowMissing), limits, parse.GetValue(dataDir)?.FullName);
            var summary = Inspect(settings);
            if (parse.GetValue(json))
            {
                WriteJson(io, summary);
            }
            else
            {
                WriteHuman(io, summary);
            }
            return CliApp.Ok;
        });
        return new Command("data", "Inspect datasets.") { inspect };
    }

    private sealed record InspectSettings(string Source, string LabelColumn, string TextField, string LabelField, string? Labels, bool AllowMissing, DataLimits Limits, string? DataDir);

    private sealed record Part(string Name, int Samples, int[] ClassCounts);

    private sealed record Summary(string Source, string Format, FeatureKind Kind, int[] SampleShape, int ClassCount, IReadOnlyList<string> ClassNames,
        IReadOnlyList<Part> Parts, Models.InputBounds Bounds, IReadOnlyList<FeatureConstraint> Features, int? VocabularySize);

    private static Summary Inspect(InspectSettings s)
    {
        string path = s.Source;
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            if (BuiltInDatasets.Contains(path))
            {
                var split = BuiltInDatasets.Load(path, s.DataDir);
                return FromDatasets(path, "built-in", [("train", split.Train), ("test", split.Test)], (split.Vectorizer as TfidfVectorizer)?.FeatureCount);
            }
            throw new BulwarkInputException($"{path}: there is no such file or folder, nor a built-in dataset of that name ({string.Join(", ", BuiltInDatasets.Names)}).");
        }
        var arrays = new ArrayDatasetOptions { Limits = s.Limits };
        if (Directory.Exists(path))
        {
            if (!IdxDatasetLoader.IsIdxFolder(path))
            {
                throw new BulwarkInputException($"{path}: this folder does not hold the IDX files {IdxDatasetLoader.TrainImages}, {IdxDatasetLoader.TrainLabels}, {IdxDatasetLoader.TestImages} and {IdxDatasetLoader.TestLabels} (each optionally .gz).");
            }
            var split = IdxDatasetLoader.LoadFolder(path, arrays);
            return FromDatasets(path, "idx", [("train", split.Train), ("test", split.Test)], null);
        }
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".npz", StringComparison.Ordinal))
        {
            return FromDatasets(path, "npz", [("all", NpzDatasetLoader.Load(path, arrays))], null);
        }
        if (name.EndsWith(".npy", StringComparison.Ordinal))
        {
            string labels = s.Labels ?? throw new BulwarkInputException($"{path}: a .npy file holds only the features; give the labels file with --labels.");
            return FromDatasets(path, "npy", [("all", NpzDatasetLoader.Load(path, labels, arrays))], null);
        }
        if (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".csv.gz", StringComparison.Ordinal))
        {
            var options = new CsvOptions { LabelColumn = s.LabelColumn, AllowMissing = s.AllowMissing, Limits = s.Limits };
            return FromDatasets(path, "csv", [("all", CsvDatasetLoader.Load(path, options))], null);
        }
        if (name.EndsWith(".jsonl", StringComparison.Ordinal) || name.EndsWith(".jsonl.gz", StringComparison.Ordinal))
        {
            var corpus = JsonlTextLoader.Load(path, new JsonlTextOptions { TextField = s.TextField, LabelField = s.LabelField, Limits = s.Limits });
            var vectorizer = TfidfVectorizer.Fit(corpus.Texts);
            var part = new Part("all", corpus.Count, Counts(corpus.Labels, corpus.ClassCount));
            return new Summary(path, "jsonl", FeatureKind.Text, [vectorizer.FeatureCount], corpus.ClassCount, corpus.ClassNames, [part], vectorizer.Bounds, [], vectorizer.FeatureCount);
        }
        throw new BulwarkInputException($"{path}: cannot tell the format from the name; expected a folder of IDX files or a .npz, .npy, .csv[.gz] or .jsonl[.gz] file.");
    }

    private static Summary FromDatasets(string source, string format, (string Name, Dataset Data)[] parts, int? vocabulary)
    {
        var first = parts[0].Data;
        var list = parts.Select(p => new Part(p.Name, p.Data.Count, Counts(p.Data.Labels.Data, p.Data.ClassCount))).ToArray();
        return new Summary(source, format, first.Info.Kind, first.SampleShape, first.ClassCount, first.Info.ClassNames, list, first.Info.Bounds, first.Info.Features, vocabulary);
    }

    private static int[] Counts(IReadOnlyList<long> labels, int classCount)
    {
        var counts = new int[classCount];
        foreach (long y in labels)
        {
            counts[y]++;
        }
        return counts;
    }

    private static string ClassName(Summary s, int c) => c < s.ClassNames.Count ? s.ClassNames[c] : Num(c);

    private static void WriteJson(CliIO io, Summary s)
    {
        io.Out.WriteLine(JsonSerializer.Serialize(new
        {
            source = s.Source,
            format = s.Format,
            kind = s.Kind.ToString().ToLowerInvariant(),
            sample_shape = s.SampleShape,
            class_count = s.ClassCount,
            classes = Enumerable.Range(0, s.ClassCount).Select(c => new
            {
                index = c,
                name = ClassName(s, c),
                counts = s.Parts.ToDictionary(p => p.Name, p => p.ClassCounts[c]),
            }),
            parts = s.Parts.Select(p => new { name = p.Name, samples = p.Samples }),
            bounds = new { lower = s.Bounds.Lower, upper = s.Bounds.Upper },
            features = s.Features.Select(f => new { name = f.Name, lower = f.Lower, upper = f.Upper, integer = f.Integer }),
            vocabulary_size = s.VocabularySize,
        }));
    }

    private static void WriteHuman(CliIO io, Summary s)
    {
        string samples = s.Parts.Count == 1 ? Num(s.Parts[0].Samples) : string.Join(" + ", s.Parts.Select(p => $"{Num(p.Samples)} {p.Name}"));
        io.Err.WriteLine($"{s.Source} ({s.Format}): {s.Kind.ToString().ToLowerInvariant()}, {samples} samples, sample shape [{string.Join(", ", s.SampleShape)}], {Num(s.ClassCount)} classes, values in {s.Bounds}");
        if (s.VocabularySize is int v)
        {
            io.Err.WriteLine($"vocabulary: {Num(v)} terms (TF-IDF)");
        }
        var classes = new Table().AddColumn("class").AddColumn("name");
        foreach (var p in s.Parts)
        {
            classes.AddColumn(new TableColumn(p.Name).RightAligned());
        }
        for (int c = 0; c < s.ClassCount; c++)
        {
            classes.AddRow([Num(c), Markup.Escape(ClassName(s, c)), .. s.Parts.Select(p => Num(p.ClassCounts[c]))]);
        }
        io.Console.Write(classes);
        if (s.Features.Count > 0)
        {
            var features = new Table().AddColumn("feature").AddColumn(new TableColumn("lower").RightAligned()).AddColumn(new TableColumn("upper").RightAligned()).AddColumn("integer");
            foreach (var f in s.Features.Take(FeaturesShown))
            {
                features.AddRow(Markup.Escape(f.Name), f.Lower.ToString("G6", CultureInfo.InvariantCulture), f.Upper.ToString("G6", CultureInfo.InvariantCulture), f.Integer ? "yes" : "no");
            }
            io.Console.Write(features);
            if (s.Features.Count > FeaturesShown)
            {
                io.Err.WriteLine($"… and {Num(s.Features.Count - FeaturesShown)} more features (all of them with --json)");
            }
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
