using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

/// <summary>
/// First-order gradient checks of a module with respect to its input and its own parameters.
/// GradCheck perturbs copies of its inputs, so the forward copies a perturbed copy's values into
/// the live parameter (and restores the original values when the input is the parameter itself).
/// </summary>
internal static class ModuleGradCheck
{
    public static void Check(Func<Tensor, Tensor> forward, Tensor input, IReadOnlyList<Tensor> parameters, double rtol = 2e-2, double atol = 2e-3)
    {
        var originals = parameters.Select(p => p.ToArray()).ToArray();
        Tensor F(Tensor[] xs)
        {
            for (int k = 0; k < parameters.Count; k++)
            {
                var source = ReferenceEquals(xs[k + 1], parameters[k])
                    ? Tensor.FromArray((float[])originals[k].Clone(), parameters[k].Shape.ToArray())
                    : xs[k + 1];
                parameters[k].CopyFrom_(source);
            }
            return forward(xs[0]);
        }
        GradCheck.Check(F, [input, .. parameters], rtol: rtol, atol: atol);
        for (int k = 0; k < parameters.Count; k++)
        {
            parameters[k].CopyFrom_(Tensor.FromArray(originals[k], parameters[k].Shape.ToArray()));
        }
    }

    public static void Check(Module module, Tensor input) => Check(module.Forward, input, module.Parameters().ToList());
}
