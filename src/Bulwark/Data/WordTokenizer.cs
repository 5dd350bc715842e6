using System.Text;

namespace Bulwark.Data;

/// <summary>
/// The word tokeniser both vectorisers use: a token is a run of two or more letters, digits or
/// underscores, lowercased with the invariant culture; everything else separates tokens. Attacks
/// that add or remove words should tokenise with it so their words land in the same columns.
/// </summary>
public static class WordTokenizer
{
    /// <summary>The shortest token kept; single characters carry little meaning.</summary>
    public const int MinLength = 2;

    /// <summary>The tokens of <paramref name="text"/>, in order, repeats included.</summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var word = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else
            {
                Flush(word, tokens);
            }
        }
        Flush(word, tokens);
        return tokens;
    }

    private static void Flush(StringBuilder word, List<string> tokens)
    {
        if (word.Length >= MinLength)
        {
            tokens.Add(word.ToString());
        }
        word.Clear();
    }
}
