using System.Globalization;
using Bulwark.Onnx.Proto;

namespace Bulwark.Onnx;

/// <summary>An operator set a model imports.</summary>
/// <param name="Domain">The domain; <c>ai.onnx</c> for the default one.</param>
/// <param name="Version">The opset version.</param>
public sealed record OnnxOpsetSummary(string Domain, long Version);

/// <summary>A graph input or output as declared.</summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The element type (e.g. <c>FLOAT</c>), or the kind of a non-tensor value (<c>sequence</c>, <c>map</c>, ...).</param>
/// <param name="Shape">One entry per dimension: a number (<see cref="long"/>), a symbolic name (<see cref="string"/>), or null when unknown; null for the whole list when the rank is unknown.</param>
public sealed record OnnxValueSummary(string Name, string ElementType, IReadOnlyList<object?>? Shape)
{
    /// <summary>The shape as written in text, e.g. <c>[N, 3, 224, 224]</c>; <c>?</c> for an unknown dimension or rank.</summary>
    public string ShapeText => Shape is null ? "?" : "[" + string.Join(", ", Shape.Select(d => d is null ? "?" : Convert.ToString(d, CultureInfo.InvariantCulture))) + "]";
}

/// <summary>How many nodes use one operator.</summary>
/// <param name="Operator">The operator, prefixed by its domain unless it is the default one (e.g. <c>ai.onnx.ml:ZipMap</c>).</param>
/// <param name="Count">Nodes using it, subgraphs included.</param>
public sealed record OnnxOperatorCount(string Operator, int Count);

/// <summary>
/// What a model file declares, for a person deciding whether it is the model they expect: versions,
/// producer, opsets, inputs and outputs with their shapes, operators used, parameter count, size and hash.
/// Reading it parses the model (with <see cref="OnnxFile.ReadModel"/>) but never runs it or loads external data.
/// </summary>
/// <param name="Path">The file, as given.</param>
/// <param name="FileBytes">The file's size.</param>
/// <param name="Sha256">The file's SHA-256 in lower-case hexadecimal.</param>
/// <param name="IrVersion">The IR version.</param>
/// <param name="ProducerName">The producer's name (may be empty).</param>
/// <param name="ProducerVersion">The producer's version (may be empty).</param>
/// <param name="Opsets">The operator sets imported.</param>
/// <param name="Inputs">The main graph's inputs, initializers excluded.</param>
/// <param name="Outputs">The main graph's outputs.</param>
/// <param name="Operators">Operators used, most used first.</param>
/// <param name="Parameters">Elements in all initializers (sparse ones by stored values), subgraphs included.</param>
/// <param name="Nodes">Nodes in all graphs.</param>
public sealed record OnnxModelSummary(
    string Path,
    long FileBytes,
    string Sha256,
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    IReadOnlyList<OnnxOpsetSummary> Opsets,
    IReadOnlyList<OnnxValueSummary> Inputs,
    IReadOnlyList<OnnxValueSummary> Outputs,
    IReadOnlyList<OnnxOperatorCount> Operators,
    long Parameters,
    long Nodes)
{
    /// <summary>Reads and summarises the model file at <paramref name="path"/>.</summary>
    /// <exception cref="Engine.BulwarkInputException">The file is missing, unreadable, oversized or not a valid ONNX model.</exception>
    public static OnnxModelSummary Read(string path, OnnxReadLimits? limits = null)
    {
        var model = OnnxFile.ReadModel(path, limits);
        long bytes = new FileInfo(path).Length;
        string sha = FileHash.Sha256(path);
        var graphs = OnnxGraphs.All(model).Select(s => s.Graph).ToList();
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var operators = graphs.SelectMany(g => g.Node)
            .GroupBy(n => n.Domain is "" or OnnxOperatorNames.DefaultDomain ? n.OpType : $"{n.Domain}:{n.OpType}", StringComparer.Ordinal)
            .Select(g => new OnnxOperatorCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Operator, StringComparer.Ordinal)
            .ToList();
        double parameters = graphs.Sum(g => g.Initializer.Sum(Elements) + g.SparseInitializer.Sum(s => s.Values is null ? 0 : Elements(s.Values)));
        return new OnnxModelSummary(
            path,
            bytes,
            sha,
            model.IrVersion,
            model.ProducerName,
            model.ProducerVersion,
            model.OpsetImport.Select(o => new OnnxOpsetSummary(o.Domain.Length == 0 ? OnnxOperatorNames.DefaultDomain : o.Domain, o.Version)).ToList(),
            model.Graph.Input.Where(v => !initializers.Contains(v.Name)).Select(Describe).ToList(),
            model.Graph.Output.Select(Describe).ToList(),
            operators,
            parameters >= long.MaxValue ? long.MaxValue : (long)parameters,
            graphs.Sum(g => (long)g.Node.Count));
    }

    private static double Elements(TensorProto tensor) => tensor.Dims.Aggregate(1.0, (p, d) => p * Math.Max(0, d));

    private static OnnxValueSummary Describe(ValueInfoProto value)
    {
        var type = value.Type;
        return type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => new(value.Name, OnnxTensorLayout.NameOf(type.TensorType.ElemType), Dims(type.TensorType.Shape)),
            TypeProto.ValueOneofCase.SparseTensorType => new(value.Name, "sparse " + OnnxTensorLayout.NameOf(type.SparseTensorType.ElemType), Dims(type.SparseTensorType.Shape)),
            TypeProto.ValueOneofCase.SequenceType => new(value.Name, "sequence", null),
            TypeProto.ValueOneofCase.MapType => new(value.Name, "map", null),
            TypeProto.ValueOneofCase.OptionalType => new(value.Name, "optional", null),
            TypeProto.ValueOneofCase.OpaqueType => new(value.Name, "opaque", null),
            _ => new(value.Name, "?", null),
        };
    }

    private static List<object?>? Dims(TensorShapeProto? shape) =>
        shape?.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => (object?)d.DimValue,
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => null,
        }).ToList();
}
