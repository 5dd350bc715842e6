using Bulwark.Data;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// A text filter seen from outside: texts go in (vectorised, then scored in batches of at most
/// <see cref="BatchSize"/> per <see cref="IClassifier.PredictProba"/> call), verdicts come out,
/// and every text scored counts as one query.
/// </summary>
internal sealed class SpamFilterOracle(IClassifier filter, ITextVectorizer vectorizer, int spamClass, int batchSize)
{
    /// <summary>The most texts per model call.</summary>
    public int BatchSize { get; } = batchSize;

    /// <summary>Texts scored so far.</summary>
    public long Queries { get; private set; }

    /// <summary>Per text: the filter's spam probability and whether spam is its top class.</summary>
    public (float SpamProbability, bool IsSpam)[] Classify(IReadOnlyList<string> texts)
    {
        var verdicts = new (float, bool)[texts.Count];
        int k = filter.ClassCount;
        for (int start = 0; start < texts.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, texts.Count - start);
            var chunk = new string[count];
            for (int i = 0; i < count; i++)
                chunk[i] = texts[start + i];
            var p = filter.PredictProba(vectorizer.Transform(chunk)).AsReadOnlySpan();
            Queries += count;
            for (int i = 0; i < count; i++)
            {
                var row = p.Slice(i * k, k);
                int top = 0;
                for (int c = 1; c < k; c++)
                    if (row[c] > row[top])
                        top = c;
                verdicts[start + i] = (row[spamClass], top == spamClass);
            }
        }
        return verdicts;
    }

    /// <summary><paramref name="text"/> with <paramref name="words"/> appended, space-separated.</summary>
    public static string Append(string text, IEnumerable<string> words) => text + " " + string.Join(' ', words);
}
