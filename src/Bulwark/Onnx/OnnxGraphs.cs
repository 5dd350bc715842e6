using Bulwark.Onnx.Proto;

namespace Bulwark.Onnx;

/// <summary>
/// One graph of a model and where it sits: the main graph, a training graph, or a subgraph held in a
/// node attribute (the body of a Loop, the branches of an If), with its parent for outer-scope names.
/// </summary>
/// <param name="Graph">The graph.</param>
/// <param name="Where">A readable path to it, e.g. <c>graph 'main' / node 4 'loop' (Loop) / body</c>.</param>
/// <param name="Depth">1 for top-level graphs, one more for each enclosing node attribute.</param>
/// <param name="Parent">The graph whose node holds this one, or null for a top-level graph.</param>
internal sealed record OnnxGraphSite(GraphProto Graph, string Where, int Depth, OnnxGraphSite? Parent);

/// <summary>Walks the graphs of a model, subgraphs included, without recursion on the call stack.</summary>
internal static class OnnxGraphs
{
    /// <summary>Every graph of the model, parents before their subgraphs.</summary>
    public static IEnumerable<OnnxGraphSite> All(ModelProto model)
    {
        var pending = new Stack<OnnxGraphSite>();
        for (int i = model.TrainingInfo.Count - 1; i >= 0; i--)
        {
            var info = model.TrainingInfo[i];
            if (info.Algorithm is not null)
            {
                pending.Push(new OnnxGraphSite(info.Algorithm, $"training_info[{i}].algorithm", 1, null));
            }
            if (info.Initialization is not null)
            {
                pending.Push(new OnnxGraphSite(info.Initialization, $"training_info[{i}].initialization", 1, null));
            }
        }
        if (model.Graph is not null)
        {
            pending.Push(new OnnxGraphSite(model.Graph, $"graph '{model.Graph.Name}'", 1, null));
        }
        while (pending.Count > 0)
        {
            var site = pending.Pop();
            yield return site;
            var children = new List<OnnxGraphSite>();
            for (int n = 0; n < site.Graph.Node.Count; n++)
            {
                var node = site.Graph.Node[n];
                foreach (var attribute in node.Attribute)
                {
                    string prefix = $"{site.Where} / {NodeName(node, n)} / {attribute.Name}";
                    if (attribute.G is not null)
                    {
                        children.Add(new OnnxGraphSite(attribute.G, prefix, site.Depth + 1, site));
                    }
                    for (int g = 0; g < attribute.Graphs.Count; g++)
                    {
                        children.Add(new OnnxGraphSite(attribute.Graphs[g], $"{prefix}[{g}]", site.Depth + 1, site));
                    }
                }
            }
            for (int c = children.Count - 1; c >= 0; c--)
            {
                pending.Push(children[c]);
            }
        }
    }

    /// <summary>The deepest graph nesting in the model (0 when it has no graph).</summary>
    public static int MaxDepth(ModelProto model) => All(model).Select(s => s.Depth).DefaultIfEmpty(0).Max();

    /// <summary>How a node is named in messages: its index, its name when it has one, and its operator.</summary>
    public static string NodeName(NodeProto node, int index)
    {
        string op = node.Domain.Length == 0 ? node.OpType : $"{node.Domain}:{node.OpType}";
        return node.Name.Length == 0 ? $"node {index} ({op})" : $"node {index} '{node.Name}' ({op})";
    }
}
