namespace Bulwark.Engine.IO;

/// <summary>
/// Writes a file through a temporary sibling that is moved over the target only once it is
/// complete, so a failed or interrupted write never leaves a half-written file or destroys
/// the previous one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a temporary file beside <paramref name="path"/>, then moves it into place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new BulwarkInputException($"{path}: not a usable file path: {ex.Message}", ex);
        }
        string directory = Path.GetDirectoryName(full) ?? throw new BulwarkInputException($"{path}: names no file.");
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new BulwarkInputException($"{path}: cannot be written: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temporary file.
        }
    }
}
