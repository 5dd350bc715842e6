using Bulwark.Engine.Kernels;

namespace Bulwark.Bench;

/// <summary>1024×1024×1024 SGEMM: Bulwark's kernel against PyTorch's torch.mm (OpenBLAS) on the same matrices.</summary>
internal static class GemmCase
{
    private const int N = 1024;

    public static BenchResult Run(BenchContext ctx)
    {
        var rng = new Random(42);
        var a = new float[N * N];
        var b = new float[N * N];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2) - 1);
            b[i] = (float)((rng.NextDouble() * 2) - 1);
        }
        var c = new float[N * N];
        PeerIO.WriteArrays(ctx.Dir, new Dictionary<string, (float[], int[])> { ["a"] = (a, [N, N]), ["b"] = (b, [N, N]) });

        int runs = ctx.Runs(15);
        double bulwark = Timing.MedianMs(() => Gemm.Sgemm(false, false, N, N, N, 1f, a, N, b, N, 0f, c, N), warmup: 3, runs);
        double torch = PeerIO.RunPeer("gemm", ctx.Dir, ctx.Threads, warmup: 3, runs);
        double err = PeerIO.RelativeError(c, PeerIO.ReadArray(ctx.Dir, "torch_c"));
        if (err > 1e-4)
        {
            throw new InvalidOperationException($"gemm: Bulwark and PyTorch disagree (relative error {err:G3})");
        }
        double gflop = 2.0 * N * N * N / 1e9;
        return new BenchResult(bulwark, torch, null, $"bulwark {gflop / (bulwark / 1000):F0} GFLOP/s, pytorch {gflop / (torch / 1000):F0} GFLOP/s");
    }
}
