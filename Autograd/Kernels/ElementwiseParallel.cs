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
/// Runs an elementwise computation over the <see cref="FixedBlocks"/> of its destination, on several threads when it
/// is large. Below 2·<see cref="FixedBlocks.Size"/> elements it is one call, as before; from there on it is one call per
/// block on one thread as on many, so every element goes through the same calls whatever the thread count (even a
/// function whose vector and scalar paths round differently gives the same bits).
/// </summary>
internal static unsafe class ElementwiseParallel
{
    /// <summary>
    /// <c>chunk.Run(a, b, c, destination)</c>, split into blocks from 2·<see cref="FixedBlocks.Size"/> elements and
    /// spread over threads from <paramref name="threshold"/> elements.
    /// </summary>
    public static void Run<TChunk, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination,
        TChunk chunk, long threshold)
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
            BlockParallel.For(new FixedBlocks(n), RangeParallel.Threads(n, threshold), body);
        }
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
