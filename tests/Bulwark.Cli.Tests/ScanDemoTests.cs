using System.Text.Json;

namespace Bulwark.Cli.Tests;

/// <summary><c>bulwark scan --demo</c> end to end (quick budget, so the test stays short), with its model cache.</summary>
[Collection(BulwarkHomeCollection.Name)]
public sealed class ScanDemoTests : IDisposable
{
    private readonly CliRunner.TempDir dir = new();
    private readonly string? savedHome = Environment.GetEnvironmentVariable("BULWARK_HOME");

    public ScanDemoTests() => Environment.SetEnvironmentVariable("BULWARK_HOME", Path.Combine(dir.Path, "home"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("BULWARK_HOME", savedHome);
        dir.Dispose();
    }

    [Fact]
    public void Demo_scans_both_models_writes_every_report_and_reuses_its_cache()
    {
        string outDir = dir.File("demo");
        var (exit, stdout, stderr) = CliRunner.Run("scan", "--demo", "--budget", "quick", "--out", outDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("training a small CNN", stderr, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(outDir, "report.html"), stdout.Trim());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var targets = json.RootElement.GetProperty("targets").EnumerateArray().ToArray();
        Assert.Equal(["fashion-mnist-cnn", "spam-filter"], targets.Select(t => t.GetProperty("name").GetString()));
        int findings = 0;
        foreach (var target in targets)
        {
            var perThreat = target.GetProperty("findings").EnumerateArray().ToArray();
            findings += perThreat.Length;
            Assert.Equal(Enumerable.Range(1, 15).Select(i => $"T{i}"), perThreat.Select(f => f.GetProperty("threat").GetProperty("id").GetString()));
            Assert.All(perThreat, f => Assert.NotEqual("error", f.GetProperty("status").GetString()));
        }
        string Status(int target, string threat) => targets[target].GetProperty("findings").EnumerateArray()
            .Single(f => f.GetProperty("threat").GetProperty("id").GetString() == threat).GetProperty("status").GetString()!;
        Assert.Equal(["assessed", "assessed", "assessed"], new[] { "T6", "T7", "T8" }.Select(t => Status(0, t)));
        Assert.Equal(["assessed", "not_assessed", "assessed"], new[] { "T6", "T7", "T8" }.Select(t => Status(1, t)));

        using var sarif = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.sarif")));
        Assert.Equal(findings, sarif.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
        Assert.Contains("Bulwark scan", File.ReadAllText(Path.Combine(outDir, "report.md")), StringComparison.Ordinal);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "report.html")), StringComparison.Ordinal);

        var (again, _, againErr) = CliRunner.Run("scan", "--demo", "--budget", "quick", "--threats", "T6", "--out", outDir);
        Assert.True(again == 0, againErr);
        Assert.Contains("using the cached CNN", againErr, StringComparison.Ordinal);
        Assert.Contains("recorded as #2", againErr, StringComparison.Ordinal);
        var (listed, history, _) = CliRunner.Run("history", "--json");
        Assert.Equal(0, listed);
        Assert.Equal(2, JsonDocument.Parse(history).RootElement.EnumerateArray().Count());
    }
}
