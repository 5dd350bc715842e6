using Bulwark.Engine;


namespace Bulwark.Data;

/// <summary>
/// Labelled samples: features [N, ..sample shape] (float32), labels [N] (int64 in
/// [0, ClassCount)), and what the features mean. Immutable: subsets and splits copy.
/// Construction validates: finite features, labels in range, one label per sample.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a dataset after validating it; <paramref name="name"/> appears in error messages.</summary>
    public Dataset(string name, Tensor features, LongTensor labels, int classCount, FeatureInfo info)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(info);
        if (features.Rank < 2)
            throw new BulwarkInputException($"dataset '{name}': features must be [N, ...], got rank {features.Rank}");
        if (labels.Rank != 1 || labels.Size != features.Shape[0])
            throw new BulwarkInputException($"dataset '{name}': {features.Shape[0]} samples but labels have shape [{string.Join(", ", labels.Shape.ToArray())}]");
        if (classCount < 2)
            throw new BulwarkInputException($"dataset '{name}': needs at least 2 classes, got {classCount}");
        var x = features.Contiguous();
        var values = x.AsReadOnlySpan();
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new BulwarkInputException($"dataset '{name}': feature value {values[i]} at flat index {i} (sample {i / Math.Max(1, values.Length / features.Shape[0])}) is not finite");
        var y = labels.Data;
        for (int i = 0; i < y.Length; i++)
            if (y[i] < 0 || y[i] >= classCount)
                throw new BulwarkInputException($"dataset '{name}': label {y[i]} of sample {i} is outside [0, {classCount})");
        Name = name;
        Features = x.Detach();
        Labels = labels;
        ClassCount = classCount;
        Info = info;
    }

    /// <summary>A short name used in messages and reports.</summary>
    public string Name { get; }

    /// <summary>Features [N, ..sample shape]; do not mutate.</summary>
    public Tensor Features { get; }

    /// <summary>Labels [N].</summary>
    public LongTensor Labels { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>What the features mean.</summary>
    public FeatureInfo Info { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The shape of one sample.</summary>
    public int[] SampleShape => Features.Shape[1..].ToArray();

    /// <summary>The samples at <paramref name="indices"/>, in that order (a copy).</summary>
    public Dataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int n = Count;
        int per = Features.Size / Math.Max(1, n);
        var src = Features.AsReadOnlySpan();
        var x = new float[indices.Count * per];
        var y = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int j = indices[i];
            if ((uint)j >= (uint)n)
                throw new BulwarkInputException($"dataset '{Name}': index {j} is outside [0, {n})");
            src.Slice(j * per, per).CopyTo(x.AsSpan(i * per, per));
            y[i] = Labels.Data[j];
        }
        int[] shape = [indices.Count, .. SampleShape];
        return new Dataset(name ?? Name, Tensor.FromArray(x, shape), new LongTensor(y, indices.Count), ClassCount, Info);
    }

    /// <summary>The first <paramref name="count"/> samples (all of them if fewer).</summary>
    public Dataset Take(int count) => Subset(Enumerable.Range(0, Math.Min(Math.Max(count, 0), Count)).ToArray());

    /// <summary>
    /// A seeded random split: <paramref name="firstFraction"/> of the samples (rounded) in the
    /// first part, the rest in the second. Same seed, same split.
    /// </summary>
    public (Dataset First, Dataset Second) Split(double firstFraction, ulong seed)
    {
        if (!(firstFraction > 0 && firstFraction < 1))
            throw new BulwarkInputException($"dataset '{Name}': split fraction {firstFraction} is not in (0, 1)");
        var order = new Rng(seed).Permutation(Count);
        int k = (int)Math.Round(Count * firstFraction);
        return (Subset(order[..k], Name + "/a"), Subset(order[k..], Name + "/b"));
    }

    /// <summary>
    /// A seeded split into training and test parts that keeps every class's share: of each class,
    /// <paramref name="testFraction"/> of its samples (rounded, at least one of a class with two or
    /// more) go to the test part. Both parts keep the original sample order. Same seed, same split.
    /// </summary>
    public DatasetSplit StratifiedSplit(double testFraction, ulong seed)
    {
        var (train, test) = Stratified.Split(Labels.Data, ClassCount, testFraction, seed, Name);
        return new DatasetSplit(Subset(train, Name + "/train"), Subset(test, Name + "/test"));
    }
}
