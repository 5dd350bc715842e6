using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Bulwark.Engine;
using Bulwark.Onnx.Proto;
using Google.Protobuf;

namespace Bulwark.Onnx;

/// <summary>
/// Loads the external data of ONNX tensors (<c>data_location = EXTERNAL</c>, with <c>external_data</c>
/// entries <c>location</c>, <c>offset</c>, <c>length</c>, <c>checksum</c>) from files beside the model,
/// defensively. A model file is untrusted, so its locations are too: data is read only from a regular
/// file inside the model's folder (no absolute paths, no <c>..</c> out of it, no symbolic link leading out
/// of it), only within the file, only exactly as many bytes as the tensor's dimensions and data type
/// need, and only up to <see cref="OnnxReadLimits.MaxExternalBytes"/> for all tensors of one model.
/// </summary>
/// <remarks>
/// One instance serves one model and counts the bytes it has loaded. Files are sized with a stat before
/// they are opened, so a FIFO or device (which reports no size) is refused without being opened. The
/// ONNX <c>checksum</c> entry (a SHA-1 of the whole file, which no common writer emits) is recorded in
/// <see cref="OnnxExternalDataSpan.Checksum"/> but not verified; pin the model with a SHA-256 instead.
/// The checks and the read are separate system calls: a process that can rewrite the model's folder
/// while it loads is outside what this class defends against.
/// </remarks>
public sealed class OnnxExternalData
{
    private const int MaxLinkHops = 40;
    private readonly OnnxReadLimits _limits;
    private long _loaded;

