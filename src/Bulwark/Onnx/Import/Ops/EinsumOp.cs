using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Einsum on floating-point operands: any number of operands, explicit or implicit output, and
/// "..." broadcast dimensions. Operands are contracted left to right, each pair as one batched
/// MatMul after summing away the labels nobody else needs, so the result is differentiable.
/// A label repeated within one operand or in the output (a diagonal) is refused at load.
/// </summary>
internal static class EinsumOp
{
    /// <summary>Labels of the "..." dimensions start here (letters are their character codes).</summary>
    private const int EllipsisBase = 1000;

    /// <summary>Stands for the "..." of a term before its width is known.</summary>
    private const int Ellipsis = -1;

    public static void Register(OnnxOpTable t) => t.Add("Einsum", Build);

    private static OnnxKernel Build(OnnxNode n)
    {
        n.Inputs(1, int.MaxValue);
        n.Outputs(1);
        string equation = n.String("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Length == 0)
            throw n.Refuse("attribute 'equation' is required");
        var sides = equation.Split("->");
        if (sides.Length > 2)
            throw n.Refuse($"equation '{equation}' has more than one '->'");
        var terms = sides[0].Split(',').Select(s => Parse(n, s, "operand")).ToArray();
        if (terms.Length != n.InputCount)
            throw n.Refuse($"equation '{equation}' has {terms.Length} operands for {n.InputCount} inputs");
        bool anyEllipsis = terms.Any(t => t.Contains(Ellipsis));
        int[] output;
        if (sides.Length == 2)
        {
            output = Parse(n, sides[1], "output");
            foreach (int l in output)
            {
                if (l == Ellipsis ? !anyEllipsis : !terms.Any(t => t.Contains(l)))
                    throw n.Refuse($"output label '{(l == Ellipsis ? "..." : (char)l)}' of '{equation}' appears in no operand");
            }
        }
        else
        {
            // Implicit output: the broadcast dimensions, then the labels used once, alphabetically.
            var once = terms.SelectMany(t => t).Where(l => l != Ellipsis).GroupBy(l => l).Where(g => g.Count() == 1).Select(g => g.Key).Order();
            output = anyEllipsis ? [Ellipsis, .. once] : [.. once];
        }
        return OpUtil.One(args => Run(terms, output, args));
    }

    private static int[] Parse(OnnxNode n, string term, string what)
    {
        var labels = new List<int>();
        for (int i = 0; i < term.Length; i++)
        {
            char c = term[i];
            if (c == '.')
            {
                if (i + 2 >= term.Length || term[i + 1] != '.' || term[i + 2] != '.' || labels.Contains(Ellipsis))
                    throw n.Refuse($"{what} '{term}' has a malformed or repeated '...'");
                labels.Add(Ellipsis);
                i += 2;
                continue;
            }
            if (!char.IsAsciiLetter(c))
                throw n.Refuse($"{what} '{term}' has '{c}', which is not a letter");
            if (labels.Contains(c))
                throw n.Refuse($"{what} '{term}' repeats label '{c}' (a diagonal), which is not supported");
            labels.Add(c);
        }
        return [.. labels];
    }

    private static OnnxValue Run(int[][] terms, int[] outputTerm, OnnxValue?[] args)
    {
        var values = Enumerable.Range(0, terms.Length).Select(args.Arg).ToArray();
        foreach (var v in values)
        {
            MathOps.Floats(v, "Einsum");
            MathOps.SameType(values[0], v);
        }

        // Give each operand's "..." dimensions labels, right-aligned across operands.
        int width = 0;
        var operands = new List<(Tensor T, List<int> Labels)>();
        var widths = new int[terms.Length];
        for (int k = 0; k < terms.Length; k++)
        {
            int named = terms[k].Count(l => l != Ellipsis);
            widths[k] = values[k].Rank - named;
            if (widths[k] < 0 || (widths[k] > 0 && !terms[k].Contains(Ellipsis)))
                throw new BulwarkInputException($"operand {k} has rank {values[k].Rank}, but its term has {named} labels");
            width = Math.Max(width, widths[k]);
        }
        for (int k = 0; k < terms.Length; k++)
            operands.Add((values[k].Float!, Expand(terms[k], widths[k], width)));
        var output = Expand(outputTerm, width, width);

        // Each label's size; a size-1 dimension broadcasts against a larger one, so drop it.
        var sizes = new Dictionary<int, int>();
        foreach (var (t, labels) in operands)
        {
            for (int d = 0; d < labels.Count; d++)
            {
                int s = t.Shape[d];
                if (!sizes.TryGetValue(labels[d], out int known) || known == 1)
                    sizes[labels[d]] = s;
                else if (s != known && s != 1)
                    throw new BulwarkInputException($"label '{Name(labels[d])}' has sizes {known} and {s}");
            }
        }
        for (int k = 0; k < operands.Count; k++)
        {
            var (t, labels) = operands[k];
            var drop = Enumerable.Range(0, labels.Count).Where(d => t.Shape[d] == 1 && sizes[labels[d]] != 1).ToArray();
            if (drop.Length > 0)
                operands[k] = (t.Squeeze(drop), labels.Where((_, d) => !drop.Contains(d)).ToList());
        }

        var (cur, curLabels) = operands[0];
        for (int k = 1; k < operands.Count; k++)
        {
            var keep = new HashSet<int>(output);
            for (int j = k + 1; j < operands.Count; j++)
                keep.UnionWith(operands[j].Labels);
            (cur, curLabels) = Contract(cur, curLabels, operands[k].T, operands[k].Labels, keep);
        }
        (cur, curLabels) = SumAway(cur, curLabels, l => !output.Contains(l));

        // Labels that broadcast away entirely (size 1 everywhere they were dropped) come back as size 1.
        var shapeOut = output.Select(l => curLabels.Contains(l) ? sizes[l] : 1).ToArray();
        var present = output.Where(curLabels.Contains).ToArray();
        var r = cur.Permute(present.Select(l => curLabels.IndexOf(l)).ToArray());
        return OpUtil.Like(r.Reshape(shapeOut), values[0]);
    }

    private static List<int> Expand(int[] term, int count, int width)
    {
        var labels = new List<int>();
        foreach (int l in term)
        {
            if (l != Ellipsis)
                labels.Add(l);
            else
                for (int j = 0; j < count; j++)
                    labels.Add(EllipsisBase + width - count + j);
        }
        return labels;
    }

    private static string Name(int label) => label >= EllipsisBase ? $"...[{label - EllipsisBase}]" : ((char)label).ToString();

    private static (Tensor, List<int>) SumAway(Tensor t, List<int> labels, Func<int, bool> drop)
    {
        var axes = Enumerable.Range(0, labels.Count).Where(d => drop(labels[d])).ToArray();
        if (axes.Length == 0)
            return (t, labels);
        return (t.Sum(axes), labels.Where((_, d) => !axes.Contains(d)).ToList());
    }

    /// <summary>Contracts two operands, keeping the labels in <paramref name="keep"/>, as one batched MatMul.</summary>
    private static (Tensor, List<int>) Contract(Tensor a, List<int> la, Tensor b, List<int> lb, HashSet<int> keep)
    {
        (a, la) = SumAway(a, la, l => !keep.Contains(l) && !lb.Contains(l));
        (b, lb) = SumAway(b, lb, l => !keep.Contains(l) && !la.Contains(l));
        var batch = la.Where(l => lb.Contains(l) && keep.Contains(l)).ToList();
        var inner = la.Where(l => lb.Contains(l) && !keep.Contains(l)).ToList();
        var onlyA = la.Where(l => !lb.Contains(l)).ToList();
        var onlyB = lb.Where(l => !la.Contains(l)).ToList();
        int Size(Tensor t, List<int> labels, IEnumerable<int> which) => which.Aggregate(1, (p, l) => p * t.Shape[labels.IndexOf(l)]);
        var pa = a.Permute([.. batch.Concat(onlyA).Concat(inner).Select(l => la.IndexOf(l))])
            .Reshape(Size(a, la, batch), Size(a, la, onlyA), Size(a, la, inner));
        var pb = b.Permute([.. batch.Concat(inner).Concat(onlyB).Select(l => lb.IndexOf(l))])
            .Reshape(Size(b, lb, batch), Size(b, lb, inner), Size(b, lb, onlyB));
        var dims = batch.Select(l => a.Shape[la.IndexOf(l)])
            .Concat(onlyA.Select(l => a.Shape[la.IndexOf(l)]))
            .Concat(onlyB.Select(l => b.Shape[lb.IndexOf(l)]))
            .ToArray();
        return (pa.MatMul(pb).Reshape(dims), [.. batch, .. onlyA, .. onlyB]);
    }
}
