using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Autograd;

/// <summary>
/// The 16-bit float formats of checkpoints, as raw bits: IEEE half precision (F16: 5 exponent bits, 10 mantissa
/// bits) and bfloat16 (BF16: float32's top 16 bits, 8 exponent bits, 7 mantissa bits). Widening to float32 is exact
/// (every value, subnormals, infinities and NaN included, is a float32); narrowing rounds to nearest, ties to even,
/// as PyTorch's <c>.half()</c> and <c>.bfloat16()</c> do.
/// </summary>
internal static class HalfPrecision
{
    private const uint QuietBit = 0x0040;   // the top mantissa bit of a BF16 NaN

    /// <summary><c>destination[i] = (float)source[i]</c>, source holding F16 bits; exact.</summary>
    public static void Float16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(source), destination);

    /// <summary>
    /// <c>destination[i]</c> = the F16 bits of <c>source[i]</c> rounded to nearest even: magnitudes from 65520 on
    /// become infinity, those below 2^-25 zero (sign kept), NaN stays NaN.
    /// </summary>
    public static void SingleToFloat16(ReadOnlySpan<float> source, Span<ushort> destination) =>
        TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<ushort, Half>(destination));

    /// <summary><c>destination[i] = (float)source[i]</c>, source holding BF16 bits: the bits shifted into the top half; exact.</summary>
    public static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"BFloat16ToSingle: destination holds {destination.Length} elements, source {source.Length}.");
        }

        Span<uint> bits = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(source[i..]), out Vector<uint> low, out Vector<uint> high);
                (low << 16).CopyTo(bits[i..]);
                (high << 16).CopyTo(bits[(i + Vector<uint>.Count)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            bits[i] = (uint)source[i] << 16;
        }
    }

    /// <summary>
    /// <c>destination[i]</c> = the BF16 bits of <c>source[i]</c> rounded to nearest even (float32's top 16 bits plus a
    /// carry): only magnitudes within half a BF16 step of float32's largest value become infinity; NaN becomes the
    /// quiet NaN of the same sign (0x7FC0 or 0xFFC0), as c10::BFloat16 does.
    /// </summary>
    public static void SingleToBFloat16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"SingleToBFloat16: destination holds {destination.Length} elements, source {source.Length}.");
        }

        ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(source);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector<uint> low = RoundToBFloat16(new Vector<uint>(bits[i..]));
                Vector<uint> high = RoundToBFloat16(new Vector<uint>(bits[(i + Vector<uint>.Count)..]));
                Vector.Narrow(low, high).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = RoundToBFloat16(bits[i]);
        }
    }

    private static ushort RoundToBFloat16(uint bits) =>
        IsNaN(bits) ? (ushort)((bits >> 16) | QuietBit) : (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);

    /// <summary>The same rounding on a vector of float32 bit patterns; the result is in the low 16 bits of each lane.</summary>
    private static Vector<uint> RoundToBFloat16(Vector<uint> bits)
    {
        Vector<uint> rounded = (bits + new Vector<uint>(0x7FFF) + ((bits >> 16) & Vector<uint>.One)) >> 16;
        Vector<uint> quietNaN = (bits >> 16) | new Vector<uint>(QuietBit);
        Vector<uint> isNaN = Vector.GreaterThan(bits & new Vector<uint>(0x7FFF_FFFF), new Vector<uint>(0x7F80_0000));
        return Vector.ConditionalSelect(isNaN, quietNaN, rounded);
    }

    private static bool IsNaN(uint bits) => (bits & 0x7FFF_FFFF) > 0x7F80_0000;
}
