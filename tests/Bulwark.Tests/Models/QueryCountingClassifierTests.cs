using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Tests.Models;

public sealed class QueryCountingClassifierTests
{
    /// <summary>A uniform two-class model that counts the samples it really evaluated.</summary>
    private sealed class UniformModel : IClassifier
    {
        private long evaluated;

        public long Evaluated => Interlocked.Read(ref evaluated);

        public IReadOnlyList<int> InputShape { get; } = [2];

        public int ClassCount => 2;

        public InputBounds Bounds => InputBounds.Unit;

        public Tensor PredictProba(Tensor batch)
        {
            Interlocked.Add(ref evaluated, batch.Dim(0));
            return Tensor.Full(0.5f, batch.Dim(0), 2);
        }
    }

    [Fact]
    public void Counts_samples_and_calls_and_passes_results_through()
    {
        var inner = new UniformModel();
        var counted = new QueryCountingClassifier(inner);
        Assert.Equal([2], counted.InputShape);
        Assert.Equal(2, counted.ClassCount);
        var p = counted.PredictProba(Tensor.Zeros(3, 2));
        counted.PredictProba(Tensor.Zeros(5, 2));
        Assert.Equal([3, 2], p.Shape.ToArray());
        Assert.Equal(8, counted.Queries);
        Assert.Equal(2, counted.Calls);
        Assert.Equal(8, inner.Evaluated);
        Assert.Null(counted.Remaining);
    }

    [Fact]
    public void A_call_past_the_budget_is_refused_before_the_model_is_queried()
    {
        var inner = new UniformModel();
        var counted = new QueryCountingClassifier(inner, budget: 10);
        counted.PredictProba(Tensor.Zeros(4, 2));
        counted.PredictProba(Tensor.Zeros(4, 2));
        var refused = Assert.Throws<QueryBudgetExceededException>(() => counted.PredictProba(Tensor.Zeros(3, 2)));
        Assert.Equal((10L, 8L, 3L), (refused.Budget, refused.Used, refused.Requested));
        Assert.Equal(8, inner.Evaluated);
        Assert.Equal(8, counted.Queries);
        Assert.Equal(2, counted.Calls);
        counted.PredictProba(Tensor.Zeros(2, 2));
        Assert.Equal(0, counted.Remaining);
        Assert.Throws<QueryBudgetExceededException>(() => counted.PredictProba(Tensor.Zeros(1, 2)));
        Assert.Equal(10, inner.Evaluated);
        Assert.Throws<BulwarkInputException>(() => new QueryCountingClassifier(inner, budget: -1));
    }

    [Fact]
    public void Concurrent_calls_never_admit_more_than_the_budget()
    {
        var inner = new UniformModel();
        var counted = new QueryCountingClassifier(inner, budget: 1000);
        int refused = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            try
            {
                counted.PredictProba(Tensor.Zeros(3, 2));
            }
            catch (QueryBudgetExceededException)
            {
                Interlocked.Increment(ref refused);
            }
        });
        Assert.Equal(999, counted.Queries);
        Assert.Equal(333, counted.Calls);
        Assert.Equal(67, refused);
        Assert.Equal(999, inner.Evaluated);
    }

    [Fact]
    public void Gradient_wrapper_counts_gradient_samples_apart_under_one_budget()
    {
        var model = new EngineClassifier(Architectures.Mlp(2, [3], 2, new Rng(1)), [2], 2);
        var counted = new QueryCountingGradientClassifier(model, budget: 12);
        var g = counted.LossGradient(Tensor.Zeros(2, 2), LongTensor.FromValues(0, 1));
        Assert.Equal(model.LossGradient(Tensor.Zeros(2, 2), LongTensor.FromValues(0, 1)).ToArray(), g.ToArray());
        counted.ClassGradient(Tensor.Zeros(3, 2), LongTensor.FromValues(0, 1, 1));
        counted.Logits(Tensor.Zeros(4, 2));
        counted.PredictProba(Tensor.Zeros(1, 2));
        Assert.Equal(10, counted.Queries);
        Assert.Equal(4, counted.Calls);
        Assert.Equal(5, counted.GradientQueries);
        Assert.Equal(2, counted.GradientCalls);
        Assert.Throws<QueryBudgetExceededException>(() => counted.Forward(Tensor.Zeros(3, 2)));
        Assert.Equal(5, counted.GradientQueries);
        counted.Forward(Tensor.Zeros(2, 2));
        Assert.Equal((12L, 7L), (counted.Queries, counted.GradientQueries));
    }
}
