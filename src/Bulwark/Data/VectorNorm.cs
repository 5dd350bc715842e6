namespace Bulwark.Data;

/// <summary>Row normalisation shared by the vectorisers.</summary>
internal static class VectorNorm
{
    /// <summary>Scales <paramref name="row"/> to unit Euclidean norm; a zero row stays zero.</summary>
    public static void NormalizeL2(Span<float> row)
    {
        double sum = 0;
        foreach (float v in row)
        {
            sum += (double)v * v;
        }
        if (sum > 0)
        {
            float scale = (float)(1.0 / Math.Sqrt(sum));
            foreach (ref float v in row)
            {
                v *= scale;
            }
        }
    }
}
