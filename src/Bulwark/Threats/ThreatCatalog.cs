namespace Bulwark.Threats;

/// <summary>The threat catalogue of DESIGN.md as data: one entry per threat, T1 to T15, in order.</summary>
public static class ThreatCatalog
{
    private const string NotYetPrefix = "not assessed yet: ";

    /// <summary>All fifteen threats, in id order.</summary>
    public static IReadOnlyList<Threat> All { get; } =
    [
        new(ThreatId.T1, "Stealthy channel",
            "Fraudulent records are slipped in through one data source while the data is being collected, so the model learns from them.",
            "before training (data collection)",
            new(Influence.Causative, Specificity.Both, Violation.Integrity),
            ["ML02"], ["AML.T0020", "AML.T0010.002", "AML.T0059"],
            ["signed data-provenance manifests per source", "per-source outlier and impact analysis"],
            ThreatAssessment.NotYet(NotYetPrefix + "needs source-level data injection and provenance manifests (planned)")),
        new(ThreatId.T2, "Label flipping",
            "The attacker changes the labels of some training samples, at random, between a pair of classes, or where it hurts the loss most.",
            "training",
            new(Influence.Causative, Specificity.Both, Violation.Integrity | Violation.Availability),
            ["ML02"], ["AML.T0020", "AML.T0031"],
            ["label-consistency (k-NN) sanitisation", "RONI (reject on negative impact)", "trusted special test set gate"],
            ThreatAssessment.NotYet(NotYetPrefix + "poisoning attacks and the retraining harness are not built yet")),
        new(ThreatId.T3, "Gradient-based poisoning",
            "Poison points are optimised against the learner so that training on them raises the test error as much as possible.",
            "training",
            new(Influence.Causative, Specificity.Both, Violation.Availability),
            ["ML02"], ["AML.T0020", "AML.T0031"],
            ["sanitisation", "RONI", "loss and influence outliers", "regularisation"],
            ThreatAssessment.NotYet(NotYetPrefix + "optimised poisoning needs bilevel gradients through training, not built yet")),
        new(ThreatId.T4, "Gradient descent attack",
            "Training is made to stall (labels that oscillate) or to stop early (batches that fake convergence).",
            "training",
            new(Influence.Causative, Specificity.Indiscriminate, Violation.Availability),
            ["ML02", "ML10"], ["AML.T0020", "AML.T0031"],
            ["convergence and loss-curve monitors", "held-out gate"],
            ThreatAssessment.NotYet(NotYetPrefix + "training-process attacks and loss-curve monitors are not built yet")),
        new(ThreatId.T5, "Backdoor / trojan",
            "A trigger (a patch, or clean-label poison) is planted during training so that any input carrying it goes to the attacker's class.",
            "training",
            new(Influence.Causative, Specificity.Targeted, Violation.Integrity),
            ["ML02", "ML10"], ["AML.T0020", "AML.T0018.000", "AML.T0043.004"],
            ["activation clustering", "spectral signatures", "STRIP (runtime)", "Neural Cleanse (trigger reverse-engineering)"],
            ThreatAssessment.NotYet(NotYetPrefix + "backdoor poisoning and backdoor scans are not built yet")),
        new(ThreatId.T6, "Transfer learning attack",
            "A pretrained model is trojaned or swapped in the supply chain; its backdoor or unsafe content survives into the fine-tuned model.",
            "supply chain",
            new(Influence.Causative, Specificity.Targeted, Violation.Integrity),
            ["ML07", "ML06"], ["AML.T0010.003", "AML.T0058", "AML.T0018.000", "AML.T0011.000"],
            ["model-file integrity (hash pinning, signatures)", "model-file safety scan", "backdoor scans of the base model"],
            ThreatAssessment.By("`bulwark scan` scenario model-file-scan, and `bulwark model scan` (hash pinning, external data, custom operators, constant-folding bombs, hidden content)")),
        new(ThreatId.T7, "Evasion, white-box",
            "With the model's gradients, the attacker crafts small input perturbations that change the prediction.",
            "inference",
            new(Influence.Exploratory, Specificity.Both, Violation.Integrity),
            ["ML01"], ["AML.T0015", "AML.T0043.000"],
            ["adversarial training", "input preprocessing (feature squeezing, smoothing)", "adversarial-input detection", "randomised-smoothing certification"],
            ThreatAssessment.By("`bulwark scan` scenario pgd-robustness; `bulwark attack` (FGSM, BIM, PGD, MI-FGSM, APGD, C&W, DeepFool), `bulwark robustness`, `bulwark certify`")),
        new(ThreatId.T8, "Evasion, black-box",
            "Through the prediction API alone, the attacker searches for inputs the model gets wrong; for spam filters, by adding good words.",
            "inference",
            new(Influence.Exploratory, Specificity.Both, Violation.Integrity),
            ["ML01"], ["AML.T0015", "AML.T0043.001", "AML.T0043.003"],
            ["query monitoring", "output hardening", "randomisation"],
            ThreatAssessment.By("`bulwark scan` scenarios square-attack and good-word (text filters); `bulwark attack` (HopSkipJump, Square, SimBA, Boundary, NES)")),
        new(ThreatId.T9, "Online-learner manipulation",
            "The attacker feeds an online learner through its feedback loop, drifting it slowly until it misbehaves.",
            "production (online updates)",
            new(Influence.Causative, Specificity.Both, Violation.Integrity | Violation.Availability),
            ["ML08", "ML02"], ["AML.T0020", "AML.T0031"],
            ["drift detection (Page-Hinkley, ADWIN, KS)", "update gates against the special test set"],
            ThreatAssessment.NotYet(NotYetPrefix + "online-learning simulation and drift detectors are not built yet")),
        new(ThreatId.T10, "Output integrity",
            "Predictions are rewritten between the model and the system that consumes them.",
            "production (between model and consumer)",
            new(Influence.None, Specificity.Targeted, Violation.Integrity),
            ["ML09"], [],
            ["signed predictions (Ed25519 or HMAC) verified by the consumer"],
            ThreatAssessment.NotYet(NotYetPrefix + "prediction signing belongs to the Guard service, not built yet")),
        new(ThreatId.T11, "Model stealing",
            "The attacker queries the prediction API to rebuild the model: by solving equations, finding paths, or training a substitute.",
            "production",
            new(Influence.Exploratory, Specificity.Indiscriminate, Violation.Confidentiality),
            ["ML05"], ["AML.T0024.002", "AML.T0005.001"],
            ["PRADA-style probing detection", "query budgets", "output rounding, top-k or label-only outputs", "honeypot queries"],
            ThreatAssessment.NotYet(NotYetPrefix + "extraction attacks are not built yet")),
        new(ThreatId.T12, "Membership inference",
            "From the model's outputs, the attacker tells whether a given record was in the training set.",
            "production",
            new(Influence.Exploratory, Specificity.Targeted, Violation.Confidentiality),
            ["ML04"], ["AML.T0024.000"],
            ["DP-SGD", "regularisation", "output hardening"],
            ThreatAssessment.NotYet(NotYetPrefix + "membership-inference attacks (threshold, shadow models, LiRA) are not built yet")),
        new(ThreatId.T13, "Model inversion",
            "From the model's outputs, the attacker reconstructs what a class's training inputs look like.",
            "production",
            new(Influence.Exploratory, Specificity.Targeted, Violation.Confidentiality),
            ["ML03"], ["AML.T0024.001"],
            ["output hardening", "differential privacy"],
            ThreatAssessment.NotYet(NotYetPrefix + "model-inversion attacks are not built yet")),
        new(ThreatId.T14, "Unintended memorisation",
            "The model memorises rare secrets in its training data, which the attacker then extracts from it.",
            "training (exposed in production)",
            new(Influence.Exploratory, Specificity.Targeted, Violation.Confidentiality),
            ["ML03", "ML04"], ["AML.T0024"],
            ["DP-SGD"],
            ThreatAssessment.NotYet(NotYetPrefix + "canary insertion and the exposure metric are not built yet")),
        new(ThreatId.T15, "Federated learning attacks",
            "Malicious clients send poisoned or scaled updates (sign flips, model replacement, label flips); an honest-but-curious server reconstructs clients' data from their gradients.",
            "training (federated rounds)",
            new(Influence.Causative | Influence.Exploratory, Specificity.Both, Violation.Integrity | Violation.Availability | Violation.Confidentiality),
            ["ML02", "ML10"], ["AML.T0020", "AML.T0018.000"],
            ["robust aggregation (Krum, median, trimmed mean, norm clipping)", "secure aggregation with homomorphic encryption (Paillier)", "differential privacy"],
            ThreatAssessment.NotYet(NotYetPrefix + "federated simulation and gradient-leakage attacks are not built yet")),
    ];

    /// <summary>The threat with the given id.</summary>
    public static Threat Get(ThreatId id) =>
        All.FirstOrDefault(t => t.Id == id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "no such threat in the catalogue");

    /// <summary>The threat named by <paramref name="id"/> ("T7" or "t7"), or null when there is none.</summary>
    public static Threat? Find(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }
        string s = id.Trim();
        if (s.Length < 2 || (s[0] != 'T' && s[0] != 't') || !int.TryParse(s.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            return null;
        }
        return All.FirstOrDefault(t => (int)t.Id == n);
    }
}
