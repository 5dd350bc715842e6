using Bulwark.Engine.Kernels;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Autograd;

/// <summary>
/// Per-sample gradients of a batch in one forward and one backward pass, the way DP-SGD needs
/// them to clip each sample's contribution (Abadi et al., <i>Deep Learning with Differential
/// Privacy</i>, CCS 2016; the layer-wise outer-product method of Goodfellow, <i>Efficient
/// Per-Example Gradient Computations</i>, 2015, as in Opacus). The layers' inputs are captured
/// during the forward pass and the gradients of the per-sample losses with respect to the
/// layers' outputs are taken once; each parameter's per-sample gradient is then a batched
/// product of the two: gyᵀ·x for <see cref="Linear"/>, the per-sample weight correlation for
/// <see cref="Conv2d"/>. Networks must be free of layers that mix samples (BatchNorm) and their
/// parameters must all belong to Linear or Conv2d layers.
/// </summary>
public static class PerSampleGradients
{
    /// <summary>
    /// Computes, for every parameter of <paramref name="model"/>, a tensor [N, …parameter shape]
    /// whose row n is the gradient of the loss of sample n alone.
    /// </summary>
    /// <param name="model">A BatchNorm-free network whose parameters live in Linear and Conv2d layers.</param>
    /// <param name="x">The batch [N, …].</param>
    /// <param name="perSampleLoss">Maps the model's output to the vector [N] of per-sample losses.</param>
    /// <returns>(name, parameter, per-sample gradients) in <see cref="Module.NamedParameters"/> order.</returns>
    public static IReadOnlyList<(string Name, Tensor Parameter, Tensor PerSample)> Compute(Module model, Tensor x, Func<Tensor, Tensor> perSampleLoss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(perSampleLoss);
        foreach (var (name, m) in model.NamedModules())
        {
            if (m is BatchNorm1d or BatchNorm2d)
            {
                throw new BulwarkInputException($"Per-sample gradients: layer '{name}' mixes the samples of a batch (BatchNorm); per-sample gradients need a network without it.");
            }
            if (m is not Linear and not Conv2d && !m.NamedChildren().Any() && m.Parameters().Any())
            {
                throw new BulwarkInputException($"Per-sample gradients: layer '{name}' ({m.GetType().Name}) is not supported; parameters must belong to Linear or Conv2d layers.");
            }
        }
        int n = x.Dim(0);

        List<ActivationCapture.Record> records;
        Tensor losses;
        using (var capture = ActivationCapture.Begin())
        {
            losses = perSampleLoss(model.Forward(x));
            records = capture.Records;
        }
        if (losses.Rank != 1 || losses.Dim(0) != n)
        {
            throw new BulwarkInputException($"Per-sample gradients: the loss must be a vector of {n} per-sample values, got shape {ShapeUtil.Format(losses.Shape)}.");
        }
        var outputGrads = Tape.Grad(losses.Sum(), records.Select(r => r.Output).ToList());

        var perParameter = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using (Tape.NoGrad())
        {
            for (int i = 0; i < records.Count; i++)
            {
                var (module, input, _) = records[i];
                foreach (var (parameter, grad) in LayerGradients(module, input, outputGrads[i], n))
                {
                    perParameter[parameter] = perParameter.TryGetValue(parameter, out var acc) ? acc.Add(grad) : grad;
                }
            }
        }

        var result = new List<(string, Tensor, Tensor)>();
        foreach (var (name, p) in model.NamedParameters())
        {
            result.Add((name, p, perParameter.TryGetValue(p, out var g) ? g : Tensor.Zeros([n, .. p.Shape.ToArray()])));
        }
        return result;
    }

    private static IEnumerable<(Tensor Parameter, Tensor Grad)> LayerGradients(Module module, Tensor input, Tensor gy, int n)
    {
        switch (module)
        {
            case Linear linear:
            {
                var x3 = input.Reshape(n, -1, linear.InFeatures);
                var g3 = gy.Reshape(n, -1, linear.OutFeatures);
                yield return (linear.Weight, g3.Transpose(1, 2).MatMul(x3));
                if (linear.Bias is { } b)
                {
                    yield return (b, g3.Sum(1));
                }
                break;
            }
            case Conv2d conv:
            {
                yield return (conv.Weight, ConvPerSampleWeightGrad(input, gy, conv));
                if (conv.Bias is { } b)
                {
                    yield return (b, gy.Sum([2, 3]));
                }
                break;
            }
            default:
                throw new InvalidOperationException($"no per-sample rule for {module.GetType().Name}");
        }
    }

    private static Tensor ConvPerSampleWeightGrad(Tensor input, Tensor gy, Conv2d conv)
    {
        var x = input.Contiguous();
        var g = gy.Contiguous();
        var wShape = conv.Weight.Shape.ToArray();
        var one = new Conv2dShape(1, x.Dim(1), x.Dim(2), x.Dim(3), wShape[0], wShape[2], wShape[3], conv.Geometry);
        int n = x.Dim(0);
        int xSize = x.Size / n;
        int gSize = g.Size / n;
        int wSize = ShapeUtil.Product(wShape);
        var result = new float[n * wSize];
        var xs = x.storage.AsMemory(x.offset, x.Size);
        var gs = g.storage.AsMemory(g.offset, g.Size);
        for (int i = 0; i < n; i++)
        {
            Conv2dKernels.WeightGrad(xs.Slice(i * xSize, xSize), gs.Slice(i * gSize, gSize), result.AsMemory(i * wSize, wSize), one);
        }
        return Tensor.FromArray(result, [n, .. wShape]);
    }
}

/// <summary>
/// Records the input and output of every <see cref="Linear"/> and <see cref="Conv2d"/> forward
/// call on this thread while a capture is open; <see cref="PerSampleGradients"/> opens one for
/// the length of a single forward pass.
/// </summary>
internal sealed class ActivationCapture : IDisposable
{
    [ThreadStatic]
    private static ActivationCapture? current;

    private readonly ActivationCapture? previous;

    private ActivationCapture(ActivationCapture? previous) => this.previous = previous;

    internal readonly record struct Record(Module Module, Tensor Input, Tensor Output);

    public List<Record> Records { get; } = [];

    public static ActivationCapture Begin() => current = new ActivationCapture(current);

    /// <summary>Whether layers on this thread are being captured (fused inference paths must then not skip their outputs).</summary>
    public static bool IsActive => current is not null;

    /// <summary>Called by the capturable layers after their forward computation.</summary>
    public static void Add(Module module, Tensor input, Tensor output) => current?.Records.Add(new Record(module, input, output));

    public void Dispose() => current = previous;
}
