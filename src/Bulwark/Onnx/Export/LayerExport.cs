using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Onnx.Proto;
using static Bulwark.Onnx.Export.OnnxGraphBuilder;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Export;

/// <summary>
/// Writes each engine layer as ONNX opset-17 nodes: one case per module type, each emitting the
/// evaluation-mode forward of that layer. The table is this switch; a module type not in it is refused.
/// </summary>
internal static class LayerExport
{
    public static GraphValue Emit(OnnxGraphBuilder b, Module module, string path, GraphValue x) => module switch
    {
        Sequential s => EmitSequential(b, s, path, x),
        Residual r => EmitResidual(b, r, path, x),
        Linear l => EmitLinear(b, l, path, x),
        Conv2d c => EmitConv(b, c, path, x),
        MaxPool2d p => Shaped(b, p, path, x, "MaxPool", [.. PoolAttributes(p.Geometry), Ints("dilations", p.Geometry.DilationH, p.Geometry.DilationW)]),
        AvgPool2d p => EmitAvgPool(b, p, path, x),
        AdaptiveAvgPool2d p => EmitAdaptiveAvgPool(b, p, path, x),
        BatchNorm1d or BatchNorm2d => EmitBatchNorm(b, (BatchNorm)module, path, x),
        LayerNorm n => EmitLayerNorm(b, n, path, x),
        Dropout => x,
        ReLU => x with { Name = b.Node(path, "Relu", [x.Name]) },
        LeakyReLU l => x with { Name = b.Node(path, "LeakyRelu", [x.Name], Float("alpha", l.NegativeSlope)) },
        GELU => EmitGelu(b, path, x),
        Tanh => x with { Name = b.Node(path, "Tanh", [x.Name]) },
        Sigmoid => x with { Name = b.Node(path, "Sigmoid", [x.Name]) },
        Softmax s => x with { Name = b.Node(path, "Softmax", [x.Name], Int("axis", CheckAxis(s.Axis, x, path, module))) },
        LogSoftmax s => x with { Name = b.Node(path, "LogSoftmax", [x.Name], Int("axis", CheckAxis(s.Axis, x, path, module))) },
        Flatten f => EmitFlatten(b, f, path, x),
        Embedding e => EmitEmbedding(b, e, path, x),
        EmbeddingBag e => EmitEmbeddingBag(b, e, path, x),
        _ => throw Refuse(path, module, "has no ONNX equivalent in the exporter; export supports the layers of Bulwark.Engine.Nn"),
    };

    /// <summary>"module '0.body.1' (Conv2d)" or "the root module (Conv2d)".</summary>
    public static string Describe(string path, Module module) =>
        path.Length == 0 ? $"the root module ({module.GetType().Name})" : $"module '{path}' ({module.GetType().Name})";

    private static BulwarkInputException Refuse(string path, Module module, string why) =>
        new($"ONNX export: {Describe(path, module)} {why}.");

    private static GraphValue EmitSequential(OnnxGraphBuilder b, Sequential s, string path, GraphValue x)
    {
        var h = x;
        foreach (var (name, child) in s.NamedChildren())
        {
            h = Emit(b, child, Join(path, name), h);
        }
        return h;
    }

    private static GraphValue EmitResidual(OnnxGraphBuilder b, Residual r, string path, GraphValue x)
    {
        var body = Emit(b, r.Body, Join(path, "body"), x);
        var shortcut = r.Projection is null ? x : Emit(b, r.Projection, Join(path, "projection"), x);
        if (!body.Shape.AsSpan().SequenceEqual(shortcut.Shape))
        {
            throw Refuse(path, r, $"adds a body output of shape {ShapeUtil.Format(body.Shape)} to a shortcut of shape {ShapeUtil.Format(shortcut.Shape)}");
        }
        return body with { Name = b.Node(path, "Add", [body.Name, shortcut.Name]) };
    }

    private static GraphValue EmitLinear(OnnxGraphBuilder b, Linear l, string path, GraphValue x)
    {
        var y = ShapeAfter(l, path, x);
        string weight = b.Parameter(l.Weight);
        if (x.Rank == 2)
        {
            string[] inputs = l.Bias is null ? [x.Name, weight] : [x.Name, weight, b.Parameter(l.Bias)];
            return new(b.Node(path, "Gemm", inputs, Int("transB", 1)), y);
        }
        string transposed = b.Node(path, "Transpose", [weight], Ints("perm", 1, 0));
        string product = b.Node(path, "MatMul", [x.Name, transposed]);
        return new(l.Bias is null ? product : b.Node(path, "Add", [product, b.Parameter(l.Bias)]), y);
    }

