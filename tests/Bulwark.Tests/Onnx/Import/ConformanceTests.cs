using Bulwark.Tools.OnnxConformance;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// Runs the ONNX backend test suites through the importer (as tools/OnnxConformance does) and
/// holds the line: no case that loads may disagree with its stored outputs.
/// </summary>
public sealed class ConformanceTests
{
    public static TheoryData<string> Suites() => ["node", "pytorch-converted", "pytorch-operator", "simple", "light"];

    [Theory]
    [MemberData(nameof(Suites))]
    public void No_case_that_loads_disagrees_with_its_stored_outputs(string suite)
    {
        var cases = CaseDiscovery.Find(OnnxTestFiles.BackendTests(suite));
        Assert.NotEmpty(cases);
        var failed = cases.Select(ConformanceRunner.Run).Where(r => r.Status == CaseStatus.Failed).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(f => $"{f.Suite}/{f.Name}: {f.Detail}")));
    }
}
