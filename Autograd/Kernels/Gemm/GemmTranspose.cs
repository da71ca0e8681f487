using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// AVX 8×8 float transposes for the packing routines whose source runs across the packed order
/// (plain A in slivers of 6 or 8 rows, transposed B). Scalar packing there cost ~4 cycles per element, about 10% of a
/// 1024² product; eight loads, 24 shuffles and eight stores per 64 elements remove most of it.
/// </summary>
internal static unsafe class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>
    /// Packs 6 rows of <paramref name="kc"/> floats (rows <paramref name="stride"/> apart) into
    /// <paramref name="destination"/>[q·6 + r]. Writes up to 2 floats past the end (the caller's
    /// buffers keep slack; later slivers overwrite them).
    /// </summary>
    public static void PackSixRows(float* source, nint stride, float* destination, int kc)
    {
        var q = 0;
        for (; q + 8 <= kc; q += 8)
        {
            var s = source + q;
            var r0 = Avx.LoadVector256(s);
            var r1 = Avx.LoadVector256(s + stride);
            var r2 = Avx.LoadVector256(s + (2 * stride));
            var r3 = Avx.LoadVector256(s + (3 * stride));
            var r4 = Avx.LoadVector256(s + (4 * stride));
            var r5 = Avx.LoadVector256(s + (5 * stride));
            var r6 = Vector256<float>.Zero;
            var r7 = Vector256<float>.Zero;
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);

            // Column q is 6 values: 8-wide stores overlap, each one's last two lanes overwritten by the next.
            var d = destination + (q * 6);
            Avx.Store(d, r0);
            Avx.Store(d + 6, r1);
            Avx.Store(d + 12, r2);
            Avx.Store(d + 18, r3);
            Avx.Store(d + 24, r4);
            Avx.Store(d + 30, r5);
            Avx.Store(d + 36, r6);
            Avx.Store(d + 42, r7);
        }

        for (; q < kc; q++)
        {
            for (var r = 0; r < 6; r++)
            {
                destination[(q * 6) + r] = source[(r * stride) + q];
            }
        }
    }

    /// <summary>
    /// Packs 8 rows of <paramref name="kc"/> floats (rows <paramref name="stride"/> apart) into
    /// <paramref name="destination"/>[q·8 + r]: an A sliver of the 8-row tile.
    /// </summary>
    public static void PackEightRows(float* source, nint stride, float* destination, int kc)
    {
        var q = 0;
        for (; q + 8 <= kc; q += 8)
        {
            var s = source + q;
            var r0 = Avx.LoadVector256(s);
            var r1 = Avx.LoadVector256(s + stride);
            var r2 = Avx.LoadVector256(s + (2 * stride));
            var r3 = Avx.LoadVector256(s + (3 * stride));
            var r4 = Avx.LoadVector256(s + (4 * stride));
            var r5 = Avx.LoadVector256(s + (5 * stride));
            var r6 = Avx.LoadVector256(s + (6 * stride));
            var r7 = Avx.LoadVector256(s + (7 * stride));
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            var d = destination + (q * 8);
            Avx.Store(d, r0);
            Avx.Store(d + 8, r1);
            Avx.Store(d + 16, r2);
            Avx.Store(d + 24, r3);
            Avx.Store(d + 32, r4);
            Avx.Store(d + 40, r5);
            Avx.Store(d + 48, r6);
            Avx.Store(d + 56, r7);
        }

        for (; q < kc; q++)
        {
            for (var r = 0; r < 8; r++)
            {
                destination[(q * 8) + r] = source[(r * stride) + q];
            }
        }
    }

    /// <summary>
    /// Packs 16 rows of <paramref name="kc"/> floats (rows <paramref name="stride"/> apart) into
    /// <paramref name="destination"/>[q·<paramref name="width"/> + c]: a transposed-B sliver (width 16), or
    /// half of one (width 32).
    /// </summary>
    public static void PackSixteenRows(float* source, nint stride, float* destination, int width, int kc)
    {
        // Sixteen rows at a power-of-two stride share an L1 set: finish each row's cache line (two
        // 8-column steps) before moving to the other eight rows, or the first eight lines are evicted
        // between the two halves of the line and read again. Prefetch each row's next line meanwhile.
        var q = 0;
        for (; q + 16 <= kc; q += 16)
        {
            for (var step = 0; step < 4; step++)
            {
                var half = step >> 1;
                var qq = q + ((step & 1) * 8);
                var s = source + (half * 8 * stride) + qq;
                if ((step & 1) == 0 && q + 32 <= kc)
                {
                    for (nint row = 0; row < 8; row++)
                    {
                        Sse.Prefetch0(s + (row * stride) + 16);
                    }
                }

                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + stride);
                var r2 = Avx.LoadVector256(s + (2 * stride));
                var r3 = Avx.LoadVector256(s + (3 * stride));
                var r4 = Avx.LoadVector256(s + (4 * stride));
                var r5 = Avx.LoadVector256(s + (5 * stride));
                var r6 = Avx.LoadVector256(s + (6 * stride));
                var r7 = Avx.LoadVector256(s + (7 * stride));
                Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                var d = destination + (qq * width) + (half * 8);
                Avx.Store(d, r0);
                Avx.Store(d + width, r1);
                Avx.Store(d + (2 * width), r2);
                Avx.Store(d + (3 * width), r3);
                Avx.Store(d + (4 * width), r4);
                Avx.Store(d + (5 * width), r5);
                Avx.Store(d + (6 * width), r6);
                Avx.Store(d + (7 * width), r7);
            }
        }

        for (; q + 8 <= kc; q += 8)
        {
            for (var half = 0; half < 2; half++)
            {
                var s = source + (half * 8 * stride) + q;
                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + stride);
                var r2 = Avx.LoadVector256(s + (2 * stride));
                var r3 = Avx.LoadVector256(s + (3 * stride));
                var r4 = Avx.LoadVector256(s + (4 * stride));
                var r5 = Avx.LoadVector256(s + (5 * stride));
                var r6 = Avx.LoadVector256(s + (6 * stride));
                var r7 = Avx.LoadVector256(s + (7 * stride));
                Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                var d = destination + (q * width) + (half * 8);
                Avx.Store(d, r0);
                Avx.Store(d + width, r1);
                Avx.Store(d + (2 * width), r2);
                Avx.Store(d + (3 * width), r3);
                Avx.Store(d + (4 * width), r4);
                Avx.Store(d + (5 * width), r5);
                Avx.Store(d + (6 * width), r6);
                Avx.Store(d + (7 * width), r7);
            }
        }

        for (; q < kc; q++)
        {
            for (var c = 0; c < 16; c++)
            {
                destination[(q * width) + c] = source[(c * stride) + q];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
