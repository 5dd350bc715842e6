using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using SkiaSharp;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// Draws a <see cref="ChartEvidence"/> with ScottPlot as an <c>&lt;svg&gt;</c> element to place
/// inside an HTML page: lines with markers, a legend in the emptiest corner, axis labels, tick
/// labels in invariant culture, and y from 0 to 1 when every value is a fraction.
/// </summary>
internal static partial class ChartSvg
{
    /// <summary>The drawing's size in CSS pixels; the page scales it down to fit.</summary>
    public const int Width = 640, Height = 380;

    /// <summary>Sans-serif families to draw with, best first; text is kept as SVG text, so the page's reader needs one too.</summary>
    private static readonly string[] PreferredFonts = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    private static readonly Lazy<string> FontName = new(PickFont);

    /// <summary>
    /// The chart as SVG markup without an XML prolog. <paramref name="idPrefix"/> makes the ids
    /// inside (clip paths) unique on the page and the same on every run.
    /// </summary>
    public static string Render(ChartEvidence chart, string idPrefix)
    {
        var plot = new Plot();
        plot.Font.Set(FontName.Value);
        plot.XLabel(chart.XLabel);
        plot.YLabel(chart.YLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Tick };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Tick };

        bool fractions = true;
        var drawn = new List<(double X, double Y)>();
        foreach (var series in chart.Series)
        {
            var points = Enumerable.Range(0, Math.Min(series.X.Count, series.Y.Count))
                .Where(i => double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
                .ToArray();
            double[] xs = [.. points.Select(i => series.X[i])];
            double[] ys = [.. points.Select(i => series.Y[i])];
            fractions &= ys.All(y => y is >= 0 and <= 1);
            drawn.AddRange(AlongLine(xs, ys));
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = series.Label;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        if (fractions)
            plot.Axes.SetLimitsY(-0.03, 1.03);
        if (chart.Series.Count > 0)
            plot.ShowLegend(EmptiestCorner(drawn, fractions));

        return Inline(plot.GetSvgXml(Width, Height), idPrefix, FontName.Value);
    }

    /// <summary>ScottPlot's SVG made fit for an HTML page: no prolog, a view box, page-unique ids, a generic font fallback.</summary>
    private static string Inline(string svg, string idPrefix, string font)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0)
            throw new InvalidOperationException("ScottPlot returned no <svg> element");
        svg = svg[start..].TrimEnd();

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        svg = ClipId().Replace(svg, m =>
        {
            string old = m.Groups["id"].Value;
            if (!ids.TryGetValue(old, out var renamed))
                ids[old] = renamed = $"{idPrefix}-clip{ids.Count + 1}";
            return m.Value.Replace(old, renamed, StringComparison.Ordinal);
        });

        svg = svg.Replace($"font-family=\"{font}\"", $"font-family=\"{font}, sans-serif\"", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\"{svg.AsSpan("<svg".Length)}");
    }

    /// <summary>The points and three more on each segment between them, so a line crossing a corner counts there.</summary>
    private static IEnumerable<(double X, double Y)> AlongLine(double[] xs, double[] ys)
    {
        for (int i = 0; i < xs.Length; i++)
        {
            yield return (xs[i], ys[i]);
            if (i + 1 < xs.Length)
            {
                for (int k = 1; k < 4; k++)
                    yield return (xs[i] + k / 4.0 * (xs[i + 1] - xs[i]), ys[i] + k / 4.0 * (ys[i + 1] - ys[i]));
            }
        }
    }

    /// <summary>The quarter of the data area that the lines cross least (upper right on a tie), for the legend.</summary>
    private static Alignment EmptiestCorner(List<(double X, double Y)> points, bool fractions)
    {
        if (points.Count == 0)
            return Alignment.UpperRight;
        double x0 = points.Min(p => p.X), x1 = points.Max(p => p.X);
        double y0 = fractions ? 0 : points.Min(p => p.Y), y1 = fractions ? 1 : points.Max(p => p.Y);
        double midX = (x0 + x1) / 2, midY = (y0 + y1) / 2;
        (Alignment Corner, Func<(double X, double Y), bool> Holds)[] corners =
        [
            (Alignment.UpperRight, p => p.X >= midX && p.Y >= midY),
            (Alignment.LowerRight, p => p.X >= midX && p.Y <= midY),
            (Alignment.UpperLeft, p => p.X <= midX && p.Y >= midY),
            (Alignment.LowerLeft, p => p.X <= midX && p.Y <= midY),
        ];
        return corners.MinBy(c => points.Count(c.Holds)).Corner;
    }

    private static string Tick(double value) =>
        Math.Abs(value) < 1e-12 ? "0" : value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string PickFont()
    {
        var installed = SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return PreferredFonts.FirstOrDefault(installed.Contains) ?? Fonts.Default;
    }

    /// <summary>A clip-path id as Skia's SVG canvas writes it (a process-wide counter) or refers to it.</summary>
    [GeneratedRegex("""(?:id="|url\(#)(?<id>cl_[0-9A-Za-z]+)""")]
    private static partial Regex ClipId();
}
