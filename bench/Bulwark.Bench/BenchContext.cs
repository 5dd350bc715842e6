using System.Globalization;
using System.Text;

namespace Bulwark.Bench;

/// <summary>What a case needs: a scratch folder shared with the peers, the thread count and the run count.</summary>
internal sealed record BenchContext(string Dir, int Threads, int RunsOverride)
{
    public int Runs(int defaultRuns) => RunsOverride > 0 ? RunsOverride : defaultRuns;
}

/// <summary>Median milliseconds of Bulwark and of each peer; null where a peer does not apply.</summary>
internal sealed record BenchResult(double BulwarkMs, double? PyTorchMs, double? OnnxRuntimeMs, string? Work = null)
{
    public string Describe(string name, int threads)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{name} ({threads} threads{(Work is null ? "" : ", " + Work)}): bulwark {BulwarkMs:F2} ms");
        if (PyTorchMs is { } p)
        {
            sb.Append(CultureInfo.InvariantCulture, $", pytorch {p:F2} ms (bulwark/pytorch time {BulwarkMs / p:F2}×)");
        }
        if (OnnxRuntimeMs is { } o)
        {
            sb.Append(CultureInfo.InvariantCulture, $", onnxruntime {o:F2} ms (bulwark/onnxruntime time {BulwarkMs / o:F2}×)");
        }
        return sb.ToString();
    }
}
