using System.Globalization;
using System.Text.Json;
using Bulwark.Bench;
using Bulwark.Engine;

// bulwark bench: dotnet run -c Release --project bench/Bulwark.Bench -- <case|all> [--json] [--threads N] [--runs R]
var cases = new Dictionary<string, Func<BenchContext, BenchResult>>(StringComparer.Ordinal)
{
    ["gemm"] = GemmCase.Run,
    ["cnn-forward"] = CnnCases.Forward,
    ["cnn-train-step"] = CnnCases.TrainStep,
    ["pgd"] = PgdCase.Run,
};

var selected = new List<string>();
bool json = false;
int threads = Environment.ProcessorCount;
int runs = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--json":
            json = true;
            break;
        case "--threads" when i + 1 < args.Length:
            threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs" when i + 1 < args.Length:
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "all":
            selected.AddRange(cases.Keys);
            break;
        default:
            if (!cases.ContainsKey(args[i]))
            {
                Console.Error.WriteLine($"unknown case '{args[i]}'; cases: {string.Join(", ", cases.Keys)}, all");
                return 2;
            }
            selected.Add(args[i]);
            break;
    }
}
if (selected.Count == 0)
{
    Console.Error.WriteLine($"usage: Bulwark.Bench <case|all> [--json] [--threads N] [--runs R]; cases: {string.Join(", ", cases.Keys)}");
    return 2;
}

EngineSettings.Threads = threads;
foreach (var name in selected)
{
    string dir = Path.Combine(Path.GetTempPath(), $"bulwark-bench-{name}-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    try
    {
        var result = cases[name](new BenchContext(dir, threads, runs));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["case"] = name,
                ["threads"] = threads,
                ["bulwark_ms"] = Math.Round(result.BulwarkMs, 3),
                ["pytorch_ms"] = result.PyTorchMs is { } p ? Math.Round(p, 3) : null,
                ["onnxruntime_ms"] = result.OnnxRuntimeMs is { } o ? Math.Round(o, 3) : null,
            }));
        }
        else
        {
            Console.WriteLine(result.Describe(name, threads));
        }
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}
return 0;
