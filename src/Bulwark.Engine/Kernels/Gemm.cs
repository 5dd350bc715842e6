using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>Micro-kernels the GEMM can run on; tests pick each one the machine supports.</summary>
internal enum GemmKernelKind
{
    /// <summary>8×32 tile of 512-bit vectors.</summary>
    Vector512,

    /// <summary>6×16 tile of 256-bit vectors.</summary>
    Vector256,

    /// <summary>4×4 tile of scalars.</summary>
    Scalar,
}

/// <summary>Single-precision general matrix multiply on row-major spans.</summary>
public static class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves.</summary>
    private const long ThreadingThreshold = 64 * 64 * 64;

    /// <summary>The fastest micro-kernel this machine accelerates.</summary>
    internal static GemmKernelKind BestKernel { get; } =
        Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, all row-major; op(A) is m×k, op(B) is k×n, C is m×n.
    /// <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> are the row strides of A, B and C as stored.
    /// </summary>
    /// <remarks>
    /// A is stored k×m when <paramref name="transA"/> (op(A) = Aᵀ), B is stored n×k when
    /// <paramref name="transB"/>. When beta is 0, C's old contents are never read, so NaN there does
    /// not propagate; when alpha is 0 or k is 0, C = beta·C and A, B are not read. The work is split
    /// over <see cref="EngineSettings.Threads"/> threads; every element of C is accumulated in the
    /// same order whatever the thread count, so results are bit-identical across thread counts.
    /// </remarks>
    /// <exception cref="BulwarkInputException">A size is negative, a stride is smaller than its row, or a span is too short.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Sgemm(BestKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary><see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> on a chosen micro-kernel.</summary>
    internal static unsafe void Sgemm(GemmKernelKind kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0 || alpha == 0)
        {
            Scale(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var problem = new GemmProblem
            {
                A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA, TransB = transB,
                M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            };
            int threads = (long)m * n * k < ThreadingThreshold ? 1 : EngineSettings.Threads;
            switch (kernel)
            {
                case GemmKernelKind.Vector512 when Vector512.IsHardwareAccelerated:
                    Run<Gemm512Kernel>(problem, threads);
                    break;
                case GemmKernelKind.Vector256 when Vector256.IsHardwareAccelerated:
                    Run<Gemm256Kernel>(problem, threads);
                    break;
                case GemmKernelKind.Scalar:
                    Run<GemmScalarKernel>(problem, threads);
                    break;
                default:
                    throw new PlatformNotSupportedException($"Micro-kernel {kernel} is not accelerated on this machine.");
            }
        }
    }

    private static void Run<TKernel>(in GemmProblem problem, int threads)
        where TKernel : struct, IGemmKernel
    {
        if (threads == 1)
        {
            GemmDriver<TKernel>.Run(problem);
        }
        else
        {
            GemmDriver<TKernel>.RunThreaded(problem, threads);
        }
    }

    private static void Scale(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0)
            {
                row.Clear();
            }
            else if (beta != 1)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            string name = m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k);
            throw new BulwarkInputException($"Sgemm: sizes must be non-negative, got m={m}, n={n}, k={k} ({name} is negative).");
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckOperand("a", "lda", aRows, aCols, lda, aLength);
        CheckOperand("b", "ldb", bRows, bCols, ldb, bLength);
        CheckOperand("c", "ldc", m, n, ldc, cLength);
    }

    private static void CheckOperand(string span, string stride, int rows, int cols, int ld, int length)
    {
        if (ld < cols || ld < 0)
        {
            throw new BulwarkInputException($"Sgemm: {stride}={ld} is smaller than the {cols} columns {span} holds per row.");
        }
        long needed = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;
        if (length < needed)
        {
            throw new BulwarkInputException($"Sgemm: {span} has {length} elements but a {rows}×{cols} matrix with row stride {ld} needs {needed}.");
        }
    }
}
