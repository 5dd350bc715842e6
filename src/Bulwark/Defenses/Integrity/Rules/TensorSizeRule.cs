using Bulwark.Assessment;
using Bulwark.Engine;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// A tensor held in the file whose dimensions disagree with the data it stores: a reader that trusts the
/// dimensions runs off the end of its buffer or misplaces values.
/// </summary>
internal sealed class TensorSizeRule : IModelScanRule
{
    public string Id => "tensor-size-mismatch";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var (tensor, where) in context.Tensors())
        {
            string? problem = null;
            try
            {
                OnnxTensorLayout.Check(tensor, "");
            }
            catch (BulwarkInputException ex)
            {
                problem = ex.Message.TrimStart(':', ' ');
            }
            if (problem is not null)
            {
                yield return new ModelScanFinding(Severity.High, Id, problem, where);
            }
        }
    }
}
