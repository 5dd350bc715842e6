using System.Reflection;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Onnx.Export;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using Module = Bulwark.Engine.Nn.Module;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>Names and metadata of an exported graph.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The graph input, float32 [N, …sample shape] with a symbolic batch axis.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output.</summary>
    public string OutputName { get; init; } = "logits";

    /// <summary>The name of the symbolic batch dimension on the input and output.</summary>
    public string BatchDimension { get; init; } = "N";

    /// <summary>The graph's name; defaults to the module's type name.</summary>
    public string? GraphName { get; init; }
}

/// <summary>
/// Writes an engine <see cref="Module"/> as an ONNX model (IR version 8, default-domain opset 17)
/// that ONNX Runtime and other consumers can run. The graph computes the module's
/// evaluation-mode forward whatever mode the module is in: batch normalisation uses its running
/// statistics and dropout is left out. Parameters and buffers become initializers under their
/// state-dict names ("0.weight", "block.bn.running_mean"), so the ONNX file and a safetensors
/// checkpoint of the same model name their weights alike.
/// </summary>
/// <remarks>
/// Supported: <see cref="Sequential"/> (nested), <see cref="Residual"/>, <see cref="Linear"/>
/// (Gemm on 2-D input, MatMul + Add otherwise), <see cref="Conv2d"/> (stride, asymmetric padding,
/// dilation, groups), <see cref="MaxPool2d"/>, <see cref="AvgPool2d"/> (undilated),
/// <see cref="AdaptiveAvgPool2d"/> (output 1×1, or sizes that divide the input),
/// <see cref="BatchNorm1d"/>/<see cref="BatchNorm2d"/> with running statistics,
/// <see cref="LayerNorm"/>, <see cref="Dropout"/>, the activations, <see cref="Softmax"/>,
/// <see cref="LogSoftmax"/>, <see cref="Flatten"/> (keeping the batch axis),
/// <see cref="Embedding"/> and fixed-length <see cref="EmbeddingBag"/> (float whole-number indices
/// cast to int64). Anything else is refused with the module's path and type. The module is
/// not changed.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written (ONNX 1.10–1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain operator set written.</summary>
    public const long Opset = 17;

    /// <summary>The producer name recorded in the model.</summary>
    public const string Producer = "Bulwark";

    /// <summary>
    /// Builds the ONNX model of <paramref name="module"/> for inputs of shape [N, …<paramref name="sampleShape"/>].
    /// </summary>
    /// <exception cref="BulwarkInputException">The sample shape is empty or has a dimension below 1, a module
    /// has no ONNX form, or a layer does not accept the shape that reaches it; the message names the module path.</exception>
    public static ModelProto Export(Module module, IReadOnlyList<int> sampleShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(sampleShape);
        options ??= new OnnxExportOptions();
        if (sampleShape.Count == 0 || sampleShape.Any(d => d < 1))
        {
            throw new BulwarkInputException($"ONNX export: the sample shape [{string.Join(", ", sampleShape)}] must have at least one dimension, each at least 1.");
        }
        if (string.IsNullOrEmpty(options.InputName) || string.IsNullOrEmpty(options.OutputName) || options.InputName == options.OutputName)
        {
            throw new BulwarkInputException($"ONNX export: input name '{options.InputName}' and output name '{options.OutputName}' must be non-empty and different.");
        }

        var builder = new OnnxGraphBuilder(module.StateDict());
        var input = new GraphValue(options.InputName, [1, .. sampleShape]);
        var output = LayerExport.Emit(builder, module, "", input);
        if (output.Name == input.Name)
        {
            builder.Node("", "Identity", [input.Name]);
            output = output with { Name = builder.Graph.Node[^1].Output[0] };
        }
        builder.Rename(output.Name, options.OutputName);

        var graph = builder.Graph;
        graph.Name = options.GraphName ?? module.GetType().Name;
        graph.DocString = $"{module.GetType().Name} exported by {Producer}.";
        graph.Input.Add(FloatValue(options.InputName, options.BatchDimension, input.Shape));
        graph.Output.Add(FloatValue(options.OutputName, options.BatchDimension, output.Shape));
        return new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = Producer,
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = $"Exported by {Producer} from an engine {module.GetType().Name}.",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
        };
    }

    /// <summary>
    /// Exports <paramref name="module"/> as <see cref="Export"/> does and writes it to <paramref name="path"/>
    /// atomically: through a temporary file moved into place once complete, so a failure leaves any
    /// previous file there intact.
    /// </summary>
    /// <exception cref="BulwarkInputException">As for <see cref="Export"/>, or the file cannot be written.</exception>
    public static ModelProto Save(Module module, IReadOnlyList<int> sampleShape, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var model = Export(module, sampleShape, options);
        AtomicFile.Write(path, model.WriteTo);
        return model;
    }

    private static ValueInfoProto FloatValue(string name, string batchDimension, int[] shape)
    {
        var dims = new TensorShapeProto();
        dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchDimension });
        foreach (int d in shape.AsSpan(1))
        {
            dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = dims } },
        };
    }
}
