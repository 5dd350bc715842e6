using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// A node whose operator comes from a domain the ONNX specification does not define. Such an operator
/// is native code the runtime must load and trust (a custom-op library), so a model that needs one is
/// a supply-chain risk of its own. Calls to functions the model itself defines are not custom code.
/// </summary>
internal sealed class CustomOperatorRule : IModelScanRule
{
    public string Id => "custom-op-domain";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var scanned in context.Nodes())
        {
            var node = scanned.Node;
            if (!OnnxOperatorNames.IsStandardDomain(node.Domain) && !context.DefinesFunction(node.Domain, node.OpType))
            {
                yield return new ModelScanFinding(
                    Severity.High,
                    Id,
                    $"operator '{node.OpType}' comes from custom domain '{node.Domain}': it runs native code that the runtime must load from outside the model.",
                    scanned.Where);
            }
        }
    }
}
