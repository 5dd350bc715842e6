using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Defenses.Integrity;

/// <summary>
/// Builds small ONNX models in code: a clean one (X float [1, 4] → Relu → Add bias → Y) and hostile
/// variants of it, each changing one thing. Shared with the CLI tests by linking this file.
/// </summary>
internal static class TestModels
{
    /// <summary>A clean model: IR 8, opset 17, input X [N, 4] (N symbolic), initializer bias [4], output Y.</summary>
    public static ModelProto Clean()
    {
        var graph = new GraphProto { Name = "clean" };
        graph.Input.Add(Value("X", DataType.Float, "N", 4));
        graph.Output.Add(Value("Y", DataType.Float, "N", 4));
        graph.Initializer.Add(OnnxTensors.FromFloats("bias", [0.5f, -1, 2, 0], [4], DataType.Float));
        graph.Node.Add(Node("Relu", "relu", ["X"], ["R"]));
        graph.Node.Add(Node("Add", "add", ["R", "bias"], ["Y"]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "bulwark-tests", ProducerVersion = "1", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    /// <summary>The clean model with one more node, producing a value the graph ignores.</summary>
    public static ModelProto WithNode(NodeProto node, params TensorProto[] initializers)
    {
        var model = Clean();
        model.Graph.Node.Add(node);
        model.Graph.Initializer.Add(initializers);
        return model;
    }

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, string domain = "")
    {
        var node = new NodeProto { OpType = op, Name = name, Domain = domain };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    public static TensorProto Int64s(string name, params long[] values) =>
        OnnxTensors.FromIntegers(name, values, [values.Length], DataType.Int64);

    /// <summary>A float tensor whose data is external: <paramref name="entries"/> are key/value pairs.</summary>
    public static TensorProto External(string name, int[] dims, params (string Key, string Value)[] entries)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.Add(dims.Select(d => (long)d));
        foreach (var (key, value) in entries)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return tensor;
    }

    /// <summary>Writes the model into <paramref name="folder"/> and returns the file's path.</summary>
    public static string Write(ModelProto model, string folder, string name)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Value(string name, DataType type, string batch, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
