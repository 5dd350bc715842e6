namespace Bulwark.Engine.Nn;

/// <summary>How <see cref="EmbeddingBag"/> pools the rows of one bag.</summary>
public enum EmbeddingBagMode
{
    /// <summary>Sum of the rows (optionally weighted per index).</summary>
    Sum,

    /// <summary>Mean of the rows; an empty bag gives zeros.</summary>
    Mean,
}

/// <summary>
/// Pools embeddings over variable-length bags without materialising the per-token embeddings
/// as a padded batch (PyTorch's <c>EmbeddingBag</c>, the usual front end of bag-of-words text
/// classifiers). Bags are given as a flat index list plus the offset where each bag starts; the
/// weight [numEmbeddings, embeddingDim] starts N(0, 1).
/// </summary>
public sealed class EmbeddingBag : Module
{
    /// <summary>Creates the table, drawing its rows from <paramref name="rng"/>.</summary>
    public EmbeddingBag(int numEmbeddings, int embeddingDim, Rng rng, EmbeddingBagMode mode = EmbeddingBagMode.Mean)
    {
        Init.CheckPositive(numEmbeddings, "EmbeddingBag: numEmbeddings");
        Init.CheckPositive(embeddingDim, "EmbeddingBag: embeddingDim");
        ArgumentNullException.ThrowIfNull(rng);
        if (!Enum.IsDefined(mode))
        {
            throw new BulwarkInputException($"EmbeddingBag: unknown mode {mode}.");
        }
        Mode = mode;
        Weight = RegisterParameter("weight", Tensor.Randn(rng, numEmbeddings, embeddingDim));
    }

    /// <summary>The table, shape [numEmbeddings, embeddingDim].</summary>
    public Tensor Weight { get; }

    /// <summary>The pooling.</summary>
    public EmbeddingBagMode Mode { get; }

    /// <summary>The number of rows.</summary>
    public int NumEmbeddings => Weight.Dim(0);

    /// <summary>The width of a row.</summary>
    public int EmbeddingDim => Weight.Dim(1);

    /// <summary>
    /// Pools bag b = indices[offsets[b] .. offsets[b+1]) (the last bag runs to the end) into row b
    /// of a [B, embeddingDim] result, B = offsets.Size.
    /// </summary>
    /// <param name="indices">All bags' indices, one-dimensional.</param>
    /// <param name="offsets">Non-decreasing start of each bag; the first must be 0.</param>
    /// <param name="perSampleWeights">Optional weight per index, same shape as <paramref name="indices"/>; only with <see cref="EmbeddingBagMode.Sum"/>.</param>
    public Tensor Forward(LongTensor indices, LongTensor offsets, Tensor? perSampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(offsets);
        if (indices.Rank != 1 || offsets.Rank != 1)
        {
            throw new BulwarkInputException($"EmbeddingBag: indices and offsets must be one-dimensional, got {ShapeUtil.Format(indices.Shape)} and {ShapeUtil.Format(offsets.Shape)}.");
        }
        indices.CheckRange(NumEmbeddings, "EmbeddingBag indices");
        int bags = offsets.Size;
        int n = indices.Size;
        var bagOf = new int[n];
        var counts = new float[bags];
        if (bags > 0 && offsets.Data[0] != 0)
        {
            throw new BulwarkInputException($"EmbeddingBag: the first offset must be 0, got {offsets.Data[0]}.");
        }
        if (bags == 0 && n > 0)
        {
            throw new BulwarkInputException($"EmbeddingBag: {n} indices but no offsets.");
        }
        for (int b = 0; b < bags; b++)
        {
            long start = offsets.Data[b];
            long end = b + 1 < bags ? offsets.Data[b + 1] : n;
            if (end < start || end > n)
            {
                throw new BulwarkInputException($"EmbeddingBag: offsets must be non-decreasing and at most {n}; bag {b} spans [{start}, {end}).");
            }
            for (long i = start; i < end; i++)
            {
                bagOf[i] = b;
            }
            counts[b] = end - start;
        }
        if (perSampleWeights is not null)
        {
            if (Mode != EmbeddingBagMode.Sum)
            {
                throw new BulwarkInputException("EmbeddingBag: per-sample weights need Sum mode.");
            }
            if (!perSampleWeights.Shape.SequenceEqual(indices.Shape))
            {
                throw new BulwarkInputException($"EmbeddingBag: per-sample weights {ShapeUtil.Format(perSampleWeights.Shape)} differ from indices {ShapeUtil.Format(indices.Shape)}.");
            }
        }
        return Pool(indices, bagOf, counts, perSampleWeights);
    }

    /// <summary>Pools each row of a [B, L] index tensor as one bag of L indices.</summary>
    public Tensor Forward(LongTensor bags2d)
    {
        ArgumentNullException.ThrowIfNull(bags2d);
        if (bags2d.Rank != 2)
        {
            throw new BulwarkInputException($"EmbeddingBag: fixed-length bags must be [B, L], got {ShapeUtil.Format(bags2d.Shape)}.");
        }
        int b = bags2d.Dim(0);
        int l = bags2d.Dim(1);
        var offsets = new long[b];
        for (int i = 0; i < b; i++)
        {
            offsets[i] = (long)i * l;
        }
        return Forward(new LongTensor(bags2d.Data, bags2d.Size), new LongTensor(offsets, b));
    }

    /// <summary>Pools a [B, L] float tensor of whole-number indices (so the layer fits in a <see cref="Sequential"/>).</summary>
    public override Tensor Forward(Tensor x) => Forward(IndexConversion.ToIndices(x, "EmbeddingBag"));

    private Tensor Pool(LongTensor indices, int[] bagOf, float[] counts, Tensor? perSampleWeights)
    {
        int dim = EmbeddingDim;
        int n = indices.Size;
        var rows = Weight.IndexSelect(0, indices);
        if (perSampleWeights is not null)
        {
            rows = rows.Mul(perSampleWeights.Reshape(n, 1));
        }
        // Scatter-add of every row into its bag: the tape's scatter/gather pair gives the
        // backward (and the backward of the backward) without a bespoke rule.
        var target = new long[n * dim];
        for (int i = 0; i < n; i++)
        {
            Array.Fill(target, bagOf[i], i * dim, dim);
        }
        var pooled = Tensor.Zeros(counts.Length, dim).ScatterAdd(0, new LongTensor(target, n, dim), rows);
        if (Mode == EmbeddingBagMode.Sum)
        {
            return pooled;
        }
        var inverse = new float[counts.Length];
        for (int b = 0; b < counts.Length; b++)
        {
            inverse[b] = counts[b] > 0 ? 1f / counts[b] : 0f;
        }
        return pooled.Mul(Tensor.FromArray(inverse, counts.Length, 1));
    }
}
