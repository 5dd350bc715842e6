namespace Bulwark.Threats;

/// <summary>The fifteen threats of Bulwark's catalogue (docs/threats/T1.md … T15.md).</summary>
public enum ThreatId
{
    /// <summary>Stealthy channel: fraudulent records injected during data collection.</summary>
    T1 = 1,

    /// <summary>Label flipping.</summary>
    T2,

    /// <summary>Gradient-based (optimised) poisoning.</summary>
    T3,

    /// <summary>Training made to stall or to stop early.</summary>
    T4,

    /// <summary>Backdoor or trojan.</summary>
    T5,

    /// <summary>Transfer-learning attack: trojaned or swapped pretrained model.</summary>
    T6,

    /// <summary>White-box evasion (adversarial examples).</summary>
    T7,

    /// <summary>Black-box evasion through the prediction API.</summary>
    T8,

    /// <summary>Manipulation of online learners through their feedback loop.</summary>
    T9,

    /// <summary>Output integrity: predictions tampered between model and consumer.</summary>
    T10,

    /// <summary>Model stealing (extraction) through the prediction API.</summary>
    T11,

    /// <summary>Membership inference.</summary>
    T12,

    /// <summary>Model inversion.</summary>
    T13,

    /// <summary>Unintended memorisation of secrets in the training data.</summary>
    T14,

    /// <summary>Federated learning: malicious clients and gradient leakage.</summary>
    T15,
}
