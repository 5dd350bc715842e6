using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Bulwark.Tests.Defenses.Integrity;
using Google.Protobuf;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>
/// The importer on a folder of hostile model files: each is refused with
/// <see cref="BulwarkInputException"/> naming what and where (at load, or before allocating for
/// size bombs), and no file is changed.
/// </summary>
public sealed class HostileModelImportTests : IDisposable
{
    private readonly OnnxTestFiles files = new();
    private readonly string outside = Path.Combine(Path.GetTempPath(), "bulwark-outside-" + Guid.NewGuid().ToString("N") + ".bin");

    public void Dispose()
    {
        files.Dispose();
        File.Delete(outside);
    }

    private string Write(ModelProto model, string name) => TestModels.Write(model, files.Folder, name);

    private Dictionary<string, (string Path, string Expect)> BuildFolder()
    {
        var hostile = new Dictionary<string, (string, string)>();
        void Add(string name, ModelProto model, string expect) => hostile[name] = (Write(model, name + ".onnx"), expect);

        var clean = TestModels.Clean().ToByteArray();
        hostile["truncated"] = (files.Write("truncated.onnx", clean[..(clean.Length / 2)]), "truncated.onnx");
        hostile["garbage"] = (files.Write("garbage.onnx", [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37))]), "garbage.onnx");

        var shortData = TestModels.Clean();
        shortData.Graph.Initializer[0] = new TensorProto { Name = "bias", DataType = (int)DataType.Float, Dims = { 4 }, RawData = ByteString.CopyFrom(new byte[8]) };
        Add("short-tensor", shortData, "bias");

        foreach (var (name, location) in new[] { ("absolute", "/etc/passwd"), ("dotdot", "../../secret.bin") })
        {
            var m = TestModels.Clean();
            m.Graph.Initializer[0] = TestModels.External("bias", [4], ("location", location));
            Add("external-" + name, m, "bias");
        }
        File.WriteAllBytes(outside, new byte[16]);
        File.CreateSymbolicLink(Path.Combine(files.Folder, "link.bin"), outside);
        var linked = TestModels.Clean();
        linked.Graph.Initializer[0] = TestModels.External("bias", [4], ("location", "link.bin"));
        Add("external-symlink", linked, "bias");

        Add("custom-domain", TestModels.WithNode(TestModels.Node("Evil", "evil", ["X"], ["Z"], "com.attacker")), "com.attacker");
        Add("unknown-op", TestModels.WithNode(TestModels.Node("NotAnOp", "mystery", ["X"], ["Z"])), "NotAnOp");
        Add("dangling", TestModels.WithNode(TestModels.Node("Relu", "orphan", ["nowhere"], ["Z"])), "nowhere");
        Add("duplicate", TestModels.WithNode(TestModels.Node("Relu", "again", ["X"], ["R"])), "'R' is defined twice");
        var badAttr = TestModels.Node("Relu", "attr", ["X"], ["Z"]);
        badAttr.Attribute.Add(new AttributeProto { Name = "payload", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("cos\nsystem") });
        Add("unknown-attribute", TestModels.WithNode(badAttr), "payload");
        return hostile;
    }

    [Fact]
    public void Every_hostile_file_is_refused_at_load_and_left_unchanged()
    {
        var hostile = BuildFolder();
        var before = hostile.ToDictionary(h => h.Key, h => File.ReadAllBytes(h.Value.Path));
        foreach (var (name, (path, expect)) in hostile)
        {
            var e = Assert.Throws<BulwarkInputException>(() => OnnxModel.Load(path));
            Assert.True(e.Message.Contains(expect, StringComparison.Ordinal), $"{name}: '{e.Message}' does not mention '{expect}'");
            Assert.Equal(before[name], File.ReadAllBytes(path));
        }
    }

    [Theory]
    [InlineData("ConstantOfShape")]
    [InlineData("Expand")]
    [InlineData("Tile")]
    public void Size_bombs_are_refused_before_allocating(string op)
    {
        var m = TestModels.Clean();
        switch (op)
        {
            case "ConstantOfShape":
                m.Graph.Node.Add(TestModels.Node(op, "bomb", ["shape"], ["Z"]));
                m.Graph.Initializer.Add(TestModels.Int64s("shape", 100_000, 100_000, 100));
                break;
            case "Expand":
                m.Graph.Node.Add(TestModels.Node(op, "bomb", ["X", "shape"], ["Z"]));
                m.Graph.Initializer.Add(TestModels.Int64s("shape", 1_000_000, 1_000_000, 4));
                break;
            default:
                m.Graph.Node.Add(TestModels.Node(op, "bomb", ["X", "reps"], ["Z"]));
                m.Graph.Initializer.Add(TestModels.Int64s("reps", 1_000_000_000, 1_000));
                break;
        }
        m.Graph.Output.Add(new ValueInfoProto { Name = "Z", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        var model = OnnxModel.Load(Write(m, op + ".onnx"));
        var x = OnnxValue.FromTensor(Tensor.Ones(1, 4));
        var e = Assert.Throws<BulwarkInputException>(() => model.Run(new Dictionary<string, OnnxValue> { ["X"] = x }));
        Assert.Contains("bomb", e.Message, StringComparison.Ordinal);
        Assert.Contains("above the limit", e.Message, StringComparison.Ordinal);
    }
}
