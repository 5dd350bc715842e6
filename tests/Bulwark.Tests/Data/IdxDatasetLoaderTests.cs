using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

public sealed class IdxDatasetLoaderTests : IDisposable
{
    private readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    private static byte[] Idx(byte type, int[] dims, byte[] payload)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims)
        {
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }
        bytes.AddRange(payload);
        return [.. bytes];
    }

    [Fact]
    public void Loads_the_shared_fashion_mnist_test_set_with_pixels_scaled_to_the_unit_interval()
    {
        string images = DataFiles.Shared("fashion-mnist", "t10k-images-idx3-ubyte.gz");
        string labels = DataFiles.Shared("fashion-mnist", "t10k-labels-idx1-ubyte.gz");
        var data = IdxDatasetLoader.Load(images, labels);

        Assert.Equal(new[] { 10000, 1, 28, 28 }, data.Features.Shape.ToArray());
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(FeatureKind.Image, data.Info.Kind);
        var raw = DataFiles.Gunzip(images);
        var x = data.Features.AsReadOnlySpan();
        // Every pixel is its byte over 255; the payload follows a 16-byte header.
        for (int i = 0; i < x.Length; i += 997)
        {
            Assert.Equal(raw[16 + i] / 255f, x[i]);
        }
        var rawLabels = DataFiles.Gunzip(labels);
        Assert.Equal(rawLabels[8..].Select(b => (long)b), data.Labels.Data);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, data.Labels.Data.Count(y => y == c)));
    }

    [Fact]
    public void A_folder_loads_as_its_train_and_test_split()
    {
        var split = IdxDatasetLoader.LoadFolder(DataFiles.Bundled("fashion-mnist"));
        Assert.Equal(6000, split.Train.Count);
        Assert.Equal(1000, split.Test.Count);
        Assert.Equal(new[] { 1, 28, 28 }, split.Test.SampleShape);
        Assert.True(IdxDatasetLoader.IsIdxFolder(DataFiles.Bundled("fashion-mnist")));
        Assert.False(IdxDatasetLoader.IsIdxFolder(DataFiles.Bundled("digits")));
    }

    [Fact]
    public void Plain_and_gzipped_files_give_the_same_dataset()
    {
        var images = Idx(0x08, [2, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4]);
        var labels = Idx(0x08, [2], [1, 0]);
        var plain = IdxDatasetLoader.Load(files.Write("i", images), files.Write("l", labels));
        var zipped = IdxDatasetLoader.Load(files.Write("i.gz", DataFiles.Gzip(images)), files.Write("l.gz", DataFiles.Gzip(labels)));
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f, 1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f }, plain.Features.ToArray());
        Assert.Equal(plain.Features.ToArray(), zipped.Features.ToArray());
        Assert.Equal(new long[] { 1, 0 }, zipped.Labels.Data);
        Assert.Equal(2, zipped.ClassCount);
    }

    [Fact]
    public void Malformed_files_are_refused_naming_the_file()
    {
        string images = files.Write("images", Idx(0x08, [3, 2, 2], new byte[12]));
        DataFiles.Refused(() => IdxDatasetLoader.Load(images, files.Write("short", Idx(0x08, [2], [0, 1]))), "short", "3 samples");
        DataFiles.Refused(() => IdxDatasetLoader.Load(images, files.Write("range", Idx(0x08, [3], [0, 1, 7])), new ArrayDatasetOptions { ClassCount = 5 }), "range", "label 7 of sample 2");
        DataFiles.Refused(() => IdxDatasetLoader.Load(files.Write("flat", Idx(0x08, [3, 4], new byte[12])), files.Write("l", Idx(0x08, [3], [0, 1, 1]))), "flat", "[N, H, W]");
        DataFiles.Refused(() => IdxDatasetLoader.Load(files.Write("cut.gz", DataFiles.Gzip(Idx(0x08, [3, 2, 2], new byte[12]))[..20]), files.File("l")), "cut.gz");
        DataFiles.Refused(() => IdxDatasetLoader.Load(images, files.File("l"), new ArrayDatasetOptions { Limits = new DataLimits { MaxFileBytes = 20 } }), "images", "limit");
        DataFiles.Refused(() => IdxDatasetLoader.Load(images, files.File("l"), new ArrayDatasetOptions { Limits = new DataLimits { MaxRows = 2 } }), "images", "more than 2 samples");
        DataFiles.Refused(() => IdxDatasetLoader.LoadFolder(files.Path), "train-images-idx3-ubyte");
    }
}