    private static GraphValue EmitConv(OnnxGraphBuilder b, Conv2d c, string path, GraphValue x)
    {
        var y = ShapeAfter(c, path, x);
        var g = c.Geometry;
        string[] inputs = c.Bias is null ? [x.Name, b.Parameter(c.Weight)] : [x.Name, b.Parameter(c.Weight), b.Parameter(c.Bias)];
        return new(b.Node(path, "Conv", inputs,
            Ints("kernel_shape", c.Weight.Dim(2), c.Weight.Dim(3)),
            Ints("strides", g.StrideH, g.StrideW),
            Ints("pads", g.PadTop, g.PadLeft, g.PadBottom, g.PadRight),
            Ints("dilations", g.DilationH, g.DilationW),
            Int("group", g.Groups)), y);
    }

    private static AttributeProto[] PoolAttributes(Pool2dGeometry g) =>
    [
        Ints("kernel_shape", g.KernelH, g.KernelW),
        Ints("strides", g.StrideH, g.StrideW),
        Ints("pads", g.PadTop, g.PadLeft, g.PadBottom, g.PadRight),
        Int("ceil_mode", g.CeilMode ? 1 : 0),
    ];

    private static GraphValue EmitAvgPool(OnnxGraphBuilder b, AvgPool2d p, string path, GraphValue x)
    {
        if (p.Geometry.DilationH != 1 || p.Geometry.DilationW != 1)
        {
            throw Refuse(path, p, "is dilated, and AveragePool has no dilation before opset 19 (the export writes opset 17)");
        }
        return Shaped(b, p, path, x, "AveragePool", [.. PoolAttributes(p.Geometry), Int("count_include_pad", p.CountIncludePad ? 1 : 0)]);
    }

    private static GraphValue EmitAdaptiveAvgPool(OnnxGraphBuilder b, AdaptiveAvgPool2d p, string path, GraphValue x)
    {
        var y = ShapeAfter(p, path, x);
        if (p.OutputH == 1 && p.OutputW == 1)
        {
            return new(b.Node(path, "GlobalAveragePool", [x.Name]), y);
        }
        int h = x.Shape[2], w = x.Shape[3];
        if (h % p.OutputH != 0 || w % p.OutputW != 0)
        {
            throw Refuse(path, p, $"pools {h}×{w} to {p.OutputH}×{p.OutputW}, which does not divide evenly, so its overlapping windows have no single ONNX pooling equivalent");
        }
        int kh = h / p.OutputH, kw = w / p.OutputW;
        return new(b.Node(path, "AveragePool", [x.Name], Ints("kernel_shape", kh, kw), Ints("strides", kh, kw)), y);
    }

    private static GraphValue EmitBatchNorm(OnnxGraphBuilder b, BatchNorm n, string path, GraphValue x)
    {
        bool rankOk = n is BatchNorm2d ? x.Rank == 4 : x.Rank is 2 or 3;
        if (!rankOk || x.Shape[1] != n.NumFeatures)
        {
            throw Refuse(path, n, $"for {n.NumFeatures} channels cannot take input of shape {ShapeUtil.Format(x.Shape)}");
        }
        if (n.RunningMean is null || n.RunningVar is null)
        {
            throw Refuse(path, n, "tracks no running statistics, so its output depends on the whole batch and has no fixed inference form");
        }
        string scale = n.Weight is null ? b.Constant($"ones_{n.NumFeatures}", Tensor.Ones(n.NumFeatures)) : b.Parameter(n.Weight);
        string shift = n.Bias is null ? b.Constant($"zeros_{n.NumFeatures}", Tensor.Zeros(n.NumFeatures)) : b.Parameter(n.Bias);
        return x with
        {
            Name = b.Node(path, "BatchNormalization", [x.Name, scale, shift, b.Parameter(n.RunningMean), b.Parameter(n.RunningVar)], Float("epsilon", n.Eps)),
        };
    }

