using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// The fused inference 3×3 convolution → ReLU → 2×2 max pooling by Winograd's minimal filtering
/// F(2×2, 3×3) (Lavin &amp; Gray 2016, "Fast Algorithms for Convolutional Neural Networks"): a 2×2
/// block of outputs is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for its 4×4 input patch d, 16 multiplications per
/// channel instead of 36. The 2×2 output blocks are exactly the pooling windows, so each block is
/// transformed back, pooled, biased and rectified at once and the convolution's output never exists.
/// Per sample: the input patches are transformed sixteen lanes at a time (eight blocks per vector),
/// the sixteen element-wise products summed over channels are sixteen small products
/// [blocks × C]·[C × O] run by the channel-lanes tile (<see cref="LaneTile"/>), and the inverse
/// transform is vectorised over output channels.
/// </summary>
/// <remarks>
/// The numbers differ from the direct convolution's in the last bits (the transforms add and
/// subtract inputs before multiplying). A sample with a 2×2 result that is not finite is
/// computed again by the direct kernel, so infinities and NaNs come out as the separate ops give
/// them (an infinite input would otherwise turn into ∞ − ∞ inside the transform).
/// <see cref="EngineSettings.WinogradConvolution"/> turns the path off.
/// </remarks>
internal static unsafe partial class Conv2dKernels
{
    /// <summary>Output blocks transformed per input vector: lanes 0, 2, …, 14.</summary>
    private const int BlocksPerVector = 8;

    /// <summary>
    /// Fewest input channels worth it: below this the sixteen products are too shallow to pay for
    /// the transforms (the direct channel-lanes kernel is used instead).
    /// </summary>
    private const int WinogradMinChannels = 16;

    /// <summary>Whether <see cref="ForwardReluPoolWinograd"/> applies to this convolution and pooling.</summary>
    internal static bool WinogradFits(Conv2dShape s, PoolWindows pool) =>
        EngineSettings.WinogradConvolution && ChannelLanesFit(s, pool) && s.KH == 3 && s.KW == 3
        && s.C >= WinogradMinChannels && Avx512F.IsSupported;

