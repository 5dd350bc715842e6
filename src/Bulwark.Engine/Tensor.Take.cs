using Bulwark.Engine.Autograd;

namespace Bulwark.Engine;

/// <summary>
/// Gathering by flat (row-major) position, and its adjoint. Any rearrangement that copies
/// elements (transposes, crops, pads, tiles, nearest-neighbour resampling) is one
/// <see cref="Take"/> with a precomputed position map.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// A tensor of <paramref name="shape"/> whose element i is this tensor's element at flat
    /// position <paramref name="positions"/>[i]. Positions may repeat; the gradient adds up.
    /// </summary>
    public Tensor Take(int[] positions, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(shape);
        CheckPositions(positions, shape, Size, "Take");
        var x = ContiguousSpan();
        var result = TensorArena.Allocate(positions.Length, zeroed: false);
        for (int i = 0; i < positions.Length; i++)
        {
            result[i] = x[positions[i]];
        }
        var original = this.shape;
        return Tape.Record(new Tensor(result, (int[])shape.Clone()), "Take", this, g => g.TakeAdjoint(positions, original));
    }

    /// <summary>
    /// The adjoint of <see cref="Take"/>: zeros of <paramref name="shape"/> with this tensor's
    /// element i added at flat position <paramref name="positions"/>[i] (repeats accumulate).
    /// </summary>
    public Tensor TakeAdjoint(int[] positions, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(shape);
        CheckPositions(positions, this.shape, ShapeUtil.Product(shape), "TakeAdjoint");
        var g = ContiguousSpan();
        var result = TensorArena.Allocate(ShapeUtil.Product(shape), zeroed: true);
        for (int i = 0; i < positions.Length; i++)
        {
            result[positions[i]] += g[i];
        }
        var mine = this.shape;
        return Tape.Record(new Tensor(result, (int[])shape.Clone()), "TakeAdjoint", this, g2 => g2.Take(positions, mine));
    }

    private static void CheckPositions(int[] positions, int[] shape, int limit, string op)
    {
        ShapeUtil.Validate(shape);
        if (ShapeUtil.Product(shape) != positions.Length)
        {
            throw new BulwarkInputException($"{op}: {positions.Length} positions do not fill shape {ShapeUtil.Format(shape)}.");
        }
        foreach (int p in positions)
        {
            if ((uint)p >= (uint)limit)
            {
                throw new BulwarkInputException($"{op}: position {p} is outside [0, {limit}).");
            }
        }
    }
}
