using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Bulwark.Tests.Onnx;

/// <summary>Exports a module, runs the file in ONNX Runtime and compares with the engine's own forward.</summary>
internal static class ExportCheck
{
    /// <summary>Absolute part of the tolerance: |onnx − engine| ≤ Atol + Rtol·|engine| per element.</summary>
    public const float Atol = 1e-5f;

    /// <summary>Relative part of the tolerance.</summary>
    public const float Rtol = 1e-5f;

    /// <summary>
    /// Exports <paramref name="module"/> (in evaluation mode) for [N, …sample], checks the file reads back
    /// with <see cref="OnnxFile.ReadModel"/>, and for each batch size compares ONNX Runtime's output with the
    /// engine's on inputs from <paramref name="input"/>. Returns the exported model.
    /// </summary>
    public static ModelProto MatchesEngine(Module module, int[] sample, Func<Rng, int[], Tensor> input, params int[] batchSizes)
    {
        module.Eval();
        using var files = new OnnxTestFiles();
        string path = Path.Combine(files.Folder, "model.onnx");
        var exported = OnnxExporter.Save(module, sample, path);
        var model = OnnxFile.ReadModel(path);
        Assert.Equal(exported, model);
        AssertWellFormed(model);

        using var session = new InferenceSession(path);
        var rng = new Rng(1234);
        foreach (int n in batchSizes.Length == 0 ? [3, 5] : batchSizes)
        {
            var x = input(rng, [n, .. sample]);
            Tensor expected;
            using (Tape.NoGrad())
            {
                expected = module.Forward(x);
            }
            var (actual, shape) = Run(session, x);
            Assert.Equal(expected.Shape.ToArray(), shape);
            AssertClose(expected.ToArray(), actual, $"batch {n}");
        }
        return model;
    }

    /// <summary>Standard normal inputs.</summary>
    public static Tensor Normal(Rng rng, int[] shape) => Tensor.Randn(rng, shape);

    public static (float[] Values, int[] Shape) Run(InferenceSession session, Tensor x)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(x.ToArray(), x.Shape.ToArray().Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["input"], [value], ["logits"]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray());
    }

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = Atol + (Rtol * MathF.Abs(expected[i]));
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= allowed,
                $"{what}: element {i}: ONNX Runtime gave {actual[i]:R}, the engine {expected[i]:R} (allowed difference {allowed:R}).");
        }
    }

    /// <summary>Opset 17, IR 8, a symbolic batch axis, unique node names and no initializer left unused.</summary>
    public static void AssertWellFormed(ModelProto model)
    {
        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("Bulwark", model.ProducerName);
        var graph = model.Graph;
        Assert.Equal("input", Assert.Single(graph.Input).Name);
        Assert.Equal("logits", Assert.Single(graph.Output).Name);
        Assert.Equal("N", graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("N", graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet();
        Assert.All(graph.Initializer, init => Assert.Contains(init.Name, used));
        Assert.Equal(graph.Initializer.Count, graph.Initializer.Select(i => i.Name).Distinct().Count());
    }

    /// <summary>Gives every normalisation layer non-trivial affine parameters and running statistics.</summary>
    public static T WithRandomNormStats<T>(T module, Rng rng) where T : Module
    {
        foreach (var (_, m) in module.NamedModules())
        {
            var (weight, bias, mean, variance) = m switch
            {
                BatchNorm bn => (bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar),
                LayerNorm ln => (ln.Weight, ln.Bias, null, null),
                _ => (null, null, null, null),
            };
            weight?.CopyFrom_(Tensor.Uniform(rng, 0.5f, 1.5f, weight.Shape.ToArray()));
            bias?.CopyFrom_(Tensor.Uniform(rng, -0.5f, 0.5f, bias.Shape.ToArray()));
            mean?.CopyFrom_(Tensor.Uniform(rng, -0.5f, 0.5f, mean.Shape.ToArray()));
            variance?.CopyFrom_(Tensor.Uniform(rng, 0.5f, 2f, variance.Shape.ToArray()));
        }
        return module;
    }
}
