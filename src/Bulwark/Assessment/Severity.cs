namespace Bulwark.Assessment;

/// <summary>
/// How much a finding matters, shared by every scan, scenario and report in Bulwark. The order is
/// meaningful: a CI gate such as <c>--fail-on medium</c> fails on every finding at or above it.
/// </summary>
public enum Severity
{
    /// <summary>Worth knowing; no action needed.</summary>
    Info = 0,

    /// <summary>Unusual or weakly suspicious; review when convenient.</summary>
    Low = 1,

    /// <summary>Likely to break or mislead a consumer, or suspicious enough to review before use.</summary>
    Medium = 2,

    /// <summary>Hostile or unsafe as it stands: do not load or deploy without investigation.</summary>
    High = 3,
}
