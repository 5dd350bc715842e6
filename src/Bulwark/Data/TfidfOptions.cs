using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>How <see cref="TfidfVectorizer.Fit"/> chooses its vocabulary and weighs terms.</summary>
public sealed record TfidfOptions
{
    /// <summary>The options used when none are given.</summary>
    public static TfidfOptions Default { get; } = new();

    /// <summary>A term enters the vocabulary only if at least this many training documents contain it. Default 1.</summary>
    public int MinDocumentFrequency
    {
        get;
        init => field = value >= 1 ? value : throw new BulwarkInputException($"TfidfOptions: MinDocumentFrequency must be at least 1, got {value}.");
    } = 1;

    /// <summary>Keep at most this many terms, those most frequent over the training texts (ties: alphabetical). Default: no limit.</summary>
    public int? MaxFeatures
    {
        get;
        init => field = value is null or >= 1 ? value : throw new BulwarkInputException($"TfidfOptions: MaxFeatures must be at least 1, got {value}.");
    }

    /// <summary>When true the term frequency is 1 + ln(count) rather than the count, damping repeated words. Default false.</summary>
    public bool SublinearTf { get; init; }
}
