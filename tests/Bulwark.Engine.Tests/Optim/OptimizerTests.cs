using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;

namespace Bulwark.Engine.Tests.Optim;

/// <summary>
/// Three steps from θ₀ = [0.5, −1, 2, 0.1] with fixed gradients. The expected parameters were
/// computed once with torch 1.13's optimisers on the same inputs and are pinned here.
/// </summary>
public class OptimizerTests
{
    private static readonly float[][] Gradients = [[0.3f, -0.2f, 1.5f, 0f], [-0.1f, 0.4f, 0.5f, 2f], [0.2f, 0.2f, -1f, -0.5f]];

    private static float[] Run(Func<Tensor[], Optimizer> make, float[][]? gradients = null)
    {
        var p = Tensor.FromArray([0.5f, -1f, 2f, 0.1f], 4).RequiresGradient();
        var opt = make([p]);
        foreach (var g in gradients ?? Gradients)
        {
            p.Grad = Tensor.FromArray(g, 4);
            opt.Step();
        }
        return p.ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, float tol = 2e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1f, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void Sgd_plain() =>
        AssertClose([0.459999979f, -1.03999996f, 1.9000001f, -0.0500000007f], Run(ps => new Sgd(ps, 0.1f)));

    [Fact]
    public void Sgd_momentum_dampening_weight_decay() =>
        AssertClose([0.415236592f, -1.0269202f, 1.58792186f, -0.197369561f],
            Run(ps => new Sgd(ps, 0.1f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f)));

    [Fact]
    public void Sgd_nesterov() =>
        AssertClose([0.367339969f, -1.03802621f, 1.46745408f, -0.347379774f],
            Run(ps => new Sgd(ps, 0.1f, momentum: 0.9f, weightDecay: 0.05f, nesterov: true)));

    [Fact]
    public void Adam_defaults() =>
        AssertClose([0.299669504f, -0.988534391f, 1.79017115f, -0.0147157609f], Run(ps => new Adam(ps, 0.1f)));

    [Fact]
    public void Adam_with_betas_eps_and_coupled_weight_decay() =>
        AssertClose([0.283299983f, -0.939259648f, 1.78310966f, -0.107328832f],
            Run(ps => new Adam(ps, 0.1f, beta1: 0.8f, beta2: 0.99f, eps: 1e-3f, weightDecay: 0.1f)));

    [Fact]
    public void Adam_amsgrad_differs_once_the_second_moment_falls()
    {
        float[][] falling = [[3f, -2f, 1f, 0.5f], [0.1f, 0.1f, -0.1f, 0f], [0.05f, -0.2f, 0.1f, 0.1f], [0f, 0.1f, 0.2f, -0.3f]];
        AssertClose([0.144829318f, -0.660595298f, 1.66010857f, -0.190910742f],
            Run(ps => new Adam(ps, 0.1f, beta2: 0.5f), falling), 5e-6f);
        AssertClose([0.267320365f, -0.773977458f, 1.77105546f, -0.11962042f],
            Run(ps => new Adam(ps, 0.1f, beta2: 0.5f, amsgrad: true), falling), 5e-6f);
    }

    [Fact]
    public void AdamW_decouples_weight_decay() =>
        AssertClose([0.287209243f, -0.960457325f, 1.73363018f, -0.0169417225f], Run(ps => new AdamW(ps, 0.1f, weightDecay: 0.1f)));

    [Fact]
    public void Adam_state_is_named_and_matches_PyTorch()
    {
        var p = Tensor.FromArray([0.5f, -1f, 2f, 0.1f], 4).RequiresGradient();
        var adam = new Adam([p], 0.1f);
        foreach (var g in Gradients)
        {
            p.Grad = Tensor.FromArray(g, 4);
            adam.Step();
        }
        Assert.Equal(["0.exp_avg", "0.exp_avg_sq", "0.step"], adam.State.Keys.Order());
        Assert.Equal(3f, adam.State["0.step"].Item());
        AssertClose([0.0353000015f, 0.0397999994f, 0.0665000007f, 0.129999995f], adam.State["0.exp_avg"].ToArray());
        AssertClose([0.000139810116f, 0.000239760047f, 0.00349525223f, 0.0042460002f], adam.State["0.exp_avg_sq"].ToArray(), 1e-5f);
    }

    [Fact]
    public void Loading_state_resumes_the_same_trajectory()
    {
        var reference = Run(ps => new Adam(ps, 0.1f));

        var p = Tensor.FromArray([0.5f, -1f, 2f, 0.1f], 4).RequiresGradient();
        var first = new Adam([p], 0.1f);
        p.Grad = Tensor.FromArray(Gradients[0], 4);
        first.Step();
        var resumed = new Adam([p], 0.1f);
        resumed.LoadState(first.State);
        foreach (var g in Gradients.Skip(1))
        {
            p.Grad = Tensor.FromArray(g, 4);
            resumed.Step();
        }
        Assert.Equal(reference, p.ToArray());
        Assert.Throws<BulwarkInputException>(() => resumed.LoadState(new Dictionary<string, Tensor> { ["1.exp_avg"] = Tensor.Zeros(4) }));
        Assert.Throws<BulwarkInputException>(() => resumed.LoadState(new Dictionary<string, Tensor> { ["0.exp_avg"] = Tensor.Zeros(3) }));
    }

    [Fact]
    public void Parameters_without_gradients_are_skipped_and_ZeroGrad_clears()
    {
        var a = Tensor.Ones(2).RequiresGradient();
        var b = Tensor.Ones(2).RequiresGradient();
        var sgd = new Sgd([a, b], 0.5f, momentum: 0.9f);
        a.Grad = Tensor.FromArray([1f, 2f], 2);
        sgd.Step();
        Assert.Equal([0.5f, 0f], a.ToArray());
        Assert.Equal([1f, 1f], b.ToArray());
        Assert.Equal(["0.momentum_buffer"], sgd.State.Keys);
        sgd.ZeroGrad();
        Assert.Null(a.Grad);
    }

    [Fact]
    public void A_broadcast_gradient_view_is_read_not_written()
    {
        // Sum's backward hands back an expanded (zero-stride) view of one value.
        var w = Tensor.FromArray([1f, 2f, 3f], 3).RequiresGradient();
        w.Sum().Backward();
        var grad = w.Grad!;
        new Sgd([w], 0.5f, weightDecay: 1f).Step();
        Assert.Equal([0f, 0.5f, 1f], w.ToArray());
        Assert.Equal([1f, 1f, 1f], grad.ToArray());
    }

    [Fact]
    public void Trains_a_small_model()
    {
        var rng = new Rng(1);
        var model = new Sequential(new Linear(2, 8, rng), new Tanh(), new Linear(8, 2, rng));
        var x = Tensor.FromArray([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], 4, 2);
        var y = LongTensor.FromValues(0, 1, 1, 0);
        var opt = new Adam(model.Parameters(), 0.05f);
        float first = 0f;
        float last = 0f;
        for (int i = 0; i < 200; i++)
        {
            opt.ZeroGrad();
            var loss = Losses.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            opt.Step();
            last = loss.Item();
            first = i == 0 ? last : first;
        }
        Assert.True(last < 0.05f * first, $"loss {first} → {last}");
    }

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        var p = Tensor.Ones(2).RequiresGradient();
        Assert.Throws<BulwarkInputException>(() => new Sgd([p], 0.1f, nesterov: true));
        Assert.Throws<BulwarkInputException>(() => new Sgd([p], -0.1f));
        Assert.Throws<BulwarkInputException>(() => new Sgd([p, p], 0.1f));
        Assert.Throws<BulwarkInputException>(() => new Adam([p], beta1: 1f));
        Assert.Throws<BulwarkInputException>(() => new Adam([Tensor.Ones(2, 3).Transpose(0, 1)]));
        Assert.Throws<BulwarkInputException>(() => new Adam([p]).LearningRate = float.NaN);
    }
}
