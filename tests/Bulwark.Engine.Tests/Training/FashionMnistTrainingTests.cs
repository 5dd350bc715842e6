using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Bulwark.Engine.Tests.IO;

namespace Bulwark.Engine.Tests.Training;

/// <summary>Real training on the full Fashion-MNIST from ../shared (the full 5-epoch CNN run lives in examples/).</summary>
[Collection("engine-threads")]
public class FashionMnistTrainingTests
{
    private static (Tensor X, LongTensor Y) Load(string split, int limit)
    {
        string dir = TempFolder.Shared("datasets", "fashion-mnist");
        var images = Idx.ReadTensor(Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), new IdxReadOptions { ScaleBytes = true });
        var labels = Idx.ReadLongTensor(Path.Combine(dir, $"{split}-labels-idx1-ubyte.gz"));
        int n = Math.Min(limit, images.Dim(0));
        return (images.Slice(0, 0, n).Reshape(n, 1, 28, 28).Contiguous(), new LongTensor(labels.Data[..n], n));
    }

    [Fact]
    public void An_mlp_trained_on_5000_images_reaches_80_percent_on_the_full_test_set()
    {
        var (x, y) = Load("train", 5000);
        var (tx, ty) = Load("t10k", 10_000);
        var model = Architectures.Mlp(784, [256, 128], 10, new Rng(0));
        var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3f), new TrainerOptions { Epochs = 8, BatchSize = 64, Seed = 0 });
        trainer.Fit(x, y);
        var (_, accuracy) = Trainer.Evaluate(model, tx, ty);
        Assert.True(accuracy >= 0.80, $"test accuracy {accuracy:P2}");
    }

    [Fact]
    public void The_reference_cnn_learns_from_a_subset_and_same_seed_gives_the_same_weights_bit_for_bit()
    {
        var (x, y) = Load("train", 4000);
        var (tx, ty) = Load("t10k", 2000);
        float[] Train(out double accuracy)
        {
            var model = Architectures.ReferenceCnn(new Rng(1));
            var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3f), new TrainerOptions { Epochs = 2, BatchSize = 64, Seed = 1 });
            trainer.Fit(x, y);
            accuracy = Trainer.Evaluate(model, tx, ty).Accuracy;
            return model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        }
        var first = Train(out double accuracy);
        Assert.True(accuracy >= 0.72, $"test accuracy {accuracy:P2}");
        var second = Train(out _);
        Assert.True(first.AsSpan().SequenceEqual(second), "two runs with the same seed and thread count differ");
    }
}
