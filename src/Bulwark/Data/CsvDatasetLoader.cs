using System.Globalization;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Loads a table from a CSV file (gzipped or not) with a header row: one column, chosen by
/// name, holds the labels (whole numbers, or names indexed in sorted order); every other column
/// is a numeric feature. Each feature's bounds and integrality are inferred from the data.
/// Errors name the file, the line and the column.
/// </summary>
public static class CsvDatasetLoader
{
    private static readonly string[] MissingTokens = ["", "nan", "na", "n/a", "null"];

    /// <summary>Loads the table at <paramref name="path"/> as a tabular dataset named after the file.</summary>
    public static Dataset Load(string path, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= CsvOptions.Default;
        using var lines = TextLineReader.Open(path, options.Limits);
        var csv = new CsvRecordReader(lines, options.Delimiter);
        var header = csv.Read() ?? throw new BulwarkInputException($"{path}: is empty; a CSV file needs a header row naming its columns.");
        int labelColumn = CheckHeader(path, header, options.LabelColumn);
        var featureNames = header.Where((_, j) => j != labelColumn).ToArray();
        int d = featureNames.Length;

        var values = new List<float>();
        var missing = new List<int>();
        var labels = new List<string>();
        var places = new List<string>();
        for (var row = csv.Read(); row is not null; row = csv.Read())
        {
            options.Limits.CheckRows(path, labels.Count + 1);
            if (row.Count != header.Count)
            {
                lines.ThrowIfTruncated();
                throw new BulwarkInputException($"{path}: line {csv.Line}: {row.Count} fields, but the header has {header.Count}.");
            }
            for (int j = 0; j < row.Count; j++)
            {
                string cell = row[j].Trim();
                if (j == labelColumn)
                {
                    if (IsMissing(cell))
                    {
                        throw new BulwarkInputException($"{path}: line {csv.Line}, column {j + 1} ('{header[j]}'): the label is missing.");
                    }
                    labels.Add(cell);
                    places.Add($"line {csv.Line}, column {j + 1} ('{header[j]}')");
                    continue;
                }
                if (IsMissing(cell))
                {
                    if (!options.AllowMissing)
                    {
                        throw new BulwarkInputException($"{path}: line {csv.Line}, column {j + 1} ('{header[j]}'): missing value '{cell}'; allow missing values (CsvOptions.AllowMissing, --allow-missing) to replace them by the column mean.");
                    }
                    missing.Add(values.Count);
                    values.Add(float.NaN);
                    continue;
                }
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                {
                    throw new BulwarkInputException($"{path}: line {csv.Line}, column {j + 1} ('{header[j]}'): '{Sample(cell)}' is not a finite number.");
                }
                values.Add(v);
            }
        }
        int n = labels.Count;
        if (n == 0)
        {
            throw new BulwarkInputException($"{path}: has a header but no rows.");
        }
        var x = values.ToArray();
        Impute(path, x, missing, featureNames);
        var (y, classCount, classNames) = ClassLabels.Encode(labels, places, path, options.ClassCount);
        var (features, bounds) = FeatureStatistics.Infer(x, n, featureNames);
        var info = new FeatureInfo(FeatureKind.Tabular, bounds, features, classNames);
        return new Dataset(path, Tensor.FromArray(x, n, d), new LongTensor(y, n), classCount, info);
    }

    private static int CheckHeader(string path, List<string> header, string labelName)
    {
        for (int j = 0; j < header.Count; j++)
        {
            header[j] = header[j].Trim();
        }
        if (header.All(h => float.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new BulwarkInputException($"{path}: line 1 ('{Sample(string.Join(",", header))}') looks like data, not a header; a CSV file needs a header row naming its columns.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < header.Count; j++)
        {
            if (header[j].Length == 0)
            {
                throw new BulwarkInputException($"{path}: line 1, column {j + 1}: the header names no column there.");
            }
            if (!seen.Add(header[j]))
            {
                throw new BulwarkInputException($"{path}: line 1, column {j + 1}: column name '{header[j]}' appears twice.");
            }
        }
        int label = header.IndexOf(labelName);
        if (label < 0)
        {
            throw new BulwarkInputException($"{path}: line 1: no column named '{labelName}' for the labels; the columns are {string.Join(", ", header.Take(12).Select(h => $"'{h}'"))}{(header.Count > 12 ? ", …" : "")} (choose one with CsvOptions.LabelColumn, --label-column).");
        }
        if (header.Count < 2)
        {
            throw new BulwarkInputException($"{path}: line 1: the label column is the only column; there are no features.");
        }
        return label;
    }

    private static void Impute(string path, float[] x, List<int> missing, string[] names)
    {
        if (missing.Count == 0)
        {
            return;
        }
        int d = names.Length;
        var sum = new double[d];
        var count = new int[d];
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsNaN(x[i]))
            {
                sum[i % d] += x[i];
                count[i % d]++;
            }
        }
        foreach (int i in missing)
        {
            int j = i % d;
            if (count[j] == 0)
            {
                throw new BulwarkInputException($"{path}: column '{names[j]}' has no values at all, so its missing values cannot be replaced by a mean.");
            }
            x[i] = (float)(sum[j] / count[j]);
        }
    }

    private static bool IsMissing(string cell) => MissingTokens.Contains(cell, StringComparer.OrdinalIgnoreCase);

    private static string Sample(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
