using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>Whole-document and batch forms of <see cref="ITextVectorizer.Transform"/>.</summary>
public static class TextVectorizerExtensions
{
    /// <summary>The feature row of one document, [D].</summary>
    public static float[] Transform(this ITextVectorizer vectorizer, string text)
    {
        ArgumentNullException.ThrowIfNull(vectorizer);
        var row = new float[vectorizer.FeatureCount];
        vectorizer.Transform(text, row);
        return row;
    }

    /// <summary>The feature rows of <paramref name="texts"/>, [N, D].</summary>
    public static Tensor Transform(this ITextVectorizer vectorizer, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(vectorizer);
        ArgumentNullException.ThrowIfNull(texts);
        int d = vectorizer.FeatureCount;
        var x = new float[texts.Count * d];
        for (int i = 0; i < texts.Count; i++)
        {
            vectorizer.Transform(texts[i], x.AsSpan(i * d, d));
        }
        return Tensor.FromArray(x, texts.Count, d);
    }
}
