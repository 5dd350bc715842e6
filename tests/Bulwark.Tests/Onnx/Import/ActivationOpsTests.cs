using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.OpMathGraph;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class ActivationOpsTests
{
    private static readonly DataType[] OneFloat = [DataType.Float];

    // Values kept away from each activation's kinks so central differences are valid.
    private static OnnxValue Sample() => F([-2.1f, -0.6f, 0.35f, 1.4f, -0.05f, 2.7f], 2, 3);

    [Fact]
    public void Activations_compute_their_formulas()
    {
        var x = F([-1f, 0.5f], 2);
        Near([0.5f * (MathF.Exp(-1f) - 1), 0.5f], Run(Load("Elu", 6, OneFloat, 1, Float("alpha", 0.5f)), x)[0]);
        Near([-0.1f, 0.5f], Run(Load("LeakyRelu", 6, OneFloat, 1, Float("alpha", 0.1f)), x)[0]);
        Near([0.3f, 0.6f], Run(Load("HardSigmoid", 6, OneFloat), x)[0]);
        Near([-1f / 3, 0.5f * (0.5f / 6 + 0.5f)], Run(Load("HardSwish", 14, OneFloat), x)[0]);
        Near([-0.5f, 0.5f / 1.5f], Run(Load("Softsign", 1, OneFloat), x)[0]);
        Near([2f * (MathF.Exp(-0.5f) - 1), 0.5f], Run(Load("Celu", 12, OneFloat, 1, Float("alpha", 2f)), x)[0]);
        float tanhGelu = 0.5f * 0.5f * (1 + MathF.Tanh(MathF.Sqrt(2 / MathF.PI) * (0.5f + (0.044715f * 0.125f))));
        Near([-0.158808f, tanhGelu], Run(Load("Gelu", 20, OneFloat, 1, Str("approximate", "tanh")), x)[0], 1e-3f);
        var big = Run(Load("Elu", 6, OneFloat), F([100f], 1))[0];
        Assert.Equal([100f], big.Float!.ToArray());
    }

    [Theory]
    [InlineData("Elu")]
    [InlineData("Selu")]
    [InlineData("HardSigmoid")]
    [InlineData("Softplus")]
    [InlineData("Softsign")]
    public void Activation_gradient_matches_finite_differences(string op) =>
        CheckGradient(Load(op, 6, OneFloat), [Sample()]);

    [Fact]
    public void PRelu_broadcasts_the_slope_and_differentiates_both_inputs()
    {
        var model = Load("PRelu", 9, [DataType.Float, DataType.Float]);
        var slope = F([0.1f, 0.5f, 0.25f], 3);
        Near([-0.21f, -0.3f, 0.35f, 1.4f, -0.025f, 2.7f], Run(model, Sample(), slope)[0]);
        CheckGradient(model, [Sample(), slope], wrt: 0);
        CheckGradient(model, [Sample(), slope], wrt: 1);
        // Before opset 7 a 1-D slope is per channel: axis 1 of X.
        var channels = F([-2.1f, -0.6f, 0.35f, 1.4f, -0.05f, 2.7f], 1, 3, 2);
        var legacy = Run(Load("PRelu", 6, [DataType.Float, DataType.Float]), channels, slope)[0];
        Near([-0.21f, -0.06f, 0.35f, 1.4f, -0.0125f, 2.7f], legacy);
    }

    [Fact]
    public void Softmax_before_opset_13_coerces_to_2d_and_after_uses_one_axis()
    {
        var x = F([1f, 2f, 3f, 4f], 2, 2);
        // Opset 11, axis 0: one softmax over all four elements.
        var old = Run(Load("Softmax", 11, OneFloat, 1, Int("axis", 0)), x)[0].Float!.ToArray();
        Assert.Equal(1f, old.Sum(), 4);
        // Opset 13, axis 0: a softmax down each column.
        var now = Run(Load("Softmax", 13, OneFloat, 1, Int("axis", 0)), x)[0].Float!.ToArray();
        Assert.Equal(1f, now[0] + now[2], 4);
        Assert.Equal(1f, now[1] + now[3], 4);
        var hard = Run(Load("Hardmax", 13, OneFloat), F([1f, 3f, 3f, 0f, 5f, 2f], 2, 3))[0];
        Assert.Equal([0f, 1f, 0f, 0f, 1f, 0f], hard.Float!.ToArray());
    }

    [Theory]
    [InlineData("Softmax", 13)]
    [InlineData("Softmax", 11)]
    [InlineData("LogSoftmax", 13)]
    [InlineData("LogSoftmax", 1)]
    public void Softmax_gradients_match_finite_differences(string op, int opset) =>
        CheckGradient(Load(op, opset, OneFloat), [Sample()]);

    [Fact]
    public void Gelu_refuses_an_unknown_approximation_at_load()
    {
        var e = Assert.Throws<BulwarkInputException>(() => Load("Gelu", 20, OneFloat, 1, Str("approximate", "erf")));
        Assert.Contains("op Gelu", e.Message, StringComparison.Ordinal);
        Assert.Contains("approximate", e.Message, StringComparison.Ordinal);
    }
}
