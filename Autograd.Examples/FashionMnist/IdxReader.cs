using System.Buffers.Binary;
using System.IO.Compression;

namespace Autograd.Examples.FashionMnist;

/// <summary>Images from an IDX file: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Columns"/> bytes, row-major.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (Yann LeCun's format), gzipped when the name ends in
/// <c>.gz</c>. Header: two zero bytes, the element type (0x08 = unsigned byte), the number of
/// dimensions, then each dimension as a big-endian 32-bit integer; the data follows. Anything else is an
/// <see cref="InvalidDataException"/> that names the file and the problem.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte file with 3 dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte file with 1 dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file (magic 0x803: count, rows, columns).</summary>
    public static IdxImages ReadImages(string path)
    {
        using var stream = Open(path);
        var dimensions = ReadHeader(stream, path, ImagesMagic, 3);
        var pixels = ReadData(stream, path, (long)dimensions[0] * dimensions[1] * dimensions[2]);
        return new IdxImages(pixels, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>Reads a labels file (magic 0x801: count), checking every label is below <paramref name="classes"/>.</summary>
    public static int[] ReadLabels(string path, int classes)
    {
        using var stream = Open(path);
        var dimensions = ReadHeader(stream, path, LabelsMagic, 1);
        var bytes = ReadData(stream, path, dimensions[0]);
        var labels = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            labels[i] = bytes[i] < classes
                ? bytes[i]
                : throw Bad(path, $"label {bytes[i]} at index {i} is not below the number of classes, {classes}");
        }

        return labels;
    }

    private static Stream Open(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
    }

    private static int[] ReadHeader(Stream stream, string path, int expectedMagic, int rank)
    {
        Span<byte> word = stackalloc byte[4];
        ReadExactly(stream, path, word, "the magic number");
        var magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
        {
            throw Bad(path, $"magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} (unsigned bytes, {rank} dimension(s)): a different kind of file, or gzipped without the .gz name");
        }

        var dimensions = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            ReadExactly(stream, path, word, $"dimension {d}");
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dimensions[d] <= 0)
            {
                throw Bad(path, $"dimension {d} is {dimensions[d]}, expected a positive size");
            }
        }

        return dimensions;
    }

    private static byte[] ReadData(Stream stream, string path, long length)
    {
        if (length > Array.MaxLength)
        {
            throw Bad(path, $"the header promises {length} bytes of data, more than an array can hold");
        }

        var data = new byte[length];
        ReadExactly(stream, path, data, $"the {length} data bytes the header promises");
        if (stream.ReadByte() != -1)
        {
            throw Bad(path, $"there is data after the {length} bytes the header promises");
        }

        return data;
    }

    private static void ReadExactly(Stream stream, string path, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw Bad(path, $"truncated while reading {what}");
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, $"not valid gzip ({e.Message})");
        }
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}.");
}
