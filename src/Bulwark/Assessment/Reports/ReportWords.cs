using Bulwark.Data;
using Bulwark.Threats;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// The words the machine-readable reports use for the model's enums. Spelled out here rather than
/// taken from the enum names, so that renaming a member cannot change a versioned report format.
/// </summary>
internal static class ReportWords
{
    public static string Of(FindingStatus status) => status switch
    {
        FindingStatus.Assessed => "assessed",
        FindingStatus.NotAssessed => "not_assessed",
        FindingStatus.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Of(Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static string Of(MetricDirection direction) => direction switch
    {
        MetricDirection.Neutral => "neutral",
        MetricDirection.HigherIsBetter => "higher_is_better",
        MetricDirection.LowerIsBetter => "lower_is_better",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    public static string Of(Specificity specificity) => specificity switch
    {
        Specificity.Targeted => "targeted",
        Specificity.Indiscriminate => "indiscriminate",
        Specificity.Both => "both",
        _ => throw new ArgumentOutOfRangeException(nameof(specificity), specificity, null),
    };

    public static string Of(ModelAccess access) => access switch
    {
        ModelAccess.WhiteBox => "white_box",
        ModelAccess.BlackBox => "black_box",
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, null),
    };

    public static string Of(FeatureKind modality) => modality switch
    {
        FeatureKind.Image => "image",
        FeatureKind.Tabular => "tabular",
        FeatureKind.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, null),
    };

    /// <summary>The influences that apply, in a fixed order; none for <see cref="Influence.None"/>.</summary>
    public static IEnumerable<string> Of(Influence influence)
    {
        if (influence.HasFlag(Influence.Causative))
            yield return "causative";
        if (influence.HasFlag(Influence.Exploratory))
            yield return "exploratory";
    }

    /// <summary>The properties violated, in a fixed order; none for <see cref="Violation.None"/>.</summary>
    public static IEnumerable<string> Of(Violation violation)
    {
        if (violation.HasFlag(Violation.Integrity))
            yield return "integrity";
        if (violation.HasFlag(Violation.Availability))
            yield return "availability";
        if (violation.HasFlag(Violation.Confidentiality))
            yield return "confidentiality";
    }
}
