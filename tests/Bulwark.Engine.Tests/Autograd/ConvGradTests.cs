using Bulwark.Engine;
using Bulwark.Engine.Kernels;
using Bulwark.Engine.Tests.Kernels;

namespace Bulwark.Engine.Tests.Autograd;

public class ConvGradTests
{
    public static TheoryData<string, int[], int[], Conv2dGeometry> Geometries => new()
    {
        { "3x3", [2, 2, 5, 5], [3, 2, 3, 3], new Conv2dGeometry() },
        { "stride 2, asymmetric pads", [2, 2, 6, 5], [3, 2, 3, 2], new Conv2dGeometry(2, 2, 1, 0, 1, 1) },
        { "dilation 2", [1, 2, 6, 6], [2, 2, 3, 3], Conv2dGeometry.Square(padding: 2, dilation: 2) },
        { "groups 2", [2, 4, 5, 4], [4, 2, 3, 3], Conv2dGeometry.Square(padding: 1, groups: 2) },
        { "depthwise stride 2", [1, 3, 5, 5], [3, 1, 3, 3], Conv2dGeometry.Square(stride: 2, padding: 1, groups: 3) },
        { "1x1", [2, 3, 3, 4], [2, 3, 1, 1], new Conv2dGeometry() },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2d_gradients_wrt_input_weight_and_bias(string name, int[] xShape, int[] wShape, Conv2dGeometry g)
    {
        _ = name;
        GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], g),
            [GradCheck.Random(1, -1, 1, xShape), GradCheck.Random(2, -1, 1, wShape), GradCheck.Random(3, -1, 1, wShape[0])]);
    }

    [Fact]
    public void Conv2d_of_a_permuted_and_sliced_input()
    {
        var w = GradCheck.Random(4, -1, 1, 2, 3, 3, 2);
        // [2, 5, 6, 3] → NCHW [2, 3, 5, 6] by permutation, then every other column: strides everywhere.
        GradCheck.Check(t => Tensor.Conv2d(t[0].Permute(0, 3, 1, 2).Slice(3, 0, 6, 2), t[1], null, Conv2dGeometry.Square(padding: 1)),
            [GradCheck.Random(5, -1, 1, 2, 5, 6, 3), w]);
    }

    [Fact]
    public void Conv2d_of_a_non_contiguous_leaf()
    {
        var x = GradCheck.Random(6, -1, 1, 2, 4, 5, 3).Permute(0, 1, 3, 2);
        Assert.False(x.IsContiguous);
        GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], null, new Conv2dGeometry(1, 2, 1, 0, 0, 1)),
            [x, GradCheck.Random(7, -1, 1, 3, 4, 2, 2)]);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2d_second_order_wrt_input_and_weight(string name, int[] xShape, int[] wShape, Conv2dGeometry g)
    {
        _ = name;
        var b = GradCheck.Random(8, -0.5f, 0.5f, wShape[0]);
        GradCheck.CheckSecondOrder(t => Tensor.Conv2d(t[0], t[1], b, g).Tanh(),
            [GradCheck.Random(9, -1, 1, xShape), GradCheck.Random(10, -0.7f, 0.7f, wShape)]);
    }

    [Fact]
    public void Conv2d_second_order_wrt_the_bias_too()
    {
        GradCheck.CheckSecondOrder(t => Tensor.Conv2d(t[0], t[1], t[2], Conv2dGeometry.Square(padding: 1)).Tanh(),
            [GradCheck.Random(11, -1, 1, 1, 2, 4, 3), GradCheck.Random(12, -0.7f, 0.7f, 2, 2, 3, 3), GradCheck.Random(13, -0.5f, 0.5f, 2)]);
    }

    [Fact]
    public void The_backward_ops_have_gradients_of_their_own()
    {
        var g = new Conv2dGeometry(2, 1, 1, 1, 0, 1, 1, 2, 2);
        var s = ConvKernelTests.Shape([2, 4, 6, 5], [4, 2, 3, 2], g);
        GradCheck.Check(t => Tensor.ConvTransposeLike(t[0], t[1], s),
            [GradCheck.Random(14, -1, 1, s.OutputShape), GradCheck.Random(15, -1, 1, s.WeightShape)]);
        GradCheck.Check(t => Tensor.ConvWeightGrad(t[0], t[1], s),
            [GradCheck.Random(16, -1, 1, s.InputShape), GradCheck.Random(17, -1, 1, s.OutputShape)]);
    }

    [Fact]
    public void Gradient_of_a_gradient_norm_through_two_convolutions()
    {
        // The gradient-leakage objective: ‖∂loss/∂w₁‖² differentiated with respect to the input.
        var w1 = GradCheck.Random(18, -0.7f, 0.7f, 3, 2, 3, 3).RequiresGradient();
        var w2 = GradCheck.Random(19, -0.7f, 0.7f, 2, 3, 3, 3);
        var geometry = Conv2dGeometry.Square(padding: 1);
        GradCheck.Check(t =>
        {
            var h = Tensor.Conv2d(t[0], w1, null, geometry).Tanh();
            var loss = Tensor.Conv2d(h, w2, null, geometry).Square().Sum();
            var gw = Bulwark.Engine.Autograd.Tape.Grad(loss, [w1], createGraph: true)[0];
            return gw.Square().Sum();
        }, [GradCheck.Random(20, -1, 1, 1, 2, 4, 4)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Max_pool_gradients_first_and_second_order(bool ceil)
    {
        var g = new Pool2dGeometry(3, 2, 2, 2, 1, 0, 1, 1, CeilMode: ceil);
        GradCheck.Check(t => Tensor.MaxPool2d(t[0], g), [Distinct(21, 2, 2, 7, 6)]);
        GradCheck.CheckSecondOrder(t => Tensor.MaxPool2d(t[0], g).Square(), [Distinct(22, 2, 2, 7, 6)]);
    }

    [Theory]
    [InlineData(7, 9)]
    [InlineData(5, 5)]
    [InlineData(8, 10)]
    public void Two_by_two_max_pool_gradients_on_even_and_odd_planes(int h, int w)
    {
        var g = Pool2dGeometry.Square(2, 2);
        GradCheck.Check(t => Tensor.MaxPool2d(t[0], g), [Distinct(32, 2, 2, h, w)]);
        GradCheck.CheckSecondOrder(t => Tensor.MaxPool2d(t[0], g).Square(), [Distinct(33, 1, 2, h, w)]);
    }

    [Fact]
    public void Overlapping_max_pool_windows_accumulate_gradient()
    {
        GradCheck.Check(t => Tensor.MaxPool2d(t[0], Pool2dGeometry.Square(3, 1, 1)), [Distinct(23, 1, 2, 5, 5)]);
    }

    [Fact]
    public void Global_max_pool_gradient()
    {
        GradCheck.Check(t => Tensor.GlobalMaxPool2d(t[0]), [Distinct(24, 2, 3, 4, 3)]);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Average_pool_gradients_first_and_second_order(bool countIncludePad, bool ceil)
    {
        var g = new Pool2dGeometry(3, 3, 2, 2, 1, 1, 1, 0, CeilMode: ceil);
        GradCheck.Check(t => Tensor.AvgPool2d(t[0], g, countIncludePad), [GradCheck.Random(25, -1, 1, 2, 2, 6, 7)]);
        GradCheck.CheckSecondOrder(t => Tensor.AvgPool2d(t[0], g, countIncludePad).Tanh(), [GradCheck.Random(26, -1, 1, 1, 2, 6, 7)]);
    }

    [Theory]
    [InlineData(7, 5, 3, 2)]
    [InlineData(5, 6, 4, 4)]
    public void Adaptive_average_pool_gradients_with_overlapping_windows(int h, int w, int outH, int outW)
    {
        GradCheck.Check(t => Tensor.AdaptiveAvgPool2d(t[0], outH, outW), [GradCheck.Random(27, -1, 1, 2, 2, h, w)]);
        GradCheck.CheckSecondOrder(t => Tensor.AdaptiveAvgPool2d(t[0], outH, outW).Tanh(), [GradCheck.Random(28, -1, 1, 1, 2, h, w)]);
    }

    [Fact]
    public void Invalid_convolutions_throw_input_exceptions()
    {
        var x = Tensor.Zeros(1, 4, 5, 5);
        var w = Tensor.Zeros(2, 4, 3, 3);
        AssertInvalid(() => Tensor.Conv2d(Tensor.Zeros(4, 5, 5), w, null, new Conv2dGeometry()), "Conv2d");
        AssertInvalid(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), null, new Conv2dGeometry()), "[2, 3, 3, 3]");
        AssertInvalid(() => Tensor.Conv2d(x, w, Tensor.Zeros(3), new Conv2dGeometry()), "bias");
        AssertInvalid(() => Tensor.Conv2d(x, w, null, new Conv2dGeometry(StrideH: 0)), "stride");
        AssertInvalid(() => Tensor.Conv2d(x, w, null, new Conv2dGeometry(PadLeft: -1)), "pads");
        AssertInvalid(() => Tensor.Conv2d(x, w, null, new Conv2dGeometry(DilationW: 0)), "dilation");
        AssertInvalid(() => Tensor.Conv2d(x, w, null, default), "stride 0×0");
        AssertInvalid(() => Tensor.Conv2d(x, Tensor.Zeros(3, 2, 3, 3), null, Conv2dGeometry.Square(groups: 2)), "groups");
        AssertInvalid(() => Tensor.Conv2d(x, Tensor.Zeros(2, 4, 7, 3), null, new Conv2dGeometry()), "does not fit");
        AssertInvalid(() => Tensor.Conv2d(x, Tensor.Zeros(2, 4, 3, 3), null, Conv2dGeometry.Square(dilation: 3)), "does not fit");
    }

    [Fact]
    public void Invalid_poolings_throw_input_exceptions()
    {
        var x = Tensor.Zeros(1, 2, 5, 5);
        AssertInvalid(() => Tensor.MaxPool2d(Tensor.Zeros(2, 5, 5), Pool2dGeometry.Square(2, 2)), "MaxPool2d");
        AssertInvalid(() => Tensor.MaxPool2d(x, Pool2dGeometry.Square(0, 1)), "kernel");
        AssertInvalid(() => Tensor.MaxPool2d(x, Pool2dGeometry.Square(2, 0)), "strides");
        AssertInvalid(() => Tensor.MaxPool2d(x, Pool2dGeometry.Square(2, 2, 2)), "half");
        AssertInvalid(() => Tensor.AvgPool2d(x, new Pool2dGeometry(3, 3, 1, 1, PadRight: 2)), "half");
        AssertInvalid(() => Tensor.AvgPool2d(x, Pool2dGeometry.Square(6, 1)), "does not fit");
        AssertInvalid(() => Tensor.MaxPool2d(x, default), "kernel");
        AssertInvalid(() => Tensor.AdaptiveAvgPool2d(x, 0, 2), "AdaptiveAvgPool2d");
        AssertInvalid(() => Tensor.GlobalMaxPool2d(Tensor.Zeros(3, 4)), "GlobalMaxPool2d");
    }

    [Fact]
    public void Results_do_not_depend_on_scheduling()
    {
        var x = GradCheck.Random(29, -1, 1, 9, 8, 9, 9);
        var w = GradCheck.Random(30, -1, 1, 12, 8, 3, 3);
        var s = ConvKernelTests.Shape([9, 8, 9, 9], [12, 8, 3, 3], Conv2dGeometry.Square(padding: 1));
        var gy = GradCheck.Random(31, -1, 1, s.OutputShape);
        var first = Tensor.ConvWeightGrad(x, gy, s).ToArray();
        for (int run = 0; run < 5; run++)
        {
            Assert.Equal(first, Tensor.ConvWeightGrad(x, gy, s).ToArray());
        }
    }

    private static void AssertInvalid(Func<Tensor> op, string fragment)
    {
        var e = Assert.Throws<BulwarkInputException>(() => op());
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    // A shuffled ladder of values 0.07 apart: no ties, and no finite-difference step changes an arg-max.
    private static Tensor Distinct(int seed, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var values = Enumerable.Range(0, n).Select(i => (i - (n / 2)) * 0.07f).ToArray();
        new Random(seed).Shuffle(values);
        return Tensor.FromArray(values, shape);
    }
}
