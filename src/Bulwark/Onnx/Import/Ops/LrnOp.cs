using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// LRN, local response normalisation across channels:
/// y = x / (bias + alpha / size · Σ x²)^beta, the sum over channels c − ⌊(size − 1)/2⌋ … c + ⌈(size − 1)/2⌉
/// inside the tensor. The windowed mean of x² is an average pooling along the channel axis whose
/// divisor is always size (zeros outside), so alpha / size · Σ x² = alpha · that mean.
/// </summary>
internal static class LrnOp
{
    public static void Register(OnnxOpTable t) => t.Add("LRN", Lrn);

    private static OnnxKernel Lrn(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        long size = n.IntOrNull("size") ?? throw n.Refuse("size is required");
        if (size < 1 || size > int.MaxValue)
            throw n.Refuse($"size {size} must be at least 1");
        float alpha = n.Float("alpha", 1e-4f);
        float beta = n.Float("beta", 0.75f);
        float bias = n.Float("bias", 1f);
        int before = (int)((size - 1) / 2);
        int after = (int)(size - 1 - before);
        var window = new Pool2dGeometry((int)size, 1, 1, 1, before, 0, after, 0);
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            var x = NnArgs.FloatOf(xv, "X");
            if (x.Rank < 2)
                throw new BulwarkInputException($"X must be [N, C, …], got shape {NnArgs.Format(x.Shape)}");
            var shape = x.Shape.ToArray();
            var squares = x.Square().Reshape(shape[0], 1, shape[1], -1);
            var mean = Tensor.AvgPool2d(squares, window, countIncludePad: true).Reshape(shape);
            return OpUtil.Like(x.Mul(mean.Mul(alpha).Add(bias).Pow(-beta)), xv);
        });
    }
}
