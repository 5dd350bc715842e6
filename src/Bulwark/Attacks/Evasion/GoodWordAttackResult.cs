namespace Bulwark.Attacks.Evasion;

/// <summary>
/// The outcome of a good-word attack on a batch of caught spam: the word list used, one
/// <see cref="GoodWordMessageResult"/> per message, the queries spent and Lowd &amp; Meek's
/// headline figure, the words needed to get half of the blocked spam through.
/// </summary>
public sealed record GoodWordAttackResult
{
    /// <summary>How the word list was chosen.</summary>
    public required GoodWordStrategy Strategy { get; init; }

    /// <summary>The most words that could be added to one message.</summary>
    public required int MaxWords { get; init; }

    /// <summary>The good words, best first, at most <see cref="MaxWords"/>; every message gets a prefix of it.</summary>
    public required IReadOnlyList<string> RankedWords { get; init; }

    /// <summary>One entry per message, in input order.</summary>
    public required IReadOnlyList<GoodWordMessageResult> Messages { get; init; }

    /// <summary>Texts scored while building <see cref="RankedWords"/> (0 for the passive strategies).</summary>
    public required long RankingQueries { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>All texts scored: ranking plus every message's.</summary>
    public long Queries => RankingQueries + Messages.Sum(m => m.Queries);

    /// <summary>The fraction of the messages that got through.</summary>
    public double SuccessRate => SuccessRateWithin(MaxWords);

    /// <summary>The fraction of the messages that got through with at most <paramref name="words"/> added words.</summary>
    public double SuccessRateWithin(int words) =>
        Messages.Count == 0 ? 0 : Messages.Count(m => m.WordsNeeded <= words) / (double)Messages.Count;

    /// <summary>
    /// The fewest added words that get at least half of the messages through (the median of the
    /// words needed, failures counting as more than the budget); null when fewer than half get through.
    /// </summary>
    public int? MedianWordsNeeded
    {
        get
        {
            var needed = Messages.Where(m => m.Success).Select(m => m.WordsNeeded!.Value).Order().ToArray();
            int half = (Messages.Count + 1) / 2;
            return half > 0 && needed.Length >= half ? needed[half - 1] : null;
        }
    }
}
