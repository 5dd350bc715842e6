using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bulwark.Data;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Models;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark train</c>: trains a reference model on a bundled dataset and saves it as safetensors.</summary>
internal static class TrainCommand
{
    public static Command Create(CliIO io)
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset to train on.", DefaultValueFactory = _ => "fashion-mnist" };
        dataset.AcceptOnlyFromAmong("fashion-mnist");
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Folder with the dataset's IDX files (train-images-idx3-ubyte[.gz] …); default: the bundled subset." };
        var arch = new Option<string>("--arch") { Description = "Model architecture.", DefaultValueFactory = _ => "cnn" };
        arch.AcceptOnlyFromAmong("mlp", "cnn");
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per optimisation step.", DefaultValueFactory = _ => 128 };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3f };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and the batch order.", DefaultValueFactory = _ => 0 };
        var limit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only." };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: the core count)." };
        var data = new Option<FileInfo?>("--data") { Description = "Train on a NumPy .npz of your own: x float32 [N,1,28,28], [N,28,28] or [N,784] in [0,1]; y int64 [N] in 0..9." };
        var testData = new Option<FileInfo?>("--test-data") { Description = "The .npz to report test accuracy on (with --data)." };
        var init = new Option<FileInfo?>("--init") { Description = "Start from these weights (safetensors written by bulwark train)." };
        var output = new Option<FileInfo?>("--out") { Description = "Where to save the trained weights (safetensors)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var adversarial = new Option<string?>("--adversarial") { Description = "Train robustly: pgd (Madry et al. 2018) or trades (Zhang et al. 2019)." };
        adversarial.AcceptOnlyFromAmong("pgd", "trades");
        var eps = new Option<float>("--eps") { Description = "L∞ budget of adversarial training.", DefaultValueFactory = _ => 0.1f };
        var advSteps = new Option<int>("--adv-steps") { Description = "PGD steps per training batch (step size 2.5·eps/steps).", DefaultValueFactory = _ => 7 };

        var command = new Command("train", "Train a reference model (MLP or CNN) on a bundled dataset and report its test accuracy.")
        {
            dataset, dataDir, data, testData, arch, epochs, batchSize, lr, seed, limit, threads, init, output, json, adversarial, eps, advSteps,
        };
        command.SetAction(parse => Run(io, new TrainSettings(
            parse.GetValue(dataset)!,
            parse.GetValue(dataDir)?.FullName,
            parse.GetValue(data)?.FullName,
            parse.GetValue(testData)?.FullName,
            parse.GetValue(arch)!,
            parse.GetValue(epochs),
            parse.GetValue(batchSize),
            parse.GetValue(lr),
            parse.GetValue(seed),
            parse.GetValue(limit),
            parse.GetValue(threads),
            parse.GetValue(init)?.FullName,
            parse.GetValue(output)?.FullName,
            parse.GetValue(json),
            parse.GetValue(adversarial),
            parse.GetValue(eps),
            parse.GetValue(advSteps))));
        return command;
    }

    private sealed record TrainSettings(string Dataset, string? DataDir, string? Data, string? TestData, string Arch, int Epochs, int BatchSize, float LearningRate, ulong Seed, int? TrainLimit, int? Threads, string? Init, string? Out, bool Json, string? Adversarial = null, float Epsilon = 0.1f, int AdversarialSteps = 7);

    private static int Run(CliIO io, TrainSettings s)
    {
        if (s.Epochs < 1 || s.BatchSize < 1 || !(s.LearningRate > 0) || s.TrainLimit is < 1)
        {
            throw new BulwarkInputException($"train: --epochs ({s.Epochs}), --batch-size ({s.BatchSize}), --lr ({s.LearningRate}) and --train-limit must be positive.");
        }
        if (s.Threads is { } t)
        {
            EngineSettings.Threads = t;
        }
        if (s.Out is not null && !Directory.Exists(Path.GetDirectoryName(s.Out)))
        {
            throw new BulwarkInputException($"train: the folder of --out '{s.Out}' does not exist.");
        }
        var sw = Stopwatch.StartNew();
        if ((s.Data is null) != (s.TestData is null) || (s.Data is not null && s.DataDir is not null))
        {
            throw new BulwarkInputException("train: give --data and --test-data together, and not with --data-dir.");
        }
        var data = s.Data is not null
            ? FashionMnist.FromNpz(s.Data, s.TestData!, s.TrainLimit)
            : FashionMnist.Load(s.DataDir ?? DataFiles.Bundled("fashion-mnist"), s.TrainLimit);
        io.Err.WriteLine($"train: {data.TrainX.Dim(0)} training and {data.TestX.Dim(0)} test images from {data.Source}; {s.Arch}, {s.Epochs} epochs, batch {s.BatchSize}, Adam lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {s.Seed}, {EngineSettings.Threads} threads");

        Sequential Build(ulong seed)
        {
            var rng = new Rng(seed);
            return s.Arch == "mlp" ? Architectures.Mlp(28 * 28, [256, 128], 10, rng) : Architectures.ReferenceCnn(rng);
        }
        if (s.Adversarial is not null)
        {
            return RunAdversarial(io, s, data, Build, sw);
        }
        var model = Build(s.Seed);
        if (s.Init is not null)
        {
            var start = Safetensors.Read(s.Init);
            try
            {
                model.LoadStateDict(start.Tensors);
            }
            catch (BulwarkInputException e)
            {
                throw new BulwarkInputException($"{s.Init}: these weights do not fit the {s.Arch} architecture: {e.Message}", e);
            }
        }
        var trainer = new Trainer(model, new Adam(model.Parameters(), s.LearningRate), new TrainerOptions { Epochs = s.Epochs, BatchSize = s.BatchSize, Seed = s.Seed });
        var history = TrainingProgress.Run(io, s.Epochs, observer => trainer.Fit(data.TrainX, data.TrainY, data.TestX, data.TestY, observer));
        double accuracy = history.Epochs[^1].ValidationAccuracy ?? double.NaN;

        Save(s, model, accuracy);

        int parameters = model.Parameters().Sum(p => p.Size);
        if (s.Json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(new
            {
                dataset = s.Dataset,
                arch = s.Arch,
                train_images = data.TrainX.Dim(0),
                test_images = data.TestX.Dim(0),
                parameters,
                seed = s.Seed,
                threads = EngineSettings.Threads,
                epochs = history.Epochs.Select(e => new { epoch = e.Epoch, train_loss = e.TrainLoss, train_accuracy = e.TrainAccuracy, test_loss = e.ValidationLoss, test_accuracy = e.ValidationAccuracy, seconds = e.Elapsed.TotalSeconds }),
                test_accuracy = accuracy,
                seconds = sw.Elapsed.TotalSeconds,
                @out = s.Out,
            }));
        }
        else
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {accuracy:P2} ({s.Arch}, {parameters:N0} parameters, {history.Epochs.Count} epochs, {sw.Elapsed.TotalSeconds:F1} s){(s.Out is null ? "" : $"; saved to {s.Out}")}"));
        }
        return CliApp.Ok;
    }

    private static void Save(TrainSettings s, Module model, double accuracy)
    {
        if (s.Out is null)
        {
            return;
        }
        var tensors = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        var metadata = new Dictionary<string, string>
        {
            ["bulwark.arch"] = s.Arch,
            ["bulwark.dataset"] = s.Dataset,
            ["bulwark.classes"] = "10",
            ["bulwark.input_shape"] = "1,28,28",
            ["bulwark.seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
            ["bulwark.test_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture),
        };
        if (s.Adversarial is not null)
        {
            metadata["bulwark.adversarial"] = $"{s.Adversarial} eps={s.Epsilon.ToString(CultureInfo.InvariantCulture)} steps={s.AdversarialSteps}";
        }
        Safetensors.Write(s.Out, tensors, metadata);
    }

    /// <summary>Adversarial training (PGD or TRADES) through the defence learners; reports clean test accuracy.</summary>
    private static int RunAdversarial(CliIO io, TrainSettings s, FashionMnist data, Func<ulong, Sequential> build, Stopwatch sw)
    {
        AttackInputCheck(s);
        if (s.Init is not null)
        {
            throw new BulwarkInputException("train: --init is not supported with --adversarial (robust training starts from fresh weights).");
        }
        var recipe = new TrainingRecipe { Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate, Seed = s.Seed };
        float step = 2.5f * s.Epsilon / s.AdversarialSteps;
        ILearner learner = s.Adversarial == "trades"
            ? new TradesLearner(seed => build(seed), new TradesOptions { Epsilon = s.Epsilon, Steps = s.AdversarialSteps, StepSize = step, Training = recipe })
            : new AdversarialTrainingLearner(seed => build(seed), new AdversarialTrainingOptions { Epsilon = s.Epsilon, Steps = s.AdversarialSteps, StepSize = step, Training = recipe });
        var train = new Dataset("fashion-mnist/train", data.TrainX, data.TrainY, 10, new FeatureInfo(FeatureKind.Image, InputBounds.Unit));
        EngineClassifier classifier = null!;
        io.Console.Status().Start($"{s.Adversarial} adversarial training, ε = {s.Epsilon.ToString(CultureInfo.InvariantCulture)}, {s.AdversarialSteps} steps, {s.Epochs} epochs…",
            _ => classifier = (EngineClassifier)learner.Fit(train));
        var model = classifier.Model;
        var (_, accuracy) = Trainer.Evaluate(model, data.TestX, data.TestY);
        Save(s, model, accuracy);
        if (s.Json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(new
            {
                dataset = s.Dataset,
                arch = s.Arch,
                adversarial = s.Adversarial,
                epsilon = s.Epsilon,
                steps = s.AdversarialSteps,
                train_images = data.TrainX.Dim(0),
                test_images = data.TestX.Dim(0),
                seed = s.Seed,
                test_accuracy = accuracy,
                seconds = sw.Elapsed.TotalSeconds,
                @out = s.Out,
            }));
        }
        else
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clean test accuracy {accuracy:P2} ({s.Arch}, {s.Adversarial} ε = {s.Epsilon}, {s.Epochs} epochs, {sw.Elapsed.TotalSeconds:F1} s){(s.Out is null ? "" : $"; saved to {s.Out}")}"));
        }
        return CliApp.Ok;
    }

    private static void AttackInputCheck(TrainSettings s)
    {
        if (!float.IsFinite(s.Epsilon) || s.Epsilon <= 0 || s.AdversarialSteps < 1)
        {
            throw new BulwarkInputException($"train: --eps ({s.Epsilon}) must be positive and --adv-steps ({s.AdversarialSteps}) at least 1.");
        }
    }
}

