using System.Runtime.CompilerServices;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// How one sample's planes are laid out for the convolution kernels: each channel's plane, padded
/// to PaddedH × PaddedW with the source at (Top, Left), is split into StrideH × StrideW phase planes,
/// phase (a, b) holding padded rows a, a + StrideH, … and columns b, b + StrideW, …. Then padded
/// position (oh·sH + kh·dH, ow·sW + kw·dW) is <see cref="Offset"/>(c, kh·dH, kw·dW) + oh·PlaneW + ow:
/// every kernel tap reads a shifted view of one phase plane, at any stride. At stride 1 there is a
/// single phase, the padded plane itself. <paramref name="Slack"/> zeros follow the last channel for
/// the reads of whole tiles past it.
/// </summary>
internal readonly unsafe record struct PlaneLayout(int Channels, int SrcH, int SrcW, int Top, int Left, int PaddedH, int PaddedW, int StrideH, int StrideW, int Slack)
{
    public int PlaneH => (PaddedH + StrideH - 1) / StrideH;

    public int PlaneW => (PaddedW + StrideW - 1) / StrideW;

    public int PhaseSize => PlaneH * PlaneW;

    public int ChannelStride => StrideH * StrideW * PhaseSize;

    public int Length => (Channels * ChannelStride) + Slack;

    /// <summary>Where padded position (row, col) of a channel lives.</summary>
    public int Offset(int channel, int row, int col) =>
        (channel * ChannelStride) + ((((row % StrideH) * StrideW) + (col % StrideW)) * PhaseSize) + ((row / StrideH) * PlaneW) + (col / StrideW);

    /// <summary>
    /// Copies one sample [Channels, SrcH, SrcW] into its positions. Everything else in
    /// <paramref name="dst"/> is left alone: a buffer zeroed once keeps zero padding across samples.
    /// </summary>
    public void Fill(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (StrideH == 1 && StrideW == 1)
        {
            Conv2dKernels.CopyInto(src, Channels, SrcH, SrcW, dst, ChannelStride, PlaneH, PlaneW, Top, Left);
            return;
        }
        if (Top < 0 || Left < 0 || src.Length < Channels * SrcH * SrcW || dst.Length < Channels * ChannelStride)
        {
            throw new ArgumentException("PlaneLayout.Fill: negative offsets, or a span too short for the planes it is given.");
        }
        int rows = Math.Min(SrcH, PaddedH - Top);
        int cols = Math.Min(SrcW, PaddedW - Left);
        fixed (float* sp = src)
        fixed (float* dp = dst)
        {
            for (int ch = 0; ch < Channels; ch++)
            {
                for (int a = 0; a < rows; a++)
                {
                    int row = a + Top;
                    float* from = sp + (((ch * SrcH) + a) * SrcW);
                    // The destination row of column phase b starts at padded column b.
                    float* to = dp + Offset(ch, row, 0);
                    ConvMicroKernels.Deinterleave(from, cols, Left, StrideW, to, PhaseSize);
                }
            }
        }
    }
}

/// <summary>The convolution's data movement: padded copies and transposes.</summary>
internal static unsafe partial class Conv2dKernels
{
    /// <summary>
    /// dst[c, a + top, b + left] = src[c, a, b] wherever that lands inside the destination planes
    /// (dstH × dstW, <paramref name="dstPlane"/> apart); negative offsets crop the source. Other
    /// destination elements are left as they are: callers zero a reused buffer once, and since
    /// every sample fills the same positions its borders stay zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyInto(ReadOnlySpan<float> src, int planes, int srcH, int srcW, Span<float> dst, int dstPlane, int dstH, int dstW, int top, int left)
    {
        int r0 = Math.Max(0, -top);
        int r1 = Math.Min(srcH, dstH - top);
        int c0 = Math.Max(0, -left);
        int c1 = Math.Min(srcW, dstW - left);
        if (planes == 0 || r1 <= r0 || c1 <= c0)
        {
            return;
        }
        if (src.Length < (long)planes * srcH * srcW || dst.Length < ((long)(planes - 1) * dstPlane) + (dstH * dstW) || dstPlane < dstH * dstW)
        {
            throw new ArgumentException("CopyInto: a span is too short for the planes it is given.");
        }
        fixed (float* sp = src)
        fixed (float* dp = dst)
        {
            for (int c = 0; c < planes; c++)
            {
                float* from = sp + ((long)c * srcH * srcW) + (r0 * srcW) + c0;
                float* to = dp + ((long)c * dstPlane) + ((r0 + top) * dstW) + c0 + left;
                if (srcW == dstW && c0 == 0 && c1 == srcW)
                {
                    ConvMicroKernels.CopyRows(from, 0, 1, (r1 - r0) * srcW, 0f, to, 0);
                }
                else
                {
                    ConvMicroKernels.CopyRows(from, srcW, r1 - r0, c1 - c0, 0f, to, dstW);
                }
            }
        }
    }

    /// <summary>dst[p·ld + r] = src[r·cols + p] for r &lt; rows, p &lt; cols.</summary>
    internal static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, int ld)
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }
        if (src.Length < (long)rows * cols || dst.Length < ((long)(cols - 1) * ld) + rows)
        {
            throw new ArgumentException("Transpose: a span is too short for the matrix it is given.");
        }
        fixed (float* sp = src)
        fixed (float* dp = dst)
        {
            ConvMicroKernels.Transpose(sp, cols, rows, cols, dp, ld);
        }
    }
}
