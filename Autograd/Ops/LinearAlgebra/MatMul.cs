using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// C = op(A)·op(B) for 2-D operands (op = identity or transpose, chosen by flags, never materialised), and
/// batched [b,m,k]·[b,k,n]. The VJP picks the product's transpose flags instead of copying (as PyTorch's
/// mm_mat1_backward): for C = A·B, dA = G·Bᵀ and dB = Aᵀ·G.
/// </summary>
internal static class MatMul
{
    public static Tensor Forward(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        const string Op = "MatMul";
        OpChecks.NotNull(a, Op, "a");
        OpChecks.NotNull(b, Op, "b");
        OpChecks.SameDType(Op, a, b);
        var (batch, m, n, k) = Dimensions(a, b, transA, transB);
        int[] shape = a.Rank == 3 ? [batch, m, n] : [m, n];
        Tensor c = Tensor.Empty(shape, a.DType);
        Multiply(transA, transB, batch, m, n, k, a, b, c, accumulate: false);
        if (Tape.ShouldRecord(a, b))
        {
            c.SetGradFn(new MatMulEntry(a, b, transA, transB, batch, m, n, k));
        }

        return c;
    }

    private static (int Batch, int M, int N, int K) Dimensions(Tensor a, Tensor b, bool transA, bool transB)
    {
        // Formatted only on the error paths: a product of tiny matrices costs less than this string.
        string Shapes() => $"{ShapeText.Format(a.ShapeSpan)}{(transA ? "ᵀ" : "")} x {ShapeText.Format(b.ShapeSpan)}{(transB ? "ᵀ" : "")}";
        if (a.Rank != b.Rank || (a.Rank != 2 && a.Rank != 3))
        {
            throw new ArgumentException(
                $"MatMul: {Shapes()}: expected two 2-D matrices [m,k] x [k,n] or two 3-D batches [b,m,k] x [b,k,n].");
        }

        ReadOnlySpan<int> sa = a.ShapeSpan[^2..];
        ReadOnlySpan<int> sb = b.ShapeSpan[^2..];
        int batch = 1;
        if (a.Rank == 3)
        {
            if (a.ShapeSpan[0] != b.ShapeSpan[0])
            {
                throw new ArgumentException(
                    $"MatMul: {Shapes()}: batch sizes {a.ShapeSpan[0]} and {b.ShapeSpan[0]} differ.");
            }

            batch = a.ShapeSpan[0];
        }

        int m = transA ? sa[1] : sa[0];
        int ka = transA ? sa[0] : sa[1];
        int kb = transB ? sb[1] : sb[0];
        int n = transB ? sb[0] : sb[1];
        if (ka != kb)
        {
            throw new ArgumentException($"MatMul: {Shapes()}: inner dimensions {ka} and {kb} differ.");
        }

        return (batch, m, n, ka);
    }

    /// <summary>C (+)= op(A)·op(B) per batch slice, on whichever element type the tensors hold.</summary>
    internal static void Multiply(bool transA, bool transB, int batch, int m, int n, int k,
        Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int sizeA = m * k, sizeB = k * n, sizeC = m * n;
        for (int i = 0; i < batch; i++)
        {
            if (a.DType == DType.Float32)
            {
                Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, a.Span<float>().Slice(i * sizeA, sizeA),
                    b.Span<float>().Slice(i * sizeB, sizeB), c.Span<float>().Slice(i * sizeC, sizeC), accumulate);
            }
            else
            {
                Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, a.Span<double>().Slice(i * sizeA, sizeA),
                    b.Span<double>().Slice(i * sizeB, sizeB), c.Span<double>().Slice(i * sizeC, sizeC), accumulate);
            }
        }
    }

    /// <summary>Saves A (for dB) and B (for dA) only when the other side needs a gradient.</summary>
    private sealed class MatMulEntry(Tensor a, Tensor b, bool transA, bool transB, int batch, int m, int n, int k)
        : TapeEntry("MatMul", a, b)
    {
        private Tensor? _a = b.RequiresGrad ? a : null;
        private Tensor? _b = a.RequiresGrad ? b : null;
        private readonly int[] _shapeOfA = a.ShapeArray;
        private readonly int[] _shapeOfB = b.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            if (index == 0)
            {
                // dA = G·op(B)ᵀ, stored transposed when A was used transposed: dAᵀ = op(B)·Gᵀ.
                Tensor da = Tensor.Empty(_shapeOfA, gradOutput.DType);
                if (!transA)
                {
                    Multiply(false, !transB, batch, m, k, n, gradOutput, _b!, da, accumulate: false);
                }
                else
                {
                    Multiply(transB, true, batch, k, m, n, _b!, gradOutput, da, accumulate: false);
                }

                return da;
            }

            // dB = op(A)ᵀ·G, stored transposed when B was used transposed: dBᵀ = Gᵀ·op(A).
            Tensor db = Tensor.Empty(_shapeOfB, gradOutput.DType);
            if (!transB)
            {
                Multiply(!transA, false, batch, k, n, m, _a!, gradOutput, db, accumulate: false);
            }
            else
            {
                Multiply(true, transA, batch, n, k, m, gradOutput, _a!, db, accumulate: false);
            }

            return db;
        }

        protected override void ReleaseSaved() => (_a, _b) = (null, null);
    }
}
