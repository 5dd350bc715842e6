using Bulwark.Engine.Autograd;
using Bulwark.Engine.Kernels;

namespace Bulwark.Engine;

/// <summary>Matrix products, all on the one SGEMM kernel.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with NumPy semantics: 2-D × 2-D, and batched over broadcast leading axes;
    /// a 1-D operand is treated as a row (left) or column (right) vector.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rank == 0 || other.Rank == 0)
        {
            throw new BulwarkInputException("MatMul: operands must have at least one dimension.");
        }
        if (Rank == 1)
        {
            return Unsqueeze(0).MatMul(other).Squeeze(-2);
        }
        if (other.Rank == 1)
        {
            return MatMul(other.Unsqueeze(1)).Squeeze(-1);
        }
        int m = shape[^2];
        int k = shape[^1];
        int n = other.shape[^1];
        if (other.shape[^2] != k)
        {
            throw new BulwarkInputException($"MatMul: inner sizes differ ({ShapeUtil.Format(shape)} × {ShapeUtil.Format(other.shape)}).");
        }
        var batchShape = ShapeUtil.Broadcast(shape.AsSpan(0, Rank - 2), other.shape.AsSpan(0, other.Rank - 2));
        int batch = ShapeUtil.Product(batchShape);
        var outShape = batchShape.Concat([m, n]).ToArray();
        var result = TensorArena.Allocate(batch * m * n, zeroed: true);

        var a = batchShape.Length == 0 ? this : Expand([.. batchShape, m, k]);
        var b = batchShape.Length == 0 ? other : other.Expand([.. batchShape, k, n]);
        var (aData, aOff, lda, transA, aBatchStride) = MatrixOperand(a, batchShape.Length);
        var (bData, bOff, ldb, transB, bBatchStride) = MatrixOperand(b, batchShape.Length);
        for (int i = 0; i < batch; i++)
        {
            Gemm.Sgemm(transA, transB, m, n, k, 1f,
                aData.AsSpan(aOff + (i * aBatchStride)), lda,
                bData.AsSpan(bOff + (i * bBatchStride)), ldb,
                0f, result.AsSpan(i * m * n, m * n), n);
        }
        var self = this;
        return Tape.Record(new Tensor(result, outShape), "MatMul", this, other, g => (
            self.RequiresGrad ? g.MatMul(other.Transpose(-2, -1)).SumTo(self.shape) : null,
            other.RequiresGrad ? self.Transpose(-2, -1).MatMul(g).SumTo(other.shape) : null));
    }

    /// <summary>
    /// Describes the last two axes of a (batched) matrix as a GEMM operand without copying when
    /// they are row- or column-contiguous and the batch axes are uniformly strided.
    /// </summary>
    private static (float[] Data, int Offset, int Ld, bool Trans, int BatchStride) MatrixOperand(Tensor t, int batchRank)
    {
        int r = t.Rank;
        int rows = t.shape[r - 2];
        int cols = t.shape[r - 1];
        int sr = t.strides[r - 2];
        int sc = t.strides[r - 1];
        int batchStride = 0;
        bool uniform = true;
        if (batchRank > 0)
        {
            int expect = -1;
            for (int d = batchRank - 1; d >= 0; d--)
            {
                if (t.shape[d] == 1)
                {
                    continue;
                }
                if (expect == -1)
                {
                    batchStride = t.strides[d];
                    expect = t.strides[d] * t.shape[d];
                }
                else if (t.strides[d] != expect)
                {
                    uniform = false;
                    break;
                }
                else
                {
                    expect = t.strides[d] * t.shape[d];
                }
            }
        }
        if (uniform && (sc == 1 || cols == 1) && sr >= cols)
        {
            return (t.storage, t.offset, rows == 1 ? cols : sr, false, batchStride);
        }
        if (uniform && (sr == 1 || rows == 1) && sc >= rows)
        {
            return (t.storage, t.offset, cols == 1 ? rows : sc, true, batchStride);
        }
        var copy = t.ToArray();
        return (copy, 0, cols, false, rows * cols);
    }

    /// <summary>x·Wᵀ + b for x [N, in], W [out, in], b [out] (the Linear layer's product).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Dim(-1) != weight.Dim(1))
        {
            throw new BulwarkInputException($"Linear: input features {x.Dim(-1)} differ from the weight's {weight.Dim(1)} (weight {ShapeUtil.Format(weight.shape)}).");
        }
        var y = x.MatMul(weight.Transpose(0, 1));
        return bias is null ? y : y.Add(bias);
    }
}
