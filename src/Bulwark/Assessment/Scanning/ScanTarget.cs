using Bulwark.Engine;
using Bulwark.Data;
using Bulwark.Models;

namespace Bulwark.Assessment;

/// <summary>How much of the model an attacker (and so the scan) can see.</summary>
public enum ModelAccess
{
    /// <summary>Weights and gradients are in process: white-box and black-box scenarios both run.</summary>
    WhiteBox = 0,

    /// <summary>Only predictions, through an API or a runtime without gradients: black-box scenarios only.</summary>
    BlackBox = 1,
}

/// <summary>
/// A text classifier with what the text scenarios need: the vectoriser that turns a message into the
/// model's row of features, labelled messages to attack, and the attacker's own mail.
/// </summary>
/// <param name="Vectorizer">Text → the model's features.</param>
/// <param name="Messages">Labelled messages the model is evaluated on (the held-out part).</param>
/// <param name="AttackerMail">Labelled mail the attacker has (word statistics for the good-word lists).</param>
/// <param name="SpamClass">The class index that means "blocked" (spam).</param>
public sealed record TextScanData(ITextVectorizer Vectorizer, TextCorpus Messages, TextCorpus AttackerMail, int SpamClass = 1);

/// <summary>
/// One model to scan and the data to scan it with. Exactly one of <see cref="Data"/> (numeric
/// features: images or tables) and <see cref="Text"/> is set.
/// </summary>
public sealed record ScanTarget
{
    /// <summary>A short name for reports ("fashion-mnist-cnn", the file name).</summary>
    public required string Name { get; init; }

    /// <summary>The model. An <see cref="IGradientClassifier"/> makes the target white-box.</summary>
    public required IClassifier Model { get; init; }

    /// <summary>The model file, when there is one (the model-file scan needs it).</summary>
    public string? ModelPath { get; init; }

    /// <summary>The prediction endpoint, when the model is behind one.</summary>
    public string? Endpoint { get; init; }

    /// <summary>What reports call the evaluation data; the data's own name when null.</summary>
    public string? DataName { get; init; }

    /// <summary>Labelled numeric evaluation data, [N, …] matching the model's input.</summary>
    public Dataset? Data { get; init; }

    /// <summary>Labelled texts and the vectoriser, for text models.</summary>
    public TextScanData? Text { get; init; }

    /// <summary>White-box when the model gives gradients.</summary>
    public ModelAccess Access => Model is IGradientClassifier ? ModelAccess.WhiteBox : ModelAccess.BlackBox;

    /// <summary>Image, tabular or text.</summary>
    public FeatureKind Modality => Text is not null ? FeatureKind.Text : Data?.Info.Kind ?? FeatureKind.Tabular;

    /// <summary>Class names by index (from the data), or empty.</summary>
    public IReadOnlyList<string> ClassNames => Text?.Messages.ClassNames ?? Data?.Info.ClassNames ?? [];

    /// <summary>Checks that model and data fit together; throws <see cref="BulwarkInputException"/> naming the target otherwise.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model);
        if (string.IsNullOrWhiteSpace(Name))
            throw new BulwarkInputException("scan target: the name is empty");
        if ((Data is null) == (Text is null))
            throw new BulwarkInputException($"scan target '{Name}': give either numeric data or text data, not {(Data is null ? "neither" : "both")}");
        int classes = Data?.ClassCount ?? Text!.Messages.ClassCount;
        if (classes > Model.ClassCount)
            throw new BulwarkInputException($"scan target '{Name}': the data has {classes} classes but the model has {Model.ClassCount}");
        if (Data is { } d)
        {
            if (d.Count == 0)
                throw new BulwarkInputException($"scan target '{Name}': the data '{d.Name}' has no samples");
            var shape = Model.InputShape;
            int expected = shape.Aggregate(1, (a, b) => a * b);
            int given = d.SampleShape.Aggregate(1, (a, b) => a * b);
            if (expected != given)
                throw new BulwarkInputException($"scan target '{Name}': samples of '{d.Name}' have shape [{string.Join(", ", d.SampleShape)}] ({given} values) but the model takes [{string.Join(", ", shape)}] ({expected})");
        }
        if (Text is { } t)
        {
            if (t.Messages.Count == 0)
                throw new BulwarkInputException($"scan target '{Name}': no messages to evaluate");
            if (t.SpamClass < 0 || t.SpamClass >= Model.ClassCount)
                throw new BulwarkInputException($"scan target '{Name}': spam class {t.SpamClass} is outside the model's {Model.ClassCount} classes");
        }
    }
}
