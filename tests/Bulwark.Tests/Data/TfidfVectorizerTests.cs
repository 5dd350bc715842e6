using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

public sealed class TfidfVectorizerTests
{
    private static readonly string[] Documents = ["The cat sat.", "the DOG sat down", "the cat, the cat!"];

    [Fact]
    public void Weights_match_a_hand_computed_example()
    {
        var tfidf = TfidfVectorizer.Fit(Documents);
        Assert.Equal(new[] { "cat", "dog", "down", "sat", "the" }, tfidf.Terms);
        // idf = ln((1 + 3) / (1 + df)) + 1 with df: the 3, cat 2, sat 2, dog 1, down 1.
        Assert.Equal(new[] { 1.2876821f, 1.6931472f, 1.6931472f, 1.2876821f, 1f }, tfidf.Idf.ToArray());

        var x = tfidf.Transform(Documents).ToArray();
        Assert.Equal(15, x.Length);
        // Third document: cat 2 × 1.28768, the 2 × 1, scaled to unit length.
        AssertClose([0.78980693f, 0, 0, 0, 0.61335554f], x[10..15]);
        // Second document: every word once.
        AssertClose([0, 0.58448290f, 0.58448290f, 0.44451431f, 0.34520502f], x[5..10]);
    }

    [Fact]
    public void Sublinear_tf_damps_repeats()
    {
        var tfidf = TfidfVectorizer.Fit(Documents, new TfidfOptions { SublinearTf = true });
        var row = new float[5];
        tfidf.Transform("cat cat cat dog", row);
        // cat: (1 + ln 3) × 1.28768, dog: 1 × 1.69315, scaled to unit length.
        AssertClose([0.84740849f, 0.53094148f, 0, 0, 0], row);
    }

    [Fact]
    public void Document_frequency_and_feature_limits_shape_the_vocabulary()
    {
        Assert.Equal(new[] { "cat", "sat", "the" }, TfidfVectorizer.Fit(Documents, new TfidfOptions { MinDocumentFrequency = 2 }).Terms);
        // Corpus counts: the 4, cat 3, sat 2, dog 1, down 1.
        Assert.Equal(new[] { "cat", "the" }, TfidfVectorizer.Fit(Documents, new TfidfOptions { MaxFeatures = 2 }).Terms);
        Assert.Throws<BulwarkInputException>(() => TfidfVectorizer.Fit(Documents, new TfidfOptions { MinDocumentFrequency = 4 }));
        Assert.Throws<BulwarkInputException>(() => new TfidfOptions { MaxFeatures = 0 });
        Assert.Throws<BulwarkInputException>(() => TfidfVectorizer.Fit([]));
    }

    [Fact]
    public void New_text_is_vectorised_with_the_fitted_vocabulary_so_added_words_show_up()
    {
        var tfidf = TfidfVectorizer.Fit(Documents);
        var row = new float[tfidf.FeatureCount];
        tfidf.Transform("zebras everywhere", row);
        Assert.All(row, v => Assert.Equal(0f, v));

        int dog = tfidf.ColumnOf("Dog");
        Assert.Equal(1, dog);
        Assert.Equal(-1, tfidf.ColumnOf("zebra"));
        tfidf.Transform("the cat sat", row);
        Assert.Equal(0f, row[dog]);
        tfidf.Transform("the cat sat dog", row);
        Assert.True(row[dog] > 0.5f);
        Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 5);
        Assert.Throws<BulwarkInputException>(() => tfidf.Transform("x", new float[3]));
    }

    [Fact]
    public void Spam_vocabulary_holds_the_words_that_tell_spam_from_ham()
    {
        var corpus = JsonlTextLoader.Load(DataFiles.Bundled("spam", "spam.jsonl.gz"));
        var tfidf = TfidfVectorizer.Fit(corpus.Texts, BuiltInDatasets.SpamTfidf);
        Assert.Equal(5000, tfidf.FeatureCount);
        foreach (var word in new[] { "free", "click", "money", "remove", "the", "list" })
        {
            Assert.True(tfidf.ColumnOf(word) >= 0, word);
        }
        // Frequent function words get a low idf; "click" is rarer, so it weighs more.
        Assert.True(tfidf.Idf[tfidf.ColumnOf("the")] < tfidf.Idf[tfidf.ColumnOf("click")]);

        var x = tfidf.Transform(corpus.Texts).ToArray();
        int click = tfidf.ColumnOf("click");
        double spam = 0, ham = 0;
        for (int i = 0; i < corpus.Count; i++)
        {
            double w = x[(i * tfidf.FeatureCount) + click];
            if (corpus.Labels[i] == 1)
            {
                spam += w;
            }
            else
            {
                ham += w;
            }
        }
        Assert.True(spam > 3 * ham, $"mean weight of 'click': spam {spam}, ham {ham}");
    }

    [Fact]
    public void Fitting_twice_gives_identical_vocabularies_and_rows()
    {
        var corpus = JsonlTextLoader.Load(DataFiles.Bundled("spam", "spam.jsonl.gz")).Subset(Enumerable.Range(0, 200).ToArray());
        var a = TfidfVectorizer.Fit(corpus.Texts, new TfidfOptions { MaxFeatures = 300 });
        var b = TfidfVectorizer.Fit(corpus.Texts.Reverse().ToArray(), new TfidfOptions { MaxFeatures = 300 });
        Assert.Equal(a.Terms, b.Terms);
        Assert.Equal(a.Transform(corpus.Texts).ToArray(), b.Transform(corpus.Texts).ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"column {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
