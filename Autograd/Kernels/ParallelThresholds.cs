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
/// Element counts from which the elementwise and reduction kernels use a second thread (see docs/PERFORMANCE.md for
/// the measurements). Below them, waking a worker of the GEMM pool and joining it costs more than the work saved.
/// Whatever the threshold, the results are the same bits: it decides the thread count, never the order of a sum.
/// </summary>
internal static class ParallelThresholds
{
    /// <summary>A memory-bound elementwise op (add, ReLU, a scale, a VJP such as g·y).</summary>
    public const long MemoryBound = 1 << 16;

    /// <summary>An elementwise op of several flops per element (exp, tanh, GELU, a scalar call per element).</summary>
    public const long ComputeBound = 1 << 15;

    /// <summary>The threshold for an elementwise op of <paramref name="cost"/>.</summary>
    public static long Of(ElementCost cost) => cost == ElementCost.Compute ? ComputeBound : MemoryBound;

    /// <summary>A reduction that only reads (sum, maximum) or a reduction along an axis.</summary>
    public const long Reduction = 1 << 16;
}
