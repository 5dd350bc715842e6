using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

public class BuiltInDatasetsTests
{
    private static readonly string DataDirectory = DataFiles.Bundled();

    [Theory]
    [InlineData("fashion-mnist", 6000, 1000, new[] { 1, 28, 28 }, 10, FeatureKind.Image)]
    [InlineData("digits", 1438, 359, new[] { 1, 8, 8 }, 10, FeatureKind.Image)]
    [InlineData("breast-cancer", 456, 113, new[] { 30 }, 2, FeatureKind.Tabular)]
    [InlineData("spam", 1200, 300, new[] { 5000 }, 2, FeatureKind.Text)]
    public void Each_built_in_loads_with_its_shape_classes_and_kind(string name, int train, int test, int[] shape, int classes, FeatureKind kind)
    {
        var split = BuiltInDatasets.Load(name, DataDirectory);
        Assert.Equal((train, test), (split.Train.Count, split.Test.Count));
        Assert.Equal(shape, split.Train.SampleShape);
        Assert.Equal(classes, split.Train.ClassCount);
        Assert.Equal(kind, split.Train.Info.Kind);
        Assert.Equal(classes, split.Train.Info.ClassNames.Count);
        // Every class appears on both sides, in about the same share.
        for (int c = 0; c < classes; c++)
        {
            double a = split.Train.Labels.Data.Count(y => y == c) / (double)train;
            double b = split.Test.Labels.Data.Count(y => y == c) / (double)test;
            Assert.InRange(b, a - 0.02, a + 0.02);
        }
        var x = split.Train.Features.AsReadOnlySpan();
        foreach (float v in x)
        {
            Assert.InRange(v, split.Train.Info.Bounds.Lower, split.Train.Info.Bounds.Upper);
        }
    }

    [Fact]
    public void Breast_cancer_carries_per_feature_bounds_and_names()
    {
        var info = BuiltInDatasets.Load("breast-cancer", DataDirectory).Train.Info;
        Assert.Equal(30, info.Features.Count);
        Assert.Equal(new[] { "benign", "malignant" }, info.ClassNames);
        Assert.Equal(("mean_area", 143.5f, 2501f), (info.Features[3].Name, info.Features[3].Lower, info.Features[3].Upper));
    }

    [Fact]
    public void Spam_comes_with_its_texts_and_a_vectoriser_fitted_on_the_training_texts_only()
    {
        var split = BuiltInDatasets.Load("spam", DataDirectory);
        var tfidf = Assert.IsType<TfidfVectorizer>(split.Vectorizer);
        Assert.Equal(split.Train.Count, split.TrainTexts!.Count);
        Assert.Equal(split.Test.Count, split.TestTexts!.Count);
        Assert.Equal(split.Train.Labels.Data, split.TrainTexts.Labels);
        Assert.Equal(TfidfVectorizer.Fit(split.TrainTexts.Texts, BuiltInDatasets.SpamTfidf).Terms, tfidf.Terms);
        Assert.NotEqual(TfidfVectorizer.Fit(split.TestTexts.Texts, BuiltInDatasets.SpamTfidf).Terms, tfidf.Terms);

        // The rows are the vectoriser's transform of the texts, so an edited text can be re-vectorised.
        var row = new float[tfidf.FeatureCount];
        tfidf.Transform(split.TestTexts.Texts[7], row);
        Assert.Equal(row, split.Test.Features.ToArray().AsSpan(7 * row.Length, row.Length).ToArray());
    }

    [Fact]
    public void Loading_twice_gives_the_same_split()
    {
        var a = BuiltInDatasets.Load("digits", DataDirectory);
        var b = BuiltInDatasets.Load("digits", DataDirectory);
        Assert.Equal(a.Test.Labels.Data, b.Test.Labels.Data);
        Assert.Equal(a.Test.Features.ToArray(), b.Test.Features.ToArray());
    }

    [Fact]
    public void Unknown_names_and_missing_folders_are_input_errors()
    {
        Assert.Equal(new[] { "fashion-mnist", "digits", "breast-cancer", "spam" }, BuiltInDatasets.Names);
        DataFiles.Refused(() => BuiltInDatasets.Load("mnist", DataDirectory), "'mnist' is not a built-in dataset", "digits");
        DataFiles.Refused(() => BuiltInDatasets.Load("digits", Path.Combine(DataDirectory, "nowhere")), "missing", "nowhere");
    }
}
