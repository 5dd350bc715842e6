using System.Text;
using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using AttrType = Bulwark.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Bulwark.Onnx.Import;

/// <summary>
/// One node as an op builder sees it while the graph is loaded: its attributes, typed and
/// checked, and the opset version of its domain. Every attribute an op reads is marked used;
/// after the op is built, an attribute nobody read is refused (the op would silently ignore it).
/// </summary>
internal sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> attributes = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public OnnxNode(NodeProto proto, int index, string domain, int opset, long maxElements)
    {
        MaxElements = maxElements;
        Proto = proto;
        Domain = domain;
        Opset = opset;
        Where = $"node {index} '{(proto.Name.Length > 0 ? proto.Name : proto.OpType)}' (op {proto.OpType}, domain '{(domain.Length == 0 ? "ai.onnx" : domain)}', opset {opset})";
        foreach (var a in proto.Attribute)
        {
            if (a.RefAttrName.Length > 0)
                throw Refuse($"attribute '{a.Name}' refers to a function attribute ('{a.RefAttrName}'), which only functions may do");
            if (!attributes.TryAdd(a.Name, a))
                throw Refuse($"attribute '{a.Name}' appears twice");
        }
    }

    public NodeProto Proto { get; }

    /// <summary>The most elements an output of this node may have (<see cref="OnnxImportOptions.MaxElements"/>).</summary>
    public long MaxElements { get; }

    /// <summary>Refuses, at run time, an output of <paramref name="count"/> elements above the limit.</summary>
    public void CheckSize(long count, string what)
    {
        if (count < 0 || count > MaxElements)
            throw new BulwarkInputException($"ONNX {Where}: {what} would have {count} elements, above the limit of {MaxElements}");
    }

    public string OpType => Proto.OpType;

    public string Domain { get; }

    /// <summary>The opset version in force for this node's domain.</summary>
    public int Opset { get; }

    /// <summary>Names the node in messages.</summary>
    public string Where { get; }

    public int InputCount => Proto.Input.Count;

    public int OutputCount => Proto.Output.Count;

    /// <summary>Whether optional input <paramref name="i"/> is given (present and named).</summary>
    public bool HasInput(int i) => i < Proto.Input.Count && Proto.Input[i].Length > 0;

    public bool Has(string name) => attributes.ContainsKey(name);

    public long Int(string name, long fallback) => Get(name, AttrType.Int) is { } a ? a.I : fallback;

    public long? IntOrNull(string name) => Get(name, AttrType.Int)?.I;

    public float Float(string name, float fallback) => Get(name, AttrType.Float) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Get(name, AttrType.String) is { } a ? a.S.ToString(Encoding.UTF8) : fallback;

    public long[]? Ints(string name) => Get(name, AttrType.Ints)?.Ints.ToArray();

    public float[]? Floats(string name) => Get(name, AttrType.Floats)?.Floats.ToArray();

    public string[]? Strings(string name) => Get(name, AttrType.Strings)?.Strings.Select(s => s.ToString(Encoding.UTF8)).ToArray();

    public TensorProto? Tensor(string name) => Get(name, AttrType.Tensor)?.T;

    /// <summary>Marks an attribute used without reading it (one the op deliberately ignores, e.g. a legacy hint).</summary>
    public void Ignore(string name) => used.Add(name);

    /// <summary>Requires at least <paramref name="min"/> and at most <paramref name="max"/> inputs.</summary>
    public void Inputs(int min, int max)
    {
        int given = Proto.Input.Count;
        while (given > 0 && Proto.Input[given - 1].Length == 0)
            given--;
        if (given < min || Proto.Input.Count > max)
            throw Refuse(min == max ? $"takes {min} input(s), has {Proto.Input.Count}" : $"takes {min} to {max} inputs, has {Proto.Input.Count}");
    }

    /// <summary>Requires at most <paramref name="max"/> outputs (and at least one).</summary>
    public void Outputs(int max)
    {
        if (Proto.Output.Count < 1 || Proto.Output.Count > max)
            throw Refuse($"has {Proto.Output.Count} outputs; this op has at most {max}");
    }

    /// <summary>A load-time refusal naming the node.</summary>
    public BulwarkInputException Refuse(string what) => new($"ONNX {Where}: {what}");

    /// <summary>Refuses the attributes the op did not read.</summary>
    public void CheckAllUsed()
    {
        foreach (var name in attributes.Keys)
            if (!used.Contains(name))
                throw Refuse($"attribute '{name}' is not supported");
    }

    private AttributeProto? Get(string name, AttrType type)
    {
        used.Add(name);
        if (!attributes.TryGetValue(name, out var a))
            return null;
        // Old writers leave type unset; infer it from the populated field.
        var actual = a.HasType ? a.Type : Infer(a);
        if (actual != type)
            throw Refuse($"attribute '{name}' is {actual}, expected {type}");
        return a;
    }

    private static AttrType Infer(AttributeProto a) =>
        a.Ints.Count > 0 ? AttrType.Ints
        : a.Floats.Count > 0 ? AttrType.Floats
        : a.Strings.Count > 0 ? AttrType.Strings
        : a.T is not null ? AttrType.Tensor
        : a.G is not null ? AttrType.Graph
        : a.HasS ? AttrType.String
        : a.HasF ? AttrType.Float
        : AttrType.Int;
}
