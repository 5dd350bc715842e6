namespace Bulwark.Threats;

/// <summary>The OWASP Machine Learning Security Top 10, 2023 edition: ids and titles.</summary>
public static class OwaspMlTop10
{
    /// <summary>Id → title.</summary>
    public static IReadOnlyDictionary<string, string> Titles { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ML01"] = "Input Manipulation Attack",
        ["ML02"] = "Data Poisoning Attack",
        ["ML03"] = "Model Inversion Attack",
        ["ML04"] = "Membership Inference Attack",
        ["ML05"] = "Model Theft",
        ["ML06"] = "AI Supply Chain Attacks",
        ["ML07"] = "Transfer Learning Attack",
        ["ML08"] = "Model Skewing",
        ["ML09"] = "Output Integrity Attack",
        ["ML10"] = "Model Poisoning",
    };
}
