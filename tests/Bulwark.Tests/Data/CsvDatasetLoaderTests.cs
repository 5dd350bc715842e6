using System.Globalization;
using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

public sealed class CsvDatasetLoaderTests : IDisposable
{
    private readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void The_bundled_breast_cancer_table_matches_the_shared_source()
    {
        var data = CsvDatasetLoader.Load(DataFiles.Bundled("breast-cancer", "breast-cancer.csv"), new CsvOptions { LabelColumn = "diagnosis" });
        Assert.Equal(new[] { 569, 30 }, data.Features.Shape.ToArray());
        Assert.Equal(new[] { "benign", "malignant" }, data.Info.ClassNames);
        Assert.Equal(212, data.Labels.Data.Count(y => y == 1));
        Assert.Equal("mean_radius", data.Info.Features[0].Name);
        Assert.Equal("worst_fractal_dimension", data.Info.Features[29].Name);

        var source = File.ReadAllLines(DataFiles.Shared("sklearn", "breast_cancer.csv"))[1..];
        var x = data.Features.AsReadOnlySpan();
        for (int i = 0; i < source.Length; i++)
        {
            var cells = source[i].Split(',');
            // The source codes malignant as 0 and benign as 1; sorted names swap them.
            Assert.Equal(cells[30] == "0" ? 1L : 0L, data.Labels.Data[i]);
            for (int j = 0; j < 30; j++)
            {
                Assert.Equal(float.Parse(cells[j], CultureInfo.InvariantCulture), x[(i * 30) + j]);
            }
        }
        // Bounds as the source's documentation states them for mean area and worst concavity.
        Assert.Equal((143.5f, 2501f), (data.Info.Features[3].Lower, data.Info.Features[3].Upper));
        Assert.Equal((0f, 1.252f), (data.Info.Features[26].Lower, data.Info.Features[26].Upper));
        Assert.Equal((0f, 4254f), (data.Info.Bounds.Lower, data.Info.Bounds.Upper));
    }

