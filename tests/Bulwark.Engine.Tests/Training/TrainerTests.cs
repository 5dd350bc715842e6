using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;

namespace Bulwark.Engine.Tests.Training;

public class TrainerTests
{
    // Three Gaussian blobs in 2-D, the classes well apart.
    private static (Tensor X, LongTensor Y) Blobs(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[n * 2];
        var y = new long[n];
        float[][] centres = [[-2, 0], [2, 0], [0, 2.5f]];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = centres[c][0] + rng.Normal(0, 0.6f);
            x[(2 * i) + 1] = centres[c][1] + rng.Normal(0, 0.6f);
        }
        return (Tensor.FromArray(x, n, 2), new LongTensor(y, n));
    }

    private static (Sequential Model, TrainingHistory History) Train(ulong seed, int epochs = 8, int patience = 0, Tensor? vx = null, LongTensor? vy = null)
    {
        var (x, y) = Blobs(300, 1);
        var model = Architectures.Mlp(2, [16], 3, new Rng(seed));
        var trainer = new Trainer(model, new Adam(model.Parameters(), 0.05f), new TrainerOptions { Epochs = epochs, BatchSize = 32, Seed = seed, EarlyStoppingPatience = patience });
        return (model, trainer.Fit(x, y, vx, vy));
    }

    [Fact]
    public void Training_separates_the_blobs_and_the_loss_falls()
    {
        var (model, history) = Train(5);
        Assert.True(history.Epochs[^1].TrainLoss < 0.5 * history.Epochs[0].TrainLoss, $"loss {history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        var (tx, ty) = Blobs(300, 2);
        var (_, accuracy) = Trainer.Evaluate(model, tx, ty);
        Assert.True(accuracy > 0.95, $"held-out accuracy {accuracy}");
        Assert.False(model.IsTraining);
    }

    [Fact]
    public void Same_seed_same_weights_bit_for_bit_and_another_seed_differs()
    {
        var a = Train(9).Model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        var b = Train(9).Model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        var c = Train(10).Model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_epoch_weights()
    {
        var (vx, vy) = Blobs(90, 3);
        // Labels the model cannot learn from: validation loss rises as the model fits the training blobs.
        var shuffled = new LongTensor(vy.Data.Select(v => (v + 1) % 3).ToArray(), vy.Size);
        var (model, history) = Train(4, epochs: 30, patience: 2, vx, shuffled);
        Assert.True(history.StoppedEarly);
        Assert.True(history.Epochs.Count < 30);
        double best = history.Epochs.Min(e => e.ValidationLoss!.Value);
        Assert.Equal(best, history.Epochs[history.BestEpoch - 1].ValidationLoss!.Value);
        var (loss, _) = Trainer.Evaluate(model, vx, shuffled);
        Assert.Equal(best, loss, 5);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var (x, y) = Blobs(30, 1);
        var model = Architectures.Mlp(2, [4], 3, new Rng(1));
        Assert.Throws<BulwarkInputException>(() => new Trainer(model, new Sgd(model.Parameters(), 0.1f), new TrainerOptions { Epochs = 0 }));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.1f), new TrainerOptions { Epochs = 1 });
        var nan = x.ToArray();
        nan[3] = float.NaN;
        Assert.Throws<BulwarkInputException>(() => trainer.Fit(Tensor.FromArray(nan, 30, 2), y));
        Assert.Throws<BulwarkInputException>(() => trainer.Fit(x, new LongTensor(new long[29], 29)));
        Assert.Throws<BulwarkInputException>(() => trainer.Fit(x, new LongTensor(Enumerable.Repeat(7L, 30).ToArray(), 30)));
    }
}

public class DataLoaderTests
{
    [Fact]
    public void Batches_cover_every_row_once_and_shuffles_are_seeded()
    {
        var x = Tensor.Arange(0, 20).Reshape(10, 2);
        var y = new LongTensor(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), 10);
        var loader = new DataLoader(x, y, 4, shuffle: true, rng: new Rng(1));
        var epoch1 = loader.SelectMany(b => b.Y.Data).ToArray();
        var epoch2 = loader.SelectMany(b => b.Y.Data).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), epoch1.Order());
        Assert.NotEqual(epoch1, epoch2);
        Assert.Equal(3, loader.BatchCount);
        foreach (var (bx, by) in loader)
        {
            for (int i = 0; i < by.Size; i++)
            {
                Assert.Equal(2 * by.Data[i], bx[i, 0]);
            }
        }
        var again = new DataLoader(x, y, 4, shuffle: true, rng: new Rng(1)).SelectMany(b => b.Y.Data).ToArray();
        Assert.Equal(epoch1, again);
        Assert.Equal(2, new DataLoader(x, y, 4, dropLast: true).Count());
    }
}
