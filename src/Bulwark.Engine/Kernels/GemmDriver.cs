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
/// with zeros so the kernel always computes a whole tile.
/// </summary>
internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IGemmKernel
{
    private static int MR => TKernel.MR;

    private static int NR => TKernel.NR;

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
    /// Runs the problem on up to <paramref name="threads"/> cores, or on the calling thread when the
    /// team is taken. Returns after C is complete.
    /// </summary>
    public static void RunThreaded(in GemmProblem p, int threads)
    {
        var job = Plan(p, threads);
        if (job is null || !GemmTeam.TryRun(job, job.Parts))
        {
            Run(p);
        }
        job?.Release();
    }

    private static int ABlockFloats(in GemmProblem p, int kc) => Math.Min(McMax, RoundUp(p.M, MR)) * kc;

    private static int BBlockFloats(int n, int kc) => Math.Min(NcMax, RoundUp(n, NR)) * kc;

    /// <summary>
    /// Picks how to split: by rows sharing each packed B slice when there are rows enough, else by
    /// columns, each part packing its own B (and the small A) without any barrier.
    /// </summary>
    private static SplitJob? Plan(in GemmProblem p, int threads)
    {
        int rowPanels = (p.M + MR - 1) / MR;
        int colPanels = (p.N + NR - 1) / NR;
        int kc = Math.Min(SliceDepth(p.K), p.K);
        bool byRows = rowPanels >= 4 * threads && (colPanels < 8 * threads || p.M >= p.N);
        int parts = Math.Min(threads, byRows ? rowPanels : colPanels);
        if (parts < 2)
        {
            return null;
        }
        var job = new SplitJob(p, parts, byRows);
        for (int t = 0; t < parts; t++)
        {
            job.APacks[t] = GemmBuffer.Rent(ABlockFloats(p, kc));
        }
        if (byRows)
        {
            job.BPacks[0] = GemmBuffer.Rent(BBlockFloats(p.N, kc));
            job.BPacks[1] = GemmBuffer.Rent(BBlockFloats(p.N, kc));
        }
        else
        {
            for (int t = 0; t < parts; t++)
            {
                job.BPacks[t] = GemmBuffer.Rent(BBlockFloats(Math.Min(p.N, (colPanels + parts - 1) / parts * NR), kc));
            }
        }
        return job;
    }

    private sealed class SplitJob(GemmProblem problem, int parts, bool byRows) : GemmTeam.Job
    {
        private readonly GemmBarrier barrier = new(parts);

        public int Parts => parts;

        public GemmBuffer[] APacks { get; } = new GemmBuffer[parts];

        public GemmBuffer[] BPacks { get; } = new GemmBuffer[byRows ? 2 : parts];

        public override void Execute(int index, int count)
        {
            if (byRows)
            {
                SharedB(problem, index, count, APacks[index].Pointer, BPacks[0].Pointer, BPacks[1].Pointer, barrier);
            }
            else
            {
                int panels = (problem.N + NR - 1) / NR;
                int j0 = Math.Min(problem.N, panels * index / count * NR);
                int j1 = Math.Min(problem.N, panels * (index + 1) / count * NR);
                ColumnRange(problem, j0, j1, APacks[index].Pointer, BPacks[index].Pointer);
            }
        }

        public void Release()
        {
            foreach (var buffer in BPacks)
            {
                GemmBuffer.Return(buffer);
            }
            foreach (var buffer in APacks)
            {
                GemmBuffer.Return(buffer);
            }
        }
    }

    /// <summary>All rows of C against columns [<paramref name="j0"/>, <paramref name="j1"/>), with private buffers.</summary>
    private static void ColumnRange(in GemmProblem p, int j0, int j1, float* aPack, float* bPack)
    {
        int kcStep = SliceDepth(p.K);
        float* tile = stackalloc float[MR * NR];
        for (int jc = j0; jc < j1; jc += NcMax)
        {
            int nc = Math.Min(NcMax, j1 - jc);
            for (int pc = 0; pc < p.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, p.K - pc);
                PackB(p, pc, kc, jc, nc, 0, (nc + NR - 1) / NR, bPack);
                float beta = pc == 0 ? p.Beta : 1f;
                for (int ic = 0; ic < p.M; ic += McMax)
                {
                    int mc = Math.Min(McMax, p.M - ic);
                    PackA(p, ic, mc, pc, kc, aPack);
                    Macro(mc, nc, kc, aPack, bPack, p.C + (ic * p.Ldc) + jc, p.Ldc, p.Alpha, beta, tile);
                }
            }
        }
    }

    /// <summary>
    /// Part <paramref name="index"/> of a row split: every part packs a share of each B slice into
    /// one of two alternating shared buffers, meets the others at the barrier, then multiplies its
    /// own rows. Two buffers make one barrier per slice enough: a part refills a buffer only after
    /// the barrier of the slice in between, which every part reaches after finishing with it.
    /// </summary>
    private static void SharedB(in GemmProblem p, int index, int count, float* aPack, float* bEven, float* bOdd, GemmBarrier barrier)
    {
        int kcStep = SliceDepth(p.K);
        int rowPanels = (p.M + MR - 1) / MR;
        int i0 = Math.Min(p.M, rowPanels * index / count * MR);
        int i1 = Math.Min(p.M, rowPanels * (index + 1) / count * MR);
        float* tile = stackalloc float[MR * NR];
        int slice = 0;
        for (int jc = 0; jc < p.N; jc += NcMax)
        {
            int nc = Math.Min(NcMax, p.N - jc);
            int colPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < p.K; pc += kcStep, slice++)
            {
                int kc = Math.Min(kcStep, p.K - pc);
                float* bPack = (slice & 1) == 0 ? bEven : bOdd;
                PackB(p, pc, kc, jc, nc, colPanels * index / count, colPanels * (index + 1) / count, bPack);
                barrier.SignalAndWait();
                float beta = pc == 0 ? p.Beta : 1f;
                for (int ic = i0; ic < i1; ic += McMax)
                {
                    int mc = Math.Min(McMax, i1 - ic);
                    PackA(p, ic, mc, pc, kc, aPack);
                    Macro(mc, nc, kc, aPack, bPack, p.C + (ic * p.Ldc) + jc, p.Ldc, p.Alpha, beta, tile);
                }
            }
        }
    }

    /// <summary>Loops two and one: NR panels of the packed B slice, MR panels of the packed A block.</summary>
    private static void Macro(int mc, int nc, int kc, float* aPack, float* bPack, float* c, nint ldc, float alpha, float beta, float* tile)
    {
        for (int j = 0; j < nc; j += NR)
        {
            int nr = Math.Min(NR, nc - j);
            float* bPanel = bPack + ((nint)j * kc);
            for (int i = 0; i < mc; i += MR)
            {
                int mr = Math.Min(MR, mc - i);
                float* aPanel = aPack + ((nint)i * kc);
                float* cTile = c + (i * ldc) + j;
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
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
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
    private static void PackA(in GemmProblem p, int i0, int mc, int pc, int kc, float* dst)
    {
        for (int i = 0; i < mc; i += MR)
        {
            int rows = Math.Min(MR, mc - i);
            float* panel = dst + ((nint)i * kc);
            if (p.TransA)
            {
                Copy(p.A + (pc * p.Lda) + i0 + i, p.Lda, rows, kc, MR, panel);
            }
            else
            {
                Gather(p.A + ((i0 + i) * p.Lda) + pc, p.Lda, rows, kc, MR, panel);
            }
        }
    }

    /// <summary>Packs NR panels [q0, q1) of columns [j0, j0+nc) × k [pc, pc+kc) of op(B).</summary>
    private static void PackB(in GemmProblem p, int pc, int kc, int j0, int nc, int q0, int q1, float* dst)
    {
        for (int q = q0; q < q1; q++)
        {
            int j = q * NR;
            int cols = Math.Min(NR, nc - j);
            float* panel = dst + ((nint)j * kc);
            if (p.TransB)
            {
                Gather(p.B + ((j0 + j) * p.Ldb) + pc, p.Ldb, cols, kc, NR, panel);
            }
            else
            {
                Copy(p.B + (pc * p.Ldb) + j0 + j, p.Ldb, cols, kc, NR, panel);
            }
        }
    }

    /// <summary>dst[p·w + r] = src[p·ld + r] for r &lt; valid, zero for valid ≤ r &lt; w.</summary>
    private static void Copy(float* src, nint ld, int valid, int kc, int w, float* dst)
    {
        if (valid == w)
        {
            for (int p = 0; p < kc; p++)
            {
                Unsafe.CopyBlockUnaligned(dst, src, (uint)(w * sizeof(float)));
                src += ld;
                dst += w;
            }
            return;
        }
        for (int p = 0; p < kc; p++)
        {
            int r = 0;
            for (; r < valid; r++)
            {
                dst[r] = src[r];
            }
            for (; r < w; r++)
            {
                dst[r] = 0;
            }
            src += ld;
            dst += w;
        }
    }

    /// <summary>dst[p·w + r] = src[r·ld + p] for r &lt; valid, zero for valid ≤ r &lt; w.</summary>
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
        for (; r < w; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < kc; p++)
            {
                d[(nint)p * w] = 0;
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
