using System.Globalization;
using Bulwark.Engine;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Bulwark.Models;

/// <summary>
/// A black-box <see cref="IClassifier"/> over a trained ML.NET model (an <see cref="ITransformer"/>
/// ending in a multiclass trainer, https://learn.microsoft.com/dotnet/machine-learning/): each
/// tensor row becomes one value of the float-vector feature column, and the trainer's score
/// column, reordered into class-index order, becomes the probability row.
/// </summary>
/// <remarks>
/// <para>ML.NET trains multiclass models on key-typed labels. <c>MapValueToKey</c> numbers label
/// values by first appearance in the training data unless told otherwise, so score slot k is
/// not class k in general: a training set starting with a "9" puts class 9 in slot 0. This
/// adapter reads the label value of each slot from the score column's
/// <c>TrainingLabelValues</c> annotation (falling back to its slot names) and maps it to a class
/// index, by <see cref="MlNetClassifierOptions.ClassLabels"/> or by reading it as an integer.
/// A score column without either annotation (a label that was a key from the start) is taken
/// in slot order.</para>
/// <para>The model is fed a view with only the feature column, so transforms that read the
/// label must be left out of the scoring model: append them with
/// <see cref="TransformerScope.TrainTest"/> and pass <c>chain.GetModelFor(TransformerScope.Scoring)</c>,
/// or pass the trainer's own transformer.</para>
/// </remarks>
public sealed class MlNetClassifier : IClassifier
{
    private const string Where = "ML.NET model";

    // ML.NET's annotation kinds (AnnotationUtils.Kinds is internal to ML.NET).
    private const string TrainingLabelValues = "TrainingLabelValues";
    private const string SlotNames = "SlotNames";
    private readonly MLContext context;
    private readonly ITransformer model;
    private readonly SchemaDefinition inputSchema;
    private readonly int[] inputShape;
    private readonly int featureCount;
    private readonly int[] classOfSlot;
    private readonly string scoreColumn;
    private readonly ScoreKind scores;

    /// <summary>Wraps a trained model whose feature column holds <paramref name="featureCount"/> floats.</summary>
    /// <exception cref="BulwarkInputException">The model has no suitable score column, or its label values do not map to distinct class indices.</exception>
    public MlNetClassifier(MLContext context, ITransformer model, int featureCount, MlNetClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new MlNetClassifierOptions();
        if (featureCount < 1)
            throw new BulwarkInputException($"{Where}: the feature count must be positive, got {featureCount}");
        inputShape = ClassifierInput.CheckSampleShape(options.InputShape ?? [featureCount], Where);
        if (inputShape.Aggregate(1, (a, b) => a * b) != featureCount)
            throw new BulwarkInputException($"{Where}: input shape {ClassifierInput.Format(inputShape)} does not hold {featureCount} features");
        ClassifierInput.CheckMaxBatchSize(options.MaxBatchSize, Where);
        this.context = context;
        this.model = model;
        this.featureCount = featureCount;
        scoreColumn = options.ScoreColumn;
        scores = options.Scores;
        Bounds = options.Bounds;
        MaxBatchSize = options.MaxBatchSize;
        inputSchema = SchemaDefinition.Create(typeof(FeatureRow));
        inputSchema[0].ColumnName = options.FeatureColumn;
        inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);

