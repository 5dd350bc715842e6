using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Cli;

/// <summary>The reference architectures that <c>bulwark train</c> writes checkpoints of, by their --arch name.</summary>
internal static class ReferenceModels
{
    /// <summary>A freshly initialised model of the named architecture ("mlp" or "cnn") for 1×28×28 images and 10 classes.</summary>
    public static Sequential Create(string arch, Rng rng) =>
        arch == "mlp" ? Architectures.Mlp(28 * 28, [256, 128], 10, rng) : Architectures.ReferenceCnn(rng);

    /// <summary>Loads checkpoint weights into the model, naming the file and architecture when they do not fit.</summary>
    public static void Load(Module model, string arch, string path, IReadOnlyDictionary<string, Tensor> weights)
    {
        try
        {
            model.LoadStateDict(weights);
        }
        catch (BulwarkInputException e)
        {
            throw new BulwarkInputException($"{path}: these weights do not fit the {arch} architecture: {e.Message}", e);
        }
    }
}
