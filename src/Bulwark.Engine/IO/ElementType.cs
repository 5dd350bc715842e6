namespace Bulwark.Engine.IO;

/// <summary>The element encodings the array formats store, independent of byte order.</summary>
internal enum ElementKind
{
    Bool,
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    Int64,
    Float16,
    BFloat16,
    Float32,
    Float64,
}

/// <summary>One stored element encoding: its kind and the byte order of its bytes in the file.</summary>
internal readonly record struct ElementType(ElementKind Kind, bool BigEndian)
{
    /// <summary>The number of bytes one element occupies.</summary>
    public int Size => Kind switch
    {
        ElementKind.Bool or ElementKind.UInt8 or ElementKind.Int8 => 1,
        ElementKind.UInt16 or ElementKind.Int16 or ElementKind.Float16 or ElementKind.BFloat16 => 2,
        ElementKind.UInt32 or ElementKind.Int32 or ElementKind.Float32 => 4,
        _ => 8,
    };

    /// <summary>True for the kinds whose values are whole numbers (bool counts as 0/1).</summary>
    public bool IsInteger => Kind is not (ElementKind.Float16 or ElementKind.BFloat16 or ElementKind.Float32 or ElementKind.Float64);

    /// <summary>True when the file's byte order differs from this machine's, so values need swapping.</summary>
    public bool NeedsSwap => Size > 1 && BigEndian == BitConverter.IsLittleEndian;
}
