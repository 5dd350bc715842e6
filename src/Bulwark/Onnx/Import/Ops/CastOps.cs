using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Cast and CastLike between the float, integer and BOOL types. Float to float stays on the
/// tape (rounding to FLOAT16/BFLOAT16 passes the gradient straight through); float to integer
/// truncates toward zero; integer to narrower integer wraps; anything to BOOL is "non-zero".
/// </summary>
internal static class CastOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Cast", n =>
        {
            n.Inputs(1, 1);
            n.Outputs(1);
            var to = TargetType(n);
            Saturate(n);
            return OpUtil.One(args => Convert(args.Arg(0), to));
        });
        t.Add("CastLike", n =>
        {
            n.Inputs(2, 2);
            n.Outputs(1);
            Saturate(n);
            return OpUtil.One(args => Convert(args.Arg(0), args.Arg(1).ElementType));
        });
    }

    private static DataType TargetType(OnnxNode n)
    {
        DataType to;
        if (n.Opset < 6)
        {
            // Cast-1 names the type as a string ("FLOAT", "INT64", ...).
            string name = n.String("to", "");
            if (!Enum.TryParse(name, ignoreCase: true, out to) || int.TryParse(name, out _))
                throw n.Refuse($"attribute 'to' = '{name}' is not an ONNX element type");
        }
        else
        {
            long code = n.IntOrNull("to") ?? throw n.Refuse("attribute 'to' is required");
            to = (DataType)code;
        }
        if (!OnnxValue.IsFloatType(to) && !OnnxValue.IsIntegerType(to))
            throw n.Refuse($"casting to {to} is not supported");
        return to;
    }

    /// <summary>saturate (opset 19+) only affects float 8 targets, which are refused anyway.</summary>
    private static void Saturate(OnnxNode n)
    {
        if (n.Opset >= 19)
            n.Int("saturate", 1);
    }

    /// <summary>Converts a value to <paramref name="to"/> as Cast does.</summary>
    public static OnnxValue Convert(OnnxValue v, DataType to)
    {
        bool toFloat = OnnxValue.IsFloatType(to);
        if (v.IsFloat)
        {
            if (toFloat)
                return OnnxValue.FromTensor(v.Float!, to);
            var x = v.Float!.AsReadOnlySpan();
            var r = new long[x.Length];
            for (int i = 0; i < r.Length; i++)
            {
                float f = x[i];
                r[i] = to == DataType.Bool ? (f != 0 ? 1 : 0)
                    : float.IsNaN(f) ? 0
                    : to == DataType.Uint64 && f >= 9.2233720368547758E18f ? (long)(ulong)f
                    : (long)f;
            }
            return OnnxValue.Narrowed(r, v.Dims(), to);
        }
        var src = v.Integers!;
        if (toFloat)
        {
            var f = new float[src.Length];
            bool unsigned64 = v.ElementType == DataType.Uint64;
            for (int i = 0; i < f.Length; i++)
                f[i] = unsigned64 ? (ulong)src[i] : src[i];
            return OnnxValue.FromTensor(Tensor.FromArray(f, v.Dims()), to);
        }
        return OnnxValue.Narrowed((long[])src.Clone(), v.Dims(), to);
    }
}
