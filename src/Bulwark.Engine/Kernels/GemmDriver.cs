using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Bulwark.Engine.Kernels;

/// <summary>One validated SGEMM call as raw pointers, shared by the parts of a threaded run.</summary>
internal unsafe struct GemmProblem
{
    public float* A;
    public float* B;
    public float* C;
    public nint Lda;
    public nint Ldb;
    public nint Ldc;
    public bool TransA;
    public bool TransB;
    public int M;
    public int N;
    public int K;
    public float Alpha;
    public float Beta;
}

/// <summary>
/// The five BLIS loops around <typeparamref name="TKernel"/>: columns of C in NC-wide blocks, k in
/// KC-deep slices (B slice packed into NR-column panels), rows in MC-high blocks (A block packed
/// into MR-row panels), then NR and MR steps calling the micro-kernel. Packing pads edge panels
/// with zeros so the kernel always computes a whole tile; only edge tiles go through a scratch
/// tile and a partial store. Block sizes depend on the shape alone, never on the thread count, so
/// every element of C is summed in one fixed order.
/// </summary>
internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IGemmKernel
{
    private static int MR => TKernel.MR;

    private static int NR => TKernel.NR;

    /// <summary>Rows per A block, whole MR panels.</summary>
    private static int MC => McMax / MR * MR;

    /// <summary>Columns per B block, whole NR panels.</summary>
    private static int NC => NcMax / NR * NR;

    /// <summary>Deepest k slice: a KC×NR panel of B stays in L1 while the MR panels of A stream past it.</summary>
    private const int KcMax = 256;

    /// <summary>Rows per A block: MC×KC floats take about half of the 1 MiB L2.</summary>
    private const int McMax = 512;

    /// <summary>Columns per B block: KC×NC floats (2 MiB) live in the shared L3.</summary>
    private const int NcMax = 2048;

    /// <summary>
    /// Depth of every k slice. It depends on k alone, so each element of C sums its products in the
    /// same order whatever the thread count: results are bit-identical across thread counts.
    /// </summary>
    private static int SliceDepth(int k)
    {
        int slices = (k + KcMax - 1) / KcMax;
        return (k + slices - 1) / slices;
    }

    private static int RoundUp(int x, int unit) => (x + unit - 1) / unit * unit;

    /// <summary>Runs the whole problem on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem p)
    {
        int kc = Math.Min(SliceDepth(p.K), p.K);
        var a = GemmBuffer.Rent(ABlockFloats(p, kc));
        var b = GemmBuffer.Rent(BBlockFloats(p.N, kc));
        try
        {
            ColumnRange(p, 0, p.N, a.Pointer, b.Pointer);
        }
        finally
        {
            GemmBuffer.Return(b);
            GemmBuffer.Return(a);
        }
    }

    /// <summary>
    /// Runs the problem on the calling thread and up to <paramref name="threads"/> − 1 helpers.
    /// When A is at least <see cref="TallRatio"/> times as tall as B is wide (and one NR panel of B
    /// for all of k fits the shared budget), parts first pack B for all of k together, then take
    /// blocks of rows sharing it. Otherwise parts take column chunks of C and pack their own
    /// operands, each chunk reading all of A once more: for square and wide products that costs
    /// less than a packing phase no product overlaps plus the row blocks' repeated sweeps of the
    /// shared B (measured on 2 cores: 1024³ 356 against 299 GFLOP/s, 128×128×3136 258 against 191;
    /// the tall 3136×128×128 still 372 against 330 the other way).
    /// </summary>
    public static void RunThreaded(in GemmProblem p, int threads)
    {
        int rowPanels = (p.M + MR - 1) / MR;
        bool shareB = rowPanels >= 2 && p.M >= (long)TallRatio * p.N && (long)p.K * NR <= SharedBudget;
        if (!shareB)
        {
            // Every chunk rereads A: take one chunk per thread, more (up to eight each, for balance
            // when a core is busy elsewhere) only while the extra reads of A stay under a quarter of B.
            int units = RoundUp((int)Math.Clamp(1 + (p.N / (4L * p.M)), threads, 8L * threads), threads);
            int chunk = Math.Clamp(RoundUp((p.N + units - 1) / units, NR), NR, NC);
            GemmTeam.Run(new ColumnJob(p, chunk), Math.Min(threads, (p.N + chunk - 1) / chunk) - 1);
            return;
        }
        int kcStep = SliceDepth(p.K);
        int width = Math.Clamp(SharedBudget / p.K / NR * NR, NR, RoundUp(p.N, NR));
        int fewest = Math.Min(MinRowBlock, RoundUp((p.M + threads - 1) / threads, MR));
        int height = Math.Clamp(Math.Max(fewest, RoundUp((p.M + (4 * threads) - 1) / (4 * threads), MR)), MR, MC);
        int helpers = Math.Min(threads, (p.M + height - 1) / height) - 1;
        var shared = GemmBuffer.Rent(width * p.K);
        try
        {
            for (int jc = 0; jc < p.N; jc += width)
            {
                GemmTeam.Run(new RowJob(p, jc, Math.Min(width, p.N - jc), kcStep, height, shared.Pointer), helpers);
            }
        }
        finally
        {
            GemmBuffer.Return(shared);
        }
    }

    /// <summary>How many times taller than B is wide A must be for parts to share one packed B.</summary>
    private const int TallRatio = 4;

    /// <summary>
    /// Fewest rows a part takes at once in a row split (rounded to MR) while every part still gets
    /// some: about four blocks per part balance the load when a core is taken away, but blocks
    /// much lower than this read A in pieces too short for the prefetchers.
    /// </summary>
    private static int MinRowBlock => RoundUp(32, MR);

    /// <summary>
    /// Floats of B packed for all of k that a row-split run shares (16 MiB, pooled). A k so deep that
    /// not even one NR panel fits is split by columns instead.
    /// </summary>
    private const int SharedBudget = 1 << 22;

    private static int ABlockFloats(in GemmProblem p, int kc) => Math.Min(MC, RoundUp(p.M, MR)) * kc;

    private static int BBlockFloats(int n, int kc) => Math.Min(NC, RoundUp(n, NR)) * kc;

    /// <summary>Column chunks of C, each multiplied by one part with its own packed A and B.</summary>
    private sealed class ColumnJob(GemmProblem problem, int chunk) : GemmTeam.Job
    {
        private int next;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute()
        {
            int units = (problem.N + chunk - 1) / chunk;
            int kc = Math.Min(SliceDepth(problem.K), problem.K);
            GemmBuffer? a = null, b = null;
            try
            {
                for (int u = Interlocked.Increment(ref next) - 1; u < units; u = Interlocked.Increment(ref next) - 1)
                {
                    a ??= GemmBuffer.Rent(ABlockFloats(problem, kc));
                    b ??= GemmBuffer.Rent(BBlockFloats(chunk, kc));
                    int j0 = u * chunk;
                    ColumnRange(problem, j0, Math.Min(problem.N, j0 + chunk), a.Pointer, b.Pointer);
                }
            }
            finally
            {
                if (a is not null)
                {
                    GemmBuffer.Return(a);
                }
                if (b is not null)
                {
                    GemmBuffer.Return(b);
                }
            }
        }
    }

    /// <summary>
    /// Columns [j0, j0+width) of C: parts pack B for every k slice into one shared buffer, up to a
    /// quarter of a slice at a time but never under eight panels (so source rows are read in long
    /// runs), then take blocks of <c>height</c> rows, each with its own packed A, and sweep the
    /// slices in order. A part waits only for a slice that another part is still packing.
    /// </summary>
    private sealed class RowJob : GemmTeam.Job
    {
        private readonly GemmProblem problem;
        private readonly int j0;
        private readonly int width;
        private readonly int kcStep;
        private readonly int height;
        private readonly float* packedB;
        private readonly int slices;
        private readonly int chunksPerSlice;
        private readonly int[] chunksDone;
        private int nextChunk;
        private int nextRows;

        public RowJob(in GemmProblem problem, int j0, int width, int kcStep, int height, float* packedB)
        {
            this.problem = problem;
            this.j0 = j0;
            this.width = width;
            this.kcStep = kcStep;
            this.height = height;
            this.packedB = packedB;
            slices = (problem.K + kcStep - 1) / kcStep;
            chunksPerSlice = Math.Clamp((width + NR - 1) / NR / 8, 1, 4);
            chunksDone = new int[slices];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute()
        {
            int panels = (width + NR - 1) / NR;
            int sliceStride = panels * NR * kcStep;
            int chunks = slices * chunksPerSlice;
            for (int u = Interlocked.Increment(ref nextChunk) - 1; u < chunks; u = Interlocked.Increment(ref nextChunk) - 1)
            {
                int s = u / chunksPerSlice, c = u % chunksPerSlice;
                int pc = s * kcStep;
                PackB(problem, pc, Math.Min(kcStep, problem.K - pc), j0, width,
                    panels * c / chunksPerSlice, panels * (c + 1) / chunksPerSlice, packedB + ((nint)s * sliceStride));
                Interlocked.Increment(ref chunksDone[s]);
            }

            int units = (problem.M + height - 1) / height;
            GemmBuffer? a = null;
            float* tile = stackalloc float[MR * NR];
            try
            {
                for (int u = Interlocked.Increment(ref nextRows) - 1; u < units; u = Interlocked.Increment(ref nextRows) - 1)
                {
                    a ??= GemmBuffer.Rent(height * kcStep);
                    int i0 = u * height;
                    int mc = Math.Min(height, problem.M - i0);
                    for (int s = 0; s < slices; s++)
                    {
                        WaitPacked(s);
                        int pc = s * kcStep;
                        int kc = Math.Min(kcStep, problem.K - pc);
                        PackA(problem, i0, mc, pc, kc, a.Pointer);
                        Macro(mc, width, kc, a.Pointer, packedB + ((nint)s * sliceStride),
                            problem.C + (i0 * problem.Ldc) + j0, problem.Ldc, problem.Alpha, s == 0 ? problem.Beta : 1f, tile);
                    }
                }
            }
            finally
            {
                if (a is not null)
                {
                    GemmBuffer.Return(a);
                }
            }
        }

        private void WaitPacked(int slice)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref chunksDone[slice]) != chunksPerSlice)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>All rows of C against columns [<paramref name="j0"/>, <paramref name="j1"/>), with private buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnRange(in GemmProblem p, int j0, int j1, float* aPack, float* bPack)
    {
        int kcStep = SliceDepth(p.K);
        float* tile = stackalloc float[MR * NR];
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, p.K - pc);
                PackB(p, pc, kc, jc, nc, 0, (nc + NR - 1) / NR, bPack);
                float beta = pc == 0 ? p.Beta : 1f;
                for (int ic = 0; ic < p.M; ic += MC)
                {
                    int mc = Math.Min(MC, p.M - ic);
                    PackA(p, ic, mc, pc, kc, aPack);
                    Macro(mc, nc, kc, aPack, bPack, p.C + (ic * p.Ldc) + jc, p.Ldc, p.Alpha, beta, tile);
                }
            }
        }
    }

    /// <summary>
    /// Below this depth a tile's stores to C cost as much as its products, and walking C a row panel
    /// at a time (MR rows being written at once instead of mc) keeps the store streams few enough
    /// for the prefetchers: measured 2× on m=32, k=9, n=100352.
    /// </summary>
    private const int ShallowSlice = 32;

    /// <summary>
    /// Loops two and one. Deep slices run NR panels outside MR panels, so a B micro-panel stays in
    /// L1 while the A panels stream past it from L2; shallow slices swap the two (see <see cref="ShallowSlice"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(int mc, int nc, int kc, float* aPack, float* bPack, float* c, nint ldc, float alpha, float beta, float* tile)
    {
        if (kc >= ShallowSlice)
        {
            for (int j = 0; j < nc; j += NR)
            {
                for (int i = 0; i < mc; i += MR)
                {
                    Tile(i, j, mc, nc, kc, aPack, bPack, c, ldc, alpha, beta, tile);
                }
            }
        }
        else
        {
            for (int i = 0; i < mc; i += MR)
            {
                for (int j = 0; j < nc; j += NR)
                {
                    Tile(i, j, mc, nc, kc, aPack, bPack, c, ldc, alpha, beta, tile);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int i, int j, int mc, int nc, int kc, float* aPack, float* bPack, float* c, nint ldc, float alpha, float beta, float* tile)
    {
        float* aPanel = aPack + ((nint)i * kc);
        float* bPanel = bPack + ((nint)j * kc);
        float* cTile = c + (i * ldc) + j;
        int mr = Math.Min(MR, mc - i);
        int nr = Math.Min(NR, nc - j);
        if (mr == MR && nr == NR)
        {
            TKernel.Run(kc, aPanel, bPanel, cTile, ldc, alpha, beta);
        }
        else
        {
            TKernel.Run(kc, aPanel, bPanel, tile, NR, 1f, 0f);
            MergeEdge(tile, mr, nr, cTile, ldc, alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int mr, int nr, float* c, nint ldc, float alpha, float beta)
    {
        for (int r = 0; r < mr; r++)
        {
            float* row = c + (r * ldc);
            for (int q = 0; q < nr; q++)
            {
                row[q] = GemmStore.Combine(tile[(r * NR) + q], alpha, beta, beta == 0 ? 0 : row[q]);
            }
        }
    }

    /// <summary>Packs rows [i0, i0+mc) × k [pc, pc+kc) of op(A) into MR-row panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(in GemmProblem p, int i0, int mc, int pc, int kc, float* dst)
    {
        if (p.TransA)
        {
            CopyPanels(p.A + (pc * p.Lda) + i0, p.Lda, mc, kc, MR, dst);
            return;
        }
        for (int i = 0; i < mc; i += MR)
        {
            Gather(p.A + ((i0 + i) * p.Lda) + pc, p.Lda, Math.Min(MR, mc - i), kc, MR, dst + ((nint)i * kc));
        }
    }

    /// <summary>Packs NR panels [q0, q1) of columns [j0, j0+nc) × k [pc, pc+kc) of op(B).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in GemmProblem p, int pc, int kc, int j0, int nc, int q0, int q1, float* dst)
    {
        if (!p.TransB)
        {
            int first = q0 * NR;
            CopyPanels(p.B + (pc * p.Ldb) + j0 + first, p.Ldb, Math.Min(nc, q1 * NR) - first, kc, NR, dst + ((nint)first * kc));
            return;
        }
        for (int q = q0; q < q1; q++)
        {
            int j = q * NR;
            Gather(p.B + ((j0 + j) * p.Ldb) + pc, p.Ldb, Math.Min(NR, nc - j), kc, NR, dst + ((nint)j * kc));
        }
    }

    /// <summary>
    /// Packs <paramref name="cols"/> contiguous columns of <paramref name="kc"/> rows into panels
    /// <paramref name="w"/> wide: panel q at dst + q·w·kc holds dst[q][p][r] = src[p·ld + q·w + r],
    /// zero past <paramref name="cols"/>. Rows are read a strip of panels at a time, so each source
    /// row is one sequential read of a kilobyte rather than many 128-byte pieces far apart.
    /// Inlined so that <paramref name="w"/> is a constant and each piece is a few vector moves, not a
    /// call to the runtime's memcpy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanels(float* src, nint ld, int cols, int kc, int w, float* dst)
    {
        int strip = Math.Max(1, 256 / w) * w;
        nint panelSize = (nint)w * kc;
        for (int s0 = 0; s0 < cols; s0 += strip)
        {
            int width = Math.Min(strip, cols - s0);
            int full = width / w;
            int rest = width - (full * w);
            for (int p = 0; p < kc; p++)
            {
                float* from = src + (p * ld) + s0;
                float* to = dst + ((s0 / w) * panelSize) + ((nint)p * w);
                for (int q = 0; q < full; q++)
                {
                    Unsafe.CopyBlockUnaligned(to + (q * panelSize), from + (q * w), (uint)(w * sizeof(float)));
                }
                if (rest > 0)
                {
                    float* last = to + (full * panelSize);
                    Unsafe.CopyBlockUnaligned(last, from + (full * w), (uint)(rest * sizeof(float)));
                    Unsafe.InitBlockUnaligned(last + rest, 0, (uint)((w - rest) * sizeof(float)));
                }
            }
        }
    }

    /// <summary>dst[p·w + r] = src[r·ld + p] for r &lt; valid, zero for valid ≤ r &lt; w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(float* src, nint ld, int valid, int kc, int w, float* dst)
    {
        int r = 0;
        if (Avx.IsSupported && w % 8 == 0)
        {
            for (; r + 8 <= valid; r += 8)
            {
                float* s = src + (r * ld);
                float* d = dst + r;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8(s + p, ld, d + ((nint)p * w), w);
                }
                for (; p < kc; p++)
                {
                    for (int i = 0; i < 8; i++)
                    {
                        d[((nint)p * w) + i] = s[(i * ld) + p];
                    }
                }
            }
        }
        for (; r < valid; r++)
        {
            float* s = src + (r * ld);
            float* d = dst + r;
            for (int p = 0; p < kc; p++)
            {
                d[(nint)p * w] = s[p];
            }
        }
        if (valid < w)
        {
            uint tail = (uint)((w - valid) * sizeof(float));
            for (int p = 0; p < kc; p++)
            {
                Unsafe.InitBlockUnaligned(dst + ((nint)p * w) + valid, 0, tail);
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block at <paramref name="s"/> (row stride <paramref name="ld"/>)
    /// to <paramref name="d"/> (row stride <paramref name="w"/>): eight loads and stores instead of
    /// 64 strided scalar moves, whatever vector width the micro-kernel uses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ld, float* d, int w)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + (2 * ld));
        var r3 = Avx.LoadVector256(s + (3 * ld));
        var r4 = Avx.LoadVector256(s + (4 * ld));
        var r5 = Avx.LoadVector256(s + (5 * ld));
        var r6 = Avx.LoadVector256(s + (6 * ld));
        var r7 = Avx.LoadVector256(s + (7 * ld));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + w, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + (2 * w), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + (3 * w), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + (4 * w), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + (5 * w), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + (6 * w), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + (7 * w), Avx.Permute2x128(u3, u7, 0x31));
    }
}
