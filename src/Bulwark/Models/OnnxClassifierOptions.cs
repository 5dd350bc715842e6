namespace Bulwark.Models;

/// <summary>Options of <see cref="OnnxClassifier"/>.</summary>
public sealed record OnnxClassifierOptions
{
    /// <summary>One sample's shape; needed only when the model's input has symbolic dimensions beyond the batch axis.</summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>
    /// Whether the first output holds logits or probabilities. Detect runs a few seeded random
    /// samples at load: rows that are non-negative and sum to one mean probabilities, whose
    /// logarithm then serves as the logits (cross-entropy is unchanged by that).
    /// </summary>
    public ScoreKind Scores { get; init; } = ScoreKind.Detect;

    /// <summary>Samples per forward pass.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>The input box.</summary>
    public InputBounds Bounds { get; init; } = InputBounds.Unit;

    /// <summary>Limits of the import (file size, value sizes).</summary>
    public Onnx.OnnxImportOptions Import { get; init; } = Onnx.OnnxImportOptions.Default;
}
