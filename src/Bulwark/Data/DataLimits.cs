using System.Globalization;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// How much a dataset loader may read before it gives up: a file (and, when gzipped, what it
/// inflates to) of at most <see cref="MaxFileBytes"/> bytes, and at most <see cref="MaxRows"/>
/// samples. Exceeding either is an input error naming the file and the limit.
/// </summary>
public sealed record DataLimits
{
    /// <summary>The default byte limit: 1 GiB.</summary>
    public const long DefaultMaxFileBytes = 1L << 30;

    /// <summary>The default row limit: ten million samples.</summary>
    public const int DefaultMaxRows = 10_000_000;

    /// <summary>The limits used when none are given.</summary>
    public static DataLimits Default { get; } = new();

    /// <summary>The most bytes a file may hold, counted both as stored and as decompressed; must be positive.</summary>
    public long MaxFileBytes
    {
        get;
        init => field = value > 0 ? value : throw new BulwarkInputException($"DataLimits: MaxFileBytes must be positive, got {value}.");
    } = DefaultMaxFileBytes;

    /// <summary>The most samples (rows, lines, images) a file may hold; must be positive.</summary>
    public int MaxRows
    {
        get;
        init => field = value > 0 ? value : throw new BulwarkInputException($"DataLimits: MaxRows must be positive, got {value}.");
    } = DefaultMaxRows;

    /// <summary>Throws when <paramref name="path"/> is missing or larger than <see cref="MaxFileBytes"/>.</summary>
    internal void CheckFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new BulwarkInputException($"{path}: file not found.");
        }
        if (info.Length > MaxFileBytes)
        {
            throw new BulwarkInputException($"{path}: is {Num(info.Length)} bytes, more than the limit of {Num(MaxFileBytes)} bytes (DataLimits.MaxFileBytes, --max-bytes).");
        }
    }

    /// <summary>Throws when <paramref name="rows"/> exceeds <see cref="MaxRows"/>.</summary>
    internal void CheckRows(string path, long rows, string where = "")
    {
        if (rows > MaxRows)
        {
            throw new BulwarkInputException($"{path}: {where}holds more than {Num(MaxRows)} samples, the limit (DataLimits.MaxRows, --max-rows).");
        }
    }

    internal static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
