using Bulwark.Attacks.Evasion;
using Bulwark.Engine;
using Bulwark.Models;
using Xunit.Abstractions;

namespace Bulwark.Tests.Attacks.Evasion;

/// <summary>
/// The black-box attacks on the shared digits CNN, seen only through PredictProba: real effects,
/// per-sample query budgets never exceeded, determinism, inputs untouched, bounds respected.
/// </summary>
public sealed class BlackBoxAttackTests(ITestOutputHelper output)
{
    /// <summary>The digits CNN behind a prediction API: PredictProba and nothing else, so no gradient can leak.</summary>
    internal sealed class PredictOnly(IClassifier inner) : IClassifier
    {
        public IReadOnlyList<int> InputShape => inner.InputShape;

        public int ClassCount => inner.ClassCount;

        public InputBounds Bounds => inner.Bounds;

        public Tensor PredictProba(Tensor batch) => inner.PredictProba(batch);
    }

    private static (QueryCountingClassifier Model, Tensor X, LongTensor Y) Setup(int count, long? budget = null)
    {
        var white = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(white, count);
        return (new QueryCountingClassifier(new PredictOnly(white), budget), x, y);
    }

    private static double MedianQueries(AttackResult r) =>
        r.MedianOverSuccesses(r.QueriesPerSample!.Select(q => (float)q).ToArray());

