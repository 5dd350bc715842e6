using Bulwark.Attacks.Evasion;
using Bulwark.Engine;

namespace Bulwark.Tests.Attacks.Evasion;

public sealed class GoodWordRankingTests
{
    private static readonly string[] Ham = ["Meeting agenda attached", "agenda for the meeting", "lunch meeting"];
    private static readonly string[] Spam = ["cheap pills, meeting!", "cheap offer"];

    [Fact]
    public void Common_ham_words_rank_by_the_number_of_ham_texts_with_ties_in_ordinal_order()
    {
        Assert.Equal(["meeting", "agenda", "attached", "for", "lunch", "the"], GoodWordRanking.CommonHamWords(Ham));
    }

    [Fact]
    public void The_ham_spam_ratio_prefers_words_spam_lacks()
    {
        // agenda: (2+1)/4 over (0+1)/3 = 2.25; meeting: (3+1)/4 over (1+1)/3 = 1.5, tied with the
        // one-text words (2/4 over 1/3) and first among them by its ham frequency.
        Assert.Equal(["agenda", "meeting", "attached", "for", "lunch", "the"], GoodWordRanking.HamSpamRatio(Ham, Spam));
    }

    [Fact]
    public void Candidates_are_lowercased_deduplicated_and_limited_to_words_the_ham_texts_contain()
    {
        Assert.Equal(["agenda", "lunch"], GoodWordRanking.CommonHamWords(Ham, ["Lunch", "agenda", "pills", "lunch"]));
        Assert.Equal(["agenda", "lunch"], GoodWordRanking.HamSpamRatio(Ham, Spam, ["LUNCH", "agenda", "offer"]));
    }

    [Fact]
    public void Empty_vocabularies_multi_word_candidates_and_missing_texts_are_input_errors()
    {
        var empty = Assert.Throws<BulwarkInputException>(() => GoodWordRanking.CommonHamWords(Ham, []));
        Assert.Contains("candidate vocabulary is empty", empty.Message, StringComparison.Ordinal);
        var phrase = Assert.Throws<BulwarkInputException>(() => GoodWordRanking.CommonHamWords(Ham, ["agenda", "see you"]));
        Assert.Contains("candidate 1 ('see you') is 2 words", phrase.Message, StringComparison.Ordinal);
        var noHam = Assert.Throws<BulwarkInputException>(() => GoodWordRanking.HamSpamRatio([], Spam));
        Assert.Contains("no ham texts", noHam.Message, StringComparison.Ordinal);
        var noSpam = Assert.Throws<BulwarkInputException>(() => GoodWordRanking.HamSpamRatio(Ham, []));
        Assert.Contains("no spam texts", noSpam.Message, StringComparison.Ordinal);
    }
}
