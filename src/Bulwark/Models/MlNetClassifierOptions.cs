namespace Bulwark.Models;

/// <summary>
/// How <see cref="MlNetClassifier"/> talks to an ML.NET model: the column the features go into,
/// the column the scores come out of, and how the trainer's label values map to class indices.
/// </summary>
public sealed record MlNetClassifierOptions
{
    /// <summary>The model's input column: a float vector of the known feature count.</summary>
    public string FeatureColumn { get; init; } = "Features";

    /// <summary>The multiclass trainer's score column, one slot per trained class.</summary>
    public string ScoreColumn { get; init; } = "Score";

    /// <summary>
    /// The training label value of each class index, as text ("cat", "dog", …); null reads the
    /// label values as integers, which are then the class indices themselves.
    /// </summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>The number of classes; null takes the largest class index seen in the model, plus one.</summary>
    public int? ClassCount { get; init; }

    /// <summary>The shape of one sample; null means a flat vector of the feature count.</summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>What the score column holds; detected per call by default.</summary>
    public ScoreKind Scores { get; init; } = ScoreKind.Detect;

    /// <summary>Most samples per transform.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>The box valid inputs lie in; the unit interval by default.</summary>
    public InputBounds Bounds { get; init; } = InputBounds.Unit;
}
