using System.Runtime.Intrinsics;
using Bulwark.Engine.Kernels;

namespace Bulwark.Engine.Tests.Kernels;

/// <summary>Tests that change <see cref="EngineSettings.Threads"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineThreadsCollection
{
    public const string Name = "EngineSettings.Threads";
}

/// <summary>Builds operands with padded strides and offset spans, and a double-precision reference.</summary>
internal sealed class GemmCase
{
    private const int Offset = 3;
    private const float Sentinel = -12345f;

    public GemmCase(int seed, bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad = 2)
    {
        (TransA, TransB, M, N, K, Alpha, Beta) = (transA, transB, m, n, k, alpha, beta);
        var rnd = new Random(seed);
        Lda = (transA ? m : k) + pad;
        Ldb = (transB ? k : n) + pad;
        Ldc = n + pad;
        A = Fill(rnd, Offset + ((transA ? k : m) * Lda));
        B = Fill(rnd, Offset + ((transB ? n : k) * Ldb));
        C0 = Fill(rnd, Offset + (m * Ldc));
        for (int i = 0; i < m; i++)
        {
            for (int j = n; j < Ldc; j++)
            {
                C0[Offset + (i * Ldc) + j] = Sentinel;
            }
        }
    }

    public bool TransA { get; }
    public bool TransB { get; }
    public int M { get; }
    public int N { get; }
    public int K { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public int Lda { get; }
    public int Ldb { get; }
    public int Ldc { get; }
    public float[] A { get; }
    public float[] B { get; }
    public float[] C0 { get; }

    public float OpA(int i, int p) => A[Offset + (TransA ? (p * Lda) + i : (i * Lda) + p)];

    public float OpB(int p, int j) => B[Offset + (TransB ? (j * Ldb) + p : (p * Ldb) + j)];

    public float[] Run(GemmKernelKind kernel)
    {
        var c = (float[])C0.Clone();
        Gemm.Sgemm(kernel, TransA, TransB, M, N, K, Alpha, A.AsSpan(Offset), Lda, B.AsSpan(Offset), Ldb, Beta, c.AsSpan(Offset), Ldc);
        return c;
    }

    public float[] Run() => Run(Gemm.BestKernel);

    /// <summary>Compares every element with a double-precision sum, tolerance relative to Σ|a||b| + |beta·c|.</summary>
    public void Verify(float[] c, string label)
    {
        for (int i = 0; i < Offset; i++)
        {
            Assert.Equal(C0[i], c[i]);
        }
        var opA = new double[M * K];
        var opBt = new double[N * K];
        for (int p = 0; p < K; p++)
        {
            for (int i = 0; i < M; i++)
            {
                opA[(i * K) + p] = OpA(i, p);
            }
            for (int j = 0; j < N; j++)
            {
                opBt[(j * K) + p] = OpB(p, j);
            }
        }
        for (int i = 0; i < M; i++)
        {
            var row = opA.AsSpan(i * K, K);
            for (int j = 0; j < Ldc; j++)
            {
                int at = Offset + (i * Ldc) + j;
                if (j >= N)
                {
                    Assert.True(c[at] == Sentinel, $"{label}: padding C[{i},{j}] was written");
                    continue;
                }
                var column = opBt.AsSpan(j * K, K);
                double sum = 0, magnitude = 0;
                for (int p = 0; p < K; p++)
                {
                    double product = row[p] * column[p];
                    sum += product;
                    magnitude += Math.Abs(product);
                }
                double old = Beta == 0 ? 0 : (double)Beta * C0[at];
                double expected = (Alpha * sum) + old;
                double scale = (Math.Abs(Alpha) * magnitude) + Math.Abs(old) + 1e-30;
                if (!(Math.Abs(c[at] - expected) <= 1e-5 * scale))
                {
                    Assert.Fail($"{label}: C[{i},{j}] = {c[at]}, expected {expected}");
                }
            }
        }
    }

    private static float[] Fill(Random rnd, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)(rnd.NextDouble() * 2) - 1;
        }
        return x;
    }
}

