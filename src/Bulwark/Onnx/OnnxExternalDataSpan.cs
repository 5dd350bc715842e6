namespace Bulwark.Onnx;

/// <summary>
/// Where a tensor's external data lies, after every check of <see cref="OnnxExternalData"/> has passed.
/// </summary>
/// <param name="Location">The location as the model wrote it, relative to the model's folder.</param>
/// <param name="FullPath">The file it resolves to, symbolic links followed; inside the model's folder.</param>
/// <param name="Offset">The first byte of the tensor's data in the file.</param>
/// <param name="Length">The number of bytes, exactly what the tensor's dimensions and data type need.</param>
/// <param name="Checksum">The <c>checksum</c> entry when the model gives one (recorded, not verified).</param>
public sealed record OnnxExternalDataSpan(string Location, string FullPath, long Offset, long Length, string? Checksum);
