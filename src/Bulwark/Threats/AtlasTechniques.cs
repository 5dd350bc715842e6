namespace Bulwark.Threats;

/// <summary>
/// The MITRE ATLAS techniques the catalogue cites, with their names as in ATLAS data 5.6.0
/// (mitre-atlas/atlas-data, dist/ATLAS.yaml). ATLAS renamed "ML" to "AI" in many names;
/// the ids are stable.
/// </summary>
public static class AtlasTechniques
{
    /// <summary>Id → name.</summary>
    public static IReadOnlyDictionary<string, string> Names { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AML.T0005.001"] = "Create Proxy AI Model: Train Proxy via Replication",
        ["AML.T0010.002"] = "AI Supply Chain Compromise: Data",
        ["AML.T0010.003"] = "AI Supply Chain Compromise: Model",
        ["AML.T0011.000"] = "User Execution: Unsafe AI Artifacts",
        ["AML.T0015"] = "Evade AI Model",
        ["AML.T0018.000"] = "Manipulate AI Model: Poison AI Model",
        ["AML.T0020"] = "Poison Training Data",
        ["AML.T0024"] = "Exfiltration via AI Inference API",
        ["AML.T0024.000"] = "Exfiltration via AI Inference API: Infer Training Data Membership",
        ["AML.T0024.001"] = "Exfiltration via AI Inference API: Invert AI Model",
        ["AML.T0024.002"] = "Exfiltration via AI Inference API: Extract AI Model",
        ["AML.T0031"] = "Erode AI Model Integrity",
        ["AML.T0043.000"] = "Craft Adversarial Data: White-Box Optimization",
        ["AML.T0043.001"] = "Craft Adversarial Data: Black-Box Optimization",
        ["AML.T0043.003"] = "Craft Adversarial Data: Manual Modification",
        ["AML.T0043.004"] = "Craft Adversarial Data: Insert Backdoor Trigger",
        ["AML.T0058"] = "Publish Poisoned Models",
        ["AML.T0059"] = "Erode Dataset Integrity",
    };
}
