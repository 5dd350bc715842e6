using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// The register-tiled products every convolution pass reduces to: an outer product for the
/// forward pass and the input gradient, and a gathered outer product and a dot product for the
/// weight gradient. Operand rows are given by offsets into one buffer (<c>rowOff</c>, <c>aOff</c>),
/// so a row can be a shifted view of a padded phase plane: the column matrix of im2col is never
/// built. This class (with its data-movement half) is the only code that knows the vector width:
/// it picks the widest the hardware accelerates.
/// </summary>
internal static unsafe partial class ConvMicroKernels
{
    /// <summary>Rows of the outer-product tile; A is packed in panels of this many rows.</summary>
    public const int OuterRows = 8;

    /// <summary>
    /// A multiple of the outer tile's width and of the dot product's step at every vector width:
    /// callers pad column counts and reduction lengths to it once.
    /// </summary>
    public const int ColumnQuantum = 32;

    /// <summary>Rows and columns of the dot-product tile.</summary>
    public const int DotTile = 4;

    /// <summary>
    /// C[r, j] = Σₚ A[r, p] · B[p, j] for rows r of the panels <paramref name="blockStart"/>..<paramref name="blockEnd"/>
    /// below <paramref name="rows"/>, and j &lt; <paramref name="cols"/> (a multiple of <see cref="ColumnQuantum"/>).
    /// A is packed as [panel][p][<see cref="OuterRows"/>]; B[p, j] = b[rowOff[p] + j]; C rows have
    /// stride ldc. A last, partial panel runs on narrower tiles rather than on padding rows.
    /// </summary>
    public static void Outer(float* aPacked, int blockStart, int blockEnd, int rows, int k, float* b, int* rowOff, int cols, float* c, int ldc)
    {
        for (int blk = blockStart; blk < blockEnd; blk++)
        {
            float* a = aPacked + ((long)blk * k * OuterRows);
            float* cRow = c + ((long)blk * OuterRows * ldc);
            int m = Math.Min(OuterRows, rows - (blk * OuterRows));
            if (Vector512.IsHardwareAccelerated)
            {
                OuterPanel<Vector512<float>, Simd512>(a, m, b, rowOff, k, cols, cRow, ldc);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                OuterPanel<Vector256<float>, Simd256>(a, m, b, rowOff, k, cols, cRow, ldc);
            }
            else
            {
                OuterPanel<Vector128<float>, Simd128>(a, m, b, rowOff, k, cols, cRow, ldc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterPanel<TVec, TOps>(float* a, int m, float* b, int* rowOff, int k, int cols, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        int step = 2 * TOps.Count;
        int j = 0;
        if (m == OuterRows && TOps.Count == 16)
        {
            // 32 registers (AVX-512) hold a tile of three vectors: 24 accumulators fed by 11 loads a
            // step instead of 16 by 10. Wide tiles go in pairs so that what is left stays a
            // multiple of two vectors.
            int wide = 3 * TOps.Count;
            for (; j + (2 * wide) <= cols; j += 2 * wide)
            {
                OuterTileWide<TVec, TOps>(a, b + j, rowOff, k, c + j, ldc);
                OuterTileWide<TVec, TOps>(a, b + j + wide, rowOff, k, c + j + wide, ldc);
            }
        }
        for (; j < cols; j += step)
        {
            if (m == OuterRows)
            {
                OuterTile<TVec, TOps>(a, b + j, rowOff, k, c + j, ldc);
                continue;
            }
            // m = 4·x + 2·y + z rows through the narrower tiles, which read the same packed panel.
            int r = 0;
            if (m - r >= 4)
            {
                OuterTileFew<TVec, TOps, Four>(a + r, b + j, rowOff, k, c + ((long)r * ldc) + j, ldc);
                r += 4;
            }
            if (m - r >= 2)
            {
                OuterTileFew<TVec, TOps, Two>(a + r, b + j, rowOff, k, c + ((long)r * ldc) + j, ldc);
                r += 2;
            }
            if (m - r >= 1)
            {
                OuterTileFew<TVec, TOps, One>(a + r, b + j, rowOff, k, c + ((long)r * ldc) + j, ldc);
            }
        }
    }

    /// <summary>
    /// C[i, j] += Σₛ Σ_q A_s[i, q] · B_s[j, q] over the row tiles <paramref name="tileStart"/>..<paramref name="tileEnd"/>
    /// of A and all <paramref name="kTiles"/> tiles of B (both of <see cref="DotTile"/> rows), where
    /// A_s[i, q] = a[s·aSampleStride + i·lda + q] and B_s[j, q] = b[s·bSampleStride + rowOff[j] + q],
    /// for q &lt; len (a multiple of <see cref="ColumnQuantum"/>) and s &lt; samples. Summing over
    /// several samples before the horizontal reduction keeps that reduction off the hot path.
    /// </summary>
    public static void Dot(float* a, int lda, int tileStart, int tileEnd, float* b, int* rowOff, int kTiles,
        int len, int samples, long aSampleStride, long bSampleStride, float* c, int ldc)
    {
        for (int it = tileStart; it < tileEnd; it++)
        {
            for (int jt = 0; jt < kTiles; jt++)
            {
                float* aTile = a + ((long)it * DotTile * lda);
                float* cTile = c + ((long)it * DotTile * ldc) + (jt * DotTile);
                int* off = rowOff + (jt * DotTile);
                if (Vector512.IsHardwareAccelerated)
                {
                    DotTile4<Vector512<float>, Simd512>(aTile, lda, b, off, len, samples, aSampleStride, bSampleStride, cTile, ldc);
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    DotTile4<Vector256<float>, Simd256>(aTile, lda, b, off, len, samples, aSampleStride, bSampleStride, cTile, ldc);
                }
                else
                {
                    DotTile4<Vector128<float>, Simd128>(aTile, lda, b, off, len, samples, aSampleStride, bSampleStride, cTile, ldc);
                }
            }
        }
    }

    /// <summary>
    /// C[r, j] += Σ_{i &lt; rows, t &lt; rowLen} A[r, i, t] · B[i·rowLen + t, j] for r &lt; <see cref="OuterRows"/>
    /// and j &lt; <see cref="ColumnQuantum"/>, where A[r, i, t] = a[aOff[r] + i·aRowStride + t] and
    /// B[p, j] = b[p·ldb + j]. This is the weight gradient's product with the reduction running
    /// over output positions: A's rows are (shifted) input planes read on their valid columns only,
    /// B the transposed output gradient, and C stays in registers for a whole sample.
    /// </summary>
    public static void GatherAccumulate(float* a, int* aOff, int rows, int rowLen, int aRowStride, float* b, int ldb, float* c, int ldc)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GatherTile<Vector512<float>, Simd512>(a, aOff, rows, rowLen, aRowStride, b, ldb, c, ldc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            GatherTile<Vector256<float>, Simd256>(a, aOff, rows, rowLen, aRowStride, b, ldb, c, ldc);
            GatherTile<Vector256<float>, Simd256>(a, aOff, rows, rowLen, aRowStride, b + 16, ldb, c + 16, ldc);
        }
        else
        {
            for (int j = 0; j < ColumnQuantum; j += 8)
            {
                GatherTile<Vector128<float>, Simd128>(a, aOff, rows, rowLen, aRowStride, b + j, ldb, c + j, ldc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherTile<TVec, TOps>(float* a, int* aOff, int rows, int rowLen, int aRowStride, float* b, int ldb, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        int w = TOps.Count;
        TVec c00 = TOps.Load(c), c01 = TOps.Load(c + w);
        TVec c10 = TOps.Load(c + ldc), c11 = TOps.Load(c + ldc + w);
        TVec c20 = TOps.Load(c + (2 * ldc)), c21 = TOps.Load(c + (2 * ldc) + w);
        TVec c30 = TOps.Load(c + (3 * ldc)), c31 = TOps.Load(c + (3 * ldc) + w);
        TVec c40 = TOps.Load(c + (4 * ldc)), c41 = TOps.Load(c + (4 * ldc) + w);
        TVec c50 = TOps.Load(c + (5 * ldc)), c51 = TOps.Load(c + (5 * ldc) + w);
        TVec c60 = TOps.Load(c + (6 * ldc)), c61 = TOps.Load(c + (6 * ldc) + w);
        TVec c70 = TOps.Load(c + (7 * ldc)), c71 = TOps.Load(c + (7 * ldc) + w);
        float* a0 = a + aOff[0], a1 = a + aOff[1], a2 = a + aOff[2], a3 = a + aOff[3];
        float* a4 = a + aOff[4], a5 = a + aOff[5], a6 = a + aOff[6], a7 = a + aOff[7];
        for (int i = 0; i < rows; i++)
        {
            int rowAt = i * aRowStride;
            float* bp = b + ((long)i * rowLen * ldb);
            for (int t = rowAt; t < rowAt + rowLen; t++)
            {
                TVec b0 = TOps.Load(bp);
                TVec b1 = TOps.Load(bp + w);
                bp += ldb;
                TVec av = TOps.Broadcast(a0[t]);
                c00 = TOps.MulAdd(av, b0, c00);
                c01 = TOps.MulAdd(av, b1, c01);
                av = TOps.Broadcast(a1[t]);
                c10 = TOps.MulAdd(av, b0, c10);
                c11 = TOps.MulAdd(av, b1, c11);
                av = TOps.Broadcast(a2[t]);
                c20 = TOps.MulAdd(av, b0, c20);
                c21 = TOps.MulAdd(av, b1, c21);
                av = TOps.Broadcast(a3[t]);
                c30 = TOps.MulAdd(av, b0, c30);
                c31 = TOps.MulAdd(av, b1, c31);
                av = TOps.Broadcast(a4[t]);
                c40 = TOps.MulAdd(av, b0, c40);
                c41 = TOps.MulAdd(av, b1, c41);
                av = TOps.Broadcast(a5[t]);
                c50 = TOps.MulAdd(av, b0, c50);
                c51 = TOps.MulAdd(av, b1, c51);
                av = TOps.Broadcast(a6[t]);
                c60 = TOps.MulAdd(av, b0, c60);
                c61 = TOps.MulAdd(av, b1, c61);
                av = TOps.Broadcast(a7[t]);
                c70 = TOps.MulAdd(av, b0, c70);
                c71 = TOps.MulAdd(av, b1, c71);
            }
        }
        TOps.Store(c, c00);
        TOps.Store(c + w, c01);
        c += ldc;
        TOps.Store(c, c10);
        TOps.Store(c + w, c11);
        c += ldc;
        TOps.Store(c, c20);
        TOps.Store(c + w, c21);
        c += ldc;
        TOps.Store(c, c30);
        TOps.Store(c + w, c31);
        c += ldc;
        TOps.Store(c, c40);
        TOps.Store(c + w, c41);
        c += ldc;
        TOps.Store(c, c50);
        TOps.Store(c + w, c51);
        c += ldc;
        TOps.Store(c, c60);
        TOps.Store(c + w, c61);
        c += ldc;
        TOps.Store(c, c70);
        TOps.Store(c + w, c71);
    }

    // Eight rows × two vectors: sixteen accumulators, two B loads and eight broadcasts per step,
    // which leaves registers to spare at every width.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTile<TVec, TOps>(float* a, float* b, int* rowOff, int k, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        TVec c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
        TVec c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
        TVec c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        TVec c60 = TOps.Zero, c61 = TOps.Zero, c70 = TOps.Zero, c71 = TOps.Zero;
        int w = TOps.Count;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + rowOff[p];
            TVec b0 = TOps.Load(bp);
            TVec b1 = TOps.Load(bp + w);
            TVec av = TOps.Broadcast(a[0]);
            c00 = TOps.MulAdd(av, b0, c00);
            c01 = TOps.MulAdd(av, b1, c01);
            av = TOps.Broadcast(a[1]);
            c10 = TOps.MulAdd(av, b0, c10);
            c11 = TOps.MulAdd(av, b1, c11);
            av = TOps.Broadcast(a[2]);
            c20 = TOps.MulAdd(av, b0, c20);
            c21 = TOps.MulAdd(av, b1, c21);
            av = TOps.Broadcast(a[3]);
            c30 = TOps.MulAdd(av, b0, c30);
            c31 = TOps.MulAdd(av, b1, c31);
            av = TOps.Broadcast(a[4]);
            c40 = TOps.MulAdd(av, b0, c40);
            c41 = TOps.MulAdd(av, b1, c41);
            av = TOps.Broadcast(a[5]);
            c50 = TOps.MulAdd(av, b0, c50);
            c51 = TOps.MulAdd(av, b1, c51);
            av = TOps.Broadcast(a[6]);
            c60 = TOps.MulAdd(av, b0, c60);
            c61 = TOps.MulAdd(av, b1, c61);
            av = TOps.Broadcast(a[7]);
            c70 = TOps.MulAdd(av, b0, c70);
            c71 = TOps.MulAdd(av, b1, c71);
            a += OuterRows;
        }
        TOps.Store(c, c00);
        TOps.Store(c + w, c01);
        c += ldc;
        TOps.Store(c, c10);
        TOps.Store(c + w, c11);
        c += ldc;
        TOps.Store(c, c20);
        TOps.Store(c + w, c21);
        c += ldc;
        TOps.Store(c, c30);
        TOps.Store(c + w, c31);
        c += ldc;
        TOps.Store(c, c40);
        TOps.Store(c + w, c41);
        c += ldc;
        TOps.Store(c, c50);
        TOps.Store(c + w, c51);
        c += ldc;
        TOps.Store(c, c60);
        TOps.Store(c + w, c61);
        c += ldc;
        TOps.Store(c, c70);
        TOps.Store(c + w, c71);
    }

    // Eight rows × three vectors, for 32-register targets.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTileWide<TVec, TOps>(float* a, float* b, int* rowOff, int k, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        TVec c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero;
        TVec c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero;
        TVec c40 = TOps.Zero, c41 = TOps.Zero, c42 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero, c52 = TOps.Zero;
        TVec c60 = TOps.Zero, c61 = TOps.Zero, c62 = TOps.Zero, c70 = TOps.Zero, c71 = TOps.Zero, c72 = TOps.Zero;
        int w = TOps.Count;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + rowOff[p];
            TVec b0 = TOps.Load(bp);
            TVec b1 = TOps.Load(bp + w);
            TVec b2 = TOps.Load(bp + (2 * w));
            TVec av = TOps.Broadcast(a[0]);
            c00 = TOps.MulAdd(av, b0, c00);
            c01 = TOps.MulAdd(av, b1, c01);
            c02 = TOps.MulAdd(av, b2, c02);
            av = TOps.Broadcast(a[1]);
            c10 = TOps.MulAdd(av, b0, c10);
            c11 = TOps.MulAdd(av, b1, c11);
            c12 = TOps.MulAdd(av, b2, c12);
            av = TOps.Broadcast(a[2]);
            c20 = TOps.MulAdd(av, b0, c20);
            c21 = TOps.MulAdd(av, b1, c21);
            c22 = TOps.MulAdd(av, b2, c22);
            av = TOps.Broadcast(a[3]);
            c30 = TOps.MulAdd(av, b0, c30);
            c31 = TOps.MulAdd(av, b1, c31);
            c32 = TOps.MulAdd(av, b2, c32);
            av = TOps.Broadcast(a[4]);
            c40 = TOps.MulAdd(av, b0, c40);
            c41 = TOps.MulAdd(av, b1, c41);
            c42 = TOps.MulAdd(av, b2, c42);
            av = TOps.Broadcast(a[5]);
            c50 = TOps.MulAdd(av, b0, c50);
            c51 = TOps.MulAdd(av, b1, c51);
            c52 = TOps.MulAdd(av, b2, c52);
            av = TOps.Broadcast(a[6]);
            c60 = TOps.MulAdd(av, b0, c60);
            c61 = TOps.MulAdd(av, b1, c61);
            c62 = TOps.MulAdd(av, b2, c62);
            av = TOps.Broadcast(a[7]);
            c70 = TOps.MulAdd(av, b0, c70);
            c71 = TOps.MulAdd(av, b1, c71);
            c72 = TOps.MulAdd(av, b2, c72);
            a += OuterRows;
        }
        StoreRow(c, w, c00, c01, c02);
        StoreRow(c += ldc, w, c10, c11, c12);
        StoreRow(c += ldc, w, c20, c21, c22);
        StoreRow(c += ldc, w, c30, c31, c32);
        StoreRow(c += ldc, w, c40, c41, c42);
        StoreRow(c += ldc, w, c50, c51, c52);
        StoreRow(c += ldc, w, c60, c61, c62);
        StoreRow(c + ldc, w, c70, c71, c72);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void StoreRow(float* at, int w, TVec v0, TVec v1, TVec v2)
        {
            TOps.Store(at, v0);
            TOps.Store(at + w, v1);
            TOps.Store(at + (2 * w), v2);
        }
    }

    private interface IRows
    {
        static abstract int Value { get; }
    }

    private readonly struct One : IRows
    {
        public static int Value => 1;
    }

    private readonly struct Two : IRows
    {
        public static int Value => 2;
    }

    private readonly struct Four : IRows
    {
        public static int Value => 4;
    }

    // One, two or four rows × two vectors for a panel's last rows; the row count is a type argument
    // so the unused accumulators are compiled away.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTileFew<TVec, TOps, TRows>(float* a, float* b, int* rowOff, int k, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
        where TRows : struct, IRows
    {
        TVec c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
        TVec c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
        int w = TOps.Count;
        for (int p = 0; p < k; p++)
        {
            float* bp = b + rowOff[p];
            TVec b0 = TOps.Load(bp);
            TVec b1 = TOps.Load(bp + w);
            TVec av = TOps.Broadcast(a[0]);
            c00 = TOps.MulAdd(av, b0, c00);
            c01 = TOps.MulAdd(av, b1, c01);
            if (TRows.Value > 1)
            {
                av = TOps.Broadcast(a[1]);
                c10 = TOps.MulAdd(av, b0, c10);
                c11 = TOps.MulAdd(av, b1, c11);
            }
            if (TRows.Value > 2)
            {
                av = TOps.Broadcast(a[2]);
                c20 = TOps.MulAdd(av, b0, c20);
                c21 = TOps.MulAdd(av, b1, c21);
                av = TOps.Broadcast(a[3]);
                c30 = TOps.MulAdd(av, b0, c30);
                c31 = TOps.MulAdd(av, b1, c31);
            }
            a += OuterRows;
        }
        TOps.Store(c, c00);
        TOps.Store(c + w, c01);
        if (TRows.Value > 1)
        {
            c += ldc;
            TOps.Store(c, c10);
            TOps.Store(c + w, c11);
        }
        if (TRows.Value > 2)
        {
            c += ldc;
            TOps.Store(c, c20);
            TOps.Store(c + w, c21);
            c += ldc;
            TOps.Store(c, c30);
            TOps.Store(c + w, c31);
        }
    }

    // Four A rows × four B rows: eight loads feed sixteen independent accumulators per step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile4<TVec, TOps>(float* a, int lda, float* b, int* rowOff, int len, int samples,
        long aSampleStride, long bSampleStride, float* c, int ldc)
        where TVec : struct
        where TOps : IConvVector<TVec>
    {
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVec s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVec s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TVec s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        int w = TOps.Count;
        for (int s = 0; s < samples; s++)
        {
            float* a0 = a + (s * aSampleStride);
            float* a1 = a0 + lda;
            float* a2 = a1 + lda;
            float* a3 = a2 + lda;
            float* bs = b + (s * bSampleStride);
            float* b0 = bs + rowOff[0];
            float* b1 = bs + rowOff[1];
            float* b2 = bs + rowOff[2];
            float* b3 = bs + rowOff[3];
            for (int q = 0; q < len; q += w)
            {
                TVec x0 = TOps.Load(a0 + q);
                TVec x1 = TOps.Load(a1 + q);
                TVec x2 = TOps.Load(a2 + q);
                TVec x3 = TOps.Load(a3 + q);
                TVec y = TOps.Load(b0 + q);
                s00 = TOps.MulAdd(x0, y, s00);
                s10 = TOps.MulAdd(x1, y, s10);
                s20 = TOps.MulAdd(x2, y, s20);
                s30 = TOps.MulAdd(x3, y, s30);
                y = TOps.Load(b1 + q);
                s01 = TOps.MulAdd(x0, y, s01);
                s11 = TOps.MulAdd(x1, y, s11);
                s21 = TOps.MulAdd(x2, y, s21);
                s31 = TOps.MulAdd(x3, y, s31);
                y = TOps.Load(b2 + q);
                s02 = TOps.MulAdd(x0, y, s02);
                s12 = TOps.MulAdd(x1, y, s12);
                s22 = TOps.MulAdd(x2, y, s22);
                s32 = TOps.MulAdd(x3, y, s32);
                y = TOps.Load(b3 + q);
                s03 = TOps.MulAdd(x0, y, s03);
                s13 = TOps.MulAdd(x1, y, s13);
                s23 = TOps.MulAdd(x2, y, s23);
                s33 = TOps.MulAdd(x3, y, s33);
            }
        }
        c[0] += TOps.Sum(s00);
        c[1] += TOps.Sum(s01);
        c[2] += TOps.Sum(s02);
        c[3] += TOps.Sum(s03);
        c += ldc;
        c[0] += TOps.Sum(s10);
        c[1] += TOps.Sum(s11);
        c[2] += TOps.Sum(s12);
        c[3] += TOps.Sum(s13);
        c += ldc;
        c[0] += TOps.Sum(s20);
        c[1] += TOps.Sum(s21);
        c[2] += TOps.Sum(s22);
        c[3] += TOps.Sum(s23);
        c += ldc;
        c[0] += TOps.Sum(s30);
        c[1] += TOps.Sum(s31);
        c[2] += TOps.Sum(s32);
        c[3] += TOps.Sum(s33);
    }
}
