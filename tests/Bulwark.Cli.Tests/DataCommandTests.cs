using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Cli;
using Bulwark.Engine.IO;

namespace Bulwark.Cli.Tests;

public class DataCommandTests
{
    [Theory]
    [InlineData("fashion-mnist", "image", 6000, 1000, 10, "[1,28,28]")]
    [InlineData("digits", "image", 1438, 359, 10, "[1,8,8]")]
    [InlineData("breast-cancer", "tabular", 456, 113, 2, "[30]")]
    [InlineData("spam", "text", 1200, 300, 2, "[5000]")]
    public void Inspects_each_built_in_as_json(string name, string kind, int train, int test, int classes, string shape)
    {
        var (exit, stdout, stderr) = CliRunner.Run("data", "inspect", name, "--json");
        Assert.True(exit == CliApp.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("built-in", root.GetProperty("format").GetString());
        Assert.Equal(kind, root.GetProperty("kind").GetString());
        Assert.Equal(shape, root.GetProperty("sample_shape").GetRawText());
        Assert.Equal(classes, root.GetProperty("class_count").GetInt32());
        var parts = root.GetProperty("parts").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("samples").GetInt32());
        Assert.Equal(train, parts["train"]);
        Assert.Equal(test, parts["test"]);
        int counted = root.GetProperty("classes").EnumerateArray().Sum(c => c.GetProperty("counts").GetProperty("test").GetInt32());
        Assert.Equal(test, counted);
        Assert.Equal(kind == "text" ? JsonValueKind.Number : JsonValueKind.Null, root.GetProperty("vocabulary_size").ValueKind);
    }

