using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Checks every tensor stored as external data with <see cref="OnnxExternalData.TryLocate"/> (without
/// reading it) and reports the faults in <paramref name="faults"/>: one instance reports locations that
/// escape the model's folder, another data that is missing, out of range or of the wrong size.
/// </summary>
internal sealed class ExternalDataRule(string id, params OnnxExternalDataFault[] faults) : IModelScanRule
{
    public string Id => id;

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var (tensor, where) in context.Tensors())
        {
            if (OnnxExternalData.IsExternal(tensor)
                && !OnnxExternalData.TryLocate(tensor, context.ModelDirectory, out _, out var fault, out string problem)
                && faults.Contains(fault))
            {
                yield return new ModelScanFinding(Severity.High, Id, problem, where);
            }
        }
    }
}
