using System.Text.Json;

namespace Autograd;

/// <summary>
/// The header of a safetensors file: every tensor's name, stored type, shape and byte range, and the free-form
/// metadata, checked as the reference implementation checks them (see <see cref="SafeTensors.ReadHeader"/>).
/// </summary>
public sealed class SafeTensorsHeader
{
    private SafeTensorsHeader(IReadOnlyDictionary<string, SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata,
        long dataOffset, long dataLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    /// <summary>The tensors by name, in name order (ordinal).</summary>
    public IReadOnlyDictionary<string, SafeTensorsEntry> Tensors { get; }

    /// <summary>The <c>"__metadata__"</c> string pairs, in file order; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The offset in the file of the data section: 8 bytes of header length, then the header.</summary>
    public long DataOffset { get; }

    /// <summary>The size of the data section in bytes; the tensors tile it exactly.</summary>
    public long DataLength { get; }

    /// <summary>
    /// Parses <paramref name="json"/> and checks every entry: dtype, shape, offsets, that the byte range fits the shape,
    /// and that the tensors tile the <paramref name="dataLength"/> bytes of data exactly (no gap, no overlap, nothing
    /// left over).
    /// </summary>
    internal static SafeTensorsHeader Parse(string path, ReadOnlyMemory<byte> json, long dataOffset, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw SafeTensorsFormat.Invalid(path, $"the header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw SafeTensorsFormat.Invalid(path, $"the header must be a JSON object, not {root.ValueKind}");
            }

            var entries = new List<SafeTensorsEntry>();
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw SafeTensorsFormat.Invalid(path, $"the header names '{property.Name}' twice");
                }

                if (property.Name == SafeTensorsFormat.MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                entries.Add(ParseEntry(path, property.Name, property.Value));
            }

            CheckLayout(path, entries, dataLength);
            var tensors = new OrderedDictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                tensors.Add(entry.Name, entry);
            }

            return new SafeTensorsHeader(tensors, metadata, dataOffset, dataLength);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw SafeTensorsFormat.Invalid(path, $"'{SafeTensorsFormat.MetadataKey}' must be an object of strings");
        }

        foreach (var pair in value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(pair.Name, pair.Value.GetString()!))
            {
                throw SafeTensorsFormat.Invalid(path, $"'{SafeTensorsFormat.MetadataKey}' must be an object of strings, each key once");
            }
        }
    }

    private static SafeTensorsEntry ParseEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': the entry must be an object with dtype, shape and data_offsets");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': missing or non-string 'dtype'");
        }

        var storedType = dtypeElement.GetString()!;
        if (!SafeTensorsFormat.TryGetBits(storedType, out var bits))
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': unknown dtype '{storedType}'");
        }

        var shape = ReadIntegers(path, name, value, "shape");
        var offsets = ReadIntegers(path, name, value, "data_offsets");
        if (offsets.Length != 2)
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': 'data_offsets' must have two entries, not {offsets.Length}");
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension != 0 && count > long.MaxValue / 64 / dimension)
            {
                throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': shape {FormatShape(shape)} has too many elements");
            }

            count *= dimension;
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        }

        if (count * bits % 8 != 0)
        {
            throw SafeTensorsFormat.Invalid(path,
                $"tensor '{name}': shape {FormatShape(shape)} of {storedType} ({bits} bits each) does not fill whole bytes");
        }

        var expected = count * bits / 8;
        if (end - begin != expected)
        {
            throw SafeTensorsFormat.Invalid(path,
                $"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes but shape {FormatShape(shape)} of {storedType} needs {expected}");
        }

        return new SafeTensorsEntry(name, storedType, shape, count, begin, end);
    }

    private static long[] ReadIntegers(string path, string name, JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': missing or non-array '{property}'");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0)
            {
                throw SafeTensorsFormat.Invalid(path, $"tensor '{name}': '{property}' must hold non-negative integers, found {item.GetRawText()}");
            }

            values[i++] = number;
        }

        return values;
    }

    private static void CheckLayout(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        long position = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != position)
            {
                throw SafeTensorsFormat.Invalid(path, entry.Begin < position
                    ? $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap the previous tensor, which ends at {position}"
                    : $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] leave a gap after byte {position}");
            }

            if (entry.End > dataLength)
            {
                throw SafeTensorsFormat.Invalid(path,
                    $"truncated: tensor '{entry.Name}' ends at data byte {entry.End} but the data section has {dataLength} bytes");
            }

            position = entry.End;
        }

        if (position != dataLength)
        {
            throw SafeTensorsFormat.Invalid(path, $"the tensors cover {position} bytes but the data section has {dataLength} bytes");
        }
    }

    private static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
