namespace Bulwark.Threats;

/// <summary>Whether Bulwark can measure a threat today, and with what (or why not yet).</summary>
/// <param name="Assessable">True when a Bulwark capability measures this threat now.</param>
/// <param name="Description">The capability that measures it, or the reason it is not assessed yet.</param>
public sealed record ThreatAssessment(bool Assessable, string Description)
{
    /// <summary>A threat that the named capability measures.</summary>
    public static ThreatAssessment By(string capability) => new(true, capability);

    /// <summary>A threat that Bulwark does not measure yet, with the reason.</summary>
    public static ThreatAssessment NotYet(string reason) => new(false, reason);
}