public class GemmTests
{
    public static TheoryData<string, bool, bool> KernelsAndTransposes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var kernel in SupportedKernels())
        {
            foreach (bool transA in new[] { false, true })
            {
                foreach (bool transB in new[] { false, true })
                {
                    data.Add(kernel.ToString(), transA, transB);
                }
            }
        }
        return data;
    }

    internal static IEnumerable<GemmKernelKind> SupportedKernels()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            yield return GemmKernelKind.Vector512;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            yield return GemmKernelKind.Vector256;
        }
        yield return GemmKernelKind.Scalar;
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void Every_m_from_1_to_67(string kernel, bool transA, bool transB)
    {
        for (int m = 1; m <= 67; m++)
        {
            var g = new GemmCase(m, transA, transB, m, 37, 19, 1.5f, -0.75f);
            g.Verify(g.Run(Enum.Parse<GemmKernelKind>(kernel)), $"m={m}");
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void Every_n_from_1_to_67(string kernel, bool transA, bool transB)
    {
        for (int n = 1; n <= 67; n++)
        {
            var g = new GemmCase(n, transA, transB, 37, n, 19, -0.5f, 2f);
            g.Verify(g.Run(Enum.Parse<GemmKernelKind>(kernel)), $"n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void Every_k_from_1_to_67(string kernel, bool transA, bool transB)
    {
        for (int k = 1; k <= 67; k++)
        {
            var g = new GemmCase(k, transA, transB, 19, 37, k, 0.25f, 0.5f, pad: 5);
            g.Verify(g.Run(Enum.Parse<GemmKernelKind>(kernel)), $"k={k}");
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void Several_cache_blocks_deep_and_wide(string kernel, bool transA, bool transB)
    {
        var g = new GemmCase(7, transA, transB, 300, 257, 513, 0.5f, 1f);
        g.Verify(g.Run(Enum.Parse<GemmKernelKind>(kernel)), "300×257×513");
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-2f, 0f)]
    public void Unit_and_zero_alpha_beta_shortcuts(float alpha, float beta)
    {
        foreach (var kernel in SupportedKernels())
        {
            var g = new GemmCase(11, false, false, 45, 70, 33, alpha, beta);
            g.Verify(g.Run(kernel), $"{kernel} alpha={alpha} beta={beta}");
        }
    }

    [Fact]
    public void Beta_zero_ignores_NaN_in_C()
    {
        foreach (var kernel in SupportedKernels())
        {
            foreach (var (m, n) in new[] { (64, 64), (13, 7) })
            {
                var g = new GemmCase(3, false, true, m, n, 20, 1f, 0f);
                Array.Fill(g.C0, float.NaN, 3, m * g.Ldc);
                for (int i = 0; i < m; i++)
                {
                    Array.Fill(g.C0, -12345f, 3 + (i * g.Ldc) + n, g.Ldc - n);
                }
                g.Verify(g.Run(kernel), $"{kernel} {m}×{n} NaN C");
            }
        }
    }

    [Fact]
    public void K_zero_scales_C_by_beta()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 0, [], 3, 2f, c, 3);
        Assert.Equal([2f, 4, 6, 8, 10, 12], c);
        c = [float.NaN, 1, 2, 3, 4, 5];
        Gemm.Sgemm(true, true, 2, 3, 0, 1f, [], 2, [], 0, 0f, c, 3);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void Alpha_zero_reads_neither_A_nor_B()
    {
        var a = new float[] { float.NaN, float.NaN };
        var b = new float[] { float.NaN, float.NaN };
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Sgemm(false, false, 2, 2, 1, 0f, a, 1, b, 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1, 1.5f, 2], c);
    }

    [Fact]
    public void Empty_m_or_n_leaves_C_alone()
    {
        var c = new float[] { 7, 8 };
        Gemm.Sgemm(false, false, 0, 2, 4, 1f, [], 4, new float[8], 2, 0f, c, 2);
        Gemm.Sgemm(false, false, 2, 0, 4, 1f, new float[8], 4, [], 0, 0f, c, 0);
        Assert.Equal([7f, 8], c);
    }

    [Theory]
    [InlineData(-1, 2, 2, 2, 2, 2, 4, 4, 4, "m is negative")]
    [InlineData(2, -1, 2, 2, 2, 2, 4, 4, 4, "n is negative")]
    [InlineData(2, 2, -1, 2, 2, 2, 4, 4, 4, "k is negative")]
    [InlineData(2, 2, 3, 2, 2, 2, 6, 6, 4, "lda")]
    [InlineData(2, 2, 3, 3, 1, 2, 6, 6, 4, "ldb")]
    [InlineData(2, 2, 3, 3, 2, 1, 6, 6, 4, "ldc")]
    [InlineData(2, 2, 3, 3, 2, 2, 5, 6, 4, "a has 5")]
    [InlineData(2, 2, 3, 3, 2, 2, 6, 5, 4, "b has 5")]
    [InlineData(2, 2, 3, 3, 2, 2, 6, 6, 3, "c has 3")]
    public void Invalid_arguments_are_named(int m, int n, int k, int lda, int ldb, int ldc, int aLen, int bLen, int cLen, string named)
    {
        var ex = Assert.Throws<BulwarkInputException>(() =>
            Gemm.Sgemm(false, false, m, n, k, 1f, new float[aLen], lda, new float[bLen], ldb, 0f, new float[cLen], ldc));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transposed_strides_are_checked_against_the_stored_shape()
    {
        // Stored Aᵀ is 3×2 (k×m): lda 2 is enough, 1 is not; stored Bᵀ is 4×3 (n×k).
        Gemm.Sgemm(true, true, 2, 4, 3, 1f, new float[6], 2, new float[12], 3, 0f, new float[8], 4);
        var ex = Assert.Throws<BulwarkInputException>(() =>
            Gemm.Sgemm(true, true, 2, 4, 3, 1f, new float[6], 1, new float[12], 3, 0f, new float[8], 4));
        Assert.Contains("lda", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<BulwarkInputException>(() =>
            Gemm.Sgemm(true, true, 2, 4, 3, 1f, new float[6], 2, new float[11], 3, 0f, new float[8], 4));
        Assert.Contains("b has 11", ex.Message, StringComparison.Ordinal);
    }
}

[Collection(EngineThreadsCollection.Name)]
public class GemmThreadingTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        { 300, 257, 513, false, false },
        { 300, 257, 513, true, true },
        { 257, 300, 513, false, true },
        { 1024, 1024, 64, false, false },
        { 64, 5000, 40, true, false },
        { 20, 4200, 30, false, true },
        { 40, 70, 3000, true, true },
        { 2100, 2100, 16, false, false },
        { 104, 100, 45000, false, true },
        { 4000, 64, 300, false, true },
    };

    [Theory]
    [MemberData(nameof(GemmTests.KernelsAndTransposes), MemberType = typeof(GemmTests))]
    public void More_rows_than_one_A_block_and_more_columns_than_one_B_block(string kernel, bool transA, bool transB)
    {
        var kind = Enum.Parse<GemmKernelKind>(kernel);
        var tall = new GemmCase(5, transA, transB, 1100, 40, 300, 1f, 0.5f);
        var wide = new GemmCase(6, transA, transB, 20, 2300, 30, 1f, 0.5f);
        int saved = EngineSettings.Threads;
        try
        {
            EngineSettings.Threads = 1;
            var tallSingle = tall.Run(kind);
            var wideSingle = wide.Run(kind);
            tall.Verify(tallSingle, "1100×40×300");
            wide.Verify(wideSingle, "20×2300×30");
            EngineSettings.Threads = 2;
            Assert.Equal(tallSingle, tall.Run(kind));
            Assert.Equal(wideSingle, wide.Run(kind));
        }
        finally
        {
            EngineSettings.Threads = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void One_two_and_three_threads_give_identical_bits(int m, int n, int k, bool transA, bool transB)
    {
        var g = new GemmCase(m + n + k, transA, transB, m, n, k, 0.75f, -1.25f);
        int saved = EngineSettings.Threads;
        try
        {
            EngineSettings.Threads = 1;
            var single = g.Run();
            g.Verify(single, $"{m}×{n}×{k}");
            foreach (int threads in new[] { 2, 3 })
            {
                EngineSettings.Threads = threads;
                Assert.Equal(single, g.Run());
                Assert.Equal(single, g.Run());
            }
        }
        finally
        {
            EngineSettings.Threads = saved;
        }
    }
}
