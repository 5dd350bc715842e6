using System.CommandLine;
using System.Text.Json;
using Bulwark.Cli;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Onnx;

namespace Bulwark.Cli.Tests;

/// <summary>
/// <c>model convert</c>, run through a root command with a <c>model</c> group of its own (the real
/// group is wired up in CliApp). Refusals surface as the exception that CliApp maps to exit 3.
/// </summary>
public class ModelConvertCommandTests
{
    [Fact]
    public void Converts_an_mlp_checkpoint_using_its_metadata_and_keeps_every_weight()
    {
        using var dir = new CliRunner.TempDir();
        var model = Architectures.Mlp(28 * 28, [256, 128], 10, new Rng(7));
        string checkpoint = WriteCheckpoint(dir, "mlp.safetensors", model, new() { ["bulwark.arch"] = "mlp", ["bulwark.input_shape"] = "784" });
        string onnx = dir.File("mlp.onnx");

        var (exit, stdout, _) = Convert("--checkpoint", checkpoint, "--out", onnx, "--json");
        Assert.Equal(CliApp.Ok, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("mlp", root.GetProperty("arch").GetString());
        Assert.Equal([784], root.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(17, root.GetProperty("opset").GetInt32());
        Assert.Equal(new FileInfo(onnx).Length, root.GetProperty("bytes").GetInt64());

        var exported = OnnxFile.ReadModel(onnx);
        Assert.Equal(784, exported.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        var weights = Safetensors.Read(checkpoint).Tensors;
        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), exported.Graph.Initializer.Select(i => i.Name).Order(StringComparer.Ordinal));
        foreach (var init in exported.Graph.Initializer)
        {
            Assert.Equal(weights[init.Name].ToArray(), OnnxTensors.ToTensor(init).ToArray());
        }
    }

    [Fact]
    public void Converts_a_cnn_checkpoint_without_metadata_given_the_arch()
    {
        using var dir = new CliRunner.TempDir();
        string checkpoint = WriteCheckpoint(dir, "cnn.safetensors", Architectures.ReferenceCnn(new Rng(8)), []);
        string onnx = dir.File("cnn.onnx");

        var (exit, stdout, _) = Convert("--checkpoint", checkpoint, "--arch", "cnn", "--out", onnx);
        Assert.Equal(CliApp.Ok, exit);
        Assert.Contains("cnn, input [N,1,28,28]", stdout, StringComparison.Ordinal);
        var exported = OnnxFile.ReadModel(onnx);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"], exported.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Refuses_to_write_over_the_checkpoint_even_through_a_link()
    {
        using var dir = new CliRunner.TempDir();
        string checkpoint = WriteCheckpoint(dir, "mlp.safetensors", Architectures.Mlp(28 * 28, [256, 128], 10, new Rng(1)), new() { ["bulwark.arch"] = "mlp" });
        byte[] before = File.ReadAllBytes(checkpoint);
        string link = dir.File("link.onnx");
        File.CreateSymbolicLink(link, checkpoint);

        foreach (string target in new[] { checkpoint, Path.Combine(dir.Path, ".", "mlp.safetensors"), link })
        {
            var e = Assert.Throws<BulwarkInputException>(() => Convert("--checkpoint", checkpoint, "--out", target));
            Assert.Contains("is the checkpoint itself", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void Inconsistent_input_is_refused_with_what_and_where_and_writes_nothing()
    {
        using var dir = new CliRunner.TempDir();
        string mlp = WriteCheckpoint(dir, "mlp.safetensors", Architectures.Mlp(28 * 28, [256, 128], 10, new Rng(1)), new() { ["bulwark.arch"] = "mlp" });
        string bare = WriteCheckpoint(dir, "bare.safetensors", Architectures.Mlp(28 * 28, [256, 128], 10, new Rng(1)), []);
        string onnx = dir.File("out.onnx");

        AssertRefused(["--checkpoint", mlp, "--arch", "cnn", "--out", onnx], "records architecture 'mlp'");
        AssertRefused(["--checkpoint", bare, "--out", onnx], "give --arch");
        AssertRefused(["--checkpoint", bare, "--arch", "cnn", "--out", onnx], "do not fit the cnn architecture");
        AssertRefused(["--checkpoint", mlp, "--input-shape", "1,x,28", "--out", onnx], "input shape '1,x,28'");
        AssertRefused(["--checkpoint", mlp, "--input-shape", "3,28,28", "--out", onnx], "module '1' (Linear)");
        AssertRefused(["--checkpoint", mlp, "--out", Path.Combine(dir.Path, "missing", "out.onnx")], "does not exist");
        Assert.False(File.Exists(onnx));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void Missing_required_options_and_unknown_archs_are_usage_errors()
    {
        Assert.Equal(CliApp.UsageError, Convert("--checkpoint", "a.safetensors").Exit);
        Assert.Equal(CliApp.UsageError, Convert("--out", "a.onnx").Exit);
        Assert.Equal(CliApp.UsageError, Convert("--checkpoint", "a.safetensors", "--out", "a.onnx", "--arch", "resnet").Exit);
    }

    private static void AssertRefused(string[] args, string fragment)
    {
        var e = Assert.Throws<BulwarkInputException>(() => Convert(args));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Err) Convert(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { new Command("model") { ModelConvertCommand.Create(new CliIO(stdout, stderr)) } };
        var parse = root.Parse(["model", "convert", .. args]);
        if (parse.Errors.Count > 0)
        {
            return (CliApp.UsageError, "", string.Join(Environment.NewLine, parse.Errors.Select(e => e.Message)));
        }
        int exit = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string WriteCheckpoint(CliRunner.TempDir dir, string name, Module model, Dictionary<string, string> metadata)
    {
        string path = dir.File(name);
        Safetensors.Write(path, model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value), metadata);
        return path;
    }
}