    /// <summary>Creates a loader for a model whose file lies in <paramref name="modelDirectory"/>.</summary>
    public OnnxExternalData(string modelDirectory, OnnxReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        ModelDirectory = Path.GetFullPath(modelDirectory);
        _limits = limits ?? OnnxReadLimits.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.MaxExternalBytes);
    }

    /// <summary>Creates a loader for the model file at <paramref name="modelPath"/> (its folder holds the data).</summary>
    public static OnnxExternalData ForModel(string modelPath, OnnxReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new OnnxExternalData(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, limits);
    }

    /// <summary>The folder every location is resolved against and must stay inside.</summary>
    public string ModelDirectory { get; }

    /// <summary>The bytes loaded so far by this instance, all tensors together.</summary>
    public long BytesLoaded => Interlocked.Read(ref _loaded);

    /// <summary>True when the tensor's values are stored outside the model file.</summary>
    public static bool IsExternal(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return OnnxTensorLayout.IsExternal(tensor);
    }

    /// <summary>
    /// Checks where the tensor's external data lies without reading it. On failure
    /// <paramref name="fault"/> says which check failed and <paramref name="problem"/> says so in words,
    /// naming the tensor and the location.
    /// </summary>
    public static bool TryLocate(
        TensorProto tensor,
        string modelDirectory,
        [NotNullWhen(true)] out OnnxExternalDataSpan? span,
        out OnnxExternalDataFault fault,
        out string problem)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        var entries = Entries.Parse(tensor, out fault, out problem);
        span = entries is null ? null : Resolve(tensor, entries, Path.GetFullPath(modelDirectory), out fault, out problem);
        return span is not null;
    }

    /// <summary>Checks where the tensor's external data lies without reading it.</summary>
    /// <exception cref="BulwarkInputException">Any check fails; the message names the tensor, the location and the check.</exception>
    public OnnxExternalDataSpan Locate(TensorProto tensor) =>
        TryLocate(tensor, ModelDirectory, out var span, out _, out string problem)
            ? span
            : throw new BulwarkInputException($"{ModelDirectory}: {problem}");

    /// <summary>Reads the tensor's external data: exactly the bytes its dimensions and data type need.</summary>
    /// <exception cref="BulwarkInputException">A check fails, the file cannot be read, or the bytes would
    /// take this model past <see cref="OnnxReadLimits.MaxExternalBytes"/>.</exception>
    public byte[] Load(TensorProto tensor)
    {
        var span = Locate(tensor);
        string where = $"{ModelDirectory}: {Describe(tensor)}";
        if (span.Length > Array.MaxLength)
        {
            throw new BulwarkInputException($"{where}: {span.Length} bytes of external data are more than one tensor can hold.");
        }
        long total = Interlocked.Add(ref _loaded, span.Length);
        if (total > _limits.MaxExternalBytes)
        {
            Interlocked.Add(ref _loaded, -span.Length);
            throw new BulwarkInputException(
                $"{where}: loading its {span.Length} bytes of external data would pass the limit of {_limits.MaxExternalBytes} bytes for one model.");
        }
        try
        {
            return Read(span, where);
        }
        catch
        {
            Interlocked.Add(ref _loaded, -span.Length);
            throw;
        }
    }

    /// <summary>
    /// A copy of the tensor with its external data loaded into raw_data and the external entries
    /// removed, ready for <see cref="OnnxTensors"/>. A tensor that is not external is returned as it is.
    /// </summary>
    /// <exception cref="BulwarkInputException">As for <see cref="Load"/>.</exception>
    public TensorProto Inline(TensorProto tensor)
    {
        if (!IsExternal(tensor))
        {
            return tensor;
        }
        var bytes = Load(tensor);
        var copy = tensor.Clone();
        copy.ExternalData.Clear();
        copy.DataLocation = TensorProto.Types.DataLocation.Default;
        copy.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        return copy;
    }

    private static byte[] Read(OnnxExternalDataSpan span, string where)
    {
        var bytes = new byte[span.Length];
        if (bytes.Length == 0)
        {
            return bytes;
        }
        try
        {
            using var stream = new FileStream(span.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (!stream.CanSeek || stream.Length < span.Offset + span.Length)
            {
                throw new BulwarkInputException($"{where}: external data file '{span.Location}' changed or is not a regular file.");
            }
            int done = 0;
            while (done < bytes.Length)
            {
                int n = RandomAccess.Read(stream.SafeFileHandle, bytes.AsSpan(done), span.Offset + done);
                if (n == 0)
                {
                    throw new BulwarkInputException($"{where}: external data file '{span.Location}' ended early.");
                }
                done += n;
            }
            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BulwarkInputException($"{where}: external data file '{span.Location}' cannot be read: {ex.Message}", ex);
        }
    }

    private static OnnxExternalDataSpan? Resolve(TensorProto tensor, Entries entries, string directory, out OnnxExternalDataFault fault, out string problem)
    {
        string where = $"{Describe(tensor)}: external data location '{entries.Location}'";
        string location = entries.Location.Replace('\\', '/');
        if (location.StartsWith('/') || Path.IsPathRooted(location) || (location.Length >= 2 && location[1] == ':'))
        {
            return Fail(OnnxExternalDataFault.AbsolutePath, $"{where} is an absolute path; only paths relative to the model's folder are accepted.", out fault, out problem);
        }
        var segments = new List<string>();
        foreach (string segment in location.Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return Fail(OnnxExternalDataFault.EscapesFolder, $"{where} climbs out of the model's folder with '..'.", out fault, out problem);
                }
                segments.RemoveAt(segments.Count - 1);
            }
            else if (segment.Length > 0 && segment != ".")
            {
                segments.Add(segment);
            }
        }
        if (segments.Count == 0)
        {
            return Fail(OnnxExternalDataFault.NotRegularFile, $"{where} names the model's folder itself, not a file.", out fault, out problem);
        }

        string? root = RealPath(directory);
        string? target = RealPath(Path.Combine([directory, .. segments]));
        if (root is null || target is null)
        {
            return Fail(OnnxExternalDataFault.SymlinkOutside, $"{where} goes through more than {MaxLinkHops} symbolic links.", out fault, out problem);
        }
        if (!IsInside(target, root))
        {
            return Fail(OnnxExternalDataFault.SymlinkOutside, $"{where} leads through a symbolic link out of the model's folder, to '{target}'.", out fault, out problem);
        }
        if (Directory.Exists(target))
        {
            return Fail(OnnxExternalDataFault.NotRegularFile, $"{where} is a directory, not a file.", out fault, out problem);
        }
        var info = new FileInfo(target);
        if (!info.Exists)
        {
            return Fail(OnnxExternalDataFault.Missing, $"{where}: no such file beside the model.", out fault, out problem);
        }

        long size = info.Length;
        if (entries.Offset > size || (entries.Length is long declared && declared > size - entries.Offset))
        {
            return Fail(
                OnnxExternalDataFault.OutOfRange,
                $"{where}: offset {entries.Offset} and length {entries.Length?.ToString(CultureInfo.InvariantCulture) ?? "(rest of file)"} reach beyond the file's {size} bytes (a FIFO or device reports 0).",
                out fault,
                out problem);
        }
        long length = entries.Length ?? size - entries.Offset;
        if (length != entries.Expected)
        {
            return Fail(
                OnnxExternalDataFault.SizeMismatch,
                $"{where}: dimensions [{string.Join(", ", tensor.Dims)}] of {OnnxTensorLayout.NameOf(tensor.DataType)} need {entries.Expected} bytes but the data is {length} bytes.",
                out fault,
                out problem);
        }
        fault = default;
        problem = "";
        return new OnnxExternalDataSpan(entries.Location, target, entries.Offset, length, entries.Checksum);
    }

    private static OnnxExternalDataSpan? Fail(OnnxExternalDataFault kind, string message, out OnnxExternalDataFault fault, out string problem)
    {
        fault = kind;
        problem = message;
        return null;
    }

    private static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison);
    }

    /// <summary>
    /// The path with every symbolic link along it replaced by its target, component by component;
    /// components that do not exist are kept as written. Null after too many links (a loop).
    /// </summary>
    private static string? RealPath(string path)
    {
        int hops = 0;
        return RealPath(Path.GetFullPath(path), ref hops);
    }

    private static string? RealPath(string full, ref int hops)
    {
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        foreach (string segment in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, segment);
            if (new FileInfo(next).LinkTarget is string link)
            {
                if (++hops > MaxLinkHops)
                {
                    return null;
                }
                string? resolved = RealPath(Path.GetFullPath(link, current), ref hops);
                if (resolved is null)
                {
                    return null;
                }
                next = resolved;
            }
            current = next;
        }
        return current;
    }

    private static string Describe(TensorProto tensor) =>
        tensor.Name.Length == 0 ? "tensor (unnamed)" : $"tensor '{tensor.Name}'";

    /// <summary>The parsed external_data entries and the byte count the tensor's dimensions need.</summary>
    private sealed record Entries(string Location, long Offset, long? Length, string? Checksum, long Expected)
    {
        public static Entries? Parse(TensorProto tensor, out OnnxExternalDataFault fault, out string problem)
        {
            string where = Describe(tensor);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in tensor.ExternalData)
            {
                if (!values.TryAdd(entry.Key, entry.Value))
                {
                    return Malformed($"{where}: external_data gives '{entry.Key}' twice.", out fault, out problem);
                }
            }
            if (!values.TryGetValue("location", out string? location) || location.Length == 0)
            {
                return Malformed($"{where}: its data is marked external but external_data gives no location.", out fault, out problem);
            }
            if (location.Contains('\0', StringComparison.Ordinal))
            {
                return Malformed($"{where}: external data location contains a NUL character.", out fault, out problem);
            }
            long offset = 0;
            long? length = null;
            if (values.TryGetValue("offset", out string? text) && !TryParse(text, out offset))
            {
                return Malformed($"{where}: external data offset '{text}' is not a non-negative integer.", out fault, out problem);
            }
            if (values.TryGetValue("length", out text))
            {
                if (!TryParse(text, out long parsed))
                {
                    return Malformed($"{where}: external data length '{text}' is not a non-negative integer.", out fault, out problem);
                }
                length = parsed;
            }
            long count;
            try
            {
                count = OnnxTensorLayout.Check(tensor, where);
            }
            catch (BulwarkInputException ex)
            {
                return Malformed(ex.Message, out fault, out problem);
            }
            if (OnnxTensorLayout.StorageOf(tensor.DataType) is not { RawBits: > 0 } storage)
            {
                return Malformed($"{where}: {OnnxTensorLayout.NameOf(tensor.DataType)} values cannot be stored as external data.", out fault, out problem);
            }
            long expected;
            try
            {
                expected = checked((count * storage.RawBits + 7) / 8);
            }
            catch (OverflowException)
            {
                return Malformed($"{where}: its element count {count} overflows the size of its data.", out fault, out problem);
            }
            fault = default;
            problem = "";
            return new Entries(location, offset, length, values.GetValueOrDefault("checksum"), expected);
        }

        private static bool TryParse(string text, out long value) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        private static Entries? Malformed(string message, out OnnxExternalDataFault fault, out string problem)
        {
            fault = OnnxExternalDataFault.Malformed;
            problem = message;
            return null;
        }
    }
}
