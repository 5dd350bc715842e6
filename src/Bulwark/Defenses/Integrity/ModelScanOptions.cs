using Bulwark.Onnx;

namespace Bulwark.Defenses.Integrity;

/// <summary>What <see cref="ModelFileScanner"/> compares a model file against. The defaults suit ordinary models.</summary>
public sealed record ModelScanOptions
{
    /// <summary>The options used when none are given.</summary>
    public static ModelScanOptions Default { get; } = new();

    /// <summary>
    /// The SHA-256 the file must have (64 hexadecimal digits, an optional <c>sha256:</c> prefix), pinned
    /// when the model was vetted; null to skip the comparison.
    /// </summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>
    /// Reading limits: a file above <see cref="OnnxReadLimits.MaxBytes"/> is a finding rather than read;
    /// graphs nested deeper than <see cref="OnnxReadLimits.MaxGraphDepth"/> are reported rather than refused.
    /// </summary>
    public OnnxReadLimits Limits { get; init; } = OnnxReadLimits.Default;

    /// <summary>Node count (all graphs and functions together) above which the model is reported. Default 500,000.</summary>
    public long MaxNodes { get; init; } = 500_000;

    /// <summary>
    /// The most elements one node may produce from constant inputs alone (ConstantOfShape, Expand, Tile,
    /// Range, Resize, Upsample, Pad). Default 2^28 (1 GiB of float32): a constant-folding bomb is a few
    /// bytes in the file that ask a runtime or optimiser for far more memory than that.
    /// </summary>
    public long MaxFoldedElements { get; init; } = 1L << 28;

    /// <summary>Length in characters above which a metadata or documentation string is reported. Default 65,536.</summary>
    public int MaxStringLength { get; init; } = 65_536;
}
