using System.Text;
using Bulwark.Engine.IO;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// Writes a scan's four reports into one folder: report.html (people), report.json (every number,
/// docs/report.schema.json), report.sarif (SARIF 2.1.0 for code-scanning tools) and report.md
/// (a pull-request comment). All four are rendered in memory first and each file is replaced
/// atomically, so a failure never leaves a half-written report.
/// </summary>
public static class ReportFiles
{
    /// <summary>The HTML report's file name.</summary>
    public const string Html = "report.html";

    /// <summary>The JSON report's file name.</summary>
    public const string Json = "report.json";

    /// <summary>The SARIF report's file name.</summary>
    public const string Sarif = "report.sarif";

    /// <summary>The Markdown summary's file name.</summary>
    public const string Markdown = "report.md";

    /// <summary>The four file names, in the order they are written.</summary>
    public static IReadOnlyList<string> Names { get; } = [Json, Sarif, Markdown, Html];

    /// <summary>Renders the four reports and writes them into <paramref name="folder"/> (created if missing).</summary>
    public static void Write(ScanReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(folder);
        var rendered = new (string Name, byte[] Bytes)[]
        {
            (Json, Encoding.UTF8.GetBytes(JsonReport.Render(report))),
            (Sarif, Encoding.UTF8.GetBytes(SarifReport.Render(report))),
            (Markdown, Encoding.UTF8.GetBytes(MarkdownReport.Render(report))),
            (Html, Encoding.UTF8.GetBytes(HtmlReport.Render(report))),
        };
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in rendered)
            AtomicFile.Write(Path.Combine(folder, name), s => s.Write(bytes));
    }
}
