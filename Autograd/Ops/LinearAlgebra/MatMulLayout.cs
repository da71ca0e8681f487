using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// How torch.matmul lays a product of any ranks (≥ 1) onto batched GEMMs: a vector a [k] is the matrix [1,k] and
/// a vector b [k] the matrix [k,1], their extra dimension dropped from the result; the dimensions before the last
/// two are batch dimensions, broadcast against each other. Computed once per forward, kept by the entry for
/// the three products (the forward one and the two gradients), which differ only in which operand plays which role.
/// </summary>
internal sealed class MatMulLayout
{
    private MatMulLayout(int m, int n, int k, bool transA, bool transB, int[] batch, int[] shapeA, int[] shapeB, int[] outputShape)
    {
        (M, N, K, TransA, TransB, Batch) = (m, n, k, transA, transB, batch);
        (ShapeA, ShapeB, OutputShape) = (shapeA, shapeB, outputShape);
        StrideA = BatchStrides(batch, shapeA.AsSpan(0, Math.Max(shapeA.Length - 2, 0)), (long)m * k);
        StrideB = BatchStrides(batch, shapeB.AsSpan(0, Math.Max(shapeB.Length - 2, 0)), (long)k * n);
        StrideC = BatchStrides(batch, batch, (long)m * n);
    }

    /// <summary>Rows of op(A) and of each C matrix (1 for a vector a).</summary>
    public int M { get; }

    /// <summary>Columns of op(B) and of each C matrix (1 for a vector b).</summary>
    public int N { get; }

    /// <summary>The summed dimension.</summary>
    public int K { get; }

    /// <summary>A's matrices are stored [k,m] (never for a vector: [1,k] needs no flag).</summary>
    public bool TransA { get; }

    /// <summary>B's matrices are stored [n,k]; always for a vector b, whose [k] is [1,k] stored (the Dot kernel's layout).</summary>
    public bool TransB { get; }

    /// <summary>The broadcast batch shape (empty when neither operand has batch dimensions).</summary>
    public int[] Batch { get; }

    public int[] ShapeA { get; }

    public int[] ShapeB { get; }

    public int[] OutputShape { get; }

    /// <summary>a is a vector.</summary>
    public bool VectorA => ShapeA.Length == 1;

    /// <summary>b is a vector.</summary>
    public bool VectorB => ShapeB.Length == 1;

    /// <summary>Element strides along each batch dimension (0 where the operand is broadcast).</summary>
    private long[] StrideA { get; }

    private long[] StrideB { get; }

    private long[] StrideC { get; }

    /// <summary>Validates the operands (ranks, inner dimensions, batch broadcasting) and lays out their product.</summary>
    public static MatMulLayout Create(Tensor a, Tensor b, bool transA, bool transB)
    {
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException(
                $"MatMul: {MatMul.Describe(a, b, transA, transB)}: both operands must be at least 1-D, but they are {a.Rank}-D and {b.Rank}-D.");
        }

        ReadOnlySpan<int> sa = a.ShapeSpan;
        ReadOnlySpan<int> sb = b.ShapeSpan;

        // A vector is its own transpose: the flag is dropped, and b's [k] is read as the stored row of a [k,1].
        transA &= a.Rank > 1;
        transB |= b.Rank == 1;
        int m = a.Rank == 1 ? 1 : transA ? sa[^1] : sa[^2];
        int ka = a.Rank == 1 || !transA ? sa[^1] : sa[^2];
        int kb = b.Rank == 1 || transB ? sb[^1] : sb[^2];
        int n = b.Rank == 1 ? 1 : transB ? sb[^2] : sb[^1];
        if (ka != kb)
        {
            throw new ArgumentException($"MatMul: {MatMul.Describe(a, b, transA && a.Rank > 1, transB && b.Rank > 1)}: inner dimensions {ka} and {kb} differ.");
        }

