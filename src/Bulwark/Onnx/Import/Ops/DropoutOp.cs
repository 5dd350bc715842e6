using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Dropout at inference: the identity, with the optional mask all ones (BOOL true from opset 10,
/// a tensor of ones of the input's type before). Training mode, which drops at random, is refused
/// at load: <c>is_test</c> = 0 before opset 7, and from opset 12 any <c>training_mode</c> input
/// (its value is only known when the graph runs).
/// </summary>
internal static class DropoutOp
{
    public static void Register(OnnxOpTable t) => t.Add("Dropout", Dropout);

    private static OnnxKernel Dropout(OnnxNode n)
    {
        n.Outputs(2);
        n.Ignore("consumed_inputs");
        if (n.Opset >= 12)
        {
            n.Inputs(1, 3);
            if (n.HasInput(2))
                throw n.Refuse("a training_mode input is not supported (random dropout in training mode; only inference, without the input, is)");
            n.Ignore("seed"); // seeds the random mask of training mode only
        }
        else
        {
            n.Inputs(1, 1);
            n.Ignore("ratio"); // scales only in training mode
            if (n.Opset < 7 && n.Int("is_test", 0) == 0)
                throw n.Refuse("is_test = 0 (training mode: random dropout) is not supported");
        }
        bool boolMask = n.Opset >= 10;
        bool wantMask = n.OutputCount > 1 && n.Proto.Output[1].Length > 0;
        return args =>
        {
            var x = args.Arg(0);
            if (args.Opt(1) is { } ratio && (ratio.Size != 1 || !ratio.IsFloat))
                throw new BulwarkInputException($"ratio must be a floating-point scalar, got {ratio}");
            if (!wantMask)
                return [x];
            int[] shape = x.Dims();
            var mask = boolMask || !x.IsFloat
                ? OnnxValue.FromIntegers(Enumerable.Repeat(1L, x.Size).ToArray(), shape, DataType.Bool)
                : OnnxValue.FromTensor(Tensor.Ones(shape), x.ElementType);
            return [x, mask];
        };
    }
}
