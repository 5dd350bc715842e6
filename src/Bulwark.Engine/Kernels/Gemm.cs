namespace Bulwark.Engine.Kernels;

/// <summary>Single-precision general matrix multiply on row-major spans.</summary>
public static class Gemm
{
    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, all row-major; op(A) is m×k, op(B) is k×n, C is m×n.
    /// <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> are the row strides of A, B and C as stored.
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[(p * lda) + i] : a[(i * lda) + p];
                    float bv = transB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    s += av * bv;
                }
                c[(i * ldc) + j] = (alpha * s) + (beta == 0 ? 0 : beta * c[(i * ldc) + j]);
            }
        }
    }
}
