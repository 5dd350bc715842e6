namespace Bulwark.Engine.Autograd;

/// <summary>
/// One recorded operation on the tape: the inputs it read and its backward rule. The rule maps
/// the gradient of the output to the gradients of the inputs (null where an input needs none)
/// and is written with tensor operations, so it is itself recorded when a graph of the
/// gradient is wanted (higher-order gradients).
/// </summary>
internal sealed class Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    public string Name { get; } = name;

    public Tensor[] Inputs { get; } = inputs;

    public Func<Tensor, Tensor?[]> Backward { get; } = backward;
}