    /// <summary>y = maxpool₂ₓ₂(relu(conv₃ₓ₃(x, w) + bias)) by F(2×2, 3×3); see the class summary.</summary>
    internal static void ForwardReluPoolWinograd(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> bias, Memory<float> y, Conv2dShape s, PoolWindows pool)
    {
        // Reads of a chunk of eight blocks run up to 18 columns past its first; the slack keeps the
        // last chunk of the last channel inside the buffer.
        var layout = s.InputLayout(2 * LaneChannels);
        var wt = TapMajor(w.Span, s.O, s.Kg);
        var u = ArrayPool<float>.Shared.Rent(16 * s.C * s.O);
        TransformWeights(wt, s.O, s.C, u);
        var b = BiasOrZeros(bias, s.O);
        var tapOff = new int[s.Kg];
        s.FillTapOffsets(tapOff, layout);
        int blocks = pool.OutH * pool.OutW;
        // Block slots per (element, channel): whole tiles of LaneWidth, and room for the last chunk's
        // eight-slot store to run past the last block.
        int slots = RoundUp(blocks + BlocksPerVector, LaneWidth);
        int srcSize = s.C * s.H * s.W;
        try
        {
            ConvParallel.Claim(s.N, ConvParallel.Workers(s.N), claims =>
            {
                var buf = ArrayPool<float>.Shared.Rent(layout.Length);
                var v = ArrayPool<float>.Shared.Rent(16 * s.C * slots);
                var m = ArrayPool<float>.Shared.Rent(16 * MRun);
                var stage = ArrayPool<float>.Shared.Rent(blocks * s.O);
                try
                {
                    buf.AsSpan(0, layout.Length).Clear();
                    v.AsSpan(0, 16 * s.C * slots).Clear();
                    for (int n = claims.Next(); n >= 0; n = claims.Next())
                    {
                        layout.Fill(x.Span.Slice(n * srcSize, srcSize), buf);
                        var dst = y.Span.Slice(n * s.O * blocks, s.O * blocks);
                        bool finite;
                        fixed (float* xp = buf)
                        fixed (float* vp = v)
                        fixed (float* mp = m)
                        fixed (float* sp = stage)
                        fixed (float* up = u)
                        fixed (float* bp = b)
                        fixed (float* dp = dst)
                        {
                            TransformInput(xp, layout.ChannelStride, layout.PlaneW, s.C, pool.OutH, pool.OutW, vp, slots);
                            finite = WinogradSample(vp, slots, s.C, up, s.O, bp, mp, sp, blocks, dp);
                        }
                        if (!finite)
                        {
                            LanesSample(buf, layout, tapOff, wt, b, m, s, pool, dst);
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(buf);
                    ArrayPool<float>.Shared.Return(v);
                    ArrayPool<float>.Shared.Return(m);
                    ArrayPool<float>.Shared.Return(stage);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(u);
        }
    }

    /// <summary>
    /// U = G g Gᵀ for every filter g [O, C, 3, 3], with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], stored
    /// as u[ξ][c][o] (ξ = 4·row + column of the 4×4 result) so that one element's weights for
    /// 32 output channels are two vector loads, as <see cref="LaneTile"/> reads them. Computed from
    /// the tap-major weights <paramref name="wt"/> [c·9 + tap][o] (<see cref="TapMajor"/>), sixteen
    /// output channels per vector, so every load and store is sequential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformWeights(float[] wt, int outChannels, int inChannels, float[] u)
    {
        if (u.Length < 16 * inChannels * outChannels || wt.Length < 9 * inChannels * outChannels || outChannels % 16 != 0)
        {
            throw new ArgumentException("TransformWeights: arrays too short, or output channels not a multiple of 16.");
        }
        nint element = (nint)inChannels * outChannels;
        var half = Vector512.Create(0.5f);
        fixed (float* wp = wt)
        fixed (float* up = u)
        {
            for (int c = 0; c < inChannels; c++)
            {
                for (int o = 0; o < outChannels; o += 16)
                {
                    float* g = wp + ((nint)c * 9 * outChannels) + o;
                    float* to = up + ((nint)c * outChannels) + o;
                    var g00 = Vector512.Load(g);
                    var g01 = Vector512.Load(g + outChannels);
                    var g02 = Vector512.Load(g + (2 * outChannels));
                    var g10 = Vector512.Load(g + (3 * outChannels));
                    var g11 = Vector512.Load(g + (4 * outChannels));
                    var g12 = Vector512.Load(g + (5 * outChannels));
                    var g20 = Vector512.Load(g + (6 * outChannels));
                    var g21 = Vector512.Load(g + (7 * outChannels));
                    var g22 = Vector512.Load(g + (8 * outChannels));
                    // Rows of G·g, each then times Gᵀ.
                    RowTimesGt(g00, g01, g02, half, to, element);
                    RowTimesGt(half * (g00 + g10 + g20), half * (g01 + g11 + g21), half * (g02 + g12 + g22), half, to + (4 * element), element);
                    RowTimesGt(half * (g00 - g10 + g20), half * (g01 - g11 + g21), half * (g02 - g12 + g22), half, to + (8 * element), element);
                    RowTimesGt(g20, g21, g22, half, to + (12 * element), element);
                }
            }
        }
    }

    // One row (h0, h1, h2) of G·g times Gᵀ: (h0, ½(h0 + h1 + h2), ½(h0 − h1 + h2), h2), four elements apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTimesGt(Vector512<float> h0, Vector512<float> h1, Vector512<float> h2, Vector512<float> half, float* to, nint element)
    {
        h0.Store(to);
        (half * (h0 + h1 + h2)).Store(to + element);
        (half * (h0 - h1 + h2)).Store(to + (2 * element));
        h2.Store(to + (3 * element));
    }

    /// <summary>
    /// V = Bᵀ d B for every 4×4 patch d at (2i, 2j) of the padded planes, Bᵀ = [1 0 −1 0; 0 1 1 0;
    /// 0 −1 1 0; 0 1 0 −1], stored as v[ξ][c][block] with block = i·outW + j. Sixteen columns are
    /// transformed at once from four shifted loads of each of the patch's rows; the even lanes are
    /// the blocks and are packed down to eight slots. A chunk may store up to seven slots past its
    /// row's last block: they belong to the next row, which is written after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(float* x, int channelStride, int planeW, int channels, int outH, int outW, float* v, int slots)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        nint elementStride = (nint)channels * slots;
        for (int i = 0; i < outH; i++)
        {
            for (int j0 = 0; j0 < outW; j0 += BlocksPerVector)
            {
                int block = (i * outW) + j0;
                for (int c = 0; c < channels; c++)
                {
                    float* r0 = x + ((nint)c * channelStride) + ((nint)(2 * i) * planeW) + (2 * j0);
                    float* r1 = r0 + planeW;
                    float* r2 = r1 + planeW;
                    float* r3 = r2 + planeW;
                    float* to = v + ((nint)c * slots) + block;
                    // a_kq: row k of Bᵀ d at column shift q.
                    var (a00, a10, a20, a30) = RowsAt(r0, r1, r2, r3, 0);
                    var (a01, a11, a21, a31) = RowsAt(r0, r1, r2, r3, 1);
                    var (a02, a12, a22, a32) = RowsAt(r0, r1, r2, r3, 2);
                    var (a03, a13, a23, a33) = RowsAt(r0, r1, r2, r3, 3);
                    StoreRow(a00, a01, a02, a03, even, to, elementStride, 0);
                    StoreRow(a10, a11, a12, a13, even, to, elementStride, 4);
                    StoreRow(a20, a21, a22, a23, even, to, elementStride, 8);
                    StoreRow(a30, a31, a32, a33, even, to, elementStride, 12);
                }
            }
        }
    }

    // Bᵀ applied to the patch rows at column shift q: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> A0, Vector512<float> A1, Vector512<float> A2, Vector512<float> A3) RowsAt(float* r0, float* r1, float* r2, float* r3, int q)
    {
        var d0 = Vector512.Load(r0 + q);
        var d1 = Vector512.Load(r1 + q);
        var d2 = Vector512.Load(r2 + q);
        var d3 = Vector512.Load(r3 + q);
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3);
    }

    // One row k of Bᵀ d (its four column shifts) times B: elements ξ = first … first + 3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3, Vector512<int> even, float* to, nint elementStride, int first)
    {
        Pack(t0 - t2, even, to + (first * elementStride));
        Pack(t1 + t2, even, to + ((first + 1) * elementStride));
        Pack(t2 - t1, even, to + ((first + 2) * elementStride));
        Pack(t1 - t3, even, to + ((first + 3) * elementStride));

        static void Pack(Vector512<float> value, Vector512<int> even, float* to) =>
            Avx512F.PermuteVar16x32(value, even).GetLower().Store(to);
    }

    // One sample: for each block of 32 output channels and run of blocks (LaneWidth, or seven for a
    // short last run), the sixteen channel sums into m[ξ][block][32], then the inverse transform,
    // pooling, bias and ReLU into stage[block][o], transposed to NCHW at the end. Returns false
    // when some 2×2 result was not finite (the caller then recomputes the sample directly).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool WinogradSample(float* v, int slots, int channels, float* u, int outChannels, float* bias, float* m, float* stage, int blocks, float* dst)
    {
        int* chanOff = stackalloc int[channels];
        for (int c = 0; c < channels; c++)
        {
            chanOff[c] = c * slots;
        }
        nint elementStride = (nint)channels * slots;
        nint weightStride = (nint)channels * outChannels;
        var finite = Vector512<float>.Zero;
        for (int ob = 0; ob < outChannels; ob += LaneChannels)
        {
            for (int b0 = 0; b0 < blocks; b0 += LaneWidth)
            {
                int count = Math.Min(LaneWidth, blocks - b0);
                for (int e = 0; e < 16; e++)
                {
                    float* from = v + (e * elementStride) + b0;
                    float* weights = u + (e * weightStride) + ob;
                    if (count > LaneWidth / 2)
                    {
                        LaneTile(from, chanOff, channels, weights, outChannels, m + (e * MRun));
                    }
                    else
                    {
                        LaneTile7(from, chanOff, channels, weights, outChannels, m + (e * MRun));
                    }
                }
                finite = InverseReluPool(m, count, bias + ob, stage + ((nint)b0 * outChannels) + ob, outChannels, finite);
            }
        }
        for (int o = 0; o < outChannels; o++)
        {
            float* row = dst + ((nint)o * blocks);
            float* col = stage + o;
            for (int b = 0; b < blocks; b++)
            {
                row[b] = col[(nint)b * outChannels];
            }
        }
        return Vector512.EqualsAll(finite, Vector512<float>.Zero);
    }

    /// <summary>Floats of m per element ξ: a run of LaneWidth blocks by 32 channels.</summary>
    private const int MRun = LaneWidth * LaneChannels;

    // Y = Aᵀ M A with Aᵀ = [1 1 1 0; 0 1 −1 −1] for each block of the run and 16 channels at a time,
    // then the maximum of the 2×2 result (the pooling kernels' order and NaN rule), bias and ReLU,
    // to stage[block·ld + channel]. finite stays zero while every 2×2 result is finite (0·∞ and
    // 0·NaN are NaN).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> InverseReluPool(float* m, int count, float* bias, float* stage, int ld, Vector512<float> finite)
    {
        for (int p = 0; p < count; p++)
        {
            for (int h = 0; h < LaneChannels; h += 16)
            {
                float* at = m + (p * LaneChannels) + h;
                var s00 = Vector512.Load(at) + Vector512.Load(at + (4 * MRun)) + Vector512.Load(at + (8 * MRun));
                var s01 = Vector512.Load(at + MRun) + Vector512.Load(at + (5 * MRun)) + Vector512.Load(at + (9 * MRun));
                var s02 = Vector512.Load(at + (2 * MRun)) + Vector512.Load(at + (6 * MRun)) + Vector512.Load(at + (10 * MRun));
                var s03 = Vector512.Load(at + (3 * MRun)) + Vector512.Load(at + (7 * MRun)) + Vector512.Load(at + (11 * MRun));
                var s10 = Vector512.Load(at + (4 * MRun)) - Vector512.Load(at + (8 * MRun)) - Vector512.Load(at + (12 * MRun));
                var s11 = Vector512.Load(at + (5 * MRun)) - Vector512.Load(at + (9 * MRun)) - Vector512.Load(at + (13 * MRun));
                var s12 = Vector512.Load(at + (6 * MRun)) - Vector512.Load(at + (10 * MRun)) - Vector512.Load(at + (14 * MRun));
                var s13 = Vector512.Load(at + (7 * MRun)) - Vector512.Load(at + (11 * MRun)) - Vector512.Load(at + (15 * MRun));
                var y00 = s00 + s01 + s02;
                var y01 = s01 - s02 - s03;
                var y10 = s10 + s11 + s12;
                var y11 = s11 - s12 - s13;
                finite = Vector512.FusedMultiplyAdd(y00 + y01 + y10 + y11, Vector512<float>.Zero, finite);
                var best = Take(Take(Take(y00, y01), y10), y11) + Vector512.Load(bias + h);
                best = PoolKernels.Relu(best);
                best.Store(stage + ((nint)p * ld) + h);
            }
        }
        return finite;

        static Vector512<float> Take(Vector512<float> best, Vector512<float> v) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(v, best) | ~Vector512.Equals(v, v), v, best);
    }
}
