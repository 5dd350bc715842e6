using Bulwark.Attacks.Evasion;
using Xunit.Abstractions;

namespace Bulwark.Tests.Attacks.Evasion;

/// <summary>A test that runs only when BULWARK_FIGURES=1: minutes long, it prints figures rather than guarding behaviour.</summary>
internal sealed class FiguresFactAttribute : FactAttribute
{
    public FiguresFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("BULWARK_FIGURES") != "1")
            Skip = "long run; set BULWARK_FIGURES=1 (examples/blackbox-digits.sh does)";
    }
}

/// <summary>
/// The black-box attacks at full size on the digits CNN: 100 correctly classified test images and
/// budgets up to 10,000 queries, beside white-box references on the same images.
/// </summary>
public sealed class BlackBoxDigitsFigures(ITestOutputHelper output)
{
    [FiguresFact]
    public void Print_black_box_figures_on_100_digits()
    {
        var white = TrainedModels.DigitsCnn();
        var (x, y) = TrainedModels.CorrectlyClassified(white, 100);
        var model = new BlackBoxAttackTests.PredictOnly(white);
        output.WriteLine("attack | setting | success | median queries | median L2 | median Linf | seconds");
        void Row(string setting, AttackResult r)
        {
            string queries = r.QueriesPerSample is null ? "-" : $"{r.MedianOverSuccesses(r.QueriesPerSample.Select(q => (float)q).ToArray()):F0}";
            output.WriteLine($"{r.Attack} | {setting} | {r.SuccessRate:P0} | {queries} | {r.MedianOverSuccesses(r.L2):F3} | {r.MedianOverSuccesses(r.Linf):F3} | {r.Elapsed.TotalSeconds:F1}");
        }
        foreach (float eps in new[] { 0.1f, 0.15f, 0.2f })
        {
            Row($"Linf eps {eps}, white-box reference", new Pgd(new PgdOptions { Epsilon = eps, Steps = 100, Restarts = 5 }).Run(white, x, y));
            Row($"Linf eps {eps}, 10k queries", new SquareAttack(new SquareAttackOptions { Epsilon = eps }).Run(model, x, y));
            Row($"Linf eps {eps}, 10k queries", new NesPgd(new NesPgdOptions { Epsilon = eps, StepSize = eps / 10 }).Run(model, x, y));
        }
        Row("L2 eps 1.0, 10k queries", new SquareAttack(new SquareAttackOptions { Epsilon = 1f, Norm = NormKind.L2 }).Run(model, x, y));
        Row("DCT basis, no budget", new Simba().Run(model, x, y));
        Row("pixel basis, no budget", new Simba(new SimbaOptions { Basis = SimbaBasis.Pixel }).Run(model, x, y));
        Row("white-box reference", new DeepFool().Run(white, x, y));
        Row("white-box reference", new CarliniWagnerL2(new CarliniWagnerL2Options { BinarySearchSteps = 6, MaxIterations = 200, LearningRate = 0.05f, InitialConstant = 0.1f }).Run(white, x, y));
        foreach (int budget in new[] { 1000, 5000, 10_000 })
        {
            Row($"L2, {budget} queries", new HopSkipJump(new HopSkipJumpOptions { MaxQueries = budget }).Run(model, x, y));
            Row($"L2, {budget} queries", new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = budget }).Run(model, x, y));
        }
        Row("Linf, 10k queries", new HopSkipJump(new HopSkipJumpOptions { Norm = NormKind.Linf }).Run(model, x, y));
    }
}
