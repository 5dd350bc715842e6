namespace Bulwark.Engine.Nn;

/// <summary>Modules applied in order; children are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] layers;

    /// <summary>Chains the given modules.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = (Module[])layers.Clone();
        for (int i = 0; i < this.layers.Length; i++)
        {
            RegisterModule(IndexName(i), this.layers[i]);
        }
    }

    /// <summary>The number of layers.</summary>
    public int Count => layers.Length;

    /// <summary>The layer at a position.</summary>
    public Module this[int index] => layers[index];

    /// <inheritdoc />
    /// <remarks>
    /// In inference (nothing recorded) a ReLU applied to an intermediate result that this
    /// Sequential produced is done in place: no one else can see that buffer, and inference is
    /// memory-bound. A ReLU followed by max pooling runs after the pooling instead (the two
    /// commute: max(relu(a), relu(b)) = relu(max(a, b))), on a quarter of the data. The input's
    /// own storage is never written. Conv2d → ReLU → MaxPool2d runs as one fused op
    /// (<see cref="Tensor.Conv2dReluMaxPool"/>) that never stores the convolution's full output,
    /// unless activations are being captured; for a 3×3 stride-1 convolution that op may use
    /// Winograd's minimal filtering, whose results differ from a recorded pass in the last bits
    /// (<see cref="EngineSettings.WinogradConvolution"/>).
    /// </remarks>
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool inference = !Autograd.Tape.IsRecording;
        bool fuse = inference && !Autograd.ActivationCapture.IsActive;
        var h = x;
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            if (fuse && layer is Conv2d conv && i + 2 < layers.Length && layers[i + 1] is ReLU && layers[i + 2] is MaxPool2d convPool)
            {
                h = Tensor.Conv2dReluMaxPool(h, conv.Weight, conv.Bias, conv.Geometry, convPool.Geometry);
                i += 2;
                continue;
            }
            if (inference && layer is ReLU && i + 1 < layers.Length && layers[i + 1] is MaxPool2d pool)
            {
                h = pool.Forward(h);
                i++;
            }
            h = inference && layer is ReLU && !ReferenceEquals(h.storage, x.storage) && h.IsContiguous
                ? h.Relu_()
                : layer.Forward(h);
        }
        return h;
    }
}

/// <summary>
/// A residual connection y = f(x) + x (He et al. 2016), or f(x) + P(x) with a projection P (say a
/// strided 1×1 convolution) where f changes the shape. Children are "body" and "projection".
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="body"/> with an identity or projected shortcut.</summary>
    public Residual(Module body, Module? projection = null)
    {
        Body = RegisterModule("body", body);
        if (projection is not null)
        {
            Projection = RegisterModule("projection", projection);
        }
    }

    /// <summary>The residual branch f.</summary>
    public Module Body { get; }

    /// <summary>The shortcut projection; null for the identity.</summary>
    public Module? Projection { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var fx = Body.Forward(x);
        var shortcut = Projection is null ? x : Projection.Forward(x);
        if (!fx.Shape.SequenceEqual(shortcut.Shape))
        {
            throw new BulwarkInputException(
                $"Residual: the body's output {ShapeUtil.Format(fx.Shape)} differs from the shortcut's {ShapeUtil.Format(shortcut.Shape)}; give a projection.");
        }
        return fx.Add(shortcut);
    }
}
