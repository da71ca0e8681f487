namespace Autograd.Tests.Serialization;

/// <summary>The F16 and BF16 conversions on every 16-bit pattern and on float32 values around every rounding
/// boundary, against scalar references written from the formats' definitions; lengths exercise the vector loops and
/// their tails (CI runs them again with the hardware intrinsics off).</summary>
public class HalfPrecisionTests
{
    private static readonly ushort[] _allPatterns = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();

    /// <summary>F16 by its definition: sign, 5-bit exponent (bias 15), 10-bit mantissa; subnormals below exponent 1.</summary>
    private static float DecodeFloat16(ushort bits)
    {
        int sign = bits >> 15, exponent = (bits >> 10) & 0x1F, mantissa = bits & 0x3FF;
        double magnitude = exponent switch
        {
            0 => mantissa * Math.Pow(2, -24),
            0x1F => mantissa == 0 ? double.PositiveInfinity : double.NaN,
            _ => (1 + (mantissa / 1024.0)) * Math.Pow(2, exponent - 15),
        };
        return (float)(sign == 1 ? -magnitude : magnitude);
    }

    [Test]
    public void Float16ToSingle_EveryPattern_IsTheExactValue()
    {
        var widened = new float[_allPatterns.Length];

        HalfPrecision.Float16ToSingle(_allPatterns, widened);

        for (int i = 0; i < _allPatterns.Length; i++)
        {
            var expected = DecodeFloat16(_allPatterns[i]);
            if (float.IsNaN(expected))
            {
                Assert.That(float.IsNaN(widened[i]) && float.IsNegative(widened[i]) == (i >= 0x8000), Is.True, $"0x{i:X4}");
            }
            else
            {
                Assert.That(BitConverter.SingleToUInt32Bits(widened[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(expected)), $"0x{i:X4}");
            }
        }
    }

    [Test]
    public void BFloat16ToSingle_EveryPattern_IsTheTopHalfOfTheFloat32()
    {
        var widened = new float[_allPatterns.Length];

        HalfPrecision.BFloat16ToSingle(_allPatterns, widened);

        Assert.That(widened.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(_allPatterns.Select(b => (uint)b << 16)));
    }

    /// <summary>Round to nearest, ties to even, by comparing the remainder with half a step (not by the bit trick).</summary>
    private static ushort ReferenceBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        uint upper = bits >> 16, remainder = bits & 0xFFFF;
        bool roundUp = remainder > 0x8000 || (remainder == 0x8000 && (upper & 1) == 1);
        return (ushort)(upper + (roundUp ? 1u : 0u));
    }

    /// <summary>Every BF16 value, every midpoint between neighbours, and the float32 values one step either side of it.</summary>
    private static float[] BoundaryValues()
    {
        var values = new List<float>();
        for (uint upper = 0; upper < 0x10000; upper++)
        {
            uint bits = upper << 16;
            values.Add(BitConverter.UInt32BitsToSingle(bits));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x8000));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x7FFF));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x8001));
        }

        return values.ToArray();
    }

    [Test]
    public void SingleToBFloat16_RoundsToNearestEven_AtEveryBoundary()
    {
        var values = BoundaryValues();
        var rounded = new ushort[values.Length];

        HalfPrecision.SingleToBFloat16(values, rounded);

        for (int i = 0; i < values.Length; i++)
        {
            Assert.That(rounded[i], Is.EqualTo(ReferenceBFloat16(values[i])), $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8}");
        }
    }

    [Test]
    public void SingleToBFloat16_LargestFloats_OverflowToInfinity_NaNStaysQuietNaNWithItsSign()
    {
        float[] values = [float.MaxValue, -float.MaxValue, BitConverter.UInt32BitsToSingle(0x7F7F7FFF), float.NaN,
            BitConverter.UInt32BitsToSingle(0xFF800001), BitConverter.UInt32BitsToSingle(0x7F800001)];
        var rounded = new ushort[values.Length];

        HalfPrecision.SingleToBFloat16(values, rounded);

        Assert.That(rounded, Is.EqualTo(new ushort[] { 0x7F80, 0xFF80, 0x7F7F, 0xFFC0, 0xFFC0, 0x7FC0 }));
    }

    [Test]
    public void SingleToFloat16_AtEveryBoundary_IsTheRoundingOfTheHalfCast()
    {
        var values = BoundaryValues();
        var rounded = new ushort[values.Length];

        HalfPrecision.SingleToFloat16(values, rounded);

        for (int i = 0; i < values.Length; i++)
        {
            var expected = BitConverter.HalfToUInt16Bits((Half)values[i]);
            if (float.IsNaN(values[i]))
            {
                Assert.That(Half.IsNaN(BitConverter.UInt16BitsToHalf(rounded[i])), Is.True, $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8}");
            }
            else
            {
                Assert.That(rounded[i], Is.EqualTo(expected), $"0x{BitConverter.SingleToUInt32Bits(values[i]):X8}");
            }
        }
    }

    [Test]
    public void Conversions_OfEveryLengthUpTo70_MatchTheScalarReference()
    {
        var random = new SplitMix64(1);
        for (int length = 0; length <= 70; length++)
        {
            var bits = Enumerable.Range(0, length).Select(_ => (ushort)random.NextUInt64()).ToArray();
            var singles = Enumerable.Range(0, length).Select(_ => (float)(random.NextNormal() * 100)).ToArray();
            var widened = new float[length];
            var narrowed = new ushort[length];

            HalfPrecision.BFloat16ToSingle(bits, widened);
            HalfPrecision.SingleToBFloat16(singles, narrowed);

            Assert.That(widened.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(bits.Select(b => (uint)b << 16)), $"length {length}");
            Assert.That(narrowed, Is.EqualTo(singles.Select(ReferenceBFloat16)), $"length {length}");
        }
    }
}
