namespace Bulwark.Engine.IO;

/// <summary>How <see cref="Npy"/> and <see cref="Npz"/> read arrays.</summary>
public sealed record NpyReadOptions
{
    /// <summary>The default memory limit: 2 GiB.</summary>
    public const long DefaultMaxBytes = 2L << 30;

    /// <summary>The options used when none are given.</summary>
    public static NpyReadOptions Default { get; } = new();

    /// <summary>
    /// When true, integer and bool arrays are read straight into float32 (as <see cref="NpyArray.FloatData"/>)
    /// instead of int64. Default false.
    /// </summary>
    public bool IntegersAsFloat { get; init; }

    /// <summary>
    /// The most bytes the arrays of one .npy file, or of all the entries of one .npz archive together,
    /// may declare, counted both as stored and as the arrays they become in memory. Larger
    /// declarations are refused before anything is allocated. Default <see cref="DefaultMaxBytes"/>.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
}
