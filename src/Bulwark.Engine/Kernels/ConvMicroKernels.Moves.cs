using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bulwark.Engine.Kernels;

/// <summary>The vectorised data movement around the products: row copies, phase splits and transposes.</summary>
internal static unsafe partial class ConvMicroKernels
{
    /// <summary>
    /// Splits a row by column phase: element j goes to padded column c = j + left, that is to
    /// dst[(c mod stride)·phaseStride + c / stride]. Stride 2, the common one, reads float pairs as
    /// 64-bit lanes and narrows them into the even and odd elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Deinterleave(float* src, int len, int left, int stride, float* dst, int phaseStride)
    {
        if (stride == 2 && Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && len >= 8)
        {
            // Even source elements land in phase left mod 2 from column left / 2; odd ones in the other phase from (left + 1) / 2.
            float* evens = dst + ((left % 2) * phaseStride) + (left / 2);
            float* odds = dst + (((left + 1) % 2) * phaseStride) + ((left + 1) / 2);
            int pairs = len / 2;
            for (int t = 0; ; t += 4)
            {
                t = Math.Min(t, pairs - 4);
                var lo = Vector128.Load((ulong*)(src + (2 * t)));
                var hi = Vector128.Load((ulong*)(src + (2 * t) + 4));
                Vector128.Narrow(lo, hi).AsSingle().Store(evens + t);
                Vector128.Narrow(lo >>> 32, hi >>> 32).AsSingle().Store(odds + t);
                if (t == pairs - 4)
                {
                    break;
                }
            }
            if (len % 2 == 1)
            {
                evens[pairs] = src[len - 1];
            }
            return;
        }
        for (int b = 0; b < stride; b++)
        {
            // First source element whose padded column falls in phase b.
            int j = ((b - left) % stride + stride) % stride;
            float* to = dst + (b * phaseStride) + ((j + left) / stride);
            for (; j < len; j += stride)
            {
                *to++ = src[j];
            }
        }
    }

    /// <summary>
    /// dst[p·ld + r] = src[r·srcStride + p] for r &lt; rows, p &lt; cols. With AVX-512, 16×16 blocks
    /// are transposed in registers by four rounds of two-source permutes; edges go element by element.
    /// </summary>
    public static void Transpose(float* src, int srcStride, int rows, int cols, float* dst, int ld)
    {
        int rows16 = 0;
        int cols16 = 0;
        if (Avx512F.IsSupported)
        {
            rows16 = rows & ~15;
            cols16 = cols & ~15;
            for (int r = 0; r < rows16; r += 16)
            {
                for (int p = 0; p < cols16; p += 16)
                {
                    Transpose16(src + ((long)r * srcStride) + p, srcStride, dst + ((long)p * ld) + r, ld);
                }
            }
        }
        TransposeScalar(src, srcStride, 0, rows16, cols16, cols, dst, ld);
        TransposeScalar(src, srcStride, rows16, rows, 0, cols, dst, ld);
    }

    private static void TransposeScalar(float* src, int srcStride, int r0, int r1, int p0, int p1, float* dst, int ld)
    {
        // Blocks of 16 columns keep the 16 destination lines being written in L1.
        for (int pb = p0; pb < p1; pb += 16)
        {
            int pe = Math.Min(pb + 16, p1);
            for (int r = r0; r < r1; r++)
            {
                float* from = src + ((long)r * srcStride);
                for (int p = pb; p < pe; p++)
                {
                    dst[((long)p * ld) + r] = from[p];
                }
            }
        }
    }

    // Round b swaps the off-diagonal b×b blocks of every 2b×2b block: rows r and r + b exchange
    // their odd and even b-element blocks. After b = 8, 4, 2, 1 every element has crossed the diagonal.
    private static readonly Vector512<int>[] PermuteLow = [SwapIndex(8, false), SwapIndex(4, false), SwapIndex(2, false), SwapIndex(1, false)];
    private static readonly Vector512<int>[] PermuteHigh = [SwapIndex(8, true), SwapIndex(4, true), SwapIndex(2, true), SwapIndex(1, true)];

