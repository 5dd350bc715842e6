using Bulwark.Attacks.Evasion;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Onnx;
using Bulwark.Tests.Models;
using Bulwark.Tests.Onnx;
using Xunit.Abstractions;

namespace Bulwark.Tests.Attacks.Evasion;

/// <summary>
/// Square and HopSkipJump against the digits CNN exported to ONNX and served two ways, ONNX
/// Runtime in-process and a KServe v2 HTTP endpoint: the same success as against the engine model.
/// </summary>
public sealed class BlackBoxServedModelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Count = 8;
    private const int MaxQueries = 600;
    private readonly OnnxTestFiles files = new();
    private string modelPath = "";
    private KServeTestServer server = null!;

    public async Task InitializeAsync()
    {
        modelPath = Path.Combine(files.Folder, "digits-cnn.onnx");
        OnnxExporter.Save(TrainedModels.DigitsCnn().Model, [1, 8, 8], modelPath);
        server = await KServeTestServer.StartAsync(modelPath, "digits");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        files.Dispose();
    }

    private static EvasionAttack[] Attacks() =>
    [
        new SquareAttack(new SquareAttackOptions { Epsilon = 0.2f, MaxQueries = MaxQueries }),
        new HopSkipJump(new HopSkipJumpOptions { MaxQueries = MaxQueries }),
    ];

    private void AssertSameAsInProcess(IClassifier served, string how)
    {
        var (x, y) = TrainedModels.CorrectlyClassified(TrainedModels.DigitsCnn(), Count);
        var inProcess = Attacks().Select(a => a.Run(new BlackBoxAttackTests.PredictOnly(TrainedModels.DigitsCnn()), x, y)).ToArray();
        var counted = new QueryCountingClassifier(served, Count * MaxQueries * 2L);
        var remote = Attacks().Select(a => a.Run(counted, x, y)).ToArray();
        for (int k = 0; k < remote.Length; k++)
        {
            var (here, there) = (inProcess[k], remote[k]);
            output.WriteLine($"{how} {there.Attack}: success {there.SuccessRate:P0} (in-process {here.SuccessRate:P0}), median L2 {there.MedianOverSuccesses(there.L2):F3} ({here.MedianOverSuccesses(here.L2):F3}), {there.Queries} queries, {there.Elapsed.TotalSeconds:F1}s");
            Assert.Equal(here.SuccessRate, there.SuccessRate);
            Assert.All(there.QueriesPerSample!, q => Assert.InRange(q, 1, MaxQueries));
            Assert.InRange(there.MedianOverSuccesses(there.L2), 0.8 * here.MedianOverSuccesses(here.L2), 1.25 * here.MedianOverSuccesses(here.L2));
        }
        Assert.Equal(remote.Sum(r => r.Queries), counted.Queries);
        Assert.Equal(1.0, remote[0].SuccessRate);
        Assert.Equal(1.0, remote[1].SuccessRate);
    }

    [Fact]
    public void Attacks_through_onnx_runtime_match_the_engine_model()
    {
        using var served = new OnnxRuntimeClassifier(modelPath);
        AssertSameAsInProcess(served, "onnxruntime");
    }

    [Fact]
    public async Task Attacks_through_a_kserve_endpoint_match_the_engine_model()
    {
        using var served = await KServeClassifier.ConnectAsync(new KServeClassifierOptions
        {
            BaseAddress = server.BaseAddress,
            ModelName = "digits",
            MaxBatchSize = 1024,
        });
        AssertSameAsInProcess(served, "kserve");
        output.WriteLine($"kserve: {server.InferRequests} infer requests");
    }
}
