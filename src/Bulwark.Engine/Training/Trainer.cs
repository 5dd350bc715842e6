using System.Diagnostics;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;

namespace Bulwark.Engine.Training;

/// <summary>How <see cref="Trainer"/> fits a classifier.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Rows per optimisation step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seeds the order of the batches.</summary>
    public ulong Seed { get; init; }

    /// <summary>Stop after this many epochs without a better validation loss (0: never stop early).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Clip the global gradient norm to this value before each step (null: no clipping).</summary>
    public float? MaxGradNorm { get; init; }

    /// <summary>Validate and throw <see cref="BulwarkInputException"/> on nonsense values.</summary>
    public void Validate()
    {
        if (Epochs < 1 || BatchSize < 1 || EarlyStoppingPatience < 0 || MaxGradNorm is <= 0)
        {
            throw new BulwarkInputException($"Trainer options: epochs ({Epochs}) and batch size ({BatchSize}) must be positive, patience ({EarlyStoppingPatience}) non-negative, max grad norm ({MaxGradNorm}) positive.");
        }
    }
}

/// <summary>Loss and accuracy after one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="TrainAccuracy">Fraction of training rows classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean validation loss, if validation data was given.</param>
/// <param name="ValidationAccuracy">Validation accuracy, if validation data was given.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Wall time of the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, float LearningRate, TimeSpan Elapsed);

/// <summary>Receives progress from <see cref="Trainer.Fit"/> (a progress bar, a log).</summary>
public interface ITrainingObserver
{
    /// <summary>Called after every optimisation step.</summary>
    void OnBatch(int epoch, int batch, int batches, double loss);

    /// <summary>Called at the end of every epoch.</summary>
    void OnEpoch(EpochReport report);
}

/// <summary>The epochs run and whether training stopped early.</summary>
/// <param name="Epochs">One report per epoch run.</param>
/// <param name="StoppedEarly">True when early stopping ended training and restored the best weights.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds at the end.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochReport> Epochs, bool StoppedEarly, int BestEpoch);

