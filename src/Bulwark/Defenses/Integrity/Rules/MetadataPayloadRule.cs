using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Producer fields, doc strings, metadata properties and string attributes that carry an executable
/// payload (<see cref="PayloadSignatures"/>). ONNX never executes them, but the model file then
/// smuggles the payload to whatever tooling unpickles, evaluates or renders its metadata.
/// </summary>
internal sealed class MetadataPayloadRule : IModelScanRule
{
    public string Id => "metadata-payload";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var (text, where) in context.Strings())
        {
            if (text.Length > 0 && PayloadSignatures.Find(text) is { } payload)
            {
                yield return new ModelScanFinding(Severity.High, Id, $"carries {payload}.", where);
            }
        }
    }
}
