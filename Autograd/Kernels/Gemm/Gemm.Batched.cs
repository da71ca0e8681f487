using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Autograd.Kernels;

/// <summary>Batched products: many GEMMs of one size in one call, on the same kernels (see BatchedGemm.cs).</summary>
public static partial class Gemm
{
    /// <summary>
    /// Computes <c>C[i] = op(A[i])·op(B[i])</c> (or <c>+=</c> when <paramref name="accumulate"/>) for
    /// i &lt; <paramref name="batch"/>, in single precision, where A[i] starts at element i·<paramref name="strideA"/>
    /// of <paramref name="a"/>, B[i] at i·<paramref name="strideB"/> of <paramref name="b"/>, and C[i] at i·m·n of
    /// <paramref name="c"/> (C is a contiguous [batch,m,n]). A stride of 0 uses the same matrix for every product.
    /// Allocation-free once warm; several products run in parallel, one per thread, and the result does not depend
    /// on the thread count.
    /// </summary>
    /// <param name="kernel">The algorithm for each product; <see cref="GemmKernel.Auto"/> chooses by size.</param>
    /// <param name="transA">op(A) is Aᵀ: each A[i] is stored [k,m] instead of [m,k].</param>
    /// <param name="transB">op(B) is Bᵀ: each B[i] is stored [n,k] instead of [k,n].</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="batch">The number of products.</param>
    /// <param name="a">The A matrices, row-major.</param>
    /// <param name="strideA">Elements from one A matrix to the next (0: one A for all).</param>
    /// <param name="b">The B matrices, row-major.</param>
    /// <param name="strideB">Elements from one B matrix to the next (0: one B for all).</param>
    /// <param name="c">C [batch,m,n], row-major; must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="accumulate">Add the products to C instead of overwriting it.</param>
    /// <param name="maxThreads">The most threads the kernel may use; null means <see cref="DefaultMaxThreads"/>.</param>
    /// <exception cref="ArgumentException">A size or stride is negative, a span is too short, C overlaps an input, or <paramref name="maxThreads"/> is below 1.</exception>
    public static void MultiplyBatched(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, int batch,
        ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, Span<float> c, bool accumulate = false,
        int? maxThreads = null) =>
        RunStrided(kernel, transA, transB, m, n, k, batch, a, strideA, b, strideB, c, accumulate, maxThreads, exactThreads: null);

    /// <summary>
    /// Computes <c>C[i] = op(A[i])·op(B[i])</c> (or <c>+=</c> when <paramref name="accumulate"/>) for
    /// i &lt; <paramref name="batch"/>, in double precision; see the single-precision overload.
    /// </summary>
    /// <param name="kernel">The algorithm for each product; <see cref="GemmKernel.Auto"/> chooses by size.</param>
    /// <param name="transA">op(A) is Aᵀ: each A[i] is stored [k,m] instead of [m,k].</param>
    /// <param name="transB">op(B) is Bᵀ: each B[i] is stored [n,k] instead of [k,n].</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="batch">The number of products.</param>
    /// <param name="a">The A matrices, row-major.</param>
    /// <param name="strideA">Elements from one A matrix to the next (0: one A for all).</param>
    /// <param name="b">The B matrices, row-major.</param>
    /// <param name="strideB">Elements from one B matrix to the next (0: one B for all).</param>
    /// <param name="c">C [batch,m,n], row-major; must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="accumulate">Add the products to C instead of overwriting it.</param>
    /// <param name="maxThreads">The most threads the kernel may use; null means <see cref="DefaultMaxThreads"/>.</param>
    /// <exception cref="ArgumentException">A size or stride is negative, a span is too short, C overlaps an input, or <paramref name="maxThreads"/> is below 1.</exception>
    public static void MultiplyBatched(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, int batch,
        ReadOnlySpan<double> a, int strideA, ReadOnlySpan<double> b, int strideB, Span<double> c, bool accumulate = false,
        int? maxThreads = null) =>
        RunStrided(kernel, transA, transB, m, n, k, batch, a, strideA, b, strideB, c, accumulate, maxThreads, exactThreads: null);

