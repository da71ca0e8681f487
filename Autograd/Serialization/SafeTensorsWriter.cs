using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Autograd;

/// <summary>
/// Writes safetensors files as the reference implementation does: the metadata first, then the tensors in the
/// order given (name order), the header padded with spaces to a multiple of 8 bytes, the data contiguous.
/// </summary>
internal static class SafeTensorsWriter
{
    // Elements written (or converted) per chunk: large tensors never need a second copy of themselves, and a
    // span of bytes never passes 2 GB.
    private const int ChunkLength = 1 << 16;

    public static void Write(Stream stream, string[] names, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata, FloatStorage floats)
    {
        var header = BuildHeader(names, tensors, metadata, floats);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var name in names)
        {
            var tensor = tensors[name];
            if (floats == FloatStorage.Native || !DTypeDispatch.IsFloatingPoint(tensor.DType))
            {
                var write = new WriteAsIs(stream, tensor);
                DTypeDispatch.Any(tensor.DType, ref write);
            }
            else
            {
                WriteSixteenBits(stream, tensor, floats);
            }
        }
    }

    private static byte[] BuildHeader(string[] names, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata, FloatStorage floats)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsFormat.MetadataKey);
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
                var storedType = SafeTensorsFormat.StoredTypeOf(tensor.DType, floats);
                SafeTensorsFormat.TryGetBits(storedType, out var bits);
                var end = offset + ((long)tensor.Count * bits / 8);
                json.WriteStartObject(name);
                json.WriteString("dtype", storedType);
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.ShapeSpan)
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

    /// <summary>Writes a tensor's elements in their own type, little-endian, straight from its storage.</summary>
    private readonly struct WriteAsIs(Stream stream, Tensor tensor) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged
        {
            Span<T> values = tensor.Span<T>();
            T[]? swapped = BitConverter.IsLittleEndian ? null : new T[Math.Min(ChunkLength, values.Length)];
            for (int start = 0; start < values.Length; start += ChunkLength)
            {
                Span<T> chunk = values.Slice(start, Math.Min(ChunkLength, values.Length - start));
                if (swapped is not null)
                {
                    chunk.CopyTo(swapped);
                    chunk = swapped.AsSpan(0, chunk.Length);
                    SafeTensorsFormat.SwapIfBigEndian(chunk);
                }

                stream.Write(MemoryMarshal.AsBytes(chunk));
            }
        }
    }

    /// <summary>Writes a Float32 or Float64 tensor as F16 or BF16, a chunk at a time; Float64 goes through float32, as in PyTorch.</summary>
    private static void WriteSixteenBits(Stream stream, Tensor tensor, FloatStorage floats)
    {
        int count = tensor.Count;
        var singles = tensor.DType == DType.Float64 ? new float[Math.Min(ChunkLength, count)] : null;
        var bits = new ushort[Math.Min(ChunkLength, count)];
        for (int start = 0; start < count; start += ChunkLength)
        {
            int length = Math.Min(ChunkLength, count - start);
            ReadOnlySpan<float> source;
            if (singles is null)
            {
                source = tensor.Span<float>().Slice(start, length);
            }
            else
            {
                ReadOnlySpan<double> doubles = tensor.Span<double>().Slice(start, length);
                for (int i = 0; i < length; i++)
                {
                    singles[i] = (float)doubles[i];
                }

                source = singles.AsSpan(0, length);
            }

            Span<ushort> chunk = bits.AsSpan(0, length);
            if (floats == FloatStorage.Float16)
            {
                HalfPrecision.SingleToFloat16(source, chunk);
            }
            else
            {
                HalfPrecision.SingleToBFloat16(source, chunk);
            }

            SafeTensorsFormat.SwapIfBigEndian(chunk);
            stream.Write(MemoryMarshal.AsBytes(chunk));
        }
    }
}