    [Fact]
    public void Quoted_fields_integer_flags_and_string_labels_in_sorted_order()
    {
        string path = files.Write("q.csv", "\"size\",\"note, with comma\",kind\n1.5,\"2\",\"dog\"\n-3,\"4\",cat\n\n\"0\",7,\"bird \"\"tweety\"\"\"\n");
        var data = CsvDatasetLoader.Load(path, new CsvOptions { LabelColumn = "kind" });
        Assert.Equal(new[] { 1.5f, 2f, -3f, 4f, 0f, 7f }, data.Features.ToArray());
        Assert.Equal(new[] { "bird \"tweety\"", "cat", "dog" }, data.Info.ClassNames);
        Assert.Equal(new long[] { 2, 1, 0 }, data.Labels.Data);
        Assert.Equal("note, with comma", data.Info.Features[1].Name);
        Assert.False(data.Info.Features[0].Integer);
        Assert.True(data.Info.Features[1].Integer);
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_errors_after_it_name_the_right_line()
    {
        string path = files.Write("multi.csv", "a,label\n\"1\nz\",0\n2,1\n");
        DataFiles.Refused(() => CsvDatasetLoader.Load(path), "line 2, column 1", "not a finite number");
        string ok = files.Write("ok.csv", "a,label,\"b\"\n1,0,\"multi\nline\"\n");
        DataFiles.Refused(() => CsvDatasetLoader.Load(ok), "line 2, column 3 ('b')");
        string late = files.Write("late.csv", "a,label\n\"1\n\",0\n5\n");
        DataFiles.Refused(() => CsvDatasetLoader.Load(late), "line 4: 1 fields");
    }

    [Fact]
    public void Integer_labels_are_class_indices_and_gzip_is_read()
    {
        string path = files.WriteGzip("t.csv.gz", "label,a\n0,1\n3,2\n1,3\n");
        var data = CsvDatasetLoader.Load(path);
        Assert.Equal(4, data.ClassCount);
        Assert.Empty(data.Info.ClassNames);
        Assert.Equal(new long[] { 0, 3, 1 }, data.Labels.Data);
        Assert.Equal(5, CsvDatasetLoader.Load(path, new CsvOptions { ClassCount = 5 }).ClassCount);
    }

    [Fact]
    public void Missing_values_are_errors_unless_allowed_then_the_column_mean()
    {
        string path = files.Write("m.csv", "a,b,label\n1,NaN,0\n2,4,1\n3,,0\n4,8,1\n");
        DataFiles.Refused(() => CsvDatasetLoader.Load(path), "m.csv", "line 2, column 2 ('b')", "missing value 'NaN'");
        var data = CsvDatasetLoader.Load(path, new CsvOptions { AllowMissing = true });
        Assert.Equal(new[] { 1f, 6f, 2f, 4f, 3f, 6f, 4f, 8f }, data.Features.ToArray());
        DataFiles.Refused(() => CsvDatasetLoader.Load(files.Write("nolabel.csv", "a,label\n1,0\n2,\n")), "line 3, column 2 ('label')", "label is missing");
    }

    [Theory]
    [InlineData("ragged", "a,b,label\n1,2,0\n3,4\n", "line 3: 2 fields, but the header has 3")]
    [InlineData("long row", "a,b,label\n1,2,0,9\n", "line 2: 4 fields")]
    [InlineData("text in a number", "a,label\n1,0\nabc,1\n", "line 3, column 1 ('a'): 'abc' is not a finite number")]
    [InlineData("infinity", "a,label\n1,0\ninf,1\n", "line 3, column 1 ('a'): 'inf'")]
    [InlineData("no header", "1,2,0\n3,4,1\n", "line 1 ('1,2,0') looks like data, not a header")]
    [InlineData("no label column", "a,b,class\n1,2,0\n", "no column named 'label'")]
    [InlineData("duplicate name", "a,a,label\n1,2,0\n", "line 1, column 2: column name 'a' appears twice")]
    [InlineData("empty name", "a,,label\n1,2,0\n", "line 1, column 2")]
    [InlineData("negative label", "a,label\n1,0\n2,-1\n", "line 3, column 2 ('label'): label -1 is outside")]
    [InlineData("one class", "a,label\n1,0\n2,0\n", "at least 2 classes")]
    [InlineData("header only", "a,label\n", "no rows")]
    [InlineData("empty", "", "is empty")]
    [InlineData("unclosed quote", "a,label\n\"1,0\n", "line 2, column 1: a quoted field is never closed")]
    [InlineData("stray quote", "a,label\n1\"2,0\n", "line 2, column 1: a stray quote")]
    [InlineData("only labels", "label\n0\n1\n", "no features")]
    public void Malformed_tables_are_refused_naming_the_file_and_the_place(string rule, string content, string expected)
    {
        string path = files.Write(rule.Replace(' ', '-') + ".csv", content);
        DataFiles.Refused(() => CsvDatasetLoader.Load(path), path, expected);
    }

    [Fact]
    public void Labels_beyond_a_given_class_count_are_refused()
    {
        string path = files.Write("c.csv", "a,label\n1,0\n2,2\n");
        DataFiles.Refused(() => CsvDatasetLoader.Load(path, new CsvOptions { ClassCount = 2 }), "line 3, column 2 ('label'): label 2 is outside [0, 2)");
        DataFiles.Refused(() => CsvDatasetLoader.Load(files.Write("s.csv", "a,label\n1,x\n2,y\n"), new CsvOptions { ClassCount = 2 }), "not all whole numbers");
    }

    [Fact]
    public void Limits_and_truncated_gzip_are_refused()
    {
        string path = files.Write("big.csv", "a,label\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},{i % 2}\n")));
        DataFiles.Refused(() => CsvDatasetLoader.Load(path, new CsvOptions { Limits = new DataLimits { MaxFileBytes = 100 } }), "big.csv", "more than the limit of 100 bytes");
        DataFiles.Refused(() => CsvDatasetLoader.Load(path, new CsvOptions { Limits = new DataLimits { MaxRows = 50 } }), "big.csv", "more than 50 samples");

        var zipped = DataFiles.Gzip(File.ReadAllBytes(path));
        // Cut inside the compressed data, and cut just the trailer: both are truncations.
        DataFiles.Refused(() => CsvDatasetLoader.Load(files.Write("cut.csv.gz", zipped[..(zipped.Length / 2)])), "cut.csv.gz", "truncated");
        DataFiles.Refused(() => CsvDatasetLoader.Load(files.Write("trail.csv.gz", zipped[..^4])), "trail.csv.gz", "truncated");
        var bomb = DataFiles.Gzip(System.Text.Encoding.ASCII.GetBytes("a,label\n" + new string('1', 5000) + ",0\n"));
        DataFiles.Refused(() => CsvDatasetLoader.Load(files.Write("bomb.csv.gz", bomb), new CsvOptions { Limits = new DataLimits { MaxFileBytes = 1000 } }), "bomb.csv.gz", "inflates to more than 1000 bytes");
        Assert.Throws<BulwarkInputException>(() => new DataLimits { MaxRows = 0 });
    }
}
