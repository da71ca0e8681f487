using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// General matrix multiply on row-major, contiguous spans: <c>C = op(A)·op(B)</c> or
/// <c>C += op(A)·op(B)</c>. Allocation-free once warm; see docs/KERNELS.md for the kernels.
/// </summary>
public static partial class Gemm
{
    /// <summary>
    /// At or below this many multiply-adds (m·n·k) <see cref="GemmKernel.Auto"/> runs the direct
    /// loop: measured, Blocked's packing overtakes it only from about 8×8×8.
    /// </summary>
    internal const long DirectLoopWork = 512;

    /// <summary>Below this many flops (2·m·n·k) a second thread costs more to wake and join than it saves.</summary>
    internal const long ParallelFlops = 1L << 22;

    /// <summary>
    /// Computes <c>C[m,n] = op(A)·op(B)</c>, or <c>C[m,n] += op(A)·op(B)</c> when
    /// <paramref name="accumulate"/>, in single precision.
    /// </summary>
    /// <param name="kernel">The algorithm; <see cref="GemmKernel.Auto"/> chooses by size.</param>
    /// <param name="transA">op(A) is Aᵀ: <paramref name="a"/> is stored [k,m] instead of [m,k].</param>
    /// <param name="transB">op(B) is Bᵀ: <paramref name="b"/> is stored [n,k] instead of [k,n].</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="a">A, row-major; at least m·k elements.</param>
    /// <param name="b">B, row-major; at least k·n elements.</param>
    /// <param name="c">C [m,n], row-major; must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="maxThreads">The most threads the kernel may use; null means all cores.</param>
    /// <exception cref="ArgumentException">A size is negative, a span is too short, C overlaps an input, or <paramref name="maxThreads"/> is below 1.</exception>
    public static void Multiply(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate = false, int? maxThreads = null) =>
        Run(kernel, transA, transB, m, n, k, a, b, c, accumulate, maxThreads, exactThreads: null);

    /// <summary>
    /// Computes <c>C[m,n] = op(A)·op(B)</c>, or <c>C[m,n] += op(A)·op(B)</c> when
    /// <paramref name="accumulate"/>, in double precision.
    /// </summary>
    /// <param name="kernel">The algorithm; <see cref="GemmKernel.Auto"/> chooses by size.</param>
    /// <param name="transA">op(A) is Aᵀ: <paramref name="a"/> is stored [k,m] instead of [m,k].</param>
    /// <param name="transB">op(B) is Bᵀ: <paramref name="b"/> is stored [n,k] instead of [k,n].</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="a">A, row-major; at least m·k elements.</param>
    /// <param name="b">B, row-major; at least k·n elements.</param>
    /// <param name="c">C [m,n], row-major; must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="maxThreads">The most threads the kernel may use; null means all cores.</param>
    /// <exception cref="ArgumentException">A size is negative, a span is too short, C overlaps an input, or <paramref name="maxThreads"/> is below 1.</exception>
    public static void Multiply(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, bool accumulate = false, int? maxThreads = null) =>
        Run(kernel, transA, transB, m, n, k, a, b, c, accumulate, maxThreads, exactThreads: null);

    /// <summary>
    /// Like <see cref="Multiply(GemmKernel, bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool, int?)"/>
    /// but with exactly <paramref name="threads"/> threads whatever the size, so tests can drive the
    /// threaded paths with small, odd shapes.
    /// </summary>
    internal static void MultiplyWithThreads<T>(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int threads)
        where T : unmanaged, INumberBase<T> =>
        Run(kernel, transA, transB, m, n, k, a, b, c, accumulate, threads, exactThreads: threads);

    /// <summary>
    /// The kernel <see cref="GemmKernel.Auto"/> runs for an op(A) [m,k] by op(B) [k,n] product:
    /// the direct loop when tiny; for a single row or column of output, the kernel that reads each
    /// input once without packing (Blocked would pack all of B, or A, to use it once); else Blocked.
    /// </summary>
    internal static GemmKernel Choose(int m, int n, int k, bool transA, bool transB) => (m, n) switch
    {
        _ when (long)m * n * k <= DirectLoopWork => GemmKernel.Naive,
        (1, _) => transB ? GemmKernel.Dot : GemmKernel.RowAxpy,
        (_, 1) when !transA => GemmKernel.Dot,
        _ => GemmKernel.Blocked,
    };

