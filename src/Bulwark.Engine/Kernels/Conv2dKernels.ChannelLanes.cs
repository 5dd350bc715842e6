using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// The fused inference convolution with output channels in the vector lanes: for a stride-1,
/// ungrouped, undilated convolution with a multiple of 32 output channels followed by 2×2/2 max
/// pooling, a tile is 32 output channels (two <c>Vector512</c>) by 14 positions of one output row,
/// 28 accumulators fed by two weight loads and 14 broadcasts per tap. No lane is spent on the
/// padding columns of a narrow plane (the 14-wide rows of a 14×14 map fill only 14 of the 16
/// lanes the position-in-lanes kernels give them). Each accumulator sums the taps in the same
/// order as those kernels, so the results are the same bit for bit.
/// </summary>
internal static unsafe partial class Conv2dKernels
{
    private const int LaneChannels = 32;
    private const int LaneWidth = 14;

    /// <summary>
    /// Shortest reduction worth it: each tile writes 28 vectors out through the pooling, which a
    /// short reduction does not pay for (measured: slower than the other kernels on the reference
    /// CNN's first layer, 9 taps; about 10 % faster on its second, 288).
    /// </summary>
    private const int LaneMinTaps = 64;

    /// <summary>Whether <see cref="ForwardReluPoolLanes"/> applies to this convolution and pooling.</summary>
    internal static bool ChannelLanesFit(Conv2dShape s, PoolWindows pool) =>
        s.Kg >= LaneMinTaps && Vector512.IsHardwareAccelerated && s.Groups == 1 && s.O % LaneChannels == 0 && pool.Is2x2Stride2
        && pool.OutH > 0 && pool.OutW > 0 && s.G is { StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1 };

    /// <summary>y = maxpool₂ₓ₂(relu(conv(x, w) + bias)) with output channels in the lanes; see the class summary.</summary>
    internal static void ForwardReluPoolLanes(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> bias, Memory<float> y, Conv2dShape s, PoolWindows pool)
    {
        var layout = s.InputLayout(0);
        var tapOff = new int[s.Kg];
        s.FillTapOffsets(tapOff, layout);
        var wt = TapMajor(w.Span, s.O, s.Kg);
        var b = BiasOrZeros(bias, s.O);
        int srcSize = s.C * s.H * s.W;
        int plane = pool.OutH * pool.OutW;
        ConvParallel.Claim(s.N, ConvParallel.Workers(s.N), claims =>
        {
            var buf = ArrayPool<float>.Shared.Rent(layout.Length);
            var rows = ArrayPool<float>.Shared.Rent(2 * LaneWidth * LaneChannels);
            try
            {
                buf.AsSpan(0, layout.Length).Clear();
                for (int n = claims.Next(); n >= 0; n = claims.Next())
                {
                    layout.Fill(x.Span.Slice(n * srcSize, srcSize), buf);
                    LanesSample(buf, layout, tapOff, wt, b, rows, s, pool, y.Span.Slice(n * s.O * plane, s.O * plane));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buf);
                ArrayPool<float>.Shared.Return(rows);
            }
        });
    }

    // The bias as an array of its own, zeros when there is none, for the pointer kernels.
    private static float[] BiasOrZeros(ReadOnlyMemory<float> bias, int channels)
    {
        var b = new float[channels];
        if (!bias.IsEmpty)
        {
            bias.Span.CopyTo(b);
        }
        return b;
    }

    // One sample from its filled planes: the arrays pinned for the pointer kernel below. rows
    // holds at least 2·LaneWidth·LaneChannels floats.
    private static void LanesSample(float[] planes, PlaneLayout layout, int[] tapOff, float[] wt, float[] bias, float[] rows, Conv2dShape s, PoolWindows pool, Span<float> dst)
    {
        fixed (float* xp = planes)
        fixed (float* wp = wt)
        fixed (float* bp = bias)
        fixed (int* tp = tapOff)
        fixed (float* rp = rows)
        fixed (float* dp = dst)
        {
            LanesSample(xp, layout.PlaneW, tp, s.Kg, wp, s.O, bp, rp, pool.OutH, pool.OutW, dp);
        }
    }

