#:project ../src/Bulwark/Bulwark.csproj
// Standard vs PGD adversarial training (Madry et al. 2018) of the reference CNN on Fashion-MNIST:
// clean and PGD-20 (L∞, ε = 0.1, step ε/4, random start) accuracy on the first test images.
// Usage: dotnet run adversarial-training-fmnist.cs -- DATA_DIR [EPOCHS] [TRAIN_LIMIT] [TEST_LIMIT] [TRAIN_STEPS]
using System.Diagnostics;
using System.Globalization;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Models;

string dir = args.Length > 0 ? args[0] : "../shared/datasets/fashion-mnist";
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
int trainLimit = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60_000;
int testLimit = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000;
int steps = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 7;
const float Epsilon = 0.1f;

var split = IdxDatasetLoader.LoadFolder(dir, new ArrayDatasetOptions { ClassCount = 10 });
var train = split.Train.Take(trainLimit);
var test = split.Test.Take(testLimit);
var recipe = new TrainingRecipe { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3f, Seed = 0 };
Sequential Architecture(ulong seed) => Architectures.ReferenceCnn(new Rng(seed));

var clock = Stopwatch.StartNew();
var net = Architecture(recipe.Seed);
new Trainer(net, new Adam(net.Parameters(), recipe.LearningRate), new TrainerOptions { Epochs = epochs, BatchSize = recipe.BatchSize, Seed = recipe.Seed }).Fit(train.Features, train.Labels);
Report("standard", new EngineClassifier(net, train.SampleShape, 10), clock.Elapsed);
clock.Restart();
var robust = new AdversarialTrainingLearner(Architecture, new AdversarialTrainingOptions
{
    Epsilon = Epsilon, Steps = steps, StepSize = 2.5f * Epsilon / steps, Training = recipe,
}).Fit(train);
Report("pgd-trained", robust, clock.Elapsed);

void Report(string name, IGradientClassifier model, TimeSpan trainTime)
{
    var predicted = model.PredictProba(test.Features).ArgMax(-1).Data;
    double clean = predicted.Where((p, i) => p == test.Labels.Data[i]).Count() / (double)test.Count;
    var attack = new Pgd(new PgdOptions { Epsilon = Epsilon, Steps = 20, StepSize = Epsilon / 4, Seed = 1, BatchSize = 250 }).Run(model, test.Features, test.Labels);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"model\":\"{name}\",\"train\":{train.Count},\"test\":{test.Count},\"epochs\":{epochs},\"clean_accuracy\":{clean:F4},\"pgd20_eps0.1_accuracy\":{1 - attack.SuccessRate:F4},\"train_seconds\":{trainTime.TotalSeconds:F0}}}"));
}
