using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// C[i,:] += op(A)[i,p]·op(B)[p,:], one vectorised multiply-add per (i, p). Threads split the rows
/// of C. With a transposed B the rows of op(B) are strided columns of the stored matrix, so a
/// strip of them is transposed into per-thread scratch first (a strip, not the whole of B, to
/// keep it in L2 while every row of C reuses it).
/// </summary>
internal sealed unsafe class RowAxpyGemm<T> : GemmJob
    where T : unmanaged, INumberBase<T>
{
    private const int StripBytes = 128 * 1024;

    [ThreadStatic]
    private static RowAxpyGemm<T>? _cached;

    [ThreadStatic]
    private static GemmScratch<T>? _strip;

    private GemmProblem<T> _problem;

    public static void Multiply(in GemmProblem<T> problem, int threads)
    {
        var job = _cached ??= new RowAxpyGemm<T>();
        job._problem = problem;
        GemmThreading.Run(job, Math.Min(threads, problem.M));
        job._problem = default;
    }

    public override void Execute(int part, int parts)
    {
        var p = _problem;
        var (first, end) = Share(p.M, part, parts);
        if (!p.Accumulate)
        {
            for (var i = first; i < end; i++)
            {
                p.RowOfC(i).Clear();
            }
        }

        if (!p.TransB)
        {
            for (var i = first; i < end; i++)
            {
                var c = p.RowOfC(i);
                for (var q = 0; q < p.K; q++)
                {
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(p.B + ((nint)q * p.N), p.N), p.OpA(i, q), c, c);
                }
            }

            return;
        }

        var strip = Math.Clamp(StripBytes / (p.N * sizeof(T)), 1, p.K);
        var rows = (_strip ??= new GemmScratch<T>()).Get((long)strip * p.N);
        for (var q0 = 0; q0 < p.K; q0 += strip)
        {
            var height = Math.Min(strip, p.K - q0);
            for (var j = 0; j < p.N; j++)
            {
                var column = p.B + ((nint)j * p.K) + q0;
                for (var q = 0; q < height; q++)
                {
                    rows[((nint)q * p.N) + j] = column[q];
                }
            }

            for (var i = first; i < end; i++)
            {
                var c = p.RowOfC(i);
                for (var q = 0; q < height; q++)
                {
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(rows + ((nint)q * p.N), p.N), p.OpA(i, q0 + q), c, c);
                }
            }
        }
    }
}
