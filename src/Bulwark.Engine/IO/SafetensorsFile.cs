namespace Bulwark.Engine.IO;

/// <summary>The contents of a safetensors file: its header, its float tensors, its int64 tensors and its metadata.</summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(SafetensorsHeader header, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, LongTensor> longTensors)
    {
        Header = header;
        Tensors = tensors;
        LongTensors = longTensors;
    }

    /// <summary>The validated header: every entry with its dtype, shape and offsets.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>The floating-point tensors (F32 as stored; F64, F16 and BF16 converted to float32), by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The I64 tensors, by name.</summary>
    public IReadOnlyDictionary<string, LongTensor> LongTensors { get; }

    /// <summary>The free-form string metadata (<c>__metadata__</c>); empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;
}
