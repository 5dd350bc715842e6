using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Engine.Training;
using Microsoft.ML.OnnxRuntime;
using Tensor = Bulwark.Engine.Tensor;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace Bulwark.Bench;

/// <summary>
/// The reference CNN at batch 128: inference (`cnn-forward`, against PyTorch and ONNX Runtime)
/// and one training step (`cnn-train-step`: forward, cross-entropy, backward, SGD step, against
/// PyTorch). All three run the same weights and inputs; outputs are compared before timing.
/// </summary>
internal static class CnnCases
{
    private const int Batch = 128;

    private static (Sequential Model, Tensor X, LongTensor Y) Setup(BenchContext ctx)
    {
        var rng = new Rng(2024);
        var model = Architectures.ReferenceCnn(rng);
        var x = Tensor.Rand(rng, Batch, 1, 28, 28);
        var y = new LongTensor(Enumerable.Range(0, Batch).Select(_ => (long)rng.NextInt(10)).ToArray(), Batch);
        var arrays = new Dictionary<string, (float[], int[])>
        {
            ["x"] = (x.ToArray(), [Batch, 1, 28, 28]),
            ["y"] = (y.ToFloat().ToArray(), [Batch]),
        };
        foreach (var (name, p) in model.NamedParameters())
        {
            arrays[name] = (p.ToArray(), p.Shape.ToArray());
        }
        PeerIO.WriteArrays(ctx.Dir, arrays);
        return (model, x, y);
    }

    public static BenchResult Forward(BenchContext ctx)
    {
        var (model, x, _) = Setup(ctx);
        model.Eval();
        int runs = ctx.Runs(20);
        Tensor logits;
        using (Tape.NoGrad())
        {
            logits = model.Forward(x);
        }
        double torch = PeerIO.RunPeer("cnn-forward", ctx.Dir, ctx.Threads, warmup: 5, runs);
        Check("cnn-forward vs pytorch", logits.ToArray(), PeerIO.ReadArray(ctx.Dir, "torch_logits"), 1e-4);

        var input = new DenseTensor(x.ToArray(), [Batch, 1, 28, 28]);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor("x", input) };
        // Bulwark and ONNX Runtime share this process, so they are timed in alternating rounds: a
        // change in the machine's load during the measurement then falls on both. Each ONNX Runtime
        // round has a session of its own, disposed before Bulwark's next round, because its worker
        // threads go on spinning after a run (which makes it fast) and would take a core from
        // whatever runs next.
        const int Rounds = 4;
        int perRound = (runs + Rounds - 1) / Rounds;
        var bulwarkTimes = new List<double>();
        var ortTimes = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            bulwarkTimes.AddRange(Timing.RunsMs(() =>
            {
                using var scope = Tape.NoGrad();
                using var arena = TensorArena.Begin();
                model.Forward(x);
            }, warmup: 5, perRound, round == 0 ? Timing.WarmUpSeconds : 0.25));
            using var options = new SessionOptions { IntraOpNumThreads = ctx.Threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(Path.Combine(ctx.Dir, "model.onnx"), options);
            if (round == 0)
            {
                using var first = session.Run(feeds);
                Check("cnn-forward vs onnxruntime", logits.ToArray(), first.First().AsEnumerable<float>().ToArray(), 1e-4);
            }
            ortTimes.AddRange(Timing.RunsMs(() =>
            {
                using var r = session.Run(feeds);
            }, warmup: 5, perRound, round == 0 ? Timing.WarmUpSeconds : 0.25));
        }
        double bulwark = Timing.Median(bulwarkTimes);
        double ort = Timing.Median(ortTimes);
        return new BenchResult(bulwark, torch, ort, $"batch {Batch}");
    }

    public static BenchResult TrainStep(BenchContext ctx)
    {
        var (model, x, y) = Setup(ctx);
        model.Train();
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.01f), new TrainerOptions());
        double Step() => trainer.Step(x, y).Loss;

        float firstLoss = (float)Step();
        var w0 = model.Parameters().First().ToArray();
        int runs = ctx.Runs(15);
        double bulwark = Timing.MedianMs(() => Step(), warmup: 3, runs);
        double torch = PeerIO.RunPeer("cnn-train-step", ctx.Dir, ctx.Threads, warmup: 3, runs);
        Check("cnn-train-step loss vs pytorch", [firstLoss], PeerIO.ReadArray(ctx.Dir, "torch_loss"), 1e-4);
        Check("cnn-train-step updated weights vs pytorch", w0, PeerIO.ReadArray(ctx.Dir, "torch_w0_after"), 1e-4);
        return new BenchResult(bulwark, torch, null, $"batch {Batch}, SGD");
    }

    private static void Check(string what, ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs, double tolerance)
    {
        if (ours.Length != theirs.Length)
        {
            throw new InvalidOperationException($"{what}: {ours.Length} values against {theirs.Length}");
        }
        double err = PeerIO.RelativeError(ours, theirs);
        if (err > tolerance)
        {
            throw new InvalidOperationException($"{what}: results disagree (relative error {err:G3}), so the timings would not compare the same work");
        }
    }
}
