using Bulwark.Attacks.Evasion;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Bench;

/// <summary>
/// `pgd`: PGD-10 L∞ (ε = 0.1, step 2.5ε/10, no random start) on the reference CNN at batch 128,
/// Bulwark's attack through its white-box adapter against the same loop in PyTorch with frozen
/// weights. The adversarial batches are compared before timing.
/// </summary>
internal static class PgdCase
{
    private const int Batch = 128;

    public static BenchResult Run(BenchContext ctx)
    {
        var rng = new Rng(2024);
        var net = Architectures.ReferenceCnn(rng);
        var x = Tensor.Rand(rng, Batch, 1, 28, 28);
        var y = new LongTensor(Enumerable.Range(0, Batch).Select(_ => (long)rng.NextInt(10)).ToArray(), Batch);
        var arrays = new Dictionary<string, (float[], int[])>
        {
            ["x"] = (x.ToArray(), [Batch, 1, 28, 28]),
            ["y"] = (y.ToFloat().ToArray(), [Batch]),
        };
        foreach (var (name, p) in net.NamedParameters())
            arrays[name] = (p.ToArray(), p.Shape.ToArray());
        PeerIO.WriteArrays(ctx.Dir, arrays);

        var model = new EngineClassifier(net, [1, 28, 28], 10);
        var attack = new Pgd(new PgdOptions { Epsilon = 0.1f, Steps = 10, RandomStart = false, BatchSize = Batch });
        var adv = attack.Run(model, x, y).Adversarial.ToArray();
        int runs = ctx.Runs(10);
        double bulwark = Timing.MedianMs(() => attack.Run(model, x, y), warmup: 2, runs);
        double torch = PeerIO.RunPeer("pgd", ctx.Dir, ctx.Threads, warmup: 2, runs);

        // Sign steps flip where a gradient element is within rounding of zero, so compare the share
        // of elements that agree rather than a norm.
        var theirs = PeerIO.ReadArray(ctx.Dir, "torch_adv");
        int differ = 0;
        for (int i = 0; i < adv.Length; i++)
            differ += Math.Abs(adv[i] - theirs[i]) > 1e-4f ? 1 : 0;
        if (differ > adv.Length / 100)
            throw new InvalidOperationException($"pgd: {differ} of {adv.Length} adversarial pixels differ from PyTorch's, so the timings would not compare the same work");
        return new BenchResult(bulwark, torch, null, $"batch {Batch}, 10 steps, {differ} of {adv.Length} pixels differ from PyTorch");
    }
}
