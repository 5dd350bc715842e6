using Bulwark.Engine;
using Bulwark.Engine.IO;

namespace Bulwark.Data;

/// <summary>
/// Loads images and labels from IDX files (the MNIST format), gzipped or not: unsigned-byte
/// pixels are divided by 255, images become [N, 1, H, W] (or stay [N, C, H, W]) in [0, 1],
/// labels are integers one per image.
/// </summary>
public static class IdxDatasetLoader
{
    /// <summary>The training images' file name in a folder, without the optional <c>.gz</c>.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>The training labels' file name in a folder, without the optional <c>.gz</c>.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>The test images' file name in a folder, without the optional <c>.gz</c>.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>The test labels' file name in a folder, without the optional <c>.gz</c>.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Loads one images file and its labels file as a dataset named after the images file.</summary>
    public static Dataset Load(string imagesPath, string labelsPath, ArrayDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        options ??= ArrayDatasetOptions.Default;
        options.Limits.CheckFile(imagesPath);
        options.Limits.CheckFile(labelsPath);
        var read = new IdxReadOptions { ScaleBytes = true, MaxBytes = options.Limits.MaxFileBytes };
        var images = Idx.ReadTensor(imagesPath, read);
        if (images.Rank is not (3 or 4))
        {
            throw new BulwarkInputException($"{imagesPath}: images have shape [{string.Join(", ", images.Shape.ToArray())}]; expected [N, H, W] or [N, C, H, W].");
        }
        if (images.Rank == 3)
        {
            images = images.Reshape(images.Shape[0], 1, images.Shape[1], images.Shape[2]);
        }
        var labels = Idx.ReadLongTensor(labelsPath, read);
        return ArrayDatasets.Build(imagesPath, images, labels, labelsPath, options);
    }

    /// <summary>
    /// Loads a folder holding the MNIST file names (<see cref="TrainImages"/> etc., each with or
    /// without <c>.gz</c>) as its training and test sets; both get the same class count.
    /// </summary>
    public static DatasetSplit LoadFolder(string directory, ArrayDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new BulwarkInputException($"{directory}: folder not found.");
        }
        options ??= ArrayDatasetOptions.Default;
        var train = Load(Find(directory, TrainImages), Find(directory, TrainLabels), options);
        var test = Load(Find(directory, TestImages), Find(directory, TestLabels), options with { ClassCount = options.ClassCount ?? train.ClassCount });
        return new DatasetSplit(train, test);
    }

    /// <summary>True when <paramref name="directory"/> holds the four MNIST-named files.</summary>
    public static bool IsIdxFolder(string directory) =>
        new[] { TrainImages, TrainLabels, TestImages, TestLabels }.All(stem => TryFind(directory, stem) is not null);

    private static string Find(string directory, string stem) =>
        TryFind(directory, stem) ?? throw new BulwarkInputException($"{directory}: neither {stem}.gz nor {stem} is there.");

    private static string? TryFind(string directory, string stem) =>
        new[] { stem + ".gz", stem }.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
