using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Engine;
using Bulwark.Engine.IO;
using Bulwark.Engine.Nn;
using Bulwark.Onnx;

namespace Bulwark.Cli;

/// <summary>
/// <c>bulwark model convert</c>: loads a safetensors checkpoint written by <c>bulwark train</c> into its
/// reference architecture and writes it as an ONNX model (opset 17, batch axis "N", output "logits").
/// </summary>
internal static class ModelConvertCommand
{
    private const string DefaultInputShape = "1,28,28";

    public static Command Create(CliIO io)
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "The safetensors weights to convert (as written by bulwark train).", Required = true };
        var arch = new Option<string?>("--arch") { Description = "Architecture of the weights; default: the checkpoint's bulwark.arch metadata." };
        arch.AcceptOnlyFromAmong("mlp", "cnn");
        var inputShape = new Option<string?>("--input-shape") { Description = $"One sample's shape, comma-separated; default: the checkpoint's bulwark.input_shape metadata, else {DefaultInputShape}." };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the ONNX model; never the checkpoint itself.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };

        var command = new Command("convert", "Convert a checkpoint of a reference model (MLP or CNN) to ONNX.")
        {
            checkpoint, arch, inputShape, output, json,
        };
        command.SetAction(parse => Run(io, new ConvertSettings(
            parse.GetValue(checkpoint)!.FullName,
            parse.GetValue(arch),
            parse.GetValue(inputShape),
            parse.GetValue(output)!.FullName,
            parse.GetValue(json))));
        return command;
    }

    private sealed record ConvertSettings(string Checkpoint, string? Arch, string? InputShape, string Out, bool Json);

    private static int Run(CliIO io, ConvertSettings s)
    {
        if (SameFile(s.Checkpoint, s.Out))
        {
            throw new BulwarkInputException($"model convert: --out '{s.Out}' is the checkpoint itself; choose another file so the checkpoint is kept.");
        }
        if (!Directory.Exists(Path.GetDirectoryName(s.Out)))
        {
            throw new BulwarkInputException($"model convert: the folder of --out '{s.Out}' does not exist.");
        }
        var weights = Safetensors.Read(s.Checkpoint);
        string arch = ResolveArch(s, weights.Metadata);
        string shapeText = s.InputShape ?? weights.Metadata.GetValueOrDefault("bulwark.input_shape") ?? DefaultInputShape;
        int[] shape = ParseShape(shapeText);

        var model = ReferenceModels.Create(arch, new Rng(0));
        ReferenceModels.Load(model, arch, s.Checkpoint, weights.Tensors);
        var onnx = OnnxExporter.Save(model, shape, s.Out);

        int parameters = model.Parameters().Sum(p => p.Size);
        long bytes = new FileInfo(s.Out).Length;
        if (s.Json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(new
            {
                checkpoint = s.Checkpoint,
                arch,
                input_shape = shape,
                @out = s.Out,
                ir_version = onnx.IrVersion,
                opset = OnnxExporter.Opset,
                input = onnx.Graph.Input[0].Name,
                output = onnx.Graph.Output[0].Name,
                nodes = onnx.Graph.Node.Count,
                initializers = onnx.Graph.Initializer.Count,
                parameters,
                bytes,
            }));
        }
        else
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {s.Out}: {arch}, input [N,{string.Join(',', shape)}], {onnx.Graph.Node.Count} nodes, {parameters:N0} parameters, opset {OnnxExporter.Opset}, {bytes:N0} bytes"));
        }
        return CliApp.Ok;
    }

    private static string ResolveArch(ConvertSettings s, IReadOnlyDictionary<string, string> metadata)
    {
        string? recorded = metadata.GetValueOrDefault("bulwark.arch");
        if (s.Arch is not null && recorded is not null && s.Arch != recorded)
        {
            throw new BulwarkInputException($"{s.Checkpoint}: the checkpoint records architecture '{recorded}', not the '{s.Arch}' given with --arch.");
        }
        return s.Arch ?? recorded ?? throw new BulwarkInputException($"{s.Checkpoint}: the checkpoint records no architecture; give --arch mlp or --arch cnn.");
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
            {
                throw new BulwarkInputException($"model convert: input shape '{text}' must be positive whole numbers separated by commas, as in {DefaultInputShape}.");
            }
        }
        return shape;
    }

    // Compares where the paths finally lead, so a symbolic link to the checkpoint is caught too.
    private static bool SameFile(string a, string b)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(Resolve(a), Resolve(b), comparison);

        static string Resolve(string path)
        {
            var info = new FileInfo(path);
            return info.LinkTarget is null ? info.FullName : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        }
    }
}
