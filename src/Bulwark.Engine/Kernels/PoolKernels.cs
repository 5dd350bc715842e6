using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// The windows of a 2-D pooling, described separably per axis: output row i reads the
/// <c>H.Count[i]</c> input rows H.Start[i], H.Start[i] + H.Step, … that lie inside the input
/// (padding never holds data: −∞ for max, 0 for average), likewise for columns, and the average
/// divides by H.Divisor[i]·W.Divisor[j]. Fixed, adaptive and global pooling are all this shape.
/// </summary>
internal sealed class PoolWindows
{
    private PoolWindows(int inH, int inW, AxisWindows h, AxisWindows w)
    {
        InH = inH;
        InW = inW;
        H = h;
        W = w;
        Is2x2Stride2 = IsPairs(h) && IsPairs(w);
    }

    public int InH { get; }

    public int InW { get; }

    public int OutH => H.Start.Length;

    public int OutW => W.Start.Length;

    public AxisWindows H { get; }

    public AxisWindows W { get; }

    /// <summary>True when every window is the 2×2 block at (2i, 2j): the common CNN pooling, which has its own loop.</summary>
    public bool Is2x2Stride2 { get; }

    private static bool IsPairs(AxisWindows a)
    {
        for (int i = 0; i < a.Start.Length; i++)
        {
            if (a.Start[i] != 2 * i || a.Count[i] != 2)
            {
                return false;
            }
        }
        return a.Step == 1;
    }

    /// <summary>One axis: first in-input tap, number of in-input taps, tap spacing and the average's divisor per output index.</summary>
    internal sealed record AxisWindows(int[] Start, int[] Count, int Step, int[] Divisor);

    /// <summary>Windows of a fixed-size pooling (PyTorch/ONNX semantics; see <see cref="Pool2dGeometry"/>).</summary>
    public static PoolWindows FromGeometry(Pool2dGeometry g, int inH, int inW, bool countIncludePad)
    {
        int outH = Pool2dGeometry.OutputExtent(inH, g.KernelH, g.StrideH, g.PadTop, g.PadBottom, g.DilationH, g.CeilMode);
        int outW = Pool2dGeometry.OutputExtent(inW, g.KernelW, g.StrideW, g.PadLeft, g.PadRight, g.DilationW, g.CeilMode);
        return new PoolWindows(inH, inW,
            Axis(outH, inH, g.KernelH, g.StrideH, g.PadTop, g.PadBottom, g.DilationH, countIncludePad),
            Axis(outW, inW, g.KernelW, g.StrideW, g.PadLeft, g.PadRight, g.DilationW, countIncludePad));
    }

    /// <summary>
    /// Adaptive pooling as in PyTorch: output i covers input [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), so
    /// windows may overlap when the sizes do not divide.
    /// </summary>
    public static PoolWindows Adaptive(int inH, int inW, int outH, int outW) =>
        new(inH, inW, AdaptiveAxis(inH, outH), AdaptiveAxis(inW, outW));

    private static AxisWindows Axis(int outSize, int inSize, int kernel, int stride, int padBefore, int padAfter, int dilation, bool countIncludePad)
    {
        var start = new int[outSize];
        var count = new int[outSize];
        var divisor = new int[outSize];
        for (int i = 0; i < outSize; i++)
        {
            int first = (i * stride) - padBefore;
            int skip = first >= 0 ? 0 : (-first + dilation - 1) / dilation;
            int last = Math.Min(kernel - 1, FloorDiv(inSize - 1 - first, dilation));
            count[i] = Math.Max(0, last - skip + 1);
            start[i] = first + (skip * dilation);
            // With count_include_pad the divisor counts taps inside the padded extent; a ceil-mode
            // window hanging past the bottom/right padding does not count that overhang (PyTorch).
            int lastPadded = Math.Min(kernel - 1, FloorDiv(inSize + padAfter - 1 - first, dilation));
            divisor[i] = countIncludePad ? lastPadded + 1 : count[i];
        }
        return new AxisWindows(start, count, dilation, divisor);
    }

