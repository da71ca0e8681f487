namespace Autograd.Ops;

/// <summary>
/// y = x·Wᵀ + b, PyTorch's F.linear: a product with a transposed operand (no transpose is materialised)
/// followed by the bias row added in place into the product. One op and one tape entry (not MatMul then Add:
/// a second output tensor, buffer and entry per layer were a third of a tiny network's step); its VJP runs the
/// same products and the same bias sum as MatMul's and Add's, so the bits are theirs. Input [in], [N,in] or
/// [d1,...,in]: leading axes are folded into one row axis (a view) and unfolded after.
/// </summary>
internal static class Linear
{
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias)
    {
        const string Op = "Linear";
        OpChecks.NotNull(input, Op, "input");
        OpChecks.NotNull(weight, Op, "weight");
        if (weight.Rank != 2)
        {
            throw new ArgumentException($"Linear: weight must be 2-D [out,in]; got {ShapeText.Format(weight.ShapeSpan)}.");
        }

        if (input.Rank == 0 || input.ShapeSpan[^1] != weight.ShapeSpan[1])
        {
            throw new ArgumentException(
                $"Linear: input {ShapeText.Format(input.ShapeSpan)} x weight {ShapeText.Format(weight.ShapeSpan)}ᵀ: "
                + $"expected input [...,{weight.ShapeSpan[1]}] (the last axis the weight's in-features).");
        }

        if (bias is not null && (bias.Rank != 1 || bias.ShapeSpan[0] != weight.ShapeSpan[0]))
        {
            throw new ArgumentException(
                $"Linear: bias {ShapeText.Format(bias.ShapeSpan)} must be [{weight.ShapeSpan[0]}] for weight {ShapeText.Format(weight.ShapeSpan)}.");
        }

        Tensor matrix = input.Rank == 2 ? input : Reshape.Forward(input, -1, input.ShapeSpan[^1]);
        Tensor output = bias is null
            ? MatMul.Forward(matrix, weight, transA: false, transB: true)
            : Affine(matrix, weight, bias);

        if (input.Rank == 2)
        {
            return output;
        }

        int[] shape = input.Shape;
        shape[^1] = weight.ShapeSpan[0];
        return Reshape.Forward(output, shape);
    }

    /// <summary>x·Wᵀ + b for a matrix x [m,in], weight [out,in] and bias [out]: the product, then the bias added in place.</summary>
    private static Tensor Affine(Tensor x, Tensor weight, Tensor bias)
    {
        const string Op = "Linear";
        OpChecks.SameDType(Op, x, weight);
        OpChecks.SameDType(Op, x, bias);
        OpChecks.FloatingPoint(Op, x);
        int m = x.ShapeSpan[0], n = weight.ShapeSpan[0], k = weight.ShapeSpan[1];
        Tensor output = Tensor.Empty(MatrixShapes.Of(m, n), x.DType);
        MatMul.Multiply(transA: false, transB: true, m, n, k, x, weight, output);
        DTypeDispatch.Float(x.DType, new AddBiasInPlace(output, bias));
        if (Tape.ShouldRecord(Op, output, [x, weight, bias]))
        {
            output.SetGradFn(new LinearEntry(x, weight, bias, m, n, k));
        }

        return output;
    }

    /// <summary>output[i,:] += bias, by the broadcast Add kernel (as Add would have computed it into a new buffer).</summary>
    private readonly struct AddBiasInPlace(Tensor output, Tensor bias) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            Kernels.Broadcast.Apply<Kernels.AddKernel, T>(
                output.Span<T>(), output.ShapeSpan, bias.Span<T>(), bias.ShapeSpan, output.Span<T>(), output.ShapeSpan);
    }

    /// <summary>
    /// d(x·Wᵀ + b) = (G·W, Gᵀ·x, Σ rows of G): MatMul's flipped products and Add's bias sum. x is saved only when W
    /// needs a gradient and W only when x does. On the graph path every piece is a recorded op.
    /// </summary>
    private sealed class LinearEntry : TapeEntry
    {
        private readonly int _xSlot = -1, _weightSlot = -1;
        private readonly int _m, _n, _k;

        public LinearEntry(Tensor x, Tensor weight, Tensor bias, int m, int n, int k)
            : base("Linear", [x, weight, bias])
        {
            (_m, _n, _k) = (m, n, k);
            int slots = 0;
            if (weight.RequiresGrad)
            {
                Save(x);
                _xSlot = slots++;
            }

            if (x.RequiresGrad)
            {
                Save(weight);
                _weightSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            bool graph = context.CreateGraph;
            if (context.NeedsInputGrad(0))
            {
                // dX = G·W [m,k]
                inputGrads[0] = MatMul.GradientProduct(gradOutput, false, Saved(_weightSlot), false, _m, _k, _n, InputShape(0), graph);
            }

            if (context.NeedsInputGrad(1))
            {
                // dW = Gᵀ·x [n,k]
                inputGrads[1] = MatMul.GradientProduct(gradOutput, true, Saved(_xSlot), false, _n, _k, _m, InputShape(1), graph);
            }

            if (context.NeedsInputGrad(2))
            {
                inputGrads[2] = BroadcastTo.SumTo(gradOutput, InputShape(2));   // recorded exactly when graph
            }
        }
    }
}
