using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>Validation every attack runs on what it is given, before touching the model.</summary>
public static class AttackInput
{
    /// <summary>
    /// Refuses a batch that does not fit the model (shape), labels out of range or of the wrong
    /// count, non-finite values, and values outside the model's input bounds.
    /// </summary>
    public static void Validate(IClassifier model, Tensor x, LongTensor labels, LongTensor? targets = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        var expected = model.InputShape;
        bool shapeOk = x.Rank == expected.Count + 1;
        for (int i = 0; shapeOk && i < expected.Count; i++)
            shapeOk = x.Shape[i + 1] == expected[i];
        if (!shapeOk)
            throw new BulwarkInputException($"inputs have shape [{string.Join(", ", x.Shape.ToArray())}] but the model takes [N, {string.Join(", ", expected)}]");
        int n = x.Shape[0];
        CheckLabels(labels, n, model.ClassCount, "labels");
        if (targets is not null)
        {
            CheckLabels(targets, n, model.ClassCount, "target classes");
            for (int i = 0; i < n; i++)
                if (targets.Data[i] == labels.Data[i])
                    throw new BulwarkInputException($"sample {i}: the target class {targets.Data[i]} is its true label");
        }
        var v = x.AsReadOnlySpan();
        int per = n == 0 ? 0 : v.Length / n;
        var b = model.Bounds;
        for (int i = 0; i < v.Length; i++)
        {
            if (!float.IsFinite(v[i]))
                throw new BulwarkInputException($"sample {i / per}, element {i % per}: {v[i]} is not finite");
            if (v[i] < b.Lower - 1e-6f || v[i] > b.Upper + 1e-6f)
                throw new BulwarkInputException($"sample {i / per}, element {i % per}: {v[i]} lies outside the model's input bounds {b}");
        }
    }

    /// <summary>Refuses a negative, NaN or infinite perturbation budget.</summary>
    public static void CheckEpsilon(float epsilon, string what = "epsilon")
    {
        if (!float.IsFinite(epsilon) || epsilon < 0)
            throw new BulwarkInputException($"{what} must be a finite number ≥ 0, got {epsilon}");
    }

    private static void CheckLabels(LongTensor labels, int n, int classes, string what)
    {
        if (labels.Rank != 1 || labels.Size != n)
            throw new BulwarkInputException($"{n} samples but {labels.Size} {what}");
        for (int i = 0; i < n; i++)
            if (labels.Data[i] < 0 || labels.Data[i] >= classes)
                throw new BulwarkInputException($"sample {i}: {what[..^1]} {labels.Data[i]} is outside [0, {classes}) for a {classes}-class model");
    }
}
