using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// The double counterpart of <see cref="MicroKernelFloat6x8"/> for machines without AVX: a 6×4 block of C in
/// 12 Vector128 accumulators (2 lanes each).
/// </summary>
internal static unsafe class MicroKernelDouble6x4
{
    public const int Rows = 6;
    public const int Columns = 4;

    /// <summary>Whether the multiply-add rounds once (FMA3 on x64, ARM64); else it is a multiply, then an add.</summary>
    public static bool Fused => Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>
    /// C[0..6, 0..4] (=|+=) Σ_p A[·, p]·B[p, ·] over <paramref name="kc"/> steps, where A[i, p] is
    /// <c>a[i·aRow + p·aStep]</c> and B[p, j] is <c>b[p·bStep + j]</c>: a packed sliver (aRow = 1, aStep = rows;
    /// bStep = columns) or the caller's matrix read in place. C rows are <paramref name="ldc"/> apart.
    /// </summary>
    // Never inlined: inside the blocked loops the JIT ran short of registers and spilled a stride in the k
    // loop (8×32 tile at a third of its speed); on its own the loop keeps everything in registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, double* a, nint aRow, nint aStep, double* b, nint bStep, double* c, nint ldc, bool overwrite)
    {
        Vector128<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<double> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<double> c40 = default, c41 = default, c50 = default, c51 = default;

        var aRow2 = 2 * aRow;
        var aRow3 = 3 * aRow;
        var aRow4 = 4 * aRow;
        var aRow5 = 5 * aRow;

        if (Sse.IsSupported)
        {
            // Pull the C tile towards L1 while the multiply-adds run (a 32-byte row spans one or two lines).
            for (nint row = 0; row < Rows; row++)
            {
                Sse.Prefetch0(c + (row * ldc));
                Sse.Prefetch0(c + (row * ldc) + 3);
            }
        }

        if (aRow == 1)
        {
            // A packed: constant offsets (the strided loop measured 1-2% slower on the AVX2 squares).
            for (var p = 0; p < kc; p++)
            {
                var b0 = Vector128.Load(b);
                var b1 = Vector128.Load(b + 2);

                var ai = Vector128.Create(a[0]);
                c00 = MultiplyAdd(ai, b0, c00);
                c01 = MultiplyAdd(ai, b1, c01);
                ai = Vector128.Create(a[1]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
                ai = Vector128.Create(a[2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
                ai = Vector128.Create(a[3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
                ai = Vector128.Create(a[4]);
                c40 = MultiplyAdd(ai, b0, c40);
                c41 = MultiplyAdd(ai, b1, c41);
                ai = Vector128.Create(a[5]);
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
                var b0 = Vector128.Load(b);
                var b1 = Vector128.Load(b + 2);

                var ai = Vector128.Create(a[0]);
                c00 = MultiplyAdd(ai, b0, c00);
                c01 = MultiplyAdd(ai, b1, c01);
                ai = Vector128.Create(a[aRow]);
                c10 = MultiplyAdd(ai, b0, c10);
                c11 = MultiplyAdd(ai, b1, c11);
                ai = Vector128.Create(a[aRow2]);
                c20 = MultiplyAdd(ai, b0, c20);
                c21 = MultiplyAdd(ai, b1, c21);
                ai = Vector128.Create(a[aRow3]);
                c30 = MultiplyAdd(ai, b0, c30);
                c31 = MultiplyAdd(ai, b1, c31);
                ai = Vector128.Create(a[aRow4]);
                c40 = MultiplyAdd(ai, b0, c40);
                c41 = MultiplyAdd(ai, b1, c41);
                ai = Vector128.Create(a[aRow5]);
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
    private static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, addend)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.FusedMultiplyAdd(addend, a, b)
        : (a * b) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* row, Vector128<double> left, Vector128<double> right, bool overwrite)
    {
        if (!overwrite)
        {
            left += Vector128.Load(row);
            right += Vector128.Load(row + 2);
        }

        Vector128.Store(left, row);
        Vector128.Store(right, row + 2);
    }
}
