namespace Bulwark.Assessment;

/// <summary>Whether a finding carries measurements.</summary>
public enum FindingStatus
{
    /// <summary>A scenario ran and measured the threat.</summary>
    Assessed = 0,

    /// <summary>Nothing was measured; <see cref="Finding.Reason"/> says why (never an invented number).</summary>
    NotAssessed = 1,

    /// <summary>The scenario failed; <see cref="Finding.Reason"/> holds the error. The other scenarios still ran.</summary>
    Error = 2,
}
