namespace Bulwark.Tools.OnnxConformance;

/// <summary>One ONNX backend test case: a model and its stored input/output data sets.</summary>
/// <param name="Suite">The suite folder (node, pytorch-converted, pytorch-operator, simple, light).</param>
/// <param name="Name">The case folder (or light model) name.</param>
/// <param name="ModelPath">The model file.</param>
/// <param name="DataSets">Each data set's input and output .pb files in index order; empty inputs for light models, whose inputs are generated.</param>
public sealed record ConformanceCase(string Suite, string Name, string ModelPath, IReadOnlyList<ConformanceDataSet> DataSets);

/// <summary>The stored inputs and expected outputs of one run of a case.</summary>
public sealed record ConformanceDataSet(IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, bool GeneratedInputs);

/// <summary>What happened to one case.</summary>
public enum CaseStatus
{
    /// <summary>Loaded and every output agreed within tolerance.</summary>
    Passed,

    /// <summary>Loaded and then disagreed, or crashed while running.</summary>
    Failed,

    /// <summary>The importer refused the model at load.</summary>
    Unsupported,
}

/// <summary>The result of one case.</summary>
public sealed record CaseResult(string Suite, string Name, CaseStatus Status, string? Detail);
