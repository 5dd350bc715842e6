using Bulwark.Engine;
using Microsoft.ML.OnnxRuntime;

namespace Bulwark.Models;

/// <summary>
/// A black-box <see cref="IClassifier"/> over an ONNX model run by ONNX Runtime
/// (https://onnxruntime.ai): the target when a model is known only as its ONNX file, with no
/// gradients. The classifier owns the <see cref="InferenceSession"/> and disposes it.
/// </summary>
/// <remarks>
/// <para>Input and output are discovered from the model's metadata (ONNX IR, https://onnx.ai/onnx/repo-docs/IR.html)
/// unless named in <see cref="OnnxRuntimeClassifierOptions"/>: the input must be a float tensor
/// [batch, ..sample]; the output a float tensor [batch, classes]. A batch axis with a fixed
/// size b is fed exactly b samples per run (the last run padded with zeros, the padding
/// dropped); a dynamic one up to <see cref="OnnxRuntimeClassifierOptions.MaxBatchSize"/>.</para>
/// <para>Scores become probabilities according to <see cref="OnnxRuntimeClassifierOptions.Scores"/>;
/// with <see cref="ScoreKind.Detect"/> each run's output is taken as probabilities when every
/// row is non-negative and sums to one, otherwise as logits. The constructor runs one zero
/// batch to learn the class count and to fail early on a model that does not run.</para>
/// <para><see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so concurrent <see cref="PredictProba"/> calls are too.</para>
/// </remarks>
public sealed class OnnxRuntimeClassifier : IClassifier, IDisposable
{
    private readonly InferenceSession session;
    private readonly string path;
    private readonly string inputName;
    private readonly string outputName;
    private readonly int[] inputShape;
    private readonly int fixedBatch;
    private readonly ScoreKind scores;
    private bool disposed;

    /// <summary>Loads the model at <paramref name="modelPath"/> and discovers what options leave open.</summary>
    /// <exception cref="BulwarkInputException">The file is missing or not a model ONNX Runtime can run, or its input or output do not fit a classifier.</exception>
    public OnnxRuntimeClassifier(string modelPath, OnnxRuntimeClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= new OnnxRuntimeClassifierOptions();
        ClassifierInput.CheckMaxBatchSize(options.MaxBatchSize, Where(modelPath));
        path = modelPath;
        if (!File.Exists(modelPath))
            throw new BulwarkInputException($"{Where(modelPath)}: the file does not exist");
        try
        {
            session = new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BulwarkInputException($"{Where(modelPath)}: ONNX Runtime cannot load the model: {e.Message}", e);
        }
        try
        {
            (inputName, inputShape, fixedBatch) = DiscoverInput(options);
            outputName = DiscoverOutput(options);
            scores = options.Scores;
            Bounds = options.Bounds;
            MaxBatchSize = fixedBatch > 0 ? fixedBatch : options.MaxBatchSize;
            ClassCount = ProbeClassCount();
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => inputShape;

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds { get; }

    /// <summary>The samples per run: the model's fixed batch size, or the option for a dynamic one.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The graph input the batch is fed to.</summary>
    public string InputName => inputName;

    /// <summary>The graph output read as scores.</summary>
    public string OutputName => outputName;

    /// <inheritdoc />
    public Tensor PredictProba(Tensor batch)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ClassifierInput.CheckBatch(batch, inputShape, Where(path));
        return ClassifierInput.MapChunks(batch, MaxBatchSize, (chunk, _) =>
        {
            int n = chunk.Dim(0);
            var probabilities = Run(chunk.ToArray(), n, ClassCount);
            ClassScores.Normalise(probabilities, ClassCount, scores, Where(path));
            return Tensor.FromArray(probabilities, n, ClassCount);
        });
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            session.Dispose();
        }
    }

    private static string Where(string modelPath) => $"ONNX model '{modelPath}'";

