using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Names defined twice in one graph. A value produced by two nodes, or a node output that overwrites a
/// graph input or initializer, is high: runtimes disagree on which definition wins, which lets a
/// tampered graph show one computation to a reviewer and run another. Repeated initializer or input
/// names are medium: ambiguous, but the values are at least visible.
/// </summary>
internal sealed class DuplicateNameRule : IModelScanRule
{
    public string Id => "duplicate-name";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var site in context.Graphs)
        {
            var graph = site.Graph;
            var inputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in graph.Input)
            {
                if (!inputs.Add(input.Name))
                {
                    yield return new ModelScanFinding(Severity.Medium, Id, $"graph input '{input.Name}' is declared more than once.", site.Where);
                }
            }
            var initializers = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? "")))
            {
                if (name.Length > 0 && !initializers.Add(name))
                {
                    yield return new ModelScanFinding(Severity.Medium, Id, $"initializer '{name}' is defined more than once.", $"{site.Where} / initializer '{name}'");
                }
            }
            var produced = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < graph.Node.Count; i++)
            {
                string where = $"{site.Where} / {OnnxGraphs.NodeName(graph.Node[i], i)}";
                foreach (string output in graph.Node[i].Output.Where(o => o.Length > 0))
                {
                    string? clash = produced.TryGetValue(output, out string? earlier) ? $"is also produced by {earlier}"
                        : inputs.Contains(output) ? "overwrites the graph input of that name"
                        : initializers.Contains(output) ? "overwrites the initializer of that name"
                        : null;
                    if (clash is not null)
                    {
                        yield return new ModelScanFinding(Severity.High, Id, $"output '{output}' {clash}.", where);
                    }
                    produced.TryAdd(output, OnnxGraphs.NodeName(graph.Node[i], i));
                }
            }
        }
    }
}
