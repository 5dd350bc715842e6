using System.Globalization;
using System.IO.Compression;

namespace Bulwark.Engine.IO;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip of .npy files, one per named array
/// (<c>name.npy</c> holds the array <c>name</c>), stored or deflated.
/// </summary>
/// <remarks>
/// Reading refuses entries that are not .npy files, repeated names, and archives whose arrays
/// together exceed <see cref="NpyReadOptions.MaxBytes"/>; each entry is validated as
/// <see cref="Npy.Read(string, NpyReadOptions?)"/> would. Writing deflates every entry, orders
/// them by name and stamps them with a fixed date, so the same arrays give identical bytes.
/// </remarks>
public static class Npz
{
    // Zip timestamps cannot predate 1980; a fixed one keeps archives reproducible.
    private static readonly DateTimeOffset FixedTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array of a .npz file, by name (without the .npy suffix), in archive order.</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path, NpyReadOptions? options = null)
    {
        using var file = InputReader.OpenFile(path);
        return ReadArchive(file, path, options ?? NpyReadOptions.Default);
    }

    /// <summary>Reads every array of a .npz archive from a stream, which is left open.</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, NpyReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= NpyReadOptions.Default;
        if (stream.CanSeek)
        {
            return ReadArchive(stream, "stream", options);
        }
        // A zip's directory is at its end, so a forward-only stream is buffered first, within the limit.
        using var copy = new MemoryStream();
        var reader = InputReader.ForStream(stream, "stream");
        var buffer = new byte[1 << 16];
        int n;
        while ((n = reader.ReadSome(buffer)) > 0)
        {
            if (copy.Length + n > options.MaxBytes)
            {
                throw reader.Error($"holds more than {options.MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes (NpyReadOptions.MaxBytes).");
            }
            copy.Write(buffer, 0, n);
        }
        copy.Position = 0;
        return ReadArchive(copy, "stream", options);
    }

    /// <summary>Writes named arrays as a deflated .npz file, atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        CheckNames(path, arrays);
        AtomicFile.Write(path, stream => WriteArchive(stream, arrays));
    }

    /// <summary>Writes named arrays as a deflated .npz archive to a stream, which is left open.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckNames("stream", arrays);
        WriteArchive(stream, arrays);
    }

    private static Dictionary<string, NpyArray> ReadArchive(Stream stream, string source, NpyReadOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes, nameof(options));
        ZipArchive archive;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            entries = archive.Entries;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            throw new BulwarkInputException($"{source}: is not a readable zip archive: {ex.Message}", ex);
        }
        using (archive)
        {
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            long budget = options.MaxBytes;
            foreach (var entry in entries)
            {
                string entryName = entry.FullName;
                if (!entryName.EndsWith(".npy", StringComparison.Ordinal) || entryName.Length == 4)
                {
                    throw new BulwarkInputException($"{source}: entry '{entryName}' is not a .npy file.");
                }
                string name = entryName[..^4];
                if (arrays.ContainsKey(name))
                {
                    throw new BulwarkInputException($"{source}: entry '{entryName}' appears twice.");
                }
                string entrySource = $"{source}:{entryName}";
                Stream content;
                try
                {
                    content = entry.Open();
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
                {
                    throw new BulwarkInputException($"{entrySource}: cannot be opened: {ex.Message}", ex);
                }
                using (content)
                {
                    // The directory's sizes are claims; the entry is read as a stream of unknown length and checked as it goes.
                    var array = Npy.ReadArray(new InputReader(content, entrySource, null), options, budget);
                    budget -= (long)array.Size * (array.IsInteger ? 8 : 4);
                    arrays.Add(name, array);
                }
            }
            return arrays;
        }
    }

    private static void CheckNames(string destination, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var (name, array) in arrays)
        {
            if (name.Length == 0)
            {
                throw new BulwarkInputException($"{destination}: an array name is empty.");
            }
            if (array is null)
            {
                throw new BulwarkInputException($"{destination}: array '{name}' is null.");
            }
        }
    }

    private static void WriteArchive(Stream stream, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = archive.CreateEntry(name + ".npy", CompressionLevel.Optimal);
            entry.LastWriteTime = FixedTimestamp;
            using var content = entry.Open();
            Npy.Write(content, array);
        }
    }
}