    /// <summary>The strided batch with exactly <paramref name="threads"/> threads whatever the size (for tests).</summary>
    internal static void MultiplyBatchedWithThreads<T>(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, int batch,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, bool accumulate, int threads)
        where T : unmanaged, INumberBase<T> =>
        RunStrided(kernel, transA, transB, m, n, k, batch, a, strideA, b, strideB, c, accumulate, threads, exactThreads: threads);

    /// <summary>
    /// Every product of <paramref name="batch"/> (broadcast operands, products summed into one C where its stride
    /// is 0): what MatMul runs for batched operands and their gradients. <paramref name="exactThreads"/> is for tests.
    /// </summary>
    internal static unsafe void MultiplyBatched<T>(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        in GemmBatch batch, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate,
        int? maxThreads = null, int? exactThreads = null)
        where T : unmanaged, INumberBase<T>
    {
        ValidateBatched(kernel, m, n, k, batch, a, b, c, maxThreads);
        if (m == 0 || n == 0 || batch.Outputs == 0)
        {
            return;
        }

        if (k == 0 || batch.Terms == 0)
        {
            // Empty sums: C = 0 (or unchanged when accumulating).
            if (!accumulate)
            {
                for (var output = 0L; output < batch.Outputs; output++)
                {
                    c.Slice((int)batch.Offsets(output, batch.KeptRank).C, m * n).Clear();
                }
            }

            return;
        }

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var problem = new GemmProblem<T>(pa, pb, pc, m, n, k, transA, transB, accumulate);
            BatchedGemm<T>.Multiply(kernel, problem, batch, maxThreads, exactThreads);
        }
    }

    private static void RunStrided<T>(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, int batch,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, bool accumulate, int? maxThreads, int? exactThreads)
        where T : unmanaged, INumberBase<T>
    {
        if (batch < 0 || strideA < 0 || strideB < 0)
        {
            ThrowNegativeBatch(batch, strideA, strideB);
        }

        MultiplyBatched(kernel, transA, transB, m, n, k, GemmBatch.Strided(batch, strideA, strideB, (long)m * n), a, b, c,
            accumulate, maxThreads, exactThreads);
    }

    private static void ValidateBatched<T>(GemmKernel kernel, int m, int n, int k, in GemmBatch batch,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int? maxThreads)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            ThrowNegativeSize(m, n, k);
        }

        if (kernel is < GemmKernel.Auto or > GemmKernel.Blocked)
        {
            ThrowUnknownKernel(kernel);
        }

        if (maxThreads < 1)
        {
            ThrowBadThreads(maxThreads.Value);
        }

        if (batch.Outputs == 0 || (long)m * n == 0)
        {
            return;
        }

        // The last matrix of each operand ends inside its span (the strides are non-negative, so it ends last).
        var (lastA, lastB, lastC) = batch.LastOffsets();
        var summed = batch.Terms == 0 || k == 0;
        long endA = summed ? 0 : lastA + ((long)m * k), endB = summed ? 0 : lastB + ((long)k * n), endC = lastC + ((long)m * n);
        if (a.Length < endA || b.Length < endB || c.Length < endC)
        {
            ThrowBatchTooShort(a.Length, b.Length, c.Length, endA, endB, endC, m, n, k);
        }

        ReadOnlySpan<T> output = c[..(int)endC];
        if (output.Overlaps(a[..(int)endA]) || output.Overlaps(b[..(int)endB]))
        {
            ThrowOverlap(m, n, k);
        }
    }

    [DoesNotReturn]
    private static void ThrowNegativeBatch(int batch, int strideA, int strideB) =>
        throw new ArgumentOutOfRangeException(batch < 0 ? "batch" : strideA < 0 ? "strideA" : "strideB",
            $"Gemm.MultiplyBatched: batch and strides must be non-negative, got batch={batch}, strideA={strideA}, strideB={strideB}.");

    [DoesNotReturn]
    private static void ThrowBatchTooShort(int lengthA, int lengthB, int lengthC, long endA, long endB, long endC, int m, int n, int k)
    {
        var (name, length, end) = lengthA < endA ? ("a", lengthA, endA) : lengthB < endB ? ("b", lengthB, endB) : ("c", lengthC, endC);
        throw new ArgumentException(
            $"Gemm.MultiplyBatched: {name} has {length} elements but its last matrix ends at element {end} (m={m}, n={n}, k={k}).", name);
    }
}