    [Fact]
    public void Human_output_goes_to_stderr_with_classes_bounds_and_feature_names()
    {
        var (exit, stdout, stderr) = CliRunner.Run("data", "inspect", "breast-cancer");
        Assert.Equal(CliApp.Ok, exit);
        Assert.Empty(stdout);
        Assert.Contains("tabular, 456 train + 113 test samples, sample shape [30], 2 classes", stderr, StringComparison.Ordinal);
        Assert.Contains("malignant", stderr, StringComparison.Ordinal);
        Assert.Contains("mean_radius", stderr, StringComparison.Ordinal);
        Assert.Contains("and 22 more features", stderr, StringComparison.Ordinal);

        var spam = CliRunner.Run("data", "inspect", "spam");
        Assert.Contains("vocabulary: 5000 terms", spam.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_are_recognised_by_extension_with_their_columns_and_fields()
    {
        using var dir = new CliRunner.TempDir();
        File.WriteAllText(dir.File("t.csv"), "height,kind,weight\n1.5,cat,3\n2,dog,4\n0.5,cat,9\n");
        var csv = CliRunner.Run("data", "inspect", dir.File("t.csv"), "--label-column", "kind", "--json");
        Assert.True(csv.Exit == CliApp.Ok, csv.Err);
        using (var json = JsonDocument.Parse(csv.Out))
        {
            var features = json.RootElement.GetProperty("features").EnumerateArray().ToArray();
            Assert.Equal("weight", features[1].GetProperty("name").GetString());
            Assert.Equal(9, features[1].GetProperty("upper").GetSingle());
            Assert.Equal("cat", json.RootElement.GetProperty("classes")[0].GetProperty("name").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("classes")[0].GetProperty("counts").GetProperty("all").GetInt32());
        }

        File.WriteAllText(dir.File("t.jsonl"), "{\"body\": \"win money now\", \"label\": \"spam\"}\n{\"body\": \"lunch at noon\", \"label\": \"ham\"}\n");
        var jsonl = CliRunner.Run("data", "inspect", dir.File("t.jsonl"), "--text-field", "body", "--json");
        Assert.True(jsonl.Exit == CliApp.Ok, jsonl.Err);
        using (var json = JsonDocument.Parse(jsonl.Out))
        {
            Assert.Equal(6, json.RootElement.GetProperty("vocabulary_size").GetInt32());
            Assert.Equal("text", json.RootElement.GetProperty("kind").GetString());
        }

        Npz.Write(dir.File("d.npz"), new Dictionary<string, NpyArray> { ["x"] = new(new float[2 * 4], 2, 1, 2, 2), ["y"] = new(new long[] { 0, 1 }, 2) });
        var npz = CliRunner.Run("data", "inspect", dir.File("d.npz"), "--json");
        Assert.True(npz.Exit == CliApp.Ok, npz.Err);
        Assert.Contains("\"sample_shape\":[1,2,2]", npz.Out, StringComparison.Ordinal);

        var idx = CliRunner.Run("data", "inspect", Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist"), "--json");
        Assert.True(idx.Exit == CliApp.Ok, idx.Err);
        Assert.Contains("\"format\":\"idx\"", idx.Out, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string[], string> MalformedFiles => new()
    {
        { "bad-header.csv", Encoding.UTF8.GetBytes("1,2,3\n4,5,6\n"), [], "looks like data, not a header" },
        { "ragged.csv", Encoding.UTF8.GetBytes("a,b,label\n1,2,0\n3,4\n"), [], "line 3: 2 fields" },
        { "nan.csv", Encoding.UTF8.GetBytes("a,b,label\n1,2,0\n3,NaN,1\n"), [], "line 3, column 2 ('b')" },
        { "text.csv", Encoding.UTF8.GetBytes("a,b,label\n1,2,0\n3,x,1\n"), [], "line 3, column 2 ('b')" },
        { "label.csv", Encoding.UTF8.GetBytes("a,label\n1,0\n3,-4\n"), [], "label -4 is outside" },
        { "wrongcol.csv", Encoding.UTF8.GetBytes("a,b\n1,0\n"), [], "no column named 'label'" },
        { "bad.jsonl", Encoding.UTF8.GetBytes("{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1\n"), [], "line 2: is not valid JSON" },
        { "nofield.jsonl", Encoding.UTF8.GetBytes("{\"text\": \"a\", \"label\": 0}\n{\"label\": 1}\n"), [], "line 2: has no field 'text'" },
        { "cut.jsonl.gz", Gzip("{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1}\n")[..^4], [], "truncated" },
        { "big.csv", Encoding.UTF8.GetBytes("a,label\n" + string.Concat(Enumerable.Repeat("1,0\n2,1\n", 100))), ["--max-bytes", "100"], "limit" },
        { "rows.csv", Encoding.UTF8.GetBytes("a,label\n" + string.Concat(Enumerable.Repeat("1,0\n2,1\n", 100))), ["--max-rows", "10"], "more than 10 samples" },
        { "dtype.npz", NpzBytes(new NpyArray(new long[] { 1, 2 }, 2, 1), new NpyArray(new long[] { 0, 1 }, 2)), [], "floating point" },
        { "labels.npz", NpzBytes(new NpyArray(new float[] { 1, 2 }, 2, 1), new NpyArray(new float[] { 0, 1 }, 2)), [], "integers" },
        { "format.txt", Encoding.UTF8.GetBytes("hello"), [], "cannot tell the format" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_files_exit_3_without_a_stack_trace_and_stay_untouched(string name, byte[] content, string[] options, string expected)
    {
        using var dir = new CliRunner.TempDir();
        string path = dir.File(name);
        File.WriteAllBytes(path, content);
        byte[] before = SHA256.HashData(content);

        var (exit, stdout, stderr) = CliRunner.Run(["data", "inspect", path, .. options]);
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.Empty(stdout);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(new[] { name }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Unknown_sources_exit_3_and_a_missing_argument_exits_2()
    {
        var (exit, _, stderr) = CliRunner.Run("data", "inspect", "no-such-dataset");
        Assert.Equal(CliApp.InputError, exit);
        Assert.Contains("breast-cancer", stderr, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(stderr);
        Assert.Equal(CliApp.UsageError, CliRunner.Run("data", "inspect").Exit);
        Assert.Equal(CliApp.InputError, CliRunner.Run("data", "inspect", "digits", "--max-rows", "0").Exit);
    }

    private static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }
        return ms.ToArray();
    }

    private static byte[] NpzBytes(NpyArray x, NpyArray y)
    {
        using var ms = new MemoryStream();
        Npz.Write(ms, new Dictionary<string, NpyArray> { ["x"] = x, ["y"] = y });
        return ms.ToArray();
    }
}
