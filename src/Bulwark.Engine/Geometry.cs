namespace Bulwark.Engine;

/// <summary>
/// Stride, padding, dilation and grouping of a 2-D convolution, as in ONNX <c>Conv</c>
/// (<c>strides</c>, <c>pads</c> = [top, left, bottom, right], <c>dilations</c>, <c>group</c>) and
/// PyTorch <c>nn.Conv2d</c>. Padding is implicit zeros and may differ per side. An output extent is
/// ⌊(in + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride⌋ + 1; input rows or columns
/// past the last full window are ignored. <c>default(Conv2dGeometry)</c> (all zeros) is
/// invalid; <c>new Conv2dGeometry()</c> is the plain stride-1 convolution. Ops validate the geometry against the shapes
/// they are given and throw <see cref="BulwarkInputException"/>.
/// </summary>
/// <param name="StrideH">Vertical step between windows (≥ 1).</param>
/// <param name="StrideW">Horizontal step between windows (≥ 1).</param>
/// <param name="PadTop">Zero rows added above the input (≥ 0).</param>
/// <param name="PadLeft">Zero columns added left of the input (≥ 0).</param>
/// <param name="PadBottom">Zero rows added below the input (≥ 0).</param>
/// <param name="PadRight">Zero columns added right of the input (≥ 0).</param>
/// <param name="DilationH">Vertical spacing between kernel taps (≥ 1; 1 is a dense kernel).</param>
/// <param name="DilationW">Horizontal spacing between kernel taps (≥ 1).</param>
/// <param name="Groups">Channel groups (≥ 1): input and output channels are split into this many
/// blocks convolved independently; equal to the input channel count it is a depthwise convolution.</param>
public readonly record struct Conv2dGeometry(
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    /// <summary>
    /// Stride 1, no padding, no dilation, one group. Declared so that <c>new Conv2dGeometry()</c>
    /// means the defaults above rather than C#'s all-zero struct value.
    /// </summary>
    public Conv2dGeometry() : this(StrideH: 1) { }

    /// <summary>The same stride, padding (on all four sides) and dilation along both axes.</summary>
    public static Conv2dGeometry Square(int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        new(stride, stride, padding, padding, padding, padding, dilation, dilation, groups);

    /// <summary>Output extent along one axis; 0 when no window fits.</summary>
    internal static int OutputExtent(int input, int kernel, int stride, int padBefore, int padAfter, int dilation)
    {
        int span = input + padBefore + padAfter - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }

    internal string Describe() =>
        $"stride {StrideH}×{StrideW}, pads [{PadTop},{PadLeft},{PadBottom},{PadRight}], dilation {DilationH}×{DilationW}, groups {Groups}";
}

/// <summary>
/// Window, stride, padding and dilation of a 2-D pooling, as in ONNX <c>MaxPool</c>/<c>AveragePool</c>
/// (<c>pads</c> = [top, left, bottom, right]) with PyTorch's <c>ceil_mode</c>. An output extent is
/// ⌊(in + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride⌋ + 1, rounded up instead in
/// ceil mode, where a last window that would start in the bottom/right padding is dropped (it
/// must start inside the input or the top/left padding). As in PyTorch, each pad may be at most
/// half the dilated kernel extent, so every window overlaps the input. Max pooling treats padding
/// as −∞; average pooling as zeros (see <c>countIncludePad</c> on <see cref="Tensor.AvgPool2d"/>).
/// </summary>
/// <param name="KernelH">Window height (≥ 1).</param>
/// <param name="KernelW">Window width (≥ 1).</param>
/// <param name="StrideH">Vertical step between windows (≥ 1).</param>
/// <param name="StrideW">Horizontal step between windows (≥ 1).</param>
/// <param name="PadTop">Rows of padding above the input (≥ 0).</param>
/// <param name="PadLeft">Columns of padding left of the input (≥ 0).</param>
/// <param name="PadBottom">Rows of padding below the input (≥ 0).</param>
/// <param name="PadRight">Columns of padding right of the input (≥ 0).</param>
/// <param name="DilationH">Vertical spacing between window taps (≥ 1).</param>
/// <param name="DilationW">Horizontal spacing between window taps (≥ 1).</param>
/// <param name="CeilMode">Round the output extent up instead of down (PyTorch <c>ceil_mode</c>).</param>
public readonly record struct Pool2dGeometry(
    int KernelH, int KernelW, int StrideH, int StrideW,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1, bool CeilMode = false)
{
    /// <summary>A square window with the same stride and padding (on all four sides) along both axes.</summary>
    public static Pool2dGeometry Square(int kernel, int stride, int padding = 0) =>
        new(kernel, kernel, stride, stride, padding, padding, padding, padding);

    /// <summary>Output extent along one axis following the floor/ceil rule above; 0 when no window fits.</summary>
    internal static int OutputExtent(int input, int kernel, int stride, int padBefore, int padAfter, int dilation, bool ceil)
    {
        int span = input + padBefore + padAfter - (dilation * (kernel - 1)) - 1;
        if (span < 0)
        {
            return 0;
        }
        int steps = ceil ? (span + stride - 1) / stride : span / stride;
        if (ceil && steps * stride >= input + padBefore)
        {
            steps--;
        }
        return steps + 1;
    }

    internal string Describe() =>
        $"kernel {KernelH}×{KernelW}, stride {StrideH}×{StrideW}, pads [{PadTop},{PadLeft},{PadBottom},{PadRight}], dilation {DilationH}×{DilationW}{(CeilMode ? ", ceil mode" : "")}";
}
