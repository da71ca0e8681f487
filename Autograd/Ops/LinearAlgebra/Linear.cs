namespace Autograd.Ops;

/// <summary>
/// y = x·Wᵀ + b, PyTorch's F.linear: a product with a transposed operand (no transpose is materialised)
/// followed by a broadcast add of the bias row. Composed from MatMul and Add, so its VJP is theirs. Input [in],
/// [N,in] or [d1,...,in]: leading axes are folded into one row axis (a view) and unfolded after.
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
        Tensor output = MatMul.Forward(matrix, weight, transA: false, transB: true);
        if (bias is not null)
        {
            output = Arithmetic.Add(output, bias);
        }

        if (input.Rank == 2)
        {
            return output;
        }

        int[] shape = input.Shape;
        shape[^1] = weight.ShapeSpan[0];
        return Reshape.Forward(output, shape);
    }
}
