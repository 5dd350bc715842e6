using System.Buffers;
using System.Numerics.Tensors;

namespace Bulwark.Engine.Kernels;

/// <summary>The sizes of one NCHW convolution: input [N, C, H, W], weight [O, C/groups, KH, KW].</summary>
internal readonly record struct Conv2dShape(int N, int C, int H, int W, int O, int KH, int KW, Conv2dGeometry G)
{
    public int Groups => G.Groups;

    public int Cg => C / G.Groups;

    public int Og => O / G.Groups;

    public int OH => Conv2dGeometry.OutputExtent(H, KH, G.StrideH, G.PadTop, G.PadBottom, G.DilationH);

    public int OW => Conv2dGeometry.OutputExtent(W, KW, G.StrideW, G.PadLeft, G.PadRight, G.DilationW);

    /// <summary>Reduction length of one group: (channel, kernel row, kernel column) triples.</summary>
    public int Kg => Cg * KH * KW;

    /// <summary>How the kernels read one sample of the input: zero-padded planes split into stride phases.</summary>
    public PlaneLayout InputLayout(int slack) =>
        new(C, H, W, G.PadTop, G.PadLeft, H + G.PadTop + G.PadBottom, W + G.PadLeft + G.PadRight, G.StrideH, G.StrideW, slack);

    /// <summary>Offset in <see cref="InputLayout"/> of tap (c, kh, kw) for output (0, 0); output (i, j) adds i·PlaneW + j.</summary>
    public void FillTapOffsets(Span<int> rowOff, PlaneLayout layout)
    {
        int k = 0;
        for (int c = 0; c < Cg; c++)
        {
            for (int i = 0; i < KH; i++)
            {
                for (int j = 0; j < KW; j++)
                {
                    rowOff[k++] = layout.Offset(c, i * G.DilationH, j * G.DilationW);
                }
            }
        }
    }

    /// <summary>Columns of a product computed on the input layout's plane width, padded to whole tiles.</summary>
    public int PaddedColumns(PlaneLayout layout) => (OH * layout.PlaneW + ConvMicroKernels.ColumnQuantum - 1) / ConvMicroKernels.ColumnQuantum * ConvMicroKernels.ColumnQuantum;

    public int[] InputShape => [N, C, H, W];

    public int[] OutputShape => [N, O, OH, OW];

    public int[] WeightShape => [O, Cg, KH, KW];
}

/// <summary>
/// NCHW convolution forward, input gradient and weight gradient on spans, all built on
/// <see cref="ConvMicroKernels"/> without a column matrix: each sample is copied once into
/// zero-padded planes split into stride phases (<see cref="PlaneLayout"/>), where every row
/// (c, kh, kw) of the im2col matrix is a shifted view of one phase plane. Products are computed on
/// the plane width and the extra columns dropped when written out. The input gradient is a
/// stride-1 correlation of the padded output gradient, one pass per stride phase of the input,
/// each with the kernel taps that land on that phase. Forward and input-gradient work is cut into
/// items, one per sample (and per range of output-channel panels when the batch is smaller than
/// the thread count), claimed by whichever thread of the GEMM team is free; the weight gradient is
/// split in contiguous ranges. Either way the results depend only on <see cref="EngineSettings.Threads"/>.
/// </summary>
internal static unsafe partial class Conv2dKernels
{
    private const int Mr = ConvMicroKernels.OuterRows;
    private const int Quantum = ConvMicroKernels.ColumnQuantum;

