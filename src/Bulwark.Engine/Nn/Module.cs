using System.Globalization;

namespace Bulwark.Engine.Nn;

/// <summary>
/// A layer or model as a plain object (after PyTorch's <c>nn.Module</c>): constructors register
/// their parameters, buffers and child modules under explicit names, and everything else —
/// <see cref="NamedParameters"/>, <see cref="StateDict"/>, <see cref="Train"/> — walks that
/// registry. Names are joined with dots depth-first ("0.weight", "block.bn.running_mean"),
/// exactly as PyTorch names them, so a checkpoint written by either side lines up key for key.
/// </summary>
/// <remarks>
/// Nothing is discovered by reflection: a tensor field that is not registered is invisible to
/// optimisers and checkpoints, which keeps what a model "is" visible in its constructor.
/// Modules start in training mode.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Module Module)> children = [];
    private readonly List<(string Name, Tensor Tensor)> parameters = [];
    private readonly List<(string Name, Tensor Tensor)> buffers = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <summary>True in training mode (batch statistics, dropout active); false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Applies the module to a batch.</summary>
    public abstract Tensor Forward(Tensor x);

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this))
        {
            throw new ArgumentException("A module cannot be its own child.", nameof(module));
        }
        Claim(name);
        children.Add((name, module));
        return module;
    }

    /// <summary>Registers a trainable leaf tensor under <paramref name="name"/>, marks it as requiring a gradient, and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.IsLeaf || !parameter.IsContiguous)
        {
            throw new ArgumentException($"Parameter '{name}' must be a contiguous leaf tensor.", nameof(parameter));
        }
        Claim(name);
        parameters.Add((name, parameter.RequiresGradient()));
        return parameter;
    }

    /// <summary>Registers state that is saved with the model but not trained (running statistics) and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!buffer.IsLeaf || !buffer.IsContiguous)
        {
            throw new ArgumentException($"Buffer '{name}' must be a contiguous leaf tensor.", nameof(buffer));
        }
        Claim(name);
        buffers.Add((name, buffer));
        return buffer;
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Name '{name}' must not contain '.', which separates path segments.", nameof(name));
        }
        if (!names.Add(name))
        {
            throw new ArgumentException($"Name '{name}' is already registered on {GetType().Name}.", nameof(name));
        }
    }

    /// <summary>The direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    /// <summary>This module (named "") and every descendant, pre-order, each once even if shared.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(this, "", seen);

        static IEnumerable<(string, Module)> Walk(Module m, string prefix, HashSet<Module> seen)
        {
            if (!seen.Add(m))
            {
                yield break;
            }
            yield return (prefix, m);
            foreach (var (name, child) in m.children)
            {
                foreach (var item in Walk(child, Join(prefix, name), seen))
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>
    /// Every parameter with its dotted path: each module's own parameters, then its children's,
    /// depth-first (PyTorch's <c>named_parameters</c> order). A tensor shared by two modules is
    /// listed once, under its first name, so an optimiser does not step it twice.
    /// </summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() => NamedTensors(m => m.parameters);

    /// <summary>Every buffer with its dotted path, in the same order as <see cref="NamedParameters"/>.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers() => NamedTensors(m => m.buffers);

    /// <summary>The parameters of <see cref="NamedParameters"/> without their names.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    private IEnumerable<(string, Tensor)> NamedTensors(Func<Module, List<(string Name, Tensor Tensor)>> select)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, module) in NamedModules())
        {
            foreach (var (name, tensor) in select(module))
            {
                if (seen.Add(tensor))
                {
                    yield return (Join(path, name), tensor);
                }
            }
        }
    }

    /// <summary>
    /// Parameters and buffers by dotted name in PyTorch's <c>state_dict</c> order (a module's
    /// parameters, its buffers, then each child's entries). Values are the live tensors, not copies.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict()
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        Collect(this, "", result);
        return result;

        static void Collect(Module m, string prefix, List<KeyValuePair<string, Tensor>> into)
        {
            foreach (var (name, t) in m.parameters)
            {
                into.Add(new(Join(prefix, name), t));
            }
            foreach (var (name, t) in m.buffers)
            {
                into.Add(new(Join(prefix, name), t));
            }
            foreach (var (name, child) in m.children)
            {
                Collect(child, Join(prefix, name), into);
            }
        }
    }

    /// <summary>
    /// Copies values into the registered parameters and buffers, in place (optimisers holding the
    /// tensors keep working). With <paramref name="strict"/>, missing or unexpected names throw.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        if (strict)
        {
            var missing = own.Select(kv => kv.Key).Where(k => !state.ContainsKey(k)).ToList();
            var ownNames = own.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                throw new BulwarkInputException(
                    $"LoadStateDict: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
            }
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var value))
            {
                continue;
            }
            if (!value.Shape.SequenceEqual(target.Shape))
            {
                throw new BulwarkInputException(
                    $"LoadStateDict: '{name}' has shape {ShapeUtil.Format(value.Shape)} but the model expects {ShapeUtil.Format(target.Shape)}.");
            }
            target.CopyFrom_(value);
        }
    }

    /// <summary>Sets training mode on this module and every descendant; returns this module.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules())
        {
            m.IsTraining = mode;
        }
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>) on this module and every descendant; returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Drops every parameter's accumulated gradient (sets it to null, as PyTorch does by default).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.Grad = null;
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>The invariant decimal name of a position, as Sequential and similar containers name children.</summary>
    protected static string IndexName(int index) => index.ToString(CultureInfo.InvariantCulture);
}
