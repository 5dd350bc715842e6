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
