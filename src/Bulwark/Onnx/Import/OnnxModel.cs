using System.Diagnostics;
using Bulwark.Engine;
using Bulwark.Onnx.Import;
using Bulwark.Onnx.Proto;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>
/// An ONNX model imported onto the engine: every node becomes engine operations, so a forward
/// pass is recorded on the tape and gradients flow back to the inputs (white-box attacks on the
/// user's own model file). Loading checks the whole graph before anything runs: the opset, every
/// op and attribute (an unknown one is refused naming the node, op and domain), that every name
/// is defined once and before use, and that every graph output is produced.
/// </summary>
/// <remarks>
/// Standard-domain operators of opsets 1–21 as listed in docs/models.md. Integer and boolean
/// tensors flow through as int64 and are not differentiable; floating-point types compute in
/// float32. Not thread-safe: one forward pass at a time.
/// </remarks>
public sealed class OnnxModel
{
    /// <summary>The newest default-domain opset the importer accepts.</summary>
    public const int MaxOpset = 21;

    private readonly Step[] steps;
    private readonly int slotCount;
    private readonly Dictionary<int, OnnxValue> constants;
    private readonly (OnnxTensorInfo Info, int Slot, OnnxValue? Default)[] inputs;
    private readonly (OnnxTensorInfo Info, int Slot)[] outputs;

