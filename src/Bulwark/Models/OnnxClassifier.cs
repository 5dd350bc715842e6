using Bulwark.Engine;
using Bulwark.Onnx;

namespace Bulwark.Models;

/// <summary>
/// The white-box view of an ONNX model file: the graph is imported onto the engine
/// (<see cref="OnnxModel"/>), so logits and exact input gradients come from the user's own model,
/// not a re-implementation of it. The model must have one floating-point input [N, ...] (the batch
/// axis first) and return class scores [N, classes] as its first output.
/// </summary>
public sealed class OnnxClassifier : GradientClassifierBase
{
    private readonly OnnxModel model;
    private readonly bool probabilities;

    private OnnxClassifier(OnnxModel model, int[] inputShape, int classes, bool probabilities, OnnxClassifierOptions options)
        : base(inputShape, classes, options.Bounds, options.MaxBatchSize)
    {
        this.model = model;
        this.probabilities = probabilities;
    }

    /// <summary>The imported graph.</summary>
    public OnnxModel Model => model;

    /// <summary>Whether the model's output is probabilities (their logarithm serves as logits).</summary>
    public bool OutputsProbabilities => probabilities;

    /// <summary>Imports the model file and checks it is a classifier.</summary>
    /// <exception cref="BulwarkInputException">The file is malformed or unsupported, or not shaped like a classifier.</exception>
    public static OnnxClassifier Load(string path, OnnxClassifierOptions? options = null)
    {
        options ??= new OnnxClassifierOptions();
        var model = OnnxModel.Load(path, options.Import);
        if (model.Inputs.Count != 1)
            throw new BulwarkInputException($"{path}: a classifier needs exactly one input; the model has {model.Inputs.Count} ({string.Join(", ", model.Inputs)})");
        var input = model.Inputs[0];
        if (!OnnxValue.IsFloatType(input.ElementType))
            throw new BulwarkInputException($"{path}: the input '{input.Name}' is {input.ElementType}; a classifier takes floating-point features");
        var shape = SampleShape(path, input, options.InputShape);
        int probe = 4;
        if (input.Dims![0].Size is { } fixedBatch)
        {
            if (fixedBatch != 1)
                throw new BulwarkInputException($"{path}: the input '{input.Name}' fixes the batch size at {fixedBatch}; only a free batch axis or batch size 1 is supported");
            probe = 1;
            options = options with { MaxBatchSize = 1 };
        }
        var rng = new Rng(0);
        var values = new float[probe * shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
            values[i] = options.Bounds.Lower + (rng.NextFloat() * options.Bounds.Range);
        Tensor scores;
        using (Engine.Autograd.Tape.NoGrad())
        {
            scores = model.Forward(Tensor.FromArray(values, [probe, .. shape]));
        }
        if (scores.Rank != 2 || scores.Shape[0] != probe)
            throw new BulwarkInputException($"{path}: the first output '{model.Outputs[0].Name}' has shape [{string.Join(", ", scores.Shape.ToArray())}] for a batch of {probe}; a classifier returns [N, classes]");
        bool probabilities = options.Scores switch
        {
            ScoreKind.Probabilities => true,
            ScoreKind.Logits => false,
            _ => ClassScores.AreProbabilities(scores.AsReadOnlySpan(), scores.Shape[1]),
        };
        return new OnnxClassifier(model, shape, scores.Shape[1], probabilities, options);
    }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor batch)
    {
        var scores = model.Forward(batch);
        return probabilities ? scores.Clamp(1e-30f, 1f).Log() : scores;
    }

    private static int[] SampleShape(string path, OnnxTensorInfo input, IReadOnlyList<int>? given)
    {
        var dims = input.Dims ?? throw new BulwarkInputException($"{path}: the input '{input.Name}' declares no shape; pass the sample shape");
        if (dims.Count < 2)
            throw new BulwarkInputException($"{path}: the input '{input.Name}' has rank {dims.Count}; a classifier takes [N, ...]");
        if (given is not null)
        {
            if (given.Count != dims.Count - 1)
                throw new BulwarkInputException($"{path}: the sample shape [{string.Join(", ", given)}] has rank {given.Count}, the model's input [{string.Join(", ", dims)}] needs {dims.Count - 1}");
            for (int i = 0; i < given.Count; i++)
                if (dims[i + 1].Size is { } fixedSize && fixedSize != given[i])
                    throw new BulwarkInputException($"{path}: the sample shape [{string.Join(", ", given)}] disagrees with the model's input [{string.Join(", ", dims)}]");
            return [.. given];
        }
        var shape = new int[dims.Count - 1];
        for (int i = 1; i < dims.Count; i++)
            shape[i - 1] = dims[i].Size is { } s ? (int)s
                : throw new BulwarkInputException($"{path}: the input '{input.Name}' has a symbolic dimension {dims[i]}; pass the sample shape");
        return shape;
    }
}
