using Bulwark.Engine.Kernels;

namespace Bulwark.Engine;

/// <summary>Transposed 2-D convolution, built on the convolution's own input-gradient op.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Transposed 2-D convolution, as ONNX <c>ConvTranspose</c> and PyTorch <c>conv_transpose2d</c>:
    /// the adjoint of <see cref="Conv2d"/> with the same geometry. Each input element x[n, c, i, j]
    /// adds x · w[c, o, kh, kw] to output position (i·sH − padTop + kh·dH, j·sW − padLeft + kw·dW)
    /// of channel g·O/groups + o; positions outside the output are dropped. The output extent is
    /// (H − 1)·sH + dH·(kH − 1) + 1 − padTop − padBottom + <paramref name="outputPadH"/> (likewise for
    /// the width); the output padding adds rows and columns at the bottom and right, which hold
    /// what the bottom/right padding would have cropped, or zeros (plus the bias) past the last tap.
    /// Its input gradient is a <see cref="Conv2d"/> and its weight gradient the convolution's
    /// weight gradient with the roles of input and output swapped.
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="weight">[C, O/groups, kH, kW], C divisible by groups.</param>
    /// <param name="bias">[O], or null for none.</param>
    /// <param name="geometry">Stride, padding (cropped from the output), dilation and groups.</param>
    /// <param name="outputPadH">Rows added at the bottom of the output (≥ 0).</param>
    /// <param name="outputPadW">Columns added at the right of the output (≥ 0).</param>
    /// <returns>[N, O, OH, OW].</returns>
    /// <exception cref="BulwarkInputException">The shapes or the geometry do not fit together.</exception>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry geometry, int outputPadH = 0, int outputPadW = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var g = geometry;
        string Shapes() => $"input {ShapeUtil.Format(input.shape)}, weight {ShapeUtil.Format(weight.shape)}"
            + (bias is null ? "" : $", bias {ShapeUtil.Format(bias.shape)}") + $", {g.Describe()}, output padding {outputPadH}×{outputPadW}";
        if (input.Rank != 4 || weight.Rank != 4)
        {
            throw new BulwarkInputException($"ConvTranspose2d: input must be [N, C, H, W] and weight [C, O/groups, kH, kW] ({Shapes()}).");
        }
        if (g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1 || g.Groups < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.PadBottom < 0 || g.PadRight < 0 || outputPadH < 0 || outputPadW < 0)
        {
            throw new BulwarkInputException($"ConvTranspose2d: strides, dilations and groups must be at least 1, pads and output padding non-negative ({Shapes()}).");
        }
        int n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        int kh = weight.shape[2], kw = weight.shape[3];
        if (c < 1 || h < 1 || w < 1 || kh < 1 || kw < 1 || weight.shape[1] < 1 || weight.shape[0] != c || c % g.Groups != 0)
        {
            throw new BulwarkInputException($"ConvTranspose2d: the weight's first axis must equal the input channels, divisible by the groups, and all extents must be at least 1 ({Shapes()}).");
        }
        int o = weight.shape[1] * g.Groups;
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != o))
        {
            throw new BulwarkInputException($"ConvTranspose2d: bias must be [{o}] ({Shapes()}).");
        }
        // The output padding first uncrops what the bottom/right padding would have removed; what is
        // left extends the output past the last tap, up to stride − 1 rows inside the convolution's
        // own shape (so its extents still match) and the rest as zeros appended afterwards.
        var (padBottom, slackH, extraH) = SplitOutputPad(g.PadBottom, outputPadH, g.StrideH);
        var (padRight, slackW, extraW) = SplitOutputPad(g.PadRight, outputPadW, g.StrideW);
        int fullH = ((h - 1) * g.StrideH) + (g.DilationH * (kh - 1)) + 1;
        int fullW = ((w - 1) * g.StrideW) + (g.DilationW * (kw - 1)) + 1;
        int oh = fullH - g.PadTop - padBottom + slackH;
        int ow = fullW - g.PadLeft - padRight + slackW;
        if (oh < 1 || ow < 1)
        {
            throw new BulwarkInputException($"ConvTranspose2d: the padding crops the whole output ({Shapes()}).");
        }
        var conv = g with { PadBottom = padBottom, PadRight = padRight };
        var s = new Conv2dShape(n, o, oh, ow, c, kh, kw, conv);
        var y = ConvTransposeLike(input, weight, s);
        if (extraH > 0)
        {
            y = Concat([y, Zeros(n, o, extraH, ow)], 2);
        }
        if (extraW > 0)
        {
            y = Concat([y, Zeros(n, o, oh + extraH, extraW)], 3);
        }
        return bias is null ? y : y.Add(bias.Reshape(1, o, 1, 1));
    }

    private static (int Pad, int Slack, int Extra) SplitOutputPad(int pad, int outputPad, int stride)
    {
        int uncropped = Math.Min(pad, outputPad);
        int rest = outputPad - uncropped;
        int slack = Math.Min(rest, stride - 1);
        return (pad - uncropped, slack, rest - slack);
    }
}
