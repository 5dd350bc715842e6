using Bulwark.Assessment;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Names used but never defined: a node input that no node, graph input or initializer of its graph or
/// an enclosing graph produces, or a graph output that nothing produces. Such a graph cannot run as
/// written; a runtime that tolerates it resolves the name from somewhere the file does not show.
/// </summary>
internal sealed class DanglingNameRule : IModelScanRule
{
    public string Id => "dangling-name";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        var defined = new Dictionary<OnnxGraphSite, HashSet<string>>(ReferenceEqualityComparer.Instance);
        foreach (var site in context.Graphs)
        {
            var graph = site.Graph;
            var names = new HashSet<string>(graph.Input.Select(v => v.Name), StringComparer.Ordinal);
            names.UnionWith(graph.Initializer.Select(t => t.Name));
            names.UnionWith(graph.SparseInitializer.Select(s => s.Values?.Name ?? ""));
            names.UnionWith(graph.Node.SelectMany(n => n.Output));
            defined[site] = names;

            bool Visible(string name)
            {
                for (var s = site; s is not null; s = s.Parent)
                {
                    if (defined[s].Contains(name))
                    {
                        return true;
                    }
                }
                return false;
            }

            for (int i = 0; i < graph.Node.Count; i++)
            {
                foreach (string input in graph.Node[i].Input.Where(n => n.Length > 0 && !Visible(n)))
                {
                    yield return new ModelScanFinding(
                        Severity.Medium,
                        Id,
                        $"input '{input}' is produced by no node, graph input or initializer.",
                        $"{site.Where} / {OnnxGraphs.NodeName(graph.Node[i], i)}");
                }
            }
            foreach (var output in graph.Output.Where(o => !Visible(o.Name)))
            {
                yield return new ModelScanFinding(Severity.Medium, Id, $"graph output '{output.Name}' is produced by nothing in the graph.", site.Where);
            }
        }
    }
}