    private (string Name, int[] Shape, int FixedBatch) DiscoverInput(OnnxRuntimeClassifierOptions options)
    {
        var inputs = session.InputMetadata;
        string name = options.InputName ?? (inputs.Count == 1
            ? inputs.Keys.First()
            : throw new BulwarkInputException($"{Where(path)}: the model has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}); choose one with InputName"));
        if (!inputs.TryGetValue(name, out var meta))
            throw new BulwarkInputException($"{Where(path)}: no input named '{name}'; the inputs are {string.Join(", ", inputs.Keys)}");
        if (!meta.IsTensor || meta.ElementType != typeof(float))
            throw new BulwarkInputException($"{Where(path)}: input '{name}' must be a float32 tensor, it holds {meta.ElementType.Name}");
        var dims = meta.Dimensions;
        if (dims.Length < 2)
            throw new BulwarkInputException($"{Where(path)}: input '{name}' has rank {dims.Length}; a classifier input is [batch, ..sample]");
        var declared = dims[1..];
        int[] shape;
        if (options.InputShape is null)
        {
            if (declared.Any(d => d <= 0))
                throw new BulwarkInputException($"{Where(path)}: input '{name}' has symbolic sample dimensions {ClassifierInput.Format(dims)}; give InputShape");
            shape = declared;
        }
        else
        {
            shape = ClassifierInput.CheckSampleShape(options.InputShape, Where(path));
            bool fits = shape.Length == declared.Length && shape.Zip(declared).All(p => p.Second <= 0 || p.First == p.Second);
            if (!fits)
                throw new BulwarkInputException($"{Where(path)}: InputShape {ClassifierInput.Format(shape)} does not fit input '{name}' of shape {ClassifierInput.Format(dims)}");
        }
        return (name, shape, Math.Max(0, dims[0]));
    }

    private string DiscoverOutput(OnnxRuntimeClassifierOptions options)
    {
        var outputs = session.OutputMetadata;
        static bool Fits(NodeMetadata m) => m.IsTensor && m.ElementType == typeof(float) && m.Dimensions.Length == 2;
        if (options.OutputName is null)
        {
            foreach (var (name, meta) in outputs)
                if (Fits(meta))
                    return name;
            throw new BulwarkInputException($"{Where(path)}: no output is a float32 tensor [batch, classes]; the outputs are {string.Join(", ", outputs.Keys)}");
        }
        if (!outputs.TryGetValue(options.OutputName, out var chosen))
            throw new BulwarkInputException($"{Where(path)}: no output named '{options.OutputName}'; the outputs are {string.Join(", ", outputs.Keys)}");
        if (!Fits(chosen))
            throw new BulwarkInputException($"{Where(path)}: output '{options.OutputName}' is not a float32 tensor [batch, classes]");
        return options.OutputName;
    }

    private int ProbeClassCount()
    {
        int n = Math.Max(1, fixedBatch);
        var scoresOut = Run(new float[n * inputShape.Aggregate(1, (a, b) => a * b)], n, expectedClasses: 0);
        int classes = scoresOut.Length / n;
        ClassifierInput.CheckClassCount(classes, Where(path));
        return classes;
    }

    /// <summary>Runs <paramref name="rows"/> samples (padded to a fixed batch) and returns their score rows.</summary>
    private float[] Run(float[] data, int rows, int expectedClasses)
    {
        int sampleSize = data.Length / rows;
        int runRows = fixedBatch > 0 ? fixedBatch : rows;
        if (runRows != rows)
            Array.Resize(ref data, runRows * sampleSize);
        long[] shape = [runRows, .. inputShape.Select(d => (long)d)];
        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [inputName], [input], [outputName]);
            var output = results[0];
            var outShape = output.GetTensorTypeAndShape().Shape;
            if (outShape.Length != 2 || outShape[0] != runRows || (expectedClasses > 0 && outShape[1] != expectedClasses))
                throw new BulwarkInputException($"{Where(path)}: output '{outputName}' has shape [{string.Join(", ", outShape)}] for {runRows} samples, expected [{runRows}, {(expectedClasses > 0 ? expectedClasses : "classes")}]");
            return output.GetTensorDataAsSpan<float>()[..(rows * (int)outShape[1])].ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw new BulwarkInputException($"{Where(path)}: ONNX Runtime failed to run the model: {e.Message}", e);
        }
    }
}