    private static void AssertValid(AttackResult r, Tensor x, float[] before, int maxQueries)
    {
        Assert.Equal(before, x.ToArray());
        Assert.All(r.Adversarial.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.NotNull(r.QueriesPerSample);
        Assert.All(r.QueriesPerSample, q => Assert.InRange(q, 1, maxQueries));
        Assert.Equal(r.Queries, r.QueriesPerSample.Sum());
    }

    [Fact]
    public void Square_linf_breaks_nearly_every_digit_within_its_budget()
    {
        const int maxQueries = 1000;
        var (model, x, y) = Setup(40, 40 * maxQueries);
        var before = x.ToArray();
        var r = new SquareAttack(new SquareAttackOptions { Epsilon = 0.2f, MaxQueries = maxQueries }).Run(model, x, y);
        output.WriteLine($"square linf eps 0.2: success {r.SuccessRate:P1}, median queries {MedianQueries(r)}, total {r.Queries}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.Equal(model.Queries, r.Queries);
        Assert.All(r.Linf, v => Assert.True(v <= 0.2f + 1e-6f));
        Assert.True(r.SuccessRate >= 0.9, $"success {r.SuccessRate:P1}");
    }

    [Fact]
    public void Square_l2_succeeds_and_stays_in_its_ball()
    {
        const int maxQueries = 1000;
        var (model, x, y) = Setup(30, 30 * maxQueries);
        var before = x.ToArray();
        var r = new SquareAttack(new SquareAttackOptions { Epsilon = 1.0f, Norm = NormKind.L2, MaxQueries = maxQueries }).Run(model, x, y);
        output.WriteLine($"square l2 eps 1.0: success {r.SuccessRate:P1}, median queries {MedianQueries(r)}, median L2 {r.MedianOverSuccesses(r.L2):F3}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.All(r.L2, v => Assert.True(v <= 1.0f + 1e-4f));
        Assert.True(r.SuccessRate >= 0.5, $"success {r.SuccessRate:P1}");
    }

    [Fact]
    public void HopSkipJump_l2_comes_near_the_white_box_minimum_norms()
    {
        const int maxQueries = 2000;
        var (model, x, y) = Setup(15, 15 * maxQueries);
        var before = x.ToArray();
        var r = new HopSkipJump(new HopSkipJumpOptions { MaxQueries = maxQueries }).Run(model, x, y);
        var deepFool = new DeepFool().Run(TrainedModels.DigitsCnn(), x, y);
        double hsj = r.MedianOverSuccesses(r.L2), df = deepFool.MedianOverSuccesses(deepFool.L2);
        output.WriteLine($"hopskipjump l2 after {maxQueries} queries: success {r.SuccessRate:P1}, median L2 {hsj:F3}, deepfool {df:F3}, ratio {hsj / df:F2}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.Equal(model.Queries, r.Queries);
        Assert.Equal(1.0, r.SuccessRate);
        Assert.True(hsj <= df * 1.5, $"median L2: hopskipjump {hsj:F3}, deepfool {df:F3}");
    }

    [Fact]
    public void Boundary_walk_shrinks_the_noise_start_towards_the_boundary()
    {
        const int maxQueries = 3000;
        var (model, x, y) = Setup(10, 10 * maxQueries);
        var before = x.ToArray();
        var start = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 40 }).Run(new PredictOnly(TrainedModels.DigitsCnn()), x, y);
        var r = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = maxQueries }).Run(model, x, y);
        var deepFool = new DeepFool().Run(TrainedModels.DigitsCnn(), x, y);
        double walked = r.MedianOverSuccesses(r.L2), started = start.MedianOverSuccesses(start.L2), df = deepFool.MedianOverSuccesses(deepFool.L2);
        output.WriteLine($"boundary l2 after {maxQueries} queries: success {r.SuccessRate:P1}, median L2 {walked:F3} (start {started:F3}), deepfool {df:F3}, ratio {walked / df:F2}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.Equal(1.0, r.SuccessRate);
        Assert.True(walked < started * 0.7, $"median L2 {walked:F3} after the walk, {started:F3} at the start");
        Assert.True(walked <= df * 3, $"median L2: boundary {walked:F3}, deepfool {df:F3}");
    }

    [Theory]
    [InlineData(SimbaBasis.Dct)]
    [InlineData(SimbaBasis.Pixel)]
    public void Simba_lowers_the_true_class_until_the_label_flips(SimbaBasis basis)
    {
        const int maxQueries = 500;
        var (model, x, y) = Setup(30, 30 * maxQueries);
        var before = x.ToArray();
        var r = new Simba(new SimbaOptions { Basis = basis, MaxQueries = maxQueries }).Run(model, x, y);
        output.WriteLine($"simba {basis}: success {r.SuccessRate:P1}, median queries {MedianQueries(r)}, median L2 {r.MedianOverSuccesses(r.L2):F3}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.Equal(model.Queries, r.Queries);
        Assert.True(r.SuccessRate >= 0.8, $"success {r.SuccessRate:P1}");
        var budgeted = new Simba(new SimbaOptions { Basis = basis, MaxQueries = maxQueries, Epsilon = 0.5f }).Run(new PredictOnly(TrainedModels.DigitsCnn()), x, y);
        Assert.All(budgeted.L2, v => Assert.True(v <= 0.5f + 1e-4f));
    }

    [Fact]
    public void Nes_pgd_breaks_digits_inside_its_linf_ball()
    {
        const int maxQueries = 2000;
        var (model, x, y) = Setup(30, 30 * maxQueries);
        var before = x.ToArray();
        var r = new NesPgd(new NesPgdOptions { Epsilon = 0.2f, StepSize = 0.02f, MaxQueries = maxQueries }).Run(model, x, y);
        output.WriteLine($"nes-pgd linf eps 0.2: success {r.SuccessRate:P1}, median queries {MedianQueries(r)}, {r.Elapsed.TotalSeconds:F1}s");
        AssertValid(r, x, before, maxQueries);
        Assert.Equal(model.Queries, r.Queries);
        Assert.All(r.Linf, v => Assert.True(v <= 0.2f + 1e-6f));
        Assert.True(r.SuccessRate >= 0.8, $"success {r.SuccessRate:P1}");
    }

    public static TheoryData<string> AttackNames => ["square", "hopskipjump", "boundary", "simba", "nes-pgd"];

    /// <summary>Each attack with a small budget, as a fresh instance.</summary>
    internal static EvasionAttack Small(string name, int maxQueries, ulong seed = 0) => name switch
    {
        "square" => new SquareAttack(new SquareAttackOptions { Epsilon = 0.2f, MaxQueries = maxQueries, Seed = seed }),
        "hopskipjump" => new HopSkipJump(new HopSkipJumpOptions { MaxQueries = maxQueries, Seed = seed }),
        "boundary" => new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = maxQueries, Seed = seed }),
        "simba" => new Simba(new SimbaOptions { MaxQueries = maxQueries, Seed = seed }),
        _ => new NesPgd(new NesPgdOptions { Epsilon = 0.2f, StepSize = 0.02f, MaxQueries = maxQueries, Seed = seed }),
    };

