using System.Numerics.Tensors;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Kernels;

namespace Bulwark.Engine;

/// <summary>Element-wise arithmetic with NumPy broadcasting; each op records its backward rule beside it.</summary>
public sealed partial class Tensor
{
    private static Tensor BinaryResult<TOp>(Tensor a, Tensor b) where TOp : IBinaryOp
    {
        var data = Broadcast.Binary<TOp>(a, b, out var outShape);
        return new Tensor(data, outShape);
    }

    /// <summary>a + b, broadcast.</summary>
    public Tensor Add(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<AddOp>(this, other);
        return Tape.Record(r, "Add", this, other, g => (g.SumTo(shape), g.SumTo(other.shape)));
    }

    /// <summary>a − b, broadcast.</summary>
    public Tensor Sub(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<SubOp>(this, other);
        return Tape.Record(r, "Sub", this, other, g => (g.SumTo(shape), other.RequiresGrad ? g.Neg().SumTo(other.shape) : null));
    }

    /// <summary>a · b element-wise, broadcast.</summary>
    public Tensor Mul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<MulOp>(this, other);
        var self = this;
        return Tape.Record(r, "Mul", this, other, g => (
            self.RequiresGrad ? g.Mul(other).SumTo(self.shape) : null,
            other.RequiresGrad ? g.Mul(self).SumTo(other.shape) : null));
    }

    /// <summary>a / b element-wise, broadcast.</summary>
    public Tensor Div(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<DivOp>(this, other);
        var self = this;
        return Tape.Record(r, "Div", this, other, g => (
            self.RequiresGrad ? g.Div(other).SumTo(self.shape) : null,
            other.RequiresGrad ? g.Mul(self).Div(other.Mul(other)).Neg().SumTo(other.shape) : null));
    }

    /// <summary>Element-wise maximum; the gradient goes to the larger input (to a on ties).</summary>
    public Tensor Maximum(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<MaxOp>(this, other);
        var self = this;
        return Tape.Record(r, "Maximum", this, other, g =>
        {
            var takeA = new Tensor(Broadcast.Binary<GreaterOrEqualOp>(self, other, out var s), s);
            return (g.Mul(takeA).SumTo(self.shape), g.Mul(takeA.RSub(1f)).SumTo(other.shape));
        });
    }

    /// <summary>Element-wise minimum; the gradient goes to the smaller input (to a on ties).</summary>
    public Tensor Minimum(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var r = BinaryResult<MinOp>(this, other);
        var self = this;
        return Tape.Record(r, "Minimum", this, other, g =>
        {
            var takeA = new Tensor(Broadcast.Binary<GreaterOrEqualOp>(other, self, out var s), s);
            return (g.Mul(takeA).SumTo(self.shape), g.Mul(takeA.RSub(1f)).SumTo(other.shape));
        });
    }

    /// <summary>a + c.</summary>
    public Tensor Add(float c)
    {
        var r = Unary(static (x, d, c) => TensorPrimitives.Add(x, c, d), c);
        return Tape.Record(r, "AddScalar", this, g => g);
    }

    /// <summary>a · c.</summary>
    public Tensor Mul(float c)
    {
        var r = Unary(static (x, d, c) => TensorPrimitives.Multiply(x, c, d), c);
        return Tape.Record(r, "MulScalar", this, g => g.Mul(c));
    }

    /// <summary>c − a.</summary>
    public Tensor RSub(float c)
    {
        var r = Unary(static (x, d, c) => TensorPrimitives.Subtract(c, x, d), c);
        return Tape.Record(r, "RSub", this, g => g.Neg());
    }

    /// <summary>−a.</summary>
    public Tensor Neg()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Negate(x, d));
        return Tape.Record(r, "Neg", this, g => g.Neg());
    }

    /// <summary>a to the power p (a constant).</summary>
    public Tensor Pow(float p)
    {
        var r = Unary(static (x, d, p) => TensorPrimitives.Pow(x, p, d), p);
        var self = this;
        return Tape.Record(r, "Pow", this, g => p == 2f ? g.Mul(self).Mul(2f) : g.Mul(self.Pow(p - 1f)).Mul(p));
    }

    /// <summary>a².</summary>
    public Tensor Square() => Mul(this);

    /// <summary>eᵃ.</summary>
    public Tensor Exp()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Exp(x, d));
        return Tape.Record(r, "Exp", this, g => g.Mul(r));
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Log(x, d));
        var self = this;
        return Tape.Record(r, "Log", this, g => g.Div(self));
    }

    /// <summary>Square root.</summary>
    public Tensor Sqrt()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Sqrt(x, d));
        return Tape.Record(r, "Sqrt", this, g => g.Div(r.Mul(2f)));
    }

    /// <summary>|a|; the gradient at 0 is 0.</summary>
    public Tensor Abs()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Abs(x, d));
        var self = this;
        return Tape.Record(r, "Abs", this, g => g.Mul(self.Sign()));
    }

    /// <summary>−1, 0 or 1 by the sign of each element (not differentiable: no tape).</summary>
    public Tensor Sign()
    {
        return Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = x[i] > 0 ? 1f : x[i] < 0 ? -1f : 0f;
            }
        });
    }

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Tanh(x, d));
        return Tape.Record(r, "Tanh", this, g => g.Mul(r.Mul(r).RSub(1f)));
    }

    /// <summary>Logistic sigmoid 1 / (1 + e⁻ᵃ).</summary>
    public Tensor Sigmoid()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Sigmoid(x, d));
        return Tape.Record(r, "Sigmoid", this, g => g.Mul(r.Mul(r.RSub(1f))));
    }

    /// <summary>max(a, 0).</summary>
    public Tensor Relu()
    {
        var r = Unary(static (x, d, _) => TensorPrimitives.Max(x, 0f, d));
        var self = this;
        return Tape.Record(r, "Relu", this, g => g.WherePositive(self));
    }

    /// <summary>
    /// This tensor where <paramref name="mask"/> &gt; 0, else 0: ReLU's backward in one pass. Linear in
    /// this tensor, so its own backward is the same masking (the closed family second order needs).
    /// </summary>
    internal Tensor WherePositive(Tensor mask)
    {
        if (!ShapeUtil.SameShape(shape, mask.shape))
        {
            return Mul(mask.GreaterThan(0f));
        }
        var result = TensorArena.Allocate(Size, zeroed: false);
        Masking.WherePositive(ContiguousSpan(), mask.ContiguousSpan(), result);
        return Tape.Record(new Tensor(result, (int[])shape.Clone()), "WherePositive", this, h => h.WherePositive(mask));
    }

    /// <summary>ReLU in place on a contiguous tensor; not recorded, so only for results nothing else reads.</summary>
    internal Tensor Relu_()
    {
        var span = Span;
        TensorPrimitives.Max(span, 0f, span);
        return this;
    }

    /// <summary>a where a &gt; 0, else slope·a.</summary>
    public Tensor LeakyRelu(float slope = 0.01f)
    {
        var r = Unary(static (x, d, s) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = x[i] > 0 ? x[i] : s * x[i];
            }
        }, slope);
        var self = this;
        return Tape.Record(r, "LeakyRelu", this, g => g.Mul(self.GreaterThan(0f).Mul(1f - slope).Add(slope)));
    }

    /// <summary>log(1 + eᵃ), computed stably.</summary>
    public Tensor Softplus()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                float v = x[i];
                d[i] = MathF.Max(v, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
            }
        });
        var self = this;
        return Tape.Record(r, "Softplus", this, g => g.Mul(self.Sigmoid()));
    }

    /// <summary>The Gauss error function.</summary>
    public Tensor Erf()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = (float)SpecialFunctions.Erf(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Erf", this, g => g.Mul(self.Square().Neg().Exp().Mul(2f / MathF.Sqrt(MathF.PI))));
    }

    /// <summary>GELU, the exact form x·Φ(x) (Hendrycks &amp; Gimpel 2016).</summary>
    public Tensor Gelu() => Mul(Mul(1f / MathF.Sqrt(2f)).Erf().Add(1f).Mul(0.5f));

    /// <summary>Clamps to [min, max]; the gradient is zero outside.</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max)
        {
            throw new BulwarkInputException($"Clamp: min {min} exceeds max {max}.");
        }
        var r = Unary(static (x, d, lo, hi) =>
        {
            TensorPrimitives.Max(x, lo, d);
            TensorPrimitives.Min(d, hi, d);
        }, min, max);
        var self = this;
        return Tape.Record(r, "Clamp", this, g => g.Mul(self.InRange(min, max)));
    }

    /// <summary>Clamps element-wise to the bounds given by two broadcastable tensors.</summary>
    public Tensor Clamp(Tensor min, Tensor max) => Maximum(min).Minimum(max);

    /// <summary>1 where a &gt; c, else 0 (no tape).</summary>
    public Tensor GreaterThan(float c) => Unary(static (x, d, c) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] > c ? 1f : 0f;
        }
    }, c);

    /// <summary>1 where a &gt; b, else 0 (no tape).</summary>
    public Tensor GreaterThan(Tensor other) => BinaryResult<GreaterOp>(this, other);

    /// <summary>1 where a == b, else 0 (no tape).</summary>
    public Tensor EqualTo(Tensor other) => BinaryResult<EqualOp>(this, other);

    private Tensor InRange(float min, float max) => Unary(static (x, d, lo, hi) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] >= lo && x[i] <= hi ? 1f : 0f;
        }
    }, min, max);

    /// <summary>Picks a where the condition is non-zero, else b; all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var mask = condition.Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = x[i] != 0 ? 1f : 0f;
            }
        });
        ShapeUtil.Broadcast(ShapeUtil.Broadcast(mask.shape, a.shape), b.shape);
        return a.Mul(mask).Add(b.Mul(mask.RSub(1f)));
    }

    /// <summary>
    /// Reduces a broadcast gradient back to <paramref name="target"/> by summing over the
    /// axes broadcasting expanded (the one un-broadcast rule every binary op uses).
    /// </summary>
    public Tensor SumTo(ReadOnlySpan<int> target)
    {
        if (ShapeUtil.SameShape(shape, target))
        {
            return this;
        }
        int lead = Rank - target.Length;
        if (lead < 0)
        {
            throw new BulwarkInputException($"SumTo: cannot reduce {ShapeUtil.Format(shape)} to the larger rank of {ShapeUtil.Format(target)}.");
        }
        var axes = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            if (d < lead || (target[d - lead] == 1 && shape[d] != 1))
            {
                axes.Add(d);
            }
        }
        return Sum([.. axes], keepDim: true).Reshape(target.ToArray());
    }

    /// <summary>Runs a span kernel over a contiguous copy of the input; no tape.</summary>
    internal Tensor Unary(Action<ReadOnlySpan<float>, Span<float>, float> kernel, float c = 0f)
    {
        var result = TensorArena.Allocate(Size, zeroed: false);
        if (Size > 0)
        {
            kernel(ContiguousSpan(), result, c);
        }
        return new Tensor(result, (int[])shape.Clone());
    }

    internal Tensor Unary(Action<ReadOnlySpan<float>, Span<float>, float, float> kernel, float c1, float c2)
    {
        var result = TensorArena.Allocate(Size, zeroed: false);
        if (Size > 0)
        {
            kernel(ContiguousSpan(), result, c1, c2);
        }
        return new Tensor(result, (int[])shape.Clone());
    }

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>a · b element-wise.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>a / b element-wise.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>a + c.</summary>
    public static Tensor operator +(Tensor a, float c) => a.Add(c);

    /// <summary>a − c.</summary>
    public static Tensor operator -(Tensor a, float c) => a.Add(-c);

    /// <summary>a · c.</summary>
    public static Tensor operator *(Tensor a, float c) => a.Mul(c);

    /// <summary>c · a.</summary>
    public static Tensor operator *(float c, Tensor a) => a.Mul(c);

    /// <summary>a / c.</summary>
    public static Tensor operator /(Tensor a, float c) => a.Mul(1f / c);

    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
}
