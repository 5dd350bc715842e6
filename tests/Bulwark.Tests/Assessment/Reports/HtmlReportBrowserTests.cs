using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;
using Xunit.Abstractions;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>The sample report opened in headless Chromium: what a reader's browser would show.</summary>
public sealed class HtmlReportBrowserTests(ITestOutputHelper output)
{
    private const string Checks = """
        ({
          charts: document.querySelectorAll('figure.chart svg').length,
          chartsWithText: [...document.querySelectorAll('figure.chart svg')]
            .filter(svg => [...svg.querySelectorAll('text')].some(t => t.getComputedTextLength() > 0)).length,
          images: document.images.length,
          brokenImages: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length,
          width: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight
        })
        """;

    [Fact]
    public async Task The_sample_report_renders_in_Chromium_without_errors()
    {
        Assert.True(File.Exists(HeadlessChromium.Executable),
            $"{HeadlessChromium.Executable} is missing: run scripts/test-tools.sh, which installs Debian's chromium for this test");
        var clock = Stopwatch.StartNew();
        var report = SampleReports.Full();
        var evidence = report.AllFindings.SelectMany(p => p.Finding.Evidence).ToArray();
        int charts = evidence.OfType<ChartEvidence>().Count();
        int images = 3 * evidence.OfType<ImageExamplesEvidence>().Sum(e => e.Examples.Count);
        var folder = Directory.CreateTempSubdirectory("bulwark-report-");
        try
        {
            string path = Path.Combine(folder.FullName, "report.html");
            using (var file = File.Create(path))
                HtmlReport.Write(report, file);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var ct = timeout.Token;
            await using var chromium = await HeadlessChromium.StartAsync(ct);
            string page = await chromium.OpenPageAsync(ct);
            foreach (var domain in new[] { "Runtime", "Log", "Page" })
                await chromium.SendAsync(domain + ".enable", null, page, ct);
            var loaded = chromium.NextEventAsync("Page.loadEventFired", ct);
            await chromium.SendAsync("Page.navigate", new JsonObject { ["url"] = new Uri(path).AbsoluteUri }, page, ct);
            await loaded;

            var dom = await chromium.EvaluateAsync(page, Checks, ct);
            Assert.Equal(charts, dom.GetProperty("charts").GetInt32());
            Assert.Equal(charts, dom.GetProperty("chartsWithText").GetInt32());
            Assert.Equal(images, dom.GetProperty("images").GetInt32());
            Assert.Equal(0, dom.GetProperty("brokenImages").GetInt32());

            var shot = await chromium.SendAsync("Page.captureScreenshot", new JsonObject
            {
                ["format"] = "png",
                ["captureBeyondViewport"] = true,
                ["clip"] = new JsonObject
                {
                    ["x"] = 0, ["y"] = 0, ["scale"] = 1,
                    ["width"] = dom.GetProperty("width").GetInt32(), ["height"] = dom.GetProperty("height").GetInt32(),
                },
            }, page, ct);
            var png = PngDecoder.Decode(Convert.FromBase64String(shot.GetProperty("data").GetString()!));
            var (colours, inked) = Ink(png);
            output.WriteLine($"screenshot {png.Width}×{png.Height}: {colours} colours, {inked:P1} of pixels not white");
            Assert.True(colours > 16, $"the screenshot has only {colours} colour(s)");
            Assert.True(inked > 0.05, $"only {inked:P1} of the screenshot is not white");

            var errors = chromium.Events.Select(e => Error(e.Method, e.Params)).OfType<string>().ToArray();
            Assert.True(errors.Length == 0, "the page logged errors:\n" + string.Join("\n", errors));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        output.WriteLine($"browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Distinct colours, and the share of pixels that are not white.</summary>
    private static (int Colours, double Inked) Ink(DecodedPng png)
    {
        var colours = new HashSet<int>();
        long inked = 0, pixels = (long)png.Width * png.Height;
        for (long i = 0; i < pixels; i++)
        {
            var p = png.Pixels.AsSpan((int)(i * png.Channels), Math.Min(3, png.Channels));
            int rgb = p.Length == 3 ? p[0] << 16 | p[1] << 8 | p[2] : p[0];
            colours.Add(rgb);
            if (p.IndexOfAnyExcept((byte)255) >= 0)
                inked++;
        }
        return (colours.Count, (double)inked / pixels);
    }

    /// <summary>The event as a line when it reports an error (console, uncaught exception, browser log), else null.</summary>
    private static string? Error(string method, JsonElement e) => method switch
    {
        "Runtime.consoleAPICalled" when e.GetProperty("type").GetString() is "error" or "assert" =>
            "console: " + string.Join(" ", e.GetProperty("args").EnumerateArray().Select(a => a.ToString())),
        "Runtime.exceptionThrown" => "exception: " + e.GetProperty("exceptionDetails"),
        "Log.entryAdded" when e.GetProperty("entry").GetProperty("level").GetString() == "error" =>
            "log: " + e.GetProperty("entry"),
        _ => null,
    };
}
