using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// Validation and batching shared by the classifier adapters: every adapter checks a batch the
/// same way and reports the same words when it is wrong.
/// </summary>
internal static class ClassifierInput
{
    /// <summary>Formats a shape as "[2, 3]".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Copies and checks a per-sample shape given to an adapter's constructor.</summary>
    public static int[] CheckSampleShape(IReadOnlyList<int> inputShape, string who)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var shape = inputShape.ToArray();
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new BulwarkInputException($"{who}: input shape {Format(shape)} must have at least one axis, every size positive");
        return shape;
    }

    /// <summary>Checks a class count given to an adapter's constructor.</summary>
    public static void CheckClassCount(int classCount, string who)
    {
        if (classCount < 2)
            throw new BulwarkInputException($"{who}: a classifier needs at least 2 classes, got {classCount}");
    }

    /// <summary>Checks a maximum batch size given to an adapter's constructor.</summary>
    public static void CheckMaxBatchSize(int maxBatchSize, string who)
    {
        if (maxBatchSize < 1)
            throw new BulwarkInputException($"{who}: the maximum batch size must be at least 1, got {maxBatchSize}");
    }

    /// <summary>
    /// Throws unless <paramref name="batch"/> is [N, ..sampleShape] with N ≥ 1 and every value
    /// finite; the message names the adapter, the shapes, and the first bad sample.
    /// </summary>
    public static void CheckBatch(Tensor batch, IReadOnlyList<int> sampleShape, string who)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var shape = batch.Shape;
        bool matches = shape.Length == sampleShape.Count + 1;
        for (int d = 0; matches && d < sampleShape.Count; d++)
            matches = shape[d + 1] == sampleShape[d];
        if (!matches)
            throw new BulwarkInputException($"{who}: expected a batch of shape [N, {string.Join(", ", sampleShape)}], got {Format(shape)}");
        if (shape[0] == 0)
            throw new BulwarkInputException($"{who}: the batch is empty (shape {Format(shape)})");
        var values = batch.AsReadOnlySpan();
        int perSample = values.Length / shape[0];
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new BulwarkInputException($"{who}: input value {values[i]} of sample {i / perSample} (element {i % perSample}) is not finite");
    }

    /// <summary>Throws unless <paramref name="labels"/> is [n] with values in [0, classCount).</summary>
    public static void CheckLabels(LongTensor labels, int n, int classCount, string who, string what)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rank != 1 || labels.Size != n)
            throw new BulwarkInputException($"{who}: {what} must have shape [{n}] to match the batch, got {Format(labels.Shape)}");
        labels.CheckRange(classCount, $"{who}: {what}");
    }

    /// <summary>
    /// Applies <paramref name="map"/> to consecutive slices of at most <paramref name="maxBatchSize"/>
    /// samples (each slice with the index of its first sample) and concatenates the results
    /// along the batch axis.
    /// </summary>
    public static Tensor MapChunks(Tensor batch, int maxBatchSize, Func<Tensor, int, Tensor> map)
    {
        int n = batch.Dim(0);
        if (n <= maxBatchSize)
            return map(batch, 0);
        var parts = new List<Tensor>((n + maxBatchSize - 1) / maxBatchSize);
        for (int start = 0; start < n; start += maxBatchSize)
            parts.Add(map(batch.Slice(0, start, Math.Min(n, start + maxBatchSize)), start));
        return Tensor.Concat(parts, 0);
    }

    /// <summary>The labels of samples [start, start + count) as their own tensor.</summary>
    public static LongTensor SliceLabels(LongTensor labels, int start, int count) =>
        start == 0 && count == labels.Size ? labels : new LongTensor(labels.Data.AsSpan(start, count).ToArray(), count);
}
