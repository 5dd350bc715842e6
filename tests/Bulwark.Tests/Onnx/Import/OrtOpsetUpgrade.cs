using Bulwark.Onnx.Proto;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// ONNX Runtime runs default-domain opsets from 7 only, while most of the PyTorch-exported backend
/// models import opset 6. This rewrites such a model to opset 7 with the same meaning, for the
/// ops those models use, so ONNX Runtime can serve as the reference:
/// <list type="bullet">
/// <item>Gemm, BatchNormalization, Dropout: opset 7 removed <c>broadcast</c> (numpy broadcasting
/// now always) and <c>is_test</c> (inference now always); the values 1 that the exporter wrote
/// mean what opset 7 does.</item>
/// <item>Add, Sub, Mul, Div, Pow: <c>broadcast</c> = 1 without <c>axis</c> aligns trailing axes,
/// which is numpy broadcasting; a legacy <c>axis</c> is not rewritten (refused).</item>
/// <item>PRelu: opset 6 applies a slope of C values per channel (axis 1); opset 7 broadcasts it
/// from the trailing axes, so the slope initializer is reshaped to [C, 1, …, 1].</item>
/// </list>
/// Every other op the models use has the same definition in opsets 6 and 7. Callers also check
/// ONNX Runtime's outputs on the rewritten model against the stored expected outputs, which would
/// catch a rewrite that changed the meaning.
/// </summary>
internal static class OrtOpsetUpgrade
{
    public static ModelProto ToOpset7(ModelProto original)
    {
        var model = original.Clone();
        var opset = model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx");
        if (opset.Version >= 7)
            return model;
        opset.Version = 7;
        var ranks = model.Graph.Input.Where(i => i.Type?.TensorType?.Shape is not null)
            .ToDictionary(i => i.Name, i => i.Type.TensorType.Shape.Dim.Count);
        foreach (var node in model.Graph.Node)
        {
            switch (node.OpType)
            {
                case "Gemm" or "BatchNormalization" or "Dropout":
                    Drop(node, "broadcast", mustBe: null);
                    Drop(node, "is_test", mustBe: 1);
                    break;
                case "Add" or "Sub" or "Mul" or "Div" or "Pow":
                    if (node.Attribute.Any(a => a.Name == "axis"))
                        throw new NotSupportedException($"legacy broadcast axis on {node.OpType}");
                    Drop(node, "broadcast", mustBe: null);
                    break;
                case "PRelu":
                    var slope = model.Graph.Initializer.Single(t => t.Name == node.Input[1]);
                    if (slope.Dims.Count == 1 && slope.Dims[0] > 1 && ranks.TryGetValue(node.Input[0], out int rank) && rank > 2)
                    {
                        long c = slope.Dims[0];
                        slope.Dims.Clear();
                        slope.Dims.Add(c);
                        for (int i = 2; i < rank; i++)
                            slope.Dims.Add(1);
                        var declared = model.Graph.Input.SingleOrDefault(i => i.Name == slope.Name);
                        if (declared is not null)
                            model.Graph.Input.Remove(declared);
                    }
                    break;
            }
        }
        return model;
    }

    private static void Drop(NodeProto node, string name, long? mustBe)
    {
        var a = node.Attribute.SingleOrDefault(x => x.Name == name);
        if (a is null)
            return;
        if (mustBe is { } v && a.I != v)
            throw new NotSupportedException($"{node.OpType} with {name} = {a.I}");
        node.Attribute.Remove(a);
    }
}
