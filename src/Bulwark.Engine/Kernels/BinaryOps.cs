using System.Numerics.Tensors;

namespace Bulwark.Engine.Kernels;

internal readonly struct AddOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);

    public static float Apply(float x, float y) => x + y;
}

internal readonly struct SubOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);

    public static float Apply(float x, float y) => x - y;
}

internal readonly struct MulOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);

    public static float Apply(float x, float y) => x * y;
}

internal readonly struct DivOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);

    public static float Apply(float x, float y) => x / y;
}

internal readonly struct MaxOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);

    public static float Apply(float x, float y) => MathF.Max(x, y);
}

internal readonly struct MinOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);

    public static float Apply(float x, float y) => MathF.Min(x, y);
}

internal readonly struct PowOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Pow(x, y, d);

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);

    public static float Apply(float x, float y) => MathF.Pow(x, y);
}

/// <summary>1 where x &gt; y, else 0.</summary>
internal readonly struct GreaterOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] > y[i] ? 1f : 0f;
        }
    }

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] > y ? 1f : 0f;
        }
    }

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x > y[i] ? 1f : 0f;
        }
    }

    public static float Apply(float x, float y) => x > y ? 1f : 0f;
}

/// <summary>1 where x == y, else 0.</summary>
internal readonly struct EqualOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] == y[i] ? 1f : 0f;
        }
    }

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] == y ? 1f : 0f;
        }
    }

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Apply(y, x, d);

    public static float Apply(float x, float y) => x == y ? 1f : 0f;
}

/// <summary>1 where x ≥ y, else 0.</summary>
internal readonly struct GreaterOrEqualOp : IBinaryOp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] >= y[i] ? 1f : 0f;
        }
    }

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] >= y ? 1f : 0f;
        }
    }

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x >= y[i] ? 1f : 0f;
        }
    }

    public static float Apply(float x, float y) => x >= y ? 1f : 0f;
}