        DataViewSchema outputSchema;
        try
        {
            outputSchema = model.GetOutputSchema(context.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), inputSchema).Schema);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            throw new BulwarkInputException($"{Where}: the model does not accept a view with only the float vector column '{options.FeatureColumn}' of size {featureCount}: {e.Message}", e);
        }
        var score = outputSchema.GetColumnOrNull(scoreColumn)
            ?? throw new BulwarkInputException($"{Where}: no output column '{scoreColumn}'; the outputs are {string.Join(", ", outputSchema.Select(c => c.Name))}");
        if (score.Type is not VectorDataViewType { ItemType: var item, Size: > 1 and var slots } || item != NumberDataViewType.Single)
            throw new BulwarkInputException($"{Where}: column '{scoreColumn}' is {score.Type}, not a float vector of known size; is the model a multiclass classifier?");
        classOfSlot = MapSlots(score, slots, options.ClassLabels);
        ClassCount = options.ClassCount ?? classOfSlot.Max() + 1;
        ClassifierInput.CheckClassCount(ClassCount, Where);
        if (classOfSlot.Max() >= ClassCount)
            throw new BulwarkInputException($"{Where}: the model knows class {classOfSlot.Max()}, outside the class count {ClassCount}");
    }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => inputShape;

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds { get; }

    /// <summary>Most samples per transform.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The class index of each score slot, in slot order.</summary>
    public IReadOnlyList<int> ClassOfSlot => classOfSlot;

    /// <inheritdoc />
    public Tensor PredictProba(Tensor batch)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Where);
        return ClassifierInput.MapChunks(batch, MaxBatchSize, (chunk, _) => Predict(chunk));
    }

    private Tensor Predict(Tensor chunk)
    {
        int n = chunk.Dim(0);
        var values = chunk.ToArray();
        var rows = new FeatureRow[n];
        for (int i = 0; i < n; i++)
            rows[i] = new FeatureRow { Features = values.AsSpan(i * featureCount, featureCount).ToArray() };
        var output = model.Transform(context.Data.LoadFromEnumerable(rows, inputSchema));
        int slots = classOfSlot.Length;
        var raw = new float[n * slots];
        int r = 0;
        foreach (var row in output.GetColumn<float[]>(scoreColumn))
        {
            if (r == n || row.Length != slots)
                throw new BulwarkInputException($"{Where}: column '{scoreColumn}' returned an unexpected row (row {r}, {row.Length} slots, expected {n} rows of {slots})");
            row.CopyTo(raw, r++ * slots);
        }
        if (r != n)
            throw new BulwarkInputException($"{Where}: {n} samples went in but {r} score rows came out");
        ClassScores.Normalise(raw, slots, scores, Where);
        var probabilities = new float[n * ClassCount];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < slots; k++)
                probabilities[i * ClassCount + classOfSlot[k]] = raw[i * slots + k];
        return Tensor.FromArray(probabilities, n, ClassCount);
    }

    private static int[] MapSlots(DataViewSchema.Column score, int slots, IReadOnlyList<string>? classLabels)
    {
        var labels = ReadAnnotation(score, TrainingLabelValues)
            ?? ReadAnnotation(score, SlotNames);
        if (labels is null)
            return Enumerable.Range(0, slots).ToArray();
        if (labels.Length != slots)
            throw new BulwarkInputException($"{Where}: column '{score.Name}' has {slots} slots but {labels.Length} label values");
        var classes = new int[slots];
        for (int k = 0; k < slots; k++)
            classes[k] = ClassIndex(labels[k], classLabels, k);
        var repeated = classes.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new BulwarkInputException($"{Where}: several score slots map to class {repeated.Key}");
        return classes;
    }

    private static int ClassIndex(string label, IReadOnlyList<string>? classLabels, int slot)
    {
        if (classLabels is not null)
        {
            for (int index = 0; index < classLabels.Count; index++)
                if (string.Equals(classLabels[index], label, StringComparison.Ordinal))
                    return index;
            throw new BulwarkInputException($"{Where}: the label '{label}' of score slot {slot} is not among the class labels [{string.Join(", ", classLabels)}]");
        }
        return double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0 && value <= int.MaxValue && value == Math.Floor(value)
            ? (int)value
            : throw new BulwarkInputException($"{Where}: the label '{label}' of score slot {slot} is not a class index; give ClassLabels to map label text to classes");
    }

    /// <summary>A vector annotation of the score column as invariant text, or null when absent.</summary>
    private static string[]? ReadAnnotation(DataViewSchema.Column score, string kind)
    {
        var column = score.Annotations.Schema.GetColumnOrNull(kind);
        if (column is not { Type: VectorDataViewType vector })
            return null;
        return vector.ItemType.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Read<ReadOnlyMemory<char>>(score, kind),
            var t when t == typeof(float) => Read<float>(score, kind),
            var t when t == typeof(double) => Read<double>(score, kind),
            var t when t == typeof(int) => Read<int>(score, kind),
            var t when t == typeof(uint) => Read<uint>(score, kind),
            var t when t == typeof(long) => Read<long>(score, kind),
            var t when t == typeof(ulong) => Read<ulong>(score, kind),
            var t when t == typeof(short) => Read<short>(score, kind),
            var t when t == typeof(ushort) => Read<ushort>(score, kind),
            var t when t == typeof(byte) => Read<byte>(score, kind),
            var t when t == typeof(sbyte) => Read<sbyte>(score, kind),
            var t when t == typeof(bool) => Read<bool>(score, kind),
            var t => throw new BulwarkInputException($"{Where}: the {kind} of column '{score.Name}' hold {t.Name} values, which cannot name classes"),
        };
    }

    private static string[] Read<T>(DataViewSchema.Column score, string kind)
    {
        VBuffer<T> buffer = default;
        score.Annotations.GetValue(kind, ref buffer);
        return buffer.DenseValues().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    /// <summary>One sample as ML.NET sees it; the schema definition renames and sizes the column.</summary>
    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
