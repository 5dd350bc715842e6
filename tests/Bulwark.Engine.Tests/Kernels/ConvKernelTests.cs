using Bulwark.Engine;
using Bulwark.Engine.Kernels;

namespace Bulwark.Engine.Tests.Kernels;

/// <summary>
/// Convolution (forward, input gradient, weight gradient) and pooling kernels against direct loops
/// in double precision. The tolerance scales with Σ|terms| of each output, the bound on float32
/// accumulation error, so long reductions are not held to a looser absolute standard than short ones.
/// </summary>
public class ConvKernelTests
{
    public static TheoryData<string, int[], int[], Conv2dGeometry> Cases => new()
    {
        { "plain 3x3", [1, 1, 5, 5], [1, 1, 3, 3], new Conv2dGeometry() },
        { "pad 1 batch 3", [3, 4, 7, 6], [5, 4, 3, 3], Conv2dGeometry.Square(padding: 1) },
        { "stride 2 asymmetric pads", [2, 3, 9, 8], [4, 3, 3, 2], new Conv2dGeometry(2, 2, 1, 0, 2, 1) },
        { "stride 3 pad 2", [2, 3, 11, 10], [6, 3, 3, 3], new Conv2dGeometry(3, 3, 2, 2, 2, 0) },
        { "stride 2x1", [1, 2, 8, 7], [3, 2, 3, 3], new Conv2dGeometry(2, 1, 1, 1, 1, 1) },
        { "dilation 2", [1, 2, 9, 9], [3, 2, 3, 3], Conv2dGeometry.Square(padding: 2, dilation: 2) },
        { "dilation 2 stride 2", [2, 2, 10, 9], [3, 2, 3, 2], new Conv2dGeometry(2, 2, 1, 2, 0, 1, 2, 2) },
        { "stride 3x2, dilation 2x3, 4x3 kernel", [2, 3, 13, 12], [4, 3, 4, 3], new Conv2dGeometry(3, 2, 2, 1, 1, 2, 2, 3) },
        { "stride 2, 5x5, long reduction", [2, 12, 11, 10], [9, 12, 5, 5], new Conv2dGeometry(2, 2, 2, 1, 1, 2) },
        { "groups 2", [3, 4, 8, 7], [6, 2, 3, 3], Conv2dGeometry.Square(padding: 1, groups: 2) },
        { "depthwise", [2, 4, 7, 7], [4, 1, 3, 3], Conv2dGeometry.Square(padding: 1, groups: 4) },
        { "depthwise multiplier 2 stride 2", [2, 3, 7, 8], [6, 1, 3, 3], Conv2dGeometry.Square(stride: 2, padding: 1, groups: 3) },
        { "1x1", [3, 5, 6, 5], [7, 5, 1, 1], new Conv2dGeometry() },
        { "1x1 stride 2", [2, 5, 7, 6], [3, 5, 1, 1], Conv2dGeometry.Square(stride: 2) },
        { "odd sizes, many channels", [1, 3, 13, 11], [17, 3, 5, 3], new Conv2dGeometry(1, 1, 2, 0, 1, 2, 2, 1) },
        { "over-padded", [2, 2, 4, 5], [3, 2, 2, 2], new Conv2dGeometry(1, 1, 3, 2, 3, 2) },
        { "wide reduction", [3, 16, 10, 9], [20, 16, 3, 3], Conv2dGeometry.Square(padding: 1) },
        { "kernel as large as input", [2, 3, 5, 4], [2, 3, 5, 4], new Conv2dGeometry() },
        { "rows ignored past the last window", [2, 2, 8, 8], [3, 2, 3, 3], new Conv2dGeometry(3, 2, 0, 0, 0, 0) },
        { "groups 2, long reduction, stride 2", [2, 24, 9, 8], [6, 12, 3, 3], new Conv2dGeometry(2, 2, 1, 1, 0, 1, Groups: 2) },
        { "depthwise, long reduction", [1, 4, 12, 12], [4, 1, 11, 9], Conv2dGeometry.Square(padding: 2, groups: 4) },
        { "many output channels, batch 1", [1, 12, 6, 7], [40, 12, 3, 3], Conv2dGeometry.Square(padding: 1) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_direct_loops(string name, int[] xShape, int[] wShape, Conv2dGeometry g)
    {
        var x = GradCheck.Random(1, -1, 1, xShape);
        var w = GradCheck.Random(2, -1, 1, wShape);
        var b = GradCheck.Random(3, -1, 1, wShape[0]);
        var y = Tensor.Conv2d(x, w, b, g);
        var (expected, bound, shape) = ConvReference.Forward(x.ToArray(), xShape, w.ToArray(), wShape, b.ToArray(), g);
        Assert.Equal(shape, y.Shape.ToArray());
        AssertClose(expected, bound, y.ToArray(), name);

        var noBias = Tensor.Conv2d(x, w, null, g);
        var (plain, plainBound, _) = ConvReference.Forward(x.ToArray(), xShape, w.ToArray(), wShape, null, g);
        AssertClose(plain, plainBound, noBias.ToArray(), name + " without bias");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Input_gradient_matches_direct_loops(string name, int[] xShape, int[] wShape, Conv2dGeometry g)
    {
        var s = Shape(xShape, wShape, g);
        var gy = GradCheck.Random(4, -1, 1, s.OutputShape);
        var w = GradCheck.Random(5, -1, 1, wShape);
        var gx = Tensor.ConvTransposeLike(gy, w, s);
        var (expected, bound) = ConvReference.InputGrad(gy.ToArray(), w.ToArray(), s);
        AssertClose(expected, bound, gx.ToArray(), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weight_gradient_matches_direct_loops(string name, int[] xShape, int[] wShape, Conv2dGeometry g)
    {
        var s = Shape(xShape, wShape, g);
        var x = GradCheck.Random(6, -1, 1, xShape);
        var gy = GradCheck.Random(7, -1, 1, s.OutputShape);
        var gw = Tensor.ConvWeightGrad(x, gy, s);
        var (expected, bound) = ConvReference.WeightGrad(x.ToArray(), gy.ToArray(), s);
        AssertClose(expected, bound, gw.ToArray(), name);
    }

    [Fact]
    public void The_reference_CNN_layers_match_direct_loops_over_a_long_batch()
    {
        // The shapes the kernels are tuned for, with enough samples to fill several blocks per worker.
        int[] xShape = [11, 32, 14, 14];
        int[] wShape = [64, 32, 3, 3];
        var g = Conv2dGeometry.Square(padding: 1);
        var s = Shape(xShape, wShape, g);
        var x = GradCheck.Random(8, -1, 1, xShape);
        var w = GradCheck.Random(9, -1, 1, wShape);
        var gy = GradCheck.Random(10, -1, 1, s.OutputShape);

        var (y, yBound, _) = ConvReference.Forward(x.ToArray(), xShape, w.ToArray(), wShape, null, g);
        AssertClose(y, yBound, Tensor.Conv2d(x, w, null, g).ToArray(), "forward");
        var (gx, gxBound) = ConvReference.InputGrad(gy.ToArray(), w.ToArray(), s);
        AssertClose(gx, gxBound, Tensor.ConvTransposeLike(gy, w, s).ToArray(), "input gradient");
        var (gw, gwBound) = ConvReference.WeightGrad(x.ToArray(), gy.ToArray(), s);
        AssertClose(gw, gwBound, Tensor.ConvWeightGrad(x, gy, s).ToArray(), "weight gradient");
    }

    [Fact]
    public void Batch_zero_gives_empty_outputs_and_zero_weight_gradient()
    {
        var x = Tensor.Zeros(0, 2, 5, 5);
        var w = GradCheck.Random(1, -1, 1, 3, 2, 3, 3);
        Assert.Equal([0, 3, 3, 3], Tensor.Conv2d(x, w, null, new Conv2dGeometry()).Shape.ToArray());
        var s = Shape([0, 2, 5, 5], [3, 2, 3, 3], new Conv2dGeometry());
        Assert.All(Tensor.ConvWeightGrad(x, Tensor.Zeros(s.OutputShape), s).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Transpose_moves_every_element_including_block_edges()
    {
        foreach (int rows in new[] { 1, 15, 16, 17, 33, 64 })
        {
            foreach (int cols in new[] { 1, 16, 31, 48, 196 })
            {
                var src = GradCheck.Random(rows * 1000 + cols, -1, 1, rows * cols).ToArray();
                int ld = rows + 3;
                var dst = new float[cols * ld];
                Conv2dKernels.Transpose(src, rows, cols, dst, ld);
                for (int r = 0; r < rows; r++)
                {
                    for (int p = 0; p < cols; p++)
                    {
                        Assert.Equal(src[(r * cols) + p], dst[(p * ld) + r]);
                    }
                }
            }
        }
    }

    public static TheoryData<string, int[], Pool2dGeometry> PoolCases => new()
    {
        { "2x2 stride 2", [2, 3, 8, 8], Pool2dGeometry.Square(2, 2) },
        { "3x3 stride 2 pad 1", [1, 2, 9, 7], Pool2dGeometry.Square(3, 2, 1) },
        { "ceil mode", [2, 2, 7, 6], new Pool2dGeometry(3, 2, 2, 2, CeilMode: true) },
        { "ceil mode with pads", [1, 2, 8, 9], new Pool2dGeometry(3, 3, 2, 3, 1, 0, 1, 1, CeilMode: true) },
        { "asymmetric pads", [2, 1, 6, 7], new Pool2dGeometry(2, 3, 1, 2, 0, 1, 1, 0) },
        { "odd plane, stride 1", [3, 2, 5, 7], new Pool2dGeometry(2, 2, 1, 1) },
        { "2x2 stride 2, odd plane", [2, 3, 7, 9], Pool2dGeometry.Square(2, 2) },
        { "2x2 stride 2, narrow", [1, 2, 6, 6], Pool2dGeometry.Square(2, 2) },
        { "2x2 stride 2, wide", [1, 1, 4, 42], Pool2dGeometry.Square(2, 2) },
    };

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Max_pool_matches_direct_loops(string name, int[] xShape, Pool2dGeometry g)
    {
        var x = GradCheck.Random(11, -3, 3, xShape);
        var y = Tensor.MaxPool2d(x, g);
        var (expected, shape) = PoolReference.Max(x.ToArray(), xShape, g);
        Assert.Equal(shape, y.Shape.ToArray());
        Assert.Equal(expected.Select(v => (float)v), y.ToArray());
        _ = name;
    }

    [Fact]
    public void Dilated_max_pool_matches_direct_loops()
    {
        var g = new Pool2dGeometry(3, 2, 1, 2, 1, 1, 2, 1, DilationH: 2, DilationW: 3);
        var x = GradCheck.Random(12, -3, 3, 2, 2, 9, 10);
        var (expected, shape) = PoolReference.Max(x.ToArray(), [2, 2, 9, 10], g);
        var y = Tensor.MaxPool2d(x, g);
        Assert.Equal(shape, y.Shape.ToArray());
        Assert.Equal(expected.Select(v => (float)v), y.ToArray());
    }

    [Fact]
    public void Max_pool_propagates_nan_and_treats_padding_as_minus_infinity()
    {
        var x = Tensor.FromArray([-5f, -6f, float.NaN, -7f, -1f, -2f, -3f, -4f, -8f], 1, 1, 3, 3);
        var y = Tensor.MaxPool2d(x, Pool2dGeometry.Square(2, 2, 1)).ToArray();
        Assert.Equal(-5f, y[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(-3f, y[2]);
        Assert.Equal(-1f, y[3]);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void Ties_send_the_max_pool_gradient_to_the_first_maximum_in_row_major_order(int kernel, int stride)
    {
        // Each window holds two equal maxima: the one earlier in row-major order must take the gradient.
        int size = kernel * 4;
        var data = new float[size * size];
        for (int i = 0; i < size; i += kernel)
        {
            for (int j = 0; j < size; j += kernel)
            {
                data[(i * size) + j + kernel - 1] = 1f;
                data[((i + kernel - 1) * size) + j] = 1f;
            }
        }
        var x = Tensor.FromArray(data, 1, 1, size, size).RequiresGradient();
        var grad = Bulwark.Engine.Autograd.Tape.Grad(Tensor.MaxPool2d(x, Pool2dGeometry.Square(kernel, stride)).Sum(), [x])[0].ToArray();
        for (int k = 0; k < data.Length; k++)
        {
            int i = k / size, j = k % size;
            bool first = i % kernel == 0 && j % kernel == kernel - 1;
            Assert.Equal(first ? 1f : 0f, grad[k]);
        }
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Average_pool_matches_direct_loops_with_and_without_padding_in_the_count(string name, int[] xShape, Pool2dGeometry g)
    {
        var x = GradCheck.Random(13, -3, 3, xShape);
        foreach (bool include in new[] { true, false })
        {
            var y = Tensor.AvgPool2d(x, g, include);
            var (expected, shape) = PoolReference.Average(x.ToArray(), xShape, g, include);
            Assert.Equal(shape, y.Shape.ToArray());
            AssertClose(expected, expected.Select(_ => 3.0).ToArray(), y.ToArray(), $"{name} include={include}");
        }
    }

    [Theory]
    [InlineData(7, 5, 3, 2)]
    [InlineData(5, 9, 2, 4)]
    [InlineData(6, 6, 3, 3)]
    [InlineData(4, 3, 6, 5)]
    [InlineData(5, 5, 1, 1)]
    public void Adaptive_average_pool_matches_pytorch_windows(int h, int w, int outH, int outW)
    {
        var x = GradCheck.Random(14, -3, 3, 2, 3, h, w);
        var y = Tensor.AdaptiveAvgPool2d(x, outH, outW);
        Assert.Equal([2, 3, outH, outW], y.Shape.ToArray());
        var xs = x.ToArray();
        var ys = y.ToArray();
        for (int p = 0; p < 6; p++)
        {
            for (int i = 0; i < outH; i++)
            {
                for (int j = 0; j < outW; j++)
                {
                    int h0 = i * h / outH, h1 = (((i + 1) * h) + outH - 1) / outH;
                    int w0 = j * w / outW, w1 = (((j + 1) * w) + outW - 1) / outW;
                    double sum = 0;
                    for (int a = h0; a < h1; a++)
                    {
                        for (int b = w0; b < w1; b++)
                        {
                            sum += xs[(p * h * w) + (a * w) + b];
                        }
                    }
                    double expected = sum / ((h1 - h0) * (w1 - w0));
                    Assert.True(Math.Abs(expected - ys[(p * outH * outW) + (i * outW) + j]) <= 1e-5, $"plane {p} ({i},{j})");
                }
            }
        }
    }

    [Fact]
    public void Global_max_pool_takes_each_plane_maximum()
    {
        var x = GradCheck.Random(15, -3, 3, 3, 4, 5, 6);
        var y = Tensor.GlobalMaxPool2d(x);
        Assert.Equal([3, 4, 1, 1], y.Shape.ToArray());
        var xs = x.ToArray();
        for (int p = 0; p < 12; p++)
        {
            Assert.Equal(xs.Skip(p * 30).Take(30).Max(), y.ToArray()[p]);
        }
    }

    internal static Conv2dShape Shape(int[] xShape, int[] wShape, Conv2dGeometry g) =>
        new(xShape[0], xShape[1], xShape[2], xShape[3], wShape[0], wShape[2], wShape[3], g);

    private static void AssertClose(double[] expected, double[] bound, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = 1e-6 + (2e-6 * bound[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}: element {i} expected {expected[i]:G8}, got {actual[i]:G8}");
        }
    }
}

/// <summary>Direct-loop convolutions in double: each returns the values and Σ|terms| per output.</summary>
internal static class ConvReference
{
    public static (double[] Values, double[] Bound, int[] Shape) Forward(float[] x, int[] xs, float[] w, int[] ws, float[]? bias, Conv2dGeometry g)
    {
        var s = ConvKernelTests.Shape(xs, ws, g);
        var y = new double[s.N * s.O * s.OH * s.OW];
        var bound = new double[y.Length];
        Visit(s, (n, o, i, j, c, kh, kw, ih, iw) =>
        {
            int yi = Y(s, n, o, i, j);
            double term = (double)x[X(s, n, c, ih, iw)] * w[Wt(s, o, c - ((o / s.Og) * s.Cg), kh, kw)];
            y[yi] += term;
            bound[yi] += Math.Abs(term);
        });
        if (bias is not null)
        {
            for (int k = 0; k < y.Length; k++)
            {
                int o = k / (s.OH * s.OW) % s.O;
                y[k] += bias[o];
                bound[k] += Math.Abs(bias[o]);
            }
        }
        return (y, bound, s.OutputShape);
    }

    public static (double[] Values, double[] Bound) InputGrad(float[] gy, float[] w, Conv2dShape s)
    {
        var gx = new double[s.N * s.C * s.H * s.W];
        var bound = new double[gx.Length];
        Visit(s, (n, o, i, j, c, kh, kw, ih, iw) =>
        {
            int xi = X(s, n, c, ih, iw);
            double term = (double)gy[Y(s, n, o, i, j)] * w[Wt(s, o, c - ((o / s.Og) * s.Cg), kh, kw)];
            gx[xi] += term;
            bound[xi] += Math.Abs(term);
        });
        return (gx, bound);
    }

    public static (double[] Values, double[] Bound) WeightGrad(float[] x, float[] gy, Conv2dShape s)
    {
        var gw = new double[s.O * s.Cg * s.KH * s.KW];
        var bound = new double[gw.Length];
        Visit(s, (n, o, i, j, c, kh, kw, ih, iw) =>
        {
            int wi = Wt(s, o, c - ((o / s.Og) * s.Cg), kh, kw);
            double term = (double)gy[Y(s, n, o, i, j)] * x[X(s, n, c, ih, iw)];
            gw[wi] += term;
            bound[wi] += Math.Abs(term);
        });
        return (gw, bound);
    }

    private delegate void Tap(int n, int o, int i, int j, int c, int kh, int kw, int ih, int iw);

    // Every (output, kernel tap) pair whose input position lies inside the input.
    private static void Visit(Conv2dShape s, Tap tap)
    {
        var g = s.G;
        for (int n = 0; n < s.N; n++)
        {
            for (int o = 0; o < s.O; o++)
            {
                int group = o / s.Og;
                for (int i = 0; i < s.OH; i++)
                {
                    for (int j = 0; j < s.OW; j++)
                    {
                        for (int cl = 0; cl < s.Cg; cl++)
                        {
                            for (int kh = 0; kh < s.KH; kh++)
                            {
                                for (int kw = 0; kw < s.KW; kw++)
                                {
                                    int ih = (i * g.StrideH) - g.PadTop + (kh * g.DilationH);
                                    int iw = (j * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                    if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W)
                                    {
                                        tap(n, o, i, j, (group * s.Cg) + cl, kh, kw, ih, iw);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int X(Conv2dShape s, int n, int c, int h, int w) => (((((n * s.C) + c) * s.H) + h) * s.W) + w;

    private static int Y(Conv2dShape s, int n, int o, int i, int j) => (((((n * s.O) + o) * s.OH) + i) * s.OW) + j;

    private static int Wt(Conv2dShape s, int o, int c, int kh, int kw) => (((((o * s.Cg) + c) * s.KH) + kh) * s.KW) + kw;
}

/// <summary>Direct-loop pooling in double, with PyTorch's output-size and divisor rules written out independently.</summary>
internal static class PoolReference
{
    public static (double[] Values, int[] Shape) Max(float[] x, int[] xs, Pool2dGeometry g)
    {
        var (oh, ow) = OutSize(xs, g);
        var y = new double[xs[0] * xs[1] * oh * ow];
        int k = 0;
        for (int p = 0; p < xs[0] * xs[1]; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    double best = double.NegativeInfinity;
                    for (int a = 0; a < g.KernelH; a++)
                    {
                        for (int b = 0; b < g.KernelW; b++)
                        {
                            int ih = (i * g.StrideH) - g.PadTop + (a * g.DilationH);
                            int iw = (j * g.StrideW) - g.PadLeft + (b * g.DilationW);
                            if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3])
                            {
                                best = Math.Max(best, x[(((p * xs[2]) + ih) * xs[3]) + iw]);
                            }
                        }
                    }
                    y[k++] = best;
                }
            }
        }
        return (y, [xs[0], xs[1], oh, ow]);
    }

    // PyTorch's avg_pool2d: the window is clipped to the padded extent for the divisor with padding
    // counted, then to the input for the sum (and for the divisor without padding).
    public static (double[] Values, int[] Shape) Average(float[] x, int[] xs, Pool2dGeometry g, bool countIncludePad)
    {
        var (oh, ow) = OutSize(xs, g);
        var y = new double[xs[0] * xs[1] * oh * ow];
        int k = 0;
        for (int p = 0; p < xs[0] * xs[1]; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    int hs = (i * g.StrideH) - g.PadTop, ws = (j * g.StrideW) - g.PadLeft;
                    int he = Math.Min(hs + g.KernelH, xs[2] + g.PadBottom), we = Math.Min(ws + g.KernelW, xs[3] + g.PadRight);
                    int poolSize = (he - hs) * (we - ws);
                    hs = Math.Max(hs, 0);
                    ws = Math.Max(ws, 0);
                    he = Math.Min(he, xs[2]);
                    we = Math.Min(we, xs[3]);
                    double sum = 0;
                    for (int a = hs; a < he; a++)
                    {
                        for (int b = ws; b < we; b++)
                        {
                            sum += x[(((p * xs[2]) + a) * xs[3]) + b];
                        }
                    }
                    y[k++] = sum / (countIncludePad ? poolSize : (he - hs) * (we - ws));
                }
            }
        }
        return (y, [xs[0], xs[1], oh, ow]);
    }

    private static (int H, int W) OutSize(int[] xs, Pool2dGeometry g) =>
        (Extent(xs[2], g.KernelH, g.StrideH, g.PadTop, g.PadBottom, g.DilationH, g.CeilMode),
         Extent(xs[3], g.KernelW, g.StrideW, g.PadLeft, g.PadRight, g.DilationW, g.CeilMode));

    private static int Extent(int input, int k, int stride, int before, int after, int dilation, bool ceil)
    {
        double span = input + before + after - (dilation * (k - 1)) - 1;
        int o = (int)(ceil ? Math.Ceiling(span / stride) : Math.Floor(span / stride)) + 1;
        if (ceil && (o - 1) * stride >= input + before)
        {
            o--;
        }
        return o;
    }
}
