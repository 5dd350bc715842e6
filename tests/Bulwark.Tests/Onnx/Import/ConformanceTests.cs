using Bulwark.Tools.OnnxConformance;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// Runs the ONNX backend test suites through the importer (as tools/OnnxConformance does) and
/// holds the line: no case that loads may disagree with its stored outputs.
/// </summary>
public sealed class ConformanceTests
{
    /// <summary>Each suite with the passes it must keep (all of pytorch-converted, pytorch-operator and light).</summary>
    public static TheoryData<string, int> Suites() => new()
    {
        { "node", 640 },
        { "pytorch-converted", 82 },
        { "pytorch-operator", 35 },
        { "simple", 7 },
        { "light", 9 },
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public void No_case_that_loads_disagrees_with_its_stored_outputs(string suite, int minimumPassed)
    {
        var cases = CaseDiscovery.Find(OnnxTestFiles.BackendTests(suite));
        Assert.NotEmpty(cases);
        var results = cases.Select(ConformanceRunner.Run).ToList();
        var failed = results.Where(r => r.Status == CaseStatus.Failed).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(f => $"{f.Suite}/{f.Name}: {f.Detail}")));
        int passed = results.Count(r => r.Status == CaseStatus.Passed);
        Assert.True(passed >= minimumPassed, $"{suite}: {passed} passed, expected at least {minimumPassed}");
    }
}
