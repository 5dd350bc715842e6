using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Models;

namespace Bulwark.Tests.Attacks;

/// <summary>
/// Small real models the attack and defence tests share, trained once per test run: a CNN on the
/// bundled digits (8×8, 10 classes, [0, 1] pixels), deterministic for its seed.
/// </summary>
internal static class TrainedModels
{
    private static readonly Lazy<DatasetSplit> DigitsData = new(() => BuiltInDatasets.Load("digits", RepoData()));
    private static readonly Lazy<Sequential> DigitsCnnNet = new(() => TrainDigitsCnn(0));

    /// <summary>Digits, 1438 train / 359 test, [N, 1, 8, 8] in [0, 1].</summary>
    public static DatasetSplit Digits => DigitsData.Value;

    /// <summary>A fresh white-box classifier over the shared digits CNN (about 95 % test accuracy).</summary>
    public static EngineClassifier DigitsCnn() => new(DigitsCnnNet.Value, [1, 8, 8], 10);

    /// <summary>The architecture of the digits CNN, untrained.</summary>
    public static Sequential DigitsCnnArchitecture(ulong seed)
    {
        var rng = new Rng(seed);
        return new Sequential(
            new Conv2d(1, 16, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(32 * 2 * 2, 64, rng), new ReLU(), new Linear(64, 10, rng));
    }

    /// <summary>Trains the digits CNN with Adam for 15 epochs.</summary>
    public static Sequential TrainDigitsCnn(ulong seed, Func<Tensor, LongTensor, Tensor>? loss = null)
    {
        var net = DigitsCnnArchitecture(seed);
        var train = Digits.Train;
        var trainer = new Trainer(net, new Adam(net.Parameters(), 3e-3f), new TrainerOptions { Epochs = 15, BatchSize = 64, Seed = seed }, loss);
        trainer.Fit(train.Features, train.Labels);
        net.Eval();
        return net;
    }

    /// <summary>The first <paramref name="count"/> test samples the classifier gets right.</summary>
    public static (Tensor X, LongTensor Y) CorrectlyClassified(IClassifier model, int count)
    {
        var test = Digits.Test;
        var predicted = model.PredictProba(test.Features).ArgMax(-1).Data;
        var keep = Enumerable.Range(0, test.Count).Where(i => predicted[i] == test.Labels.Data[i]).Take(count).ToArray();
        var subset = test.Subset(keep);
        return (subset.Features, subset.Labels);
    }

    /// <summary>The repository's data/ folder (tests run from bin/).</summary>
    public static string RepoData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
                return Path.Combine(dir.FullName, "data");
        throw new DirectoryNotFoundException("repository root (Bulwark.slnx) not found above " + AppContext.BaseDirectory);
    }
}
