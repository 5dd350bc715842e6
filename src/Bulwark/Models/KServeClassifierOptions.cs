namespace Bulwark.Models;

/// <summary>
/// Where a <see cref="KServeClassifier"/> finds its model and how it talks to it. What is left
/// null is read from the model metadata by <see cref="KServeClassifier.ConnectAsync"/>.
/// </summary>
public sealed record KServeClassifierOptions
{
    /// <summary>The server's root, e.g. http://models.internal:8080/ (the v2 paths are appended).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The model's name in the URL.</summary>
    public required string ModelName { get; init; }

    /// <summary>A model version to address (<c>/versions/{v}</c>); null lets the server choose.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The model input the batch is sent as; null takes the only input in the metadata.</summary>
    public string? InputName { get; init; }

    /// <summary>The model output read as scores; null takes the first output of the response.</summary>
    public string? OutputName { get; init; }

    /// <summary>The shape of one sample; null reads it from the metadata.</summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>The number of classes; null reads it from the metadata, or from one probe query.</summary>
    public int? ClassCount { get; init; }

    /// <summary>Whether the output holds probabilities or logits; detected per request by default.</summary>
    public ScoreKind Scores { get; init; } = ScoreKind.Detect;

    /// <summary>Most samples per HTTP request; a larger batch becomes ceil(N / max) requests.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>The limit for one HTTP request, answer included. A request that runs over it is not retried.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Repeats of a request that failed in transport or with a 5xx status (so at most MaxRetries + 1 tries).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The wait before the first repeat; each further repeat waits twice as long.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The box valid inputs lie in; the unit interval by default.</summary>
    public InputBounds Bounds { get; init; } = InputBounds.Unit;
}