    [Theory]
    [MemberData(nameof(AttackNames))]
    public void Budgets_hold_exactly_and_the_same_seed_gives_the_same_result(string name)
    {
        const int maxQueries = 157;
        var (model, x, y) = Setup(12, 12 * maxQueries);
        var before = x.ToArray();
        var first = Small(name, maxQueries, seed: 3).Run(model, x, y);
        var again = Small(name, maxQueries, seed: 3).Run(new PredictOnly(TrainedModels.DigitsCnn()), x, y);
        AssertValid(first, x, before, maxQueries);
        Assert.Equal(model.Queries, first.Queries);
        Assert.Equal(first.Adversarial.ToArray(), again.Adversarial.ToArray());
        Assert.Equal(first.QueriesPerSample, again.QueriesPerSample);
        Assert.Equal(first.Success, again.Success);
    }

    [Fact]
    public void Batches_carry_many_samples_per_model_call()
    {
        var (model, x, y) = Setup(20);
        var r = new SquareAttack(new SquareAttackOptions { Epsilon = 0.2f, MaxQueries = 300 }).Run(model, x, y);
        double perCall = model.Queries / (double)model.Calls;
        output.WriteLine($"square: {model.Queries} queries in {model.Calls} calls");
        Assert.True(perCall >= 4, $"{perCall:F1} samples per call");
        Assert.True(r.SuccessRate >= 0.9);
    }

    [Fact]
    public void Targeted_attacks_reach_their_targets()
    {
        var (model, x, y) = Setup(10);
        var targets = new LongTensor(y.Data.Select(v => (v + 1) % 10).ToArray(), 10);
        var square = new SquareAttack(new SquareAttackOptions { Epsilon = 0.3f, MaxQueries = 2000 }).Run(model, x, y, targets);
        var simba = new Simba(new SimbaOptions { StepSize = 0.5f, MaxQueries = 2000 }).Run(model, x, y, targets);
        var predicted = TrainedModels.DigitsCnn().PredictProba(square.Adversarial).ArgMax(-1).Data;
        for (int i = 0; i < 10; i++)
            Assert.Equal(square.Success[i], predicted[i] == targets.Data[i]);
        output.WriteLine($"targeted: square {square.SuccessRate:P0}, simba {simba.SuccessRate:P0}");
        Assert.True(square.SuccessRate >= 0.7, $"square targeted {square.SuccessRate:P0}");
        Assert.True(simba.SuccessRate >= 0.7, $"simba targeted {simba.SuccessRate:P0}");
    }

    [Fact]
    public void HopSkipJump_linf_and_bad_options()
    {
        var (model, x, y) = Setup(8);
        var r = new HopSkipJump(new HopSkipJumpOptions { Norm = NormKind.Linf, MaxQueries = 1500 }).Run(model, x, y);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.2f, Steps = 40 }).Run(TrainedModels.DigitsCnn(), x, y);
        output.WriteLine($"hopskipjump linf: success {r.SuccessRate:P0}, median Linf {r.MedianOverSuccesses(r.Linf):F3}; pgd eps 0.2 success {pgd.SuccessRate:P0}");
        Assert.Equal(1.0, r.SuccessRate);
        Assert.True(r.MedianOverSuccesses(r.Linf) < 0.5, $"median Linf {r.MedianOverSuccesses(r.Linf):F3}");
        Assert.Throws<BulwarkInputException>(() => new SquareAttack(new SquareAttackOptions { Norm = NormKind.L1 }));
        Assert.Throws<BulwarkInputException>(() => new NesPgd(new NesPgdOptions { Samples = 7 }));
        Assert.Throws<BulwarkInputException>(() => new HopSkipJump(new HopSkipJumpOptions { MaxQueries = 1 }));
        Assert.Throws<BulwarkInputException>(() => new Simba(new SimbaOptions { StepSize = 0 }));
        Assert.Throws<BulwarkInputException>(() => new BoundaryAttack(new BoundaryAttackOptions { StepAdaptation = 1 }));
        Assert.Throws<BulwarkInputException>(() => new HopSkipJump().RunCurve(model, x, y, [0.1f]));
    }

    [Fact]
    public void The_p_schedule_halves_at_the_papers_iterations_scaled_to_the_budget()
    {
        Assert.Equal(0.05, SquareAttack.PSchedule(0.05, 10, 10_000));
        Assert.Equal(0.025, SquareAttack.PSchedule(0.05, 11, 10_000));
        Assert.Equal(0.05 / 512, SquareAttack.PSchedule(0.05, 9_000, 10_000));
        Assert.Equal(0.05 / 16, SquareAttack.PSchedule(0.05, 60, 1_000));
    }
}
