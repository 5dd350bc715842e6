using System.Security.Cryptography;
using System.Text;
using Bulwark.Assessment;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Models;
using Bulwark.Onnx;

namespace Bulwark.Cli;

/// <summary>
/// The targets of <c>bulwark scan --demo</c>: a small CNN on the bundled Fashion-MNIST subset and a
/// logistic-regression spam filter on the bundled spam subset's TF-IDF features, each trained once
/// and cached as an ONNX file under <see cref="BulwarkHome"/>/demo, then scanned exactly like a
/// user's ONNX model (the file is imported for gradients and scanned for T6).
/// </summary>
internal static class ScanDemo
{
    /// <summary>Bump when the demo models' recipe changes, so that old caches are not reused.</summary>
    private const string Recipe = "demo-v1";

    /// <summary>Epochs of the demo CNN.</summary>
    public const int CnnEpochs = 3;

    public static IReadOnlyList<ScanTarget> Build(CliIO io, ulong seed)
    {
        string dataDir = Path.Combine(AppContext.BaseDirectory, "data");
        string cache = Path.Combine(BulwarkHome.Directory, "demo");
        System.IO.Directory.CreateDirectory(cache);

        var fashion = BuiltInDatasets.Load("fashion-mnist", dataDir);
        string cnnPath = Path.Combine(cache, $"fashion-mnist-cnn-{Key(dataDir, "fashion-mnist", seed)}.onnx");
        if (File.Exists(cnnPath))
        {
            io.Err.WriteLine($"demo: using the cached CNN {cnnPath}");
        }
        else
        {
            var net = SmallCnn(new Rng(seed));
            var trainer = new Trainer(net, new Adam(net.Parameters(), 2e-3f), new TrainerOptions { Epochs = CnnEpochs, BatchSize = 64, Seed = seed });
            io.Err.WriteLine($"demo: training a small CNN on {fashion.Train.Count} Fashion-MNIST images ({CnnEpochs} epochs); cached for later runs");
            TrainingProgress.Run(io, CnnEpochs, observer => trainer.Fit(fashion.Train.Features, fashion.Train.Labels, fashion.Test.Features, fashion.Test.Labels, observer));
            net.Eval();
            OnnxExporter.Save(net, [1, 28, 28], cnnPath);
        }

        var spam = BuiltInDatasets.Load("spam", dataDir);
        string filterPath = Path.Combine(cache, $"spam-filter-{Key(dataDir, "spam", seed)}.onnx");
        if (File.Exists(filterPath))
        {
            io.Err.WriteLine($"demo: using the cached spam filter {filterPath}");
        }
        else
        {
            io.Err.WriteLine($"demo: training a logistic-regression spam filter on {spam.Train.Count} messages");
            var filter = new LogisticRegressionLearner(new LogisticRegressionOptions { Seed = seed }).Fit(spam.Train);
            OnnxExporter.Save(filter.Model, spam.Train.SampleShape, filterPath);
        }

        return
        [
            new ScanTarget
            {
                Name = "fashion-mnist-cnn",
                Model = OnnxClassifier.Load(cnnPath, new OnnxClassifierOptions { Bounds = fashion.Test.Info.Bounds }),
                ModelPath = cnnPath,
                DataName = "fashion-mnist (bundled subset, test split)",
                Data = fashion.Test,
            },
            new ScanTarget
            {
                Name = "spam-filter",
                Model = OnnxClassifier.Load(filterPath, new OnnxClassifierOptions { Bounds = spam.Test.Info.Bounds }),
                ModelPath = filterPath,
                DataName = "spam (bundled subset, test split)",
                Text = new TextScanData(spam.Vectorizer!, spam.TestTexts!, spam.TrainTexts!),
            },
        ];
    }

    /// <summary>Conv(1→16) – ReLU – MaxPool – Conv(16→32) – ReLU – MaxPool – Linear(1568→64) – ReLU – Linear(64→10).</summary>
    public static Sequential SmallCnn(Rng rng) => new(
        new Conv2d(1, 16, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(32 * 7 * 7, 64, rng), new ReLU(), new Linear(64, 10, rng));

    /// <summary>A cache key over the recipe, the seed and the bundled data files' names and sizes.</summary>
    private static string Key(string dataDir, string dataset, ulong seed)
    {
        var text = new StringBuilder(Recipe).Append('|').Append(seed);
        foreach (var file in new DirectoryInfo(Path.Combine(dataDir, dataset)).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
            text.Append('|').Append(file.Name).Append(':').Append(file.Length);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }
}
