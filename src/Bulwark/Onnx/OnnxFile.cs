using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using Google.Protobuf;

namespace Bulwark.Onnx;

/// <summary>
/// Reads ONNX model files (<c>.onnx</c>, a serialised <see cref="ModelProto"/>) and ONNX tensor files
/// (<c>.pb</c>, a serialised <see cref="TensorProto"/>, as in the ONNX backend test data) defensively:
/// the file size and message nesting are bounded by <see cref="OnnxReadLimits"/>, and every malformed,
/// truncated or oversized file becomes a <see cref="BulwarkInputException"/> that names it.
/// </summary>
/// <remarks>
/// Field numbers follow the ONNX specification as of ONNX 1.23. Models of IR versions
/// <see cref="MinIrVersion"/> to <see cref="MaxIrVersion"/> are what this reader was written against;
/// a model declaring a newer IR version still parses (unknown fields are kept, not lost), and deciding
/// whether to run it is the importer's business. Weights stored as external data are not loaded here;
/// <see cref="OnnxExternalData"/> loads them with the path and size checks they need.
/// </remarks>
public static class OnnxFile
{
    /// <summary>The oldest IR version the declarations follow (ONNX 1.0 wrote IR 3).</summary>
    public const long MinIrVersion = 3;

    /// <summary>The newest IR version the declarations follow (ONNX 1.23).</summary>
    public const long MaxIrVersion = 14;

    /// <summary>
    /// Parses an ONNX model file. The model must declare an IR version and hold a graph; nothing else
    /// about its meaning is checked here.
    /// </summary>
    /// <exception cref="BulwarkInputException">The file is missing, unreadable, larger than
    /// <see cref="OnnxReadLimits.MaxBytes"/>, nested deeper than <see cref="OnnxReadLimits.RecursionLimit"/>,
    /// not a protobuf ModelProto, has no IR version or graph, or nests subgraphs deeper than
    /// <see cref="OnnxReadLimits.MaxGraphDepth"/>.</exception>
    public static ModelProto ReadModel(string path, OnnxReadLimits? limits = null)
    {
        limits ??= OnnxReadLimits.Default;
        var model = Read(path, ModelProto.Parser, "ONNX model", limits);
        if (!model.HasIrVersion || model.IrVersion < 1)
        {
            throw new BulwarkInputException($"{path}: not an ONNX model: it declares no IR version.");
        }
        if (model.Graph is null)
        {
            throw new BulwarkInputException($"{path}: not an ONNX model: it has no graph.");
        }
        if (OnnxGraphs.All(model).FirstOrDefault(s => s.Depth > limits.MaxGraphDepth) is { } deep)
        {
            throw new BulwarkInputException(
                $"{path}: not accepted as an ONNX model: {deep.Where} nests graphs {deep.Depth} deep, above the limit of {limits.MaxGraphDepth}.");
        }
        return model;
    }

    /// <summary>
    /// Parses an ONNX tensor file and checks that its dimensions agree with the data it holds
    /// (when the data is inline and of a type whose layout is known).
    /// </summary>
    /// <exception cref="BulwarkInputException">The file is missing, unreadable, oversized, not a
    /// protobuf TensorProto, or its dimensions are negative or disagree with its data.</exception>
    public static TensorProto ReadTensor(string path, OnnxReadLimits? limits = null)
    {
        var tensor = Read(path, TensorProto.Parser, "ONNX tensor", limits ?? OnnxReadLimits.Default);
        OnnxTensorLayout.Check(tensor, $"{path}: tensor '{tensor.Name}'");
        return tensor;
    }

    private static T Read<T>(string path, MessageParser<T> parser, string what, OnnxReadLimits limits)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.RecursionLimit);

        using var stream = Open(path);
        long length;
        try
        {
            length = stream.Length;
        }
        catch (IOException ex)
        {
            throw new BulwarkInputException($"{path}: cannot be read: {ex.Message}", ex);
        }
        if (length > limits.MaxBytes)
        {
            throw new BulwarkInputException($"{path}: {length} bytes is larger than the {limits.MaxBytes}-byte limit for an {what} file.");
        }
        if (length > int.MaxValue)
        {
            throw new BulwarkInputException($"{path}: {length} bytes is larger than one protobuf message can be; weights that large belong in external data.");
        }

        // The size limit matches the file so that no length prefix inside it can claim more than is
        // there; protobuf wants it positive even for an empty file.
        using var input = CodedInputStream.CreateWithLimits(stream, (int)Math.Max(1, length), limits.RecursionLimit);
        try
        {
            return parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException ex) when (ex.Message.Contains("nesting", StringComparison.Ordinal))
        {
            throw new BulwarkInputException($"{path}: not accepted as an {what} file: its messages nest deeper than the limit of {limits.RecursionLimit} levels.", ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new BulwarkInputException($"{path}: not a valid {what} file (truncated or not protobuf): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new BulwarkInputException($"{path}: cannot be read: {ex.Message}", ex);
        }
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BulwarkInputException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BulwarkInputException($"{path}: cannot be opened: {ex.Message}", ex);
        }
    }
}