    /// <summary>
    /// The most threads a product may use when the caller passes no <c>maxThreads</c> (every MatMul of the
    /// engine): all cores by default. Like PyTorch's <c>torch.set_num_threads</c>, set it once for the process,
    /// e.g. to 1 when the process is pinned to one core or runs several models side by side.
    /// </summary>
    public static int DefaultMaxThreads
    {
        get => _defaultMaxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(DefaultMaxThreads));
            _defaultMaxThreads = value;
        }
    }

    private static int _defaultMaxThreads = Environment.ProcessorCount;

    /// <summary>How many threads are worth using for a product of <paramref name="flops"/>.</summary>
    internal static int ThreadsFor(long flops, int? maxThreads) =>
        flops < ParallelFlops ? 1 : Math.Min(maxThreads ?? DefaultMaxThreads, GemmThreading.MaxThreads);

    private static unsafe void Run<T>(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int? maxThreads, int? exactThreads)
        where T : unmanaged, INumberBase<T>
    {
        Validate(kernel, m, n, k, a, b, c, maxThreads);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                c[..(m * n)].Clear();
            }

            return;
        }

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var problem = new GemmProblem<T>(pa, pb, pc, m, n, k, transA, transB, accumulate);
            var threads = exactThreads ?? ThreadsFor(problem.Flops, maxThreads);
            RunKernel(kernel == GemmKernel.Auto ? Choose(m, n, k, transA, transB) : kernel, problem, threads);
        }
    }

    /// <summary>
    /// A product of at most <see cref="DirectLoopWork"/> multiply-adds, which <see cref="GemmKernel.Auto"/> gives to the
    /// direct loop, run on it without the public entry's checks: for the engine's ops, whose shapes are validated and
    /// whose output is a new buffer of exactly m·n elements (so nothing overlaps). In a tiny network's step those checks
    /// cost as much as the products themselves. The same kernel as Auto, so the same bits.
    /// </summary>
    internal static unsafe void MultiplyTiny<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c)
        where T : unmanaged, INumberBase<T>
    {
        System.Diagnostics.Debug.Assert((long)m * n * k <= DirectLoopWork && m >= 0 && n >= 0 && k >= 0);
        System.Diagnostics.Debug.Assert(a.Length >= m * k && b.Length >= k * n && c.Length >= m * n);
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            // k = 0 writes zeros, as Run's clear.
            NaiveGemm<T>.Multiply(new GemmProblem<T>(pa, pb, pc, m, n, k, transA, transB, accumulate: false));
        }
    }

    /// <summary>Runs one validated, non-empty product (k ≥ 1) on <paramref name="kernel"/> (not Auto).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void RunKernel<T>(GemmKernel kernel, in GemmProblem<T> problem, int threads)
        where T : unmanaged, INumberBase<T>
    {
        switch (kernel)
        {
            case GemmKernel.Naive:
                NaiveGemm<T>.Multiply(problem);
                break;
            case GemmKernel.RowAxpy:
                RowAxpyGemm<T>.Multiply(problem, threads);
                break;
            case GemmKernel.Dot:
                DotGemm<T>.Multiply(problem, threads);
                break;
            default:
                BlockedGemm<T>.Multiply(problem, threads);
                break;
        }
    }

    private static void Validate<T>(GemmKernel kernel, int m, int n, int k,
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

        if (a.Length < (long)m * k)
        {
            ThrowTooShort(nameof(a), "op(A)", a.Length, m, k, m, n, k);
        }

        if (b.Length < (long)k * n)
        {
            ThrowTooShort(nameof(b), "op(B)", b.Length, k, n, m, n, k);
        }

        if (c.Length < (long)m * n)
        {
            ThrowTooShort(nameof(c), "C", c.Length, m, n, m, n, k);
        }

        // Kernels write C while still reading A and B: an overlap would silently corrupt the result.
        ReadOnlySpan<T> output = c[..(m * n)];
        if (output.Overlaps(a[..(m * k)]) || output.Overlaps(b[..(k * n)]))
        {
            ThrowOverlap(m, n, k);
        }
    }

    [DoesNotReturn]
    private static void ThrowNegativeSize(int m, int n, int k) =>
        throw new ArgumentOutOfRangeException(m < 0 ? "m" : n < 0 ? "n" : "k",
            $"Gemm.Multiply: sizes must be non-negative, got m={m}, n={n}, k={k}.");

    [DoesNotReturn]
    private static void ThrowUnknownKernel(GemmKernel kernel) =>
        throw new ArgumentOutOfRangeException(nameof(kernel), $"Gemm.Multiply: unknown kernel {kernel}.");

    [DoesNotReturn]
    private static void ThrowBadThreads(int maxThreads) =>
        throw new ArgumentOutOfRangeException(nameof(maxThreads), $"Gemm.Multiply: maxThreads must be at least 1 (or null), got {maxThreads}.");

    [DoesNotReturn]
    private static void ThrowTooShort(string parameter, string operand, int length, int rows, int columns, int m, int n, int k) =>
        throw new ArgumentException(
            $"Gemm.Multiply: {parameter} has {length} elements but {operand} is {rows}×{columns} = {(long)rows * columns} (m={m}, n={n}, k={k}).",
            parameter);

    [DoesNotReturn]
    private static void ThrowOverlap(int m, int n, int k) =>
        throw new ArgumentException($"Gemm.Multiply: c must not overlap a or b (m={m}, n={n}, k={k}).", "c");
}
