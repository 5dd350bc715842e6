namespace Bulwark.Data;

/// <summary>How <see cref="JsonlTextLoader"/> reads labelled documents.</summary>
public sealed record JsonlTextOptions
{
    /// <summary>The options used when none are given.</summary>
    public static JsonlTextOptions Default { get; } = new();

    /// <summary>The field holding the document, a string. Default <c>text</c>.</summary>
    public string TextField { get; init; } = "text";

    /// <summary>The field holding the label: a string, or a whole number. Default <c>label</c>.</summary>
    public string LabelField { get; init; } = "label";

    /// <summary>The number of classes when the labels are whole numbers. Default: the largest label plus one.</summary>
    public int? ClassCount { get; init; }

    /// <summary>File size and line count limits.</summary>
    public DataLimits Limits { get; init; } = DataLimits.Default;
}