    // Weights [o][tap] as [tap][o], so one tap of 32 channels is two vector loads.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] TapMajor(ReadOnlySpan<float> w, int channels, int taps)
    {
        var wt = new float[taps * channels];
        for (int o = 0; o < channels; o++)
        {
            for (int t = 0; t < taps; t++)
            {
                wt[(t * channels) + o] = w[(o * taps) + t];
            }
        }
        return wt;
    }

    // One sample: for each block of 32 channels, pooled row and chunk of output columns, the two
    // convolution rows into rows[2][width][32], then pooled, biased, rectified and written as NCHW.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LanesSample(float* x, int planeW, int* tapOff, int taps, float* wt, int channels, float* bias, float* rows, int outH, int outW, float* dst)
    {
        int plane = outH * outW;
        int convW = 2 * outW;
        for (int ob = 0; ob < channels; ob += LaneChannels)
        {
            for (int i = 0; i < outH; i++)
            {
                for (int j0 = 0; j0 < convW; j0 += LaneWidth)
                {
                    int width = Math.Min(LaneWidth, convW - j0);
                    for (int r = 0; r < 2; r++)
                    {
                        float* at = x + ((long)((2 * i) + r) * planeW) + j0;
                        float* to = rows + (r * LaneWidth * LaneChannels);
                        if (width == LaneWidth)
                        {
                            LaneTile(at, tapOff, taps, wt + ob, channels, to);
                        }
                        else
                        {
                            LaneTileNarrow(at, width, tapOff, taps, wt + ob, channels, to);
                        }
                    }
                    PoolLanes(rows, width / 2, bias + ob, dst + ((long)ob * plane) + ((long)i * outW) + (j0 / 2), plane);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LaneTile(float* x, int* tapOff, int taps, float* wt, int ldw, float* dst)
    {
        Vector512<float> c0a = Vector512<float>.Zero, c0b = Vector512<float>.Zero, c1a = Vector512<float>.Zero, c1b = Vector512<float>.Zero, c2a = Vector512<float>.Zero, c2b = Vector512<float>.Zero, c3a = Vector512<float>.Zero, c3b = Vector512<float>.Zero, c4a = Vector512<float>.Zero, c4b = Vector512<float>.Zero;
        Vector512<float> c5a = Vector512<float>.Zero, c5b = Vector512<float>.Zero, c6a = Vector512<float>.Zero, c6b = Vector512<float>.Zero, c7a = Vector512<float>.Zero, c7b = Vector512<float>.Zero, c8a = Vector512<float>.Zero, c8b = Vector512<float>.Zero, c9a = Vector512<float>.Zero, c9b = Vector512<float>.Zero;
        Vector512<float> c10a = Vector512<float>.Zero, c10b = Vector512<float>.Zero, c11a = Vector512<float>.Zero, c11b = Vector512<float>.Zero, c12a = Vector512<float>.Zero, c12b = Vector512<float>.Zero, c13a = Vector512<float>.Zero, c13b = Vector512<float>.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + tapOff[t];
            float* wp = wt + ((long)t * ldw);
            var w0 = Vector512.Load(wp);
            var w1 = Vector512.Load(wp + 16);
            Vector512<float> xv;
            xv = Vector512.Create(xp[0]);
            c0a = Vector512.FusedMultiplyAdd(xv, w0, c0a);
            c0b = Vector512.FusedMultiplyAdd(xv, w1, c0b);
            xv = Vector512.Create(xp[1]);
            c1a = Vector512.FusedMultiplyAdd(xv, w0, c1a);
            c1b = Vector512.FusedMultiplyAdd(xv, w1, c1b);
            xv = Vector512.Create(xp[2]);
            c2a = Vector512.FusedMultiplyAdd(xv, w0, c2a);
            c2b = Vector512.FusedMultiplyAdd(xv, w1, c2b);
            xv = Vector512.Create(xp[3]);
            c3a = Vector512.FusedMultiplyAdd(xv, w0, c3a);
            c3b = Vector512.FusedMultiplyAdd(xv, w1, c3b);
            xv = Vector512.Create(xp[4]);
            c4a = Vector512.FusedMultiplyAdd(xv, w0, c4a);
            c4b = Vector512.FusedMultiplyAdd(xv, w1, c4b);
            xv = Vector512.Create(xp[5]);
            c5a = Vector512.FusedMultiplyAdd(xv, w0, c5a);
            c5b = Vector512.FusedMultiplyAdd(xv, w1, c5b);
            xv = Vector512.Create(xp[6]);
            c6a = Vector512.FusedMultiplyAdd(xv, w0, c6a);
            c6b = Vector512.FusedMultiplyAdd(xv, w1, c6b);
            xv = Vector512.Create(xp[7]);
            c7a = Vector512.FusedMultiplyAdd(xv, w0, c7a);
            c7b = Vector512.FusedMultiplyAdd(xv, w1, c7b);
            xv = Vector512.Create(xp[8]);
            c8a = Vector512.FusedMultiplyAdd(xv, w0, c8a);
            c8b = Vector512.FusedMultiplyAdd(xv, w1, c8b);
            xv = Vector512.Create(xp[9]);
            c9a = Vector512.FusedMultiplyAdd(xv, w0, c9a);
            c9b = Vector512.FusedMultiplyAdd(xv, w1, c9b);
            xv = Vector512.Create(xp[10]);
            c10a = Vector512.FusedMultiplyAdd(xv, w0, c10a);
            c10b = Vector512.FusedMultiplyAdd(xv, w1, c10b);
            xv = Vector512.Create(xp[11]);
            c11a = Vector512.FusedMultiplyAdd(xv, w0, c11a);
            c11b = Vector512.FusedMultiplyAdd(xv, w1, c11b);
            xv = Vector512.Create(xp[12]);
            c12a = Vector512.FusedMultiplyAdd(xv, w0, c12a);
            c12b = Vector512.FusedMultiplyAdd(xv, w1, c12b);
            xv = Vector512.Create(xp[13]);
            c13a = Vector512.FusedMultiplyAdd(xv, w0, c13a);
            c13b = Vector512.FusedMultiplyAdd(xv, w1, c13b);
        }
        c0a.Store(dst + 0);
        c0b.Store(dst + 16);
        c1a.Store(dst + 32);
        c1b.Store(dst + 48);
        c2a.Store(dst + 64);
        c2b.Store(dst + 80);
        c3a.Store(dst + 96);
        c3b.Store(dst + 112);
        c4a.Store(dst + 128);
        c4b.Store(dst + 144);
        c5a.Store(dst + 160);
        c5b.Store(dst + 176);
        c6a.Store(dst + 192);
        c6b.Store(dst + 208);
        c7a.Store(dst + 224);
        c7b.Store(dst + 240);
        c8a.Store(dst + 256);
        c8b.Store(dst + 272);
        c9a.Store(dst + 288);
        c9b.Store(dst + 304);
        c10a.Store(dst + 320);
        c10b.Store(dst + 336);
        c11a.Store(dst + 352);
        c11b.Store(dst + 368);
        c12a.Store(dst + 384);
        c12b.Store(dst + 400);
        c13a.Store(dst + 416);
        c13b.Store(dst + 432);
    }

    // Seven positions: the last run of a row of Winograd blocks (see Conv2dKernels.Winograd).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LaneTile7(float* x, int* tapOff, int taps, float* wt, int ldw, float* dst)
    {
        Vector512<float> c0a = Vector512<float>.Zero, c0b = Vector512<float>.Zero, c1a = Vector512<float>.Zero, c1b = Vector512<float>.Zero, c2a = Vector512<float>.Zero, c2b = Vector512<float>.Zero, c3a = Vector512<float>.Zero, c3b = Vector512<float>.Zero;
        Vector512<float> c4a = Vector512<float>.Zero, c4b = Vector512<float>.Zero, c5a = Vector512<float>.Zero, c5b = Vector512<float>.Zero, c6a = Vector512<float>.Zero, c6b = Vector512<float>.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + tapOff[t];
            float* wp = wt + ((long)t * ldw);
            var w0 = Vector512.Load(wp);
            var w1 = Vector512.Load(wp + 16);
            Vector512<float> xv;
            xv = Vector512.Create(xp[0]);
            c0a = Vector512.FusedMultiplyAdd(xv, w0, c0a);
            c0b = Vector512.FusedMultiplyAdd(xv, w1, c0b);
            xv = Vector512.Create(xp[1]);
            c1a = Vector512.FusedMultiplyAdd(xv, w0, c1a);
            c1b = Vector512.FusedMultiplyAdd(xv, w1, c1b);
            xv = Vector512.Create(xp[2]);
            c2a = Vector512.FusedMultiplyAdd(xv, w0, c2a);
            c2b = Vector512.FusedMultiplyAdd(xv, w1, c2b);
            xv = Vector512.Create(xp[3]);
            c3a = Vector512.FusedMultiplyAdd(xv, w0, c3a);
            c3b = Vector512.FusedMultiplyAdd(xv, w1, c3b);
            xv = Vector512.Create(xp[4]);
            c4a = Vector512.FusedMultiplyAdd(xv, w0, c4a);
            c4b = Vector512.FusedMultiplyAdd(xv, w1, c4b);
            xv = Vector512.Create(xp[5]);
            c5a = Vector512.FusedMultiplyAdd(xv, w0, c5a);
            c5b = Vector512.FusedMultiplyAdd(xv, w1, c5b);
            xv = Vector512.Create(xp[6]);
            c6a = Vector512.FusedMultiplyAdd(xv, w0, c6a);
            c6b = Vector512.FusedMultiplyAdd(xv, w1, c6b);
        }
        c0a.Store(dst + 0);
        c0b.Store(dst + 16);
        c1a.Store(dst + 32);
        c1b.Store(dst + 48);
        c2a.Store(dst + 64);
        c2b.Store(dst + 80);
        c3a.Store(dst + 96);
        c3b.Store(dst + 112);
        c4a.Store(dst + 128);
        c4b.Store(dst + 144);
        c5a.Store(dst + 160);
        c5b.Store(dst + 176);
        c6a.Store(dst + 192);
        c6b.Store(dst + 208);
    }

    // The last columns of a row, fewer than LaneWidth, one position at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LaneTileNarrow(float* x, int width, int* tapOff, int taps, float* wt, int ldw, float* dst)
    {
        for (int p = 0; p < width; p++)
        {
            var ca = Vector512<float>.Zero;
            var cb = Vector512<float>.Zero;
            for (int t = 0; t < taps; t++)
            {
                float* wp = wt + ((long)t * ldw);
                var xv = Vector512.Create(x[tapOff[t] + p]);
                ca = Vector512.FusedMultiplyAdd(xv, Vector512.Load(wp), ca);
                cb = Vector512.FusedMultiplyAdd(xv, Vector512.Load(wp + 16), cb);
            }
            ca.Store(dst + (p * LaneChannels));
            cb.Store(dst + (p * LaneChannels) + 16);
        }
    }

    // rows[r][p][c] for two rows: the maximum of each 2×2 block (taps in the pooling kernels' order
    // and NaN rule), plus bias, rectified as the separate ReLU op, to dst[c·plane + j].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolLanes(float* rows, int pooled, float* bias, float* dst, int plane)
    {
        float* lane = stackalloc float[16];
        for (int j = 0; j < pooled; j++)
        {
            for (int h = 0; h < LaneChannels; h += 16)
            {
                float* top = rows + (2 * j * LaneChannels) + h;
                float* bottom = top + (LaneWidth * LaneChannels);
                var m = Take(Take(Take(Vector512.Load(top), Vector512.Load(top + LaneChannels)), Vector512.Load(bottom)), Vector512.Load(bottom + LaneChannels));
                m += Vector512.Load(bias + h);
                m = PoolKernels.Relu(m);
                m.Store(lane);
                float* to = dst + ((long)h * plane) + j;
                for (int c = 0; c < 16; c++)
                {
                    to[(long)c * plane] = lane[c];
                }
            }
        }

        static Vector512<float> Take(Vector512<float> best, Vector512<float> v) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(v, best) | ~Vector512.Equals(v, v), v, best);
    }
}
