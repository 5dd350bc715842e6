using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Ops that make values from attributes and sizes: Constant, ConstantOfShape, Range.</summary>
internal static class ConstantOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Constant", Constant);
        t.Add("ConstantOfShape", ConstantOfShape);
        t.Add("Range", Range);
    }

    private static OnnxKernel Constant(OnnxNode n)
    {
        n.Inputs(0, 0);
        n.Outputs(1);
        foreach (var unsupported in new[] { "sparse_value", "value_string", "value_strings" })
        {
            if (n.Has(unsupported))
                throw n.Refuse($"attribute '{unsupported}' is not supported (sparse and string constants)");
            n.Ignore(unsupported);
        }
        var candidates = new List<OnnxValue>();
        if (n.Tensor("value") is { } proto)
            candidates.Add(Read(n, proto));
        if (n.Opset < 12)
        {
            foreach (var name in new[] { "value_float", "value_floats", "value_int", "value_ints" })
                if (n.Has(name))
                    throw n.Refuse($"attribute '{name}' needs opset 12");
        }
        else
        {
            if (n.Has("value_float"))
                candidates.Add(OnnxValue.FromTensor(Tensor.Scalar(n.Float("value_float", 0))));
            if (n.Floats("value_floats") is { } fs)
                candidates.Add(OnnxValue.FromTensor(Tensor.FromArray(fs, fs.Length)));
            if (n.IntOrNull("value_int") is { } i)
                candidates.Add(OnnxValue.Scalar(i));
            if (n.Ints("value_ints") is { } iv)
                candidates.Add(OnnxValue.FromIntegers(iv, [iv.Length]));
        }
        if (candidates.Count != 1)
            throw n.Refuse($"needs exactly one value attribute, has {candidates.Count}");
        var value = candidates[0];
        return _ => [value];
    }

    private static OnnxValue Read(OnnxNode n, Proto.TensorProto proto)
    {
        if (proto.DataLocation == Proto.TensorProto.Types.DataLocation.External)
            throw n.Refuse("a constant with external data is not supported");
        try
        {
            return OnnxValue.FromProto(proto);
        }
        catch (BulwarkInputException e)
        {
            throw n.Refuse(e.Message);
        }
    }

    private static OnnxKernel ConstantOfShape(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        var fill = n.Tensor("value") is { } proto ? Read(n, proto) : OnnxValue.FromTensor(Tensor.Scalar(0f));
        if (fill.Size != 1)
            throw n.Refuse($"attribute 'value' must hold one element, has {fill.Size}");
        return OpUtil.One(args =>
        {
            var shape = Layout.CheckedShape(n, OpUtil.Longs(args.Arg(0), "shape"), "output");
            long count = OpUtil.Count(shape);
            if (fill.IsFloat)
                return OnnxValue.FromTensor(Tensor.Full(fill.Float!.ToArray()[0], shape), fill.ElementType);
            var r = new long[count];
            Array.Fill(r, fill.Integers![0]);
            return OnnxValue.FromIntegers(r, shape, fill.ElementType);
        });
    }

    private static OnnxKernel Range(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var (start, limit, delta) = (args.Arg(0), args.Arg(1), args.Arg(2));
            if (start.Size != 1 || limit.Size != 1 || delta.Size != 1)
                throw new BulwarkInputException("start, limit and delta must be scalars");
            if (start.ElementType != limit.ElementType || start.ElementType != delta.ElementType)
                throw new BulwarkInputException("start, limit and delta must have one element type");
            if (start.IsFloat)
            {
                float s = start.Float!.ToArray()[0], l = limit.Float!.ToArray()[0], d = delta.Float!.ToArray()[0];
                if (d == 0 || !float.IsFinite(s) || !float.IsFinite(l) || !float.IsFinite(d))
                    throw new BulwarkInputException($"cannot count from {s} to {l} by {d}");
                double steps = Math.Ceiling(((double)l - s) / d);
                n.CheckSize(steps > n.MaxElements ? n.MaxElements + 1 : (long)Math.Max(steps, 0), "range");
                int count = (int)Math.Max(steps, 0);
                var iota = new float[count];
                for (int i = 0; i < count; i++)
                    iota[i] = i;
                // start + i·delta, differentiable in start and delta.
                var r = Tensor.FromArray(iota, count).Mul(delta.Float!.Reshape()).Add(start.Float!.Reshape());
                return OpUtil.Like(r, start);
            }
            long s0 = start.Integers![0], l0 = limit.Integers![0], d0 = delta.Integers![0];
            if (d0 == 0)
                throw new BulwarkInputException("delta is 0");
            Int128 span = (Int128)l0 - s0;
            Int128 n0 = span / d0 + (span % d0 != 0 && (span > 0) == (d0 > 0) ? 1 : 0);
            n.CheckSize(n0 < 0 ? 0 : n0 > n.MaxElements ? n.MaxElements + 1 : (long)n0, "range");
            var values = new long[n0 < 0 ? 0 : (long)n0];
            for (int i = 0; i < values.Length; i++)
                values[i] = s0 + (i * d0);
            return OnnxValue.Narrowed(values, [values.Length], start.ElementType);
        });
    }
}
