namespace Bulwark.Models;

/// <summary>
/// A call to a <see cref="QueryCountingClassifier"/> would have taken the samples evaluated
/// past the budget; the wrapped model was not queried. Attacks catch it to stop at the budget
/// and report what they reached.
/// </summary>
public sealed class QueryBudgetExceededException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public QueryBudgetExceededException() : base("the query budget is exhausted") { }

    /// <summary>Creates the exception with the given message.</summary>
    public QueryBudgetExceededException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping a cause.</summary>
    public QueryBudgetExceededException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for a refused call.</summary>
    /// <param name="budget">The budget in samples.</param>
    /// <param name="used">The samples already evaluated.</param>
    /// <param name="requested">The samples the refused call asked for.</param>
    public QueryBudgetExceededException(long budget, long used, long requested)
        : base($"query budget exceeded: {used} of {budget} samples used, a call for {requested} more was refused")
    {
        Budget = budget;
        Used = used;
        Requested = requested;
    }

    /// <summary>The budget in samples.</summary>
    public long Budget { get; }

    /// <summary>The samples already evaluated when the call was refused.</summary>
    public long Used { get; }

    /// <summary>The samples the refused call asked for.</summary>
    public long Requested { get; }
}
