using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class HtmlReportTests
{
    private static readonly string Page = HtmlReport.Render(SampleReports.Full());

    [Fact]
    public void Text_from_the_report_is_escaped()
    {
        Assert.DoesNotContain("<script", Page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<cheap>", Page, StringComparison.Ordinal);
        Assert.Contains("producer &quot;&lt;script&gt;&quot; &amp; odd", Page, StringComparison.Ordinal);
        Assert.Contains("Buy &lt;cheap&gt; meds &amp; &quot;win&quot; now", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_loads_nothing_from_anywhere_else()
    {
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'", Page, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)url\\(\\s*['\"]?\\s*(https?:|//)", Page);
        Assert.DoesNotContain("@import", Page, StringComparison.Ordinal);
        var sources = Regex.Matches(Page, "\\ssrc=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
        var links = Regex.Matches(Page, "\\s(?:xlink:)?href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.StartsWith("#", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_chart_becomes_an_inline_svg()
    {
        int charts = SampleReports.Full().AllFindings.SelectMany(p => p.Finding.Evidence).OfType<ChartEvidence>().Count();
        Assert.Equal(2, charts);
        Assert.Equal(charts, Regex.Count(Page, "<figure class=\"chart\"><svg "));
        Assert.Equal(charts, Regex.Count(Page, "<svg[ >]"));
        Assert.DoesNotContain("<?xml", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_threat_has_a_risk_row_and_every_link_a_finding_section()
    {
        var risk = Regex.Match(Page, "<table class=\"risk\">.*?</table>", RegexOptions.Singleline).Value;
        Assert.Equal(15, Regex.Count(risk, "<tr><th scope=\"row\">"));
        Assert.Equal(3, Regex.Count(risk, "class=\"badge sev-"));
        Assert.Single(Regex.Matches(risk, "class=\"badge error\""));

        var anchors = Regex.Matches(Page, "<article class=\"finding\" id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(4, anchors.Length);
        var links = Regex.Matches(risk, "href=\"#([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(anchors.Order(), links.Order());
    }

    [Fact]
    public void Findings_show_metrics_with_units_and_the_severity_rule()
    {
        Assert.Contains("<td class=\"num\">0.91</td><td>fraction</td>", Page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">undefined</td><td>Linf</td>", Page, StringComparison.Ordinal);
        Assert.Contains("robust accuracy at the reference budget is 5.5 % of clean accuracy (&lt; 25 % → High)", Page, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: simulated failure", Page, StringComparison.Ordinal);
        Assert.Contains("4-bit squeezing attacked through BPDA", Page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_report_gives_the_same_bytes_in_any_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            using var stream = new MemoryStream();
            HtmlReport.Write(SampleReports.Full(), stream);
            Assert.Equal(Encoding.UTF8.GetBytes(Page), stream.ToArray());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
