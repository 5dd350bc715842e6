namespace Bulwark.Engine.IO;

/// <summary>One tensor as a safetensors header describes it: name, dtype, shape and where its bytes lie.</summary>
public sealed class SafetensorsEntry
{
    private readonly int[] shape;

    internal SafetensorsEntry(string name, string dtype, int[] shape, long elementCount, long dataBegin, long dataEnd)
    {
        Name = name;
        DType = dtype;
        this.shape = shape;
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
    }

    /// <summary>The tensor's name, e.g. <c>fc.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The dtype as the file spells it, e.g. <c>F32</c>, <c>BF16</c>, <c>I64</c>.</summary>
    public string DType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<int> Shape => shape;

    internal int[] ShapeArray => shape;

    /// <summary>The number of elements (the product of the shape).</summary>
    public long ElementCount { get; }

    /// <summary>The offset of the first byte, relative to the start of the data buffer.</summary>
    public long DataBegin { get; }

    /// <summary>The offset just past the last byte, relative to the start of the data buffer.</summary>
    public long DataEnd { get; }

    /// <summary>The number of data bytes.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>True when <see cref="Safetensors.Read(string)"/> can load this dtype (F32, F64, F16, BF16 as float32; I64 as int64).</summary>
    public bool IsLoadable => Safetensors.LoadableType(DType) is not null;
}
