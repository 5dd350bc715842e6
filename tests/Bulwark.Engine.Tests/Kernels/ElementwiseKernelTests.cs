using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Kernels;

/// <summary>Every vector length 0..256 against a scalar reference, contiguous and broadcast.</summary>
public class ElementwiseKernelTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<float, float, double> Reference)[] Binary =
    [
        ("add", (a, b) => a.Add(b), (x, y) => (double)x + y),
        ("sub", (a, b) => a.Sub(b), (x, y) => (double)x - y),
        ("mul", (a, b) => a.Mul(b), (x, y) => (double)x * y),
        ("div", (a, b) => a.Div(b), (x, y) => (double)x / y),
        ("max", (a, b) => a.Maximum(b), (x, y) => Math.Max(x, y)),
        ("min", (a, b) => a.Minimum(b), (x, y) => Math.Min(x, y)),
    ];

    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Reference, double Tol)[] Unary =
    [
        ("exp", a => a.Exp(), Math.Exp, 1e-6),
        ("log", a => a.Log(), Math.Log, 1e-6),
        ("sqrt", a => a.Sqrt(), Math.Sqrt, 1e-6),
        ("tanh", a => a.Tanh(), Math.Tanh, 1e-6),
        ("sigmoid", a => a.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), 1e-6),
        ("relu", a => a.Relu(), x => Math.Max(x, 0), 0),
        ("softplus", a => a.Softplus(), x => Math.Log(1 + Math.Exp(x)), 1e-6),
        ("erf", a => a.Erf(), SpecialFunctions.Erf, 1e-6),
        ("clamp", a => a.Clamp(0.5f, 1.5f), x => Math.Clamp(x, 0.5, 1.5), 0),
    ];

    [Fact]
    public void Binary_ops_match_the_scalar_reference_at_every_length()
    {
        for (int n = 0; n <= 256; n++)
        {
            var a = GradCheck.Random(n, 0.5f, 2f, n);
            var b = GradCheck.Random(n + 1000, 0.5f, 2f, n);
            var scalar = Tensor.Scalar(1.25f);
            var av = a.ToArray();
            var bv = b.ToArray();
            foreach (var (name, op, reference) in Binary)
            {
                var same = op(a, b).ToArray();
                var vs = op(a, scalar).ToArray();
                var sv = op(scalar, a).ToArray();
                for (int i = 0; i < n; i++)
                {
                    Close(reference(av[i], bv[i]), same[i], $"{name} n={n} i={i}");
                    Close(reference(av[i], 1.25f), vs[i], $"{name} vs n={n} i={i}");
                    Close(reference(1.25f, av[i]), sv[i], $"{name} sv n={n} i={i}");
                }
            }
        }
    }

    [Fact]
    public void Broadcast_rows_columns_and_strided_views_match_the_reference()
    {
        foreach (int n in new[] { 1, 3, 16, 17, 65 })
        {
            var a = GradCheck.Random(n, -1, 1, 5, n);
            var row = GradCheck.Random(n + 7, -1, 1, n);
            var col = GradCheck.Random(n + 9, -1, 1, 5, 1);
            var sum1 = a.Add(row);
            var sum2 = a.Mul(col);
            var sum3 = a.Transpose(0, 1).Sub(col.Reshape(1, 5));
            for (int i = 0; i < 5; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Close(a[i, j] + (double)row[j], sum1[i, j], "row");
                    Close(a[i, j] * (double)col[i, 0], sum2[i, j], "col");
                    Close(a[i, j] - (double)col[i, 0], sum3[j, i], "strided");
                }
            }
        }
    }

    [Fact]
    public void Unary_ops_match_the_scalar_reference_at_every_length()
    {
        for (int n = 0; n <= 256; n++)
        {
            var a = GradCheck.Random(n, 0.05f, 3f, n);
            var av = a.ToArray();
            foreach (var (name, op, reference, tol) in Unary)
            {
                var r = op(a).ToArray();
                for (int i = 0; i < n; i++)
                {
                    double expected = reference(av[i]);
                    Assert.True(Math.Abs(expected - r[i]) <= tol * Math.Max(1, Math.Abs(expected)) + 1e-7, $"{name} n={n} i={i}: {r[i]} vs {expected}");
                }
            }
        }
    }

    private static void Close(double expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");
}