    private OnnxModel(ModelProto model, string? directory, OnnxImportOptions options)
    {
        var graph = model.Graph ?? throw new BulwarkInputException("ONNX model has no graph");
        Opset = DefaultOpset(model);
        var opsets = model.OpsetImport.ToDictionary(o => o.Domain == "ai.onnx" ? "" : o.Domain, o => (int)o.Version);
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        constants = [];

        int Define(string name, string what)
        {
            if (name.Length == 0)
                throw new BulwarkInputException($"ONNX graph: {what} has an empty name");
            if (!slots.TryAdd(name, slots.Count))
                throw new BulwarkInputException($"ONNX graph: {what} '{name}' is defined twice");
            return slots[name];
        }

        var initializers = new OnnxInitializers(directory, options.ReadLimits);
        foreach (var t in graph.Initializer)
        {
            int slot = Define(t.Name, "initializer");
            constants[slot] = OnnxValue.FromProto(initializers.Resolve(t));
        }
        if (graph.SparseInitializer.Count > 0)
            throw new BulwarkInputException($"ONNX graph: sparse initializers ('{graph.SparseInitializer[0].Values?.Name}') are not supported");

        var inputList = new List<(OnnxTensorInfo, int, OnnxValue?)>();
        foreach (var vi in graph.Input)
        {
            var info = Describe(vi, "input");
            if (slots.TryGetValue(vi.Name, out int existing) && constants.TryGetValue(existing, out var init))
            {
                // IR < 4: an initializer listed among the inputs is an input with a default.
                inputList.Add((info, existing, init));
                continue;
            }
            inputList.Add((info, Define(vi.Name, "graph input"), null));
        }
        inputs = [.. inputList];

        var stepList = new List<Step>();
        for (int i = 0; i < graph.Node.Count; i++)
        {
            var proto = graph.Node[i];
            string domain = proto.Domain == "ai.onnx" ? "" : proto.Domain;
            string nodeName = proto.Name.Length > 0 ? proto.Name : $"#{i}";
            if (!OnnxOps.IsStandardDomain(domain))
                throw new BulwarkInputException($"ONNX node {i} '{nodeName}': op {proto.OpType} of domain '{domain}' is not supported (only the standard ai.onnx domain is)");
            if (!OnnxOps.TryGet(proto.OpType, out var builder))
                throw new BulwarkInputException($"ONNX node {i} '{nodeName}': op {proto.OpType} (domain 'ai.onnx') is not supported");
            if (!opsets.TryGetValue(domain, out int opset))
                throw new BulwarkInputException($"ONNX node {i} '{nodeName}': the model imports no opset for domain 'ai.onnx'");
            var node = new OnnxNode(proto, i, domain, opset, options.MaxElements);
            var kernel = builder(node);
            node.CheckAllUsed();
            var inSlots = new int[proto.Input.Count];
            for (int k = 0; k < inSlots.Length; k++)
            {
                string name = proto.Input[k];
                if (name.Length == 0)
                    inSlots[k] = -1;
                else if (!slots.TryGetValue(name, out inSlots[k]))
                    throw node.Refuse($"input '{name}' is not produced by any earlier node, initializer or graph input");
            }
            var outSlots = new int[proto.Output.Count];
            for (int k = 0; k < outSlots.Length; k++)
                outSlots[k] = proto.Output[k].Length == 0 ? -1 : Define(proto.Output[k], $"output of {node.Where}");
            stepList.Add(new Step(node.Where, kernel, inSlots, outSlots));
        }
        steps = [.. stepList];

        var outputList = new List<(OnnxTensorInfo, int)>();
        foreach (var vi in graph.Output)
        {
            if (!slots.TryGetValue(vi.Name, out int slot))
                throw new BulwarkInputException($"ONNX graph: output '{vi.Name}' is not produced by any node");
            outputList.Add((Describe(vi, "output"), slot));
        }
        if (outputList.Count == 0)
            throw new BulwarkInputException("ONNX graph: declares no outputs");
        outputs = [.. outputList];
        slotCount = slots.Count;
        OpTypes = graph.Node.Select(n => n.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The default-domain opset the model imports.</summary>
    public int Opset { get; }

    /// <summary>The graph inputs the caller must (or, for those with defaults, may) supply.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs => inputs.Where(i => i.Default is null).Select(i => i.Info).ToArray();

    /// <summary>The graph outputs, in declaration order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs => outputs.Select(o => o.Info).ToArray();

    /// <summary>The distinct op types the graph uses, sorted.</summary>
    public IReadOnlyList<string> OpTypes { get; }

    /// <summary>The op types the importer supports (standard domain), sorted.</summary>
    public static IReadOnlyList<string> SupportedOps => OnnxOps.Supported.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Reads and imports a model file; external data is read from the file's folder, with its path checks.</summary>
    /// <exception cref="BulwarkInputException">The file is unreadable, malformed, or uses what the importer does not support.</exception>
    public static OnnxModel Load(string path, OnnxImportOptions? options = null)
    {
        options ??= OnnxImportOptions.Default;
        var model = OnnxFile.ReadModel(path, options.ReadLimits);
        try
        {
            return new OnnxModel(model, Path.GetDirectoryName(Path.GetFullPath(path)), options);
        }
        catch (BulwarkInputException e)
        {
            throw new BulwarkInputException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Imports a parsed model; <paramref name="directory"/> is where external data lives (none allowed when null).</summary>
    public static OnnxModel FromProto(ModelProto model, string? directory = null, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxModel(model, directory, options ?? OnnxImportOptions.Default);
    }

    /// <summary>
    /// Runs the graph on named inputs and returns every graph output by name. Floating-point
    /// inputs that require a gradient get one: the pass is recorded on the tape.
    /// </summary>
    /// <exception cref="BulwarkInputException">An input is missing, unknown, or of the wrong type or shape.</exception>
    public IReadOnlyDictionary<string, OnnxValue> Run(IReadOnlyDictionary<string, OnnxValue> feeds)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        var values = new OnnxValue?[slotCount];
        foreach (var (slot, value) in constants)
            values[slot] = value;
        foreach (var name in feeds.Keys)
            if (!inputs.Any(i => i.Info.Name == name))
                throw new BulwarkInputException($"ONNX model has no input '{name}' (inputs: {string.Join(", ", Inputs.Select(i => i.Name))})");
        foreach (var (info, slot, fallback) in inputs)
        {
            if (feeds.TryGetValue(info.Name, out var given))
                values[slot] = Check(info, given);
            else if (fallback is null)
                throw new BulwarkInputException($"ONNX model input '{info.Name}' was not given");
        }
        foreach (var step in steps)
        {
            var args = new OnnxValue?[step.Inputs.Length];
            for (int k = 0; k < args.Length; k++)
            {
                int s = step.Inputs[k];
                args[k] = s < 0 ? null : values[s] ?? throw new BulwarkInputException($"ONNX {step.Where}: input {k} has no value (an optional output upstream was not produced)");
            }
            OnnxValue?[] results;
            try
            {
                results = step.Kernel(args);
            }
            catch (BulwarkInputException e) when (!e.Message.StartsWith("ONNX ", StringComparison.Ordinal))
            {
                throw new BulwarkInputException($"ONNX {step.Where}: {e.Message}", e);
            }
            for (int k = 0; k < step.Outputs.Length && k < results.Length; k++)
                if (step.Outputs[k] >= 0)
                    values[step.Outputs[k]] = results[k];
        }
        var result = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var (info, slot) in outputs)
            result[info.Name] = values[slot] ?? throw new BulwarkInputException($"ONNX graph output '{info.Name}' was not produced");
        return result;
    }

    /// <summary>
    /// The single-input, first-output view used by classifiers: runs the graph on a float batch
    /// and returns the first output as a tensor (differentiable with respect to <paramref name="input"/>).
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var required = inputs.Where(i => i.Default is null).ToArray();
        if (required.Length != 1)
            throw new BulwarkInputException($"ONNX model has {required.Length} required inputs; Forward needs exactly one (use Run)");
        var info = required[0].Info;
        var type = OnnxValue.IsFloatType(info.ElementType) ? info.ElementType : DataType.Float;
        var output = Run(new Dictionary<string, OnnxValue> { [info.Name] = OnnxValue.FromTensor(input, type) })[outputs[0].Info.Name];
        return output.AsTensor();
    }

    private static OnnxValue Check(OnnxTensorInfo info, OnnxValue value)
    {
        bool typeOk = value.ElementType == info.ElementType
            || (OnnxValue.IsFloatType(info.ElementType) && value.IsFloat);
        if (!typeOk)
            throw new BulwarkInputException($"ONNX model input '{info.Name}' must be {info.ElementType}, got {value.ElementType}");
        if (info.Dims is { } dims)
        {
            bool ok = dims.Count == value.Rank;
            for (int d = 0; ok && d < dims.Count; d++)
                ok = dims[d].Size is not { } n || n == value.Shape[d];
            if (!ok)
                throw new BulwarkInputException($"ONNX model input '{info.Name}' must have shape [{string.Join(", ", dims)}], got [{string.Join(", ", value.Shape.ToArray())}]");
        }
        return value.ElementType == info.ElementType ? value : OnnxValue.FromTensor(value.Float!, info.ElementType);
    }

    private static OnnxTensorInfo Describe(ValueInfoProto vi, string what)
    {
        var type = vi.Type ?? throw new BulwarkInputException($"ONNX graph {what} '{vi.Name}' has no type");
        if (type.TensorType is not { } tt)
            throw new BulwarkInputException($"ONNX graph {what} '{vi.Name}' is not a tensor (sequences, maps and optionals are not supported)");
        var et = (DataType)tt.ElemType;
        if (!OnnxValue.IsFloatType(et) && !OnnxValue.IsIntegerType(et))
            throw new BulwarkInputException($"ONNX graph {what} '{vi.Name}' has element type {et}, which is not supported");
        IReadOnlyList<OnnxDim>? dims = tt.Shape is null ? null
            : tt.Shape.Dim.Select(d => d.HasDimValue ? new OnnxDim(d.DimValue, null) : new OnnxDim(null, d.HasDimParam ? d.DimParam : null)).ToArray();
        return new OnnxTensorInfo(vi.Name, et, dims);
    }

    private static int DefaultOpset(ModelProto model)
    {
        var entry = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new BulwarkInputException("ONNX model imports no default-domain (ai.onnx) opset");
        if (entry.Version < 1 || entry.Version > MaxOpset)
            throw new BulwarkInputException($"ONNX model uses opset {entry.Version}; the importer supports opsets 1 to {MaxOpset}");
        return (int)entry.Version;
    }

    [DebuggerDisplay("{Where}")]
    private sealed record Step(string Where, OnnxKernel Kernel, int[] Inputs, int[] Outputs);
}
