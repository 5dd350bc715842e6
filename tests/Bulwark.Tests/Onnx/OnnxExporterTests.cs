using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Onnx;
using Module = Bulwark.Engine.Nn.Module;

namespace Bulwark.Tests.Onnx;

/// <summary>
/// Each exported layer and network is run in ONNX Runtime on random batches of two sizes and must
/// agree with the engine element by element within |onnx − engine| ≤ 1e-5 + 1e-5·|engine|.
/// </summary>
public sealed class OnnxExporterTests
{
    private sealed record Case(Func<Rng, Module> Make, int[] Sample, Func<Rng, int[], Tensor>? Input = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["linear"] = new(r => new Linear(7, 5, r), [7]),
        ["linear without bias"] = new(r => new Linear(7, 5, r, bias: false), [7]),
        ["linear on rank 3"] = new(r => new Linear(6, 4, r), [3, 6]),
        ["linear without bias on rank 4"] = new(r => new Linear(6, 4, r, bias: false), [2, 3, 6]),
        ["conv"] = new(r => new Conv2d(3, 4, 3, r), [3, 8, 8]),
        ["conv strided padded no bias"] = new(r => new Conv2d(2, 3, 3, r, stride: 2, padding: 1, bias: false), [2, 9, 7]),
        ["conv groups and dilation"] = new(r => new Conv2d(4, 6, 3, r, stride: 1, padding: 2, dilation: 2, groups: 2), [4, 9, 9]),
        ["conv depthwise"] = new(r => new Conv2d(3, 6, 3, r, padding: 1, groups: 3), [3, 6, 6]),
        ["conv asymmetric"] = new(r => new Conv2d(2, 3, 2, 3, r, new Conv2dGeometry(2, 1, 0, 1, 1, 2, 1, 2, 1)), [2, 7, 8]),
        ["max pool"] = new(_ => new MaxPool2d(2), [3, 8, 8]),
        ["max pool padded strided dilated"] = new(_ => new MaxPool2d(3, stride: 2, padding: 1, dilation: 2), [2, 9, 9]),
        ["max pool ceil mode"] = new(_ => new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true), [2, 8, 8]),
        ["max pool ceil mode dropping a window that starts in padding"] = new(_ => new MaxPool2d(2, stride: 3, padding: 1, ceilMode: true), [2, 4, 7]),
        ["avg pool"] = new(_ => new AvgPool2d(2), [3, 8, 8]),
        ["avg pool padding counted"] = new(_ => new AvgPool2d(3, stride: 2, padding: 1), [2, 7, 7]),
        ["avg pool padding not counted"] = new(_ => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false), [2, 7, 7]),
        ["avg pool ceil mode"] = new(_ => new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true), [2, 8, 8]),
        ["avg pool ceil mode not counted"] = new(_ => new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false), [2, 8, 8]),
        ["avg pool ceil mode dropping a window that starts in padding"] = new(_ => new AvgPool2d(2, stride: 3, padding: 1, ceilMode: true), [2, 4, 7]),
        ["avg pool ceil mode dropping a window, not counted"] = new(_ => new AvgPool2d(2, stride: 3, padding: 1, ceilMode: true, countIncludePad: false), [2, 4, 7]),
        ["adaptive avg pool global"] = new(_ => new AdaptiveAvgPool2d(1), [3, 5, 7]),
        ["adaptive avg pool divisible"] = new(_ => new AdaptiveAvgPool2d(2, 3), [3, 6, 9]),
        ["batch norm 1d"] = new(_ => new BatchNorm1d(6), [6]),
        ["batch norm 1d on [N, C, L]"] = new(_ => new BatchNorm1d(4), [4, 5]),
        ["batch norm 2d"] = new(_ => new BatchNorm2d(3), [3, 4, 4]),
        ["batch norm 2d without affine"] = new(_ => new BatchNorm2d(3, eps: 1e-3f, affine: false), [3, 4, 4]),
        ["layer norm"] = new(_ => new LayerNorm(6), [4, 6]),
        ["layer norm over two axes"] = new(_ => new LayerNorm([3, 4], eps: 1e-4f), [2, 3, 4]),
        ["layer norm without bias"] = new(_ => new LayerNorm(5, bias: false), [5]),
        ["layer norm without affine"] = new(_ => new LayerNorm(5, elementwiseAffine: false), [5]),
        ["dropout"] = new(r => new Sequential(new Linear(4, 4, r), new Dropout(0.5f, r)), [4]),
        ["relu"] = new(_ => new ReLU(), [3, 4]),
        ["leaky relu"] = new(_ => new LeakyReLU(0.2f), [3, 4]),
        ["gelu"] = new(_ => new GELU(), [3, 4]),
        ["tanh"] = new(_ => new Tanh(), [3, 4]),
        ["sigmoid"] = new(_ => new Sigmoid(), [3, 4]),
        ["softmax"] = new(_ => new Softmax(), [3, 4]),
        ["softmax on axis 1"] = new(_ => new Softmax(1), [3, 4]),
        ["log softmax"] = new(_ => new LogSoftmax(), [6]),
        ["log softmax on axis -2"] = new(_ => new LogSoftmax(-2), [3, 4]),
        ["flatten"] = new(_ => new Flatten(), [2, 3, 4]),
        ["flatten middle axes"] = new(_ => new Flatten(2, 3), [2, 3, 4, 5]),
        ["flatten nothing"] = new(_ => new Flatten(1, 1), [2, 3]),
        ["residual identity"] = new(r => new Residual(new Sequential(new Linear(5, 5, r), new Tanh())), [5]),
        ["residual projection"] = new(r => new Residual(
            new Sequential(new Conv2d(2, 4, 3, r, stride: 2, padding: 1), new ReLU()),
            new Conv2d(2, 4, 1, r, stride: 2)), [2, 6, 6]),
        ["embedding"] = new(r => new Embedding(11, 4, r), [5], Indices(11)),
        ["embedding bag mean"] = new(r => new EmbeddingBag(11, 4, r), [5], Indices(11)),
        ["embedding bag sum"] = new(r => new EmbeddingBag(11, 4, r, EmbeddingBagMode.Sum), [5], Indices(11)),
        ["reference cnn"] = new(r => Architectures.ReferenceCnn(r), [1, 28, 28]),
        ["mlp"] = new(r => Architectures.Mlp(28 * 28, [64, 32], 10, r), [1, 28, 28]),
        ["residual cnn with batch norm, gelu and layer norm"] = new(ResidualCnn, [3, 12, 12]),
        ["text classifier"] = new(r => new Sequential(new EmbeddingBag(50, 8, r), new LayerNorm(8), new Linear(8, 3, r), new LogSoftmax()), [7], Indices(50)),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Exported_model_matches_the_engine_in_onnx_runtime(string name)
    {
        var c = Cases[name];
        var rng = new Rng(42);
        var module = ExportCheck.WithRandomNormStats(c.Make(rng), rng);
        ExportCheck.MatchesEngine(module, c.Sample, c.Input ?? ExportCheck.Normal, 3, 5);
    }

    [Fact]
    public void Initializers_are_exactly_the_used_state_dict_entries_under_their_names()
    {
        var model = Architectures.ReferenceCnn(new Rng(1));
        var exported = OnnxExporter.Export(model, [1, 28, 28]);
        var expected = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), exported.Graph.Initializer.Select(i => i.Name).Order(StringComparer.Ordinal));
        foreach (var init in exported.Graph.Initializer)
        {
            Assert.Equal(expected[init.Name].ToArray(), OnnxTensors.ToTensor(init).ToArray());
            Assert.Equal(expected[init.Name].Shape.ToArray(), init.Dims.Select(d => (int)d).ToArray());
        }
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"], exported.Graph.Node.Select(n => n.OpType));
        Assert.Equal("/0/Conv", exported.Graph.Node[0].Name);
        Assert.Equal([1, 28, 28], exported.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => (int)d.DimValue));
        Assert.Equal(10, exported.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void Batch_norm_exports_running_statistics_but_not_the_batch_counter()
    {
        var rng = new Rng(3);
        var model = ExportCheck.WithRandomNormStats(new Sequential(new Linear(4, 6, rng), new BatchNorm1d(6)), rng);
        var exported = OnnxExporter.Export(model, [4]);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"], exported.Graph.Initializer.Select(i => i.Name));
        ExportCheck.AssertWellFormed(exported);
    }

    [Fact]
    public void Export_uses_evaluation_semantics_and_leaves_a_training_module_unchanged()
    {
        var rng = new Rng(5);
        var model = ExportCheck.WithRandomNormStats(new Sequential(new Linear(4, 6, rng), new BatchNorm1d(6), new Dropout(0.5f, rng)), rng);
        var before = model.StateDict().Select(kv => kv.Value.ToArray()).ToList();
        var exported = OnnxExporter.Export(model, [4]);
        Assert.True(model.IsTraining);
        Assert.Equal(before, model.StateDict().Select(kv => kv.Value.ToArray()));
        Assert.DoesNotContain(exported.Graph.Node, n => n.OpType == "Dropout");
        Assert.Equal("BatchNormalization", exported.Graph.Node[^1].OpType);
    }

    [Fact]
    public void Gelu_is_written_with_erf_because_opset_17_has_no_gelu()
    {
        var exported = OnnxExporter.Export(new GELU(), [3]);
        Assert.Equal(["Div", "Erf", "Add", "Mul", "Mul"], exported.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Linear_is_gemm_on_matrices_and_matmul_on_higher_ranks()
    {
        var rng = new Rng(9);
        Assert.Equal(["Gemm"], OnnxExporter.Export(new Linear(3, 2, rng), [3]).Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Transpose", "MatMul", "Add"], OnnxExporter.Export(new Linear(3, 2, rng), [4, 3]).Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void A_model_of_only_dropout_still_produces_the_named_output()
    {
        var exported = ExportCheck.MatchesEngine(new Dropout(0.3f, new Rng(1)), [4], ExportCheck.Normal);
        Assert.Equal("Identity", Assert.Single(exported.Graph.Node).OpType);
    }

    [Fact]
    public void An_unknown_module_is_refused_with_its_path_and_type()
    {
        var rng = new Rng(1);
        var model = new Sequential(new Linear(4, 4, rng), new Residual(new Sequential(new ReLU(), new Doubler())));
        var e = Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(model, [4]));
        Assert.Contains("'1.body.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Doubler), e.Message, StringComparison.Ordinal);

        var root = Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(new Doubler(), [4]));
        Assert.Contains("root module (Doubler)", root.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_without_an_opset_17_form_are_refused_by_path()
    {
        var rng = new Rng(1);
        AssertRefused(new Sequential(new Conv2d(1, 2, 3, rng), new AdaptiveAvgPool2d(4)), [1, 7, 7], "'1'", "does not divide");
        AssertRefused(new Sequential(new AvgPool2d(Pool2dGeometry.Square(2, 1) with { DilationH = 2, DilationW = 2 })), [1, 7, 7], "'0'", "dilat");
        AssertRefused(new Sequential(new Linear(4, 4, rng), new Flatten(0)), [4], "'1'", "batch axis");
        AssertRefused(new Sequential(new BatchNorm2d(2, trackRunningStats: false)), [2, 3, 3], "'0'", "running statistics");
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused_before_anything_is_written()
    {
        var rng = new Rng(1);
        AssertRefused(new Sequential(new Flatten(), new Linear(10, 2, rng)), [3, 3], "'1'", "Linear");
        AssertRefused(new Sequential(new BatchNorm2d(3)), [2, 4, 4], "'0'", "3 channels");
        AssertRefused(new Sequential(new Softmax(3)), [4], "'0'", "axis 3");
        Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(new ReLU(), []));
        Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(new ReLU(), [3, 0]));

        using var files = new OnnxTestFiles();
        string path = files.Write("model.onnx", [1, 2, 3]);
        Assert.Throws<BulwarkInputException>(() => OnnxExporter.Save(new Linear(3, 2, rng), [4], path));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(files.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_replaces_an_earlier_file_and_the_result_reads_back()
    {
        using var files = new OnnxTestFiles();
        string path = files.Write("model.onnx", [9, 9]);
        var saved = OnnxExporter.Save(Architectures.Mlp(6, [5], 3, new Rng(2)), [6], path);
        Assert.Equal(saved, OnnxFile.ReadModel(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(files.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Custom_names_are_used_for_input_output_and_batch_axis()
    {
        var options = new OnnxExportOptions { InputName = "x", OutputName = "y", BatchDimension = "batch", GraphName = "g" };
        var exported = OnnxExporter.Export(new Linear(3, 2, new Rng(1)), [3], options);
        Assert.Equal("x", exported.Graph.Input[0].Name);
        Assert.Equal("y", exported.Graph.Output[0].Name);
        Assert.Equal("y", exported.Graph.Node[^1].Output[0]);
        Assert.Equal("batch", exported.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("g", exported.Graph.Name);
        Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(new ReLU(), [3], options with { OutputName = "x" }));
    }

    private static void AssertRefused(Module module, int[] sample, params string[] fragments)
    {
        var e = Assert.Throws<BulwarkInputException>(() => OnnxExporter.Export(module, sample));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }
    }

    private static Func<Rng, int[], Tensor> Indices(int count) =>
        (rng, shape) => Tensor.FromArray([.. Enumerable.Range(0, shape.Aggregate(1, (a, d) => a * d)).Select(_ => (float)rng.NextInt(count))], shape);

    private static Module ResidualCnn(Rng r) => new Sequential(
        new Conv2d(3, 8, 3, r, padding: 1, bias: false), new BatchNorm2d(8), new ReLU(),
        new Residual(new Sequential(
            new Conv2d(8, 8, 3, r, padding: 1, bias: false), new BatchNorm2d(8), new GELU(),
            new Conv2d(8, 8, 3, r, padding: 2, dilation: 2, groups: 4, bias: false), new BatchNorm2d(8))),
        new ReLU(), new MaxPool2d(2),
        new Residual(
            new Sequential(new Conv2d(8, 16, 3, r, stride: 2, padding: 1), new BatchNorm2d(16), new LeakyReLU()),
            new Sequential(new Conv2d(8, 16, 1, r, stride: 2), new BatchNorm2d(16))),
        new AdaptiveAvgPool2d(1), new Flatten(), new Dropout(0.2f, r),
        new LayerNorm(16), new Linear(16, 12, r), new GELU(), new Linear(12, 4, r));

    /// <summary>A module the exporter has never heard of.</summary>
    private sealed class Doubler : Module
    {
        public override Tensor Forward(Tensor x) => x.Mul(2f);
    }
}
