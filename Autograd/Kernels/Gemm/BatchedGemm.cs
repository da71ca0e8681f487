using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// A batch of products described by a <see cref="GemmBatch"/>, each run by the single-product kernels on
/// per-thread scratch (so nothing is allocated per product). Two layouts become one big product first:
/// <list type="bullet">
/// <item>B broadcast along the innermost batch dimension, A and C contiguous along it ([b,m,k]·[k,n]): the A
/// matrices stacked are one [b·m, k] matrix, the C matrices one [b·m, n]: fold the batch into M.</item>
/// <item>One summed dimension along which A (transposed) and B are contiguous (Σᵢ Aᵢᵀ·Bᵢ, the weight gradient of
/// [b,m,k]·[k,n]): the stacked Aᵢ are one [b·m, k] matrix read transposed: fold the batch into K.</item>
/// </list>
/// With several C matrices to write, threads take whole products (claimed from a counter, each product on one
/// thread); otherwise each product is threaded inside as usual. Either way every element of C is summed in the
/// same order (the products into one C run in batch order, and the kernels never split K), so the result does
/// not depend on the thread count.
/// </summary>
internal sealed unsafe class BatchedGemm<T> : GemmJob
    where T : unmanaged, INumberBase<T>
{
    [ThreadStatic]
    private static BatchedGemm<T>? _cached;

    private GemmProblem<T> _problem;
    private GemmBatch _batch;
    private GemmKernel _kernel;
    private int _walkRank;
    private long _outputs;
    private long _terms;
    private long _next;

    /// <summary>
    /// Runs every product of <paramref name="batch"/>; <paramref name="problem"/> holds the base pointers and one
    /// product's sizes, with m, n, k ≥ 1 and at least one product per C matrix (the caller handles empty cases).
    /// </summary>
    public static void Multiply(GemmKernel kernel, in GemmProblem<T> problem, in GemmBatch batch, int? maxThreads, int? exactThreads)
    {
        var p = problem;
        var walkRank = batch.Rank;          // dimensions walked item by item (the rest are folded)
        var keptRank = batch.KeptRank;
        var last = batch.Rank - 1;
        if (batch.Rank > 0 && keptRank == batch.Rank
            && batch.StrideB(last) == 0 && batch.StrideA(last) == (long)p.M * p.K && batch.StrideC(last) == (long)p.M * p.N
            && (!p.TransA || p.M == 1))
        {
            // A [m,k] with m = 1 is the same memory transposed or not.
            p = new GemmProblem<T>(p.A, p.B, p.C, (int)(p.M * batch.Size(last)), p.N, p.K, false, p.TransB, p.Accumulate);
            walkRank = keptRank = last;
        }
        else if (keptRank == last
            && batch.StrideA(last) == (long)p.M * p.K && batch.StrideB(last) == (long)p.K * p.N
            && (p.TransA || p.M == 1) && (!p.TransB || p.N == 1))
        {
            p = new GemmProblem<T>(p.A, p.B, p.C, p.M, p.N, (int)(p.K * batch.Size(last)), true, false, p.Accumulate);
            walkRank = last;
        }

        var outputs = 1L;
        var terms = 1L;
        for (var d = 0; d < walkRank; d++)
        {
            if (d < keptRank)
            {
                outputs *= batch.Size(d);
            }
            else
            {
                terms *= batch.Size(d);
            }
        }

        if (kernel == GemmKernel.Auto)
        {
            kernel = Gemm.Choose(p.M, p.N, p.K, p.TransA, p.TransB);
        }

        var job = _cached ??= new BatchedGemm<T>();
        (job._problem, job._batch, job._kernel, job._walkRank, job._outputs, job._terms) = (p, batch, kernel, walkRank, outputs, terms);
        var perOutput = p.Flops * terms;
        var threads = exactThreads ?? Gemm.ThreadsFor(perOutput * outputs, maxThreads);
        if (threads > 1 && outputs > 1
            && (outputs % threads == 0 || outputs >= 4 * threads || (exactThreads is null && perOutput < Gemm.ParallelFlops)))
        {
            // Whole products per thread: even shares (or enough of them to even out), or each too small to split.
            GemmThreading.Run(job, (int)Math.Min(threads, outputs));
        }
        else
        {
            var inner = exactThreads ?? Gemm.ThreadsFor(p.Flops, maxThreads);
            for (var output = 0L; output < outputs; output++)
            {
                job.MultiplyOutput(output, inner);
            }
        }

        job._problem = default;
    }

    public override void Prepare(int parts) => _next = 0;

    public override void Execute(int part, int parts)
    {
        for (var output = Interlocked.Increment(ref _next) - 1; output < _outputs; output = Interlocked.Increment(ref _next) - 1)
        {
            MultiplyOutput(output, threads: 1);
        }
    }

    /// <summary>The products summed into C matrix <paramref name="output"/>, in batch order.</summary>
    private void MultiplyOutput(long output, int threads)
    {
        var p = _problem;
        for (var term = 0L; term < _terms; term++)
        {
            var (a, b, c) = _batch.Offsets((output * _terms) + term, _walkRank);
            var product = new GemmProblem<T>(p.A + a, p.B + b, p.C + c, p.M, p.N, p.K, p.TransA, p.TransB, p.Accumulate || term > 0);
            Gemm.RunKernel(_kernel, product, threads);
        }
    }
}
