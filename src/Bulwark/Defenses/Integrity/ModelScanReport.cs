using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity;

/// <summary>The result of scanning one model file with <see cref="ModelFileScanner"/>.</summary>
/// <param name="Path">The file scanned, as given.</param>
/// <param name="FileBytes">Its size, or null when it could not be examined.</param>
/// <param name="Sha256">Its SHA-256 in lower-case hexadecimal, or null when it could not be read.</param>
/// <param name="Findings">What the rules found, in rule order.</param>
public sealed record ModelScanReport(string Path, long? FileBytes, string? Sha256, IReadOnlyList<ModelScanFinding> Findings)
{
    /// <summary>The most severe finding's severity, or null when there is none.</summary>
    public Severity? Highest => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);

    /// <summary>The findings at or above <paramref name="severity"/>.</summary>
    public IEnumerable<ModelScanFinding> AtLeast(Severity severity) => Findings.Where(f => f.Severity >= severity);

    /// <summary>True when some finding is at or above <paramref name="severity"/> (the CI gate of <c>--fail-on</c>).</summary>
    public bool HasAtLeast(Severity severity) => Findings.Any(f => f.Severity >= severity);
}
