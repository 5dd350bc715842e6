using Bulwark.Defenses.Integrity.Rules;
using Bulwark.Engine;
using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity;

/// <summary>
/// The model-file scan of threat T6 (a trojaned or swapped pretrained model): examines an ONNX file
/// without running it or loading its external data, and reports what makes it unsafe to load or
/// unlike the model that was vetted: a changed hash, external data reaching outside the model's
/// folder, tensors whose sizes lie, custom native operators, constant-folding bombs, names that are
/// defined twice or never, and executable payloads hidden in its metadata.
/// </summary>
/// <remarks>
/// The rules are listed in <see cref="RuleIds"/> and documented with their severities in
/// docs/models.md. A file that is missing, too large or malformed is a finding (high), not an
/// exception; only invalid options throw. The file is opened read-only and never changed.
/// </remarks>
public static class ModelFileScanner
{
    private static readonly IModelScanRule[] Rules =
    [
        new LoadFailureRule("file-unreadable", ModelLoadFailure.Unreadable),
        new LoadFailureRule("file-too-large", ModelLoadFailure.TooLarge),
        new LoadFailureRule("model-malformed", ModelLoadFailure.Malformed),
        new Sha256MismatchRule(),
        new ExternalDataRule("external-data-escape", OnnxExternalDataFault.AbsolutePath, OnnxExternalDataFault.EscapesFolder, OnnxExternalDataFault.SymlinkOutside),
        new ExternalDataRule("external-data-invalid", OnnxExternalDataFault.Malformed, OnnxExternalDataFault.NotRegularFile, OnnxExternalDataFault.Missing, OnnxExternalDataFault.OutOfRange, OnnxExternalDataFault.SizeMismatch),
        new TensorSizeRule(),
        new CustomOperatorRule(),
        new UnknownOperatorRule(),
        new DuplicateNameRule(),
        new DanglingNameRule(),
        new ConstantBombRule(),
        new GraphSizeRule(),
        new MetadataPayloadRule(),
        new LongStringRule(),
        new VersionRule(),
    ];

    /// <summary>The ids of the rules, in the order they run and report.</summary>
    public static IReadOnlyList<string> RuleIds { get; } = Rules.Select(r => r.Id).ToArray();

    /// <summary>Scans the model file at <paramref name="path"/>.</summary>
    /// <exception cref="BulwarkInputException"><see cref="ModelScanOptions.ExpectedSha256"/> is not 64 hexadecimal digits.</exception>
    public static ModelScanReport Scan(string path, ModelScanOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= ModelScanOptions.Default;
        NormaliseSha256(options.ExpectedSha256);
        var context = ModelScanContext.Load(path, options);
        var findings = Rules.SelectMany(rule => rule.Check(context)).ToList();
        return new ModelScanReport(path, context.FileBytes, context.Sha256, findings);
    }

    /// <summary>The expected hash in lower case without its <c>sha256:</c> prefix, or null when none is given.</summary>
    /// <exception cref="BulwarkInputException">The hash is not 64 hexadecimal digits.</exception>
    internal static string? NormaliseSha256(string? expected)
    {
        if (expected is null)
        {
            return null;
        }
        string hex = expected.Trim();
        if (hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[7..];
        }
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new BulwarkInputException($"expected SHA-256 '{ModelScanContext.Clip(expected)}' is not 64 hexadecimal digits.");
        }
        return hex.ToLowerInvariant();
    }
}
