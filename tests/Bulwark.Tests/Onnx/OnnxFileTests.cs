using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;

namespace Bulwark.Tests.Onnx;

public sealed class OnnxFileTests
{
    [Fact]
    public void Every_backend_test_model_parses()
    {
        var models = Directory.GetFiles(OnnxTestFiles.BackendTests(), "model.onnx", SearchOption.AllDirectories);
        Assert.True(models.Length >= 1000, $"only {models.Length} backend test models found");
        foreach (string path in models)
        {
            var model = OnnxFile.ReadModel(path);
            Assert.InRange(model.IrVersion, OnnxFile.MinIrVersion, OnnxFile.MaxIrVersion);
            Assert.NotEmpty(model.Graph.Node);
        }
        int nodeSuite = Directory.GetDirectories(OnnxTestFiles.BackendTests("node"), "test_*").Length;
        Assert.True(nodeSuite >= 900, $"only {nodeSuite} node tests found");
    }

    [Fact]
    public void Abs_model_has_one_abs_node_from_x_to_y()
    {
        var model = OnnxFile.ReadModel(OnnxTestFiles.BackendTests("node", "test_abs", "model.onnx"));
        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("Abs", node.OpType);
        Assert.Equal(["x"], node.Input);
        Assert.Equal(["y"], node.Output);
        Assert.Equal("x", Assert.Single(model.Graph.Input).Name);
        Assert.Equal("y", Assert.Single(model.Graph.Output).Name);
        Assert.Equal(TypeProto.ValueOneofCase.TensorType, model.Graph.Input[0].Type.ValueCase);
        Assert.Contains(model.OpsetImport, o => o.Domain.Length == 0 && o.Version > 0);
    }

    [Fact]
    public void Truncated_model_is_refused_naming_the_file()
    {
        using var files = new OnnxTestFiles();
        var bytes = File.ReadAllBytes(OnnxTestFiles.BackendTests("node", "test_abs", "model.onnx"));
        string path = files.Write("truncated.onnx", bytes[..(bytes.Length - 7)]);
        var ex = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_are_refused_naming_the_file()
    {
        using var files = new OnnxTestFiles();
        var bytes = new byte[4096];
        new Random(20240611).NextBytes(bytes);
        string path = files.Write("random.onnx", bytes);
        var ex = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_without_graph_or_version_is_refused()
    {
        using var files = new OnnxTestFiles();
        string noGraph = files.Write("nograph.onnx", new ModelProto { IrVersion = 8 }.ToByteArray());
        Assert.Contains("no graph", Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(noGraph)).Message, StringComparison.Ordinal);
        string empty = files.Write("empty.onnx", []);
        Assert.Contains("IR version", Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(empty)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_refused_naming_it()
    {
        using var files = new OnnxTestFiles();
        string path = Path.Combine(files.Folder, "absent.onnx");
        Assert.Contains(path, Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        // Each level is graph → node → attribute: three messages, so 30 levels nest about 90 deep.
        var graph = new GraphProto { Name = "innermost" };
        for (int level = 0; level < 30; level++)
        {
            var node = new NodeProto { OpType = "If" };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
            graph = new GraphProto { Name = $"level{level}" };
            graph.Node.Add(node);
        }
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        using var files = new OnnxTestFiles();
        string path = files.Write("deep.onnx", model.ToByteArray());

        var ex = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("64 levels", ex.Message, StringComparison.Ordinal);

        var parsed = OnnxFile.ReadModel(path, new OnnxReadLimits { RecursionLimit = 100, MaxGraphDepth = 31 });
        Assert.Equal("level29", parsed.Graph.Name);
    }

    [Fact]
    public void File_over_the_size_limit_is_refused_before_reading()
    {
        string model = OnnxTestFiles.BackendTests("node", "test_abs", "model.onnx");
        var ex = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(model, new OnnxReadLimits { MaxBytes = 16 }));
        Assert.Contains(model, ex.Message, StringComparison.Ordinal);
        Assert.Contains("16-byte limit", ex.Message, StringComparison.Ordinal);

        string tensor = OnnxTestFiles.BackendTests("node", "test_abs", "test_data_set_0", "input_0.pb");
        Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadTensor(tensor, new OnnxReadLimits { MaxBytes = 16 }));
    }

    [Fact]
    public void Tensor_file_whose_dims_disagree_with_raw_data_is_refused_naming_file_and_tensor()
    {
        var tensor = new TensorProto { Name = "bad", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[20]) };
        tensor.Dims.Add([2, 3]);
        using var files = new OnnxTestFiles();
        string path = files.Write("bad.pb", tensor.ToByteArray());
        var ex = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadTensor(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'bad'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("20 bytes", ex.Message, StringComparison.Ordinal);
    }
}