    private static GraphValue EmitLayerNorm(OnnxGraphBuilder b, LayerNorm n, string path, GraphValue x)
    {
        var normalised = n.NormalizedShape.ToArray();
        int k = normalised.Length;
        if (x.Rank <= k || !x.Shape.AsSpan(x.Rank - k).SequenceEqual(normalised))
        {
            throw Refuse(path, n, $"normalising over {ShapeUtil.Format(normalised)} cannot take input of shape {ShapeUtil.Format(x.Shape)}");
        }
        string scale = n.Weight is null ? b.Constant("ones_" + string.Join('x', normalised), Tensor.Ones(normalised)) : b.Parameter(n.Weight);
        string[] inputs = n.Bias is null ? [x.Name, scale] : [x.Name, scale, b.Parameter(n.Bias)];
        return x with { Name = b.Node(path, "LayerNormalization", inputs, Int("axis", x.Rank - k), Float("epsilon", n.Eps)) };
    }

    // Opset 17 has no Gelu (it arrives in 20); the engine's GELU is the exact x·Φ(x) = ½·x·(1 + erf(x/√2)).
    private static GraphValue EmitGelu(OnnxGraphBuilder b, string path, GraphValue x)
    {
        string scaled = b.Node(path, "Div", [x.Name, b.Constant("sqrt2", Tensor.Scalar(MathF.Sqrt(2f)))]);
        string erf = b.Node(path, "Erf", [scaled]);
        string onePlus = b.Node(path, "Add", [erf, b.Constant("one", Tensor.Scalar(1f))]);
        string product = b.Node(path, "Mul", [x.Name, onePlus]);
        return x with { Name = b.Node(path, "Mul", [product, b.Constant("half", Tensor.Scalar(0.5f))]) };
    }

    private static GraphValue EmitFlatten(OnnxGraphBuilder b, Flatten f, string path, GraphValue x)
    {
        int start = f.StartAxis < 0 ? f.StartAxis + x.Rank : f.StartAxis;
        if (start == 0)
        {
            throw Refuse(path, f, "flattens the batch axis into the others, and an exported model keeps axis 0 as the batch");
        }
        var y = ShapeAfter(f, path, x);
        if (y.Length == 2 && start == 1)
        {
            return new(b.Node(path, "Flatten", [x.Name], Int("axis", 1)), y);
        }
        long[] target = [0, .. y.AsSpan(1).ToArray().Select(d => (long)d)];
        string shape = b.Int64Constant("shape_" + string.Join('x', y.AsSpan(1).ToArray()), target);
        return new(b.Node(path, "Reshape", [x.Name, shape]), y);
    }

    private static GraphValue EmitEmbedding(OnnxGraphBuilder b, Embedding e, string path, GraphValue x)
    {
        var y = ShapeAfter(e, path, x);
        string indices = b.Node(path, "Cast", [x.Name], Int("to", (long)DataType.Int64));
        return new(b.Node(path, "Gather", [b.Parameter(e.Weight), indices], Int("axis", 0)), y);
    }

    private static GraphValue EmitEmbeddingBag(OnnxGraphBuilder b, EmbeddingBag e, string path, GraphValue x)
    {
        var y = ShapeAfter(e, path, x);
        string indices = b.Node(path, "Cast", [x.Name], Int("to", (long)DataType.Int64));
        string rows = b.Node(path, "Gather", [b.Parameter(e.Weight), indices], Int("axis", 0));
        string pooled = e.Mode == EmbeddingBagMode.Sum
            ? b.Node(path, "ReduceSum", [rows, b.Int64Constant("axis_1", [1])], Int("keepdims", 0))
            : b.Node(path, "ReduceMean", [rows], Ints("axes", 1), Int("keepdims", 0));
        return new(pooled, y);
    }

    private static GraphValue Shaped(OnnxGraphBuilder b, Module m, string path, GraphValue x, string opType, AttributeProto[] attributes) =>
        new(b.Node(path, opType, [x.Name], attributes), ShapeAfter(m, path, x));

    private static long CheckAxis(int axis, GraphValue x, string path, Module m)
    {
        if (axis < -x.Rank || axis >= x.Rank)
        {
            throw Refuse(path, m, $"normalises over axis {axis}, outside input of shape {ShapeUtil.Format(x.Shape)}");
        }
        return axis;
    }

    // The output shape comes from running the layer itself on zeros for a batch of one, so it
    // cannot drift from the engine's own shape rules. Only stateless, mode-free layers go here.
    private static int[] ShapeAfter(Module m, string path, GraphValue x)
    {
        try
        {
            using (Tape.NoGrad())
            {
                return m.Forward(Tensor.Zeros(x.Shape)).Shape.ToArray();
            }
        }
        catch (BulwarkInputException e)
        {
            throw new BulwarkInputException($"ONNX export: {Describe(path, m)} cannot take input of shape {ShapeUtil.Format(x.Shape)}: {e.Message}", e);
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
