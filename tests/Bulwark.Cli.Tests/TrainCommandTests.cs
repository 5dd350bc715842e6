using System.Text.Json;
using Bulwark.Cli;
using Bulwark.Engine.IO;

namespace Bulwark.Cli.Tests;

[Collection("engine-threads")]
public class TrainCommandTests
{
    [Fact]
    public void Trains_an_mlp_on_the_bundled_subset_and_saves_loadable_weights()
    {
        using var dir = new CliRunner.TempDir();
        string model = dir.File("mlp.safetensors");
        var (exit, stdout, stderr) = CliRunner.Run("train", "--arch", "mlp", "--epochs", "2", "--train-limit", "2000", "--seed", "3", "--out", model, "--json");
        Assert.True(exit == CliApp.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("mlp", root.GetProperty("arch").GetString());
        Assert.Equal(2000, root.GetProperty("train_images").GetInt32());
        Assert.Equal(1000, root.GetProperty("test_images").GetInt32());
        Assert.Equal(2, root.GetProperty("epochs").GetArrayLength());
        double accuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.65, 1.0);

        var saved = Safetensors.Read(model);
        Assert.Equal(new[] { 256, 784 }, saved.Tensors["1.weight"].Shape.ToArray());
        Assert.Equal("mlp", saved.Metadata["bulwark.arch"]);
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        Assert.Equal(CliApp.UsageError, CliRunner.Run("train", "--arch", "transformer").Exit);
        Assert.Equal(CliApp.UsageError, CliRunner.Run("train", "--no-such-option").Exit);
        Assert.Equal(CliApp.UsageError, CliRunner.Run("no-such-command").Exit);
    }

    [Fact]
    public void Malformed_idx_files_exit_3_without_a_stack_trace_and_leave_no_output()
    {
        using var dir = new CliRunner.TempDir();
        string bundled = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");
        foreach (var f in Directory.GetFiles(bundled, "*.gz"))
        {
            File.Copy(f, dir.File(Path.GetFileName(f)));
        }
        // Cut the training images short: the header promises more bytes than are there.
        string images = dir.File("train-images-idx3-ubyte.gz");
        byte[] raw = Decompress(images);
        File.Delete(images);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), raw[..(raw.Length / 2)]);
        string model = dir.File("model.safetensors");

        var (exit, _, stderr) = CliRunner.Run("train", "--data-dir", dir.Path, "--epochs", "1", "--out", model);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("train-images-idx3-ubyte", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Missing_data_and_bad_values_exit_3()
    {
        using var dir = new CliRunner.TempDir();
        var (exit, _, stderr) = CliRunner.Run("train", "--data-dir", dir.File("absent"));
        Assert.Equal(CliApp.InputError, exit);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.Equal(CliApp.InputError, CliRunner.Run("train", "--epochs", "0").Exit);
        Assert.Equal(CliApp.InputError, CliRunner.Run("train", "--out", dir.File("no/such/folder/m.safetensors")).Exit);
    }

    private static byte[] Decompress(string path)
    {
        using var input = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var ms = new MemoryStream();
        input.CopyTo(ms);
        return ms.ToArray();
    }
}

