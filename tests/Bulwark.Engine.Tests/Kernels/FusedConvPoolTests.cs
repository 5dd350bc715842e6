using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Kernels;

/// <summary>
/// The inference-only fused Conv2d → ReLU → MaxPool2d against the three separate ops: bias and
/// ReLU are monotone and commute with the maximum, and the direct kernels run the same products, so
/// the results must agree exactly, at any thread count. These tests turn the Winograd path off;
/// <see cref="WinogradConvTests"/> tests it.
/// </summary>
[Collection(EngineThreadsCollection.Name)]
public class FusedConvPoolTests
{
    public static TheoryData<string, int[], int[], Conv2dGeometry, Pool2dGeometry> Cases => new()
    {
        { "reference conv1, 2x2 pool", [3, 1, 28, 28], [8, 1, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "reference conv2 shape, batch 1", [1, 6, 14, 14], [12, 6, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "odd sizes, odd last row and column", [3, 3, 11, 13], [5, 3, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "pooled width below four", [2, 2, 7, 6], [3, 2, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "pooled width 8 to 15", [5, 2, 20, 19], [9, 2, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "strided conv, no bias handled elsewhere", [3, 4, 17, 15], [7, 4, 3, 3], new Conv2dGeometry(2, 2, 1, 1, 0, 1), Pool2dGeometry.Square(2, 2) },
        { "dilation and groups", [3, 4, 16, 16], [6, 2, 3, 3], Conv2dGeometry.Square(padding: 2, dilation: 2, groups: 2), Pool2dGeometry.Square(2, 2) },
        { "overlapping 3x3 pool with padding", [2, 3, 12, 11], [4, 3, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(3, 2, 1) },
        { "ceil mode", [3, 2, 9, 9], [3, 2, 2, 2], new Conv2dGeometry(), Pool2dGeometry.Square(2, 2) with { CeilMode = true } },
        { "dilated 2x3 pool, stride 1x2", [2, 2, 10, 12], [3, 2, 3, 3], Conv2dGeometry.Square(padding: 1), new Pool2dGeometry(2, 3, 1, 2, DilationH: 2) },
        { "many channels, batch 5", [5, 12, 9, 10], [20, 12, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "reference conv2, channels in lanes", [3, 32, 14, 14], [64, 32, 3, 3], Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2) },
        { "channels in lanes, no padding, odd size", [2, 8, 17, 33], [32, 8, 3, 3], new Conv2dGeometry(), Pool2dGeometry.Square(2, 2) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_op_equals_conv_relu_maxpool(string name, int[] xShape, int[] wShape, Conv2dGeometry conv, Pool2dGeometry pool)
    {
        var rng = new Rng((ulong)name.Length + 17);
        var x = Tensor.Uniform(rng, -1, 1, xShape);
        var w = Tensor.Uniform(rng, -1, 1, wShape);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, wShape[0]);
        int saved = EngineSettings.Threads;
        EngineSettings.WinogradConvolution = false;
        try
        {
            foreach (int threads in new[] { 1, 2, 3, 8 })
            {
                EngineSettings.Threads = threads;
                using var noGrad = Tape.NoGrad();
                foreach (var bias in new[] { b, null })
                {
                    var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, bias, conv).Relu(), pool);
                    var fused = Tensor.Conv2dReluMaxPool(x, w, bias, conv, pool);
                    Assert.Equal(expected.Shape.ToArray(), fused.Shape.ToArray());
                    Assert.Equal(expected.ToArray(), fused.ToArray());
                }
            }
        }
        finally
        {
            EngineSettings.Threads = saved;
            EngineSettings.WinogradConvolution = true;
        }
    }

    [Fact]
    public void Channel_lanes_path_equals_the_separate_ops_at_every_height_and_width_2_to_67()
    {
        var rng = new Rng(67);
        var w = Tensor.Uniform(rng, -1, 1, 32, 8, 3, 3);
        var b = Tensor.Uniform(rng, -0.5f, 0.5f, 32);
        var conv = Conv2dGeometry.Square(padding: 1);
        var pool = Pool2dGeometry.Square(2, 2);
        using var noGrad = Tape.NoGrad();
        for (int size = 2; size <= 67; size++)
        {
            foreach (var (h, wd) in new[] { (size, 5), (4, size) })
            {
                var x = Tensor.Uniform(rng, -1, 1, 2, 8, h, wd);
                var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, b, conv).Relu(), pool);
                Assert.Equal(expected.ToArray(), Tensor.Conv2dReluMaxPool(x, w, b, conv, pool).ToArray());
            }
        }
    }

    [Fact]
    public void Fused_op_propagates_nan_and_infinity_as_the_separate_ops_do()
    {
        var x = Tensor.Uniform(new Rng(3), -1, 1, 2, 1, 8, 8);
        var data = x.ToArray();
        data[10] = float.NaN;
        data[70] = float.PositiveInfinity;
        data[100] = float.NegativeInfinity;
        x = Tensor.FromArray(data, 2, 1, 8, 8);
        var w = Tensor.FromArray([0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f], 1, 1, 3, 3);
        var bias = Tensor.FromArray([0.25f], 1);
        using var noGrad = Tape.NoGrad();
        var expected = Tensor.MaxPool2d(Tensor.Conv2d(x, w, bias, Conv2dGeometry.Square(padding: 1)).Relu(), Pool2dGeometry.Square(2, 2)).ToArray();
        var fused = Tensor.Conv2dReluMaxPool(x, w, bias, Conv2dGeometry.Square(padding: 1), Pool2dGeometry.Square(2, 2)).ToArray();
        Assert.Equal(expected, fused);
        Assert.Contains(fused, float.IsNaN);
    }

    [Fact]
    public void The_fused_ops_relu_kernel_equals_the_relu_op_bit_for_bit_at_every_length_0_to_67()
    {
        float[] special = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1e-45f, 1e-45f, -3.5f, 2.25f, float.MinValue, float.MaxValue];
        var rng = new Rng(8);
        for (int n = 0; n <= 67; n++)
        {
            var values = Tensor.Uniform(rng, -1, 1, Math.Max(n, 1)).ToArray()[..n];
            for (int i = 0; i < n; i += 3)
            {
                values[i] = special[(i / 3) % special.Length];
            }
            var expected = values.ToArray();
            System.Numerics.Tensors.TensorPrimitives.Max(expected, 0f, expected);
            var actual = values.ToArray();
            Bulwark.Engine.Kernels.PoolKernels.ReluInPlace(actual);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Fused_op_refuses_to_run_while_the_tape_records()
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        var w = Tensor.Zeros(1, 1, 3, 3);
        Assert.Throws<InvalidOperationException>(() => Tensor.Conv2dReluMaxPool(x, w, null, new Conv2dGeometry(), Pool2dGeometry.Square(2, 2)));
    }

    [Fact]
    public void Fused_op_rejects_a_pool_that_does_not_fit_the_convolution_output()
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        var w = Tensor.Zeros(1, 1, 3, 3);
        using var noGrad = Tape.NoGrad();
        Assert.Throws<BulwarkInputException>(() => Tensor.Conv2dReluMaxPool(x, w, null, new Conv2dGeometry(), Pool2dGeometry.Square(3, 3)));
    }

    [Fact]
    public void Sequential_inference_uses_the_fusion_and_training_gradients_are_unchanged()
    {
        var rng = new Rng(21);
        var model = new Sequential(
            new Conv2d(2, 4, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 5, 3, rng, padding: 1), new ReLU(), new MaxPool2d(3, 2, 1),
            new Flatten(), new Linear(5 * 3 * 3, 3, rng));
        var x = Tensor.Uniform(rng, -1, 1, 3, 2, 11, 12);
        var layers = Enumerable.Range(0, model.Count).Select(i => model[i]).ToArray();

        // Recorded forward: the separate ops, whose gradients are the reference.
        var recorded = model.Forward(x);
        recorded.Sum().Backward();
        var grads = model.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        var composed = x;
        foreach (var layer in layers)
        {
            composed = layer.Forward(composed);
        }
        Assert.Equal(composed.ToArray(), recorded.ToArray());
        foreach (var p in model.Parameters())
        {
            p.Grad = null;
        }
        composed.Sum().Backward();
        Assert.Equal(grads, model.Parameters().Select(p => p.Grad!.ToArray()).ToArray());

        float[] inference;
        using (Tape.NoGrad())
        {
            inference = model.Forward(x).ToArray();
        }
        Assert.Equal(recorded.ToArray(), inference);
    }

    [Fact]
    public void Activation_capture_still_sees_the_convolution_outputs_in_inference()
    {
        var rng = new Rng(4);
        var model = new Sequential(new Conv2d(1, 2, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2));
        var x = Tensor.Uniform(rng, -1, 1, 2, 1, 6, 6);
        using var noGrad = Tape.NoGrad();
        using var capture = ActivationCapture.Begin();
        model.Forward(x);
        var record = Assert.Single(capture.Records);
        Assert.Equal([2, 2, 6, 6], record.Output.Shape.ToArray());
    }
}
