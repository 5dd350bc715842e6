namespace Bulwark.Data;

/// <summary>How <see cref="CsvDatasetLoader"/> reads a table.</summary>
public sealed record CsvOptions
{
    /// <summary>The options used when none are given.</summary>
    public static CsvOptions Default { get; } = new();

    /// <summary>The header name of the label column. Default <c>label</c>.</summary>
    public string LabelColumn { get; init; } = "label";

    /// <summary>The field separator. Default a comma.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// When true, missing feature cells (empty, <c>NaN</c>, <c>NA</c>, <c>N/A</c>, <c>null</c>) are
    /// replaced by the mean of the column's present values; when false (default) they are errors.
    /// A missing label is always an error.
    /// </summary>
    public bool AllowMissing { get; init; }

    /// <summary>The number of classes when the labels are whole numbers. Default: the largest label plus one.</summary>
    public int? ClassCount { get; init; }

    /// <summary>File size and row count limits.</summary>
    public DataLimits Limits { get; init; } = DataLimits.Default;
}