[Collection("engine-threads")]
public class TrainCommandFileTests
{
    private static void WriteNpz(string path, int n, Func<int, float> pixel, Func<int, long> label)
    {
        var x = new float[n * 784];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = pixel(i);
        }
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = label(i);
        }
        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(x, n, 28, 28), ["y"] = new(y, n) });
    }

    [Fact]
    public void Trains_on_npz_files_and_continues_from_saved_weights()
    {
        using var dir = new CliRunner.TempDir();
        // Class 0: dark images, class 1: bright ones.
        WriteNpz(dir.File("train.npz"), 64, i => (i / 784) % 2 == 0 ? 0.1f : 0.9f, i => i % 2);
        WriteNpz(dir.File("test.npz"), 32, i => (i / 784) % 2 == 0 ? 0.15f : 0.85f, i => i % 2);
        string first = dir.File("first.safetensors");
        var (exit, _, err) = CliRunner.Run("train", "--arch", "mlp", "--data", dir.File("train.npz"), "--test-data", dir.File("test.npz"), "--epochs", "10", "--lr", "0.01", "--batch-size", "16", "--out", first, "--json");
        Assert.True(exit == CliApp.Ok, err);
        var (exit2, out2, err2) = CliRunner.Run("train", "--arch", "mlp", "--data", dir.File("train.npz"), "--test-data", dir.File("test.npz"), "--epochs", "1", "--lr", "0.0001", "--init", first, "--json");
        Assert.True(exit2 == CliApp.Ok, err2);
        using var json = System.Text.Json.JsonDocument.Parse(out2);
        Assert.Equal(1.0, json.RootElement.GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public void Malformed_npz_and_safetensors_exit_3_without_a_stack_trace()
    {
        using var dir = new CliRunner.TempDir();
        WriteNpz(dir.File("ok.npz"), 8, _ => 0.5f, i => i % 10);
        WriteNpz(dir.File("labels.npz"), 8, _ => 0.5f, i => 12);
        WriteNpz(dir.File("nan.npz"), 8, i => i == 5 ? float.NaN : 0.5f, i => 1);
        File.WriteAllBytes(dir.File("truncated.npz"), File.ReadAllBytes(dir.File("ok.npz"))[..100]);
        File.WriteAllBytes(dir.File("absurd.safetensors"), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, (byte)'{', (byte)'}']);
        var saved = new Dictionary<string, Bulwark.Engine.Tensor> { ["1.weight"] = Bulwark.Engine.Tensor.Zeros(3, 3) };
        Safetensors.Write(dir.File("wrong-shape.safetensors"), saved);

        string ok = dir.File("ok.npz");
        foreach (var args in new[]
        {
            new[] { "--data", dir.File("labels.npz"), "--test-data", ok },
            ["--data", dir.File("nan.npz"), "--test-data", ok],
            ["--data", dir.File("truncated.npz"), "--test-data", ok],
            ["--data", ok, "--test-data", ok, "--init", dir.File("absurd.safetensors")],
            ["--data", ok, "--test-data", ok, "--init", dir.File("wrong-shape.safetensors")],
        })
        {
            string model = dir.File("out.safetensors");
            var (exit, _, err) = CliRunner.Run(["train", "--arch", "mlp", "--epochs", "1", "--out", model, .. args]);
            Assert.True(exit == CliApp.InputError, $"{string.Join(' ', args)} → {exit}: {err}");
            Assert.Contains("error: ", err, StringComparison.Ordinal);
            CliRunner.AssertNoStackTrace(err);
            Assert.False(File.Exists(model));
        }
    }
}

/// <summary><c>bulwark train --adversarial</c>: robust training through the defence learners.</summary>
public sealed class AdversarialTrainCommandTests
{
    [Fact]
    public void Pgd_adversarial_training_saves_weights_marked_as_robust()
    {
        using var dir = new CliRunner.TempDir();
        string output = dir.File("robust.safetensors");
        var (exit, stdout, stderr) = CliRunner.Run("train", "--arch", "mlp", "--train-limit", "400", "--epochs", "2", "--adversarial", "pgd", "--eps", "0.1", "--adv-steps", "2", "--out", output, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("pgd", doc.RootElement.GetProperty("adversarial").GetString());
        Assert.True(doc.RootElement.GetProperty("test_accuracy").GetDouble() > 0.4, stdout);
        var saved = Bulwark.Engine.IO.Safetensors.Read(output);
        Assert.Equal("pgd eps=0.1 steps=2", saved.Metadata["bulwark.adversarial"]);
    }

    [Fact]
    public void A_bad_budget_is_an_input_error()
    {
        var (exit, _, stderr) = CliRunner.Run("train", "--arch", "mlp", "--train-limit", "100", "--adversarial", "trades", "--eps", "-0.1");
        Assert.Equal(3, exit);
        CliRunner.AssertNoStackTrace(stderr);
    }
}
