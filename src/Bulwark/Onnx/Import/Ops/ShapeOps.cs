using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Shape and layout ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split, Shape,
/// Size, Expand, Tile, DepthToSpace, SpaceToDepth. They work on values of every element type.
/// </summary>
internal static class ShapeOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Reshape", Reshape);
        t.Add("Flatten", Flatten);
        t.Add("Transpose", Transpose);
        t.Add("Squeeze", Squeeze);
        t.Add("Unsqueeze", Unsqueeze);
        t.Add("Concat", Concat);
        t.Add("Split", Split);
        t.Add("Shape", Shape);
        t.Add("Size", n =>
        {
            n.Inputs(1, 1);
            n.Outputs(1);
            return OpUtil.One(args => OnnxValue.Scalar(args.Arg(0).Size));
        });
        t.Add("Expand", Expand);
        t.Add("Tile", Tile);
        t.Add("DepthToSpace", DepthToSpace);
        t.Add("SpaceToDepth", SpaceToDepth);
    }

    private static OnnxKernel Reshape(OnnxNode n)
    {
        n.Outputs(1);
        long[]? fixedShape = null;
        if (n.Opset < 5)
        {
            n.Inputs(1, 1);
            n.Ignore("consumed_inputs");
            fixedShape = n.Ints("shape") ?? throw n.Refuse("attribute 'shape' is required");
        }
        else
        {
            n.Inputs(2, 2);
        }
        bool allowZero = n.Opset >= 14 && n.Int("allowzero", 0) != 0;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var spec = fixedShape ?? OpUtil.Longs(args.Arg(1), "shape");
            return Layout.Reshaped(x, ReshapeTarget(x.Shape, spec, allowZero));
        });
    }

    /// <summary>The shape Reshape produces: 0 copies the input's dimension (unless allowzero), one −1 is inferred.</summary>
    internal static int[] ReshapeTarget(ReadOnlySpan<int> input, long[] spec, bool allowZero)
    {
        var target = new int[spec.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < spec.Length; i++)
        {
            long d = spec[i];
            if (d == 0 && !allowZero)
            {
                if (i >= input.Length)
                    throw new BulwarkInputException($"shape [{string.Join(", ", spec)}] copies dimension {i}, which the input of rank {input.Length} lacks");
                d = input[i];
            }
            if (d == -1)
            {
                if (infer >= 0)
                    throw new BulwarkInputException($"shape [{string.Join(", ", spec)}] has more than one -1");
                infer = i;
                continue;
            }
            if (d < 0 || d > int.MaxValue)
                throw new BulwarkInputException($"shape [{string.Join(", ", spec)}] has the invalid dimension {d}");
            target[i] = (int)d;
            known *= d;
            if (known > int.MaxValue)
                throw new BulwarkInputException($"shape [{string.Join(", ", spec)}] is too large");
        }
        long size = OpUtil.Count(input);
        if (infer >= 0)
        {
            if (known == 0 || size % known != 0)
                throw new BulwarkInputException($"cannot infer the -1 of shape [{string.Join(", ", spec)}] for an input of {size} elements");
            target[infer] = (int)(size / known);
        }
        else if (known != size)
        {
            throw new BulwarkInputException($"an input of shape [{string.Join(", ", input.ToArray())}] cannot take shape [{string.Join(", ", spec)}]");
        }
        return target;
    }

    private static OnnxKernel Flatten(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        long axis = n.Int("axis", 1);
        if (n.Opset < 11 && axis < 0)
            throw n.Refuse($"a negative axis ({axis}) needs opset 11");
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            long a = axis < 0 ? axis + x.Rank : axis;
            if (a < 0 || a > x.Rank)
                throw new BulwarkInputException($"axis {axis} is out of range for rank {x.Rank}");
            int outer = (int)OpUtil.Count(x.Shape[..(int)a]);
            return Layout.Reshaped(x, [outer, (int)OpUtil.Count(x.Shape[(int)a..])]);
        });
    }

    private static OnnxKernel Transpose(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        var perm = n.Ints("perm");
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            int[] p;
            if (perm is null)
            {
                p = Enumerable.Range(0, x.Rank).Reverse().ToArray();
            }
            else
            {
                if (perm.Length != x.Rank)
                    throw new BulwarkInputException($"perm [{string.Join(", ", perm)}] does not match rank {x.Rank}");
                p = perm.Select(a => OpUtil.Axis(a, x.Rank, "perm entry")).ToArray();
                if (p.Distinct().Count() != p.Length)
                    throw new BulwarkInputException($"perm [{string.Join(", ", perm)}] repeats an axis");
            }
            return Layout.Permuted(x, p);
        });
    }

    /// <summary>Axes given as an attribute before <paramref name="inputFrom"/>, as input 1 from then on.</summary>
    private static Func<OnnxValue?[], long[]?> AxesSource(OnnxNode n, int inputFrom, bool required)
    {
        if (n.Opset < inputFrom)
        {
            n.Inputs(1, 1);
            var attr = n.Ints("axes");
            if (attr is null && required)
                throw n.Refuse("attribute 'axes' is required");
            return _ => attr;
        }
        n.Inputs(required ? 2 : 1, 2);
        return args => args.Opt(1) is { } a ? OpUtil.Longs(a, "axes") : null;
    }

    private static OnnxKernel Squeeze(OnnxNode n)
    {
        n.Outputs(1);
        var axesOf = AxesSource(n, 13, required: false);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var axes = axesOf(args);
            var drop = new bool[x.Rank];
            if (axes is null)
            {
                for (int d = 0; d < x.Rank; d++)
                    drop[d] = x.Shape[d] == 1;
            }
            else
            {
                foreach (long a in axes)
                {
                    int d = OpUtil.Axis(a, x.Rank);
                    if (x.Shape[d] != 1)
                        throw new BulwarkInputException($"axis {a} has size {x.Shape[d]}, not 1");
                    drop[d] = true;
                }
            }
            return Layout.Reshaped(x, x.Dims().Where((_, d) => !drop[d]).ToArray());
        });
    }

    private static OnnxKernel Unsqueeze(OnnxNode n)
    {
        n.Outputs(1);
        var axesOf = AxesSource(n, 13, required: true);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var axes = axesOf(args)!;
            int rank = x.Rank + axes.Length;
            var inserted = new bool[rank];
            foreach (long a in axes)
            {
                int d = OpUtil.Axis(a, rank);
                if (inserted[d])
                    throw new BulwarkInputException($"axes [{string.Join(", ", axes)}] repeat axis {a}");
                inserted[d] = true;
            }
            var shape = new int[rank];
            int from = 0;
            for (int d = 0; d < rank; d++)
                shape[d] = inserted[d] ? 1 : x.Shape[from++];
            return Layout.Reshaped(x, shape);
        });
    }

    private static OnnxKernel Concat(OnnxNode n)
    {
        n.Inputs(1, int.MaxValue);
        n.Outputs(1);
        long axis = n.Opset < 4 ? n.Int("axis", 1) : n.IntOrNull("axis") ?? throw n.Refuse("attribute 'axis' is required");
        return OpUtil.One(args =>
        {
            var parts = args.Select((a, i) => a ?? throw new BulwarkInputException($"input {i} is missing")).ToArray();
            return Layout.Concat(parts, OpUtil.Axis(axis, parts[0].Rank));
        });
    }

    private static OnnxKernel Split(OnnxNode n)
    {
        n.Outputs(int.MaxValue);
        long axis = n.Int("axis", 0);
        int outputs = n.OutputCount;
        long[]? fixedSizes = null;
        bool sizesInput;
        long? numOutputs = n.Opset >= 18 ? n.IntOrNull("num_outputs") : null;
        if (n.Opset >= 13)
        {
            n.Inputs(1, 2);
            sizesInput = n.HasInput(1);
            if (n.Opset >= 18 && sizesInput == numOutputs.HasValue)
                throw n.Refuse("exactly one of input 'split' and attribute 'num_outputs' must be given");
            if (numOutputs is { } k && k != outputs)
                throw n.Refuse($"num_outputs is {k} but the node has {outputs} outputs");
        }
        else
        {
            n.Inputs(1, n.Opset < 2 ? 2 : 1);
            fixedSizes = n.Ints("split");
            sizesInput = n.HasInput(1);
            if (sizesInput && fixedSizes is not null)
                throw n.Refuse("split sizes are given both as an attribute and as an input");
        }
        if (fixedSizes is not null && fixedSizes.Length != outputs)
            throw n.Refuse($"{fixedSizes.Length} split sizes for {outputs} outputs");
        return args =>
        {
            var x = args.Arg(0);
            int ax = OpUtil.Axis(axis, x.Rank);
            int dim = x.Shape[ax];
            long[] sizes;
            if (fixedSizes is not null)
            {
                sizes = fixedSizes;
            }
            else if (sizesInput)
            {
                sizes = OpUtil.Longs(args.Arg(1), "split");
                if (sizes.Length != outputs)
                    throw new BulwarkInputException($"{sizes.Length} split sizes for {outputs} outputs");
            }
            else if (numOutputs.HasValue)
            {
                // Chunks of ceil(dim / n); the last one may be smaller.
                long chunk = (dim + outputs - 1) / outputs;
                sizes = Enumerable.Range(0, outputs).Select(i => Math.Clamp(dim - (i * chunk), 0, chunk)).ToArray();
            }
            else
            {
                if (dim % outputs != 0)
                    throw new BulwarkInputException($"axis {ax} of size {dim} does not split evenly into {outputs} parts");
                sizes = Enumerable.Repeat((long)(dim / outputs), outputs).ToArray();
            }
            if (sizes.Any(s => s < 0) || sizes.Sum() != dim)
                throw new BulwarkInputException($"split sizes [{string.Join(", ", sizes)}] do not add up to {dim}");
            var result = new OnnxValue?[outputs];
            int at = 0;
            for (int i = 0; i < outputs; i++)
            {
                result[i] = Layout.Narrow(x, ax, at, (int)sizes[i]);
                at += (int)sizes[i];
            }
            return result;
        };
    }

    private static OnnxKernel Shape(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        long start = n.Opset >= 15 ? n.Int("start", 0) : 0;
        long? end = n.Opset >= 15 ? n.IntOrNull("end") : null;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            int r = x.Rank;
            int s = (int)Math.Clamp(start < 0 ? start + r : start, 0, r);
            int e = (int)Math.Clamp(end is { } v ? (v < 0 ? v + r : v) : r, 0, r);
            var dims = x.Dims()[s..Math.Max(s, e)].Select(d => (long)d).ToArray();
            return OnnxValue.FromIntegers(dims, [dims.Length]);
        });
    }

    private static OnnxKernel Expand(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var spec = OpUtil.Longs(args.Arg(1), "shape");
            // Bidirectional broadcast: the output may be larger than 'shape' where the input is.
            int rank = Math.Max(x.Rank, spec.Length);
            var dims = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                int xi = i - (rank - x.Rank), si = i - (rank - spec.Length);
                long a = xi >= 0 ? x.Shape[xi] : 1, b = si >= 0 ? spec[si] : 1;
                if (a != b && a != 1 && b != 1)
                    throw new BulwarkInputException($"input [{string.Join(", ", x.Dims())}] cannot expand to [{string.Join(", ", spec)}]");
                dims[i] = a == 1 ? b : a;
            }
            var shape = Layout.CheckedShape(n, dims, "expanded output");
            if (x.IsFloat)
                return OpUtil.Like(x.Float!.Expand(shape), x);
            var padded = new int[rank];
            Array.Fill(padded, 1);
            x.Shape.CopyTo(padded.AsSpan(rank - x.Rank));
            var maps = shape.Select((d, i) => padded[i] == 1 ? new int[d] : Layout.Identity(d)).ToArray();
            return Layout.Gather(Layout.Reshaped(x, padded), maps);
        });
    }

    private static OnnxKernel Tile(OnnxNode n)
    {
        if (n.Opset < 6)
            throw n.Refuse("Tile before opset 6 (tiles and axis inputs) is not supported");
        n.Inputs(2, 2);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var repeats = OpUtil.Longs(args.Arg(1), "repeats");
            if (repeats.Length != x.Rank)
                throw new BulwarkInputException($"{repeats.Length} repeats for rank {x.Rank}");
            if (repeats.Any(r => r < 0))
                throw new BulwarkInputException($"repeats [{string.Join(", ", repeats)}] has a negative entry");
            var dims = new long[x.Rank];
            for (int d = 0; d < dims.Length; d++)
                dims[d] = repeats[d] > 0 && x.Shape[d] > long.MaxValue / repeats[d] ? long.MaxValue : x.Shape[d] * repeats[d];
            var shape = Layout.CheckedShape(n, dims, "tiled output");
            var maps = shape.Select((size, d) => Enumerable.Range(0, size).Select(i => i % x.Shape[d]).ToArray()).ToArray();
            return Layout.Gather(x, maps);
        });
    }

    private static OnnxKernel DepthToSpace(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        int b = BlockSize(n);
        string mode = n.Opset >= 11 ? n.String("mode", "DCR") : "DCR";
        if (mode is not ("DCR" or "CRD"))
            throw n.Refuse($"mode '{mode}' is not DCR or CRD");
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var (batch, c, h, w) = Nchw(x, "DepthToSpace");
            if (c % (b * b) != 0)
                throw new BulwarkInputException($"{c} channels do not divide by blocksize² = {b * b}");
            int oc = c / (b * b);
            var v = mode == "DCR"
                ? Layout.Permuted(Layout.Reshaped(x, [batch, b, b, oc, h, w]), [0, 3, 4, 1, 5, 2])
                : Layout.Permuted(Layout.Reshaped(x, [batch, oc, b, b, h, w]), [0, 1, 4, 2, 5, 3]);
            return Layout.Reshaped(v, [batch, oc, h * b, w * b]);
        });
    }

    private static OnnxKernel SpaceToDepth(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        int b = BlockSize(n);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var (batch, c, h, w) = Nchw(x, "SpaceToDepth");
            if (h % b != 0 || w % b != 0)
                throw new BulwarkInputException($"spatial size {h}×{w} does not divide by blocksize {b}");
            var v = Layout.Permuted(Layout.Reshaped(x, [batch, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
            return Layout.Reshaped(v, [batch, c * b * b, h / b, w / b]);
        });
    }

    private static int BlockSize(OnnxNode n)
    {
        long b = n.IntOrNull("blocksize") ?? throw n.Refuse("attribute 'blocksize' is required");
        if (b < 1 || b > 4096)
            throw n.Refuse($"blocksize {b} is out of range");
        return (int)b;
    }

    private static (int N, int C, int H, int W) Nchw(OnnxValue x, string op) =>
        x.Rank == 4 ? (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3])
        : throw new BulwarkInputException($"{op} needs a 4-D input, got [{string.Join(", ", x.Dims())}]");
}
