using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>An input fed to a test graph: float data or int64 data with a shape.</summary>
internal sealed record Feed(string Name, int[] Shape, float[]? Floats = null, long[]? Longs = null)
{
    public OnnxValue ToValue() => Floats is not null
        ? OnnxValue.FromTensor(Tensor.FromArray((float[])Floats.Clone(), Shape))
        : OnnxValue.FromIntegers(Longs!, Shape);
}

/// <summary>
/// Builds one-node ONNX graphs and checks the importer on them against ONNX Runtime: values, and
/// the importer's input gradients against central finite differences taken through ONNX Runtime.
/// </summary>
internal static class OnnxOpCheck
{
    /// <summary>A model with one node of <paramref name="op"/>; inputs are graph inputs (empty names are absent optional inputs).</summary>
    public static ModelProto Node(string op, int opset, Feed?[] inputs, (string Name, DataType Type)[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op };
        node.Input.AddRange(inputs.Select(i => i?.Name ?? ""));
        node.Output.AddRange(outputs.Select(o => o.Name));
        node.Attribute.AddRange(attributes);
        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(node);
        foreach (var i in inputs.OfType<Feed>())
            graph.Input.Add(Info(i.Name, i.Floats is not null ? DataType.Float : DataType.Int64, i.Shape));
        foreach (var o in outputs.Where(o => o.Name.Length > 0))
            graph.Output.Add(Info(o.Name, o.Type, null));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "bulwark-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>A model with one float output "y".</summary>
    public static ModelProto Node(string op, int opset, Feed?[] inputs, params AttributeProto[] attributes) =>
        Node(op, opset, inputs, [("y", DataType.Float)], attributes);

    private static ValueInfoProto Info(string name, DataType type, int[]? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (int d in shape)
                tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>Seeded uniform values in [−1, 1).</summary>
    public static Feed Random(string name, int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)((rng.NextDouble() * 2) - 1);
        return new Feed(name, shape, data);
    }

    /// <summary>
    /// Distinct values 0.1 apart in seeded random order: maxima are unique and no step of a
    /// finite difference (0.01) changes which element is largest.
    /// </summary>
    public static Feed Distinct(string name, int seed, params int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        var rng = new Random(seed);
        var data = Enumerable.Range(0, count).Select(i => (float)((i - (count / 2)) * 0.1)).OrderBy(_ => rng.Next()).ToArray();
        return new Feed(name, shape, data);
    }

    /// <summary>Runs the model in ONNX Runtime (graph optimisations off, so each op runs as written).</summary>
    public static OrtRun Ort(ModelProto model) => new(model.ToByteArray());

    /// <summary>Runs the importer on the feeds.</summary>
    public static IReadOnlyDictionary<string, OnnxValue> Importer(ModelProto model, IEnumerable<Feed> feeds) =>
        OnnxModel.FromProto(model).Run(feeds.ToDictionary(f => f.Name, f => f.ToValue()));

    /// <summary>
    /// The importer's outputs equal ONNX Runtime's: |importer − ORT| ≤ atol + rtol·|ORT| elementwise
    /// (shapes and integer outputs exactly); then every float input's gradient is checked.
    /// </summary>
    public static void Check(ModelProto model, Feed[] feeds, double atol = 1e-5, double rtol = 1e-4, bool gradients = true)
    {
        using var ort = Ort(model);
        var expected = ort.Run(feeds);
        var actual = Importer(model, feeds);
        foreach (var (name, e) in expected)
            AssertClose(actual[name], e, atol, rtol, name);
        if (gradients)
            CheckGradients(model, feeds, ort, feeds.Where(f => f.Floats is not null).Select(f => f.Name).ToArray());
    }

    public static void AssertClose(OnnxValue actual, OrtOutput expected, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape.ToArray());
        if (expected.Longs is not null)
        {
            Assert.Equal(expected.Longs, actual.AsIntegers());
            return;
        }
        var a = actual.AsTensor().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            double e = expected.Floats![i];
            bool ok = double.IsNaN(e) ? float.IsNaN(a[i]) : Math.Abs(a[i] - e) <= atol + (rtol * Math.Abs(e));
            Assert.True(ok, $"{what}[{i}]: importer {a[i]:G9}, ONNX Runtime {e:G9}");
        }
    }

    /// <summary>
    /// The importer's gradient of s = Σ w ⊙ y (y the first output, w fixed seeded weights in
    /// [−1, 1)) with respect to each named input, element by element, against the central
    /// difference (s(x + h) − s(x − h)) / 2h evaluated through ONNX Runtime in double arithmetic
    /// on its float32 outputs. h = 0.01: the float32 rounding of s (~1e-7·Σ|w·y|, about 1e-6
    /// here) divided by 2h stays near 1e-4, and the truncation error h²·s‴/6 of the smooth ops is
    /// of order 1e-5; tests of max-type ops feed values 0.1 apart so no step crosses a kink.
    /// The tolerance 2e-3 + 1e-2·|difference| covers both with margin.
    /// </summary>
    public static void CheckGradients(ModelProto model, Feed[] feeds, OrtRun ort, string[] names, double h = 1e-2, double atol = 2e-3, double rtol = 1e-2)
    {
        string output = model.Graph.Output[0].Name;
        var values = feeds.ToDictionary(f => f.Name, f => f.ToValue());
        foreach (var name in names)
            values[name] = OnnxValue.FromTensor(values[name].Float!.RequiresGradient());
        var y = OnnxModel.FromProto(model).Run(values)[output].AsTensor();
        var w = Random("w", 97, y.Shape.ToArray());
        var weights = Array.ConvertAll(w.Floats!, v => (double)v);
        var s = y.Mul(Tensor.FromArray(w.Floats!, w.Shape)).Sum();
        var grads = Tape.Grad(s, names.Select(n => values[n].Float!).ToArray());
        for (int k = 0; k < names.Length; k++)
        {
            var g = grads[k].ToArray();
            var feed = feeds.Single(f => f.Name == names[k]);
            for (int i = 0; i < g.Length; i++)
            {
                double numeric = (Objective(ort, feeds, feed, i, h, output, weights) - Objective(ort, feeds, feed, i, -h, output, weights)) / (2 * h);
                Assert.True(Math.Abs(numeric - g[i]) <= atol + (rtol * Math.Abs(numeric)),
                    $"d s / d {names[k]}[{i}]: importer {g[i]:G6}, central difference through ONNX Runtime {numeric:G6}");
            }
        }
    }

    private static double Objective(OrtRun ort, Feed[] feeds, Feed moved, int index, double step, string output, double[] weights)
    {
        var direction = new float[moved.Floats!.Length];
        direction[index] = 1;
        return WeightedOutput(ort, feeds, moved, direction, step, output, weights);
    }

    /// <summary>s = Σ w ⊙ y in double, y the ONNX Runtime output <paramref name="output"/> with input <paramref name="moved"/> shifted by step·direction.</summary>
    public static double WeightedOutput(OrtRun ort, Feed[] feeds, Feed moved, float[] direction, double step, string output, IReadOnlyList<double> weights)
    {
        var x = moved.Floats!;
        var shifted = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            shifted[i] = (float)(x[i] + (step * direction[i]));
        var y = ort.Run(feeds.Select(f => f.Name == moved.Name ? f with { Floats = shifted } : f))[output].Floats!;
        double s = 0;
        for (int i = 0; i < y.Length; i++)
            s += weights[i] * y[i];
        return s;
    }

    /// <summary>Whether loading the model is refused (a load-time <see cref="BulwarkInputException"/>).</summary>
    public static void AssertRefused(ModelProto model, string because)
    {
        var e = Assert.Throws<BulwarkInputException>(() => OnnxModel.FromProto(model));
        Assert.Contains(because, e.Message, StringComparison.Ordinal);
    }
}

