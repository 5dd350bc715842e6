using System.IO.Compression;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.IO;

namespace Bulwark.Tests.Data;

public sealed class NpzDatasetLoaderTests : IDisposable
{
    private readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    private string Npz(string name, params (string Key, NpyArray Array)[] arrays)
    {
        string path = files.File(name);
        Engine.IO.Npz.Write(path, arrays.ToDictionary(a => a.Key, a => a.Array));
        return path;
    }

    [Fact]
    public void The_bundled_digits_match_the_shared_source_divided_by_16()
    {
        var data = NpzDatasetLoader.Load(DataFiles.Bundled("digits", "digits.npz"));
        Assert.Equal(new[] { 1797, 1, 8, 8 }, data.Features.Shape.ToArray());
        Assert.Equal(FeatureKind.Image, data.Info.Kind);
        Assert.Equal(10, data.ClassCount);

        using var reader = new StreamReader(new GZipStream(File.OpenRead(DataFiles.Shared("sklearn", "digits.csv.gz")), CompressionMode.Decompress));
        var x = data.Features.AsReadOnlySpan();
        for (int i = 0; reader.ReadLine() is { } line; i++)
        {
            var cells = line.Split(',').Select(int.Parse).ToArray();
            Assert.Equal(cells[64], data.Labels.Data[i]);
            for (int j = 0; j < 64; j++)
            {
                Assert.Equal(cells[j] / 16f, x[(i * 64) + j]);
            }
        }
    }

    [Fact]
    public void A_table_gets_per_column_bounds_and_other_arrays_are_ignored()
    {
        string path = Npz("t.npz",
            ("x", new NpyArray([1f, -2f, 3f, 4.5f, 5f, 0f], 3, 2)),
            ("y", new NpyArray([0L, 2L, 1L], 3)),
            ("notes", new NpyArray([7L], 1)));
        var data = NpzDatasetLoader.Load(path);
        Assert.Equal(FeatureKind.Tabular, data.Info.Kind);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(-2f, data.Info.Bounds.Lower);
        Assert.Equal(5f, data.Info.Bounds.Upper);
        Assert.Equal(("f0", 1f, 5f, true), (data.Info.Features[0].Name, data.Info.Features[0].Lower, data.Info.Features[0].Upper, data.Info.Features[0].Integer));
        Assert.Equal((-2f, 4.5f, false), (data.Info.Features[1].Lower, data.Info.Features[1].Upper, data.Info.Features[1].Integer));
    }

    [Fact]
    public void Two_npy_files_load_like_an_archive_and_hw_images_gain_a_channel()
    {
        string x = files.File("x.npy");
        string y = files.File("y.npy");
        Npy.Write(x, new NpyArray([0f, 0.5f, 1f, 0.25f, 0f, 0f, 0f, 1f], 2, 2, 2));
        Npy.Write(y, new NpyArray([1L, 0L], 2));
        var data = NpzDatasetLoader.Load(x, y);
        Assert.Equal(new[] { 2, 1, 2, 2 }, data.Features.Shape.ToArray());
        Assert.Equal(FeatureKind.Image, data.Info.Kind);
        Assert.Equal(new long[] { 1, 0 }, data.Labels.Data);
    }

    [Fact]
    public void Malformed_archives_are_refused_naming_the_file_and_the_array()
    {
        var x = new NpyArray([0.1f, 0.2f, 0.3f, 0.4f], 2, 2);
        var y = new NpyArray([0L, 1L], 2);
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("nokey.npz", ("x", x), ("labels", y))), "nokey.npz", "'y'", "labels");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("intx.npz", ("x", new NpyArray([1L, 2L, 3L, 4L], 2, 2)), ("y", y))), "intx.npz", "'x'", "<i8", "floating point");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("floaty.npz", ("x", x), ("y", new NpyArray([0f, 1f], 2)))), "floaty.npz", "'y'", "<f4", "integers");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("count.npz", ("x", x), ("y", new NpyArray([0L, 1L, 1L], 3)))), "count.npz", "'y'", "2 samples");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("neg.npz", ("x", x), ("y", new NpyArray([0L, -1L], 2)))), "neg.npz", "label -1 of sample 1");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("nan.npz", ("x", new NpyArray([0f, float.NaN, 0f, 0f], 2, 2)), ("y", y))), "nan.npz", "sample 0", "not finite");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("bright.npz", ("x", new NpyArray([0f, 2f, 0f, 0f], 2, 1, 1, 2)), ("y", y))), "bright.npz", "[0, 1]");
        DataFiles.Refused(() => NpzDatasetLoader.Load(Npz("rank1.npz", ("x", new NpyArray([0f, 1f], 2)), ("y", y))), "rank1.npz", "[N, D]");
        string ok = Npz("ok.npz", ("x", x), ("y", y));
        DataFiles.Refused(() => NpzDatasetLoader.Load(ok, new ArrayDatasetOptions { Limits = new DataLimits { MaxFileBytes = 100 } }), "ok.npz", "limit");
        DataFiles.Refused(() => NpzDatasetLoader.Load(files.Write("cut.npz", File.ReadAllBytes(ok)[..60])), "cut.npz");
    }
}
