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

    /// <summary>Stride 1 lets every im2col row be a shifted view of the padded input plane.</summary>
    public bool Implicit => G.StrideH == 1 && G.StrideW == 1;

    public int[] InputShape => [N, C, H, W];

    public int[] OutputShape => [N, O, OH, OW];

    public int[] WeightShape => [O, Cg, KH, KW];
}

/// <summary>
/// NCHW convolution forward, input gradient and weight gradient on spans, all built on
/// <see cref="ConvMicroKernels"/>. At stride 1 no column matrix is built: each sample is copied
/// once into zero-padded planes, and row (c, kh, kw) of the implicit im2col matrix is that plane
/// shifted by kh·dilation·paddedWidth + kw·dilation. Outputs are computed on the padded width and
/// the extra columns dropped when they are written out. The input gradient at stride 1 is the same
/// computation on the output gradient with flipped, transposed weights (a full correlation); at
/// larger strides explicit im2col / col2im buffers are used. Work is split over the batch (and
/// over output-channel panels when the batch is smaller than the thread count) in contiguous
/// ranges, so results depend only on <see cref="EngineSettings.Threads"/>.
/// </summary>
internal static unsafe partial class Conv2dKernels
{
    private const int Mr = ConvMicroKernels.OuterRows;
    private const int Quantum = ConvMicroKernels.ColumnQuantum;

