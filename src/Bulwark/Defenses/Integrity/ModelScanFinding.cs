using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity;

/// <summary>One thing the model-file scan found.</summary>
/// <param name="Severity">How much it matters.</param>
/// <param name="RuleId">The rule that found it, e.g. <c>external-data-escape</c> (see docs/models.md).</param>
/// <param name="What">What is wrong, in words, with the offending values.</param>
/// <param name="Where">Where in the model, e.g. <c>graph 'main' / node 3 'pad' (Pad)</c> or <c>metadata_props['notes']</c>.</param>
public sealed record ModelScanFinding(Severity Severity, string RuleId, string What, string Where);
