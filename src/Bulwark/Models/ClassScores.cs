using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>Turns a model's raw score rows into probability rows according to a <see cref="ScoreKind"/>.</summary>
internal static class ClassScores
{
    private const double SumTolerance = 1e-3;

    /// <summary>
    /// Converts <paramref name="scores"/> (rows of <paramref name="classes"/> values, row-major)
    /// into probabilities in place. <paramref name="where"/> names the model in error messages
    /// about non-finite or negative scores.
    /// </summary>
    public static void Normalise(Span<float> scores, int classes, ScoreKind kind, string where)
    {
        int rows = scores.Length / classes;
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsFinite(scores[i]))
                throw new BulwarkInputException($"{where}: the model returned the non-finite score {scores[i]} for sample {i / classes}, class {i % classes}");
        var softmax = kind switch
        {
            ScoreKind.Logits => true,
            ScoreKind.Probabilities => false,
            _ => !AreProbabilities(scores, classes),
        };
        for (int r = 0; r < rows; r++)
        {
            var row = scores.Slice(r * classes, classes);
            if (softmax)
                Softmax(row);
            else
                Rescale(row, r, where);
        }
    }

    internal static bool AreProbabilities(ReadOnlySpan<float> scores, int classes)
    {
        for (int start = 0; start < scores.Length; start += classes)
        {
            double sum = 0;
            foreach (float v in scores.Slice(start, classes))
            {
                if (v < 0f)
                    return false;
                sum += v;
            }
            if (Math.Abs(sum - 1.0) > SumTolerance)
                return false;
        }
        return true;
    }

    private static void Softmax(Span<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row)
            max = Math.Max(max, v);
        double sum = 0;
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = MathF.Exp(row[c] - max);
            sum += row[c];
        }
        for (int c = 0; c < row.Length; c++)
            row[c] = (float)(row[c] / sum);
    }

    private static void Rescale(Span<float> row, int index, string where)
    {
        double sum = 0;
        foreach (float v in row)
        {
            if (v < 0f)
                throw new BulwarkInputException($"{where}: scores were declared probabilities but sample {index} has the negative score {v}");
            sum += v;
        }
        if (sum <= 0)
            throw new BulwarkInputException($"{where}: scores were declared probabilities but sample {index} has no positive score");
        for (int c = 0; c < row.Length; c++)
            row[c] = (float)(row[c] / sum);
    }
}
