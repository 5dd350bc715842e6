using Bulwark.Engine;
using Bulwark.Engine.Autograd;

namespace Bulwark.Engine.Tests;

/// <summary>
/// Gradient checks against central finite differences computed in double precision: the
/// function is evaluated in float32, but the difference quotient and the comparison are
/// done in double, with a step large enough that float32 rounding stays below the tolerance.
/// </summary>
internal static class GradCheck
{
    /// <summary>A seeded tensor of uniform values in [lo, hi).</summary>
    public static Tensor Random(int seed, float lo, float hi, params int[] shape)
    {
        var rng = new Random(seed);
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = lo + ((hi - lo) * (float)rng.NextDouble());
        }
        return Tensor.FromArray(data, shape);
    }

    /// <summary>
    /// Checks the tape's gradient of sum(f(inputs) · w) (w a fixed random weighting, so every output
    /// element matters) against central differences, for every input element.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-2, double rtol = 2e-2, double atol = 2e-3)
    {
        foreach (var t in inputs)
        {
            t.RequiresGradient();
        }
        var outShape = f(inputs).Shape.ToArray();
        var w = Random(1234, -1f, 1f, outShape);
        Tensor Objective(Tensor[] xs) => f(xs).Mul(w).Sum();

        var analytic = Tape.Grad(Objective(inputs), inputs);
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            var g = analytic[k].ToArray();
            var values = x.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                double numeric = Central(xs => Objective(xs), inputs, k, i, values, eps);
                double err = Math.Abs(numeric - g[i]);
                Assert.True(err <= atol + (rtol * Math.Abs(numeric)),
                    $"input {k} element {i}: analytic {g[i]:G6}, numeric {numeric:G6} (shape [{string.Join(",", x.Shape.ToArray())}])");
            }
        }
    }

    /// <summary>Checks second-order gradients: the gradient of Σ w·∂f/∂x (via create-graph) against finite differences of the first gradient.</summary>
    public static void CheckSecondOrder(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-2, double rtol = 3e-2, double atol = 3e-3)
    {
        foreach (var t in inputs)
        {
            t.RequiresGradient();
        }
        var weights = inputs.Select((t, i) => Random(99 + i, -1f, 1f, t.Shape.ToArray())).ToArray();

        Tensor FirstOrderObjective(Tensor[] xs)
        {
            var grads = Tape.Grad(f(xs).Sum(), xs, createGraph: true);
            Tensor acc = grads[0].Mul(weights[0]).Sum();
            for (int i = 1; i < grads.Length; i++)
            {
                acc = acc.Add(grads[i].Mul(weights[i]).Sum());
            }
            return acc;
        }

        var analytic = Tape.Grad(FirstOrderObjective(inputs), inputs);
        for (int k = 0; k < inputs.Length; k++)
        {
            var g = analytic[k].ToArray();
            var values = inputs[k].ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                double numeric = Central(FirstOrderObjective, inputs, k, i, values, eps);
                double err = Math.Abs(numeric - g[i]);
                Assert.True(err <= atol + (rtol * Math.Abs(numeric)),
                    $"second order, input {k} element {i}: analytic {g[i]:G6}, numeric {numeric:G6}");
            }
        }
    }

    private static double Central(Func<Tensor[], Tensor> objective, Tensor[] inputs, int k, int i, float[] values, double eps)
    {
        double Eval(float v)
        {
            var copy = (float[])values.Clone();
            copy[i] = v;
            var xs = (Tensor[])inputs.Clone();
            xs[k] = Tensor.FromArray(copy, inputs[k].Shape.ToArray()).RequiresGradient();
            return objective(xs).Item();
        }
        double plus = Eval((float)(values[i] + eps));
        double minus = Eval((float)(values[i] - eps));
        double h = (double)(float)(values[i] + eps) - (double)(float)(values[i] - eps);
        return (plus - minus) / h;
    }
}
