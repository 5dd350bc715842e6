using Bulwark.Assessment;
using Bulwark.Defenses.Integrity;
using Bulwark.Tests.Onnx;

namespace Bulwark.Tests.Defenses.Integrity;

/// <summary>Models from the ONNX backend test suites are benign: the scan must raise nothing at Medium or above on them.</summary>
public sealed class CleanModelScanTests
{
    public static TheoryData<string> Suites() => new() { "pytorch-converted", "pytorch-operator", "simple", "light", "node" };

    [Theory]
    [MemberData(nameof(Suites))]
    public void Backend_test_models_raise_nothing_at_medium_or_above(string suite)
    {
        string folder = OnnxTestFiles.BackendTests(suite);
        var models = Directory.EnumerateFiles(folder, "*.onnx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(models.Count >= 8, $"{folder}: only {models.Count} models found");
        var alarms = models
            .Select(path => ModelFileScanner.Scan(path))
            .SelectMany(report => report.AtLeast(Severity.Medium).Select(f => $"{Path.GetRelativePath(folder, report.Path)}: {f.RuleId} at {f.Where}: {f.What}"))
            .ToList();
        Assert.True(alarms.Count == 0, $"{alarms.Count} findings at Medium or above:\n" + string.Join("\n", alarms.Take(40)));
    }
}