    private static Vector512<int> SwapIndex(int b, bool high)
    {
        var idx = new int[16];
        for (int e = 0; e < 16; e++)
        {
            bool oddBlock = (e / b) % 2 == 1;
            idx[e] = high ? (oddBlock ? 16 + e : e + b) : (oddBlock ? 16 + e - b : e);
        }
        return Vector512.Create(idx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose16(float* src, int srcStride, float* dst, int ld)
    {
        var v0 = Vector512.Load(src);
        var v1 = Vector512.Load(src + srcStride);
        var v2 = Vector512.Load(src + (2L * srcStride));
        var v3 = Vector512.Load(src + (3L * srcStride));
        var v4 = Vector512.Load(src + (4L * srcStride));
        var v5 = Vector512.Load(src + (5L * srcStride));
        var v6 = Vector512.Load(src + (6L * srcStride));
        var v7 = Vector512.Load(src + (7L * srcStride));
        var v8 = Vector512.Load(src + (8L * srcStride));
        var v9 = Vector512.Load(src + (9L * srcStride));
        var v10 = Vector512.Load(src + (10L * srcStride));
        var v11 = Vector512.Load(src + (11L * srcStride));
        var v12 = Vector512.Load(src + (12L * srcStride));
        var v13 = Vector512.Load(src + (13L * srcStride));
        var v14 = Vector512.Load(src + (14L * srcStride));
        var v15 = Vector512.Load(src + (15L * srcStride));

        var lo = PermuteLow[0];
        var hi = PermuteHigh[0];
        (v0, v8) = Swap(v0, v8, lo, hi);
        (v1, v9) = Swap(v1, v9, lo, hi);
        (v2, v10) = Swap(v2, v10, lo, hi);
        (v3, v11) = Swap(v3, v11, lo, hi);
        (v4, v12) = Swap(v4, v12, lo, hi);
        (v5, v13) = Swap(v5, v13, lo, hi);
        (v6, v14) = Swap(v6, v14, lo, hi);
        (v7, v15) = Swap(v7, v15, lo, hi);

        lo = PermuteLow[1];
        hi = PermuteHigh[1];
        (v0, v4) = Swap(v0, v4, lo, hi);
        (v1, v5) = Swap(v1, v5, lo, hi);
        (v2, v6) = Swap(v2, v6, lo, hi);
        (v3, v7) = Swap(v3, v7, lo, hi);
        (v8, v12) = Swap(v8, v12, lo, hi);
        (v9, v13) = Swap(v9, v13, lo, hi);
        (v10, v14) = Swap(v10, v14, lo, hi);
        (v11, v15) = Swap(v11, v15, lo, hi);

        lo = PermuteLow[2];
        hi = PermuteHigh[2];
        (v0, v2) = Swap(v0, v2, lo, hi);
        (v1, v3) = Swap(v1, v3, lo, hi);
        (v4, v6) = Swap(v4, v6, lo, hi);
        (v5, v7) = Swap(v5, v7, lo, hi);
        (v8, v10) = Swap(v8, v10, lo, hi);
        (v9, v11) = Swap(v9, v11, lo, hi);
        (v12, v14) = Swap(v12, v14, lo, hi);
        (v13, v15) = Swap(v13, v15, lo, hi);

        lo = PermuteLow[3];
        hi = PermuteHigh[3];
        (v0, v1) = Swap(v0, v1, lo, hi);
        (v2, v3) = Swap(v2, v3, lo, hi);
        (v4, v5) = Swap(v4, v5, lo, hi);
        (v6, v7) = Swap(v6, v7, lo, hi);
        (v8, v9) = Swap(v8, v9, lo, hi);
        (v10, v11) = Swap(v10, v11, lo, hi);
        (v12, v13) = Swap(v12, v13, lo, hi);
        (v14, v15) = Swap(v14, v15, lo, hi);

        v0.Store(dst);
        v1.Store(dst + ld);
        v2.Store(dst + (2L * ld));
        v3.Store(dst + (3L * ld));
        v4.Store(dst + (4L * ld));
        v5.Store(dst + (5L * ld));
        v6.Store(dst + (6L * ld));
        v7.Store(dst + (7L * ld));
        v8.Store(dst + (8L * ld));
        v9.Store(dst + (9L * ld));
        v10.Store(dst + (10L * ld));
        v11.Store(dst + (11L * ld));
        v12.Store(dst + (12L * ld));
        v13.Store(dst + (13L * ld));
        v14.Store(dst + (14L * ld));
        v15.Store(dst + (15L * ld));
    }

    private static (Vector512<float> A, Vector512<float> B) Swap(Vector512<float> a, Vector512<float> b, Vector512<int> lo, Vector512<int> hi) =>
        (Avx512F.PermuteVar16x32x2(a, lo, b), Avx512F.PermuteVar16x32x2(a, hi, b));

    /// <summary>
    /// dst[i·dstStride + j] = src[i·srcStride + j] + add for i &lt; rows, j &lt; len: moves rows
    /// between padded and unpadded layouts. Short rows are covered by two overlapping vectors
    /// rather than a scalar tail.
    /// </summary>
    public static void CopyRows(float* src, int srcStride, int rows, int len, float add, float* dst, int dstStride)
    {
        if (Vector512.IsHardwareAccelerated && len >= Vector512<float>.Count)
        {
            CopyRows<Vector512<float>, Simd512>(src, srcStride, rows, len, add, dst, dstStride);
        }
        else if (Vector256.IsHardwareAccelerated && len >= Vector256<float>.Count)
        {
            CopyRows<Vector256<float>, Simd256>(src, srcStride, rows, len, add, dst, dstStride);
        }
        else if (Vector128.IsHardwareAccelerated && len >= Vector128<float>.Count)
        {
            CopyRows<Vector128<float>, Simd128>(src, srcStride, rows, len, add, dst, dstStride);
        }
        else
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < len; j++)
                {
                    dst[((long)i * dstStride) + j] = src[((long)i * srcStride) + j] + add;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows<TVec, TOps>(float* src, int srcStride, int rows, int len, float add, float* dst, int dstStride)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        int w = TOps.Count;
        var a = TOps.Broadcast(add);
        for (int i = 0; i < rows; i++)
        {
            float* s = src + ((long)i * srcStride);
            float* d = dst + ((long)i * dstStride);
            int j = 0;
            for (; j <= len - w; j += w)
            {
                TOps.Store(d + j, TOps.Add(TOps.Load(s + j), a));
            }
            if (j < len)
            {
                TOps.Store(d + len - w, TOps.Add(TOps.Load(s + len - w), a));
            }
        }
    }
}
