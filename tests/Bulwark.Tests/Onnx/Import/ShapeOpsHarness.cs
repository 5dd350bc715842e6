using System.Diagnostics;
using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// One-node ONNX graphs for the shape, index, pad, resize and constant op tests: attributes,
/// a node with constant inputs as initializers, running it, and finite-difference checks of
/// the gradient with respect to a float input.
/// </summary>
internal static class ShapeOpsHarness
{
    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

    public static AttributeProto Str(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    public static AttributeProto Floats(string name, params float[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(v);
        return a;
    }

    public static AttributeProto TensorAttr(string name, OnnxValue v) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = v.ToProto(name) };

    public static OnnxValue F(float[] values, params int[] shape) => OnnxValue.FromTensor(Tensor.FromArray(values, shape));

    public static OnnxValue L(long[] values, params int[] shape) => OnnxValue.FromIntegers(values, shape);

    public static OnnxValue L1(params long[] values) => OnnxValue.FromIntegers(values, [values.Length]);

    /// <summary>A float tensor 0, 1, …, n−1 in the given shape.</summary>
    public static Tensor Iota(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b)).Reshape(shape);

    /// <summary>
    /// A model of one node named "n" with the given op and attributes: input "x" is a graph input
    /// of <paramref name="xType"/>; the rest (null for an absent optional input) are initializers.
    /// </summary>
    public static OnnxModel Model(string op, int opset, OnnxValue?[] constants, AttributeProto[] attributes, DataType xType = DataType.Float, int outputs = 1, bool noX = false)
    {
        var node = new NodeProto { OpType = op, Name = "n" };
        var graph = new GraphProto { Name = "g" };
        if (!noX)
        {
            node.Input.Add("x");
            graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)xType } } });
        }
        for (int i = 0; i < constants.Length; i++)
        {
            if (constants[i] is not { } c)
            {
                node.Input.Add("");
                continue;
            }
            node.Input.Add($"c{i}");
            graph.Initializer.Add(c.ToProto($"c{i}"));
        }
        for (int i = 0; i < outputs; i++)
        {
            node.Output.Add($"y{i}");
            graph.Output.Add(new ValueInfoProto { Name = $"y{i}", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)xType } } });
        }
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return OnnxModel.FromProto(model);
    }

    /// <summary>Runs a one-node model on x and returns its first output.</summary>
    public static OnnxValue Run(OnnxModel model, OnnxValue x) => model.Run(new Dictionary<string, OnnxValue> { ["x"] = x })["y0"];

    public static float[] Floats(OnnxValue v) => v.Float!.ToArray();

    /// <summary>
    /// Checks the tape's gradient of Σ w·f(x) (w fixed and random) with respect to x against
    /// central differences computed in double precision.
    /// </summary>
    public static void CheckGradient(OnnxModel model, Tensor x, double eps = 1e-2, double tol = 2e-3)
    {
        Tensor Forward(Tensor input) => Run(model, OnnxValue.FromTensor(input)).Float!;
        var outShape = Forward(x).Shape.ToArray();
        var rng = new Random(7);
        var w = Tensor.FromArray(Enumerable.Range(0, outShape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), outShape);
        var leaf = x.Detach().RequiresGradient();
        var analytic = Tape.Grad(Forward(leaf).Mul(w).Sum(), [leaf])[0].ToArray();
        var values = x.ToArray();
        double Objective(float[] v)
        {
            using var _ = Tape.NoGrad();
            var y = Forward(Tensor.FromArray(v, x.Shape.ToArray())).ToArray();
            var ws = w.ToArray();
            double s = 0;
            for (int i = 0; i < y.Length; i++)
                s += (double)y[i] * ws[i];
            return s;
        }
        for (int i = 0; i < values.Length; i++)
        {
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += (float)eps;
            minus[i] -= (float)eps;
            double numeric = (Objective(plus) - Objective(minus)) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tol + (tol * Math.Abs(numeric)), $"element {i}: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    /// <summary>Asserts that running the model fails fast with an input exception naming node "n".</summary>
    public static void AssertBombRefused(Action run)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<BulwarkInputException>(run);
        Assert.Contains("'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {clock.Elapsed}");
    }

    /// <summary>Asserts that loading fails with an input exception naming node "n" and containing <paramref name="text"/>.</summary>
    public static void AssertRefusedAtLoad(Func<OnnxModel> load, string text)
    {
        var e = Assert.Throws<BulwarkInputException>(() => load());
        Assert.Contains("'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }
}
