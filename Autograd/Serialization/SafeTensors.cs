namespace Autograd;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's, used by PyTorch models): an 8-byte little-endian header
/// length N, N bytes of JSON
/// <c>{"__metadata__":{..}, "name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]}, ..}</c> with offsets
/// relative to the first byte after the header, then the raw little-endian row-major data. Loads F32, F64, I64 and
/// BOOL as they are, and F16 and BF16 (the types of most published checkpoints) widened exactly to Float32; saves
/// F32, F64, I64 and BOOL, or the floating-point tensors as F16 or BF16 (<see cref="FloatStorage"/>). Files of any
/// size load, above 2 GB too: the data is read through a memory mapping.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> as the reference implementation does: names sorted
    /// (ordinal), data in that order, the header padded with spaces to a multiple of 8 bytes. The file is written to a
    /// temporary name first and then moved into place.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="tensors">Tensors by name, e.g. <see cref="NN.Module.StateDict"/>.</param>
    /// <param name="metadata">Optional free-form string pairs stored under <c>"__metadata__"</c>.</param>
    /// <param name="floats">How to store Float32 and Float64 tensors: as they are (the default), or rounded to F16 or
    /// BF16 as PyTorch's <c>.half()</c> and <c>.bfloat16()</c> round (see <see cref="FloatStorage"/> for overflow).</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a tensor is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, FloatStorage floats = FloatStorage.Native)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!Enum.IsDefined(floats))
        {
            throw new ArgumentOutOfRangeException(nameof(floats), floats, "SafeTensors.Save: not a FloatStorage value.");
        }

        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || name == SafeTensorsFormat.MetadataKey)
            {
                throw new ArgumentException($"SafeTensors.Save: tensor name '{name}' is empty or reserved.", nameof(tensors));
            }

            if (tensors[name] is null)
            {
                throw new ArgumentException($"SafeTensors.Save: tensor '{name}' is null.", nameof(tensors));
            }
        }

        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            SafeTensorsWriter.Write(stream, names, tensors, metadata, floats);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a safetensors file completely and checks it before returning anything: the header length, the JSON,
    /// every dtype, shape and offset, and that the tensors tile the data section exactly (no gaps, no overlaps,
    /// nothing left over), as the reference implementation requires.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The tensors by name, in name order: F16 and BF16 as Float32 (exact), the other types as they are.</returns>
    /// <exception cref="InvalidDataException">The file is truncated or malformed, or holds a dtype other than F32, F64,
    /// F16, BF16, I64 and BOOL; the message names the file, the tensor and the problem.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Reads a safetensors file as <see cref="Load(string)"/> does, and its metadata.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="metadata">The <c>"__metadata__"</c> string pairs, in file order; empty when the file has none.</param>
    /// <returns>The tensors by name, in name order.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, or holds a dtype that does not load.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = Open(path);
        var header = SafeTensorsReader.ReadHeader(file, path);
        var tensors = SafeTensorsReader.ReadTensors(file, path, header);
        metadata = header.Metadata;
        return tensors;
    }

    /// <summary>
    /// Reads and checks only the header: every tensor's name, stored type, shape and byte range, and the metadata,
    /// without reading any data (fast on a file of any size). Tensors of any of the format's types are listed, also
    /// those <see cref="Load(string)"/> cannot read (<see cref="SafeTensorsEntry.LoadsAs"/> is null for them).
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">The file is truncated or its header is malformed.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = Open(path);
        return SafeTensorsReader.ReadHeader(file, path);
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
}
