using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Kernels;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Kernels;

/// <summary>
/// The Winograd F(2×2, 3×3) path of the fused inference Conv2d → ReLU → MaxPool2d: against a
/// double-precision convolution (its rounding error must be of the direct kernel's order), against
/// the separate ops at every height and width from 2 to 67, bit for bit across thread counts, and
/// exactly equal to the separate ops whenever a sample holds an infinity or a NaN. On a machine
/// without AVX-512 the path is never taken, and the same tests then hold the fused op to the
/// separate ops bit for bit.
/// </summary>
[Collection(EngineThreadsCollection.Name)]
public class WinogradConvTests
{
    private static readonly Pool2dGeometry Pool = Pool2dGeometry.Square(2, 2);

    /// <summary>Whether this machine runs the Winograd kernel at all (it needs AVX-512).</summary>
    private static bool OnThisMachine => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public static TheoryData<string, int[], int[], Conv2dGeometry> Cases => new()
    {
        { "reference conv2", [3, 32, 14, 14], [64, 32, 3, 3], Conv2dGeometry.Square(padding: 1) },
        { "odd height and width", [2, 16, 17, 33], [32, 16, 3, 3], Conv2dGeometry.Square(padding: 1) },
        { "no padding", [2, 16, 16, 12], [32, 16, 3, 3], new Conv2dGeometry() },
        { "uneven padding", [2, 20, 9, 10], [64, 20, 3, 3], new Conv2dGeometry(1, 1, 0, 2, 1, 0) },
        { "wide rows, batch 5", [5, 16, 6, 40], [32, 16, 3, 3], Conv2dGeometry.Square(padding: 1) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Winograd_error_against_a_double_precision_convolution_is_of_the_direct_kernels_order(string name, int[] xShape, int[] wShape, Conv2dGeometry conv)
    {
        var rng = new Rng((ulong)name.Length + 5);
        var x = Tensor.Uniform(rng, -1, 1, xShape);
        var w = Tensor.Uniform(rng, -1, 1, wShape);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, wShape[0]);
        Assert.Equal(OnThisMachine, Conv2dKernels.WinogradFits(ShapeOf(x, w, conv), PoolOf(x, w, conv)));
        using var noGrad = Tape.NoGrad();
        var exact = ReferenceReluPool(x, w, b, conv);
        var direct = Tensor.MaxPool2d(Tensor.Conv2d(x, w, b, conv).Relu(), Pool).ToArray();
        var winograd = Tensor.Conv2dReluMaxPool(x, w, b, conv, Pool).ToArray();
        if (!OnThisMachine)
        {
            Assert.Equal(direct, winograd);
            return;
        }
        Assert.Equal(exact.Length, winograd.Length);
        double scale = exact.Max(Math.Abs);
        double directError = MaxError(direct, exact);
        double winogradError = MaxError(winograd, exact);
        Assert.True(winogradError <= Math.Max(4 * directError, 1e-6 * scale),
            $"{name}: Winograd error {winogradError:G3} against direct {directError:G3} (largest output {scale:G3})");
        Assert.True(winogradError > 0 || directError == 0, "identical to the last bit: the Winograd path did not run");
    }

    [Fact]
    public void Winograd_agrees_with_the_separate_ops_at_every_height_and_width_2_to_67()
    {
        var rng = new Rng(68);
        var w = Tensor.Uniform(rng, -1, 1, 32, 16, 3, 3);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, 32);
        var conv = Conv2dGeometry.Square(padding: 1);
        using var noGrad = Tape.NoGrad();
        for (int size = 2; size <= 67; size++)
        {
            foreach (var (h, wd) in new[] { (size, 5), (4, size) })
            {
                var x = Tensor.Uniform(rng, -1, 1, 2, 16, h, wd);
                var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, b, conv).Relu(), Pool).ToArray();
                var fused = Tensor.Conv2dReluMaxPool(x, w, b, conv, Pool).ToArray();
                Assert.Equal(expected.Length, fused.Length);
                Assert.True(MaxError(fused, expected.Select(v => (double)v).ToArray()) <= 2e-5, $"{h}×{wd}");
            }
        }
    }

    [Fact]
    public void Winograd_results_are_identical_at_every_thread_count()
    {
        var rng = new Rng(9);
        var x = Tensor.Uniform(rng, -1, 1, 7, 32, 14, 14);
        var w = Tensor.Uniform(rng, -1, 1, 64, 32, 3, 3);
        var conv = Conv2dGeometry.Square(padding: 1);
        int saved = EngineSettings.Threads;
        try
        {
            using var noGrad = Tape.NoGrad();
            EngineSettings.Threads = 1;
            var one = Tensor.Conv2dReluMaxPool(x, w, null, conv, Pool).ToArray();
            foreach (int threads in new[] { 2, 3, 8 })
            {
                EngineSettings.Threads = threads;
                Assert.Equal(one, Tensor.Conv2dReluMaxPool(x, w, null, conv, Pool).ToArray());
            }
        }
        finally
        {
            EngineSettings.Threads = saved;
        }
    }

    [Fact]
    public void A_sample_with_an_infinity_or_a_nan_comes_out_exactly_as_the_separate_ops_give_it()
    {
        var rng = new Rng(12);
        var x = Tensor.Uniform(rng, -1, 1, 4, 16, 10, 10);
        var data = x.ToArray();
        data[37] = float.PositiveInfinity;
        data[1600 + 555] = float.NegativeInfinity;
        data[3200 + 1234] = float.NaN;
        x = Tensor.FromArray(data, 4, 16, 10, 10);
        var w = Tensor.Uniform(rng, -1, 1, 32, 16, 3, 3);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, 32);
        var conv = Conv2dGeometry.Square(padding: 1);
        using var noGrad = Tape.NoGrad();
        var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, b, conv).Relu(), Pool).ToArray();
        var fused = Tensor.Conv2dReluMaxPool(x, w, b, conv, Pool).ToArray();
        int perSample = 32 * 5 * 5;
        Assert.Equal(expected.AsSpan(0, 3 * perSample).ToArray(), fused.AsSpan(0, 3 * perSample).ToArray());
        Assert.Contains(fused, float.IsNaN);
        Assert.Contains(fused, float.IsPositiveInfinity);
        // The finite fourth sample still went through Winograd: close, not identical.
        var last = MaxError(fused.AsSpan(3 * perSample).ToArray(), expected.AsSpan(3 * perSample).ToArray().Select(v => (double)v).ToArray());
        Assert.InRange(last, OnThisMachine ? 1e-9 : 0, OnThisMachine ? 2e-5 : 0);
    }

    [Fact]
    public void Turning_winograd_off_gives_the_separate_ops_bit_for_bit()
    {
        var rng = new Rng(3);
        var x = Tensor.Uniform(rng, -1, 1, 3, 32, 14, 14);
        var w = Tensor.Uniform(rng, -1, 1, 64, 32, 3, 3);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, 64);
        var conv = Conv2dGeometry.Square(padding: 1);
        using var noGrad = Tape.NoGrad();
        var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, b, conv).Relu(), Pool).ToArray();
        Assert.Equal(!OnThisMachine, expected.SequenceEqual(Tensor.Conv2dReluMaxPool(x, w, b, conv, Pool).ToArray()));
        EngineSettings.WinogradConvolution = false;
        try
        {
            Assert.Equal(expected, Tensor.Conv2dReluMaxPool(x, w, b, conv, Pool).ToArray());
        }
        finally
        {
            EngineSettings.WinogradConvolution = true;
        }
    }

    [Fact]
    public void Only_3x3_stride_1_convolutions_with_enough_channels_take_the_path()
    {
        var x = Tensor.Zeros(1, 32, 14, 14);
        var pad1 = Conv2dGeometry.Square(padding: 1);
        Assert.Equal(OnThisMachine, Fits(x, Tensor.Zeros(64, 32, 3, 3), pad1));
        Assert.False(Fits(Tensor.Zeros(1, 8, 14, 14), Tensor.Zeros(64, 8, 3, 3), pad1));
        Assert.False(Fits(x, Tensor.Zeros(48, 32, 3, 3), pad1));
        Assert.False(Fits(x, Tensor.Zeros(64, 32, 5, 5), Conv2dGeometry.Square(padding: 2)));
        Assert.False(Fits(x, Tensor.Zeros(64, 32, 3, 3), new Conv2dGeometry(2, 2, 1, 1, 1, 1)));
        Assert.False(Fits(x, Tensor.Zeros(64, 32, 3, 3), Conv2dGeometry.Square(padding: 2, dilation: 2)));

        static bool Fits(Tensor x, Tensor w, Conv2dGeometry conv) => Conv2dKernels.WinogradFits(ShapeOf(x, w, conv), PoolOf(x, w, conv));
    }

    [Fact]
    public void Reference_cnn_inference_stays_within_rounding_of_the_recorded_forward_pass()
    {
        var rng = new Rng(30);
        var model = Architectures.ReferenceCnn(rng);
        model.Eval();
        var x = Tensor.Uniform(rng, 0, 1, 6, 1, 28, 28);
        var recorded = model.Forward(x).ToArray();
        float[] inference;
        using (Tape.NoGrad())
        {
            inference = model.Forward(x).ToArray();
        }
        double scale = recorded.Max(v => Math.Abs(v));
        Assert.True(MaxError(inference, recorded.Select(v => (double)v).ToArray()) <= 1e-5 * Math.Max(1, scale));
        Assert.Equal(!OnThisMachine, recorded.SequenceEqual(inference));
    }

    private static Conv2dShape ShapeOf(Tensor x, Tensor w, Conv2dGeometry g) =>
        new(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), w.Dim(0), w.Dim(2), w.Dim(3), g);

    private static PoolWindows PoolOf(Tensor x, Tensor w, Conv2dGeometry g)
    {
        var s = ShapeOf(x, w, g);
        return PoolWindows.FromGeometry(Pool, s.OH, s.OW, countIncludePad: true);
    }

    private static double MaxError(float[] actual, double[] expected)
    {
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        }
        return worst;
    }

    // maxpool₂ₓ₂(relu(conv(x, w) + b)) with every product and sum in double.
    private static double[] ReferenceReluPool(Tensor x, Tensor w, Tensor b, Conv2dGeometry g)
    {
        var s = ShapeOf(x, w, g);
        float[] xs = x.ToArray(), ws = w.ToArray(), bs = b.ToArray();
        int oh = s.OH, ow = s.OW, ph = oh / 2, pw = ow / 2;
        var y = new double[s.N * s.O * ph * pw];
        for (int n = 0; n < s.N; n++)
        {
            for (int o = 0; o < s.O; o++)
            {
                for (int i = 0; i < ph; i++)
                {
                    for (int j = 0; j < pw; j++)
                    {
                        double best = double.NegativeInfinity;
                        for (int di = 0; di < 2; di++)
                        {
                            for (int dj = 0; dj < 2; dj++)
                            {
                                best = Math.Max(best, Output(n, o, (2 * i) + di, (2 * j) + dj));
                            }
                        }
                        y[(((((n * s.O) + o) * ph) + i) * pw) + j] = Math.Max(0, best + bs[o]);
                    }
                }
            }
        }
        return y;

        double Output(int n, int o, int r, int c)
        {
            double sum = 0;
            for (int ch = 0; ch < s.C; ch++)
            {
                for (int kh = 0; kh < 3; kh++)
                {
                    for (int kw = 0; kw < 3; kw++)
                    {
                        int ih = r - g.PadTop + kh, iw = c - g.PadLeft + kw;
                        if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W)
                        {
                            sum += (double)ws[(((((o * s.C) + ch) * 3) + kh) * 3) + kw] * xs[(((((n * s.C) + ch) * s.H) + ih) * s.W) + iw];
                        }
                    }
                }
            }
            return sum;
        }
    }
}
