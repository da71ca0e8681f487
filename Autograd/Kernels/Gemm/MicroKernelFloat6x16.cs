using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// The AVX float register tile: a 6×16 block of C held in 12 Vector256 accumulators. Each k step loads
/// two vectors of B, broadcasts six values of A and issues 12 FMAs, which leaves 3 of the 16 AVX registers
/// for operands: the largest tile that does not spill, and 12 independent FMA chains hide the FMA latency
/// (4 cycles × 2 ports = 8 in flight needed).
/// </summary>
internal static unsafe class MicroKernelFloat6x16
{
    public const int Rows = 6;
    public const int Columns = 16;

    /// <summary>Whether the multiply-add rounds once (FMA3); else it is a multiply, then an add.</summary>
    public static bool Fused => Fma.IsSupported;

    /// <summary>
    /// C[0..6, 0..16] (=|+=) Σ_p A[·, p]·B[p, ·] over <paramref name="kc"/> steps, where A[i, p] is
    /// <c>a[i·aRow + p·aStep]</c> and B[p, j] is <c>b[p·bStep + j]</c>: a packed sliver (aRow = 1, aStep = rows;
    /// bStep = columns) or the caller's matrix read in place. C rows are <paramref name="ldc"/> apart.
    /// </summary>
    // Never inlined: inside the blocked loops the JIT ran short of registers and spilled a stride in the k
    // loop (8×32 tile at a third of its speed); on its own the loop keeps everything in registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint aRow, nint aStep, float* b, nint bStep, float* c, nint ldc, bool overwrite)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;

        var aRow2 = 2 * aRow;
        var aRow3 = 3 * aRow;
        var aRow4 = 4 * aRow;
        var aRow5 = 5 * aRow;

        if (Sse.IsSupported)
        {
            // Pull the C tile towards L1 while the multiply-adds run (a 64-byte row spans one or two lines).
            for (nint row = 0; row < Rows; row++)
            {
                Sse.Prefetch0(c + (row * ldc));
                Sse.Prefetch0(c + (row * ldc) + 15);
            }
        }

        if (aRow == 1)
        {
            // A packed: constant offsets (the strided loop measured 1-2% slower on the AVX2 squares).
            for (var p = 0; p < kc; p++)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);

                var ai = Vector256.Create(a[0]);
                c00 = MultiplyAdd(ai, b0, c00);
                c01 = MultiplyAdd(ai, b1, c01);
                ai = Vector256.Create(a[1]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
                ai = Vector256.Create(a[2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
                ai = Vector256.Create(a[3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
                ai = Vector256.Create(a[4]);
                c40 = MultiplyAdd(ai, b0, c40);
                c41 = MultiplyAdd(ai, b1, c41);
                ai = Vector256.Create(a[5]);
                c50 = MultiplyAdd(ai, b0, c50);
                c51 = MultiplyAdd(ai, b1, c51);

                a += aStep;
                b += bStep;
            }
        }
        else
        {
            for (var p = 0; p < kc; p++)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);

                var ai = Vector256.Create(a[0]);
                c00 = MultiplyAdd(ai, b0, c00);
                c01 = MultiplyAdd(ai, b1, c01);
                ai = Vector256.Create(a[aRow]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
                ai = Vector256.Create(a[aRow2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
                ai = Vector256.Create(a[aRow3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
                ai = Vector256.Create(a[aRow4]);
                c40 = MultiplyAdd(ai, b0, c40);
                c41 = MultiplyAdd(ai, b1, c41);
                ai = Vector256.Create(a[aRow5]);
                c50 = MultiplyAdd(ai, b0, c50);
                c51 = MultiplyAdd(ai, b1, c51);

                a += aStep;
                b += bStep;
            }
        }

        Store(c, c00, c01, overwrite);
        Store(c + ldc, c10, c11, overwrite);
        Store(c + (2 * ldc), c20, c21, overwrite);
        Store(c + (3 * ldc), c30, c31, overwrite);
        Store(c + (4 * ldc), c40, c41, overwrite);
        Store(c + (5 * ldc), c50, c51, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, addend) : (a * b) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector256<float> left, Vector256<float> right, bool overwrite)
    {
        if (!overwrite)
        {
            left += Vector256.Load(row);
            right += Vector256.Load(row + 8);
        }

        Vector256.Store(left, row);
        Vector256.Store(right, row + 8);
    }
}
