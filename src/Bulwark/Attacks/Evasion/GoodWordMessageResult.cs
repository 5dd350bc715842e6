namespace Bulwark.Attacks.Evasion;

/// <summary>What the good-word attack did to one spam message.</summary>
public sealed record GoodWordMessageResult
{
    /// <summary>The message's position in the list attacked.</summary>
    public required int Index { get; init; }

    /// <summary>Whether the filter lets the edited message through (no longer its spam class).</summary>
    public required bool Success { get; init; }

    /// <summary>The fewest words of the ranked list (a prefix) that got it through; null on failure.</summary>
    public required int? WordsNeeded { get; init; }

    /// <summary>The words appended: the successful prefix, or on failure every word tried.</summary>
    public required IReadOnlyList<string> AddedWords { get; init; }

    /// <summary>The original text with <see cref="AddedWords"/> appended; the original is unchanged.</summary>
    public required string AdversarialText { get; init; }

    /// <summary>The filter's spam probability for <see cref="AdversarialText"/>.</summary>
    public required float SpamProbability { get; init; }

    /// <summary>Texts scored for this message, the check of the original included.</summary>
    public required long Queries { get; init; }
}
