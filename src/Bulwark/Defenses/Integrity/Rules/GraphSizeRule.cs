using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Graphs nested deeper than <see cref="Onnx.OnnxReadLimits.MaxGraphDepth"/> or more nodes than
/// <see cref="ModelScanOptions.MaxNodes"/>: loaders that recurse or optimise per node can be driven
/// out of stack or time by structure alone.
/// </summary>
internal sealed class GraphSizeRule : IModelScanRule
{
    public string Id => "graph-size";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        int limit = context.Options.Limits.MaxGraphDepth;
        if (context.Graphs.Where(s => s.Depth > limit).MaxBy(s => s.Depth) is { } deepest)
        {
            yield return new ModelScanFinding(Severity.Medium, Id, $"graphs nest {deepest.Depth} deep, above the limit of {limit}.", deepest.Where);
        }
        long nodes = context.Nodes().LongCount();
        if (nodes > context.Options.MaxNodes)
        {
            yield return new ModelScanFinding(Severity.Medium, Id, $"{nodes} nodes, above the limit of {context.Options.MaxNodes}.", "model");
        }
    }
}
