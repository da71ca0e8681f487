using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the order the micro-kernel reads them: A in slivers of
/// <c>mr</c> rows, one column of the sliver after another; B in slivers of <c>nr</c> columns, one
/// row after another. The transposes are absorbed here (only the read pattern changes), and
/// ragged edges are padded with zeros so the micro-kernel always runs a full tile. Destinations
/// need <see cref="Slack"/> elements of room past the last sliver.
/// </summary>
internal static unsafe class GemmPacking<T>
    where T : unmanaged, INumberBase<T>
{
    /// <summary>Elements the vectorised packing may write past the end of a block.</summary>
    public const int Slack = 16;

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] into ⌈mc/mr⌉ slivers of kc·mr values.</summary>
    public static void PackA(in GemmProblem<T> p, T* destination, int ic, int mc, int pc, int kc, int mr)
    {
        for (var s = 0; s * mr < mc; s++)
        {
            var i0 = ic + (s * mr);
            var rows = Math.Min(mr, mc - (s * mr));
            var sliver = destination + ((nint)s * kc * mr);
            if (p.TransA)
            {
                // Stored [k,m]: a sliver's column is contiguous in memory.
                if (typeof(T) == typeof(float) && rows == 8 && mr == 8 && Vector256.IsHardwareAccelerated)
                {
                    // Eight floats per column: one 32-byte copy.
                    var from = (float*)(p.A + ((nint)pc * p.M) + i0);
                    var to = (float*)sliver;
                    for (var q = 0; q < kc; q++)
                    {
                        Vector256.Store(Vector256.Load(from), to);
                        from += p.M;
                        to += 8;
                    }

                    continue;
                }

                if (typeof(T) == typeof(float) && rows == 6 && mr == 6 && Vector128.IsHardwareAccelerated)
                {
                    // Six floats per column: 16 + 8 bytes, never read past the sixth.
                    var from = (float*)(p.A + ((nint)pc * p.M) + i0);
                    var to = (float*)sliver;
                    for (var q = 0; q < kc; q++)
                    {
                        Vector128.Store(Vector128.Load(from), to);
                        *(long*)(to + 4) = *(long*)(from + 4);
                        from += p.M;
                        to += 6;
                    }

                    continue;
                }

                for (var q = 0; q < kc; q++)
                {
                    var source = p.A + ((nint)(pc + q) * p.M) + i0;
                    var target = sliver + ((nint)q * mr);
                    for (var r = 0; r < rows; r++)
                    {
                        target[r] = source[r];
                    }

                    for (var r = rows; r < mr; r++)
                    {
                        target[r] = T.Zero;
                    }
                }

                continue;
            }

            if (typeof(T) == typeof(float) && rows == mr && GemmTranspose.IsSupported)
            {
                if (mr == 6)
                {
                    GemmTranspose.PackSixRows((float*)(p.A + ((nint)i0 * p.K) + pc), p.K, (float*)sliver, kc);
                    continue;
                }

                if (mr == 8)
                {
                    GemmTranspose.PackEightRows((float*)(p.A + ((nint)i0 * p.K) + pc), p.K, (float*)sliver, kc);
                    continue;
                }
            }

            // Stored [m,k]: read each row contiguously, write it with stride mr.
            for (var r = 0; r < rows; r++)
            {
                var source = p.A + ((nint)(i0 + r) * p.K) + pc;
                for (var q = 0; q < kc; q++)
                {
                    sliver[((nint)q * mr) + r] = source[q];
                }
            }

            for (var r = rows; r < mr; r++)
            {
                for (var q = 0; q < kc; q++)
                {
                    sliver[((nint)q * mr) + r] = T.Zero;
                }
            }
        }
    }

    /// <summary>
    /// Packs slivers [firstSliver, endSliver) of op(B)[pc..pc+kc, jc..] (each nr columns wide,
    /// kc·nr values, sliver s at (s - firstSliver)·<paramref name="sliverStride"/> from
    /// <paramref name="destination"/>); parts of one job pack disjoint slivers of the shared panel.
    /// </summary>
    public static void PackB(in GemmProblem<T> p, T* destination, int jc, int pc, int kc, int firstSliver, int endSliver, int nr, int sliverStride)
    {
        if (!p.TransB)
        {
            // Plain B: a few slivers at a time, row by row, so reads stay sequential along rows of B
            // (one sliver at a time walks kc rows n apart: a page per row, bad for the TLB and
            // prefetchers, worst at power-of-two n).
            const int group = 8;
            for (var s0 = firstSliver; s0 < endSliver; s0 += group)
            {
                var s1 = Math.Min(endSliver, s0 + group);
                for (var q = 0; q < kc; q++)
                {
                    var row = p.B + ((nint)(pc + q) * p.N);
                    for (var s = s0; s < s1; s++)
                    {
                        var j0 = jc + (s * nr);
                        var target = destination + ((nint)(s - firstSliver) * sliverStride) + ((nint)q * nr);
                        var columns = Math.Min(nr, p.N - j0);
                        if (columns == nr)
                        {
                            CopyRow(row + j0, target, nr);
                            continue;
                        }

                        for (var c = 0; c < columns; c++)
                        {
                            target[c] = row[j0 + c];
                        }

                        for (var c = columns; c < nr; c++)
                        {
                            target[c] = T.Zero;
                        }
                    }
                }
            }

            return;
        }

        for (var s = firstSliver; s < endSliver; s++)
        {
            var j0 = jc + (s * nr);
            var columns = Math.Min(nr, p.N - j0);
            var sliver = destination + ((nint)(s - firstSliver) * sliverStride);
            if (typeof(T) == typeof(float) && columns == nr && nr % 16 == 0 && GemmTranspose.IsSupported)
            {
                // 16 or 32 columns: 16 at a time, into their half of each packed row.
                for (var c = 0; c < nr; c += 16)
                {
                    GemmTranspose.PackSixteenRows((float*)(p.B + ((nint)(j0 + c) * p.K) + pc), p.K, (float*)(sliver + c), nr, kc);
                }

                continue;
            }

            // Stored [n,k]: a sliver's column is a contiguous row of the stored matrix.
            for (var c = 0; c < columns; c++)
            {
                var source = p.B + ((nint)(j0 + c) * p.K) + pc;
                for (var q = 0; q < kc; q++)
                {
                    sliver[((nint)q * nr) + c] = source[q];
                }
            }

            for (var c = columns; c < nr; c++)
            {
                for (var q = 0; q < kc; q++)
                {
                    sliver[((nint)q * nr) + c] = T.Zero;
                }
            }
        }
    }

    /// <summary>One packed row of a B sliver: two vectors of whichever width the register tile uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(T* source, T* target, int count)
    {
        if (Vector512.IsHardwareAccelerated && count == 2 * Vector512<T>.Count)
        {
            Vector512.Store(Vector512.Load(source), target);
            Vector512.Store(Vector512.Load(source + Vector512<T>.Count), target + Vector512<T>.Count);
            return;
        }

        if (Vector256.IsHardwareAccelerated && count % Vector256<T>.Count == 0)
        {
            for (var i = 0; i < count; i += Vector256<T>.Count)
            {
                Vector256.Store(Vector256.Load(source + i), target + i);
            }

            return;
        }

        if (Vector128.IsHardwareAccelerated && count == 2 * Vector128<T>.Count)
        {
            Vector128.Store(Vector128.Load(source), target);
            Vector128.Store(Vector128.Load(source + Vector128<T>.Count), target + Vector128<T>.Count);
            return;
        }

        new ReadOnlySpan<T>(source, count).CopyTo(new Span<T>(target, count));
    }
}
