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
/// measurements). With both cores free, dispatching a job to the GEMM pool's spinning worker and joining it cost
/// 0.75 µs, and two threads ran an add of 64K floats 1.6 times faster, a sum 1.4 times, exp and softmax of 32K 1.8–1.9
/// times; with other processes holding the second core, the dispatch cost about 6 µs and two threads were slower.
/// Whatever the threshold, the results are the same bits: it decides the thread count, never the order of a sum.
/// </summary>
internal static class ParallelThresholds
{
    /// <summary>A memory-bound elementwise op (add, ReLU, a scale, a VJP such as g·y): 1.6× at 64K floats.</summary>
    public const long MemoryBound = 1 << 16;

    /// <summary>An op of several flops per element (exp, tanh, GELU, a scalar call per element): 1.9× at 32K floats.</summary>
    public const long ComputeBound = 1 << 15;

    /// <summary>A reduction (a full sum or extremum, an axis reduction): Σ 1.4×, max 1.7× at 64K floats.</summary>
    public const long Reduction = 1 << 16;

    /// <summary>The threshold for an elementwise op of <paramref name="cost"/>.</summary>
    public static long Of(ElementCost cost) => cost == ElementCost.Compute ? ComputeBound : MemoryBound;
}
