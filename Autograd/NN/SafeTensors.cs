using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Autograd.NN;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's, used by PyTorch models): an 8-byte
/// little-endian header length N, N bytes of JSON
/// <c>{"name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]}, "__metadata__":{..}}</c>
/// with offsets relative to the first byte after the header, then the raw little-endian row-major
/// data. Element types F32, F64, I64 and BOOL are supported.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly string[] _otherKnownDTypes =
        ["U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "U64", "F8_E4M3", "F8_E5M2", "F4", "F6_E2M3", "F6_E3M2", "F8_E8M0", "C64"];

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> as the reference implementation
    /// does: names sorted (ordinal), data in that order, the header padded with spaces to a multiple
    /// of 8 bytes. The file is written to a temporary name first and then moved into place.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="tensors">Tensors by name, e.g. <see cref="Module.StateDict"/>.</param>
    /// <param name="metadata">Optional free-form string pairs stored under <c>"__metadata__"</c>.</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a tensor is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey)
            {
                throw new ArgumentException($"Tensor name '{name}' is empty or reserved.", nameof(tensors));
            }

            if (tensors[name] is null)
            {
                throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            }
        }

        var header = BuildHeader(names, tensors, metadata);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var name in names)
            {
                WriteData(stream, tensors[name]);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a safetensors file completely and checks it before returning anything: the header
    /// length, the JSON, every dtype, shape and offset, and that the tensors tile the data section
    /// exactly (no gaps, no overlaps, nothing left over), as the reference implementation requires.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The tensors by name, in name order; metadata is not returned.</returns>
    /// <exception cref="InvalidDataException">The file is truncated or malformed, or holds a dtype other than F32, F64, I64 and BOOL; the message names the file, the tensor and the problem.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw Bad(path, $"truncated: {bytes.Length} bytes, fewer than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderLength)
        {
            throw Bad(path, $"header length {headerLength} is larger than the limit of {MaxHeaderLength} bytes");
        }

        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw Bad(path, $"truncated: the header length is {headerLength} bytes but only {bytes.Length - 8} bytes follow it");
        }

        var dataStart = 8 + (int)headerLength;
        var entries = ParseHeader(path, bytes.AsSpan(8, (int)headerLength));
        var dataLength = (long)bytes.Length - dataStart;
        CheckLayout(path, entries, dataLength);

        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var read = new ReadAction(bytes, dataStart + (int)entry.Begin, (int)(entry.End - entry.Begin));
            DTypeDispatch.Any(entry.DType, ref read);
            result.Add(entry.Name, new Tensor(read.Result!, (int[])entry.Shape.Clone(), entry.DType));
        }

        return result;
    }

    private sealed record Entry(string Name, DType DType, int[] Shape, long Count, long Begin, long End);

    private static byte[] BuildHeader(string[] names, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var name in names)
            {
                var tensor = tensors[name];
                var end = offset + ((long)tensor.Count * ElementSize(tensor.DType));
                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.DType switch
                {
                    DType.Float32 => "F32",
                    DType.Float64 => "F64",
                    DType.Int64 => "I64",
                    _ => "BOOL",
                });
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }

            json.WriteEndObject();
        }

        var padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (var i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        var write = new WriteAction(stream, tensor);
        DTypeDispatch.Any(tensor.DType, ref write);
    }

    /// <summary>Reads one tensor's little-endian elements into a new array of the element type.</summary>
    private struct ReadAction(byte[] bytes, int start, int length) : IAnyAction
    {
        public Array? Result;

        // A BOOL byte other than 0 or 1 would make a bool that compares unequal to true: read bytes, test for zero.
        public void Invoke<T>()
            where T : unmanaged =>
            Result = typeof(T) == typeof(bool)
                ? Array.ConvertAll(bytes.AsSpan(start, length).ToArray(), b => b != 0)
                : ReadLittleEndian<T>(bytes.AsSpan(start, length));
    }

    /// <summary>Writes one tensor's elements, little-endian.</summary>
    private readonly struct WriteAction(Stream stream, Tensor tensor) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged => WriteLittleEndian(stream, tensor.ToArray<T>());
    }

    private static void WriteLittleEndian<T>(Stream stream, T[] values)
        where T : unmanaged
    {
        SwapIfBigEndian<T>(values);
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[] ReadLittleEndian<T>(ReadOnlySpan<byte> data)
        where T : unmanaged
    {
        var values = MemoryMarshal.Cast<byte, T>(data).ToArray();
        SwapIfBigEndian<T>(values);
        return values;
    }

    private static void SwapIfBigEndian<T>(Span<T> values)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian || Unsafe.SizeOf<T>() == 1)
        {
            return;
        }

        if (Unsafe.SizeOf<T>() == sizeof(int))
        {
            var raw = MemoryMarshal.Cast<T, int>(values);
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }
        else
        {
            var raw = MemoryMarshal.Cast<T, long>(values);
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }
    }

    private static List<Entry> ParseHeader(string path, ReadOnlySpan<byte> header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, $"the header must be a JSON object, not {root.ValueKind}");
            }

            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Bad(path, $"the header names '{property.Name}' twice");
                }

                if (property.Name == MetadataKey)
                {
                    CheckMetadata(path, property.Value);
                    continue;
                }

                entries.Add(ParseEntry(path, property.Name, property.Value));
            }

            return entries;
        }
    }

    private static void CheckMetadata(string path, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object
            || metadata.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw Bad(path, $"'{MetadataKey}' must be an object of strings");
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"tensor '{name}': the entry must be an object with dtype, shape and data_offsets");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Bad(path, $"tensor '{name}': missing or non-string 'dtype'");
        }

        var dtypeName = dtypeElement.GetString()!;
        DType dtype = dtypeName switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "I64" => DType.Int64,
            "BOOL" => DType.Bool,
            _ when _otherKnownDTypes.Contains(dtypeName) =>
                throw Bad(path, $"tensor '{name}': dtype {dtypeName} is not supported (only F32, F64, I64 and BOOL)"),
            _ => throw Bad(path, $"tensor '{name}': unknown dtype '{dtypeName}'"),
        };

        var shape = ReadIntegers(path, name, value, "shape");
        var offsets = ReadIntegers(path, name, value, "data_offsets");
        if (offsets.Length != 2)
        {
            throw Bad(path, $"tensor '{name}': 'data_offsets' must have two entries, not {offsets.Length}");
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension > int.MaxValue)
            {
                throw Bad(path, $"tensor '{name}': dimension {dimension} of shape {FormatShape(shape)} is too large");
            }

            count = count <= long.MaxValue / Math.Max(dimension, 1) ? count * dimension : throw Bad(path,
                $"tensor '{name}': shape {FormatShape(shape)} has too many elements");
        }

        if (count > int.MaxValue)
        {
            throw Bad(path, $"tensor '{name}': shape {FormatShape(shape)} has too many elements");
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
        {
            throw Bad(path, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        }

        var expected = count * ElementSize(dtype);
        if (end - begin != expected)
        {
            throw Bad(path,
                $"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes but shape {FormatShape(shape)} of {dtypeName} needs {expected}");
        }

        return new Entry(name, dtype, shape.Select(d => (int)d).ToArray(), count, begin, end);
    }

    private static long[] ReadIntegers(string path, string name, JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Bad(path, $"tensor '{name}': missing or non-array '{property}'");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0)
            {
                throw Bad(path, $"tensor '{name}': '{property}' must hold non-negative integers, found {item.GetRawText()}");
            }

            values[i++] = number;
        }

        return values;
    }

    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        long position = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != position)
            {
                throw Bad(path, entry.Begin < position
                    ? $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap the previous tensor, which ends at {position}"
                    : $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] leave a gap after byte {position}");
            }

            if (entry.End > dataLength)
            {
                throw Bad(path,
                    $"truncated: tensor '{entry.Name}' ends at data byte {entry.End} but the data section has {dataLength} bytes");
            }

            position = entry.End;
        }

        if (position != dataLength)
        {
            throw Bad(path, $"the tensors cover {position} bytes but the data section has {dataLength} bytes");
        }
    }

    private static int ElementSize(DType dtype) => DTypeDispatch.ElementSize(dtype);

    private static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static InvalidDataException Bad(string path, string problem) =>
        new($"Invalid safetensors file '{path}': {problem}.");
}
