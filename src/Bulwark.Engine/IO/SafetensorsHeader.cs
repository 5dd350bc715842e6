using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Engine.IO;

/// <summary>
/// The validated header of a safetensors file: every tensor's name, dtype, shape and byte range,
/// and the string metadata. Obtained from <see cref="Safetensors.ReadHeader(string)"/> without
/// reading any tensor data.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The reserved header key that holds the string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest JSON header accepted, as in the reference implementation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long headerLength, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        HeaderLength = headerLength;
        DataLength = dataLength;
    }

    /// <summary>The tensors, sorted by name (ordinal).</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The string metadata; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length in bytes of the JSON header, padding included.</summary>
    public long HeaderLength { get; }

    /// <summary>The length in bytes of the data buffer that follows the header.</summary>
    public long DataLength { get; }

    /// <summary>Reads and validates the length prefix and the JSON header, leaving the reader at the start of the data.</summary>
    internal static SafetensorsHeader Parse(InputReader reader)
    {
        if (reader.Length is long total && total < 8)
        {
            throw reader.Error($"is {Num(total)} bytes long, shorter than the 8-byte header length every safetensors file starts with.");
        }
        Span<byte> prefix = stackalloc byte[8];
        reader.ReadExactly(prefix, "the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderBytes)
        {
            throw reader.Error($"declares a header of {n.ToString(CultureInfo.InvariantCulture)} bytes, over the {Num(MaxHeaderBytes)}-byte limit (not a safetensors file, or a corrupt one).");
        }
        if (reader.Remaining is long left && (long)n > left)
        {
            throw reader.Error($"declares a header of {Num((long)n)} bytes but only {Num(left)} bytes follow the header length.");
        }
        byte[] json = ElementCodec.ReadBytes(reader, (int)n, "the JSON header");
        string text;
        try
        {
            text = StrictUtf8.GetString(json);
        }
        catch (DecoderFallbackException ex)
        {
            throw reader.Error($"the header is not valid UTF-8 (bad byte at offset {Num(ex.Index)}).");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw reader.Error($"the header is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            return FromJson(reader, document.RootElement, (long)n);
        }
    }

    private static SafetensorsHeader FromJson(InputReader reader, JsonElement root, long headerLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw reader.Error($"the header is a JSON {Kind(root)}, not an object.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<SafetensorsEntry>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw reader.Error(property.Name == MetadataKey
                    ? $"the header has two {MetadataKey} entries."
                    : $"tensor name '{property.Name}' appears twice in the header.");
            }
            if (property.Name == MetadataKey)
            {
                metadata = ParseMetadata(reader, property.Value);
            }
            else
            {
                entries.Add(ParseEntry(reader, property.Name, property.Value));
            }
        }
        long dataLength = CheckLayout(reader, entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SafetensorsHeader(entries, metadata, headerLength, dataLength);
    }

    private static Dictionary<string, string> ParseMetadata(InputReader reader, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw reader.Error($"{MetadataKey} is a JSON {Kind(value)}, not an object of strings.");
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw reader.Error($"{MetadataKey} value for '{item.Name}' is a JSON {Kind(item.Value)}, not a string.");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw reader.Error($"{MetadataKey} key '{item.Name}' appears twice.");
            }
        }
        return metadata;
    }

    private static SafetensorsEntry ParseEntry(InputReader reader, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw reader.Error($"tensor '{name}' is described by a JSON {Kind(value)}, not an object.");
        }
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in value.EnumerateObject())
        {
            if (!fields.Add(field.Name))
            {
                throw reader.Error($"tensor '{name}' has the field '{field.Name}' twice.");
            }
            switch (field.Name)
            {
                case "dtype":
                    dtype = field.Value.ValueKind == JsonValueKind.String
                        ? field.Value.GetString()
                        : throw reader.Error($"tensor '{name}' has a dtype that is a JSON {Kind(field.Value)}, not a string.");
                    break;
                case "shape":
                    shape = ParseShape(reader, name, field.Value);
                    break;
                case "data_offsets":
                    offsets = ParseOffsets(reader, name, field.Value);
                    break;
                default:
                    throw reader.Error($"tensor '{name}' has an unknown field '{field.Name}'.");
            }
        }
        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw reader.Error($"tensor '{name}' has no \"{missing}\" field.");
        }
        int size = Safetensors.DTypeSize(dtype);
        if (size == 0)
        {
            throw reader.Error($"tensor '{name}' has unknown dtype '{dtype}'.");
        }
        long count = ElementCount(reader, name, shape, size);
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
        {
            throw reader.Error($"tensor '{name}' has reversed data_offsets [{Num(begin)}, {Num(end)}].");
        }
        if (end - begin != count * size)
        {
            throw reader.Error($"tensor '{name}' declares shape {ShapeUtil.Format(shape)} ({Num(count * size)} bytes of {dtype}) but data_offsets span {Num(end - begin)} bytes.");
        }
        return new SafetensorsEntry(name, dtype, shape, count, begin, end);
    }

    private static int[] ParseShape(InputReader reader, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw reader.Error($"tensor '{name}' has a shape that is a JSON {Kind(value)}, not an array.");
        }
        int rank = value.GetArrayLength();
        if (rank > ShapeUtil.MaxRank)
        {
            throw reader.Error($"tensor '{name}' has rank {Num(rank)}; at most {Num(ShapeUtil.MaxRank)} is supported.");
        }
        var shape = new int[rank];
        int d = 0;
        foreach (var dim in value.EnumerateArray())
        {
            long v = Integer(reader, dim, $"tensor '{name}' shape entry");
            if (v < 0)
            {
                throw reader.Error($"tensor '{name}' has a negative dimension {Num(v)} in its shape.");
            }
            if (v > int.MaxValue)
            {
                throw reader.Error($"tensor '{name}' has an absurd dimension {Num(v)} (over {Num(int.MaxValue)}).");
            }
            shape[d++] = (int)v;
        }
        return shape;
    }

    private static long[] ParseOffsets(InputReader reader, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            throw reader.Error($"tensor '{name}' has data_offsets that are not an array of two integers.");
        }
        var offsets = new long[2];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            offsets[i] = Integer(reader, item, $"tensor '{name}' data_offsets entry");
            if (offsets[i] < 0)
            {
                throw reader.Error($"tensor '{name}' has a negative data offset {Num(offsets[i])}.");
            }
            i++;
        }
        return offsets;
    }

    private static long Integer(InputReader reader, JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw reader.Error($"{what} is a JSON {Kind(value)}, not an integer.");
        }
        if (value.TryGetInt64(out long v))
        {
            return v;
        }
        throw reader.Error($"{what} {value.GetRawText()} is not a whole number that fits in 64 bits.");
    }

    // Products are bounded step by step so that a header listing huge dimensions is refused instead of wrapping around.
    private static long ElementCount(InputReader reader, string name, int[] shape, int size)
    {
        if (Array.IndexOf(shape, 0) >= 0)
        {
            return 0;
        }
        long count = 1;
        foreach (int d in shape)
        {
            if (count > long.MaxValue / size / d)
            {
                throw reader.Error($"tensor '{name}' has shape {ShapeUtil.Format(shape)}, an absurd element count whose byte size overflows 64 bits.");
            }
            count *= d;
        }
        return count;
    }

    // The data buffer must be tiled exactly: sorted by offset, each tensor starts where the previous ended.
    private static long CheckLayout(InputReader reader, List<SafetensorsEntry> entries)
    {
        var byOffset = entries
            .OrderBy(e => e.DataBegin)
            .ThenBy(e => e.DataEnd)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        long? available = reader.Remaining;
        long expected = 0;
        foreach (var e in byOffset)
        {
            if (available is long buffer && e.DataEnd > buffer)
            {
                throw reader.Error($"tensor '{e.Name}' has data_offsets [{Num(e.DataBegin)}, {Num(e.DataEnd)}] beyond the end of the {Num(buffer)}-byte data buffer.");
            }
            if (e.DataBegin < expected)
            {
                throw reader.Error($"tensor '{e.Name}' has data_offsets [{Num(e.DataBegin)}, {Num(e.DataEnd)}] overlapping bytes that end at {Num(expected)} and belong to another tensor.");
            }
            if (e.DataBegin > expected)
            {
                throw reader.Error($"bytes [{Num(expected)}, {Num(e.DataBegin)}) of the data buffer belong to no tensor (a hole before tensor '{e.Name}').");
            }
            expected = e.DataEnd;
        }
        if (available is long length && length > expected)
        {
            throw reader.Error($"has {Num(length - expected)} trailing bytes after the last tensor's data.");
        }
        return expected;
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
}
