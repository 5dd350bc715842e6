namespace Bulwark.Onnx.Import;

/// <summary>
/// A built op: maps the node's input values (null for an absent optional input) to its outputs.
/// Built once at load with the node's attributes bound; run on every forward pass.
/// </summary>
internal delegate OnnxValue?[] OnnxKernel(OnnxValue?[] inputs);

/// <summary>Builds the kernel of one node, reading and validating its attributes.</summary>
internal delegate OnnxKernel OnnxOpBuilder(OnnxNode node);
