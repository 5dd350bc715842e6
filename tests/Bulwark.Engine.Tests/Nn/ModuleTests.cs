using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block(Rng rng)
        {
            Fc = RegisterModule("fc", new Linear(2, 2, rng));
            Bn = RegisterModule("bn", new BatchNorm1d(2));
        }

        public Linear Fc { get; }

        public BatchNorm1d Bn { get; }

        public override Tensor Forward(Tensor x) => Bn.Forward(Fc.Forward(x));
    }

    private sealed class Net : Module
    {
        public Net(Rng rng)
        {
            Scale = RegisterParameter("scale", Tensor.Ones(2));
            Block = RegisterModule("block", new Block(rng));
        }

        public Tensor Scale { get; }

        public Block Block { get; }

        public override Tensor Forward(Tensor x) => Block.Forward(x).Mul(Scale);
    }

    private sealed class Tied : Module
    {
        public Tied(Linear shared)
        {
            RegisterModule("a", shared);
            RegisterModule("b", shared);
        }

        public override Tensor Forward(Tensor x) => x;
    }

    private sealed class Naming : Module
    {
        public Naming(string name) => RegisterParameter(name, Tensor.Zeros(1));

        public void Register(string name) => RegisterBuffer(name, Tensor.Zeros(1));

        public override Tensor Forward(Tensor x) => x;
    }

    private static Sequential SmallNet() => new(
        new Linear(3, 4, new Rng(1)),
        new BatchNorm1d(4),
        new ReLU(),
        new Sequential(new Linear(4, 2, new Rng(2)), new LayerNorm(2)));

    [Fact]
    public void Names_match_PyTorch()
    {
        // Lists printed by torch 1.13 for nn.Sequential(Linear(3,4), BatchNorm1d(4), ReLU(),
        // Sequential(Linear(4,2), LayerNorm(2))): named_parameters, named_buffers, state_dict keys.
        var net = SmallNet();
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.0.weight", "3.0.bias", "3.1.weight", "3.1.bias"],
            net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "3.0.weight", "3.0.bias", "3.1.weight", "3.1.bias"], net.StateDict().Select(kv => kv.Key));
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.All(net.NamedBuffers(), b => Assert.False(b.Buffer.RequiresGrad));
    }

    [Fact]
    public void Nested_custom_modules_use_dotted_paths_own_parameters_first()
    {
        var net = new Net(new Rng(3));
        Assert.Equal(["scale", "block.fc.weight", "block.fc.bias", "block.bn.weight", "block.bn.bias"], net.NamedParameters().Select(p => p.Name));
        Assert.Contains("block.bn.running_mean", net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["", "block", "block.fc", "block.bn"], net.NamedModules().Select(m => m.Name));
    }

    [Fact]
    public void Train_and_Eval_set_one_flag_everywhere()
    {
        var net = SmallNet();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
        Assert.Same(net, net.Eval());
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void ZeroGrad_clears_every_gradient()
    {
        var net = SmallNet();
        net.Forward(GradCheck.Random(1, -1, 1, 5, 3)).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void A_shared_module_contributes_its_parameters_once()
    {
        var tied = new Tied(new Linear(2, 3, new Rng(1)));
        Assert.Equal(["a.weight", "a.bias"], tied.NamedParameters().Select(p => p.Name));
        Assert.Equal(["a.weight", "a.bias", "b.weight", "b.bias"], tied.StateDict().Select(kv => kv.Key));
    }

    [Fact]
    public void Bad_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Naming("a.b"));
        Assert.Throws<ArgumentException>(() => new Naming(""));
        var m = new Naming("w");
        Assert.Throws<ArgumentException>(() => m.Register("w"));
        m.Register("v");
    }

    [Fact]
    public void LoadStateDict_copies_in_place_and_checks_names_and_shapes()
    {
        var source = SmallNet();
        source.Forward(GradCheck.Random(2, -1, 1, 6, 3));
        var target = new Sequential(
            new Linear(3, 4, new Rng(10)), new BatchNorm1d(4), new ReLU(),
            new Sequential(new Linear(4, 2, new Rng(11)), new LayerNorm(2)));
        var weightBefore = target.NamedParameters().First().Parameter;
        target.LoadStateDict(source.StateDict().ToDictionary());
        Assert.Same(weightBefore, target.NamedParameters().First().Parameter);
        foreach (var ((name, a), (_, b)) in source.StateDict().Zip(target.StateDict()))
        {
            Assert.True(a.ToArray().SequenceEqual(b.ToArray()), name);
        }

        var partial = source.StateDict().Where(kv => kv.Key != "0.bias").ToDictionary();
        Assert.Throws<BulwarkInputException>(() => target.LoadStateDict(partial));
        target.LoadStateDict(partial, strict: false);
        var wrongShape = source.StateDict().ToDictionary();
        wrongShape["0.bias"] = Tensor.Zeros(5);
        Assert.Throws<BulwarkInputException>(() => target.LoadStateDict(wrongShape));
    }

    [Fact]
    public void Residual_adds_the_identity_or_a_projection()
    {
        var body = new Sequential(new Linear(3, 3, new Rng(1)), new Tanh());
        var x = GradCheck.Random(3, -1, 1, 2, 3);
        var res = new Residual(body);
        Assert.Equal(body.Forward(x).Add(x).ToArray(), res.Forward(x).ToArray());

        var widen = new Residual(new Linear(3, 5, new Rng(2)), new Linear(3, 5, new Rng(3), bias: false));
        Assert.Equal(["body.weight", "body.bias", "projection.weight"], widen.NamedParameters().Select(p => p.Name));
        Assert.Equal([2, 5], widen.Forward(x).Shape.ToArray());
        Assert.Throws<BulwarkInputException>(() => new Residual(new Linear(3, 5, new Rng(2))).Forward(x));
        ModuleGradCheck.Check(widen, x);
    }

    [Fact]
    public void Sequential_and_Flatten_compose()
    {
        var seq = new Sequential(new Flatten(), new Linear(6, 2, new Rng(4)));
        Assert.Equal(2, seq.Count);
        Assert.IsType<Flatten>(seq[0]);
        var x = GradCheck.Random(5, -1, 1, 4, 2, 3);
        Assert.Equal([4, 2], seq.Forward(x).Shape.ToArray());
        ModuleGradCheck.Check(seq, x);
    }
}
