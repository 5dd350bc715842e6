using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using AttributeType = Bulwark.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Bulwark.Onnx.Export;

/// <summary>A value flowing through the graph being built: its name and the shape it has for a batch of one.</summary>
internal readonly record struct GraphValue(string Name, int[] Shape)
{
    public int Rank => Shape.Length;
}

/// <summary>
/// Accumulates the nodes and initializers of one exported graph. Parameters become initializers
/// under their state-dict names, added once however often they are used; constants the export
/// invents (GELU's √2, unit scales) get names with a '/' that no state-dict name can have.
/// Node names follow the module path ("/block/0/Conv") and are made unique with a suffix.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<Tensor, string> stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> initializerNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> nodeNames = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(IEnumerable<KeyValuePair<string, Tensor>> stateDict)
    {
        foreach (var (name, tensor) in stateDict)
        {
            stateNames.TryAdd(tensor, name);
        }
    }

    public GraphProto Graph { get; } = new();

    /// <summary>The initializer holding a registered parameter or buffer, named as the state dict names it.</summary>
    public string Parameter(Tensor tensor)
    {
        if (!stateNames.TryGetValue(tensor, out var name))
        {
            throw new InvalidOperationException("ONNX export: a layer uses a tensor that its module did not register.");
        }
        if (initializerNames.Add(name))
        {
            Graph.Initializer.Add(OnnxTensors.FromTensor(name, tensor));
        }
        return name;
    }

    /// <summary>A float constant invented by the export, stored once under <c>/const/<paramref name="name"/></c>.</summary>
    public string Constant(string name, Tensor value)
    {
        string full = "/const/" + name;
        if (initializerNames.Add(full))
        {
            Graph.Initializer.Add(OnnxTensors.FromTensor(full, value));
        }
        return full;
    }

    /// <summary>An int64 constant (a shape, a list of axes) stored once under <c>/const/<paramref name="name"/></c>.</summary>
    public string Int64Constant(string name, long[] values)
    {
        string full = "/const/" + name;
        if (initializerNames.Add(full))
        {
            Graph.Initializer.Add(OnnxTensors.FromLongTensor(full, new LongTensor(values, values.Length)));
        }
        return full;
    }

    /// <summary>Adds a node of the default domain for the module at <paramref name="path"/> and returns the name of its single output.</summary>
    public string Node(string path, string opType, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string baseName = "/" + (path.Length == 0 ? "" : path.Replace('.', '/') + "/") + opType;
        string name = baseName;
        for (int i = 1; !nodeNames.Add(name); i++)
        {
            name = $"{baseName}_{i}";
        }
        string output = name + "_output";
        var node = new NodeProto { Name = name, OpType = opType, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Renames the value <paramref name="from"/> to <paramref name="to"/> wherever a node produces or reads it.</summary>
    public void Rename(string from, string to)
    {
        foreach (var node in Graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