    private static AxisWindows AdaptiveAxis(int inSize, int outSize)
    {
        var start = new int[outSize];
        var count = new int[outSize];
        for (int i = 0; i < outSize; i++)
        {
            int lo = (int)((long)i * inSize / outSize);
            int hi = (int)((((long)(i + 1) * inSize) + outSize - 1) / outSize);
            start[i] = lo;
            count[i] = hi - lo;
        }
        return new AxisWindows(start, count, 1, (int[])count.Clone());
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>
/// NCHW pooling kernels over <see cref="PoolWindows"/>, split over the N·C planes in contiguous
/// ranges (deterministic for a given thread count). Max pooling records, per output, the flat
/// index within its input plane of the element it took (−1 when a window holds none), so that its
/// backward is a scatter and that scatter's backward a gather at the same positions.
/// </summary>
internal static unsafe class PoolKernels
{
    // Below this many output elements a plane range is not worth a thread.
    private const int MinWorkPerThread = 16384;

    /// <summary>y = max over each window (NaN propagates, as in PyTorch); arg = flat in-plane index of the maximum.</summary>
    public static void MaxForward(ReadOnlyMemory<float> x, Memory<float> y, Memory<int> arg, int planes, PoolWindows win)
    {
        int inPlane = win.InH * win.InW;
        int outPlane = win.OutH * win.OutW;
        if (win.Is2x2Stride2)
        {
            Run(planes, outPlane, (p0, p1) => MaxPairs(x.Span, y.Span, arg.Span, p0, p1, win));
            return;
        }
        Run(planes, outPlane, (p0, p1) =>
        {
            var xs = x.Span;
            var ys = y.Span;
            var args = arg.Span;
            var h = win.H;
            var w = win.W;
            for (int p = p0; p < p1; p++)
            {
                var src = xs.Slice(p * inPlane, inPlane);
                int o = p * outPlane;
                for (int i = 0; i < win.OutH; i++)
                {
                    for (int j = 0; j < win.OutW; j++, o++)
                    {
                        float best = float.NegativeInfinity;
                        int bestAt = -1;
                        for (int a = 0; a < h.Count[i]; a++)
                        {
                            int rowAt = (h.Start[i] + (a * h.Step)) * win.InW;
                            for (int b = 0; b < w.Count[j]; b++)
                            {
                                int at = rowAt + w.Start[j] + (b * w.Step);
                                float v = src[at];
                                if (v > best || float.IsNaN(v) || bestAt < 0)
                                {
                                    best = v;
                                    bestAt = at;
                                }
                            }
                        }
                        ys[o] = best;
                        args[o] = bestAt;
                    }
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPairs(ReadOnlySpan<float> x, Span<float> y, Span<int> arg, int p0, int p1, PoolWindows win)
    {
        int w = win.InW;
        int inPlane = win.InH * w;
        int outH = win.OutH;
        int outW = win.OutW;
        bool vector = Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && outW >= 4;
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* ap = arg)
        {
            for (int p = p0; p < p1; p++)
            {
                float* src = xp + ((long)p * inPlane);
                for (int i = 0; i < outH; i++)
                {
                    long o = ((long)p * outH * outW) + (i * outW);
                    if (vector)
                    {
                        MaxPairsRow(src, 2 * i * w, w, outW, yp + o, ap + o);
                        continue;
                    }
                    for (int j = 0; j < outW; j++)
                    {
                        int at = (2 * i * w) + (2 * j);
                        float best = src[at];
                        int bestAt = at;
                        Take(src[at + 1], at + 1, ref best, ref bestAt);
                        Take(src[at + w], at + w, ref best, ref bestAt);
                        Take(src[at + w + 1], at + w + 1, ref best, ref bestAt);
                        yp[o + j] = best;
                        ap[o + j] = bestAt;
                    }
                }
            }
        }
    }

    /// <summary>
    /// values[i] = max(values[i], 0) exactly as the ReLU op computes it with
    /// <c>TensorPrimitives.Max(x, 0)</c>: positive values and NaN stay, everything else (negative
    /// values and −0) becomes +0. A kernel of its own so that it is compiled fully optimised on
    /// first use: the library's generic loop starts out unoptimised in every process, which made
    /// the first forward passes' fused convolutions twice as slow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ReluInPlace(Span<float> values)
    {
        int i = 0;
        fixed (float* p = values)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= values.Length; i += 16)
                {
                    Relu(Vector512.Load(p + i)).Store(p + i);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 8 <= values.Length; i += 8)
                {
                    var v = Vector256.Load(p + i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero) | ~Vector256.Equals(v, v), v, Vector256<float>.Zero).Store(p + i);
                }
            }
            for (; i < values.Length; i++)
            {
                float v = p[i];
                p[i] = v > 0 || float.IsNaN(v) ? v : 0f;
            }
        }
    }

    /// <summary>The ReLU op's max(v, 0) per lane: positive values and NaN stay, the rest become +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Relu(Vector512<float> v) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero) | ~Vector512.Equals(v, v), v, Vector512<float>.Zero);

    /// <summary>
    /// Max pooling of one plane whose rows lie <paramref name="srcStride"/> apart (a convolution's
    /// product rows, computed on its plane width), plus <paramref name="add"/>:
    /// dst[i·OutW + j] = max over window (i, j) of src, + add. The same NaN rule as
    /// <see cref="MaxForward"/>; no arg-max, so only for inference. Since x ↦ x + add is monotone,
    /// the result equals pooling the biased values, bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxPlaneAdd(float* src, int srcStride, PoolWindows win, float add, float* dst)
    {
        int outH = win.OutH;
        int outW = win.OutW;
        if (win.Is2x2Stride2 && Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && outW >= 4)
        {
            for (int i = 0; i < outH; i++)
            {
                MaxPairsRowAdd(src + ((long)2 * i * srcStride), srcStride, outW, add, dst + ((long)i * outW));
            }
            return;
        }
        var h = win.H;
        var w = win.W;
        for (int i = 0; i < outH; i++)
        {
            for (int j = 0; j < outW; j++)
            {
                float best = float.NegativeInfinity;
                bool any = false;
                for (int a = 0; a < h.Count[i]; a++)
                {
                    float* row = src + ((long)(h.Start[i] + (a * h.Step)) * srcStride) + w.Start[j];
                    for (int b = 0; b < w.Count[j]; b++)
                    {
                        float v = row[b * w.Step];
                        if (v > best || float.IsNaN(v) || !any)
                        {
                            best = v;
                            any = true;
                        }
                    }
                }
                dst[((long)i * outW) + j] = best + add;
            }
        }
    }

    // The 2×2 rows of MaxPlaneAdd, eight outputs a step (four for rows of fewer than eight), the
    // last step overlapping the one before; the taps are taken in MaxPairsRow's order under its NaN rule.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPairsRowAdd(float* top, int stride, int outW, float add, float* dst)
    {
        int step = Vector256.IsHardwareAccelerated && outW >= 8 ? 8 : 4;
        for (int j = 0; ; j += step)
        {
            j = Math.Min(j, outW - step);
            float* at = top + (2 * j);
            if (step == 8)
            {
                var (a, b) = Pairs256(at);
                var (c, d) = Pairs256(at + stride);
                Max4(a, b, c, d, add).Store(dst + j);
            }
            else
            {
                var (a, b) = Pairs(at);
                var (c, d) = Pairs(at + stride);
                Max4(a.ToVector256Unsafe(), b.ToVector256Unsafe(), c.ToVector256Unsafe(), d.ToVector256Unsafe(), add).GetLower().Store(dst + j);
            }
            if (j == outW - step)
            {
                return;
            }
        }
    }

    private static Vector256<float> Max4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, float add)
    {
        return Take(Take(Take(a, b), c), d) + Vector256.Create(add);

        static Vector256<float> Take(Vector256<float> best, Vector256<float> v) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(v, best) | ~Vector256.Equals(v, v), v, best);
    }

