using Bulwark.Engine;
using Bulwark.Engine.IO;

namespace Bulwark.Cli;

/// <summary>Finds the datasets bundled with the tool (copied beside it from the repository's data/ folder).</summary>
internal static class DataFiles
{
    public static string Bundled(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "data", name);
        if (!Directory.Exists(dir))
        {
            throw new BulwarkInputException($"the bundled dataset '{name}' is missing from {dir}; reinstall the tool or pass --data-dir.");
        }
        return dir;
    }
}

/// <summary>Fashion-MNIST from a folder of IDX files (gzipped or not), pixels scaled to [0, 1] as [N, 1, 28, 28].</summary>
internal sealed record FashionMnist(Tensor TrainX, LongTensor TrainY, Tensor TestX, LongTensor TestY, string Source)
{
    public static FashionMnist Load(string dir, int? trainLimit)
    {
        if (!Directory.Exists(dir))
        {
            throw new BulwarkInputException($"dataset folder '{dir}' does not exist.");
        }
        var (trainX, trainY) = Split(dir, "train", trainLimit);
        var (testX, testY) = Split(dir, "t10k", null);
        return new FashionMnist(trainX, trainY, testX, testY, dir);
    }

    /// <summary>Reads x/y pairs from two .npz files.</summary>
    public static FashionMnist FromNpz(string trainPath, string testPath, int? trainLimit)
    {
        var (trainX, trainY) = ReadNpz(trainPath, trainLimit);
        var (testX, testY) = ReadNpz(testPath, null);
        return new FashionMnist(trainX, trainY, testX, testY, trainPath);
    }

    private static (Tensor X, LongTensor Y) ReadNpz(string path, int? limit)
    {
        var arrays = Npz.Read(path);
        if (!arrays.TryGetValue("x", out var xa) || !arrays.TryGetValue("y", out var ya))
        {
            throw new BulwarkInputException($"{path}: needs arrays 'x' and 'y', found [{string.Join(", ", arrays.Keys)}].");
        }
        if (xa.IsInteger || !ya.IsInteger)
        {
            throw new BulwarkInputException($"{path}: 'x' must be floating point ({xa.DType}) and 'y' integer ({ya.DType}).");
        }
        var x = xa.ToTensor();
        var y = ya.ToLongTensor();
        int n = x.Rank > 0 ? x.Dim(0) : 0;
        if (x.Size != n * 784 || x.Rank is < 2 or > 4)
        {
            throw new BulwarkInputException($"{path}: 'x' has shape {string.Join("×", x.Shape.ToArray())}; expected N×1×28×28, N×28×28 or N×784.");
        }
        if (y.Rank != 1 || y.Size != n)
        {
            throw new BulwarkInputException($"{path}: 'y' has {y.Size} labels for {n} rows of 'x'.");
        }
        if (x.HasNonFinite())
        {
            throw new BulwarkInputException($"{path}: 'x' contains NaN or infinite values.");
        }
        y.CheckRange(10, $"{path}: 'y'");
        int keep = Math.Min(limit ?? int.MaxValue, n);
        return (x.Reshape(n, 1, 28, 28).Slice(0, 0, keep).Contiguous(), new LongTensor(y.Data.AsSpan(0, keep).ToArray(), keep));
    }

    private static (Tensor X, LongTensor Y) Split(string dir, string split, int? limit)
    {
        var images = Idx.ReadTensor(Find(dir, $"{split}-images-idx3-ubyte"), new IdxReadOptions { ScaleBytes = true });
        var labels = Idx.ReadLongTensor(Find(dir, $"{split}-labels-idx1-ubyte"));
        if (images.Rank != 3 || images.Dim(1) != 28 || images.Dim(2) != 28)
        {
            throw new BulwarkInputException($"{dir}: {split} images have shape {string.Join("×", images.Shape.ToArray())}, expected N×28×28.");
        }
        if (labels.Rank != 1 || labels.Size != images.Dim(0))
        {
            throw new BulwarkInputException($"{dir}: {images.Dim(0)} {split} images but {labels.Size} labels.");
        }
        labels.CheckRange(10, $"{dir}: {split} labels");
        int n = Math.Min(limit ?? int.MaxValue, images.Dim(0));
        var x = images.Slice(0, 0, n).Reshape(n, 1, 28, 28).Contiguous();
        var y = new LongTensor(labels.Data.AsSpan(0, n).ToArray(), n);
        return (x, y);
    }

    private static string Find(string dir, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(dir, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new BulwarkInputException($"{dir}: neither {stem}.gz nor {stem} is there.");
    }
}
