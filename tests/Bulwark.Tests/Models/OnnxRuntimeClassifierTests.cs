using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Onnx;

namespace Bulwark.Tests.Models;

public sealed class OnnxRuntimeClassifierTests : IDisposable
{
    private readonly OnnxTestFiles files = new();

    public void Dispose() => files.Dispose();

    private string Model(bool withSoftmax, int fixedBatch = 0, bool probsFirst = false) =>
        files.Write($"tiny-{withSoftmax}-{fixedBatch}-{probsFirst}.onnx", TinyOnnxModel.Build(withSoftmax, fixedBatch, probsFirst));

    private static void AssertClose(double[] expected, Tensor actual)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.Equal(expected[i], a[i], 5);
    }

    [Fact]
    public void Logits_output_is_discovered_and_turned_into_softmax_probabilities()
    {
        using var c = new OnnxRuntimeClassifier(Model(withSoftmax: false));
        Assert.Equal([TinyOnnxModel.Features], c.InputShape);
        Assert.Equal(TinyOnnxModel.Classes, c.ClassCount);
        Assert.Equal("x", c.InputName);
        Assert.Equal("logits", c.OutputName);
        var x = TinyOnnxModel.Samples(7, 1);
        var p = c.PredictProba(Tensor.FromArray(x, 7, TinyOnnxModel.Features));
        Assert.Equal([7, TinyOnnxModel.Classes], p.Shape.ToArray());
        AssertClose(TinyOnnxModel.Probabilities(x), p);
    }

    [Fact]
    public void Probability_output_is_detected_and_not_softmaxed_twice()
    {
        var x = TinyOnnxModel.Samples(6, 2);
        using var detected = new OnnxRuntimeClassifier(Model(withSoftmax: true, probsFirst: true));
        Assert.Equal("probs", detected.OutputName);
        AssertClose(TinyOnnxModel.Probabilities(x), detected.PredictProba(Tensor.FromArray(x, 6, TinyOnnxModel.Features)));

        using var forcedLogits = new OnnxRuntimeClassifier(Model(withSoftmax: true, probsFirst: true), new() { Scores = ScoreKind.Logits });
        var twice = forcedLogits.PredictProba(Tensor.FromArray(x, 6, TinyOnnxModel.Features)).ToArray();
        var once = TinyOnnxModel.Probabilities(x);
        Assert.True(Enumerable.Range(0, once.Length).Max(i => Math.Abs(once[i] - twice[i])) > 0.05, "a second softmax should flatten the rows");
    }

    [Fact]
    public void Output_can_be_chosen_by_name()
    {
        var x = TinyOnnxModel.Samples(3, 3);
        using var c = new OnnxRuntimeClassifier(Model(withSoftmax: true), new() { OutputName = "probs", Scores = ScoreKind.Probabilities });
        Assert.Equal("probs", c.OutputName);
        AssertClose(TinyOnnxModel.Probabilities(x), c.PredictProba(Tensor.FromArray(x, 3, TinyOnnxModel.Features)));
        var e = Assert.Throws<BulwarkInputException>(() => new OnnxRuntimeClassifier(Model(withSoftmax: true), new() { OutputName = "scores" }));
        Assert.Contains("logits, probs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batches_are_split_for_a_small_maximum_and_padded_for_a_fixed_batch_axis()
    {
        var x = TinyOnnxModel.Samples(5, 4);
        var expected = TinyOnnxModel.Probabilities(x);
        using var split = new OnnxRuntimeClassifier(Model(withSoftmax: false), new() { MaxBatchSize = 2 });
        AssertClose(expected, split.PredictProba(Tensor.FromArray(x, 5, TinyOnnxModel.Features)));
        using var fixedTwo = new OnnxRuntimeClassifier(Model(withSoftmax: false, fixedBatch: 2));
        Assert.Equal(2, fixedTwo.MaxBatchSize);
        AssertClose(expected, fixedTwo.PredictProba(Tensor.FromArray(x, 5, TinyOnnxModel.Features)));
    }

    [Fact]
    public void Bad_files_and_bad_batches_are_input_errors_naming_the_model()
    {
        string missing = Path.Combine(files.Folder, "absent.onnx");
        Assert.Contains("absent.onnx", Assert.Throws<BulwarkInputException>(() => new OnnxRuntimeClassifier(missing)).Message, StringComparison.Ordinal);
        string garbage = files.Write("garbage.onnx", [1, 2, 3, 4, 5]);
        Assert.Contains("garbage.onnx", Assert.Throws<BulwarkInputException>(() => new OnnxRuntimeClassifier(garbage)).Message, StringComparison.Ordinal);

        using var c = new OnnxRuntimeClassifier(Model(withSoftmax: false));
        var shape = Assert.Throws<BulwarkInputException>(() => c.PredictProba(Tensor.Zeros(2, 5)));
        Assert.Contains("[N, 4]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("tiny-", shape.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => c.PredictProba(Tensor.FromArray([0f, float.NaN, 0f, 0f], 1, 4)));
        Assert.Throws<BulwarkInputException>(() => new OnnxRuntimeClassifier(Model(withSoftmax: false), new() { InputShape = [5] }));
    }

    [Fact]
    public void Disposed_classifier_refuses_queries()
    {
        var c = new OnnxRuntimeClassifier(Model(withSoftmax: false));
        c.Dispose();
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => c.PredictProba(Tensor.Zeros(1, 4)));
    }
}
