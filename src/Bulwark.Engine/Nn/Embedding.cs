namespace Bulwark.Engine.Nn;

/// <summary>
/// A lookup table: index i selects row i of the weight [numEmbeddings, embeddingDim], which starts
/// N(0, 1) as in PyTorch. The gradient scatters back into the selected rows (duplicates add up).
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table, drawing its rows from <paramref name="rng"/>.</summary>
    public Embedding(int numEmbeddings, int embeddingDim, Rng rng)
    {
        Init.CheckPositive(numEmbeddings, "Embedding: numEmbeddings");
        Init.CheckPositive(embeddingDim, "Embedding: embeddingDim");
        ArgumentNullException.ThrowIfNull(rng);
        Weight = RegisterParameter("weight", Tensor.Randn(rng, numEmbeddings, embeddingDim));
    }

    /// <summary>The table, shape [numEmbeddings, embeddingDim].</summary>
    public Tensor Weight { get; }

    /// <summary>The number of rows.</summary>
    public int NumEmbeddings => Weight.Dim(0);

    /// <summary>The width of a row.</summary>
    public int EmbeddingDim => Weight.Dim(1);

    /// <summary>Looks up indices of any shape S; the result has shape S + [embeddingDim].</summary>
    public Tensor Forward(LongTensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        indices.CheckRange(NumEmbeddings, "Embedding indices");
        var flat = new LongTensor(indices.Data, indices.Size);
        var rows = Weight.IndexSelect(0, flat);
        return rows.Reshape([.. indices.Shape, EmbeddingDim]);
    }

    /// <summary>Looks up indices given as a float tensor of whole numbers (so the layer fits in a <see cref="Sequential"/>).</summary>
    public override Tensor Forward(Tensor x) => Forward(IndexConversion.ToIndices(x, "Embedding"));
}

/// <summary>Reading whole-number float tensors as indices, for modules whose natural input is a <see cref="LongTensor"/>.</summary>
internal static class IndexConversion
{
    public static LongTensor ToIndices(Tensor x, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        var values = x.ToArray();
        var data = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || !float.IsFinite(v))
            {
                throw new BulwarkInputException($"{what}: index {v} at position {i} is not a whole number.");
            }
            data[i] = (long)v;
        }
        return new LongTensor(data, x.Shape.ToArray());
    }
}
