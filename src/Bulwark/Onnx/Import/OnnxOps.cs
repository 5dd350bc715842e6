using Bulwark.Onnx.Import.Ops;

namespace Bulwark.Onnx.Import;

/// <summary>
/// The explicit table of ONNX operators the importer runs, standard domain only. Each family of
/// ops registers itself from its own file; nothing is discovered by reflection.
/// </summary>
internal static class OnnxOps
{
    private static readonly Dictionary<string, OnnxOpBuilder> Table = Build();

    /// <summary>The op types the importer supports.</summary>
    public static IReadOnlyCollection<string> Supported => Table.Keys;

    /// <summary>Whether <paramref name="domain"/> is the standard operator domain.</summary>
    public static bool IsStandardDomain(string domain) => domain is "" or "ai.onnx";

    public static bool TryGet(string opType, out OnnxOpBuilder builder) => Table.TryGetValue(opType, out builder!);

    private static Dictionary<string, OnnxOpBuilder> Build()
    {
        var table = new OnnxOpTable();
        ElementwiseOps.Register(table);
        ShapeOps.Register(table);
        IndexOps.Register(table);
        PadOp.Register(table);
        ResizeOp.Register(table);
        ConstantOps.Register(table);
        MathOps.Register(table);
        LogicOps.Register(table);
        CastOps.Register(table);
        ActivationOps.Register(table);
        ReduceOps.Register(table);
        EinsumOp.Register(table);
        ConvOps.Register(table);
        PoolOps.Register(table);
        NormOps.Register(table);
        LinalgOps.Register(table);
        DropoutOp.Register(table);
        LrnOp.Register(table);
        return table.Entries;
    }
}

/// <summary>Collects op builders; refuses to register one op twice.</summary>
internal sealed class OnnxOpTable
{
    public Dictionary<string, OnnxOpBuilder> Entries { get; } = new(StringComparer.Ordinal);

    public void Add(string opType, OnnxOpBuilder builder)
    {
        if (!Entries.TryAdd(opType, builder))
            throw new InvalidOperationException($"ONNX op {opType} is registered twice");
    }
}
