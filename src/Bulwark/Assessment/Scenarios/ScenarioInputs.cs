using System.Globalization;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Assessment.Scenarios;

/// <summary>What the evasion scenarios share: the samples they attack, the budgets and the example images.</summary>
internal static class ScenarioInputs
{
    /// <summary>The reference L∞ budget: the user's, else a share of the input range, 0.1 for images (the usual Fashion-MNIST budget) and 0.05 for tables.</summary>
    public static float ReferenceEpsilon(ScanTarget target, ScenarioContext context) =>
        context.Epsilon ?? (target.Modality == FeatureKind.Image ? 0.1f : 0.05f) * target.Model.Bounds.Range;

    /// <summary>The budgets of the robustness curve: 0, ¼, ½, 1 and 2 × the reference.</summary>
    public static float[] CurveEpsilons(float reference) => [0f, reference / 4, reference / 2, reference, reference * 2];

    /// <summary>"ε = 0.1 (L∞)".</summary>
    public static string Budget(float epsilon) => $"ε = {epsilon.ToString("0.###", CultureInfo.InvariantCulture)} (L∞)";

    /// <summary>A seeded random choice of at most <paramref name="count"/> samples, in their original order.</summary>
    public static Dataset Sample(Dataset data, int count, ulong seed)
    {
        if (data.Count <= count)
            return data;
        var chosen = new Rng(seed).Permutation(data.Count).Take(count).Order().ToArray();
        return data.Subset(chosen);
    }

    /// <summary>The samples of <paramref name="data"/> that <paramref name="model"/> classifies correctly, at most <paramref name="count"/>, chosen with <paramref name="seed"/>.</summary>
    public static Dataset CorrectlyClassified(IClassifier model, Dataset data, int count, ulong seed)
    {
        var pool = Sample(data, Math.Min(data.Count, count * 4), seed);
        var predicted = model.PredictProba(pool.Features).ArgMax(-1).Data;
        var keep = Enumerable.Range(0, pool.Count).Where(i => predicted[i] == pool.Labels.Data[i]).Take(count).ToArray();
        return pool.Subset(keep);
    }

    /// <summary>Up to <paramref name="count"/> successful adversarial examples of <paramref name="result"/> as image evidence; null when the data are not images.</summary>
    public static ImageExamplesEvidence? Images(ScanTarget target, Dataset attacked, AttackResult result, string title, int count = 6)
    {
        if (target.Modality != FeatureKind.Image)
            return null;
        var (c, h, w) = ImageShape(attacked.SampleShape);
        if (c == 0)
            return null;
        var chosen = Enumerable.Range(0, result.Success.Length).Where(i => result.Success[i]).Take(count).ToArray();
        if (chosen.Length == 0)
            return null;
        int size = c * h * w;
        var rows = result.Adversarial.IndexSelect(0, new LongTensor(chosen.Select(i => (long)i).ToArray(), chosen.Length));
        var adversarialPredictions = target.Model.PredictProba(rows).ArgMax(-1).Data;
        var examples = chosen.Select((i, k) => new ImageExample(
            attacked.Features.AsReadOnlySpan().Slice(i * size, size).ToArray(),
            result.Adversarial.AsReadOnlySpan().Slice(i * size, size).ToArray(),
            (int)attacked.Labels.Data[i],
            (int)adversarialPredictions[k])).ToArray();
        var bounds = target.Model.Bounds;
        return new ImageExamplesEvidence(title, c, h, w, bounds.Lower, bounds.Upper, target.ClassNames, examples);
    }

    /// <summary>C, H, W of an image sample shape ([C,H,W], [H,W] or a square [H·W]); zeros when it is not an image.</summary>
    private static (int C, int H, int W) ImageShape(int[] shape) => shape.Length switch
    {
        3 => (shape[0], shape[1], shape[2]),
        2 => (1, shape[0], shape[1]),
        1 when (int)Math.Sqrt(shape[0]) is int s && s * s == shape[0] => (1, s, s),
        _ => (0, 0, 0),
    };
}