    private static (Vector256<float> Even, Vector256<float> Odd) Pairs256(float* p)
    {
        var lo = Vector256.Load((ulong*)p);
        var hi = Vector256.Load((ulong*)(p + 8));
        return (Vector256.Narrow(lo, hi).AsSingle(), Vector256.Narrow(lo >>> 32, hi >>> 32).AsSingle());
    }

    // PyTorch's rule: a later element wins when it is larger or NaN, so the first maximum is kept.
    private static void Take(float v, int at, ref float best, ref int bestAt)
    {
        if (v > best || float.IsNaN(v))
        {
            best = v;
            bestAt = at;
        }
    }

    // Four outputs at a time: each pair of adjacent floats is read as one 64-bit lane, so narrowing
    // the lanes yields the even (left) elements and narrowing them shifted the odd (right) ones.
    // The last group overlaps the previous one instead of running a scalar tail.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPairsRow(float* plane, int rowAt, int w, int outW, float* y, int* arg)
    {
        var lane = Vector128.Create(0, 2, 4, 6);
        for (int j = 0; ; j += 4)
        {
            j = Math.Min(j, outW - 4);
            int at = rowAt + (2 * j);
            var (a, b) = Pairs(plane + at);
            var (c, d) = Pairs(plane + at + w);
            var index = Vector128.Create(at) + lane;
            var best = a;
            var bestAt = index;
            Take(b, index + Vector128<int>.One, ref best, ref bestAt);
            Take(c, index + Vector128.Create(w), ref best, ref bestAt);
            Take(d, index + Vector128.Create(w + 1), ref best, ref bestAt);
            best.Store(y + j);
            bestAt.Store(arg + j);
            if (j == outW - 4)
            {
                return;
            }
        }
    }