/// <summary>Shows a training run: a Spectre progress bar on an interactive terminal, one line per epoch otherwise.</summary>
internal static class TrainingProgress
{
    public static TrainingHistory Run(CliIO io, int epochs, Func<ITrainingObserver, TrainingHistory> fit)
    {
        if (io.Console.Profile.Capabilities.Interactive)
        {
            TrainingHistory? history = null;
            io.Console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: epochs);
                    history = fit(new BarObserver(io, task, epochs));
                });
            return history!;
        }
        return fit(new LineObserver(io));
    }

    private sealed class BarObserver(CliIO io, ProgressTask task, int epochs) : ITrainingObserver
    {
        public void OnBatch(int epoch, int batch, int batches, double loss)
        {
            task.Value = epoch - 1 + ((double)batch / batches);
            task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs} loss {loss:F4}");
        }

        public void OnEpoch(EpochReport r) => io.Console.MarkupLine(Markup.Escape(Describe(r)));
    }

    private sealed class LineObserver(CliIO io) : ITrainingObserver
    {
        public void OnBatch(int epoch, int batch, int batches, double loss)
        {
        }

        public void OnEpoch(EpochReport r) => io.Err.WriteLine(Describe(r));
    }

    private static string Describe(EpochReport r) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}: train loss {r.TrainLoss:F4}, train accuracy {r.TrainAccuracy:P2}, test loss {r.ValidationLoss:F4}, test accuracy {r.ValidationAccuracy:P2} ({r.Elapsed.TotalSeconds:F1} s)");
}
