using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// The small constants of one graph (initializers and Constant nodes of at most <see cref="MaxElements"/>
/// elements) and the static shapes it declares, as a constant folder would see them; names not found
/// here are looked up in the enclosing graphs. Only what shape arithmetic needs is read.
/// </summary>
internal sealed class GraphConstants
{
    private const int MaxElements = 64;
    private readonly Dictionary<string, TensorProto> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private readonly GraphConstants? _outer;

    public GraphConstants(GraphProto graph, GraphConstants? outer)
    {
        _outer = outer;
        foreach (var tensor in graph.Initializer)
        {
            AddTensor(tensor.Name, tensor);
            _shapes.TryAdd(tensor.Name, [.. tensor.Dims]);
        }
        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Domain is "" or OnnxOperatorNames.DefaultDomain && n.Output.Count == 1))
        {
            if (ConstantValue(node) is { } value)
            {
                AddTensor(node.Output[0], value);
            }
        }
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            var dims = value.Type?.TensorType?.Shape?.Dim;
            if (dims is not null && dims.All(d => d.HasDimValue && d.DimValue >= 0))
            {
                _shapes.TryAdd(value.Name, dims.Select(d => d.DimValue).ToArray());
            }
        }
    }

    /// <summary>The integer values of a constant, or null when the name is not a small integer constant.</summary>
    public long[]? Integers(string name)
    {
        if (Find(name) is not { } tensor)
        {
            return null;
        }
        try
        {
            return OnnxTensors.ToLongTensor(tensor).Data;
        }
        catch (BulwarkInputException)
        {
            return null;
        }
    }

    /// <summary>The values of a numeric constant as doubles, or null when the name is not a small numeric constant.</summary>
    public double[]? Reals(string name)
    {
        if (Find(name) is not { } tensor)
        {
            return null;
        }
        try
        {
            return OnnxTensors.ToTensor(tensor).ToArray().Select(v => (double)v).ToArray();
        }
        catch (BulwarkInputException)
        {
            return null;
        }
    }

    /// <summary>The static shape of a value (declared, or a constant's dimensions), or null when unknown.</summary>
    public long[]? Shape(string name)
    {
        for (var scope = this; scope is not null; scope = scope._outer)
        {
            if (scope._shapes.TryGetValue(name, out var dims))
            {
                return dims;
            }
            if (scope._tensors.TryGetValue(name, out var tensor))
            {
                return [.. tensor.Dims];
            }
        }
        return null;
    }

    private TensorProto? Find(string name)
    {
        for (var scope = this; scope is not null; scope = scope._outer)
        {
            if (scope._tensors.TryGetValue(name, out var tensor))
            {
                return tensor;
            }
        }
        return null;
    }

    private void AddTensor(string name, TensorProto tensor)
    {
        if (name.Length > 0 && !OnnxTensorLayout.IsExternal(tensor) && tensor.Dims.Count <= 1 && tensor.Dims.All(d => d is >= 0 and <= MaxElements))
        {
            _tensors.TryAdd(name, tensor);
        }
    }

    private static TensorProto? ConstantValue(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null:
                    return attribute.T;
                case "value_int":
                    return OnnxTensors.FromIntegers("", [attribute.I], [], TensorProto.Types.DataType.Int64);
                case "value_ints" when attribute.Ints.Count <= MaxElements:
                    return OnnxTensors.FromIntegers("", attribute.Ints.ToArray(), [attribute.Ints.Count], TensorProto.Types.DataType.Int64);
                case "value_float":
                    return OnnxTensors.FromFloats("", [attribute.F], [], TensorProto.Types.DataType.Float);
                case "value_floats" when attribute.Floats.Count <= MaxElements:
                    return OnnxTensors.FromFloats("", attribute.Floats.ToArray(), [attribute.Floats.Count], TensorProto.Types.DataType.Float);
            }
        }
        return null;
    }
}