/// <summary>
/// The fit loop: seeded shuffled batches, forward, loss, backward, optional gradient clipping,
/// optimiser step, a learning-rate schedule per epoch, validation and early stopping. For a
/// given seed and <see cref="EngineSettings.Threads"/> the final weights are bit-identical on
/// every run.
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly Optimizer optimizer;
    private readonly Func<Tensor, LongTensor, Tensor> loss;
    private readonly LrScheduler? scheduler;
    private readonly TrainerOptions options;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The classifier; its forward maps a batch to logits [N, classes].</param>
    /// <param name="optimizer">Steps the model's parameters.</param>
    /// <param name="options">Epochs, batch size, seed, early stopping, clipping.</param>
    /// <param name="loss">Mean loss of a batch; cross-entropy when null.</param>
    /// <param name="scheduler">Stepped once per epoch, if given.</param>
    public Trainer(Module model, Optimizer optimizer, TrainerOptions options, Func<Tensor, LongTensor, Tensor>? loss = null, LrScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.model = model;
        this.optimizer = optimizer;
        this.options = options;
        this.loss = loss ?? ((logits, y) => Losses.CrossEntropy(logits, y));
        this.scheduler = scheduler;
    }

    /// <summary>Trains on (<paramref name="x"/>, <paramref name="y"/>), validating on the optional held-out pair after each epoch.</summary>
    public TrainingHistory Fit(Tensor x, LongTensor y, Tensor? validationX = null, LongTensor? validationY = null, ITrainingObserver? observer = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if ((validationX is null) != (validationY is null))
        {
            throw new BulwarkInputException("Trainer.Fit: give both validation features and labels, or neither.");
        }
        if (x.HasNonFinite())
        {
            throw new BulwarkInputException("Trainer.Fit: the training features contain NaN or infinite values.");
        }
        var loader = new DataLoader(x, y, options.BatchSize, shuffle: true, rng: new Rng(options.Seed));
        var reports = new List<EpochReport>();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        List<float[]>? bestWeights = null;
        bool stoppedEarly = false;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            float lr = optimizer.LearningRate;
            model.Train();
            double lossSum = 0;
            long correct = 0;
            int batch = 0;
            foreach (var (bx, by) in loader)
            {
                cancellation.ThrowIfCancellationRequested();
                var (lv, right) = Step(bx, by);
                if (!double.IsFinite(lv))
                {
                    throw new BulwarkInputException($"Trainer.Fit: the loss became {lv} at epoch {epoch}, batch {batch + 1}; lower the learning rate.");
                }
                lossSum += lv * by.Size;
                correct += right;
                batch++;
                observer?.OnBatch(epoch, batch, loader.BatchCount, lv);
            }
            scheduler?.Step();

            double? valLoss = null;
            double? valAcc = null;
            if (validationX is not null && validationY is not null)
            {
                var (vl, va) = Evaluate(model, validationX, validationY, options.BatchSize, loss);
                valLoss = vl;
                valAcc = va;
            }
            var report = new EpochReport(epoch, lossSum / loader.Count, (double)correct / loader.Count, valLoss, valAcc, lr, sw.Elapsed);
            reports.Add(report);
            observer?.OnEpoch(report);

            if (options.EarlyStoppingPatience > 0 && valLoss is { } v)
            {
                if (v < bestLoss)
                {
                    bestLoss = v;
                    bestEpoch = epoch;
                    bestWeights = model.Parameters().Select(p => p.ToArray()).ToList();
                }
                else if (epoch - bestEpoch >= options.EarlyStoppingPatience)
                {
                    stoppedEarly = true;
                    break;
                }
            }
        }

        if (bestWeights is not null && bestEpoch != reports.Count)
        {
            int i = 0;
            foreach (var p in model.Parameters())
            {
                p.CopyFrom_(Tensor.FromArray(bestWeights[i++], p.Shape.ToArray()));
            }
        }
        model.Eval();
        return new TrainingHistory(reports, stoppedEarly, bestWeights is null ? reports.Count : bestEpoch);
    }

    /// <summary>
    /// One optimisation step on one batch: forward, loss, backward, optional clipping, optimiser
    /// step. Runs inside a <see cref="TensorArena"/>, so the step's activations and gradients reuse
    /// the previous step's buffers; the gradients are cleared afterwards.
    /// </summary>
    /// <returns>The batch's mean loss and the number of rows classified correctly.</returns>
    public (double Loss, long Correct) Step(Tensor x, LongTensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        optimizer.ZeroGrad();
        using var arena = TensorArena.Begin();
        var logits = model.Forward(x);
        var l = loss(logits, y);
        l.Backward();
        using (TensorArena.Suspend())
        {
            if (options.MaxGradNorm is { } maxNorm)
            {
                GradClip.ClipGradNorm(optimizer.Parameters, maxNorm);
            }
            optimizer.Step();
        }
        long correct = CountCorrect(logits, y);
        double value = l.Item();
        // The gradients were made by this step and are seen by nothing after it: their storage is
        // reused by the next step's backward pass.
        optimizer.ZeroGradRecycling();
        return (value, correct);
    }

    /// <summary>Mean loss and accuracy of a model on labelled data, in inference mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(Module model, Tensor x, LongTensor y, int batchSize = 256, Func<Tensor, LongTensor, Tensor>? loss = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        loss ??= (logits, labels) => Losses.CrossEntropy(logits, labels);
        bool wasTraining = model.IsTraining;
        model.Eval();
        using var scope = Tape.NoGrad();
        double lossSum = 0;
        long correct = 0;
        var loader = new DataLoader(x, y, batchSize);
        foreach (var (bx, by) in loader)
        {
            using var arena = TensorArena.Begin();
            var logits = model.Forward(bx);
            lossSum += loss(logits, by).Item() * by.Size;
            correct += CountCorrect(logits, by);
        }
        model.Train(wasTraining);
        return (lossSum / Math.Max(loader.Count, 1), (double)correct / Math.Max(loader.Count, 1));
    }

    private static long CountCorrect(Tensor logits, LongTensor y)
    {
        var predicted = logits.ArgMax(-1);
        long correct = 0;
        for (int i = 0; i < y.Size; i++)
        {
            correct += predicted.Data[i] == y.Data[i] ? 1 : 0;
        }
        return correct;
    }
}
