using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Labelled documents before vectorisation: the texts, one class index per text, and the class
/// names. Immutable; subsets copy. <see cref="Vectorize"/> turns it into a <see cref="Dataset"/>.
/// </summary>
public sealed class TextCorpus
{
    private readonly string[] texts;
    private readonly long[] labels;

    /// <summary>Creates a corpus after checking one label per text, each in [0, <paramref name="classCount"/>).</summary>
    public TextCorpus(string name, IReadOnlyList<string> texts, IReadOnlyList<long> labels, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        if (texts.Count != labels.Count)
        {
            throw new BulwarkInputException($"corpus '{name}': {texts.Count} texts but {labels.Count} labels.");
        }
        if (classCount < 2)
        {
            throw new BulwarkInputException($"corpus '{name}': needs at least 2 classes, got {classCount}.");
        }
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new BulwarkInputException($"corpus '{name}': label {labels[i]} of text {i} is outside [0, {classCount}).");
            }
        }
        Name = name;
        this.texts = texts.Select(t => t ?? throw new BulwarkInputException($"corpus '{name}': a text is null.")).ToArray();
        this.labels = labels.ToArray();
        ClassCount = classCount;
        ClassNames = classNames?.ToArray() ?? [];
    }

    /// <summary>A short name used in messages.</summary>
    public string Name { get; }

    /// <summary>The documents.</summary>
    public IReadOnlyList<string> Texts => texts;

    /// <summary>The class index of each document.</summary>
    public IReadOnlyList<long> Labels => labels;

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Human names of the classes, index = label; empty when the labels were numbers.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of documents.</summary>
    public int Count => texts.Length;

    /// <summary>The documents at <paramref name="indices"/>, in that order.</summary>
    public TextCorpus Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)Count)
            {
                throw new BulwarkInputException($"corpus '{Name}': index {i} is outside [0, {Count}).");
            }
        }
        return new TextCorpus(name ?? Name, indices.Select(i => texts[i]).ToArray(), indices.Select(i => labels[i]).ToArray(), ClassCount, ClassNames);
    }

    /// <summary>A seeded split into training and test documents that keeps every class's share (see <see cref="Dataset.StratifiedSplit"/>).</summary>
    public (TextCorpus Train, TextCorpus Test) StratifiedSplit(double testFraction, ulong seed)
    {
        var (train, test) = Stratified.Split(labels, ClassCount, testFraction, seed, Name);
        return (Subset(train, Name + "/train"), Subset(test, Name + "/test"));
    }

    /// <summary>The documents as feature rows [N, D] of <paramref name="vectorizer"/>, with their labels.</summary>
    public Dataset Vectorize(ITextVectorizer vectorizer)
    {
        ArgumentNullException.ThrowIfNull(vectorizer);
        var info = new FeatureInfo(FeatureKind.Text, vectorizer.Bounds, classNames: ClassNames);
        return new Dataset(Name, vectorizer.Transform(texts), new LongTensor((long[])labels.Clone(), Count), ClassCount, info);
    }

    /// <summary>
    /// Splits with <see cref="StratifiedSplit"/>, fits a vectoriser on the training texts only
    /// (so nothing about the test texts leaks into the features) and vectorises both parts.
    /// </summary>
    public DatasetSplit SplitAndVectorize(double testFraction, ulong seed, Func<IReadOnlyList<string>, ITextVectorizer> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var (train, test) = StratifiedSplit(testFraction, seed);
        var vectorizer = fit(train.Texts);
        return new DatasetSplit(train.Vectorize(vectorizer), test.Vectorize(vectorizer))
        {
            Vectorizer = vectorizer,
            TrainTexts = train,
            TestTexts = test,
        };
    }
}
