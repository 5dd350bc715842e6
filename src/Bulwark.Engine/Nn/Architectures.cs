namespace Bulwark.Engine.Nn;

/// <summary>The small reference networks that <c>bulwark train</c>, the tests and the benchmarks share.</summary>
public static class Architectures
{
    /// <summary>
    /// The reference CNN for 1×28×28 images: Conv2d(1→32, 3×3, pad 1) – ReLU – MaxPool 2 –
    /// Conv2d(32→64, 3×3, pad 1) – ReLU – MaxPool 2 – Flatten – Linear(3136→128) – ReLU –
    /// Linear(128→classes). Parameter names ("0.weight", …, "9.bias") match the same
    /// <c>nn.Sequential</c> in PyTorch.
    /// </summary>
    public static Sequential ReferenceCnn(Rng rng, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return new Sequential(
            new Conv2d(1, 32, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 7 * 7, 128, rng), new ReLU(), new Linear(128, classes, rng));
    }

    /// <summary>
    /// A multilayer perceptron: Flatten, then Linear–ReLU for each hidden width, then a Linear to
    /// the classes.
    /// </summary>
    public static Sequential Mlp(int inputs, IReadOnlyList<int> hidden, int classes, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(rng);
        var layers = new List<Module> { new Flatten() };
        int width = inputs;
        foreach (int h in hidden)
        {
            layers.Add(new Linear(width, h, rng));
            layers.Add(new ReLU());
            width = h;
        }
        layers.Add(new Linear(width, classes, rng));
        return new Sequential([.. layers]);
    }
}
