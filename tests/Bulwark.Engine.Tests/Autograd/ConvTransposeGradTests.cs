using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class ConvTransposeGradTests
{
    public static TheoryData<string, int[], int[], Conv2dGeometry, int, int> Geometries => new()
    {
        { "3x3", [2, 2, 4, 4], [2, 3, 3, 3], new Conv2dGeometry(), 0, 0 },
        { "stride 2, asymmetric pads", [1, 2, 3, 4], [2, 2, 3, 2], new Conv2dGeometry(2, 2, 1, 0, 2, 1), 0, 0 },
        { "stride 2, output padding 1", [2, 2, 3, 3], [2, 3, 3, 3], Conv2dGeometry.Square(stride: 2, padding: 1), 1, 1 },
        { "output padding past the pads and the stride", [1, 2, 3, 2], [2, 2, 2, 3], new Conv2dGeometry(2, 3, 0, 1, 1, 0), 4, 2 },
        { "dilation 2", [1, 2, 3, 3], [2, 2, 3, 2], new Conv2dGeometry(DilationH: 2, DilationW: 2, PadTop: 1), 0, 0 },
        { "groups 2", [2, 4, 3, 3], [4, 3, 2, 2], new Conv2dGeometry(StrideH: 2, StrideW: 1, Groups: 2), 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ConvTranspose2d_matches_a_direct_scatter(string name, int[] xShape, int[] wShape, Conv2dGeometry g, int opH, int opW)
    {
        _ = name;
        var x = GradCheck.Random(1, -1, 1, xShape);
        var w = GradCheck.Random(2, -1, 1, wShape);
        var b = GradCheck.Random(3, -1, 1, wShape[1] * g.Groups);
        var y = Tensor.ConvTranspose2d(x, w, b, g, opH, opW);
        var expected = Direct(x, w, b, g, opH, opW, out int[] shape);
        Assert.Equal(shape, y.Shape.ToArray());
        var actual = y.ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-4, $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ConvTranspose2d_gradients_wrt_input_weight_and_bias(string name, int[] xShape, int[] wShape, Conv2dGeometry g, int opH, int opW)
    {
        _ = name;
        GradCheck.Check(t => Tensor.ConvTranspose2d(t[0], t[1], t[2], g, opH, opW),
            [GradCheck.Random(4, -1, 1, xShape), GradCheck.Random(5, -1, 1, wShape), GradCheck.Random(6, -1, 1, wShape[1] * g.Groups)]);
    }

    [Fact]
    public void ConvTranspose2d_second_order_gradient()
    {
        var g = Conv2dGeometry.Square(stride: 2, padding: 1);
        GradCheck.CheckSecondOrder(t => Tensor.ConvTranspose2d(t[0], t[1], null, g, 1, 0).Square(),
            [GradCheck.Random(7, -1, 1, 1, 2, 3, 3), GradCheck.Random(8, -1, 1, 2, 2, 3, 3)]);
    }

    [Fact]
    public void ConvTranspose2d_refuses_a_weight_that_does_not_match_the_channels()
    {
        Assert.Throws<BulwarkInputException>(() =>
            Tensor.ConvTranspose2d(Tensor.Zeros(1, 3, 4, 4), Tensor.Zeros(2, 2, 3, 3), null, new Conv2dGeometry()));
    }

    /// <summary>The definition: every input element scatters its weighted kernel into the uncropped output.</summary>
    private static float[] Direct(Tensor x, Tensor w, Tensor b, Conv2dGeometry g, int opH, int opW, out int[] shape)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), wd = x.Dim(3);
        int og = w.Dim(1), kh = w.Dim(2), kw = w.Dim(3), cg = c / g.Groups, o = og * g.Groups;
        int oh = ((h - 1) * g.StrideH) + (g.DilationH * (kh - 1)) + 1 - g.PadTop - g.PadBottom + opH;
        int ow = ((wd - 1) * g.StrideW) + (g.DilationW * (kw - 1)) + 1 - g.PadLeft - g.PadRight + opW;
        shape = [n, o, oh, ow];
        var xs = x.ToArray();
        var ws = w.ToArray();
        var bs = b.ToArray();
        var y = new float[n * o * oh * ow];
        for (int i = 0; i < n; i++)
            for (int oc = 0; oc < o; oc++)
                for (int r = 0; r < oh * ow; r++)
                    y[(((i * o) + oc) * oh * ow) + r] = bs[oc];
        for (int i = 0; i < n; i++)
            for (int ic = 0; ic < c; ic++)
                for (int oc = 0; oc < og; oc++)
                    for (int p = 0; p < h; p++)
                        for (int q = 0; q < wd; q++)
                            for (int a = 0; a < kh; a++)
                                for (int e = 0; e < kw; e++)
                                {
                                    int row = (p * g.StrideH) - g.PadTop + (a * g.DilationH);
                                    int col = (q * g.StrideW) - g.PadLeft + (e * g.DilationW);
                                    if (row < 0 || row >= oh || col < 0 || col >= ow)
                                        continue;
                                    int outC = ((ic / cg) * og) + oc;
                                    y[(((((i * o) + outC) * oh) + row) * ow) + col] +=
                                        xs[(((((i * c) + ic) * h) + p) * wd) + q] * ws[(((((ic * og) + oc) * kh) + a) * kw) + e];
                                }
        return y;
    }
}
