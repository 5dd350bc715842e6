namespace Bulwark.Defenses.Integrity;

/// <summary>One check of the model-file scan. Rules are listed explicitly in <see cref="ModelFileScanner"/>.</summary>
internal interface IModelScanRule
{
    /// <summary>The stable id findings carry, e.g. <c>constant-bomb</c>.</summary>
    string Id { get; }

    /// <summary>Examines the file and the parsed model (when it parsed) and returns what it found.</summary>
    IEnumerable<ModelScanFinding> Check(ModelScanContext context);
}