    private static (Vector128<float> Even, Vector128<float> Odd) Pairs(float* p)
    {
        var lo = Vector128.Load((ulong*)p);
        var hi = Vector128.Load((ulong*)(p + 4));
        return (Vector128.Narrow(lo, hi).AsSingle(), Vector128.Narrow(lo >>> 32, hi >>> 32).AsSingle());
    }

    private static void Take(Vector128<float> v, Vector128<int> at, ref Vector128<float> best, ref Vector128<int> bestAt)
    {
        var take = Vector128.GreaterThan(v, best) | ~Vector128.Equals(v, v);
        best = Vector128.ConditionalSelect(take, v, best);
        bestAt = Vector128.ConditionalSelect(take.AsInt32(), at, bestAt);
    }

    /// <summary>gx = 0, then gx[plane, arg[o]] += g[o]: the adjoint of gathering at <paramref name="arg"/>.</summary>
    public static void ScatterAt(ReadOnlyMemory<float> g, ReadOnlyMemory<int> arg, Memory<float> gx, int planes, PoolWindows win)
    {
        int inPlane = win.InH * win.InW;
        int outPlane = win.OutH * win.OutW;
        if (win.Is2x2Stride2)
        {
            Run(planes, outPlane + inPlane, (p0, p1) => ScatterPairs(g.Span, arg.Span, gx.Span, p0, p1, win));
            return;
        }
        Run(planes, outPlane + inPlane, (p0, p1) =>
        {
            var gs = g.Span;
            var args = arg.Span;
            var dst = gx.Span.Slice(p0 * inPlane, (p1 - p0) * inPlane);
            dst.Clear();
            for (int p = p0; p < p1; p++)
            {
                var plane = dst.Slice((p - p0) * inPlane, inPlane);
                for (int o = p * outPlane; o < (p + 1) * outPlane; o++)
                {
                    int at = args[o];
                    if (at >= 0)
                    {
                        plane[at] += gs[o];
                    }
                }
            }
        });
    }

    // Disjoint 2×2 windows: every covered input element is written exactly once (the gradient at
    // the window's arg-max, zero elsewhere), so only an odd last row or column needs clearing.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterPairs(ReadOnlySpan<float> g, ReadOnlySpan<int> arg, Span<float> gx, int p0, int p1, PoolWindows win)
    {
        int w = win.InW;
        int inPlane = win.InH * w;
        int outH = win.OutH;
        int outW = win.OutW;
        bool vector = Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && outW >= 4;
        fixed (float* gp = g)
        fixed (int* ap = arg)
        fixed (float* xp = gx)
        {
            for (int p = p0; p < p1; p++)
            {
                float* plane = xp + ((long)p * inPlane);
                for (int i = 0; i < outH; i++)
                {
                    long o = ((long)p * outH * outW) + (i * outW);
                    int rowAt = 2 * i * w;
                    if (vector)
                    {
                        ScatterPairsRow(gp + o, ap + o, plane, rowAt, w, outW);
                    }
                    else
                    {
                        for (int j = 0; j < outW; j++)
                        {
                            int at = rowAt + (2 * j);
                            float v = gp[o + j];
                            int take = ap[o + j];
                            plane[at] = take == at ? v : 0f;
                            plane[at + 1] = take == at + 1 ? v : 0f;
                            plane[at + w] = take == at + w ? v : 0f;
                            plane[at + w + 1] = take == at + w + 1 ? v : 0f;
                        }
                    }
                    if (2 * outW < w)
                    {
                        new Span<float>(plane + rowAt + (2 * outW), w - (2 * outW)).Clear();
                        new Span<float>(plane + rowAt + w + (2 * outW), w - (2 * outW)).Clear();
                    }
                }
                new Span<float>(plane + (2L * outH * w), (win.InH - (2 * outH)) * w).Clear();
            }
        }
    }

    // The adjoint of MaxPairsRow: each output's gradient goes to the lane of its arg-max, and the
    // left/right lanes are interleaved back into float pairs by widening to 64 bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterPairsRow(float* g, int* arg, float* plane, int rowAt, int w, int outW)
    {
        var lane = Vector128.Create(0, 2, 4, 6);
        for (int j = 0; ; j += 4)
        {
            j = Math.Min(j, outW - 4);
            int at = rowAt + (2 * j);
            var v = Vector128.Load(g + j);
            var take = Vector128.Load(arg + j);
            var index = Vector128.Create(at) + lane;
            var a = Vector128.ConditionalSelect(Vector128.Equals(take, index).AsSingle(), v, Vector128<float>.Zero);
            var b = Vector128.ConditionalSelect(Vector128.Equals(take, index + Vector128<int>.One).AsSingle(), v, Vector128<float>.Zero);
            var c = Vector128.ConditionalSelect(Vector128.Equals(take, index + Vector128.Create(w)).AsSingle(), v, Vector128<float>.Zero);
            var d = Vector128.ConditionalSelect(Vector128.Equals(take, index + Vector128.Create(w + 1)).AsSingle(), v, Vector128<float>.Zero);
            StorePairs(a, b, plane + at);
            StorePairs(c, d, plane + at + w);
            if (j == outW - 4)
            {
                return;
            }
        }
    }

