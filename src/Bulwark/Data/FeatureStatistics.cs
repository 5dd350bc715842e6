using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>Infers the box a set of [N, D] features lies in, per column and overall, from the data.</summary>
internal static class FeatureStatistics
{
    /// <summary>
    /// Per-column constraints (observed minimum and maximum; integer when every value is whole)
    /// and the overall bounds, widened by one when all values are equal so the box is not empty.
    /// </summary>
    public static (FeatureConstraint[] Features, InputBounds Bounds) Infer(ReadOnlySpan<float> x, int rows, IReadOnlyList<string> names)
    {
        int d = names.Count;
        var lower = new float[d];
        var upper = new float[d];
        var whole = new bool[d];
        lower.AsSpan().Fill(float.PositiveInfinity);
        upper.AsSpan().Fill(float.NegativeInfinity);
        whole.AsSpan().Fill(true);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * d, d);
            for (int j = 0; j < d; j++)
            {
                float v = row[j];
                lower[j] = Math.Min(lower[j], v);
                upper[j] = Math.Max(upper[j], v);
                whole[j] &= v == MathF.Round(v);
            }
        }
        var features = new FeatureConstraint[d];
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int j = 0; j < d; j++)
        {
            if (rows == 0)
            {
                lower[j] = upper[j] = 0f;
            }
            features[j] = new FeatureConstraint(names[j], lower[j], upper[j], integer: whole[j]);
            min = Math.Min(min, lower[j]);
            max = Math.Max(max, upper[j]);
        }
        if (d == 0)
        {
            min = max = 0f;
        }
        return (features, new InputBounds(min, max > min ? max : min + 1f));
    }

    /// <summary>The smallest and largest value, or (0, 0) when there are none.</summary>
    public static (float Min, float Max) Range(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
        {
            return (0f, 0f);
        }
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in x)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }
}
