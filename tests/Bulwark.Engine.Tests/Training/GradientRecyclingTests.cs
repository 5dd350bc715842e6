using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;

namespace Bulwark.Engine.Tests.Training;

/// <summary>
/// The trainer hands each step's gradient storage back for the next backward pass: the numbers
/// must be exactly those of a loop that allocates afresh, and only storage the pool itself handed
/// out may come back.
/// </summary>
public class GradientRecyclingTests
{
    [Fact]
    public void Trainer_steps_with_recycled_gradients_give_the_same_weights_as_a_plain_loop()
    {
        var rng = new Rng(77);
        var x = Tensor.Uniform(rng, 0, 1, 16, 1, 12, 12);
        var y = new LongTensor(Enumerable.Range(0, 16).Select(i => (long)(i % 4)).ToArray(), 16);
        Sequential Model() => new(
            new Conv2d(1, 4, 3, new Rng(5), padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(4 * 6 * 6, 4, new Rng(6)));

        var recycled = Model();
        var trainer = new Trainer(recycled, new Sgd(recycled.Parameters(), 0.1f, momentum: 0.9f), new TrainerOptions());
        var plain = Model();
        var sgd = new Sgd(plain.Parameters(), 0.1f, momentum: 0.9f);
        for (int step = 0; step < 5; step++)
        {
            trainer.Step(x, y);
            sgd.ZeroGrad();
            Losses.CrossEntropy(plain.Forward(x), y).Backward();
            sgd.Step();
            Assert.All(recycled.Parameters(), p => Assert.Null(p.Grad));
        }
        var a = recycled.Parameters().Select(p => p.ToArray()).ToArray();
        var b = plain.Parameters().Select(p => p.ToArray()).ToArray();
        Assert.Equal(b, a);
    }

    [Fact]
    public void Only_whole_arrays_the_pool_handed_out_come_back_and_each_only_once()
    {
        const int Length = 1237;
        var issued = GradientBuffers.Rent(Length);
        GradientBuffers.Return(Tensor.FromArray(issued, Length));
        GradientBuffers.Return(Tensor.FromArray(issued, Length));
        Assert.Same(issued, GradientBuffers.Rent(Length));
        Assert.NotSame(issued, GradientBuffers.Rent(Length));

        var foreign = new float[Length];
        GradientBuffers.Return(Tensor.FromArray(foreign, Length));
        Assert.NotSame(foreign, GradientBuffers.Rent(Length));

        var part = GradientBuffers.Rent(Length + 1);
        GradientBuffers.Return(Tensor.FromArray(part, Length + 1).Slice(0, 1, Length + 1));
        Assert.NotSame(part, GradientBuffers.Rent(Length + 1));
    }
}
