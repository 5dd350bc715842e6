using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Onnx.Proto;
using Bulwark.Tests.Defenses.Integrity;
using Google.Protobuf;

namespace Bulwark.Cli.Tests;

public sealed class ModelCommandTests : IDisposable
{
    private readonly CliRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(ModelProto model, string name = "model.onnx") => TestModels.Write(model, _dir.Path, name);

    private string Hostile() => Write(TestModels.WithNode(TestModels.Node("Exploit", "evil", ["X"], ["E"], "com.attacker")), "hostile.onnx");

    [Fact]
    public void Inspect_prints_opsets_operators_parameters_and_sha()
    {
        string path = Write(TestModels.Clean());
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        var (exit, stdout, stderr) = CliRunner.Run("model", "inspect", path);
        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"sha256 {sha}", stderr, StringComparison.Ordinal);
        Assert.Contains("IR version 8, producer bulwark-tests 1", stderr, StringComparison.Ordinal);
        Assert.Contains("opsets ai.onnx 17", stderr, StringComparison.Ordinal);
        Assert.Contains("[N, 4]", stderr, StringComparison.Ordinal);
        Assert.Contains("2 operator types, 2 nodes, 4 parameters", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_json_describes_inputs_with_symbolic_dimensions()
    {
        string path = Write(TestModels.Clean());
        var (exit, stdout, _) = CliRunner.Run("model", "inspect", path, "--json");
        Assert.Equal(CliApp.Ok, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("parameters").GetInt64());
        Assert.Equal(new FileInfo(path).Length, root.GetProperty("file_bytes").GetInt64());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal("X", input.GetProperty("name").GetString());
        Assert.Equal("FLOAT", input.GetProperty("element_type").GetString());
        Assert.Equal("N", input.GetProperty("shape")[0].GetString());
        Assert.Equal(4, input.GetProperty("shape")[1].GetInt64());
        Assert.Equal(17, root.GetProperty("opsets")[0].GetProperty("version").GetInt64());
        var ops = root.GetProperty("operators").EnumerateArray().Select(o => o.GetProperty("operator").GetString()).ToList();
        Assert.Equal(["Add", "Relu"], ops);
    }

    [Fact]
    public void Inspect_of_a_missing_or_malformed_file_is_an_input_error()
    {
        var (exit, _, stderr) = CliRunner.Run("model", "inspect", _dir.File("absent.onnx"));
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("not found", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);

        File.WriteAllBytes(_dir.File("garbage.onnx"), [0xFF, 0xFF, 0xFF, 0x01, 0x02]);
        (exit, _, stderr) = CliRunner.Run("model", "inspect", _dir.File("garbage.onnx"));
        Assert.Equal(CliApp.InputError, exit);
        CliRunner.AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Scan_exits_1_on_a_hostile_file_and_leaves_it_unchanged()
    {
        string path = Hostile();
        byte[] before = File.ReadAllBytes(path);
        var (exit, stdout, stderr) = CliRunner.Run("model", "scan", path);
        Assert.Equal(CliApp.Findings, exit);
        Assert.Equal("", stdout);
        Assert.Contains("HIGH", stderr, StringComparison.Ordinal);
        Assert.Contains("custom-op-domain", stderr, StringComparison.Ordinal);
        Assert.Contains("fails --fail-on high", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Scan_exits_0_on_a_clean_file()
    {
        var (exit, _, stderr) = CliRunner.Run("model", "scan", Write(TestModels.Clean()));
        Assert.Equal(CliApp.Ok, exit);
        Assert.Contains("0 findings", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_json_lists_findings_and_fail_on_sets_the_gate()
    {
        var model = TestModels.WithNode(TestModels.Node("Reluu", "typo", ["X"], ["T"]));
        string path = Write(model);
        var (exit, stdout, _) = CliRunner.Run("model", "scan", path, "--json");
        Assert.Equal(CliApp.Ok, exit);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("medium", finding.GetProperty("severity").GetString());
            Assert.Equal("unknown-operator", finding.GetProperty("rule").GetString());
            Assert.Contains("'typo'", finding.GetProperty("where").GetString(), StringComparison.Ordinal);
            Assert.False(doc.RootElement.GetProperty("failed").GetBoolean());
        }
        (exit, stdout, _) = CliRunner.Run("model", "scan", path, "--json", "--fail-on", "medium");
        Assert.Equal(CliApp.Findings, exit);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("failed").GetBoolean());
    }

    [Fact]
    public void Scan_of_a_malformed_or_missing_file_is_a_high_finding()
    {
        byte[] bytes = TestModels.Clean().ToByteArray();
        File.WriteAllBytes(_dir.File("truncated.onnx"), bytes[..(bytes.Length - 7)]);
        var (exit, stdout, stderr) = CliRunner.Run("model", "scan", _dir.File("truncated.onnx"), "--json");
        Assert.Equal(CliApp.Findings, exit);
        Assert.Contains("model-malformed", stdout, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);

        (exit, _, stderr) = CliRunner.Run("model", "scan", _dir.File("absent.onnx"));
        Assert.Equal(CliApp.Findings, exit);
        Assert.Contains("file-unreadable", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_compares_the_pinned_hash()
    {
        string path = Write(TestModels.Clean());
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(CliApp.Ok, CliRunner.Run("model", "scan", path, "--expect-sha256", sha).Exit);
        var (exit, _, stderr) = CliRunner.Run("model", "scan", path, "--expect-sha256", new string('a', 64));
        Assert.Equal(CliApp.Findings, exit);
        Assert.Contains("sha256-mismatch", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = CliRunner.Run("model", "scan", path, "--expect-sha256", "xyz");
        Assert.Equal(CliApp.InputError, exit);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.Equal(CliApp.UsageError, CliRunner.Run("model", "scan", path, "--fail-on", "severe").Exit);
    }

    [Fact]
    public void Control_characters_from_the_model_do_not_reach_the_terminal()
    {
        var model = TestModels.WithNode(TestModels.Node("Exploit", "\u001b]0;pwned\u0007[red]x[/]", ["X"], ["E"], "com.attacker"));
        var (exit, _, stderr) = CliRunner.Run("model", "scan", Write(model));
        Assert.Equal(CliApp.Findings, exit);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.Contains("?]0;pwned?[red]x[/]", stderr, StringComparison.Ordinal);
    }
}
