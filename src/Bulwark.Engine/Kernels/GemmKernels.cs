using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// An SGEMM micro-kernel: multiplies an MR×kc packed panel of A by a kc×NR packed panel of B and
/// folds the MR×NR product into C. The only GEMM code that knows a vector width; the driver sees
/// just MR and NR.
/// </summary>
internal interface IGemmKernel
{
    /// <summary>Rows of the register tile; A is packed in panels of this many rows.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile; B is packed in panels of this many columns.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// C[0..MR, 0..NR] = alpha·Σₚ a[p]ᵀ·b[p] + beta·C, where a holds kc groups of MR floats and b kc
    /// groups of NR floats. beta == 0 stores without reading C.
    /// </summary>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta);
}

/// <summary>Writes one finished value into C exactly as the vector kernels do, for edge tiles.</summary>
internal static class GemmStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Combine(float acc, float alpha, float beta, float old) =>
        beta == 0 ? alpha * acc : MathF.FusedMultiplyAdd(acc, alpha, beta * old);
}

/// <summary>8×32 tile in sixteen 512-bit accumulators: per k step one broadcast of A per row and two loads of B.</summary>
internal readonly struct Gemm512Kernel : IGemmKernel
{
    public static int MR => 8;

    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += 8;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Put(c, c00, c01, va);
            Put(c + ldc, c10, c11, va);
            Put(c + (2 * ldc), c20, c21, va);
            Put(c + (3 * ldc), c30, c31, va);
            Put(c + (4 * ldc), c40, c41, va);
            Put(c + (5 * ldc), c50, c51, va);
            Put(c + (6 * ldc), c60, c61, va);
            Put(c + (7 * ldc), c70, c71, va);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Update(c, c00, c01, va, vb);
            Update(c + ldc, c10, c11, va, vb);
            Update(c + (2 * ldc), c20, c21, va, vb);
            Update(c + (3 * ldc), c30, c31, va, vb);
            Update(c + (4 * ldc), c40, c41, va, vb);
            Update(c + (5 * ldc), c50, c51, va, vb);
            Update(c + (6 * ldc), c60, c61, va, vb);
            Update(c + (7 * ldc), c70, c71, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> alpha)
    {
        (x0 * alpha).Store(c);
        (x1 * alpha).Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> alpha, Vector512<float> beta)
    {
        Vector512.FusedMultiplyAdd(x0, alpha, beta * Vector512.Load(c)).Store(c);
        Vector512.FusedMultiplyAdd(x1, alpha, beta * Vector512.Load(c + 16)).Store(c + 16);
    }
}

/// <summary>
/// 6×16 tile in twelve 256-bit accumulators, which with two B vectors and a broadcast fits the
/// sixteen registers of AVX2 machines without spilling.
/// </summary>
internal readonly struct Gemm256Kernel : IGemmKernel
{
    public static int MR => 6;

    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Put(c, c00, c01, va);
            Put(c + ldc, c10, c11, va);
            Put(c + (2 * ldc), c20, c21, va);
            Put(c + (3 * ldc), c30, c31, va);
            Put(c + (4 * ldc), c40, c41, va);
            Put(c + (5 * ldc), c50, c51, va);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update(c, c00, c01, va, vb);
            Update(c + ldc, c10, c11, va, vb);
            Update(c + (2 * ldc), c20, c21, va, vb);
            Update(c + (3 * ldc), c30, c31, va, vb);
            Update(c + (4 * ldc), c40, c41, va, vb);
            Update(c + (5 * ldc), c50, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha)
    {
        (x0 * alpha).Store(c);
        (x1 * alpha).Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha, Vector256<float> beta)
    {
        Vector256.FusedMultiplyAdd(x0, alpha, beta * Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(x1, alpha, beta * Vector256.Load(c + 8)).Store(c + 8);
    }
}

/// <summary>4×4 tile in sixteen scalars, for machines with neither 512- nor 256-bit vectors.</summary>
internal readonly struct GemmScalarKernel : IGemmKernel
{
    public static int MR => 4;

    public static int NR => 4;

    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float x = a[0];
            c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = a[1];
            c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = a[2];
            c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = a[3];
            c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            a += 4;
            b += 4;
        }
        Row(c, c00, c01, c02, c03, alpha, beta);
        Row(c + ldc, c10, c11, c12, c13, alpha, beta);
        Row(c + (2 * ldc), c20, c21, c22, c23, alpha, beta);
        Row(c + (3 * ldc), c30, c31, c32, c33, alpha, beta);
    }

    private static unsafe void Row(float* c, float x0, float x1, float x2, float x3, float alpha, float beta)
    {
        c[0] = GemmStore.Combine(x0, alpha, beta, beta == 0 ? 0 : c[0]);
        c[1] = GemmStore.Combine(x1, alpha, beta, beta == 0 ? 0 : c[1]);
        c[2] = GemmStore.Combine(x2, alpha, beta, beta == 0 ? 0 : c[2]);
        c[3] = GemmStore.Combine(x3, alpha, beta, beta == 0 ? 0 : c[3]);
    }
}
