using Bulwark.Attacks.Evasion;
using Bulwark.Engine;

namespace Bulwark.Tests.Attacks.Evasion;

/// <summary>The white-box attacks on the shared digits CNN: real effects, budgets respected, inputs untouched.</summary>
public sealed class WhiteBoxAttackTests
{
    [Fact]
    public void The_digits_cnn_is_accurate_enough_to_attack()
    {
        var model = TrainedModels.DigitsCnn();
        var test = TrainedModels.Digits.Test;
        var acc = model.PredictProba(test.Features).ArgMax(-1).Data.Where((p, i) => p == test.Labels.Data[i]).Count() / (double)test.Count;
        Assert.True(acc >= 0.93, $"clean accuracy {acc:P1}");
    }

    [Fact]
    public void Pgd_is_stronger_than_fgsm_and_respects_the_budget()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 100);
        var before = x.ToArray();
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.1f }).Run(model, x, y);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.1f, Steps = 20 }).Run(model, x, y);
        Assert.Equal(before, x.ToArray());
        Assert.True(pgd.SuccessRate >= fgsm.SuccessRate, $"pgd {pgd.SuccessRate:P0} vs fgsm {fgsm.SuccessRate:P0}");
        Assert.True(pgd.SuccessRate >= 0.5, $"pgd success {pgd.SuccessRate:P0}");
        Assert.All(pgd.Linf, v => Assert.True(v <= 0.1f + 1e-5f));
        Assert.All(pgd.Adversarial.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(100L * 20, pgd.GradientCalls);
    }

    [Fact]
    public void L2_and_L1_pgd_stay_in_their_balls()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 40);
        var l2 = new Pgd(new PgdOptions { Epsilon = 1.5f, Norm = NormKind.L2, Steps = 20 }).Run(model, x, y);
        Assert.All(l2.L2, v => Assert.True(v <= 1.5f + 1e-4f));
        Assert.True(l2.SuccessRate >= 0.5, $"L2 success {l2.SuccessRate:P0}");
        var l1 = new Pgd(new PgdOptions { Epsilon = 6f, Norm = NormKind.L1, Steps = 30, L1Sparsity = 0.05 }).Run(model, x, y);
        var l1Norms = Norms.Measure(l1.Adversarial.Sub(x), NormKind.L1);
        Assert.All(l1Norms, v => Assert.True(v <= 6f + 1e-3f));
        Assert.True(l1.SuccessRate > 0.2, $"L1 success {l1.SuccessRate:P0}");
    }

    [Fact]
    public void Apgd_is_at_least_as_strong_as_pgd()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 60);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.06f, Steps = 20 }).Run(model, x, y);
        var apgd = new Apgd(new ApgdOptions { Epsilon = 0.06f, Steps = 20 }).Run(model, x, y);
        var dlr = new Apgd(new ApgdOptions { Epsilon = 0.06f, Steps = 20, Loss = AdversarialLossKind.Dlr }).Run(model, x, y);
        Assert.True(apgd.SuccessRate >= pgd.SuccessRate - 0.02, $"apgd {apgd.SuccessRate:P0} vs pgd {pgd.SuccessRate:P0}");
        Assert.True(dlr.SuccessRate >= pgd.SuccessRate * 0.8, $"apgd-dlr {dlr.SuccessRate:P0}, apgd {apgd.SuccessRate:P0}, pgd {pgd.SuccessRate:P0}");
        Assert.Equal([0, 22, 41, 57, 70, 80, 87, 93, 99], Apgd.Checkpoints(100));
    }

    [Fact]
    public void Targeted_pgd_reaches_its_targets()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 30);
        var targets = new LongTensor(y.Data.Select(v => (v + 1) % 10).ToArray(), 30);
        var r = new Pgd(new PgdOptions { Epsilon = 0.3f, Steps = 40 }).Run(model, x, y, targets);
        var predicted = model.PredictProba(r.Adversarial).ArgMax(-1).Data;
        for (int i = 0; i < 30; i++)
            Assert.Equal(r.Success[i], predicted[i] == targets.Data[i]);
        Assert.True(r.SuccessRate >= 0.8, $"targeted success {r.SuccessRate:P0}");
    }

    [Fact]
    public void Minimum_norm_attacks_succeed_and_cw_is_not_larger_than_deepfool()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 20);
        var deepFool = new DeepFool().Run(model, x, y);
        var cw = new CarliniWagnerL2(new CarliniWagnerL2Options { BinarySearchSteps = 6, MaxIterations = 200, LearningRate = 0.05f, InitialConstant = 0.1f }).Run(model, x, y);
        Assert.True(deepFool.SuccessRate >= 0.95, $"deepfool {deepFool.SuccessRate:P0}");
        Assert.True(cw.SuccessRate >= 0.95, $"cw {cw.SuccessRate:P0}");
        double mDf = deepFool.MedianOverSuccesses(deepFool.L2);
        double mCw = cw.MedianOverSuccesses(cw.L2);
        Assert.True(mCw <= mDf * 1.1, $"median L2: cw {mCw:F3}, deepfool {mDf:F3}");
    }

    [Fact]
    public void Cw_linf_finds_perturbations_no_larger_than_pgd_needs()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 12);
        var cw = new CarliniWagnerLinf(new CarliniWagnerLinfOptions { MaxIterations = 100, MaxRounds = 15, InitialConstant = 0.05f, LearningRate = 0.02f }).Run(model, x, y);
        Assert.True(cw.SuccessRate >= 0.9, $"cw-linf success {cw.SuccessRate:P0}");
        double median = cw.MedianOverSuccesses(cw.Linf);
        // PGD at that budget (with 1.5x slack) must break at least half the samples, else C&W's points were not small.
        var pgd = new Pgd(new PgdOptions { Epsilon = (float)(median * 1.5), Steps = 40 }).Run(model, x, y);
        Assert.True(pgd.SuccessRate >= 0.5, $"cw-linf median L∞ {median:F3}; PGD at 1.5× breaks only {pgd.SuccessRate:P0}");
        Assert.All(cw.Adversarial.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Robust_accuracy_falls_along_the_curve_and_bad_input_is_refused()
    {
        var model = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(model, 40);
        var curve = new Pgd(new PgdOptions { Steps = 10 }).RunCurve(model, x, y, [0f, 0.05f, 0.1f, 0.2f]);
        Assert.Equal(0, curve[0].SuccessRate);
        for (int i = 1; i < curve.Count; i++)
            Assert.True(curve[i].SuccessRate >= curve[i - 1].SuccessRate - 0.03);
        Assert.Throws<BulwarkInputException>(() => new Pgd(new PgdOptions { Epsilon = -0.1f }));
        var badLabels = new LongTensor(y.Data.Select(_ => 10L).ToArray(), 40);
        Assert.Throws<BulwarkInputException>(() => new Fgsm().Run(model, x, badLabels));
        Assert.Throws<BulwarkInputException>(() => new Fgsm().Run(model, x.Mul(3f), y));
        Assert.Throws<BulwarkInputException>(() => new Fgsm().Run(model, x.Reshape(40, 64), y));
    }
}
