using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Autograd;

/// <summary>
/// Reads safetensors files: the header through the stream, the data through a read-only memory mapping of the
/// file. Each tensor is then one copy (or one widening conversion) from the page cache into its new array, whatever
/// the file's size: above 2 GB too, where a byte array cannot hold the file.
/// </summary>
internal static class SafeTensorsReader
{
    /// <summary>Reads and checks the header length and the header; reads no data.</summary>
    public static SafeTensorsHeader ReadHeader(FileStream file, string path)
    {
        long fileLength = file.Length;
        if (fileLength < 8)
        {
            throw SafeTensorsFormat.Invalid(path, $"truncated: {fileLength} bytes, fewer than the 8-byte header length");
        }

        Span<byte> prefix = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensors.MaxHeaderLength)
        {
            throw SafeTensorsFormat.Invalid(path, $"header length {headerLength} is larger than the limit of {SafeTensors.MaxHeaderLength} bytes");
        }

        if (headerLength > (ulong)(fileLength - 8))
        {
            throw SafeTensorsFormat.Invalid(path,
                $"truncated: the header length is {headerLength} bytes but only {fileLength - 8} bytes follow it");
        }

        var json = new byte[headerLength];
        file.ReadExactly(json);
        long dataOffset = 8 + (long)headerLength;
        return SafeTensorsHeader.Parse(path, json, dataOffset, fileLength - dataOffset);
    }

    /// <summary>Reads every tensor of <paramref name="header"/>, after checking that each one can be loaded.</summary>
    public static unsafe OrderedDictionary<string, Tensor> ReadTensors(FileStream file, string path, SafeTensorsHeader header)
    {
        foreach (var entry in header.Tensors.Values)
        {
            CheckLoadable(path, entry);
        }

        if (header.DataLength == 0)
        {
            // Nothing to map (a view of length 0 would mean "to the end of the file"): every tensor is empty.
            return ReadAll(header, null);
        }

        using var map = MemoryMappedFile.CreateFromFile(file, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
            HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(header.DataOffset, header.DataLength, MemoryMappedFileAccess.Read);
        var handle = view.SafeMemoryMappedViewHandle;
        byte* start = null;
        handle.AcquirePointer(ref start);
        try
        {
            return ReadAll(header, start + view.PointerOffset);   // the view begins on a page boundary at or before DataOffset
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    private static unsafe OrderedDictionary<string, Tensor> ReadAll(SafeTensorsHeader header, byte* data)
    {
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.Tensors.Values)
        {
            tensors.Add(entry.Name, Read(entry, data + entry.Begin));
        }

        return tensors;
    }

    private static void CheckLoadable(string path, SafeTensorsEntry entry)
    {
        if (entry.LoadsAs is null)
        {
            throw SafeTensorsFormat.Invalid(path,
                $"tensor '{entry.Name}': dtype {entry.StoredType} is not supported (only {SafeTensorsFormat.LoadableTypes})");
        }

        if (entry.Count > int.MaxValue || entry.Shape.Any(d => d > int.MaxValue))
        {
            throw SafeTensorsFormat.Invalid(path,
                $"tensor '{entry.Name}': shape [{string.Join(", ", entry.Shape)}] has more elements than a tensor can hold ({int.MaxValue})");
        }
    }

    // Spans of elements, not bytes: a tensor's bytes can pass 2 GB (int.MaxValue floats are 8 GB), its element count cannot.
    private static unsafe Tensor Read(SafeTensorsEntry entry, byte* data)
    {
        int count = (int)entry.Count;
        Array storage = entry.StoredType switch
        {
            "F32" => Copy(new ReadOnlySpan<float>(data, count)),
            "F64" => Copy(new ReadOnlySpan<double>(data, count)),
            "I64" => Copy(new ReadOnlySpan<long>(data, count)),
            "BOOL" => ToBooleans(new ReadOnlySpan<byte>(data, count)),
            "F16" => WidenFloat16(new ReadOnlySpan<ushort>(data, count)),
            _ => WidenBFloat16(new ReadOnlySpan<ushort>(data, count)),
        };
        return new Tensor(storage, entry.Shape.Select(d => (int)d).ToArray(), entry.LoadsAs!.Value);
    }

    private static T[] Copy<T>(ReadOnlySpan<T> source)
        where T : unmanaged
    {
        var values = GC.AllocateUninitializedArray<T>(source.Length);
        source.CopyTo(values);
        SafeTensorsFormat.SwapIfBigEndian<T>(values);
        return values;
    }

    // A BOOL byte other than 0 or 1 would make a bool that compares unequal to true: test each byte for zero.
    private static bool[] ToBooleans(ReadOnlySpan<byte> source)
    {
        var values = new bool[source.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = source[i] != 0;
        }

        return values;
    }

    private static float[] WidenFloat16(ReadOnlySpan<ushort> bits)
    {
        var values = GC.AllocateUninitializedArray<float>(bits.Length);
        HalfPrecision.Float16ToSingle(LittleEndian(bits), values);
        return values;
    }

    private static float[] WidenBFloat16(ReadOnlySpan<ushort> bits)
    {
        var values = GC.AllocateUninitializedArray<float>(bits.Length);
        HalfPrecision.BFloat16ToSingle(LittleEndian(bits), values);
        return values;
    }

    private static ReadOnlySpan<ushort> LittleEndian(ReadOnlySpan<ushort> bits)
    {
        if (BitConverter.IsLittleEndian)
        {
            return bits;
        }

        var swapped = bits.ToArray();
        SafeTensorsFormat.SwapIfBigEndian<ushort>(swapped);
        return swapped;
    }
}
