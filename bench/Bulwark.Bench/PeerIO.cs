using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Bench;

/// <summary>
/// Exchanges arrays with the Python peers (raw little-endian float32 files plus a JSON manifest)
/// and runs them with Debian's Python, installing python3-torch with apt when it is missing.
/// </summary>
internal static class PeerIO
{
    public const string Python = "/usr/bin/python3";

    public static void WriteArrays(string dir, IReadOnlyDictionary<string, (float[] Data, int[] Shape)> arrays)
    {
        Directory.CreateDirectory(dir);
        var manifest = new JsonObject();
        foreach (var (name, (data, shape)) in arrays)
        {
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(Path.Combine(dir, name + ".bin"), bytes);
            manifest[name] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray());
        }
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
    }

    public static float[] ReadArray(string dir, string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(dir, name + ".bin"));
        var data = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        return data;
    }

    /// <summary>Runs bench/peers/&lt;case&gt;.py and returns the median milliseconds it reports.</summary>
    public static double RunPeer(string benchCase, string dir, int threads, int warmup, int runs)
    {
        EnsureTorch();
        string script = Path.Combine(RepoRoot(), "bench", "peers", benchCase + ".py");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, dir, threads.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture), runs.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        psi.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        // PyTorch allocates each step's tensors afresh. With glibc's defaults, blocks over 128 KiB
        // are mapped and unmapped every time and freed heap is given back to the system, so each
        // step faults its memory in again: the training step measured 58–320 ms that way against
        // 25–30 ms with both turned off, as the usual advice for PyTorch on CPU (jemalloc, or these
        // tunables) has it. The peer runs at its best.
        psi.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";
        if (BestOpenBlasCore() is { } core)
        {
            string? inherited = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
            if (inherited is not null && !inherited.Equals(core, StringComparison.OrdinalIgnoreCase) && !coreNoted)
            {
                Console.Error.WriteLine($"bench: OPENBLAS_CORETYPE={inherited} from the environment is replaced by {core} for the PyTorch peer: this machine has AVX-512, and the peer runs at its best.");
                coreNoted = true;
            }
            psi.Environment["OPENBLAS_CORETYPE"] = core;
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + Python);
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"peer {benchCase}.py failed ({p.ExitCode}): {stderr.Result}");
        }
        var last = stdout.Trim().Split('\n')[^1];
        using var doc = JsonDocument.Parse(last);
        return doc.RootElement.GetProperty("ms").GetDouble();
    }

    /// <summary>
    /// The OpenBLAS kernel set the peer should run, or null to leave OpenBLAS's own choice.
    /// Debian 12's OpenBLAS (0.3.21) does not know AMD's Zen 4 and Zen 5 and falls back to its
    /// AVX2 "Haswell" kernels there (as it does when OPENBLAS_CORETYPE=Haswell is set, which this
    /// workplace's shells do), which measured 13 ms for the 1024³ product against 7.1 ms with its
    /// AVX-512 "SkylakeX" kernels on this machine's Zen 5. The peer runs at its best, so on a
    /// machine with the AVX-512 subsets those kernels use, the harness asks for them; the results
    /// are still checked against Bulwark's.
    /// </summary>
    internal static string? BestOpenBlasCore() =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
        && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported
            ? "SkylakeX"
            : null;

    private static bool torchChecked;

    private static bool coreNoted;

    private static void EnsureTorch()
    {
        if (torchChecked)
        {
            return;
        }
        if (Run(Python, "-c \"import torch, onnx\"") != 0)
        {
            Console.Error.WriteLine("bench: installing the peers (python3-torch, libopenblas0-pthread, python3-onnx) with apt-get…");
            Run("apt-get", "update -qq");
            if (Run("apt-get", "install -y -qq python3-torch libopenblas0-pthread python3-onnx") != 0)
            {
                throw new InvalidOperationException("could not install python3-torch with apt-get (run as root, or install it yourself)");
            }
        }
        torchChecked = true;
    }

    private static int Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Bulwark.slnx)");
    }

    /// <summary>Largest |a − b| relative to the largest |b|.</summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = 0; i < a.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - b[i]));
            maxRef = Math.Max(maxRef, Math.Abs(b[i]));
        }
        return maxDiff / maxRef;
    }
}
