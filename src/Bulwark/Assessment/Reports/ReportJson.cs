using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Bulwark.Threats;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// What the JSON and SARIF writers share: one writer setup that gives the same bytes on every
/// machine (two-space indent, "\n" line ends, a final newline), and numbers written the same way.
/// </summary>
internal static class ReportJson
{
    // Letters of every script stay readable (ε, ∞); HTML-sensitive characters (< > & ' +) are
    // still escaped, so a report can be embedded in a page without ending its script element.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    private static readonly JsonWriterOptions Indented = new() { Indented = true, NewLine = "\n", Encoder = Encoder };
    private static readonly JsonWriterOptions Compact = new() { Encoder = Encoder };

    /// <summary>Writes one document to <paramref name="output"/> with <paramref name="body"/>, then a newline.</summary>
    public static void Write(Stream output, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        using (var writer = new Utf8JsonWriter(output, Indented))
        {
            body(writer);
        }
        output.Write("\n"u8);
    }

    /// <summary>The document <paramref name="write"/> produces, as a string.</summary>
    public static string Render(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A number, or null where it is undefined (NaN, ±∞), which JSON cannot hold.</summary>
    public static void Number(Utf8JsonWriter writer, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            writer.WriteNumberValue(v);
        else
            writer.WriteNullValue();
    }

    /// <summary>
    /// A property holding an array of numbers on one line: pixels and chart points would otherwise
    /// take a line each. Numbers are written by the same writer type, so they read as elsewhere.
    /// </summary>
    public static void NumberArray(Utf8JsonWriter writer, string name, IEnumerable<double> values) =>
        OneLine(writer, name, line =>
        {
            foreach (double v in values)
                Number(line, v);
        });

    /// <summary>As <see cref="NumberArray(Utf8JsonWriter, string, IEnumerable{double})"/>, each float in its own shortest form.</summary>
    public static void NumberArray(Utf8JsonWriter writer, string name, IEnumerable<float> values) =>
        OneLine(writer, name, line =>
        {
            foreach (float v in values)
            {
                if (float.IsFinite(v))
                    line.WriteNumberValue(v);
                else
                    line.WriteNullValue();
            }
        });

    private static void OneLine(Utf8JsonWriter writer, string name, Action<Utf8JsonWriter> items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var line = new Utf8JsonWriter(buffer, Compact))
        {
            line.WriteStartArray();
            items(line);
            line.WriteEndArray();
        }
        writer.WritePropertyName(name);
        writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>A property holding an array with one object per item, its properties written by <paramref name="write"/>.</summary>
    public static void Objects<T>(Utf8JsonWriter writer, string name, IEnumerable<T> items, Action<T> write)
    {
        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteStartObject();
            write(item);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>A property holding an array of strings.</summary>
    public static void StringArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string v in values)
            writer.WriteStringValue(v);
        writer.WriteEndArray();
    }

    /// <summary>An instant as ISO 8601 in UTC, with a fraction of a second only where there is one.</summary>
    public static string Timestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A property holding a threat's Barreno axes as words: influence and violation as arrays, specificity as one word.</summary>
    public static void Taxonomy(Utf8JsonWriter writer, string name, ThreatTaxonomy taxonomy)
    {
        writer.WriteStartObject(name);
        StringArray(writer, "influence", ReportWords.Of(taxonomy.Influence));
        writer.WriteString("specificity", ReportWords.Of(taxonomy.Specificity));
        StringArray(writer, "violation", ReportWords.Of(taxonomy.Violation));
        writer.WriteEndObject();
    }

    /// <summary>A property holding metrics: key, label, value (null when undefined), unit and direction.</summary>
    public static void Metrics(Utf8JsonWriter writer, string name, IReadOnlyList<Metric> metrics) =>
        Objects(writer, name, metrics, m =>
        {
            writer.WriteString("key", m.Key);
            writer.WriteString("label", m.Label);
            writer.WritePropertyName("value");
            Number(writer, m.Value);
            writer.WriteString("unit", m.Unit);
            writer.WriteString("direction", ReportWords.Of(m.Direction));
        });
}
