using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// One product C = op(A)·op(B) (+ C) on pinned memory, so a single value can be handed to worker
/// threads (spans cannot leave the stack). Valid only while <see cref="Gemm"/> keeps the caller's
/// spans pinned.
/// </summary>
internal readonly unsafe struct GemmProblem<T>
    where T : unmanaged
{
    public readonly T* A;
    public readonly T* B;
    public readonly T* C;
    public readonly int M;
    public readonly int N;
    public readonly int K;
    public readonly bool TransA;
    public readonly bool TransB;
    public readonly bool Accumulate;

    public GemmProblem(T* a, T* b, T* c, int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        A = a;
        B = b;
        C = c;
        M = m;
        N = n;
        K = k;
        TransA = transA;
        TransB = transB;
        Accumulate = accumulate;
    }

    /// <summary>op(A)[i, p]: A is stored [m,k], or [k,m] when transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T OpA(int i, int p) => TransA ? A[((nint)p * M) + i] : A[((nint)i * K) + p];

    /// <summary>op(B)[p, j]: B is stored [k,n], or [n,k] when transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T OpB(int p, int j) => TransB ? B[((nint)j * K) + p] : B[((nint)p * N) + j];

    /// <summary>Row i of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> RowOfC(int i) => new(C + ((nint)i * N), N);

    /// <summary>Multiply-adds (2·m·n·k), the work measure thread decisions use.</summary>
    public long Flops => 2L * M * N * K;
}
