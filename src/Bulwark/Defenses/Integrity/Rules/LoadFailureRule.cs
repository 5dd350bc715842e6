using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// The file could not be examined as a model for one reason (<paramref name="failure"/>): missing or
/// unreadable, above the size limit, or not a well-formed ONNX model. All are high: a consumer must not
/// load what the scan could not vouch for.
/// </summary>
internal sealed class LoadFailureRule(string id, ModelLoadFailure failure) : IModelScanRule
{
    public string Id => id;

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context) =>
        context.Failure == failure
            ? [new ModelScanFinding(Severity.High, Id, context.FailureMessage, context.Path)]
            : [];
}
