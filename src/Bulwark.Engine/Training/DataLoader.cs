using System.Collections;

namespace Bulwark.Engine.Training;

/// <summary>
/// Batches of (features, labels) rows; with shuffling, each pass draws a fresh permutation from
/// the loader's seeded generator, so the order of every epoch is the same on every run.
/// </summary>
public sealed class DataLoader : IEnumerable<(Tensor X, LongTensor Y)>
{
    private readonly Tensor x;
    private readonly LongTensor y;
    private readonly Rng? rng;

    /// <summary>Creates a loader over <paramref name="x"/> [N, …] and <paramref name="y"/> [N].</summary>
    /// <param name="x">Features, one row per sample along axis 0.</param>
    /// <param name="y">Labels, one per sample.</param>
    /// <param name="batchSize">Rows per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Draw a new order every pass; needs <paramref name="rng"/>.</param>
    /// <param name="rng">The generator that orders the passes.</param>
    /// <param name="dropLast">Skip a last batch smaller than <paramref name="batchSize"/>.</param>
    public DataLoader(Tensor x, LongTensor y, int batchSize, bool shuffle = false, Rng? rng = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0 || y.Rank != 1 || x.Dim(0) != y.Size)
        {
            throw new BulwarkInputException($"DataLoader: features {ShapeUtil.Format(x.Shape)} and labels {ShapeUtil.Format(y.Shape)} must have the same number of rows.");
        }
        if (batchSize < 1)
        {
            throw new BulwarkInputException($"DataLoader: batch size must be positive, got {batchSize}.");
        }
        if (shuffle && rng is null)
        {
            throw new ArgumentException("Shuffling needs a seeded Rng.", nameof(rng));
        }
        this.x = x.Contiguous();
        this.y = y;
        this.rng = shuffle ? rng : null;
        BatchSize = batchSize;
        DropLast = dropLast;
    }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a short last batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Number of samples.</summary>
    public int Count => y.Size;

    /// <summary>Number of batches in one pass.</summary>
    public int BatchCount => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public IEnumerator<(Tensor X, LongTensor Y)> GetEnumerator()
    {
        int n = Count;
        int[] order = rng is null ? Enumerable.Range(0, n).ToArray() : rng.Permutation(n);
        int rowSize = x.Size / Math.Max(n, 1);
        var rowShape = x.Shape[1..].ToArray();
        var source = x.storage;
        for (int start = 0; start < n; start += BatchSize)
        {
            int count = Math.Min(BatchSize, n - start);
            if (count < BatchSize && DropLast)
            {
                yield break;
            }
            var bx = new float[count * rowSize];
            var by = new long[count];
            for (int i = 0; i < count; i++)
            {
                int row = order[start + i];
                Array.Copy(source, x.offset + (row * rowSize), bx, i * rowSize, rowSize);
                by[i] = y.Data[row];
            }
            yield return (Tensor.FromArray(bx, [count, .. rowShape]), new LongTensor(by, count));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
