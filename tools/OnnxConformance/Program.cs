using System.Text.Json;
using Bulwark.Tools.OnnxConformance;

// dotnet run -c Release --project tools/OnnxConformance -- <dir> [--json] [--filter text]
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
bool json = args.Contains("--json");
int filterAt = Array.IndexOf(args, "--filter");
string? filter = filterAt >= 0 && filterAt + 1 < args.Length ? args[filterAt + 1] : null;
if (filter is not null)
    positional.Remove(filter);
if (positional.Count != 1)
{
    Console.Error.WriteLine("usage: OnnxConformance <dir> [--json] [--filter text]");
    return 2;
}
IReadOnlyList<ConformanceCase> cases;
try
{
    cases = CaseDiscovery.Find(positional[0]);
}
catch (DirectoryNotFoundException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
if (filter is not null)
    cases = cases.Where(c => $"{c.Suite}/{c.Name}".Contains(filter, StringComparison.Ordinal)).ToList();

var results = new List<CaseResult>();
foreach (var c in cases)
{
    var r = ConformanceRunner.Run(c);
    results.Add(r);
    if (!json && r.Status != CaseStatus.Passed)
        Console.Error.WriteLine($"{r.Status.ToString().ToUpperInvariant(),-11} {r.Suite}/{r.Name}: {r.Detail}");
}
foreach (var g in results.GroupBy(r => r.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
    Console.Error.WriteLine($"{g.Key,-18} passed {g.Count(r => r.Status == CaseStatus.Passed),4}  failed {g.Count(r => r.Status == CaseStatus.Failed),4}  unsupported {g.Count(r => r.Status == CaseStatus.Unsupported),4}");
int passed = results.Count(r => r.Status == CaseStatus.Passed);
int failed = results.Count(r => r.Status == CaseStatus.Failed);
int unsupported = results.Count(r => r.Status == CaseStatus.Unsupported);
if (json)
{
    var doc = new
    {
        passed,
        failed,
        unsupported,
        cases = results.Select(r => new { suite = r.Suite, name = r.Name, status = r.Status.ToString().ToLowerInvariant(), detail = r.Detail }),
    };
    Console.Out.WriteLine(JsonSerializer.Serialize(doc));
}
else
{
    Console.Out.WriteLine($"{passed} passed, {failed} failed, {unsupported} unsupported");
}
return failed == 0 ? 0 : 1;
