using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// Wraps a classifier and counts what is asked of it: calls, and queries (one per sample, as
/// black-box attack papers count them, e.g. Chen et al. 2020, "HopSkipJumpAttack",
/// arXiv:1904.02144), optionally under a budget. Query budgets are also the defence against
/// extraction named in the threat catalogue (T11).
/// </summary>
/// <remarks>
/// A call that would take <see cref="Queries"/> past <see cref="Budget"/> throws
/// <see cref="QueryBudgetExceededException"/> before the wrapped model is queried, and is not
/// counted: no partial answer is returned, so an attack sees either the whole batch or nothing
/// and can retry with a smaller one. Samples are counted when the call is admitted, so a call
/// the wrapped model then rejects (a wrong shape) still counts. Counting is thread-safe: calls
/// from several threads never admit more samples than the budget.
/// </remarks>
public class QueryCountingClassifier : IClassifier
{
    private readonly Lock gate = new();
    private long queries;
    private long calls;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="budget"/> is the most samples it may evaluate, or null for no limit.</summary>
    public QueryCountingClassifier(IClassifier inner, long? budget = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (budget < 0)
            throw new BulwarkInputException($"query budget must not be negative, got {budget}");
        Inner = inner;
        Budget = budget;
    }

    /// <summary>The wrapped classifier.</summary>
    public IClassifier Inner { get; }

    /// <summary>The most samples the wrapped model may evaluate in total; null for no limit.</summary>
    public long? Budget { get; }

    /// <summary>Samples evaluated so far, through every method.</summary>
    public long Queries
    {
        get
        {
            lock (gate)
                return queries;
        }
    }

    /// <summary>Calls admitted so far, through every method.</summary>
    public long Calls
    {
        get
        {
            lock (gate)
                return calls;
        }
    }

    /// <summary>Samples left in the budget; null for no limit.</summary>
    public long? Remaining => Budget - Queries;

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => Inner.InputShape;

    /// <inheritdoc />
    public int ClassCount => Inner.ClassCount;

    /// <inheritdoc />
    public InputBounds Bounds => Inner.Bounds;

    /// <inheritdoc />
    public Tensor PredictProba(Tensor batch)
    {
        Admit(batch);
        return Inner.PredictProba(batch);
    }

    /// <summary>Counts a call for <paramref name="batch"/>'s samples, or throws if the budget would be exceeded.</summary>
    /// <returns>The number of samples counted.</returns>
    protected long Admit(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long n = batch.Rank == 0 ? 1 : batch.Dim(0);
        lock (gate)
        {
            if (Budget is { } budget && queries + n > budget)
                throw new QueryBudgetExceededException(budget, queries, n);
            queries += n;
            calls++;
        }
        return n;
    }
}
