using System.Text.Json;
using Bulwark.Assessment.History;
using Bulwark.Cli;
using Bulwark.Tests.Assessment;
using Bulwark.Tests.Assessment.History;

namespace Bulwark.Cli.Tests;

/// <summary>
/// <c>bulwark history</c> and <c>history diff</c>. Every test names its own database in a temp
/// folder; the one that leaves out --db points BULWARK_HOME at a temp folder first.
/// </summary>
public class HistoryCommandTests
{
    [Fact]
    public void History_of_an_empty_or_missing_database_says_there_is_nothing()
    {
        using var dir = new CliRunner.TempDir();
        string empty = dir.File("empty.db");
        ScanHistory.Open(empty);
        var (exit, stdout, stderr) = CliRunner.Run("history", "--db", empty);
        Assert.Equal(CliApp.Ok, exit);
        Assert.Empty(stdout);
        Assert.Contains($"no scans recorded in {empty}", stderr, StringComparison.Ordinal);

        string missing = dir.File("missing.db");
        (exit, stdout, stderr) = CliRunner.Run("history", "--db", missing, "--json");
        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal("[]", stdout.Trim());
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void History_lists_the_scans_newest_first()
    {
        using var dir = new CliRunner.TempDir();
        string db = dir.File("history.db");
        HistorySamples.TwoScans(db);

        var (exit, stdout, stderr) = CliRunner.Run("history", "--db", db);
        Assert.True(exit == CliApp.Ok, stderr);
        Assert.Empty(stdout);
        Assert.Contains(FirstId, stderr, StringComparison.Ordinal);
        Assert.True(stderr.Contains("fmnist-cnn", StringComparison.Ordinal), stderr);
        Assert.Contains("2 scans from " + db, stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = CliRunner.Run("history", "--db", db, "--json", "--model", "spam-filter");
        Assert.True(exit == CliApp.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var scans = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal([2, 1], scans.Select(s => s.GetProperty("sequence").GetInt64()));
        Assert.Equal(FirstId, scans[1].GetProperty("id").GetString());
        Assert.Equal("high", scans[0].GetProperty("highest").GetString());
        Assert.Equal(2, scans[0].GetProperty("counts").GetProperty("high").GetInt32());
        Assert.Equal("name:spam-filter", scans[0].GetProperty("targets")[1].GetProperty("model_key").GetString());

        (exit, stdout, _) = CliRunner.Run("history", "--db", db, "--json", "--limit", "1");
        Assert.Equal(CliApp.Ok, exit);
        Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray());
        Assert.Equal(CliApp.UsageError, CliRunner.Run("history", "--db", db, "--limit", "0").Exit);
    }

    [Fact]
    public void Diff_of_the_two_sample_scans_prints_what_got_better_and_worse()
    {
        using var dir = new CliRunner.TempDir();
        string db = dir.File("history.db");
        HistorySamples.TwoScans(db);

        foreach (var args in new[] { new[] { "history", "diff", "1", "2", "--db", db }, ["history", "diff", "--db", db] })
        {
            var (exit, stdout, stderr) = CliRunner.Run(args);
            Assert.True(exit == CliApp.Ok, stderr);
            Assert.Empty(stdout);
            Assert.Contains("#1 " + FirstId, stderr, StringComparison.Ordinal);
            Assert.Contains("better  robust accuracy at ε = 0.1 (L∞) rose 12.0 points (0.05 → 0.17)", stderr, StringComparison.Ordinal);
            Assert.Contains("worse   share of caught spam that evades rose 8.0 points (0.62 → 0.7)", stderr, StringComparison.Ordinal);
            Assert.Contains("worse   severity rose from medium to high", stderr, StringComparison.Ordinal);
            Assert.Contains("1 better, 2 worse, 0 new, 0 gone, 0 changed;", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("clean accuracy", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Diff_json_parses_and_keeps_units()
    {
        using var dir = new CliRunner.TempDir();
        string db = dir.File("history.db");
        HistorySamples.TwoScans(db);
        var (exit, stdout, stderr) = CliRunner.Run("history", "diff", FirstId[..8], "2", "--db", db, "--json");
        Assert.True(exit == CliApp.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("compared").GetBoolean());
        Assert.Equal(2, root.GetProperty("after").GetProperty("sequence").GetInt64());
        Assert.Equal(1, root.GetProperty("counts").GetProperty("better").GetInt32());
        Assert.Equal(2, root.GetProperty("counts").GetProperty("worse").GetInt32());
        var robust = root.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("subject").GetString() == "robust_accuracy");
        Assert.Equal("better", robust.GetProperty("kind").GetString());
        Assert.Equal("T7", robust.GetProperty("threat").GetString());
        Assert.Equal("fraction", robust.GetProperty("unit").GetString());
        Assert.Equal(0.12, robust.GetProperty("delta").GetDouble(), 1e-12);
    }

    [Fact]
    public void Diff_with_nothing_to_compare_says_so_and_exits_0()
    {
        using var dir = new CliRunner.TempDir();
        string db = dir.File("history.db");
        ScanHistory.Open(db).Record(SampleReports.Full());
        var (exit, _, stderr) = CliRunner.Run("history", "diff", "--db", db);
        Assert.Equal(CliApp.Ok, exit);
        Assert.Contains("nothing to compare", stderr, StringComparison.Ordinal);
        var (jsonExit, stdout, _) = CliRunner.Run("history", "diff", "--db", db, "--json");
        Assert.Equal(CliApp.Ok, jsonExit);
        Assert.False(JsonDocument.Parse(stdout).RootElement.GetProperty("compared").GetBoolean());
    }

    [Fact]
    public void Unknown_scans_and_bad_databases_exit_3_without_a_stack_trace()
    {
        using var dir = new CliRunner.TempDir();
        string db = dir.File("history.db");
        HistorySamples.TwoScans(db);
        var (exit, _, stderr) = CliRunner.Run("history", "diff", "1", "ffffffff", "--db", db);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("'ffffffff'", stderr, StringComparison.Ordinal);
        Assert.Contains(db, stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);

        string missing = dir.File("missing.db");
        (exit, _, stderr) = CliRunner.Run("history", "diff", "--db", missing);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);

        string garbage = dir.File("garbage.db");
        File.WriteAllText(garbage, string.Concat(Enumerable.Repeat("not a database at all. ", 100)));
        (exit, _, stderr) = CliRunner.Run("history", "--db", garbage);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("not a database", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);

        Assert.Equal(CliApp.UsageError, CliRunner.Run("history", "diff", "1", "--db", db).Exit);
        Assert.Equal(CliApp.UsageError, CliRunner.Run("history", "diff", "1", "2", "--model", "x", "--db", db).Exit);
    }

    [Fact]
    public void Without_db_the_history_lives_under_bulwark_home()
    {
        using var dir = new CliRunner.TempDir();
        string? saved = Environment.GetEnvironmentVariable("BULWARK_HOME");
        Environment.SetEnvironmentVariable("BULWARK_HOME", dir.Path);
        try
        {
            string expected = Path.Combine(dir.Path, "history.db");
            Assert.Equal(expected, ScanHistory.DefaultPath);
            var (exit, _, stderr) = CliRunner.Run("history");
            Assert.Equal(CliApp.Ok, exit);
            Assert.Contains($"no scans recorded in {expected}", stderr, StringComparison.Ordinal);

            HistorySamples.TwoScans(expected);
            (exit, _, stderr) = CliRunner.Run("history", "diff");
            Assert.True(exit == CliApp.Ok, stderr);
            Assert.Contains("1 better, 2 worse", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BULWARK_HOME", saved);
        }
    }

    private static string FirstId { get; } = SampleReports.Full().Id;
}