    /// <summary>y = conv(x, w) + bias; <paramref name="bias"/> may be empty.</summary>
    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> bias, Memory<float> y, Conv2dShape s)
    {
        if (s.N == 0 || s.O == 0)
        {
            return;
        }
        var g = s.G;
        if (s.Implicit)
        {
            var plan = new ImplicitPlan(
                Channels: s.C, SrcH: s.H, SrcW: s.W,
                PadH: s.H + g.PadTop + g.PadBottom, PadW: s.W + g.PadLeft + g.PadRight, Top: g.PadTop, Left: g.PadLeft,
                Groups: s.Groups, RowsPerGroup: s.Og, SrcChannelsPerGroup: s.Cg,
                KH: s.KH, KW: s.KW, DilationH: g.DilationH, DilationW: g.DilationW,
                OutChannels: s.O, OutH: s.OH, OutW: s.OW);
            var packed = PackForward(w.Span, s);
            try
            {
                RunImplicit(plan, x, packed, bias, y, s.N);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packed);
            }
            return;
        }
        ForwardExplicit(x, w, bias, y, s);
    }

    /// <summary>gx = ∂⟨gy, conv(x, w)⟩/∂x: the transposed convolution of gy back to the input's shape.</summary>
    public static void InputGrad(ReadOnlyMemory<float> gy, ReadOnlyMemory<float> w, Memory<float> gx, Conv2dShape s)
    {
        if (s.N == 0 || s.C == 0)
        {
            return;
        }
        if (s.O == 0 || s.OH == 0 || s.OW == 0)
        {
            gx.Span.Clear();
            return;
        }
        if (!s.Implicit)
        {
            InputGradExplicit(gy, w, gx, s);
            return;
        }
        var g = s.G;
        int extraH = g.DilationH * (s.KH - 1);
        int extraW = g.DilationW * (s.KW - 1);
        var plan = new ImplicitPlan(
            Channels: s.O, SrcH: s.OH, SrcW: s.OW,
            PadH: s.H + extraH, PadW: s.W + extraW, Top: extraH - g.PadTop, Left: extraW - g.PadLeft,
            Groups: s.Groups, RowsPerGroup: s.Cg, SrcChannelsPerGroup: s.Og,
            KH: s.KH, KW: s.KW, DilationH: g.DilationH, DilationW: g.DilationW,
            OutChannels: s.C, OutH: s.H, OutW: s.W);
        var packed = PackFlipped(w.Span, s);
        try
        {
            RunImplicit(plan, gy, packed, ReadOnlyMemory<float>.Empty, gx, s.N);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
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
    /// A stride-1 correlation of padded source planes with packed weights: the forward pass
    /// (source x, padded by the geometry) and the input gradient (source gy, padded by the dilated
    /// kernel extent less the geometry's padding, weights flipped and transposed).
    /// </summary>
    private readonly record struct ImplicitPlan(
        int Channels, int SrcH, int SrcW, int PadH, int PadW, int Top, int Left,
        int Groups, int RowsPerGroup, int SrcChannelsPerGroup,
        int KH, int KW, int DilationH, int DilationW,
        int OutChannels, int OutH, int OutW)
    {
        public int Plane => PadH * PadW;

        public int Cols => RoundUp(OutH * PadW, Quantum);

        public int K => SrcChannelsPerGroup * KH * KW;

        public int Blocks => (RowsPerGroup + Mr - 1) / Mr;

        public int BufferLength => (Channels * Plane) + ImplicitSlack(KW, DilationW, OutH * PadW, Cols);
    }

    private static void RunImplicit(ImplicitPlan p, ReadOnlyMemory<float> src, float[] packed, ReadOnlyMemory<float> bias, Memory<float> dst, int batch)
    {
        int totalBlocks = p.Groups * p.Blocks;
        // A batch smaller than the thread count also splits each sample's output-channel panels.
        int perSample = Math.Clamp((EngineSettings.Threads + batch - 1) / batch, 1, totalBlocks);
        int items = batch * perSample;
        int workers = ConvParallel.Workers(items);
        int[] rowOffArr = ArrayPool<int>.Shared.Rent(p.K);
        FillImplicitOffsets(rowOffArr, p.SrcChannelsPerGroup, p.KH, p.KW, p.Plane, p.PadW, p.DilationH, p.DilationW);
        try
        {
            ConvParallel.For(items, workers, (_, start, end) =>
            {
                int cols = p.Cols;
                var buf = ArrayPool<float>.Shared.Rent(p.BufferLength);
                var cBuf = ArrayPool<float>.Shared.Rent(p.Blocks * Mr * cols);
                try
                {
                    // Padding and slack stay zero for the whole call.
                    buf.AsSpan(0, p.BufferLength).Clear();
                    int srcSize = p.Channels * p.SrcH * p.SrcW;
                    int dstSize = p.OutChannels * p.OutH * p.OutW;
                    for (int item = start; item < end; item++)
                    {
                        int n = item / perSample;
                        int part = item % perSample;
                        int b0 = ConvParallel.Start(totalBlocks, perSample, part);
                        int b1 = ConvParallel.Start(totalBlocks, perSample, part + 1);
                        CopyInto(src.Span.Slice(n * srcSize, srcSize), p.Channels, p.SrcH, p.SrcW,
                            buf.AsSpan(0, p.Channels * p.Plane), p.Plane, p.PadH, p.PadW, p.Top, p.Left);
                        for (int gi = b0 / p.Blocks; gi <= (b1 - 1) / p.Blocks; gi++)
                        {
                            int lo = Math.Max(b0 - (gi * p.Blocks), 0);
                            int hi = Math.Min(b1 - (gi * p.Blocks), p.Blocks);
                            fixed (float* a = packed)
                            fixed (float* b = buf)
                            fixed (float* c = cBuf)
                            fixed (int* ro = rowOffArr)
                            {
                                ConvMicroKernels.Outer(a + ((long)gi * p.Blocks * p.K * Mr), lo, hi, p.RowsPerGroup, p.K,
                                    b + ((long)gi * p.SrcChannelsPerGroup * p.Plane), ro, cols, c, cols);
                            }
                            int r0 = lo * Mr;
                            int r1 = Math.Min(hi * Mr, p.RowsPerGroup);
                            WriteRows(cBuf, cols, p.PadW, r0, r1, dst.Span.Slice((n * dstSize) + (gi * p.RowsPerGroup * p.OutH * p.OutW)),
                                p.OutH, p.OutW, bias.IsEmpty ? default : bias.Span.Slice(gi * p.RowsPerGroup, p.RowsPerGroup));
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
        finally
        {
            ArrayPool<int>.Shared.Return(rowOffArr);
        }
    }

    private static void ForwardExplicit(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> bias, Memory<float> y, Conv2dShape s)
    {
        int blocks = (s.Og + Mr - 1) / Mr;
        int cols = RoundUp(s.OH * s.OW, Quantum);
        var packed = PackForward(w.Span, s);
        int[] rowOffArr = ArrayPool<int>.Shared.Rent(s.Kg);
        for (int k = 0; k < s.Kg; k++)
        {
            rowOffArr[k] = k * cols;
        }
        try
        {
            ConvParallel.For(s.N, ConvParallel.Workers(s.N), (_, start, end) =>
            {
                var colBuf = ArrayPool<float>.Shared.Rent(s.Kg * cols);
                var cBuf = ArrayPool<float>.Shared.Rent(blocks * Mr * cols);
                try
                {
                    int srcSize = s.C * s.H * s.W;
                    int dstSize = s.O * s.OH * s.OW;
                    for (int n = start; n < end; n++)
                    {
                        for (int gi = 0; gi < s.Groups; gi++)
                        {
                            Im2Col(x.Span.Slice((n * srcSize) + (gi * s.Cg * s.H * s.W)), s, colBuf.AsSpan(0, s.Kg * cols), cols);
                            fixed (float* a = packed)
                            fixed (float* b = colBuf)
                            fixed (float* c = cBuf)
                            fixed (int* ro = rowOffArr)
                            {
                                ConvMicroKernels.Outer(a + ((long)gi * blocks * s.Kg * Mr), 0, blocks, s.Og, s.Kg, b, ro, cols, c, cols);
                            }
                            WriteRows(cBuf, cols, s.OW, 0, s.Og, y.Span.Slice((n * dstSize) + (gi * s.Og * s.OH * s.OW)),
                                s.OH, s.OW, bias.IsEmpty ? default : bias.Span.Slice(gi * s.Og, s.Og));
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(colBuf);
                    ArrayPool<float>.Shared.Return(cBuf);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
            ArrayPool<int>.Shared.Return(rowOffArr);
        }
    }

    // Strided input gradient: column gradients Wᵀ·gy through the outer kernel, then col2im.
    private static void InputGradExplicit(ReadOnlyMemory<float> gy, ReadOnlyMemory<float> w, Memory<float> gx, Conv2dShape s)
    {
        int blocks = (s.Kg + Mr - 1) / Mr;
        int cols = RoundUp(s.OH * s.OW, Quantum);
        var ws = w.Span;
        var packed = ArrayPool<float>.Shared.Rent(s.Groups * blocks * s.Og * Mr);
        for (int gi = 0; gi < s.Groups; gi++)
        {
            Pack(ws.Slice(gi * s.Og * s.Kg), s.Kg, s.Og, 1, s.Kg, packed.AsSpan(gi * blocks * s.Og * Mr));
        }
        int[] rowOffArr = ArrayPool<int>.Shared.Rent(Math.Max(s.Og, 1));
        for (int o = 0; o < s.Og; o++)
        {
            rowOffArr[o] = o * cols;
        }
        try
        {
            ConvParallel.For(s.N, ConvParallel.Workers(s.N), (_, start, end) =>
            {
                var gyBuf = ArrayPool<float>.Shared.Rent(s.O * cols);
                var cBuf = ArrayPool<float>.Shared.Rent(blocks * Mr * cols);
                try
                {
                    // Each row's tail past OH·OW stays zero for the whole call.
                    gyBuf.AsSpan(0, s.O * cols).Clear();
                    int srcSize = s.O * s.OH * s.OW;
                    int dstSize = s.C * s.H * s.W;
                    for (int n = start; n < end; n++)
                    {
                        CopyInto(gy.Span.Slice(n * srcSize, srcSize), s.O, s.OH, s.OW, gyBuf.AsSpan(0, s.O * cols), cols, s.OH, s.OW, 0, 0);
                        var gxn = gx.Span.Slice(n * dstSize, dstSize);
                        gxn.Clear();
                        for (int gi = 0; gi < s.Groups; gi++)
                        {
                            fixed (float* a = packed)
                            fixed (float* b = gyBuf)
                            fixed (float* c = cBuf)
                            fixed (int* ro = rowOffArr)
                            {
                                ConvMicroKernels.Outer(a + ((long)gi * blocks * s.Og * Mr), 0, blocks, s.Kg, s.Og, b + ((long)gi * s.Og * cols), ro, cols, c, cols);
                            }
                            Col2Im(cBuf.AsSpan(0, s.Kg * cols), cols, s, gxn.Slice(gi * s.Cg * s.H * s.W));
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(gyBuf);
                    ArrayPool<float>.Shared.Return(cBuf);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
            ArrayPool<int>.Shared.Return(rowOffArr);
        }
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

    private static float[] PackForward(ReadOnlySpan<float> w, Conv2dShape s)
    {
        int blocks = (s.Og + Mr - 1) / Mr;
        var packed = ArrayPool<float>.Shared.Rent(Math.Max(s.Groups * blocks * s.Kg * Mr, 1));
        for (int gi = 0; gi < s.Groups; gi++)
        {
            Pack(w.Slice(gi * s.Og * s.Kg), s.Og, s.Kg, s.Kg, 1, packed.AsSpan(gi * blocks * s.Kg * Mr));
        }
        return packed;
    }

    // The input gradient's weights: A[c, (o, kh, kw)] = w[o, c, KH−1−kh, KW−1−kw] within each group.
    private static float[] PackFlipped(ReadOnlySpan<float> w, Conv2dShape s)
    {
        int kk = s.KH * s.KW;
        int k = s.Og * kk;
        int blocks = (s.Cg + Mr - 1) / Mr;
        var flipped = ArrayPool<float>.Shared.Rent(Math.Max(s.Cg * k, 1));
        var packed = ArrayPool<float>.Shared.Rent(Math.Max(s.Groups * blocks * k * Mr, 1));
        try
        {
            for (int gi = 0; gi < s.Groups; gi++)
            {
                for (int c = 0; c < s.Cg; c++)
                {
                    for (int o = 0; o < s.Og; o++)
                    {
                        var from = w.Slice(((((gi * s.Og) + o) * s.Cg) + c) * kk, kk);
                        var to = flipped.AsSpan((c * k) + (o * kk), kk);
                        for (int t = 0; t < kk; t++)
                        {
                            to[t] = from[kk - 1 - t];
                        }
                    }
                }
                Pack(flipped, s.Cg, k, k, 1, packed.AsSpan(gi * blocks * k * Mr));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(flipped);
        }
        return packed;
    }

    private static void FillImplicitOffsets(Span<int> rowOff, int channels, int kh, int kw, int plane, int padW, int dilationH, int dilationW)
    {
        int k = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                for (int j = 0; j < kw; j++)
                {
                    rowOff[k++] = (c * plane) + (i * dilationH * padW) + (j * dilationW);
                }
            }
        }
    }

    // The last implicit row starts (kw−1)·dilation past its plane's tail and is read to a whole quantum.
    private static int ImplicitSlack(int kw, int dilationW, int used, int cols) => (dilationW * (kw - 1)) + (cols - used) + Quantum;

    // Rows r0..r1 of the product (stride ldc, computed on rows of width srcW) into [rows, outH, outW], plus bias.
    private static void WriteRows(float[] c, int ldc, int srcW, int r0, int r1, Span<float> dst, int outH, int outW, ReadOnlySpan<float> bias)
    {
        int plane = outH * outW;
        fixed (float* cp = c)
        fixed (float* dp = dst)
        {
            for (int r = r0; r < r1; r++)
            {
                float add = bias.IsEmpty ? 0f : bias[r];
                if (srcW == outW)
                {
                    ConvMicroKernels.CopyRows(cp + ((long)r * ldc), plane, 1, plane, add, dp + ((long)r * plane), plane);
                }
                else
                {
                    ConvMicroKernels.CopyRows(cp + ((long)r * ldc), srcW, outH, outW, add, dp + ((long)r * plane), outW);
                }
            }
        }
    }

    private static int RoundUp(int value, int quantum) => (value + quantum - 1) / quantum * quantum;
}
