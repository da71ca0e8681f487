using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// The AVX-512 float register tile: a 6×32 block of C in 12 Vector512 accumulators, the layout of
/// <see cref="MicroKernelFloat6x16"/> on registers twice as wide. Each k step loads two vectors of packed B,
/// broadcasts six values of packed A and issues 12 FMAs of 16 lanes: 12 independent chains cover the FMA latency
/// (4 cycles × 2 ports), and the 32-column B sliver (32 KiB at KC = 256) still fits a 48 KiB L1.
/// </summary>
internal static unsafe class MicroKernelFloat6x32
{
    public const int Rows = 6;
    public const int Columns = 32;

    /// <summary>Whether the multiply-add rounds once (AVX-512F); else it is a multiply, then an add.</summary>
    public static bool Fused => Avx512F.IsSupported;

    /// <summary>
    /// C[0..6, 0..32] (=|+=) a·b over <paramref name="kc"/> steps. <paramref name="a"/> is packed
    /// 6 values per step, <paramref name="b"/> 32 per step; C rows are <paramref name="ldc"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;

        if (Sse.IsSupported)
        {
            // Pull the C tile towards L1 while the FMAs run (a 128-byte row spans two or three lines).
            for (nint row = 0; row < Rows; row++)
            {
                Sse.Prefetch0(c + (row * ldc));
                Sse.Prefetch0(c + (row * ldc) + 16);
                Sse.Prefetch0(c + (row * ldc) + 31);
            }
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);

            var ai = Vector512.Create(a[0]);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = MultiplyAdd(ai, b0, c10);
            c11 = MultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = MultiplyAdd(ai, b0, c20);
            c21 = MultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = MultiplyAdd(ai, b0, c30);
            c31 = MultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = MultiplyAdd(ai, b0, c40);
            c41 = MultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = MultiplyAdd(ai, b0, c50);
            c51 = MultiplyAdd(ai, b1, c51);

            a += Rows;
            b += Columns;
        }

        Store(c, c00, c01, overwrite);
        Store(c + ldc, c10, c11, overwrite);
        Store(c + (2 * ldc), c20, c21, overwrite);
        Store(c + (3 * ldc), c30, c31, overwrite);
        Store(c + (4 * ldc), c40, c41, overwrite);
        Store(c + (5 * ldc), c50, c51, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, addend) : (a * b) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector512<float> left, Vector512<float> right, bool overwrite)
    {
        if (!overwrite)
        {
            left += Vector512.Load(row);
            right += Vector512.Load(row + 16);
        }

        Vector512.Store(left, row);
        Vector512.Store(right, row + 16);
    }
}
