using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Data;

namespace Bulwark.Assessment;

/// <summary>What a scan found on one target, one finding per threat (T1–T15, in order) or more where several scenarios ran.</summary>
public sealed record TargetReport
{
    /// <summary>The target's name.</summary>
    public required string Name { get; init; }

    /// <summary>The model file, when there is one.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The prediction endpoint, when there is one.</summary>
    public string? Endpoint { get; init; }

    /// <summary>SHA-256 of the model file (lowercase hex), when there is one.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>White-box or black-box.</summary>
    public required ModelAccess Access { get; init; }

    /// <summary>Image, tabular or text.</summary>
    public required FeatureKind Modality { get; init; }

    /// <summary>The evaluation data's name.</summary>
    public required string DataName { get; init; }

    /// <summary>Samples (or messages) in the evaluation data.</summary>
    public required int Samples { get; init; }

    /// <summary>The model's classes.</summary>
    public required int ClassCount { get; init; }

    /// <summary>The model's input shape, without the batch.</summary>
    public required IReadOnlyList<int> InputShape { get; init; }

    /// <summary>The findings, by threat id.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>What identifies "the same model" across scans: the file hash, else the endpoint, else the name.</summary>
    public string ModelKey => ModelSha256 is { } h ? "sha256:" + h : Endpoint is { } e ? "endpoint:" + e : "name:" + Name;
}

/// <summary>The result of one scan: its settings and a report per target.</summary>
public sealed record ScanReport
{
    /// <summary>Bulwark's version that ran the scan.</summary>
    public string ToolVersion { get; init; } = CurrentVersion;

    /// <summary>When the scan started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The budget's name.</summary>
    public required string Budget { get; init; }

    /// <summary>The seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The threats asked for (all fifteen unless restricted).</summary>
    public required IReadOnlyList<Threats.ThreatId> RequestedThreats { get; init; }

    /// <summary>One report per target.</summary>
    public required IReadOnlyList<TargetReport> Targets { get; init; }

    /// <summary>Every finding of every target.</summary>
    public IEnumerable<(TargetReport Target, Finding Finding)> AllFindings => Targets.SelectMany(t => t.Findings.Select(f => (t, f)));

    /// <summary>The highest severity of any assessed finding, or null when none was assessed.</summary>
    public Severity? Highest => AllFindings.Select(p => p.Finding.Severity).Max();

    /// <summary>Findings at or above <paramref name="severity"/>.</summary>
    public IEnumerable<(TargetReport Target, Finding Finding)> AtLeast(Severity severity) =>
        AllFindings.Where(p => p.Finding.Severity is { } s && s >= severity);

    /// <summary>Findings whose scenario failed.</summary>
    public IEnumerable<(TargetReport Target, Finding Finding)> Errors => AllFindings.Where(p => p.Finding.Status == FindingStatus.Error);

    /// <summary>
    /// A short id derived from what the scan was (start time, settings, model keys): the same
    /// inputs at the same time give the same id, so reports are reproducible byte for byte.
    /// </summary>
    public string Id
    {
        get
        {
            var text = new StringBuilder()
                .Append(StartedUtc.UtcTicks).Append('|').Append(Budget).Append('|').Append(Seed).Append('|')
                .AppendJoin(',', RequestedThreats).Append('|').AppendJoin(',', Targets.Select(t => t.ModelKey));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        }
    }

    /// <summary>The running assembly's informational version, without build metadata.</summary>
    public static string CurrentVersion { get; } =
        (typeof(ScanReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
