using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// C[i,j] = op(A)[i,:]·op(B)[:,j], one vectorised dot product per element. Threads split the rows
/// of C. Dot needs both operands contiguous along k: a transposed B already is (its rows are the
/// columns of op(B)); a plain B is handled a strip of columns at a time, transposed into
/// per-thread scratch sized for L2 and reused by every row of C, which costs O(k·n) copies
/// against O(m·n·k) work and never a copy of the whole matrix. A transposed A's row is gathered
/// once per strip into a k-long buffer.
/// </summary>
internal sealed unsafe class DotGemm<T> : GemmJob
    where T : unmanaged, INumberBase<T>
{
    private const int StripBytes = 128 * 1024;

    [ThreadStatic]
    private static DotGemm<T>? _cached;

    [ThreadStatic]
    private static GemmScratch<T>? _strip;

    [ThreadStatic]
    private static GemmScratch<T>? _row;

    private GemmProblem<T> _problem;

    public static void Multiply(in GemmProblem<T> problem, int threads)
    {
        var job = _cached ??= new DotGemm<T>();
        job._problem = problem;
        GemmThreading.Run(job, Math.Min(threads, problem.M));
        job._problem = default;
    }

    public override void Execute(int part, int parts)
    {
        var p = _problem;
        var (first, end) = Share(p.M, part, parts);
        var row = p.TransA ? (_row ??= new GemmScratch<T>()).Get(p.K) : null;

        var width = p.TransB ? p.N : Math.Clamp(StripBytes / (p.K * sizeof(T)), 1, p.N);
        var columns = p.TransB ? null : (_strip ??= new GemmScratch<T>()).Get((long)width * p.K);
        for (var j0 = 0; j0 < p.N; j0 += width)
        {
            var stripWidth = Math.Min(width, p.N - j0);
            if (!p.TransB)
            {
                for (var q = 0; q < p.K; q++)
                {
                    var source = p.B + ((nint)q * p.N) + j0;
                    for (var jj = 0; jj < stripWidth; jj++)
                    {
                        columns[((nint)jj * p.K) + q] = source[jj];
                    }
                }
            }

            var strip = p.TransB ? p.B + ((nint)j0 * p.K) : columns;
            for (var i = first; i < end; i++)
            {
                var a = RowOfA(p, i, row);
                var c = p.RowOfC(i).Slice(j0, stripWidth);
                for (var jj = 0; jj < stripWidth; jj++)
                {
                    var dot = TensorPrimitives.Dot(a, new ReadOnlySpan<T>(strip + ((nint)jj * p.K), p.K));
                    c[jj] = p.Accumulate ? c[jj] + dot : dot;
                }
            }
        }
    }

    private static ReadOnlySpan<T> RowOfA(in GemmProblem<T> p, int i, T* gathered)
    {
        if (!p.TransA)
        {
            return new ReadOnlySpan<T>(p.A + ((nint)i * p.K), p.K);
        }

        for (var q = 0; q < p.K; q++)
        {
            gathered[q] = p.A[((nint)q * p.M) + i];
        }

        return new ReadOnlySpan<T>(gathered, p.K);
    }
}
