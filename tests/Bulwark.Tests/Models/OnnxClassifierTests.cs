using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;
using Bulwark.Onnx;
using Bulwark.Tests.Onnx;

namespace Bulwark.Tests.Models;

/// <summary>
/// The white-box ONNX adapter on a model exported from the engine: it must give the engine
/// model's own logits and input gradients, and read probabilities outputs as log-probabilities.
/// </summary>
public sealed class OnnxClassifierTests
{
    private static Sequential Cnn() => new(
        new Conv2d(1, 4, 3, new Rng(21), padding: 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 6, 3, new Rng(22), padding: 1), new Tanh(), new AvgPool2d(2),
        new Flatten(), new Linear(6 * 2 * 2, 5, new Rng(23)));

    [Fact]
    public void Imported_model_gives_the_engine_models_logits_and_gradients()
    {
        using var files = new OnnxTestFiles();
        var net = Cnn();
        string path = Path.Combine(files.Folder, "cnn.onnx");
        OnnxExporter.Save(net, [1, 8, 8], path);
        var reference = new EngineClassifier(net, [1, 8, 8], 5);
        var imported = OnnxClassifier.Load(path);
        Assert.Equal([1, 8, 8], imported.InputShape);
        Assert.Equal(5, imported.ClassCount);
        Assert.False(imported.OutputsProbabilities);

        var x = Tensor.Uniform(new Rng(5), 0f, 1f, 6, 1, 8, 8);
        var y = LongTensor.FromValues(0, 1, 2, 3, 4, 0);
        AssertClose(reference.Logits(x), imported.Logits(x), 1e-5f);
        AssertClose(reference.LossGradient(x, y), imported.LossGradient(x, y), 1e-5f);
        AssertClose(reference.ClassGradient(x, y), imported.ClassGradient(x, y), 1e-5f);
    }

    [Fact]
    public void A_softmax_output_is_detected_and_its_log_serves_as_logits()
    {
        using var files = new OnnxTestFiles();
        var net = new Sequential(new Flatten(), new Linear(16, 3, new Rng(31)), new Softmax(-1));
        string path = Path.Combine(files.Folder, "softmax.onnx");
        OnnxExporter.Save(net, [1, 4, 4], path);
        var imported = OnnxClassifier.Load(path);
        Assert.True(imported.OutputsProbabilities);
        var x = Tensor.Uniform(new Rng(6), 0f, 1f, 4, 1, 4, 4);
        var logits = new Sequential(new Flatten(), new Linear(16, 3, new Rng(31)));
        var expected = new EngineClassifier(logits, [1, 4, 4], 3).Logits(x).LogSoftmax(-1);
        AssertClose(expected, imported.Logits(x), 1e-5f);
    }

    [Fact]
    public void A_model_that_is_not_a_classifier_is_refused()
    {
        using var files = new OnnxTestFiles();
        string path = Path.Combine(files.Folder, "flat.onnx");
        OnnxExporter.Save(new Sequential(new ReLU()), [1, 4, 4], path);
        var e = Assert.Throws<Bulwark.Engine.BulwarkInputException>(() => OnnxClassifier.Load(path));
        Assert.Contains("a classifier returns [N, classes]", e.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(Tensor expected, Tensor actual, float tolerance)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * (1 + Math.Abs(e[i])), $"element {i}: {a[i]} vs {e[i]}");
    }
}
