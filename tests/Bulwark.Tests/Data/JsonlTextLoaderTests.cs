using System.Text.Json;
using Bulwark.Data;

namespace Bulwark.Tests.Data;

public sealed class JsonlTextLoaderTests : IDisposable
{
    private readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Loads_the_shared_spamassassin_corpus_with_every_text_intact()
    {
        string path = DataFiles.Shared("spamassassin.jsonl.gz");
        var corpus = JsonlTextLoader.Load(path);
        Assert.Equal(6046, corpus.Count);
        Assert.Equal(new[] { "ham", "spam" }, corpus.ClassNames);
        Assert.Equal(1896, corpus.Labels.Count(y => y == 1));

        var lines = System.Text.Encoding.UTF8.GetString(DataFiles.Gunzip(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (int i in new[] { 0, 1234, 6045 })
        {
            using var doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(doc.RootElement.GetProperty("text").GetString(), corpus.Texts[i]);
            Assert.Equal(doc.RootElement.GetProperty("label").GetString() == "spam" ? 1L : 0L, corpus.Labels[i]);
        }
    }

    [Fact]
    public void Fields_are_chosen_by_name_and_numeric_labels_are_indices()
    {
        string path = files.Write("t.jsonl", "{\"body\": \"hello there\", \"y\": 2, \"extra\": [1]}\n\n{\"y\": 0, \"body\": \"caf\\u00e9 ol\\u00e9\"}\n");
        var corpus = JsonlTextLoader.Load(path, new JsonlTextOptions { TextField = "body", LabelField = "y" });
        Assert.Equal(new[] { "hello there", "café olé" }, corpus.Texts);
        Assert.Equal(new long[] { 2, 0 }, corpus.Labels);
        Assert.Equal(3, corpus.ClassCount);
    }

    [Theory]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"\n", "line 2: is not valid JSON")]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n[1, 2]\n", "line 2: holds a JSON array, not an object")]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n\n{\"body\": \"b\", \"label\": \"y\"}\n", "line 3: has no field 'text'; its fields are 'body', 'label'")]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": 5, \"label\": \"y\"}\n", "line 2: field 'text' is a number, not a string")]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\"}\n", "line 2: has no field 'label'")]
    [InlineData("{\"text\": \"a\", \"label\": 1.5}\n", "line 1: field 'label' is 1.5")]
    [InlineData("{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": -2}\n", "line 2: label -2 is outside")]
    [InlineData("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"x\"}\n", "at least 2 classes")]
    [InlineData("\n\n", "holds no documents")]
    public void Malformed_lines_are_refused_naming_the_file_and_line(string content, string expected)
    {
        string path = files.Write("bad.jsonl", content);
        DataFiles.Refused(() => JsonlTextLoader.Load(path), "bad.jsonl", expected);
    }

    [Fact]
    public void Truncated_gzip_oversized_files_and_too_many_lines_are_refused()
    {
        var raw = File.ReadAllBytes(DataFiles.Bundled("spam", "spam.jsonl.gz"));
        // Cut mid-line: the broken last line is reported as the truncation it is.
        DataFiles.Refused(() => JsonlTextLoader.Load(files.Write("cut.jsonl.gz", raw[..(raw.Length / 3)])), "cut.jsonl.gz", "truncated");
        DataFiles.Refused(() => JsonlTextLoader.Load(files.Write("trail.jsonl.gz", raw[..^5])), "trail.jsonl.gz", "truncated");
        string path = DataFiles.Bundled("spam", "spam.jsonl.gz");
        DataFiles.Refused(() => JsonlTextLoader.Load(path, new JsonlTextOptions { Limits = new DataLimits { MaxFileBytes = 100_000 } }), "spam.jsonl.gz", "limit");
        DataFiles.Refused(() => JsonlTextLoader.Load(path, new JsonlTextOptions { Limits = new DataLimits { MaxRows = 1000 } }), "spam.jsonl.gz", "more than 1000 samples");
        DataFiles.Refused(() => JsonlTextLoader.Load(files.Write("bytes.jsonl", [0x7b, 0xff, 0xfe, 0x7d, 0x0a])), "bytes.jsonl", "line 1");
    }
}
