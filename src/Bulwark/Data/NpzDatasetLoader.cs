using Bulwark.Engine;
using Bulwark.Engine.IO;

namespace Bulwark.Data;

/// <summary>
/// Loads NumPy arrays: a <c>.npz</c> with a floating-point <c>x</c> ([N, C, H, W] images in
/// [0, 1], [N, H, W] images, or an [N, D] table) and an integer <c>y</c> [N]; other arrays in the
/// archive are ignored. Or the same two arrays as two <c>.npy</c> files.
/// </summary>
public static class NpzDatasetLoader
{
    /// <summary>The name of the features array.</summary>
    public const string FeaturesKey = "x";

    /// <summary>The name of the labels array.</summary>
    public const string LabelsKey = "y";

    /// <summary>Loads <c>x</c> and <c>y</c> from a .npz archive.</summary>
    public static Dataset Load(string path, ArrayDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= ArrayDatasetOptions.Default;
        options.Limits.CheckFile(path);
        var arrays = Npz.Read(path, new NpyReadOptions { MaxBytes = options.Limits.MaxFileBytes });
        if (!arrays.TryGetValue(FeaturesKey, out var x) || !arrays.TryGetValue(LabelsKey, out var y))
        {
            throw new BulwarkInputException($"{path}: needs arrays '{FeaturesKey}' (features) and '{LabelsKey}' (labels); it holds [{string.Join(", ", arrays.Keys)}].");
        }
        return Build(path, x, $"{path}: '{FeaturesKey}'", y, $"{path}: '{LabelsKey}'", options);
    }

    /// <summary>Loads the features and the labels from two .npy files.</summary>
    public static Dataset Load(string featuresPath, string labelsPath, ArrayDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(featuresPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        options ??= ArrayDatasetOptions.Default;
        options.Limits.CheckFile(featuresPath);
        options.Limits.CheckFile(labelsPath);
        var read = new NpyReadOptions { MaxBytes = options.Limits.MaxFileBytes };
        return Build(featuresPath, Npy.Read(featuresPath, read), featuresPath, Npy.Read(labelsPath, read), labelsPath, options);
    }

    private static Dataset Build(string name, NpyArray x, string xSource, NpyArray y, string ySource, ArrayDatasetOptions options)
    {
        if (x.IsInteger)
        {
            throw new BulwarkInputException($"{xSource}: has dtype '{x.DType}'; features must be floating point (float32).");
        }
        if (!y.IsInteger)
        {
            throw new BulwarkInputException($"{ySource}: has dtype '{y.DType}'; labels must be integers (int64).");
        }
        var features = x.ToTensor();
        var shape = features.Shape.ToArray();
        if (shape.Length is < 2 or > 4)
        {
            throw new BulwarkInputException($"{xSource}: has shape [{string.Join(", ", shape)}]; expected [N, D], [N, H, W] or [N, C, H, W].");
        }
        if (shape.Length == 3)
        {
            features = features.Reshape(shape[0], 1, shape[1], shape[2]);
        }
        return ArrayDatasets.Build(name, features, y.ToLongTensor(), ySource, options);
    }
}
