using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace Bulwark.Engine.Kernels;

/// <summary>The convolution's weight gradient, in two forms chosen by the reduction length.</summary>
internal static unsafe partial class Conv2dKernels
{
    private const int Tile = ConvMicroKernels.DotTile;

    // Below this reduction length (Cg·KH·KW) transposing the output gradient costs more than it
    // saves: measured near 32 with the AVX-512 register transpose, near 96 element by element.
    private static readonly int DotWeightGradBelow = Avx512F.IsSupported ? 32 : 96;

    /// <summary>
    /// gw = ∂⟨gy, conv(x, w)⟩/∂w = Σₙ colsₙ · gyₙᵀ, summed over the batch. The product runs with the
    /// output positions as the reduction: (shifted) input planes on one side, the transposed output
    /// gradient on the other, accumulated into [k, o] tiles that stay in registers for a sample.
    /// </summary>
    public static void WeightGrad(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gy, Memory<float> gw, Conv2dShape s)
    {
        gw.Span.Clear();
        if (s.N == 0 || s.O == 0 || s.Kg == 0 || s.OH == 0 || s.OW == 0)
        {
            return;
        }
        if (s.Kg < DotWeightGradBelow)
        {
            WeightGradDot(x, gy, gw, s);
            return;
        }
        int groups = s.Groups;
        int og32 = RoundUp(s.Og, Quantum);
        int kg8 = RoundUp(s.Kg, Mr);
        int ldT = groups * og32;
        int positions = s.OH * s.OW;
        int kTiles = kg8 / Mr;
        int oTiles = og32 / Quantum;
        int tilesPerGroup = kTiles * oTiles;

        // Row (c, kh, kw) of the implicit column matrix, read only on each output row's valid columns.
        var layout = s.InputLayout(0);
        int rows = s.OH;
        int rowLen = s.OW;
        int aRowStride = layout.PlaneW;
        int aLength = layout.Length;
        long aGroupStride = (long)s.Cg * layout.ChannelStride;
        int[] rowOffArr = ArrayPool<int>.Shared.Rent(kg8);
        s.FillTapOffsets(rowOffArr, layout);
        // Rows past Kg repeat the last one; their results are never read.
        for (int k = s.Kg; k < kg8; k++)
        {
            rowOffArr[k] = rowOffArr[s.Kg - 1];
        }

        int batchParts = Math.Min(EngineSettings.Threads, s.N);
        int tileParts = Math.Clamp(EngineSettings.Threads / batchParts, 1, groups * tilesPerGroup);
        int partialLength = groups * kg8 * og32;
        var partials = ArrayPool<float>.Shared.Rent(batchParts * partialLength);
        try
        {
            partials.AsSpan(0, batchParts * partialLength).Clear();
            ConvParallel.For(batchParts * tileParts, batchParts * tileParts, (worker, _, _) =>
            {
                int bp = worker / tileParts;
                int tp = worker % tileParts;
                int n0 = ConvParallel.Start(s.N, batchParts, bp);
                int n1 = ConvParallel.Start(s.N, batchParts, bp + 1);
                int t0 = ConvParallel.Start(groups * tilesPerGroup, tileParts, tp);
                int t1 = ConvParallel.Start(groups * tilesPerGroup, tileParts, tp + 1);
                var aBuf = ArrayPool<float>.Shared.Rent(aLength);
                var gyT = ArrayPool<float>.Shared.Rent(positions * ldT);
                try
                {
                    // Padding, and output-channel columns past Og, stay zero for the whole call.
                    aBuf.AsSpan(0, aLength).Clear();
                    gyT.AsSpan(0, positions * ldT).Clear();
                    for (int n = n0; n < n1; n++)
                    {
                        layout.Fill(x.Span.Slice(n * s.C * s.H * s.W, s.C * s.H * s.W), aBuf);
                        var gys = gy.Span.Slice(n * s.O * positions, s.O * positions);
                        for (int gi = 0; gi < groups; gi++)
                        {
                            Transpose(gys.Slice(gi * s.Og * positions, s.Og * positions), s.Og, positions, gyT.AsSpan(gi * og32), ldT);
                        }
                        fixed (float* a = aBuf)
                        fixed (float* b = gyT)
                        fixed (int* ro = rowOffArr)
                        fixed (float* part = partials)
                        {
                            float* c0 = part + ((long)bp * partialLength);
                            for (int t = t0; t < t1; t++)
                            {
                                int gi = t / tilesPerGroup;
                                int kt = t % tilesPerGroup / oTiles;
                                int ot = t % oTiles;
                                ConvMicroKernels.GatherAccumulate(a + (gi * aGroupStride), ro + (kt * Mr), rows, rowLen, aRowStride,
                                    b + (gi * og32) + (ot * Quantum), ldT,
                                    c0 + (((long)gi * kg8 * og32) + (kt * Mr * og32) + (ot * Quantum)), og32);
                            }
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(aBuf);
                    ArrayPool<float>.Shared.Return(gyT);
                }
            });

            var dstW = gw.Span;
            for (int gi = 0; gi < groups; gi++)
            {
                for (int bp = 0; bp < batchParts; bp++)
                {
                    var part = partials.AsSpan((bp * partialLength) + (gi * kg8 * og32), kg8 * og32);
                    for (int o = 0; o < s.Og; o++)
                    {
                        var row = dstW.Slice(((gi * s.Og) + o) * s.Kg, s.Kg);
                        for (int k = 0; k < s.Kg; k++)
                        {
                            row[k] += part[(k * og32) + o];
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
            ArrayPool<int>.Shared.Return(rowOffArr);
        }
    }

    /// <summary>
    /// The weight gradient for short reductions (few input channels): dot products of output-gradient
    /// rows with the shifted phase-plane rows, vectorised along the output positions, so no
    /// transpose is needed. Several samples go through a tile before its horizontal sums.
    /// </summary>
    private static void WeightGradDot(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gy, Memory<float> gw, Conv2dShape s)
    {
        int groups = s.Groups;
        int ogPad = RoundUp(s.Og, Tile);
        int kgPad = RoundUp(s.Kg, Tile);
        int oTiles = ogPad / Tile;

        // Per sample: the B rows (phase planes) and the output gradient laid out on the same
        // column index, with zero rows up to a whole tile.
        int cols = s.PaddedColumns(s.InputLayout(0));
        var layout = s.InputLayout(cols);
        int rowWidth = layout.PlaneW;
        int bLength = layout.Length;
        long bGroupStride = (long)s.Cg * layout.ChannelStride;
        int[] rowOffArr = ArrayPool<int>.Shared.Rent(kgPad);
        s.FillTapOffsets(rowOffArr, layout);
        for (int k = s.Kg; k < kgPad; k++)
        {
            rowOffArr[k] = rowOffArr[s.Kg - 1];
        }
        int gyGroupStride = ogPad * cols;
        int gyLength = groups * gyGroupStride;
        int bStride = RoundUp(bLength, 16);
        int gyStride = RoundUp(gyLength, 16);

        // Several samples per block so the horizontal sums of the dot tiles are amortised, but
        // few enough that a block stays in a core's L2.
        int perSample = (bStride + gyStride) * sizeof(float);
        int block = Math.Clamp((384 * 1024) / Math.Max(perSample, 1), 1, 8);

        int batchParts = Math.Min(EngineSettings.Threads, s.N);
        int tileParts = Math.Clamp(EngineSettings.Threads / batchParts, 1, groups * oTiles);
        int partialLength = groups * ogPad * kgPad;
        var partials = ArrayPool<float>.Shared.Rent(batchParts * partialLength);
        try
        {
            partials.AsSpan(0, batchParts * partialLength).Clear();
            ConvParallel.For(batchParts * tileParts, batchParts * tileParts, (worker, _, _) =>
            {
                int bp = worker / tileParts;
                int tp = worker % tileParts;
                int n0 = ConvParallel.Start(s.N, batchParts, bp);
                int n1 = ConvParallel.Start(s.N, batchParts, bp + 1);
                int t0 = ConvParallel.Start(groups * oTiles, tileParts, tp);
                int t1 = ConvParallel.Start(groups * oTiles, tileParts, tp + 1);
                int blockHere = Math.Min(block, Math.Max(1, n1 - n0));
                var bBuf = ArrayPool<float>.Shared.Rent(blockHere * bStride);
                var gyBuf = ArrayPool<float>.Shared.Rent(blockHere * gyStride);
                try
                {
                    // Padding, slack past the planes (read by the last rows) and the output
                    // gradient's padding rows and columns stay zero for the whole call.
                    bBuf.AsSpan(0, blockHere * bStride).Clear();
                    gyBuf.AsSpan(0, blockHere * gyStride).Clear();
                    for (int nb = n0; nb < n1; nb += blockHere)
                    {
                        int count = Math.Min(blockHere, n1 - nb);
                        for (int i = 0; i < count; i++)
                        {
                            int n = nb + i;
                            layout.Fill(x.Span.Slice(n * s.C * s.H * s.W, s.C * s.H * s.W), bBuf.AsSpan(i * bStride, bLength));
                            var gys = gy.Span.Slice(n * s.O * s.OH * s.OW, s.O * s.OH * s.OW);
                            var gyd = gyBuf.AsSpan(i * gyStride, gyLength);
                            for (int gi = 0; gi < groups; gi++)
                            {
                                var dst = gyd.Slice(gi * gyGroupStride, gyGroupStride);
                                CopyInto(gys.Slice(gi * s.Og * s.OH * s.OW), s.Og, s.OH, s.OW, dst, cols, s.OH, rowWidth, 0, 0);
                            }
                        }
                        fixed (float* bp0 = bBuf)
                        fixed (float* gp0 = gyBuf)
                        fixed (int* ro = rowOffArr)
                        fixed (float* part = partials)
                        {
                            float* c0 = part + ((long)bp * partialLength);
                            for (int gi = t0 / oTiles; gi <= (t1 - 1) / oTiles && gi < groups; gi++)
                            {
                                int lo = Math.Max(t0 - (gi * oTiles), 0);
                                int hi = Math.Min(t1 - (gi * oTiles), oTiles);
                                ConvMicroKernels.Dot(gp0 + ((long)gi * gyGroupStride), cols, lo, hi,
                                    bp0 + (gi * bGroupStride), ro, kgPad / Tile, cols, count, gyStride, bStride,
                                    c0 + ((long)gi * ogPad * kgPad), kgPad);
                            }
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(bBuf);
                    ArrayPool<float>.Shared.Return(gyBuf);
                }
            });

            var dstW = gw.Span;
            for (int gi = 0; gi < groups; gi++)
            {
                for (int o = 0; o < s.Og; o++)
                {
                    var row = dstW.Slice(((gi * s.Og) + o) * s.Kg, s.Kg);
                    for (int bp = 0; bp < batchParts; bp++)
                    {
                        TensorPrimitives.Add(row, partials.AsSpan((bp * partialLength) + (((gi * ogPad) + o) * kgPad), s.Kg), row);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
            ArrayPool<int>.Shared.Return(rowOffArr);
        }
    }
}
