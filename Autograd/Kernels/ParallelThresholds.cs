namespace Autograd.Kernels;

/// <summary>What one element of an elementwise op costs, as far as splitting it over threads goes.</summary>
internal enum ElementCost
{
    /// <summary>A few loads, a store and an operation or two: bound by memory bandwidth (add, ReLU, a scale, g·y).</summary>
    Memory,

    /// <summary>Several flops per element (exp, tanh, GELU, a scalar call per element): bound by the core.</summary>
    Compute,
}

/// <summary>
/// Element counts from which the elementwise and reduction kernels use a second thread (docs/PERFORMANCE.md has the
/// measurements). Dispatching a job to the GEMM pool's worker and joining it cost about 6 µs on the 2-core VM while
/// other builds kept both cores busy (less when the worker is still spinning from the previous job); one thread adds
/// 64K floats in 8 µs, sums them in 4.5 µs and takes their exponentials in 17 µs from 32K. A second thread can only
/// pay from about twice the dispatch cost of work. Whatever the threshold, the results are the same bits: it decides
/// the thread count, never the order of a sum.
/// </summary>
internal static class ParallelThresholds
{
    /// <summary>
    /// A memory-bound elementwise op (add, ReLU, a scale, a VJP such as g·y). Past 256 KB of output its blocks are also
    /// at least 256 KB (<see cref="ElementwiseParallel.Blocks{T}"/>), so float outputs split from 128K elements on.
    /// </summary>
    public const long MemoryBound = 1 << 16;

    /// <summary>An elementwise op of several flops per element (exp, tanh, GELU, a scalar call per element).</summary>
    public const long ComputeBound = 1 << 15;

    /// <summary>A reduction: it only reads, about twice as fast per element as an add (a full sum, an axis reduction).</summary>
    public const long Reduction = 1 << 17;

    /// <summary>The threshold for an elementwise op of <paramref name="cost"/>.</summary>
    public static long Of(ElementCost cost) => cost == ElementCost.Compute ? ComputeBound : MemoryBound;
}
