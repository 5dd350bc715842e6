namespace Bulwark.Engine.IO;

/// <summary>How <see cref="Idx"/> reads a file.</summary>
public sealed record IdxReadOptions
{
    /// <summary>The default memory limit: 2 GiB.</summary>
    public const long DefaultMaxBytes = 2L << 30;

    /// <summary>The options used when none are given.</summary>
    public static IdxReadOptions Default { get; } = new();

    /// <summary>
    /// When true, u8 values are divided by 255 so that pixels land in [0, 1]; other element types
    /// are never scaled. Default false: values are read as stored.
    /// </summary>
    public bool ScaleBytes { get; init; }

    /// <summary>
    /// The most bytes a file may declare, counted both as stored and as the array it becomes in
    /// memory; larger declarations are refused before anything is allocated, so a small gzip
    /// file that inflates to gigabytes cannot exhaust memory. Default <see cref="DefaultMaxBytes"/>.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
}
