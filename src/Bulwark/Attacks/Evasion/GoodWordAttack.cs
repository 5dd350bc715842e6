using System.Diagnostics;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="GoodWordAttack"/>.</summary>
public sealed record GoodWordAttackOptions
{
    /// <summary>How the words are ranked; Best-N, the strongest of the paper's attacks, by default.</summary>
    public GoodWordStrategy Strategy { get; init; } = GoodWordStrategy.BestN;

    /// <summary>The most words added to one message; Lowd &amp; Meek report figures up to a few hundred, 100 keeps a message readable.</summary>
    public int MaxWords { get; init; } = 100;

    /// <summary>The class index the filter uses for spam (1 in the bundled spam data: "ham" &lt; "spam").</summary>
    public int SpamClass { get; init; } = 1;

    /// <summary>Prefix lengths tried per message per round; larger rounds mean fewer model calls but a few queries past the one that succeeds.</summary>
    public int WordsPerRound { get; init; } = 10;

    /// <summary>The most texts scored per model call.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// Good-word attack (Lowd &amp; Meek, "Good Word Attacks on Statistical Spam Filters", CEAS 2005).
/// Threat T8 (black-box evasion of a text filter). A spammer appends words typical of legitimate
/// mail to a message the filter blocks until the filter lets it through. The words come from a
/// ranked list, built once per run by one <see cref="GoodWordStrategy"/>: passively from the
/// attacker's own mail (no queries), or actively by querying the filter with a "barely spam"
/// probe (the first message, padded with the attacker's ham words until just short of flipping).
/// Each message then gets the shortest prefix of the list that the filter calls ham, searched
/// <see cref="GoodWordAttackOptions.WordsPerRound"/> prefixes at a time, with the texts of all
/// messages scored together in batches. Every query is a text vectorised by the given
/// vectoriser and scored by <see cref="IClassifier.PredictProba"/>; the queries are counted.
/// </summary>
/// <remarks>
/// Deviations from the paper: frequencies come from the attacker's labelled mail rather than
/// external English corpora, and Best-N ranks words by the spam probability the filter returns,
/// where the paper's Best-N uses label-only queries to estimate the same order. First-N uses the
/// label alone, as in the paper. Nothing is random; the inputs are never modified.
/// </remarks>
public sealed class GoodWordAttack(GoodWordAttackOptions? options = null)
{
    /// <summary>The options it runs with.</summary>
    public GoodWordAttackOptions Options { get; } = options ?? new();

    /// <summary>The texts of <paramref name="mail"/> labelled spam that <paramref name="filter"/> also classifies as spam: the messages worth attacking.</summary>
    public static IReadOnlyList<string> CaughtSpam(IClassifier filter, ITextVectorizer vectorizer, TextCorpus mail, int spamClass = 1)
    {
        ArgumentNullException.ThrowIfNull(mail);
        CheckFilter(filter, vectorizer, spamClass);
        var spam = mail.Texts.Where((_, i) => mail.Labels[i] == spamClass).ToArray();
        if (spam.Length == 0)
            return [];
        var verdicts = new SpamFilterOracle(filter, vectorizer, spamClass, EngineClassifier.DefaultMaxBatchSize).Classify(spam);
        return spam.Where((_, i) => verdicts[i].IsSpam).ToArray();
    }

    /// <summary>
    /// Attacks every message of <paramref name="spam"/>, each of which the filter must classify as spam.
    /// </summary>
    /// <param name="filter">The spam filter over vectorised text, rows [N, D].</param>
    /// <param name="vectorizer">Turns an edited text into the filter's row of D features.</param>
    /// <param name="spam">The caught spam to get through; see <see cref="CaughtSpam"/>.</param>
    /// <param name="attackerMail">The attacker's own labelled mail: word frequencies for the passive lists, ham words for the active probe.</param>
    /// <param name="candidates">The words that may be added; every word of the attacker's ham texts, most common first, when null.</param>
    public GoodWordAttackResult Run(IClassifier filter, ITextVectorizer vectorizer, IReadOnlyList<string> spam, TextCorpus attackerMail, IReadOnlyList<string>? candidates = null)
    {
        var o = Options;
        CheckFilter(filter, vectorizer, o.SpamClass);
        ArgumentNullException.ThrowIfNull(spam);
        ArgumentNullException.ThrowIfNull(attackerMail);
        if (o.MaxWords < 0 || o.WordsPerRound < 1 || o.BatchSize < 1)
            throw new BulwarkInputException($"good-word attack: the word budget must be 0 or more (got {o.MaxWords}), the words per round ({o.WordsPerRound}) and batch size ({o.BatchSize}) at least 1");
        if (spam.Count == 0)
            throw new BulwarkInputException("good-word attack: no spam messages to attack; give the spam the filter catches (GoodWordAttack.CaughtSpam finds it)");
        var messages = spam.Select((t, i) => t ?? throw new BulwarkInputException($"good-word attack: spam message {i} is null")).ToArray();
        var ham = attackerMail.Texts.Where((_, i) => attackerMail.Labels[i] != o.SpamClass).ToArray();
        var knownSpam = attackerMail.Texts.Where((_, i) => attackerMail.Labels[i] == o.SpamClass).ToArray();
        var pool = GoodWordRanking.Normalize(candidates ?? GoodWordRanking.CommonHamWords(ham));

        var clock = Stopwatch.StartNew();
        var oracle = new SpamFilterOracle(filter, vectorizer, o.SpamClass, o.BatchSize);
        var original = oracle.Classify(messages);
        int passed = Array.FindIndex(original, v => !v.IsSpam);
        if (passed >= 0)
            throw new BulwarkInputException($"good-word attack: spam message {passed} already gets through the filter (spam probability {original[passed].SpamProbability:0.###}); attack only the spam it catches");
        var words = o.MaxWords == 0 ? [] : Rank(oracle, messages[0], ham, knownSpam, pool);
        long rankingQueries = oracle.Queries - messages.Length;
        var results = AddWords(oracle, messages, words, original);
        return new GoodWordAttackResult
        {
            Strategy = o.Strategy,
            MaxWords = o.MaxWords,
            RankedWords = words,
            Messages = results,
            RankingQueries = rankingQueries,
            Elapsed = clock.Elapsed,
        };
    }

