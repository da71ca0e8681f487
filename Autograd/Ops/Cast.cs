namespace Autograd.Ops;

/// <summary>A dtype conversion between any two of the four types; differentiable between Float32 and Float64, where
/// the VJP converts the gradient back.</summary>
internal static class Cast
{
    public static Tensor Forward(Tensor x, DType dtype)
    {
        OpChecks.NotNull(x, "To", "x");
        if (x.DType == dtype)
        {
            return x;   // as PyTorch: no copy, same tensor
        }

        Tensor output = Convert(x, dtype);

        // Only a conversion between floating-point types carries a gradient: an Int64 or Bool result has none.
        if (DTypeDispatch.IsFloatingPoint(dtype) && Tape.ShouldRecord("To", output, x))
        {
            output.SetGradFn(new CastEntry(x));
        }

        return output;
    }

    private static Tensor Convert(Tensor x, DType dtype) =>
        new(ElementConversion.Convert(x.Storage, dtype), x.ShapeArray, dtype);

    private sealed class CastEntry(Tensor x) : TapeEntry("To", x)
    {
        private readonly DType _inputType = x.DType;

        // The gradient converted back; recorded when the pass creates a graph.
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Forward(gradOutput, _inputType);
    }
}
