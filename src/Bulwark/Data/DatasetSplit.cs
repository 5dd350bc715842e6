using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// A training set and a test set of the same task (same class count and sample shape). For
/// text, also the vectoriser fitted on the training texts, which turns new or modified
/// documents into the same feature columns, and the texts themselves.
/// </summary>
public sealed record DatasetSplit
{
    /// <summary>Pairs two datasets after checking they describe the same task.</summary>
    public DatasetSplit(Dataset train, Dataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.ClassCount != test.ClassCount || !train.SampleShape.AsSpan().SequenceEqual(test.SampleShape))
        {
            throw new BulwarkInputException(
                $"'{train.Name}' ({train.ClassCount} classes, samples [{string.Join(", ", train.SampleShape)}]) and '{test.Name}' ({test.ClassCount} classes, samples [{string.Join(", ", test.SampleShape)}]) do not describe the same task.");
        }
        Train = train;
        Test = test;
    }

    /// <summary>The samples to train on.</summary>
    public Dataset Train { get; }

    /// <summary>The held-out samples to measure on.</summary>
    public Dataset Test { get; }

    /// <summary>For text: the vectoriser fitted on the training texts only; null otherwise.</summary>
    public ITextVectorizer? Vectorizer { get; init; }

    /// <summary>For text: the training documents, row for row with <see cref="Train"/>; null otherwise.</summary>
    public TextCorpus? TrainTexts { get; init; }

    /// <summary>For text: the test documents, row for row with <see cref="Test"/>; null otherwise.</summary>
    public TextCorpus? TestTexts { get; init; }
}
