using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Onnx;
using Google.Protobuf;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// Every model of the ONNX backend suite pytorch-converted/ (PyTorch modules exported to ONNX) run
/// through the importer and through ONNX Runtime on its stored input:
/// <list type="bullet">
/// <item>outputs agree elementwise within |importer − ORT| ≤ 1e-4 + 1e-4·|ORT| (absolute plus relative);</item>
/// <item>the importer's input gradient of s = Σ w ⊙ y (y the first output, w fixed seeded weights in
/// [−1, 1)), from the engine's autodiff, agrees with central finite differences of s evaluated
/// through ONNX Runtime (in double arithmetic on its float32 outputs), along three seeded random
/// directions with entries in [−1, 1) and along three seeded random coordinates.</item>
/// </list>
/// The step is h = 1e-2, then 1e-3, then 1e-4 if a larger step disagrees. The tolerance for a
/// step is |analytic − numeric| ≤ 1e-2·Σ|gᵢ·vᵢ| + 1e-6·Σ|w·y| / h + 1e-5:
/// relative to the directional derivative's total absolute contribution (so cancellation inside the
/// sum cannot make the test arbitrarily strict), plus the float32 rounding of s (a relative 2^-24 per
/// output and a few more through each layer, bounded by ~1e-6·Σ|w·y|) divided by the step. The
/// truncation error h²·s‴/6 of the smooth activations is ~1e-5 at the largest step. A step
/// that crosses a kink (ReLU, a change of maximum in max pooling) moves the quotient by up to a
/// few output weights, so a disagreement is retried with a smaller step, which crosses fewer
/// kinks; a wrong gradient would have to match one of three different quotients by chance. Models whose only input is integer (the embedding lookups test_Embedding and
/// test_Embedding_sparse) have no input gradient: only their values are compared.
/// A model the importer refuses at load fails the test (the message names the refused op): the
/// acceptance is that every model here loads. Tagged so the suite can be run on its own.
/// </summary>
[Trait("Category", "PytorchConverted")]
public sealed class PytorchConvertedTests
{
    private static readonly double[] Steps = [1e-2, 1e-3, 1e-4];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(OnnxTestFiles.BackendTests("pytorch-converted")).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, "model.onnx")))
                data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Importer_matches_onnx_runtime_in_values_and_input_gradients(string name)
    {
        string dir = OnnxTestFiles.BackendTests("pytorch-converted", name);
        string path = Path.Combine(dir, "model.onnx");
        var feeds = StoredInputs(dir);
        using var ort = new OrtRun(OrtOpsetUpgrade.ToOpset7(OnnxFile.ReadModel(path)).ToByteArray());
        var expected = ort.Run(feeds);
        // The reference itself, on the (opset-upgraded) model, reproduces the stored outputs
        // within the ONNX backend tests' own tolerance (rtol 1e-3, atol 1e-5).
        for (int i = 0; i < expected.Count; i++)
        {
            var stored = OnnxValue.FromProto(OnnxFile.ReadTensor(Path.Combine(dir, "test_data_set_0", $"output_{i}.pb")));
            OnnxOpCheck.AssertClose(stored, expected[ort.OutputNames[i]], 1e-5, 1e-3, $"ONNX Runtime vs stored output {i}");
        }
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(path);
        }
        catch (BulwarkInputException e)
        {
            Assert.Fail($"refused at load: {e.Message}");
            return;
        }
        var actual = model.Run(feeds.ToDictionary(f => f.Name, f => f.ToValue()));
        foreach (var (output, e) in expected)
            OnnxOpCheck.AssertClose(actual[output], e, 1e-4, 1e-4, output);

        var differentiable = feeds.Where(f => f.Floats is not null).ToArray();
        if (differentiable.Length == 0)
            return; // embedding lookups: integer input, no input gradient
        CheckInputGradients(model, ort, feeds, differentiable);
    }

    private static void CheckInputGradients(OnnxModel model, OrtRun ort, Feed[] feeds, Feed[] differentiable)
    {
        string output = model.Outputs[0].Name;
        var values = feeds.ToDictionary(f => f.Name, f => f.ToValue());
        foreach (var f in differentiable)
            values[f.Name] = OnnxValue.FromTensor(values[f.Name].Float!.RequiresGradient());
        var y = model.Run(values)[output].AsTensor();
        var w = OnnxOpCheck.Random("w", 97, y.Shape.ToArray()).Floats!;
        var s = y.Mul(Tensor.FromArray(w, y.Shape.ToArray())).Sum();
        var grads = Tape.Grad(s, differentiable.Select(f => values[f.Name].Float!).ToArray());
        var yValues = y.ToArray();
        var weights = Array.ConvertAll(w, v => (double)v);
        double mass = 0;
        for (int i = 0; i < w.Length; i++)
            mass += Math.Abs(w[i] * yValues[i]);

        var rng = new Random(2024);
        for (int k = 0; k < differentiable.Length; k++)
        {
            var g = grads[k].ToArray();
            var directions = new List<(string What, float[] V)>();
            for (int d = 0; d < 3; d++)
                directions.Add(($"random direction {d}", Enumerable.Range(0, g.Length).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray()));
            for (int d = 0; d < 3; d++)
            {
                int at = rng.Next(g.Length);
                var v = new float[g.Length];
                v[at] = 1;
                directions.Add(($"coordinate {at}", v));
            }
            foreach (var (what, v) in directions)
            {
                double analytic = 0, scale = 0;
                for (int i = 0; i < g.Length; i++)
                {
                    analytic += (double)g[i] * v[i];
                    scale += Math.Abs((double)g[i] * v[i]);
                }
                // A step can cross a kink (ReLU, a change of maximum in max pooling), which moves
                // the quotient by up to a few output weights; smaller steps cross fewer. Each step is
                // judged with its own rounding allowance, and the check passes at the first step that agrees.
                var tried = new List<string>();
                bool agrees = false;
                foreach (double h in Steps)
                {
                    double numeric = (OnnxOpCheck.WeightedOutput(ort, feeds, differentiable[k], v, h, output, weights) - OnnxOpCheck.WeightedOutput(ort, feeds, differentiable[k], v, -h, output, weights)) / (2 * h);
                    double tolerance = (1e-2 * scale) + (1e-6 * mass / h) + 1e-5;
                    tried.Add($"h {h}: {numeric:G6} (tolerance {tolerance:G3})");
                    if (Math.Abs(analytic - numeric) <= tolerance)
                    {
                        agrees = true;
                        break;
                    }
                }
                Assert.True(agrees, $"input '{differentiable[k].Name}', {what}: importer {analytic:G6}, central differences through ONNX Runtime {string.Join("; ", tried)}");
            }
        }
    }

    /// <summary>The stored inputs of test_data_set_0, named as the graph's inputs without initializers, in order.</summary>
    private static Feed[] StoredInputs(string dir)
    {
        var graph = OnnxFile.ReadModel(Path.Combine(dir, "model.onnx")).Graph;
        var initialized = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var names = graph.Input.Select(i => i.Name).Where(n => !initialized.Contains(n)).ToArray();
        var feeds = new List<Feed>();
        for (int i = 0; i < names.Length; i++)
        {
            var value = OnnxValue.FromProto(OnnxFile.ReadTensor(Path.Combine(dir, "test_data_set_0", $"input_{i}.pb")));
            feeds.Add(value.IsFloat
                ? new Feed(names[i], value.Shape.ToArray(), value.Float!.ToArray())
                : new Feed(names[i], value.Shape.ToArray(), Longs: value.Integers));
        }
        return [.. feeds];
    }
}
