using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Models;

/// <summary>
/// The white-box classifier written once over one differentiable forward pass: an adapter
/// supplies <see cref="ForwardCore"/> (logits recorded on the engine's tape) and gets
/// <see cref="IGradientClassifier.Logits"/>, <see cref="IClassifier.PredictProba"/>,
/// <see cref="IGradientClassifier.LossGradient"/> and <see cref="IGradientClassifier.ClassGradient"/>
/// with input validation and batching. The gradient vocabulary follows IBM ART
/// (Nicolae et al. 2018, "Adversarial Robustness Toolbox v1.0.0", arXiv:1807.01069).
/// </summary>
/// <remarks>
/// Gradients are per sample because a model in inference mode treats samples independently:
/// the gradient of the summed loss with respect to sample i is the gradient of sample i's own
/// loss. Gradients need the tape, so <see cref="IGradientClassifier.LossGradient"/> and
/// <see cref="IGradientClassifier.ClassGradient"/> refuse to run inside a <see cref="Tape.NoGrad"/> scope.
/// </remarks>
public abstract class GradientClassifierBase : IGradientClassifier
{
    private readonly int[] inputShape;

    /// <summary>Checks and stores the description shared by every adapter.</summary>
    /// <param name="inputShape">The shape of one sample, without the batch axis.</param>
    /// <param name="classCount">The number of logits per sample (at least 2).</param>
    /// <param name="bounds">The box valid inputs lie in.</param>
    /// <param name="maxBatchSize">Most samples per forward pass; larger batches are split.</param>
    protected GradientClassifierBase(IReadOnlyList<int> inputShape, int classCount, InputBounds bounds, int maxBatchSize)
    {
        this.inputShape = ClassifierInput.CheckSampleShape(inputShape, Name);
        ClassifierInput.CheckClassCount(classCount, Name);
        ClassifierInput.CheckMaxBatchSize(maxBatchSize, Name);
        ClassCount = classCount;
        Bounds = bounds;
        MaxBatchSize = maxBatchSize;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => inputShape;

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds { get; }

    /// <summary>The most samples one forward pass sees; larger batches are split into slices of this size.</summary>
    public int MaxBatchSize { get; }

    private string Name => GetType().Name;

    /// <summary>
    /// The differentiable forward pass in inference mode: logits for a validated batch
    /// [n, ..InputShape], recorded on the tape when the batch requires a gradient.
    /// </summary>
    protected abstract Tensor ForwardCore(Tensor batch);

    /// <inheritdoc />
    public Tensor Forward(Tensor batch)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Name);
        return CheckedForward(batch);
    }

    /// <inheritdoc />
    public Tensor Logits(Tensor batch)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Name);
        using var scope = Tape.NoGrad();
        return ClassifierInput.MapChunks(batch, MaxBatchSize, (chunk, _) =>
        {
            using var arena = TensorArena.Begin();
            var logits = CheckedForward(chunk);
            return Tensor.FromArray(logits.ToArray(), logits.Shape.ToArray());
        });
    }

    /// <inheritdoc />
    public Tensor PredictProba(Tensor batch)
    {
        var logits = Logits(batch);
        using var scope = Tape.NoGrad();
        return logits.Softmax(1);
    }

    /// <inheritdoc />
    public Tensor LossGradient(Tensor batch, LongTensor labels)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Name);
        ClassifierInput.CheckLabels(labels, batch.Dim(0), ClassCount, Name, "labels");
        return InputGradient(batch, (logits, start) =>
            Losses.CrossEntropy(logits, ClassifierInput.SliceLabels(labels, start, logits.Dim(0)), reduction: Reduction.Sum));
    }

    /// <inheritdoc />
    public Tensor ClassGradient(Tensor batch, LongTensor classes)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Name);
        ClassifierInput.CheckLabels(classes, batch.Dim(0), ClassCount, Name, "classes");
        return InputGradient(batch, (logits, start) =>
        {
            int n = logits.Dim(0);
            var picked = new LongTensor(classes.Data.AsSpan(start, n).ToArray(), n, 1);
            return logits.Gather(1, picked).Sum();
        });
    }

    private Tensor InputGradient(Tensor batch, Func<Tensor, int, Tensor> objective)
    {
        if (!Tape.IsRecording)
            throw new InvalidOperationException($"{Name}: input gradients need the tape, but this thread is inside a Tape.NoGrad scope");
        var gradient = ClassifierInput.MapChunks(batch, MaxBatchSize, (chunk, start) =>
        {
            // Attacks call this in a loop with the same sizes: the arena recycles the pass's large
            // buffers between calls instead of faulting in fresh pages; the result is copied out.
            using var arena = TensorArena.Begin();
            var x = Tensor.FromArray(chunk.ToArray(), chunk.Shape.ToArray()).RequiresGradient();
            var g = Tape.Grad(objective(CheckedForward(x), start), [x])[0];
            return Tensor.FromArray(g.ToArray(), g.Shape.ToArray());
        });
        return gradient.Detach();
    }

    private Tensor CheckedForward(Tensor batch)
    {
        var logits = ForwardCore(batch);
        if (logits.Rank != 2 || logits.Dim(0) != batch.Dim(0) || logits.Dim(1) != ClassCount)
            throw new BulwarkInputException($"{Name}: the model maps a batch of shape {ClassifierInput.Format(batch.Shape)} to {ClassifierInput.Format(logits.Shape)}, expected [{batch.Dim(0)}, {ClassCount}]");
        return logits;
    }
}
