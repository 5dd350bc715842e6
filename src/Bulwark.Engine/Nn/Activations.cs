namespace Bulwark.Engine.Nn;

/// <summary>max(x, 0) element-wise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Relu();
    }
}

/// <summary>x where x &gt; 0, else slope·x (PyTorch's default slope 0.01).</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module
{
    /// <summary>The slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.LeakyRelu(NegativeSlope);
    }
}

/// <summary>The exact GELU x·Φ(x) (Hendrycks &amp; Gimpel 2016), PyTorch's <c>approximate='none'</c>.</summary>
public sealed class GELU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Gelu();
    }
}

/// <summary>Hyperbolic tangent element-wise.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Tanh();
    }
}

/// <summary>Logistic sigmoid element-wise.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Sigmoid();
    }
}

/// <summary>Softmax along one axis (the last by default); see <see cref="Tensor.Softmax"/>.</summary>
public sealed class Softmax(int axis = -1) : Module
{
    /// <summary>The axis normalised over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Softmax(Axis);
    }
}

/// <summary>Log-softmax along one axis (the last by default); see <see cref="Tensor.LogSoftmax"/>.</summary>
public sealed class LogSoftmax(int axis = -1) : Module
{
    /// <summary>The axis normalised over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.LogSoftmax(Axis);
    }
}

/// <summary>Collapses axes <c>startAxis</c>..<c>endAxis</c> into one (by default all but the batch axis).</summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module
{
    /// <summary>First axis merged.</summary>
    public int StartAxis { get; } = startAxis;

    /// <summary>Last axis merged (inclusive).</summary>
    public int EndAxis { get; } = endAxis;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Flatten(StartAxis, EndAxis);
    }
}
