using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Cli;

/// <summary>
/// Opens what <c>--model</c> names: an ONNX file (imported onto the engine for white-box attacks,
/// run in ONNX Runtime for black-box ones) or a KServe-v2 endpoint URL
/// <c>http(s)://host[:port]/v2/models/NAME</c> (black-box only).
/// </summary>
internal static class ModelTargets
{
    public static IClassifier Open(string model, bool needsGradients, InputBounds bounds)
    {
        if (Uri.TryCreate(model, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            if (needsGradients)
                throw new BulwarkInputException($"{model} is a prediction endpoint (black box); this attack needs gradients: give an ONNX file, or choose a black-box attack");
            var parts = uri.AbsolutePath.Trim('/').Split('/');
            if (parts.Length != 3 || parts[0] != "v2" || parts[1] != "models" || parts[2].Length == 0)
                throw new BulwarkInputException($"endpoint '{model}' must look like http://host:port/v2/models/NAME (KServe v2 protocol)");
            var baseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
            return KServeClassifier.ConnectAsync(new KServeClassifierOptions { BaseAddress = baseAddress, ModelName = Uri.UnescapeDataString(parts[2]), Bounds = bounds })
                .GetAwaiter().GetResult();
        }
        if (!File.Exists(model))
            throw new BulwarkInputException($"model file '{model}' does not exist");
        return needsGradients
            ? OnnxClassifier.Load(model, new OnnxClassifierOptions { Bounds = bounds })
            : new OnnxRuntimeClassifier(model, new OnnxRuntimeClassifierOptions { Bounds = bounds });
    }

    /// <summary>Parses a comma-separated list of finite numbers ≥ 0 given to <paramref name="option"/>.</summary>
    public static float[] ParseNonNegativeList(string text, string option)
    {
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            float.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) && v >= 0
                ? v
                : throw new BulwarkInputException($"{option}: '{s}' is not a number ≥ 0")).ToArray();
    }

    /// <summary>Parses "lo,hi".</summary>
    public static InputBounds ParseBounds(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 2
            || !float.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float lo)
            || !float.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float hi))
            throw new BulwarkInputException($"--bounds '{text}' must be two numbers 'lo,hi'");
        return new InputBounds(lo, hi);
    }
}
