using System.Text.Json;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Loads labelled documents from JSON Lines (gzipped or not): one JSON object per line with a
/// text field and a label field chosen by name; other fields are ignored, blank lines skipped.
/// Labels are whole numbers, or names indexed in sorted order. Errors name the file and line.
/// </summary>
public static class JsonlTextLoader
{
    /// <summary>Loads the documents at <paramref name="path"/> as a corpus named after the file.</summary>
    public static TextCorpus Load(string path, JsonlTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= JsonlTextOptions.Default;
        using var lines = TextLineReader.Open(path, options.Limits);
        var texts = new List<string>();
        var labels = new List<string>();
        var places = new List<string>();
        for (string? line = lines.ReadLine(); line is not null; line = lines.ReadLine())
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            options.Limits.CheckRows(path, texts.Count + 1);
            string where = $"{path}: line {lines.LineNumber}";
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                lines.ThrowIfTruncated();
                throw new BulwarkInputException($"{where}: is not valid JSON ({ex.Message})", ex);
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new BulwarkInputException($"{where}: holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
                }
                var text = Field(root, options.TextField, where);
                if (text.ValueKind != JsonValueKind.String)
                {
                    throw new BulwarkInputException($"{where}: field '{options.TextField}' is a {text.ValueKind.ToString().ToLowerInvariant()}, not a string.");
                }
                var label = Field(root, options.LabelField, where);
                texts.Add(text.GetString()!);
                labels.Add(label.ValueKind switch
                {
                    JsonValueKind.String when label.GetString()!.Length > 0 => label.GetString()!,
                    JsonValueKind.Number when label.TryGetInt64(out long v) => DataLimits.Num(v),
                    _ => throw new BulwarkInputException($"{where}: field '{options.LabelField}' is {label.GetRawText()}; a label must be a non-empty string or a whole number."),
                });
                places.Add($"line {lines.LineNumber}");
            }
        }
        if (texts.Count == 0)
        {
            throw new BulwarkInputException($"{path}: holds no documents.");
        }
        var (y, classCount, classNames) = ClassLabels.Encode(labels, places, path, options.ClassCount);
        return new TextCorpus(path, texts, y, classCount, classNames);
    }

    private static JsonElement Field(JsonElement root, string name, string where)
    {
        if (root.TryGetProperty(name, out var value))
        {
            return value;
        }
        var names = root.EnumerateObject().Select(p => $"'{p.Name}'").Take(12);
        throw new BulwarkInputException($"{where}: has no field '{name}'; its fields are {string.Join(", ", names)}.");
    }
}
