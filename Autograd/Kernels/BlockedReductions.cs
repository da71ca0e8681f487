using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Autograd.Kernels;

/// <summary>
/// Reductions of one contiguous line (a whole tensor, or one row) over its <see cref="FixedBlocks"/>: each block
/// reduced by the same vector calls, the per-block results combined in block order. The partition depends on the
/// length only, so one thread and many give the same bits; lines under 2·<see cref="FixedBlocks.Size"/> elements are a
/// single block, i.e. one call as before.
/// </summary>
internal static unsafe class BlockedReductions
{
    /// <summary>The most per-block results kept on the stack (4M elements); longer lines rent an array.</summary>
    private const int StackPartials = 256;

    /// <summary>Σ x: each block by <see cref="TensorPrimitives.Sum{T}(ReadOnlySpan{T})"/>, the block sums added in order.</summary>
    /// <param name="x">The line.</param>
    /// <param name="threads">The most threads to use (1 inside a parallel body); the result does not depend on it.</param>
    public static T Sum<T>(ReadOnlySpan<T> x, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var blocks = new FixedBlocks(x.Length);
        if (blocks.Count == 1)
        {
            return TensorPrimitives.Sum(x);
        }

        T[]? rented = blocks.Count > StackPartials ? new T[blocks.Count] : null;
        Span<T> partials = rented ?? stackalloc T[blocks.Count];
        fixed (T* px = x, pp = partials)
        {
            BlockParallel.For(blocks, threads, new SumBody<T>(new(px, x.Length), new(pp, blocks.Count)));
        }

        T total = partials[0];
        for (int block = 1; block < partials.Length; block++)
        {
            total += partials[block];
        }

        return total;
    }

    /// <summary>
    /// Σ e^(x − shift): each block's exponentials written to scratch and summed by one vector call, the block sums added
    /// in order. <paramref name="scratch"/> holds at least min(length, 2·<see cref="FixedBlocks.Size"/>) elements; the
    /// threads other than the caller's rent their own.
    /// </summary>
    public static T SumOfExp<T>(ReadOnlySpan<T> x, T shift, Span<T> scratch, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var blocks = new FixedBlocks(x.Length);
        if (blocks.Count == 1)
        {
            return BlockSumOfExp(x, shift, scratch);
        }

        T[]? rented = blocks.Count > StackPartials ? new T[blocks.Count] : null;
        Span<T> partials = rented ?? stackalloc T[blocks.Count];
        if (Math.Min(threads, blocks.Count) == 1)
        {
            for (int block = 0; block < blocks.Count; block++)
            {
                partials[block] = BlockSumOfExp(x[blocks.Start(block)..blocks.End(block)], shift, scratch);
            }
        }
        else
        {
            fixed (T* px = x, pp = partials)
            {
                BlockParallel.For(blocks, threads, new SumOfExpBody<T>(new(px, x.Length), shift, new(pp, blocks.Count)));
            }
        }

        T total = partials[0];
        for (int block = 1; block < partials.Length; block++)
        {
            total += partials[block];
        }

        return total;
    }

    /// <summary>The threads <see cref="Sum{T}"/> and <see cref="ArgExtremum{T, TOrder}"/> use for a line on its own.</summary>
    public static int ThreadsFor(int length) => RangeParallel.Threads(length, ParallelThresholds.Reduction);

    /// <summary>
    /// The extremum of a non-empty line under <typeparamref name="TOrder"/> and the first index holding it; a NaN wins
    /// at its first occurrence (PyTorch's max/min/argmax on CPU). Each block's extremum is one vector call
    /// (NaN-propagating); the block holding the first occurrence is then searched, and the value read back from there
    /// (so a zero maximum keeps the sign of its first occurrence, a NaN its payload).
    /// </summary>
    public static (T Value, int Index) ArgExtremum<T, TOrder>(ReadOnlySpan<T> x, int threads)
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        var blocks = new FixedBlocks(x.Length);
        T[]? rented = blocks.Count > StackPartials ? new T[blocks.Count] : null;
        Span<T> partials = rented ?? stackalloc T[blocks.Count];
        if (blocks.Count == 1)
        {
            partials[0] = TOrder.Of(x);
        }
        else
        {
            fixed (T* px = x, pp = partials)
            {
                BlockParallel.For(blocks, threads, new ExtremumBody<T, TOrder>(new(px, x.Length), new(pp, blocks.Count)));
            }
        }

        T best = partials[0];
        for (int block = 1; block < partials.Length && !T.IsNaN(best); block++)
        {
            if (TOrder.Beats(partials[block], best) || T.IsNaN(partials[block]))
            {
                best = partials[block];
            }
        }

        for (int block = 0; ; block++)
        {
            if (Same(partials[block], best))
            {
                int start = blocks.Start(block);
                int at = start + FirstIndexOf(x[start..blocks.End(block)], best);
                return (x[at], at);
            }
        }
    }

    /// <summary>True when <paramref name="value"/> equals <paramref name="target"/> (== , so −0 equals +0) or both are NaN.</summary>
    private static bool Same<T>(T value, T target)
        where T : INumber<T> => T.IsNaN(target) ? T.IsNaN(value) : value == target;

    /// <summary>The first index of <paramref name="x"/> holding a value <see cref="Same{T}"/> as <paramref name="target"/>, which must occur.</summary>
    private static int FirstIndexOf<T>(ReadOnlySpan<T> x, T target)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref T xs = ref MemoryMarshal.GetReference(x);
            bool nan = T.IsNaN(target);
            var vtarget = new Vector<T>(target);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> v = Vector.LoadUnsafe(ref xs, (nuint)i);
                Vector<T> hit = nan ? ~Vector.Equals(v, v) : Vector.Equals(v, vtarget);
                if (Vector.AsVectorByte(hit) != Vector<byte>.Zero)
                {
                    break;
                }
            }
        }

        while (!Same(x[i], target))
        {
            i++;
        }

        return i;
    }

    private static T BlockSumOfExp<T>(ReadOnlySpan<T> x, T shift, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> exponentials = scratch[..x.Length];
        TensorPrimitives.Subtract(x, shift, exponentials);
        MathKernels.Exp(exponentials, exponentials);
        return TensorPrimitives.Sum<T>(exponentials);
    }

    private readonly struct SumOfExpBody<T>(Pinned<T> x, T shift, Pinned<T> partials) : IBlockBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int block, int start, int end)
        {
            T[] scratch = ArrayPool<T>.Shared.Rent(end - start);
            partials.Span[block] = BlockSumOfExp<T>(x.Slice(start, end), shift, scratch);
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    private readonly struct SumBody<T>(Pinned<T> x, Pinned<T> partials) : IBlockBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int block, int start, int end) => partials.Span[block] = TensorPrimitives.Sum<T>(x.Slice(start, end));
    }

    private readonly struct ExtremumBody<T, TOrder>(Pinned<T> x, Pinned<T> partials) : IBlockBody
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        public void Run(int block, int start, int end) => partials.Span[block] = TOrder.Of<T>(x.Slice(start, end));
    }
}
