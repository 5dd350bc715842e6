using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class ElementwiseGradTests
{
    [Fact]
    public void Add_broadcasts_and_unbroadcasts() =>
        GradCheck.Check(x => x[0].Add(x[1]), [GradCheck.Random(1, -1, 1, 3, 4), GradCheck.Random(2, -1, 1, 4)]);

    [Fact]
    public void Mul_of_a_transposed_view() =>
        GradCheck.Check(x => x[0].Transpose(0, 1).Mul(x[1]), [GradCheck.Random(1, -1, 1, 4, 3), GradCheck.Random(2, -1, 1, 3, 1)]);

    [Fact]
    public void Div_broadcast() =>
        GradCheck.Check(x => x[0].Div(x[1]), [GradCheck.Random(1, -1, 1, 2, 3), GradCheck.Random(2, 1, 2, 2, 1)]);

    [Fact]
    public void MatMul_batched() =>
        GradCheck.Check(x => x[0].MatMul(x[1]), [GradCheck.Random(1, -1, 1, 2, 3, 4), GradCheck.Random(2, -1, 1, 4, 5)]);

    [Fact]
    public void Second_order_through_matmul_and_tanh() =>
        GradCheck.CheckSecondOrder(x => x[0].MatMul(x[1]).Tanh(), [GradCheck.Random(1, -1, 1, 2, 3), GradCheck.Random(2, -1, 1, 3, 2)]);
}
