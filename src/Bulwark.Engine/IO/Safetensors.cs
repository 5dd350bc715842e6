using System.Buffers.Binary;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Engine.IO;

/// <summary>
/// Reads and writes checkpoints in the safetensors format: an 8-byte little-endian header length,
/// a UTF-8 JSON header naming every tensor's dtype, shape and byte range, then the raw
/// little-endian data. Unlike pickle-based checkpoints, loading one runs no code; every field is
/// still validated, and anything malformed is refused with a <see cref="BulwarkInputException"/>.
/// </summary>
/// <remarks>
/// Writing sorts tensors by name (ordinal) and lays their data out in that order, so the same
/// tensors and metadata always give byte-identical files. Reading loads F32 tensors as they are,
/// F64, F16 and BF16 converted to float32, and I64 tensors as <see cref="LongTensor"/>; other
/// dtypes are refused by <see cref="Read(string)"/> but listed by <see cref="ReadHeader(string)"/>.
/// </remarks>
public static class Safetensors
{
    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["U16"] = 2, ["I16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["U32"] = 4, ["I32"] = 4, ["F32"] = 4,
        ["U64"] = 8, ["I64"] = 8, ["F64"] = 8, ["C64"] = 8,
    };

    /// <summary>Writes named float tensors (and optional string metadata) to a file, atomically.</summary>
    /// <param name="path">The file to create or replace; it is replaced only once the new file is complete.</param>
    /// <param name="tensors">The tensors by name; any name but <c>__metadata__</c>.</param>
    /// <param name="metadata">Free-form string pairs stored under <c>__metadata__</c>.</param>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var plan = Plan(path, tensors, metadata);
        AtomicFile.Write(path, stream => WritePlanned(stream, plan));
    }

    /// <summary>Writes named float tensors (and optional string metadata) to a stream, which is left open.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePlanned(stream, Plan("stream", tensors, metadata));
    }

    /// <summary>Reads and validates a whole safetensors file.</summary>
    public static SafetensorsFile Read(string path)
    {
        using var stream = InputReader.OpenFile(path);
        return Read(new InputReader(stream, path, stream.Length));
    }

    /// <summary>Reads and validates a safetensors file from the stream's current position to its end; the stream is left open.</summary>
    public static SafetensorsFile Read(Stream stream) => Read(InputReader.ForStream(stream, "stream"));

    /// <summary>Reads and validates only the header: names, dtypes, shapes and offsets, with no tensor data loaded.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = InputReader.OpenFile(path);
        return SafetensorsHeader.Parse(new InputReader(stream, path, stream.Length));
    }

    /// <summary>Reads and validates only the header from a stream, leaving it positioned at the start of the data.</summary>
    public static SafetensorsHeader ReadHeader(Stream stream) => SafetensorsHeader.Parse(InputReader.ForStream(stream, "stream"));

    /// <summary>The size in bytes of one element of a safetensors dtype, or 0 for an unknown dtype.</summary>
    internal static int DTypeSize(string dtype) => DTypeSizes.GetValueOrDefault(dtype);

    /// <summary>How a dtype this reader loads is stored, or null when it does not load it.</summary>
    internal static ElementType? LoadableType(string dtype) => dtype switch
    {
        "F32" => new ElementType(ElementKind.Float32, false),
        "F64" => new ElementType(ElementKind.Float64, false),
        "F16" => new ElementType(ElementKind.Float16, false),
        "BF16" => new ElementType(ElementKind.BFloat16, false),
        "I64" => new ElementType(ElementKind.Int64, false),
        _ => null,
    };

    private static SafetensorsFile Read(InputReader reader)
    {
        var header = SafetensorsHeader.Parse(reader);
        foreach (var e in header.Entries)
        {
            if (!e.IsLoadable)
            {
                throw reader.Error($"tensor '{e.Name}' has dtype {e.DType}, which is not loaded (supported: F32, F64, F16 and BF16 as float32, I64 as int64); ReadHeader lists such tensors.");
            }
            if (e.ElementCount > Array.MaxLength)
            {
                throw reader.Error($"tensor '{e.Name}' has {e.ElementCount.ToString(CultureInfo.InvariantCulture)} elements, more than one array can hold.");
            }
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var longTensors = new Dictionary<string, LongTensor>(StringComparer.Ordinal);
        // The layout check guarantees the data is tiled in offset order, so one forward pass reads it.
        foreach (var e in header.Entries.OrderBy(e => e.DataBegin).ThenBy(e => e.DataEnd))
        {
            var type = LoadableType(e.DType)!.Value;
            string what = $"the data of tensor '{e.Name}'";
            int count = (int)e.ElementCount;
            if (type.IsInteger)
            {
                longTensors.Add(e.Name, new LongTensor(ElementCodec.ReadLongs(reader, type, count, what), e.ShapeArray));
            }
            else
            {
                tensors.Add(e.Name, Tensor.FromArray(ElementCodec.ReadFloats(reader, type, count, what), e.ShapeArray));
            }
        }
        reader.ExpectEnd("the last tensor's data");
        return new SafetensorsFile(header, tensors, longTensors);
    }

    private sealed record WritePlan(byte[] Header, KeyValuePair<string, Tensor>[] Tensors);

    // Everything that can be wrong with the arguments is found here, before a file is created.
    private static WritePlan Plan(string destination, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        using var json = new MemoryStream();
        try
        {
            using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value ?? throw new BulwarkInputException($"{destination}: metadata value for '{key}' is null."));
                }
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                if (name == SafetensorsHeader.MetadataKey)
                {
                    throw new BulwarkInputException($"{destination}: '{SafetensorsHeader.MetadataKey}' is reserved and cannot name a tensor.");
                }
                if (tensor is null)
                {
                    throw new BulwarkInputException($"{destination}: tensor '{name}' is null.");
                }
                long end = offset + (4L * tensor.Size);
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int d in tensor.Shape)
                {
                    writer.WriteNumberValue(d);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }
            writer.WriteEndObject();
        }
        catch (ArgumentException ex)
        {
            // Utf8JsonWriter refuses names and values that are not valid UTF-16 (lone surrogates).
            throw new BulwarkInputException($"{destination}: a tensor name or metadata entry cannot be written as JSON: {ex.Message}", ex);
        }
        int padding = (int)((8 - (json.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            json.WriteByte((byte)' ');
        }
        return new WritePlan(json.ToArray(), ordered);
    }

    private static void WritePlanned(Stream stream, WritePlan plan)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)plan.Header.Length);
        stream.Write(prefix);
        stream.Write(plan.Header);
        foreach (var (_, tensor) in plan.Tensors)
        {
            ElementCodec.WriteLittleEndian(stream, tensor.ContiguousSpan());
        }
    }
}
