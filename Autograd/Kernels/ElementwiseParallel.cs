namespace Autograd.Kernels;

/// <summary>
/// An elementwise computation on up to three inputs: element i of <c>destination</c> depends only on element i of
/// each input. Absent inputs are empty spans; present ones have the destination's length.
/// </summary>
internal interface IElementwiseChunk<T>
    where T : unmanaged
{
    void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination);
}

/// <summary>
/// Runs an elementwise computation over the <see cref="Blocks{T}"/> of its destination, on several threads when it
/// is large. Below 2·<see cref="FixedBlocks.Size"/> elements it is one call, as before; from there on it is one call per
/// block on one thread as on many, so every element goes through the same calls whatever the thread count (even a
/// function whose vector and scalar paths round differently gives the same bits).
/// </summary>
internal static unsafe class ElementwiseParallel
{
    /// <summary>The most blocks an elementwise op is cut into (a few per thread, so a busy core takes fewer).</summary>
    public const int MaxBlocks = 8;

    /// <summary>TensorPrimitives (System.Numerics.Tensors 8 to 10) writes a destination larger than this with non-temporal stores.</summary>
    public const int NonTemporalBytes = 256 * 1024;

    /// <summary>Outputs from this size on are written in blocks that stream (below, cached stores were faster).</summary>
    public const int StreamingBytes = 512 * 1024;

    /// <summary>
    /// <c>chunk.Run(a, b, c, destination)</c>, split into blocks from 2·<see cref="FixedBlocks.Size"/> elements and
    /// spread over threads from the size <see cref="ParallelThresholds.Of"/> gives for <paramref name="cost"/>.
    /// </summary>
    public static void Run<TChunk, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination,
        TChunk chunk, ElementCost cost)
        where TChunk : struct, IElementwiseChunk<T>
        where T : unmanaged
    {
        int n = destination.Length;
        if (n < 2 * FixedBlocks.Size)
        {
            chunk.Run(a, b, c, destination);
            return;
        }

        CheckOperand(a.Length, n);
        CheckOperand(b.Length, n);
        CheckOperand(c.Length, n);
        fixed (T* pa = a, pb = b, pc = c, pd = destination)
        {
            var body = new Body<TChunk, T>(chunk, new(pa, a.Length), new(pb, b.Length), new(pc, c.Length), new(pd, n));
            BlockParallel.For(Blocks<T>(n, cost), RangeParallel.Threads(n, ParallelThresholds.Of(cost)), body);
        }
    }

    /// <summary>
    /// The blocks of an elementwise op on <paramref name="n"/> elements: at most about <see cref="MaxBlocks"/>, of at
    /// least <see cref="FixedBlocks.Size"/> elements; and when a memory-bound op's output exceeds
    /// <see cref="StreamingBytes"/>, each larger than <see cref="NonTemporalBytes"/>, so each block's call streams its
    /// output past the cache as one call over everything would. Measured with one thread: 1M floats in 16K blocks
    /// written through the cache ran 1.7 times slower than one streaming call, 256K floats 1.5 times slower, but 128K
    /// floats (a 512 KB output, which fits in L2) ran 1.2 times faster than one streaming call.
    /// </summary>
    public static FixedBlocks Blocks<T>(int n, ElementCost cost)
        where T : unmanaged
    {
        bool streams = cost == ElementCost.Memory && (long)n * sizeof(T) > StreamingBytes;
        int least = streams ? (NonTemporalBytes / sizeof(T)) + 64 : FixedBlocks.Size;
        int size = (Math.Max(least, n / MaxBlocks) + 15) & ~15;   // whole 64-byte lines of floats at the seams
        return new(n, size);
    }

    private static void CheckOperand(int length, int destination)
    {
        if (length != 0 && length != destination)
        {
            throw new ArgumentException($"Elementwise: an operand of {length} elements for a destination of {destination}.");
        }
    }

    private readonly struct Body<TChunk, T>(TChunk chunk, Pinned<T> a, Pinned<T> b, Pinned<T> c, Pinned<T> destination)
        : IBlockBody
        where TChunk : struct, IElementwiseChunk<T>
        where T : unmanaged
    {
        public void Run(int block, int start, int end) =>
            chunk.Run(a.Slice(start, end), b.Slice(start, end), c.Slice(start, end), destination.Slice(start, end));
    }
}
