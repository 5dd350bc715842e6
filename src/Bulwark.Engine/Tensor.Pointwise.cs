using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>
/// More element-wise functions: trigonometry, rounding, a power with a tensor exponent, and an
/// exact select. Each backward rule is written in recorded tensor ops, so it can be differentiated again.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Sine.</summary>
    public Tensor Sin()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Sin(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Sin", this, g => g.Mul(self.Cos()));
    }

    /// <summary>Cosine.</summary>
    public Tensor Cos()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Cos(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Cos", this, g => g.Mul(self.Sin()).Neg());
    }

    /// <summary>Tangent; the derivative is 1 + tan².</summary>
    public Tensor Tan()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Tan(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Tan", this, g => g.Mul(self.Tan().Square().Add(1f)));
    }

    /// <summary>Inverse sine; the derivative is 1 / √(1 − x²).</summary>
    public Tensor Asin()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Asin(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Asin", this, g => g.Div(self.Square().RSub(1f).Sqrt()));
    }

    /// <summary>Inverse cosine; the derivative is −1 / √(1 − x²).</summary>
    public Tensor Acos()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Acos(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Acos", this, g => g.Div(self.Square().RSub(1f).Sqrt()).Neg());
    }

    /// <summary>Inverse tangent; the derivative is 1 / (1 + x²).</summary>
    public Tensor Atan()
    {
        var r = Unary(static (x, d, _) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = MathF.Atan(x[i]);
            }
        });
        var self = this;
        return Tape.Record(r, "Atan", this, g => g.Div(self.Square().Add(1f)));
    }

    /// <summary>Rounds down to an integer (gradient zero almost everywhere: no tape).</summary>
    public Tensor Floor() => Unary(static (x, d, _) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = MathF.Floor(x[i]);
        }
    });

    /// <summary>Rounds up to an integer (no tape).</summary>
    public Tensor Ceil() => Unary(static (x, d, _) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = MathF.Ceiling(x[i]);
        }
    });

    /// <summary>Rounds to the nearest integer, halves to even (no tape).</summary>
    public Tensor RoundHalfEven() => Unary(static (x, d, _) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = MathF.Round(x[i], MidpointRounding.ToEven);
        }
    });

    /// <summary>Rounds toward zero (no tape).</summary>
    public Tensor Truncate() => Unary(static (x, d, _) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = MathF.Truncate(x[i]);
        }
    });

    /// <summary>
    /// This tensor to the power <paramref name="exponent"/>, element-wise and broadcast. The base
    /// gradient is y·xʸ⁻¹; the exponent gradient xʸ·ln x is taken as 0 where x ≤ 0.
    /// </summary>
    public Tensor Pow(Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        var outShape = ShapeUtil.Broadcast(shape, exponent.shape);
        var x = Detach().Expand(outShape).ToArray();
        var y = exponent.Detach().Expand(outShape).ToArray();
        var data = TensorArena.Allocate(x.Length, zeroed: false);
        for (int i = 0; i < x.Length; i++)
        {
            data[i] = MathF.Pow(x[i], y[i]);
        }
        var r = new Tensor(data, outShape);
        var self = this;
        return Tape.Record(r, "PowTensor", this, exponent, g =>
        {
            Tensor? gx = null;
            Tensor? gy = null;
            if (self.RequiresGrad)
            {
                gx = g.Mul(exponent).Mul(self.Pow(exponent.Add(-1f))).SumTo(self.shape);
            }
            if (exponent.RequiresGrad)
            {
                var positive = self.GreaterThan(0f);
                var safeLog = Choose(positive, self, OnesLike(self)).Log();
                gy = g.Mul(r).Mul(safeLog).SumTo(exponent.shape);
            }
            return (gx, gy);
        });
    }

    /// <summary>
    /// Picks <paramref name="a"/> where <paramref name="condition"/> is non-zero, else
    /// <paramref name="b"/>; all three broadcast. Unlike <see cref="Where"/> the unpicked value
    /// never enters the result, so an infinity or NaN there does no harm.
    /// </summary>
    public static Tensor Choose(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var outShape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition.shape, a.shape), b.shape);
        var c = condition.Detach().Expand(outShape).ToArray();
        var x = a.Detach().Expand(outShape).ToArray();
        var y = b.Detach().Expand(outShape).ToArray();
        var data = TensorArena.Allocate(c.Length, zeroed: false);
        var mask = new float[c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            bool pick = c[i] != 0;
            mask[i] = pick ? 1f : 0f;
            data[i] = pick ? x[i] : y[i];
        }
        var m = new Tensor(mask, outShape);
        return Tape.Record(new Tensor(data, outShape), "Choose", a, b, g => (
            a.RequiresGrad ? g.Mul(m).SumTo(a.shape) : null,
            b.RequiresGrad ? g.Mul(m.RSub(1f)).SumTo(b.shape) : null));
    }
}
