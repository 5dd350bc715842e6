using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Bulwark.Engine.Kernels;

/// <summary>Select-by-sign kernels (ReLU's backward) with an explicit vector loop.</summary>
internal static class Masking
{
    /// <summary>d[i] = m[i] &gt; 0 ? x[i] : 0.</summary>
    public static void WherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> m, Span<float> d)
    {
        int i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float dr = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= d.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var mask = Vector512.GreaterThan(Vector512.LoadUnsafe(ref mr, (nuint)i), Vector512<float>.Zero);
                Vector512.BitwiseAnd(Vector512.LoadUnsafe(ref xr, (nuint)i), mask).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= d.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref mr, (nuint)i), Vector256<float>.Zero);
                Vector256.BitwiseAnd(Vector256.LoadUnsafe(ref xr, (nuint)i), mask).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < d.Length; i++)
        {
            d[i] = m[i] > 0f ? x[i] : 0f;
        }
    }
}
