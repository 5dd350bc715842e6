using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Autograd;

/// <summary>
/// Tape.Grad with respect to some tensors skips the parts of the graph that lead only to others
/// (the weights, when an attack wants input gradients), and leaves everything as it found it.
/// </summary>
public sealed class TapePruningTests
{
    [Fact]
    public void Input_gradients_equal_the_full_backward_and_weights_keep_requiring_gradients()
    {
        var net = new Sequential(new Conv2d(1, 3, 3, new Rng(1), padding: 1), new ReLU(), new Flatten(), new Linear(3 * 5 * 5, 4, new Rng(2)));
        var x = Tensor.Uniform(new Rng(3), 0f, 1f, 2, 1, 5, 5).RequiresGradient();
        var y = LongTensor.FromValues(1, 3);

        var pruned = Tape.Grad(Losses.CrossEntropy(net.Forward(x), y), [x])[0].ToArray();
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));

        Tape.Backward(Losses.CrossEntropy(net.Forward(x), y));
        Assert.Equal(x.Grad!.ToArray(), pruned);
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void Recorded_backward_passes_are_not_pruned_so_second_derivatives_reach_the_input()
    {
        var w = Tensor.FromArray([0.5f, -1.5f, 2f], 3).RequiresGradient();
        var x = Tensor.FromArray([1f, 2f, 3f], 3).RequiresGradient();
        var loss = w.Mul(x).Sum().Square();
        var gw = Tape.Grad(loss, [w], createGraph: true)[0];          // 2(w·x)·x
        var gx = Tape.Grad(gw.Square().Sum(), [x])[0];                 // d/dx Σ (2(w·x)x)²
        double s = (0.5 * 1) + (-1.5 * 2) + (2 * 3);
        double sumX2 = 1 + 4 + 9;
        var xs = new[] { 1.0, 2, 3 };
        var ws = new[] { 0.5, -1.5, 2 };
        for (int i = 0; i < 3; i++)
        {
            // f = 4 s² Σx² → ∂f/∂x_i = 8 s w_i Σx² + 8 s² x_i
            double expected = (8 * s * ws[i] * sumX2) + (8 * s * s * xs[i]);
            Assert.Equal(expected, gx.ToArray()[i], 3);
        }
    }
}

/// <summary>Pruning is thread-local: a module shared between threads keeps its flags for the others.</summary>
public sealed class TapePruningThreadTests
{
    [Fact]
    public void Another_thread_sees_the_weights_requiring_gradients_while_a_pruned_pass_runs()
    {
        var net = new Sequential(new Linear(4, 3, new Rng(1)), new ReLU(), new Linear(3, 2, new Rng(2)));
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool seenByOther = false;
        bool prunedHere = false;
        var other = new Thread(() =>
        {
            if (inside.Wait(TimeSpan.FromMinutes(1)))
            {
                seenByOther = net.Parameters().All(p => p.RequiresGrad);
            }
            release.Set();
        });
        other.Start();
        var me = Environment.CurrentManagedThreadId;
        var x = Tensor.Ones(2, 4).RequiresGradient();
        var loss = net.Forward(x).Sum();
        var previous = Tape.BackwardProfiler;
        Tape.BackwardProfiler = (_, _) =>
        {
            if (Environment.CurrentManagedThreadId == me && !inside.IsSet)
            {
                // Mid-pass on this thread: the weights read as pruned here...
                prunedHere = !net.Parameters().First().RequiresGrad;
                inside.Set();
                release.Wait(TimeSpan.FromMinutes(1));
            }
        };
        try
        {
            Tape.Grad(loss, [x]);
        }
        finally
        {
            Tape.BackwardProfiler = previous;
        }
        other.Join();
        // ...but not on the other thread, and not here afterwards.
        Assert.True(prunedHere);
        Assert.True(seenByOther);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }
}
