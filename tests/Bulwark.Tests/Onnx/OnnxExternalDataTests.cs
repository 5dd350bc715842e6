using Bulwark.Engine;
using Bulwark.Onnx;
using Bulwark.Tests.Defenses.Integrity;

namespace Bulwark.Tests.Onnx;

public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly OnnxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Loads_exactly_the_declared_range_and_inlines_it()
    {
        _files.Write("w.bin", [.. new byte[8], .. Floats(1, 2, 3, 4), .. new byte[4]]);
        var tensor = TestModels.External("w", [2, 2], ("location", "w.bin"), ("offset", "8"), ("length", "16"));
        var loader = new OnnxExternalData(_files.Folder);

        Assert.Equal(Floats(1, 2, 3, 4), loader.Load(tensor));
        var inline = loader.Inline(tensor);
        Assert.False(OnnxExternalData.IsExternal(inline));
        Assert.True(OnnxExternalData.IsExternal(tensor));
        Assert.Equal([1f, 2, 3, 4], OnnxTensors.ToTensor(inline).ToArray());
        Assert.Equal(32, loader.BytesLoaded);
    }

    [Fact]
    public void Without_a_length_the_rest_of_the_file_must_fit_the_shape()
    {
        _files.Write("w.bin", Floats(5, 6, 7));
        var loader = OnnxExternalData.ForModel(Path.Combine(_files.Folder, "model.onnx"));
        Assert.Equal(Floats(6, 7), loader.Load(TestModels.External("w", [2], ("location", "w.bin"), ("offset", "4"))));
        var error = Assert.Throws<BulwarkInputException>(() => loader.Load(TestModels.External("v", [2], ("location", "w.bin"))));
        Assert.Contains("tensor 'v'", error.Message, StringComparison.Ordinal);
        Assert.Contains("need 8 bytes but the data is 12 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_more_than_the_byte_budget_across_tensors()
    {
        _files.Write("w.bin", Floats(1, 2, 3, 4));
        var loader = new OnnxExternalData(_files.Folder, new OnnxReadLimits { MaxExternalBytes = 24 });
        var tensor = TestModels.External("w", [4], ("location", "w.bin"));
        loader.Load(tensor);
        var error = Assert.Throws<BulwarkInputException>(() => loader.Load(tensor));
        Assert.Contains("limit of 24 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(16, loader.BytesLoaded);
    }

    [Theory]
    [InlineData("/etc/hostname", OnnxExternalDataFault.AbsolutePath)]
    [InlineData("C:\\Windows\\win.ini", OnnxExternalDataFault.AbsolutePath)]
    [InlineData("..\\outside.bin", OnnxExternalDataFault.EscapesFolder)]
    [InlineData("a/b/../../../outside.bin", OnnxExternalDataFault.EscapesFolder)]
    [InlineData("sub", OnnxExternalDataFault.NotRegularFile)]
    [InlineData(".", OnnxExternalDataFault.NotRegularFile)]
    [InlineData("absent.bin", OnnxExternalDataFault.Missing)]
    public void Refuses_locations_outside_or_not_files(string location, OnnxExternalDataFault expected)
    {
        Directory.CreateDirectory(Path.Combine(_files.Folder, "sub"));
        var tensor = TestModels.External("w", [1], ("location", location));
        Assert.False(OnnxExternalData.TryLocate(tensor, _files.Folder, out var span, out var fault, out string problem));
        Assert.Null(span);
        Assert.Equal(expected, fault);
        Assert.Contains("tensor 'w'", problem, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => new OnnxExternalData(_files.Folder).Load(tensor));
    }

    [Fact]
    public void Follows_symlinks_that_stay_inside_and_refuses_those_that_leave()
    {
        using var outside = new OnnxTestFiles();
        Directory.CreateDirectory(Path.Combine(_files.Folder, "data"));
        _files.Write(Path.Combine("data", "w.bin"), Floats(9));
        Directory.CreateSymbolicLink(Path.Combine(_files.Folder, "inside"), "data");
        Directory.CreateSymbolicLink(Path.Combine(_files.Folder, "out"), outside.Folder);
        outside.Write("w.bin", Floats(9));

        var loader = new OnnxExternalData(_files.Folder);
        Assert.Equal(Floats(9), loader.Load(TestModels.External("w", [1], ("location", "inside/w.bin"))));
        Assert.False(OnnxExternalData.TryLocate(TestModels.External("w", [1], ("location", "out/w.bin")), _files.Folder, out _, out var fault, out _));
        Assert.Equal(OnnxExternalDataFault.SymlinkOutside, fault);
    }

    [Theory]
    [InlineData("offset", "4k")]
    [InlineData("length", "+16")]
    [InlineData("location", "")]
    public void Refuses_malformed_entries(string key, string value)
    {
        _files.Write("w.bin", Floats(1, 2, 3, 4));
        var entries = new Dictionary<string, string> { ["location"] = "w.bin", [key] = value };
        var tensor = TestModels.External("w", [4], entries.Select(kv => (kv.Key, kv.Value)).ToArray());
        Assert.False(OnnxExternalData.TryLocate(tensor, _files.Folder, out _, out var fault, out _));
        Assert.Equal(OnnxExternalDataFault.Malformed, fault);
    }

    [Fact]
    public void Refuses_a_FIFO_without_opening_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string fifo = Path.Combine(_files.Folder, "pipe.bin");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }
        Assert.False(OnnxExternalData.TryLocate(TestModels.External("w", [4], ("location", "pipe.bin"), ("length", "16")), _files.Folder, out _, out var fault, out _));
        Assert.Equal(OnnxExternalDataFault.OutOfRange, fault);
    }
}
