namespace Bulwark.Assessment;

/// <summary>What a finding shows beside its numbers: a chart, example inputs or a table.</summary>
/// <param name="Title">The caption.</param>
public abstract record Evidence(string Title);

/// <summary>One line of a <see cref="ChartEvidence"/>.</summary>
/// <param name="Label">The legend entry.</param>
/// <param name="X">The abscissae.</param>
/// <param name="Y">The ordinates, as many as <paramref name="X"/>.</param>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A line chart, such as robust accuracy against ε or attack success against queries.</summary>
/// <param name="Title">The caption.</param>
/// <param name="XLabel">The x-axis label.</param>
/// <param name="YLabel">The y-axis label.</param>
/// <param name="Series">The lines.</param>
public sealed record ChartEvidence(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series) : Evidence(Title);

/// <summary>One original input and the adversarial input made from it.</summary>
/// <param name="Original">The original pixels, C×H×W row-major.</param>
/// <param name="Adversarial">The adversarial pixels, same layout.</param>
/// <param name="TrueClass">The label.</param>
/// <param name="AdversarialClass">What the model predicts for the adversarial input.</param>
public sealed record ImageExample(float[] Original, float[] Adversarial, int TrueClass, int AdversarialClass);

/// <summary>Original / adversarial / difference images, drawn as a grid.</summary>
/// <param name="Title">The caption.</param>
/// <param name="Channels">C (1 grey, 3 RGB).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="Low">The pixel value drawn black.</param>
/// <param name="High">The pixel value drawn white.</param>
/// <param name="ClassNames">Names of the classes, by index (may be empty).</param>
/// <param name="Examples">The examples.</param>
public sealed record ImageExamplesEvidence(
    string Title, int Channels, int Height, int Width, float Low, float High,
    IReadOnlyList<string> ClassNames, IReadOnlyList<ImageExample> Examples) : Evidence(Title);

/// <summary>One message before and after a text attack.</summary>
/// <param name="Original">The message, possibly shortened for display.</param>
/// <param name="AddedWords">The words the attack appended.</param>
/// <param name="ScoreBefore">The filter's spam probability before.</param>
/// <param name="ScoreAfter">The filter's spam probability after.</param>
/// <param name="Evaded">Whether the filter let the edited message through.</param>
public sealed record TextExample(string Original, IReadOnlyList<string> AddedWords, double ScoreBefore, double ScoreAfter, bool Evaded);

/// <summary>Messages before and after a text attack.</summary>
/// <param name="Title">The caption.</param>
/// <param name="Examples">The examples.</param>
public sealed record TextExamplesEvidence(string Title, IReadOnlyList<TextExample> Examples) : Evidence(Title);

/// <summary>A plain table, such as the rules a model-file scan raised.</summary>
/// <param name="Title">The caption.</param>
/// <param name="Columns">The header.</param>
/// <param name="Rows">The cells, each row as long as <paramref name="Columns"/>.</param>
public sealed record TableEvidence(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows) : Evidence(Title);
