using Bulwark.Engine;
using Bulwark.Engine.Optim;

namespace Bulwark.Engine.Tests.Optim;

public class ScheduleAndClipTests
{
    private static Sgd Optimizer(float lr) => new([Tensor.Zeros(1).RequiresGradient()], lr);

    [Fact]
    public void StepLR_matches_its_closed_form_and_PyTorch()
    {
        var opt = Optimizer(0.5f);
        var schedule = new StepLR(opt, stepSize: 3, gamma: 0.5f);
        // torch 1.13 StepLR(SGD(lr=0.5), 3, 0.5), lr read before each of 8 steps.
        float[] torch = [0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.125f, 0.125f];
        for (int e = 0; e < torch.Length; e++)
        {
            Assert.Equal(torch[e], opt.LearningRate);
            Assert.Equal(0.5 * Math.Pow(0.5, e / 3), schedule.LearningRateAt(e), 1e-7);
            schedule.Step();
        }
        Assert.Equal(8, schedule.Epoch);
    }

    [Fact]
    public void CosineAnnealingLR_matches_its_closed_form_and_PyTorch()
    {
        var opt = Optimizer(0.5f);
        var schedule = new CosineAnnealingLR(opt, tMax: 5, etaMin: 0.01f);
        // torch 1.13 CosineAnnealingLR(SGD(lr=0.5), 5, 0.01), lr read before each of 8 steps.
        double[] torch = [0.5, 0.45320916362186214, 0.33070916362186215, 0.1792908363781379, 0.0567908363781379, 0.01, 0.05679083637813787, 0.17929083637813795];
        for (int e = 0; e < torch.Length; e++)
        {
            Assert.Equal(torch[e], opt.LearningRate, 1e-6);
            Assert.Equal(0.01 + (0.49 * (1 + Math.Cos(Math.PI * e / 5)) / 2), schedule.LearningRateAt(e), 1e-6);
            schedule.Step();
        }
        schedule.SetEpoch(5);
        Assert.Equal(0.01f, opt.LearningRate, 1e-7f);
    }

    [Fact]
    public void ClipGradNorm_scales_all_gradients_jointly_like_PyTorch()
    {
        var a = Tensor.Zeros(2).RequiresGradient();
        var b = Tensor.Zeros(3).RequiresGradient();
        var none = Tensor.Zeros(1).RequiresGradient();
        a.Grad = Tensor.FromArray([3f, 4f], 2);
        b.Grad = Tensor.FromArray([0f, 12f, 0f], 3);
        // torch 1.13 clip_grad_norm_([a, b], 6.5) → 13, grads halved (less the 1e-6 guard).
        Assert.Equal(13f, GradClip.ClipGradNorm([a, b, none], 6.5f));
        Assert.Equal([1.4999998807907104f, 1.9999998807907104f], a.Grad.ToArray());
        Assert.Equal([0f, 5.999999523162842f, 0f], b.Grad.ToArray());
        Assert.Null(none.Grad);

        a.Grad = Tensor.FromArray([3f, -4f], 2);
        b.Grad = Tensor.FromArray([0f, 12f, -1f], 3);
        Assert.Equal(12f, GradClip.ClipGradNorm([a, b], 2f, float.PositiveInfinity));
        Assert.Equal(0.4999999701976776f, a.Grad.ToArray()[0], 1e-7f);
        Assert.Equal(-0.1666666567325592f, b.Grad.ToArray()[2], 1e-7f);

        a.Grad = Tensor.FromArray([3f, -4f], 2);
        b.Grad = Tensor.FromArray([0f, 12f, -1f], 3);
        Assert.Equal(20f, GradClip.ClipGradNorm([a, b], 5f, 1f), 1e-5f);
        Assert.Equal(2.999999761581421f, b.Grad.ToArray()[1], 1e-6f);
    }

    [Fact]
    public void ClipGradNorm_leaves_small_gradients_alone_and_does_not_write_shared_storage()
    {
        var a = Tensor.Zeros(2).RequiresGradient();
        var b = Tensor.Zeros(2).RequiresGradient();
        // Add's backward passes one gradient tensor to both operands: two views of one storage.
        a.Add(b).Mul(Tensor.FromArray([3f, 4f], 2)).Sum().Backward();
        var before = a.Grad!;
        Assert.Equal(5f * MathF.Sqrt(2f), GradClip.ClipGradNorm([a, b], 100f), 1e-5f);
        Assert.Same(before, a.Grad);
        GradClip.ClipGradNorm([a, b], 1f);
        Assert.Equal(1f, MathF.Sqrt(a.Grad!.Square().Sum().Item() + b.Grad!.Square().Sum().Item()), 1e-5f);
        Assert.Equal([3f, 4f], before.ToArray());
    }

    [Fact]
    public void ClipGradNorm_non_finite_and_ClipGradValue()
    {
        var a = Tensor.Zeros(2).RequiresGradient();
        a.Grad = Tensor.FromArray([float.NaN, 1f], 2);
        Assert.Throws<BulwarkInputException>(() => GradClip.ClipGradNorm([a], 1f, errorIfNonFinite: true));
        Assert.True(float.IsNaN(GradClip.ClipGradNorm([a], 1f)));

        a.Grad = Tensor.FromArray([-3f, 0.5f], 2);
        GradClip.ClipGradValue([a], 1f);
        Assert.Equal([-1f, 0.5f], a.Grad.ToArray());
    }
}
