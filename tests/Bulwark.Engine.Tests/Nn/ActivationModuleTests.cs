using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class ActivationModuleTests
{
    public static TheoryData<string> Names => ["ReLU", "LeakyReLU", "GELU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax"];

    private static Module Make(string name) => name switch
    {
        "ReLU" => new ReLU(),
        "LeakyReLU" => new LeakyReLU(0.1f),
        "GELU" => new GELU(),
        "Tanh" => new Tanh(),
        "Sigmoid" => new Sigmoid(),
        "Softmax" => new Softmax(),
        "LogSoftmax" => new LogSoftmax(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Tensor Reference(string name, Tensor x) => name switch
    {
        "ReLU" => x.Relu(),
        "LeakyReLU" => x.LeakyRelu(0.1f),
        "GELU" => x.Gelu(),
        "Tanh" => x.Tanh(),
        "Sigmoid" => x.Sigmoid(),
        "Softmax" => x.Softmax(-1),
        "LogSoftmax" => x.LogSoftmax(-1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Module_equals_the_tensor_op_and_has_no_parameters(string name)
    {
        var module = Make(name);
        var x = GradCheck.Random(1, -3, 3, 4, 5);
        Assert.Equal(Reference(name, x).ToArray(), module.Forward(x).ToArray());
        Assert.Empty(module.NamedParameters());
        // Keep inputs away from ReLU's kink, where central differences straddle two slopes.
        var away = x.Add(x.Sign().Mul(0.05f));
        ModuleGradCheck.Check(module, away);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Second_order_through_Linear_activation_and_CrossEntropy(string name)
    {
        var linear = new Linear(3, 4, new Rng(7));
        var activation = Make(name);
        var labels = LongTensor.FromValues(1, 3);
        var x = GradCheck.Random(2, -2, 2, 2, 3);
        GradCheck.CheckSecondOrder(xs => Losses.CrossEntropy(activation.Forward(linear.Forward(xs[0])), labels), [x]);
        // And with respect to the layer's weight, through the functional form the module calls.
        var w = linear.Weight.Detach().Clone();
        var b = linear.Bias!.Detach().Clone();
        GradCheck.CheckSecondOrder(xs => Losses.CrossEntropy(activation.Forward(Tensor.Linear(x, xs[0], xs[1])), labels), [w, b]);
    }
}
