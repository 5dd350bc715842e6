namespace Bulwark.Onnx;

/// <summary>Why <see cref="OnnxExternalData"/> refused a tensor's external data.</summary>
public enum OnnxExternalDataFault
{
    /// <summary>The external_data entries are missing, repeated, or not numbers where numbers belong, or the data type cannot be stored externally.</summary>
    Malformed,

    /// <summary>The location is an absolute path (or a drive or UNC path) rather than one relative to the model's folder.</summary>
    AbsolutePath,

    /// <summary>The location climbs out of the model's folder with <c>..</c>.</summary>
    EscapesFolder,

    /// <summary>The location stays inside the folder as written, but a symbolic link on the way leads out of it.</summary>
    SymlinkOutside,

    /// <summary>The location names a directory or something else that is not a regular file.</summary>
    NotRegularFile,

    /// <summary>No file exists at the location.</summary>
    Missing,

    /// <summary>The offset and length reach beyond the end of the file.</summary>
    OutOfRange,

    /// <summary>The length (declared, or the rest of the file) is not what the tensor's dimensions and data type need.</summary>
    SizeMismatch,
}
