using Bulwark.Data;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Tests.Attacks;

/// <summary>
/// The two spam filters the text-attack tests share, fitted once per test run on the bundled spam
/// training split (1,200 messages, 5,000 TF-IDF columns; label 1 = spam): multinomial naive Bayes
/// (α = 1) and L2-regularised logistic regression (default options, seed 0).
/// </summary>
internal static class SpamFilters
{
    private static readonly Lazy<DatasetSplit> SpamData = new(() => BuiltInDatasets.Load("spam", TrainedModels.RepoData()));
    private static readonly Lazy<EngineClassifier> NaiveBayesFilter = new(() => new MultinomialNaiveBayesLearner().Fit(Spam.Train));
    private static readonly Lazy<EngineClassifier> LogisticFilter = new(() => new LogisticRegressionLearner().Fit(Spam.Train));

    /// <summary>The spam split with its texts and fitted TF-IDF vectoriser.</summary>
    public static DatasetSplit Spam => SpamData.Value;

    /// <summary>The fitted vectoriser of <see cref="Spam"/>.</summary>
    public static ITextVectorizer Vectorizer => Spam.Vectorizer!;

    /// <summary>Multinomial naive Bayes on the training split.</summary>
    public static EngineClassifier NaiveBayes => NaiveBayesFilter.Value;

    /// <summary>Logistic regression on the training split.</summary>
    public static EngineClassifier Logistic => LogisticFilter.Value;

    /// <summary>The linear layer of a model the spam learners fit (<c>Sequential(Flatten, Linear)</c>).</summary>
    public static Linear LinearOf(EngineClassifier model) => (Linear)((Sequential)model.Model).NamedChildren().Last().Module;

    /// <summary>The share of <paramref name="data"/> that <paramref name="filter"/> labels correctly.</summary>
    public static double Accuracy(IClassifier filter, Dataset data)
    {
        var predicted = filter.PredictProba(data.Features).ArgMax(-1).Data;
        return Enumerable.Range(0, data.Count).Count(i => predicted[i] == data.Labels.Data[i]) / (double)data.Count;
    }
}
