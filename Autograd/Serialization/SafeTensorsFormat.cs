using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Autograd;

/// <summary>
/// What the safetensors format fixes, in one place: the reserved metadata key, the element types with their sizes,
/// which of them <see cref="SafeTensors.Load(string)"/> reads and as what, and the shape of its error messages.
/// </summary>
internal static class SafeTensorsFormat
{
    /// <summary>The header key of the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The stored types that load, for error messages.</summary>
    public const string LoadableTypes = "F32, F64, F16, BF16, I64 and BOOL";

    /// <summary>The size in bits of one element of <paramref name="storedType"/> (F4 and F6 pack several elements per
    /// byte); false for a name the format does not have.</summary>
    public static bool TryGetBits(string storedType, out int bits)
    {
        bits = storedType switch
        {
            "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" => 8,
            "I16" or "U16" or "F16" or "BF16" => 16,
            "I32" or "U32" or "F32" => 32,
            "I64" or "U64" or "F64" or "C64" => 64,
            "F4" => 4,
            "F6_E2M3" or "F6_E3M2" => 6,
            _ => 0,
        };
        return bits > 0;
    }

    /// <summary>The dtype a stored type loads as (F16 and BF16 widen exactly to Float32), or null when it does not load.</summary>
    public static DType? LoadsAs(string storedType) => storedType switch
    {
        "F32" or "F16" or "BF16" => DType.Float32,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        "BOOL" => DType.Bool,
        _ => null,
    };

    /// <summary>The stored type <see cref="SafeTensors.Save"/> writes a tensor of <paramref name="dtype"/> as.</summary>
    public static string StoredTypeOf(DType dtype, FloatStorage floats) => dtype switch
    {
        DType.Float32 or DType.Float64 when floats == FloatStorage.Float16 => "F16",
        DType.Float32 or DType.Float64 when floats == FloatStorage.BFloat16 => "BF16",
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentException($"SafeTensors.Save: no stored type for {dtype}.", nameof(dtype)),
    };

    /// <summary>The error for a file that breaks the format; the message names the file and the problem.</summary>
    public static InvalidDataException Invalid(string path, string problem) =>
        new($"Invalid safetensors file '{path}': {problem}.");

    /// <summary>Reverses the byte order of each element on a big-endian host (the format is little-endian); its own inverse.</summary>
    public static void SwapIfBigEndian<T>(Span<T> values)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian || Unsafe.SizeOf<T>() == 1)
        {
            return;
        }

        switch (Unsafe.SizeOf<T>())
        {
            case sizeof(ushort):
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ushort>(values), MemoryMarshal.Cast<T, ushort>(values));
                break;
            case sizeof(uint):
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, uint>(values), MemoryMarshal.Cast<T, uint>(values));
                break;
            default:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<T, ulong>(values), MemoryMarshal.Cast<T, ulong>(values));
                break;
        }
    }
}
