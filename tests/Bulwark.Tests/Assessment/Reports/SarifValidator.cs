using System.Diagnostics;
using System.Text.Json;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>
/// Runs Microsoft's SARIF validator (<c>Sarif.Multitool validate</c>, installed into .tools/ by
/// scripts/test-tools.sh) on a log and reads back what it found. A missing validator fails the test.
/// </summary>
internal static class SarifValidator
{
    /// <summary>One problem the validator reported: its rule, effective level and message arguments.</summary>
    public sealed record Problem(string RuleId, string Level, string Detail)
    {
        public override string ToString() => $"{Level} {RuleId}: {Detail}";
    }

    /// <summary>The validator's findings and the notifications about its own run.</summary>
    public sealed record Log(IReadOnlyList<Problem> Results, IReadOnlyList<Problem> Notifications);

    /// <summary>Where scripts/test-tools.sh puts the validator.</summary>
    public static string ToolPath() =>
        Path.Combine(ReportAssert.RepoRoot(), ".tools", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");

    /// <summary>Validates <paramref name="sarif"/> and returns what the validator said.</summary>
    public static Log Validate(string sarif)
    {
        string tool = ToolPath();
        Assert.True(File.Exists(tool), $"the SARIF validator is not installed at {tool}: run scripts/test-tools.sh");
        var folder = Directory.CreateTempSubdirectory("bulwark-sarif-");
        try
        {
            string input = Path.Combine(folder.FullName, "report.sarif");
            string output = Path.Combine(folder.FullName, "validation.sarif");
            File.WriteAllText(input, sarif);
            var start = new ProcessStartInfo(tool)
            {
                ArgumentList = { "validate", input, "--output", output },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // The validator is a self-contained .NET program: without this it needs ICU installed.
            start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the SARIF validator did not finish in two minutes");
            Assert.True(File.Exists(output), $"the SARIF validator wrote nothing (exit {process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
            return Read(File.ReadAllText(output));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Log Read(string validation)
    {
        using var doc = JsonDocument.Parse(validation);
        var results = new List<Problem>();
        var notifications = new List<Problem>();
        foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
        {
            var rules = run.GetProperty("tool").GetProperty("driver").TryGetProperty("rules", out var r) ? r.EnumerateArray().ToArray() : [];
            foreach (var result in run.TryGetProperty("results", out var rs) ? rs.EnumerateArray() : default)
            {
                string ruleId = result.GetProperty("ruleId").GetString()!;
                results.Add(new Problem(ruleId, EffectiveLevel(result, rules.FirstOrDefault(x => x.GetProperty("id").GetString() == ruleId)), Detail(result)));
            }
            foreach (var invocation in run.TryGetProperty("invocations", out var inv) ? inv.EnumerateArray() : default)
            {
                foreach (string kind in new[] { "toolExecutionNotifications", "toolConfigurationNotifications" })
                {
                    foreach (var n in invocation.TryGetProperty(kind, out var ns) ? ns.EnumerateArray() : default)
                        notifications.Add(new Problem(kind, n.TryGetProperty("level", out var l) ? l.GetString()! : "warning", Detail(n)));
                }
            }
        }
        return new Log(results, notifications);
    }

    /// <summary>SARIF's rule: the result's level, else the rule's default level, else warning.</summary>
    private static string EffectiveLevel(JsonElement result, JsonElement rule)
    {
        if (result.TryGetProperty("level", out var level))
            return level.GetString()!;
        if (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("defaultConfiguration", out var config) && config.TryGetProperty("level", out var ruleLevel))
            return ruleLevel.GetString()!;
        return "warning";
    }

    private static string Detail(JsonElement item)
    {
        var message = item.GetProperty("message");
        if (message.TryGetProperty("text", out var text))
            return text.GetString()!;
        return message.TryGetProperty("arguments", out var args) ? string.Join(" | ", args.EnumerateArray().Select(a => a.GetString())) : message.GetRawText();
    }
}
