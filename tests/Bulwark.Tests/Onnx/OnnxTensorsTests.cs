using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Onnx.Proto;
using Google.Protobuf;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx;

public sealed class OnnxTensorsTests
{
    private static readonly DataType[] FloatTypes =
        [DataType.Float, DataType.Double, DataType.Float16, DataType.Bfloat16];

    private static readonly DataType[] IntegerTypes =
        [DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Uint8, DataType.Uint16, DataType.Uint32, DataType.Uint64, DataType.Bool];

    [Fact]
    public void Every_supported_node_test_tensor_converts_with_its_shape()
    {
        int converted = 0, refused = 0;
        foreach (string dir in Directory.GetDirectories(OnnxTestFiles.BackendTests("node"), "test_*"))
        {
            var graph = OnnxFile.ReadModel(Path.Combine(dir, "model.onnx")).Graph;
            foreach (string set in Directory.GetDirectories(dir, "test_data_set_*"))
            {
                foreach (string file in Directory.GetFiles(set, "*.pb"))
                {
                    // Sequence and optional values are other messages in .pb files; only tensor-typed slots hold TensorProtos.
                    string name = Path.GetFileNameWithoutExtension(file);
                    int index = int.Parse(name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                    var slots = name.StartsWith("input", StringComparison.Ordinal) ? graph.Input : graph.Output;
                    if (index >= slots.Count || slots[index].Type?.ValueCase != TypeProto.ValueOneofCase.TensorType)
                    {
                        continue;
                    }
                    var proto = OnnxFile.ReadTensor(file);
                    var type = (DataType)proto.DataType;
                    long count = proto.Dims.Aggregate(1L, (a, d) => a * d);
                    if (FloatTypes.Contains(type) || IntegerTypes.Contains(type))
                    {
                        var tensor = OnnxTensors.ToTensor(proto);
                        Assert.Equal(proto.Dims.Select(d => (int)d).ToArray(), tensor.Shape.ToArray());
                        Assert.Equal(count, tensor.Size);
                        if (IntegerTypes.Contains(type) && (type != DataType.Uint64 || UInt64FitsInt64(proto)))
                        {
                            Assert.Equal(count, OnnxTensors.ToLongTensor(proto).Size);
                        }
                        converted++;
                    }
                    else
                    {
                        var ex = Assert.Throws<BulwarkInputException>(() => OnnxTensors.ToTensor(proto));
                        Assert.Contains("not supported", ex.Message, StringComparison.Ordinal);
                        refused++;
                    }
                }
            }
        }
        Assert.True(converted >= 1500, $"only {converted} tensors converted ({refused} refused)");
    }

    private static bool UInt64FitsInt64(TensorProto proto)
    {
        try
        {
            OnnxTensors.ToLongTensor(proto);
            return true;
        }
        catch (BulwarkInputException ex) when (ex.Message.Contains("above", StringComparison.Ordinal))
        {
            return false;
        }
    }

    [Theory]
    [InlineData("test_abs")]
    [InlineData("test_relu")]
    public void Elementwise_test_outputs_match_the_inputs(string test)
    {
        var x = OnnxTensors.ToTensor(OnnxFile.ReadTensor(OnnxTestFiles.BackendTests("node", test, "test_data_set_0", "input_0.pb"))).ToArray();
        var y = OnnxTensors.ToTensor(OnnxFile.ReadTensor(OnnxTestFiles.BackendTests("node", test, "test_data_set_0", "output_0.pb"))).ToArray();
        Assert.Equal(60, x.Length);
        Assert.Equal(x.Select(v => test == "test_abs" ? Math.Abs(v) : Math.Max(v, 0f)), y);
        Assert.Contains(x, v => v < 0);
    }

    [Fact]
    public void Bool_test_output_is_the_negated_input()
    {
        var x = OnnxTensors.ToLongTensor(OnnxFile.ReadTensor(OnnxTestFiles.BackendTests("node", "test_not_2d", "test_data_set_0", "input_0.pb")));
        var y = OnnxTensors.ToLongTensor(OnnxFile.ReadTensor(OnnxTestFiles.BackendTests("node", "test_not_2d", "test_data_set_0", "output_0.pb")));
        Assert.Equal(x.Shape.ToArray(), y.Shape.ToArray());
        Assert.Equal(x.Data.Select(v => 1 - v), y.Data);
    }

    [Fact]
    public void Written_tensors_read_back_identically()
    {
        var t = Tensor.FromArray([1.5f, -2f, float.NaN, 0f, 3.25f, -0f], 2, 3);
        var proto = TensorProto.Parser.ParseFrom(OnnxTensors.FromTensor("w", t).ToByteArray());
        Assert.Equal("w", proto.Name);
        Assert.Equal([2L, 3L], proto.Dims);
        Assert.Equal(t.ToArray(), OnnxTensors.ToTensor(proto).ToArray());

        var l = new LongTensor([long.MinValue, -1, 0, long.MaxValue], 4, 1);
        var back = OnnxTensors.ToLongTensor(TensorProto.Parser.ParseFrom(OnnxTensors.FromLongTensor("idx", l).ToByteArray()));
        Assert.Equal(l.Data, back.Data);
        Assert.Equal([4, 1], back.Shape.ToArray());

        var scalar = OnnxTensors.ToTensor(OnnxTensors.FromTensor("s", Tensor.Scalar(7f)));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal([7f], scalar.ToArray());
    }

    [Fact]
    public void Typed_fields_are_read_like_raw_data()
    {
        var half = Typed(DataType.Float16, [2]);
        half.Int32Data.Add([BitConverter.HalfToUInt16Bits((Half)1.5f), BitConverter.HalfToUInt16Bits((Half)(-0.25f))]);
        Assert.Equal([1.5f, -0.25f], OnnxTensors.ToTensor(half).ToArray());

        var bf = Typed(DataType.Bfloat16, [1]);
        bf.Int32Data.Add(BitConverter.SingleToInt32Bits(-3f) >>> 16);
        Assert.Equal([-3f], OnnxTensors.ToTensor(bf).ToArray());

        var i8 = Typed(DataType.Int8, [3]);
        i8.Int32Data.Add([-128, 0, 127]);
        Assert.Equal([-128L, 0L, 127L], OnnxTensors.ToLongTensor(i8).Data);

        var u32 = Typed(DataType.Uint32, [1]);
        u32.Uint64Data.Add(uint.MaxValue);
        Assert.Equal([(float)uint.MaxValue], OnnxTensors.ToTensor(u32).ToArray());

        var d = Typed(DataType.Double, [2, 1]);
        d.DoubleData.Add([0.5, -8]);
        Assert.Equal([0.5f, -8f], OnnxTensors.ToTensor(d).ToArray());

        var raw16 = Typed(DataType.Int16, [2]);
        raw16.RawData = ByteString.CopyFrom(0x00, 0x80, 0xff, 0x7f);
        Assert.Equal([(long)short.MinValue, short.MaxValue], OnnxTensors.ToLongTensor(raw16).Data);
    }

    [Fact]
    public void Malformed_tensors_are_refused_naming_the_tensor()
    {
        var negative = Typed(DataType.Float, [2, -1]);
        Assert.Contains("'t': dimensions [2, -1] include a negative", Refusal(() => OnnxTensors.ToTensor(negative)), StringComparison.Ordinal);

        var shortTyped = Typed(DataType.Float, [3]);
        shortTyped.FloatData.Add([1f, 2f]);
        Assert.Contains("'t'", Refusal(() => OnnxTensors.ToTensor(shortTyped)), StringComparison.Ordinal);

        var wrongField = Typed(DataType.Float, [1]);
        wrongField.Int64Data.Add(1);
        Assert.Contains("in other fields", Refusal(() => OnnxTensors.ToTensor(wrongField)), StringComparison.Ordinal);

        var both = Typed(DataType.Float, [1]);
        both.FloatData.Add(1f);
        both.RawData = ByteString.CopyFrom(new byte[4]);
        Assert.Contains("both raw_data and typed", Refusal(() => OnnxTensors.ToTensor(both)), StringComparison.Ordinal);

        var outOfRange = Typed(DataType.Uint8, [1]);
        outOfRange.Int32Data.Add(256);
        Assert.Contains("outside [0, 255]", Refusal(() => OnnxTensors.ToTensor(outOfRange)), StringComparison.Ordinal);

        var badBool = Typed(DataType.Bool, [1]);
        badBool.RawData = ByteString.CopyFrom(2);
        Assert.Contains("outside [0, 1]", Refusal(() => OnnxTensors.ToLongTensor(badBool)), StringComparison.Ordinal);

        var huge = Typed(DataType.Uint64, [1]);
        huge.Uint64Data.Add(ulong.MaxValue);
        Assert.Contains("above", Refusal(() => OnnxTensors.ToLongTensor(huge)), StringComparison.Ordinal);

        var overflow = Typed(DataType.Float, [1L << 40, 1L << 40]);
        Assert.Contains("overflow", Refusal(() => OnnxTensors.ToTensor(overflow)), StringComparison.Ordinal);

        var deep = Typed(DataType.Float, Enumerable.Repeat(1L, 17).ToArray());
        deep.FloatData.Add(1f);
        Assert.Contains("rank 17", Refusal(() => OnnxTensors.ToTensor(deep)), StringComparison.Ordinal);
    }

    [Fact]
    public void External_string_complex_and_float_tensors_are_refused_clearly()
    {
        var external = Typed(DataType.Float, [4]);
        external.DataLocation = TensorProto.Types.DataLocation.External;
        external.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../../etc/passwd" });
        Assert.Contains("stored externally", Refusal(() => OnnxTensors.ToTensor(external)), StringComparison.Ordinal);

        var text = Typed(DataType.String, [1]);
        text.StringData.Add(ByteString.CopyFromUtf8("a"));
        Assert.Contains("STRING is not supported", Refusal(() => OnnxTensors.ToTensor(text)), StringComparison.Ordinal);

        var complex = Typed(DataType.Complex64, [1]);
        complex.FloatData.Add([1f, 2f]);
        Assert.Contains("COMPLEX64 is not supported", Refusal(() => OnnxTensors.ToTensor(complex)), StringComparison.Ordinal);

        var unknown = Typed((DataType)99, [1]);
        Assert.Contains("data type 99 is not supported", Refusal(() => OnnxTensors.ToTensor(unknown)), StringComparison.Ordinal);

        var floats = Typed(DataType.Float, [1]);
        floats.FloatData.Add(1f);
        Assert.Contains("FLOAT is not supported by ToLongTensor", Refusal(() => OnnxTensors.ToLongTensor(floats)), StringComparison.Ordinal);
    }

    private static TensorProto Typed(DataType type, long[] dims)
    {
        var proto = new TensorProto { Name = "t", DataType = (int)type };
        proto.Dims.Add(dims);
        return proto;
    }

    private static string Refusal(Action action)
    {
        var ex = Assert.Throws<BulwarkInputException>(action);
        Assert.Contains("ONNX tensor 't'", ex.Message, StringComparison.Ordinal);
        return ex.Message;
    }
}
