using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class SequentialInferenceTests
{
    [Fact]
    public void In_place_relu_in_inference_matches_the_recorded_forward_and_leaves_the_input_alone()
    {
        var rng = new Rng(5);
        var model = new Sequential(new ReLU(), new Linear(6, 5, rng), new ReLU(), new Flatten(), new ReLU(), new Linear(5, 3, rng), new ReLU());
        var x = Tensor.Uniform(rng, -1, 1, 4, 6);
        var before = x.ToArray();
        var recorded = model.Forward(x.Detach().RequiresGradient()).ToArray();
        float[] inference;
        using (Tape.NoGrad())
        {
            inference = model.Forward(x).ToArray();
        }
        Assert.Equal(recorded, inference);
        Assert.Equal(before, x.ToArray());
        Assert.Contains(before, v => v < 0);
    }

    [Fact]
    public void Relu_then_maxpool_in_inference_matches_the_recorded_forward()
    {
        var rng = new Rng(8);
        var model = new Sequential(new ReLU(), new MaxPool2d(2), new Conv2d(2, 3, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(12, 2, rng), new ReLU());
        var x = Tensor.Uniform(rng, -1, 1, 3, 2, 8, 8);
        var before = x.ToArray();
        var recorded = model.Forward(x.Detach().RequiresGradient()).ToArray();
        float[] inference;
        using (Tape.NoGrad())
        {
            inference = model.Forward(x).ToArray();
        }
        Assert.Equal(recorded, inference);
        Assert.Equal(before, x.ToArray());
    }
}
