using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;

namespace Bulwark.Defenses.Integrity;

/// <summary>Why the file could not be parsed as a model, when it could not.</summary>
internal enum ModelLoadFailure
{
    None,
    Unreadable,
    TooLarge,
    Malformed,
}

/// <summary>A node of the model and where it sits; <see cref="Site"/> is null for nodes of model-local functions.</summary>
internal sealed record ScannedNode(NodeProto Node, string Where, OnnxGraphSite? Site);

/// <summary>
/// What the rules of one scan share: the file's size and hash, the parsed model (when it parsed), and
/// walks over its graphs, nodes, tensors and strings. Loading never follows external data.
/// </summary>
internal sealed class ModelScanContext
{
    private ModelScanContext(string path, ModelScanOptions options)
    {
        Path = path;
        Options = options;
        ModelDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
    }

    public string Path { get; }

    public string ModelDirectory { get; }

    public ModelScanOptions Options { get; }

    public long? FileBytes { get; private set; }

    public string? Sha256 { get; private set; }

    public ModelProto? Model { get; private set; }

    public ModelLoadFailure Failure { get; private set; }

    public string FailureMessage { get; private set; } = "";

    public IReadOnlyList<OnnxGraphSite> Graphs { get; private set; } = [];

    public static ModelScanContext Load(string path, ModelScanOptions options)
    {
        var context = new ModelScanContext(path, options);
        context.Examine();
        return context;
    }

