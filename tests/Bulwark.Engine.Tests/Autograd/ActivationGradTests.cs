using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class UnaryGradTests
{
    public static TheoryData<string> Ops => ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky", "softplus", "erf", "gelu", "clamp", "pow3", "neg", "rsub", "maximum", "minimum", "where"];

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "exp" => x.Exp(),
        "log" => x.Abs().Add(0.5f).Log(),
        "sqrt" => x.Abs().Add(0.5f).Sqrt(),
        "abs" => x.Abs(),
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "relu" => x.Relu(),
        "leaky" => x.LeakyRelu(0.1f),
        "softplus" => x.Softplus(),
        "erf" => x.Erf(),
        "gelu" => x.Gelu(),
        "clamp" => x.Clamp(-0.5f, 0.5f),
        "pow3" => x.Pow(3f),
        "neg" => x.Neg(),
        "rsub" => x.RSub(2f),
        "maximum" => x.Maximum(Tensor.Full(0.1f, x.Shape.ToArray())),
        "minimum" => x.Minimum(Tensor.Full(0.1f, 1)),
        "where" => Tensor.Where(x.GreaterThan(0f), x.Square(), x.Mul(3f)),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void First_order_matches_finite_differences(string op) =>
        GradCheck.Check(x => Apply(op, x[0]), [AwayFromKinks(op)]);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Second_order_matches_finite_differences(string op) =>
        GradCheck.CheckSecondOrder(x => Apply(op, x[0].Mul(x[0]).Add(x[0])), [AwayFromKinks(op)]);

    [Fact]
    public void Erf_matches_known_values()
    {
        Assert.Equal(0.8427007929497149, SpecialFunctions.Erf(1.0), 14);
        Assert.Equal(-0.9953222650189527, SpecialFunctions.Erf(-2.0), 14);
        Assert.Equal(0.9999779095030014, SpecialFunctions.Erf(3.0), 14);
        Assert.Equal(1.0, SpecialFunctions.Erfc(3.0) / 2.209049699858544e-05, 12);
        Assert.Equal(0.975002104851780, SpecialFunctions.NormalCdf(1.96), 12);
    }

    // Points within eps of a kink (0 for relu/abs, ±0.5 for clamp, the 0.1 threshold) make finite differences meaningless.
    private static Tensor AwayFromKinks(string op)
    {
        var t = GradCheck.Random(op.Length * 31, -1.5f, 1.5f, 3, 4);
        var data = t.ToArray();
        // The kinks of each op at x and at x² + x (the second-order check's inner function).
        float[] kinks = [0f, 0.5f, -0.5f, 0.1f, -1f, 0.0916f, -1.0916f, 0.366f, -1.366f];
        for (int i = 0; i < data.Length; i++)
        {
            while (kinks.Any(k => MathF.Abs(data[i] - k) < 0.04f))
            {
                data[i] += 0.13f;
            }
        }
        return Tensor.FromArray(data, 3, 4);
    }
}