    private static void StorePairs(Vector128<float> left, Vector128<float> right, float* dst)
    {
        var (l0, l1) = Vector128.Widen(left.AsUInt32());
        var (r0, r1) = Vector128.Widen(right.AsUInt32());
        (l0 | (r0 << 32)).AsSingle().Store(dst);
        (l1 | (r1 << 32)).AsSingle().Store(dst + 4);
    }

    /// <summary>y[o] = x[plane, arg[o]] (0 where arg is −1).</summary>
    public static void GatherAt(ReadOnlyMemory<float> x, ReadOnlyMemory<int> arg, Memory<float> y, int planes, int inPlane, int outPlane)
    {
        Run(planes, outPlane, (p0, p1) =>
        {
            var xs = x.Span;
            var args = arg.Span;
            var ys = y.Span;
            for (int p = p0; p < p1; p++)
            {
                var plane = xs.Slice(p * inPlane, inPlane);
                for (int o = p * outPlane; o < (p + 1) * outPlane; o++)
                {
                    int at = args[o];
                    ys[o] = at >= 0 ? plane[at] : 0f;
                }
            }
        });
    }

    /// <summary>y = Σ window / divisor.</summary>
    public static void Average(ReadOnlyMemory<float> x, Memory<float> y, int planes, PoolWindows win)
    {
        int inPlane = win.InH * win.InW;
        int outPlane = win.OutH * win.OutW;
        Run(planes, outPlane, (p0, p1) =>
        {
            var xs = x.Span;
            var ys = y.Span;
            var h = win.H;
            var w = win.W;
            for (int p = p0; p < p1; p++)
            {
                var src = xs.Slice(p * inPlane, inPlane);
                int o = p * outPlane;
                for (int i = 0; i < win.OutH; i++)
                {
                    for (int j = 0; j < win.OutW; j++, o++)
                    {
                        float sum = 0f;
                        for (int a = 0; a < h.Count[i]; a++)
                        {
                            int rowAt = ((h.Start[i] + (a * h.Step)) * win.InW) + w.Start[j];
                            for (int b = 0; b < w.Count[j]; b++)
                            {
                                sum += src[rowAt + (b * w.Step)];
                            }
                        }
                        ys[o] = sum / ((float)h.Divisor[i] * w.Divisor[j]);
                    }
                }
            }
        });
    }

    /// <summary>The adjoint of <see cref="Average"/>: each g[o] / divisor is added to every element of its window.</summary>
    public static void AverageTranspose(ReadOnlyMemory<float> g, Memory<float> gx, int planes, PoolWindows win)
    {
        int inPlane = win.InH * win.InW;
        int outPlane = win.OutH * win.OutW;
        Run(planes, outPlane + inPlane, (p0, p1) =>
        {
            var gs = g.Span;
            var dst = gx.Span.Slice(p0 * inPlane, (p1 - p0) * inPlane);
            dst.Clear();
            var h = win.H;
            var w = win.W;
            for (int p = p0; p < p1; p++)
            {
                var plane = dst.Slice((p - p0) * inPlane, inPlane);
                int o = p * outPlane;
                for (int i = 0; i < win.OutH; i++)
                {
                    for (int j = 0; j < win.OutW; j++, o++)
                    {
                        float share = gs[o] / ((float)h.Divisor[i] * w.Divisor[j]);
                        for (int a = 0; a < h.Count[i]; a++)
                        {
                            int rowAt = ((h.Start[i] + (a * h.Step)) * win.InW) + w.Start[j];
                            for (int b = 0; b < w.Count[j]; b++)
                            {
                                plane[rowAt + (b * w.Step)] += share;
                            }
                        }
                    }
                }
            }
        });
    }

    private static void Run(int planes, int workPerPlane, Action<int, int> body)
    {
        long work = (long)planes * Math.Max(workPerPlane, 1);
        int workers = ConvParallel.Workers(Math.Min(planes, work / MinWorkPerThread));
        ConvParallel.For(planes, workers, (_, p0, p1) => body(p0, p1));
    }
}