    private void Examine()
    {
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                Fail(ModelLoadFailure.Unreadable, Directory.Exists(Path) ? "is a directory, not a model file." : "file not found.");
                return;
            }
            FileBytes = info.Length;
            Sha256 = FileHash.Sha256(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Fail(ModelLoadFailure.Unreadable, $"cannot be read: {ex.Message}");
            return;
        }
        if (FileBytes > Options.Limits.MaxBytes)
        {
            Fail(ModelLoadFailure.TooLarge, $"{FileBytes} bytes is larger than the {Options.Limits.MaxBytes}-byte limit for a model file.");
            return;
        }
        try
        {
            Model = OnnxFile.ReadModel(Path, Options.Limits with { MaxGraphDepth = int.MaxValue });
            Graphs = OnnxGraphs.All(Model).ToList();
        }
        catch (BulwarkInputException ex)
        {
            Fail(ModelLoadFailure.Malformed, ex.Message);
        }
    }

    private void Fail(ModelLoadFailure failure, string message)
    {
        Failure = failure;
        FailureMessage = message;
    }

    /// <summary>True when the model defines a local function of that domain and name (a node may call it like an operator).</summary>
    public bool DefinesFunction(string domain, string name) =>
        Model?.Functions.Any(f => f.Domain == domain && f.Name == name) ?? false;

    /// <summary>Every node: those of all graphs (subgraphs included), then those of model-local functions.</summary>
    public IEnumerable<ScannedNode> Nodes()
    {
        foreach (var site in Graphs)
        {
            for (int i = 0; i < site.Graph.Node.Count; i++)
            {
                yield return new ScannedNode(site.Graph.Node[i], $"{site.Where} / {OnnxGraphs.NodeName(site.Graph.Node[i], i)}", site);
            }
        }
        foreach (var function in Model?.Functions ?? [])
        {
            for (int i = 0; i < function.Node.Count; i++)
            {
                yield return new ScannedNode(function.Node[i], $"{FunctionName(function)} / {OnnxGraphs.NodeName(function.Node[i], i)}", null);
            }
        }
    }

    /// <summary>Every tensor held in the model: initializers, sparse initializers and tensor-valued attributes.</summary>
    public IEnumerable<(TensorProto Tensor, string Where)> Tensors()
    {
        foreach (var site in Graphs)
        {
            foreach (var tensor in site.Graph.Initializer)
            {
                yield return (tensor, $"{site.Where} / initializer '{tensor.Name}'");
            }
            for (int i = 0; i < site.Graph.SparseInitializer.Count; i++)
            {
                foreach (var part in SparseParts(site.Graph.SparseInitializer[i], $"{site.Where} / sparse_initializer[{i}]"))
                {
                    yield return part;
                }
            }
        }
        foreach (var scanned in Nodes())
        {
            foreach (var attribute in scanned.Node.Attribute)
            {
                string where = $"{scanned.Where} / {attribute.Name}";
                if (attribute.T is not null)
                {
                    yield return (attribute.T, where);
                }
                for (int i = 0; i < attribute.Tensors.Count; i++)
                {
                    yield return (attribute.Tensors[i], $"{where}[{i}]");
                }
                if (attribute.SparseTensor is not null)
                {
                    foreach (var part in SparseParts(attribute.SparseTensor, where))
                    {
                        yield return part;
                    }
                }
                for (int i = 0; i < attribute.SparseTensors.Count; i++)
                {
                    foreach (var part in SparseParts(attribute.SparseTensors[i], $"{where}[{i}]"))
                    {
                        yield return part;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every free-text field a person or a loader might read: producer fields, doc strings, metadata
    /// properties (keys and values) and string-valued node attributes.
    /// </summary>
    public IEnumerable<(string Text, string Where)> Strings()
    {
        if (Model is not { } model)
        {
            yield break;
        }
        yield return (model.ProducerName, "producer_name");
        yield return (model.ProducerVersion, "producer_version");
        yield return (model.Domain, "domain");
        yield return (model.DocString, "doc_string");
        foreach (var item in Properties(model.MetadataProps, ""))
        {
            yield return item;
        }
        foreach (var site in Graphs)
        {
            yield return (site.Graph.DocString, $"{site.Where} / doc_string");
            foreach (var item in Properties(site.Graph.MetadataProps, $"{site.Where} / "))
            {
                yield return item;
            }
            foreach (var value in site.Graph.Input.Concat(site.Graph.Output).Concat(site.Graph.ValueInfo))
            {
                yield return (value.DocString, $"{site.Where} / value '{value.Name}' / doc_string");
                foreach (var item in Properties(value.MetadataProps, $"{site.Where} / value '{value.Name}' / "))
                {
                    yield return item;
                }
            }
        }
        foreach (var function in model.Functions)
        {
            yield return (function.DocString, $"{FunctionName(function)} / doc_string");
            foreach (var item in Properties(function.MetadataProps, $"{FunctionName(function)} / "))
            {
                yield return item;
            }
        }
        foreach (var scanned in Nodes())
        {
            yield return (scanned.Node.DocString, $"{scanned.Where} / doc_string");
            foreach (var item in Properties(scanned.Node.MetadataProps, $"{scanned.Where} / "))
            {
                yield return item;
            }
            foreach (var attribute in scanned.Node.Attribute)
            {
                yield return (attribute.DocString, $"{scanned.Where} / {attribute.Name} / doc_string");
                if (attribute.S.Length > 0)
                {
                    yield return (attribute.S.ToStringUtf8(), $"{scanned.Where} / {attribute.Name}");
                }
                for (int i = 0; i < attribute.Strings.Count; i++)
                {
                    yield return (attribute.Strings[i].ToStringUtf8(), $"{scanned.Where} / {attribute.Name}[{i}]");
                }
            }
        }
        foreach (var (tensor, where) in Tensors())
        {
            yield return (tensor.DocString, $"{where} / doc_string");
            foreach (var item in Properties(tensor.MetadataProps, $"{where} / "))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<(string Text, string Where)> Properties(IEnumerable<StringStringEntryProto> props, string prefix)
    {
        foreach (var entry in props)
        {
            yield return (entry.Key, $"{prefix}metadata_props key '{Clip(entry.Key)}'");
            yield return (entry.Value, $"{prefix}metadata_props['{Clip(entry.Key)}']");
        }
    }

    private static IEnumerable<(TensorProto Tensor, string Where)> SparseParts(SparseTensorProto sparse, string where)
    {
        if (sparse.Values is not null)
        {
            yield return (sparse.Values, $"{where}.values");
        }
        if (sparse.Indices is not null)
        {
            yield return (sparse.Indices, $"{where}.indices");
        }
    }

    private static string FunctionName(FunctionProto function) => $"function '{function.Domain}:{function.Name}'";

    /// <summary>A name cut to a readable length for a location (hostile keys can be megabytes long).</summary>
    public static string Clip(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");
}
