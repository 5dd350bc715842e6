namespace Bulwark.Data;

/// <summary>How <see cref="IdxDatasetLoader"/> and <see cref="NpzDatasetLoader"/> read labelled arrays.</summary>
public sealed record ArrayDatasetOptions
{
    /// <summary>The options used when none are given.</summary>
    public static ArrayDatasetOptions Default { get; } = new();

    /// <summary>The number of classes; labels must lie in [0, ClassCount). Default: the largest label plus one.</summary>
    public int? ClassCount { get; init; }

    /// <summary>Human names of the classes, index = label; optional.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>File size and sample count limits.</summary>
    public DataLimits Limits { get; init; } = DataLimits.Default;
}
