namespace Bulwark.Engine.Kernels;

/// <summary>The convolution's data movement: padded copies, im2col / col2im and transposes.</summary>
internal static unsafe partial class Conv2dKernels
{
    /// <summary>
    /// dst[c, a + top, b + left] = src[c, a, b] wherever that lands inside the destination planes
    /// (dstH × dstW, <paramref name="dstPlane"/> apart); negative offsets crop the source. Other
    /// destination elements are left as they are: callers zero a reused buffer once, and since
    /// every sample fills the same positions its borders stay zero.
    /// </summary>
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

    /// <summary>
    /// The column matrix of one group of one sample: row (c, kh, kw), column (oh, ow) holds
    /// x[c, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw] or 0 in the padding; rows are
    /// <paramref name="cols"/> long with a zero tail.
    /// </summary>
    internal static void Im2Col(ReadOnlySpan<float> x, Conv2dShape s, Span<float> dst, int cols)
    {
        var g = s.G;
        int oh = s.OH;
        int ow = s.OW;
        int row = 0;
        for (int c = 0; c < s.Cg; c++)
        {
            var plane = x.Slice(c * s.H * s.W, s.H * s.W);
            for (int kh = 0; kh < s.KH; kh++)
            {
                for (int kw = 0; kw < s.KW; kw++)
                {
                    var d = dst.Slice(row * cols, cols);
                    int colShift = (kw * g.DilationW) - g.PadLeft;
                    var (lo, hi) = ValidRange(ow, g.StrideW, colShift, s.W);
                    for (int i = 0; i < oh; i++)
                    {
                        var seg = d.Slice(i * ow, ow);
                        int ih = (i * g.StrideH) - g.PadTop + (kh * g.DilationH);
                        if (ih < 0 || ih >= s.H)
                        {
                            seg.Clear();
                            continue;
                        }
                        var src = plane.Slice(ih * s.W, s.W);
                        seg[..lo].Clear();
                        for (int j = lo; j < hi; j++)
                        {
                            seg[j] = src[(j * g.StrideW) + colShift];
                        }
                        seg[hi..].Clear();
                    }
                    d[(oh * ow)..].Clear();
                    row++;
                }
            }
        }
    }

    /// <summary>The transpose of <see cref="Im2Col"/>: adds each column entry into the input position it was read from.</summary>
    internal static void Col2Im(ReadOnlySpan<float> colsData, int cols, Conv2dShape s, Span<float> gx)
    {
        var g = s.G;
        int oh = s.OH;
        int ow = s.OW;
        int row = 0;
        for (int c = 0; c < s.Cg; c++)
        {
            var plane = gx.Slice(c * s.H * s.W, s.H * s.W);
            for (int kh = 0; kh < s.KH; kh++)
            {
                for (int kw = 0; kw < s.KW; kw++)
                {
                    var d = colsData.Slice(row * cols, cols);
                    int colShift = (kw * g.DilationW) - g.PadLeft;
                    var (lo, hi) = ValidRange(ow, g.StrideW, colShift, s.W);
                    for (int i = 0; i < oh; i++)
                    {
                        int ih = (i * g.StrideH) - g.PadTop + (kh * g.DilationH);
                        if (ih < 0 || ih >= s.H)
                        {
                            continue;
                        }
                        var dstRow = plane.Slice(ih * s.W, s.W);
                        var seg = d.Slice(i * ow, ow);
                        for (int j = lo; j < hi; j++)
                        {
                            dstRow[(j * g.StrideW) + colShift] += seg[j];
                        }
                    }
                    row++;
                }
            }
        }
    }

    // Output columns j in [lo, hi) with 0 ≤ j·stride + shift < width.
    private static (int Lo, int Hi) ValidRange(int outW, int stride, int shift, int width)
    {
        int lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        int hi = width - shift <= 0 ? 0 : ((width - shift - 1) / stride) + 1;
        lo = Math.Min(lo, outW);
        hi = Math.Clamp(hi, lo, outW);
        return (lo, hi);
    }
}
