namespace Bulwark.Threats;

/// <summary>One threat of the catalogue, as data.</summary>
/// <param name="Id">T1 … T15.</param>
/// <param name="Name">Short name.</param>
/// <param name="Summary">What the attacker does, in one or two sentences.</param>
/// <param name="WhenItStrikes">The stage of the model's life the attack acts on.</param>
/// <param name="Taxonomy">Barreno et al.'s axes.</param>
/// <param name="OwaspMlTop10">OWASP Machine Learning Security Top 10 (2023) ids, such as "ML01".</param>
/// <param name="AtlasTechniques">MITRE ATLAS technique ids, such as "AML.T0043.000".</param>
/// <param name="Defences">The defences and detectors that apply.</param>
/// <param name="AssessedBy">Which Bulwark capability measures it now, or why none does yet.</param>
public sealed record Threat(
    ThreatId Id,
    string Name,
    string Summary,
    string WhenItStrikes,
    ThreatTaxonomy Taxonomy,
    IReadOnlyList<string> OwaspMlTop10,
    IReadOnlyList<string> AtlasTechniques,
    IReadOnlyList<string> Defences,
    ThreatAssessment AssessedBy)
{
    /// <summary>The page that documents the threat, relative to the repository root.</summary>
    public string DocPath => $"docs/threats/{Id}.md";
}
