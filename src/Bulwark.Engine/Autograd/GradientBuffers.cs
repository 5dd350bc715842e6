using System.Runtime.CompilerServices;

namespace Bulwark.Engine.Autograd;

/// <summary>
/// Storage for leaf gradients that a training loop hands back once it is done with them
/// (<see cref="Optim.Optimizer.ZeroGradRecycling"/>), so the next backward pass writes into memory
/// the process already has. A fresh array per step put the reference CNN's 1.6 MB Linear weight
/// gradient on the large-object heap every step, and its pages were faulted in again and again
/// (about 400 page faults, 4–5 ms, a step on this machine, for the first ~180 steps of a process).
/// Only arrays handed out here are taken back, each at most once, so nothing else's storage can
/// end up shared.
/// </summary>
internal static class GradientBuffers
{
    /// <summary>Most arrays kept per length.</summary>
    private const int PerLength = 4;

    private static readonly Dictionary<int, Stack<float[]>> Free = [];
    private static readonly ConditionalWeakTable<float[], object> Issued = [];
    private static readonly object Gate = new();

    /// <summary>An array of exactly <paramref name="length"/> floats, recycled when one is free; its contents are undefined.</summary>
    public static float[] Rent(int length)
    {
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                return stack.Pop();
            }
        }
        var array = GC.AllocateUninitializedArray<float>(length);
        Issued.AddOrUpdate(array, Gate);
        return array;
    }

    /// <summary>Takes back the storage of <paramref name="gradient"/> if it is a whole array handed out by <see cref="Rent"/> and not already free.</summary>
    public static void Return(Tensor gradient)
    {
        var array = gradient.storage;
        if (gradient.offset != 0 || gradient.Size != array.Length || !Issued.TryGetValue(array, out _))
        {
            return;
        }
        lock (Gate)
        {
            if (!Free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                Free[array.Length] = stack;
            }
            if (stack.Count < PerLength && !stack.Contains(array))
            {
                stack.Push(array);
            }
        }
    }
}
