using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// The IR version and the operator sets a model declares. An IR version newer than Bulwark's reader
/// (<see cref="OnnxFile.MaxIrVersion"/>) is medium: fields it does not know are skipped unread. A
/// default-domain opset outside 7 to 21 is low: operators changed meaning before 7, and versions after
/// 21 are newer than the importer targets. A standard operator used with no opset import for its
/// domain, or one domain imported twice, is medium: the operators' meaning is then undefined.
/// </summary>
internal sealed class VersionRule : IModelScanRule
{
    private const long MinOpset = 7;
    private const long MaxOpset = 21;

    public string Id => "version-range";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        if (context.Model is not { } model)
        {
            yield break;
        }
        if (model.IrVersion > OnnxFile.MaxIrVersion)
        {
            yield return new ModelScanFinding(Severity.Medium, Id, $"IR version {model.IrVersion} is newer than the {OnnxFile.MaxIrVersion} Bulwark reads; newer fields are ignored.", "ir_version");
        }
        else if (model.IrVersion < OnnxFile.MinIrVersion)
        {
            yield return new ModelScanFinding(Severity.Low, Id, $"IR version {model.IrVersion} is older than {OnnxFile.MinIrVersion}, the oldest ONNX 1.0 wrote.", "ir_version");
        }
        var imported = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            string domain = opset.Domain.Length == 0 ? OnnxOperatorNames.DefaultDomain : opset.Domain;
            if (!imported.TryAdd(domain, opset.Version))
            {
                yield return new ModelScanFinding(Severity.Medium, Id, $"opset of domain '{domain}' is imported more than once.", "opset_import");
            }
            else if (domain == OnnxOperatorNames.DefaultDomain && (opset.Version < MinOpset || opset.Version > MaxOpset))
            {
                yield return new ModelScanFinding(Severity.Low, Id, $"default-domain opset {opset.Version} is outside {MinOpset} to {MaxOpset}.", "opset_import");
            }
        }
        foreach (string domain in context.Graphs.SelectMany(s => s.Graph.Node).Select(n => n.Domain.Length == 0 ? OnnxOperatorNames.DefaultDomain : n.Domain)
            .Where(OnnxOperatorNames.IsStandardDomain).Distinct().Where(d => !imported.ContainsKey(d)))
        {
            yield return new ModelScanFinding(Severity.Medium, Id, $"nodes use domain '{domain}' but the model imports no opset for it.", "opset_import");
        }
    }
}
