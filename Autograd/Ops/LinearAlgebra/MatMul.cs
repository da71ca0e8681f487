using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// torch.matmul: C = op(A)·op(B) (op = identity or transpose of the last two dimensions, chosen by flags, never
/// materialised). Two matrices take the route here, kept as lean as it was (it carries every Linear layer);
/// vectors and batches go to <see cref="BatchedMatMul"/>. The VJP picks the product's transpose flags instead of
/// copying (as PyTorch's mm_mat1_backward): for C = A·B, dA = G·Bᵀ and dB = Aᵀ·G.
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
        if (a.Rank != 2 || b.Rank != 2)
        {
            return BatchedMatMul.Forward(a, b, transA, transB);
        }

        var (m, n, k) = Dimensions(a, b, transA, transB);
        Tensor c = Tensor.Empty(MatrixShapes.Of(m, n), a.DType);
        Multiply(transA, transB, m, n, k, a, b, c);
        if (Tape.ShouldRecord("MatMul", c, a, b))
        {
            c.SetGradFn(new MatMulEntry(a, b, transA, transB, new GemmShape(m, n, k)));
        }

        return c;
    }

    /// <summary>"[2,3] x [3,4]ᵀ": the operands as errors name them (a flag marks a transposed operand).</summary>
    internal static string Describe(Tensor a, Tensor b, bool transA, bool transB) =>
        $"{ShapeText.Format(a.ShapeSpan)}{(transA ? "ᵀ" : "")} x {ShapeText.Format(b.ShapeSpan)}{(transB ? "ᵀ" : "")}";

    private static (int M, int N, int K) Dimensions(Tensor a, Tensor b, bool transA, bool transB)
    {
        ReadOnlySpan<int> sa = a.ShapeSpan;
        ReadOnlySpan<int> sb = b.ShapeSpan;
        int m = transA ? sa[1] : sa[0];
        int ka = transA ? sa[0] : sa[1];
        int kb = transB ? sb[1] : sb[0];
        int n = transB ? sb[0] : sb[1];
        if (ka != kb)
        {
            // Formatted only on the error path: a product of tiny matrices costs less than this string.
            throw new ArgumentException($"MatMul: {Describe(a, b, transA, transB)}: inner dimensions {ka} and {kb} differ.");
        }

        return (m, n, ka);
    }

    /// <summary>C = op(A)·op(B) for two matrices, on whichever element type the tensors hold.</summary>
    internal static void Multiply(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c) =>
        DTypeDispatch.Float(a.DType, new GemmAction(transA, transB, m, n, k, a, b, c));

    private readonly struct GemmAction(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            if ((long)m * n * k <= Gemm.DirectLoopWork)
            {
                // A tiny product (a small network's layer): the direct loop Auto would choose, without its checks.
                Gemm.MultiplyTiny(transA, transB, m, n, k, a.Span<T>(), b.Span<T>(), c.Span<T>());
                return;
            }

            if (typeof(T) == typeof(float))
            {
                Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, a.Span<float>(), b.Span<float>(), c.Span<float>());
            }
            else
            {
                Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, a.Span<double>(), b.Span<double>(), c.Span<double>());
            }
        }
    }

    /// <summary>
    /// A gradient product op(left)·op(right) of <paramref name="shape"/> (rows × columns, summing over inner), for the
    /// VJPs of MatMul and Linear: a recorded <see cref="Forward"/> on the graph path, straight into a new buffer (no
    /// validation) on the fast path.
    /// </summary>
    internal static Tensor GradientProduct(Tensor left, bool transLeft, Tensor right, bool transRight, int rows, int columns,
        int inner, int[] shape, bool graph)
    {
        if (graph)
        {
            return Forward(left, right, transLeft, transRight);
        }

        Tensor result = Tensor.Empty(shape, left.DType);
        Multiply(transLeft, transRight, rows, columns, inner, left, right, result);
        return result;
    }

    /// <summary>The product's dimensions, kept by the entry so that the fast path needs no validation.</summary>
    private readonly record struct GemmShape(int M, int N, int K);

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

        public MatMulEntry(Tensor a, Tensor b, bool transA, bool transB, GemmShape shape)
            : base("MatMul", a, b)
        {
            (_transA, _transB, _shape) = (transA, transB, shape);
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
            var (m, n, k) = _shape;
            bool graph = context.CreateGraph;
            if (context.NeedsInputGrad(0))
            {
                // dA = G·op(B)ᵀ, stored transposed when A was used transposed: dAᵀ = op(B)·Gᵀ.
                Tensor b = Saved(_bSlot);
                inputGrads[0] = !_transA
                    ? GradientProduct(gradOutput, false, b, !_transB, m, k, n, InputShape(0), graph)
                    : GradientProduct(b, _transB, gradOutput, true, k, m, n, InputShape(0), graph);
            }

            if (context.NeedsInputGrad(1))
            {
                // dB = op(A)ᵀ·G, stored transposed when B was used transposed: dBᵀ = Gᵀ·op(A).
                Tensor a = Saved(_aSlot);
                inputGrads[1] = !_transB
                    ? GradientProduct(a, !_transA, gradOutput, false, k, n, m, InputShape(1), graph)
                    : GradientProduct(gradOutput, true, a, _transA, n, k, m, InputShape(1), graph);
            }
        }
    }
}
