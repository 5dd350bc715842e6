using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// A node in a standard ONNX domain whose operator the specification does not define: either a typo,
/// a newer operator than this scanner knows, or a name chosen to be resolved by a permissive runtime.
/// </summary>
internal sealed class UnknownOperatorRule : IModelScanRule
{
    public string Id => "unknown-operator";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var scanned in context.Nodes())
        {
            var node = scanned.Node;
            if (OnnxOperatorNames.IsStandardDomain(node.Domain)
                && !OnnxOperatorNames.IsKnown(node.Domain, node.OpType)
                && !context.DefinesFunction(node.Domain, node.OpType))
            {
                string domain = node.Domain.Length == 0 ? OnnxOperatorNames.DefaultDomain : node.Domain;
                yield return new ModelScanFinding(Severity.Medium, Id, $"operator '{node.OpType}' is not defined in domain '{domain}'.", scanned.Where);
            }
        }
    }
}
