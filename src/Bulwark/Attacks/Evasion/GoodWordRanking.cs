using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// The word lists of Lowd &amp; Meek's good-word attacks (CEAS 2005), best first. The passive lists
/// need only the attacker's own mail: <see cref="CommonHamWords"/> (their "frequent words") and
/// <see cref="HamSpamRatio"/> (their "frequency ratio"). Frequencies are document frequencies, so
/// one long message cannot dominate. Words are tokens of <see cref="WordTokenizer"/>; ties keep the
/// ordinal order, so every list is deterministic. The active lists, which query the filter, are
/// built by <see cref="GoodWordAttack"/>.
/// </summary>
public static class GoodWordRanking
{
    /// <summary>
    /// The candidates that occur in the ham texts, most ham texts first; every word of the ham
    /// texts when <paramref name="candidates"/> is null.
    /// </summary>
    public static IReadOnlyList<string> CommonHamWords(IReadOnlyList<string> hamTexts, IReadOnlyList<string>? candidates = null)
    {
        var ham = DocumentFrequency(hamTexts, "ham");
        return Words(candidates, ham)
            .Where(ham.ContainsKey)
            .OrderByDescending(w => ham[w])
            .ThenBy(w => w, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// The candidates that occur in the ham texts, ordered by how much more often ham contains them
    /// than spam: (df_ham + 1) / (n_ham + 1) over (df_spam + 1) / (n_spam + 1), add-one smoothed so
    /// words absent from the spam rank by their ham frequency; every word of the ham texts when
    /// <paramref name="candidates"/> is null.
    /// </summary>
    public static IReadOnlyList<string> HamSpamRatio(IReadOnlyList<string> hamTexts, IReadOnlyList<string> spamTexts, IReadOnlyList<string>? candidates = null)
    {
        var ham = DocumentFrequency(hamTexts, "ham");
        var spam = DocumentFrequency(spamTexts, "spam");
        double hamShare(string w) => (ham[w] + 1.0) / (hamTexts.Count + 1.0);
        double spamShare(string w) => (spam.GetValueOrDefault(w) + 1.0) / (spamTexts.Count + 1.0);
        return Words(candidates, ham)
            .Where(ham.ContainsKey)
            .OrderByDescending(w => hamShare(w) / spamShare(w))
            .ThenByDescending(w => ham[w])
            .ThenBy(w => w, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Checks a candidate list: each entry one token as <see cref="WordTokenizer"/> reads it
    /// (lowercased here), duplicates dropped keeping the first; throws when nothing is left.
    /// </summary>
    internal static string[] Normalize(IReadOnlyList<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var words = new List<string>(candidates.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < candidates.Count; i++)
        {
            var tokens = WordTokenizer.Tokenize(candidates[i] ?? throw new BulwarkInputException($"good-word attack: candidate word {i} is null"));
            if (tokens.Count != 1)
                throw new BulwarkInputException($"good-word attack: candidate {i} ('{candidates[i]}') is {tokens.Count} words to the tokenizer; give single words of at least {WordTokenizer.MinLength} letters or digits");
            if (seen.Add(tokens[0]))
                words.Add(tokens[0]);
        }
        if (words.Count == 0)
            throw new BulwarkInputException("good-word attack: the candidate vocabulary is empty; give at least one word (or ham texts that contain some)");
        return words.ToArray();
    }

    /// <summary>
    /// Lowd &amp; Meek's "barely spam" probe: the spam seed followed by the longest run of the ham
    /// texts' words that still leaves it spam, found by doubling then bisecting on the filter's
    /// verdict alone (about 2·log₂ of the run's length queries).
    /// </summary>
    internal static string BarelySpam(SpamFilterOracle oracle, string seed, IReadOnlyList<string> hamTexts)
    {
        var filler = hamTexts.SelectMany(WordTokenizer.Tokenize).ToArray();
        bool isSpam(int length) => oracle.Classify([SpamFilterOracle.Append(seed, filler.Take(length))])[0].IsSpam;
        int spam = 0;
        int ham = -1;
        for (int length = Math.Min(16, filler.Length); ham < 0; length = Math.Min(2 * length, filler.Length))
        {
            if (length == spam)
                throw new BulwarkInputException($"good-word attack: the filter still calls the first message spam after all {filler.Length} words of the attacker's ham texts are appended, so no barely-spam probe exists; give more ham text or use a passive strategy");
            if (isSpam(length))
                spam = length;
            else
                ham = length;
        }
        while (ham - spam > 1)
        {
            int mid = spam + ((ham - spam) / 2);
            if (isSpam(mid))
                spam = mid;
            else
                ham = mid;
        }
        return SpamFilterOracle.Append(seed, filler.Take(spam));
    }

    /// <summary>"First-N": the first <paramref name="count"/> candidates, in their order, that alone turn the probe into ham.</summary>
    internal static IReadOnlyList<string> FirstN(SpamFilterOracle oracle, string probe, IReadOnlyList<string> candidates, int count)
    {
        var good = new List<string>(count);
        for (int start = 0; start < candidates.Count && good.Count < count; start += oracle.BatchSize)
        {
            var chunk = candidates.Skip(start).Take(oracle.BatchSize).ToArray();
            var verdicts = oracle.Classify(chunk.Select(w => SpamFilterOracle.Append(probe, [w])).ToArray());
            for (int i = 0; i < chunk.Length && good.Count < count; i++)
                if (!verdicts[i].IsSpam)
                    good.Add(chunk[i]);
        }
        return good;
    }

    /// <summary>"Best-N": every candidate scored on the probe; the <paramref name="count"/> that lower its spam probability most.</summary>
    internal static IReadOnlyList<string> BestN(SpamFilterOracle oracle, string probe, IReadOnlyList<string> candidates, int count)
    {
        var texts = candidates.Select(w => SpamFilterOracle.Append(probe, [w])).Prepend(probe).ToArray();
        var scores = oracle.Classify(texts).Select(v => v.SpamProbability).ToArray();
        return Enumerable.Range(0, candidates.Count)
            .Where(i => scores[i + 1] < scores[0])
            .OrderBy(i => scores[i + 1])
            .ThenBy(i => i)
            .Take(count)
            .Select(i => candidates[i])
            .ToArray();
    }

    private static IEnumerable<string> Words(IReadOnlyList<string>? candidates, Dictionary<string, int> ham) =>
        candidates is null ? ham.Keys : Normalize(candidates);

    private static Dictionary<string, int> DocumentFrequency(IReadOnlyList<string> texts, string what)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
            throw new BulwarkInputException($"good-word attack: the attacker's corpus has no {what} texts to count words in");
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in WordTokenizer.Tokenize(text ?? throw new BulwarkInputException($"good-word attack: a {what} text is null")).Distinct(StringComparer.Ordinal))
                df[word] = df.GetValueOrDefault(word) + 1;
        return df;
    }
}
