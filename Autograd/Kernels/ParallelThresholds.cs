namespace Autograd.Kernels;

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

    /// <summary>A reduction that only reads (sum, maximum) or a reduction along an axis.</summary>
    public const long Reduction = 1 << 16;
}
