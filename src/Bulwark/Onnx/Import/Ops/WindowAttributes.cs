using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>How one spatial axis of a convolution or pooling is walked: kernel taps, step, padding before and after, tap spacing.</summary>
internal readonly record struct AxisWindow(int Kernel, int Stride, int PadBegin, int PadEnd, int Dilation)
{
    /// <summary>The axis of extent one that lifts 1-D work onto the 2-D engine ops.</summary>
    public static AxisWindow Unit => new(1, 1, 0, 0, 1);

    /// <summary>The extent the dilated kernel covers.</summary>
    public int Span => (Dilation * (Kernel - 1)) + 1;
}

/// <summary>
/// The window attributes shared by Conv, ConvTranspose and the pools — <c>kernel_shape</c>,
/// <c>strides</c>, <c>pads</c> ([x1_begin, x2_begin, …, x1_end, x2_end, …]), <c>dilations</c>
/// and <c>auto_pad</c> — read and checked at load; the pads of SAME_UPPER / SAME_LOWER are
/// resolved against the input's extents when the node runs.
/// </summary>
internal sealed class WindowAttributes
{
    private readonly long[]? kernel;
    private readonly long[]? strides;
    private readonly long[]? pads;
    private readonly long[]? dilations;

    private WindowAttributes(int? dims, long[]? kernel, long[]? strides, long[]? pads, long[]? dilations, string autoPad)
    {
        Dims = dims;
        this.kernel = kernel;
        this.strides = strides;
        this.pads = pads;
        this.dilations = dilations;
        AutoPad = autoPad;
    }

    /// <summary>The number of spatial axes, when the attributes fix it (otherwise the weight or input does).</summary>
    public int? Dims { get; }

    /// <summary>NOTSET, SAME_UPPER, SAME_LOWER or VALID.</summary>
    public string AutoPad { get; }

    /// <summary>Whether explicit pads are given (and used: auto_pad is NOTSET).</summary>
    public bool HasExplicitPads => AutoPad == "NOTSET" && pads is not null;

    /// <summary>The explicit pads (begin and end of axis <paramref name="i"/>), zero when none are given.</summary>
    public (int Begin, int End) ExplicitPads(int i, int dims) =>
        pads is null ? (0, 0) : ((int)pads[i], (int)pads[i + dims]);

    /// <summary>The kernel extents from <c>kernel_shape</c>, or null when absent.</summary>
    public long[]? Kernel => kernel;

    /// <summary>
    /// Reads and validates the attributes. <paramref name="kernelRequired"/>: the pools need
    /// <c>kernel_shape</c>; convolutions infer it from the weight. Supports 1 to
    /// <paramref name="maxDims"/> spatial axes and refuses more.
    /// </summary>
    public static WindowAttributes Read(OnnxNode n, bool kernelRequired, int maxDims)
    {
        var kernel = n.Ints("kernel_shape");
        var strides = n.Ints("strides");
        var pads = n.Ints("pads");
        var dilations = n.Ints("dilations");
        string autoPad = n.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
            throw n.Refuse($"auto_pad '{autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        if (kernelRequired && kernel is null)
            throw n.Refuse("kernel_shape is required");
        int? dims = kernel?.Length ?? strides?.Length ?? dilations?.Length ?? (pads is null ? null : pads.Length / 2);
        if (dims is { } d)
        {
            if (d < 1 || d > maxDims)
                throw n.Refuse($"{d} spatial axes; this op supports 1 to {maxDims}");
            Check(n, "kernel_shape", kernel, d, 1);
            Check(n, "strides", strides, d, 1);
            Check(n, "dilations", dilations, d, 1);
            Check(n, "pads", pads, 2 * d, 0);
        }
        return new WindowAttributes(dims, kernel, strides, pads, dilations, autoPad);
    }

    private static void Check(OnnxNode n, string name, long[]? values, int length, long min)
    {
        if (values is null)
            return;
        if (values.Length != length)
            throw n.Refuse($"{name} has {values.Length} values, expected {length}");
        foreach (long v in values)
            if (v < min || v > int.MaxValue)
                throw n.Refuse($"{name} [{string.Join(", ", values)}] must hold values of at least {min}");
    }

    /// <summary>Per-axis windows for spatial extents <paramref name="input"/> and kernel extents <paramref name="kernelShape"/>.</summary>
    public AxisWindow[] Resolve(ReadOnlySpan<int> input, ReadOnlySpan<int> kernelShape)
    {
        int dims = input.Length;
        if (Dims is { } d && d != dims)
            throw new BulwarkInputException($"the attributes describe {d} spatial axes but the input has {dims}");
        if (kernel is not null && !kernel.Select(k => (int)k).SequenceEqual(kernelShape.ToArray()))
            throw new BulwarkInputException($"kernel_shape [{string.Join(", ", kernel)}] does not match the weight's [{string.Join(", ", kernelShape.ToArray())}]");
        var r = new AxisWindow[dims];
        for (int i = 0; i < dims; i++)
        {
            int stride = strides is null ? 1 : (int)strides[i];
            int dilation = dilations is null ? 1 : (int)dilations[i];
            int k = kernelShape[i];
            var (begin, end) = AutoPad switch
            {
                "NOTSET" => ExplicitPads(i, dims),
                "VALID" => (0, 0),
                _ => SamePads(input[i], k, stride, dilation, AutoPad == "SAME_UPPER"),
            };
            r[i] = new AxisWindow(k, stride, begin, end, dilation);
        }
        return r;
    }

    /// <summary>The kernel extents given in kernel_shape (pools).</summary>
    public int[] KernelShape() => kernel!.Select(k => (int)k).ToArray();

    /// <summary>SAME padding: the output has ⌈in / stride⌉ positions; an odd total puts the extra at the end (UPPER) or the beginning (LOWER).</summary>
    private static (int, int) SamePads(int input, int kernel, int stride, int dilation, bool upper)
    {
        int output = (input + stride - 1) / stride;
        int total = Math.Max(0, ((output - 1) * stride) + (dilation * (kernel - 1)) + 1 - input);
        int small = total / 2;
        return upper ? (small, total - small) : (total - small, small);
    }
}
