using Bulwark.Attacks.Evasion;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Tests.Attacks.Evasion;

/// <summary>
/// The gradients the attacks ascend (cross-entropy and DLR, untargeted and targeted, through the
/// white-box forward pass) equal central finite differences of the same losses on a small model.
/// </summary>
public sealed class AttackGradientTests
{
    private static EngineClassifier Model() => new(Architectures.Mlp(6, [8], 5, new Rng(3)), [6], 5);

    [Theory]
    [InlineData(AdversarialLossKind.CrossEntropy, false)]
    [InlineData(AdversarialLossKind.CrossEntropy, true)]
    [InlineData(AdversarialLossKind.Dlr, false)]
    [InlineData(AdversarialLossKind.Dlr, true)]
    public void Loss_gradients_match_finite_differences(AdversarialLossKind kind, bool targeted)
    {
        var model = Model();
        var x = Tensor.Uniform(new Rng(9), 0f, 1f, 3, 6);
        var labels = LongTensor.FromValues(0, 2, 4);
        Criterion criterion = targeted ? new TargetedMisclassification(LongTensor.FromValues(1, 3, 0)) : new Misclassification(labels);
        var context = new AttackContext(model, new Rng(0));
        var (loss, gradient, _) = AdversarialLoss.Evaluate(context, x, criterion, kind);
        var g = gradient.ToArray();
        var values = x.ToArray();
        const float h = 1e-2f;
        for (int i = 0; i < values.Length; i++)
        {
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += h;
            minus[i] -= h;
            int row = i / 6;
            double up = AdversarialLoss.Evaluate(context, Tensor.FromArray(plus, 3, 6), criterion, kind).Loss[row];
            double down = AdversarialLoss.Evaluate(context, Tensor.FromArray(minus, 3, 6), criterion, kind).Loss[row];
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - g[i]) <= 2e-3 + (2e-2 * Math.Abs(numeric)), $"{kind} targeted={targeted} element {i}: autodiff {g[i]}, finite difference {numeric}");
        }
        Assert.Equal(3, loss.Length);
    }
}
