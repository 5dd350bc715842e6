using System.Globalization;
using Bulwark.Assessment;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Constant-folding bombs: a node whose output size follows from constants in the file alone
/// (ConstantOfShape, Expand, Tile, Range, Resize, Upsample, Pad) and exceeds
/// <see cref="ModelScanOptions.MaxFoldedElements"/>. A few bytes of shape ask whatever folds or runs the
/// graph (an optimiser at load time, the runtime at the first call) for gigabytes or terabytes.
/// Unknown input dimensions count as 1, so the size reported is a lower bound.
/// </summary>
internal sealed class ConstantBombRule : IModelScanRule
{
    public string Id => "constant-bomb";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        var scopes = new Dictionary<OnnxGraphSite, GraphConstants>(ReferenceEqualityComparer.Instance);
        foreach (var site in context.Graphs)
        {
            var constants = new GraphConstants(site.Graph, site.Parent is null ? null : scopes[site.Parent]);
            scopes[site] = constants;
            for (int i = 0; i < site.Graph.Node.Count; i++)
            {
                var node = site.Graph.Node[i];
                if (!OnnxOperatorNames.IsStandardDomain(node.Domain) || Elements(node, constants) is not { } size)
                {
                    continue;
                }
                if (size.Count > context.Options.MaxFoldedElements)
                {
                    yield return new ModelScanFinding(
                        Severity.High,
                        Id,
                        string.Create(CultureInfo.InvariantCulture,
                            $"{node.OpType} would produce {size.Count:0.###e+0} elements ({size.How}) from constants in the file, above the limit of {context.Options.MaxFoldedElements:N0}."),
                        $"{site.Where} / {OnnxGraphs.NodeName(node, i)}");
                }
            }
        }
    }

    private readonly record struct Size(double Count, string How);

    private static Size? Elements(NodeProto node, GraphConstants constants) => node.OpType switch
    {
        "ConstantOfShape" => Product(constants.Integers(Input(node, 0)), "shape"),
        "Expand" => Product(constants.Integers(Input(node, 1)), "shape"),
        "Tile" => Tiled(node, constants),
        "Range" => RangeLength(constants.Reals(Input(node, 0)), constants.Reals(Input(node, 1)), constants.Reals(Input(node, 2))),
        "Resize" or "Upsample" => Resized(node, constants),
        "Pad" => Padded(node, constants),
        _ => null,
    };

    private static string Input(NodeProto node, int index) => index < node.Input.Count ? node.Input[index] : "";

    private static Size? Product(long[]? values, string what)
    {
        if (values is null || values.Any(v => v < 0))
        {
            return null;
        }
        return new Size(values.Aggregate(1.0, (p, v) => p * v), $"{what} [{string.Join(", ", values)}]");
    }

    /// <summary>Each input dimension (1 when unknown) combined with one factor per axis, negative results counting as 0.</summary>
    private static Size? Scaled(long[]? inputShape, double[]? factors, string how, Func<double, double, double> combine)
    {
        if (factors is null || factors.Any(double.IsNaN))
        {
            return null;
        }
        double count = 1;
        for (int axis = 0; axis < factors.Length; axis++)
        {
            double dim = inputShape is not null && inputShape.Length == factors.Length ? inputShape[axis] : 1;
            count *= Math.Max(0, combine(dim, factors[axis]));
        }
        return new Size(count, how);
    }

    private static string Describe(string what, IEnumerable<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} [{string.Join(", ", values)}]");

    private static Size? RangeLength(double[]? start, double[]? limit, double[]? delta)
    {
        if (start is not [double s] || limit is not [double l] || delta is not [double d])
        {
            return null;
        }
        string how = string.Create(CultureInfo.InvariantCulture, $"start {s}, limit {l}, delta {d}");
        if (d == 0)
        {
            return l == s ? new Size(0, how) : new Size(double.PositiveInfinity, how);
        }
        return new Size(Math.Max(0, Math.Ceiling((l - s) / d)), how);
    }

    private static Size? Tiled(NodeProto node, GraphConstants constants)
    {
        var repeats = constants.Integers(Input(node, 1))?.Select(r => (double)r).ToArray();
        return repeats is null ? null : Scaled(constants.Shape(Input(node, 0)), repeats, Describe("repeats", repeats), (d, r) => d * r);
    }

    private static Size? Resized(NodeProto node, GraphConstants constants)
    {
        if (node.OpType == "Resize" && node.Input.Count >= 4 && node.Input[3].Length > 0)
        {
            return Product(constants.Integers(node.Input[3]), "sizes");
        }
        string scales = node.OpType == "Upsample" || node.Input.Count == 2 ? Input(node, 1) : Input(node, 2);
        var factors = constants.Reals(scales);
        return factors is null ? null : Scaled(constants.Shape(Input(node, 0)), factors, Describe("scales", factors), (d, s) => Math.Floor(d * s));
    }

    private static Size? Padded(NodeProto node, GraphConstants constants)
    {
        long[]? pads = node.Input.Count >= 2 && node.Input[1].Length > 0
            ? constants.Integers(node.Input[1])
            : node.Attribute.FirstOrDefault(a => a.Name == "pads")?.Ints.ToArray();
        if (pads is null || pads.Length % 2 != 0)
        {
            return null;
        }
        int rank = pads.Length / 2;
        var added = Enumerable.Range(0, rank).Select(axis => (double)pads[axis] + pads[axis + rank]).ToArray();
        return Scaled(constants.Shape(Input(node, 0)), added, $"pads [{string.Join(", ", pads)}]", (d, a) => d + a);
    }
}
