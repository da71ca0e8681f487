namespace Autograd.Kernels;

/// <summary>The matrix-multiply algorithms <see cref="Gemm.Multiply(GemmKernel, bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool, int?)"/> can run.</summary>
public enum GemmKernel
{
    /// <summary>Chooses by shape: a direct loop for tiny products, <see cref="RowAxpy"/>/<see cref="Dot"/> for a single output row or column, <see cref="Blocked"/> otherwise.</summary>
    Auto,

    /// <summary>The textbook triple loop; single-threaded. The reference the others are tested against.</summary>
    Naive,

    /// <summary><c>C[i,:] += A[i,p]·B[p,:]</c> with vectorised multiply-adds along rows of C.</summary>
    RowAxpy,

    /// <summary><c>C[i,j] = A[i,:]·B[:,j]</c> as vectorised dot products.</summary>
    Dot,

    /// <summary>Packed, cache-blocked, register-tiled (BLIS-style) with SIMD FMA micro-kernels; multi-threaded.</summary>
    Blocked,
}
