using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Gemm (Y = alpha · A′B′ + beta · C) and MatMul (NumPy matrix product, batched and broadcast).</summary>
internal static class LinalgOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Gemm", Gemm);
        t.Add("MatMul", MatMul);
    }

    private static OnnxKernel Gemm(OnnxNode n)
    {
        // C became optional in opset 11.
        n.Inputs(n.Opset >= 11 ? 2 : 3, 3);
        n.Outputs(1);
        float alpha = n.Float("alpha", 1f);
        float beta = n.Float("beta", 1f);
        bool transA = n.Int("transA", 0) != 0;
        bool transB = n.Int("transB", 0) != 0;
        // Before opset 7, C broadcasts only when broadcast = 1; otherwise it must be M × N.
        bool strictC = n.Opset < 7 && n.Int("broadcast", 0) == 0;
        return OpUtil.One(args =>
        {
            var av = args.Arg(0);
            var (a, b) = (NnArgs.FloatOf(av, "A"), NnArgs.FloatOf(args.Arg(1), "B"));
            if (a.Rank != 2 || b.Rank != 2)
                throw new BulwarkInputException($"A {NnArgs.Format(a.Shape)} and B {NnArgs.Format(b.Shape)} must be matrices");
            var y = (transA ? a.Transpose() : a).MatMul(transB ? b.Transpose() : b);
            if (alpha != 1f)
                y = y.Mul(alpha);
            if (args.Opt(2) is { } cv && beta != 0f)
            {
                var c = NnArgs.FloatOf(cv, "C");
                bool fits = strictC
                    ? c.Shape.SequenceEqual(y.Shape)
                    : c.Rank <= 2 && OpUtil.BroadcastShape(y.Shape, c.Shape).AsSpan().SequenceEqual(y.Shape);
                if (!fits)
                    throw new BulwarkInputException($"C {NnArgs.Format(c.Shape)} does not {(strictC ? "equal" : "broadcast to")} the product's {NnArgs.Format(y.Shape)}");
                y = y.Add(beta == 1f ? c : c.Mul(beta));
            }
            return OpUtil.Like(y, av);
        });
    }

    private static OnnxKernel MatMul(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var (a, b) = (args.Arg(0), args.Arg(1));
            if (a.ElementType != b.ElementType)
                throw new BulwarkInputException($"operands are {a.ElementType} and {b.ElementType}; they must match");
            return a.IsFloat ? OpUtil.Like(a.Float!.MatMul(b.Float!), a) : IntegerMatMul(a, b);
        });
    }

    /// <summary>The NumPy matrix product of integer tensors, exactly (wrapping to the element type).</summary>
    private static OnnxValue IntegerMatMul(OnnxValue a, OnnxValue b)
    {
        if (a.Rank == 0 || b.Rank == 0)
            throw new BulwarkInputException("MatMul operands must have at least one dimension");
        // 1-D operands are a row (left) or a column (right) vector, removed from the result.
        int[] sa = a.Rank == 1 ? [1, a.Shape[0]] : a.Dims();
        int[] sb = b.Rank == 1 ? [b.Shape[0], 1] : b.Dims();
        int m = sa[^2], k = sa[^1], n = sb[^1];
        if (sb[^2] != k)
            throw new BulwarkInputException($"MatMul of {NnArgs.Format(a.Shape)} and {NnArgs.Format(b.Shape)}: inner extents differ");
        var batch = OpUtil.BroadcastShape(sa.AsSpan(0, sa.Length - 2), sb.AsSpan(0, sb.Length - 2));
        var ia = OpUtil.BroadcastIndex(sa.AsSpan(0, sa.Length - 2), batch);
        var ib = OpUtil.BroadcastIndex(sb.AsSpan(0, sb.Length - 2), batch);
        var (x, y) = (a.AsIntegers(), b.AsIntegers());
        var r = new long[ia.Length * m * n];
        for (int p = 0; p < ia.Length; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    long s = 0;
                    for (int q = 0; q < k; q++)
                        s += x[(((long)ia[p] * m) + i) * k + q] * y[(((long)ib[p] * k) + q) * n + j];
                    r[(((long)p * m) + i) * n + j] = s;
                }
        var shape = new List<int>(batch);
        if (a.Rank > 1)
            shape.Add(m);
        if (b.Rank > 1)
            shape.Add(n);
        return OnnxValue.Narrowed(r, [.. shape], a.ElementType);
    }
}