        ReadOnlySpan<int> batchA = sa[..Math.Max(a.Rank - 2, 0)];
        ReadOnlySpan<int> batchB = sb[..Math.Max(b.Rank - 2, 0)];
        int[] batch = new int[Math.Max(batchA.Length, batchB.Length)];
        for (int d = 0; d < batch.Length; d++)
        {
            int da = d - (batch.Length - batchA.Length), db = d - (batch.Length - batchB.Length);
            int x = da < 0 ? 1 : batchA[da], y = db < 0 ? 1 : batchB[db];
            if (x != y && x != 1 && y != 1)
            {
                throw new ArgumentException(
                    $"MatMul: {MatMul.Describe(a, b, transA && a.Rank > 1, transB && b.Rank > 1)}: batch dimensions "
                    + $"{ShapeText.Format(batchA)} and {ShapeText.Format(batchB)} do not broadcast: batch sizes {x} and {y} differ "
                    + $"(dimension {da} of a, {db} of b).");
            }

            batch[d] = x == 1 ? y : x;
        }

        // The result keeps m only for a matrix a and n only for a matrix b.
        int[] output = new int[batch.Length + (a.Rank > 1 ? 1 : 0) + (b.Rank > 1 ? 1 : 0)];
        batch.CopyTo(output, 0);
        if (a.Rank > 1)
        {
            output[batch.Length] = m;
        }

        if (b.Rank > 1)
        {
            output[^1] = n;
        }

        return new MatMulLayout(m, n, ka, transA, transB, batch, a.ShapeArray, b.ShapeArray, output);
    }

    /// <summary>C = op(A)·op(B), every batch item.</summary>
    public void Forward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c)
        where T : unmanaged, INumberBase<T> =>
        Gemm.MultiplyBatched(GemmKernel.Auto, TransA, TransB, M, N, K, GemmBatch.Create(Batch, StrideA, StrideB, StrideC), a, b, c, false);

    /// <summary>
    /// dA = G·op(B)ᵀ per batch item (stored transposed, dAᵀ = op(B)·Gᵀ, when A is), summed over the batch
    /// dimensions A was broadcast along.
    /// </summary>
    public void GradA<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> b, Span<T> gradA)
        where T : unmanaged, INumberBase<T>
    {
        if (!TransA)
        {
            Gemm.MultiplyBatched(GemmKernel.Auto, false, !TransB, M, K, N, GemmBatch.Create(Batch, StrideC, StrideB, StrideA), g, b, gradA, false);
        }
        else
        {
            Gemm.MultiplyBatched(GemmKernel.Auto, TransB, true, K, M, N, GemmBatch.Create(Batch, StrideB, StrideC, StrideA), b, g, gradA, false);
        }
    }

    /// <summary>
    /// dB = op(A)ᵀ·G per batch item (stored transposed, dBᵀ = Gᵀ·op(A), when B is), summed over the batch
    /// dimensions B was broadcast along.
    /// </summary>
    public void GradB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> gradB)
        where T : unmanaged, INumberBase<T>
    {
        if (!TransB)
        {
            Gemm.MultiplyBatched(GemmKernel.Auto, !TransA, false, K, N, M, GemmBatch.Create(Batch, StrideA, StrideC, StrideB), a, g, gradB, false);
        }
        else
        {
            Gemm.MultiplyBatched(GemmKernel.Auto, true, TransA, N, K, M, GemmBatch.Create(Batch, StrideC, StrideA, StrideB), g, a, gradB, false);
        }
    }

    /// <summary>
    /// The element stride of an operand with batch shape <paramref name="own"/> (and <paramref name="matrix"/>
    /// elements per matrix) along each dimension of the broadcast <paramref name="batch"/>: 0 where it has none or 1.
    /// </summary>
    private static long[] BatchStrides(int[] batch, ReadOnlySpan<int> own, long matrix)
    {
        long[] strides = new long[batch.Length];
        long stride = matrix;
        for (int d = own.Length - 1; d >= 0; d--)
        {
            strides[d + batch.Length - own.Length] = own[d] == 1 ? 0 : stride;
            stride *= own[d];
        }

        return strides;
    }
}
