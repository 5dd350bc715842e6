using Bulwark.Data;

namespace Bulwark.Tests.Data;

public class WordTokenizerTests
{
    [Fact]
    public void Splits_on_non_word_characters_lowercases_and_drops_single_characters()
    {
        Assert.Equal(
            new[] { "free", "money", "click", "here_now", "100", "café", "isn", "it" },
            WordTokenizer.Tokenize("FREE money!!! Click here_now: 100% a café, isn't it?"));
        Assert.Empty(WordTokenizer.Tokenize(" . , a b c ! "));
    }
}
