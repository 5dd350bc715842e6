using System.Text.Json;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Onnx;

namespace Bulwark.Cli.Tests;

/// <summary><c>bulwark attack</c> on a small digits model exported to ONNX.</summary>
public sealed class AttackCommandTests : IDisposable
{
    private readonly CliRunner.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly Lazy<Sequential> Model = new(() =>
    {
        var split = BuiltInDatasets.Load("digits", RepoData());
        var net = Architectures.Mlp(64, [32], 10, new Rng(1));
        new Trainer(net, new Adam(net.Parameters(), 1e-2f), new TrainerOptions { Epochs = 8, BatchSize = 64, Seed = 1 })
            .Fit(split.Train.Features.Reshape(-1, 64), split.Train.Labels);
        net.Eval();
        return net;
    });

    private (string Model, string Data, float[] X) Files(int n = 30, bool nan = false, long label = -1)
    {
        string model = dir.File("digits.onnx");
        OnnxExporter.Save(Model.Value, [64], model);
        var test = BuiltInDatasets.Load("digits", RepoData()).Test.Take(n);
        var x = test.Features.Reshape(n, 64).ToArray();
        if (nan)
            x[5] = float.NaN;
        var y = (long[])test.Labels.Data.Clone();
        if (label >= 0)
            y[0] = label;
        string data = dir.File("digits.npz");
        Npz.Write(data, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromTensor(Tensor.FromArray(x, n, 64)),
            ["y"] = NpyArray.FromLongTensor(new LongTensor(y, n)),
        });
        return (model, data, x);
    }

    [Fact]
    public void Fgsm_writes_adversarial_examples_and_a_json_summary()
    {
        var (model, data, _) = Files();
        byte[] before = File.ReadAllBytes(data);
        string output = dir.File("adv.npy");
        var (exit, stdout, stderr) = CliRunner.Run("attack", "fgsm", "--model", model, "--data", data, "--eps", "0.3", "--out", output, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("fgsm", root.GetProperty("attack").GetString());
        Assert.True(root.GetProperty("clean_accuracy").GetDouble() > 0.8);
        double success = root.GetProperty("success_rate").GetDouble();
        Assert.True(success > 0.3, $"fgsm success {success}");
        Assert.True(root.GetProperty("median_linf").GetDouble() <= 0.3 + 1e-5);
        var adv = Npy.Read(output).ToTensor();
        Assert.Equal([30, 64], adv.Shape.ToArray());
        Assert.All(adv.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void Pgd_beats_fgsm_through_the_cli()
    {
        var (model, data, _) = Files();
        double Rate(params string[] extra)
        {
            var (exit, stdout, stderr) = CliRunner.Run(["attack", .. extra, "--model", model, "--data", data, "--eps", "0.1", "--out", dir.File("a.npy"), "--json"]);
            Assert.True(exit == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.GetProperty("success_rate").GetDouble();
        }
        double fgsm = Rate("fgsm");
        double pgd = Rate("pgd", "--steps", "20");
        Assert.True(pgd >= fgsm, $"pgd {pgd} vs fgsm {fgsm}");
    }

    [Fact]
    public void Square_runs_black_box_through_onnx_runtime_within_its_query_budget()
    {
        var (model, data, _) = Files(20);
        var (exit, stdout, stderr) = CliRunner.Run("attack", "square", "--model", model, "--data", data, "--eps", "0.3", "--max-queries", "200", "--out", dir.File("sq.npy"), "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("success_rate").GetDouble() >= 0.5, stdout);
        Assert.True(root.GetProperty("queries").GetInt64() <= 20 * 200, stdout);
        Assert.Equal(0, root.GetProperty("gradient_calls").GetInt64());
    }

    [Fact]
    public void Certify_reports_certified_accuracy_that_falls_with_the_radius()
    {
        var (model, data, _) = Files(10);
        var (exit, stdout, stderr) = CliRunner.Run("certify", "--model", model, "--data", data, "--sigma", "0.25", "--n", "500", "--n0", "50", "--radii", "0,0.25,1", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var acc = doc.RootElement.GetProperty("certified_accuracy").EnumerateArray().Select(a => a.GetProperty("accuracy").GetDouble()).ToArray();
        Assert.Equal(3, acc.Length);
        Assert.True(acc[0] >= acc[1] && acc[1] >= acc[2], string.Join(", ", acc));
        Assert.Equal(10, doc.RootElement.GetProperty("certificates").GetArrayLength());
        var bad = CliRunner.Run("certify", "--model", model, "--data", data, "--sigma", "-1");
        Assert.Equal(3, bad.Exit);
        CliRunner.AssertNoStackTrace(bad.Err);
    }

    [Fact]
    public void Robustness_prints_a_falling_curve_and_passing_sanity_checks()
    {
        var (model, data, _) = Files(20);
        var (exit, stdout, stderr) = CliRunner.Run("robustness", "--model", model, "--data", data, "--eps", "0,0.05,0.2", "--steps", "5", "--sanity", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var curve = doc.RootElement.GetProperty("curve").EnumerateArray().Select(p => p.GetProperty("robust_accuracy").GetDouble()).ToArray();
        Assert.Equal(3, curve.Length);
        Assert.True(curve[0] > 0.8 && curve[2] < curve[0], string.Join(", ", curve));
        var checks = doc.RootElement.GetProperty("checks").EnumerateArray().ToArray();
        Assert.Contains(checks, c => c.GetProperty("check").GetString() == "unbounded-attack-succeeds" && c.GetProperty("passed").GetBoolean());
        Assert.False(doc.RootElement.GetProperty("likely_gradient_masking").GetBoolean());
        var bad = CliRunner.Run("robustness", "--model", model, "--data", data, "--eps", "0,-1");
        Assert.Equal(3, bad.Exit);
        CliRunner.AssertNoStackTrace(bad.Err);
    }

    [Theory]
    [InlineData("eps")]
    [InlineData("label")]
    [InlineData("nan")]
    [InlineData("same-file")]
    [InlineData("missing-model")]
    [InlineData("unknown-attack")]
    [InlineData("bad-norm")]
    public void Bad_input_exits_3_without_a_stack_trace_or_an_output_file(string fault)
    {
        var (model, data, _) = Files(nan: fault == "nan", label: fault == "label" ? 12 : -1);
        string output = dir.File("adv.npy");
        string[] args = fault switch
        {
            "eps" => ["attack", "pgd", "--model", model, "--data", data, "--eps", "-0.1", "--out", output],
            "same-file" => ["attack", "fgsm", "--model", model, "--data", data, "--out", data],
            "missing-model" => ["attack", "fgsm", "--model", dir.File("absent.onnx"), "--data", data, "--out", output],
            "unknown-attack" => ["attack", "nosuch", "--model", model, "--data", data, "--out", output],
            "bad-norm" => ["attack", "bim", "--model", model, "--data", data, "--norm", "2", "--out", output],
            _ => ["attack", "fgsm", "--model", model, "--data", data, "--out", output],
        };
        byte[] before = File.ReadAllBytes(data);
        var (exit, _, stderr) = CliRunner.Run(args);
        Assert.Equal(3, exit);
        Assert.StartsWith("error:", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.False(File.Exists(output));
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    internal static string RepoData()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Bulwark.slnx")))
                return Path.Combine(d.FullName, "data");
        throw new DirectoryNotFoundException("repository root not found");
    }
}
