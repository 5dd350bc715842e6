using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using AttrType = Bulwark.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// One-node ONNX models built in memory for importer op tests: inputs x0, x1, … (typed, any
/// shape), outputs y0, y1, …; plus a central-difference check of input gradients through the importer.
/// </summary>
internal static class OpMathGraph
{
    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttrType.Int, I = v };

    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttrType.Float, F = v };

    public static AttributeProto Str(string name, string v) => new() { Name = name, Type = AttrType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttrType.Ints };
        a.Ints.Add(v);
        return a;
    }

    /// <summary>A model of one <paramref name="op"/> node over inputs of the given types.</summary>
    public static OnnxModel Load(string op, int opset, DataType[] inputs, int outputs = 1, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = "n" };
        var graph = new GraphProto { Name = "g" };
        for (int i = 0; i < inputs.Length; i++)
        {
            node.Input.Add($"x{i}");
            graph.Input.Add(Info($"x{i}", inputs[i]));
        }
        for (int i = 0; i < outputs; i++)
        {
            node.Output.Add($"y{i}");
            graph.Output.Add(Info($"y{i}", DataType.Float));
        }
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return OnnxModel.FromProto(model);
    }

    private static ValueInfoProto Info(string name, DataType type) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };

    public static OnnxValue F(float[] values, params int[] shape) => OnnxValue.FromTensor(Tensor.FromArray(values, shape));

    public static OnnxValue L(long[] values, int[] shape, DataType type = DataType.Int64) => OnnxValue.FromIntegers(values, shape, type);

    /// <summary>Runs the model on x0, x1, … and returns its outputs in order.</summary>
    public static OnnxValue[] Run(OnnxModel model, params OnnxValue[] inputs)
    {
        var feeds = new Dictionary<string, OnnxValue>();
        for (int i = 0; i < inputs.Length; i++)
            feeds[$"x{i}"] = inputs[i];
        var r = model.Run(feeds);
        return Enumerable.Range(0, r.Count).Select(i => r[$"y{i}"]).ToArray();
    }

    /// <summary>
    /// Checks the tape's gradient of Σ w·y0 with respect to float input <paramref name="wrt"/> against
    /// central differences (in double) through the whole importer.
    /// </summary>
    public static void CheckGradient(OnnxModel model, OnnxValue[] inputs, int wrt = 0, double eps = 1e-2, double rtol = 2e-2, double atol = 2e-3)
    {
        var x = inputs[wrt].Float!.Detach().ToArray();
        var shape = inputs[wrt].Shape.ToArray();
        float[]? weights = null;

        double Objective(float[] values, bool grad, out float[]? gradient)
        {
            var leaf = Tensor.FromArray((float[])values.Clone(), shape);
            if (grad)
                leaf.RequiresGradient();
            var feed = (OnnxValue[])inputs.Clone();
            feed[wrt] = OnnxValue.FromTensor(leaf);
            var y = Run(model, feed)[0].Float!;
            if (weights is null)
            {
                var rng = new Random(7);
                weights = Enumerable.Range(0, y.Size).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
            }
            var objective = y.Mul(Tensor.FromArray(weights, y.Shape.ToArray())).Sum();
            gradient = grad ? Tape.Grad(objective, [leaf])[0].ToArray() : null;
            return y.ToArray().Select((v, i) => (double)v * weights[i]).Sum();
        }

        Objective(x, grad: true, out var analytic);
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone();
            var minus = (float[])x.Clone();
            plus[i] += (float)eps;
            minus[i] -= (float)eps;
            double numeric = (Objective(plus, false, out _) - Objective(minus, false, out _)) / (plus[i] - minus[i]);
            double err = Math.Abs(numeric - analytic![i]);
            Assert.True(err <= atol + (rtol * Math.Abs(numeric)), $"element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}");
        }
    }

    /// <summary>Asserts float values within a small tolerance.</summary>
    public static void Near(float[] expected, OnnxValue actual, float tol = 1e-5f)
    {
        var a = actual.Float!.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: {a[i]} vs {expected[i]}");
    }
}