    /// <summary>
    /// y = conv(x, w) + bias; <paramref name="bias"/> may be empty. With <paramref name="reluPool"/>
    /// (inference only) y = maxpool(relu(conv(x, w) + bias)) over those windows of the [OH, OW]
    /// planes instead: each sample's product is pooled from the kernels' buffer as it is written
    /// out, so the full-size convolution output is never stored. The numbers are those of the
    /// separate ops: bias and ReLU are monotone, so they commute with the maximum.
    /// </summary>
    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> bias, Memory<float> y, Conv2dShape s, PoolWindows? reluPool = null)
    {
        if (s.N == 0)
        {
            return;
        }
        if (reluPool is { } winogradPool && WinogradFits(s, winogradPool))
        {
            ForwardReluPoolWinograd(x, w, bias, y, s, winogradPool);
            return;
        }
        if (reluPool is { } lanesPool && ChannelLanesFit(s, lanesPool))
        {
            ForwardReluPoolLanes(x, w, bias, y, s, lanesPool);
            return;
        }
        int cols = s.PaddedColumns(s.InputLayout(0));
        var layout = s.InputLayout(cols);
        var rowOff = new int[s.Kg];
        s.FillTapOffsets(rowOff, layout);
        int blocks = (s.Og + Mr - 1) / Mr;
        var packed = ArrayPool<float>.Shared.Rent(Math.Max(s.Groups * blocks * s.Kg * Mr, 1));
        try
        {
            for (int gi = 0; gi < s.Groups; gi++)
            {
                Pack(w.Span.Slice(gi * s.Og * s.Kg), s.Og, s.Kg, s.Kg, 1, packed.AsSpan(gi * blocks * s.Kg * Mr));
            }
            var pass = new Pass(packed, rowOff, s.Kg, cols, s.OH, s.OW, 0, 1, 0, 1);
            RunPasses(layout, [pass], new Output(s.Groups, s.Og, s.Cg, s.O, s.OH, s.OW, reluPool), x, bias, y, s.N);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>
    /// gx = ∂⟨gy, conv(x, w)⟩/∂x, the transposed convolution of gy back to the input's shape. Input
    /// position (ih, iw) lies in stride phase ((ih + padTop) mod sH, (iw + padLeft) mod sW); the
    /// taps reaching it are those with kh·dH ≡ that phase, each reading gy at a fixed shift. So each
    /// phase is a stride-1 correlation of gy (padded by the largest shift) with its taps.
    /// </summary>
    public static void InputGrad(ReadOnlyMemory<float> gy, ReadOnlyMemory<float> w, Memory<float> gx, Conv2dShape s)
    {
        if (s.N == 0)
        {
            return;
        }
        var g = s.G;
        int extraH = g.DilationH * (s.KH - 1) / g.StrideH;
        int extraW = g.DilationW * (s.KW - 1) / g.StrideW;
        var phasesH = Phases(s.H, s.KH, g.StrideH, g.DilationH, g.PadTop);
        var phasesW = Phases(s.W, s.KW, g.StrideW, g.DilationW, g.PadLeft);
        // Phase grids start at their first in-input index; the plane starts at the earliest of those,
        // so gy sits extra − that far in (cropped if that is negative: those rows are never read).
        int firstH = phasesH.Min(p => p.First);
        int firstW = phasesW.Min(p => p.First);
        int planeH = Math.Max(extraH - firstH + s.OH, phasesH.Max(p => extraH + p.First - firstH + p.Count));
        int planeW = Math.Max(extraW - firstW + s.OW, phasesW.Max(p => extraW + p.First - firstW + p.Count));
        var passes = new List<Pass>();
        var rented = new List<float[]>();
        try
        {
            int maxCols = phasesH.Max(p => RoundUp(p.Count * planeW, Quantum));
            var layout = new PlaneLayout(s.O, s.OH, s.OW, extraH - firstH, extraW - firstW, planeH, planeW, 1, 1, maxCols);
            foreach (var ph in phasesH)
            {
                foreach (var pw in phasesW)
                {
                    if (ph.Count > 0 && pw.Count > 0 && ph.Taps.Length > 0 && pw.Taps.Length > 0)
                    {
                        passes.Add(PhasePass(w.Span, s, layout, ph with { First = ph.First - firstH }, pw with { First = pw.First - firstW }, extraH, extraW, rented));
                    }
                }
            }
            RunPasses(layout, passes, new Output(s.Groups, s.Cg, s.Og, s.C, s.H, s.W), gy, ReadOnlyMemory<float>.Empty, gx, s.N);
        }
        finally
        {
            foreach (var a in rented)
            {
                ArrayPool<float>.Shared.Return(a);
            }
        }
    }

    /// <summary>
    /// gb[o] = Σ over n and positions of gy[n, o, ·]: split over channels, each summed in batch
    /// order (in double) whatever the thread count.
    /// </summary>
    public static void BiasGrad(ReadOnlyMemory<float> gy, Memory<float> gb, int batch, int channels, int positions)
    {
        int workers = ConvParallel.Workers(Math.Min(channels, (long)batch * channels * positions / 65536));
        ConvParallel.For(channels, workers, (_, o0, o1) =>
        {
            var g = gy.Span;
            var dst = gb.Span;
            for (int o = o0; o < o1; o++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                {
                    sum += TensorPrimitives.Sum(g.Slice(((n * channels) + o) * positions, positions));
                }
                dst[o] = (float)sum;
            }
        });
    }

    /// <summary>
    /// One product of a convolution pass: packed weights (per group, panels of <see cref="Mr"/> rows)
    /// times the source rows at <see cref="RowOff"/>, computed on <see cref="Cols"/> columns, of which
    /// a grid of Rows × Width is written to destination rows Row0, Row0 + RowStep, … and columns
    /// Col0, Col0 + ColStep, ….
    /// </summary>
    private sealed record Pass(float[] Packed, int[] RowOff, int K, int Cols, int Rows, int Width, int Row0, int RowStep, int Col0, int ColStep);

    /// <summary>
    /// Rows of the product per group, source channels per group, and the product's [C, H, W]; with
    /// <see cref="ReluPool"/> the destination holds the ReLU of those windows' maxima instead.
    /// </summary>
    private readonly record struct Output(int Groups, int RowsPerGroup, int SrcChannelsPerGroup, int Channels, int H, int W, PoolWindows? ReluPool = null)
    {
        public int Blocks => (RowsPerGroup + Mr - 1) / Mr;

        /// <summary>Elements of one destination plane.</summary>
        public int Plane => ReluPool is { } p ? p.OutH * p.OutW : H * W;
    }

    /// <summary>
    /// Input positions of one stride phase along one axis: the first index m0 of the phase grid
    /// that lands inside the input, how many do, the input index of the first, and the taps
    /// (kernel index, shift in phase rows) that reach this phase.
    /// </summary>
    private sealed record Phase(int First, int Count, int Start, (int Tap, int Shift)[] Taps);

    private static Phase[] Phases(int size, int kernel, int stride, int dilation, int padBefore)
    {
        var phases = new Phase[stride];
        for (int r = 0; r < stride; r++)
        {
            // Input index i = r − padBefore + m·stride for m ≥ First.
            int first = Math.Max(0, (padBefore - r + stride - 1) / stride);
            int start = r - padBefore + (first * stride);
            int count = start >= size ? 0 : ((size - 1 - start) / stride) + 1;
            // Descending taps give ascending read offsets (the shift is subtracted), which streams better.
            var taps = new List<(int, int)>();
            for (int k = kernel - 1; k >= 0; k--)
            {
                if (k * dilation % stride == r)
                {
                    taps.Add((k, k * dilation / stride));
                }
            }
            phases[r] = new Phase(first, count, start, [.. taps]);
        }
        return phases;
    }

    // Taps (kh, kw) of one phase pair, for every output channel of a group: A[c, (o, kh, kw)] = w[o, c, kh, kw],
    // read from gy at (m − shiftH, n − shiftW), i.e. at plane row extraH − shiftH + First (First relative
    // to the plane's start) and the like column.
    private static Pass PhasePass(ReadOnlySpan<float> w, Conv2dShape s, PlaneLayout layout, Phase ph, Phase pw, int extraH, int extraW, List<float[]> rented)
    {
        int taps = ph.Taps.Length * pw.Taps.Length;
        int k = s.Og * taps;
        int blocks = (s.Cg + Mr - 1) / Mr;
        var rowOff = new int[k];
        for (int o = 0; o < s.Og; o++)
        {
            int t = 0;
            foreach (var (_, shiftH) in ph.Taps)
            {
                foreach (var (_, shiftW) in pw.Taps)
                {
                    rowOff[(o * taps) + t++] = layout.Offset(o, extraH - shiftH + ph.First, extraW - shiftW + pw.First);
                }
            }
        }
        var matrix = ArrayPool<float>.Shared.Rent(Math.Max(s.Cg * k, 1));
        var packed = ArrayPool<float>.Shared.Rent(Math.Max(s.Groups * blocks * k * Mr, 1));
        rented.Add(packed);
        try
        {
            int kk = s.KH * s.KW;
            for (int gi = 0; gi < s.Groups; gi++)
            {
                for (int c = 0; c < s.Cg; c++)
                {
                    for (int o = 0; o < s.Og; o++)
                    {
                        var from = w.Slice(((((gi * s.Og) + o) * s.Cg) + c) * kk, kk);
                        int t = 0;
                        foreach (var (kh, _) in ph.Taps)
                        {
                            foreach (var (kw, _) in pw.Taps)
                            {
                                matrix[(c * k) + (o * taps) + t++] = from[(kh * s.KW) + kw];
                            }
                        }
                    }
                }
                Pack(matrix, s.Cg, k, k, 1, packed.AsSpan(gi * blocks * k * Mr));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(matrix);
        }
        return new Pass(packed, rowOff, k, RoundUp(ph.Count * layout.PlaneW, Quantum), ph.Count, pw.Count,
            ph.Start, s.G.StrideH, pw.Start, s.G.StrideW);
    }

    private static void RunPasses(PlaneLayout layout, IReadOnlyList<Pass> passes, Output o, ReadOnlyMemory<float> src, ReadOnlyMemory<float> bias, Memory<float> dst, int batch)
    {
        int totalBlocks = o.Groups * o.Blocks;
        // A batch smaller than the thread count also splits each sample's output-channel panels.
        int perSample = Math.Clamp((EngineSettings.Threads + batch - 1) / batch, 1, totalBlocks);
        int items = batch * perSample;
        int maxCols = passes.Count == 0 ? 0 : passes.Max(p => p.Cols);
        bool covers = passes.Sum(p => (long)p.Rows * p.Width) == (long)o.H * o.W;
        // Items go to whichever thread is free: each is computed the same way on any of them.
        ConvParallel.Claim(items, ConvParallel.Workers(items), claims =>
        {
            int item = claims.Next();
            if (item < 0)
            {
                return;
            }
            var buf = ArrayPool<float>.Shared.Rent(layout.Length);
            var cBuf = ArrayPool<float>.Shared.Rent(Math.Max(o.Blocks * Mr * maxCols, 1));
            try
            {
                // Padding and slack stay zero for the whole call.
                buf.AsSpan(0, layout.Length).Clear();
                int srcSize = layout.Channels * layout.SrcH * layout.SrcW;
                int plane = o.Plane;
                int dstSize = o.Channels * plane;
                for (; item >= 0; item = claims.Next())
                {
                    int n = item / perSample;
                    int part = item % perSample;
                    int b0 = ConvParallel.Start(totalBlocks, perSample, part);
                    int b1 = ConvParallel.Start(totalBlocks, perSample, part + 1);
                    layout.Fill(src.Span.Slice(n * srcSize, srcSize), buf);
                    for (int gi = b0 / o.Blocks; gi <= (b1 - 1) / o.Blocks; gi++)
                    {
                        int lo = Math.Max(b0 - (gi * o.Blocks), 0);
                        int hi = Math.Min(b1 - (gi * o.Blocks), o.Blocks);
                        int r0 = lo * Mr;
                        int r1 = Math.Min(hi * Mr, o.RowsPerGroup);
                        var dstGroup = dst.Span.Slice((n * dstSize) + (gi * o.RowsPerGroup * plane), o.RowsPerGroup * plane);
                        if (!covers)
                        {
                            // Input positions no tap reaches (a stride larger than the dilated kernel) get no gradient.
                            dstGroup.Slice(r0 * plane, (r1 - r0) * plane).Clear();
                        }
                        foreach (var pass in passes)
                        {
                            fixed (float* a = pass.Packed)
                            fixed (float* b = buf)
                            fixed (float* c = cBuf)
                            fixed (int* ro = pass.RowOff)
                            {
                                ConvMicroKernels.Outer(a + ((long)gi * o.Blocks * pass.K * Mr), lo, hi, o.RowsPerGroup, pass.K,
                                    b + ((long)gi * o.SrcChannelsPerGroup * layout.ChannelStride), ro, pass.Cols, c, pass.Cols);
                            }
                            var groupBias = bias.IsEmpty ? default : bias.Span.Slice(gi * o.RowsPerGroup, o.RowsPerGroup);
                            if (o.ReluPool is { } pool)
                            {
                                WritePooledRows(cBuf, pass.Cols, layout.PlaneW, r0, r1, dstGroup.Slice(r0 * plane, (r1 - r0) * plane), pool, groupBias);
                            }
                            else
                            {
                                WriteRows(cBuf, pass, layout.PlaneW, r0, r1, dstGroup, o.H, o.W, groupBias);
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buf);
                ArrayPool<float>.Shared.Return(cBuf);
            }
        });
    }

    // ---------------------------------------------------------------- packing and write-out

    /// <summary>
    /// Packs the matrix A[r, p] = src[r·rowStride + p·colStride] (rows × k) into panels of
    /// <see cref="Mr"/> rows, [panel][p][r], zero-filling the last panel.
    /// </summary>
    internal static void Pack(ReadOnlySpan<float> src, int rows, int k, int rowStride, int colStride, Span<float> dst)
    {
        int blocks = (rows + Mr - 1) / Mr;
        for (int blk = 0; blk < blocks; blk++)
        {
            var panel = dst.Slice(blk * k * Mr, k * Mr);
            for (int r = 0; r < Mr; r++)
            {
                int row = (blk * Mr) + r;
                if (row >= rows)
                {
                    for (int p = 0; p < k; p++)
                    {
                        panel[(p * Mr) + r] = 0f;
                    }
                    continue;
                }
                for (int p = 0; p < k; p++)
                {
                    panel[(p * Mr) + r] = src[(row * rowStride) + (p * colStride)];
                }
            }
        }
    }

    // Rows r0..r1 of the product (stride pass.Cols, grid rows srcW apart) into [rows, h, w] at the pass's positions, plus bias.
    private static void WriteRows(float[] c, Pass pass, int srcW, int r0, int r1, Span<float> dst, int h, int w, ReadOnlySpan<float> bias)
    {
        int plane = h * w;
        fixed (float* cp = c)
        fixed (float* dp = dst)
        {
            for (int r = r0; r < r1; r++)
            {
                float add = bias.IsEmpty ? 0f : bias[r];
                float* from = cp + ((long)r * pass.Cols);
                float* to = dp + ((long)r * plane) + (pass.Row0 * w) + pass.Col0;
                if (pass.RowStep == 1 && pass.ColStep == 1)
                {
                    if (srcW == w && pass.Width == w)
                    {
                        ConvMicroKernels.CopyRows(from, 0, 1, pass.Rows * w, add, to, 0);
                    }
                    else
                    {
                        ConvMicroKernels.CopyRows(from, srcW, pass.Rows, pass.Width, add, to, w);
                    }
                    continue;
                }
                for (int i = 0; i < pass.Rows; i++)
                {
                    float* f = from + ((long)i * srcW);
                    float* t = to + ((long)i * pass.RowStep * w);
                    for (int j = 0; j < pass.Width; j++)
                    {
                        t[j * pass.ColStep] = f[j] + add;
                    }
                }
            }
        }
    }

    // Rows r0..r1 of a forward product (stride cols, grid rows srcW apart) max-pooled over pool's
    // windows, biased and rectified into dst ([r1 − r0, outH, outW]).
    private static void WritePooledRows(float[] c, int cols, int srcW, int r0, int r1, Span<float> dst, PoolWindows pool, ReadOnlySpan<float> bias)
    {
        int plane = pool.OutH * pool.OutW;
        fixed (float* cp = c)
        fixed (float* dp = dst)
        {
            for (int r = r0; r < r1; r++)
            {
                PoolKernels.MaxPlaneAdd(cp + ((long)r * cols), srcW, pool, bias.IsEmpty ? 0f : bias[r], dp + ((long)(r - r0) * plane));
            }
        }
        // ReLU as the separate op computes it, so the results agree exactly.
        PoolKernels.ReluInPlace(dst);
    }

    private static int RoundUp(int value, int quantum) => (value + quantum - 1) / quantum * quantum;
}
