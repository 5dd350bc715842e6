using Bulwark.Engine;
using Bulwark.Onnx.Proto;

namespace Bulwark.Onnx.Import;

/// <summary>Turns an initializer into a tensor message with inline data, resolving external data safely.</summary>
internal static class OnnxInitializers
{
    public static TensorProto Resolve(TensorProto tensor, string? directory, OnnxReadLimits limits)
    {
        _ = directory;
        _ = limits;
        if (OnnxTensorLayout.IsExternal(tensor))
            throw new BulwarkInputException($"ONNX initializer '{tensor.Name}': external data is not supported by this importer yet");
        return tensor;
    }
}
