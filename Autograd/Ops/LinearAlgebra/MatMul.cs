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
        OpChecks.FloatingPoint(Op, a);
        var (batch, m, n, k) = Dimensions(a, b, transA, transB);
        int[] shape = a.Rank == 3 ? [batch, m, n] : [m, n];
        Tensor c = Tensor.Empty(shape, a.DType);
        Multiply(transA, transB, batch, m, n, k, a, b, c, accumulate: false);
        if (Tape.ShouldRecord("MatMul", c, a, b))
        {
            c.SetGradFn(new MatMulEntry(a, b, transA, transB, new GemmShape(batch, m, n, k)));
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
        Tensor a, Tensor b, Tensor c, bool accumulate) =>
        DTypeDispatch.Float(a.DType, new GemmAction(transA, transB, batch, m, n, k, a, b, c, accumulate));

    private readonly struct GemmAction(bool transA, bool transB, int batch, int m, int n, int k,
        Tensor a, Tensor b, Tensor c, bool accumulate) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            int sizeA = m * k, sizeB = k * n, sizeC = m * n;
            for (int i = 0; i < batch; i++)
            {
                Span<T> slice = c.Span<T>().Slice(i * sizeC, sizeC);
                ReadOnlySpan<T> sliceA = a.Span<T>().Slice(i * sizeA, sizeA);
                ReadOnlySpan<T> sliceB = b.Span<T>().Slice(i * sizeB, sizeB);
                if (typeof(T) == typeof(float))
                {
                    Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, Cast<T, float>(sliceA), Cast<T, float>(sliceB),
                        Cast<T, float>(slice), accumulate);
                }
                else
                {
                    Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, Cast<T, double>(sliceA), Cast<T, double>(sliceB),
                        Cast<T, double>(slice), accumulate);
                }
            }
        }

        private static Span<TTo> Cast<TFrom, TTo>(Span<TFrom> span)
            where TFrom : unmanaged
            where TTo : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(span);

        private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> span)
            where TFrom : unmanaged
            where TTo : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(span);
    }

    /// <summary>The product's dimensions, kept by the entry so that the fast path needs no validation.</summary>
    private readonly record struct GemmShape(int Batch, int M, int N, int K);

    /// <summary>
    /// Saves A (for dB) and B (for dA) only when the other side needs a gradient. Both gradients are products with
    /// flipped transpose flags: on the graph path made by <see cref="Forward"/> (recorded, so differentiable again),
    /// on the fast path straight into new buffers of the operands' shapes.
    /// </summary>
    private sealed class MatMulEntry : TapeEntry
    {
        private readonly bool _transA, _transB;
        private readonly int _aSlot = -1, _bSlot = -1;
        private readonly GemmShape _shape;
        private readonly int[] _shapeOfA, _shapeOfB;

        public MatMulEntry(Tensor a, Tensor b, bool transA, bool transB, GemmShape shape)
            : base("MatMul", a, b)
        {
            (_transA, _transB, _shape) = (transA, transB, shape);
            (_shapeOfA, _shapeOfB) = (a.ShapeArray, b.ShapeArray);
            int slots = 0;
            if (b.RequiresGrad)
            {
                Save(a);
                _aSlot = slots++;
            }

            if (a.RequiresGrad)
            {
                Save(b);
                _bSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            var (_, m, n, k) = _shape;
            bool graph = context.CreateGraph;
            if (context.NeedsInputGrad(0))
            {
                // dA = G·op(B)ᵀ, stored transposed when A was used transposed: dAᵀ = op(B)·Gᵀ.
                Tensor b = Saved(_bSlot);
                inputGrads[0] = !_transA
                    ? Product(gradOutput, false, b, !_transB, m, k, n, _shapeOfA, graph)
                    : Product(b, _transB, gradOutput, true, k, m, n, _shapeOfA, graph);
            }

            if (context.NeedsInputGrad(1))
            {
                // dB = op(A)ᵀ·G, stored transposed when B was used transposed: dBᵀ = Gᵀ·op(A).
                Tensor a = Saved(_aSlot);
                inputGrads[1] = !_transB
                    ? Product(a, !_transA, gradOutput, false, k, n, m, _shapeOfB, graph)
                    : Product(gradOutput, true, a, _transA, n, k, m, _shapeOfB, graph);
            }
        }

        /// <summary>
        /// op(left)·op(right) of <paramref name="shape"/> ([batch,] rows × columns, summing over inner): a recorded
        /// <see cref="Forward"/> on the graph path, straight into a new buffer (no validation) on the fast path.
        /// </summary>
        private Tensor Product(Tensor left, bool transLeft, Tensor right, bool transRight, int rows, int columns, int inner,
            int[] shape, bool graph)
        {
            if (graph)
            {
                return Forward(left, right, transLeft, transRight);
            }

            Tensor result = Tensor.Empty(shape, left.DType);
            Multiply(transLeft, transRight, _shape.Batch, rows, columns, inner, left, right, result, accumulate: false);
            return result;
        }
    }
}