    private IReadOnlyList<string> Rank(SpamFilterOracle oracle, string seed, string[] ham, string[] knownSpam, string[] pool)
    {
        int n = Options.MaxWords;
        switch (Options.Strategy)
        {
            case GoodWordStrategy.CommonHamWords:
                return GoodWordRanking.CommonHamWords(ham, pool).Take(n).ToArray();
            case GoodWordStrategy.HamSpamRatio:
                return GoodWordRanking.HamSpamRatio(ham, knownSpam, pool).Take(n).ToArray();
            case GoodWordStrategy.FirstN or GoodWordStrategy.BestN:
                var probe = GoodWordRanking.BarelySpam(oracle, seed, ham);
                return Options.Strategy == GoodWordStrategy.FirstN
                    ? GoodWordRanking.FirstN(oracle, probe, pool, n)
                    : GoodWordRanking.BestN(oracle, probe, pool, n);
            default:
                throw new BulwarkInputException($"good-word attack: unknown strategy {Options.Strategy}");
        }
    }

    private GoodWordMessageResult[] AddWords(SpamFilterOracle oracle, string[] messages, IReadOnlyList<string> words, (float SpamProbability, bool IsSpam)[] original)
    {
        int n = messages.Length;
        var tried = new int[n];
        var needed = new int?[n];
        var queries = Enumerable.Repeat(1L, n).ToArray();
        var probability = original.Select(v => v.SpamProbability).ToArray();
        var open = Enumerable.Range(0, n).Where(_ => words.Count > 0).ToList();
        while (open.Count > 0)
        {
            var texts = new List<string>();
            var owners = new List<(int Message, int Words)>();
            foreach (int i in open)
            {
                for (int k = tried[i] + 1; k <= Math.Min(words.Count, tried[i] + Options.WordsPerRound); k++)
                {
                    texts.Add(SpamFilterOracle.Append(messages[i], words.Take(k)));
                    owners.Add((i, k));
                }
            }
            var verdicts = oracle.Classify(texts);
            for (int j = 0; j < verdicts.Length; j++)
            {
                var (i, k) = owners[j];
                queries[i]++;
                if (needed[i] is null)
                {
                    tried[i] = k;
                    probability[i] = verdicts[j].SpamProbability;
                    needed[i] = verdicts[j].IsSpam ? null : k;
                }
            }
            open.RemoveAll(i => needed[i] is not null || tried[i] == words.Count);
        }
        return Enumerable.Range(0, n).Select(i => new GoodWordMessageResult
        {
            Index = i,
            Success = needed[i] is not null,
            WordsNeeded = needed[i],
            AddedWords = words.Take(tried[i]).ToArray(),
            AdversarialText = tried[i] == 0 ? messages[i] : SpamFilterOracle.Append(messages[i], words.Take(tried[i])),
            SpamProbability = probability[i],
            Queries = queries[i],
        }).ToArray();
    }

    private static void CheckFilter(IClassifier filter, ITextVectorizer vectorizer, int spamClass)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(vectorizer);
        if (filter.InputShape.Count != 1 || filter.InputShape[0] != vectorizer.FeatureCount)
            throw new BulwarkInputException($"good-word attack: the filter takes samples of shape [{string.Join(", ", filter.InputShape)}] but the vectoriser writes rows of {vectorizer.FeatureCount} features");
        if (spamClass < 0 || spamClass >= filter.ClassCount)
            throw new BulwarkInputException($"good-word attack: the spam class {spamClass} is outside the filter's classes [0, {filter.ClassCount})");
    }
}
