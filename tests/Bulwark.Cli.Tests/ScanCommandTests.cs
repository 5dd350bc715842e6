using System.Text.Json;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Onnx;

namespace Bulwark.Cli.Tests;

/// <summary><c>bulwark scan</c> on small digits models exported to ONNX, and on bad input.</summary>
[Collection(BulwarkHomeCollection.Name)]
public sealed class ScanCommandTests : IDisposable
{
    private static readonly string[] ReportNames = ["report.html", "report.json", "report.sarif", "report.md"];

    private readonly CliRunner.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A deliberately weak model: a linear layer trained for one epoch.</summary>
    private static readonly Lazy<Sequential> Weak = new(() =>
    {
        var split = BuiltInDatasets.Load("digits", AttackCommandTests.RepoData());
        var rng = new Rng(2);
        var net = new Sequential(new Flatten(), new Linear(64, 10, rng));
        new Trainer(net, new Adam(net.Parameters(), 1e-2f), new TrainerOptions { Epochs = 1, BatchSize = 64, Seed = 2 })
            .Fit(split.Train.Features, split.Train.Labels);
        net.Eval();
        return net;
    });

    private (string Model, string Data) Files(int n = 60, long firstLabel = -1)
    {
        string model = dir.File("weak.onnx");
        OnnxExporter.Save(Weak.Value, [1, 8, 8], model);
        var test = BuiltInDatasets.Load("digits", AttackCommandTests.RepoData()).Test.Take(n);
        var y = (long[])test.Labels.Data.Clone();
        if (firstLabel >= 0)
            y[0] = firstLabel;
        string data = dir.File("digits.npz");
        Npz.Write(data, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromTensor(test.Features),
            ["y"] = NpyArray.FromLongTensor(new LongTensor(y, n)),
        });
        return (model, data);
    }

    [Fact]
    public void A_weak_model_fails_the_high_gate_and_writes_all_four_reports()
    {
        var (model, data) = Files();
        string outDir = dir.File("out");
        var (exit, stdout, stderr) = CliRunner.Run("scan", "--model", model, "--data", data, "--threats", "T6,T7", "--budget", "quick",
            "--eps", "0.2", "--out", outDir, "--fail-on", "high", "--db", dir.File("history.db"), "--json");
        Assert.True(exit == 1, stderr);
        foreach (var name in ReportNames)
            Assert.True(new FileInfo(Path.Combine(outDir, name)).Length > 0, name);
        using var summary = JsonDocument.Parse(stdout);
        Assert.True(summary.RootElement.GetProperty("failed").GetBoolean());
        var findings = summary.RootElement.GetProperty("findings").EnumerateArray().ToArray();
        Assert.Equal(["T6", "T7"], findings.Select(f => f.GetProperty("threat").GetString()));
        Assert.Equal("high", findings[1].GetProperty("severity").GetString());
        Assert.Contains("recorded as #", stderr, StringComparison.Ordinal);

        var (pass, _, passErr) = CliRunner.Run("scan", "--model", model, "--data", data, "--threats", "T6", "--out", outDir, "--fail-on", "high", "--no-history");
        Assert.True(pass == 0, passErr);
        Assert.Contains("pass: nothing at or above High", passErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_model_exits_3_and_writes_nothing()
    {
        var (_, data) = Files();
        AssertInputError(["--model", dir.File("absent.onnx"), "--data", data], "does not exist");
    }

    [Fact]
    public void Unreadable_data_exits_3_and_writes_nothing()
    {
        var (model, _) = Files();
        File.WriteAllBytes(dir.File("garbage.npz"), [1, 2, 3, 4, 5]);
        AssertInputError(["--model", model, "--data", dir.File("garbage.npz")], "garbage.npz");
    }

    [Fact]
    public void A_class_count_mismatch_exits_3_and_writes_nothing()
    {
        var (model, data) = Files(firstLabel: 12);
        AssertInputError(["--model", model, "--data", data], "13 classes but the model has 10");
    }

    [Fact]
    public void An_endpoint_that_is_down_exits_3_and_writes_nothing()
    {
        var (_, data) = Files();
        AssertInputError(["--model", "http://127.0.0.1:9/v2/models/absent", "--data", data], "127.0.0.1:9");
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        Assert.Equal(2, CliRunner.Run("scan", "--demo", "--budget", "huge").Exit);
        Assert.Equal(2, CliRunner.Run("scan", "--demo", "--threats", "T6,T99").Exit);
        Assert.Equal(2, CliRunner.Run("scan", "--demo", "--fail-on", "critical").Exit);
    }

    private void AssertInputError(string[] args, string expected)
    {
        string outDir = dir.File("out");
        var (exit, _, stderr) = CliRunner.Run(["scan", .. args, "--out", outDir, "--db", dir.File("history.db")]);
        Assert.True(exit == 3, stderr);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.False(Directory.Exists(outDir), "no report folder after an input error");
        Assert.False(File.Exists(dir.File("history.db")), "no history entry after an input error");
    }
}

/// <summary>Tests that set BULWARK_HOME (a process-wide variable) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BulwarkHomeCollection
{
    public const string Name = "BULWARK_HOME";
}
