using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>What the IDX and NumPy loaders share once the arrays are read: label checks and feature metadata.</summary>
internal static class ArrayDatasets
{
    /// <summary>
    /// Checks the labels (rank 1, one per sample, in range) and builds the dataset: images
    /// ([N, C, H, W]) must lie in [0, 1]; a table ([N, D]) gets per-column bounds from the data.
    /// </summary>
    public static Dataset Build(string name, Tensor x, LongTensor y, string labelsSource, ArrayDatasetOptions options)
    {
        int n = x.Shape[0];
        options.Limits.CheckRows(name, n);
        if (y.Rank != 1 || y.Size != n)
        {
            throw new BulwarkInputException($"{labelsSource}: has shape [{string.Join(", ", y.Shape.ToArray())}] but there are {n} samples; labels must be [{n}].");
        }
        long max = -1;
        for (int i = 0; i < y.Size; i++)
        {
            long v = y.Data[i];
            if (v < 0 || (options.ClassCount is int c && v >= c))
            {
                throw new BulwarkInputException($"{labelsSource}: label {v} of sample {i} is outside [0, {(options.ClassCount is int k ? DataLimits.Num(k) : "∞")}).");
            }
            max = Math.Max(max, v);
        }
        if (max >= int.MaxValue)
        {
            throw new BulwarkInputException($"{labelsSource}: label {max} is too large to be a class index.");
        }
        int classCount = options.ClassCount ?? (int)(max + 1);
        var values = x.AsReadOnlySpan();
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new BulwarkInputException($"{name}: feature value {values[i]} of sample {i / (values.Length / n)} is not finite.");
            }
        }
        FeatureInfo info;
        if (x.Rank == 4)
        {
            var (lo, hi) = FeatureStatistics.Range(values);
            if (lo < 0f || hi > 1f)
            {
                throw new BulwarkInputException($"{name}: image values span [{lo}, {hi}]; images must be scaled to [0, 1].");
            }
            info = new FeatureInfo(FeatureKind.Image, InputBounds.Unit, classNames: options.ClassNames);
        }
        else
        {
            var names = Enumerable.Range(0, x.Shape[1]).Select(j => "f" + DataLimits.Num(j)).ToArray();
            var (features, bounds) = FeatureStatistics.Infer(values, n, names);
            info = new FeatureInfo(FeatureKind.Tabular, bounds, features, options.ClassNames);
        }
        return new Dataset(name, x, y, classCount, info);
    }
}
