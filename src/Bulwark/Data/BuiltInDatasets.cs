using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// The small datasets bundled with Bulwark (the repository's <c>data/</c> folder, copied beside
/// the tool), each with its licence and the script that made it. Every one loads as a
/// deterministic training/test split; see docs/datasets.md for sources and subset rules.
/// </summary>
public static class BuiltInDatasets
{
    /// <summary>The share of samples held out for testing where a dataset has no split of its own.</summary>
    public const double TestFraction = 0.2;

    /// <summary>The seed of those splits.</summary>
    public const ulong SplitSeed = 0;

    /// <summary>The fixed TF-IDF settings of the spam dataset: words in at least 2 training messages, the 5,000 most frequent, sublinear tf.</summary>
    public static TfidfOptions SpamTfidf { get; } = new() { MinDocumentFrequency = 2, MaxFeatures = 5000, SublinearTf = true };

    private static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly Dictionary<string, Func<string, DatasetSplit>> Loaders = new(StringComparer.Ordinal)
    {
        ["fashion-mnist"] = dir => IdxDatasetLoader.LoadFolder(dir, new ArrayDatasetOptions { ClassCount = 10, ClassNames = FashionClasses }),
        ["digits"] = dir => NpzDatasetLoader.Load(Path.Combine(dir, "digits.npz"), new ArrayDatasetOptions
        {
            ClassCount = 10,
            ClassNames = Enumerable.Range(0, 10).Select(d => DataLimits.Num(d)).ToArray(),
        }).StratifiedSplit(TestFraction, SplitSeed),
        ["breast-cancer"] = dir => CsvDatasetLoader.Load(Path.Combine(dir, "breast-cancer.csv"), new CsvOptions { LabelColumn = "diagnosis" })
            .StratifiedSplit(TestFraction, SplitSeed),
        ["spam"] = dir => JsonlTextLoader.Load(Path.Combine(dir, "spam.jsonl.gz"))
            .SplitAndVectorize(TestFraction, SplitSeed, texts => TfidfVectorizer.Fit(texts, SpamTfidf)),
    };

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "digits", "breast-cancer", "spam"];

    /// <summary>Where the bundled data lives by default: <c>data/</c> beside the running program.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>True when <paramref name="name"/> is one of <see cref="Names"/>.</summary>
    public static bool Contains(string name) => Loaders.ContainsKey(name);

    /// <summary>
    /// Loads a bundled dataset as its training and test parts from
    /// <paramref name="dataDirectory"/>/<paramref name="name"/> (default <see cref="DefaultDirectory"/>).
    /// Fashion-MNIST keeps its own split; the others are split 80/20 by class with seed 0. Spam comes
    /// with its TF-IDF vectoriser, fitted on the training texts, and the texts.
    /// </summary>
    public static DatasetSplit Load(string name, string? dataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Loaders.TryGetValue(name, out var load))
        {
            throw new BulwarkInputException($"'{name}' is not a built-in dataset; the built-ins are {string.Join(", ", Names)}.");
        }
        string dir = Path.Combine(dataDirectory ?? DefaultDirectory, name);
        if (!Directory.Exists(dir))
        {
            throw new BulwarkInputException($"the built-in dataset '{name}' is missing from {dir}; reinstall the tool or give the data folder.");
        }
        return load(dir);
    }
}
