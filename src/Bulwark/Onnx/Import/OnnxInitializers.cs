using Bulwark.Engine;
using Bulwark.Onnx.Proto;

namespace Bulwark.Onnx.Import;

/// <summary>Turns an initializer into a tensor message with inline data, resolving external data safely.</summary>
internal sealed class OnnxInitializers(string? directory, OnnxReadLimits limits)
{
    private readonly OnnxExternalData? external = directory is null ? null : new OnnxExternalData(directory, limits);

    /// <summary>The tensor itself when its data is inline; otherwise a copy with the external bytes read in (with path checks).</summary>
    public TensorProto Resolve(TensorProto tensor)
    {
        if (!OnnxExternalData.IsExternal(tensor))
            return tensor;
        if (external is null)
            throw new BulwarkInputException($"ONNX initializer '{tensor.Name}' keeps its data in an external file, but the model was not loaded from a folder");
        return external.Inline(tensor);
    }
}
