namespace Bulwark.Engine.IO;

/// <summary>The element types of the IDX format, valued by the code its third magic byte holds.</summary>
public enum IdxType
{
    /// <summary>Unsigned byte (code 0x08): MNIST images and labels.</summary>
    UInt8 = 0x08,

    /// <summary>Signed byte (code 0x09).</summary>
    Int8 = 0x09,

    /// <summary>Big-endian int16 (code 0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian int32 (code 0x0C).</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian float32 (code 0x0D).</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian float64 (code 0x0E).</summary>
    Float64 = 0x0E,
}
