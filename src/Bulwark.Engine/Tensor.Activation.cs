using System.Numerics.Tensors;
using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>Fused, numerically stable softmax and log-softmax along one axis.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// exp(xᵢ) / Σⱼ exp(xⱼ) along <paramref name="axis"/>, computed after subtracting the maximum
    /// so no exponential overflows. The backward rule y ⊙ (g − Σ g ⊙ y) is written in tensor ops
    /// over the (recorded) output, so it can be differentiated again.
    /// </summary>
    public Tensor Softmax(int axis = -1)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        var r = new Tensor(SoftmaxKernel(ax, log: false), (int[])shape.Clone());
        return Tape.Record(r, "Softmax", this, g =>
        {
            var gy = g.Mul(r);
            return gy.Sub(r.Mul(gy.Sum(ax, keepDim: true)));
        });
    }

    /// <summary>
    /// xᵢ − log Σⱼ exp(xⱼ) along <paramref name="axis"/>, without forming the softmax, so very
    /// negative log-probabilities keep their precision. Backward: g − softmax ⊙ Σ g, with the
    /// softmax taken as exp of the recorded output so the rule is itself differentiable.
    /// </summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, Rank);
        var r = new Tensor(SoftmaxKernel(ax, log: true), (int[])shape.Clone());
        return Tape.Record(r, "LogSoftmax", this, g => g.Sub(r.Exp().Mul(g.Sum(ax, keepDim: true))));
    }

    private float[] SoftmaxKernel(int axis, bool log)
    {
        var (outer, n, inner) = Split3(axis);
        ReadOnlySpan<float> x = ContiguousSpan();
        var y = TensorArena.Allocate(Size, zeroed: true);
        if (n == 0)
        {
            return y;
        }
        if (inner == 1)
        {
            var scratch = log ? new float[n] : null;
            for (int o = 0; o < outer; o++)
            {
                var row = x.Slice(o * n, n);
                var dst = y.AsSpan(o * n, n);
                float max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, dst);
                if (log)
                {
                    TensorPrimitives.Exp(dst, scratch);
                    TensorPrimitives.Subtract(dst, MathF.Log(TensorPrimitives.Sum(scratch)), dst);
                }
                else
                {
                    TensorPrimitives.Exp(dst, dst);
                    TensorPrimitives.Multiply(dst, 1f / TensorPrimitives.Sum(dst), dst);
                }
            }
            return y;
        }

        // Axis not last: vectorise across the inner positions, one slice of the axis at a time.
        var max2 = new float[inner];
        var sum = new float[inner];
        for (int o = 0; o < outer; o++)
        {
            int block = o * n * inner;
            x.Slice(block, inner).CopyTo(max2);
            for (int k = 1; k < n; k++)
            {
                TensorPrimitives.Max(max2, x.Slice(block + (k * inner), inner), max2);
            }
            Array.Clear(sum);
            for (int k = 0; k < n; k++)
            {
                var dst = y.AsSpan(block + (k * inner), inner);
                TensorPrimitives.Subtract(x.Slice(block + (k * inner), inner), max2, dst);
                TensorPrimitives.Exp(dst, dst);
                TensorPrimitives.Add(sum, dst, sum);
            }
            if (log)
            {
                TensorPrimitives.Log(sum, sum);
                for (int k = 0; k < n; k++)
                {
                    var dst = y.AsSpan(block + (k * inner), inner);
                    TensorPrimitives.Subtract(x.Slice(block + (k * inner), inner), max2, dst);
                    TensorPrimitives.Subtract(dst, sum, dst);
                }
            }
            else
            {
                for (int k = 0; k < n; k++)
                {
                    var dst = y.AsSpan(block + (k * inner), inner);
                    TensorPrimitives.Divide(dst, sum, dst);
                }
            }
        }
        return y;
    }
}
