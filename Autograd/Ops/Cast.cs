namespace Autograd.Ops;

/// <summary>A differentiable dtype conversion; the VJP converts the gradient back.</summary>
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
        if (Tape.ShouldRecord("To", output, x))
        {
            output.SetGradFn(new CastEntry(x));
        }

        return output;
    }

    private static Tensor Convert(Tensor x, DType dtype)
    {
        Tensor output = Tensor.Empty(x.ShapeArray, dtype);
        if (dtype == DType.Float64)
        {
            ReadOnlySpan<float> source = x.Span<float>();
            Span<double> destination = output.Span<double>();
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = source[i];
            }
        }
        else
        {
            ReadOnlySpan<double> source = x.Span<double>();
            Span<float> destination = output.Span<float>();
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = (float)source[i];
            }
        }

        return output;
    }

    private sealed class CastEntry(Tensor x) : TapeEntry("To", x)
    {
        private readonly DType _inputType = x.DType;

        // The gradient converted back; recorded when the pass creates a graph.
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Forward(gradOutput, _inputType);
    }
}
