using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>The file's SHA-256 differs from the one pinned when the model was vetted.</summary>
internal sealed class Sha256MismatchRule : IModelScanRule
{
    public string Id => "sha256-mismatch";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        if (ModelFileScanner.NormaliseSha256(context.Options.ExpectedSha256) is not { } expected || context.Sha256 is null || context.Sha256 == expected)
        {
            return [];
        }
        return [new ModelScanFinding(Severity.High, Id, $"SHA-256 is {context.Sha256}, not the expected {expected}: this is not the file that was vetted.", context.Path)];
    }
}
