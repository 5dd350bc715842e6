using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>
/// TF-IDF features over a vocabulary fitted on training documents only. A document's row holds,
/// per vocabulary term t, tf(t) · idf(t), then the row is scaled to unit L2 norm (rows without
/// known terms stay zero). tf is the term's count (or 1 + ln count with
/// <see cref="TfidfOptions.SublinearTf"/>); idf(t) = ln((1 + n) / (1 + df(t))) + 1 with n training
/// documents, df(t) of which contain t, the smoothed form that never divides by zero. Columns are
/// the terms in ordinal order; <see cref="Vocabulary"/> maps a word to its column.
/// </summary>
public sealed class TfidfVectorizer : ITextVectorizer
{
    private readonly Dictionary<string, int> vocabulary;
    private readonly string[] terms;
    private readonly float[] idf;

    private TfidfVectorizer(TfidfOptions options, string[] terms, float[] idf)
    {
        Options = options;
        this.terms = terms;
        this.idf = idf;
        vocabulary = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (int j = 0; j < terms.Length; j++)
        {
            vocabulary[terms[j]] = j;
        }
    }

    /// <summary>The options it was fitted with.</summary>
    public TfidfOptions Options { get; }

    /// <summary>Term → column.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary => vocabulary;

    /// <summary>Column → term, in ordinal order.</summary>
    public IReadOnlyList<string> Terms => terms;

    /// <summary>The inverse document frequency of each column's term.</summary>
    public IReadOnlyList<float> Idf => idf;

    /// <inheritdoc />
    public int FeatureCount => terms.Length;

    /// <summary>[0, 1]: weights are non-negative and rows have unit norm.</summary>
    public InputBounds Bounds => InputBounds.Unit;

    /// <summary>Fits the vocabulary and the idf weights on <paramref name="documents"/>.</summary>
    public static TfidfVectorizer Fit(IReadOnlyList<string> documents, TfidfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= TfidfOptions.Default;
        if (documents.Count == 0)
        {
            throw new BulwarkInputException("TF-IDF: cannot fit a vocabulary on no documents.");
        }
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            var tokens = WordTokenizer.Tokenize(document);
            foreach (var token in tokens)
            {
                total[token] = total.GetValueOrDefault(token) + 1;
            }
            foreach (var token in tokens.Distinct(StringComparer.Ordinal))
            {
                df[token] = df.GetValueOrDefault(token) + 1;
            }
        }
        var kept = df.Where(kv => kv.Value >= options.MinDocumentFrequency).Select(kv => kv.Key);
        if (options.MaxFeatures is int max)
        {
            kept = kept.OrderByDescending(t => total[t]).ThenBy(t => t, StringComparer.Ordinal).Take(max);
        }
        var terms = kept.Order(StringComparer.Ordinal).ToArray();
        if (terms.Length == 0)
        {
            throw new BulwarkInputException($"TF-IDF: no word occurs in at least {options.MinDocumentFrequency} of the {documents.Count} documents, so the vocabulary is empty.");
        }
        int n = documents.Count;
        var idf = terms.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + df[t])) + 1.0)).ToArray();
        return new TfidfVectorizer(options, terms, idf);
    }

    /// <summary>The column of <paramref name="word"/> (lowercased), or -1 when it is not in the vocabulary.</summary>
    public int ColumnOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return vocabulary.TryGetValue(word.ToLowerInvariant(), out int j) ? j : -1;
    }

    /// <inheritdoc />
    public void Transform(string text, Span<float> row)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (row.Length != terms.Length)
        {
            throw new BulwarkInputException($"TF-IDF: the row has {row.Length} columns; the vocabulary has {terms.Length}.");
        }
        row.Clear();
        foreach (var token in WordTokenizer.Tokenize(text))
        {
            if (vocabulary.TryGetValue(token, out int j))
            {
                row[j] += 1f;
            }
        }
        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] != 0f)
            {
                row[j] = (Options.SublinearTf ? 1f + MathF.Log(row[j]) : row[j]) * idf[j];
            }
        }
        VectorNorm.NormalizeL2(row);
    }
}
