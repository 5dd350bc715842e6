using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;

namespace Bulwark.Tests.Models;

/// <summary>
/// A linear classifier written as an ONNX graph by hand (Gemm, optionally followed by Softmax),
/// with the same maths computed directly so tests can compare an adapter against it.
/// </summary>
internal sealed class TinyOnnxModel
{
    public const int Features = 4;
    public const int Classes = 3;

    private static readonly float[] Weights =
    [
        0.5f, -1.0f, 0.25f,
        -0.75f, 0.5f, 1.5f,
        1.25f, 0.0f, -0.5f,
        -0.25f, 2.0f, 0.75f,
    ];

    private static readonly float[] Bias = [0.1f, -0.2f, 0.3f];

    /// <summary>The serialised model: input "x" [batch, 4]; outputs "logits" and, when asked, "probs" [batch, 3].</summary>
    /// <param name="withSoftmax">Add a Softmax node and its "probs" output.</param>
    /// <param name="fixedBatch">A fixed batch size for the input, or 0 for a symbolic one.</param>
    /// <param name="probsFirst">List "probs" before "logits" among the graph outputs.</param>
    public static byte[] Build(bool withSoftmax, int fixedBatch = 0, bool probsFirst = false)
    {
        var graph = new GraphProto { Name = "tiny_linear" };
        graph.Initializer.Add(OnnxTensors.FromTensor("W", Tensor.FromArray((float[])Weights.Clone(), Features, Classes)));
        graph.Initializer.Add(OnnxTensors.FromTensor("B", Tensor.FromArray((float[])Bias.Clone(), Classes)));
        graph.Node.Add(new NodeProto { OpType = "Gemm", Name = "gemm", Input = { "x", "W", "B" }, Output = { "logits" } });
        graph.Input.Add(Value("x", fixedBatch, Features));
        var outputs = new List<ValueInfoProto> { Value("logits", fixedBatch, Classes) };
        if (withSoftmax)
        {
            var softmax = new NodeProto { OpType = "Softmax", Name = "softmax", Input = { "logits" }, Output = { "probs" } };
            softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            graph.Node.Add(softmax);
            outputs.Insert(probsFirst ? 0 : 1, Value("probs", fixedBatch, Classes));
        }
        graph.Output.AddRange(outputs);
        var model = new ModelProto { IrVersion = 8, ProducerName = "bulwark-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, int batch, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batch > 0 ? new TensorShapeProto.Types.Dimension { DimValue = batch } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>The logits xW + b of each row, computed directly in double.</summary>
    public static double[] Logits(float[] rows)
    {
        int n = rows.Length / Features;
        var z = new double[n * Classes];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < Classes; k++)
            {
                double s = Bias[k];
                for (int j = 0; j < Features; j++)
                    s += (double)rows[i * Features + j] * Weights[j * Classes + k];
                z[i * Classes + k] = s;
            }
        return z;
    }

    /// <summary>The softmax of <see cref="Logits"/>, row by row.</summary>
    public static double[] Probabilities(float[] rows)
    {
        var z = Logits(rows);
        for (int start = 0; start < z.Length; start += Classes)
        {
            var row = z.AsSpan(start, Classes);
            double max = double.NegativeInfinity;
            foreach (double v in row)
                max = Math.Max(max, v);
            double sum = 0;
            for (int k = 0; k < Classes; k++)
                sum += row[k] = Math.Exp(row[k] - max);
            for (int k = 0; k < Classes; k++)
                row[k] /= sum;
        }
        return z;
    }

    /// <summary>Deterministic sample rows in [-2, 2).</summary>
    public static float[] Samples(int n, ulong seed) => Tensor.Uniform(new Rng(seed), -2f, 2f, n, Features).ToArray();
}
