using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

/// <summary>
/// The convolution and pooling modules: construction, initialisation and naming here; the ops'
/// arithmetic is tested with the ops. Reference outputs were computed once with torch 1.13 on
/// x = sin(0.37·i) [1, 2, 5, 5] and weights cos(0.11·i) [4, 1, 3, 3], and are pinned.
/// </summary>
public class ConvModuleTests
{
    private static Tensor Input() => Tensor.FromArray(Enumerable.Range(0, 50).Select(i => MathF.Sin(0.37f * i)).ToArray(), 1, 2, 5, 5);

    private static void AssertClose(float[] expected, Tensor actual, float tol = 2e-5f)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - a[i]) <= tol, $"element {i}: expected {expected[i]}, got {a[i]}");
        }
    }

    [Fact]
    public void Conv2d_initialises_within_the_fan_in_bound_with_grouped_shape()
    {
        var conv = new Conv2d(4, 6, 3, new Rng(1), groups: 2);
        Assert.Equal([6, 2, 3, 3], conv.Weight.Shape.ToArray());
        Assert.Equal([6], conv.Bias!.Shape.ToArray());
        float bound = 1f / MathF.Sqrt(2 * 3 * 3);
        Assert.All(conv.Weight.ToArray(), w => Assert.InRange(w, -bound, bound));
        Assert.All(conv.Bias.ToArray(), w => Assert.InRange(w, -bound, bound));
        Assert.Equal(conv.Weight.ToArray(), new Conv2d(4, 6, 3, new Rng(1), groups: 2).Weight.ToArray());
        Assert.Null(new Conv2d(1, 1, 1, new Rng(1), bias: false).Bias);
        Assert.Throws<BulwarkInputException>(() => new Conv2d(3, 4, 3, new Rng(1), groups: 2));
    }

    [Fact]
    public void Conv2d_forward_matches_PyTorch()
    {
        var conv = new Conv2d(2, 4, 3, new Rng(2), stride: 2, padding: 1, groups: 2);
        conv.Weight.CopyFrom_(Tensor.FromArray(Enumerable.Range(0, 36).Select(i => MathF.Cos(0.11f * i)).ToArray(), 4, 1, 3, 3));
        conv.Bias!.CopyFrom_(Tensor.FromArray([0.1f, -0.2f, 0.3f, 0f], 4));
        var y = conv.Forward(Input());
        Assert.Equal([1, 4, 3, 3], y.Shape.ToArray());
        AssertClose([1.605928f, 2.936336f, 1.856603f, -0.035931f, -0.924948f, -0.876364f, 0.750742f, 2.596879f, 2.361697f,
            -0.604454f, -0.20287f, 0.182981f, 0.64881f, 0.092384f, -0.715f, -0.472176f, 0.144396f, 0.579411f,
            2.10206f, 3.220653f, 1.859885f, -0.74505f, -1.176473f, -0.282128f, 1.005993f, 2.254402f, 1.740417f,
            1.509858f, 3.055018f, 2.021872f, -0.155973f, -1.021964f, -0.953059f, 0.379572f, 2.26526f, 2.248813f], y);
    }

    [Fact]
    public void Pooling_modules_match_PyTorch()
    {
        AssertClose([0.961275f, 0.895699f, 0.995881f, 0.961275f, 0.796565f, 0.679305f, 0.996476f, 0.996476f, 0.792427f,
            0.173889f, -0.193984f, 0.013629f, 0.788252f, 0.997024f, 0.997024f, 0.788252f, 0.512388f, -0.200665f],
            new MaxPool2d(3, stride: 2, padding: 1).Forward(Input()));
        AssertClose([0.529864f, 0.568657f, 0.404293f, -0.588749f, -0.395899f, -0.106671f, 0.947592f, 0.875901f, 0.518228f,
            -0.476051f, -0.588343f, -0.475657f, 0.589804f, 0.466302f, 0.208042f, -0.887733f, -0.94012f, -0.65905f],
            new AvgPool2d(2, ceilMode: true, countIncludePad: false).Forward(Input()));
        AssertClose([0.131492f, 0.074863f, -0.000501f, -0.076635f, 0.000974f, 0.078339f,
            -0.140937f, -0.09488f, -0.025078f, 0.097292f, 0.023882f, -0.055505f],
            new AdaptiveAvgPool2d(2, 3).Forward(Input()));
        Assert.Equal([1, 2, 1, 1], new AdaptiveAvgPool2d(1).Forward(Input()).Shape.ToArray());
    }

    [Fact]
    public void Conv2d_gradients_wrt_input_weight_and_bias()
    {
        ModuleGradCheck.Check(new Conv2d(2, 2, 3, new Rng(3), padding: 1), GradCheck.Random(1, -1, 1, 1, 2, 4, 4));
        ModuleGradCheck.Check(new Conv2d(2, 4, 2, new Rng(4), stride: 2, groups: 2), GradCheck.Random(2, -1, 1, 2, 2, 4, 4));
    }

    [Fact]
    public void Pooling_gradients_wrt_input()
    {
        var x = GradCheck.Random(5, -1, 1, 1, 2, 5, 5);
        ModuleGradCheck.Check(new MaxPool2d(2), x);
        ModuleGradCheck.Check(new AvgPool2d(3, stride: 2, padding: 1), x);
        ModuleGradCheck.Check(new AdaptiveAvgPool2d(2, 3), x);
    }

    [Fact]
    public void A_small_CNN_is_named_like_PyTorch_and_trains_end_to_end()
    {
        var rng = new Rng(7);
        var cnn = new Sequential(
            new Conv2d(3, 8, 3, rng, padding: 1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 4, 3, rng, groups: 2), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 10, rng));
        // torch 1.13 state_dict keys of the same nn.Sequential.
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "4.weight", "4.bias", "7.weight", "7.bias"], cnn.StateDict().Select(kv => kv.Key));
        Assert.Equal([4, 4, 3, 3], ((Conv2d)cnn[4]).Weight.Shape.ToArray());
        var logits = cnn.Forward(Tensor.Randn(rng, 2, 3, 8, 8));
        Assert.Equal([2, 10], logits.Shape.ToArray());
        Losses.CrossEntropy(logits, LongTensor.FromValues(3, 7)).Backward();
        Assert.All(cnn.Parameters(), p => Assert.NotNull(p.Grad));
    }
}