/// <summary>One output from ONNX Runtime: its shape and float or int64 values (other types widened).</summary>
internal sealed record OrtOutput(int[] Shape, double[]? Floats, long[]? Longs);

/// <summary>An ONNX Runtime session on a model, with optimisations off.</summary>
internal sealed class OrtRun : IDisposable
{
    private readonly InferenceSession session;

    public OrtRun(byte[] model)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        session = new InferenceSession(model, options);
    }

    public IReadOnlyList<string> OutputNames => session.OutputNames;

    public Dictionary<string, OrtOutput> Run(IEnumerable<Feed> feeds)
    {
        var list = feeds.ToArray();
        var inputs = list.Select(f => f.Floats is not null
            ? OrtValue.CreateTensorValueFromMemory(f.Floats, f.Shape.Select(d => (long)d).ToArray())
            : OrtValue.CreateTensorValueFromMemory(f.Longs!, f.Shape.Select(d => (long)d).ToArray())).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, list.Select(f => f.Name).ToArray(), inputs, session.OutputNames);
            var outputs = new Dictionary<string, OrtOutput>(StringComparer.Ordinal);
            for (int i = 0; i < results.Count; i++)
            {
                var info = results[i].GetTensorTypeAndShape();
                int[] shape = info.Shape.Select(d => (int)d).ToArray();
                outputs[session.OutputNames[i]] = info.ElementDataType switch
                {
                    TensorElementType.Float => new OrtOutput(shape, Array.ConvertAll(results[i].GetTensorDataAsSpan<float>().ToArray(), v => (double)v), null),
                    TensorElementType.Double => new OrtOutput(shape, results[i].GetTensorDataAsSpan<double>().ToArray(), null),
                    TensorElementType.Int64 => new OrtOutput(shape, null, results[i].GetTensorDataAsSpan<long>().ToArray()),
                    TensorElementType.Int32 => new OrtOutput(shape, null, Array.ConvertAll(results[i].GetTensorDataAsSpan<int>().ToArray(), v => (long)v)),
                    TensorElementType.Bool => new OrtOutput(shape, null, Array.ConvertAll(results[i].GetTensorDataAsSpan<bool>().ToArray(), v => v ? 1L : 0L)),
                    var t => throw new NotSupportedException($"ONNX Runtime output of type {t}"),
                };
            }
            return outputs;
        }
        finally
        {
            foreach (var v in inputs)
                v.Dispose();
        }
    }

    public void Dispose() => session.Dispose();
}
