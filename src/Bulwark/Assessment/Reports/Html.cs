using System.Globalization;
using System.Text;

namespace Bulwark.Assessment.Reports;

/// <summary>Text helpers of the HTML report: escaping and the way numbers and durations read.</summary>
internal static class Html
{
    /// <summary><paramref name="text"/> safe inside an element or a quoted attribute.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
            return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            string? entity = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            if (entity is null)
                sb.Append(c);
            else
                sb.Append(entity);
        }
        return sb.ToString();
    }

    /// <summary>A measurement: up to four decimals, scientific below 0.001, "undefined" when null.</summary>
    public static string Number(double? value) => value switch
    {
        null => "undefined",
        0 => "0",
        { } v when Math.Abs(v) < 1e-3 => v.ToString("0.###E+0", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.####", CultureInfo.InvariantCulture),
    };

    /// <summary>A duration as a person reads it: "12 ms", "3.0 s", "2 min 5 s".</summary>
    public static string Duration(TimeSpan d) => d.TotalSeconds switch
    {
        < 1 => $"{d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms",
        < 120 => $"{d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        _ => $"{((int)d.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min {d.Seconds.ToString(CultureInfo.InvariantCulture)} s",
    };
}
