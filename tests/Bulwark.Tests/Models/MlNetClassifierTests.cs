using System.Globalization;
using System.IO.Compression;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Bulwark.Tests.Models;

public sealed class MlNetClassifierTests
{
    private const int DigitFeatures = 64;

    /// <summary>The order in which the digit classes first appear in the training rows.</summary>
    private static readonly int[] FirstAppearance = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4];

    private sealed class DigitRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class FlowerRow
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private static string SharedDataset(string name) =>
        Path.GetFullPath(Path.Combine(OnnxTestFiles.BackendTests(), "..", "datasets", "sklearn", name));

    /// <summary>The sklearn digits table: 1797 rows of 64 pixel counts (0..16) and the digit.</summary>
    private static List<DigitRow> LoadDigits()
    {
        using var gz = new GZipStream(File.OpenRead(SharedDataset("digits.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var rows = new List<DigitRow>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            var v = line.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            rows.Add(new DigitRow { Features = v[..DigitFeatures], Label = v[DigitFeatures] });
        }
        return rows;
    }

    private static SchemaDefinition Schema<T>(int features)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return schema;
    }

    /// <summary>
    /// Training rows whose classes first appear in <see cref="FirstAppearance"/> order, so that
    /// ML.NET's key numbering (by first appearance) differs from the digit itself.
    /// </summary>
    private static List<DigitRow> ReorderedForKeys(List<DigitRow> train)
    {
        var leaders = FirstAppearance.Select(d => train.First(r => r.Label == d)).ToList();
        return [.. leaders, .. train.Where(r => !leaders.Contains(r))];
    }

    [Fact]
    public void Maximum_entropy_digits_model_maps_score_slots_to_digits_and_agrees_with_ml_net()
    {
        var all = LoadDigits();
        Assert.Equal(1797, all.Count);
        var test = all.Where((_, i) => i % 4 == 0).ToList();
        var train = ReorderedForKeys(all.Where((_, i) => i % 4 != 0).ToList());

        var ml = new MLContext(seed: 1);
        var pipeline = new EstimatorChain<ITransformer>()
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"), TransformerScope.TrainTest)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var scoring = pipeline.Fit(ml.Data.LoadFromEnumerable(train, Schema<DigitRow>(DigitFeatures))).GetModelFor(TransformerScope.Scoring);

        var classifier = new MlNetClassifier(ml, scoring, DigitFeatures, new MlNetClassifierOptions { Bounds = new InputBounds(0f, 16f) });
        Assert.Equal(10, classifier.ClassCount);
        Assert.Equal(FirstAppearance, classifier.ClassOfSlot);

        var x = Tensor.FromArray(test.SelectMany(r => r.Features).ToArray(), test.Count, DigitFeatures);
        var p = classifier.PredictProba(x);
        Assert.Equal([test.Count, 10], p.Shape.ToArray());
        var probs = p.ToArray();
        var predicted = Enumerable.Range(0, test.Count).Select(i => ArgMax(probs.AsSpan(i * 10, 10))).ToArray();
        double accuracy = predicted.Where((c, i) => c == test[i].Label).Count() / (double)test.Count;
        Assert.True(accuracy >= 0.9, $"held-out accuracy through the adapter {accuracy:F3}");

        var mlOutput = scoring.Transform(ml.Data.LoadFromEnumerable(test, Schema<DigitRow>(DigitFeatures)));
        var mlLabels = mlOutput.GetColumn<float>("PredictedLabel").ToArray();
        Assert.Equal(mlLabels.Select(v => (int)v), predicted);
        var mlScores = mlOutput.GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < test.Count; i++)
        {
            Assert.Equal(1.0, probs.AsSpan(i * 10, 10).ToArray().Sum(v => (double)v), 4);
            for (int slot = 0; slot < 10; slot++)
                Assert.True(Math.Abs(mlScores[i][slot] - probs[i * 10 + FirstAppearance[slot]]) < 1e-5, $"sample {i}, slot {slot}");
        }
    }

    [Fact]
    public void Text_labels_map_through_the_class_label_list()
    {
        string[] names = ["setosa", "versicolor", "virginica"];
        var rows = File.ReadLines(SharedDataset("iris.csv")).Skip(1)
            .Select(l => l.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray())
            .Select(v => new FlowerRow { Features = v[..4], Label = names[(int)v[4]] })
            .Reverse()
            .ToList();
        var ml = new MLContext(seed: 2);
        var pipeline = new EstimatorChain<ITransformer>()
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"), TransformerScope.TrainTest)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows, Schema<FlowerRow>(4))).GetModelFor(TransformerScope.Scoring);

        var unnamed = Assert.Throws<BulwarkInputException>(() => new MlNetClassifier(ml, model, 4));
        Assert.Contains("virginica", unnamed.Message, StringComparison.Ordinal);

        var classifier = new MlNetClassifier(ml, model, 4, new MlNetClassifierOptions { ClassLabels = names, Bounds = new InputBounds(0f, 8f) });
        Assert.Equal([2, 1, 0], classifier.ClassOfSlot);
        var x = Tensor.FromArray(rows.SelectMany(r => r.Features).ToArray(), rows.Count, 4);
        var probs = classifier.PredictProba(x).ToArray();
        int correct = rows.Where((r, i) => names[ArgMax(probs.AsSpan(i * 3, 3))] == r.Label).Count();
        Assert.True(correct >= 140, $"{correct} of 150 training flowers right");
    }

    [Fact]
    public void Wrong_columns_and_batches_are_input_errors()
    {
        var ml = new MLContext(seed: 3);
        var rows = Enumerable.Range(0, 40).Select(i => new DigitRow { Features = [i % 2, (i / 2) % 2, i % 3], Label = i % 2 }).ToList();
        var model = new EstimatorChain<ITransformer>()
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"), TransformerScope.TrainTest)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy())
            .Fit(ml.Data.LoadFromEnumerable(rows, Schema<DigitRow>(3))).GetModelFor(TransformerScope.Scoring);

        var score = Assert.Throws<BulwarkInputException>(() => new MlNetClassifier(ml, model, 3, new MlNetClassifierOptions { ScoreColumn = "Scores" }));
        Assert.Contains("Score", score.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => new MlNetClassifier(ml, model, 5));
        Assert.Throws<BulwarkInputException>(() => new MlNetClassifier(ml, model, 3, new MlNetClassifierOptions { FeatureColumn = "Pixels" }));

        var classifier = new MlNetClassifier(ml, model, 3);
        Assert.Equal(2, classifier.ClassCount);
        var shape = Assert.Throws<BulwarkInputException>(() => classifier.PredictProba(Tensor.Zeros(2, 4)));
        Assert.Contains("[N, 3]", shape.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => classifier.PredictProba(Tensor.FromArray([0f, float.PositiveInfinity, 0f], 1, 3)));
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++)
            if (row[k] > row[best])
                best = k;
        return best;
    }
}
