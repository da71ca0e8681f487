using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// MatMul for every rank combination but matrix × matrix (torch.matmul): vector · vector is a dot product (shape
/// []), matrix · vector [m], vector · matrix [n]; batch dimensions broadcast ([b,m,k]·[k,n], [b,1,m,k]·[c,k,n] →
/// [b,c,m,n]). Each product (forward and both gradients) is one batched GEMM call over the whole batch (see
/// <see cref="MatMulLayout"/>), with the gradient of a broadcast operand summed inside the GEMM, not afterwards.
/// </summary>
internal static class BatchedMatMul
{
    public static Tensor Forward(Tensor a, Tensor b, bool transA, bool transB)
    {
        MatMulLayout layout = MatMulLayout.Create(a, b, transA, transB);
        Tensor c = Tensor.Empty(layout.OutputShape, a.DType);
        DTypeDispatch.Float(a.DType, new ProductAction(layout, Product.Forward, a, b, c));
        if (Tape.ShouldRecord("MatMul", c, a, b))
        {
            c.SetGradFn(new BatchedMatMulEntry(a, b, layout));
        }

        return c;
    }

    private enum Product
    {
        Forward,
        GradA,
        GradB,
    }

    private readonly struct ProductAction(MatMulLayout layout, Product product, Tensor left, Tensor right, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            switch (product)
            {
                case Product.Forward:
                    layout.Forward<T>(left.Span<T>(), right.Span<T>(), output.Span<T>());
                    break;
                case Product.GradA:
                    layout.GradA<T>(left.Span<T>(), right.Span<T>(), output.Span<T>());
                    break;
                default:
                    layout.GradB<T>(left.Span<T>(), right.Span<T>(), output.Span<T>());
                    break;
            }
        }
    }

    /// <summary>
    /// Saves A (for dB) and B (for dA) only when the other side needs a gradient. The fast path runs each gradient
    /// as one batched GEMM into a new buffer of the operand's shape (the sum over broadcast batch dimensions done by
    /// the GEMM); the graph path builds the same from recorded ops: a vector made a matrix (Reshape), the batched
    /// product (MatMul), the sum over broadcast dimensions (SumTo), the vector's shape restored (Reshape).
    /// </summary>
    private sealed class BatchedMatMulEntry : TapeEntry
    {
        private readonly MatMulLayout _layout;
        private readonly int _aSlot = -1, _bSlot = -1;

        public BatchedMatMulEntry(Tensor a, Tensor b, MatMulLayout layout)
            : base("MatMul", a, b)
        {
            _layout = layout;
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
            if (context.CreateGraph)
            {
                RecordedGradients(context, gradOutput, inputGrads);
                return;
            }

            if (context.NeedsInputGrad(0))
            {
                Tensor gradA = Tensor.Empty(_layout.ShapeA, gradOutput.DType);
                DTypeDispatch.Float(gradOutput.DType, new ProductAction(_layout, Product.GradA, gradOutput, Saved(_bSlot), gradA));
                inputGrads[0] = gradA;
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor gradB = Tensor.Empty(_layout.ShapeB, gradOutput.DType);
                DTypeDispatch.Float(gradOutput.DType, new ProductAction(_layout, Product.GradB, Saved(_aSlot), gradOutput, gradB));
                inputGrads[1] = gradB;
            }
        }

        private void RecordedGradients(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            MatMulLayout l = _layout;
            int[] shapeOfC = [.. l.Batch, l.M, l.N];
            int[] matrixA = l.VectorA ? [1, l.K] : l.ShapeA;
            int[] matrixB = l.VectorB ? [l.K, 1] : l.ShapeB;
            Tensor g = gradOutput.ShapeSpan.SequenceEqual(shapeOfC) ? gradOutput : Reshape.Forward(gradOutput, shapeOfC);

            // As matrices, b's flag is its own again (a vector b became [k,1], not transposed).
            bool transB = l.TransB && !l.VectorB;
            if (context.NeedsInputGrad(0))
            {
                Tensor b = Saved(_bSlot);
                b = l.VectorB ? Reshape.Forward(b, matrixB) : b;
                Tensor full = !l.TransA ? MatMul.Forward(g, b, false, !transB) : MatMul.Forward(b, g, transB, true);
                inputGrads[0] = Restore(BroadcastTo.SumTo(full, matrixA), l.ShapeA);
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor a = Saved(_aSlot);
                a = l.VectorA ? Reshape.Forward(a, matrixA) : a;
                Tensor full = !transB ? MatMul.Forward(a, g, !l.TransA, false) : MatMul.Forward(g, a, true, l.TransA);
                inputGrads[1] = Restore(BroadcastTo.SumTo(full, matrixB), l.ShapeB);
            }
        }

        /// <summary>The gradient in its operand's shape: a vector's gradient, summed as a [1,k] or [k,1] matrix, viewed as [k].</summary>
        private static Tensor Restore(Tensor gradient, int[] shape) =>
            gradient.ShapeSpan.SequenceEqual(shape) ? gradient : Reshape.Forward(gradient, shape);
    }
}
