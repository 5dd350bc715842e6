namespace Bulwark.Models;

/// <summary>
/// How <see cref="OnnxRuntimeClassifier"/> reads a model: which input and output to use, what
/// the output holds, and how many samples go into one run. Everything left null is discovered
/// from the model's own input and output metadata.
/// </summary>
public sealed record OnnxRuntimeClassifierOptions
{
    /// <summary>The graph input fed with the batch; null takes the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>The graph output read as scores; null takes the first float output of rank 2.</summary>
    public string? OutputName { get; init; }

    /// <summary>The shape of one sample; null reads it from the input's fixed dimensions.</summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>Whether the output holds probabilities or logits; detected per run by default.</summary>
    public ScoreKind Scores { get; init; } = ScoreKind.Detect;

    /// <summary>Most samples per run when the model's batch axis is dynamic (a fixed batch axis wins).</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>The box valid inputs lie in; the unit interval by default.</summary>
    public InputBounds Bounds { get; init; } = InputBounds.Unit;
}
